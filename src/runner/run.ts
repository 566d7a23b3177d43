/**
 * Executes plans against a database: one transaction per revision (or one for the
 * whole run), version rows moved with the revision, an audit row per step, and the
 * runner lock held throughout.
 *
 * @module
 */
import type { MigrateStep, Step, VersionOp } from "../graph/types.ts";
import { applyStep, applySteps } from "../graph/heads.ts";
import type { Dialect, Driver, Executor } from "../drivers/types.ts";
import type { RevisionScript, Statement } from "../script/types.ts";
import { checksum, statementsFor } from "../script/mod.ts";
import { formatRevs, retryableCode, sleep, statementError } from "./execution.ts";
import {
  applyVersionOps,
  type AuditEntry,
  checkStateNames,
  ensureAuditTable,
  ensureVersionTable,
  finishAudit,
  purgeVersions,
  readAudit,
  readHeads,
  recordAudit,
  resolveInterrupted,
  type StateConfig,
} from "../state/version_table.ts";
import { ConnectionError, StateError, UsageError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Project } from "./project.ts";
import type { RunActivity } from "./activity.ts";
import { waitForLockHolders } from "./preflight.ts";

/** How a run behaves. */
export interface RunOptions {
  /**
   * How long to wait for another runner's lock, ms; also how long to wait for sessions
   * in the way of a statement's strong lock (runner/preflight.ts).
   */
  readonly lockWaitMs: number;
  /** `--lock-timeout`, ms: a transaction open longer than this is in a strong lock's way. */
  readonly lockTimeoutMs?: number;
  /** How often a step that hit a lock timeout is retried. */
  readonly retries: number;
  /** First retry delay, ms; doubled each retry. */
  readonly retryDelayMs: number;
  /** One transaction for the whole run (Alembic's `transaction_per_migration = False`). */
  readonly singleTransaction: boolean;
  /** Skip `rolling` sections (the `sync` path, where no old service runs). */
  readonly skipRolling: boolean;
  /** Checksum drift is an error instead of a warning. */
  readonly strict: boolean;
  readonly toolVersion: string;
  readonly host: string;
  readonly log: Logger;
  /** Kept up to date with what stopping now would leave (for the line a signal prints). */
  readonly activity?: RunActivity;
}

/** What one executed step did. */
export interface StepReport {
  readonly kind: Step["kind"];
  readonly direction: Step["direction"];
  /** The revision whose script ran (migrate steps). */
  readonly revision?: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly ops: readonly VersionOp[];
  readonly statements: number;
  /** SHA-256 of the statements as run (what the audit row records); unset for stamps. */
  readonly checksum?: string;
  readonly durationMs: number;
}

/** The outcome of a run. */
export interface RunReport {
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly steps: readonly StepReport[];
}

/** The statements a migrate step runs, in order. */
export function stepStatements(
  project: Project,
  step: MigrateStep,
  dialect: Driver["dialect"]["name"],
  skipRolling: boolean,
): { script: RevisionScript; statements: Statement[] } {
  const script = project.scripts.get(step.revision)!;
  return { script, statements: statementsFor(script, step.direction, dialect, { skipRolling }) };
}

/**
 * How much of the recorded state a command accepts: a migration refuses an interrupted
 * non-transactional revision, a stamp is how the operator records having dealt with it
 * (so it goes ahead and resolves it), and `stamp --purge` ignores even unknown rows.
 */
export type StateCheck = "run" | "stamp" | "purge";

/** The recorded state, read under the runner lock. */
interface State {
  readonly heads: string[];
  /** 'started' audit rows of non-transactional revisions that never finished. */
  readonly interrupted: AuditEntry[];
}

/**
 * Read and check the recorded state: every head must be a known revision, no
 * non-transactional revision may have been left half-way, and (with `strict`) no
 * applied script may have changed since it ran.
 */
export async function inspectState(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  opts: Pick<RunOptions, "strict" | "log">,
  check: StateCheck = "run",
): Promise<string[]> {
  return (await readState(driver, project, cfg, opts, check)).heads;
}

async function readState(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  opts: Pick<RunOptions, "strict" | "log">,
  check: StateCheck,
): Promise<State> {
  checkStateNames(driver.dialect, cfg);
  const heads = await readHeads(driver, cfg);
  const audit = await readAudit(driver, cfg);
  const lastByRev = new Map<string, AuditEntry>();
  for (const a of audit) if (a.direction !== "stamp") lastByRev.set(a.revision, a);
  const interrupted = [...lastByRev.values()].filter((a) => a.status === "started");
  // `stamp --purge` exists to recover from rows we cannot place: it ignores them.
  if (check === "purge") return { heads, interrupted };
  for (const h of heads) {
    if (!project.map.has(h)) {
      throw new StateError(
        `${driver.dialect.table(cfg.versionTable)} holds revision '${h}', which is not in ` +
          `${project.source}; nothing was changed`,
      );
    }
  }
  // Rows where one revision comes after another on its own branch: Alembic's own `stamp` of
  // several revisions leaves them, and Alembic runs on from them (its head maintenance, which
  // the plan is checked against, refuses what it cannot do). Say so, and do the same.
  if (check === "run") {
    const overlap = overlappingRows(project, heads);
    if (overlap) {
      opts.log.warn(
        `${driver.dialect.table(cfg.versionTable)} holds both '${overlap[0]}' and '${
          overlap[1]
        }', which comes after it; going on from these rows as Alembic does ` +
          `('bellows stamp --purge <revision>' records a single position)`,
      );
    }
  }
  if (check === "run" && interrupted.length > 0) {
    throw await interruptedError(driver, project, heads, interrupted);
  }
  await checkDrift(driver, project, heads, audit, opts);
  return { heads, interrupted };
}

/**
 * The refusal for an interrupted non-transactional revision: what it may have left
 * behind (the driver lists INVALID indexes by name) and the two ways out, each ending
 * in the `stamp` that records the outcome.
 */
async function interruptedError(
  driver: Driver,
  project: Project,
  heads: readonly string[],
  interrupted: readonly AuditEntry[],
): Promise<StateError> {
  const a = interrupted[0];
  const script = project.scripts.get(a.revision);
  const verb = a.direction === "up" ? "upgrade" : "downgrade";
  const undone = heads.length > 0 ? heads.join(" ") : "base";
  const finished = a.direction === "up"
    ? a.revision
    : (script && script.downRevisions.length > 0 ? script.downRevisions.join(" ") : "base");
  let msg = `the ${verb} of revision '${a.revision}'${script ? ` (${script.file})` : ""} runs ` +
    `outside a transaction and was interrupted (started ${a.appliedAt} on ${a.host}); its ` +
    `statements may be partly applied`;
  if (interrupted.length > 1) {
    msg += ` (so were ${interrupted.slice(1).map((i) => `'${i.revision}'`).join(", ")})`;
  }
  const check = driver.leftovers;
  const indexes = await check?.find() ?? [];
  if (check && indexes.length > 0) {
    msg +=
      `. ${indexes.length > 1 ? check.whatPlural : check.what} left behind: ${
        indexes.map((i) => `${i.name} on ${i.table}`).join(", ")
      }. To undo: ${indexes.map((i) => `${i.drop};`).join(" ")} undo whatever else of it ran, ` +
      `then 'bellows stamp ${undone}' and run again. Or to finish it: ${
        indexes.map((i) => `${i.rebuild};`).join(" ")
      } run the rest of it by hand, then 'bellows stamp ${finished}'`;
  } else if (check) {
    msg += `, though no ${check.what} was left. Check what its statements did: undo them, ` +
      `then 'bellows stamp ${undone}' and run again; or finish them by hand, then ` +
      `'bellows stamp ${finished}'`;
  } else {
    msg += `. Check what its statements did: undo them, ` +
      `then 'bellows stamp ${undone}' and run again; or finish them by hand, then ` +
      `'bellows stamp ${finished}'`;
  }
  return new StateError(msg);
}

/** Two version rows of which the second descends from the first along down_revision. */
export function overlappingRows(
  project: Pick<Project, "map">,
  heads: readonly string[],
): [string, string] | undefined {
  for (const later of heads) {
    const before = project.map.ancestors([later], { includeDependencies: false });
    const earlier = heads.find((h) => h !== later && before.has(h));
    if (earlier !== undefined) return [earlier, later];
  }
  return undefined;
}

async function checkDrift(
  driver: Driver,
  project: Project,
  heads: readonly string[],
  audit: Awaited<ReturnType<typeof readAudit>>,
  opts: Pick<RunOptions, "strict" | "log">,
): Promise<void> {
  const applied = project.map.ancestors(heads);
  const lastUp = new Map<string, string | null>();
  for (const a of audit) if (a.direction === "up") lastUp.set(a.revision, a.checksum);
  for (const rev of applied) {
    const recorded = lastUp.get(rev);
    if (!recorded) continue;
    const script = project.scripts.get(rev)!;
    const full = await checksum(statementsFor(script, "up", driver.dialect.name));
    const lean = await checksum(
      statementsFor(script, "up", driver.dialect.name, { skipRolling: true }),
    );
    if (recorded !== full && recorded !== lean) {
      const msg = `${script.file}: revision '${rev}' changed since it was applied ` +
        `(checksum ${recorded.slice(0, 12)} recorded, ${full.slice(0, 12)} now)`;
      if (opts.strict) throw new StateError(`${msg}; refusing under --strict`);
      opts.log.warn(msg);
    }
  }
}

/**
 * Run a plan. `plan` gets the current heads (read under the lock) and returns the steps.
 * The whole plan is checked against the version rows before anything is written, so a
 * plan Alembic would abandon half-way is refused up front.
 */
export async function execute(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  opts: RunOptions,
  plan: (heads: readonly string[]) => Step[],
  check: StateCheck = "run",
): Promise<RunReport> {
  const release = await driver.lock(opts.lockWaitMs);
  try {
    const { heads: before, interrupted } = await readState(driver, project, cfg, opts, check);
    const steps = plan(before);
    if (check !== "run") {
      if (!isAllStamp(steps)) throw new Error("internal: a stamp plan that runs scripts");
      // Alembic's --purge: empty the table, then stamp from nothing, in one transaction.
      return await runStamp(driver, project, cfg, opts, before, steps, check, interrupted);
    }
    return await executeLocked(driver, project, cfg, opts, before, steps);
  } finally {
    await release();
  }
}

/**
 * Run planned steps from the version rows `before`. The caller holds the runner lock
 * and read `before` under it ({@linkcode inspectState}); {@linkcode execute} does both.
 */
export async function executeLocked(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  opts: RunOptions,
  before: readonly string[],
  steps: readonly Step[],
): Promise<RunReport> {
  // Validate the whole sequence of row changes first: refuse instead of half-writing.
  applySteps(project.map, before, steps);
  if (steps.length === 0) return { before, after: before, steps: [] };
  if (isAllStamp(steps)) {
    return await runStamp(driver, project, cfg, opts, before, steps, "stamp", []);
  }
  if (opts.singleTransaction) {
    const nonTx = steps.find((s) =>
      s.kind === "migrate" && !project.scripts.get(s.revision)!.transactional
    );
    if (nonTx?.kind === "migrate") {
      throw new UsageError(
        `revision '${nonTx.revision}' must run outside a transaction; ` +
          `it cannot be part of --single-transaction`,
      );
    }
    let result: RunReport | undefined;
    const d = driver.dialect;
    if (!d.transactionalDdl) {
      // Alembic allows it there too; say up front what it cannot promise.
      opts.log.warn(
        `--single-transaction on ${d.title}: DDL statements commit as they run, so a failure ` +
          `rolls back only the data changes and the version table`,
      );
    }
    opts.activity?.set(
      d.transactionalDdl
        ? `the run was not committed (--single-transaction): the database rolls it back and ` +
          `stays at ${formatRevs(before)}`
        : `the run was not committed (--single-transaction): the database rolls back its ` +
          `data changes, but DDL statements that ran stay (${d.title} commits them as they ` +
          `run); the version table stays at ${formatRevs(before)}`,
    );
    await driver.transaction(async (tx) => {
      result = await runSteps(driver, tx, project, cfg, opts, before, steps);
      opts.activity?.set(
        `the run (--single-transaction) was being committed: see 'bellows current' for ` +
          `whether the database is at ${formatRevs(result.after)} or still at ${
            formatRevs(before)
          }`,
      );
    });
    opts.activity?.set(`the database is at ${formatRevs(result!.after)}`);
    return result!;
  }
  return await runSteps(driver, undefined, project, cfg, opts, before, steps);
}

function isAllStamp(steps: readonly Step[]) {
  return steps.every((s) => s.kind === "stamp");
}

/**
 * Stamp steps move rows only; all of them go in one transaction so no half row set is
 * left. A stamp also resolves interrupted non-transactional revisions: the operator
 * has looked, and the rows now say where the database is.
 */
async function runStamp(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  opts: RunOptions,
  before: readonly string[],
  steps: readonly Step[],
  check: "stamp" | "purge",
  interrupted: readonly AuditEntry[],
): Promise<RunReport> {
  const purge = check === "purge";
  const started = performance.now();
  const from = purge ? [] : [...before];
  const { heads: after, ops } = applySteps(project.map, from, steps);
  if (!purge && ops.length === 0 && interrupted.length === 0) {
    return { before, after: before, steps: [] };
  }
  opts.activity?.set(
    `the stamp was not committed: the version table stays at ${formatRevs(before)}`,
  );
  await driver.transaction(async (tx) => {
    await ensureVersionTable(tx, driver, cfg);
    await ensureAuditTable(tx, driver.dialect, cfg);
    if (purge) await purgeVersions(tx, driver.dialect, cfg);
    await applyVersionOps(tx, driver.dialect, cfg, ops);
    await resolveInterrupted(tx, driver.dialect, cfg);
    for (const rev of after.filter((h) => !before.includes(h))) {
      await recordAudit(tx, driver.dialect, cfg, {
        revision: rev,
        direction: "stamp",
        status: "done",
        checksum: null,
        appliedAt: new Date().toISOString(),
        durationMs: 0,
        host: opts.host,
        toolVersion: opts.toolVersion,
      });
    }
  });
  for (const a of interrupted) {
    opts.log.info(
      `Recorded the interrupted ${a.direction === "up" ? "upgrade" : "downgrade"} of ` +
        `'${a.revision}' as resolved`,
    );
  }
  opts.activity?.set(`the database is stamped at ${formatRevs(after)}`);
  opts.log.info(`Stamped ${formatRevs(before)} -> ${formatRevs(after)}${purge ? " (purged)" : ""}`);
  const report: StepReport = {
    kind: "stamp",
    direction: steps[0]?.direction ?? "up",
    from: before,
    to: after,
    ops,
    statements: 0,
    durationMs: Math.round(performance.now() - started),
  };
  return { before, after, steps: [report] };
}

/** One migrate step on its way: what both execution paths and the messages need. */
interface StepRun {
  readonly driver: Driver;
  readonly cfg: StateConfig;
  readonly opts: RunOptions;
  readonly step: MigrateStep;
  readonly script: RevisionScript;
  readonly statements: readonly Statement[];
  readonly checksum: string;
  readonly ops: readonly VersionOp[];
  /** Version rows before and after the step. */
  readonly heads: readonly string[];
  readonly next: readonly string[];
  /** What became of the work when a statement fails ({@linkcode failureContext}). */
  readonly context: string;
  /** `performance.now()` when the step began. */
  readonly started: number;
}

/** Creates the state tables once per run, again after a rollback took them away. */
class StateTables {
  #ready = false;
  constructor(private readonly driver: Driver, private readonly cfg: StateConfig) {}

  async prepare(tx: Executor): Promise<void> {
    if (this.#ready) return;
    await ensureVersionTable(tx, this.driver, this.cfg);
    await ensureAuditTable(tx, this.driver.dialect, this.cfg);
    this.#ready = true;
  }

  /** A transaction that failed rolled back everything, including table creation. */
  rolledBack(): void {
    this.#ready = false;
  }
}

async function runSteps(
  driver: Driver,
  outerTx: Executor | undefined,
  project: Project,
  cfg: StateConfig,
  opts: RunOptions,
  before: readonly string[],
  steps: readonly Step[],
): Promise<RunReport> {
  const reports: StepReport[] = [];
  const tables = new StateTables(driver, cfg);
  let heads: readonly string[] = [...before];
  for (const step of steps) {
    const { heads: next, ops } = applyStep(project.map, heads, step);
    if (step.kind === "stamp") {
      // Planners never mix stamps into migrations; refuse rather than guess at a meaning.
      throw new Error("internal: stamp step inside a migration plan");
    }
    const { script, statements } = stepStatements(
      project,
      step,
      driver.dialect.name,
      opts.skipRolling,
    );
    const run: StepRun = {
      driver,
      cfg,
      opts,
      step,
      script,
      statements,
      checksum: await checksum(statements),
      ops,
      heads,
      next,
      context: failureContext(driver.dialect, step, script, heads, outerTx ? before : undefined),
      started: performance.now(),
    };
    if (!outerTx) opts.activity?.set(interruptedActivity(driver.dialect, run));
    // Wait out the sessions in the way before the step holds anything (runStatement looks again).
    const untouched = outerTx
      ? run.context
      : `nothing of revision '${step.revision}' ran; the database is at ${formatRevs(heads)}`;
    for (const stmt of statements) {
      const where = `${script.file}:${stmt.line}`;
      await waitForLockHolders(driver, outerTx ?? driver, stmt, where, untouched, opts);
    }
    const verb = step.direction === "up" ? "upgrade" : "downgrade";
    opts.log.info(
      `Running ${verb} ${formatRevs(step.from)} -> ${formatRevs(step.to)}` +
        (script.message ? `, ${script.message}` : ""),
    );
    if (script.transactional || outerTx) await runInTransaction(run, tables, outerTx);
    else await runOutsideTransaction(run, tables);
    const durationMs = elapsed(run);
    opts.log.debug(`${step.revision}: ${statements.length} statement(s) in ${durationMs} ms`);
    reports.push({
      kind: "migrate",
      direction: step.direction,
      revision: step.revision,
      from: step.from,
      to: step.to,
      ops,
      statements: statements.length,
      checksum: run.checksum,
      durationMs,
    });
    heads = next;
    if (!outerTx) opts.activity?.set(`the database is at ${formatRevs(heads)}`);
  }
  return { before, after: heads, steps: reports };
}

/** Milliseconds since the step began. */
function elapsed(run: StepRun): number {
  return Math.round(performance.now() - run.started);
}

/** The step's audit row with `status`. */
function auditRow(run: StepRun, status: string): Omit<AuditEntry, "seq" | "versionTable"> {
  return {
    revision: run.step.revision,
    direction: run.step.direction,
    status,
    checksum: run.checksum,
    appliedAt: new Date().toISOString(),
    durationMs: elapsed(run),
    host: run.opts.host,
    toolVersion: run.opts.toolVersion,
  };
}

/** Run one statement of the step, a failure becoming the one-line error with its context. */
async function runStatement(run: StepRun, exec: Executor, stmt: Statement): Promise<void> {
  run.opts.log.debug(`${run.script.file}:${stmt.line}: ${stmt.sql.split("\n")[0].slice(0, 100)}`);
  const where = `${run.script.file}:${stmt.line}`;
  await waitForLockHolders(run.driver, exec, stmt, where, run.context, run.opts);
  try {
    await exec.run(stmt.sql);
  } catch (e) {
    throw statementError(run.driver, run.script, stmt, e, run.context);
  }
}

/**
 * The state tables refusing a write (a hand-made table of another shape, say) fails the
 * step like a statement does, with the same word on what became of it.
 */
async function stateWrite(run: StepRun, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ConnectionError) {
      // A refused privilege on a state table (exit 7), or the connection lost.
      throw new ConnectionError(`${e.message}; ${run.context}`, { cause: e.cause });
    }
    if (!(e instanceof StateError)) throw e;
    throw new StateError(`${e.message}; ${run.context}`, { cause: e.cause });
  }
}

/**
 * The transactional path: the statements, the version rows and the audit row commit
 * together, in the run's transaction (`outerTx`, --single-transaction) or one of the
 * step's own. The step's own transaction is retried on a lock timeout, from the start.
 */
async function runInTransaction(
  run: StepRun,
  tables: StateTables,
  outerTx: Executor | undefined,
): Promise<void> {
  const { driver, cfg, opts } = run;
  const body = async (tx: Executor) => {
    await stateWrite(run, () => tables.prepare(tx));
    for (const stmt of run.statements) await runStatement(run, tx, stmt);
    await stateWrite(run, async () => {
      await applyVersionOps(tx, driver.dialect, cfg, run.ops);
      await recordAudit(tx, driver.dialect, cfg, auditRow(run, "done"));
    });
    if (!outerTx) opts.activity?.set(committingActivity(run));
  };
  if (outerTx) return await body(outerTx);
  for (let attempt = 0;; attempt++) {
    try {
      return await driver.transaction(body);
    } catch (e) {
      const code = retryableCode(driver, e);
      if (attempt >= opts.retries || !code) throw e;
      tables.rolledBack();
      const delay = opts.retryDelayMs * 2 ** attempt;
      opts.log.warn(
        `${run.script.file}: ${run.step.revision} hit a lock timeout (${code}); retry ${
          attempt + 1
        } of ${opts.retries} in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}

/**
 * The non-transactional path: a `started` audit row is committed first, so that an
 * interruption is seen by the next run instead of silently skipped; then each statement
 * runs and commits on its own, in order; then the version rows move and the row is
 * marked done. The per-statement loop is where a checkpoint per statement belongs.
 */
async function runOutsideTransaction(run: StepRun, tables: StateTables): Promise<void> {
  const { driver, cfg } = run;
  await driver.transaction(async (tx) => {
    await tables.prepare(tx);
    await recordAudit(tx, driver.dialect, cfg, auditRow(run, "started"));
  });
  for (const stmt of run.statements) {
    await runStatement(run, driver, stmt);
  }
  await driver.transaction((tx) =>
    stateWrite(run, async () => {
      await applyVersionOps(tx, driver.dialect, cfg, run.ops);
      await finishAudit(tx, driver.dialect, cfg, run.step.revision, elapsed(run));
    })
  );
}

/** `upgrade` / `downgrade`. */
function verbOf(step: MigrateStep): string {
  return step.direction === "up" ? "upgrade" : "downgrade";
}

/**
 * What a failed statement leaves, said truthfully for the dialect: where DDL is not
 * transactional, a rollback undoes only the data changes, and DDL already run stays.
 * `runStart` is the run's starting rows under --single-transaction, else undefined.
 */
export function failureContext(
  d: Dialect,
  step: MigrateStep,
  script: Pick<RevisionScript, "transactional">,
  heads: readonly string[],
  runStart: readonly string[] | undefined,
): string {
  const ddlStays = `, but ${d.title} commits DDL statements as they run, so those before ` +
    `this one stay applied`;
  if (runStart) {
    return d.transactionalDdl
      ? `the whole run was rolled back (--single-transaction); the database remains at ${
        formatRevs(runStart)
      }`
      : `the whole run was rolled back (--single-transaction)${ddlStays}; the version table ` +
        `remains at ${formatRevs(runStart)}`;
  }
  if (!script.transactional) {
    return `revision '${step.revision}' runs outside a transaction: the statements before ` +
      `this one stay applied and the next run will refuse until you finish or undo them by hand`;
  }
  const verb = verbOf(step);
  return d.transactionalDdl
    ? `${verb} of '${step.revision}' was rolled back; the database remains at ${formatRevs(heads)}`
    : `${verb} of '${step.revision}' was rolled back${ddlStays}; the version table remains ` +
      `at ${formatRevs(heads)}`;
}

/** What stopping during the step would leave (for the line a signal prints). */
function interruptedActivity(d: Dialect, run: StepRun): string {
  const which = `the ${verbOf(run.step)} of '${run.step.revision}' (${run.script.file})`;
  if (!run.script.transactional) {
    return `${which} runs outside a transaction and was cut off: its statements may be ` +
      `partly applied, and the next run will refuse until you finish or undo them by hand`;
  }
  return d.transactionalDdl
    ? `${which} was not committed: the database rolls it back and stays at ${formatRevs(run.heads)}`
    : `${which} was not committed: the database rolls back its data changes, but DDL ` +
      `statements that ran stay (${d.title} commits them as they run); the version table ` +
      `stays at ${formatRevs(run.heads)}`;
}

/** What stopping while the step commits would leave. */
function committingActivity(run: StepRun): string {
  return `the ${verbOf(run.step)} of '${run.step.revision}' (${run.script.file}) was being ` +
    `committed: see 'bellows current' for whether the database is at ${
      formatRevs(run.next)
    } or still at ${formatRevs(run.heads)}`;
}
