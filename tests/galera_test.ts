/**
 * Galera: one runner across every node of a real three-node cluster (issue 14), through
 * the command line: concurrent runners on different nodes, a SIGKILLed lock holder whose
 * lease runs out, a write conflict retried, a node outside the primary component refused,
 * and the node under a run killed.
 *
 * CI runs {@linkcode ROUNDS} = 3 rounds of concurrent runners; `BELLOWS_GALERA=full` runs 20.
 */
import assert from "node:assert/strict";
import { execCli, script, startCli, withTempDir, writeScripts } from "./support/cli.ts";
import { type GaleraCluster, startGalera } from "./support/galera_cluster.ts";
import { openMysql } from "../src/drivers/mysql.ts";

const ROUNDS = Deno.env.get("BELLOWS_GALERA") === "full" ? 20 : 3;
/** A short lease (seconds) for the tests that wait for one to run out. */
const LEASE = 4;

const cluster: GaleraCluster = await startGalera();
// Tests share the cluster; the last one kills a node. Stop it after every test has run.
globalThis.addEventListener("unload", () => void cluster.stop());

/** Rows of `sql` on node `i`, each a tab-joined line. */
async function lines(i: number, sql: string, db: string): Promise<string[]> {
  const out = await cluster.sql(i, sql, db);
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
