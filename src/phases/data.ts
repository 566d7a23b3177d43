/**
 * Runs data migrations: count with the check query, move one batch per
 * transaction, count again, until nothing is left. A run that stops half-way
 * leaves every committed batch in place, and the next run starts from what the
 * check query still counts.
 *
 * @module
 */
import type { Driver } from "../drivers/types.ts";
import { MigrationError, ScriptError } from "../errors.ts";
import { batchStatements, checkStatement, type DataMigration } from "../script/data_migration.ts";
import { checksum } from "../script/select.ts";
import { retryableCode, sleep, statementError } from "../runner/execution.ts";
import type { RunOptions } from "../runner/run.ts";
import { ensureAuditTable, recordAudit, type StateConfig } from "../state/version_table.ts";
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
  let remaining = await pendingRows(driver, dm);
  if (remaining === 0) {
    log.info(`Data migration ${dm.name}: nothing to move`);
    return 0;
  }
  const statements = batchStatements(dm, driver.dialect.name, opts.batchSize);
  log.info(
    `Running data migration ${dm.name}${dm.message ? `, ${dm.message}` : ""}: ` +
      `${remaining} row(s) to move, at most ${opts.batchSize} per batch`,
  );
  const started = performance.now();
  opts.progress.start(dm.name, remaining);
  const context = `that batch of data migration '${dm.name}' was rolled back; the batches ` +
    `before it stay committed, and 'bellows migrate' resumes from there`;
  let stalled = 0;
  const between = `data migration '${dm.name}' (${dm.file}) was stopped between batches: ` +
    `those done stay committed, and 'bellows migrate' resumes from there`;
  const during = `a batch of data migration '${dm.name}' (${dm.file}) was not committed: the ` +
    `database rolls it back; the batches before it stay, and 'bellows migrate' resumes from there`;
  while (remaining > 0) {
    // Let signals and timers in between batches (a SQLite batch never waits on I/O).
    opts.run.activity?.set(between);
    await sleep(0);
    opts.run.activity?.set(during);
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
  const moved = opts.progress.finish();
  opts.run.activity?.set(
    `data migration '${dm.name}' had moved all its rows; its audit row may be missing`,
  );
  await driver.transaction(async (tx) => {
    await ensureAuditTable(tx, driver.dialect, cfg);
    await recordAudit(tx, driver.dialect, cfg, {
      revision: dm.name,
      direction: "data",
      status: "done",
      checksum: await checksum(batchStatements(dm, driver.dialect.name, 1)),
      appliedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - started),
      host: opts.run.host,
      toolVersion: opts.run.toolVersion,
    });
  });
  opts.run.activity?.set(`data migration '${dm.name}' is done`);
  return moved;
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
      const code = retryableCode(driver, e);
      if (attempt >= run.retries || !code) throw e;
      const delay = run.retryDelayMs * 2 ** attempt;
      run.log.warn(
        `${dm.file}: a batch of ${dm.name} hit a lock timeout (${code}); retry ${attempt + 1} ` +
          `of ${run.retries} in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}
