import assert from "node:assert/strict";
import { prng } from "../../tests/support/random_graph.ts";
import { MinTree, reachCount, reachIntervals } from "./reach.ts";

/** A random DAG on shuffled node numbers: edges go from a later to an earlier rank. */
function randomDag(rnd: () => number, n: number): number[][] {
  const rank = [...Array(n).keys()].sort(() => rnd() - 0.5);
  const out: number[][] = Array.from({ length: n }, () => []);
  for (let r = 1; r < n; r++) {
    const k = rnd() < 0.2 ? 2 + Math.floor(rnd() * 3) : rnd() < 0.9 ? 1 : 0;
    const targets = new Set<number>();
    for (let j = 0; j < k; j++) targets.add(rank[Math.floor(rnd() * r)]);
    out[rank[r]] = [...targets];
  }
  return out;
}

function reachSet(out: number[][], i: number): Set<number> {
  const seen = new Set<number>();
  const todo = [i];
  while (todo.length > 0) {
    const j = todo.pop()!;
    if (seen.has(j)) continue;
    seen.add(j);
    todo.push(...out[j]);
  }
  return seen;
}

Deno.test("reachIntervals: the ranges hold exactly what each node reaches", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rnd = prng(seed);
    const n = 1 + Math.floor(rnd() * 60);
    const out = randomDag(rnd, n);
    const r = reachIntervals(n, (i) => out[i], 1e9)!;
    assert.deepEqual([...r.pre].sort((a, b) => a - b), [...Array(n).keys()], `seed ${seed}`);
    for (let i = 0; i < n; i++) {
      const expected = [...reachSet(out, i)].map((j) => r.pre[j]).sort((a, b) => a - b);
      const got: number[] = [];
      for (let k = r.offset[i]; k < r.offset[i + 1]; k++) {
        const [from, to] = [r.ranges[2 * k], r.ranges[2 * k + 1]];
        // sorted, disjoint and not adjacent
        if (got.length > 0) assert.ok(from > got[got.length - 1] + 1, `seed ${seed}`);
        for (let p = from; p <= to; p++) got.push(p);
      }
      assert.deepEqual(got, expected, `seed ${seed}, node ${i}`);
      assert.equal(reachCount(r, i), expected.length);
    }
  }
});

Deno.test("reachIntervals: a chain and two chains with cross edges need one or two ranges", () => {
  const n = 1000;
  const chain = reachIntervals(n, (i) => (i === 0 ? [] : [i - 1]), 0 + n)!;
  assert.equal(chain.offset[n], n);
  // Glance: 0 base, odd expand, even contract depending on the expand before it
  const glance = reachIntervals(
    n,
    (i) =>
      i === 0 ? [] : i <= 2 ? (i === 2 ? [0, 1] : [0]) : i % 2 === 0 ? [i - 2, i - 1] : [i - 2],
    2 * n,
  )!;
  for (let i = 0; i < n; i++) assert.ok(glance.offset[i + 1] - glance.offset[i] <= 2, `node ${i}`);
});

Deno.test("reachIntervals: over the budget gives undefined", () => {
  // every node of the upper half reaches every other node of the lower half
  const n = 40;
  const out = (
    i: number,
  ) => (i < n / 2 ? [] : [...Array(n / 2).keys()].filter((j) => j % 2 === i % 2));
  assert.equal(reachIntervals(n, out, n), undefined);
  assert.ok(reachIntervals(n, out, 10 * n));
});

Deno.test("MinTree: the least value over a range, as a scan", () => {
  const rnd = prng(7);
  for (const n of [1, 2, 3, 7, 8, 9, 100]) {
    const tree = new MinTree(n);
    const values = new Array<number>(n).fill(MinTree.NONE);
    for (let step = 0; step < 500; step++) {
      const at = Math.floor(rnd() * n);
      const value = rnd() < 0.3 ? MinTree.NONE : Math.floor(rnd() * 50);
      tree.set(at, value);
      values[at] = value;
      const a = Math.floor(rnd() * n);
      const b = a + Math.floor(rnd() * (n - a));
      assert.equal(tree.min(a, b), Math.min(...values.slice(a, b + 1)), `n ${n}, ${a}..${b}`);
    }
  }
});
