import assert from "node:assert/strict";
import {
  formatBranches,
  formatCurrent,
  formatHeadLine,
  formatHeads,
  formatHistory,
  formatLogEntry,
  formatLogLine,
  formatShow,
  lines,
} from "./format.ts";
import { RevisionMap } from "./revision_map.ts";
import { assertAlembicError } from "./targets_test.ts";
import { type GraphName, GRAPHS } from "./testdata/graphs.ts";

const maps = new Map<GraphName, RevisionMap>();
function mapOf(name: GraphName): RevisionMap {
  if (!maps.has(name)) maps.set(name, new RevisionMap(GRAPHS[name]));
  return maps.get(name)!;
}

interface Query {
  op: "history" | "heads" | "branches" | "show" | "current";
  verbose?: boolean;
  resolve?: boolean;
  rev?: string;
  heads?: string[];
}

// [graph, command, stdout] as real Alembic 1.8.1 printed it (paths relative to the project),
// except four rows, each marked PYTHONHASHSEED=7 below (glance: `show mitaka02`, `branches`,
// `history --verbose`, `branches --verbose`). There a branch point's children (`Branches
// into:`, the `->` lines) are a Python set that Alembic prints in hash order, and the
// expected text is bellows' load order instead, as documented in format.ts.
const OUTPUTS: [GraphName, Query, string][] = [
  ["linear", { "op": "current", "heads": [] }, ""],
  ["linear", { "op": "current", "heads": ["1975ea83b712"] }, "1975ea83b712\n"],
  ["linear", { "op": "current", "heads": ["27c6a30d7c24"] }, "27c6a30d7c24\n"],
  ["linear", { "op": "current", "heads": ["ae10ff0001"] }, "ae10ff0001 (head)\n"],
  [
    "linear",
    { "op": "show", "rev": "heads" },
    "Rev: ae10ff0001 (head)\nParent: 27c6a30d7c24\nPath: versions/ae10ff0001.py\n\n    fourth\n\n",
  ],
  ["linear", { "op": "show", "rev": "base" }, ""],
  [
    "linear",
    { "op": "show", "rev": "-1" },
    "Rev: 27c6a30d7c24\nParent: ae1027a6acf\nPath: versions/27c6a30d7c24.py\n\n    add another\n\n",
  ],
  [
    "linear",
    { "op": "show", "rev": "1975" },
    "Rev: 1975ea83b712\nParent: <base>\nPath: versions/1975ea83b712.py\n\n    create account table\n\n",
  ],
  [
    "linear",
    { "op": "history", "verbose": false },
    "27c6a30d7c24 -> ae10ff0001 (head), fourth\nae1027a6acf -> 27c6a30d7c24, add another\n1975ea83b712 -> ae1027a6acf, add a column\n<base> -> 1975ea83b712, create account table\n",
  ],
  ["linear", { "op": "heads", "verbose": false }, "ae10ff0001 (head)\n"],
  ["linear", { "op": "heads", "verbose": false, "resolve": true }, "ae10ff0001 (head)\n"],
  ["linear", { "op": "branches", "verbose": false }, ""],
  [
    "linear",
    { "op": "history", "verbose": true },
    "Rev: ae10ff0001 (head)\nParent: 27c6a30d7c24\nPath: versions/ae10ff0001.py\n\n    fourth\n\nRev: 27c6a30d7c24\nParent: ae1027a6acf\nPath: versions/27c6a30d7c24.py\n\n    add another\n\nRev: ae1027a6acf\nParent: 1975ea83b712\nPath: versions/ae1027a6acf.py\n\n    add a column\n\nRev: 1975ea83b712\nParent: <base>\nPath: versions/1975ea83b712.py\n\n    create account table\n\n",
  ],
  [
    "linear",
    { "op": "heads", "verbose": true },
    "Rev: ae10ff0001 (head)\nParent: 27c6a30d7c24\nPath: versions/ae10ff0001.py\n\n    fourth\n\n",
  ],
  [
    "linear",
    { "op": "heads", "verbose": true, "resolve": true },
    "Rev: ae10ff0001 (head)\nParent: 27c6a30d7c24\nPath: versions/ae10ff0001.py\n\n    fourth\n\n",
  ],
  ["linear", { "op": "branches", "verbose": true }, ""],
  ["branches", { "op": "current", "heads": [] }, ""],
  ["branches", { "op": "current", "heads": ["a0base01"] }, "a0base01\n"],
  ["branches", { "op": "current", "heads": ["b1point2"] }, "b1point2 (branchpoint)\n"],
  ["branches", { "op": "current", "heads": ["e2bb"] }, "e2bb\n"],
  ["branches", { "op": "current", "heads": ["c1dd"] }, "c1dd\n"],
  [
    "branches",
    { "op": "show", "rev": "heads" },
    "Rev: e3cc (head)\nParent: e2bb\nBranch names: expand\nPath: versions/e3cc.py\n\n    msg e3cc\n\nRev: c2ee (head)\nParent: c1dd\nBranch names: contract\nPath: versions/c2ee.py\n\n    msg c2ee\n\n",
  ],
  ["branches", { "op": "show", "rev": "base" }, ""],
  [
    "branches",
    { "op": "show", "rev": "-1" },
    "Rev: e2bb\nParent: e1aa\nBranch names: expand\nPath: versions/e2bb.py\n\n    msg e2bb\n\nRev: c1dd\nParent: b1point2\nBranch names: contract\nPath: versions/c1dd.py\n\n    msg c1dd\n\n",
  ],
  [
    "branches",
    { "op": "show", "rev": "expand@head" },
    "Rev: e3cc (head)\nParent: e2bb\nBranch names: expand\nPath: versions/e3cc.py\n\n    msg e3cc\n\n",
  ],
  [
    "branches",
    { "op": "history", "verbose": false },
    "e2bb -> e3cc (expand) (head), msg e3cc\ne1aa -> e2bb (expand), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "branches",
    { "op": "heads", "verbose": false },
    "e3cc (expand) (head)\nc2ee (contract) (head)\n",
  ],
  [
    "branches",
    { "op": "heads", "verbose": false, "resolve": true },
    "e3cc (expand) (head)\nc2ee (contract) (head)\n",
  ],
  [
    "branches",
    { "op": "heads", "verbose": true },
    "Rev: e3cc (head)\nParent: e2bb\nBranch names: expand\nPath: versions/e3cc.py\n\n    msg e3cc\n\nRev: c2ee (head)\nParent: c1dd\nBranch names: contract\nPath: versions/c2ee.py\n\n    msg c2ee\n\n",
  ],
  [
    "branches",
    { "op": "heads", "verbose": true, "resolve": true },
    "Rev: e3cc (head)\nParent: e2bb\nBranch names: expand\nPath: versions/e3cc.py\n\n    msg e3cc\n\nRev: c2ee (head)\nParent: c1dd\nBranch names: contract\nPath: versions/c2ee.py\n\n    msg c2ee\n\n",
  ],
  ["merged", { "op": "current", "heads": [] }, ""],
  ["merged", { "op": "current", "heads": ["b1point2"] }, "b1point2 (branchpoint)\n"],
  ["merged", { "op": "current", "heads": ["e3cc"] }, "e3cc\n"],
  ["merged", { "op": "current", "heads": ["m1ff"] }, "m1ff (mergepoint)\n"],
  ["merged", { "op": "current", "heads": ["m2gg"] }, "m2gg (head)\n"],
  ["merged", { "op": "show", "rev": "base" }, ""],
  ["glance", { "op": "current", "heads": [] }, ""],
  ["glance", { "op": "current", "heads": ["mitaka02"] }, "mitaka02 (branchpoint)\n"],
  ["glance", { "op": "current", "heads": ["ocata_expand01"] }, "ocata_expand01\n"],
  ["glance", { "op": "current", "heads": ["pike_expand01"] }, "pike_expand01 (effective head)\n"],
  [
    "glance",
    { "op": "show", "rev": "heads" },
    "Rev: pike_contract01 (head)\nParent: ocata_contract01\nAlso depends on: pike_expand01\nBranch names: contract\nPath: versions/pike_contract01.py\n\n    msg pike_contract01\n\n",
  ],
  ["glance", { "op": "show", "rev": "base" }, ""],
  [
    "glance",
    { "op": "show", "rev": "-1" },
    "Rev: ocata_contract01\nParent: mitaka02\nAlso depends on: ocata_expand01\nBranch names: contract\nPath: versions/ocata_contract01.py\n\n    msg ocata_contract01\n\n",
  ],
  [
    "glance",
    { "op": "show", "rev": "expand@head" },
    "Rev: pike_expand01 (head)\nParent: ocata_expand01\nBranch names: expand\nPath: versions/pike_expand01.py\n\n    msg pike_expand01\n\n",
  ],
  [
    "glance",
    { "op": "show", "rev": "ocata_contract01" },
    "Rev: ocata_contract01\nParent: mitaka02\nAlso depends on: ocata_expand01\nBranch names: contract\nPath: versions/ocata_contract01.py\n\n    msg ocata_contract01\n\n",
  ],
  // PYTHONHASHSEED=7: Alembic prints the set `nextrev` in hash order; this is load order
  [
    "glance",
    { "op": "show", "rev": "mitaka02" },
    "Rev: mitaka02 (branchpoint)\nParent: mitaka01\nBranches into: ocata_expand01, ocata_contract01\nPath: versions/mitaka02.py\n\n    msg mitaka02\n\n",
  ],
  [
    "glance",
    { "op": "history", "verbose": false },
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "glance",
    { "op": "heads", "verbose": false },
    "pike_expand01 (expand) (effective head)\npike_contract01 (contract) (head)\n",
  ],
  [
    "glance",
    { "op": "heads", "verbose": false, "resolve": true },
    "pike_contract01 (contract) (head)\n",
  ],
  // PYTHONHASHSEED=7: Alembic prints the set `nextrev` in hash order; this is load order
  [
    "glance",
    { "op": "branches", "verbose": false },
    "mitaka02 (branchpoint)\n         -> ocata_expand01 (expand)\n         -> ocata_contract01 (contract)\n\n",
  ],
  // PYTHONHASHSEED=7: Alembic prints the set `nextrev` in hash order; this is load order
  [
    "glance",
    { "op": "history", "verbose": true },
    "Rev: pike_contract01 (head)\nParent: ocata_contract01\nAlso depends on: pike_expand01\nBranch names: contract\nPath: versions/pike_contract01.py\n\n    msg pike_contract01\n\nRev: ocata_contract01\nParent: mitaka02\nAlso depends on: ocata_expand01\nBranch names: contract\nPath: versions/ocata_contract01.py\n\n    msg ocata_contract01\n\nRev: pike_expand01 (head)\nParent: ocata_expand01\nBranch names: expand\nPath: versions/pike_expand01.py\n\n    msg pike_expand01\n\nRev: ocata_expand01\nParent: mitaka02\nBranch names: expand\nPath: versions/ocata_expand01.py\n\n    msg ocata_expand01\n\nRev: mitaka02 (branchpoint)\nParent: mitaka01\nBranches into: ocata_expand01, ocata_contract01\nPath: versions/mitaka02.py\n\n    msg mitaka02\n\nRev: mitaka01\nParent: liberty\nPath: versions/mitaka01.py\n\n    msg mitaka01\n\nRev: liberty\nParent: <base>\nPath: versions/liberty.py\n\n    msg liberty\n\n",
  ],
  [
    "glance",
    { "op": "heads", "verbose": true },
    "Rev: pike_expand01 (head)\nParent: ocata_expand01\nBranch names: expand\nPath: versions/pike_expand01.py\n\n    msg pike_expand01\n\nRev: pike_contract01 (head)\nParent: ocata_contract01\nAlso depends on: pike_expand01\nBranch names: contract\nPath: versions/pike_contract01.py\n\n    msg pike_contract01\n\n",
  ],
  [
    "glance",
    { "op": "heads", "verbose": true, "resolve": true },
    "Rev: pike_contract01 (head)\nParent: ocata_contract01\nAlso depends on: pike_expand01\nBranch names: contract\nPath: versions/pike_contract01.py\n\n    msg pike_contract01\n\n",
  ],
  // PYTHONHASHSEED=7: Alembic prints the set `nextrev` in hash order; this is load order
  [
    "glance",
    { "op": "branches", "verbose": true },
    "Rev: mitaka02 (branchpoint)\nParent: mitaka01\nBranches into: ocata_expand01, ocata_contract01\nPath: versions/mitaka02.py\n\n    msg mitaka02\n\n         -> ocata_expand01 (expand), msg ocata_expand01\n         -> ocata_contract01 (contract), msg ocata_contract01\n\n",
  ],
  ["roots", { "op": "current", "heads": [] }, ""],
  ["roots", { "op": "current", "heads": ["l3cc"] }, "l3cc (head)\n"],
  ["roots", { "op": "current", "heads": ["r1dd"] }, "r1dd\n"],
  [
    "roots",
    { "op": "show", "rev": "heads" },
    "Rev: l3cc (head)\nParent: l2bb\nBranch names: left\nPath: versions/l3cc.py\n\n    msg l3cc\n\nRev: r2ee (head)\nParent: r1dd\nAlso depends on: l2bb\nBranch names: right\nPath: versions/r2ee.py\n\n    msg r2ee\n\n",
  ],
  ["roots", { "op": "show", "rev": "base" }, ""],
  [
    "roots",
    { "op": "show", "rev": "-1" },
    "Rev: l2bb\nParent: l1aa\nBranch names: left\nPath: versions/l2bb.py\n\n    msg l2bb\n\nRev: r1dd\nParent: <base>\nBranch names: right\nPath: versions/r1dd.py\n\n    msg r1dd\n\n",
  ],
  [
    "roots",
    { "op": "show", "rev": "left" },
    "Rev: l1aa\nParent: <base>\nBranch names: left\nPath: versions/l1aa.py\n\n    msg l1aa\n\n",
  ],
  [
    "roots",
    { "op": "show", "rev": "r2ee" },
    "Rev: r2ee (head)\nParent: r1dd\nAlso depends on: l2bb\nBranch names: right\nPath: versions/r2ee.py\n\n    msg r2ee\n\n",
  ],
  [
    "roots",
    { "op": "history", "verbose": false },
    "l2bb -> l3cc (left) (head), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head), msg r2ee\n<base> -> r1dd (right), msg r1dd\nl1aa -> l2bb (left), msg l2bb\n<base> -> l1aa (left), msg l1aa\n",
  ],
  ["roots", { "op": "heads", "verbose": false }, "l3cc (left) (head)\nr2ee (right) (head)\n"],
  [
    "roots",
    { "op": "heads", "verbose": false, "resolve": true },
    "l3cc (left) (head)\nr2ee (right) (head)\n",
  ],
  ["roots", { "op": "branches", "verbose": false }, ""],
  [
    "roots",
    { "op": "history", "verbose": true },
    "Rev: l3cc (head)\nParent: l2bb\nBranch names: left\nPath: versions/l3cc.py\n\n    msg l3cc\n\nRev: r2ee (head)\nParent: r1dd\nAlso depends on: l2bb\nBranch names: right\nPath: versions/r2ee.py\n\n    msg r2ee\n\nRev: r1dd\nParent: <base>\nBranch names: right\nPath: versions/r1dd.py\n\n    msg r1dd\n\nRev: l2bb\nParent: l1aa\nBranch names: left\nPath: versions/l2bb.py\n\n    msg l2bb\n\nRev: l1aa\nParent: <base>\nBranch names: left\nPath: versions/l1aa.py\n\n    msg l1aa\n\n",
  ],
  [
    "roots",
    { "op": "heads", "verbose": true },
    "Rev: l3cc (head)\nParent: l2bb\nBranch names: left\nPath: versions/l3cc.py\n\n    msg l3cc\n\nRev: r2ee (head)\nParent: r1dd\nAlso depends on: l2bb\nBranch names: right\nPath: versions/r2ee.py\n\n    msg r2ee\n\n",
  ],
  [
    "roots",
    { "op": "heads", "verbose": true, "resolve": true },
    "Rev: l3cc (head)\nParent: l2bb\nBranch names: left\nPath: versions/l3cc.py\n\n    msg l3cc\n\nRev: r2ee (head)\nParent: r1dd\nAlso depends on: l2bb\nBranch names: right\nPath: versions/r2ee.py\n\n    msg r2ee\n\n",
  ],
  ["roots", { "op": "branches", "verbose": true }, ""],
];

function run(graph: GraphName, q: Query): string {
  const map = mapOf(graph);
  switch (q.op) {
    case "history":
      return formatHistory(map, { verbose: q.verbose });
    case "heads":
      return formatHeads(map, { verbose: q.verbose, resolveDependencies: q.resolve });
    case "branches":
      return formatBranches(map, { verbose: q.verbose });
    case "show":
      return formatShow(map, q.rev!);
    case "current":
      return formatCurrent(map, q.heads ?? [], { verbose: q.verbose });
  }
}

for (const [graph, q, stdout] of OUTPUTS) {
  Deno.test(`format: ${graph} ${JSON.stringify(q)}`, () => {
    assert.equal(run(graph, q), stdout);
  });
}

// [graph, version rows, -r range, stdout of `alembic history -i [-r range]`] as observed.
const HISTORY: [GraphName, string[], string | null, string | { error: string }][] = [
  [
    "linear",
    ["27c6a30d7c24"],
    null,
    "27c6a30d7c24 -> ae10ff0001 (head), fourth\nae1027a6acf -> 27c6a30d7c24 (current), add another\n1975ea83b712 -> ae1027a6acf, add a column\n<base> -> 1975ea83b712, create account table\n",
  ],
  [
    "linear",
    ["27c6a30d7c24"],
    "base:",
    "27c6a30d7c24 -> ae10ff0001 (head), fourth\nae1027a6acf -> 27c6a30d7c24 (current), add another\n1975ea83b712 -> ae1027a6acf, add a column\n<base> -> 1975ea83b712, create account table\n",
  ],
  [
    "linear",
    ["27c6a30d7c24"],
    ":heads",
    "27c6a30d7c24 -> ae10ff0001 (head), fourth\nae1027a6acf -> 27c6a30d7c24 (current), add another\n1975ea83b712 -> ae1027a6acf, add a column\n<base> -> 1975ea83b712, create account table\n",
  ],
  [
    "linear",
    ["27c6a30d7c24"],
    "base:heads",
    "27c6a30d7c24 -> ae10ff0001 (head), fourth\nae1027a6acf -> 27c6a30d7c24 (current), add another\n1975ea83b712 -> ae1027a6acf, add a column\n<base> -> 1975ea83b712, create account table\n",
  ],
  [
    "linear",
    ["27c6a30d7c24"],
    "-1:",
    "27c6a30d7c24 -> ae10ff0001 (head), fourth\nae1027a6acf -> 27c6a30d7c24 (current), add another\n",
  ],
  ["linear", ["27c6a30d7c24"], ":-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  [
    "linear",
    ["27c6a30d7c24"],
    "current:",
    "27c6a30d7c24 -> ae10ff0001 (head), fourth\nae1027a6acf -> 27c6a30d7c24 (current), add another\n",
  ],
  [
    "linear",
    ["27c6a30d7c24"],
    ":current",
    "ae1027a6acf -> 27c6a30d7c24 (current), add another\n1975ea83b712 -> ae1027a6acf, add a column\n<base> -> 1975ea83b712, create account table\n",
  ],
  ["linear", ["27c6a30d7c24"], "+1:", { "error": "Can't locate revision identified by '+1'" }],
  ["linear", ["27c6a30d7c24"], "head-1:", {
    "error": "Can't locate revision identified by 'head-1'",
  }],
  ["linear", ["27c6a30d7c24"], ":+1", "<base> -> 1975ea83b712, create account table\n"],
  ["linear", ["27c6a30d7c24"], "heads:", "27c6a30d7c24 -> ae10ff0001 (head), fourth\n"],
  ["linear", ["27c6a30d7c24"], ":base", ""],
  ["linear", ["27c6a30d7c24"], "x:", { "error": "Can't locate revision identified by 'x'" }],
  [
    "linear",
    ["27c6a30d7c24"],
    "current:heads",
    "27c6a30d7c24 -> ae10ff0001 (head), fourth\nae1027a6acf -> 27c6a30d7c24 (current), add another\n",
  ],
  [
    "linear",
    ["27c6a30d7c24"],
    "base:current",
    "ae1027a6acf -> 27c6a30d7c24 (current), add another\n1975ea83b712 -> ae1027a6acf, add a column\n<base> -> 1975ea83b712, create account table\n",
  ],
  [
    "branches",
    ["e2bb"],
    null,
    "e2bb -> e3cc (expand) (head), msg e3cc\ne1aa -> e2bb (expand) (current), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "branches",
    ["e2bb"],
    "base:",
    "e2bb -> e3cc (expand) (head), msg e3cc\ne1aa -> e2bb (expand) (current), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "branches",
    ["e2bb"],
    ":heads",
    "e2bb -> e3cc (expand) (head), msg e3cc\ne1aa -> e2bb (expand) (current), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "branches",
    ["e2bb"],
    "base:heads",
    "e2bb -> e3cc (expand) (head), msg e3cc\ne1aa -> e2bb (expand) (current), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "branches",
    ["e2bb"],
    "-1:",
    "e2bb -> e3cc (expand) (head), msg e3cc\ne1aa -> e2bb (expand) (current), msg e2bb\nc1dd -> c2ee (contract) (head), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\n",
  ],
  ["branches", ["e2bb"], ":-1", { "error": "Relative revision -1 didn't produce 1 migrations" }],
  [
    "branches",
    ["e2bb"],
    "current:",
    "e2bb -> e3cc (expand) (head), msg e3cc\ne1aa -> e2bb (expand) (current), msg e2bb\n",
  ],
  [
    "branches",
    ["e2bb"],
    ":current",
    "e1aa -> e2bb (expand) (current), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  ["branches", ["e2bb"], "+1:", { "error": "Can't locate revision identified by '+1'" }],
  ["branches", ["e2bb"], "head-1:", { "error": "Can't locate revision identified by 'head-1'" }],
  ["branches", ["e2bb"], ":+1", "<base> -> a0base01, msg a0base01\n"],
  [
    "branches",
    ["e2bb"],
    "heads:",
    "e2bb -> e3cc (expand) (head), msg e3cc\nc1dd -> c2ee (contract) (head), msg c2ee\n",
  ],
  ["branches", ["e2bb"], ":base", ""],
  ["branches", ["e2bb"], "x:", { "error": "Can't locate revision identified by 'x'" }],
  [
    "branches",
    ["e2bb"],
    "current:heads",
    "e2bb -> e3cc (expand) (head), msg e3cc\ne1aa -> e2bb (expand) (current), msg e2bb\n",
  ],
  [
    "branches",
    ["e2bb"],
    "base:current",
    "e1aa -> e2bb (expand) (current), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "branches",
    ["e3cc", "c2ee"],
    null,
    "e2bb -> e3cc (expand) (head) (current), msg e3cc\ne1aa -> e2bb (expand), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head) (current), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "branches",
    ["e3cc", "c2ee"],
    "base:",
    "e2bb -> e3cc (expand) (head) (current), msg e3cc\ne1aa -> e2bb (expand), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head) (current), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "branches",
    ["e3cc", "c2ee"],
    ":heads",
    "e2bb -> e3cc (expand) (head) (current), msg e3cc\ne1aa -> e2bb (expand), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head) (current), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "branches",
    ["e3cc", "c2ee"],
    "base:heads",
    "e2bb -> e3cc (expand) (head) (current), msg e3cc\ne1aa -> e2bb (expand), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head) (current), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "branches",
    ["e3cc", "c2ee"],
    "-1:",
    "e2bb -> e3cc (expand) (head) (current), msg e3cc\ne1aa -> e2bb (expand), msg e2bb\nc1dd -> c2ee (contract) (head) (current), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\n",
  ],
  ["branches", ["e3cc", "c2ee"], ":-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  [
    "branches",
    ["e3cc", "c2ee"],
    "current:",
    "e2bb -> e3cc (expand) (head) (current), msg e3cc\nc1dd -> c2ee (contract) (head) (current), msg c2ee\n",
  ],
  [
    "branches",
    ["e3cc", "c2ee"],
    ":current",
    "e2bb -> e3cc (expand) (head) (current), msg e3cc\ne1aa -> e2bb (expand), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head) (current), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  ["branches", ["e3cc", "c2ee"], "+1:", { "error": "Can't locate revision identified by '+1'" }],
  ["branches", ["e3cc", "c2ee"], "head-1:", {
    "error": "Can't locate revision identified by 'head-1'",
  }],
  ["branches", ["e3cc", "c2ee"], ":+1", "<base> -> a0base01, msg a0base01\n"],
  [
    "branches",
    ["e3cc", "c2ee"],
    "heads:",
    "e2bb -> e3cc (expand) (head) (current), msg e3cc\nc1dd -> c2ee (contract) (head) (current), msg c2ee\n",
  ],
  ["branches", ["e3cc", "c2ee"], ":base", ""],
  ["branches", ["e3cc", "c2ee"], "x:", { "error": "Can't locate revision identified by 'x'" }],
  [
    "branches",
    ["e3cc", "c2ee"],
    "current:heads",
    "e2bb -> e3cc (expand) (head) (current), msg e3cc\nc1dd -> c2ee (contract) (head) (current), msg c2ee\n",
  ],
  [
    "branches",
    ["e3cc", "c2ee"],
    "base:current",
    "e2bb -> e3cc (expand) (head) (current), msg e3cc\ne1aa -> e2bb (expand), msg e2bb\nb1point2 -> e1aa (expand), msg e1aa\nc1dd -> c2ee (contract) (head) (current), msg c2ee\nb1point2 -> c1dd (contract), msg c1dd\na0base01 -> b1point2 (branchpoint), msg b1point2\n<base> -> a0base01, msg a0base01\n",
  ],
  [
    "glance",
    ["ocata_contract01"],
    null,
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract) (current), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "glance",
    ["ocata_contract01"],
    "base:",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract) (current), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "glance",
    ["ocata_contract01"],
    ":heads",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract) (current), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "glance",
    ["ocata_contract01"],
    "base:heads",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract) (current), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "glance",
    ["ocata_contract01"],
    "-1:",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract) (current), msg ocata_contract01\n",
  ],
  ["glance", ["ocata_contract01"], ":-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  [
    "glance",
    ["ocata_contract01"],
    "current:",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract) (current), msg ocata_contract01\n",
  ],
  [
    "glance",
    ["ocata_contract01"],
    ":current",
    "mitaka02 (ocata_expand01) -> ocata_contract01 (contract) (current), msg ocata_contract01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  ["glance", ["ocata_contract01"], "+1:", { "error": "Can't locate revision identified by '+1'" }],
  ["glance", ["ocata_contract01"], "head-1:", {
    "error": "Can't locate revision identified by 'head-1'",
  }],
  ["glance", ["ocata_contract01"], ":+1", "<base> -> liberty, msg liberty\n"],
  [
    "glance",
    ["ocata_contract01"],
    "heads:",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head), msg pike_contract01\n",
  ],
  ["glance", ["ocata_contract01"], ":base", ""],
  ["glance", ["ocata_contract01"], "x:", { "error": "Can't locate revision identified by 'x'" }],
  [
    "glance",
    ["ocata_contract01"],
    "current:heads",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract) (current), msg ocata_contract01\n",
  ],
  [
    "glance",
    ["ocata_contract01"],
    "base:current",
    "mitaka02 (ocata_expand01) -> ocata_contract01 (contract) (current), msg ocata_contract01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "glance",
    ["pike_contract01"],
    null,
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head) (current), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "glance",
    ["pike_contract01"],
    "base:",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head) (current), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "glance",
    ["pike_contract01"],
    ":heads",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head) (current), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "glance",
    ["pike_contract01"],
    "base:heads",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head) (current), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "glance",
    ["pike_contract01"],
    "-1:",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head) (current), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract), msg ocata_contract01\n",
  ],
  ["glance", ["pike_contract01"], ":-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  [
    "glance",
    ["pike_contract01"],
    "current:",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head) (current), msg pike_contract01\n",
  ],
  [
    "glance",
    ["pike_contract01"],
    ":current",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head) (current), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  ["glance", ["pike_contract01"], "+1:", { "error": "Can't locate revision identified by '+1'" }],
  ["glance", ["pike_contract01"], "head-1:", {
    "error": "Can't locate revision identified by 'head-1'",
  }],
  ["glance", ["pike_contract01"], ":+1", "<base> -> liberty, msg liberty\n"],
  [
    "glance",
    ["pike_contract01"],
    "heads:",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head) (current), msg pike_contract01\n",
  ],
  ["glance", ["pike_contract01"], ":base", ""],
  ["glance", ["pike_contract01"], "x:", { "error": "Can't locate revision identified by 'x'" }],
  [
    "glance",
    ["pike_contract01"],
    "current:heads",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head) (current), msg pike_contract01\n",
  ],
  [
    "glance",
    ["pike_contract01"],
    "base:current",
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head) (current), msg pike_contract01\nmitaka02 (ocata_expand01) -> ocata_contract01 (contract), msg ocata_contract01\nocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01\nmitaka02 -> ocata_expand01 (expand), msg ocata_expand01\nmitaka01 -> mitaka02 (branchpoint), msg mitaka02\nliberty -> mitaka01, msg mitaka01\n<base> -> liberty, msg liberty\n",
  ],
  [
    "roots",
    ["l3cc", "r2ee"],
    null,
    "l2bb -> l3cc (left) (head) (current), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head) (current), msg r2ee\n<base> -> r1dd (right), msg r1dd\nl1aa -> l2bb (left), msg l2bb\n<base> -> l1aa (left), msg l1aa\n",
  ],
  [
    "roots",
    ["l3cc", "r2ee"],
    "base:",
    "l2bb -> l3cc (left) (head) (current), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head) (current), msg r2ee\n<base> -> r1dd (right), msg r1dd\nl1aa -> l2bb (left), msg l2bb\n<base> -> l1aa (left), msg l1aa\n",
  ],
  [
    "roots",
    ["l3cc", "r2ee"],
    ":heads",
    "l2bb -> l3cc (left) (head) (current), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head) (current), msg r2ee\n<base> -> r1dd (right), msg r1dd\nl1aa -> l2bb (left), msg l2bb\n<base> -> l1aa (left), msg l1aa\n",
  ],
  [
    "roots",
    ["l3cc", "r2ee"],
    "base:heads",
    "l2bb -> l3cc (left) (head) (current), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head) (current), msg r2ee\n<base> -> r1dd (right), msg r1dd\nl1aa -> l2bb (left), msg l2bb\n<base> -> l1aa (left), msg l1aa\n",
  ],
  [
    "roots",
    ["l3cc", "r2ee"],
    "-1:",
    "l2bb -> l3cc (left) (head) (current), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head) (current), msg r2ee\n<base> -> r1dd (right), msg r1dd\nl1aa -> l2bb (left), msg l2bb\n",
  ],
  ["roots", ["l3cc", "r2ee"], ":-1", {
    "error": "Relative revision -1 didn't produce 1 migrations",
  }],
  [
    "roots",
    ["l3cc", "r2ee"],
    "current:",
    "l2bb -> l3cc (left) (head) (current), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head) (current), msg r2ee\n",
  ],
  [
    "roots",
    ["l3cc", "r2ee"],
    ":current",
    "l2bb -> l3cc (left) (head) (current), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head) (current), msg r2ee\n<base> -> r1dd (right), msg r1dd\nl1aa -> l2bb (left), msg l2bb\n<base> -> l1aa (left), msg l1aa\n",
  ],
  ["roots", ["l3cc", "r2ee"], "+1:", { "error": "Can't locate revision identified by '+1'" }],
  ["roots", ["l3cc", "r2ee"], "head-1:", {
    "error": "Can't locate revision identified by 'head-1'",
  }],
  ["roots", ["l3cc", "r2ee"], ":+1", { "error": "Ambiguous walk" }],
  [
    "roots",
    ["l3cc", "r2ee"],
    "heads:",
    "l2bb -> l3cc (left) (head) (current), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head) (current), msg r2ee\n",
  ],
  ["roots", ["l3cc", "r2ee"], ":base", ""],
  ["roots", ["l3cc", "r2ee"], "x:", { "error": "Can't locate revision identified by 'x'" }],
  [
    "roots",
    ["l3cc", "r2ee"],
    "current:heads",
    "l2bb -> l3cc (left) (head) (current), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head) (current), msg r2ee\n",
  ],
  [
    "roots",
    ["l3cc", "r2ee"],
    "base:current",
    "l2bb -> l3cc (left) (head) (current), msg l3cc\nr1dd (l2bb) -> r2ee (right) (head) (current), msg r2ee\n<base> -> r1dd (right), msg r1dd\nl1aa -> l2bb (left), msg l2bb\n<base> -> l1aa (left), msg l1aa\n",
  ],
];

for (const [graph, rows, range, expected] of HISTORY) {
  Deno.test(`format: ${graph} [${rows}] history -i -r ${range}`, () => {
    const out = () =>
      formatHistory(mapOf(graph), {
        range: range ?? undefined,
        indicateCurrent: true,
        currentHeads: rows,
      });
    if (typeof expected === "string") assert.equal(out(), expected);
    else assertAlembicError(out, expected.error);
  });
}

// Single entries, each a line Alembic 1.8.1 printed for these graphs.
Deno.test("formatLogLine: history lines", () => {
  const linear = mapOf("linear");
  assert.equal(
    formatLogLine(linear, linear.get("1975ea83b712")),
    "<base> -> 1975ea83b712, create account table",
  );
  assert.equal(
    formatLogLine(linear, linear.get("ae10ff0001")),
    "27c6a30d7c24 -> ae10ff0001 (head), fourth",
  );
  const branches = mapOf("branches");
  assert.equal(
    formatLogLine(branches, branches.get("b1point2")),
    "a0base01 -> b1point2 (branchpoint), msg b1point2",
  );
  assert.equal(
    formatLogLine(branches, branches.get("e3cc")),
    "e2bb -> e3cc (expand) (head), msg e3cc",
  );
  const merged = mapOf("merged");
  // Alembic prints the labels in set order: "(contract, expand)" in some runs
  assert.equal(
    formatLogLine(merged, merged.get("m1ff")),
    "e3cc, c2ee -> m1ff (expand, contract) (mergepoint), merge",
  );
  assert.equal(
    formatLogLine(merged, merged.get("m1ff"), { indicateCurrent: true, currentHeads: ["m1ff"] }),
    "e3cc, c2ee -> m1ff (expand, contract) (current) (mergepoint), merge",
  );
  const glance = mapOf("glance");
  assert.equal(
    formatLogLine(glance, glance.get("pike_contract01")),
    "ocata_contract01 (pike_expand01) -> pike_contract01 (contract) (head), msg pike_contract01",
  );
  assert.equal(
    formatLogLine(glance, glance.get("pike_expand01")),
    "ocata_expand01 -> pike_expand01 (expand) (effective head), msg pike_expand01",
  );
});

Deno.test("formatHeadLine: heads and current", () => {
  const glance = mapOf("glance");
  assert.equal(
    formatHeadLine(glance, glance.get("pike_expand01")),
    "pike_expand01 (expand) (effective head)",
  );
  assert.equal(
    formatHeadLine(glance, glance.get("pike_contract01")),
    "pike_contract01 (contract) (head)",
  );
  assert.equal(
    formatHeadLine(glance, glance.get("mitaka02"), { command: "current" }),
    "mitaka02 (branchpoint)",
  );
  assert.equal(
    formatHeadLine(glance, glance.get("pike_expand01"), { command: "current" }),
    "pike_expand01 (effective head)",
  );
});

Deno.test("formatLogEntry: show", () => {
  const glance = mapOf("glance");
  assert.equal(
    formatLogEntry(glance, glance.get("pike_contract01")),
    "Rev: pike_contract01 (head)\nParent: ocata_contract01\nAlso depends on: pike_expand01\n" +
      "Branch names: contract\nPath: versions/pike_contract01.py\n\n    msg pike_contract01\n",
  );
  const merged = mapOf("merged");
  assert.equal(
    formatLogEntry(merged, merged.get("m1ff"), { current: true }),
    "Rev: m1ff (mergepoint) (current)\nMerges: e3cc, c2ee\nBranch names: expand, contract\n" +
      "Path: versions/m1ff.py\n\n    merge\n",
  );
});

Deno.test("formatLogLine / formatLogEntry: a revision's replaced ids", () => {
  const map = new RevisionMap([
    { id: "m2", downRevisions: [], branchLabels: [], dependsOn: [], message: "base" },
    {
      id: "oc1",
      downRevisions: ["m2"],
      branchLabels: ["contract"],
      dependsOn: [],
      message: "drop",
      file: "oc1.sql",
      replaces: ["ocata01", "o1"],
    },
  ]);
  assert.equal(
    formatLogLine(map, map.get("oc1")),
    "m2 -> oc1 (contract) (head) (replaces ocata01, o1), drop",
  );
  assert.equal(
    formatLogEntry(map, map.get("oc1")),
    "Rev: oc1 (head)\nParent: m2\nBranch names: contract\nReplaces: ocata01, o1\n" +
      "Path: oc1.sql\n\n    drop\n",
  );
  // Heads and current lines stay as Alembic prints them.
  assert.equal(formatHeadLine(map, map.get("oc1")), "oc1 (contract) (head)");
});

Deno.test("lines: each entry and a line feed, across chunk boundaries", () => {
  for (const n of [0, 1, 499, 500, 501, 1000, 1234]) {
    const entries = Array.from({ length: n }, (_, i) => `entry ${i}\nsecond line ${i}`);
    assert.equal(lines(entries), entries.map((e) => `${e}\n`).join(""), `${n}`);
    assert.equal(lines(entries.values()), entries.map((e) => `${e}\n`).join(""), `${n}`);
  }
});
