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
}

/** Options of a stamp command. */
export interface OracleStampOptions {
  /** `alembic stamp --purge`: empty the version table first. */
  purge?: boolean;
}

/** One Alembic command; `current` only reads the rows. */
export type OracleOp =
  | readonly ["upgrade", string]
  | readonly ["downgrade", string]
  | readonly ["stamp", string | readonly string[]]
  | readonly ["stamp", string | readonly string[], OracleStampOptions]
  | readonly ["current"];

/** Input of the oracle script (field names as the Python side reads them). */
export interface OracleSpec {
  /** The revisions of the project. */
  revisions: OracleRevision[];
  /** Commands to run, in order, against one database. */
  ops: OracleOp[];
  /** SQLAlchemy URL; default: a fresh temporary SQLite file. */
  url?: string;
  /** Version table name; default `alembic_version`. */
  version_table?: string;
  /** Schema of the version table; default none. */
  version_table_schema?: string | null;
  /** Drop leftover version and log tables first (default true). */
  reset?: boolean;
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
}

/** Options of {@linkcode runOracle}. */
export interface RunOracleOptions {
  /** Python interpreter; default `$BELLOWS_PYTHON` or `/usr/bin/python3`. */
  python?: string;
  /** `PYTHONHASHSEED` for the run: Alembic iterates sets, so fix it for reproducibility. */
  hashSeed?: number;
}

const SCRIPT = new URL("./alembic_oracle.py", import.meta.url);

/** Run `spec` through real Alembic and return one result per op. */
export async function runOracle(
  spec: OracleSpec,
  options: RunOracleOptions = {},
): Promise<OracleResult[]> {
  const python = options.python ?? Deno.env.get("BELLOWS_PYTHON") ?? "/usr/bin/python3";
  const child = new Deno.Command(python, {
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
