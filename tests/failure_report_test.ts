/**
 * What a failure outside a revision's statements says (issue 10, defects 2 and 15): a
 * COMMIT the database refuses (a deferred foreign key on PostgreSQL, a full disk on
 * SQLite), stdout that cannot be written, a server that goes away mid-run, and a lock
 * wait that runs out behind another session. Each names the revision, what became of
 * it and where the database stands, with its documented exit code.
 */
import assert from "node:assert/strict";
import { execCli, script, withTempDir, writeScripts } from "./support/cli.ts";
import { postgresDb, sqliteDb, type TestDb } from "./support/db.ts";
import { startCluster } from "./support/pg_cluster.ts";
import { canMountTmpfs, sh, withTmpfs } from "./support/tmpfs.ts";

const cluster = await startCluster();

/** A migrations folder holding `files` and the arguments that use it on `db`. */
async function project(dir: string, db: TestDb, files: Record<string, string>) {
  await writeScripts(`${dir}/m`, files);
  return ["--url", db.url, "--migrations", `${dir}/m`];
}

/** The last line of stderr. */
const lastLine = (err: string) => err.split("\n").at(-1)!;

Deno.test("postgres: a deferred foreign key refused at COMMIT exits 1, names the revision, rolls it back", async () => {
  await withTempDir(async (dir) => {
    const db = await postgresDb(cluster, "deferred");
    const base = await project(dir, db, {
      "r1.sql": script(
        "r1",
        "",
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n" +
          "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) " +
          "DEFERRABLE INITIALLY DEFERRED);",
      ),
      // Each statement succeeds; the constraint is checked at COMMIT.
      "r2.sql": script(
        "r2",
        "r1",
        "CREATE TABLE r2_marker (id INTEGER);\nINSERT INTO child VALUES (1, 42);",
      ),
    });
    const r = await execCli([...base, "upgrade"]);
    assert.equal(r.code, 1, r.err);
    assert.match(
      lastLine(r.err),
      /^bellows: \S+\/r2\.sql: COMMIT of the upgrade of 'r2' failed: 23503 insert or update on table "child" violates foreign key constraint "child_parent_id_fkey"; detail: Key \(parent_id\)=\(42\) is not present in table "parent"\.; upgrade of 'r2' was rolled back; the database remains at r1$/,
    );
    assert.deepEqual(await db.versions(), ["r1"]);
    assert.ok(!(await db.tables()).includes("r2_marker"));

    // --single-transaction: the whole run is rolled back, and says so.
    const db2 = await postgresDb(cluster, "deferred");
    const whole = await execCli([
      "--url",
      db2.url,
      ...base.slice(2),
      "--single-transaction",
      "upgrade",
    ]);
    assert.equal(whole.code, 1, whole.err);
    assert.match(
      lastLine(whole.err),
      /^bellows: \S+\/r1\.sql: COMMIT of the run \(--single-transaction, 2 steps from 'r1'\) failed: 23503 .*; the whole run was rolled back \(--single-transaction\); the database remains at <base>$/,
    );
    assert.deepEqual(await db2.tables(), []);
  });
});

Deno.test("stdout that cannot be written: exit 74, the run succeeded, where the database stands", async () => {
  await withTempDir(async (dir) => {
    const db = sqliteDb(dir);
    const base = await project(dir, db, {
      "r1.sql": script("r1", "", "CREATE TABLE a (id INTEGER);"),
    });
    const p = new Deno.Command("sh", {
      args: [
        "-c",
        `exec "$0" run --quiet --allow-all "$@" > /dev/full`,
        Deno.execPath(),
        new URL("../main.ts", import.meta.url).pathname,
        "--json",
        ...base,
        "upgrade",
      ],
      stderr: "piped",
    });
    const out = await p.output();
    const err = new TextDecoder().decode(out.stderr).trimEnd();
    assert.equal(out.code, 74, err);
    assert.match(
      lastLine(err),
      /^bellows: 'upgrade' succeeded, but writing its result to stdout failed \(No space left on device \(os error 28\)\): the database is at r1$/,
    );
    assert.deepEqual(await db.versions(), ["r1"]);
  });
});

Deno.test({
  name: "sqlite: a full disk at COMMIT exits 1, names the revision, rolls it back (needs root)",
  ignore: !canMountTmpfs(),
  fn: async () => {
    await withTempDir(async (dir) => {
      const disk = `${dir}/disk`;
      await withTmpfs(disk, "1m", async () => {
        const db = sqliteDb(disk);
        // About 1.5 MB of rows: SQLite's page cache (2 MB) holds them until COMMIT writes.
        const base = await project(dir, db, {
          "r1.sql": script("r1", "", "CREATE TABLE a (id INTEGER);"),
          "r2.sql": script(
            "r2",
            "r1",
            "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);\n" +
              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 60000)\n" +
              "  INSERT INTO big SELECT x, 'abcdefghij' || x FROM c;",
          ),
        });
        const r = await execCli([...base, "upgrade"]);
        assert.equal(r.code, 1, r.err);
        assert.match(
          lastLine(r.err),
          /^bellows: \S+\/r2\.sql: COMMIT of the upgrade of 'r2' failed: SQLITE_FULL database or disk is full; hint: free space where \S+ and its journal are .*; upgrade of 'r2' was rolled back; the database remains at r1$/,
        );
        assert.deepEqual(await db.versions(), ["r1"]);
        assert.ok(!(await db.tables()).includes("big"));
        sh("mount", ["-o", "remount,size=16m", disk]);
        const again = await execCli([...base, "-q", "upgrade"]);
        assert.equal(again.code, 0, again.err);
        assert.deepEqual(await db.versions(), ["r2"]);
      });
    });
  },
});

Deno.test("failure reports: stop the cluster", async () => {
  await cluster.stop();
});
