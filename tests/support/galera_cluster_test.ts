import assert from "node:assert/strict";
import { startGalera } from "./galera_cluster.ts";

Deno.test("galera_cluster: three synced nodes on loopback; a killed node rejoins; stop cleans up", async () => {
  const c = await startGalera();
  try {
    assert.deepEqual(c.nodes.map((n) => n.name), ["node1", "node2", "node3"]);
    for (let i = 0; i < 3; i++) {
      const s = await c.status(i);
      assert.equal(s.wsrep_cluster_size, "3");
      assert.equal(s.wsrep_cluster_status, "Primary");
      assert.equal(s.wsrep_local_state_comment, "Synced");
      assert.equal(s.wsrep_ready, "ON");
      assert.equal(
        await c.sql(i, "SELECT @@wsrep_node_name, @@bind_address, @@wsrep_on"),
        `node${i + 1}\t127.0.0.1\t1`,
      );
      // Group communication listens on loopback only.
      assert.match(
        await c.sql(i, "SELECT @@wsrep_provider_options"),
        new RegExp(`gmcast\\.listen_addr = tcp://127\\.0\\.0\\.1:${c.nodes[i].gcommPort};`),
      );
    }
    const db = await c.createDatabase("self");
    await c.sql(0, "CREATE TABLE t (id INT PRIMARY KEY)", db);
    await c.sql(1, "INSERT INTO t VALUES (1)", db);
    assert.equal(await c.sql(2, "SELECT id FROM t", db), "1");

    // kill -9: the others go on as a primary component of two.
    const pid = c.nodes[1].pid;
    await c.kill(1);
    assert.equal(c.nodes[1].running, false);
    assert.throws(() => Deno.kill(pid, "SIGCONT"));
    await c.waitSynced(2, 30_000);
    await c.sql(0, "INSERT INTO t VALUES (2)", db);
    // Back again: it catches up with what was written while it was down.
    await c.startNode(1);
    await c.waitSynced(3, 60_000);
    assert.equal(await c.sql(1, "SELECT GROUP_CONCAT(id ORDER BY id) FROM t", db), "1,2");
  } finally {
    await c.stop();
  }
  await assert.rejects(Deno.stat(c.dir), Deno.errors.NotFound);
  await c.stop(); // idempotent
});
