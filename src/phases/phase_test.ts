import assert from "node:assert/strict";
import { RevisionMap } from "../graph/revision_map.ts";
import { GRAPHS, rev } from "../graph/testdata/graphs.ts";
import { PhaseError, ScriptError } from "../errors.ts";
import {
  checkCode,
  contractBlocker,
  dataMigrationsRetiredBy,
  dataMigrationState,
  phaseOf,
  phaseStatus,
  planContract,
  planExpand,
  planMigrate,
  planSync,
  splitUpgrade,
  validateDataMigrations,
} from "./phase.ts";
import { planUpgrade } from "../graph/plan.ts";

const glance = new RevisionMap(GRAPHS.glance);
const ocata = new RevisionMap(
  GRAPHS.glance.filter((r) => !r.id.startsWith("pike")),
);
const dms = [
  { name: "ocata_migrate01", after: "ocata_expand01" },
  { name: "pike_migrate01", after: "pike_expand01" },
];
const ids = (steps: readonly { revision: string }[]) => steps.map((s) => s.revision);

function phaseError(code: number, message: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof PhaseError, String(e));
    assert.equal(e.exitCode, code);
    assert.match(e.message, message);
    return true;
  };
}

Deno.test("phaseOf: labels inherited along the branch; common history has none", () => {
  const phases = Object.fromEntries(glance.all().map((r) => [r.id, phaseOf(glance, r.id)]));
  assert.deepEqual(phases, {
    liberty: undefined,
    mitaka01: undefined,
    mitaka02: undefined,
    ocata_expand01: "expand",
    pike_expand01: "expand",
    ocata_contract01: "contract",
    pike_contract01: "contract",
  });
  // Without a branch point the expand label reaches down to the base (Alembic's rule).
  const lone = new RevisionMap([rev("a", []), rev("b", ["a"], { labels: ["expand"] })]);
  assert.equal(phaseOf(lone, "a"), "expand");
});

Deno.test("dataMigrationState: waiting, active, retired by the release's contract", () => {
  const at = (heads: string[]) => glance.ancestors(heads);
  const s = (heads: string[], i: number) => dataMigrationState(glance, at(heads), dms[i]);
  assert.equal(s(["mitaka02"], 0), "waiting");
  assert.equal(s(["ocata_expand01"], 0), "active");
  assert.equal(s(["pike_expand01"], 0), "active");
  assert.equal(s(["pike_expand01"], 1), "active");
  assert.equal(s(["ocata_contract01", "pike_expand01"], 0), "retired");
  assert.equal(s(["ocata_contract01", "pike_expand01"], 1), "active");
  assert.equal(s(["pike_contract01"], 1), "retired");
});

Deno.test("phaseStatus and checkCode through a rolling upgrade", () => {
  const code = (heads: string[], rows: Record<string, number> = {}) =>
    checkCode(phaseStatus(ocata, heads, dms.slice(0, 1)), new Map(Object.entries(rows)));
  const st = phaseStatus(ocata, ["mitaka02"], dms.slice(0, 1));
  assert.deepEqual([...st.expandPending], ["ocata_expand01"]);
  assert.deepEqual([...st.contractPending], ["ocata_contract01"]);
  assert.deepEqual([...st.waiting], ["ocata_migrate01"]);
  assert.equal(code([]), 3);
  assert.equal(code(["mitaka02"]), 3);
  assert.equal(code(["ocata_expand01"], { ocata_migrate01: 12 }), 4);
  assert.equal(code(["ocata_expand01"], { ocata_migrate01: 0 }), 5);
  assert.equal(code(["ocata_contract01"]), 0);
  // A release without a contract revision yet: data left is still "migrate needed".
  const noContract = new RevisionMap(GRAPHS.glance.filter((r) => !r.id.includes("contract")));
  const rows = new Map([["ocata_migrate01", 3]]);
  assert.equal(checkCode(phaseStatus(noContract, ["pike_expand01"], dms.slice(0, 1)), rows), 4);
});

Deno.test("contractBlocker: expand first, then rows left", () => {
  const at = (heads: string[]) => phaseStatus(ocata, heads, dms.slice(0, 1));
  assert.throws(() => {
    throw contractBlocker(at(["mitaka02"]), new Map());
  }, phaseError(3, /^contract refused: expand is not complete \(ocata_expand01 not applied\)/));
  const rows = new Map([["ocata_migrate01", 7]]);
  assert.throws(() => {
    throw contractBlocker(at(["ocata_expand01"]), rows);
  }, phaseError(4, /data migrations still have rows to move \(ocata_migrate01: 7 row\(s\)\)/));
  assert.equal(
    contractBlocker(at(["ocata_expand01"]), new Map([["ocata_migrate01", 0]])),
    undefined,
  );
});

Deno.test("planExpand / planContract / planSync on Glance's graph", () => {
  assert.deepEqual(ids(planExpand(glance, [])), [
    "liberty",
    "mitaka01",
    "mitaka02",
    "ocata_expand01",
    "pike_expand01",
  ]);
  assert.deepEqual(ids(planExpand(glance, ["ocata_contract01"])), ["pike_expand01"]);
  assert.deepEqual(ids(planExpand(glance, ["pike_expand01"])), []);
  assert.throws(() => planContract(glance, ["mitaka02"]), phaseError(3, /expand is not complete/));
  assert.deepEqual(ids(planContract(glance, ["pike_expand01"])), [
    "ocata_contract01",
    "pike_contract01",
  ]);
  assert.throws(
    () => planMigrate(glance, ["ocata_contract01"]),
    phaseError(3, /^migrate refused: expand is not complete \(pike_expand01 not applied\)/),
  );
  assert.deepEqual(planMigrate(glance, ["pike_expand01"]), {
    expand: [],
    migrate: true,
    contract: [],
  });
  const sync = planSync(glance, []);
  assert.equal(sync.migrate, true);
  assert.deepEqual(ids(sync.expand), ids(planExpand(glance, [])));
  assert.deepEqual(ids(sync.contract), ["ocata_contract01", "pike_contract01"]);
});

Deno.test("planExpand refuses to cross into a contract revision", () => {
  const crossing = new RevisionMap([
    rev("b0", []),
    rev("e1", ["b0"], { labels: ["expand"] }),
    rev("c1", ["b0"], { labels: ["contract"], deps: ["e1"] }),
    rev("e2", ["e1"], { deps: ["c1"] }),
  ]);
  assert.throws(
    () => planExpand(crossing, ["b0"]),
    phaseError(5, /^expand refused: e2 depend\(s\) on contract revision\(s\) c1/),
  );
});

Deno.test("splitUpgrade: Alembic's plan, unless data must move between expand and contract", () => {
  const ocataDms = dms.slice(0, 1);
  const split = (map: RevisionMap, heads: string[], target: string, d = ocataDms) =>
    splitUpgrade(map, heads, planUpgrade(map, heads, target), target, d);
  const plan = split(ocata, ["mitaka02"], "heads");
  assert.deepEqual([ids(plan.expand), plan.migrate, ids(plan.contract)], [
    ["ocata_expand01"],
    true,
    ["ocata_contract01"],
  ]);
  // Nothing retired: Alembic's plan as it is, contract revisions included.
  const noData = split(ocata, ["mitaka02"], "heads", []);
  assert.deepEqual([ids(noData.expand), noData.migrate, noData.contract], [
    ["ocata_expand01", "ocata_contract01"],
    false,
    [],
  ]);
  const expandOnly = split(ocata, [], "expand@head");
  assert.deepEqual([ids(expandOnly.expand).at(-1), expandOnly.migrate, expandOnly.contract], [
    "ocata_expand01",
    false,
    [],
  ]);
  // Ocata's contract with Pike's expand still to come: Ocata's data moves first, that is all.
  const c = split(glance, ["mitaka02"], "ocata_contract01", dms);
  assert.deepEqual([ids(c.expand), c.migrate, ids(c.contract)], [
    ["ocata_expand01"],
    true,
    ["ocata_contract01"],
  ]);
  // Expand steps wait for contract steps that wait for data: no order works.
  const crossing = new RevisionMap([
    rev("b0", []),
    rev("e1", ["b0"], { labels: ["expand"] }),
    rev("c1", ["b0"], { labels: ["contract"], deps: ["e1"] }),
    rev("e2", ["e1"], { deps: ["c1"] }),
  ]);
  assert.throws(
    () => split(crossing, [], "heads", [{ name: "d1", after: "e1" }]),
    phaseError(
      5,
      /^upgrade heads refused: expand revision e2 depends on contract revision\(s\) c1/,
    ),
  );
});

Deno.test("validateDataMigrations: after must be an expand revision", () => {
  validateDataMigrations(glance, dms);
  const bad = (dm: { name: string; after: string }, re: RegExp) =>
    assert.throws(
      () => validateDataMigrations(glance, [{ ...dm, file: "d.sql", afterLine: 3 }]),
      (e: unknown) => e instanceof ScriptError && re.test(e.message),
    );
  bad({ name: "d", after: "nope" }, /^d\.sql:3: after: no revision "nope"/);
  bad(
    { name: "d", after: "mitaka02" },
    /^d\.sql:3: after: revision "mitaka02" is not on the expand branch/,
  );
  bad({ name: "d", after: "ocata_contract01" }, /is not on the expand branch/);
  bad(
    { name: "liberty", after: "ocata_expand01" },
    /^d\.sql:1: data migration "liberty" has the name of a revision/,
  );
});

Deno.test("dataMigrationsRetiredBy: those a plan takes from not retired to retired", () => {
  const skips = (heads: string[], target: string) =>
    dataMigrationsRetiredBy(glance, heads, planUpgrade(glance, heads, target), dms);
  assert.deepEqual(skips([], "heads"), ["ocata_migrate01", "pike_migrate01"]);
  assert.deepEqual(skips(["mitaka02"], "expand@head"), []);
  assert.deepEqual(skips(["pike_expand01"], "ocata_contract01"), ["ocata_migrate01"]);
  assert.deepEqual(skips(["ocata_contract01", "pike_expand01"], "heads"), ["pike_migrate01"]);
  assert.deepEqual(skips(["pike_contract01"], "heads"), []);
});
