import assert from "node:assert/strict";
import { RevisionError } from "../errors.ts";
import {
  currentRevisions,
  historyRange,
  iterateRevisions,
  parseHistoryRange,
  planDowngrade,
  planStamp,
  planUpgrade,
} from "./plan.ts";
import { RevisionMap } from "./revision_map.ts";
import { assertAlembicError } from "./targets_test.ts";
import { type GraphName, GRAPHS, rev } from "./testdata/graphs.ts";
import type { MigrateStep, StampStep } from "./types.ts";

/** [revision, from (no deps), to (no deps)] of one RevisionStep, in run order. */
type M = [string, string[], string[]];
/** [direction, from, to, branch_move] of one StampStep. */
type S = ["up" | "down", string[], string[], boolean];
type Expect<T> = T[] | { error: string };

const maps = new Map<GraphName, RevisionMap>();
function mapOf(name: GraphName): RevisionMap {
  if (!maps.has(name)) maps.set(name, new RevisionMap(GRAPHS[name]));
  return maps.get(name)!;
}

function migrate(steps: MigrateStep[], direction: "up" | "down"): M[] {
  for (const s of steps) {
    assert.equal(s.kind, "migrate");
    assert.equal(s.direction, direction);
  }
  return steps.map((s) => [s.revision, [...s.from], [...s.to]]);
}

function stamp(steps: StampStep[]): S[] {
  for (const s of steps) assert.equal(s.kind, "stamp");
  return steps.map((s) => [s.direction, [...s.from], [...s.to], s.branchMove]);
}

// [graph, version rows, target, steps of ScriptDirectory._upgrade_revs(target, rows)]
// as real Alembic 1.8.1 planned them (`alembic upgrade <target>` on SQLite).
const UPGRADES: [GraphName, string[], string, Expect<M>][] = [
  ["linear", [], "head", [
    ["1975ea83b712", [], ["1975ea83b712"]],
    ["ae1027a6acf", ["1975ea83b712"], ["ae1027a6acf"]],
    ["27c6a30d7c24", ["ae1027a6acf"], ["27c6a30d7c24"]],
    ["ae10ff0001", ["27c6a30d7c24"], ["ae10ff0001"]],
  ]],
  ["linear", [], "heads", [
    ["1975ea83b712", [], ["1975ea83b712"]],
    ["ae1027a6acf", ["1975ea83b712"], ["ae1027a6acf"]],
    ["27c6a30d7c24", ["ae1027a6acf"], ["27c6a30d7c24"]],
    ["ae10ff0001", ["27c6a30d7c24"], ["ae10ff0001"]],
  ]],
  ["linear", [], "base", []],
  ["linear", [], "+1", [["1975ea83b712", [], ["1975ea83b712"]]]],
  ["linear", [], "+2", [["1975ea83b712", [], ["1975ea83b712"]], ["ae1027a6acf", ["1975ea83b712"], [
    "ae1027a6acf",
  ]]]],
  ["linear", [], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["linear", [], "+9", { "error": "Relative revision +9 didn't produce 9 migrations" }],
  ["linear", [], "head-1", [["1975ea83b712", [], ["1975ea83b712"]], ["ae1027a6acf", [
    "1975ea83b712",
  ], ["ae1027a6acf"]], ["27c6a30d7c24", ["ae1027a6acf"], ["27c6a30d7c24"]]]],
  ["linear", [], "base+2", [["1975ea83b712", [], ["1975ea83b712"]], ["ae1027a6acf", [
    "1975ea83b712",
  ], ["ae1027a6acf"]]]],
  ["linear", [], "1975", [["1975ea83b712", [], ["1975ea83b712"]]]],
  ["linear", [], "ae10", { "error": "Can't locate revision identified by 'ae10'" }],
  ["linear", [], "ae1027", [["1975ea83b712", [], ["1975ea83b712"]], ["ae1027a6acf", [
    "1975ea83b712",
  ], ["ae1027a6acf"]]]],
  ["linear", [], "27c6a30d7c24-1", [["1975ea83b712", [], ["1975ea83b712"]], ["ae1027a6acf", [
    "1975ea83b712",
  ], ["ae1027a6acf"]]]],
  ["linear", [], "27c6+1", [
    ["1975ea83b712", [], ["1975ea83b712"]],
    ["ae1027a6acf", ["1975ea83b712"], ["ae1027a6acf"]],
    ["27c6a30d7c24", ["ae1027a6acf"], ["27c6a30d7c24"]],
    ["ae10ff0001", ["27c6a30d7c24"], ["ae10ff0001"]],
  ]],
  ["linear", [], "ae1027a6acf@head", [
    ["1975ea83b712", [], ["1975ea83b712"]],
    ["ae1027a6acf", ["1975ea83b712"], ["ae1027a6acf"]],
    ["27c6a30d7c24", ["ae1027a6acf"], ["27c6a30d7c24"]],
    ["ae10ff0001", ["27c6a30d7c24"], ["ae10ff0001"]],
  ]],
  ["linear", [], "x", { "error": "Can't locate revision identified by 'x'" }],
  ["linear", [], "1a", { "error": "Can't locate revision identified by '1a'" }],
  ["linear", [], "19", [["1975ea83b712", [], ["1975ea83b712"]]]],
  ["linear", ["27c6a30d7c24"], "head", [["ae10ff0001", ["27c6a30d7c24"], ["ae10ff0001"]]]],
  ["linear", ["27c6a30d7c24"], "heads", [["ae10ff0001", ["27c6a30d7c24"], ["ae10ff0001"]]]],
  ["linear", ["27c6a30d7c24"], "base", []],
  ["linear", ["27c6a30d7c24"], "+1", [["ae10ff0001", ["27c6a30d7c24"], ["ae10ff0001"]]]],
  ["linear", ["27c6a30d7c24"], "+2", {
    "error": "Relative revision +2 didn't produce 2 migrations",
  }],
  ["linear", ["27c6a30d7c24"], "-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["linear", ["27c6a30d7c24"], "+9", {
    "error": "Relative revision +9 didn't produce 9 migrations",
  }],
  ["linear", ["27c6a30d7c24"], "head-1", []],
  ["linear", ["27c6a30d7c24"], "base+2", []],
  ["linear", ["27c6a30d7c24"], "1975", []],
  ["linear", ["27c6a30d7c24"], "ae10", { "error": "Can't locate revision identified by 'ae10'" }],
  ["linear", ["27c6a30d7c24"], "ae1027", []],
  ["linear", ["27c6a30d7c24"], "27c6a30d7c24-1", []],
  ["linear", ["27c6a30d7c24"], "27c6+1", [["ae10ff0001", ["27c6a30d7c24"], ["ae10ff0001"]]]],
  ["linear", ["27c6a30d7c24"], "ae1027a6acf@head", [["ae10ff0001", ["27c6a30d7c24"], [
    "ae10ff0001",
  ]]]],
  ["linear", ["27c6a30d7c24"], "x", { "error": "Can't locate revision identified by 'x'" }],
  ["linear", ["27c6a30d7c24"], "1a", { "error": "Can't locate revision identified by '1a'" }],
  ["linear", ["27c6a30d7c24"], "19", []],
  ["branches", [], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "heads", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
  ]],
  ["branches", [], "base", []],
  ["branches", [], "+1", [["a0base01", [], ["a0base01"]]]],
  ["branches", [], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["branches", [], "head-1", {
    "error":
      "Multiple head revisions are present for given argument 'head-1'; please specify a specific target revision, '<branchname>@head-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "heads-1", {
    "error":
      "Multiple head revisions are present for given argument 'heads-1'; please specify a specific target revision, '<branchname>@heads-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "expand", [["a0base01", [], ["a0base01"]], ["b1point2", ["a0base01"], [
    "b1point2",
  ]], ["e1aa", ["b1point2"], ["e1aa"]]]],
  ["branches", [], "contract", [["a0base01", [], ["a0base01"]], ["b1point2", ["a0base01"], [
    "b1point2",
  ]], ["c1dd", ["b1point2"], ["c1dd"]]]],
  ["branches", [], "expand@head", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
  ]],
  ["branches", [], "contract@head", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
  ]],
  ["branches", [], "expand@heads", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
  ]],
  ["branches", [], "expand@base", []],
  ["branches", [], "expand@+1", [["a0base01", [], ["a0base01"]]]],
  ["branches", [], "contract@+1", [["a0base01", [], ["a0base01"]]]],
  ["branches", [], "contract@-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["branches", [], "expand@e2bb", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
  ]],
  ["branches", [], "contract@e2bb", { "error": "Can't locate revision identified by 'e2bb'" }],
  ["branches", [], "e2bb@head", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
  ]],
  ["branches", [], "nosuch@head", { "error": "Can't locate revision identified by 'nosuch'" }],
  ["branches", [], "expand@+2", [["a0base01", [], ["a0base01"]], ["b1point2", ["a0base01"], [
    "b1point2",
  ]]]],
  ["branches", [], "b1point2+1", { "error": "Ambiguous walk" }],
  ["branches", [], "e1aa+1", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
  ]],
  ["branches", [], "b1point2@head", {
    "error":
      "Multiple head revisions are present for given argument 'b1point2@head'; please specify a specific target revision, '<branchname>@b1point2@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "expand@e2bb+1", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
  ]],
  ["branches", [], "c1dd-1", [["a0base01", [], ["a0base01"]], ["b1point2", ["a0base01"], [
    "b1point2",
  ]]]],
  ["branches", [], "e", { "error": "Can't locate revision identified by 'e'" }],
  ["branches", [], "c", { "error": "Can't locate revision identified by 'c'" }],
  ["branches", ["e2bb"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "heads", [["c1dd", ["b1point2"], ["c1dd"]], ["c2ee", ["c1dd"], ["c2ee"]], [
    "e3cc",
    ["e2bb"],
    ["e3cc"],
  ]]],
  ["branches", ["e2bb"], "base", []],
  ["branches", ["e2bb"], "+1", [["e3cc", ["e2bb"], ["e3cc"]]]],
  ["branches", ["e2bb"], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["branches", ["e2bb"], "head-1", {
    "error":
      "Multiple head revisions are present for given argument 'head-1'; please specify a specific target revision, '<branchname>@head-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "heads-1", {
    "error":
      "Multiple head revisions are present for given argument 'heads-1'; please specify a specific target revision, '<branchname>@heads-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "expand", []],
  ["branches", ["e2bb"], "contract", [["c1dd", ["b1point2"], ["c1dd"]]]],
  ["branches", ["e2bb"], "expand@head", [["e3cc", ["e2bb"], ["e3cc"]]]],
  ["branches", ["e2bb"], "contract@head", [["c1dd", ["b1point2"], ["c1dd"]], ["c2ee", ["c1dd"], [
    "c2ee",
  ]]]],
  ["branches", ["e2bb"], "expand@heads", [["e3cc", ["e2bb"], ["e3cc"]]]],
  ["branches", ["e2bb"], "expand@base", []],
  ["branches", ["e2bb"], "expand@+1", [["e3cc", ["e2bb"], ["e3cc"]]]],
  ["branches", ["e2bb"], "contract@+1", [["c1dd", ["b1point2"], ["c1dd"]]]],
  ["branches", ["e2bb"], "contract@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["branches", ["e2bb"], "expand@e2bb", []],
  ["branches", ["e2bb"], "contract@e2bb", {
    "error": "Can't locate revision identified by 'e2bb'",
  }],
  ["branches", ["e2bb"], "e2bb@head", [["e3cc", ["e2bb"], ["e3cc"]]]],
  ["branches", ["e2bb"], "nosuch@head", {
    "error": "Can't locate revision identified by 'nosuch'",
  }],
  ["branches", ["e2bb"], "expand@+2", {
    "error": "Relative revision +2 didn't produce 2 migrations",
  }],
  ["branches", ["e2bb"], "b1point2+1", { "error": "Ambiguous walk" }],
  ["branches", ["e2bb"], "e1aa+1", []],
  ["branches", ["e2bb"], "b1point2@head", {
    "error":
      "Multiple head revisions are present for given argument 'b1point2@head'; please specify a specific target revision, '<branchname>@b1point2@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "expand@e2bb+1", [["e3cc", ["e2bb"], ["e3cc"]]]],
  ["branches", ["e2bb"], "c1dd-1", []],
  ["branches", ["e2bb"], "e", { "error": "Can't locate revision identified by 'e'" }],
  ["branches", ["e2bb"], "c", { "error": "Can't locate revision identified by 'c'" }],
  ["branches", ["e3cc", "c2ee"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "heads", []],
  ["branches", ["e3cc", "c2ee"], "base", []],
  ["branches", ["e3cc", "c2ee"], "+1", {
    "error": "Ambiguous upgrade from multiple current revisions",
  }],
  ["branches", ["e3cc", "c2ee"], "-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["branches", ["e3cc", "c2ee"], "head-1", {
    "error":
      "Multiple head revisions are present for given argument 'head-1'; please specify a specific target revision, '<branchname>@head-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "heads-1", {
    "error":
      "Multiple head revisions are present for given argument 'heads-1'; please specify a specific target revision, '<branchname>@heads-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "expand", []],
  ["branches", ["e3cc", "c2ee"], "contract", []],
  ["branches", ["e3cc", "c2ee"], "expand@head", []],
  ["branches", ["e3cc", "c2ee"], "contract@head", []],
  ["branches", ["e3cc", "c2ee"], "expand@heads", []],
  ["branches", ["e3cc", "c2ee"], "expand@base", []],
  ["branches", ["e3cc", "c2ee"], "expand@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["branches", ["e3cc", "c2ee"], "contract@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["branches", ["e3cc", "c2ee"], "contract@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["branches", ["e3cc", "c2ee"], "expand@e2bb", []],
  ["branches", ["e3cc", "c2ee"], "contract@e2bb", {
    "error": "Can't locate revision identified by 'e2bb'",
  }],
  ["branches", ["e3cc", "c2ee"], "e2bb@head", []],
  ["branches", ["e3cc", "c2ee"], "nosuch@head", {
    "error": "Can't locate revision identified by 'nosuch'",
  }],
  ["branches", ["e3cc", "c2ee"], "expand@+2", {
    "error": "Relative revision +2 didn't produce 2 migrations",
  }],
  ["branches", ["e3cc", "c2ee"], "b1point2+1", { "error": "Ambiguous walk" }],
  ["branches", ["e3cc", "c2ee"], "e1aa+1", []],
  ["branches", ["e3cc", "c2ee"], "b1point2@head", {
    "error":
      "Multiple head revisions are present for given argument 'b1point2@head'; please specify a specific target revision, '<branchname>@b1point2@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "expand@e2bb+1", []],
  ["branches", ["e3cc", "c2ee"], "c1dd-1", []],
  ["branches", ["e3cc", "c2ee"], "e", { "error": "Can't locate revision identified by 'e'" }],
  ["branches", ["e3cc", "c2ee"], "c", { "error": "Can't locate revision identified by 'c'" }],
  ["branches", ["e1aa", "c1dd"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "heads", [["c2ee", ["c1dd"], ["c2ee"]], ["e2bb", ["e1aa"], [
    "e2bb",
  ]], ["e3cc", ["e2bb"], ["e3cc"]]]],
  ["branches", ["e1aa", "c1dd"], "base", []],
  ["branches", ["e1aa", "c1dd"], "+1", {
    "error": "Ambiguous upgrade from multiple current revisions",
  }],
  ["branches", ["e1aa", "c1dd"], "-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["branches", ["e1aa", "c1dd"], "head-1", {
    "error":
      "Multiple head revisions are present for given argument 'head-1'; please specify a specific target revision, '<branchname>@head-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "heads-1", {
    "error":
      "Multiple head revisions are present for given argument 'heads-1'; please specify a specific target revision, '<branchname>@heads-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "expand", []],
  ["branches", ["e1aa", "c1dd"], "contract", []],
  ["branches", ["e1aa", "c1dd"], "expand@head", [["e2bb", ["e1aa"], ["e2bb"]], ["e3cc", ["e2bb"], [
    "e3cc",
  ]]]],
  ["branches", ["e1aa", "c1dd"], "contract@head", [["c2ee", ["c1dd"], ["c2ee"]]]],
  ["branches", ["e1aa", "c1dd"], "expand@heads", [["e2bb", ["e1aa"], ["e2bb"]], ["e3cc", ["e2bb"], [
    "e3cc",
  ]]]],
  ["branches", ["e1aa", "c1dd"], "expand@base", []],
  ["branches", ["e1aa", "c1dd"], "expand@+1", [["e2bb", ["e1aa"], ["e2bb"]]]],
  ["branches", ["e1aa", "c1dd"], "contract@+1", [["c2ee", ["c1dd"], ["c2ee"]]]],
  ["branches", ["e1aa", "c1dd"], "contract@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["branches", ["e1aa", "c1dd"], "expand@e2bb", [["e2bb", ["e1aa"], ["e2bb"]]]],
  ["branches", ["e1aa", "c1dd"], "contract@e2bb", {
    "error": "Can't locate revision identified by 'e2bb'",
  }],
  ["branches", ["e1aa", "c1dd"], "e2bb@head", [["e2bb", ["e1aa"], ["e2bb"]], ["e3cc", ["e2bb"], [
    "e3cc",
  ]]]],
  ["branches", ["e1aa", "c1dd"], "nosuch@head", {
    "error": "Can't locate revision identified by 'nosuch'",
  }],
  ["branches", ["e1aa", "c1dd"], "expand@+2", [["e2bb", ["e1aa"], ["e2bb"]], ["e3cc", ["e2bb"], [
    "e3cc",
  ]]]],
  ["branches", ["e1aa", "c1dd"], "b1point2+1", { "error": "Ambiguous walk" }],
  ["branches", ["e1aa", "c1dd"], "e1aa+1", [["e2bb", ["e1aa"], ["e2bb"]]]],
  ["branches", ["e1aa", "c1dd"], "b1point2@head", {
    "error":
      "Multiple head revisions are present for given argument 'b1point2@head'; please specify a specific target revision, '<branchname>@b1point2@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "expand@e2bb+1", [["e2bb", ["e1aa"], ["e2bb"]], [
    "e3cc",
    ["e2bb"],
    ["e3cc"],
  ]]],
  ["branches", ["e1aa", "c1dd"], "c1dd-1", []],
  ["branches", ["e1aa", "c1dd"], "e", { "error": "Can't locate revision identified by 'e'" }],
  ["branches", ["e1aa", "c1dd"], "c", { "error": "Can't locate revision identified by 'c'" }],
  ["merged", [], "head", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
    ["m1ff", ["e3cc", "c2ee"], ["m1ff"]],
    ["m2gg", ["m1ff"], ["m2gg"]],
  ]],
  ["merged", [], "heads", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
    ["m1ff", ["e3cc", "c2ee"], ["m1ff"]],
    ["m2gg", ["m1ff"], ["m2gg"]],
  ]],
  ["merged", [], "base", []],
  ["merged", [], "+1", [["a0base01", [], ["a0base01"]]]],
  ["merged", [], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["merged", [], "contract@head", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
    ["m1ff", ["e3cc", "c2ee"], ["m1ff"]],
    ["m2gg", ["m1ff"], ["m2gg"]],
  ]],
  ["merged", [], "expand@head", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
    ["m1ff", ["e3cc", "c2ee"], ["m1ff"]],
    ["m2gg", ["m1ff"], ["m2gg"]],
  ]],
  ["merged", [], "m1ff", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
    ["m1ff", ["e3cc", "c2ee"], ["m1ff"]],
  ]],
  ["merged", [], "m1ff-1", { "error": "Ambiguous walk" }],
  ["merged", [], "e3cc", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
  ]],
  ["merged", [], "c2ee", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
  ]],
  ["merged", [], "expand@base", []],
  ["merged", [], "expand@-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["merged", [], "m1ff+1", [
    ["a0base01", [], ["a0base01"]],
    ["b1point2", ["a0base01"], ["b1point2"]],
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
    ["e1aa", ["b1point2"], ["e1aa"]],
    ["e2bb", ["e1aa"], ["e2bb"]],
    ["e3cc", ["e2bb"], ["e3cc"]],
    ["m1ff", ["e3cc", "c2ee"], ["m1ff"]],
    ["m2gg", ["m1ff"], ["m2gg"]],
  ]],
  ["merged", ["e3cc"], "head", [["c1dd", ["b1point2"], ["c1dd"]], ["c2ee", ["c1dd"], ["c2ee"]], [
    "m1ff",
    ["e3cc", "c2ee"],
    ["m1ff"],
  ], ["m2gg", ["m1ff"], ["m2gg"]]]],
  ["merged", ["e3cc"], "heads", [["c1dd", ["b1point2"], ["c1dd"]], ["c2ee", ["c1dd"], ["c2ee"]], [
    "m1ff",
    ["e3cc", "c2ee"],
    ["m1ff"],
  ], ["m2gg", ["m1ff"], ["m2gg"]]]],
  ["merged", ["e3cc"], "base", []],
  ["merged", ["e3cc"], "+1", [["c1dd", ["b1point2"], ["c1dd"]], ["c2ee", ["c1dd"], ["c2ee"]], [
    "m1ff",
    ["e3cc", "c2ee"],
    ["m1ff"],
  ]]],
  ["merged", ["e3cc"], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["merged", ["e3cc"], "contract@head", [
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
    ["m1ff", ["e3cc", "c2ee"], ["m1ff"]],
    ["m2gg", ["m1ff"], ["m2gg"]],
  ]],
  ["merged", ["e3cc"], "expand@head", [
    ["c1dd", ["b1point2"], ["c1dd"]],
    ["c2ee", ["c1dd"], ["c2ee"]],
    ["m1ff", ["e3cc", "c2ee"], ["m1ff"]],
    ["m2gg", ["m1ff"], ["m2gg"]],
  ]],
  ["merged", ["e3cc"], "m1ff", [["c1dd", ["b1point2"], ["c1dd"]], ["c2ee", ["c1dd"], ["c2ee"]], [
    "m1ff",
    ["e3cc", "c2ee"],
    ["m1ff"],
  ]]],
  ["merged", ["e3cc"], "m1ff-1", { "error": "Ambiguous walk" }],
  ["merged", ["e3cc"], "e3cc", []],
  ["merged", ["e3cc"], "c2ee", [["c1dd", ["b1point2"], ["c1dd"]], ["c2ee", ["c1dd"], ["c2ee"]]]],
  ["merged", ["e3cc"], "expand@base", []],
  ["merged", ["e3cc"], "expand@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["merged", ["e3cc"], "m1ff+1", [["c1dd", ["b1point2"], ["c1dd"]], ["c2ee", ["c1dd"], ["c2ee"]], [
    "m1ff",
    ["e3cc", "c2ee"],
    ["m1ff"],
  ], ["m2gg", ["m1ff"], ["m2gg"]]]],
  ["merged", ["m2gg"], "head", []],
  ["merged", ["m2gg"], "heads", []],
  ["merged", ["m2gg"], "base", []],
  ["merged", ["m2gg"], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["merged", ["m2gg"], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["merged", ["m2gg"], "contract@head", []],
  ["merged", ["m2gg"], "expand@head", []],
  ["merged", ["m2gg"], "m1ff", []],
  ["merged", ["m2gg"], "m1ff-1", { "error": "Ambiguous walk" }],
  ["merged", ["m2gg"], "e3cc", []],
  ["merged", ["m2gg"], "c2ee", []],
  ["merged", ["m2gg"], "expand@base", []],
  ["merged", ["m2gg"], "expand@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["merged", ["m2gg"], "m1ff+1", []],
  ["glance", [], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", [], "heads", [
    ["liberty", [], ["liberty"]],
    ["mitaka01", ["liberty"], ["mitaka01"]],
    ["mitaka02", ["mitaka01"], ["mitaka02"]],
    ["ocata_expand01", ["mitaka02"], ["ocata_expand01"]],
    ["pike_expand01", ["ocata_expand01"], ["pike_expand01"]],
    ["ocata_contract01", ["mitaka02"], ["ocata_contract01"]],
    ["pike_contract01", ["ocata_contract01"], ["pike_contract01"]],
  ]],
  ["glance", [], "base", []],
  ["glance", [], "+1", [["liberty", [], ["liberty"]]]],
  ["glance", [], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["glance", [], "expand@head", [
    ["liberty", [], ["liberty"]],
    ["mitaka01", ["liberty"], ["mitaka01"]],
    ["mitaka02", ["mitaka01"], ["mitaka02"]],
    ["ocata_expand01", ["mitaka02"], ["ocata_expand01"]],
    ["pike_expand01", ["ocata_expand01"], ["pike_expand01"]],
  ]],
  ["glance", [], "contract@head", [
    ["liberty", [], ["liberty"]],
    ["mitaka01", ["liberty"], ["mitaka01"]],
    ["mitaka02", ["mitaka01"], ["mitaka02"]],
    ["ocata_expand01", ["mitaka02"], ["ocata_expand01"]],
    ["pike_expand01", ["ocata_expand01"], ["pike_expand01"]],
    ["ocata_contract01", ["mitaka02"], ["ocata_contract01"]],
    ["pike_contract01", ["ocata_contract01"], ["pike_contract01"]],
  ]],
  ["glance", [], "expand@base", []],
  ["glance", [], "contract@base", []],
  ["glance", [], "expand", [["liberty", [], ["liberty"]], ["mitaka01", ["liberty"], ["mitaka01"]], [
    "mitaka02",
    ["mitaka01"],
    ["mitaka02"],
  ], ["ocata_expand01", ["mitaka02"], ["ocata_expand01"]]]],
  ["glance", [], "contract", [
    ["liberty", [], ["liberty"]],
    ["mitaka01", ["liberty"], ["mitaka01"]],
    ["mitaka02", ["mitaka01"], ["mitaka02"]],
    ["ocata_expand01", ["mitaka02"], ["ocata_expand01"]],
    ["ocata_contract01", ["mitaka02"], ["ocata_contract01"]],
  ]],
  ["glance", [], "ocata_contract01", [
    ["liberty", [], ["liberty"]],
    ["mitaka01", ["liberty"], ["mitaka01"]],
    ["mitaka02", ["mitaka01"], ["mitaka02"]],
    ["ocata_expand01", ["mitaka02"], ["ocata_expand01"]],
    ["ocata_contract01", ["mitaka02"], ["ocata_contract01"]],
  ]],
  ["glance", [], "pike_contract01", [
    ["liberty", [], ["liberty"]],
    ["mitaka01", ["liberty"], ["mitaka01"]],
    ["mitaka02", ["mitaka01"], ["mitaka02"]],
    ["ocata_expand01", ["mitaka02"], ["ocata_expand01"]],
    ["pike_expand01", ["ocata_expand01"], ["pike_expand01"]],
    ["ocata_contract01", ["mitaka02"], ["ocata_contract01"]],
    ["pike_contract01", ["ocata_contract01"], ["pike_contract01"]],
  ]],
  ["glance", [], "pike_expand01", [
    ["liberty", [], ["liberty"]],
    ["mitaka01", ["liberty"], ["mitaka01"]],
    ["mitaka02", ["mitaka01"], ["mitaka02"]],
    ["ocata_expand01", ["mitaka02"], ["ocata_expand01"]],
    ["pike_expand01", ["ocata_expand01"], ["pike_expand01"]],
  ]],
  ["glance", [], "mitaka02", [
    ["liberty", [], ["liberty"]],
    ["mitaka01", ["liberty"], ["mitaka01"]],
    ["mitaka02", ["mitaka01"], ["mitaka02"]],
  ]],
  ["glance", [], "expand@+1", [["liberty", [], ["liberty"]]]],
  ["glance", [], "contract@+1", [["liberty", [], ["liberty"]]]],
  ["glance", [], "expand@-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["glance", [], "contract@-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["glance", [], "ocata", { "error": "Can't locate revision identified by 'ocata'" }],
  ["glance", [], "pike", { "error": "Can't locate revision identified by 'pike'" }],
  ["glance", [], "lib", [["liberty", [], ["liberty"]]]],
  ["glance", [], "mit", { "error": "Can't locate revision identified by 'mit'" }],
  ["glance", ["ocata_expand01"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["ocata_expand01"], "heads", [
    ["pike_expand01", ["ocata_expand01"], ["pike_expand01"]],
    ["ocata_contract01", ["mitaka02"], ["ocata_contract01"]],
    ["pike_contract01", ["ocata_contract01"], ["pike_contract01"]],
  ]],
  ["glance", ["ocata_expand01"], "base", []],
  ["glance", ["ocata_expand01"], "+1", [["pike_expand01", ["ocata_expand01"], ["pike_expand01"]]]],
  ["glance", ["ocata_expand01"], "-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["glance", ["ocata_expand01"], "expand@head", [["pike_expand01", ["ocata_expand01"], [
    "pike_expand01",
  ]]]],
  ["glance", ["ocata_expand01"], "contract@head", [
    ["pike_expand01", ["ocata_expand01"], ["pike_expand01"]],
    ["ocata_contract01", ["mitaka02"], ["ocata_contract01"]],
    ["pike_contract01", ["ocata_contract01"], ["pike_contract01"]],
  ]],
  ["glance", ["ocata_expand01"], "expand@base", []],
  ["glance", ["ocata_expand01"], "contract@base", []],
  ["glance", ["ocata_expand01"], "expand", []],
  ["glance", ["ocata_expand01"], "contract", [["ocata_contract01", ["mitaka02"], [
    "ocata_contract01",
  ]]]],
  ["glance", ["ocata_expand01"], "ocata_contract01", [["ocata_contract01", ["mitaka02"], [
    "ocata_contract01",
  ]]]],
  ["glance", ["ocata_expand01"], "pike_contract01", [
    ["pike_expand01", ["ocata_expand01"], ["pike_expand01"]],
    ["ocata_contract01", ["mitaka02"], ["ocata_contract01"]],
    ["pike_contract01", ["ocata_contract01"], ["pike_contract01"]],
  ]],
  ["glance", ["ocata_expand01"], "pike_expand01", [["pike_expand01", ["ocata_expand01"], [
    "pike_expand01",
  ]]]],
  ["glance", ["ocata_expand01"], "mitaka02", []],
  ["glance", ["ocata_expand01"], "expand@+1", [["pike_expand01", ["ocata_expand01"], [
    "pike_expand01",
  ]]]],
  ["glance", ["ocata_expand01"], "contract@+1", [["ocata_contract01", ["mitaka02"], [
    "ocata_contract01",
  ]]]],
  ["glance", ["ocata_expand01"], "expand@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["glance", ["ocata_expand01"], "contract@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["glance", ["ocata_expand01"], "ocata", {
    "error": "Can't locate revision identified by 'ocata'",
  }],
  ["glance", ["ocata_expand01"], "pike", { "error": "Can't locate revision identified by 'pike'" }],
  ["glance", ["ocata_expand01"], "lib", []],
  ["glance", ["ocata_expand01"], "mit", { "error": "Can't locate revision identified by 'mit'" }],
  ["glance", ["pike_expand01", "ocata_contract01"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "heads", [["pike_contract01", [
    "ocata_contract01",
  ], ["pike_contract01"]]]],
  ["glance", ["pike_expand01", "ocata_contract01"], "base", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "+1", {
    "error": "Ambiguous upgrade from multiple current revisions",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "expand@head", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "contract@head", [["pike_contract01", [
    "ocata_contract01",
  ], ["pike_contract01"]]]],
  ["glance", ["pike_expand01", "ocata_contract01"], "expand@base", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "contract@base", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "expand", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "contract", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "ocata_contract01", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "pike_contract01", [["pike_contract01", [
    "ocata_contract01",
  ], ["pike_contract01"]]]],
  ["glance", ["pike_expand01", "ocata_contract01"], "pike_expand01", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "mitaka02", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "expand@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "contract@+1", [["pike_contract01", [
    "ocata_contract01",
  ], ["pike_contract01"]]]],
  ["glance", ["pike_expand01", "ocata_contract01"], "expand@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "contract@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "ocata", {
    "error": "Can't locate revision identified by 'ocata'",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "pike", {
    "error": "Can't locate revision identified by 'pike'",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "lib", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "mit", {
    "error": "Can't locate revision identified by 'mit'",
  }],
  ["glance", ["pike_contract01"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["pike_contract01"], "heads", []],
  ["glance", ["pike_contract01"], "base", []],
  ["glance", ["pike_contract01"], "+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_contract01"], "-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_contract01"], "expand@head", []],
  ["glance", ["pike_contract01"], "contract@head", []],
  ["glance", ["pike_contract01"], "expand@base", []],
  ["glance", ["pike_contract01"], "contract@base", []],
  ["glance", ["pike_contract01"], "expand", []],
  ["glance", ["pike_contract01"], "contract", []],
  ["glance", ["pike_contract01"], "ocata_contract01", []],
  ["glance", ["pike_contract01"], "pike_contract01", []],
  ["glance", ["pike_contract01"], "pike_expand01", []],
  ["glance", ["pike_contract01"], "mitaka02", []],
  ["glance", ["pike_contract01"], "expand@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_contract01"], "contract@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_contract01"], "expand@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_contract01"], "contract@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_contract01"], "ocata", {
    "error": "Can't locate revision identified by 'ocata'",
  }],
  ["glance", ["pike_contract01"], "pike", {
    "error": "Can't locate revision identified by 'pike'",
  }],
  ["glance", ["pike_contract01"], "lib", []],
  ["glance", ["pike_contract01"], "mit", { "error": "Can't locate revision identified by 'mit'" }],
  ["roots", [], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", [], "heads", [
    ["l1aa", [], ["l1aa"]],
    ["l2bb", ["l1aa"], ["l2bb"]],
    ["r1dd", [], ["r1dd"]],
    ["r2ee", ["r1dd"], ["r2ee"]],
    ["l3cc", ["l2bb"], ["l3cc"]],
  ]],
  ["roots", [], "base", []],
  ["roots", [], "+1", { "error": "Ambiguous walk" }],
  ["roots", [], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["roots", [], "left@head", [["l1aa", [], ["l1aa"]], ["l2bb", ["l1aa"], ["l2bb"]], ["l3cc", [
    "l2bb",
  ], ["l3cc"]]]],
  ["roots", [], "right@head", [["l1aa", [], ["l1aa"]], ["l2bb", ["l1aa"], ["l2bb"]], ["r1dd", [], [
    "r1dd",
  ]], ["r2ee", ["r1dd"], ["r2ee"]]]],
  ["roots", [], "left@base", []],
  ["roots", [], "right@base", []],
  ["roots", [], "left", [["l1aa", [], ["l1aa"]]]],
  ["roots", [], "right", [["r1dd", [], ["r1dd"]]]],
  ["roots", [], "l2bb", [["l1aa", [], ["l1aa"]], ["l2bb", ["l1aa"], ["l2bb"]]]],
  ["roots", [], "r2ee", [["l1aa", [], ["l1aa"]], ["l2bb", ["l1aa"], ["l2bb"]], ["r1dd", [], [
    "r1dd",
  ]], ["r2ee", ["r1dd"], ["r2ee"]]]],
  ["roots", [], "left@+1", [["l1aa", [], ["l1aa"]]]],
  ["roots", [], "right@+1", [["r1dd", [], ["r1dd"]]]],
  ["roots", [], "left@-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["roots", [], "right@-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["roots", ["l3cc"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", ["l3cc"], "heads", [["r1dd", [], ["r1dd"]], ["r2ee", ["r1dd"], ["r2ee"]]]],
  ["roots", ["l3cc"], "base", []],
  ["roots", ["l3cc"], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["roots", ["l3cc"], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["roots", ["l3cc"], "left@head", []],
  ["roots", ["l3cc"], "right@head", [["r1dd", [], ["r1dd"]], ["r2ee", ["r1dd"], ["r2ee"]]]],
  ["roots", ["l3cc"], "left@base", []],
  ["roots", ["l3cc"], "right@base", []],
  ["roots", ["l3cc"], "left", []],
  ["roots", ["l3cc"], "right", [["r1dd", [], ["r1dd"]]]],
  ["roots", ["l3cc"], "l2bb", []],
  ["roots", ["l3cc"], "r2ee", [["r1dd", [], ["r1dd"]], ["r2ee", ["r1dd"], ["r2ee"]]]],
  ["roots", ["l3cc"], "left@+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["roots", ["l3cc"], "right@+1", [["r1dd", [], ["r1dd"]]]],
  ["roots", ["l3cc"], "left@-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["roots", ["l3cc"], "right@-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["roots", ["l3cc", "r2ee"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", ["l3cc", "r2ee"], "heads", []],
  ["roots", ["l3cc", "r2ee"], "base", []],
  ["roots", ["l3cc", "r2ee"], "+1", {
    "error": "Ambiguous upgrade from multiple current revisions",
  }],
  ["roots", ["l3cc", "r2ee"], "-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["roots", ["l3cc", "r2ee"], "left@head", []],
  ["roots", ["l3cc", "r2ee"], "right@head", []],
  ["roots", ["l3cc", "r2ee"], "left@base", []],
  ["roots", ["l3cc", "r2ee"], "right@base", []],
  ["roots", ["l3cc", "r2ee"], "left", []],
  ["roots", ["l3cc", "r2ee"], "right", []],
  ["roots", ["l3cc", "r2ee"], "l2bb", []],
  ["roots", ["l3cc", "r2ee"], "r2ee", []],
  ["roots", ["l3cc", "r2ee"], "left@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["roots", ["l3cc", "r2ee"], "right@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["roots", ["l3cc", "r2ee"], "left@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  ["roots", ["l3cc", "r2ee"], "right@-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
];

// Same for `alembic downgrade <target>` (ScriptDirectory._downgrade_revs).
const DOWNGRADES: [GraphName, string[], string, Expect<M>][] = [
  ["linear", [], "head", {
    "error": "Destination head is not a valid downgrade target from current head(s)",
  }],
  ["linear", [], "heads", {
    "error": "Destination heads is not a valid downgrade target from current head(s)",
  }],
  ["linear", [], "base", []],
  ["linear", [], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["linear", [], "+2", { "error": "Relative revision +2 didn't produce 2 migrations" }],
  ["linear", [], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["linear", [], "+9", { "error": "Relative revision +9 didn't produce 9 migrations" }],
  ["linear", [], "head-1", {
    "error": "Destination head-1 is not a valid downgrade target from current head(s)",
  }],
  ["linear", [], "base+2", {
    "error": "Destination base+2 is not a valid downgrade target from current head(s)",
  }],
  ["linear", [], "heads+1", { "error": "Walked too far" }],
  ["linear", [], "1975", {
    "error": "Destination 1975 is not a valid downgrade target from current head(s)",
  }],
  ["linear", [], "ae10", { "error": "Can't locate revision identified by 'ae10'" }],
  ["linear", [], "ae1027", {
    "error": "Destination ae1027 is not a valid downgrade target from current head(s)",
  }],
  ["linear", [], "27c6a30d7c24-1", {
    "error": "Destination 27c6a30d7c24-1 is not a valid downgrade target from current head(s)",
  }],
  ["linear", [], "27c6+1", {
    "error": "Destination 27c6+1 is not a valid downgrade target from current head(s)",
  }],
  ["linear", [], "ae1027a6acf@head", {
    "error": "Destination ae1027a6acf@head is not a valid downgrade target from current head(s)",
  }],
  ["linear", [], "x", { "error": "Can't locate revision identified by 'x'" }],
  ["linear", [], "ae10ff0001+1", { "error": "Walked too far" }],
  ["linear", [], "1a", { "error": "Can't locate revision identified by '1a'" }],
  ["linear", [], "19", {
    "error": "Destination 19 is not a valid downgrade target from current head(s)",
  }],
  ["linear", ["27c6a30d7c24"], "head", {
    "error": "Destination head is not a valid downgrade target from current head(s)",
  }],
  ["linear", ["27c6a30d7c24"], "heads", {
    "error": "Destination heads is not a valid downgrade target from current head(s)",
  }],
  ["linear", ["27c6a30d7c24"], "base", [["27c6a30d7c24", ["27c6a30d7c24"], ["ae1027a6acf"]], [
    "ae1027a6acf",
    ["ae1027a6acf"],
    ["1975ea83b712"],
  ], ["1975ea83b712", ["1975ea83b712"], []]]],
  ["linear", ["27c6a30d7c24"], "+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["linear", ["27c6a30d7c24"], "+2", {
    "error": "Relative revision +2 didn't produce 2 migrations",
  }],
  ["linear", ["27c6a30d7c24"], "-1", [["27c6a30d7c24", ["27c6a30d7c24"], ["ae1027a6acf"]]]],
  ["linear", ["27c6a30d7c24"], "+9", {
    "error": "Relative revision +9 didn't produce 9 migrations",
  }],
  ["linear", ["27c6a30d7c24"], "head-1", []],
  ["linear", ["27c6a30d7c24"], "base+2", [["27c6a30d7c24", ["27c6a30d7c24"], ["ae1027a6acf"]]]],
  ["linear", ["27c6a30d7c24"], "heads+1", { "error": "Walked too far" }],
  ["linear", ["27c6a30d7c24"], "1975", [["27c6a30d7c24", ["27c6a30d7c24"], ["ae1027a6acf"]], [
    "ae1027a6acf",
    ["ae1027a6acf"],
    ["1975ea83b712"],
  ]]],
  ["linear", ["27c6a30d7c24"], "ae10", { "error": "Can't locate revision identified by 'ae10'" }],
  ["linear", ["27c6a30d7c24"], "ae1027", [["27c6a30d7c24", ["27c6a30d7c24"], ["ae1027a6acf"]]]],
  ["linear", ["27c6a30d7c24"], "27c6a30d7c24-1", [["27c6a30d7c24", ["27c6a30d7c24"], [
    "ae1027a6acf",
  ]]]],
  ["linear", ["27c6a30d7c24"], "27c6+1", {
    "error": "Destination 27c6+1 is not a valid downgrade target from current head(s)",
  }],
  ["linear", ["27c6a30d7c24"], "ae1027a6acf@head", {
    "error": "Destination ae1027a6acf@head is not a valid downgrade target from current head(s)",
  }],
  ["linear", ["27c6a30d7c24"], "x", { "error": "Can't locate revision identified by 'x'" }],
  ["linear", ["27c6a30d7c24"], "ae10ff0001+1", { "error": "Walked too far" }],
  ["linear", ["27c6a30d7c24"], "1a", { "error": "Can't locate revision identified by '1a'" }],
  ["linear", ["27c6a30d7c24"], "19", [["27c6a30d7c24", ["27c6a30d7c24"], ["ae1027a6acf"]], [
    "ae1027a6acf",
    ["ae1027a6acf"],
    ["1975ea83b712"],
  ]]],
  ["branches", [], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "heads", {
    "error":
      "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "base", []],
  ["branches", [], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["branches", [], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["branches", [], "head-1", {
    "error":
      "Multiple head revisions are present for given argument 'head-1'; please specify a specific target revision, '<branchname>@head-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "heads-1", {
    "error":
      "Multiple head revisions are present for given argument 'heads-1'; please specify a specific target revision, '<branchname>@heads-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "expand", {
    "error": "Destination expand is not a valid downgrade target from current head(s)",
  }],
  ["branches", [], "contract", {
    "error": "Destination contract is not a valid downgrade target from current head(s)",
  }],
  ["branches", [], "expand@head", {
    "error":
      "Multiple head revisions are present for given argument 'expand@head'; please specify a specific target revision, '<branchname>@expand@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "contract@head", {
    "error":
      "Multiple head revisions are present for given argument 'contract@head'; please specify a specific target revision, '<branchname>@contract@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "expand@heads", {
    "error":
      "Multiple head revisions are present for given argument 'expand@heads'; please specify a specific target revision, '<branchname>@expand@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "expand@base", []],
  ["branches", [], "expand@+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["branches", [], "contract@+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["branches", [], "expand@e2bb", {
    "error": "Destination expand@e2bb is not a valid downgrade target from current head(s)",
  }],
  ["branches", [], "contract@e2bb", {
    "error": "Destination contract@e2bb is not a valid downgrade target from current head(s)",
  }],
  ["branches", [], "e2bb@head", {
    "error":
      "Multiple head revisions are present for given argument 'e2bb@head'; please specify a specific target revision, '<branchname>@e2bb@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "nosuch@head", {
    "error":
      "Multiple head revisions are present for given argument 'nosuch@head'; please specify a specific target revision, '<branchname>@nosuch@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "expand@+2", { "error": "Relative revision +2 didn't produce 2 migrations" }],
  ["branches", [], "b1point2+1", { "error": "Ambiguous walk" }],
  ["branches", [], "e1aa+1", {
    "error": "Destination e1aa+1 is not a valid downgrade target from current head(s)",
  }],
  ["branches", [], "b1point2@head", {
    "error":
      "Multiple head revisions are present for given argument 'b1point2@head'; please specify a specific target revision, '<branchname>@b1point2@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", [], "expand@e2bb+1", {
    "error": "Destination expand@e2bb+1 is not a valid downgrade target from current head(s)",
  }],
  ["branches", [], "c1dd-1", {
    "error": "Destination c1dd-1 is not a valid downgrade target from current head(s)",
  }],
  ["branches", [], "e", { "error": "Can't locate revision identified by 'e'" }],
  ["branches", [], "c", { "error": "Can't locate revision identified by 'c'" }],
  ["branches", ["e2bb"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "heads", {
    "error":
      "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "base", [["e2bb", ["e2bb"], ["e1aa"]], ["e1aa", ["e1aa"], ["b1point2"]], [
    "b1point2",
    ["b1point2"],
    ["a0base01"],
  ], ["a0base01", ["a0base01"], []]]],
  ["branches", ["e2bb"], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["branches", ["e2bb"], "-1", [["e2bb", ["e2bb"], ["e1aa"]]]],
  ["branches", ["e2bb"], "head-1", {
    "error":
      "Multiple head revisions are present for given argument 'head-1'; please specify a specific target revision, '<branchname>@head-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "heads-1", {
    "error":
      "Multiple head revisions are present for given argument 'heads-1'; please specify a specific target revision, '<branchname>@heads-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "expand", [["e2bb", ["e2bb"], ["e1aa"]]]],
  ["branches", ["e2bb"], "contract", {
    "error": "Destination contract is not a valid downgrade target from current head(s)",
  }],
  ["branches", ["e2bb"], "expand@head", {
    "error":
      "Multiple head revisions are present for given argument 'expand@head'; please specify a specific target revision, '<branchname>@expand@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "contract@head", {
    "error":
      "Multiple head revisions are present for given argument 'contract@head'; please specify a specific target revision, '<branchname>@contract@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "expand@heads", {
    "error":
      "Multiple head revisions are present for given argument 'expand@heads'; please specify a specific target revision, '<branchname>@expand@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "expand@base", [
    ["e2bb", ["e2bb"], ["e1aa"]],
    ["e1aa", ["e1aa"], ["b1point2"]],
    ["b1point2", ["b1point2"], ["a0base01"]],
    ["a0base01", ["a0base01"], []],
  ]],
  ["branches", ["e2bb"], "expand@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["branches", ["e2bb"], "contract@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["branches", ["e2bb"], "expand@e2bb", []],
  ["branches", ["e2bb"], "contract@e2bb", []],
  ["branches", ["e2bb"], "e2bb@head", {
    "error":
      "Multiple head revisions are present for given argument 'e2bb@head'; please specify a specific target revision, '<branchname>@e2bb@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "nosuch@head", {
    "error":
      "Multiple head revisions are present for given argument 'nosuch@head'; please specify a specific target revision, '<branchname>@nosuch@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "expand@+2", {
    "error": "Relative revision +2 didn't produce 2 migrations",
  }],
  ["branches", ["e2bb"], "b1point2+1", { "error": "Ambiguous walk" }],
  ["branches", ["e2bb"], "e1aa+1", []],
  ["branches", ["e2bb"], "b1point2@head", {
    "error":
      "Multiple head revisions are present for given argument 'b1point2@head'; please specify a specific target revision, '<branchname>@b1point2@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e2bb"], "expand@e2bb+1", {
    "error": "Destination expand@e2bb+1 is not a valid downgrade target from current head(s)",
  }],
  ["branches", ["e2bb"], "c1dd-1", [["e2bb", ["e2bb"], ["e1aa"]], ["e1aa", ["e1aa"], [
    "b1point2",
  ]]]],
  ["branches", ["e2bb"], "e", { "error": "Can't locate revision identified by 'e'" }],
  ["branches", ["e2bb"], "c", { "error": "Can't locate revision identified by 'c'" }],
  ["branches", ["e3cc", "c2ee"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "heads", {
    "error":
      "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "base", [
    ["e3cc", ["e3cc"], ["e2bb"]],
    ["e2bb", ["e2bb"], ["e1aa"]],
    ["e1aa", ["e1aa"], ["b1point2"]],
    ["c2ee", ["c2ee"], ["c1dd"]],
    ["c1dd", ["c1dd"], ["b1point2"]],
    ["b1point2", ["b1point2"], ["a0base01"]],
    ["a0base01", ["a0base01"], []],
  ]],
  ["branches", ["e3cc", "c2ee"], "+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["branches", ["e3cc", "c2ee"], "-1", [["e3cc", ["e3cc"], ["e2bb"]]]],
  ["branches", ["e3cc", "c2ee"], "head-1", {
    "error":
      "Multiple head revisions are present for given argument 'head-1'; please specify a specific target revision, '<branchname>@head-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "heads-1", {
    "error":
      "Multiple head revisions are present for given argument 'heads-1'; please specify a specific target revision, '<branchname>@heads-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "expand", [["e3cc", ["e3cc"], ["e2bb"]], ["e2bb", ["e2bb"], [
    "e1aa",
  ]]]],
  ["branches", ["e3cc", "c2ee"], "contract", [["c2ee", ["c2ee"], ["c1dd"]]]],
  ["branches", ["e3cc", "c2ee"], "expand@head", {
    "error":
      "Multiple head revisions are present for given argument 'expand@head'; please specify a specific target revision, '<branchname>@expand@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "contract@head", {
    "error":
      "Multiple head revisions are present for given argument 'contract@head'; please specify a specific target revision, '<branchname>@contract@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "expand@heads", {
    "error":
      "Multiple head revisions are present for given argument 'expand@heads'; please specify a specific target revision, '<branchname>@expand@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "expand@base", [
    ["e3cc", ["e3cc"], ["e2bb"]],
    ["e2bb", ["e2bb"], ["e1aa"]],
    ["e1aa", ["e1aa"], ["b1point2"]],
    ["c2ee", ["c2ee"], ["c1dd"]],
    ["c1dd", ["c1dd"], ["b1point2"]],
    ["b1point2", ["b1point2"], ["a0base01"]],
    ["a0base01", ["a0base01"], []],
  ]],
  ["branches", ["e3cc", "c2ee"], "expand@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["branches", ["e3cc", "c2ee"], "contract@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["branches", ["e3cc", "c2ee"], "contract@-1", [["c2ee", ["c2ee"], ["c1dd"]]]],
  ["branches", ["e3cc", "c2ee"], "expand@e2bb", [["e3cc", ["e3cc"], ["e2bb"]]]],
  ["branches", ["e3cc", "c2ee"], "contract@e2bb", [["e3cc", ["e3cc"], ["e2bb"]]]],
  ["branches", ["e3cc", "c2ee"], "e2bb@head", {
    "error":
      "Multiple head revisions are present for given argument 'e2bb@head'; please specify a specific target revision, '<branchname>@e2bb@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "nosuch@head", {
    "error":
      "Multiple head revisions are present for given argument 'nosuch@head'; please specify a specific target revision, '<branchname>@nosuch@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "expand@+2", {
    "error": "Relative revision +2 didn't produce 2 migrations",
  }],
  ["branches", ["e3cc", "c2ee"], "b1point2+1", { "error": "Ambiguous walk" }],
  ["branches", ["e3cc", "c2ee"], "e1aa+1", [["e3cc", ["e3cc"], ["e2bb"]]]],
  ["branches", ["e3cc", "c2ee"], "b1point2@head", {
    "error":
      "Multiple head revisions are present for given argument 'b1point2@head'; please specify a specific target revision, '<branchname>@b1point2@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e3cc", "c2ee"], "expand@e2bb+1", []],
  ["branches", ["e3cc", "c2ee"], "c1dd-1", [
    ["e3cc", ["e3cc"], ["e2bb"]],
    ["e2bb", ["e2bb"], ["e1aa"]],
    ["e1aa", ["e1aa"], ["b1point2"]],
    ["c2ee", ["c2ee"], ["c1dd"]],
    ["c1dd", ["c1dd"], ["b1point2"]],
  ]],
  ["branches", ["e3cc", "c2ee"], "e", { "error": "Can't locate revision identified by 'e'" }],
  ["branches", ["e3cc", "c2ee"], "c", { "error": "Can't locate revision identified by 'c'" }],
  ["branches", ["e1aa", "c1dd"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "heads", {
    "error":
      "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "base", [
    ["e1aa", ["e1aa"], ["b1point2"]],
    ["c1dd", ["c1dd"], ["b1point2"]],
    ["b1point2", ["b1point2"], ["a0base01"]],
    ["a0base01", ["a0base01"], []],
  ]],
  ["branches", ["e1aa", "c1dd"], "+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["branches", ["e1aa", "c1dd"], "-1", [["e1aa", ["e1aa"], ["b1point2"]]]],
  ["branches", ["e1aa", "c1dd"], "head-1", {
    "error":
      "Multiple head revisions are present for given argument 'head-1'; please specify a specific target revision, '<branchname>@head-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "heads-1", {
    "error":
      "Multiple head revisions are present for given argument 'heads-1'; please specify a specific target revision, '<branchname>@heads-1' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "expand", []],
  ["branches", ["e1aa", "c1dd"], "contract", []],
  ["branches", ["e1aa", "c1dd"], "expand@head", {
    "error":
      "Multiple head revisions are present for given argument 'expand@head'; please specify a specific target revision, '<branchname>@expand@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "contract@head", {
    "error":
      "Multiple head revisions are present for given argument 'contract@head'; please specify a specific target revision, '<branchname>@contract@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "expand@heads", {
    "error":
      "Multiple head revisions are present for given argument 'expand@heads'; please specify a specific target revision, '<branchname>@expand@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "expand@base", [
    ["e1aa", ["e1aa"], ["b1point2"]],
    ["c1dd", ["c1dd"], ["b1point2"]],
    ["b1point2", ["b1point2"], ["a0base01"]],
    ["a0base01", ["a0base01"], []],
  ]],
  ["branches", ["e1aa", "c1dd"], "expand@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["branches", ["e1aa", "c1dd"], "contract@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["branches", ["e1aa", "c1dd"], "contract@-1", [["c1dd", ["c1dd"], ["b1point2"]]]],
  ["branches", ["e1aa", "c1dd"], "expand@e2bb", {
    "error": "Destination expand@e2bb is not a valid downgrade target from current head(s)",
  }],
  ["branches", ["e1aa", "c1dd"], "contract@e2bb", {
    "error": "Destination contract@e2bb is not a valid downgrade target from current head(s)",
  }],
  ["branches", ["e1aa", "c1dd"], "e2bb@head", {
    "error":
      "Multiple head revisions are present for given argument 'e2bb@head'; please specify a specific target revision, '<branchname>@e2bb@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "nosuch@head", {
    "error":
      "Multiple head revisions are present for given argument 'nosuch@head'; please specify a specific target revision, '<branchname>@nosuch@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "expand@+2", {
    "error": "Relative revision +2 didn't produce 2 migrations",
  }],
  ["branches", ["e1aa", "c1dd"], "b1point2+1", { "error": "Ambiguous walk" }],
  ["branches", ["e1aa", "c1dd"], "e1aa+1", {
    "error": "Destination e1aa+1 is not a valid downgrade target from current head(s)",
  }],
  ["branches", ["e1aa", "c1dd"], "b1point2@head", {
    "error":
      "Multiple head revisions are present for given argument 'b1point2@head'; please specify a specific target revision, '<branchname>@b1point2@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", ["e1aa", "c1dd"], "expand@e2bb+1", {
    "error": "Destination expand@e2bb+1 is not a valid downgrade target from current head(s)",
  }],
  ["branches", ["e1aa", "c1dd"], "c1dd-1", [["e1aa", ["e1aa"], ["b1point2"]], ["c1dd", ["c1dd"], [
    "b1point2",
  ]]]],
  ["branches", ["e1aa", "c1dd"], "e", { "error": "Can't locate revision identified by 'e'" }],
  ["branches", ["e1aa", "c1dd"], "c", { "error": "Can't locate revision identified by 'c'" }],
  ["merged", [], "head", {
    "error": "Destination head is not a valid downgrade target from current head(s)",
  }],
  ["merged", [], "heads", {
    "error": "Destination heads is not a valid downgrade target from current head(s)",
  }],
  ["merged", [], "base", []],
  ["merged", [], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["merged", [], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["merged", [], "contract@head", {
    "error": "Destination contract@head is not a valid downgrade target from current head(s)",
  }],
  ["merged", [], "expand@head", {
    "error": "Destination expand@head is not a valid downgrade target from current head(s)",
  }],
  ["merged", [], "m1ff", {
    "error": "Destination m1ff is not a valid downgrade target from current head(s)",
  }],
  ["merged", [], "m1ff-1", { "error": "Ambiguous walk" }],
  ["merged", [], "e3cc", {
    "error": "Destination e3cc is not a valid downgrade target from current head(s)",
  }],
  ["merged", [], "c2ee", {
    "error": "Destination c2ee is not a valid downgrade target from current head(s)",
  }],
  ["merged", [], "expand@base", []],
  ["merged", [], "m1ff+1", {
    "error": "Destination m1ff+1 is not a valid downgrade target from current head(s)",
  }],
  ["merged", ["e3cc"], "head", {
    "error": "Destination head is not a valid downgrade target from current head(s)",
  }],
  ["merged", ["e3cc"], "heads", {
    "error": "Destination heads is not a valid downgrade target from current head(s)",
  }],
  ["merged", ["e3cc"], "base", [
    ["e3cc", ["e3cc"], ["e2bb"]],
    ["e2bb", ["e2bb"], ["e1aa"]],
    ["e1aa", ["e1aa"], ["b1point2"]],
    ["b1point2", ["b1point2"], ["a0base01"]],
    ["a0base01", ["a0base01"], []],
  ]],
  ["merged", ["e3cc"], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["merged", ["e3cc"], "-1", [["e3cc", ["e3cc"], ["e2bb"]]]],
  ["merged", ["e3cc"], "contract@head", {
    "error": "Destination contract@head is not a valid downgrade target from current head(s)",
  }],
  ["merged", ["e3cc"], "expand@head", {
    "error": "Destination expand@head is not a valid downgrade target from current head(s)",
  }],
  ["merged", ["e3cc"], "m1ff", {
    "error": "Destination m1ff is not a valid downgrade target from current head(s)",
  }],
  ["merged", ["e3cc"], "m1ff-1", { "error": "Ambiguous walk" }],
  ["merged", ["e3cc"], "e3cc", []],
  ["merged", ["e3cc"], "c2ee", {
    "error": "Destination c2ee is not a valid downgrade target from current head(s)",
  }],
  ["merged", ["e3cc"], "expand@base", [
    ["e3cc", ["e3cc"], ["e2bb"]],
    ["e2bb", ["e2bb"], ["e1aa"]],
    ["e1aa", ["e1aa"], ["b1point2"]],
    ["b1point2", ["b1point2"], ["a0base01"]],
    ["a0base01", ["a0base01"], []],
  ]],
  ["merged", ["e3cc"], "expand@-1", [["e3cc", ["e3cc"], ["e2bb"]]]],
  ["merged", ["e3cc"], "m1ff+1", {
    "error": "Destination m1ff+1 is not a valid downgrade target from current head(s)",
  }],
  ["merged", ["m2gg"], "head", []],
  ["merged", ["m2gg"], "heads", []],
  ["merged", ["m2gg"], "base", [
    ["m2gg", ["m2gg"], ["m1ff"]],
    ["m1ff", ["m1ff"], ["e3cc", "c2ee"]],
    ["e3cc", ["e3cc"], ["e2bb"]],
    ["e2bb", ["e2bb"], ["e1aa"]],
    ["e1aa", ["e1aa"], ["b1point2"]],
    ["c2ee", ["c2ee"], ["c1dd"]],
    ["c1dd", ["c1dd"], ["b1point2"]],
    ["b1point2", ["b1point2"], ["a0base01"]],
    ["a0base01", ["a0base01"], []],
  ]],
  ["merged", ["m2gg"], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["merged", ["m2gg"], "-1", [["m2gg", ["m2gg"], ["m1ff"]]]],
  ["merged", ["m2gg"], "contract@head", []],
  ["merged", ["m2gg"], "expand@head", []],
  ["merged", ["m2gg"], "m1ff", [["m2gg", ["m2gg"], ["m1ff"]]]],
  ["merged", ["m2gg"], "m1ff-1", { "error": "Ambiguous walk" }],
  ["merged", ["m2gg"], "e3cc", [["m2gg", ["m2gg"], ["m1ff"]], ["m1ff", ["m1ff"], [
    "e3cc",
    "c2ee",
  ]]]],
  ["merged", ["m2gg"], "c2ee", [["m2gg", ["m2gg"], ["m1ff"]], ["m1ff", ["m1ff"], [
    "e3cc",
    "c2ee",
  ]]]],
  ["merged", ["m2gg"], "expand@base", [
    ["m2gg", ["m2gg"], ["m1ff"]],
    ["m1ff", ["m1ff"], ["e3cc", "c2ee"]],
    ["e3cc", ["e3cc"], ["e2bb"]],
    ["e2bb", ["e2bb"], ["e1aa"]],
    ["e1aa", ["e1aa"], ["b1point2"]],
    ["c2ee", ["c2ee"], ["c1dd"]],
    ["c1dd", ["c1dd"], ["b1point2"]],
    ["b1point2", ["b1point2"], ["a0base01"]],
    ["a0base01", ["a0base01"], []],
  ]],
  ["merged", ["m2gg"], "expand@-1", [["m2gg", ["m2gg"], ["m1ff"]]]],
  ["merged", ["m2gg"], "m1ff+1", []],
  ["glance", [], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", [], "heads", {
    "error": "Destination heads is not a valid downgrade target from current head(s)",
  }],
  ["glance", [], "base", []],
  ["glance", [], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["glance", [], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["glance", [], "expand@head", {
    "error":
      "Multiple head revisions are present for given argument 'expand@head'; please specify a specific target revision, '<branchname>@expand@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", [], "contract@head", {
    "error":
      "Multiple head revisions are present for given argument 'contract@head'; please specify a specific target revision, '<branchname>@contract@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", [], "expand@base", []],
  ["glance", [], "contract@base", []],
  ["glance", [], "expand", {
    "error": "Destination expand is not a valid downgrade target from current head(s)",
  }],
  ["glance", [], "contract", {
    "error": "Destination contract is not a valid downgrade target from current head(s)",
  }],
  ["glance", [], "ocata_contract01", {
    "error": "Destination ocata_contract01 is not a valid downgrade target from current head(s)",
  }],
  ["glance", [], "pike_contract01", {
    "error": "Destination pike_contract01 is not a valid downgrade target from current head(s)",
  }],
  ["glance", [], "pike_expand01", {
    "error": "Destination pike_expand01 is not a valid downgrade target from current head(s)",
  }],
  ["glance", [], "mitaka02", {
    "error": "Destination mitaka02 is not a valid downgrade target from current head(s)",
  }],
  ["glance", [], "expand@+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["glance", [], "contract@+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["glance", [], "ocata", { "error": "Can't locate revision identified by 'ocata'" }],
  ["glance", [], "pike", { "error": "Can't locate revision identified by 'pike'" }],
  ["glance", [], "lib", {
    "error": "Destination lib is not a valid downgrade target from current head(s)",
  }],
  ["glance", [], "mit", { "error": "Can't locate revision identified by 'mit'" }],
  ["glance", ["ocata_expand01"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["ocata_expand01"], "heads", {
    "error": "Destination heads is not a valid downgrade target from current head(s)",
  }],
  ["glance", ["ocata_expand01"], "base", [
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
    ["liberty", ["liberty"], []],
  ]],
  ["glance", ["ocata_expand01"], "+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["ocata_expand01"], "-1", [["ocata_expand01", ["ocata_expand01"], ["mitaka02"]]]],
  ["glance", ["ocata_expand01"], "expand@head", {
    "error":
      "Multiple head revisions are present for given argument 'expand@head'; please specify a specific target revision, '<branchname>@expand@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["ocata_expand01"], "contract@head", {
    "error":
      "Multiple head revisions are present for given argument 'contract@head'; please specify a specific target revision, '<branchname>@contract@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["ocata_expand01"], "expand@base", [
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
    ["liberty", ["liberty"], []],
  ]],
  ["glance", ["ocata_expand01"], "contract@base", [
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
    ["liberty", ["liberty"], []],
  ]],
  ["glance", ["ocata_expand01"], "expand", []],
  ["glance", ["ocata_expand01"], "contract", {
    "error": "Destination contract is not a valid downgrade target from current head(s)",
  }],
  ["glance", ["ocata_expand01"], "ocata_contract01", {
    "error": "Destination ocata_contract01 is not a valid downgrade target from current head(s)",
  }],
  ["glance", ["ocata_expand01"], "pike_contract01", {
    "error": "Destination pike_contract01 is not a valid downgrade target from current head(s)",
  }],
  ["glance", ["ocata_expand01"], "pike_expand01", {
    "error": "Destination pike_expand01 is not a valid downgrade target from current head(s)",
  }],
  ["glance", ["ocata_expand01"], "mitaka02", [["ocata_expand01", ["ocata_expand01"], [
    "mitaka02",
  ]]]],
  ["glance", ["ocata_expand01"], "expand@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["ocata_expand01"], "contract@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["ocata_expand01"], "expand@-1", [["ocata_expand01", ["ocata_expand01"], [
    "mitaka02",
  ]]]],
  ["glance", ["ocata_expand01"], "ocata", {
    "error": "Can't locate revision identified by 'ocata'",
  }],
  ["glance", ["ocata_expand01"], "pike", { "error": "Can't locate revision identified by 'pike'" }],
  ["glance", ["ocata_expand01"], "lib", [["ocata_expand01", ["ocata_expand01"], ["mitaka02"]], [
    "mitaka02",
    ["mitaka02"],
    ["mitaka01"],
  ], ["mitaka01", ["mitaka01"], ["liberty"]]]],
  ["glance", ["ocata_expand01"], "mit", { "error": "Can't locate revision identified by 'mit'" }],
  ["glance", ["pike_expand01", "ocata_contract01"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "heads", {
    "error": "Destination heads is not a valid downgrade target from current head(s)",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "base", [
    ["ocata_contract01", ["ocata_contract01"], ["mitaka02"]],
    ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]],
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
    ["liberty", ["liberty"], []],
  ]],
  ["glance", ["pike_expand01", "ocata_contract01"], "+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "-1", [["pike_expand01", ["pike_expand01"], [
    "ocata_expand01",
  ]]]],
  ["glance", ["pike_expand01", "ocata_contract01"], "expand@head", {
    "error":
      "Multiple head revisions are present for given argument 'expand@head'; please specify a specific target revision, '<branchname>@expand@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "contract@head", {
    "error":
      "Multiple head revisions are present for given argument 'contract@head'; please specify a specific target revision, '<branchname>@contract@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "expand@base", [
    ["ocata_contract01", ["ocata_contract01"], ["mitaka02"]],
    ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]],
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
    ["liberty", ["liberty"], []],
  ]],
  ["glance", ["pike_expand01", "ocata_contract01"], "contract@base", [
    ["ocata_contract01", ["ocata_contract01"], ["mitaka02"]],
    ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]],
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
    ["liberty", ["liberty"], []],
  ]],
  ["glance", ["pike_expand01", "ocata_contract01"], "expand", [[
    "pike_expand01",
    ["pike_expand01"],
    ["ocata_expand01"],
  ]]],
  ["glance", ["pike_expand01", "ocata_contract01"], "contract", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "ocata_contract01", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "pike_contract01", {
    "error": "Destination pike_contract01 is not a valid downgrade target from current head(s)",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "pike_expand01", []],
  ["glance", ["pike_expand01", "ocata_contract01"], "mitaka02", [
    ["ocata_contract01", ["ocata_contract01"], ["mitaka02"]],
    ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]],
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
  ]],
  ["glance", ["pike_expand01", "ocata_contract01"], "expand@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "contract@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "expand@-1", [["pike_expand01", [
    "pike_expand01",
  ], ["ocata_expand01"]]]],
  ["glance", ["pike_expand01", "ocata_contract01"], "contract@-1", [["ocata_contract01", [
    "ocata_contract01",
  ], ["mitaka02"]]]],
  ["glance", ["pike_expand01", "ocata_contract01"], "ocata", {
    "error": "Can't locate revision identified by 'ocata'",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "pike", {
    "error": "Can't locate revision identified by 'pike'",
  }],
  ["glance", ["pike_expand01", "ocata_contract01"], "lib", [
    ["ocata_contract01", ["ocata_contract01"], ["mitaka02"]],
    ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]],
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
  ]],
  ["glance", ["pike_expand01", "ocata_contract01"], "mit", {
    "error": "Can't locate revision identified by 'mit'",
  }],
  ["glance", ["pike_contract01"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["pike_contract01"], "heads", []],
  ["glance", ["pike_contract01"], "base", [
    ["pike_contract01", ["pike_contract01"], ["ocata_contract01"]],
    ["ocata_contract01", ["ocata_contract01"], ["mitaka02"]],
    ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]],
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
    ["liberty", ["liberty"], []],
  ]],
  ["glance", ["pike_contract01"], "+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_contract01"], "-1", [["pike_contract01", ["pike_contract01"], [
    "ocata_contract01",
  ]]]],
  ["glance", ["pike_contract01"], "expand@head", {
    "error":
      "Multiple head revisions are present for given argument 'expand@head'; please specify a specific target revision, '<branchname>@expand@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["pike_contract01"], "contract@head", {
    "error":
      "Multiple head revisions are present for given argument 'contract@head'; please specify a specific target revision, '<branchname>@contract@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", ["pike_contract01"], "expand@base", [
    ["pike_contract01", ["pike_contract01"], ["ocata_contract01"]],
    ["ocata_contract01", ["ocata_contract01"], ["mitaka02"]],
    ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]],
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
    ["liberty", ["liberty"], []],
  ]],
  ["glance", ["pike_contract01"], "contract@base", [
    ["pike_contract01", ["pike_contract01"], ["ocata_contract01"]],
    ["ocata_contract01", ["ocata_contract01"], ["mitaka02"]],
    ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]],
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
    ["liberty", ["liberty"], []],
  ]],
  ["glance", ["pike_contract01"], "expand", [["pike_contract01", ["pike_contract01"], [
    "ocata_contract01",
  ]], ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]]]],
  ["glance", ["pike_contract01"], "contract", [["pike_contract01", ["pike_contract01"], [
    "ocata_contract01",
  ]]]],
  ["glance", ["pike_contract01"], "ocata_contract01", [["pike_contract01", ["pike_contract01"], [
    "ocata_contract01",
  ]]]],
  ["glance", ["pike_contract01"], "pike_contract01", []],
  ["glance", ["pike_contract01"], "pike_expand01", {
    "error": "Destination pike_expand01 is not a valid downgrade target from current head(s)",
  }],
  ["glance", ["pike_contract01"], "mitaka02", [
    ["pike_contract01", ["pike_contract01"], ["ocata_contract01"]],
    ["ocata_contract01", ["ocata_contract01"], ["mitaka02"]],
    ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]],
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
  ]],
  ["glance", ["pike_contract01"], "expand@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_contract01"], "contract@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["glance", ["pike_contract01"], "expand@-1", [["pike_contract01", ["pike_contract01"], [
    "ocata_contract01",
  ]], ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]]]],
  ["glance", ["pike_contract01"], "contract@-1", [["pike_contract01", ["pike_contract01"], [
    "ocata_contract01",
  ]]]],
  ["glance", ["pike_contract01"], "ocata", {
    "error": "Can't locate revision identified by 'ocata'",
  }],
  ["glance", ["pike_contract01"], "pike", {
    "error": "Can't locate revision identified by 'pike'",
  }],
  ["glance", ["pike_contract01"], "lib", [
    ["pike_contract01", ["pike_contract01"], ["ocata_contract01"]],
    ["ocata_contract01", ["ocata_contract01"], ["mitaka02"]],
    ["pike_expand01", ["pike_expand01"], ["ocata_expand01"]],
    ["ocata_expand01", ["ocata_expand01"], ["mitaka02"]],
    ["mitaka02", ["mitaka02"], ["mitaka01"]],
    ["mitaka01", ["mitaka01"], ["liberty"]],
  ]],
  ["glance", ["pike_contract01"], "mit", { "error": "Can't locate revision identified by 'mit'" }],
  ["roots", [], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", [], "heads", {
    "error":
      "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", [], "base", []],
  ["roots", [], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["roots", [], "-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  ["roots", [], "left@head", {
    "error":
      "Multiple head revisions are present for given argument 'left@head'; please specify a specific target revision, '<branchname>@left@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", [], "right@head", {
    "error":
      "Multiple head revisions are present for given argument 'right@head'; please specify a specific target revision, '<branchname>@right@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", [], "left@base", []],
  ["roots", [], "right@base", []],
  ["roots", [], "left", {
    "error": "Destination left is not a valid downgrade target from current head(s)",
  }],
  ["roots", [], "right", {
    "error": "Destination right is not a valid downgrade target from current head(s)",
  }],
  ["roots", [], "l2bb", {
    "error": "Destination l2bb is not a valid downgrade target from current head(s)",
  }],
  ["roots", [], "r2ee", {
    "error": "Destination r2ee is not a valid downgrade target from current head(s)",
  }],
  ["roots", [], "left@+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["roots", [], "right@+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["roots", [], "r1dd-1", []],
  ["roots", ["l3cc"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", ["l3cc"], "heads", {
    "error":
      "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", ["l3cc"], "base", [["l3cc", ["l3cc"], ["l2bb"]], ["l2bb", ["l2bb"], ["l1aa"]], [
    "l1aa",
    ["l1aa"],
    [],
  ]]],
  ["roots", ["l3cc"], "+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["roots", ["l3cc"], "-1", [["l3cc", ["l3cc"], ["l2bb"]]]],
  ["roots", ["l3cc"], "left@head", {
    "error":
      "Multiple head revisions are present for given argument 'left@head'; please specify a specific target revision, '<branchname>@left@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", ["l3cc"], "right@head", {
    "error":
      "Multiple head revisions are present for given argument 'right@head'; please specify a specific target revision, '<branchname>@right@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", ["l3cc"], "left@base", [["l3cc", ["l3cc"], ["l2bb"]], ["l2bb", ["l2bb"], ["l1aa"]], [
    "l1aa",
    ["l1aa"],
    [],
  ]]],
  ["roots", ["l3cc"], "right@base", []],
  ["roots", ["l3cc"], "left", [["l3cc", ["l3cc"], ["l2bb"]], ["l2bb", ["l2bb"], ["l1aa"]]]],
  ["roots", ["l3cc"], "right", {
    "error": "Destination right is not a valid downgrade target from current head(s)",
  }],
  ["roots", ["l3cc"], "l2bb", [["l3cc", ["l3cc"], ["l2bb"]]]],
  ["roots", ["l3cc"], "r2ee", {
    "error": "Destination r2ee is not a valid downgrade target from current head(s)",
  }],
  ["roots", ["l3cc"], "left@+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["roots", ["l3cc"], "right@+1", { "error": "Relative revision +1 didn't produce 1 migrations" }],
  ["roots", ["l3cc"], "left@-1", [["l3cc", ["l3cc"], ["l2bb"]]]],
  ["roots", ["l3cc"], "r1dd-1", [["l3cc", ["l3cc"], ["l2bb"]], ["l2bb", ["l2bb"], ["l1aa"]], [
    "l1aa",
    ["l1aa"],
    [],
  ]]],
  ["roots", ["l3cc", "r2ee"], "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", ["l3cc", "r2ee"], "heads", {
    "error":
      "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", ["l3cc", "r2ee"], "base", [
    ["l3cc", ["l3cc"], ["l2bb"]],
    ["r2ee", ["r2ee"], ["r1dd"]],
    ["r1dd", ["r1dd"], []],
    ["l2bb", ["l2bb"], ["l1aa"]],
    ["l1aa", ["l1aa"], []],
  ]],
  ["roots", ["l3cc", "r2ee"], "+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["roots", ["l3cc", "r2ee"], "-1", [["l3cc", ["l3cc"], ["l2bb"]]]],
  ["roots", ["l3cc", "r2ee"], "left@head", {
    "error":
      "Multiple head revisions are present for given argument 'left@head'; please specify a specific target revision, '<branchname>@left@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", ["l3cc", "r2ee"], "right@head", {
    "error":
      "Multiple head revisions are present for given argument 'right@head'; please specify a specific target revision, '<branchname>@right@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", ["l3cc", "r2ee"], "left@base", [
    ["l3cc", ["l3cc"], ["l2bb"]],
    ["r2ee", ["r2ee"], ["r1dd"]],
    ["l2bb", ["l2bb"], ["l1aa"]],
    ["l1aa", ["l1aa"], []],
  ]],
  ["roots", ["l3cc", "r2ee"], "right@base", [["r2ee", ["r2ee"], ["r1dd"]], ["r1dd", ["r1dd"], []]]],
  ["roots", ["l3cc", "r2ee"], "left", [["l3cc", ["l3cc"], ["l2bb"]], ["r2ee", ["r2ee"], ["r1dd"]], [
    "l2bb",
    ["l2bb"],
    ["l1aa"],
  ]]],
  ["roots", ["l3cc", "r2ee"], "right", [["r2ee", ["r2ee"], ["r1dd"]]]],
  ["roots", ["l3cc", "r2ee"], "l2bb", [["l3cc", ["l3cc"], ["l2bb"]]]],
  ["roots", ["l3cc", "r2ee"], "r2ee", []],
  ["roots", ["l3cc", "r2ee"], "left@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["roots", ["l3cc", "r2ee"], "right@+1", {
    "error": "Relative revision +1 didn't produce 1 migrations",
  }],
  ["roots", ["l3cc", "r2ee"], "left@-1", [["l3cc", ["l3cc"], ["l2bb"]]]],
  ["roots", ["l3cc", "r2ee"], "right@-1", [["r2ee", ["r2ee"], ["r1dd"]]]],
  ["roots", ["l3cc", "r2ee"], "r1dd-1", [
    ["l3cc", ["l3cc"], ["l2bb"]],
    ["r2ee", ["r2ee"], ["r1dd"]],
    ["r1dd", ["r1dd"], []],
    ["l2bb", ["l2bb"], ["l1aa"]],
    ["l1aa", ["l1aa"], []],
  ]],
];

// [graph, version rows, targets, --purge, steps of ScriptDirectory._stamp_revs] as real
// Alembic 1.8.1 planned them for `alembic stamp [--purge] <targets...>`. For some
// multi-target stamps Alembic's head maintenance then fails; the plan is still this.
const STAMPS: [GraphName, string[], string[], boolean, Expect<S>][] = [
  ["linear", [], ["heads"], false, [["up", [], ["ae10ff0001"], true]]],
  ["linear", [], ["base"], false, []],
  ["linear", [], ["-1"], false, [["up", [], ["27c6a30d7c24"], true]]],
  ["linear", [], ["1975"], false, [["up", [], ["1975ea83b712"], true]]],
  ["linear", [], ["ae10"], false, { "error": "Can't locate revision identified by 'ae10'" }],
  ["linear", [], ["ae1027"], false, [["up", [], ["ae1027a6acf"], true]]],
  ["linear", [], ["27c6a30d7c24"], false, [["up", [], ["27c6a30d7c24"], true]]],
  ["linear", [], ["x"], false, { "error": "Can't locate revision identified by 'x'" }],
  ["linear", ["27c6a30d7c24"], ["heads"], false, [["up", ["27c6a30d7c24"], ["ae10ff0001"], false]]],
  ["linear", ["27c6a30d7c24"], ["base"], false, [["down", ["27c6a30d7c24"], [], true]]],
  ["linear", ["27c6a30d7c24"], ["-1"], false, {
    "error": "Can't locate revision identified by '-1'",
  }],
  ["linear", ["27c6a30d7c24"], ["1975"], false, [[
    "down",
    ["27c6a30d7c24"],
    ["1975ea83b712"],
    false,
  ]]],
  ["linear", ["27c6a30d7c24"], ["ae10"], false, {
    "error": "Can't locate revision identified by 'ae10'",
  }],
  ["linear", ["27c6a30d7c24"], ["ae1027"], false, [[
    "down",
    ["27c6a30d7c24"],
    ["ae1027a6acf"],
    false,
  ]]],
  ["linear", ["27c6a30d7c24"], ["27c6a30d7c24"], false, []],
  ["linear", ["27c6a30d7c24"], ["x"], false, {
    "error": "Can't locate revision identified by 'x'",
  }],
  ["linear", ["27c6a30d7c24"], ["1975ea83b712", "heads"], false, [["down", ["27c6a30d7c24"], [
    "1975ea83b712",
  ], false], ["up", ["27c6a30d7c24"], ["ae10ff0001"], false]]],
  ["linear", ["27c6a30d7c24"], ["1975ea83b712", "base"], false, [["down", ["27c6a30d7c24"], [
    "1975ea83b712",
  ], false]]],
  ["linear", ["27c6a30d7c24"], ["ae1027a6acf", "heads"], false, [["down", ["27c6a30d7c24"], [
    "ae1027a6acf",
  ], false], ["up", ["27c6a30d7c24"], ["ae10ff0001"], false]]],
  ["linear", ["27c6a30d7c24"], ["ae1027a6acf", "base"], false, [["down", ["27c6a30d7c24"], [
    "ae1027a6acf",
  ], false]]],
  ["linear", ["27c6a30d7c24"], ["27c6a30d7c24", "heads"], false, [["up", ["27c6a30d7c24"], [
    "ae10ff0001",
  ], false]]],
  ["linear", ["27c6a30d7c24"], ["27c6a30d7c24", "base"], false, []],
  ["linear", ["27c6a30d7c24"], ["ae10ff0001", "heads"], false, [["up", ["27c6a30d7c24"], [
    "ae10ff0001",
  ], false], ["up", ["27c6a30d7c24"], ["ae10ff0001"], false]]],
  ["linear", ["27c6a30d7c24"], ["ae10ff0001", "base"], false, [["up", ["27c6a30d7c24"], [
    "ae10ff0001",
  ], false]]],
  ["linear", ["27c6a30d7c24"], ["heads", "base"], false, [[
    "up",
    ["27c6a30d7c24"],
    ["ae10ff0001"],
    false,
  ]]],
  ["branches", [], ["head"], false, {
    "error": "Multiple heads are present; please specify a single target revision",
  }],
  ["branches", [], ["heads"], false, [["up", [], ["e3cc"], true], ["up", [], ["c2ee"], true]]],
  ["branches", [], ["base"], false, []],
  ["branches", [], ["expand"], false, [["up", [], ["e1aa"], true]]],
  ["branches", [], ["expand@head"], false, [["up", [], ["e3cc"], true]]],
  ["branches", [], ["contract@head"], false, [["up", [], ["c2ee"], true]]],
  ["branches", [], ["expand@base"], false, []],
  ["branches", [], ["contract@base"], false, []],
  ["branches", [], ["b1point2"], false, [["up", [], ["b1point2"], true]]],
  ["branches", [], ["head"], true, {
    "error": "Multiple heads are present; please specify a single target revision",
  }],
  ["branches", ["e2bb"], ["head"], false, {
    "error": "Multiple heads are present; please specify a single target revision",
  }],
  ["branches", ["e2bb"], ["heads"], false, [["up", ["e2bb"], ["e3cc"], false], [
    "up",
    [],
    ["c2ee"],
    true,
  ]]],
  ["branches", ["e2bb"], ["base"], false, [["down", ["e2bb"], [], true]]],
  ["branches", ["e2bb"], ["expand"], false, [["down", ["e2bb"], ["e1aa"], false]]],
  ["branches", ["e2bb"], ["expand@head"], false, [["up", ["e2bb"], ["e3cc"], false]]],
  ["branches", ["e2bb"], ["contract@head"], false, [["up", [], ["c2ee"], true]]],
  ["branches", ["e2bb"], ["expand@base"], false, [["down", ["e2bb"], [], true]]],
  ["branches", ["e2bb"], ["contract@base"], false, []],
  ["branches", ["e2bb"], ["b1point2"], false, [["down", ["e2bb"], ["b1point2"], false]]],
  ["branches", ["e2bb"], ["head"], true, {
    "error": "Multiple heads are present; please specify a single target revision",
  }],
  ["branches", ["e3cc", "c2ee"], ["head"], false, {
    "error": "Multiple heads are present; please specify a single target revision",
  }],
  ["branches", ["e3cc", "c2ee"], ["heads"], false, []],
  ["branches", ["e3cc", "c2ee"], ["base"], false, [["down", ["e3cc"], [], true], [
    "down",
    ["c2ee"],
    [],
    true,
  ]]],
  ["branches", ["e3cc", "c2ee"], ["expand"], false, [["down", ["e3cc"], ["e1aa"], false]]],
  ["branches", ["e3cc", "c2ee"], ["expand@head"], false, []],
  ["branches", ["e3cc", "c2ee"], ["contract@head"], false, []],
  ["branches", ["e3cc", "c2ee"], ["expand@base"], false, [["down", ["e3cc"], [], true]]],
  ["branches", ["e3cc", "c2ee"], ["contract@base"], false, [["down", ["c2ee"], [], true]]],
  ["branches", ["e3cc", "c2ee"], ["b1point2"], false, [[
    "down",
    ["e3cc", "c2ee"],
    ["b1point2"],
    false,
  ]]],
  ["branches", ["e3cc", "c2ee"], ["head"], true, {
    "error": "Multiple heads are present; please specify a single target revision",
  }],
  ["branches", ["e1aa", "c1dd"], ["head"], false, {
    "error": "Multiple heads are present; please specify a single target revision",
  }],
  ["branches", ["e1aa", "c1dd"], ["heads"], false, [["up", ["e1aa", "c1dd"], ["e3cc"], false], [
    "up",
    ["e1aa", "c1dd"],
    ["c2ee"],
    false,
  ]]],
  ["branches", ["e1aa", "c1dd"], ["base"], false, [["down", ["e1aa"], [], true], [
    "down",
    ["c1dd"],
    [],
    true,
  ]]],
  ["branches", ["e1aa", "c1dd"], ["expand"], false, []],
  ["branches", ["e1aa", "c1dd"], ["expand@head"], false, [["up", ["e1aa"], ["e3cc"], false]]],
  ["branches", ["e1aa", "c1dd"], ["contract@head"], false, [["up", ["c1dd"], ["c2ee"], false]]],
  ["branches", ["e1aa", "c1dd"], ["expand@base"], false, [["down", ["e1aa"], [], true]]],
  ["branches", ["e1aa", "c1dd"], ["contract@base"], false, [["down", ["c1dd"], [], true]]],
  ["branches", ["e1aa", "c1dd"], ["b1point2"], false, [[
    "down",
    ["e1aa", "c1dd"],
    ["b1point2"],
    false,
  ]]],
  ["branches", ["e1aa", "c1dd"], ["head"], true, {
    "error": "Multiple heads are present; please specify a single target revision",
  }],
  ["branches", ["e1aa", "c1dd"], ["a0base01", "b1point2"], false, [["down", ["e1aa", "c1dd"], [
    "a0base01",
  ], false], ["down", ["e1aa", "c1dd"], ["b1point2"], false]]],
  ["branches", ["e1aa", "c1dd"], ["a0base01", "e1aa"], false, [["down", ["e1aa", "c1dd"], [
    "a0base01",
  ], false]]],
  ["branches", ["e1aa", "c1dd"], ["a0base01", "e2bb"], false, [["down", ["e1aa", "c1dd"], [
    "a0base01",
  ], false], ["up", ["e1aa", "c1dd"], ["e2bb"], false]]],
  ["branches", ["e1aa", "c1dd"], ["a0base01", "e3cc"], false, [["down", ["e1aa", "c1dd"], [
    "a0base01",
  ], false], ["up", ["e1aa", "c1dd"], ["e3cc"], false]]],
  ["branches", ["e1aa", "c1dd"], ["a0base01", "c1dd"], false, [["down", ["e1aa", "c1dd"], [
    "a0base01",
  ], false]]],
  ["branches", ["e1aa", "c1dd"], ["a0base01", "c2ee"], false, [["down", ["e1aa", "c1dd"], [
    "a0base01",
  ], false], ["up", ["e1aa", "c1dd"], ["c2ee"], false]]],
  ["branches", ["e1aa", "c1dd"], ["a0base01", "heads"], false, [
    ["down", ["e1aa", "c1dd"], ["a0base01"], false],
    ["up", ["e1aa", "c1dd"], ["e3cc"], false],
    ["up", ["e1aa", "c1dd"], ["c2ee"], false],
  ]],
  ["branches", ["e1aa", "c1dd"], ["a0base01", "base"], false, [["down", ["e1aa", "c1dd"], [
    "a0base01",
  ], false]]],
  ["branches", ["e1aa", "c1dd"], ["b1point2", "e1aa"], false, [["down", ["e1aa", "c1dd"], [
    "b1point2",
  ], false]]],
  ["branches", ["e1aa", "c1dd"], ["b1point2", "e2bb"], false, [["down", ["e1aa", "c1dd"], [
    "b1point2",
  ], false], ["up", ["e1aa", "c1dd"], ["e2bb"], false]]],
  ["branches", ["e1aa", "c1dd"], ["b1point2", "e3cc"], false, [["down", ["e1aa", "c1dd"], [
    "b1point2",
  ], false], ["up", ["e1aa", "c1dd"], ["e3cc"], false]]],
  ["branches", ["e1aa", "c1dd"], ["b1point2", "c1dd"], false, [["down", ["e1aa", "c1dd"], [
    "b1point2",
  ], false]]],
  ["branches", ["e1aa", "c1dd"], ["b1point2", "c2ee"], false, [["down", ["e1aa", "c1dd"], [
    "b1point2",
  ], false], ["up", ["e1aa", "c1dd"], ["c2ee"], false]]],
  ["branches", ["e1aa", "c1dd"], ["b1point2", "heads"], false, [
    ["down", ["e1aa", "c1dd"], ["b1point2"], false],
    ["up", ["e1aa", "c1dd"], ["e3cc"], false],
    ["up", ["e1aa", "c1dd"], ["c2ee"], false],
  ]],
  ["branches", ["e1aa", "c1dd"], ["b1point2", "base"], false, [["down", ["e1aa", "c1dd"], [
    "b1point2",
  ], false]]],
  ["branches", ["e1aa", "c1dd"], ["e1aa", "e2bb"], false, [["up", ["e1aa"], ["e2bb"], false]]],
  ["branches", ["e1aa", "c1dd"], ["e1aa", "e3cc"], false, [["up", ["e1aa"], ["e3cc"], false]]],
  ["branches", ["e1aa", "c1dd"], ["e1aa", "c1dd"], false, []],
  ["branches", ["e1aa", "c1dd"], ["e1aa", "c2ee"], false, [[
    "up",
    ["e1aa", "c1dd"],
    ["c2ee"],
    false,
  ]]],
  ["branches", ["e1aa", "c1dd"], ["e1aa", "heads"], false, [[
    "up",
    ["e1aa", "c1dd"],
    ["e3cc"],
    false,
  ], ["up", ["e1aa", "c1dd"], ["c2ee"], false]]],
  ["branches", ["e1aa", "c1dd"], ["e1aa", "base"], false, []],
  ["branches", ["e1aa", "c1dd"], ["e2bb", "e3cc"], false, [["up", ["e1aa"], ["e2bb"], false], [
    "up",
    ["e1aa"],
    ["e3cc"],
    false,
  ]]],
  ["branches", ["e1aa", "c1dd"], ["e2bb", "c1dd"], false, [[
    "up",
    ["e1aa", "c1dd"],
    ["e2bb"],
    false,
  ]]],
  ["branches", ["e1aa", "c1dd"], ["e2bb", "c2ee"], false, [[
    "up",
    ["e1aa", "c1dd"],
    ["e2bb"],
    false,
  ], ["up", ["e1aa", "c1dd"], ["c2ee"], false]]],
  ["branches", ["e1aa", "c1dd"], ["e2bb", "heads"], false, [
    ["up", ["e1aa", "c1dd"], ["e2bb"], false],
    ["up", ["e1aa", "c1dd"], ["e3cc"], false],
    ["up", ["e1aa", "c1dd"], ["c2ee"], false],
  ]],
  ["branches", ["e1aa", "c1dd"], ["e2bb", "base"], false, [[
    "up",
    ["e1aa", "c1dd"],
    ["e2bb"],
    false,
  ]]],
  ["branches", ["e1aa", "c1dd"], ["e3cc", "c1dd"], false, [[
    "up",
    ["e1aa", "c1dd"],
    ["e3cc"],
    false,
  ]]],
  ["branches", ["e1aa", "c1dd"], ["e3cc", "c2ee"], false, [[
    "up",
    ["e1aa", "c1dd"],
    ["e3cc"],
    false,
  ], ["up", ["e1aa", "c1dd"], ["c2ee"], false]]],
  ["branches", ["e1aa", "c1dd"], ["e3cc", "heads"], false, [
    ["up", ["e1aa", "c1dd"], ["e3cc"], false],
    ["up", ["e1aa", "c1dd"], ["e3cc"], false],
    ["up", ["e1aa", "c1dd"], ["c2ee"], false],
  ]],
  ["branches", ["e1aa", "c1dd"], ["e3cc", "base"], false, [[
    "up",
    ["e1aa", "c1dd"],
    ["e3cc"],
    false,
  ]]],
  ["branches", ["e1aa", "c1dd"], ["c1dd", "c2ee"], false, [["up", ["c1dd"], ["c2ee"], false]]],
  ["branches", ["e1aa", "c1dd"], ["c1dd", "heads"], false, [[
    "up",
    ["c1dd", "e1aa"],
    ["e3cc"],
    false,
  ], ["up", ["c1dd", "e1aa"], ["c2ee"], false]]],
  ["branches", ["e1aa", "c1dd"], ["c1dd", "base"], false, []],
  ["branches", ["e1aa", "c1dd"], ["c2ee", "heads"], false, [
    ["up", ["c1dd", "e1aa"], ["c2ee"], false],
    ["up", ["c1dd", "e1aa"], ["e3cc"], false],
    ["up", ["c1dd", "e1aa"], ["c2ee"], false],
  ]],
  ["branches", ["e1aa", "c1dd"], ["c2ee", "base"], false, [[
    "up",
    ["c1dd", "e1aa"],
    ["c2ee"],
    false,
  ]]],
  ["branches", ["e1aa", "c1dd"], ["heads", "base"], false, [[
    "up",
    ["e1aa", "c1dd"],
    ["e3cc"],
    false,
  ], ["up", ["e1aa", "c1dd"], ["c2ee"], false]]],
  ["merged", [], ["heads"], false, [["up", [], ["m2gg"], true]]],
  ["merged", [], ["base"], false, []],
  ["merged", [], ["m1ff"], false, [["up", [], ["m1ff"], true]]],
  ["merged", [], ["e3cc"], false, [["up", [], ["e3cc"], true]]],
  ["merged", [], ["c2ee"], false, [["up", [], ["c2ee"], true]]],
  ["merged", [], ["expand@base"], false, []],
  ["merged", ["e3cc"], ["heads"], false, [["up", ["e3cc"], ["m2gg"], false]]],
  ["merged", ["e3cc"], ["base"], false, [["down", ["e3cc"], [], true]]],
  ["merged", ["e3cc"], ["m1ff"], false, [["up", ["e3cc"], ["m1ff"], false]]],
  ["merged", ["e3cc"], ["e3cc"], false, []],
  ["merged", ["e3cc"], ["c2ee"], false, [["up", [], ["c2ee"], true]]],
  ["merged", ["e3cc"], ["expand@base"], false, [["down", ["e3cc"], [], true]]],
  ["merged", ["m2gg"], ["heads"], false, []],
  ["merged", ["m2gg"], ["base"], false, [["down", ["m2gg"], [], true]]],
  ["merged", ["m2gg"], ["m1ff"], false, [["down", ["m2gg"], ["m1ff"], false]]],
  ["merged", ["m2gg"], ["e3cc"], false, [["down", ["m2gg"], ["e3cc"], false]]],
  ["merged", ["m2gg"], ["c2ee"], false, [["down", ["m2gg"], ["c2ee"], false]]],
  ["merged", ["m2gg"], ["expand@base"], false, [["down", ["m2gg"], [], true]]],
  ["merged", ["m2gg"], ["a0base01", "heads"], false, [["down", ["m2gg"], ["a0base01"], false]]],
  ["merged", ["m2gg"], ["a0base01", "base"], false, [["down", ["m2gg"], ["a0base01"], false]]],
  ["merged", ["m2gg"], ["b1point2", "heads"], false, [["down", ["m2gg"], ["b1point2"], false]]],
  ["merged", ["m2gg"], ["b1point2", "base"], false, [["down", ["m2gg"], ["b1point2"], false]]],
  ["merged", ["m2gg"], ["e1aa", "heads"], false, [["down", ["m2gg"], ["e1aa"], false]]],
  ["merged", ["m2gg"], ["e1aa", "base"], false, [["down", ["m2gg"], ["e1aa"], false]]],
  ["merged", ["m2gg"], ["e2bb", "heads"], false, [["down", ["m2gg"], ["e2bb"], false]]],
  ["merged", ["m2gg"], ["e2bb", "base"], false, [["down", ["m2gg"], ["e2bb"], false]]],
  ["merged", ["m2gg"], ["e3cc", "heads"], false, [["down", ["m2gg"], ["e3cc"], false]]],
  ["merged", ["m2gg"], ["e3cc", "base"], false, [["down", ["m2gg"], ["e3cc"], false]]],
  ["merged", ["m2gg"], ["c1dd", "heads"], false, [["down", ["m2gg"], ["c1dd"], false]]],
  ["merged", ["m2gg"], ["c1dd", "base"], false, [["down", ["m2gg"], ["c1dd"], false]]],
  ["merged", ["m2gg"], ["c2ee", "heads"], false, [["down", ["m2gg"], ["c2ee"], false]]],
  ["merged", ["m2gg"], ["c2ee", "base"], false, [["down", ["m2gg"], ["c2ee"], false]]],
  ["merged", ["m2gg"], ["m1ff", "heads"], false, [["down", ["m2gg"], ["m1ff"], false]]],
  ["merged", ["m2gg"], ["m1ff", "base"], false, [["down", ["m2gg"], ["m1ff"], false]]],
  ["merged", ["m2gg"], ["m2gg", "heads"], false, []],
  ["merged", ["m2gg"], ["m2gg", "base"], false, []],
  ["merged", ["m2gg"], ["heads", "base"], false, []],
  ["glance", [], ["heads"], false, [["up", [], ["pike_contract01"], true]]],
  ["glance", [], ["base"], false, []],
  ["glance", [], ["expand@head"], false, [["up", [], ["pike_expand01"], true]]],
  ["glance", [], ["contract@head"], false, [["up", [], ["pike_contract01"], true]]],
  ["glance", [], ["expand@base"], false, []],
  ["glance", [], ["contract@base"], false, []],
  ["glance", [], ["ocata_expand01"], false, [["up", [], ["ocata_expand01"], true]]],
  ["glance", [], ["ocata_contract01"], false, [["up", [], ["ocata_contract01"], true]]],
  ["glance", [], ["pike_expand01"], false, [["up", [], ["pike_expand01"], true]]],
  ["glance", [], ["mitaka02"], false, [["up", [], ["mitaka02"], true]]],
  ["glance", ["ocata_expand01"], ["heads"], false, [[
    "up",
    ["ocata_expand01"],
    ["pike_contract01"],
    false,
  ]]],
  ["glance", ["ocata_expand01"], ["base"], false, [["down", ["ocata_expand01"], [], true]]],
  ["glance", ["ocata_expand01"], ["expand@head"], false, [["up", ["ocata_expand01"], [
    "pike_expand01",
  ], false]]],
  ["glance", ["ocata_expand01"], ["contract@head"], false, [["up", ["ocata_expand01"], [
    "pike_contract01",
  ], false]]],
  ["glance", ["ocata_expand01"], ["expand@base"], false, [["down", ["ocata_expand01"], [], true]]],
  ["glance", ["ocata_expand01"], ["contract@base"], false, [[
    "down",
    ["ocata_expand01"],
    [],
    true,
  ]]],
  ["glance", ["ocata_expand01"], ["ocata_expand01"], false, []],
  ["glance", ["ocata_expand01"], ["ocata_contract01"], false, [["up", ["ocata_expand01"], [
    "ocata_contract01",
  ], false]]],
  ["glance", ["ocata_expand01"], ["pike_expand01"], false, [["up", ["ocata_expand01"], [
    "pike_expand01",
  ], false]]],
  ["glance", ["ocata_expand01"], ["mitaka02"], false, [[
    "down",
    ["ocata_expand01"],
    ["mitaka02"],
    false,
  ]]],
  ["glance", ["pike_expand01", "ocata_contract01"], ["heads"], false, [[
    "up",
    ["pike_expand01", "ocata_contract01"],
    ["pike_contract01"],
    false,
  ]]],
  ["glance", ["pike_expand01", "ocata_contract01"], ["base"], false, [[
    "down",
    ["pike_expand01"],
    [],
    true,
  ], ["down", ["ocata_contract01"], [], true]]],
  ["glance", ["pike_expand01", "ocata_contract01"], ["expand@head"], false, []],
  ["glance", ["pike_expand01", "ocata_contract01"], ["contract@head"], false, [[
    "up",
    ["pike_expand01", "ocata_contract01"],
    ["pike_contract01"],
    false,
  ]]],
  ["glance", ["pike_expand01", "ocata_contract01"], ["expand@base"], false, [[
    "down",
    ["pike_expand01"],
    [],
    true,
  ], ["down", ["ocata_contract01"], [], true]]],
  ["glance", ["pike_expand01", "ocata_contract01"], ["contract@base"], false, [[
    "down",
    ["ocata_contract01"],
    [],
    true,
  ]]],
  ["glance", ["pike_expand01", "ocata_contract01"], ["ocata_expand01"], false, [[
    "down",
    ["pike_expand01", "ocata_contract01"],
    ["ocata_expand01"],
    false,
  ]]],
  ["glance", ["pike_expand01", "ocata_contract01"], ["ocata_contract01"], false, []],
  ["glance", ["pike_expand01", "ocata_contract01"], ["pike_expand01"], false, []],
  ["glance", ["pike_expand01", "ocata_contract01"], ["mitaka02"], false, [[
    "down",
    ["pike_expand01", "ocata_contract01"],
    ["mitaka02"],
    false,
  ]]],
  ["glance", ["pike_contract01"], ["heads"], false, []],
  ["glance", ["pike_contract01"], ["base"], false, [["down", ["pike_contract01"], [], true]]],
  ["glance", ["pike_contract01"], ["expand@head"], false, [["down", ["pike_contract01"], [
    "pike_expand01",
  ], false]]],
  ["glance", ["pike_contract01"], ["contract@head"], false, []],
  ["glance", ["pike_contract01"], ["expand@base"], false, [[
    "down",
    ["pike_contract01"],
    [],
    true,
  ]]],
  ["glance", ["pike_contract01"], ["contract@base"], false, [[
    "down",
    ["pike_contract01"],
    [],
    true,
  ]]],
  ["glance", ["pike_contract01"], ["ocata_expand01"], false, [["down", ["pike_contract01"], [
    "ocata_expand01",
  ], false]]],
  ["glance", ["pike_contract01"], ["ocata_contract01"], false, [["down", ["pike_contract01"], [
    "ocata_contract01",
  ], false]]],
  ["glance", ["pike_contract01"], ["pike_expand01"], false, [["down", ["pike_contract01"], [
    "pike_expand01",
  ], false]]],
  ["glance", ["pike_contract01"], ["mitaka02"], false, [[
    "down",
    ["pike_contract01"],
    ["mitaka02"],
    false,
  ]]],
  ["roots", [], ["heads"], false, [["up", [], ["l3cc"], true], ["up", [], ["r2ee"], true]]],
  ["roots", [], ["base"], false, []],
  ["roots", [], ["left@head"], false, [["up", [], ["l3cc"], true]]],
  ["roots", [], ["right@head"], false, [["up", [], ["r2ee"], true]]],
  ["roots", [], ["left@base"], false, []],
  ["roots", [], ["right@base"], false, []],
  ["roots", [], ["l2bb"], false, [["up", [], ["l2bb"], true]]],
  ["roots", [], ["r2ee"], false, [["up", [], ["r2ee"], true]]],
  ["roots", [], ["r1dd"], false, [["up", [], ["r1dd"], true]]],
  ["roots", ["l3cc"], ["heads"], false, [["up", [], ["r2ee"], true]]],
  ["roots", ["l3cc"], ["base"], false, [["down", ["l3cc"], [], true]]],
  ["roots", ["l3cc"], ["left@head"], false, []],
  ["roots", ["l3cc"], ["right@head"], false, [["up", [], ["r2ee"], true]]],
  ["roots", ["l3cc"], ["left@base"], false, [["down", ["l3cc"], [], true]]],
  ["roots", ["l3cc"], ["right@base"], false, []],
  ["roots", ["l3cc"], ["l2bb"], false, [["down", ["l3cc"], ["l2bb"], false]]],
  ["roots", ["l3cc"], ["r2ee"], false, [["up", [], ["r2ee"], true]]],
  ["roots", ["l3cc"], ["r1dd"], false, [["up", [], ["r1dd"], true]]],
  ["roots", ["l3cc", "r2ee"], ["heads"], false, []],
  ["roots", ["l3cc", "r2ee"], ["base"], false, [["down", ["l3cc"], [], true], [
    "down",
    ["r2ee"],
    [],
    true,
  ]]],
  ["roots", ["l3cc", "r2ee"], ["left@head"], false, []],
  ["roots", ["l3cc", "r2ee"], ["right@head"], false, []],
  ["roots", ["l3cc", "r2ee"], ["left@base"], false, [["down", ["l3cc"], [], true], [
    "down",
    ["r2ee"],
    [],
    true,
  ]]],
  ["roots", ["l3cc", "r2ee"], ["right@base"], false, [["down", ["r2ee"], [], true]]],
  ["roots", ["l3cc", "r2ee"], ["l2bb"], false, [["down", ["l3cc", "r2ee"], ["l2bb"], false]]],
  ["roots", ["l3cc", "r2ee"], ["r2ee"], false, []],
  ["roots", ["l3cc", "r2ee"], ["r1dd"], false, [["down", ["r2ee"], ["r1dd"], false]]],
];

for (const [graph, rows, target, expected] of UPGRADES) {
  Deno.test(`planUpgrade: ${graph} [${rows}] -> '${target}'`, () => {
    const plan = () => planUpgrade(mapOf(graph), rows, target);
    if (Array.isArray(expected)) assert.deepEqual(migrate(plan(), "up"), expected);
    else assertAlembicError(plan, expected.error);
  });
}

for (const [graph, rows, target, expected] of DOWNGRADES) {
  Deno.test(`planDowngrade: ${graph} [${rows}] -> '${target}'`, () => {
    const plan = () => planDowngrade(mapOf(graph), rows, target);
    if (Array.isArray(expected)) assert.deepEqual(migrate(plan(), "down"), expected);
    else assertAlembicError(plan, expected.error);
  });
}

for (const [graph, rows, targets, purge, expected] of STAMPS) {
  Deno.test(`planStamp: ${graph} [${rows}] -> ${JSON.stringify(targets)}${purge ? " --purge" : ""}`, () => {
    const plan = () => planStamp(mapOf(graph), rows, targets, purge);
    if (Array.isArray(expected)) assert.deepEqual(stamp(plan()), expected);
    else assertAlembicError(plan, expected.error);
  });
}

// Where Alembic crashes (AssertionError, AttributeError) we raise a RevisionError instead.
const ALEMBIC_CRASHES: [string, () => unknown, string][] = [
  [
    // Alembic: AssertionError in _parse_downgrade_target (no current revision on the branch)
    "downgrade contract@-1 with no contract revision applied",
    () => planDowngrade(mapOf("branches"), ["e2bb"], "contract@-1"),
    "Relative revision contract@-1 is ambiguous: no current revisions on branch 'contract'",
  ],
  [
    // Alembic: AssertionError (is_revision(None)) in _collect_upgrade_revisions
    "upgrade rev+N past the head",
    () => planUpgrade(mapOf("linear"), [], "ae10ff0001+1"),
    "Relative revision ae10ff0001+1 walks past the base or head",
  ],
  [
    // Alembic: AssertionError (is_revision("base")) in _collect_upgrade_revisions
    "upgrade rev-N down to base",
    () => planUpgrade(mapOf("linear"), [], "1975ea83b712-1"),
    "Relative revision 1975ea83b712-1 walks past the base or head",
  ],
  [
    // Alembic: AssertionError in _stamp_revs (a relative target reaching base on one root)
    "stamp -2 where one head is two above base",
    () => planStamp(mapOf("roots"), [], ["-2"], false),
    "Relative revision -2 reaches base on a branch",
  ],
  [
    // Alembic: AssertionError in _stamp_revs (a redundant row below the target, one above)
    "stamp between redundant version rows",
    () =>
      planStamp(
        new RevisionMap([rev("s0"), rev("s1", ["s0"]), rev("sa", ["s1"])]),
        ["s0", "sa"],
        ["s1"],
        false,
      ),
    "Can't stamp 's1' (versions/s1.py): the current revisions 'sa' (versions/sa.py) are above " +
    "it and 's0' (versions/s0.py) below it",
  ],
];

for (const [what, fn, message] of ALEMBIC_CRASHES) {
  Deno.test(`plan: ${what}`, () => {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof RevisionError);
      assert.equal(err.message, message);
      return true;
    });
  });
}

Deno.test("plan: wrong direction names the destination", () => {
  // observed: `alembic downgrade ae10ff0001` with 27c6a30d7c24 applied
  assert.throws(() => planDowngrade(mapOf("linear"), ["27c6a30d7c24"], "ae10ff0001"), {
    message: "Destination ae10ff0001 is not a valid downgrade target from current head(s)",
  });
  // `alembic upgrade` to an older revision plans nothing
  assert.deepEqual(planUpgrade(mapOf("linear"), ["27c6a30d7c24"], "1975"), []);
});

Deno.test("plan: multiple heads names the argument", () => {
  assert.throws(() => planUpgrade(mapOf("branches"), [], "head"), {
    message: "Multiple head revisions are present for given argument 'head'; please specify a " +
      "specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' " +
      "for all heads",
  });
  assert.throws(() => planStamp(mapOf("branches"), [], ["head"], false), {
    message: "Multiple heads are present; please specify a single target revision",
  });
});

Deno.test("plan: overlapping upgrade targets", () => {
  assert.throws(
    () => iterateRevisions(mapOf("linear"), ["ae10ff0001", "27c6a30d7c24"], null),
    {
      message: "Requested revision 'ae10ff0001' (versions/ae10ff0001.py) overlaps with other " +
        "requested revisions '27c6a30d7c24' (versions/27c6a30d7c24.py)",
    },
  );
});

Deno.test("plan: stamp -N past the base with no rows is a stamp to base", () => {
  // observed: `alembic stamp -- -9` on an empty version table does nothing
  assert.deepEqual(planStamp(mapOf("branches"), [], ["-9"], false), []);
});

Deno.test("plan: --purge plans from no version rows", () => {
  assert.deepEqual(stamp(planStamp(mapOf("linear"), ["27c6a30d7c24"], ["1975"], true)), [
    ["up", [], ["1975ea83b712"], true],
  ]);
});

Deno.test("plan: history ranges", () => {
  assert.deepEqual(parseHistoryRange("a:b"), { start: "a", end: "b" });
  assert.deepEqual(parseHistoryRange(":b"), { start: undefined, end: "b" });
  assert.deepEqual(parseHistoryRange("a:"), { start: "a", end: undefined });
  assert.throws(() => parseHistoryRange("a"), {
    message: "History range requires [start]:[end], [start]:, or :[end]",
  });
  assert.throws(() => historyRange(mapOf("linear"), "current:"), {
    message: "History range 'current' needs the database's current revisions",
  });
  assert.deepEqual(
    historyRange(mapOf("linear"), "ae1027:27c6").map((r) => r.id),
    ["27c6a30d7c24", "ae1027a6acf"],
  );
});

Deno.test("plan: history from an expand revision on a Glance graph", () => {
  // Alembic fails its topological sort's assertion here; we list the expand branch
  assert.deepEqual(
    historyRange(mapOf("glance"), "ocata_expand01:").map((r) => r.id),
    ["pike_expand01", "ocata_expand01"],
  );
});

Deno.test("plan: current revisions include what the heads depend on", () => {
  // observed: `alembic current` with pike_contract01 prints pike_contract01 and pike_expand01
  assert.deepEqual(
    currentRevisions(mapOf("glance"), ["pike_contract01"]).map((r) => r.id).sort(),
    ["pike_contract01", "pike_expand01"],
  );
  assert.deepEqual(currentRevisions(mapOf("glance"), []), []);
});
