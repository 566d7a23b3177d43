/**
 * bellows and real Alembic take turns on one SQLite database; after every step its
 * version rows, schema and `current` must equal those of a database Alembic alone
 * migrated with the same commands. Offline (`--sql`) scripts run through `sqlite3` must
 * leave what an online run leaves, and look like Alembic's.
 */
import {
  checkOfflineFromBase,
  checkOfflineShape,
  checkOfflineState,
  Interop,
  runScenario,
  sqliteDb,
} from "./support/interop.ts";
import { withTempDir } from "./support/cli.ts";

function pair(dir: string) {
  return new Interop({ dir, mix: sqliteDb(`${dir}/mix.db`), ref: sqliteDb(`${dir}/ref.db`) });
}

Deno.test("interop on SQLite: Alembic and bellows interleaved, row for row", async () => {
  await withTempDir(async (dir) => {
    const t = pair(dir);
    try {
      await runScenario(t);
    } finally {
      await t.close();
    }
  });
});

Deno.test("interop on SQLite: --sql scripts through sqlite3 equal online runs, in Alembic's shape", async () => {
  await withTempDir(async (dir) => {
    const t = pair(dir);
    try {
      await t.setup();
      await checkOfflineShape(t);
      await checkOfflineFromBase(t, sqliteDb(`${dir}/off0.db`), sqliteDb(`${dir}/on0.db`));
      await checkOfflineState(t, sqliteDb(`${dir}/off1.db`), sqliteDb(`${dir}/on1.db`));
    } finally {
      await t.close();
    }
  });
});
