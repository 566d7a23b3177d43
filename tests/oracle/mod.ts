/**
 * Run real Alembic as an oracle: hand a revision graph and a sequence of commands to
 * `alembic_oracle.py` and get back the version rows (and the migrations run) after each.
 *
 * Needs Python 3 with alembic and sqlalchemy: `/usr/bin/python3` by default, or the
 * interpreter named by the `BELLOWS_PYTHON` environment variable.
 *
 * @module
 */

/** One revision of the throwaway Alembic project. */
export interface OracleRevision {
  /** Revision id. */
  id: string;
  /** `down_revision` ids; empty for a base. */
  down: string[];
  /** `branch_labels`. */
  labels?: string[];
  /** `depends_on`: ids, partial ids or branch labels. */
  depends_on?: string[];
  /** Docstring / message. */
  message?: string;
  /**
   * File name in the versions directory; default `r<index>.py`. Files load in sorted name
   * order, and that order decides how Alembic interleaves independent branches.
   */
  file?: string;
  /**
   * Raw SQL the revision runs with `op.execute`: `up`/`down` on every database, then
   * `up@postgresql`, `down@sqlite` ... on that dialect only.
   */
  sql?: Record<string, string[]>;
}

/** Options of a stamp command. */
export interface OracleStampOptions {
  /** `alembic stamp --purge`: empty the version table first. */
  purge?: boolean;
}

/**
 * One Alembic command; `current` only reads the rows; `show_current` / `show_heads` also
 * capture what `alembic current` / `alembic heads` print (in {@linkcode OracleResult.stdout}).
 */
export type OracleOp =
  | readonly ["upgrade", string]
  | readonly ["downgrade", string]
  | readonly ["stamp", string | readonly string[]]
  | readonly ["stamp", string | readonly string[], OracleStampOptions]
  | readonly ["current"]
  | readonly ["show_current"]
  | readonly ["show_heads"];

/** A command, optionally against another database than the spec's `url`. */
export type OracleOpAt = OracleOp | { readonly op: OracleOp; readonly url?: string };

/** Input of the oracle script (field names as the Python side reads them). */
export interface OracleSpec {
  /** The revisions of the project. */
  revisions: OracleRevision[];
  /** Commands to run, in order (against `url` unless an op names its own). */
  ops: OracleOpAt[];
  /** SQLAlchemy URL; default: a fresh temporary SQLite file. */
  url?: string;
  /** Version table name; default `alembic_version`. */
  version_table?: string;
  /** Schema of the version table; default none. */
  version_table_schema?: string | null;
  /** Drop leftover version and log tables first (default true). */
  reset?: boolean;
  /** Create the primary key of the version table (default true). */
  version_table_pk?: boolean;
  /**
   * Log what ran in table `oracle_log` (default true); false keeps the schema to what the
   * revisions create, and `ran` stays empty.
   */
  log?: boolean;
  /**
   * Write the Alembic project (alembic.ini, env.py, versions/) here and keep it, so the
   * `alembic` command line can run on it too; default: a temporary directory.
   */
  project_dir?: string;
}

/** A migration that ran (and stayed committed): revision id and direction. */
export type OracleRan = [string, "up" | "down"];

/** What one command left behind. */
export interface OracleResult {
  /**
   * The same rows in the order the database returns them without ORDER BY: the order
   * Alembic works with (`downgrade -1` with several rows walks down from the first).
   */
  heads: string[];
  /** Version-table rows after the command, sorted. */
  rows: string[];
  /** Migrations whose effects are committed, in run order. */
  ran: OracleRan[];
  /** `<exception class>: <message>` when the command failed. */
  error?: string;
  /** Innermost Alembic frame of the failure (`file:line in function`). */
  where?: string | null;
  /** What `show_current` / `show_heads` printed. */
  stdout?: string;
}

/** Options of {@linkcode runOracle}. */
export interface RunOracleOptions {
  /** Python interpreter; default `$BELLOWS_PYTHON` or `/usr/bin/python3`. */
  python?: string;
  /** `PYTHONHASHSEED` for the run: Alembic iterates sets, so fix it for reproducibility. */
  hashSeed?: number;
}

const SCRIPT = new URL("./alembic_oracle.py", import.meta.url);

function python(options: RunOracleOptions): string {
  return options.python ?? Deno.env.get("BELLOWS_PYTHON") ?? "/usr/bin/python3";
}

/** A running oracle process that keeps its Alembic project between batches of ops. */
export interface OracleSession {
  /** Run `ops` (each may name its own database URL) and return one result per op. */
  run(ops: readonly OracleOpAt[]): Promise<OracleResult[]>;
  /** End the process. */
  close(): Promise<void>;
}

/**
 * Start one Python process for `spec` (its `ops` are ignored) and run batches of ops in
 * it: Alembic's import cost is paid once.
 */
export function startOracleSession(
  spec: Omit<OracleSpec, "ops">,
  options: RunOracleOptions = {},
): OracleSession {
  const child = new Deno.Command(python(options), {
    args: [SCRIPT.pathname, "--session"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONHASHSEED: String(options.hashSeed ?? 0) },
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderr = new Response(child.stderr).text();
  let buffered = "";
  const enc = new TextEncoder();
  const readLine = async (): Promise<string> => {
    for (;;) {
      const nl = buffered.indexOf("\n");
      if (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        return line;
      }
      const { value, done } = await lines.read();
      if (done) {
        const status = await child.status;
        throw new Error(`alembic oracle exited with ${status.code}: ${(await stderr).trim()}`);
      }
      buffered += value;
    }
  };
  const started = writer.write(enc.encode(JSON.stringify({ ...spec, ops: [] }) + "\n"));
  let queue: Promise<unknown> = started;
  return {
    run(ops) {
      const result = queue.then(async () => {
        await writer.write(enc.encode(JSON.stringify({ ops }) + "\n"));
        return JSON.parse(await readLine()) as OracleResult[];
      });
      queue = result.catch(() => {});
      return result;
    },
    async close() {
      await queue;
      await writer.close();
      await child.status;
      lines.releaseLock();
      await child.stdout.cancel().catch(() => {});
      await stderr;
    },
  };
}

/** Run `spec` through real Alembic and return one result per op. */
export async function runOracle(
  spec: OracleSpec,
  options: RunOracleOptions = {},
): Promise<OracleResult[]> {
  const child = new Deno.Command(python(options), {
    args: [SCRIPT.pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONHASHSEED: String(options.hashSeed ?? 0) },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(spec)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) {
    throw new Error(
      `alembic oracle exited with ${code}: ${new TextDecoder().decode(stderr).trim()}`,
    );
  }
  return JSON.parse(new TextDecoder().decode(stdout)) as OracleResult[];
}
