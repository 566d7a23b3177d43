import assert from "node:assert/strict";
import { RevisionError } from "../errors.ts";
import { describeRevision } from "./errors.ts";
import { type Revision, RevisionMap } from "./revision_map.ts";
import { topologicalSort } from "./topo_sort.ts";
import type { RevisionInfo } from "./types.ts";

/**
 * The sort as it was before the slot list: a line-by-line port of Alembic's
 * `_topological_sort` (array of heads, each head's ancestor set scanned in list order),
 * plus bellows' tops. Kept as the reference the fast one must agree with.
 */
function referenceSort(
  map: RevisionMap,
  revisions: Iterable<Revision>,
  heads: Iterable<Revision>,
): string[] {
  const todo = new Set<string>();
  for (const r of revisions) todo.add(r.id);
  const ancestorsOf = (id: string) => new Set(map.ancestorNodes([map.get(id)]).map((r) => r.id));
  const headIds = new Set([...heads].map((r) => r.id).filter((id) => todo.has(id)));
  const below = new Set([...todo].flatMap((id) => map.get(id).normalizedDownRevisions));
  for (const id of todo) if (!below.has(id)) headIds.add(id);
  const currentHeads = [...headIds].sort((a, b) => map.loadIndex(a) - map.loadIndex(b));
  const ancestorsByIdx = currentHeads.map(ancestorsOf);
  const output: string[] = [];
  let idx = 0;
  while (currentHeads.length > 0) {
    const candidate = currentHeads[idx];
    const blocker = ancestorsByIdx.findIndex((anc, i) => i !== idx && anc.has(candidate));
    if (blocker >= 0) {
      idx = blocker;
      continue;
    }
    if (todo.has(candidate)) {
      output.push(candidate);
      todo.delete(candidate);
    }
    const rev = map.get(candidate);
    const toAdd = rev.normalizedDownRevisions.filter((r) =>
      todo.has(r) && !currentHeads.includes(r)
    );
    if (toAdd.length === 0) {
      currentHeads.splice(idx, 1);
      ancestorsByIdx.splice(idx, 1);
      idx = Math.max(idx - 1, 0);
    } else {
      currentHeads[idx] = toAdd[0];
      ancestorsByIdx[idx] = ancestorsOf(toAdd[0]);
      currentHeads.push(...toAdd.slice(1));
      ancestorsByIdx.push(...toAdd.slice(1).map(ancestorsOf));
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

/** mulberry32: a seeded generator, so that a failure names its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random graph: revisions generated in topological order with one to three parents
 * (merges), branch points, several bases, branch labels and `depends_on` on ids and labels
 * (sometimes several, sometimes one an ancestor already has), handed in shuffled so that
 * load order is unrelated to the graph. Some graphs are Glance-like: two chains, every
 * revision of one depending on its partner in the other.
 */
export function randomGraph(rnd: () => number, size: number): RevisionInfo[] {
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const revs: { id: string; down: string[]; labels: string[]; deps: string[] }[] = [];
  const glance = rnd() < 0.25;
  for (let i = 0; i < size; i++) {
    const id = `r${i}`;
    const down = new Set<string>();
    const deps = new Set<string>();
    if (glance && i >= 3) {
      // r(2k+1) expand, r(2k+2) contract on r(2k), r(2k-1): contract depends on expand
      down.add(`r${i - 2}`);
      if (i % 2 === 0) deps.add(`r${i - 1}`);
      if (rnd() < 0.05) down.add(`r${int(0, i - 3)}`);
    } else if (i > 0 && rnd() > 0.1) {
      const k = rnd() < 0.2 ? int(2, 3) : 1;
      // mostly a recent parent, so that chains are long
      for (let j = 0; j < k; j++) {
        down.add(`r${Math.max(0, i - 1 - Math.floor(rnd() * rnd() * i))}`);
      }
    } else if (glance && i > 0) {
      down.add("r0");
    }
    if (i > 0 && rnd() < 0.2) {
      for (let j = int(1, 2); j > 0; j--) {
        const on = revs[int(0, i - 1)];
        if (!down.has(on.id)) deps.add(on.labels.length > 0 && rnd() < 0.5 ? on.labels[0] : on.id);
      }
    }
    const labels = rnd() < 0.08 ? [`l${i}`] : [];
    revs.push({ id, down: [...down], labels, deps: [...deps] });
  }
  for (let i = revs.length - 1; i > 0; i--) {
    const j = int(0, i);
    [revs[i], revs[j]] = [revs[j], revs[i]];
  }
  return revs.map((r) => ({
    id: r.id,
    downRevisions: r.down,
    branchLabels: r.labels,
    dependsOn: r.deps,
    message: "",
  }));
}

/** Random questions for one map: what planning asks (ranges of the graph) and any subset. */
export function randomQuestions(
  map: RevisionMap,
  rnd: () => number,
  count: number,
): [Revision[], Revision[]][] {
  const all = map.loaded();
  const some = (p: number) => all.filter(() => rnd() < p);
  const out: [Revision[], Revision[]][] = [];
  for (let q = 0; q < count; q++) {
    const upper = some(0.1);
    const lower = some(0.05);
    const kind = rnd();
    let revisions: Revision[];
    if (kind < 0.4) {
      // an upgrade: ancestors of the targets, less those of the current revisions
      const done = new Set(map.ancestorNodes(lower));
      revisions = map.ancestorNodes(upper).filter((r) => !done.has(r));
    } else if (kind < 0.7) {
      // a downgrade: descendants of the target among the ancestors of the heads
      const active = new Set(map.ancestorNodes(upper));
      revisions = map.descendantNodes(lower).filter((r) => active.has(r));
    } else {
      revisions = some(rnd());
    }
    const heads = rnd() < 0.5 ? upper : [...upper, ...some(0.05)];
    out.push([revisions, heads]);
  }
  return out;
}

function outcome(sort: () => string[]): string[] | string {
  try {
    return sort();
  } catch (err) {
    if (err instanceof RevisionError) return `error: ${err.message}`;
    throw err;
  }
}

Deno.test("topologicalSort gives the reference order on random graphs (both blocker searches)", () => {
  let questions = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const rnd = prng(seed);
    const size = seed % 10 === 0 ? 200 : 2 + Math.floor(rnd() * 40);
    const map = new RevisionMap(randomGraph(rnd, size));
    for (const [revisions, heads] of randomQuestions(map, rnd, 12)) {
      const expected = outcome(() => referenceSort(map, revisions, heads));
      for (const ranges of [true, false]) {
        assert.deepEqual(
          outcome(() => topologicalSort(map, revisions, heads, { ranges })),
          expected,
          `seed ${seed}, ranges ${ranges}, revisions ${revisions.map((r) => r.id)}, heads ${
            heads.map((r) => r.id)
          }`,
        );
      }
      questions++;
    }
  }
  assert.equal(questions, 3600);
});

Deno.test("topologicalSort: Glance-shaped history, upgrade order as Alembic's", () => {
  const revs: RevisionInfo[] = [{
    id: "base0",
    downRevisions: [],
    branchLabels: [],
    dependsOn: [],
    message: "",
  }];
  for (let i = 1; i <= 3; i++) {
    const prev = (kind: string) => (i === 1 ? "base0" : `${kind}${i - 1}`);
    revs.push({
      id: `e${i}`,
      downRevisions: [prev("e")],
      branchLabels: [],
      dependsOn: [],
      message: "",
    });
    revs.push({
      id: `c${i}`,
      downRevisions: [prev("c")],
      branchLabels: [],
      dependsOn: [`e${i}`],
      message: "",
    });
  }
  const map = new RevisionMap(revs);
  const order = map.topologicalSort(map.loaded(), map.realHeads.map((id) => map.get(id)));
  // Alembic 1.8: contracts first down to the first, then the expand chain, then the base
  assert.deepEqual(order, ["c3", "c2", "c1", "e3", "e2", "e1", "base0"]);
  assert.deepEqual(order, referenceSort(map, map.loaded(), map.realHeads.map((id) => map.get(id))));
});
