/**
 * Differential fuzzing against real Alembic: random command sequences over the fixture
 * graphs, run through the oracle and through bellows' planner and head maintenance.
 * Prints every disagreement; writes nothing.
 *
 * Usage: `deno run -A tests/oracle/fuzz.ts [rounds=20] [opsPerRound=15] [seed=1]`
 *
 * @module
 */

import { BellowsError } from "../../src/errors.ts";
import { applySteps } from "../../src/graph/heads.ts";
import { planDowngrade, planStamp, planUpgrade } from "../../src/graph/plan.ts";
import { RevisionMap } from "../../src/graph/revision_map.ts";
import type { Step } from "../../src/graph/types.ts";
import type { OracleOp, OracleRevision } from "./mod.ts";
import { runOracle } from "./mod.ts";
import { prng } from "../support/random_graph.ts";

const FIXTURES = new URL("../fixtures/oracle/", import.meta.url);

function randomOps(revisions: OracleRevision[], count: number, rnd: () => number): OracleOp[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const ids = revisions.map((r) => r.id);
  const labels = revisions.flatMap((r) => r.labels ?? []);
  const targets = [
    ...ids,
    "heads",
    "head",
    "base",
    "+1",
    "-1",
    "+2",
    "-2",
    ...labels.flatMap((l) => [`${l}@head`, `${l}@base`, `${l}@+1`, `${l}@-1`]),
  ];
  const ops: OracleOp[] = [];
  for (let i = 0; i < count; i++) {
    const r = rnd();
    if (r < 0.4) ops.push(["upgrade", pick(targets)]);
    else if (r < 0.75) ops.push(["downgrade", pick(targets)]);
    else {
      const n = 1 + Math.floor(rnd() * 2);
      const to = Array.from({ length: n }, () => pick([...ids, "heads", "base"]));
      ops.push(["stamp", to, { purge: rnd() < 0.3 }]);
    }
  }
  return ops;
}

function bellows(map: RevisionMap, rows: string[], op: OracleOp) {
  let start = rows;
  let steps: Step[];
  if (op[0] === "upgrade") steps = planUpgrade(map, rows, op[1]);
  else if (op[0] === "downgrade") steps = planDowngrade(map, rows, op[1]);
  else if (op[0] === "stamp") {
    const purge = (op.length === 3 ? op[2] : undefined)?.purge === true;
    if (purge) start = [];
    steps = planStamp(map, start, typeof op[1] === "string" ? [op[1]] : op[1], purge);
  } else steps = [];
  const { heads } = applySteps(map, start, steps);
  const ran = steps.flatMap((s) => s.kind === "migrate" ? [[s.revision, s.direction]] : []);
  return { rows: heads, ran };
}

if (import.meta.main) {
  const [rounds = 20, perRound = 15, seed = 1] = Deno.args.map(Number);
  const rnd = prng(seed);
  const files = [...Deno.readDirSync(FIXTURES)].map((e) => e.name).filter((n) =>
    n.endsWith(".json")
  ).sort();
  let compared = 0;
  let problems = 0;
  for (let round = 0; round < rounds; round++) {
    const file = files[round % files.length];
    const fixture = JSON.parse(await Deno.readTextFile(new URL(file, FIXTURES)));
    const revisions: OracleRevision[] = fixture.spec.revisions;
    const ops = randomOps(revisions, perRound, rnd);
    const results = await runOracle({ revisions, ops });
    const map = new RevisionMap(revisions.map((r) => ({
      id: r.id,
      downRevisions: r.down,
      branchLabels: r.labels ?? [],
      dependsOn: r.depends_on ?? [],
      message: r.message ?? "",
    })));
    let rows: string[] = [];
    for (const [i, op] of ops.entries()) {
      const want = results[i];
      compared++;
      let got: { rows: string[]; ran: unknown[] } | undefined;
      let error: unknown;
      try {
        got = bellows(map, rows, op);
      } catch (e) {
        error = e;
      }
      const where = `${file} round ${round} #${i} ${JSON.stringify(op)} from [${rows}]`;
      if (want.error !== undefined) {
        if (got) {
          problems++;
          console.log(`${where}: Alembic failed (${want.error}), bellows gave`, got);
        } else if (!(error instanceof BellowsError)) {
          problems++;
          console.log(`${where}: bellows crashed: ${error}`);
        }
      } else if (!got) {
        problems++;
        console.log(`${where}: Alembic gave ${JSON.stringify(want.rows)}, bellows: ${error}`);
      } else if (JSON.stringify(got.rows) !== JSON.stringify(want.rows)) {
        problems++;
        console.log(`${where}: rows ${JSON.stringify(got.rows)} != ${JSON.stringify(want.rows)}`);
      } else if (JSON.stringify(got.ran) !== JSON.stringify(want.ran)) {
        problems++;
        console.log(`${where}: ran ${JSON.stringify(got.ran)} != ${JSON.stringify(want.ran)}`);
      }
      rows = want.heads;
    }
  }
  console.log(`${compared} ops compared, ${problems} disagreements`);
}
