/**
 * The explicit transaction of a driver that runs everything on one connection (PostgreSQL
 * and MySQL): `BEGIN` … `COMMIT` written by hand, so that a lost connection is known before
 * any `ROLLBACK` is sent (the server has rolled back already, and a write to a dead socket
 * can crash a client library: postgres.js 3.4.9, which bellows used before its own
 * client, threw an uncaught TypeError).
 *
 * @module
 */
import type { Executor } from "./types.ts";

/** One statement's outcome as a one-connection driver returns it. */
export interface StatementResult {
  readonly rows: unknown[];
  readonly count: number;
  /** The command tag, where the protocol has one (PostgreSQL's `COMMIT` / `ROLLBACK`). */
  readonly command?: string;
}

/** What {@linkcode transactionOn} needs of the driver. */
export interface OneConnection {
  /** Run one statement on the connection, errors mapped; throws once the connection is lost. */
  exec(text: string, params?: readonly unknown[]): Promise<StatementResult>;
  /** Has the connection gone (so the server rolled back the transaction itself)? */
  lost(): boolean;
  /**
   * Statements sent before the answer to the one before them run in order on the
   * connection (PostgreSQL's wire client pipelines them): the transaction's first
   * statement then goes out with `begin` instead of a round trip after it.
   */
  readonly pipelining?: boolean;
}

/** Errors of a `begin` that failed: nothing of the transaction ran. */
const beginFailures = new WeakSet<object>();

/**
 * Whether `e`, thrown by {@linkcode transactionOn}, is the failure of its `begin`: nothing
 * of the transaction ran (with pipelining, the work sent behind it is discarded).
 */
export function failedToBegin(e: unknown): boolean {
  return typeof e === "object" && e !== null && beginFailures.has(e);
}

function beginFailure(e: unknown): unknown {
  if (typeof e === "object" && e !== null) beginFailures.add(e);
  return e;
}

/**
 * Run `fn` between `begin` and `COMMIT` on `c`. When `fn` throws, `ROLLBACK` (skipped once
 * the connection is lost; a failed ROLLBACK means it went, and the error that led here
 * matters more). `checkCommit` may refuse COMMIT's answer. A failed `begin` is thrown as it
 * is, marked ({@linkcode failedToBegin}), whatever `fn` made of it.
 *
 * With `c.pipelining`, `begin` is not waited for: `fn`'s first statement is sent right
 * behind it, and every statement's answer is taken only once `begin`'s has come. If
 * `begin` failed, that is the error, and `fn`'s statements (refused with it, or never
 * run: only a lost connection makes BEGIN fail) are not looked at.
 */
export async function transactionOn<T>(
  c: OneConnection,
  begin: string,
  fn: (tx: Executor) => Promise<T>,
  checkCommit?: (done: StatementResult) => void,
): Promise<T> {
  const began = c.exec(begin);
  let beginError: { e: unknown } | undefined;
  const ready = began.then(() => {}, (e) => {
    beginError = { e };
    throw beginFailure(e);
  });
  if (!c.pipelining) await ready;
  else ready.catch(() => {}); // Looked at by every statement, and below.
  const exec = async (text: string, params?: readonly unknown[]) => {
    if (beginError) throw beginError.e;
    const answer = c.exec(text, params);
    try {
      await ready;
    } catch (e) {
      answer.catch(() => {});
      throw e;
    }
    return await answer;
  };
  const tx: Executor = {
    run: async (text, params) => (await exec(text, params)).count,
    query: async <R = Record<string, unknown>>(text: string, params?: readonly unknown[]) =>
      (await exec(text, params)).rows as R[],
  };
  let result: T;
  try {
    result = await fn(tx);
    await ready;
  } catch (e) {
    await ready.catch(() => {});
    if (beginError) throw beginError.e;
    if (!c.lost()) await c.exec("ROLLBACK").catch(() => {});
    throw e;
  }
  // Not `checkCommit?.(await ...)`: an optional call skips evaluating its argument.
  const done = await c.exec("COMMIT");
  if (checkCommit) checkCommit(done);
  return result;
}
