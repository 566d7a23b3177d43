/**
 * Reachability in the revision graph as intervals: every node gets a number (its position
 * in a preorder of a spanning forest) and the set of nodes it reaches becomes a short
 * list of number ranges. A chain-shaped history, with branches, merges and the usual
 * `depends_on` edges between two chains (Glance's contract revisions on its expand
 * revisions), needs one or two ranges per node, so "does `a` reach `b`" and "which of
 * these marked nodes does `a` reach first" cost a lookup instead of a walk.
 *
 * @module
 */

/** The nodes each node reaches, as sorted, disjoint ranges of preorder positions. */
export interface ReachIntervals {
  /** Preorder position of node `i` (0 .. n-1). */
  readonly pre: Int32Array;
  /** Node `i`'s ranges are `ranges[2k], ranges[2k+1]` (inclusive) for `offset[i] <= k < offset[i+1]`. */
  readonly offset: Int32Array;
  /** Start and end (inclusive) of every range, node by node. */
  readonly ranges: Int32Array;
}

/**
 * The ranges of the nodes each of `n` nodes reaches along `out` (itself included), or
 * undefined when they need more than `budget` ranges in all: a graph whose edges cross
 * so much that the ranges would cost more than walking it. `out` must be acyclic and
 * give indices below `n`.
 *
 * The numbering follows a spanning forest along `out`; `treeParent(j)` picks node `j`'s
 * parent in it (a node with an edge to `j`, or -1 for a root), by default the first node
 * by index with an edge to `j`. A forest along the long chains of the graph (a revision's
 * first down revision) numbers each chain in one run, which keeps the ranges few.
 */
export function reachIntervals(
  n: number,
  out: (i: number) => readonly number[],
  budget: number,
  treeParent?: (j: number) => number,
): ReachIntervals | undefined {
  const parent = new Int32Array(n).fill(-1);
  if (treeParent) {
    for (let j = 0; j < n; j++) parent[j] = treeParent(j);
  } else {
    for (let i = 0; i < n; i++) for (const j of out(i)) if (parent[j] === -1) parent[j] = i;
  }
  const childCount = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) if (parent[j] >= 0) childCount[parent[j]]++;
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childStart[i + 1] = childStart[i] + childCount[i];
  const children = new Int32Array(childStart[n]);
  const fill = childStart.slice(0, n);
  for (let j = 0; j < n; j++) if (parent[j] >= 0) children[fill[parent[j]]++] = j;

  const pre = new Int32Array(n);
  let next = 0;
  const stack: number[] = [];
  for (let root = 0; root < n; root++) {
    if (parent[root] !== -1) continue;
    stack.push(root);
    while (stack.length > 0) {
      const i = stack.pop()!;
      pre[i] = next++;
      // pushed last to first so that the first child is numbered first
      for (let k = childStart[i + 1] - 1; k >= childStart[i]; k--) stack.push(children[k]);
    }
  }
  if (next !== n) throw new Error("reachIntervals: the graph has a cycle");

  // Each node's ranges once all the nodes it has edges to have theirs (depth first,
  // after the last edge); kept in arrays of the node's own until packed at the end.
  const own: (number[] | undefined)[] = new Array(n);
  let total = 0;
  const edgeAt = new Int32Array(n);
  for (let start = 0; start < n; start++) {
    if (own[start] !== undefined) continue;
    const path = [start];
    while (path.length > 0) {
      const i = path[path.length - 1];
      const edges = out(i);
      let descended = false;
      while (edgeAt[i] < edges.length) {
        const j = edges[edgeAt[i]++];
        if (own[j] === undefined) {
          path.push(j);
          descended = true;
          break;
        }
      }
      if (descended) continue;
      path.pop();
      const merged = mergeRanges(pre[i], edges.map((j) => own[j]!));
      total += merged.length / 2;
      if (total > budget) return undefined;
      own[i] = merged;
    }
  }
  const offset = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offset[i + 1] = offset[i] + own[i]!.length / 2;
  const ranges = new Int32Array(offset[n] * 2);
  for (let i = 0; i < n; i++) ranges.set(own[i]!, offset[i] * 2);
  return { pre, offset, ranges };
}

/** `[p, p]` together with the ranges of `lists`, sorted, overlapping and adjacent ones joined. */
function mergeRanges(p: number, lists: readonly number[][]): number[] {
  if (lists.length === 0) return [p, p];
  // The common case, a node whose one edge leads to the next number (a chain): extend it.
  if (lists.length === 1 && lists[0][0] === p + 1) {
    const out = lists[0].slice();
    out[0] = p;
    return out;
  }
  const pairs: [number, number][] = [[p, p]];
  for (const list of lists) {
    for (let k = 0; k < list.length; k += 2) pairs.push([list[k], list[k + 1]]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [pairs[0][0], pairs[0][1]];
  for (let k = 1; k < pairs.length; k++) {
    const [s, e] = pairs[k];
    if (s <= out[out.length - 1] + 1) {
      if (e > out[out.length - 1]) out[out.length - 1] = e;
    } else out.push(s, e);
  }
  return out;
}

/** Number of nodes node `i` reaches (itself included). */
export function reachCount(r: ReachIntervals, i: number): number {
  let count = 0;
  for (let k = r.offset[i]; k < r.offset[i + 1]; k++) {
    count += r.ranges[2 * k + 1] - r.ranges[2 * k] + 1;
  }
  return count;
}

/**
 * Values at positions 0 .. n-1 (initially none) with the least value over a range:
 * a segment tree. Values are non-negative integers.
 */
export class MinTree {
  readonly #size: number;
  readonly #tree: Int32Array;

  /** A tree over `n` positions, all empty. */
  constructor(n: number) {
    let size = 1;
    while (size < n) size *= 2;
    this.#size = size;
    this.#tree = new Int32Array(2 * size).fill(MinTree.NONE);
  }

  /** What {@linkcode min} gives for a range without values. */
  static readonly NONE = 0x7fffffff;

  /** Sets position `at` to `value` ({@linkcode MinTree.NONE} clears it). */
  set(at: number, value: number): void {
    const t = this.#tree;
    let i = at + this.#size;
    t[i] = value;
    for (i >>= 1; i >= 1; i >>= 1) {
      const m = Math.min(t[2 * i], t[2 * i + 1]);
      if (t[i] === m) break;
      t[i] = m;
    }
  }

  /** The least value at positions `from` .. `to` (inclusive), or {@linkcode MinTree.NONE}. */
  min(from: number, to: number): number {
    const t = this.#tree;
    let best = MinTree.NONE;
    let lo = from + this.#size;
    let hi = to + this.#size + 1;
    while (lo < hi) {
      if (lo & 1) best = Math.min(best, t[lo++]);
      if (hi & 1) best = Math.min(best, t[--hi]);
      lo >>= 1;
      hi >>= 1;
    }
    return best;
  }
}
