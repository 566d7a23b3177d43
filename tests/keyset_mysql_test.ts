/**
 * The keyset form on MariaDB (MySQL's dialect), which has no RETURNING: the batch section
 * of docs/scripts.md ("Keyset batches") for MySQL, with `:last_key` bound once per use.
 */
import assert from "node:assert/strict";
import { runCli, script, withTempDir, writeScripts } from "./support/cli.ts";
import { createDatabase, mysqlCli, startServer } from "./support/mariadb_server.ts";

const server = await startServer();

Deno.test("mysql: a keyset data migration with a SELECT of its keys resumes at the key", async () => {
  await withTempDir(async (dir) => {
    try {
      const db = await createDatabase(server, "keyset");
      const mig = `${dir}/m`;
      await writeScripts(mig, {
        "r1.sql": script(
          "r1",
          "",
          "CREATE TABLE orders (id INTEGER PRIMARY KEY, total DECIMAL(10, 2) NOT NULL, " +
            "visits INTEGER NOT NULL DEFAULT 0);",
        ),
        "e1.sql": script("e1", "r1", "ALTER TABLE orders ADD COLUMN total_cents INTEGER;", "", {
          branch_labels: "expand",
        }),
        "d1.sql": [
          "-- data_migration: d1",
          "-- after: e1",
          "-- start_key: 0",
          "-- bellows:check",
          "SELECT count(*) FROM orders WHERE total_cents IS NULL;",
          // As in docs/scripts.md, with visits counting how often a row was changed.
          "-- bellows:batch mysql",
          "SELECT MAX(id) INTO @next_key FROM (SELECT id FROM orders",
          " WHERE id > :last_key AND total_cents IS NULL ORDER BY id LIMIT :batch_size) AS next_rows;",
          "UPDATE orders SET total_cents = ROUND(total * 100), visits = visits + 1",
          " WHERE id > :last_key AND id <= @next_key AND total_cents IS NULL;",
          "SELECT @next_key;",
          "",
        ].join("\n"),
      });
      const base = ["--url", db.url, "--migrations", mig];
      let r = await runCli([...base, "-q", "upgrade", "e1"]);
      assert.equal(r.code, 0, r.err);
      const values = Array.from({ length: 95 }, (_, i) => `(${2 * i + 1}, ${i}.25)`).join(", ");
      await mysqlCli(db.url, `INSERT INTO orders (id, total) VALUES ${values}`);
      r = await runCli([...base, "-v", "migrate", "--batch-size", "10"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /d1: batch 1 of at most 10 row\(s\) after key 0 moved 10, up to key 19/);
      assert.match(r.err, /d1: moved 95 row\(s\)/);
      assert.equal(
        await mysqlCli(db.url, "SELECT visits, count(*) FROM orders GROUP BY visits"),
        "1\t95",
      );
      assert.equal(
        await mysqlCli(
          db.url,
          "SELECT count(*) FROM orders WHERE total_cents <> ROUND(total * 100)",
        ),
        "0",
      );
      assert.equal(
        await mysqlCli(db.url, "SELECT last_key, rows_done, batches FROM bellows_data_progress"),
        "189\t95\t10",
      );
      // New rows after the key: the next run starts there, not from the beginning.
      await mysqlCli(db.url, "INSERT INTO orders (id, total) VALUES (500, 1.5)");
      r = await runCli([...base, "migrate"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /d1: resuming after key 189/);
      assert.equal(await mysqlCli(db.url, "SELECT max(visits) FROM orders"), "1");
    } finally {
      await server.stop();
    }
  });
});
