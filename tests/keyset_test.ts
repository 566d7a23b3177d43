/**
 * Keyset data migrations (issue 12) on SQLite and PostgreSQL: a run killed between
 * batches resumes at the last committed key without visiting a row twice, the result
 * equals the old form's, pacing flags work (and `--max-replica-lag` is refused where the
 * driver cannot read the lag), and on PostgreSQL a writer updating random rows meanwhile
 * is never blocked for longer than one batch.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { runCli, script, spawnCli, withTempDir, writeScripts } from "./support/cli.ts";
import { startCluster } from "./support/pg_cluster.ts";
import { DIALECTS, postgresDb, sqliteDb, type TestDb, type TestDialect } from "./support/db.ts";

const cluster = await startCluster();

async function withDb(
  dialect: TestDialect,
  fn: (db: TestDb, dir: string) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const db = dialect === "sqlite" ? sqliteDb(dir) : await postgresDb(cluster, "keyset");
    await fn(db, dir);
  });
}

async function table(db: TestDb, sql: string): Promise<string[][]> {
  return (await db.rows(sql)).map((r) => Object.values(r).map((v) => v === null ? "" : String(v)));
}

/** `n` rows (id 1..n, a = id * 7 % 1000) into each of `tables`. */
async function seed(db: TestDb, tables: readonly string[], n: number): Promise<void> {
  for (const t of tables) {
    for (let from = 1; from <= n; from += 5000) {
      const ids = Array.from({ length: Math.min(5000, n - from + 1) }, (_, i) => from + i);
      await db.exec(
        `INSERT INTO ${t} (id, a) VALUES ${ids.map((i) => `(${i}, ${(i * 7) % 1000})`).join(", ")}`,
      );
    }
  }
}

/**
 * r1 creates t1 (for the old form) and t2 (keyset), e1 adds b (and visits, which counts
 * how often a batch touched a row), c1 contracts. d1 is the old form over t1, d2 the
 * keyset form over t2. d2 is not selective on purpose (it would rewrite a done row), so a
 * row visited twice shows in visits; `slow` adds a pause per batch so a test can kill it.
 */
function project(slow: boolean): Record<string, string> {
  const table = (t: string) =>
    `CREATE TABLE ${t} (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, c INTEGER NOT NULL DEFAULT 0);`;
  return {
    "r1.sql": script("r1", "", `${table("t1")}\n${table("t2")}`),
    "e1.sql": script(
      "e1",
      "r1",
      "ALTER TABLE t1 ADD COLUMN b INTEGER;\nALTER TABLE t2 ADD COLUMN b INTEGER;\n" +
        "ALTER TABLE t2 ADD COLUMN visits INTEGER NOT NULL DEFAULT 0;",
      "",
      { branch_labels: "expand" },
    ),
    "c1.sql": script("c1", "r1", "SELECT 1;", "", { branch_labels: "contract", depends_on: "e1" }),
    "d1.sql": [
      "-- data_migration: d1",
      "-- after: e1",
      "-- bellows:check",
      "SELECT count(*) FROM t1 WHERE b IS NULL;",
      "-- bellows:batch",
      "UPDATE t1 SET b = a * 2 WHERE id IN (SELECT id FROM t1 WHERE b IS NULL ORDER BY id LIMIT :batch_size);",
      "",
    ].join("\n"),
    "d2.sql": [
      "-- data_migration: d2",
      "-- after: e1",
      "-- start_key: 0",
      "-- bellows:check",
      "SELECT count(*) FROM t2 WHERE b IS NULL;",
      ...(slow
        ? [
          "-- bellows:batch postgresql",
          "SELECT pg_sleep(0.03);",
          "-- bellows:batch sqlite",
          "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT count(*) FROM c;",
        ]
        : []),
      "-- bellows:batch",
      "UPDATE t2 SET b = a * 2, visits = visits + 1",
      " WHERE id IN (SELECT id FROM t2 WHERE id > :last_key ORDER BY id LIMIT :batch_size)",
      "RETURNING id;",
      "",
    ].join("\n"),
  };
}

for (const dialect of DIALECTS) {
  Deno.test(`${dialect}: a keyset data migration killed between batches resumes at its last key`, async () => {
    await withDb(dialect, async (db, dir) => {
      const mig = `${dir}/m`;
      await writeScripts(mig, project(true));
      const base = ["--url", db.url, "--migrations", mig];
      let r = await runCli([...base, "-q", "expand"]);
      assert.equal(r.code, 0, r.err);
      const total = 600;
      await seed(db, ["t1", "t2"], total);
      const done = async () =>
        Number((await table(db, "SELECT count(*) FROM t2 WHERE b IS NOT NULL"))[0][0]);

      // d1 (old form) runs first, then d2: kill once d2 has committed a few batches.
      const p = spawnCli([...base, "migrate", "--batch-size", "10"]);
      const started = Date.now();
      while ((await done()) < 30) {
        assert.ok(Date.now() - started < 60_000, "the data migration never got going");
        await new Promise((res) => setTimeout(res, 20));
      }
      p.kill("SIGKILL");
      assert.notEqual((await p.status).code, 0);
      await p.stdout.cancel();
      await p.stderr.cancel();
      const moved = await done();
      assert.ok(moved > 0 && moved < total, `killed mid-way: ${moved} of ${total}`);
      assert.equal(moved % 10, 0, "a batch commits whole or not at all");
      // The progress row committed with the batch: it holds the last key moved.
      const [[lastKey, rows, batches]] = await table(
        db,
        "SELECT last_key, rows_done, batches FROM bellows_data_progress WHERE name = 'd2'",
      );
      assert.equal(lastKey, String(moved), "rows 1..moved are done, so the key is moved");
      assert.equal(rows, String(moved));
      assert.equal(batches, String(moved / 10));
      r = await runCli([...base, "check"]);
      assert.equal(r.code, 4, r.out);
      assert.match(r.out, new RegExp(`d2 has ${total - moved} row\\(s\\) to move`));

      // --batch-pause: a pause before each batch but the first; the last batch finds no row.
      const t0 = performance.now();
      r = await runCli([...base, "migrate", "--batch-size", "200", "--batch-pause", "300ms"]);
      const pauses = Math.ceil((total - moved) / 200);
      assert.equal(r.code, 0, r.err);
      assert.ok(performance.now() - t0 >= 300 * pauses, `${pauses} pauses of 300 ms`);
      assert.match(r.err, new RegExp(`d2: resuming after key ${moved}`));
      assert.match(r.err, new RegExp(`d2: moved ${total - moved} row\\(s\\)`));
      // No row visited twice, none missed; and the same result as the old form's.
      assert.deepEqual(await table(db, "SELECT visits, count(*) FROM t2 GROUP BY visits"), [[
        "1",
        String(total),
      ]]);
      assert.deepEqual(
        await table(db, "SELECT id, a, b FROM t2 ORDER BY id"),
        await table(db, "SELECT id, a, b FROM t1 ORDER BY id"),
      );
      assert.deepEqual(await table(db, "SELECT count(*) FROM t2 WHERE b <> a * 2"), [["0"]]);
      // Nothing left: a rerun counts 0 and runs no batch.
      r = await runCli([...base, "migrate"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /Data migration d2: nothing to move/);
      r = await runCli([...base, "-q", "contract"]);
      assert.equal(r.code, 0, r.err);
      const audit = await table(db, "SELECT revision, direction FROM bellows_audit ORDER BY seq");
      assert.deepEqual(audit.map((x) => x.join(":")), [
        "r1:up",
        "e1:up",
        "d1:data",
        "d2:data",
        "c1:up",
      ]);
    });
  });

  Deno.test(`${dialect}: keyset with --batch-time adapts the size; rows behind the key get one more pass`, async () => {
    await withDb(dialect, async (db, dir) => {
      const mig = `${dir}/m`;
      await writeScripts(mig, project(false));
      const base = ["--url", db.url, "--migrations", mig];
      let r = await runCli([...base, "-q", "expand"]);
      assert.equal(r.code, 0, r.err);
      await seed(db, ["t1", "t2"], 3000);
      const pacing = ["--batch-size", "50", "--batch-time", "500ms", "--batch-pause", "1ms"];
      r = await runCli([...base, "-v", "migrate", ...pacing]);
      assert.equal(r.code, 0, r.err);
      // Batches far under 500 ms: the size doubles from 50 each batch, up to 16 x 50.
      const sizes = [...r.err.matchAll(/d2: batch \d+ of at most (\d+) row/g)].map((m) =>
        Number(m[1])
      );
      assert.deepEqual(sizes.slice(0, 5), [50, 100, 200, 400, 800], r.err);
      assert.ok(Math.max(...sizes) <= 800);
      // The old form adapts the same way.
      const oldSizes = [...r.err.matchAll(/d1: batch \d+ of at most (\d+) row/g)].map((m) =>
        Number(m[1])
      );
      assert.deepEqual(oldSizes.slice(0, 4), [50, 100, 200, 400], r.err);
      assert.deepEqual(
        await table(db, "SELECT id, a, b FROM t2 ORDER BY id"),
        await table(db, "SELECT id, a, b FROM t1 ORDER BY id"),
      );

      // Rows behind the stored key (changed back, say) are found by the check at the end
      // and moved by one pass from start_key; new rows after the key by the resumed pass.
      await db.exec("UPDATE t2 SET b = NULL WHERE id IN (5, 6)");
      await db.exec("INSERT INTO t2 (id, a) VALUES (5000, 1)");
      r = await runCli([...base, "migrate", "--batch-size", "1000"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /d2: resuming after key 3000/);
      assert.match(r.err, /d2: the check query still counts 2 row\(s\) .*one more pass from 0/);
      assert.deepEqual(await table(db, "SELECT count(*) FROM t2 WHERE b IS NULL"), [["0"]]);

      // A batch that never moves what the check counts: one whole pass, then an error.
      await db.exec("UPDATE t2 SET b = NULL WHERE id = 7");
      await Deno.writeTextFile(
        `${mig}/d2.sql`,
        (await Deno.readTextFile(`${mig}/d2.sql`)).replace("SET b = a * 2,", "SET"),
      );
      r = await runCli([...base, "migrate"]);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /d2: the check query still counts 1 row/);
      assert.match(
        r.err,
        /data migration 'd2' made no progress: a whole keyset pass from key 0 to 5000 left 1 row\(s\)/,
      );
    });
  });

  Deno.test(`${dialect}: keyset batch whose key does not advance is an error, rolled back`, async () => {
    await withDb(dialect, async (db, dir) => {
      const mig = `${dir}/m`;
      const files = project(false);
      files["d2.sql"] = files["d2.sql"].replace("RETURNING id;", "RETURNING 1;");
      await writeScripts(mig, files);
      const base = ["--url", db.url, "--migrations", mig];
      let r = await runCli([...base, "-q", "expand"]);
      assert.equal(r.code, 0, r.err);
      await seed(db, ["t1", "t2"], 30);
      r = await runCli([...base, "migrate", "--batch-size", "10"]);
      assert.equal(r.code, 1, r.err);
      assert.match(
        r.err,
        /d2\.sql:\d+: data migration 'd2' made no progress: its batch after key 1 returned key 1/,
      );
      // The first batch (keys 1..10, returned as 1) committed; the second was rolled back.
      assert.deepEqual(await table(db, "SELECT count(*) FROM t2 WHERE b IS NOT NULL"), [["10"]]);
      if (dialect === "sqlite") {
        r = await runCli([...base, "migrate", "--max-replica-lag", "1s"]);
        assert.equal(r.code, 2, r.err);
        assert.match(r.err, /--max-replica-lag: bellows cannot read replication lag on SQLite/);
      }
    });
  });
}

Deno.test("postgresql: a writer updating random rows waits at most one keyset batch", async () => {
  await withDb("postgresql", async (db, dir) => {
    const mig = `${dir}/m`;
    const files = project(false);
    // A batch that holds its row locks a while: pg_sleep's shortest sleep (about 1 ms) per
    // row after updating it, some 100 ms a batch.
    files["d2.sql"] = files["d2.sql"].replace("RETURNING id;", "RETURNING id, pg_sleep(0.00005);");
    await writeScripts(mig, files);
    const base = ["--url", db.url, "--migrations", mig];
    let r = await runCli([...base, "-q", "expand"]);
    assert.equal(r.code, 0, r.err);
    const total = 4000;
    await seed(db, ["t2"], total);
    // t1 stays empty: d1 has nothing to do.

    const writer = postgres(db.url, { max: 1, onnotice: () => {} });
    const waits: number[] = [];
    let stop = false;
    const writing = (async () => {
      while (!stop) {
        const id = 1 + Math.floor(Math.random() * total);
        const t0 = performance.now();
        await writer.unsafe("UPDATE t2 SET c = c + 1 WHERE id = $1", [id]);
        waits.push(performance.now() - t0);
        await new Promise((res) => setTimeout(res, 2));
      }
    })();
    try {
      r = await runCli([
        ...base,
        "-v",
        "migrate",
        "--batch-size",
        "100",
        "--max-replica-lag",
        "10s",
      ]);
    } finally {
      stop = true;
      await writing;
      await writer.end();
    }
    assert.equal(r.code, 0, r.err);
    const batchMs = [...r.err.matchAll(/d2: batch \d+ .* in (\d+) ms/g)].map((m) => Number(m[1]));
    assert.ok(batchMs.length >= 20, r.err);
    assert.deepEqual(await table(db, "SELECT visits, count(*) FROM t2 GROUP BY visits"), [[
      "1",
      String(total),
    ]]);
    // Some writes landed on a row a batch held (each batch holds its 100 rows ~100 ms):
    // the writer then waits for that batch's commit, never for the next.
    const longest = Math.max(...waits);
    const slowest = Math.max(...batchMs);
    // The test means something only if writes did wait on a batch now and then.
    assert.ok(waits.some((w) => w > 20), `no write ever waited: ${Math.round(longest)} ms`);
    assert.ok(waits.length > 100, `only ${waits.length} writes`);
    assert.ok(
      longest <= slowest + 250,
      `a write waited ${Math.round(longest)} ms; the slowest batch took ${slowest} ms`,
    );
  });
});

Deno.test("postgresql: --max-replica-lag waits while a standby trails", async () => {
  // A cluster of its own: the standby streams all of it.
  const primary = await startCluster();
  const standby = await primary.standby!([
    "recovery_min_apply_delay = '1500ms'",
    "wal_receiver_status_interval = 1s",
  ]);
  try {
    await withTempDir(async (dir) => {
      const db = await postgresDb(primary, "lag");
      const mig = `${dir}/m`;
      await writeScripts(mig, project(false));
      const base = ["--url", db.url, "--migrations", mig];
      let r = await runCli([...base, "-q", "expand"]);
      assert.equal(r.code, 0, r.err);
      await seed(db, ["t2"], 200);
      // Every commit reaches the standby's data 1.5 s late. PostgreSQL measures replay_lag
      // when the standby reports a commit applied, so it reads about 1.5 s from some 1.5 s
      // into the run (20 batches 100 ms apart: 2 s without waiting) until the standby has
      // caught up and the lag reads NULL.
      const t0 = performance.now();
      r = await runCli([
        ...base,
        "-v",
        "migrate",
        "--batch-size",
        "10",
        "--batch-pause",
        "100ms",
        "--max-replica-lag",
        "500ms",
      ]);
      const ms = performance.now() - t0;
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /replicas trail by \d+ ms \(more than --max-replica-lag 500 ms\)/);
      // At least one wait for the standby to apply everything (1.5 s after the last commit).
      assert.ok(ms >= 3500, `the run took only ${Math.round(ms)} ms`);
      // A login that may not see the standby's state: one warning, no wait.
      await db.exec(
        "CREATE ROLE lag_blind LOGIN; GRANT ALL ON ALL TABLES IN SCHEMA public TO lag_blind; " +
          "GRANT CREATE ON SCHEMA public TO lag_blind; UPDATE t2 SET b = NULL",
      );
      const blind = db.url.replace("postgres@", "lag_blind@");
      r = await runCli([
        "--url",
        blind,
        "--migrations",
        mig,
        "migrate",
        "--batch-size",
        "50",
        "--max-replica-lag",
        "500ms",
      ]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err.match(/this login may not see their lag/g)?.length, 1, r.err);
      assert.deepEqual(await table(db, "SELECT count(*) FROM t2 WHERE b IS NULL"), [["0"]]);
    });
  } finally {
    await standby.stop();
    await primary.stop();
  }
});

Deno.test("postgresql: the keyset form counts with the check query twice, not per batch", async () => {
  await withDb("postgresql", async (db, dir) => {
    const mig = `${dir}/m`;
    const files = project(false);
    // The check query bumps a sequence each time it runs.
    const counted = "SELECT count(*) FROM t2 WHERE b IS NULL;";
    files["d2.sql"] = files["d2.sql"].replace(
      counted,
      "SELECT count(*) + 0 * nextval('checks') FROM t2 WHERE b IS NULL;",
    );
    await writeScripts(mig, files);
    const base = ["--url", db.url, "--migrations", mig];
    let r = await runCli([...base, "-q", "expand"]);
    assert.equal(r.code, 0, r.err);
    await db.exec("CREATE SEQUENCE checks");
    await seed(db, ["t2"], 500);
    r = await runCli([...base, "-v", "migrate", "--batch-size", "10"]);
    assert.equal(r.code, 0, r.err);
    assert.equal([...r.err.matchAll(/d2: batch \d+ /g)].length, 51, "50 batches and an empty one");
    assert.deepEqual(await table(db, "SELECT last_value FROM checks"), [["2"]]);
  });
});
