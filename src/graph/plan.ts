/**
 * Planning: which scripts run, in which order, for `upgrade`, `downgrade`, `stamp`
 * and which revisions `history` lists. A port of Alembic's
 * `RevisionMap.iterate_revisions` / `_collect_upgrade_revisions` /
 * `_collect_downgrade_revisions` and `ScriptDirectory._upgrade_revs` /
 * `_downgrade_revs` / `_stamp_revs` / `walk_revisions`.
 *
 * @module
 */
import { RevisionError } from "../errors.ts";
import { describeRevision, RangeNotAncestorError, rewordRevisionError } from "./errors.ts";
import type { Revision, RevisionMap } from "./revision_map.ts";
import { type Ref, requireRevisions, TargetResolver } from "./targets.ts";
import type { MigrateStep, StampStep } from "./types.ts";

/** One end of {@linkcode iterateRevisions}: a target, version rows, or `null` (base). */
export type Bound = string | readonly string[] | null;

function isRevision(ref: Ref | undefined): ref is Revision {
  return ref !== null && ref !== undefined && typeof ref !== "string";
}

function toTuple(bound: Bound): string[] {
  if (bound === null) return [];
  return typeof bound === "string" ? [bound] : [...bound];
}

function boundText(bound: Bound): string | undefined {
  if (bound === null) return undefined;
  return typeof bound === "string" ? bound : bound.join(",");
}

function onlyRevisions(refs: Ref[], what: string): Revision[] {
  return refs.map((r) => {
    if (!isRevision(r)) {
      throw new RevisionError(`Relative revision ${what} walks past the base or head`);
    }
    return r;
  });
}

/** Options of {@linkcode iterateRevisions}, as Alembic's `iterate_revisions`. */
export interface IterateOptions {
  /** Also walk other branches back to base (upgrade: dependencies from other bases). */
  readonly implicitBase?: boolean;
  /** Include the lower revision(s) themselves. */
  readonly inclusive?: boolean;
  /** Fail when a relative target walks past the end (else stop there). Default true. */
  readonly assertRelativeLength?: boolean;
  /** Collect the revisions to downgrade (upper = current heads, lower = target). */
  readonly selectForDowngrade?: boolean;
}

/**
 * Alembic's `RevisionMap.iterate_revisions`: revisions from `upper` down to `lower`,
 * newest first (topologically sorted).
 */
export function iterateRevisions(
  map: RevisionMap,
  upper: Bound,
  lower: Bound,
  opts: IterateOptions = {},
): Revision[] {
  const resolver = new TargetResolver(map);
  const args = {
    inclusive: opts.inclusive ?? false,
    implicitBase: opts.implicitBase ?? false,
    assertRelativeLength: opts.assertRelativeLength ?? true,
  };
  const [revisions, heads] = opts.selectForDowngrade
    ? collectDowngrade(resolver, upper, lower, args)
    : collectUpgrade(resolver, upper, lower, args);
  return map.topologicalSort(revisions, heads).map((id) => map.get(id));
}

interface CollectArgs {
  readonly inclusive: boolean;
  readonly implicitBase: boolean;
  readonly assertRelativeLength: boolean;
}

/** Alembic's `_collect_upgrade_revisions`. */
function collectUpgrade(
  r: TargetResolver,
  upper: Bound,
  lower: Bound,
  args: CollectArgs,
): [Set<Revision>, Revision[]] {
  const map = r.map;
  let targets = onlyRevisions(
    r.parseUpgradeTarget(toTuple(lower), upper, args.assertRelativeLength),
    boundText(upper) ?? "",
  );
  if (typeof lower === "string" && lower.includes("@")) {
    let branch = lower.slice(0, lower.indexOf("@"));
    const branchRev = r.getRevision(branch);
    if (branchRev !== null && branchRev.id === branch) {
      if (branchRev.branchLabels.length !== 1) {
        throw new RevisionError(
          `Revision '${branch}' used as a branch must carry exactly one branch label`,
        );
      }
      branch = branchRev.branchLabels[0];
    }
    targets = [...new Set(targets.filter((t) => t.branchLabels.includes(branch)))];
  }
  const required = new Set(map.ancestorNodes(targets, { check: true }));
  for (const t of targets) required.add(t);

  let currentRefs: Ref[] = r.getRevisions(lower);
  if (!args.implicitBase && currentRefs.some((c) => c !== null && !required.has(c as Revision))) {
    throw new RangeNotAncestorError(boundText(lower), boundText(upper));
  }
  if (currentRefs.length > 0 && currentRefs[0] === null) {
    const [, rev] = r.parseDowngradeTarget(
      toTuple(upper),
      boundText(lower) ?? null,
      args.assertRelativeLength,
    );
    if (rev === "base") {
      currentRefs = [];
      lower = null;
    } else if (rev === null) {
      throw new RevisionError(`Revision ${boundText(lower)} does not resolve`);
    } else {
      currentRefs = [rev];
      lower = rev.id;
    }
  }
  const current = onlyRevisions(currentRefs, boundText(lower) ?? "");
  const currentSet = new Set(map.ancestorNodes(current, { check: true }));
  for (const c of current) currentSet.add(c);

  let needs = new Set([...required].filter((n) => !currentSet.has(n)));
  if (args.inclusive) {
    for (const c of onlyRevisions(r.getRevisions(lower), boundText(lower) ?? "")) needs.add(c);
  }
  if (current.length > 0 && !args.implicitBase) {
    const lowerDesc = new Set(
      map.descendantNodes(current, { check: true, includeDependencies: false }),
    );
    needs = new Set([...needs].filter((n) => lowerDesc.has(n)));
  }
  return [needs, targets];
}

/** Alembic's `_collect_downgrade_revisions`. */
function collectDowngrade(
  r: TargetResolver,
  upper: Bound,
  target: Bound,
  args: CollectArgs,
): [Set<Revision>, Revision[]] {
  const map = r.map;
  const [label, parsed] = r.parseDowngradeTarget(
    toTuple(upper),
    boundText(target) ?? null,
    args.assertRelativeLength,
  );
  const targetRev = parsed === "base" ? null : parsed;
  let roots: Revision[];
  if (targetRev === null) {
    // every tree root; Alembic lists a labelled base once per key, which changes nothing
    roots = map.loaded().filter((rev) => rev.isBase);
  } else if (args.inclusive) {
    roots = [targetRev];
  } else {
    roots = r.getRevisions(targetRev.nextRevisions).filter(isRevision);
  }
  if (label && roots.length > 1) {
    const ancestors = new Set(
      map.ancestorNodes([r.resolveBranch(label)], { includeDependencies: false }),
    );
    roots = roots.filter((root) => ancestors.has(root));
    if (roots.length === 0) {
      throw new RevisionError("Not a valid downgrade target from current heads");
    }
  }
  const heads = onlyRevisions(r.getRevisions(upper), boundText(upper) ?? "");
  const active = new Set(map.ancestorNodes(heads));
  const downgrade = new Set(map.descendantNodes(roots).filter((d) => active.has(d)));
  if (args.implicitBase) {
    const rootAncestors = new Set(map.ancestorNodes(roots));
    for (const a of active) if (!rootAncestors.has(a)) downgrade.add(a);
  }
  if (targetRev !== null && downgrade.size === 0 && !heads.includes(targetRev)) {
    throw new RangeNotAncestorError("Nothing to drop", boundText(upper));
  }
  return [downgrade, heads];
}

function migrateStep(rev: Revision, direction: "up" | "down"): MigrateStep {
  return direction === "up"
    ? {
      kind: "migrate",
      direction,
      revision: rev.id,
      from: [...rev.versionedDownRevisions],
      to: [rev.id],
    }
    : {
      kind: "migrate",
      direction,
      revision: rev.id,
      from: [rev.id],
      to: [...rev.versionedDownRevisions],
    };
}

/**
 * The upgrade steps from `currentHeads` (the version table's rows) to `target`, in
 * the order Alembic runs them (`ScriptDirectory._upgrade_revs`). A target below the
 * current heads plans nothing.
 */
export function planUpgrade(
  map: RevisionMap,
  currentHeads: readonly string[],
  target: string,
): MigrateStep[] {
  try {
    return iterateRevisions(map, target, currentHeads, { implicitBase: true }).reverse()
      .map((rev) => migrateStep(rev, "up"));
  } catch (err) {
    throw rewordRevisionError(err, {
      ancestor: "Destination %(end)s is not a valid upgrade target from current head(s)",
      end: target,
    });
  }
}

/**
 * The downgrade steps from `currentHeads` to `target`, in the order Alembic runs
 * them (`ScriptDirectory._downgrade_revs`).
 */
export function planDowngrade(
  map: RevisionMap,
  currentHeads: readonly string[],
  target: string,
): MigrateStep[] {
  try {
    return iterateRevisions(map, currentHeads, target, { selectForDowngrade: true })
      .map((rev) => migrateStep(rev, "down"));
  } catch (err) {
    throw rewordRevisionError(err, {
      ancestor: "Destination %(end)s is not a valid downgrade target from current head(s)",
      end: target,
    });
  }
}

/**
 * The stamp steps that move the version table from `currentHeads` to `targets`
 * (`ScriptDirectory._stamp_revs`). With `purge` the table is emptied first, so the
 * plan starts from no heads.
 */
export function planStamp(
  map: RevisionMap,
  currentHeads: readonly string[],
  targets: readonly string[],
  purge: boolean,
): StampStep[] {
  try {
    return stampRevs(new TargetResolver(map), targets, purge ? [] : currentHeads);
  } catch (err) {
    throw rewordRevisionError(err, {
      multipleHeads: "Multiple heads are present; please specify a single target revision",
    });
  }
}

function stampRevs(
  r: TargetResolver,
  targets: readonly string[],
  heads: readonly string[],
): StampStep[] {
  const map = r.map;
  const headRevs = r.getRevisions(heads).filter(isRevision);
  const revision = targets.length === 0 ? ["base"] : targets;
  const filtered: Revision[] = [];
  for (const rev of revision) {
    if (rev) {
      for (const h of r.filterForLineage(headRevs, rev, true)) {
        if (!filtered.includes(h)) filtered.push(h);
      }
    }
  }
  // `base` names nothing; only when nothing else is named does it delete the heads
  const found = revision.flatMap((t) =>
    r.getRevisions(t).map((ref) => {
      // Alembic treats a walk past the base (None) as base, and crashes on "base"
      if (ref === "base") requireRevisions([ref], t);
      return ref;
    })
  );
  const dests: Ref[] = found.length > 0 ? found : [null];
  const filteredIds = filtered.map((h) => h.id);
  const steps: StampStep[] = [];
  for (const dest of dests) {
    if (!isRevision(dest)) {
      for (const h of filtered) {
        steps.push({ kind: "stamp", direction: "down", from: [h.id], to: [], branchMove: true });
      }
      continue;
    }
    if (filtered.includes(dest)) continue;
    const descendants = new Set(map.descendantNodes([dest]));
    const ancestors = new Set(map.ancestorNodes([dest]));
    if (filtered.some((h) => descendants.has(h))) {
      // Alembic asserts this (script/base.py _stamp_revs)
      const below = filtered.filter((h) => ancestors.has(h));
      if (below.length > 0) {
        throw new RevisionError(
          `Can't stamp ${describeRevision(dest)}: the current revisions ${
            filtered.filter((h) => descendants.has(h)).map((h) => describeRevision(h)).join(", ")
          } are above it and ${below.map((h) => describeRevision(h)).join(", ")} below it`,
        );
      }
      steps.push({
        kind: "stamp",
        direction: "down",
        from: filteredIds,
        to: [dest.id],
        branchMove: false,
      });
    } else if (filtered.some((h) => ancestors.has(h))) {
      steps.push({
        kind: "stamp",
        direction: "up",
        from: filteredIds,
        to: [dest.id],
        branchMove: false,
      });
    } else {
      steps.push({ kind: "stamp", direction: "up", from: [], to: [dest.id], branchMove: true });
    }
  }
  return steps;
}

/** The two sides of a `start:end` history range; undefined is open. */
export interface HistoryRange {
  /** Lower end (`base` when undefined). */
  readonly start: string | undefined;
  /** Upper end (`heads` when undefined). */
  readonly end: string | undefined;
}

/**
 * Splits a `history -r` argument into its sides as `alembic history` does
 * (`start:end`, `start:`, `:end`; a side may be `current`).
 */
export function parseHistoryRange(range: string): HistoryRange {
  if (!range.includes(":")) {
    throw new RevisionError("History range requires [start]:[end], [start]:, or :[end]");
  }
  const parts = range.trim().split(":");
  if (parts.length !== 2) {
    throw new RevisionError(`History range '${range}' has more than one ':'`);
  }
  return { start: parts[0] || undefined, end: parts[1] || undefined };
}

/**
 * The revisions `alembic history [-r range]` lists, newest first. `current` on either
 * side of the range stands for `currentHeads` (the database's version rows), which
 * must then be given.
 */
export function historyRange(
  map: RevisionMap,
  range: string | undefined,
  currentHeads?: readonly string[],
): Revision[] {
  let start: Bound = null;
  let end: Bound = null;
  if (range !== undefined) {
    const parsed = parseHistoryRange(range);
    start = parsed.start ?? null;
    end = parsed.end ?? null;
  }
  if (start === "current" || end === "current") {
    if (currentHeads === undefined) {
      throw new RevisionError("History range 'current' needs the database's current revisions");
    }
    if (end === "current") end = currentHeads;
    else start = currentHeads;
  }
  const base: Bound = start === null || start.length === 0 ? "base" : start;
  const head: Bound = end === null || end.length === 0 ? "heads" : end;
  try {
    return iterateRevisions(map, head, base, {
      inclusive: true,
      assertRelativeLength: false,
    });
  } catch (err) {
    throw rewordRevisionError(err, { start: boundText(base), end: boundText(head) });
  }
}

/**
 * The revisions `alembic current` shows for the version rows `currentHeads`
 * (Alembic's `_get_all_current`): the tips of the heads and everything they
 * depend on, in load order.
 */
export function currentRevisions(map: RevisionMap, currentHeads: readonly string[]): Revision[] {
  return new TargetResolver(map).allCurrent(currentHeads);
}
