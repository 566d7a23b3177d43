import assert from "node:assert/strict";
import { StateError } from "../errors.ts";
import { applyStep, applySteps, type RevisionLookup } from "./heads.ts";
import type { Step } from "./types.ts";

/** A lookup from explicit normalized down revisions (dependencies already folded in). */
function lookupOf(graph: Record<string, string[]>): RevisionLookup {
  return {
    normalizedDownRevisions(id) {
      const down = graph[id];
      if (!down) throw new Error(`unknown revision ${id}`);
      return down;
    },
    ancestors(ids) {
      const seen = new Set<string>();
      const todo = [...ids];
      while (todo.length > 0) {
        const id = todo.pop()!;
        if (seen.has(id)) continue;
        seen.add(id);
        todo.push(...(graph[id] ?? []));
      }
      return seen;
    },
  };
}

//   a -> b -> x1 ---> m -> n        r (second root)
//          |     \-> x2 /
//          \-> y1 ----/
// liberty -> m1 -> m2 -> oe1 (expand) -> pe1 (expand)
//                    \-> oc1 (contract, depends_on oe1)
const graph = lookupOf({
  a: [],
  b: ["a"],
  x1: ["b"],
  x2: ["x1"],
  y1: ["b"],
  m: ["x1", "y1"],
  n: ["m"],
  r: [],
  liberty: [],
  m1: ["liberty"],
  m2: ["m1"],
  oe1: ["m2"],
  oc1: ["m2", "oe1"],
  pe1: ["oe1"],
});

const up = (revision: string): Step => ({
  kind: "migrate",
  direction: "up",
  revision,
  from: [],
  to: [revision],
});
const down = (revision: string): Step => ({
  kind: "migrate",
  direction: "down",
  revision,
  from: [revision],
  to: [],
});
const stamp = (
  direction: "up" | "down",
  from: string[],
  to: string[],
  branchMove = false,
): Step => ({ kind: "stamp", direction, from, to, branchMove });

Deno.test("applyStep: upgrading a base inserts it", () => {
  assert.deepEqual(applyStep(graph, [], up("a")), {
    heads: ["a"],
    ops: [{ op: "insert", rev: "a" }],
  });
});

Deno.test("applyStep: linear upgrade and downgrade update the row", () => {
  assert.deepEqual(applyStep(graph, ["a"], up("b")), {
    heads: ["b"],
    ops: [{ op: "update", from: "a", to: "b" }],
  });
  assert.deepEqual(applyStep(graph, ["b"], down("b")), {
    heads: ["a"],
    ops: [{ op: "update", from: "b", to: "a" }],
  });
});

Deno.test("applyStep: second branch off a branch point inserts", () => {
  const first = applyStep(graph, ["b"], up("x1"));
  assert.deepEqual(first.ops, [{ op: "update", from: "b", to: "x1" }]);
  assert.deepEqual(applyStep(graph, first.heads, up("y1")), {
    heads: ["x1", "y1"],
    ops: [{ op: "insert", rev: "y1" }],
  });
});

Deno.test("applyStep: merge deletes one parent and updates the other", () => {
  assert.deepEqual(applyStep(graph, ["x1", "y1"], up("m")), {
    heads: ["m"],
    ops: [{ op: "delete", rev: "x1" }, { op: "update", from: "y1", to: "m" }],
  });
});

Deno.test("applyStep: merge with one parent present is a plain update", () => {
  assert.deepEqual(applyStep(graph, ["x1"], up("m")).ops, [
    { op: "update", from: "x1", to: "m" },
  ]);
});

Deno.test("applyStep: merge ignores parents implied by an unrelated head", () => {
  // r is unrelated; both parents are present and neither is an ancestor of r.
  assert.deepEqual(applyStep(graph, ["r", "x1", "y1"], up("m")), {
    heads: ["m", "r"],
    ops: [{ op: "delete", rev: "x1" }, { op: "update", from: "y1", to: "m" }],
  });
});

Deno.test("applyStep: downgrading a merge unmerges (insert + update)", () => {
  assert.deepEqual(applyStep(graph, ["m"], down("m")), {
    heads: ["x1", "y1"],
    ops: [{ op: "insert", rev: "x1" }, { op: "update", from: "m", to: "y1" }],
  });
});

Deno.test("applyStep: unmerge skips a parent still implied by another head", () => {
  // x2 implies x1, so only y1 comes back: a plain update.
  assert.deepEqual(applyStep(graph, ["m", "x2"], down("m")), {
    heads: ["x2", "y1"],
    ops: [{ op: "update", from: "m", to: "y1" }],
  });
  // An unrelated head implies neither parent.
  assert.deepEqual(applyStep(graph, ["m", "r"], down("m")).heads, ["r", "x1", "y1"]);
});

Deno.test("applyStep: downgrading a branch whose parent another head implies deletes it", () => {
  assert.deepEqual(applyStep(graph, ["x1", "y1"], down("y1")), {
    heads: ["x1"],
    ops: [{ op: "delete", rev: "y1" }],
  });
});

Deno.test("applyStep: downgrading a base deletes it", () => {
  assert.deepEqual(applyStep(graph, ["a", "r"], down("a")), {
    heads: ["r"],
    ops: [{ op: "delete", rev: "a" }],
  });
});

Deno.test("applyStep: depends_on: contract pulls in expand, then both row sets shrink", () => {
  // contract@head from m2 runs oe1 then oc1; oe1 becomes implied by oc1.
  const upgraded = applySteps(graph, ["m2"], [up("oe1"), up("oc1")]);
  assert.deepEqual(upgraded, {
    heads: ["oc1"],
    ops: [{ op: "update", from: "m2", to: "oe1" }, { op: "update", from: "oe1", to: "oc1" }],
  });
  // expand@base: oc1 goes first and unmerges into m2 + oe1; oe1 then goes away as m2 remains.
  const downgraded = applySteps(graph, ["oc1"], [down("oc1"), down("oe1")]);
  assert.deepEqual(downgraded, {
    heads: ["m2"],
    ops: [
      { op: "insert", rev: "m2" },
      { op: "update", from: "oc1", to: "oe1" },
      { op: "delete", rev: "oe1" },
    ],
  });
});

Deno.test("applyStep: depends_on: contract on top of an existing expand head", () => {
  assert.deepEqual(applyStep(graph, ["oe1"], up("oc1")), {
    heads: ["oc1"],
    ops: [{ op: "update", from: "oe1", to: "oc1" }],
  });
  // Alone, downgrading the contract brings back both its down revision and its dependency,
  // even though m2 is an ancestor of oe1 (Alembic leaves the redundant row too).
  assert.deepEqual(applyStep(graph, ["oc1"], down("oc1")).heads, ["m2", "oe1"]);
});

Deno.test("applyStep: depends_on: contract whose dependency remains under another head", () => {
  // pe1 implies oe1 and m2, so downgrading oc1 leaves nothing to re-create: delete.
  assert.deepEqual(applyStep(graph, ["oc1", "pe1"], down("oc1")), {
    heads: ["pe1"],
    ops: [{ op: "delete", rev: "oc1" }],
  });
  // Upgrading oc1 while pe1 is a head: oe1 is not a row, so oc1 is a new row.
  assert.deepEqual(applyStep(graph, ["pe1"], up("oc1")), {
    heads: ["oc1", "pe1"],
    ops: [{ op: "insert", rev: "oc1" }],
  });
});

Deno.test("applyStep: stamp up and down along a line update the row", () => {
  assert.deepEqual(applyStep(graph, ["a"], stamp("up", ["a"], ["n"])).ops, [
    { op: "update", from: "a", to: "n" },
  ]);
  assert.deepEqual(applyStep(graph, ["n"], stamp("down", ["n"], ["b"])).ops, [
    { op: "update", from: "n", to: "b" },
  ]);
});

Deno.test("applyStep: stamp branch_move inserts and deletes", () => {
  assert.deepEqual(applyStep(graph, ["a"], stamp("up", [], ["r"], true)), {
    heads: ["a", "r"],
    ops: [{ op: "insert", rev: "r" }],
  });
  assert.deepEqual(applyStep(graph, ["a", "r"], stamp("down", ["r"], [], true)), {
    heads: ["a"],
    ops: [{ op: "delete", rev: "r" }],
  });
});

Deno.test("applyStep: stamp merge and unmerge", () => {
  assert.deepEqual(applyStep(graph, ["x1", "y1"], stamp("up", ["x1", "y1"], ["n"])), {
    heads: ["n"],
    ops: [{ op: "delete", rev: "x1" }, { op: "update", from: "y1", to: "n" }],
  });
  assert.deepEqual(applyStep(graph, ["n"], stamp("down", ["n"], ["x1", "y1"])), {
    heads: ["x1", "y1"],
    ops: [{ op: "insert", rev: "x1" }, { op: "update", from: "n", to: "y1" }],
  });
});

Deno.test("applySteps: stamping up from one head to two descendants inserts the second", () => {
  // Alembic's _stamp_revs yields one step per destination, both starting from b.
  const steps = [stamp("up", ["b"], ["x1"]), stamp("up", ["b"], ["y1"])];
  assert.deepEqual(applySteps(graph, ["b"], steps), {
    heads: ["x1", "y1"],
    ops: [{ op: "update", from: "b", to: "x1" }, { op: "insert", rev: "y1" }],
  });
});

Deno.test("applySteps: stamping down from a merge to both parents refuses up front", () => {
  // Alembic writes m -> x1, then fails on m -> y1 because m is gone.
  const steps = [stamp("down", ["m"], ["x1"]), stamp("down", ["m"], ["y1"])];
  assert.throws(
    () => applySteps(graph, ["m"], steps),
    (e) => e instanceof StateError && /'m'/.test(e.message) && /y1/.test(e.message),
  );
});

Deno.test("applyStep: error cases throw StateError", () => {
  const cases: [string[], Step, RegExp][] = [
    // _update_version: target already present.
    [["a", "b"], up("b"), /already a version row/],
    // UPDATE that matches no row.
    [["x1"], down("b"), /no version row 'b'/],
    // Merge downgrade when the merge is not a head and neither parent is either.
    [["a"], down("m"), /ambiguous/],
    // Insert of a row that exists (stamp up with a new branch already there).
    [["a", "r"], stamp("up", ["x"], ["r", "a"]), /unmerge|already/],
    [["a"], stamp("down", [], ["a"]), /source/],
    [["a", "a"], up("b"), /duplicate/],
  ];
  for (const [heads, step, pattern] of cases) {
    assert.throws(
      () => applyStep(graph, heads, step),
      (e) => e instanceof StateError && pattern.test(e.message),
      JSON.stringify([heads, step]),
    );
  }
});

Deno.test("applySteps: returns no ops when a later step fails", () => {
  assert.throws(() => applySteps(graph, ["a"], [up("b"), up("b")]), StateError);
});
