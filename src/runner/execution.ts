/**
 * Execution helpers shared by the runner and the phases: how a statement failure is
 * reported, which database errors are worth a retry, and the pause between retries.
 * Kept apart from the run loop so that phases/ need not import it.
 *
 * @module
 */
import type { Blocker, DbErrorInfo, DbErrorKind, Driver } from "../drivers/types.ts";
import type { RevisionScript, Statement } from "../script/types.ts";
import { BellowsError, ConnectionError, MigrationError } from "../errors.ts";
import { errorPosition } from "./position.ts";

/**
 * Error kinds that make a step worth retrying: a lock wait ran out, the database was busy,
 * or the transaction lost a deadlock (on a Galera cluster also: lost certification to a
 * write from another node, or was aborted by a replicated DDL). Each leaves nothing of the
 * failed transaction behind.
 */
const RETRYABLE: ReadonlySet<DbErrorKind> = new Set(["lock_timeout", "busy", "deadlock"]);

/** A failure worth retrying, as the retry's log line names it. */
export interface Retryable {
  /** The driver's error code. */
  readonly code: string;
  /** `a lock timeout`, or `a deadlock or write conflict`. */
  readonly what: string;
  /** Sessions the statement waited for, when the driver could tell. */
  readonly blockers: readonly Blocker[];
}

/** What `e` was when it is worth retrying (see {@linkcode RETRYABLE}), else undefined. */
export function retryable(driver: Driver, e: unknown): Retryable | undefined {
  const info = driver.errorInfo((e as Error)?.cause ?? e);
  if (!info || !RETRYABLE.has(info.kind)) return undefined;
  return {
    code: info.code,
    what: info.kind === "deadlock" ? "a deadlock or write conflict" : "a lock timeout",
    blockers: info.blockers ?? [],
  };
}

/** `a, b` or `<base>` for log lines. */
export function formatRevs(revs: readonly string[]): string {
  return revs.length === 0 ? "<base>" : revs.join(", ");
}

/** Turn a statement failure into a one-line MigrationError naming file:line:column. */
export function statementError(
  driver: Driver,
  script: Pick<RevisionScript, "file">,
  stmt: Statement,
  err: unknown,
  context: string,
): BellowsError {
  if (err instanceof ConnectionError) {
    // The session ended mid-statement: the server rolled back what was uncommitted.
    return new ConnectionError(
      `${script.file}:${stmt.line}:${stmt.column}: ${err.message}; ${context}`,
      { cause: err },
    );
  }
  if (err instanceof BellowsError) return err;
  const info = driver.errorInfo(err);
  if (!info) {
    return new MigrationError(`${script.file}:${stmt.line}:${stmt.column}: ${err}; ${context}`, {
      cause: err,
    });
  }
  const at = errorPosition(stmt, info);
  const msg = `${script.file}:${at.line}:${at.column}: ${describeDbError(info)}`;
  return new MigrationError(`${msg.replaceAll("\n", " ")}; ${context}`, { cause: err });
}

/** A database error in one line: code, message, and where/detail/hint when given. */
export function describeDbError(info: DbErrorInfo): string {
  let msg = `${info.code} ${info.message}`;
  if (info.where) msg += ` (in ${info.where.replaceAll("\n", "; ")})`;
  if (info.detail) msg += `; detail: ${info.detail}`;
  if (info.hint) msg += `; hint: ${info.hint}`;
  if (info.blockers && info.blockers.length > 0) {
    msg += `; blocked by ${info.blockers.map(describeBlocker).join("; and by ")}`;
  }
  return msg.replaceAll("\n", " ");
}

/** `pid 42 (application_name psql, user app, in a transaction since ...): UPDATE ...` */
export function describeBlocker(b: Blocker): string {
  const parts = [
    `application_name ${b.application || "(none)"}`,
    b.user ? `user ${b.user}` : undefined,
    b.since ? `transaction open since ${b.since}` : undefined,
    b.state ? `now ${b.state}` : undefined,
  ].filter(Boolean);
  const query = b.query?.split("\n").map((l) => l.trim()).find((l) => l !== "");
  return `session pid ${b.pid} (${parts.join(", ")})` +
    (query ? `, its last query: ${query.length > 120 ? `${query.slice(0, 117)}...` : query}` : "");
}

/**
 * What went wrong with a revision's transaction outside its statements (BEGIN, COMMIT),
 * as one line: the database's error when the driver knows it, else the error's message.
 */
export function transactionFailure(driver: Driver, err: unknown): string {
  const info = driver.errorInfo(err);
  if (info) return describeDbError(info);
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n")[0];
}

/** Wait `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
