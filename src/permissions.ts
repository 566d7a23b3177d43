/**
 * The Deno permissions bellows runs with: the one list that `deno task compile` bakes
 * into `dist/bellows` and that the tests run `main.ts` with.
 *
 * Deno fixes a compiled binary's permissions at build time (arguments given to the
 * binary are the program's own), so everything an operator may configure at run time
 * has to be allowed here: the SQLite file and the migrations folder can be anywhere
 * (read and write unscoped), the database host comes from the URL (net unscoped).
 * What is known at build time is scoped: the environment variables bellows reads and
 * the system APIs it calls. docs/binary.md "Permissions" gives the reasons line by line.
 *
 * @module
 */
import { PG_ENV_VARS } from "./drivers/pg_config.ts";

/**
 * Environment variables bellows reads. `BELLOWS_*` is a Deno wildcard covering every
 * `BELLOWS_` setting; `ALEMBIC_CONFIG` names an alembic.ini as Alembic's does; the `PG*`
 * ones are libpq's, read by the PostgreSQL driver.
 */
export const ENV_VARS: readonly string[] = [
  "DATABASE_URL",
  "BELLOWS_*",
  "ALEMBIC_CONFIG",
  ...PG_ENV_VARS,
];

/**
 * System APIs bellows calls: `hostname` for the audit rows; `uid`, `gid` and
 * `userInfo` for libpq's default database user (the OS user name).
 */
export const SYS_APIS: readonly string[] = ["hostname", "uid", "gid", "userInfo"];

/**
 * Optional narrowing, for a binary built for one site: paths the binary may read and
 * write, hosts (`host` or `host:port`) it may connect to. Unset means any.
 */
export interface PermissionScope {
  /** Files and folders (recursive) for `--allow-read` and `--allow-write`. */
  readonly fs?: readonly string[];
  /** Hosts for `--allow-net`, e.g. `db.example.org:5432` or `unix:/run/postgresql/.s.PGSQL.5432`. */
  readonly net?: readonly string[];
}

function flag(name: string, values: readonly string[] | undefined): string {
  if (values === undefined) return `--allow-${name}`;
  if (values.length === 0) throw new Error(`an empty --allow-${name} list would allow everything`);
  for (const v of values) {
    if (v.includes(",")) throw new Error(`--allow-${name}: '${v}' contains a comma`);
  }
  return `--allow-${name}=${values.join(",")}`;
}

/**
 * The permission flags for `deno compile` and `deno run`, in a stable order. Never
 * `--allow-all`; no `run`, `ffi` or `import`. `--no-prompt` so that a missing
 * permission is an error at once, never a question on a terminal.
 */
export function permissionFlags(scope: PermissionScope = {}): string[] {
  return [
    "--no-prompt",
    flag("read", scope.fs),
    flag("write", scope.fs),
    flag("net", scope.net),
    flag("env", ENV_VARS),
    flag("sys", SYS_APIS),
  ];
}

/** Is environment variable `name` covered by {@linkcode ENV_VARS} (with its `*` wildcards)? */
export function envAllowed(name: string): boolean {
  return ENV_VARS.some((p) => p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : p === name);
}

/**
 * The V8 setting the binary is built with (`deno compile --v8-flags`; the bench runs
 * `main.ts` with it too): semi-spaces of the young generation of at most 2 MiB. Loading
 * thousands of scripts makes much short-lived garbage, and V8's default lets the young
 * generation grow to 16 MiB per semi-space: ~50 MiB more RSS for `heads` at 10,000
 * revisions, and slower copying (docs/performance.md).
 */
export const V8_FLAGS: readonly string[] = ["--max-semi-space-size=2"];

/** {@linkcode V8_FLAGS} as one `deno compile` / `deno run` argument. */
export function v8Flags(): string {
  return `--v8-flags=${V8_FLAGS.join(",")}`;
}

export { isPermissionError, missingPermission } from "./errors.ts";
