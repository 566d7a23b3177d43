/**
 * Retired revision ids (a script's `replaces` header) on a real SQLite file and a real
 * PostgreSQL database: Glance's `ocata01` row, made by hand as Glance's Ocata release left
 * it, read as ocata_contract01 by the commands that only read and rewritten by those that
 * write, as glance-manage does.
 */
import assert from "node:assert/strict";
import { runCli, script, withTempDir, writeScripts } from "./support/cli.ts";
import { DIALECTS, postgresDb, sqliteDb, type TestDb } from "./support/db.ts";
import { startCluster } from "./support/pg_cluster.ts";

const cluster = await startCluster();

function cases(name: string, fn: (db: TestDb, dir: string) => Promise<void>): void {
  for (const dialect of DIALECTS) {
    Deno.test(`${dialect}: ${name}`, async () => {
      await withTempDir(async (dir) => {
        const db = dialect === "sqlite" ? sqliteDb(dir) : await postgresDb(cluster, "rid");
        await fn(db, dir);
      });
    });
  }
}

const urlOf = (db: TestDb) => db.dialect === "sqlite" ? `sqlite:${db.url}` : db.url;
const REWROTE =
  "rewrote version row ocata01 -> ocata_contract01 (replaced id, as glance-manage does)";

cases("a Glance ocata01 row: read as ocata_contract01, rewritten by a write", async (db) => {
  const url = urlOf(db);
  const up = await runCli(["--url", url, "upgrade", "heads"]);
  assert.equal(up.code, 0, up.err);
  assert.deepEqual(await db.versions(), ["ocata_contract01"]);
  await db.exec("UPDATE alembic_version SET version_num = 'ocata01'");

  // Commands that only read: the row stands for ocata_contract01 and stays as it is.
  const current = await runCli(["--url", url, "-v", "current"]);
  assert.equal(current.code, 0, current.err);
  assert.match(current.out, /\nRev: ocata_contract01 \(head\)\n/);
  assert.match(current.err, /holds 'ocata01', a retired id of 'ocata_contract01': read as/);
  const version = await runCli(["--url", url, "version"]);
  assert.equal(version.code, 0, version.err);
  assert.equal(version.out, "ocata_contract01");
  const check = await runCli(["--url", url, "check"]);
  assert.equal(check.code, 0, check.out + check.err);
  const plan = await runCli(["--url", url, "--json", "plan"]);
  assert.equal(plan.code, 0, plan.err);
  assert.deepEqual(JSON.parse(plan.out).from, ["ocata_contract01"]);
  const history = await runCli(["--url", url, "--json", "history", "-i"]);
  assert.equal(history.code, 0, history.err);
  const revs = JSON.parse(history.out).revisions as { revision: string; replaces: string[] }[];
  assert.deepEqual(revs.find((r) => r.revision === "ocata_contract01")?.replaces, ["ocata01"]);
  assert.deepEqual(revs.find((r) => r.revision === "mitaka02")?.replaces, []);
  assert.deepEqual(await db.versions(), ["ocata01"]);

  // A command that writes rewrites the row first, under the lock, and says so.
  const again = await runCli(["--url", url, "upgrade", "heads"]);
  assert.equal(again.code, 0, again.err);
  assert.ok(again.err.includes(REWROTE), again.err);
  assert.deepEqual(await db.versions(), ["ocata_contract01"]);
  const quiet = await runCli(["--url", url, "upgrade", "heads"]);
  assert.equal(quiet.code, 0, quiet.err);
  assert.ok(!quiet.err.includes("rewrote"), quiet.err);
});

cases("without a replaces header an ocata01 row is refused (exit 9)", async (db, dir) => {
  const url = urlOf(db);
  const migrations = `${dir}/m`;
  await writeScripts(migrations, {
    "a.sql": script("mitaka02", "", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "DROP TABLE t;"),
    "b.sql": script("ocata_contract01", "mitaka02", "ALTER TABLE t ADD COLUMN v INTEGER;"),
  });
  const up = await runCli(["--url", url, "--migrations", migrations, "upgrade", "heads"]);
  assert.equal(up.code, 0, up.err);
  await db.exec("UPDATE alembic_version SET version_num = 'ocata01'");
  const refused = await runCli(["--url", url, "--migrations", migrations, "upgrade", "heads"]);
  assert.equal(refused.code, 9);
  assert.match(refused.err, /holds revision 'ocata01', which is not in/);
  assert.deepEqual(await db.versions(), ["ocata01"]);
});

cases("a write goes on from a replaced row; a stamp rewrites it too", async (db, dir) => {
  const url = urlOf(db);
  const migrations = `${dir}/m`;
  await writeScripts(migrations, {
    "r1.sql": script("r1", "", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "DROP TABLE t;"),
    "r2.sql": script("r2", "r1", "ALTER TABLE t ADD COLUMN a INTEGER;", "", {
      replaces: "old2, older2",
    }),
    "r3.sql": script("r3", "r2", "ALTER TABLE t ADD COLUMN b INTEGER;"),
  });
  const m = ["--url", url, "--migrations", migrations];
  assert.equal((await runCli([...m, "upgrade", "r2"])).code, 0);
  await db.exec("UPDATE alembic_version SET version_num = 'older2'");

  const show = await runCli([...m, "show", "r2"]);
  assert.equal(show.code, 0, show.err);
  assert.match(show.out, /\nReplaces: old2, older2\n/);
  const history = await runCli([...m, "history"]);
  assert.match(history.out, /r1 -> r2 \(replaces old2, older2\), r2 step/);

  const up = await runCli([...m, "upgrade", "heads"]);
  assert.equal(up.code, 0, up.err);
  assert.ok(up.err.includes("rewrote version row older2 -> r2"), up.err);
  assert.deepEqual(await db.versions(), ["r3"]);
  const cols = db.dialect === "sqlite"
    ? (await db.rows("SELECT name FROM pragma_table_info('t')")).map((r) => r.name)
    : (await db.rows(
      "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 't' " +
        "ORDER BY ordinal_position",
    )).map((r) => r.name);
  assert.deepEqual(cols, ["id", "a", "b"]);

  // A stamp is a write: the rewrite comes first, then the stamp moves the row.
  await db.exec("UPDATE alembic_version SET version_num = 'old2'");
  const stamp = await runCli([...m, "stamp", "r1"]);
  assert.equal(stamp.code, 0, stamp.err);
  assert.ok(stamp.err.includes("rewrote version row old2 -> r2"), stamp.err);
  assert.deepEqual(await db.versions(), ["r1"]);

  // A replaced row beside the row of its own revision: the same revision twice, so the
  // replaced row goes.
  await db.exec("UPDATE alembic_version SET version_num = 'r2'");
  await db.exec("INSERT INTO alembic_version (version_num) VALUES ('old2')");
  const current = await runCli([...m, "current"]);
  assert.equal(current.code, 0, current.err);
  assert.equal(current.out, "r2");
  const fix = await runCli([...m, "stamp", "r3"]);
  assert.equal(fix.code, 0, fix.err);
  assert.match(fix.err, /deleted version row old2: it is a replaced id of 'r2'/);
  assert.deepEqual(await db.versions(), ["r3"]);
});

cases("a replaced id that is also a revision is a script error (exit 6)", async (db, dir) => {
  const migrations = `${dir}/m`;
  await writeScripts(migrations, {
    "r1.sql": script("r1", "", "SELECT 1;"),
    "r2.sql": script("r2", "r1", "SELECT 1;", "", { replaces: "r1" }),
  });
  const r = await runCli(["--url", urlOf(db), "--migrations", migrations, "heads"]);
  assert.equal(r.code, 6);
  assert.match(
    r.err,
    /'r2' \([^)]*r2\.sql\) replaces 'r1', which is itself revision 'r1' \([^)]*r1\.sql\)/,
  );
});
