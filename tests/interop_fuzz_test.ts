/**
 * The end-to-end differential fuzzer (tests/oracle/e2e_fuzz.ts), CI-sized: fixed seeds of
 * random graphs and command sequences, real Alembic on one database and the bellows command
 * line on another, SQLite and PostgreSQL, plus `--sql` scripts run with sqlite3. Every
 * disagreement fails the test with the seed, the command and both outcomes; repeat it with
 * `deno run -A tests/oracle/e2e_fuzz.ts --seeds N -v`.
 */
import assert from "node:assert/strict";
import { runCli, withTempDir } from "./support/cli.ts";
import { writeBellowsProject } from "./support/interop.ts";
import { type OracleRevision, runOracle } from "./oracle/mod.ts";
import { createDatabase, startCluster } from "./support/pg_cluster.ts";
import {
  type Disagreement,
  type FuzzDb,
  type FuzzOp,
  fuzzSeed,
  INFO_KINDS,
  pgFuzzDb,
  type SeedReport,
  sqliteFuzzDb,
} from "./oracle/e2e_fuzz.ts";

function failures(found: readonly Disagreement[]): string[] {
  return found.filter((d) => !INFO_KINDS.has(d.kind)).map((d) =>
    `seed ${d.seed} #${d.index} ${d.op}: ${d.kind}: ${d.detail}`
  );
}

/** Totals over seeds, to show the run compared real work. */
function tally(reports: readonly SeedReport[]) {
  const sum = (f: (r: SeedReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  return {
    compared: sum((r) => r.compared),
    refused: sum((r) => r.refused),
    offline: sum((r) => r.offline),
    offlineRefused: sum((r) => r.offlineRefused),
  };
}

Deno.test("fuzz: bellows agrees with Alembic, command by command, on SQLite (--sql, listings)", async () => {
  const reports: SeedReport[] = [];
  for (const seed of [1, 7, 9, 13, 19, 23, 24, 31, 39]) {
    await withTempDir(async (dir) => {
      const report = await fuzzSeed({
        seed,
        ops: 30,
        dir,
        alembic: sqliteFuzzDb(`${dir}/alembic.db`),
        bellows: sqliteFuzzDb(`${dir}/bellows.db`),
        offline: 3,
        inspect: [13, 24, 39].includes(seed), // listings and `current` too (slower)
      });
      assert.deepEqual(failures(report.found), []);
      reports.push(report);
    });
  }
  const t = tally(reports);
  // The seeds were picked to do real work: many commands succeed, many are refused (seed 1
  // is a graph both refuse: a partial id in depends_on).
  assert.ok(t.compared >= 200 && t.refused > 0 && t.refused < t.compared * 0.6, JSON.stringify(t));
  assert.ok(t.offline - t.offlineRefused >= 10, JSON.stringify(t));
});

Deno.test("fuzz: Alembic and bellows taking turns on one SQLite database", async () => {
  const reports: SeedReport[] = [];
  for (const seed of [13, 24, 31]) {
    await withTempDir(async (dir) => {
      const report = await fuzzSeed({
        seed,
        ops: 40,
        dir,
        alembic: sqliteFuzzDb(`${dir}/alembic.db`),
        bellows: sqliteFuzzDb(`${dir}/shared.db`),
        mixed: 0.5,
      });
      assert.deepEqual(failures(report.found), []);
      reports.push(report);
    });
  }
  assert.ok(tally(reports).compared >= 100, JSON.stringify(tally(reports)));
});

const cluster = await startCluster();
addEventListener("unload", () => void cluster.stop());

Deno.test("fuzz: bellows --single-transaction agrees with Alembic on PostgreSQL", async () => {
  const reports: SeedReport[] = [];
  for (const seed of [15, 37]) {
    await withTempDir(async (dir) => {
      const report = await fuzzSeed({
        seed,
        ops: 30,
        dir,
        alembic: pgFuzzDb((await createDatabase(cluster, "fuzz_a")).url),
        bellows: pgFuzzDb((await createDatabase(cluster, "fuzz_b")).url),
        // Alembic's default env.py runs the whole command in one transaction there.
        bellowsArgs: ["--single-transaction"],
        scratch: async () => pgFuzzDb((await createDatabase(cluster, "fuzz_r")).url),
      });
      assert.deepEqual(failures(report.found), []);
      reports.push(report);
    });
  }
  assert.ok(tally(reports).compared >= 40, JSON.stringify(tally(reports)));
});

Deno.test("a revision failing on PostgreSQL: Alembic and --single-transaction keep nothing", async () => {
  await withTempDir(async (dir) => {
    const revisions: OracleRevision[] = [
      { id: "a1", down: [], file: "r0.py", sql: { up: [log("a1")] } },
      {
        id: "b1",
        down: ["a1"],
        file: "r1.py",
        sql: { up: [log("b1"), "INSERT INTO nope VALUES (1)"] },
      },
    ];
    const [alembic, single, perRevision] = await Promise.all(
      ["fail_a", "fail_s", "fail_p"].map(async (p) =>
        pgFuzzDb((await createDatabase(cluster, p)).url)
      ),
    );
    for (const db of [alembic, single, perRevision]) await db.prepare();
    await writeBellowsProject(`${dir}/m`, revisions);
    const [r] = await runOracle({
      revisions,
      ops: [["upgrade", "b1"]],
      url: alembic.url,
      log: false,
    });
    assert.match(r.error!, /UndefinedTable/);
    assert.deepEqual([await alembic.heads(), await alembic.log()], [[], []]);
    const bellows = (db: FuzzDb, extra: string[]) =>
      runCli(["--url", db.url, "--migrations", `${dir}/m`, "-q", ...extra, "upgrade", "b1"]);
    assert.equal((await bellows(single, ["--single-transaction"])).code, 1);
    assert.deepEqual([await single.heads(), await single.log()], [[], []]);
    // The documented difference: by default each revision commits with its version row.
    assert.equal((await bellows(perRevision, [])).code, 1);
    assert.deepEqual([await perRevision.heads(), await perRevision.log()], [["a1"], ["a1 up"]]);
  });
});

Deno.test("rows where one revision follows another (a stamp of several left them): as Alembic", async () => {
  // Alembic's `stamp r1 r2` writes both rows and Alembic runs on from them; bellows warns and
  // does the same (it used to refuse every command from such rows).
  const chain = (id: string, down: string[], file: string): OracleRevision => ({
    id,
    down,
    file,
    sql: { up: [log(id)], down: [log(id).replace("'up'", "'down'")] },
  });
  const revisions = [
    chain("r1", [], "a.py"),
    chain("r2", ["r1"], "b.py"),
    chain("r3", ["r2"], "c.py"),
    chain("s1", ["r1"], "d.py"),
  ];
  const from = (rows: string[], op: FuzzOp): FuzzOp[] => [["stamp", rows, { purge: true }], op];
  const commands: FuzzOp[] = [
    ...from(["r1", "r2"], ["downgrade", "base"]),
    ...from(["r1", "r2"], ["upgrade", "heads"]),
    ...from(["r1", "r2"], ["upgrade", "+1"]),
    ...from(["r1", "r2"], ["downgrade", "-1"]),
    ...from(["r1", "r3"], ["upgrade", "s1"]),
    ...from(["r1", "r3"], ["downgrade", "r2"]),
    ...from(["r1", "r3"], ["upgrade", "r3"]),
    ...from(["r2", "r3"], ["downgrade", "r1"]),
  ];
  await withTempDir(async (dir) => {
    const report = await fuzzSeed({
      seed: 0,
      ops: 0,
      dir,
      alembic: sqliteFuzzDb(`${dir}/alembic.db`),
      bellows: sqliteFuzzDb(`${dir}/bellows.db`),
      revisions,
      commands,
    });
    assert.deepEqual(failures(report.found), []);
    assert.equal(report.compared, commands.length);
    assert.ok(report.refused <= 4, JSON.stringify(report));
  });
});

const log = (id: string) => `INSERT INTO fuzz_log (rev, dir) VALUES ('${id}', 'up')`;
