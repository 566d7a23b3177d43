/**
 * bellows and real Alembic take turns on one SQLite database; after every step its
 * version rows, schema and `current` must equal those of a database Alembic alone
 * migrated with the same commands. Offline (`--sql`) scripts run through `sqlite3` must
 * leave what an online run leaves.
 */
import { Interop, runScenario, sqliteDb } from "./support/interop.ts";
import { withTempDir } from "./support/cli.ts";

Deno.test("interop on SQLite: Alembic and bellows interleaved, row for row", async () => {
  await withTempDir(async (dir) => {
    const t = new Interop({ dir, mix: sqliteDb(`${dir}/mix.db`), ref: sqliteDb(`${dir}/ref.db`) });
    try {
      await runScenario(t);
    } finally {
      await t.close();
    }
  });
});
