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
import { failedToBegin } from "../drivers/transaction.ts";
import type { RevisionScript, Statement } from "../script/types.ts";
import {
  atomicWithoutTransactionalDdl,
  checkableEffect,
  checksum,
  createsIndex,
  indexOp,
  inverseStatement,
  leavesNothingToUndo,
  statementKind,
  statementsFor,
} from "../script/mod.ts";
import {
  describeBlocker,
  describeDbError,
  formatRevs,
  retryable,
  sleep,
  statementError,
  transactionFailure,
} from "./execution.ts";
import {
  applyVersionOps,
  type AuditEntry,
  CHECKPOINT,
  checkStateNames,
  clearCheckpoints,
  ensureAuditTable,
  ensureVersionTable,
  FAILED,
  finishAudit,
  type InterruptedRun,
  interruptedRuns,
  purgeVersions,
  readAudit,
  readHeads,
  recordAudit,
  resolveInterrupted,
  type StateConfig,
} from "../state/version_table.ts";
import { readCurrentHeads } from "../state/replaced.ts";
import {
  BellowsError,
  ConnectionError,
  ConnectionLostError,
  MigrationError,
  StateError,
  UsageError,
} from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Project } from "./project.ts";
import type { RunActivity } from "./activity.ts";
import { preflightAsks, waitForLockHolders } from "./preflight.ts";

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

/** How the recorded state is read. */
export interface StateReadOptions extends Pick<RunOptions, "strict" | "log"> {
  /**
   * The caller holds the runner lock and is about to write: rewrite version rows holding a
   * retired id (a script's `replaces`) first, as glance-manage does. Otherwise such rows
   * are only read as the revision that replaces them.
   */
  readonly rewriteReplaced?: boolean;
}

/** The recorded state, read under the runner lock. */
interface State {
  readonly heads: string[];
  /** Revisions run statement by statement that never finished, with their checkpoints. */
  readonly interrupted: InterruptedRun[];
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
  opts: StateReadOptions,
  check: StateCheck = "run",
): Promise<string[]> {
  return (await readState(driver, project, cfg, opts, check)).heads;
}

async function readState(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  opts: StateReadOptions,
  check: StateCheck,
): Promise<State> {
  checkStateNames(driver.dialect, cfg);
  // `stamp --purge` empties the table anyway: its rows are not worth rewriting.
  const heads = check === "purge" ? await readHeads(driver, cfg) : await readCurrentHeads(
    driver,
    cfg,
    project.map,
    { write: opts.rewriteReplaced ?? false, log: opts.log },
  );
  const audit = await readAudit(driver, cfg);
  const interrupted = interruptedRuns(audit);
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
  checkDrift(driver, project, heads, audit, opts);
  return { heads, interrupted };
}

/** How a revision that runs statement by statement runs, for messages. */
function howItRuns(d: Dialect, script: Pick<RevisionScript, "transactional"> | undefined) {
  return !script || !script.transactional
    ? "runs outside a transaction"
    : `cannot run in one transaction (${d.title} commits its DDL as it runs)`;
}

/** A statement as it can be pasted on one line, or where to find it when it is long. */
function pasteable(file: string, stmt: Statement): string {
  const text = stmt.sql.replace(/\s+/g, " ").trim();
  return text.length <= 200 ? `${text};` : `the statement at ${file}:${stmt.line}`;
}

/**
 * `statements 1..k of n completed` and the rest of the refusal's first sentence. `found`
 * says how the live schema shows that statement k+1 completed though no checkpoint records
 * it (`found index x on t`), when it does. Exported for the unit tests of the wording.
 */
export function progressText(
  file: string,
  ran: readonly Statement[],
  completed: number,
  found?: string,
): string {
  const n = ran.length;
  if (completed >= n) {
    return `all ${n} statement${n === 1 ? "" : "s"} completed, but the version table was not ` +
      `updated`;
  }
  const at = `(${file}:${ran[completed].line})`;
  if (found !== undefined && completed === 0) {
    return `statement 1 of ${n} ${at} completed (${found}), not checkpointed`;
  }
  const done = completed === 0
    ? `none of its ${n} statement${n === 1 ? "" : "s"}`
    : completed === 1
    ? `statement 1 of ${n}`
    : `statements 1..${completed} of ${n}`;
  return `${done} completed, statement ${completed + 1} ${at} ${
    found === undefined ? "was running" : `completed (${found}), not checkpointed`
  }`;
}

/** The statements of `script` that ran when its audit row was written (the checksum tells). */
function statementsAsRun(
  d: Dialect,
  script: RevisionScript,
  a: AuditEntry,
): { ran: Statement[]; inverse: Statement[] } | undefined {
  const direction = a.direction === "down" ? "down" : "up";
  const other = direction === "up" ? "down" : "up";
  for (const skipRolling of [false, true]) {
    const ran = statementsFor(script, direction, d.name, { skipRolling });
    if (checksum(ran) === a.checksum) {
      return { ran, inverse: statementsFor(script, other, d.name, { skipRolling }) };
    }
  }
  return undefined;
}

/**
 * Whether `stmt`, interrupted with no checkpoint, completed anyway: the kill came between
 * its end and its checkpoint (or the server finished it after the client died). Told from
 * the live schema for statements that create or drop one object; otherwise (or when the
 * driver cannot look) undefined, and the statement counts as not completed. Returns what
 * was seen, for the message.
 */
async function completedUnrecorded(driver: Driver, stmt: Statement): Promise<string | undefined> {
  const effect = checkableEffect(stmt.sql);
  if (!effect || !driver.schemaObjectExists) return undefined;
  const exists = await driver.schemaObjectExists(effect.object).catch(() => undefined);
  if (exists !== effect.present) return undefined;
  return effect.present ? `found ${effect.what}` : `${effect.what} is gone`;
}

/**
 * One step of a way out of an interrupted revision, for `--json` (`error.interrupted`):
 * `sql` to run (`statement`: the one of the revision it finishes or undoes), `manual` work
 * (undo a statement whose inverse is not known), or the `stamp` (of `revisions`) that ends it.
 */
export interface RecoveryStep {
  readonly action: "sql" | "manual" | "stamp";
  readonly sql?: string;
  readonly file?: string;
  readonly line?: number;
  readonly statement?: number;
  readonly revisions?: readonly string[];
  readonly note: string;
}

/**
 * The refusal for a revision run statement by statement that was interrupted (killed,
 * or a statement failed): which statements completed (its checkpoints, and the next one
 * when the live schema shows it completed unrecorded), which one was running, what that
 * one left half-made (the driver's leftovers, only those the statement creates by name),
 * and the two ways out, each step spelled out and ending in the `stamp` that records the
 * outcome. The same account, structured, is the error's `details.interrupted`.
 */
async function interruptedError(
  driver: Driver,
  project: Project,
  heads: readonly string[],
  interrupted: readonly InterruptedRun[],
): Promise<StateError> {
  const { entry: a, completed, failed } = interrupted[0];
  const d = driver.dialect;
  const script = project.scripts.get(a.revision);
  const verb = a.direction === "up" ? "upgrade" : "downgrade";
  const undoneRevs = heads.length > 0 ? [...heads] : ["base"];
  const finishedRevs = a.direction === "up"
    ? [a.revision]
    : (script && script.downRevisions.length > 0 ? [...script.downRevisions] : ["base"]);
  const undone = undoneRevs.join(" ");
  const finished = finishedRevs.join(" ");
  const others = interrupted.length > 1
    ? ` (so were ${interrupted.slice(1).map((i) => `'${i.entry.revision}'`).join(", ")})`
    : "";
  const head = `the ${verb} of revision '${a.revision}'${script ? ` (${script.file})` : ""} ` +
    `${howItRuns(d, script)} and was interrupted (started ${a.appliedAt} on ${a.host})`;
  const account = {
    revision: a.revision,
    direction: a.direction,
    file: script?.file ?? null,
    startedAt: a.appliedAt,
    host: a.host,
    also: interrupted.slice(1).map((i) => i.entry.revision),
  };
  const asRun = script && statementsAsRun(d, script, a);
  const check = driver.leftovers;
  if (!script || !asRun) {
    // The script is gone or changed since: its statements as they ran are not known.
    const own = script ? statementsFor(script, a.direction === "down" ? "down" : "up", d.name) : [];
    const left = (await check?.find() ?? []).filter((l) =>
      own.some((s) => createsIndex(s.sql, l.object))
    );
    return new StateError(
      `${head}${others}; ${completed} of its statements completed, but its script ` +
        `${script ? "changed" : "is gone"} since, so which ones cannot be told` +
        (left.length > 0 ? `; ${check!.what} left: ${left.map((l) => l.name).join(", ")}` : "") +
        `. Check what its statements did: undo them, then 'bellows stamp ${undone}' and run ` +
        `again; or finish them by hand, then 'bellows stamp ${finished}'`,
      {
        details: {
          interrupted: {
            ...account,
            statements: null,
            checkpointed: completed,
            completed: null,
            running: null,
            leftovers: left.map((l) => l.name),
            undo: null,
            finish: null,
          },
        },
      },
    );
  }
  const { ran, inverse } = asRun;
  const checkpointed = Math.min(completed, ran.length);
  const running = ran[checkpointed];
  // Only what the running statement itself creates (or was dropping): never an
  // application's own index, or one another session is building now.
  const left = running
    ? (await check?.find() ?? []).filter((l) => indexOp(running.sql, l.object) !== undefined)
    : [];
  // Killed between a statement's end and its checkpoint: the schema may show it done (not
  // when it left something half-made, or was refused).
  const found = running && !failed && left.length === 0
    ? await completedUnrecorded(driver, running)
    : undefined;
  const k = found === undefined ? checkpointed : checkpointed + 1;
  const at = (s: Statement) => `${script.file}:${s.line}`;
  const dropping = left.length > 0 && indexOp(running.sql, left[0].object) === "drop";
  let progress = progressText(script.file, ran, checkpointed, found);
  if (left.length > 0) {
    progress += ` and left ${left.length > 1 ? check!.whatPlural : check!.what} ${
      left.map((l) => `${l.name} on ${l.table}`).join(", ")
    }`;
  }
  // Each way out twice: the words of the one-line message, and the steps for --json.
  // A half-made CREATE is undone by dropping it, a half-done DROP by rebuilding.
  const undo: string[] = [];
  const undoSteps: RecoveryStep[] = [];
  for (const l of left) {
    const note = dropping ? `undoes statement ${k + 1}` : `left by statement ${k + 1}`;
    const sql = dropping ? l.rebuild : l.drop;
    undo.push(`${sql}; (${note})`);
    undoSteps.push({ action: "sql", sql, statement: k + 1, note });
  }
  for (let i = k - 1; i >= 0; i--) {
    if (leavesNothingToUndo(ran[i].sql)) continue;
    const inv = inverseStatement(ran, i, inverse);
    const note = `undoes statement ${i + 1}`;
    if (inv) {
      undo.push(`${pasteable(script.file, inv)} (${at(inv)}, ${note})`);
      undoSteps.push({
        action: "sql",
        sql: inv.sql,
        file: script.file,
        line: inv.line,
        statement: i + 1,
        note,
      });
    } else {
      undo.push(`undo statement ${i + 1} (${at(ran[i])}) by hand`);
      undoSteps.push({
        action: "manual",
        file: script.file,
        line: ran[i].line,
        statement: i + 1,
        note: `undo statement ${i + 1} by hand`,
      });
    }
  }
  undo.push(`'bellows stamp ${undone}' and run again`);
  undoSteps.push({ action: "stamp", revisions: undoneRevs, note: "then run again" });
  const finish: string[] = [];
  const finishSteps: RecoveryStep[] = [];
  let next = k;
  if (left.length > 0 && !dropping) {
    const note = `completes statement ${k + 1}`;
    finish.push(`${left.map((l) => `${l.rebuild};`).join(" ")} (${note})`);
    for (const l of left) {
      finishSteps.push({ action: "sql", sql: l.rebuild, statement: k + 1, note });
    }
    next = k + 1;
  }
  if (next < ran.length) {
    const which = next + 1 === ran.length
      ? `statement ${ran.length}`
      : `statements ${next + 1}..${ran.length}`;
    finish.push(`run ${which} by hand (${ran.slice(next).map(at).join(", ")})`);
    ran.slice(next).forEach((s, j) =>
      finishSteps.push({
        action: "sql",
        sql: s.sql,
        file: script.file,
        line: s.line,
        statement: next + j + 1,
        note: `statement ${next + j + 1} of the revision`,
      })
    );
  }
  finish.push(`'bellows stamp ${finished}'`);
  finishSteps.push({ action: "stamp", revisions: finishedRevs, note: "records it as done" });
  return new StateError(
    `${head}: ${progress}${others}. To undo: ${undo.join(", then ")}. To finish: ${
      finish.join(", then ")
    }`,
    {
      details: {
        interrupted: {
          ...account,
          statements: ran.length,
          checkpointed,
          completed: k,
          running: running
            ? {
              statement: checkpointed + 1,
              line: running.line,
              state: found !== undefined ? "completed" : failed ? "failed" : "running",
              found: found ?? null,
            }
            : null,
          leftovers: left.map((l) => l.name),
          undo: undoSteps,
          finish: finishSteps,
        },
      },
    },
  );
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

function checkDrift(
  driver: Driver,
  project: Project,
  heads: readonly string[],
  audit: Awaited<ReturnType<typeof readAudit>>,
  opts: Pick<RunOptions, "strict" | "log">,
): void {
  const applied = project.map.ancestors(heads);
  const lastUp = new Map<string, string | null>();
  for (const a of audit) if (a.direction === "up") lastUp.set(a.revision, a.checksum);
  for (const rev of applied) {
    const recorded = lastUp.get(rev);
    if (!recorded) continue;
    const script = project.scripts.get(rev)!;
    const full = checksum(statementsFor(script, "up", driver.dialect.name));
    const lean = checksum(
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
    const { heads: before, interrupted } = await readState(
      driver,
      project,
      cfg,
      { ...opts, rewriteReplaced: true },
      check,
    );
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
        `--single-transaction on ${d.title}: DDL statements commit as they run, and commit the ` +
          `run's transaction with them, so a failure rolls back only what ran after the last one`,
      );
    }
    opts.activity?.set(
      d.transactionalDdl
        ? `the run was not committed (--single-transaction): the database rolls it back and ` +
          `stays at ${formatRevs(before)}`
        : `the run was not committed (--single-transaction): the database rolls back what ` +
          `ran after its last DDL statement (${d.title} commits each as it runs, and the ` +
          `run's transaction with it): see 'bellows current' for where it is`,
    );
    let stage = "begin" as TxStage;
    try {
      await driver.transaction(async (tx) => {
        stage = "body";
        result = await runSteps(driver, tx, project, cfg, opts, before, steps);
        stage = "commit";
        opts.activity?.set(
          `the run (--single-transaction) was being committed: see 'bellows current' for ` +
            `whether the database is at ${formatRevs(result.after)} or still at ${
              formatRevs(before)
            }`,
        );
      });
    } catch (e) {
      if (failedToBegin(e)) stage = "begin";
      if (stage === "body") {
        if (!d.transactionalDdl) await sayWhereDdlLeftIt(e, driver, cfg, before);
        throw e;
      }
      const first = steps.find((s) => s.kind === "migrate") as MigrateStep;
      throw transactionError(driver, stage, e, {
        where: project.scripts.get(first.revision)!.file,
        which: `the run (--single-transaction, ${steps.length} step${
          steps.length === 1 ? "" : "s"
        } from '${first.revision}')`,
        context: failureContext(d, first, { transactional: true }, before, before),
        before,
        after: result?.after ?? before,
      });
    }
    opts.activity?.set(`the database is at ${formatRevs(result!.after)}`);
    return result!;
  }
  return await runSteps(driver, undefined, project, cfg, opts, before, steps);
}

/**
 * Under --single-transaction where DDL is not transactional, each DDL statement also
 * committed the run's transaction, version rows included: the rollback did not bring the
 * version table back to `before`. Correct the failure's message with the rows it holds.
 */
async function sayWhereDdlLeftIt(
  e: unknown,
  driver: Driver,
  cfg: StateConfig,
  before: readonly string[],
): Promise<void> {
  if (!(e instanceof Error)) return;
  const claim = `; the version table remains at ${formatRevs(before)}`;
  if (!e.message.endsWith(claim)) return;
  let now: string[];
  try {
    now = await readHeads(driver, cfg);
  } catch {
    return; // The error being reported matters more than this correction.
  }
  if (now.length === before.length && now.every((h) => before.includes(h))) return;
  e.message = e.message.slice(0, -claim.length) +
    `; those statements committed the run's transaction too, so the version table is at ` +
    formatRevs(now);
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
  interrupted: readonly InterruptedRun[],
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
  for (const { entry: a } of interrupted) {
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
    // Where DDL commits implicitly (MySQL), CREATE TABLE IF NOT EXISTS ends the open
    // transaction even when the table exists, and the revision would run in autocommit.
    if (
      this.driver.dialect.transactionalDdl ||
      !(await this.driver.tableExists(this.cfg.auditTable, tx))
    ) {
      await ensureAuditTable(tx, this.driver.dialect, this.cfg);
    }
    this.#ready = true;
  }

  /**
   * A transaction that failed rolled back everything, including table creation (where
   * DDL is transactional; elsewhere the tables stay).
   */
  rolledBack(): void {
    if (this.driver.dialect.transactionalDdl) this.#ready = false;
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
  if (!outerTx && !driver.dialect.transactionalDdl) {
    // Creating a table commits implicitly there and ends the transaction it is in: create
    // the state tables first, so that a revision's transaction holds only its own work.
    await driver.transaction((tx) => tables.prepare(tx));
  }
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
      checksum: checksum(statements),
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
    if (outerTx || !runsByStatement(driver.dialect, script, statements)) {
      await runInTransaction(run, tables, outerTx);
    } else await runOutsideTransaction(run, tables);
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
async function runStatement(
  run: StepRun,
  exec: Executor,
  stmt: Statement,
  context = run.context,
): Promise<void> {
  announce(run, stmt);
  const where = `${run.script.file}:${stmt.line}`;
  await waitForLockHolders(run.driver, exec, stmt, where, run.context, run.opts);
  await send(run, exec, stmt, context);
}

/** Say (at debug level) which statement starts. */
function announce(run: StepRun, stmt: Statement): void {
  run.opts.log.debug(`${run.script.file}:${stmt.line}: ${stmt.sql.split("\n")[0].slice(0, 100)}`);
}

/**
 * Send `stmt` on `exec` (handed to the connection at once); a failure comes back as the
 * statement's error, named at its file, line and column.
 */
async function send(
  run: StepRun,
  exec: Executor,
  stmt: Statement,
  context = run.context,
): Promise<void> {
  try {
    await exec.run(stmt.sql);
  } catch (e) {
    throw statementError(run.driver, run.script, stmt, e, context);
  }
}

/**
 * A transactional step's statements, in order, `done` called as each completes, then
 * `then` (the step's state writes). Where the connection pipelines, a statement whose
 * pre-flight asks nothing is sent without waiting for the answers to those before it
 * (and with `early`, so is `then`, begun once the last statement is sent); the answers
 * are taken in order, so a failure is still the statement's that failed (the ones behind
 * it, refused by the aborted transaction, are not looked at). A statement whose
 * pre-flight asks the database waits for those before it, as it does alone.
 */
async function runStatements(
  run: StepRun,
  exec: Executor,
  done: () => void,
  early: boolean,
  then: () => Promise<void>,
): Promise<void> {
  if (!run.driver.dialect.pipelining) {
    for (const stmt of run.statements) {
      await runStatement(run, exec, stmt);
      done();
    }
    return await then();
  }
  let sent: Promise<void>[] = [];
  const answers = async () => {
    const pending = sent;
    sent = [];
    for (const answer of pending) {
      await answer;
      done();
    }
  };
  for (const stmt of run.statements) {
    if (await preflightAsks(run.driver, stmt)) {
      await answers();
      await runStatement(run, exec, stmt);
      done();
      continue;
    }
    announce(run, stmt);
    const answer = send(run, exec, stmt);
    answer.catch(() => {}); // Taken below; those behind a failure never are.
    sent.push(answer);
  }
  if (!early) {
    await answers();
    return await then();
  }
  const tail = then();
  tail.catch(() => {}); // Taken below, unless a statement before it failed.
  await answers();
  await tail;
}

/**
 * The state tables refusing a write (a hand-made table of another shape, say) fails the
 * step like a statement does, with the same word on what became of it.
 */
async function stateWrite(
  run: StepRun,
  fn: () => Promise<void>,
  context = run.context,
): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ConnectionLostError) {
      throw new ConnectionError(
        `${run.script.file}: ${e.message}, while writing the state tables for the ` +
          `${verbOf(run.step)} of '${run.step.revision}'; ${context}`,
        { cause: e.cause },
      );
    }
    if (e instanceof ConnectionError) {
      // A refused privilege on a state table (exit 7).
      throw new ConnectionError(`${e.message}; ${context}`, { cause: e.cause });
    }
    if (e instanceof StateError) {
      throw new StateError(`${e.message}; ${context}`, { cause: e.cause });
    }
    // The database refusing the write itself (a full disk, say) fails the step too.
    const info = run.driver.errorInfo(e);
    if (!info) throw e;
    throw new MigrationError(
      `${run.script.file}: recording the ${verbOf(run.step)} of '${run.step.revision}' in ` +
        `the version table failed: ${describeDbError(info)}; ${context}`,
      { cause: e },
    );
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
  // Statements of this attempt that completed: where DDL commits as it runs, a retry is
  // only sound while none has (else its DDL would run twice).
  let completed = 0;
  let stage = "begin" as TxStage;
  const body = async (tx: Executor) => {
    stage = "body";
    await stateWrite(run, () => tables.prepare(tx));
    const d = driver.dialect;
    // In the step's own transaction its version and audit rows go out behind its
    // statements, before their answers are in (a failed version-row change is still the
    // error reported, answered first, and COMMIT waits for both), and the server measures
    // the statements' time. In the run's transaction (--single-transaction) the server's
    // clock would count the steps before it too, so there they wait for the answers.
    const early = d.pipelining && !outerTx && d.transactionElapsedMs !== undefined;
    await runStatements(run, tx, () => completed++, early, () =>
      stateWrite(run, async () => {
        const version = () => applyVersionOps(tx, d, cfg, run.ops);
        const audit = () =>
          recordAudit(
            tx,
            d,
            cfg,
            auditRow(run, "done"),
            early ? d.transactionElapsedMs : undefined,
          );
        // Pipelined where the driver can: one round trip for both.
        if (d.pipelining) await Promise.all([version(), audit()]);
        else {
          await version();
          await audit();
        }
      }));
    stage = "commit";
    if (!outerTx) opts.activity?.set(committingActivity(run));
  };
  if (outerTx) return await body(outerTx);
  if (!driver.dialect.transactionalDdl) {
    // Creating a state table commits whatever transaction is open (MySQL): do it first, so
    // that the step's transaction really holds its statements, version rows and audit row.
    await stateWrite(run, () => tables.prepare(driver));
  }
  for (let attempt = 0;; attempt++) {
    stage = "begin";
    try {
      return await driver.transaction(body);
    } catch (e) {
      // With BEGIN pipelined, the body was under way when BEGIN's answer came.
      if (failedToBegin(e)) stage = "begin";
      const r = retryable(driver, e);
      const partly = !driver.dialect.transactionalDdl && completed > 0;
      if (attempt >= opts.retries || !r || partly) throw stepTransactionError(run, stage, e);
      completed = 0;
      tables.rolledBack();
      const delay = opts.retryDelayMs * 2 ** attempt;
      opts.log.warn(
        `${run.script.file}: ${run.step.revision} hit ${r.what} (${r.code}); retry ${
          attempt + 1
        } of ${opts.retries} in ${delay} ms` +
          (r.blockers.length > 0
            ? ` (it waited for ${r.blockers.map(describeBlocker).join("; and for ")})`
            : ""),
      );
      await sleep(delay);
    }
  }
}

/** Where a transaction was when it failed: BEGIN, the work inside it, or COMMIT. */
type TxStage = "begin" | "body" | "commit";

/**
 * A step's transaction failing outside its statements, as one line naming the revision,
 * what became of it and where the database stands. A failure inside the body already
 * says so (statementError, stateWrite). A failing COMMIT (a deferred constraint, a full
 * disk) is rolled back by the database and exits 1 like a failing statement; a connection
 * lost during COMMIT leaves the outcome unknown, and the message says how to find out.
 */
function stepTransactionError(run: StepRun, stage: TxStage, e: unknown): unknown {
  if (stage === "body") return e;
  const which = `the ${verbOf(run.step)} of '${run.step.revision}'`;
  return transactionError(run.driver, stage, e, {
    where: run.script.file,
    which,
    context: run.context,
    before: run.heads,
    after: run.next,
  });
}

/** What {@linkcode transactionError} says about the transaction that failed. */
interface TxAccount {
  /** The file (or `the run`) the message starts with. */
  readonly where: string;
  /** `the upgrade of 'b'`. */
  readonly which: string;
  /** What a rollback leaves ({@linkcode failureContext}). */
  readonly context: string;
  /** Version rows before and after, had it committed. */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

function transactionError(driver: Driver, stage: TxStage, e: unknown, t: TxAccount): unknown {
  if (stage === "begin") {
    const why = e instanceof BellowsError ? e.message : transactionFailure(driver, e);
    const msg = `${t.where}: ${t.which} could not begin: ${why}; none of it ran, and the ` +
      `database remains at ${formatRevs(t.before)}`;
    return e instanceof ConnectionError
      ? new ConnectionError(msg, { cause: e })
      : e instanceof BellowsError
      ? e
      : new MigrationError(msg, { cause: e });
  }
  if (e instanceof ConnectionError) {
    return new ConnectionError(
      `${t.where}: ${e.message}, while committing ${t.which}: whether it was committed is ` +
        `unknown; 'bellows current' shows whether the database is at ${formatRevs(t.after)} ` +
        `or still at ${formatRevs(t.before)}`,
      { cause: e },
    );
  }
  if (e instanceof BellowsError) return e;
  return new MigrationError(
    `${t.where}: COMMIT of ${t.which} failed: ${transactionFailure(driver, e)}; ${t.context}`,
    { cause: e },
  );
}

/**
 * Whether a revision runs statement by statement, with a checkpoint after each: when it
 * must run outside a transaction (`transactional: false`), and where DDL is not
 * transactional, when it holds DDL (or more than one statement that is not plain DML),
 * since no transaction could make it atomic there. Plain DML runs in a transaction.
 */
export function runsByStatement(
  d: Pick<Dialect, "transactionalDdl">,
  script: Pick<RevisionScript, "transactional">,
  statements: readonly Statement[],
): boolean {
  return !script.transactional ||
    (!d.transactionalDdl && !atomicWithoutTransactionalDdl(statements));
}

/** Which statements before statement i+1 completed, for messages. */
function completedBefore(i: number): string {
  return i === 0
    ? "no statement before it completed"
    : i === 1
    ? "statement 1 completed and stays applied"
    : `statements 1..${i} completed and stay applied`;
}

/**
 * The statement-by-statement path: a `started` audit row is committed first, so that an
 * interruption is seen by the next run instead of silently skipped; then each statement
 * runs and commits on its own, in order, and a `checkpoint` row records it (in the
 * statement's own transaction when it is plain DML, so the two cannot disagree; right
 * after it otherwise); then the version rows move and the row is marked done. The next
 * run reads the checkpoints to say exactly what completed ({@linkcode interruptedError}).
 */
async function runOutsideTransaction(run: StepRun, tables: StateTables): Promise<void> {
  const { driver, cfg, statements, script, step } = run;
  const d = driver.dialect;
  const n = statements.length;
  const why = `revision '${step.revision}' ${howItRuns(d, script)}`;
  await driver.transaction(async (tx) => {
    await tables.prepare(tx);
    await recordAudit(tx, d, cfg, auditRow(run, "started"));
  });
  for (let i = 0; i < n; i++) {
    const stmt = statements[i];
    const where = `statement ${i + 1} of ${n} (${script.file}:${stmt.line})`;
    run.opts.activity?.set(
      `the ${verbOf(step)} of '${step.revision}' (${script.file}) was cut off at ${where}; ` +
        `${completedBefore(i)}: the next run will refuse and say how to finish or undo it`,
    );
    const context = `${why}: ${completedBefore(i)}, this one did not complete; the next ` +
      `run will refuse and say how to finish or undo it`;
    const began = performance.now();
    const dml = statementKind(stmt.sql) === "dml";
    const checkpoint = (tx: Executor) =>
      stateWrite(run, async () => {
        await recordAudit(tx, d, cfg, {
          ...auditRow(run, CHECKPOINT),
          durationMs: Math.round(performance.now() - began),
        });
      }, dml ? context : `${why}: statement ${i + 1} completed but could not be recorded as such`);
    for (let attempt = 0;; attempt++) {
      // Set once a statement outside a transaction returned: a failure after it is its
      // checkpoint's, and the statement did complete.
      let completed = false;
      const giveUp = async (e: unknown) => {
        // The statement was refused (or never started): record that it did not complete,
        // so the next run need not look. Not after a lost connection: then it may have.
        if (!completed && e instanceof BellowsError && !(e instanceof ConnectionError)) {
          await driver.transaction((tx) => recordAudit(tx, d, cfg, auditRow(run, FAILED)))
            .catch(() => {});
        }
        return e;
      };
      try {
        if (dml) {
          // Row changes commit with their checkpoint: the record cannot miss or double them.
          await driver.transaction(async (tx) => {
            await runStatement(run, tx, stmt, context);
            await checkpoint(tx);
          });
        } else {
          await runStatement(run, driver, stmt, context);
          completed = true;
          await driver.transaction(checkpoint);
        }
        break;
      } catch (e) {
        // A lock timeout in the first statement is retried, as a transaction would be, when
        // nothing of the revision has committed: no statement before it, and nothing half-made
        // by it (a CREATE INDEX CONCURRENTLY leaves an INVALID index a retry would trip on).
        const r = retryable(driver, e);
        if (i > 0 || attempt >= run.opts.retries || !r || completed) throw await giveUp(e);
        const left = driver.leftovers ? await driver.leftovers.find().catch(() => undefined) : [];
        if (!left || left.some((l) => createsIndex(stmt.sql, l.object))) throw await giveUp(e);
        const delay = run.opts.retryDelayMs * 2 ** attempt;
        run.opts.log.warn(
          `${script.file}: ${step.revision} hit ${r.what} (${r.code}) in its first ` +
            `statement; retry ${attempt + 1} of ${run.opts.retries} in ${delay} ms`,
        );
        await sleep(delay);
      }
    }
  }
  await driver.transaction((tx) =>
    stateWrite(run, async () => {
      await applyVersionOps(tx, d, cfg, run.ops);
      await clearCheckpoints(tx, d, cfg, step.revision);
      await finishAudit(tx, d, cfg, step.revision, elapsed(run));
    }, `${why}: all ${n} statements completed, but the version table was not updated`)
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
