/**
 * PostgreSQL runner guarantees, end to end through the command line: one runner at a
 * time, lock timeouts retried without stalling readers, failures and kills mid-revision
 * leave the previous revision, and interrupted non-transactional revisions are caught.
 */
import assert from "node:assert/strict";
import { execCli, script, spawnCli, startCli, withTempDir, writeScripts } from "./support/cli.ts";
import { postgresDb, type TestDb } from "./support/db.ts";
import { startCluster } from "./support/pg_cluster.ts";
import { pgSession } from "./support/pg_session.ts";
import { ExitCode } from "../src/errors.ts";

const cluster = await startCluster();

/** A fresh database and a migrations directory holding `files`. */
async function withProject(
  prefix: string,
  files: Record<string, string>,
  fn: (db: TestDb, base: string[]) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const db = await postgresDb(cluster, prefix);
    await writeScripts(`${dir}/m`, files);
    await fn(db, ["--url", db.url, "--migrations", `${dir}/m`]);
  });
}

/** Poll `sql` (through psql) until it returns a true first column, or fail after `ms`. */
async function until(db: TestDb, sql: string, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const [row] = await db.rows(`SELECT (${sql}) AS ok`);
    if (row.ok === true) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Rows of bellows_audit as `revision:direction:status`. */
async function audit(db: TestDb): Promise<string[]> {
  return (await db.rows("SELECT revision, direction, status FROM bellows_audit ORDER BY seq"))
    .map((r) => `${r.revision}:${r.direction}:${r.status}`);
}

/** SQL: is a bellows backend of this database running a statement matching `condition`? */
function bellowsRunning(condition: string): string {
  return "EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'bellows' " +
    `AND datname = current_database() AND ${condition})`;
}

/** bellows' own backends: the migration connection of a running (or killed) bellows. */
const BELLOWS_BACKENDS = "SELECT count(*) FROM pg_stat_activity " +
  "WHERE application_name = 'bellows' AND datname = current_database()";

// Four revisions that each take a moment, so concurrent runners really overlap.
const slowChain = Object.fromEntries(
  [1, 2, 3, 4].map((i) => [
    `r${i}.sql`,
    script(
      `r${i}`,
      i === 1 ? "" : `r${i - 1}`,
      `CREATE TABLE t${i} (id INTEGER PRIMARY KEY);\nSELECT pg_sleep(0.1);\n` +
        `INSERT INTO t${i} VALUES (${i});`,
    ),
  ]),
);

for (const n of [2, 8]) {
  Deno.test(`postgres: ${n} concurrent upgrades apply each revision exactly once`, async () => {
    await withProject(`conc${n}`, slowChain, async (db, base) => {
      // Half wait long enough for everyone, half give up quickly: exit 0 or 8, nothing else.
      const procs = Array.from(
        { length: n },
        (_, i) =>
          spawnCli([...base, "--lock-wait", i % 2 === 0 ? "60s" : "200ms", "upgrade", "head"]),
      );
      const results = await Promise.all(procs.map((p) => p.output()));
      const dec = new TextDecoder();
      const codes = results.map((r) => r.code);
      for (const r of results) {
        const err = dec.decode(r.stderr);
        assert.ok(r.code === 0 || r.code === 8, `exit ${r.code}: ${err}`);
        if (r.code === 8) {
          assert.match(
            err,
            /another bellows run holds the migration lock on postgresql:\/\/\S+ \(pid \d+, application_name bellows, user \S+, client \S+, since \S+\); waited \d+(\.\d)?s$/m,
          );
        }
      }
      assert.ok(codes.filter((c) => c === 0).length >= n / 2, `codes ${codes}`);
      assert.deepEqual(await db.versions(), ["r4"]);
      assert.deepEqual(await audit(db), ["r1:up:done", "r2:up:done", "r3:up:done", "r4:up:done"]);
      for (const i of [1, 2, 3, 4]) {
        assert.deepEqual(await db.rows(`SELECT id FROM t${i}`), [{ id: i }]);
      }
      console.log(`${n} runners: exit codes ${codes.join(" ")}`);
    });
  });
}

Deno.test("postgres: a lock timeout is retried in a fresh transaction while readers keep going", async () => {
  await withProject("locktimeout", {
    "r1.sql": script(
      "r1",
      "",
      "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO t VALUES (1, 'a'), (2, 'b');",
    ),
    // `side` is created before the statement that waits: if a retry continued the failed
    // transaction instead of starting over, it would fail (25P02 or "already exists").
    "r2.sql": script(
      "r2",
      "r1",
      "CREATE TABLE side (id INTEGER);\nALTER TABLE t ALTER COLUMN v SET STATISTICS 100;",
    ),
  }, async (db, base) => {
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    const holder = pgSession(db.url);
    const reader = pgSession(db.url);
    let reading = true;
    let longest = 0;
    let reads = 0;
    try {
      // An open transaction that analysed t: SHARE UPDATE EXCLUSIVE, which SET STATISTICS
      // (SHARE UPDATE EXCLUSIVE too) must wait for. It blocks no reader or writer, so the
      // pre-flight (which waits without queueing only before locks that block writes:
      // tests/pg_preflight_test.ts) lets it go; lock_timeout and the retry handle it.
      await holder.query("BEGIN; ANALYZE t");
      const readLoop = (async () => {
        while (reading) {
          const started = performance.now();
          await reader.query("SELECT count(*) FROM t");
          longest = Math.max(longest, performance.now() - started);
          reads++;
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const lockTimeoutMs = 300;
      const run = startCli([
        ...base,
        "--lock-timeout",
        `${lockTimeoutMs}ms`,
        "--retries",
        "6",
        "upgrade",
        "heads",
      ]);
      // Keep the lock through two failed attempts (about 2 s: far longer than the bound
      // below), then let go; the next attempt must succeed.
      await run.waitForErr(/retry 2 of 6/);
      await holder.query("COMMIT");
      const r = await run.done();
      reading = false;
      await readLoop;
      assert.equal(r.code, 0, r.err);
      const retries = r.err.split("\n").filter((l) =>
        /hit a lock timeout \(55P03\); retry/.test(l)
      );
      assert.ok(retries.length >= 2, r.err);
      assert.match(retries[0], /r2\.sql: r2 hit a lock timeout \(55P03\); retry 1 of 6 in 500 ms/);
      assert.deepEqual(await db.versions(), ["r2"]);
      assert.ok((await db.tables()).includes("side"));
      assert.deepEqual(
        await db.rows(
          "SELECT attstattarget::int AS n FROM pg_attribute WHERE attrelid = 't'::regclass " +
            "AND attname = 'v'",
        ),
        [{ n: 100 }],
      );
      assert.deepEqual(await audit(db), ["r1:up:done", "r2:up:done"]);
      console.log(
        `reader: ${reads} reads, longest ${Math.round(longest)} ms with --lock-timeout ` +
          `${lockTimeoutMs}ms; ${retries.length} retries`,
      );
      // Readers never queue behind a SHARE UPDATE EXCLUSIVE request; the bound says so.
      assert.ok(longest < lockTimeoutMs + 1000, `a reader waited ${Math.round(longest)} ms`);
    } finally {
      reading = false;
      await holder.close();
      await reader.close();
    }
  });
});

Deno.test("postgres: --statement-timeout stops a long statement and rolls its revision back", async () => {
  await withProject("stmttimeout", {
    "r1.sql": script("r1", "", "CREATE TABLE a (id INTEGER);"),
    "r2.sql": script("r2", "r1", "CREATE TABLE b (id INTEGER);\nSELECT pg_sleep(5);"),
  }, async (db, base) => {
    const r = await execCli([...base, "--statement-timeout", "300ms", "upgrade", "heads"]);
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.err,
      /r2\.sql:7:1: 57014 canceling statement due to statement timeout; upgrade of 'r2' was rolled back; the database remains at r1$/,
    );
    assert.deepEqual(await db.versions(), ["r1"]);
    assert.ok(!(await db.tables()).includes("b"));
  });
});

Deno.test("postgres: a version-row change that matches no row fails the step although its audit row was sent with it", async () => {
  // r2 removes the version row itself: the UPDATE to r2, pipelined with the audit row,
  // matches nothing. The step must fail on that, and roll back the audit row too.
  await withProject("pipelined", {
    "r1.sql": script("r1", "", "CREATE TABLE a (id INTEGER);"),
    "r2.sql": script("r2", "r1", "CREATE TABLE b (id INTEGER);\nDELETE FROM alembic_version;"),
  }, async (db, base) => {
    const r = await execCli([...base, "upgrade", "heads"]);
    assert.equal(r.code, ExitCode.STATE, r.err);
    assert.match(
      r.err,
      /expected to match one row when updating 'r1' to 'r2' in alembic_version; 0 found; upgrade of 'r2' was rolled back; the database remains at r1$/,
    );
    assert.deepEqual(await db.versions(), ["r1"]);
    assert.ok(!(await db.tables()).includes("b"));
    assert.deepEqual(await audit(db), ["r1:up:done"]);
  });
});

Deno.test("postgres: a failing statement among pipelined ones is named, and nothing after it counts", async () => {
  // r2's statements go out together behind BEGIN: the second fails, the third is refused by
  // the aborted transaction; the error is the second's, at its line and column.
  await withProject("pipestmts", {
    "r1.sql": script("r1", "", "CREATE TABLE a (id INTEGER);"),
    "r2.sql": script(
      "r2",
      "r1",
      "CREATE TABLE b (id INTEGER);\nINSERT INTO missing VALUES (1);\nCREATE TABLE c (id INTEGER);",
    ),
  }, async (db, base) => {
    const r = await execCli([...base, "upgrade", "heads"]);
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.err,
      /r2\.sql:7:13: 42P01 relation "missing" does not exist; upgrade of 'r2' was rolled back; the database remains at r1$/,
    );
    // No warning from a ROLLBACK outside a transaction, no second error.
    assert.doesNotMatch(r.err, /WARNING|25P02|current transaction is aborted/);
    assert.deepEqual(await db.versions(), ["r1"]);
    const tables = await db.tables();
    assert.ok(!tables.includes("b") && !tables.includes("c"), tables.join(", "));
    assert.deepEqual(await audit(db), ["r1:up:done"]);
  });
});

/** r2 sleeps as long as the `knob` table (made by the test, not by a revision) says. */
const sleepyChain = {
  "r1.sql": script("r1", "", "CREATE TABLE a (id INTEGER);"),
  "r2.sql": script(
    "r2",
    "r1",
    "CREATE TABLE b (id INTEGER);\nSELECT pg_sleep((SELECT s FROM knob));\nINSERT INTO b VALUES (1);",
  ),
};

Deno.test("postgres: a backend terminated mid-revision exits 7 at the previous revision", async () => {
  await withProject("terminate", sleepyChain, async (db, base) => {
    await db.exec("CREATE TABLE knob (s float); INSERT INTO knob VALUES (30)");
    const run = startCli([...base, "upgrade", "heads"]);
    await until(db, bellowsRunning("query LIKE 'SELECT pg_sleep%'"), "r2's pg_sleep to start");
    const started = Date.now();
    await db.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity " +
        "WHERE application_name = 'bellows' AND datname = current_database()",
    );
    const r = await run.done();
    const took = Date.now() - started;
    assert.equal(r.code, 7, r.err);
    const last = r.err.split("\n").at(-1)!;
    assert.match(
      last,
      // The server's own words on why it ended the session (its FATAL message).
      /^bellows: \S+\/r2\.sql:7:1: lost the connection to postgresql:\/\/postgres@127\.0\.0\.1:\d+\/\w+: terminating connection due to administrator command \(SQLSTATE 57P01\); upgrade of 'r2' was rolled back; the database remains at r1$/,
    );
    // Not a hang: it noticed and exited (bound generous for a loaded machine).
    assert.ok(took < 10_000, `bellows took ${took} ms to exit`);
    console.log(`bellows exited ${took} ms after pg_terminate_backend`);
    assert.deepEqual(await db.versions(), ["r1"]);
    assert.ok(!(await db.tables()).includes("b"));

    await db.exec("UPDATE knob SET s = 0");
    const again = await execCli([...base, "upgrade", "heads"]);
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(await db.versions(), ["r2"]);
    assert.deepEqual(await audit(db), ["r1:up:done", "r2:up:done"]);
  });
});

Deno.test("postgres: bellows killed mid-revision leaves the previous revision; the server lets go", async () => {
  await withProject("sigkill", sleepyChain, async (db, base) => {
    await db.exec("CREATE TABLE knob (s float); INSERT INTO knob VALUES (60)");
    const run = startCli([...base, "upgrade", "heads"]);
    await until(db, bellowsRunning("query LIKE 'SELECT pg_sleep%'"), "r2's pg_sleep to start");
    run.process.kill("SIGKILL");
    assert.equal((await run.done()).code, 137);
    // client_connection_check_interval: the server notices the dead client and ends the
    // 60 s sleep, rolling back and freeing the migration lock, long before it would end.
    const started = Date.now();
    await until(db, `(${BELLOWS_BACKENDS}) = 0`, "the killed run's backend to end", 15_000);
    console.log(`killed run's backend ended ${Date.now() - started} ms after SIGKILL`);
    assert.deepEqual(await db.versions(), ["r1"]);
    assert.ok(!(await db.tables()).includes("b"));

    await db.exec("UPDATE knob SET s = 0");
    const again = await execCli([...base, "--lock-wait", "5s", "upgrade", "heads"]);
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(await db.versions(), ["r2"]);
    assert.deepEqual(await db.rows("SELECT id FROM b"), [{ id: 1 }]);
    assert.deepEqual(await audit(db), ["r1:up:done", "r2:up:done"]);
  });
});

const concurrentIndex = {
  "r1.sql": script(
    "r1",
    "",
    "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n" +
      "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g;",
  ),
  "r2.sql": script(
    "r2",
    "r1",
    "CREATE INDEX CONCURRENTLY t_v_idx ON t (v);\nVACUUM (ANALYZE) t;",
    "DROP INDEX CONCURRENTLY t_v_idx;",
    { transactional: "false" },
  ),
};

const INDEX_VALID = "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = 't_v_idx'::regclass";

Deno.test("postgres: non-transactional revisions run CREATE INDEX CONCURRENTLY and VACUUM", async () => {
  await withProject("nontx", concurrentIndex, async (db, base) => {
    const up = await execCli([...base, "upgrade", "heads"]);
    assert.equal(up.code, 0, up.err);
    assert.deepEqual(await db.versions(), ["r2"]);
    assert.deepEqual(await db.rows(INDEX_VALID), [{ indisvalid: true }]);
    assert.deepEqual(await audit(db), ["r1:up:done", "r2:up:done"]);
    // --single-transaction cannot include them: refused before anything runs.
    const down = await execCli([...base, "--single-transaction", "downgrade", "r1"]);
    assert.equal(down.code, 2, down.err);
    assert.match(down.err, /revision 'r2' must run outside a transaction/);
    const ok = await execCli([...base, "downgrade", "r1"]);
    assert.equal(ok.code, 0, ok.err);
    assert.deepEqual(await db.rows("SELECT to_regclass('t_v_idx') IS NULL AS gone"), [
      { gone: true },
    ]);
  });
});

/** The one-line refusal after r2's CREATE INDEX CONCURRENTLY was interrupted. */
const INTERRUPTED = new RegExp(
  "^bellows: the upgrade of revision 'r2' \\(\\S+/r2\\.sql\\) runs outside a transaction and " +
    "was interrupted \\(started \\S+ on \\S+\\): none of its 2 statements completed, statement 1 " +
    "\\(\\S+/r2\\.sql:7\\) was running and left INVALID index public\\.t_v_idx on public\\.t\\. " +
    'To undo: DROP INDEX CONCURRENTLY "public"\\."t_v_idx"; \\(left by statement 1\\), then ' +
    "'bellows stamp r1' and run again\\. " +
    'To finish: REINDEX INDEX CONCURRENTLY "public"\\."t_v_idx"; \\(completes statement 1\\), ' +
    "then run statement 2 by hand \\(\\S+/r2\\.sql:8\\), then 'bellows stamp r2'$",
);

Deno.test("postgres: a run killed during CREATE INDEX CONCURRENTLY is caught and named", async () => {
  await withProject("cickill", concurrentIndex, async (db, base) => {
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    // An open writing transaction: CREATE INDEX CONCURRENTLY has made its (invalid)
    // index and now waits for this transaction to end.
    const writer = pgSession(db.url);
    try {
      await writer.query("BEGIN; INSERT INTO t VALUES (0, 'zero')");
      const run = startCli([...base, "--lock-timeout", "60s", "upgrade", "heads"]);
      await until(
        db,
        bellowsRunning("query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'"),
        "CREATE INDEX CONCURRENTLY to wait",
      );
      run.process.kill("SIGKILL");
      await run.done();
      await until(db, `(${BELLOWS_BACKENDS}) = 0`, "the killed run's backend to end");
    } finally {
      await writer.query("ROLLBACK").catch(() => {});
      await writer.close();
    }
    assert.deepEqual(await db.rows(INDEX_VALID), [{ indisvalid: false }]);
    assert.deepEqual(await db.versions(), ["r1"]);
    assert.deepEqual(await audit(db), ["r1:up:done", "r2:up:started"]);

    // Never silently skipped: upgrade and current refuse, naming the index and the way out.
    for (const args of [["upgrade", "heads"], ["current"]]) {
      const r = await execCli([...base, ...args]);
      assert.equal(r.code, 9, r.err);
      assert.match(r.err, INTERRUPTED);
    }

    // Follow the undo advice.
    await db.exec('DROP INDEX CONCURRENTLY "public"."t_v_idx"');
    const stamp = await execCli([...base, "stamp", "r1"]);
    assert.equal(stamp.code, 0, stamp.err);
    assert.match(stamp.err, /Recorded the interrupted upgrade of 'r2' as resolved/);
    const up = await execCli([...base, "upgrade", "heads"]);
    assert.equal(up.code, 0, up.err);
    assert.deepEqual(await db.versions(), ["r2"]);
    assert.deepEqual(await db.rows(INDEX_VALID), [{ indisvalid: true }]);
    assert.deepEqual(await audit(db), ["r1:up:done", "r2:up:interrupted", "r2:up:done"]);
  });
});

Deno.test("postgres: CREATE INDEX CONCURRENTLY that hits the lock timeout is not retried", async () => {
  await withProject("ciclock", concurrentIndex, async (db, base) => {
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    const writer = pgSession(db.url);
    let r;
    try {
      await writer.query("BEGIN; INSERT INTO t VALUES (0, 'zero')");
      r = await execCli([...base, "--lock-timeout", "300ms", "upgrade", "heads"]);
    } finally {
      await writer.query("ROLLBACK").catch(() => {});
      await writer.close();
    }
    // Retrying would fail on the name of the INVALID index it left; it stops instead.
    assert.equal(r.code, 1, r.err);
    assert.doesNotMatch(r.err, /retry/);
    assert.match(
      r.err,
      /r2\.sql:7:1: 55P03 canceling statement due to lock timeout; blocked by session pid \d+ \(application_name bellows-test, .*\), its last query: BEGIN; INSERT INTO t VALUES \(0, 'zero'\); revision 'r2' runs outside a transaction: no statement before it completed, this one did not complete; the next run will refuse and say how to finish or undo it$/,
    );
    const next = await execCli([...base, "upgrade", "heads"]);
    assert.equal(next.code, 9);
    assert.match(next.err, INTERRUPTED);

    // Follow the finish advice: rebuild the index, run the rest (VACUUM), stamp r2.
    await db.exec('REINDEX INDEX CONCURRENTLY "public"."t_v_idx"');
    await db.exec("VACUUM (ANALYZE) t");
    const stamp = await execCli([...base, "stamp", "r2"]);
    assert.equal(stamp.code, 0, stamp.err);
    const up = await execCli([...base, "upgrade", "heads"]);
    assert.equal(up.code, 0, up.err);
    assert.match(up.err, /Nothing to upgrade: the database is at r2/);
    assert.deepEqual(await db.rows(INDEX_VALID), [{ indisvalid: true }]);
    // The refused statement's `failed` row stays, as its checkpoints would, as the record.
    assert.deepEqual(await audit(db), [
      "r1:up:done",
      "r2:up:interrupted",
      "r2:up:failed",
      "r2:stamp:done",
    ]);
  });
});

Deno.test("postgres: an audit row's duration is its own revision's time, in a transaction of its own or in the run's", async () => {
  // r1 sleeps 0.4 s on the server; r2 does next to nothing. The version and audit rows go
  // out behind the statements, before their answers: the server measures r1's time.
  const files = {
    "r1.sql": script("r1", "", "CREATE TABLE a (id INTEGER);\nSELECT pg_sleep(0.4);"),
    "r2.sql": script("r2", "r1", "CREATE TABLE b (id INTEGER);"),
  };
  for (const extra of [[], ["--single-transaction"]]) {
    await withProject("duration", files, async (db, base) => {
      const r = await execCli([...base, "upgrade", ...extra, "heads"]);
      assert.equal(r.code, 0, r.err);
      const rows = await db.rows(
        "SELECT revision, duration_ms FROM bellows_audit ORDER BY seq",
      );
      const ms = Object.fromEntries(rows.map((x) => [x.revision, Number(x.duration_ms)]));
      assert.ok(ms.r1 >= 400, `${extra}: r1 took ${ms.r1} ms`);
      // Not counted from the start of the run's transaction (r1's 400 ms and more).
      assert.ok(ms.r2 < 400, `${extra}: r2 took ${ms.r2} ms`);
    });
  }
});
