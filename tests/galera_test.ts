/**
 * Galera: one runner across every node of a real three-node cluster (issue 14), through
 * the command line: concurrent runners on different nodes, a SIGKILLed lock holder whose
 * lease runs out, a write conflict retried, Glance's rolling upgrade with its services on
 * different nodes, a node outside the primary component refused, and the node under a run
 * killed.
 *
 * CI runs {@linkcode ROUNDS} = 3 rounds of concurrent runners; `BELLOWS_GALERA=full` runs 20.
 */
import assert from "node:assert/strict";
import { execCli, script, startCli, until, withTempDir, writeScripts } from "./support/cli.ts";
import { type GaleraCluster, startGalera } from "./support/galera_cluster.ts";
import { openMysql } from "../src/drivers/mysql.ts";
import { mysqlDbOf } from "./support/db.ts";
import { rollingUpgrade } from "./support/rolling.ts";

const ROUNDS = Deno.env.get("BELLOWS_GALERA") === "full" ? 20 : 3;
/** A short lease (seconds) for the tests that wait for one to run out. */
const LEASE = 4;

const cluster: GaleraCluster = await startGalera();
// Tests share the cluster (the last one kills a node); the harness stops it at unload.

/** Rows of `sql` on node `i`, each a tab-joined line. */
async function lines(i: number, sql: string, db: string): Promise<string[]> {
  // Causal reads: the node first applies what the cluster committed (it may lag behind).
  const out = await cluster.sql(i, `SET SESSION wsrep_sync_wait = 1; ${sql}`, db);
  return out === "" ? [] : out.split("\n");
}

/** `version_num` rows on node `i`. */
function versions(i: number, db: string): Promise<string[]> {
  return lines(i, "SELECT version_num FROM alembic_version ORDER BY 1", db);
}

/** `revision:status` of every audit row on node `i`, in order. */
function audit(i: number, db: string): Promise<string[]> {
  return lines(
    i,
    "SELECT CONCAT(revision, ':', direction, ':', status) FROM bellows_audit ORDER BY seq",
    db,
  );
}

/** `--url` for node `i`, with the test lease when `lease`. */
function url(i: number, db: string, lease = false): string {
  return cluster.nodes[i].url(db) + (lease ? `&lock_lease=${LEASE}` : "");
}

/** A chain of single-DDL revisions r<from>..r<to>, each creating table t<n>. */
function chain(from: number, to: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let n = from; n <= to; n++) {
    files[`r${n}.sql`] = script(
      `r${n}`,
      n === 1 ? "" : `r${n - 1}`,
      `CREATE TABLE t${n} (id INT PRIMARY KEY)`,
    );
  }
  return files;
}

Deno.test(`galera: 3 runners at once, one per node, x ${ROUNDS} rounds: each revision once`, async () => {
  const db = await cluster.createDatabase("conc");
  await withTempDir(async (dir) => {
    let waits = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const first = round * 3 + 1;
      const last = first + 2;
      await writeScripts(`${dir}/m`, chain(first, last));
      const runs = cluster.nodes.map((_, i) =>
        startCli(["--url", url(i, db), "--migrations", `${dir}/m`, "-v", "upgrade", "head"])
      );
      const results = await Promise.all(runs.map((r) => r.done()));
      const ran: string[] = [];
      for (const [i, r] of results.entries()) {
        assert.equal(r.code, 0, `node${i + 1}: ${r.err}`);
        ran.push(...r.err.split("\n").filter((l) => / INFO Running upgrade /.test(l)));
        const wait = r.err.split("\n").find((l) => /waiting up to/.test(l));
        if (wait) {
          waits++;
          // The waiter names the holder and its node.
          assert.match(
            wait,
            /held by connection id \d+ of root@localhost from \S+ on node node[123], since \S+Z, lease 30s$/,
          );
        }
      }
      // Every revision of the round ran exactly once, whichever runner ran it.
      assert.equal(ran.length, 3, ran.join("\n"));
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await versions(i, db), [`r${last}`], `node${i + 1}`);
        assert.deepEqual(
          await audit(i, db),
          Array.from({ length: last }, (_, k) => `r${k + 1}:up:done`),
          `node${i + 1}`,
        );
        // The lock row went with its release.
        assert.deepEqual(await lines(i, "SELECT name FROM bellows_lock", db), []);
      }
    }
    const tables = await lines(
      1,
      "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() " +
        "AND TABLE_NAME REGEXP '^t[0-9]+$'",
      db,
    );
    assert.deepEqual(tables, [String(ROUNDS * 3)]);
    console.log(`${ROUNDS} rounds: ${waits} runner(s) waited for another node's holder`);
    // Runners did overlap: losers waited for a holder on another node, then exited 0.
    assert.ok(waits > 0);
  });
});

Deno.test("galera: the lock wait runs out naming the holder and its node (exit 8)", async () => {
  const db = await cluster.createDatabase("busy");
  const holder = await openMysql(url(0, db));
  try {
    const release = await holder.lock(1000);
    await withTempDir(async (dir) => {
      await writeScripts(`${dir}/m`, chain(1, 1));
      const busy = await execCli([
        "--url",
        url(2, db),
        "--migrations",
        `${dir}/m`,
        "--lock-wait",
        "1s",
        "upgrade",
        "head",
      ]);
      assert.equal(busy.code, 8, busy.err);
      assert.match(
        busy.err,
        new RegExp(
          `another bellows run holds the migration lock on \\S+ \\(connection id ${holder.connectionId} ` +
            `of root@localhost from \\S+ on node node1, since \\S+Z, lease 30s\\); waited 1(\\.\\d)?s$`,
        ),
      );
      assert.equal(busy.err.split("\n").length, 1, busy.err);
    });
    // Nothing was written through node3; the holder's row is the only one.
    assert.deepEqual(await lines(2, "SHOW TABLES", db), ["bellows_lock"]);
    await release();
    assert.deepEqual(await lines(1, "SELECT name FROM bellows_lock", db), []);
  } finally {
    await holder.close();
  }
});

/** r1 creates t1, r2 runs `sleep` seconds (a revision in progress), r3 creates t3. */
function slowChain(sleep: number): Record<string, string> {
  return {
    "r1.sql": script("r1", "", "CREATE TABLE t1 (id INT PRIMARY KEY)"),
    "r2.sql": script("r2", "r1", `SELECT SLEEP(${sleep})`),
    "r3.sql": script("r3", "r2", "CREATE TABLE t3 (id INT PRIMARY KEY)"),
  };
}

/** When a log line (ISO timestamp first) was written, ms since the epoch. */
function loggedAt(line: string): number {
  return Date.parse(line.split(" ")[0]);
}

Deno.test("galera: SIGKILL of the lock holder mid-revision: its lease runs out, another node continues", async () => {
  const db = await cluster.createDatabase("holderkill");
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, slowChain(3));
    const base = ["--migrations", `${dir}/m`, "-v", "upgrade", "head"];
    const a = startCli(["--url", url(0, db, true), ...base]);
    await a.waitForErr(/Running upgrade r1 -> r2/);
    const b = startCli(["--url", url(1, db, true), "--lock-wait", "30s", ...base]);
    await b.waitForErr(/waiting up to 30s for the migration lock/);
    a.process.kill("SIGKILL");
    const killedAt = Date.now();
    assert.notEqual((await a.done()).code, 0);
    const r = await b.done();
    assert.equal(r.code, 0, r.err);
    const took = r.err.split("\n").find((l) => /took over the migration lock/.test(l));
    assert.ok(took, r.err);
    assert.match(
      took,
      / WARN WARNING: took over the migration lock on \S+: its holder \(connection id \d+ of root@localhost from \S+ on node node1, since \S+, lease 4s\) did not renew it for 4s$/,
    );
    // Never before the holder would have stopped itself (lease/2 without a renewal), and
    // not much later than the lease.
    const after = loggedAt(took) - killedAt;
    assert.ok(after >= (LEASE * 1000) / 2, `took over ${after} ms after the kill`);
    assert.ok(after <= LEASE * 1000 + 5000, `took over ${after} ms after the kill`);
    assert.match(r.err, /Running upgrade r1 -> r2/);
    assert.match(r.err, /Done: r1 -> r3/);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await versions(i, db), ["r3"], `node${i + 1}`);
      assert.deepEqual(await audit(i, db), ["r1:up:done", "r2:up:done", "r3:up:done"]);
      assert.deepEqual(await lines(i, "SELECT name FROM bellows_lock", db), []);
    }
  });
});

Deno.test("galera: a holder whose lock was taken over stops before writing more (exit 7)", async () => {
  const db = await cluster.createDatabase("stolen");
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, slowChain(5));
    const a = startCli(["--url", url(0, db, true), "--migrations", `${dir}/m`, "upgrade", "head"]);
    await a.waitForErr(/Running upgrade r1 -> r2/);
    // As a waiter would after a lease ran out (a holder cut off for too long, say).
    await cluster.sql(2, "UPDATE bellows_lock SET token = 'taken-over', beat = 0", db);
    const started = Date.now();
    const r = await a.done();
    assert.equal(r.code, 7, r.err);
    assert.ok(Date.now() - started < 3000, "stopped within a renewal period");
    const last = r.err.split("\n").at(-1)!;
    assert.match(
      last,
      /: the migration lock on \S+ was taken over \(its lease had run out\); this run stopped so that nothing of it is written once another run holds the lock; /,
    );
    // r2 never committed: the version table stays at r1 on every node.
    for (let i = 0; i < 3; i++) assert.deepEqual(await versions(i, db), ["r1"]);
  });
});

Deno.test("galera: a holder whose renewals are held up by a row lock stops itself (exit 7)", async () => {
  const db = await cluster.createDatabase("rowlock");
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, slowChain(8));
    const a = startCli(["--url", url(0, db, true), "--migrations", `${dir}/m`, "upgrade", "head"]);
    await a.waitForErr(/Running upgrade r1 -> r2/);
    // Someone's open transaction on the lock row, on the holder's node: a renewal would wait.
    const other = await openMysql(url(0, db));
    try {
      await other.run("START TRANSACTION");
      await other.query("SELECT * FROM bellows_lock FOR UPDATE");
      const started = Date.now();
      const r = await a.done();
      assert.equal(r.code, 7, r.err);
      // lease/2 = 2 s after the last renewal, plus a renewal period.
      assert.ok(Date.now() - started < 4000, `stopped after ${Date.now() - started} ms`);
      assert.match(
        r.err.split("\n").at(-1)!,
        /could not renew the migration lock's lease on \S+ for 2s \(half its 4s lease\); stopped before another runner may take over; this run stopped so that nothing of it is written once another run holds the lock/,
      );
    } finally {
      await other.close();
    }
    for (let i = 0; i < 3; i++) assert.deepEqual(await versions(i, db), ["r1"]);
  });
});

Deno.test("galera: a revision aborted by a conflicting write from another node is retried", async () => {
  const db = await cluster.createDatabase("conflict");
  await cluster.sql(
    0,
    "CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 0)",
    db,
  );
  await withTempDir(async (dir) => {
    // The UPDATE holds the row for 2 s (SLEEP runs after the row is locked) ...
    await writeScripts(`${dir}/m`, {
      "r1.sql": script("r1", "", "UPDATE t SET v = v + 1 + SLEEP(2) WHERE id = 1"),
    });
    const run = startCli([
      "--url",
      url(0, db),
      "--migrations",
      `${dir}/m`,
      "--retries",
      "3",
      "-v",
      "upgrade",
      "head",
    ]);
    await run.waitForErr(/r1\.sql:\d+: UPDATE t SET v/);
    await new Promise((r) => setTimeout(r, 500));
    // ... when a write to the same row replicates from node2: Galera aborts the local one.
    await cluster.sql(1, "UPDATE t SET v = 100 WHERE id = 1", db);
    const r = await run.done();
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /r1 hit a deadlock or write conflict \(1213 \(40001\)\); retry 1 of 3/);
  });
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await lines(i, "SELECT v FROM t", db), ["101"], `node${i + 1}`);
    assert.deepEqual(await versions(i, db), ["r1"]);
    assert.deepEqual(await audit(i, db), ["r1:up:done"]);
  }
});

Deno.test("galera: a DDL longer than half the lease keeps the lock; a waiter does not take over", async () => {
  const db = await cluster.createDatabase("longddl");
  await cluster.sql(
    0,
    "CREATE TABLE big (id INT PRIMARY KEY, v VARCHAR(200)); " +
      "INSERT INTO big SELECT seq, REPEAT('x', 200) FROM seq_1_to_300000",
    db,
  );
  await withTempDir(async (dir) => {
    // A copying ALTER: under TOI every write of the cluster waits for it, renewals included.
    await writeScripts(`${dir}/m`, {
      // The sleep after it keeps the run going past the watchdog's next look, once the
      // renewal the ALTER held back (and aborted) is due again.
      "r1.sql": script(
        "r1",
        "",
        "ALTER TABLE big ADD COLUMN w INT, ALGORITHM=COPY;\nSELECT SLEEP(1)",
      ),
    });
    const base = ["--migrations", `${dir}/m`, "-v", "upgrade", "head"];
    // lock_lease=2: renewals every 333 ms, the holder's limit is 1 s.
    const lease2 = (i: number) => cluster.nodes[i].url(db) + "&lock_lease=2";
    const holder = startCli(["--url", lease2(0), ...base]);
    await holder.waitForErr(/r1\.sql:\d+: ALTER TABLE big/);
    const waiter = startCli(["--url", lease2(1), "--lock-wait", "60s", ...base]);
    const [h, w] = await Promise.all([holder.done(), waiter.done()]);
    assert.equal(h.code, 0, h.err);
    assert.equal(w.code, 0, w.err);
    const ddlMs = Number(/r1: 2 statement\(s\) in (\d+) ms/.exec(h.err)?.[1]);
    console.log(`the ALTER and the sleep took ${ddlMs} ms against a 2 s lease`);
    assert.doesNotMatch(w.err, /took over/);
    assert.match(w.err, /Nothing to upgrade: the database is at r1/);
  });
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await versions(i, db), ["r1"], `node${i + 1}`);
    assert.deepEqual(await audit(i, db), ["r1:up:done"]);
  }
});

Deno.test("galera: under TOI a DDL aborts open transactions on every node instead of waiting", async () => {
  const db = await cluster.createDatabase("toi");
  await cluster.sql(0, "CREATE TABLE t (id INT PRIMARY KEY)", db);
  const readers = [await openMysql(url(0, db)), await openMysql(url(1, db))];
  try {
    for (const r of readers) {
      await r.run("START TRANSACTION");
      await r.query("SELECT * FROM t");
    }
    await withTempDir(async (dir) => {
      await writeScripts(`${dir}/m`, {
        "r1.sql": script("r1", "", "ALTER TABLE t ADD COLUMN w INT"),
      });
      const started = performance.now();
      const r = await execCli([
        "--url",
        url(0, db),
        "--migrations",
        `${dir}/m`,
        "--lock-timeout",
        "5s",
        "upgrade",
        "head",
      ]);
      assert.equal(r.code, 0, r.err);
      // No wait for the open transactions' metadata locks, on node1 or node2.
      assert.ok(performance.now() - started < 5000);
    });
    // The upgrade returns once node1 has run the DDL; node2 applies it in the same total
    // order but may not have yet, and its reader is aborted only then.
    await until(
      async () =>
        (await cluster.sql(
          1,
          "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' " +
            "AND COLUMN_NAME = 'w'",
          db,
        )).trim() === "1",
      "node2 to apply the ALTER",
    );
    for (const r of readers) {
      const e = await r.query("SELECT * FROM t").then(() => undefined, (e) => e);
      assert.equal(r.errorInfo(e)?.kind, "deadlock", String(e));
    }
  } finally {
    for (const r of readers) await r.close();
  }
});

Deno.test("galera: Glance's rolling upgrade with the old and new service on different nodes", async () => {
  const name = await cluster.createDatabase("rolling");
  const at = (i: number) => url(i, name);
  // Looked into (and checked) through node1; the services write through node2 and node3,
  // and each phase runs through a node of its own.
  const db = mysqlDbOf({
    name,
    url: at(0),
    socketUrl: at(0),
    passwordUrl: () => {
      throw new Error("no password user on the test cluster");
    },
  });
  const node = { expand: 0, migrate: 1, contract: 2 } as const;
  await rollingUpgrade(db, {
    oldService: at(1),
    newService: at(2),
    phase: (command) => at(node[command]),
    label: "galera (old service on node2, new on node3)",
  });
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await versions(i, name), ["ocata_contract01"], `node${i + 1}`);
  }
});

Deno.test("galera: a node outside the primary component is refused: one line, exit 7, nothing written", async () => {
  const db = await cluster.createDatabase("nonprim");
  await cluster.isolate(2, true);
  try {
    const deadline = Date.now() + 30_000;
    while ((await cluster.status(2)).wsrep_cluster_status === "Primary") {
      assert.ok(Date.now() < deadline, "node3 stayed in the primary component");
      await new Promise((r) => setTimeout(r, 200));
    }
    await withTempDir(async (dir) => {
      await writeScripts(`${dir}/m`, chain(1, 2));
      const r = await execCli(["--url", url(2, db), "--migrations", `${dir}/m`, "upgrade", "head"]);
      assert.equal(r.code, 7, r.err);
      assert.equal(r.err.split("\n").length, 1, r.err);
      assert.match(
        r.err,
        /mysql:\/\/root@localhost\/\S+ is a Galera node \(node3\) outside the primary component \(wsrep_cluster_status=non-Primary, wsrep_ready=OFF, state \S+, cluster size 1\): refusing to run, nothing was written; connect through a node of the primary component$/,
      );
    });
    assert.deepEqual(await lines(0, "SHOW TABLES", db), []);
  } finally {
    await cluster.isolate(2, false);
    await cluster.waitSynced(3, 60_000);
  }
  assert.deepEqual(await lines(2, "SHOW TABLES", db), []);
});

Deno.test("galera: wsrep_OSU_method=RSU is never silent", async () => {
  const db = await cluster.createDatabase("rsu");
  await cluster.sql(1, "SET GLOBAL wsrep_OSU_method = 'RSU'");
  try {
    await withTempDir(async (dir) => {
      await writeScripts(`${dir}/m`, chain(1, 1));
      const r = await execCli(["--url", url(1, db), "--migrations", `${dir}/m`, "current"]);
      assert.equal(r.code, 0, r.err);
      assert.match(
        r.err,
        /WARNING: wsrep_OSU_method=RSU on \S+node2\S+: DDL statements apply to this node only and are not replicated; run the same revisions on every node, or use TOI/,
      );
    });
  } finally {
    await cluster.sql(1, "SET GLOBAL wsrep_OSU_method = 'TOI'");
  }
});

Deno.test("galera: plan says every node waits for each DDL under TOI, with the table size (RSU: this node only)", async () => {
  const db = await cluster.createDatabase("plan");
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, {
      ...chain(1, 1),
      "r2.sql": script(
        "r2",
        "r1",
        "ALTER TABLE t1 ADD COLUMN name VARCHAR(20), ALGORITHM=INSTANT;\n" +
          "UPDATE t1 SET name = 'x';",
      ),
    });
    const base = ["--url", url(0, db), "--migrations", `${dir}/m`];
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    await cluster.sql(0, "INSERT INTO t1 SELECT seq FROM seq_1_to_5000; ANALYZE TABLE t1", db);
    const plan = await execCli([...base, "plan"]);
    assert.equal(plan.code, 0, plan.err);
    assert.match(
      plan.out,
      /\n {9}ALTER TABLE t1: instant \(ALGORITHM=INSTANT\), metadata only, asks ALGORITHM=INSTANT; t1 \d+ kB, ~\d(\.\d)?k rows; Galera TOI: every node of the 3-node cluster runs it at once and waits for it \(writes to the cluster stall until it ends\)\n/,
    );
    // DML replicates as row events: no cluster-wide wait.
    assert.match(plan.out, /\n {9}UPDATE t1: touches the rows it selects, [^\n]*rows$/);
    assert.doesNotMatch(plan.out.split("UPDATE t1:")[1], /Galera/);
    const json = JSON.parse((await execCli([...base, "--json", "plan"])).out);
    assert.deepEqual(
      [json.cluster.kind, json.cluster.method, json.cluster.nodes],
      ["galera", "TOI", 3],
    );
    assert.deepEqual(
      json.steps[0].locks.map((l: { mysql: { clusterWaits: boolean } }) => l.mysql.clusterWaits),
      [true, false],
    );

    await cluster.sql(1, "SET GLOBAL wsrep_OSU_method = 'RSU'");
    try {
      const rsu = await execCli(["--url", url(1, db), "--migrations", `${dir}/m`, "plan"]);
      assert.equal(rsu.code, 0, rsu.err);
      assert.match(
        rsu.out,
        /; Galera RSU: runs on node node2 only and is not replicated \(run it on every node\)\n/,
      );
    } finally {
      await cluster.sql(1, "SET GLOBAL wsrep_OSU_method = 'TOI'");
    }
  });
});

// Last: it leaves the cluster with two nodes.
Deno.test("galera: kill -9 of the node under a run: one line, exit 7; a rerun through another node completes", async () => {
  const db = await cluster.createDatabase("nodekill");
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, slowChain(5));
    const base = ["--migrations", `${dir}/m`, "upgrade", "head"];
    const a = startCli(["--url", url(2, db, true), ...base]);
    await a.waitForErr(/Running upgrade r1 -> r2/);
    await cluster.kill(2);
    const r = await a.done();
    assert.equal(r.code, 7, r.err);
    const errors = r.err.split("\n").filter((l) => !/ INFO /.test(l));
    assert.equal(errors.length, 1, r.err);
    // With file:line when the statement was under way, without when the kill came just before.
    assert.match(
      errors[0],
      /lost the connection to \S+node3\S+: .*; the migration lock stays held until its 4s lease runs out, then another run may take it over(;|$)/,
    );
    // The dead run's lock row outlives it on the other nodes until its lease runs out.
    const again = await execCli(["--url", url(0, db, true), "--lock-wait", "60s", ...base]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, /took over the migration lock .* on node node3/);
    for (const i of [0, 1]) {
      assert.deepEqual(await versions(i, db), ["r3"], `node${i + 1}`);
      assert.deepEqual(await audit(i, db), ["r1:up:done", "r2:up:done", "r3:up:done"]);
      assert.deepEqual(await lines(i, "SELECT name FROM bellows_lock", db), []);
    }
  });
});
