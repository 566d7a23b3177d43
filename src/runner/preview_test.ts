import assert from "node:assert/strict";
import { loadProject } from "./project.ts";
import { formatPlan, previewLocks, previewSteps, statementLockJson } from "./preview.ts";
import { describeStatement } from "../analysis/mod.ts";
import { planUpgrade } from "../graph/plan.ts";
import { checksum, statementsFor } from "../script/mod.ts";

const files = [
  {
    path: "m/a1.sql",
    text: "-- revision: a1\n-- down_revision:\n-- message: first\n\n-- bellows:upgrade\n" +
      "CREATE TABLE t (id INT);\nCREATE INDEX ti ON t (id);\n\n" +
      "-- bellows:upgrade postgresql rolling\nSELECT 1;\n",
  },
  {
    path: "m/a2.sql",
    text: "-- revision: a2\n-- down_revision: a1\n-- message: second\n-- transactional: false\n\n" +
      "-- bellows:upgrade\nDROP INDEX ti;\n",
  },
];
const project = loadProject("m", files);

Deno.test("previewSteps: per step the file, statement count and the runner's checksum", () => {
  const steps = planUpgrade(project.map, [], "heads");
  const pg = previewSteps(project, steps, "postgresql");
  assert.deepEqual(pg.map((s) => [s.revision, s.file, s.statements, s.transactional]), [
    ["a1", "m/a1.sql", 3, true],
    ["a2", "m/a2.sql", 1, false],
  ]);
  const a1 = project.scripts.get("a1")!;
  assert.equal(pg[0].checksum, checksum(statementsFor(a1, "up", "postgresql")));
  // Rolling sections and dialects change the statements, and so the checksum.
  const lean = previewSteps(project, steps, "postgresql", true);
  const lite = previewSteps(project, steps, "sqlite");
  assert.equal(lean[0].statements, 2);
  assert.equal(lite[0].checksum, lean[0].checksum);
  assert.notEqual(lite[0].checksum, pg[0].checksum);
});

Deno.test("formatPlan: numbered steps, details indented under them", () => {
  const steps = previewSteps(project, planUpgrade(project.map, [], "heads"), "sqlite");
  assert.equal(
    formatPlan(steps),
    `1. upgrade <base> -> a1, first\n   m/a1.sql, 2 statements, sha256 ${steps[0].checksum}\n` +
      `2. upgrade a1 -> a2, second\n   m/a2.sql, 1 statement, outside a transaction, sha256 ${
        steps[1].checksum
      }\n`,
  );
  assert.equal(formatPlan([]), "");
});

Deno.test("previewLocks: a line per statement under its step, as text and JSON", async () => {
  const steps = planUpgrade(project.map, [], "heads");
  const planned = previewSteps(project, steps, "postgresql");
  const locks = (await previewLocks(project, steps, "postgresql"))!;
  const sizes = new Map([["t", { bytes: 3 * 1024 ** 2, totalBytes: 4 * 1024 ** 2, rows: 5e4 }]]);
  const text = formatPlan(planned, locks, sizes);
  assert.match(
    text,
    /sha256 \w+\n {5}7:1 CREATE INDEX ti ON t \(id\)\n {9}SHARE on t \(3\.0 MB, ~50k rows; blocks writes\), scans\n/,
  );
  // Nothing to say about a new table (or SELECT 1): no line.
  assert.doesNotMatch(text, /CREATE TABLE|SELECT 1/);
  const json = statementLockJson(locks[0].statements[1], sizes);
  assert.deepEqual(json.locks, [{
    relation: "t",
    kind: "table",
    mode: "SHARE",
    size: { bytes: 3 * 1024 ** 2, totalBytes: 4 * 1024 ** 2, rows: 5e4 },
  }]);
  assert.equal(json.work, "scan");
  // SQLite: the tables each statement changes, no lock levels.
  const lite = (await previewLocks(project, steps, "sqlite"))!;
  assert.deepEqual(
    lite[0].statements.map((s) => describeStatement(s)),
    ["changes t, metadata only", "changes t, scans"],
  );
});
