/**
 * The interop scenario on MariaDB: bellows and real Alembic (PyMySQL) take turns on one
 * database, checked after every step against a database Alembic alone migrated; offline
 * scripts run through the `mariadb` client equal online runs. Mirrors
 * tests/interop_pg_test.ts.
 */
import {
  checkOfflineFromBase,
  checkOfflineShape,
  checkOfflineState,
  Interop,
  mysqlInteropDb,
  runScenario,
} from "./support/interop.ts";
import { withTempDir } from "./support/cli.ts";
import { createDatabase, startServer } from "./support/mariadb_server.ts";

const server = await startServer();

async function db(prefix: string) {
  const url = (await createDatabase(server, prefix)).url;
  return mysqlInteropDb(url.replace(/^mysql:/, "mysql+pymysql:"));
}

async function withPair(fn: (t: Interop) => Promise<void>) {
  await withTempDir(async (dir) => {
    const t = new Interop({ dir, mix: await db("interop_mix"), ref: await db("interop_ref") });
    try {
      await fn(t);
    } finally {
      await t.close();
    }
  });
}

Deno.test("interop on MariaDB: Alembic and bellows interleaved, row for row", async () => {
  await withPair((t) => runScenario(t));
});

Deno.test("interop on MariaDB: --sql scripts through the mariadb client equal online runs, in Alembic's shape", async () => {
  await withPair(async (t) => {
    await t.setup();
    await checkOfflineShape(t);
    await checkOfflineFromBase(t, await db("off0"), await db("on0"));
    await checkOfflineState(t, await db("off1"), await db("on1"));
  });
});
