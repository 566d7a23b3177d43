/**
 * The bundled Glance migrations on MariaDB: Ocata's two triggers, `insert_visibility` and
 * `update_visibility`, behave as Glance's own (ocata_expand01 in Glance's alembic
 * migrations): a writer gives is_public or visibility and the trigger fills in the other;
 * setting both, neither or NULL is refused with Glance's message. ocata_contract01 drops
 * them; `sync` never creates them (rolling section).
 */
import assert from "node:assert/strict";
import { runCli } from "./support/cli.ts";
import { mysqlDb, type TestDb } from "./support/db.ts";
import { startServer } from "./support/mariadb_server.ts";

const server = await startServer();

/** Glance's ERROR_MESSAGE, raised with SQLSTATE 45000. */
const REFUSED = /45000.*Invalid visibility value|Invalid visibility value/;

async function triggers(db: TestDb): Promise<string[]> {
  return (await db.rows(
    "SELECT trigger_name AS t FROM information_schema.triggers " +
      "WHERE trigger_schema = DATABASE() ORDER BY trigger_name",
  )).map((r) => String(r.t));
}

async function refused(db: TestDb, sql: string): Promise<void> {
  await assert.rejects(db.exec(sql), (err: Error) => REFUSED.test(err.message), sql);
}

const insert = (id: string, cols: string, values: string) =>
  `INSERT INTO images (id, status, created_at, ${cols}) ` +
  `VALUES ('${id}', 'active', CURRENT_TIMESTAMP, ${values})`;

Deno.test("mysql: Glance's visibility triggers keep is_public and visibility in step, refuse contradictions", async () => {
  const db = await mysqlDb(server, "glance_trg");
  let r = await runCli(["--url", db.url, "-q", "expand"]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(await triggers(db), ["insert_visibility", "update_visibility"]);

  // A Newton service writes is_public; an Ocata service writes visibility.
  await db.exec(insert("n-pub", "is_public", "1"));
  await db.exec(insert("n-priv", "is_public", "0"));
  await db.exec(insert("o-pub", "visibility", "'public'"));
  await db.exec(insert("o-comm", "visibility", "'community'"));
  const rows = async () =>
    (await db.rows("SELECT id, is_public, visibility FROM images ORDER BY id"))
      .map((x) => `${x.id}:${x.is_public}:${x.visibility}`);
  assert.deepEqual(await rows(), [
    "n-priv:0:shared",
    "n-pub:1:public",
    "o-comm:0:community",
    "o-pub:1:public",
  ]);

  // Both, neither, or NULL: refused with Glance's message, and nothing is written.
  await refused(db, insert("x1", "is_public, visibility", "1, 'public'"));
  await refused(db, insert("x2", "name", "'neither'"));
  await refused(db, insert("x3", "is_public", "NULL"));
  await refused(db, "UPDATE images SET is_public = 1, visibility = 'private' WHERE id = 'n-priv'");
  await refused(db, "UPDATE images SET visibility = NULL WHERE id = 'o-pub'");
  await refused(db, "UPDATE images SET is_public = NULL WHERE id = 'n-pub'");
  assert.equal((await rows()).length, 4);

  // One side changed: the other follows.
  await db.exec("UPDATE images SET is_public = 1 WHERE id = 'n-priv'");
  await db.exec("UPDATE images SET visibility = 'private' WHERE id = 'o-pub'");
  assert.deepEqual(await rows(), [
    "n-priv:1:public",
    "n-pub:1:public",
    "o-comm:0:community",
    "o-pub:0:private",
  ]);

  // Contract drops them (and is_public); visibility gets Glance's default.
  r = await runCli(["--url", db.url, "-q", "contract"]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(await triggers(db), []);
  await db.exec("INSERT INTO images (id, status, created_at) VALUES ('c1', 'active', NOW())");
  assert.deepEqual(
    await db.rows("SELECT visibility FROM images WHERE id = 'c1'"),
    [{ visibility: "shared" }],
  );

  // Down again to the expanded schema: the rolling downgrade section brings them back.
  r = await runCli(["--url", db.url, "-q", "downgrade", "contract@-1"]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(await triggers(db), ["insert_visibility", "update_visibility"]);
  await refused(db, insert("x4", "is_public, visibility", "0, 'shared'"));
});

Deno.test("mysql: sync leaves the triggers out, and contract still runs", async () => {
  const db = await mysqlDb(server, "glance_sync");
  let r = await runCli(["--url", db.url, "-q", "sync"]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(await triggers(db), []);
  assert.deepEqual(await db.versions(), ["ocata_contract01"]);
  r = await runCli(["--url", db.url, "-q", "downgrade", "base"]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(await db.tables(), ["alembic_version", "bellows_audit"]);
});
