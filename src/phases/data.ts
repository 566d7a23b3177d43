/**
 * Runs data migrations: count with the check query, move one batch per
 * transaction, count again, until nothing is left. A run that stops half-way
 * leaves every committed batch in place, and the next run starts from what the
 * check query still counts.
 *
 * The keyset form (a batch that uses `:last_key`) counts only at the start and the end:
 * each batch gets the last key the one before it reached, and commits the new one in
 * bellows' progress table with its rows, so a rerun resumes at the last committed key.
 *
 * @module
 */
import type { Driver } from "../drivers/types.ts";
import { MigrationError, ScriptError, UsageError } from "../errors.ts";
import {
  batchStatements,
  checkStatement,
  compareKeys,
  type DataMigration,
  greatestKey,
  isKeyset,
  type KeysetStatement,
  keysetStatements,
  type KeyValue,
  LAST_KEY_PLACEHOLDER,
} from "../script/data_migration.ts";
import { checksum } from "../script/select.ts";
import { retryable, sleep, statementError } from "../runner/execution.ts";
import type { RunOptions } from "../runner/run.ts";
import {
  ensureAuditTable,
  openProgress,
  recordAudit,
  recordProgress,
  resetProgress,
  type StateConfig,
} from "../state/version_table.ts";
import { nextBatchSize, type Pacing, waitForReplicas } from "./pacing.ts";
import type { Progress } from "./progress.ts";

/** Batches in a row that change rows without lowering the check's count, before giving up. */
export const STALL_LIMIT = 3;

/** How data migrations run. */
export interface DataRunOptions {
  /** Rows per batch: the value of `:batch_size`. */
  readonly batchSize: number;
  readonly progress: Progress;
  /** Retries, log, host and version for the audit table. */
  readonly run: RunOptions;
  /** Adaptive batch size, pause between batches, replica lag limit. */
  readonly pacing?: Pacing;
}

/**
 * Refuse pacing this database cannot honour, before anything runs: `--max-replica-lag`
 * needs a driver that can read its replicas' lag.
 */
export function checkPacing(driver: Driver, pacing: Pacing | undefined): void {
  if (pacing?.maxReplicaLagMs !== undefined && !driver.replicaLagMs) {
    throw new UsageError(
      `--max-replica-lag: bellows cannot read replication lag on ${driver.dialect.title}; ` +
        `use --batch-pause to give replicas time instead`,
    );
  }
}

/** Drivers already warned that their replicas' lag is hidden (once per connection). */
const lagHiddenWarned = new WeakSet<Driver>();

/** Between two batches: the pause, then the wait for replicas, as `pacing` asks. */
async function betweenBatches(driver: Driver, opts: DataRunOptions): Promise<void> {
  const p = opts.pacing;
  if (p?.batchPauseMs) await sleep(p.batchPauseMs);
  if (p?.maxReplicaLagMs !== undefined && driver.replicaLagMs) {
    await waitForReplicas({
      lagMs: async () => {
        const lag = await driver.replicaLagMs!();
        if (lag === undefined && !lagHiddenWarned.has(driver)) {
          lagHiddenWarned.add(driver);
          opts.run.log.warn(
            `--max-replica-lag: replicas are streaming but this login may not see their lag ` +
              `(the privilege it takes: docs/scripts.md, "Pacing"); batches go on without ` +
              `waiting for them`,
          );
        }
        return lag;
      },
      maxLagMs: p.maxReplicaLagMs,
      sleep,
      log: (line) => opts.run.log.info(line),
    });
  }
}

/** Batch sizes: fixed, or adapting toward `--batch-time`. */
class BatchSizer {
  #size: number;
  readonly #initial: number;
  readonly #targetMs?: number;
  constructor(initial: number, targetMs?: number) {
    this.#size = this.#initial = initial;
    this.#targetMs = targetMs;
  }
  get size(): number {
    return this.#size;
  }
  /** A batch of the current size took `elapsedMs`. */
  took(elapsedMs: number): void {
    if (this.#targetMs === undefined) return;
    this.#size = nextBatchSize(this.#size, elapsedMs, this.#targetMs, this.#initial);
  }
}

/** How many rows the check query of `dm` counts on this database. */
export async function pendingRows(driver: Driver, dm: DataMigration): Promise<number> {
  const stmt = checkStatement(dm, driver.dialect.name);
  let rows: Record<string, unknown>[];
  try {
    rows = await driver.query(stmt.sql);
  } catch (e) {
    throw statementError(driver, dm, stmt, e, `check query of data migration '${dm.name}'`);
  }
  const value = rows[0] === undefined ? undefined : Object.values(rows[0])[0];
  const n = Number(value);
  if (value === undefined || value === null || !Number.isSafeInteger(n) || n < 0) {
    throw new ScriptError(
      `${dm.file}:${stmt.line}: the check query of '${dm.name}' must return one row whose ` +
        `first column counts the rows still to move; it returned ${JSON.stringify(rows[0])}`,
    );
  }
  return n;
}

/** Rows left per data migration, for those named. */
export async function pendingCounts(
  driver: Driver,
  dms: readonly DataMigration[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const dm of dms) counts.set(dm.name, await pendingRows(driver, dm));
  return counts;
}

/**
 * Move every row `dm` counts, one batch per transaction, with lock timeouts
 * retried like revision steps. Returns the rows moved (as the check query saw
 * them go). Throws {@linkcode MigrationError} when a batch fails (that batch is
 * rolled back, earlier ones stay) or changes nothing while rows are left.
 */
export async function runDataMigration(
  driver: Driver,
  cfg: StateConfig,
  dm: DataMigration,
  opts: DataRunOptions,
): Promise<number> {
  const log = opts.run.log;
  const remaining = await pendingRows(driver, dm);
  if (remaining === 0) {
    log.info(`Data migration ${dm.name}: nothing to move`);
    return 0;
  }
  const keyset = isKeyset(dm, driver.dialect.name);
  const sizer = new BatchSizer(opts.batchSize, opts.pacing?.batchTimeMs);
  log.info(
    `Running data migration ${dm.name}${dm.message ? `, ${dm.message}` : ""}: ` +
      `${remaining} row(s) to move, ` +
      (opts.pacing?.batchTimeMs === undefined
        ? `at most ${opts.batchSize} per batch`
        : `batches of ${opts.batchSize} row(s) at first, adapting toward ` +
          `${opts.pacing.batchTimeMs} ms each`) +
      (keyset ? " (keyset)" : ""),
  );
  const started = performance.now();
  opts.progress.start(dm.name, remaining);
  const moved = keyset
    ? await runKeyset(driver, cfg, dm, opts, sizer, remaining)
    : await runUntilCounted(driver, dm, opts, sizer, remaining);
  opts.run.activity?.set(
    `data migration '${dm.name}' had moved all its rows; its audit row may be missing`,
  );
  await driver.transaction(async (tx) => {
    await ensureAuditTable(tx, driver.dialect, cfg);
    await recordAudit(tx, driver.dialect, cfg, {
      revision: dm.name,
      direction: "data",
      status: "done",
      checksum: checksum(batchStatements(dm, driver.dialect.name, 1)),
      appliedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - started),
      host: opts.run.host,
      toolVersion: opts.run.toolVersion,
    });
  });
  opts.run.activity?.set(`data migration '${dm.name}' is done`);
  return moved;
}

/** What the interrupt handler says between batches and during one. */
function activities(dm: DataMigration) {
  return {
    context: `that batch of data migration '${dm.name}' was rolled back; the batches ` +
      `before it stay committed, and 'bellows migrate' resumes from there`,
    between: `data migration '${dm.name}' (${dm.file}) was stopped between batches: ` +
      `those done stay committed, and 'bellows migrate' resumes from there`,
    during: `a batch of data migration '${dm.name}' (${dm.file}) was not committed: the ` +
      `database rolls it back; the batches before it stay, and 'bellows migrate' resumes ` +
      `from there`,
  };
}

/** The old form: a batch, then the check query, until it counts 0. Returns the rows moved. */
async function runUntilCounted(
  driver: Driver,
  dm: DataMigration,
  opts: DataRunOptions,
  sizer: BatchSizer,
  remaining: number,
): Promise<number> {
  const { context, between, during } = activities(dm);
  let stalled = 0;
  let statements = batchStatements(dm, driver.dialect.name, sizer.size);
  let renderedFor = sizer.size;
  for (let batch = 0; remaining > 0; batch++) {
    // Let signals and timers in between batches (a SQLite batch never waits on I/O).
    opts.run.activity?.set(between);
    await sleep(0);
    if (batch > 0) await betweenBatches(driver, opts);
    opts.run.activity?.set(during);
    if (renderedFor !== sizer.size) {
      statements = batchStatements(dm, driver.dialect.name, sizer.size);
      renderedFor = sizer.size;
    }
    const t0 = performance.now();
    const changed = await withRetries(driver, opts.run, dm, () =>
      driver.transaction(async (tx) => {
        let n = 0;
        for (const stmt of statements) {
          try {
            n += await tx.run(stmt.sql);
          } catch (e) {
            throw statementError(driver, dm, stmt, e, context);
          }
        }
        return n;
      }));
    const ms = performance.now() - t0;
    opts.run.log.debug(
      `${dm.name}: batch ${batch + 1} of at most ${sizer.size} row(s) changed ${changed} in ` +
        `${Math.round(ms)} ms`,
    );
    sizer.took(ms);
    opts.run.activity?.set(between);
    const next = await pendingRows(driver, dm);
    opts.progress.update(next);
    if (changed === 0 && next > 0) {
      opts.progress.finish();
      throw new MigrationError(
        `${dm.file}: data migration '${dm.name}' made no progress: its check query counts ` +
          `${next} row(s) but its batch changed none. The batch must move the rows the check ` +
          `counts; batches before this one stay committed`,
      );
    }
    // A batch that changes rows without taking them off the check's count (it writes a
    // NULL back, say) would loop forever. Other writers can add rows, so one batch that
    // does not lower the count is no proof; several in a row are.
    stalled = next < remaining ? 0 : stalled + 1;
    if (stalled >= STALL_LIMIT) {
      opts.progress.finish();
      throw new MigrationError(
        `${dm.file}: data migration '${dm.name}' made no progress: its check query still ` +
          `counts ${next} row(s) after ${STALL_LIMIT} batches in a row that each changed rows. ` +
          `The batch must change the rows the check counts so that it no longer counts them; ` +
          `batches before these stay committed`,
      );
    }
    remaining = next;
  }
  return opts.progress.finish();
}

/** A key for messages. */
function showKey(key: KeyValue | null): string {
  return key === null ? "NULL (the beginning)" : typeof key === "string" ? `'${key}'` : String(key);
}

/**
 * The keyset form: from the last committed key, one batch per transaction with its new
 * last key recorded in the same transaction, until the batch returns no key; then the
 * check query. Rows it still counts lie behind the key (a pass resumed from an earlier
 * run, or rows changed back meanwhile): one more pass from `start_key` takes them, and
 * rows left after a whole pass from the start are an error. Returns the rows moved.
 */
async function runKeyset(
  driver: Driver,
  cfg: StateConfig,
  dm: DataMigration,
  opts: DataRunOptions,
  sizer: BatchSizer,
  counted: number,
): Promise<number> {
  const d = driver.dialect;
  const log = opts.run.log;
  const { context, between, during } = activities(dm);
  const start = dm.startKey ?? null;
  const same = (a: KeyValue | null, b: KeyValue | null) =>
    a === null || b === null ? a === b : compareKeys(a, b) === 0;
  const state = await driver.transaction((tx) => openProgress(tx, d, cfg, dm.name, start));
  let key = state.lastKey;
  let fromStart = same(key, start);
  if (!fromStart) log.info(`${dm.name}: resuming after key ${showKey(key)}`);
  let statements: KeysetStatement[] = [];
  let renderedFor = 0;
  for (let batch = 0;; batch++) {
    opts.run.activity?.set(between);
    await sleep(0);
    if (batch > 0) await betweenBatches(driver, opts);
    opts.run.activity?.set(during);
    if (renderedFor !== sizer.size) {
      statements = keysetStatements(dm, d.name, sizer.size, (i) => d.param(i));
      renderedFor = sizer.size;
    }
    const last = statements[statements.length - 1];
    const t0 = performance.now();
    const from = key;
    const result = await withRetries(driver, opts.run, dm, () =>
      driver.transaction(async (tx) => {
        let changed = 0;
        let rows: Record<string, unknown>[] = [];
        for (const stmt of statements) {
          try {
            if (stmt === last) rows = await tx.query(stmt.sql, stmt.bind(from));
            else changed = Math.max(changed, await tx.run(stmt.sql, stmt.bind(from)));
          } catch (e) {
            throw statementError(driver, dm, stmt, e, context);
          }
        }
        let next: KeyValue | undefined;
        try {
          next = greatestKey(rows);
        } catch (e) {
          throw new ScriptError(
            `${dm.file}:${last.line}: the last batch statement of '${dm.name}' must return ` +
              `the keys it moved (first column): ${(e as Error).message}`,
          );
        }
        if (next === undefined) return undefined;
        if (from !== null && compareKeys(next, from) <= 0) {
          throw new MigrationError(
            `${dm.file}:${last.line}: data migration '${dm.name}' made no progress: its ` +
              `batch after key ${showKey(from)} returned key ${showKey(next)}, which is not ` +
              `greater. The batch must take the rows after ${LAST_KEY_PLACEHOLDER} in key order and ` +
              `return their keys; that batch was rolled back, those before it stay committed`,
          );
        }
        // The rows moved, for the progress line: the most any other statement changed (a
        // MySQL `SELECT … INTO @v` counts 1), or one per key returned (`RETURNING id`).
        const moved = Math.max(changed, rows.length);
        await recordProgress(tx, d, cfg, dm.name, next, moved);
        return { next, moved };
      }));
    const ms = performance.now() - t0;
    opts.run.log.debug(
      `${dm.name}: batch ${batch + 1} of at most ${sizer.size} row(s) after key ` +
        `${showKey(from)} ` +
        (result ? `moved ${result.moved}, up to key ${showKey(result.next)}` : "found no row") +
        ` in ${Math.round(ms)} ms`,
    );
    sizer.took(ms);
    opts.run.activity?.set(between);
    if (result) {
      key = result.next;
      opts.progress.advance(result.moved);
      continue;
    }
    // The pass is complete: the check query says whether anything is left behind the key.
    const left = await pendingRows(driver, dm);
    if (left === 0) break;
    if (fromStart) {
      opts.progress.finish();
      throw new MigrationError(
        `${dm.file}: data migration '${dm.name}' made no progress: a whole keyset pass from ` +
          `key ${showKey(start)} to ${showKey(key)} left ${left} row(s) that its check query ` +
          `counts (of ${counted} at the start). The batch must change every row the check ` +
          `counts as it passes them; the batches done stay committed`,
      );
    }
    log.info(
      `${dm.name}: the check query still counts ${left} row(s) after key ${showKey(key)}'s ` +
        `pass; one more pass from ${showKey(start)}`,
    );
    await driver.transaction((tx) => resetProgress(tx, d, cfg, dm.name, start));
    key = start;
    fromStart = true;
  }
  return opts.progress.finish();
}

async function withRetries<T>(
  driver: Driver,
  run: RunOptions,
  dm: DataMigration,
  fn: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const r = retryable(driver, e);
      if (attempt >= run.retries || !r) throw e;
      const delay = run.retryDelayMs * 2 ** attempt;
      run.log.warn(
        `${dm.file}: a batch of ${dm.name} hit ${r.what} (${r.code}); retry ${attempt + 1} ` +
          `of ${run.retries} in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}
