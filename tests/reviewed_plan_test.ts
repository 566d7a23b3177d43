/**
 * "Apply exactly what was reviewed" through the command line, on SQLite and PostgreSQL:
 * `plan --out FILE` then `upgrade --plan FILE` runs those steps; version rows that moved,
 * a script changed or added since the review are refused (exit 9) before anything runs,
 * and the database is left exactly as it was.
 */
import assert from "node:assert/strict";
import { runCli, script, withTempDir, writeScripts } from "./support/cli.ts";
import { postgresDb, sqliteDb, type TestDb } from "./support/db.ts";
import { startCluster } from "./support/pg_cluster.ts";

const cluster = await startCluster();

const chain = (extra = "") =>
  Object.fromEntries([1, 2, 3].map((i) => [
    `r${i}.sql`,
    script(
      `r${i}`,
      i === 1 ? "" : `r${i - 1}`,
      `CREATE TABLE t${i} (id INTEGER);${i === 3 ? extra : ""}`,
      `DROP TABLE t${i};`,
    ),
  ]));

/** What a refused run must leave as it was: rows, tables and audit rows. */
async function state(db: TestDb) {
  return {
    versions: await db.versions(),
    tables: await db.tables(),
    audit: await db.rows("SELECT revision, direction, status FROM bellows_audit ORDER BY seq"),
  };
}

for (const dialect of ["sqlite", "postgresql"] as const) {
  Deno.test(`${dialect}: upgrade --plan runs exactly the reviewed plan, or refuses and changes nothing`, async () => {
    await withTempDir(async (dir) => {
      const fresh = () =>
        dialect === "sqlite"
          ? Promise.resolve(sqliteDb(dir, `${Math.random()}.db`))
          : postgresDb(cluster, "reviewed");
      const mig = `${dir}/m`;
      await writeScripts(mig, chain());
      const cli = (db: TestDb, ...args: string[]) =>
        runCli(["--url", db.url, "--migrations", mig, ...args]);

      // Reviewed and applied as reviewed.
      const db = await fresh();
      assert.equal((await cli(db, "-q", "upgrade", "r1")).code, 0);
      const plan = `${dir}/plan.json`;
      const reviewed = await cli(db, "--json", "plan", "--out", plan);
      assert.equal(reviewed.code, 0, reviewed.err);
      const file = JSON.parse(await Deno.readTextFile(plan));
      const doc = JSON.parse(reviewed.out);
      assert.equal(file.format, "bellows-plan");
      assert.equal(
        file.database,
        db.url.startsWith("postgres") ? doc.database : `sqlite:${db.url}`,
      );
      assert.deepEqual(file.from, ["r1"]);
      assert.deepEqual(
        file.steps.map((s: Record<string, unknown>) => [s.revision, s.checksum, s.statements]),
        doc.steps.map((s: Record<string, unknown>) => [s.revision, s.checksum, s.statements]),
      );
      assert.ok(!JSON.stringify(file).includes("password"));
      const applied = await cli(db, "--json", "upgrade", "--plan", plan);
      assert.equal(applied.code, 0, applied.err);
      assert.deepEqual(
        JSON.parse(applied.out).steps.map((s: Record<string, unknown>) => [s.revision, s.checksum]),
        doc.steps.map((s: Record<string, unknown>) => [s.revision, s.checksum]),
      );
      assert.deepEqual(await db.versions(), ["r3"]);

      // Run again: the rows moved on since the review.
      const before = await state(db);
      const again = await cli(db, "upgrade", "--plan", plan);
      assert.equal(again.code, 9, again.err);
      assert.match(
        again.err,
        /^bellows: the database or the scripts are not what \S+plan\.json reviewed, so nothing was run: the version rows are r3, the plan starts at r1; step 1 \(upgrade r1 -> r2, r2\) would not run; step 2 \(upgrade r2 -> r3, r3\) would not run$/,
      );
      assert.deepEqual(await state(db), before);

      // A script changed since the review, and one added: both named; nothing runs.
      const db2 = await fresh();
      assert.equal((await cli(db2, "-q", "upgrade", "r1")).code, 0);
      assert.equal((await cli(db2, "-q", "plan", "--out", plan)).code, 0);
      await writeScripts(mig, {
        ...chain("\nCREATE TABLE sneaked (id INTEGER);"),
        "r4.sql": script("r4", "r3", "CREATE TABLE t4 (id INTEGER);"),
      });
      const before2 = await state(db2);
      const changed = await cli(db2, "upgrade", "--plan", plan);
      assert.equal(changed.code, 9, changed.err);
      assert.match(
        changed.err,
        /nothing was run: step 2 \(r3\): \S+r3\.sql changed since the review \(sha256 [0-9a-f]{12} now, [0-9a-f]{12} reviewed\); step 3 \(upgrade r3 -> r4, r4\) was not reviewed$/,
      );
      assert.deepEqual(await state(db2), before2);
      await writeScripts(mig, chain());
      await Deno.remove(`${mig}/r4.sql`);

      // A downgrade plan is not an upgrade's; a target other than the reviewed one is refused.
      assert.equal((await cli(db2, "-q", "plan", "--down", "base", "--out", plan)).code, 0);
      const down = await cli(db2, "upgrade", "--plan", plan);
      assert.equal(down.code, 2, down.err);
      assert.match(down.err, /is a downgrade plan/);
      assert.equal((await cli(db2, "-q", "plan", "r2", "--out", plan)).code, 0);
      const other = await cli(db2, "upgrade", "r3", "--plan", plan);
      assert.equal(other.code, 2, other.err);
      assert.match(other.err, /was made for target 'r2': leave the revision out/);
      assert.equal((await cli(db2, "-q", "upgrade", "--plan", plan)).code, 0);
      assert.deepEqual(await db2.versions(), ["r2"]);
    });
  });
}

Deno.test("upgrade --plan: a file that is not a plan is a usage error, naming it", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/x.json`, '{"format": "bellows-plan", "formatVersion": 1}');
    const r = await runCli(["--url", `${dir}/x.db`, "upgrade", "--plan", `${dir}/x.json`]);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /^bellows: --plan \S+x\.json: field 'bellows' is missing or of the wrong type$/,
    );
    const none = await runCli(["--url", `${dir}/x.db`, "upgrade", "--plan", `${dir}/none.json`]);
    assert.equal(none.code, 2);
    assert.match(none.err, /^bellows: cannot read \S+none\.json: /);
  });
});

Deno.test("reviewed plans: stop the cluster", async () => {
  await cluster.stop();
});
