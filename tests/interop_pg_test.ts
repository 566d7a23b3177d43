/**
 * The interop scenario on PostgreSQL: bellows and real Alembic (psycopg2) take turns on
 * one database, checked after every step against a database Alembic alone migrated;
 * offline scripts run through `psql -f` equal online runs; a custom version table
 * (`version_table`, `version_table_schema`, `version_table_pk` in alembic.ini) is shared.
 */
import {
  checkOfflineFromBase,
  checkOfflineShape,
  checkOfflineState,
  Interop,
  type InteropOptions,
  pgDb,
  runScenario,
  SCENARIO,
} from "./support/interop.ts";
import { withTempDir } from "./support/cli.ts";
import { createDatabase, startCluster } from "./support/pg_cluster.ts";

const cluster = await startCluster();
addEventListener("unload", () => void cluster.stop());

async function db(prefix: string, schema?: string) {
  return pgDb((await createDatabase(cluster, prefix)).url, schema);
}

async function withPair(
  extra: Partial<InteropOptions>,
  fn: (t: Interop, dir: string) => Promise<void>,
) {
  await withTempDir(async (dir) => {
    const schema = extra.versionTableSchema;
    const t = new Interop({
      dir,
      mix: await db("interop_mix", schema),
      ref: await db("interop_ref", schema),
      ...extra,
    });
    try {
      await fn(t, dir);
    } finally {
      await t.close();
    }
  });
}

Deno.test("interop on PostgreSQL: Alembic and bellows interleaved, row for row", async () => {
  await withPair({}, (t) => runScenario(t));
});

Deno.test("interop on PostgreSQL: version_table, version_table_schema, version_table_pk from alembic.ini", async () => {
  await withPair(
    { versionTable: "glance_version", versionTableSchema: "migr", versionTablePk: false },
    (t) => runScenario(t, SCENARIO.slice(0, 8)),
  );
});

Deno.test("interop on PostgreSQL: --sql scripts through psql equal online runs, in Alembic's shape", async () => {
  await withPair({}, async (t) => {
    await t.setup();
    await checkOfflineShape(t);
    await checkOfflineFromBase(t, await db("off0"), await db("on0"));
    await checkOfflineState(t, await db("off1"), await db("on1"));
  });
});
