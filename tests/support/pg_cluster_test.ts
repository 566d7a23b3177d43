import assert from "node:assert/strict";
import { createDatabase, findBinDir, PASSWORD_USER, psql, startCluster } from "./pg_cluster.ts";

Deno.test("pg_cluster: starts, serves TCP and the socket, isolates databases, stops", async () => {
  const cluster = await startCluster();
  try {
    assert.match(cluster.url, /^postgresql:\/\/\w+@[\d.]+:\d+\/\w+$/);
    assert.equal(await psql(cluster.url, "SELECT 1"), "1");

    const a = await createDatabase(cluster, "Iso-A");
    const b = await createDatabase(cluster, "iso_a");
    assert.notEqual(a.name, b.name);
    assert.match(a.name, /^iso_a_[0-9a-f]{8}$/);
    await psql(a.url, "CREATE TABLE only_in_a (id int)");
    assert.equal(await psql(b.url, "SELECT to_regclass('only_in_a') IS NULL"), "t");

    if (!cluster.external) {
      assert.equal(await psql(a.socketUrl, "SELECT inet_client_addr() IS NULL"), "t");
      assert.equal(
        await psql(a.passwordUrl(PASSWORD_USER.password), "SELECT current_user"),
        PASSWORD_USER.name,
      );
      await assert.rejects(psql(a.passwordUrl("wrong"), "SELECT 1"), /password authentication/);
    }
  } finally {
    await cluster.stop();
  }
  if (!cluster.external) {
    const dir = cluster.socketDir.replace(/\/sock$/, "");
    await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
    await cluster.stop(); // idempotent
  }
});

Deno.test("pg_cluster: finds the newest server binaries", () => {
  assert.match(findBinDir(), /^\/usr\/lib\/postgresql\/\d+\/bin$/);
});
