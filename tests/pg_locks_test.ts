/**
 * The lock levels src/analysis/locks.ts documents, checked on a real PostgreSQL: each
 * statement of a sample of the corpus runs inside an open transaction, and another
 * connection reads `pg_locks` for the tables it names before the transaction is rolled
 * back. The strongest lock held on each table must be the classified one.
 */
import assert from "node:assert/strict";
import { createDatabase, startCluster } from "./support/pg_cluster.ts";
import { pgSession } from "./support/pg_session.ts";
import { pgParser } from "../src/analysis/pg_parser.ts";
import {
  classifyStatement,
  LOCK_MODES,
  type LockMode,
  pgLocksName,
} from "../src/analysis/locks.ts";
import { readCorpus } from "../src/analysis/testdata/corpus.ts";

const cluster = await startCluster();
addEventListener("unload", () => void cluster.stop());

/** Tables every sampled statement may name, with a little data so scans have rows. */
const SCHEMA = `
CREATE TABLE users (id int PRIMARY KEY, email text, some_column text, active boolean,
  first_name text, last_name text);
CREATE INDEX users_email_idx ON users (email);
CREATE UNIQUE INDEX users_email_uidx ON users (email);
CREATE TABLE orders (id int PRIMARY KEY, user_id int);
CREATE TABLE images (id varchar(36) PRIMARY KEY, visibility varchar(9), is_public boolean,
  created_at timestamp, checksum text, deleted boolean);
CREATE INDEX visibility_image_idx ON images (visibility);
CREATE FUNCTION images_visibility_sync() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER images_visibility_sync BEFORE INSERT ON images
  FOR EACH ROW EXECUTE FUNCTION images_visibility_sync();
CREATE TABLE tasks (id int PRIMARY KEY, request_id varchar(32));
CREATE TABLE sessions (id int);
CREATE TABLE measurements (at date) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 (at date);
CREATE TABLE compute_nodes (id bigint PRIMARY KEY);
CREATE TABLE instances (id int PRIMARY KEY);
CREATE TABLE metadef_properties (name text);
INSERT INTO users SELECT g, 'u' || g, 'x', true, 'a', 'b' FROM generate_series(1, 100) g;
INSERT INTO orders SELECT g, g FROM generate_series(1, 100) g;
INSERT INTO images SELECT g::text, 'public', true, now(), 'c' || g, false
  FROM generate_series(1, 100) g;
ALTER TABLE users ADD CONSTRAINT users_some_column_null CHECK (some_column IS NOT NULL) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES users (id)
  NOT VALID;
`;

/** Statements of the corpus that run inside a transaction against SCHEMA. */
const SAMPLE = [
  "ALTER TABLE images ADD COLUMN visibility2 VARCHAR(9)",
  "CREATE INDEX visibility_image_idx2 ON images (visibility)",
  "ALTER TABLE images DROP COLUMN is_public",
  "ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()",
  "ALTER TABLE users ALTER COLUMN id TYPE bigint",
  "ALTER TABLE users ALTER COLUMN some_column SET NOT NULL",
  "ALTER TABLE users ADD CONSTRAINT users_some_column_null2 CHECK (some_column IS NOT NULL)",
  "ALTER TABLE users VALIDATE CONSTRAINT users_some_column_null",
  "ALTER TABLE orders ADD CONSTRAINT fk2 FOREIGN KEY (user_id) REFERENCES users (id)",
  "ALTER TABLE orders ADD CONSTRAINT fk3 FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
  "ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_users",
  "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_uidx",
  "ALTER TABLE users RENAME COLUMN some_column TO new_name",
  "ALTER TABLE users RENAME TO customers",
  "CREATE TRIGGER t2 BEFORE UPDATE ON images FOR EACH ROW EXECUTE FUNCTION images_visibility_sync()",
  "ALTER TABLE images DISABLE TRIGGER images_visibility_sync",
  "DROP TRIGGER IF EXISTS images_visibility_sync ON images",
  "UPDATE images SET visibility = 'private' WHERE id = '1'",
  "DELETE FROM metadef_properties WHERE name = 'x'",
  "CREATE TABLE cached_images (id int, image_id VARCHAR(36) REFERENCES images (id))",
  "TRUNCATE sessions",
  "LOCK TABLE users IN SHARE MODE",
  "REINDEX TABLE users",
  "ALTER TABLE users ALTER COLUMN email SET STATISTICS 500",
  "COMMENT ON COLUMN users.email IS 'login'",
  "ALTER TABLE tasks ALTER COLUMN request_id SET DATA TYPE varchar(64)",
  "ALTER TABLE measurements ATTACH PARTITION measurements_2024 " +
  "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
  "ALTER TABLE instances ADD COLUMN compute_id BIGINT REFERENCES compute_nodes (id)",
  "DROP INDEX visibility_image_idx",
  "ALTER INDEX users_email_idx RENAME TO users_email_idx2",
  "REINDEX INDEX users_email_idx",
];

/** The strongest lock mode each session other than `exceptPid` holds per table name. */
async function heldLocks(
  watcher: ReturnType<typeof pgSession>,
  pid: number,
): Promise<Map<string, LockMode>> {
  const rows = await watcher.query(`
    SELECT c.relname, c.relkind, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
     WHERE l.pid = ${pid} AND l.granted AND l.locktype = 'relation'
       AND c.relnamespace = 'public'::regnamespace`);
  const names = new Map(LOCK_MODES.map((m) => [pgLocksName(m), m]));
  const out = new Map<string, LockMode>();
  for (const r of rows) {
    // Tables by name, indexes as `index:name` (as the classification names them).
    const kind = r.relkind === "r" || r.relkind === "p" ? "" : r.relkind === "i" ? "index:" : null;
    if (kind === null) continue; // sequences, toast tables
    const mode = names.get(String(r.mode));
    assert.ok(mode, String(r.mode));
    const name = `${kind}${r.relname}`;
    const had = out.get(name);
    if (!had || LOCK_MODES.indexOf(mode) > LOCK_MODES.indexOf(had)) out.set(name, mode);
  }
  return out;
}

Deno.test("pg_locks on PostgreSQL matches the classified lock of every sampled statement", async () => {
  const db = await createDatabase(cluster, "locks");
  const setup = pgSession(db.url);
  await setup.query(SCHEMA);
  await setup.close();
  const parser = await pgParser();
  const corpus = new Set((await readCorpus()).map((c) => c.sql));
  const runner = pgSession(db.url);
  const watcher = pgSession(db.url);
  try {
    const [{ pid }] = await runner.query("SELECT pg_backend_pid() AS pid");
    let checked = 0;
    for (const sql of SAMPLE) {
      const parsed = await parser.parse(sql);
      assert.ok(parsed.ok, sql);
      const expected = classifyStatement(parsed.statements[0].stmt).locks;
      assert.ok(expected.length > 0, `no lock classified for: ${sql}`);
      await runner.query(`BEGIN; ${sql}`);
      try {
        const held = await heldLocks(watcher, Number(pid));
        for (const lock of expected) {
          const name = `${lock.kind === "index" ? "index:" : ""}${lock.relation}`;
          assert.equal(held.get(name), lock.mode, `${name} in: ${sql}`);
        }
        checked++;
      } finally {
        await runner.query("ROLLBACK");
      }
    }
    assert.equal(checked, SAMPLE.length);
    // The sample is taken from the corpus (modulo names chosen not to collide).
    assert.ok(SAMPLE.filter((s) => corpus.has(s)).length >= 15);
  } finally {
    await runner.close();
    await watcher.close();
  }
});

/**
 * Statements whose work on `table` is checked: a rewrite gives the table a new file
 * (`relfilenode`), a scan reads it (`seq_scan` of the transaction's own statistics),
 * metadata-only does neither. For `rewrite-unless-compatible`, `rewrites` says what this
 * particular type change does.
 */
const WORK_SAMPLE: { sql: string; table: string; rewrites?: boolean }[] = [
  { sql: "ALTER TABLE images ADD COLUMN visibility2 VARCHAR(9)", table: "images" },
  {
    sql: "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()",
    table: "users",
  },
  {
    sql: "ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()",
    table: "users",
  },
  { sql: "ALTER TABLE users ADD COLUMN id2 bigserial", table: "users" },
  { sql: "ALTER TABLE users ALTER COLUMN id TYPE bigint", table: "users", rewrites: true },
  {
    sql: "ALTER TABLE tasks ALTER COLUMN request_id SET DATA TYPE varchar(64)",
    table: "tasks",
    rewrites: false,
  },
  { sql: "ALTER TABLE users ALTER COLUMN some_column SET NOT NULL", table: "users" },
  { sql: "ALTER TABLE users ADD CONSTRAINT c2 CHECK (some_column IS NOT NULL)", table: "users" },
  {
    sql: "ALTER TABLE users ADD CONSTRAINT c3 CHECK (some_column IS NOT NULL) NOT VALID",
    table: "users",
  },
  { sql: "ALTER TABLE users VALIDATE CONSTRAINT users_some_column_null", table: "users" },
  {
    sql: "ALTER TABLE orders ADD CONSTRAINT fk2 FOREIGN KEY (user_id) REFERENCES users (id)",
    table: "orders",
  },
  {
    sql:
      "ALTER TABLE orders ADD CONSTRAINT fk3 FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
    table: "orders",
  },
  { sql: "CREATE INDEX visibility_image_idx2 ON images (visibility)", table: "images" },
  { sql: "ALTER TABLE images DROP COLUMN is_public", table: "images" },
  { sql: "ALTER TABLE users RENAME COLUMN some_column TO new_name", table: "users" },
  { sql: "TRUNCATE sessions", table: "sessions" },
];

Deno.test("a real PostgreSQL rewrites, scans or only changes the catalog as classified", async () => {
  const db = await createDatabase(cluster, "work");
  const setup = pgSession(db.url);
  await setup.query(SCHEMA);
  await setup.query("INSERT INTO sessions SELECT generate_series(1, 10)");
  await setup.close();
  const parser = await pgParser();
  const s = pgSession(db.url);
  const probe = async (table: string) => {
    const [row] = await s.query(
      `SELECT c.relfilenode::text AS file, coalesce(x.seq_scan, 0)::int AS scans FROM pg_class c
         LEFT JOIN pg_stat_xact_user_tables x ON x.relid = c.oid
        WHERE c.oid = 'public.${table}'::regclass`,
    );
    return { file: String(row.file), scans: Number(row.scans) };
  };
  try {
    const seen = new Set<string>();
    for (const { sql, table, rewrites } of WORK_SAMPLE) {
      const parsed = await parser.parse(sql);
      assert.ok(parsed.ok, sql);
      const { work } = classifyStatement(parsed.statements[0].stmt);
      seen.add(work);
      await s.query("BEGIN");
      try {
        const before = await probe(table);
        await s.query(sql);
        const after = await probe(table);
        const rewrote = before.file !== after.file;
        const scanned = after.scans > before.scans;
        const expected = work === "rewrite-unless-compatible"
          ? (rewrites ? "rewrite" : "metadata")
          : work;
        if (expected === "rewrite") assert.ok(rewrote, `rewrite: ${sql}`);
        else if (expected === "scan") assert.ok(!rewrote && scanned, `scan: ${sql}`);
        else if (expected === "metadata") assert.ok(!rewrote && !scanned, `metadata: ${sql}`);
        else assert.fail(`unexpected work ${work}: ${sql}`);
      } finally {
        await s.query("ROLLBACK");
      }
    }
    assert.deepEqual([...seen].sort(), [
      "metadata",
      "rewrite",
      "rewrite-unless-compatible",
      "scan",
    ]);
  } finally {
    await s.close();
  }
});
