/**
 * Replays the Alembic fixtures (tests/fixtures/oracle/*.json, recorded from real Alembic
 * by tests/oracle/generate_fixtures.ts) through planning and head maintenance.
 *
 * Each op starts from the rows Alembic had before it, so one mismatch does not cascade.
 */
import assert from "node:assert/strict";
import { BellowsError } from "../errors.ts";
import { applySteps } from "./heads.ts";
import { planDowngrade, planStamp, planUpgrade } from "./plan.ts";
import { RevisionMap } from "./revision_map.ts";
import type { RevisionInfo, Step, VersionOp } from "./types.ts";

interface FixtureRevision {
  id: string;
  down: string[];
  labels?: string[];
  depends_on?: string[];
  message?: string;
}

type FixtureOp =
  | ["upgrade", string]
  | ["downgrade", string]
  | ["stamp", string | string[], { purge?: boolean }?]
  | ["current"];

interface FixtureResult {
  rows: string[];
  ran: [string, "up" | "down"][];
  error?: string;
  partial?: boolean;
  note?: string;
}

interface Fixture {
  name: string;
  spec: { revisions: FixtureRevision[]; ops: FixtureOp[] };
  results: FixtureResult[];
}

const FIXTURES = new URL("../../tests/fixtures/oracle/", import.meta.url);

function toInfo(rev: FixtureRevision): RevisionInfo {
  return {
    id: rev.id,
    downRevisions: rev.down,
    branchLabels: rev.labels ?? [],
    dependsOn: rev.depends_on ?? [],
    message: rev.message ?? "",
  };
}

function plan(map: RevisionMap, rows: string[], op: FixtureOp): {
  start: string[];
  steps: Step[];
} {
  switch (op[0]) {
    case "upgrade":
      return { start: rows, steps: [...planUpgrade(map, rows, op[1])] };
    case "downgrade":
      return { start: rows, steps: [...planDowngrade(map, rows, op[1])] };
    case "stamp": {
      const targets = typeof op[1] === "string" ? [op[1]] : op[1];
      const purge = op[2]?.purge ?? false;
      // --purge empties the table before Alembic reads the heads.
      const start = purge ? [] : rows;
      return { start, steps: [...planStamp(map, start, targets, purge)] };
    }
    case "current":
      return { start: rows, steps: [] };
  }
}

/** Execute ops on a model table with the database's row-count checks. */
function execute(rows: readonly string[], ops: readonly VersionOp[]): string[] {
  const table = new Set(rows);
  for (const op of ops) {
    switch (op.op) {
      case "insert":
        assert.ok(!table.has(op.rev), `insert of existing row ${op.rev}`);
        table.add(op.rev);
        break;
      case "delete":
        assert.ok(table.delete(op.rev), `delete of missing row ${op.rev}`);
        break;
      case "update":
        assert.ok(!table.has(op.to), `update onto existing row ${op.to}`);
        assert.ok(table.delete(op.from), `update of missing row ${op.from}`);
        table.add(op.to);
        break;
    }
  }
  return [...table].sort();
}

const files = [...Deno.readDirSync(FIXTURES)]
  .filter((e) => e.isFile && e.name.endsWith(".json"))
  .map((e) => e.name)
  .sort();

Deno.test("alembic oracle: fixtures are present", () => {
  assert.ok(files.length >= 10, `only ${files.length} fixtures in ${FIXTURES.pathname}`);
});

for (const file of files) {
  Deno.test(`alembic oracle: ${file}`, async (t) => {
    const fixture: Fixture = JSON.parse(await Deno.readTextFile(new URL(file, FIXTURES)));
    const map = new RevisionMap(fixture.spec.revisions.map(toInfo));
    let before: string[] = [];
    for (const [i, op] of fixture.spec.ops.entries()) {
      const expected = fixture.results[i];
      const rows = before;
      await t.step(`#${i} ${JSON.stringify(op)} from [${rows.join(", ")}]`, () => {
        let outcome: { rows: string[]; ran: [string, string][] } | undefined;
        let failure: unknown;
        try {
          const { start, steps } = plan(map, rows, op);
          const { heads, ops } = applySteps(map, start, steps);
          const table = execute(start, ops);
          assert.deepEqual(table, heads, "ops do not lead to the heads applySteps reports");
          const ran = steps.flatMap((s): [string, string][] =>
            s.kind === "migrate" ? [[s.revision, s.direction]] : []
          );
          outcome = { rows: table, ran };
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          failure = e;
        }

        if (expected.error === undefined) {
          if (failure !== undefined) {
            throw new Error(`Alembic succeeded with rows [${expected.rows}], we failed`, {
              cause: failure,
            });
          }
          assert.deepEqual(outcome, { rows: expected.rows, ran: expected.ran });
          return;
        }
        // Alembic failed (possibly after committing part of the command, see `partial`):
        // we must refuse as a reported error, so the rows stay as they were.
        assert.equal(
          outcome,
          undefined,
          `Alembic failed (${expected.error}) but we produced ${JSON.stringify(outcome)}`,
        );
        assert.ok(
          failure instanceof BellowsError,
          `expected a BellowsError for Alembic's "${expected.error}", got ${failure}`,
        );
        if (!expected.partial) assert.deepEqual(expected.rows, rows);
      });
      before = expected.rows;
    }
  });
}
