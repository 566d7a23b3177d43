/**
 * Runs the phases against a database: legacy takeover, expand revisions, data
 * migrations, contract revisions, all with the runner lock held; and reads
 * where a database stands for `check` and `version`.
 *
 * @module
 */
import type { Driver } from "../drivers/types.ts";
import { ExitCode, PhaseError, StateError, UsageError } from "../errors.ts";
import { applySteps } from "../graph/heads.ts";
import { planStamp } from "../graph/plan.ts";
import type { MigrateStep } from "../graph/types.ts";
import type { Project } from "../runner/project.ts";
import { formatRevs } from "../runner/execution.ts";
import {
  executeLocked,
  inspectState,
  type RunOptions,
  type RunReport,
  type StepReport,
} from "../runner/run.ts";
import { type LegacyVersion, readLegacyVersion } from "../state/legacy.ts";
import type { StateConfig } from "../state/version_table.ts";
import { readCurrentHeads } from "../state/replaced.ts";
import type { Logger } from "../log.ts";
import { checkPacing, pendingCounts, runDataMigration } from "./data.ts";
import { legacyRevision } from "./legacy.ts";
import {
  type CheckCode,
  checkCode,
  CONTRACT,
  EXPAND,
  type PhasedPlan,
  phaseOf,
  type PhaseStatus,
  phaseStatus,
  rowsBlocker,
} from "./phase.ts";
import type { Pacing } from "./pacing.ts";
import type { Progress } from "./progress.ts";
import { describeFinding, phaseFindings } from "./rules.ts";
import { lintErrors, warnFindings } from "./lint.ts";

/** How a phased run behaves. */
export interface PhaseRunOptions {
  readonly run: RunOptions;
  /** Rows per data migration batch. */
  readonly batchSize: number;
  readonly progress: Progress;
  /** Adaptive batch size, pause between batches, replica lag limit. */
  readonly pacing?: Pacing;
}

/** A legacy database taken over: what `migrate_version` said and the revision it became. */
export interface Takeover {
  readonly legacy: LegacyVersion;
  readonly revision: string;
}

/** What one data migration did in a run. */
export interface DataMigrationReport {
  readonly name: string;
  /** Rows moved (0 when it found nothing to do). */
  readonly moved: number;
}

/** What a phased run did. */
export interface PhasedReport extends RunReport {
  /** Rows moved by data migrations, in all. */
  readonly moved: number;
  /** The data migrations that ran, in order. */
  readonly dataMigrations: readonly DataMigrationReport[];
  readonly takeover?: Takeover;
}

/** What a command asks of {@linkcode runPhased}. */
export interface PhasedCommand {
  /** The command's name, for messages. */
  readonly verb: string;
  /** Take a legacy SQLAlchemy-Migrate database over first (`upgrade`, `sync`, `expand`). */
  readonly takeover: boolean;
  /** The plan from the version rows (after a takeover: the mapped revision). Pure. */
  readonly plan: (heads: readonly string[]) => PhasedPlan;
}

/** The legacy takeover a database needs, if its version table is empty and migrate_version is there. */
async function legacyState(
  driver: Driver,
  project: Project,
  heads: readonly string[],
): Promise<Takeover | undefined> {
  if (heads.length > 0) return undefined;
  const legacy = await readLegacyVersion(driver);
  if (!legacy) return undefined;
  return { legacy, revision: legacyRevision(project.scripts.values(), legacy.version) };
}

/** Warn about statements that do not fit their revision's phase. */
function warnPhaseRules(project: Project, steps: readonly MigrateStep[], opts: RunOptions): void {
  for (const step of steps) {
    const phase = phaseOf(project.map, step.revision);
    if (phase !== EXPAND && phase !== CONTRACT) continue;
    for (const f of phaseFindings(project.scripts.get(step.revision)!, phase)) {
      opts.log.warn(describeFinding(f));
    }
  }
}

/**
 * Run a phased command with the runner lock held: read the version rows, take
 * a legacy database over when asked (and only once the plan is known to be
 * valid, so a refused command changes nothing), then the plan's expand steps,
 * data migrations and contract steps. Contract steps run only while expand is
 * complete and no data migration has rows left; otherwise
 * {@linkcode PhaseError} is thrown before they start.
 */
export async function runPhased(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  opts: PhaseRunOptions,
  command: PhasedCommand,
): Promise<PhasedReport> {
  const run = opts.run;
  checkPacing(driver, opts.pacing);
  const release = await driver.lock(run.lockWaitMs);
  try {
    const before = await inspectState(driver, project, cfg, { ...run, rewriteReplaced: true });
    const legacy = await legacyState(driver, project, before);
    if (legacy && !command.takeover) {
      throw new PhaseError(
        `${command.verb} refused: the database is still under SQLAlchemy-Migrate control ` +
          `(version ${legacy.legacy.version}, revision ${legacy.revision}); 'bellows expand', ` +
          `'sync' or 'upgrade' take it over. Nothing was changed`,
        ExitCode.EXPAND_NEEDED,
      );
    }
    const start = legacy ? [legacy.revision] : before;
    const plan = command.plan(start);
    // Refuse a plan Alembic would abandon half-way before writing anything.
    applySteps(project.map, start, [...plan.expand, ...plan.contract]);
    if (plan.contract.length > 0 && plan.expand.length === 0 && !plan.migrate) {
      await refuseContractIfBlocked(driver, project, start, command.verb);
    }
    warnPhaseRules(project, [...plan.expand, ...plan.contract], run);
    const upgrading = [...plan.expand, ...plan.contract].filter((s) => s.direction === "up");
    // A warning only: nothing in lint may stop an upgrade, nor slow it down much.
    const skipInert = { skipInert: true };
    await lintErrors(project, upgrading.map((s) => s.revision), driver.dialect.name, skipInert)
      .then((found) => warnFindings(found, run.log))
      .catch((e) => run.log.warn(`lint skipped: ${e instanceof Error ? e.message : e}`));

    let heads: readonly string[] = before;
    const steps: StepReport[] = [];
    const runSteps = async (s: readonly MigrateStep[]) => {
      if (s.length === 0) return;
      const report = await executeLocked(driver, project, cfg, run, heads, s);
      steps.push(...report.steps);
      heads = report.after;
    };
    if (legacy) {
      run.log.info(
        `Taking the database over from SQLAlchemy-Migrate: migrate_version says ` +
          `${legacy.legacy.repositoryId} is at version ${legacy.legacy.version}, which is ` +
          `revision ${legacy.revision} (migrate_version is kept as it is)`,
      );
      const report = await executeLocked(
        driver,
        project,
        cfg,
        run,
        heads,
        planStamp(project.map, heads, [legacy.revision], false),
      );
      steps.push(...report.steps);
      heads = report.after;
    }
    await runSteps(plan.expand);
    const dataMigrations = plan.migrate
      ? await runDataMigrations(driver, project, cfg, heads, opts)
      : [];
    const moved = dataMigrations.reduce((n, d) => n + d.moved, 0);
    if (plan.contract.length > 0) {
      // Checked again here: writers may have added rows while the data migrations ran.
      if (plan.migrate || plan.expand.length > 0) {
        await refuseContractIfBlocked(driver, project, heads, command.verb);
      }
      await runSteps(plan.contract);
    }
    return {
      before,
      after: heads,
      steps,
      moved,
      dataMigrations,
      ...(legacy ? { takeover: legacy } : {}),
    };
  } finally {
    await release();
  }
}

async function refuseContractIfBlocked(
  driver: Driver,
  project: Project,
  heads: readonly string[],
  verb: string,
): Promise<void> {
  const status = phaseStatus(project.map, heads, project.dataMigrations);
  const counts = await pendingCounts(driver, activeMigrations(project, status));
  const blocker = rowsBlocker(status, counts, verb);
  if (blocker) throw blocker;
}

function activeMigrations(project: Project, status: PhaseStatus) {
  return project.dataMigrations.filter((dm) => status.active.includes(dm.name));
}

/** Run the active data migrations in name order. */
async function runDataMigrations(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  heads: readonly string[],
  opts: PhaseRunOptions,
): Promise<DataMigrationReport[]> {
  const status = phaseStatus(project.map, heads, project.dataMigrations);
  const done: DataMigrationReport[] = [];
  for (const dm of activeMigrations(project, status)) {
    done.push({ name: dm.name, moved: await runDataMigration(driver, cfg, dm, opts) });
  }
  return done;
}

/** Where a database stands, for `check`. */
export interface CheckReport {
  readonly code: CheckCode;
  /** One line per phase, and one for a legacy database. */
  readonly lines: readonly string[];
  /** The version rows (empty for a legacy or new database). */
  readonly current: readonly string[];
  readonly status: PhaseStatus;
  /** Rows left per active data migration. */
  readonly pendingRows: ReadonlyMap<string, number>;
  readonly takeover?: Takeover;
}

/**
 * Read where the database stands (without the runner lock: it only reads) and
 * what `check` answers. A database still under SQLAlchemy-Migrate counts as
 * being at its mapped revision, with expand needed to take it over.
 */
export async function checkPhases(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  run: RunOptions,
): Promise<CheckReport> {
  const heads = await inspectState(driver, project, cfg, run);
  const legacy = await legacyState(driver, project, heads);
  const lines: string[] = [];
  if (legacy) {
    lines.push(
      `legacy: under SQLAlchemy-Migrate control at version ${legacy.legacy.version} ` +
        `(revision ${legacy.revision}); 'bellows expand' takes it over`,
    );
  }
  const status = phaseStatus(
    project.map,
    legacy ? [legacy.revision] : heads,
    project.dataMigrations,
  );
  const counts = await pendingCounts(driver, activeMigrations(project, status));
  const pending = (ids: readonly string[]) =>
    ids.length === 0 ? "up to date" : `${ids.length} revision(s) to apply: ${ids.join(", ")}`;
  lines.push(`expand: ${pending(status.expandPending)}`);
  const migrate = [
    ...status.active.map((n) =>
      counts.get(n)! > 0 ? `${n} has ${counts.get(n)} row(s) to move` : `${n} done`
    ),
    ...status.waiting.map((n) => `${n} waits for expand`),
  ];
  lines.push(`migrate: ${migrate.length === 0 ? "up to date" : migrate.join("; ")}`);
  lines.push(`contract: ${pending(status.contractPending)}`);
  return {
    code: legacy ? ExitCode.EXPAND_NEEDED : checkCode(status, counts),
    lines,
    current: heads,
    status,
    pendingRows: counts,
    ...(legacy ? { takeover: legacy } : {}),
  };
}

/** What `version` reports. */
export interface VersionReport {
  /** The version rows. */
  readonly heads: readonly string[];
  /** For a database without version rows: what migrate_version records, if anything. */
  readonly legacy?: LegacyVersion;
  /** The revision that legacy version maps to, when one declares it. */
  readonly legacyRevision?: string;
}

/** The version rows, or for a database without any, what SQLAlchemy-Migrate recorded. Reads only. */
export async function readVersion(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  log: Logger,
): Promise<VersionReport> {
  // As glance-manage's `db version`, a retired id prints as the revision it stands for.
  const heads = await readCurrentHeads(driver, cfg, project.map, { write: false, log });
  if (heads.length > 0) return { heads };
  const legacy = await readLegacyVersion(driver);
  if (!legacy) return { heads };
  try {
    return {
      heads,
      legacy,
      legacyRevision: legacyRevision(project.scripts.values(), legacy.version),
    };
  } catch (e) {
    // An unmapped legacy version is still worth reporting as it is.
    if (e instanceof StateError) return { heads, legacy };
    throw e;
  }
}

/**
 * `version_control`: put a database that has no version rows under version
 * control at `target` (default: the revision migrate_version maps to, else the
 * only base), without running scripts. Refuses a database that has version rows.
 */
export async function versionControl(
  driver: Driver,
  project: Project,
  cfg: StateConfig,
  run: RunOptions,
  target: string | undefined,
): Promise<RunReport> {
  const release = await driver.lock(run.lockWaitMs);
  try {
    const before = await inspectState(driver, project, cfg, { ...run, rewriteReplaced: true });
    if (before.length > 0) {
      throw new StateError(
        `the database is already under version control at ${formatRevs(before)}; ` +
          `'bellows stamp' changes the recorded revision. Nothing was changed`,
      );
    }
    let legacy: Takeover | undefined;
    try {
      legacy = await legacyState(driver, project, before);
    } catch (e) {
      // With an explicit revision, an unmapped legacy number is the operator's call.
      if (!(e instanceof StateError) || target === undefined) throw e;
    }
    let rev = target ?? legacy?.revision;
    if (rev === undefined) {
      if (project.map.bases.length !== 1) {
        throw new UsageError(
          `version_control: the scripts have ${project.map.bases.length} bases; name the revision`,
        );
      }
      rev = project.map.bases[0];
    }
    const steps = planStamp(project.map, [], [rev], false);
    const after = applySteps(project.map, [], steps).heads;
    if (legacy && !after.includes(legacy.revision)) {
      run.log.warn(
        `migrate_version says version ${legacy.legacy.version} (revision ${legacy.revision}); ` +
          `recording ${formatRevs(after)} as asked`,
      );
    }
    return await executeLocked(driver, project, cfg, run, before, steps);
  } finally {
    await release();
  }
}
