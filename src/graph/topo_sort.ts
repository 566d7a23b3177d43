/**
 * Alembic's `RevisionMap._topological_sort` (alembic/script/revision.py), giving exactly
 * its order without its cost. Alembic keeps a list of heads and, before it emits a head,
 * looks through the list for the first other head that has it as an ancestor (which must
 * go first) using each head's full ancestor set, recomputed whenever a head moves past a
 * merge or a dependency. On a Glance-style graph (contract revisions depending on expand
 * revisions) that is a walk of the whole graph per contract revision, and the list grows
 * by one expand revision per step: quadratic both ways.
 *
 * Here the list is a linked list of slots numbered in list order: a head that moves down
 * to its parent keeps its slot, new heads get new slots at the end. "The first other head
 * that has the candidate as an ancestor" is then the least slot number among the heads in
 * the candidate's descendants, which a {@linkcode MinTree} over the graph's preorder
 * answers from the candidate's descendant ranges ({@linkcode reachIntervals}).
 *
 * @module
 */
import { RevisionError } from "../errors.ts";
import { describeRevision } from "./errors.ts";
import { MinTree, type ReachIntervals } from "./reach.ts";
import type { Revision, RevisionMap } from "./revision_map.ts";

/** Finds, for a candidate head, the first other head (by slot) that has it as an ancestor. */
interface Blockers {
  /** Slot `slot` now holds `id` (it held `previous`, or nothing). */
  place(slot: number, id: string, previous: string | undefined): void;
  /** Slot `slot` (holding `id`) is gone. */
  remove(slot: number, id: string): void;
  /** The least slot other than `slot` whose head has `candidate` as an ancestor, or -1. */
  first(candidate: string, slot: number): number;
}

/** Blockers by descendant ranges: a few range minimums per question. */
class RangeBlockers implements Blockers {
  readonly #map: RevisionMap;
  readonly #ranges: ReachIntervals;
  readonly #tree: MinTree;

  constructor(map: RevisionMap, ranges: ReachIntervals) {
    this.#map = map;
    this.#ranges = ranges;
    this.#tree = new MinTree(map.size);
  }

  #pos(id: string): number {
    return this.#ranges.pre[this.#map.loadIndex(id)];
  }

  place(slot: number, id: string, previous: string | undefined): void {
    if (previous !== undefined) this.#tree.set(this.#pos(previous), MinTree.NONE);
    this.#tree.set(this.#pos(id), slot);
  }

  remove(_slot: number, id: string): void {
    this.#tree.set(this.#pos(id), MinTree.NONE);
  }

  first(candidate: string, _slot: number): number {
    const { offset, ranges } = this.#ranges;
    const i = this.#map.loadIndex(candidate);
    const own = this.#ranges.pre[i];
    let best = MinTree.NONE;
    for (let k = offset[i]; k < offset[i + 1]; k++) {
      const from = ranges[2 * k];
      const to = ranges[2 * k + 1];
      if (from <= own && own <= to) {
        // the candidate's own position holds its own slot: leave it out
        if (from < own) best = Math.min(best, this.#tree.min(from, own - 1));
        if (own < to) best = Math.min(best, this.#tree.min(own + 1, to));
      } else {
        best = Math.min(best, this.#tree.min(from, to));
      }
    }
    return best === MinTree.NONE ? -1 : best;
  }
}

/**
 * Blockers as Alembic finds them, for a graph too tangled for ranges: each head's
 * ancestor set, computed when first asked for, scanned in list order.
 */
class SetBlockers implements Blockers {
  readonly #map: RevisionMap;
  readonly #order: () => Iterable<number>;
  readonly #heads = new Map<number, string>();
  readonly #ancestors = new Map<number, Set<string>>();

  constructor(map: RevisionMap, order: () => Iterable<number>) {
    this.#map = map;
    this.#order = order;
  }

  place(slot: number, id: string, previous: string | undefined): void {
    this.#heads.set(slot, id);
    const set = this.#ancestors.get(slot);
    if (set === undefined) return;
    // down a plain line the new head's ancestors are the old head's without it
    const down = previous === undefined ? [] : this.#map.get(previous).normalizedDownRevisions;
    if (down.length === 1 && down[0] === id) set.delete(previous!);
    else this.#ancestors.delete(slot);
  }

  remove(slot: number): void {
    this.#heads.delete(slot);
    this.#ancestors.delete(slot);
  }

  first(candidate: string, slot: number): number {
    for (const other of this.#order()) {
      if (other === slot) continue;
      let set = this.#ancestors.get(other);
      if (set === undefined) {
        const head = this.#map.get(this.#heads.get(other)!);
        set = new Set(this.#map.ancestorNodes([head]).map((r) => r.id));
        this.#ancestors.set(other, set);
      }
      if (set.has(candidate)) return other;
    }
    return -1;
  }
}

/**
 * Alembic's `_topological_sort`: ids of `revisions` ordered so that every revision comes
 * before its down revisions (newest first), walking down from `heads` one branch at a
 * time, preferring load order. See the module comment for how it differs inside.
 * `opts.ranges: false` searches blockers as Alembic does (what a graph too tangled for
 * ranges gets), for tests.
 */
export function topologicalSort(
  map: RevisionMap,
  revisions: Iterable<Revision>,
  heads: Iterable<Revision>,
  opts: { readonly ranges?: boolean } = {},
): string[] {
  const todo = new Set<string>();
  for (const r of revisions) todo.add(r.id);
  const headIds = new Set<string>();
  for (const r of heads) if (todo.has(r.id)) headIds.add(r.id);
  // Alembic asserts when a revision is not reachable from the heads given (e.g.
  // `history -r <expand rev>:` on a Glance-style graph); start from such tops too.
  // Where Alembic succeeds every top already is one of the heads, so nothing changes.
  const below = new Set<string>();
  for (const id of todo) for (const down of map.get(id).normalizedDownRevisions) below.add(down);
  for (const id of todo) if (!below.has(id)) headIds.add(id);
  const initial = [...headIds].sort((a, b) => map.loadIndex(a) - map.loadIndex(b));

  // Alembic's list of heads: slot numbers in list order, linked both ways.
  const slotHead: (string | undefined)[] = [];
  const prev: number[] = [];
  const next: number[] = [];
  let first = -1;
  let last = -1;
  let count = 0;
  const isHead = new Set<string>();
  const order = function* () {
    for (let s = first; s !== -1; s = next[s]) yield s;
  };
  let blockers: Blockers | undefined;
  const append = (id: string) => {
    const slot = slotHead.length;
    slotHead.push(id);
    prev.push(last);
    next.push(-1);
    if (last === -1) first = slot;
    else next[last] = slot;
    last = slot;
    count++;
    isHead.add(id);
    blockers?.place(slot, id, undefined);
  };
  for (const id of initial) append(id);

  const output: string[] = [];
  let current = first;
  while (count > 0) {
    const candidate = slotHead[current]!;
    if (count > 1) {
      if (blockers === undefined) {
        const ranges = opts.ranges === false ? undefined : map.descendantRanges();
        blockers = ranges ? new RangeBlockers(map, ranges) : new SetBlockers(map, order);
        for (const s of order()) blockers.place(s, slotHead[s]!, undefined);
      }
      const blocker = blockers.first(candidate, current);
      if (blocker !== -1) {
        // another head depends on this one: it has to be traversed first
        current = blocker;
        continue;
      }
    }
    if (todo.has(candidate)) {
      output.push(candidate);
      todo.delete(candidate);
    }
    const toAdd = map.get(candidate).normalizedDownRevisions.filter((r) =>
      todo.has(r) && !isHead.has(r)
    );
    isHead.delete(candidate);
    if (toAdd.length === 0) {
      // Alembic deletes the head and goes on with the one before it (or the first)
      const p = prev[current];
      const n = next[current];
      if (p === -1) first = n;
      else next[p] = n;
      if (n === -1) last = p;
      else prev[n] = p;
      slotHead[current] = undefined;
      count--;
      blockers?.remove(current, candidate);
      current = p === -1 ? first : p;
    } else {
      slotHead[current] = toAdd[0];
      isHead.add(toAdd[0]);
      blockers?.place(current, toAdd[0], candidate);
      for (const id of toAdd.slice(1)) append(id);
    }
  }
  if (todo.size > 0) {
    throw new RevisionError(
      `Dependency resolution failed for revisions ${
        [...todo].map((id) => describeRevision(map.get(id))).join(", ")
      }`,
    );
  }
  return output;
}
