/**
 * The live pre-flight before a strong lock, on a real PostgreSQL: a test session holds a
 * transaction open on a table (`BEGIN; SELECT ... FROM images;`, then idle), bellows
 * upgrades with an `ALTER TABLE images ...`. bellows must name that session, wait for it
 * without queueing its ACCESS EXCLUSIVE request (so a reader loop on the table is never
 * blocked, and pg_locks never shows a waiting request), go on once the holder commits,
 * and stop with exit 8, changing nothing, when `--lock-wait` runs out. `plan --url`
 * shows the same session, the locks and the table's size.
 */
import assert from "node:assert/strict";
import { createDatabase, psql, startCluster, type TestDatabase } from "./support/pg_cluster.ts";
import { type PgSession, pgSession } from "./support/pg_session.ts";
import { runCli, script, startCli, withTempDir, writeScripts } from "./support/cli.ts";
import { openPostgres } from "../src/drivers/postgres.ts";

const cluster = await startCluster();
addEventListener("unload", () => void cluster.stop());

const SCHEMA = "CREATE TABLE images (id int PRIMARY KEY, name text);" +
  "INSERT INTO images SELECT g, 'image ' || g FROM generate_series(1, 5000) g; ANALYZE images;";

/** A database holding `images`, a migrations folder adding a column to it, and a holder. */
async function withSetup(
  prefix: string,
  fn: (db: TestDatabase, base: string[], holder: PgSession, holderPid: number) => Promise<void>,
): Promise<void> {
  const db = await createDatabase(cluster, prefix);
  await psql(db.url, SCHEMA);
  await withTempDir(async (dir) => {
    await writeScripts(dir, {
      "r1.sql": script("r1", "", "ALTER TABLE images ADD COLUMN note text;"),
    });
    const holder = pgSession(db.url);
    try {
      const [row] = await holder.query(
        "BEGIN; SELECT count(*) FROM images; SELECT pg_backend_pid() AS pid",
      );
      // Older than the pre-flight's 200 ms grace for brief holders (BRIEF_HOLDER_MS).
      await new Promise((r) => setTimeout(r, 300));
      await fn(db, ["--url", db.url, "--migrations", dir], holder, Number(row.pid));
    } finally {
      await holder.close();
    }
  });
}

/** Does `images` have the column the revision adds? */
async function hasNote(db: TestDatabase): Promise<boolean> {
  return (await psql(
    db.url,
    "SELECT count(*) FROM information_schema.columns WHERE table_name = 'images' " +
      "AND column_name = 'note'",
  )).trim() === "1";
}

/** Version rows (none when the table was never made). */
async function versionRows(db: TestDatabase): Promise<string> {
  const exists = (await psql(db.url, "SELECT to_regclass('alembic_version') IS NOT NULL"))
    .trim() === "t";
  if (!exists) return "";
  return (await psql(db.url, "SELECT string_agg(version_num, ',') FROM alembic_version")).trim();
}

/**
 * Read `images` in a loop on its own connection until `stop()`; reports the longest a
 * read took and how often a lock request on `images` was seen waiting in pg_locks.
 */
function readerLoop(db: TestDatabase) {
  const reader = pgSession(db.url);
  const watcher = pgSession(db.url);
  let running = true;
  let longest = 0;
  let reads = 0;
  let queued = 0;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      await reader.query("SELECT count(*) FROM images");
      longest = Math.max(longest, performance.now() - t);
      reads++;
      const [w] = await watcher.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted " +
          "AND relation = 'images'::regclass",
      );
      queued += Number(w.n);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await reader.close();
      await watcher.close();
      return { longest, reads, queued };
    },
  };
}

Deno.test("preflight: waits for the session holding the table, without blocking readers; runs once it commits", async () => {
  await withSetup("pf_wait", async (db, base, holder, holderPid) => {
    const readers = readerLoop(db);
    const run = startCli([...base, "--lock-timeout", "2s", "--lock-wait", "60s", "upgrade"]);
    try {
      await run.waitForErr(/without queueing/);
      // Longer than --lock-timeout: had bellows issued its lock, readers would have
      // queued behind it that long, and pg_locks would show it waiting.
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(await hasNote(db), false);
      await holder.query("COMMIT");
      const r = await run.done();
      assert.equal(r.code, 0, r.err);
      assert.match(
        r.err,
        new RegExp(
          `r1\\.sql:\\d+: ALTER TABLE images ADD COLUMN note text needs a lock on images .*` +
            `pid ${holderPid} \\(application_name bellows-test, user \\w+, client [\\d.:]+, ` +
            `transaction open [\\d.]+s, idle in transaction, holds AccessShareLock on images\\): ` +
            `BEGIN; SELECT count\\(\\*\\) FROM images`,
        ),
      );
      assert.match(r.err, /nobody in the way after/);
    } finally {
      await run.done().catch(() => {});
      const seen = await readers.stop();
      assert.ok(seen.reads > 20, `only ${seen.reads} reads while bellows waited`);
      assert.equal(seen.queued, 0, "a lock request on images waited in pg_locks");
      // Never blocked as long as --lock-timeout (2s); a read takes milliseconds.
      assert.ok(seen.longest < 2000, `a read of images took ${seen.longest} ms`);
    }
    assert.equal(await hasNote(db), true);
    assert.equal(await versionRows(db), "r1");
  });
});

Deno.test("preflight: stops with exit 8 naming the session when --lock-wait runs out, changing nothing", async () => {
  await withSetup("pf_stop", async (db, base, _holder, holderPid) => {
    const readers = readerLoop(db);
    let r;
    try {
      const run = startCli([...base, "--lock-timeout", "1s", "--lock-wait", "2s", "upgrade"]);
      r = await run.done();
    } finally {
      const seen = await readers.stop();
      assert.equal(seen.queued, 0, "a lock request on images waited in pg_locks");
      assert.ok(seen.longest < 1000, `a read of images took ${seen.longest} ms`);
    }
    assert.equal(r.code, 8, r.err);
    const last = r.err.split("\n").at(-1)!;
    assert.match(
      last,
      new RegExp(
        `r1\\.sql:\\d+: ALTER TABLE images ADD COLUMN note text: gave up after [\\d.]+s ` +
          `\\(--lock-wait\\) waiting, without queueing, for .*pid ${holderPid} .*; nothing of ` +
          `revision 'r1' ran; the database is at <base>`,
      ),
    );
    assert.equal(await hasNote(db), false);
    assert.equal(await versionRows(db), "");
  });
});

Deno.test("preflight: plan --url shows locks, the table's size and the session in the way", async () => {
  await withSetup("pf_plan", async (_db, base, _holder, holderPid) => {
    const text = await runCli([...base, "plan"]);
    assert.equal(text.code, 0, text.err);
    assert.match(
      text.out,
      /\n {5}\d+:1 ALTER TABLE images ADD COLUMN note text\n {9}ACCESS EXCLUSIVE on images \(\d+ kB, ~5\.0k rows; blocks reads and writes\), metadata only\n/,
    );
    assert.match(text.out, new RegExp(`In the way of a strong lock now.*\\n  pid ${holderPid} `));

    const json = await runCli([...base, "--json", "plan"]);
    assert.equal(json.code, 0, json.err);
    const doc = JSON.parse(json.out);
    const stmt = doc.steps[0].locks[0];
    assert.deepEqual(stmt.locks.map((l: { mode: string }) => l.mode), ["ACCESS EXCLUSIVE"]);
    assert.equal(stmt.work, "metadata");
    assert.equal(stmt.locks[0].size.rows, 5000);
    assert.ok(
      stmt.locks[0].size.bytes > 0 && stmt.locks[0].size.totalBytes > stmt.locks[0].size.bytes,
    );
    assert.equal(doc.tables[0].name, "images");
    assert.deepEqual(
      doc.blockers.map((b: { pid: number; conflicting: boolean }) => [b.pid, b.conflicting]),
      [[holderPid, true]],
    );
  });
});

Deno.test("preflight: a long transaction that only read the table is in the way of SHARE too", async () => {
  await withSetup("pf_share", async (db, base, holder, holderPid) => {
    await writeScripts(base[3], {
      "r1.sql": script("r1", "", "CREATE INDEX images_name_idx ON images (name);"),
    });
    // AccessShareLock does not conflict with SHARE; the transaction's age (over
    // --lock-timeout) is what puts it in the way.
    const quick = await runCli([...base, "--lock-timeout", "60s", "--json", "plan"]);
    assert.deepEqual(JSON.parse(quick.out).blockers, []);
    await new Promise((r) => setTimeout(r, 1200));
    const run = startCli([...base, "--lock-timeout", "1s", "--lock-wait", "30s", "upgrade"]);
    await run.waitForErr(new RegExp(`has held since its transaction began AccessShareLock`));
    await holder.query("COMMIT");
    const r = await run.done();
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, new RegExp(`pid ${holderPid} `));
    assert.equal(await versionRows(db), "r1");
  });
});

Deno.test("preflight: a session holding only a partition is in the way of a lock on its parent", async () => {
  await withSetup("pf_part", async (db, base, holder) => {
    await holder.query("ROLLBACK");
    await psql(
      db.url,
      "CREATE TABLE events (at date, v int) PARTITION BY RANGE (at);" +
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    );
    await writeScripts(base[3], {
      "r1.sql": script("r1", "", "ALTER TABLE events ADD COLUMN note text;"),
    });
    const [row] = await holder.query(
      "BEGIN; SELECT count(*) FROM events_2024; SELECT pg_backend_pid() AS pid",
    );
    await new Promise((r) => setTimeout(r, 300));
    const r = await runCli([...base, "--json", "plan"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      JSON.parse(r.out).blockers.map((b: { pid: number; relation: string; mode: string }) => [
        b.pid,
        b.relation,
        b.mode,
      ]),
      [[Number(row.pid), "events_2024", "AccessShareLock"]],
    );
  });
});

Deno.test("preflight: the driver counts holders by the age of their transaction", async () => {
  await withSetup("pf_ages", async (db, _base, _holder, holderPid) => {
    const driver = await openPostgres(db.url, {});
    try {
      const inspector = driver.lockInspector!;
      const wanted = [{ relation: "images", conflictsWith: ["AccessShareLock"] }];
      const pids = async (ages: { conflictingMs: number; otherMs: number | null }) =>
        (await inspector.holders(wanted, ages)).map((h) => h.pid);
      assert.deepEqual(await pids({ conflictingMs: 0, otherMs: null }), [holderPid]);
      // Younger than a minute: a brief holder, not waited for.
      assert.deepEqual(await pids({ conflictingMs: 60_000, otherMs: null }), []);
      // Not conflicting, but open longer than 100 ms.
      const other = [{ relation: "images", conflictsWith: ["RowExclusiveLock"] }];
      const old = await inspector.holders(other, { conflictingMs: 0, otherMs: 100 });
      assert.deepEqual(old.map((h) => [h.pid, h.conflicting]), [[holderPid, false]]);
      assert.deepEqual(await inspector.holders(other, { conflictingMs: 0, otherMs: null }), []);
      // A table that does not exist is nobody's.
      const none = [{ relation: "public.nope", conflictsWith: ["AccessShareLock"] }];
      assert.deepEqual(await inspector.holders(none, { conflictingMs: 0, otherMs: 0 }), []);
      // Sizes: the table alone, with its index, and the row estimate.
      const sizes = await driver.tableSizes!(["images", "public.images", "nope"]);
      assert.deepEqual([...sizes.keys()], ["images", "public.images"]);
      assert.equal(sizes.get("images")!.rows, 5000);
      assert.ok(sizes.get("images")!.totalBytes > sizes.get("images")!.bytes);
    } finally {
      await driver.close();
    }
  });
});
