/**
 * What a failure outside a revision's statements says (issue 10, defects 2 and 15): a
 * COMMIT the database refuses (a deferred foreign key on PostgreSQL, a full disk on
 * SQLite), stdout that cannot be written, a server that goes away mid-run, and a lock
 * wait that runs out behind another session. Each names the revision, what became of
 * it and where the database stands, with its documented exit code.
 */
import assert from "node:assert/strict";
import { execCli, script, startCli, withTempDir, writeScripts } from "./support/cli.ts";
import { postgresDb, sqliteDb, type TestDb } from "./support/db.ts";
import { startCluster } from "./support/pg_cluster.ts";
import { pgSession } from "./support/pg_session.ts";
import { startCutProxy } from "./support/tcp_cut.ts";
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

/** Poll `sql` (a boolean query, through psql) until true, or fail after 20 s. */
async function until(db: TestDb, sql: string, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const [row] = await db.rows(`SELECT (${sql}) AS ok`);
    if (row.ok === true) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

Deno.test("postgres: a server crash mid-revision exits 7 naming the revision and where the database stands", async () => {
  const own = await startCluster({ durable: true });
  try {
    await withTempDir(async (dir) => {
      const db = await postgresDb(own, "crash");
      const base = await project(dir, db, {
        "r1.sql": script("r1", "", "CREATE TABLE a (id INTEGER);"),
        "r2.sql": script("r2", "r1", "CREATE TABLE b (id INTEGER);\nSELECT pg_sleep(30);"),
      });
      const run = startCli([...base, "upgrade"]);
      await until(
        db,
        "EXISTS (SELECT FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' " +
          "AND application_name = 'bellows')",
        "r2's pg_sleep",
      );
      await own.crash!();
      const r = await run.done();
      await own.restart!();
      assert.equal(r.code, 7, r.err);
      const last = lastLine(r.err);
      assert.doesNotMatch(last, /ECONNRESET|EPIPE/);
      assert.match(
        last,
        /^bellows: \S+\/r2\.sql:7:1: lost the connection to postgresql:\/\/postgres@127\.0\.0\.1:\d+\/crash_\w+: .+; upgrade of 'r2' was rolled back; the database remains at r1$/,
      );
      assert.deepEqual(await db.versions(), ["r1"]);
    });
  } finally {
    await own.stop();
  }
});

Deno.test("postgres: a connection cut at BEGIN, at the version rows, at COMMIT or at the lock says where the database stands", async () => {
  await withTempDir(async (dir) => {
    const files = Object.fromEntries(
      [1, 2, 3].map((i) => [
        `r${i}.sql`,
        script(`r${i}`, i === 1 ? "" : `r${i - 1}`, `CREATE TABLE t${i} (id INTEGER);`),
      ]),
    );
    const proxy = startCutProxy("127.0.0.1", cluster.port);
    const closed = "the server closed it \\(backend terminated, server restarted or network cut\\)";
    try {
      const cases: [string, number, string, string[]][] = [
        // The step's version row update: inside its transaction, so rolled back. It goes out
        // behind the step's statements before their answers are in, so the answer found
        // missing is the statement's or the version row's, whichever the cut came before.
        [
          "SET version_num",
          1,
          `r2\\.sql(?::6:1)?: lost the connection to \\S+: ${closed}(?:, while writing the ` +
          `state tables for the upgrade of 'r2')?; upgrade of 'r2' was rolled back; the ` +
          `database remains at r1`,
          ["r1"],
        ],
        // COMMIT sent (here: never arrived): nobody can know from this side.
        [
          "COMMIT",
          1,
          `r2\\.sql: lost the connection to \\S+: ${closed}, while committing the upgrade of ` +
          `'r2': whether it was committed is unknown; 'bellows current' shows whether the ` +
          `database is at r2 or still at r1`,
          ["r1"],
        ],
        // Between steps: r2 committed, r3's BEGIN is cut.
        [
          "BEGIN",
          2,
          `r3\\.sql: the upgrade of 'r3' could not begin: lost the connection to \\S+: ${closed}; ` +
          `none of it ran, and the database remains at r2`,
          ["r2"],
        ],
        // Before any revision.
        [
          "pg_try_advisory_lock",
          1,
          `lost the connection to \\S+: ${closed}; nothing was changed`,
          ["r1"],
        ],
      ];
      for (const [marker, nth, message, versions] of cases) {
        const db = await postgresDb(cluster, "cut");
        const base = await project(`${dir}`, db, files);
        assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
        proxy.cutOn(marker, nth);
        const r = await execCli(["--url", proxy.via(db.url), ...base.slice(2), "upgrade"]);
        assert.equal(r.code, 7, `${marker}: ${r.err}`);
        assert.match(
          lastLine(r.err),
          new RegExp(`^bellows: (\\S+/)?${message}$`),
          `${marker}: ${lastLine(r.err)}`,
        );
        assert.deepEqual(await db.versions(), versions, marker);
      }
    } finally {
      await proxy.close();
    }
  });
});

Deno.test("postgres: a lock timeout after the retries names the session it waited for", async () => {
  await withTempDir(async (dir) => {
    const db = await postgresDb(cluster, "blocker");
    const base = await project(dir, db, {
      "r1.sql": script("r1", "", "CREATE TABLE t (id INTEGER PRIMARY KEY);"),
      "r2.sql": script(
        "r2",
        "r1",
        "CREATE TABLE side (id INTEGER);\nALTER TABLE t ALTER COLUMN id SET STATISTICS 100;",
      ),
    });
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    const holder = pgSession(db.url);
    try {
      // An open transaction that analysed t (SHARE UPDATE EXCLUSIVE, which SET STATISTICS
      // waits for; a lock that blocks no writes, so the pre-flight of tests/
      // pg_preflight_test.ts lets the statement go and queue), and a query of several
      // lines: only the first shows.
      const [{ pid }] = await holder.query("SELECT pg_backend_pid() AS pid");
      await holder.query("BEGIN; ANALYZE\n  t");
      const r = await execCli([
        ...base,
        "--lock-timeout",
        "400ms",
        "--retries",
        "1",
        "upgrade",
      ]);
      assert.equal(r.code, 1, r.err);
      const who = `session pid ${pid} \\(application_name bellows-test, user postgres, ` +
        `transaction open since \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z, now idle in transaction\\), its last ` +
        `query: BEGIN; ANALYZE`;
      assert.match(r.err, new RegExp(`retry 1 of 1 in \\d+ ms \\(it waited for ${who}\\)`));
      assert.match(
        lastLine(r.err),
        new RegExp(
          `^bellows: \\S+/r2\\.sql:7:1: 55P03 canceling statement due to lock timeout; blocked by ` +
            `${who}; upgrade of 'r2' was rolled back; the database remains at r1$`,
        ),
      );
      assert.deepEqual(await db.versions(), ["r1"]);
    } finally {
      await holder.close();
    }
  });
});

Deno.test("failure reports: stop the cluster", async () => {
  await cluster.stop();
});
