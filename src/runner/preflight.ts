/**
 * The live pre-flight before a strong lock: before a statement that blocks writes (SHARE
 * and stronger, ACCESS EXCLUSIVE above all) on an existing table, ask the database who
 * holds a conflicting lock on it, or has kept a transaction that touched it open longer
 * than `--lock-timeout`. If anyone does, say who and poll until they are gone, up to
 * `--lock-wait`, without ever issuing the lock meanwhile: a lock request that waits
 * queues every later reader of the table behind it, which is the outage this avoids.
 * When the wait runs out, stop with the list ({@linkcode TableBusyError}, exit 8).
 *
 * A conflicting holder whose transaction is younger than {@linkcode BRIEF_HOLDER_MS} is
 * not waited for (on a busy table some reader is always mid-query).
 *
 * A session that takes its lock between the last look and the statement still makes the
 * statement wait, but then only up to `lock_timeout` (bellows sets it), after which the
 * step is retried from the start.
 *
 * Only drivers with a {@linkcode LockInspector} (PostgreSQL) do this; for the others
 * every call returns at once, without loading the parser.
 *
 * @module
 */
import { formatAge, formatHolder, strongLockRequests } from "../analysis/mod.ts";
import type { Driver, Executor, HolderAges, LockHolder, LockRequest } from "../drivers/types.ts";
import { TableBusyError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Statement } from "../script/types.ts";
import { sleep } from "./execution.ts";

/** What the pre-flight needs of the run's options. */
export interface PreflightOptions {
  /** How long to wait for the sessions in the way, ms (`--lock-wait`). */
  readonly lockWaitMs: number;
  /** A transaction open longer than this that touched the table counts too, ms. */
  readonly lockTimeoutMs?: number;
  readonly log: Logger;
}

/** Default of `--lock-timeout` (the driver's), for when the run options do not say. */
const DEFAULT_LOCK_TIMEOUT_MS = 5000;

/**
 * A conflicting holder whose transaction began less than this ago is not waited for: on
 * a busy table some reader is always mid-query, and a short one is gone before a lock
 * request would matter. Misjudging a new long holder costs at most one `--lock-timeout`
 * of queued readers, then the retry's pre-flight sees it old enough and waits properly.
 */
export const BRIEF_HOLDER_MS = 200;

/** The ages that count, for `--lock-timeout` (0: off, so only conflicting locks count). */
function agesFor(lockTimeoutMs: number): HolderAges {
  return { conflictingMs: BRIEF_HOLDER_MS, otherMs: lockTimeoutMs > 0 ? lockTimeoutMs : null };
}

/** The strong locks `stmt` takes (parsed once per statement object, if at all). */
function requestsOf(driver: Driver, stmt: Statement): Promise<LockRequest[]> {
  return strongLockRequests(stmt, driver.dialect.name);
}

/**
 * Whether the pre-flight before `stmt` asks the database anything: only then must the
 * statements before it have answered first ({@linkcode waitForLockHolders} returns at
 * once for the others, without a query).
 */
export async function preflightAsks(driver: Driver, stmt: Statement): Promise<boolean> {
  return driver.lockInspector !== undefined && (await requestsOf(driver, stmt)).length > 0;
}

/**
 * Sessions that stand in the way of the strong locks of `statements` now (for `plan
 * --url`); empty when the driver cannot tell.
 */
export async function lockHoldersNow(
  driver: Driver,
  statements: readonly Statement[],
  lockTimeoutMs: number = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<LockHolder[]> {
  const inspector = driver.lockInspector;
  if (!inspector) return [];
  const wanted = new Map<string, LockRequest>();
  for (const stmt of statements) {
    for (const r of await requestsOf(driver, stmt)) {
      const had = wanted.get(r.relation);
      wanted.set(r.relation, {
        relation: r.relation,
        conflictsWith: [...new Set([...(had?.conflictsWith ?? []), ...r.conflictsWith])],
      });
    }
  }
  return await inspector.holders([...wanted.values()], agesFor(lockTimeoutMs));
}

/**
 * Wait until nobody stands in the way of `stmt`'s strong locks, or throw
 * {@linkcode TableBusyError} after `--lock-wait`. `where` names the statement
 * (`file:line`); `context` says what stopping leaves (appended to the error).
 * `exec` is the transaction the statement will run in, if any.
 */
export async function waitForLockHolders(
  driver: Driver,
  exec: Executor,
  stmt: Statement,
  where: string,
  context: string,
  opts: PreflightOptions,
): Promise<void> {
  const inspector = driver.lockInspector;
  if (!inspector) return;
  const wanted = await requestsOf(driver, stmt);
  if (wanted.length === 0) return;
  const lockTimeoutMs = opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const holders = () => inspector.holders(wanted, agesFor(lockTimeoutMs), exec);
  let found = await holders();
  if (found.length === 0) return;
  const what = `${where}: ${stmt.sql.split("\n")[0].trim().slice(0, 60)}`;
  const tables = [...new Set(found.map((h) => h.relation))].join(", ");
  const started = performance.now();
  opts.log.warn(
    `${what} needs a lock on ${tables} that ${found.length} session(s) stand in the way of; ` +
      `waiting up to ${formatAge(opts.lockWaitMs)} (--lock-wait) without queueing: ` +
      found.map(formatHolder).join("; "),
  );
  const named = new Set(found.map((h) => h.pid));
  let pause = 100;
  for (;;) {
    const waited = performance.now() - started;
    if (waited >= opts.lockWaitMs) {
      throw new TableBusyError(
        `${what}: gave up after ${formatAge(waited)} (--lock-wait) waiting, without queueing, ` +
          `for ${found.map(formatHolder).join("; ")}; ${context}`,
      );
    }
    await sleep(Math.min(pause, opts.lockWaitMs - waited));
    pause = Math.min(pause * 2, 1000);
    found = await holders();
    if (found.length === 0) {
      opts.log.info(`${what}: nobody in the way after ${formatAge(performance.now() - started)}`);
      return;
    }
    const fresh = found.filter((h) => !named.has(h.pid));
    if (fresh.length > 0) {
      for (const h of fresh) named.add(h.pid);
      opts.log.warn(`${what}: also in the way now: ${fresh.map(formatHolder).join("; ")}`);
    }
  }
}
