/**
 * Phases of a zero-downtime upgrade, as Glance splits them: `expand` revisions
 * (additive, safe while old services run), data migrations, then `contract`
 * revisions (destructive, once every old service is gone).
 *
 * A revision's phase is the `expand` or `contract` branch label it carries or
 * inherits along its branch. Revisions with neither (the common history before
 * the split, or a project without phases) are applied by `expand`. Everything
 * here is pure: it works on the revision map, the version rows and row counts
 * that the caller read.
 *
 * @module
 */
import type { Revision, RevisionMap } from "../graph/revision_map.ts";
import type { MigrateStep } from "../graph/types.ts";
import { planUpgrade } from "../graph/plan.ts";
import { applySteps } from "../graph/heads.ts";
import { ExitCode, PhaseError, ScriptError } from "../errors.ts";

/** Branch label of the expand phase. */
export const EXPAND = "expand";
/** Branch label of the contract phase. */
export const CONTRACT = "contract";

/** A phase: the branch label that puts a revision in it. */
export type Phase = typeof EXPAND | typeof CONTRACT;

/** What the phase logic needs of a data migration. */
export interface DataMigrationRef {
  readonly name: string;
  /** The expand revision it follows. */
  readonly after: string;
  /** For errors: where `after` is declared. */
  readonly file?: string;
  readonly afterLine?: number;
}

/**
 * Where a data migration stands: `waiting` until its expand revision is
 * applied, `active` until a contract revision that follows that expand
 * revision is applied, then `retired` (its columns may be gone: it never runs
 * or checks again).
 */
export type DataMigrationState = "waiting" | "active" | "retired";

/**
 * The phase of revision `id`: `contract` when it carries or inherits the
 * `contract` label (also when it has both: it needs everything before it),
 * `expand` for the `expand` label, undefined for neither.
 */
export function phaseOf(map: RevisionMap, id: string): Phase | undefined {
  return revisionPhase(map.get(id));
}

/** {@linkcode phaseOf} for a revision at hand. */
export function revisionPhase(rev: Pick<Revision, "branchLabels">): Phase | undefined {
  if (rev.branchLabels.includes(CONTRACT)) return CONTRACT;
  if (rev.branchLabels.includes(EXPAND)) return EXPAND;
  return undefined;
}

/** Where `dm` stands given the applied revisions (the version rows and their ancestors). */
export function dataMigrationState(
  map: RevisionMap,
  applied: ReadonlySet<string>,
  dm: DataMigrationRef,
): DataMigrationState {
  if (!applied.has(dm.after)) return "waiting";
  for (const id of map.descendants([dm.after])) {
    if (applied.has(id) && phaseOf(map, id) === CONTRACT) return "retired";
  }
  return "active";
}

/**
 * Check data migrations against the graph: `after` must name a revision of the
 * expand phase. Throws {@linkcode ScriptError} `file:line:` for the first that
 * does not, or for a data migration named like a revision.
 */
export function validateDataMigrations(
  map: RevisionMap,
  dms: readonly DataMigrationRef[],
): void {
  for (const dm of dms) {
    const where = `${dm.file ?? dm.name}:${dm.afterLine ?? 1}`;
    if (map.has(dm.name)) {
      throw new ScriptError(
        `${dm.file ?? dm.name}:1: data migration "${dm.name}" has the ` +
          `name of a revision; give it its own name`,
      );
    }
    if (!map.has(dm.after)) {
      throw new ScriptError(`${where}: after: no revision "${dm.after}"`);
    }
    if (phaseOf(map, dm.after) !== EXPAND) {
      throw new ScriptError(
        `${where}: after: revision "${dm.after}" is not on the ${EXPAND} branch; a data ` +
          `migration follows the expand revision that adds the columns it fills`,
      );
    }
  }
}

/** Where a database stands in the phases. */
export interface PhaseStatus {
  /** Revisions applied: the version rows and everything below them. */
  readonly applied: ReadonlySet<string>;
  /** Revisions `expand` still has to apply (every one outside the contract phase), bases first. */
  readonly expandPending: readonly string[];
  /** Contract revisions not applied yet, bases first. */
  readonly contractPending: readonly string[];
  /** Names of the data migrations that may have rows to move, in name order. */
  readonly active: readonly string[];
  /** Names of the data migrations whose expand revision is not applied yet. */
  readonly waiting: readonly string[];
}

/** The phase status of a database whose version rows are `heads`. */
export function phaseStatus(
  map: RevisionMap,
  heads: readonly string[],
  dms: readonly DataMigrationRef[],
): PhaseStatus {
  const applied = map.ancestors(heads);
  const pending = map.all().filter((r) => !applied.has(r.id)).map((r) => r.id);
  const states = dms.map((dm) => [dm.name, dataMigrationState(map, applied, dm)] as const);
  return {
    applied,
    expandPending: pending.filter((id) => phaseOf(map, id) !== CONTRACT),
    contractPending: pending.filter((id) => phaseOf(map, id) === CONTRACT),
    active: states.filter(([, s]) => s === "active").map(([n]) => n).sort(),
    waiting: states.filter(([, s]) => s === "waiting").map(([n]) => n).sort(),
  };
}

/** `check`'s exit codes (Glance's): 0 up to date, 3 expand, 4 migrate, 5 contract needed. */
export type CheckCode = 0 | 3 | 4 | 5;

/**
 * `check`'s answer: expand first, then data migrations with rows left
 * (`pendingRows`: rows per active data migration), then contract.
 */
export function checkCode(
  status: PhaseStatus,
  pendingRows: ReadonlyMap<string, number>,
): CheckCode {
  if (status.expandPending.length > 0) return ExitCode.EXPAND_NEEDED;
  if (status.active.some((n) => (pendingRows.get(n) ?? 0) > 0)) return ExitCode.MIGRATE_NEEDED;
  if (status.contractPending.length > 0) return ExitCode.CONTRACT_NEEDED;
  return 0;
}

function list(ids: readonly string[], max = 5): string {
  const shown = ids.slice(0, max).join(", ");
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}

/** Why contract revisions may not run yet because expand is incomplete, or undefined. */
export function expandBlocker(status: PhaseStatus, what = "contract"): PhaseError | undefined {
  if (status.expandPending.length === 0) return undefined;
  return new PhaseError(
    `${what} refused: expand is not complete (${list(status.expandPending)} not applied); ` +
      `run 'bellows expand' first. Nothing was changed`,
    ExitCode.EXPAND_NEEDED,
  );
}

/** Why contract revisions may not run yet because data migrations have rows left, or undefined. */
export function rowsBlocker(
  status: PhaseStatus,
  pendingRows: ReadonlyMap<string, number>,
  what = "contract",
): PhaseError | undefined {
  const left = status.active.filter((n) => (pendingRows.get(n) ?? 0) > 0);
  if (left.length === 0) return undefined;
  const detail = left.map((n) => `${n}: ${pendingRows.get(n)} row(s)`).join(", ");
  return new PhaseError(
    `${what} refused: data migrations still have rows to move (${detail}); run ` +
      `'bellows migrate' first. Nothing was changed`,
    ExitCode.MIGRATE_NEEDED,
  );
}

/** Why the `contract` command may not run yet (expand first, then rows left), or undefined. */
export function contractBlocker(
  status: PhaseStatus,
  pendingRows: ReadonlyMap<string, number>,
  what = "contract",
): PhaseError | undefined {
  return expandBlocker(status, what) ?? rowsBlocker(status, pendingRows, what);
}

/** What a phased run does, in this order. */
export interface PhasedPlan {
  /**
   * Steps that run first: revisions outside the contract phase (for an `upgrade`
   * that moves no data, Alembic's whole plan).
   */
  readonly expand: readonly MigrateStep[];
  /** Run the active data migrations after `expand` (they must be done before `contract`). */
  readonly migrate: boolean;
  /** Contract revisions: they run only once no active data migration has rows left. */
  readonly contract: readonly MigrateStep[];
}

/**
 * The `expand` command's steps: upgrade every revision outside the contract
 * phase. Throws {@linkcode PhaseError} (5) when that needs a contract revision
 * (an expand revision that depends on one): that contract must run first.
 */
export function planExpand(map: RevisionMap, heads: readonly string[]): MigrateStep[] {
  const applied = map.ancestors(heads);
  let current: readonly string[] = heads;
  const steps: MigrateStep[] = [];
  const planned = new Set<string>();
  for (const rev of map.all()) {
    if (applied.has(rev.id) || planned.has(rev.id) || phaseOf(map, rev.id) === CONTRACT) continue;
    const more = planUpgrade(map, current, rev.id);
    for (const s of more) planned.add(s.revision);
    steps.push(...more);
    current = applySteps(map, current, more).heads;
  }
  const crossing = steps.filter((s) => phaseOf(map, s.revision) === CONTRACT);
  if (crossing.length > 0) {
    const needers = steps.filter((s) =>
      phaseOf(map, s.revision) !== CONTRACT &&
      crossing.some((c) => map.ancestors([s.revision]).has(c.revision))
    );
    throw new PhaseError(
      `expand refused: ${list(needers.map((s) => s.revision))} depend(s) on contract ` +
        `revision(s) ${list(crossing.map((s) => s.revision))}; finish the earlier release ` +
        `with 'bellows contract' first (or run 'bellows sync' offline). Nothing was changed`,
      ExitCode.CONTRACT_NEEDED,
    );
  }
  return steps;
}

/**
 * The `contract` command's steps: everything not yet applied, which once expand
 * is complete is the contract phase. Throws {@linkcode PhaseError} (3) when
 * expand is not complete; the caller checks data migrations with
 * {@linkcode rowsBlocker} too.
 */
export function planContract(map: RevisionMap, heads: readonly string[]): MigrateStep[] {
  const blocker = expandBlocker(phaseStatus(map, heads, []));
  if (blocker) throw blocker;
  return planUpgrade(map, heads, "heads");
}

/**
 * The `migrate` command: the active data migrations, once expand is complete
 * (Glance refuses data migrations before expansion too). Throws
 * {@linkcode PhaseError} (3) otherwise.
 */
export function planMigrate(map: RevisionMap, heads: readonly string[]): PhasedPlan {
  const status = phaseStatus(map, heads, []);
  if (status.expandPending.length > 0) {
    throw new PhaseError(
      `migrate refused: expand is not complete (${list(status.expandPending)} not applied); ` +
        `run 'bellows expand' first. Nothing was changed`,
      ExitCode.EXPAND_NEEDED,
    );
  }
  return { expand: [], migrate: true, contract: [] };
}

/** The `sync` command: expand, data migrations, contract (Glance's offline `db sync`). */
export function planSync(map: RevisionMap, heads: readonly string[]): PhasedPlan {
  const expand = planExpand(map, heads);
  const after = applySteps(map, heads, expand).heads;
  return { expand, migrate: true, contract: planUpgrade(map, after, "heads") };
}

/**
 * An `upgrade` plan, made safe for data migrations. A plan that does not apply a
 * contract revision retiring a data migration runs exactly as Alembic plans it
 * (so `upgrade` stays Alembic's command, `upgrade contract@head` included).
 * Otherwise it runs in phase order: its expand steps, then the data migrations,
 * then its contract steps; refused ({@linkcode PhaseError}, 5) when an expand
 * step depends on one of those contract steps, since no order moves the data then.
 */
export function splitUpgrade(
  map: RevisionMap,
  heads: readonly string[],
  steps: readonly MigrateStep[],
  target: string,
  dms: readonly DataMigrationRef[],
): PhasedPlan {
  if (dataMigrationsRetiredBy(map, heads, steps, dms).length === 0) {
    return { expand: steps, migrate: false, contract: [] };
  }
  const isContract = (s: MigrateStep) => phaseOf(map, s.revision) === CONTRACT;
  const contract = steps.filter(isContract);
  const expand = steps.filter((s) => !isContract(s));
  const contractIds = new Set(contract.map((s) => s.revision));
  for (const s of expand) {
    const needs = [...map.ancestors([s.revision])].filter((id) => contractIds.has(id));
    if (needs.length > 0) {
      throw new PhaseError(
        `upgrade ${target} refused: expand revision ${s.revision} depends on contract ` +
          `revision(s) ${list(needs)}, which must wait for data migrations; upgrade to the ` +
          `earlier release's contract first. Nothing was changed`,
        ExitCode.CONTRACT_NEEDED,
      );
    }
  }
  return { expand, migrate: true, contract };
}

/**
 * The data migrations `steps` (an upgrade plan from the version rows `heads`)
 * would retire: not retired before it, retired after it (a contract revision of
 * their release applied), so their rows must move while the plan runs. In name
 * order. An offline script, which cannot repeat a batch until a check query
 * counts 0, would skip them.
 */
export function dataMigrationsRetiredBy(
  map: RevisionMap,
  heads: readonly string[],
  steps: readonly MigrateStep[],
  dms: readonly DataMigrationRef[],
): string[] {
  const before = map.ancestors(heads);
  const after = new Set([
    ...before,
    ...steps.filter((s) => s.direction === "up").map((s) => s.revision),
  ]);
  return dms.filter((dm) =>
    dataMigrationState(map, before, dm) !== "retired" &&
    dataMigrationState(map, after, dm) === "retired"
  ).map((dm) => dm.name).sort();
}
