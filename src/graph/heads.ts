/**
 * Version-table head maintenance: which rows each step inserts, deletes or updates.
 *
 * A pure port of Alembic's `HeadMaintainer.update_to_step` together with the decision
 * methods of `RevisionStep` and `StampStep` (alembic/runtime/migration.py). Where Alembic
 * asserts or raises part-way through a command (and may already have committed some rows),
 * these functions throw a {@linkcode StateError} before handing out any operation, so a
 * caller that simulates first never writes a half row set.
 *
 * @module
 */

import { StateError } from "../errors.ts";
import type { MigrateStep, RevisionLookup, StampStep, Step, VersionOp } from "./types.ts";

export type { RevisionLookup };

/** Result of applying one or more steps: the new heads (sorted) and the row operations. */
export interface HeadUpdate {
  /** Version-table rows after the steps, sorted. */
  heads: string[];
  /** Row operations in execution order. */
  ops: VersionOp[];
}

/**
 * Apply one step to `heads`, returning the new heads and the version-table operations.
 *
 * Throws {@linkcode StateError} where Alembic would assert or fail on a row count.
 */
export function applyStep(
  lookup: RevisionLookup,
  heads: readonly string[],
  step: Step,
): HeadUpdate {
  const rows = new Rows(heads, describe(step));
  if (step.kind === "migrate") updateForRevision(lookup, rows, step);
  else updateForStamp(rows, step);
  return { heads: rows.sorted(), ops: rows.ops };
}

/**
 * Apply a sequence of steps. The whole sequence is simulated before anything is returned,
 * so a failure in a late step throws without yielding the operations of earlier ones.
 */
export function applySteps(
  lookup: RevisionLookup,
  heads: readonly string[],
  steps: readonly Step[],
): HeadUpdate {
  let current: readonly string[] = heads;
  const ops: VersionOp[] = [];
  for (const step of steps) {
    const result = applyStep(lookup, current, step);
    ops.push(...result.ops);
    current = result.heads;
  }
  return { heads: [...current].sort(), ops };
}

/** In-memory mirror of the version table, with Alembic's row-count checks. */
class Rows {
  readonly ops: VersionOp[] = [];
  readonly #set: Set<string>;
  readonly #what: string;

  constructor(heads: readonly string[], what: string) {
    this.#set = new Set(heads);
    this.#what = what;
    if (this.#set.size !== heads.length) {
      this.fail(`duplicate rows in the version table (${fmt(heads)})`);
    }
  }

  has(rev: string): boolean {
    return this.#set.has(rev);
  }

  list(): string[] {
    return [...this.#set];
  }

  sorted(): string[] {
    return [...this.#set].sort();
  }

  insert(rev: string): void {
    if (this.#set.has(rev)) this.fail(`cannot insert '${rev}': it is already a version row`);
    this.#set.add(rev);
    this.ops.push({ op: "insert", rev });
  }

  delete(rev: string): void {
    if (!this.#set.has(rev)) this.fail(`cannot delete '${rev}': no such version row`);
    this.#set.delete(rev);
    this.ops.push({ op: "delete", rev });
  }

  update(from: string, to: string): void {
    if (this.#set.has(to)) {
      this.fail(`cannot update '${from}' to '${to}': '${to}' is already a version row`);
    }
    if (!this.#set.has(from)) {
      this.fail(`cannot update '${from}' to '${to}': no version row '${from}'`);
    }
    this.#set.delete(from);
    this.#set.add(to);
    this.ops.push({ op: "update", from, to });
  }

  fail(why: string): never {
    throw new StateError(`${this.#what} with version rows (${fmt(this.sorted())}): ${why}`);
  }
}

/** Alembic's RevisionStep decisions, in the order `update_to_step` tries them. */
function updateForRevision(lookup: RevisionLookup, rows: Rows, step: MigrateStep): void {
  const rev = step.revision;
  const up = step.direction === "up";
  const downrevs = lookup.normalizedDownRevisions(rev);
  const fromRevisions = up ? downrevs : [rev];
  const toRevisions = up ? [rev] : downrevs;

  // The down revisions not already implied by the other heads: an unmerge re-creates
  // only those, and if there are none the row simply goes away.
  const unmergeTo = (): string[] => {
    const others = rows.list().filter((h) => h !== rev);
    if (others.length === 0) return [...toRevisions];
    const implied = lookup.ancestors(others);
    return toRevisions.filter((r) => !implied.has(r));
  };

  const present = downrevs.filter((r) => rows.has(r));

  if (!up && rows.has(rev) && (downrevs.length === 0 || unmergeTo().length === 0)) {
    rows.delete(rev);
  } else if (up && (downrevs.length === 0 || present.length === 0)) {
    rows.insert(rev);
  } else if (up && downrevs.length > 1 && present.length > 1) {
    // Merge: of the parents, those not implied by unrelated heads collapse into this one.
    const others = rows.list().filter((h) => !fromRevisions.includes(h));
    let from = [...fromRevisions];
    if (others.length > 0) {
      const implied = lookup.ancestors(others);
      from = from.filter((r) => !implied.has(r));
    }
    if (from.length === 0) {
      rows.fail(`cannot merge into '${rev}': every parent is implied by another head`);
    }
    for (const r of from.slice(0, -1)) rows.delete(r);
    rows.update(from[from.length - 1], toRevisions[0]);
  } else if (!up && rows.has(rev) && downrevs.length > 1) {
    const to = unmergeTo();
    for (const r of to.slice(0, -1)) rows.insert(r);
    rows.update(fromRevisions[0], to[to.length - 1]);
  } else {
    let down: string;
    if (downrevs.length === 1) {
      down = downrevs[0];
    } else {
      if (present.length !== 1) {
        rows.fail(
          `cannot update: downrevision of '${rev}' is ambiguous (${fmt(downrevs)}; ` +
            `present: ${fmt(present)})`,
        );
      }
      down = present[0];
    }
    if (up) rows.update(down, rev);
    else rows.update(rev, down);
  }
}

/** Alembic's StampStep decisions, in the order `update_to_step` tries them. */
function updateForStamp(rows: Rows, step: StampStep): void {
  const { from, to, branchMove } = step;
  const up = step.direction === "up";
  const one = (list: readonly string[], role: string): string => {
    if (list.length !== 1) rows.fail(`expected exactly one ${role} revision, got (${fmt(list)})`);
    return list[0];
  };

  if (!up && branchMove) {
    rows.delete(one(from, "source"));
  } else if (
    up && (branchMove || from.some((r) => !rows.has(r))) && to.some((r) => !rows.has(r))
  ) {
    rows.insert(one(to, "target"));
  } else if (from.length > 1) {
    if (to.length === 0) rows.fail(`cannot merge (${fmt(from)}) into nothing`);
    for (const r of from.slice(0, -1)) rows.delete(r);
    rows.update(from[from.length - 1], to[0]);
  } else if (to.length > 1) {
    if (from.length === 0) rows.fail(`cannot unmerge nothing into (${fmt(to)})`);
    for (const r of to.slice(0, -1)) rows.insert(r);
    rows.update(from[0], to[to.length - 1]);
  } else {
    rows.update(one(from, "source"), one(to, "target"));
  }
}

function describe(step: Step): string {
  if (step.kind === "migrate") {
    return `${step.direction === "up" ? "upgrade" : "downgrade"} of '${step.revision}'`;
  }
  return `stamp ${step.direction} (${fmt(step.from)}) -> (${fmt(step.to)})`;
}

function fmt(revs: readonly string[]): string {
  return revs.length === 0 ? "none" : revs.join(", ");
}
