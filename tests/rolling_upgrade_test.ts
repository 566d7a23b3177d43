/**
 * The rolling upgrade (tests/support/rolling.ts) on SQLite, PostgreSQL and MariaDB (with
 * Glance's own visibility triggers there); across a Galera cluster's nodes in
 * tests/galera_test.ts.
 */
import { withTempDir } from "./support/cli.ts";
import { startCluster } from "./support/pg_cluster.ts";
import { mysqlDb, postgresDb, sqliteDb } from "./support/db.ts";
import { startServer } from "./support/mariadb_server.ts";
import { rollingUpgrade } from "./support/rolling.ts";

const [cluster, mysqlServer] = await Promise.all([startCluster(), startServer()]);

Deno.test("rolling upgrade on SQLite: services keep working through expand, migrate, contract", async () => {
  await withTempDir(async (dir) => await rollingUpgrade(sqliteDb(dir)));
});

Deno.test("rolling upgrade on PostgreSQL: services keep working through expand, migrate, contract", async () => {
  await rollingUpgrade(await postgresDb(cluster, "rolling"));
});

Deno.test("rolling upgrade on MariaDB: services keep working through expand, migrate, contract", async () => {
  await rollingUpgrade(await mysqlDb(mysqlServer, "rolling"));
});
