/**
 * Errors that bellows reports to operators, each with a stable exit code.
 *
 * Every failure the command line can meet is one of these, so that `main.ts` can
 * print exactly one line to stderr and exit with the documented code.
 *
 * @module
 */

/**
 * Documented process exit codes. Keep the tables of README.md and docs/automation.md in
 * step with this (tests/automation_test.ts checks both).
 */
export const ExitCode = {
  /** Everything asked for was done (or there was nothing to do). */
  OK: 0,
  /**
   * A migration statement, or the COMMIT of its revision (a deferred constraint, a full
   * disk), failed; that revision was rolled back.
   */
  MIGRATION_FAILED: 1,
  /** `lint`: findings at error level (the same code: CI reads 1 as "this change is not safe"). */
  LINT_ERRORS: 1,
  /** The command line itself was wrong (unknown option, missing argument). */
  USAGE: 2,
  /** `check`: the expand phase is not complete (also why `migrate`/`contract` refused). */
  EXPAND_NEEDED: 3,
  /** `check`: a data migration has rows left to move (also why `contract` refused). */
  MIGRATE_NEEDED: 4,
  /** `check`: contract revisions are pending (also why `expand` cannot cross into them). */
  CONTRACT_NEEDED: 5,
  /** A revision script or the revision graph is invalid, or a target does not resolve. */
  SCRIPT: 6,
  /** The database could not be reached or refused the login. */
  UNREACHABLE: 7,
  /**
   * Another bellows run holds the migration lock and did not release it in time; or
   * other sessions held a table that a statement's strong lock needs past `--lock-wait`
   * (bellows stopped before queueing for it).
   */
  LOCK_BUSY: 8,
  /** The database's recorded state does not fit the scripts (unknown revision, checksum drift under --strict). */
  STATE: 9,
  /** The process lacks a Deno permission it needs (read, write, net, env). */
  PERMISSION: 10,
  /** Stopped by SIGINT (Ctrl-C); what was not committed is rolled back (128 + 2). */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM; what was not committed is rolled back (128 + 15). */
  TERMINATED: 143,
  /**
   * The command did its job, but writing its result to stdout failed (a full disk, a
   * closed pipe): the message says so and where the database stands (sysexits' EX_IOERR).
   */
  OUTPUT: 74,
  /** Anything else: a bug in bellows. */
  INTERNAL: 70,
} as const;

/** One of the values of {@linkcode ExitCode}. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/** Base class of every error bellows reports on purpose. */
export class BellowsError extends Error {
  /** Exit code the command line uses for this error. */
  readonly exitCode: ExitCodeValue;
  /** Short machine-readable kind for `--json` output. */
  readonly kind: string;
  /** More fields for the `--json` error document's `error` (e.g. `interrupted`). */
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    exitCode: ExitCodeValue,
    kind: string,
    options?: ErrorOptions & { details?: Readonly<Record<string, unknown>> },
  ) {
    super(message, options);
    this.name = "BellowsError";
    this.exitCode = exitCode;
    this.kind = kind;
    if (options?.details) this.details = options.details;
  }
}

/** A revision script is malformed, or the graph of revisions is invalid. */
export class ScriptError extends BellowsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.SCRIPT, "script", options);
    this.name = "ScriptError";
  }
}

/** A revision graph problem: unknown, ambiguous or overlapping revisions, cycles, multiple heads. */
export class RevisionError extends BellowsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.SCRIPT, "revision", options);
    this.name = "RevisionError";
  }
}

/** The command line was used wrongly. */
export class UsageError extends BellowsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.USAGE, "usage", options);
    this.name = "UsageError";
  }
}

/** The database state does not fit the scripts. */
export class StateError extends BellowsError {
  constructor(
    message: string,
    options?: ErrorOptions & { details?: Readonly<Record<string, unknown>> },
  ) {
    super(message, ExitCode.STATE, "state", options);
    this.name = "StateError";
  }
}

/** The database could not be reached, or refused us. */
export class ConnectionError extends BellowsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.UNREACHABLE, "connection", options);
    this.name = "ConnectionError";
  }
}

/**
 * The connection dropped under a command (server crash or restart, terminated backend,
 * network cut), as a driver reports it. The runner adds which revision was running and
 * where the database stands; the command line adds the latter to one that escapes it.
 */
export class ConnectionLostError extends ConnectionError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionLostError";
  }
}

/** The migration lock is held by another runner. */
export class LockBusyError extends BellowsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.LOCK_BUSY, "lock_busy", options);
    this.name = "LockBusyError";
  }
}

/**
 * Sessions held a table a strong lock needs past `--lock-wait`; bellows stopped before
 * issuing that lock (so nobody queued behind it). Same exit code as a busy migration
 * lock: try again later.
 */
export class TableBusyError extends BellowsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.LOCK_BUSY, "table_busy", options);
    this.name = "TableBusyError";
  }
}

/** A migration statement or its revision's COMMIT failed. The message names the file. */
export class MigrationError extends BellowsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.MIGRATION_FAILED, "migration_failed", options);
    this.name = "MigrationError";
  }
}

/**
 * An upgrade phase stands in the way: `check`'s answer (exit 3, 4 or 5, Glance's codes),
 * or why `expand`, `migrate`, `contract` or `upgrade` refused to go on. Nothing was changed.
 */
export class PhaseError extends BellowsError {
  constructor(
    message: string,
    exitCode:
      | typeof ExitCode.EXPAND_NEEDED
      | typeof ExitCode.MIGRATE_NEEDED
      | typeof ExitCode.CONTRACT_NEEDED,
    options?: ErrorOptions,
  ) {
    super(message, exitCode, "phase", options);
    this.name = "PhaseError";
  }
}

/** The command's result could not be written to stdout; the command itself succeeded. */
export class OutputError extends BellowsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.OUTPUT, "output", options);
    this.name = "OutputError";
  }
}

/** A Deno permission is missing. */
export class PermissionError extends BellowsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.PERMISSION, "permission", options);
    this.name = "PermissionError";
  }
}

/**
 * Is this Deno's refusal of a permission (`--allow-read` and the like not granted)?
 * Only `NotCapable`: since Deno 2 `PermissionDenied` is the operating system's EACCES /
 * EPERM (a read-only file, say), which no Deno flag would cure.
 */
export function isPermissionError(e: unknown): boolean {
  return e instanceof Deno.errors.NotCapable;
}

/**
 * The error for a permission Deno refused: what was being done and the flag it needs,
 * worded for how bellows runs (a compiled binary cannot be given flags at run time).
 */
export function missingPermission(what: string, flag: string): PermissionError {
  return new PermissionError(
    Deno.build.standalone
      ? `${what} needs Deno permission ${flag}, which this bellows binary was not built with ` +
        `(rebuild it with a wider scope: docs/binary.md "Permissions")`
      : `${what} needs Deno permission ${flag}: run deno with ${flag}`,
  );
}
