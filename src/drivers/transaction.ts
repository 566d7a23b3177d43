/**
 * The explicit transaction of a driver that runs everything on one connection (PostgreSQL
 * and MySQL): `BEGIN` … `COMMIT` written by hand, so that a lost connection is known before
 * any `ROLLBACK` is sent (the server has rolled back already, and a write to a dead socket
 * can crash a client library: postgres.js 3.4.9 throws an uncaught TypeError).
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
}

/**
 * Run `fn` between `begin` and `COMMIT` on `c`. When `fn` throws, `ROLLBACK` (skipped once
 * the connection is lost; a failed ROLLBACK means it went, and the error that led here
 * matters more). `checkCommit` may refuse COMMIT's answer.
 */
export async function transactionOn<T>(
  c: OneConnection,
  begin: string,
  fn: (tx: Executor) => Promise<T>,
  checkCommit?: (done: StatementResult) => void,
): Promise<T> {
  await c.exec(begin);
  const tx: Executor = {
    run: async (text, params) => (await c.exec(text, params)).count,
    query: async <R = Record<string, unknown>>(text: string, params?: readonly unknown[]) =>
      (await c.exec(text, params)).rows as R[],
  };
  let result: T;
  try {
    result = await fn(tx);
  } catch (e) {
    if (!c.lost()) await c.exec("ROLLBACK").catch(() => {});
    throw e;
  }
  // Not `checkCommit?.(await ...)`: an optional call skips evaluating its argument.
  const done = await c.exec("COMMIT");
  if (checkCommit) checkCommit(done);
  return result;
}
