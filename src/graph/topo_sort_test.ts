import assert from "node:assert/strict";
import { RevisionError } from "../errors.ts";
import { describeRevision } from "./errors.ts";
import { type Revision, RevisionMap } from "./revision_map.ts";
import { topologicalSort } from "./topo_sort.ts";
import type { RevisionInfo } from "./types.ts";
import { rev } from "./testdata/graphs.ts";
import { prng, randomGraph, randomQuestions } from "../../tests/support/random_graph.ts";

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
  const revs: RevisionInfo[] = [rev("base0")];
  for (let i = 1; i <= 3; i++) {
    const prev = (kind: string) => (i === 1 ? "base0" : `${kind}${i - 1}`);
    revs.push(rev(`e${i}`, [prev("e")]));
    revs.push(rev(`c${i}`, [prev("c")], { deps: [`e${i}`] }));
  }
  const map = new RevisionMap(revs);
  const order = map.topologicalSort(map.loaded(), map.realHeads.map((id) => map.get(id)));
  // Alembic 1.8: contracts first down to the first, then the expand chain, then the base
  assert.deepEqual(order, ["c3", "c2", "c1", "e3", "e2", "e1", "base0"]);
  assert.deepEqual(order, referenceSort(map, map.loaded(), map.realHeads.map((id) => map.get(id))));
});

Deno.test("topologicalSort: parallel branches depending on each other level by level (ranges, order)", () => {
  // k branches; at each level branch j depends on branch j-1 (Glance is k = 2)
  const k = 6;
  const revs: RevisionInfo[] = [rev("root0")];
  for (let level = 1; level <= 300; level++) {
    for (let j = 0; j < k; j++) {
      revs.push(
        rev(`l${j}_${level}`, [level === 1 ? "root0" : `l${j}_${level - 1}`], {
          deps: j > 0 ? [`l${j - 1}_${level}`] : [],
        }),
      );
    }
  }
  const map = new RevisionMap(revs);
  for (const ranges of [map.descendantRanges()!, map.ancestorRanges()!]) {
    // at most one range per branch: each branch is numbered in one run
    for (let i = 0; i < map.size; i++) assert.ok(ranges.offset[i + 1] - ranges.offset[i] <= k);
  }
  const heads = map.realHeads.map((id) => map.get(id));
  assert.deepEqual(
    map.topologicalSort(map.loaded(), heads),
    referenceSort(map, map.loaded(), heads),
  );
});
