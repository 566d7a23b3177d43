/**
 * Per-statement checkpoints, end to end on real servers: a revision run statement by
 * statement (PostgreSQL `transactional: false`; on MariaDB any revision holding DDL) that
 * is killed, or whose statement fails, in its second statement leaves a record of exactly
 * which statements completed; every command that would write or review refuses with the
 * same exact message; and following its "To undo" or "To finish" steps as printed, then
 * the `stamp` it names, brings the database to a state the next run accepts.
 *
 * Timing is deterministic: the second statement waits on a lock a test session holds.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import {
  type CliResult,
  execCli,
  script,
  startCli,
  until,
  withTempDir,
  writeScripts,
} from "./support/cli.ts";
import { postgresDb, sqliteDb, type TestDb } from "./support/db.ts";
import { startCluster } from "./support/pg_cluster.ts";
import { pgSession } from "./support/pg_session.ts";
import {
  createDatabase as createMysqlDatabase,
  mysqlCli,
  startServer,
} from "./support/mariadb_server.ts";

const cluster = await startCluster();
const mariadb = await startServer();

/** The started row of the interrupted run: its time and host appear in the message. */
interface Started {
  readonly appliedAt: string;
  readonly host: string;
}

/**
 * Follow one part of a refusal ("To undo" or "To finish") step by step, as an operator
 * would: `SQL; (note)` runs the SQL, `run statement(s) i..j by hand (f:l, …)` runs those
 * lines of the script, `'bellows stamp X'` runs the stamp. Returns the stamp's result.
 */
async function follow(
  message: string,
  part: "undo" | "finish",
  runSql: (sql: string) => Promise<void>,
  base: string[],
): Promise<CliResult> {
  const m = message.match(/ To undo: (.*)\. To finish: (.*)$/);
  assert.ok(m, `no undo/finish steps in: ${message}`);
  const steps = (part === "undo" ? m[1] : m[2]).split(", then ");
  for (const step of steps) {
    const stamp = step.match(/^'bellows stamp (\S+)'( and run again)?$/);
    if (stamp) {
      assert.equal(step, steps.at(-1), "the stamp comes last");
      return await execCli([...base, "stamp", stamp[1]]);
    }
    const byHand = step.match(/^run statements? \S+ by hand \((.*)\)$/);
    if (byHand) {
      for (const at of byHand[1].split(", ")) {
        const file = at.slice(0, at.lastIndexOf(":"));
        const line = Number(at.slice(at.lastIndexOf(":") + 1));
        const text = (await Deno.readTextFile(file)).split("\n")[line - 1];
        await runSql(text.replace(/;\s*$/, ""));
      }
      continue;
    }
    const sql = step.match(/^(.*); \([^()]*\)$/);
    assert.ok(sql, `a step that is neither SQL nor a stamp: ${step}`);
    await runSql(sql[1]);
  }
  assert.fail("no stamp at the end");
}

/** {@linkcode follow} with the SQL run on the MariaDB database at `url`. */
function followOnMariadb(
  url: string,
  message: string,
  part: "undo" | "finish",
  base: string[],
): Promise<CliResult> {
  return follow(message, part, (sql) => mysqlCli(url, sql).then(() => {}), base);
}

/** Every command that reviews or writes answers exit 9 with `expected`. */
async function assertRefusals(base: string[], expected: string): Promise<void> {
  for (
    const args of [
      ["upgrade", "heads"],
      ["plan"],
      ["upgrade", "--dry-run", "heads"],
      ["check"],
      ["current"],
      ["downgrade", "base"],
    ]
  ) {
    const r = await execCli([...base, ...args]);
    assert.equal(r.code, 9, `${args.join(" ")}: ${r.err}`);
    assert.equal(r.err, `bellows: ${expected}`, args.join(" "));
  }
}

// ---------------------------------------------------------------- PostgreSQL

const PG_FILES = {
  "r1.sql": script(
    "r1",
    "",
    "CREATE TABLE a (x int);\nCREATE TABLE u (x int);\nCREATE TABLE c (x int);\n" +
      "INSERT INTO a SELECT generate_series(1, 100);",
  ),
  // Lines 7-9 up, 12-14 down.
  "r2.sql": script(
    "r2",
    "r1",
    "CREATE INDEX CONCURRENTLY a_idx ON a (x);\nCREATE INDEX CONCURRENTLY u_idx ON u (x);\n" +
      "CREATE INDEX CONCURRENTLY c_idx ON c (x);",
    "DROP INDEX CONCURRENTLY c_idx;\nDROP INDEX CONCURRENTLY u_idx;\n" +
      "DROP INDEX CONCURRENTLY a_idx;",
    { transactional: "false" },
  ),
};

/** The refusal after r2 stopped in its second statement (u_idx left INVALID). */
function pgRefusal(s: Started, dir: string): string {
  const f = `${dir}/r2.sql`;
  return `the upgrade of revision 'r2' (${f}) runs outside a transaction and was ` +
    `interrupted (started ${s.appliedAt} on ${s.host}): statement 1 of 3 completed, ` +
    `statement 2 (${f}:8) was running and left INVALID index public.u_idx on public.u. ` +
    `To undo: DROP INDEX CONCURRENTLY "public"."u_idx"; (left by statement 2), then ` +
    `DROP INDEX CONCURRENTLY a_idx; (${f}:14, undoes statement 1), then 'bellows stamp r1' ` +
    `and run again. To finish: REINDEX INDEX CONCURRENTLY "public"."u_idx"; (completes ` +
    `statement 2), then run statement 3 by hand (${f}:9), then 'bellows stamp r2'`;
}

async function pgStarted(db: TestDb): Promise<Started> {
  const [row] = await db.rows(
    "SELECT applied_at, host FROM bellows_audit WHERE status = 'started'",
  );
  return { appliedAt: String(row.applied_at), host: String(row.host) };
}

async function pgAudit(db: TestDb): Promise<string[]> {
  return (await db.rows("SELECT revision, direction, status FROM bellows_audit ORDER BY seq"))
    .map((r) => `${r.revision}:${r.direction}:${r.status}`);
}

/** Validity of each index on the test's tables, by name. */
async function pgIndexes(db: TestDb): Promise<Record<string, boolean>> {
  const rows = await db.rows(
    "SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i " +
      "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
      "WHERE n.nspname = 'public' AND c.relname NOT IN ('alembic_version_pkc', 'bellows_audit_pk') " +
      "ORDER BY 1",
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.valid]));
}

const BELLOWS_WAITING_ON_U = "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE " +
  "application_name = 'bellows' AND datname = current_database() AND " +
  "query LIKE 'CREATE INDEX CONCURRENTLY u_idx%' AND wait_event_type = 'Lock') AS ok";
const BELLOWS_GONE = "SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE " +
  "application_name = 'bellows' AND datname = current_database()) AS ok";

async function withPg(fn: (db: TestDb, dir: string, base: string[]) => Promise<void>) {
  await withTempDir(async (dir) => {
    const db = await postgresDb(cluster, "ckpt");
    await writeScripts(dir, PG_FILES);
    await fn(db, dir, ["--url", db.url, "--migrations", dir]);
  });
}

Deno.test("checkpoint: postgres, killed in statement 2 of 3; the printed undo steps work", async () => {
  await withPg(async (db, dir, base) => {
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    // An application's own INVALID index (a failed unique build): never ours to name.
    await db.exec("CREATE TABLE app (x int); INSERT INTO app VALUES (1), (1)");
    await assert.rejects(db.exec("CREATE UNIQUE INDEX CONCURRENTLY app_x_key ON app (x)"));
    const writer = pgSession(db.url);
    const builder = pgSession(db.url);
    let building: Promise<unknown> | undefined;
    try {
      // Holds u (statement 2 waits for it) and w, where another session builds an index.
      await writer.query("CREATE TABLE w (x int)");
      await writer.query("BEGIN; INSERT INTO u VALUES (0); INSERT INTO w VALUES (0)");
      building = builder.query("CREATE INDEX CONCURRENTLY w_idx ON w (x)");
      const run = startCli([...base, "--lock-timeout", "60s", "upgrade", "heads"]);
      await until(
        async () => (await db.rows(BELLOWS_WAITING_ON_U))[0].ok === true,
        "statement 2 to wait",
      );
      run.process.kill("SIGKILL");
      await run.done();
      await until(async () => (await db.rows(BELLOWS_GONE))[0].ok === true, "backend to end");
      assert.deepEqual(await pgAudit(db), ["r1:up:done", "r2:up:started", "r2:up:checkpoint"]);
      assert.deepEqual(await pgIndexes(db), {
        a_idx: true,
        app_x_key: false,
        u_idx: false,
        w_idx: false,
      });
      // While w_idx is still being built: the refusal names u_idx only.
      await assertRefusals(base, pgRefusal(await pgStarted(db), dir));
    } finally {
      await writer.query("ROLLBACK").catch(() => {});
      await building?.catch(() => {});
      await writer.close();
      await builder.close();
    }
    const refusal = await execCli([...base, "upgrade", "heads"]);
    const stamp = await follow(refusal.err, "undo", (sql) => db.exec(sql), base);
    assert.equal(stamp.code, 0, stamp.err);
    assert.deepEqual(await pgIndexes(db), { app_x_key: false, w_idx: true });
    const up = await execCli([...base, "upgrade", "heads"]);
    assert.equal(up.code, 0, up.err);
    assert.deepEqual(await db.versions(), ["r2"]);
    assert.deepEqual(await pgIndexes(db), {
      a_idx: true,
      app_x_key: false,
      c_idx: true,
      u_idx: true,
      w_idx: true,
    });
    // The interrupted run's checkpoint stays as its record; the finished run's are gone.
    assert.deepEqual(await pgAudit(db), [
      "r1:up:done",
      "r2:up:interrupted",
      "r2:up:checkpoint",
      "r2:up:done",
    ]);
  });
});

Deno.test("checkpoint: postgres, statement 2 of 3 fails; same state, the finish steps work", async () => {
  await withPg(async (db, dir, base) => {
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    const writer = pgSession(db.url);
    let failed: CliResult;
    try {
      await writer.query("BEGIN; INSERT INTO u VALUES (0)");
      failed = await execCli([...base, "--lock-timeout", "300ms", "upgrade", "heads"]);
    } finally {
      await writer.query("ROLLBACK").catch(() => {});
      await writer.close();
    }
    assert.equal(failed.code, 1, failed.err);
    assert.match(
      failed.err,
      /r2\.sql:8:1: 55P03 canceling statement due to lock timeout; blocked by session pid \d+ \(application_name bellows-test, .*\), its last query: BEGIN; INSERT INTO u VALUES \(0\); revision 'r2' runs outside a transaction: statement 1 completed and stays applied, this one did not complete; the next run will refuse and say how to finish or undo it$/,
    );
    // The refused statement is recorded as such: never taken for one that completed.
    assert.deepEqual(await pgAudit(db), [
      "r1:up:done",
      "r2:up:started",
      "r2:up:checkpoint",
      "r2:up:failed",
    ]);
    await assertRefusals(base, pgRefusal(await pgStarted(db), dir));

    const refusal = await execCli([...base, "upgrade", "heads"]);
    const stamp = await follow(refusal.err, "finish", (sql) => db.exec(sql), base);
    assert.equal(stamp.code, 0, stamp.err);
    assert.deepEqual(await pgIndexes(db), { a_idx: true, c_idx: true, u_idx: true });
    const up = await execCli([...base, "upgrade", "heads"]);
    assert.equal(up.code, 0, up.err);
    assert.match(up.err, /Nothing to upgrade/);
    assert.deepEqual(await db.versions(), ["r2"]);
  });
});

Deno.test("checkpoint: postgres, statement 1's checkpoint lost (the kill window); the catalog tells, finish as printed", async () => {
  await withPg(async (db, dir, base) => {
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    const writer = pgSession(db.url);
    try {
      await writer.query("BEGIN; INSERT INTO u VALUES (0)");
      const failed = await execCli([...base, "--lock-timeout", "300ms", "upgrade", "heads"]);
      assert.equal(failed.code, 1, failed.err);
    } finally {
      await writer.query("ROLLBACK").catch(() => {});
      await writer.close();
    }
    // As if killed right after statement 1 (a_idx built), before its checkpoint row.
    await db.exec("DROP INDEX u_idx");
    await db.exec("DELETE FROM bellows_audit WHERE status IN ('checkpoint', 'failed')");
    const s = await pgStarted(db);
    const f = `${dir}/r2.sql`;
    const expected = `the upgrade of revision 'r2' (${f}) runs outside a transaction and was ` +
      `interrupted (started ${s.appliedAt} on ${s.host}): statement 1 of 3 (${f}:7) completed ` +
      `(found index a_idx on a), not checkpointed. To undo: DROP INDEX CONCURRENTLY a_idx; ` +
      `(${f}:14, undoes statement 1), then 'bellows stamp r1' and run again. To finish: run ` +
      `statements 2..3 by hand (${f}:8, ${f}:9), then 'bellows stamp r2'`;
    await assertRefusals(base, expected);
    const stamp = await follow(`bellows: ${expected}`, "finish", (sql) => db.exec(sql), base);
    assert.equal(stamp.code, 0, stamp.err);
    assert.deepEqual(await pgIndexes(db), { a_idx: true, c_idx: true, u_idx: true });
    assert.deepEqual(await db.versions(), ["r2"]);
  });
});

Deno.test("checkpoint: postgres, a downgrade killed in DROP INDEX CONCURRENTLY; undo rebuilds", async () => {
  await withPg(async (db, dir, base) => {
    assert.equal((await execCli([...base, "upgrade", "heads"])).code, 0);
    const writer = pgSession(db.url);
    try {
      // DROP INDEX CONCURRENTLY marks u_idx INVALID, then waits for this transaction.
      await writer.query("BEGIN; INSERT INTO u VALUES (0)");
      const run = startCli([...base, "--lock-timeout", "60s", "downgrade", "r1"]);
      await until(
        async () =>
          (await db.rows(
            BELLOWS_WAITING_ON_U.replace("CREATE INDEX CONCURRENTLY", "DROP INDEX CONCURRENTLY"),
          ))[0].ok === true,
        "statement 2 to wait",
      );
      run.process.kill("SIGKILL");
      await run.done();
      await until(async () => (await db.rows(BELLOWS_GONE))[0].ok === true, "backend to end");
    } finally {
      await writer.query("ROLLBACK").catch(() => {});
      await writer.close();
    }
    assert.deepEqual(await pgIndexes(db), { a_idx: true, u_idx: false });
    const s = await pgStarted(db);
    const f = `${dir}/r2.sql`;
    const expected = `the downgrade of revision 'r2' (${f}) runs outside a transaction and was ` +
      `interrupted (started ${s.appliedAt} on ${s.host}): statement 1 of 3 completed, ` +
      `statement 2 (${f}:13) was running and left INVALID index public.u_idx on public.u. ` +
      `To undo: REINDEX INDEX CONCURRENTLY "public"."u_idx"; (undoes statement 2), then ` +
      `CREATE INDEX CONCURRENTLY c_idx ON c (x); (${f}:9, undoes statement 1), then ` +
      `'bellows stamp r2' and run again. To finish: run statements 2..3 by hand (${f}:13, ` +
      `${f}:14), then 'bellows stamp r1'`;
    await assertRefusals(base, expected);
    const stamp = await follow(`bellows: ${expected}`, "undo", (sql) => db.exec(sql), base);
    assert.equal(stamp.code, 0, stamp.err);
    assert.deepEqual(await pgIndexes(db), { a_idx: true, c_idx: true, u_idx: true });
    const down = await execCli([...base, "downgrade", "r1"]);
    assert.equal(down.code, 0, down.err);
    assert.deepEqual(await pgIndexes(db), {});
  });
});

Deno.test("checkpoint: postgres, an offline script records and clears checkpoints as a run does", async () => {
  await withPg(async (db, dir, base) => {
    const sql = await execCli([...base, "upgrade", "--sql", "base:r2"]);
    assert.equal(sql.code, 0, sql.err);
    await Deno.writeTextFile(`${dir}/up.sql`, sql.out);
    const psql = await new Deno.Command("psql", {
      args: ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-f", `${dir}/up.sql`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(psql.success, new TextDecoder().decode(psql.stderr));
    assert.deepEqual(await db.versions(), ["r2"]);
    assert.deepEqual(await pgAudit(db), ["r1:up:done", "r2:up:done"]);
    assert.deepEqual(await pgIndexes(db), { a_idx: true, c_idx: true, u_idx: true });
  });
});

// ---------------------------------------------------------------- MariaDB

const MY_FILES = {
  "r1.sql": script(
    "r1",
    "",
    "CREATE TABLE base (id INT PRIMARY KEY);\nINSERT INTO base VALUES (1);",
  ),
  // Three DDL statements (lines 6-8) MariaDB commits one by one; their undo at 11-13.
  "r2.sql": script(
    "r2",
    "r1",
    "CREATE TABLE t2 (id INT PRIMARY KEY);\nALTER TABLE base ADD COLUMN b INT;\n" +
      "CREATE INDEX base_b_idx ON base (b);",
    "DROP INDEX base_b_idx ON base;\nALTER TABLE base DROP COLUMN b;\nDROP TABLE t2;",
  ),
  // Only DML: one real transaction with its version row; the second statement fails.
  "r3.sql": script(
    "r3",
    "r2",
    "UPDATE base SET b = 2;\nINSERT INTO base (id, b) VALUES (1, 3);",
  ),
};

function myRefusal(s: Started, dir: string): string {
  const f = `${dir}/r2.sql`;
  return `the upgrade of revision 'r2' (${f}) cannot run in one transaction (MySQL commits ` +
    `its DDL as it runs) and was interrupted (started ${s.appliedAt} on ${s.host}): ` +
    `statement 1 of 3 completed, statement 2 (${f}:7) was running. To undo: DROP TABLE t2; ` +
    `(${f}:13, undoes statement 1), then 'bellows stamp r1' and run again. To finish: run ` +
    `statements 2..3 by hand (${f}:7, ${f}:8), then 'bellows stamp r2'`;
}

/** Rows of a query through the `mariadb` client, tab-separated lines. */
async function myRows(url: string, sql: string): Promise<string[]> {
  const out = await mysqlCli(url, sql);
  return out === "" ? [] : out.split("\n");
}

async function myStarted(url: string): Promise<Started> {
  const [row] = await myRows(
    url,
    "SELECT applied_at, host FROM bellows_audit WHERE status = 'started'",
  );
  const [appliedAt, host] = row.split("\t");
  return { appliedAt, host };
}

async function myAudit(url: string): Promise<string[]> {
  return (await myRows(url, "SELECT revision, direction, status FROM bellows_audit ORDER BY seq"))
    .map((r) => r.replaceAll("\t", ":"));
}

/** Columns of `base` and whether t2 exists. */
async function myShape(url: string): Promise<string[]> {
  return await myRows(
    url,
    "SELECT CONCAT(table_name, '.', column_name) FROM information_schema.columns " +
      "WHERE table_schema = DATABASE() AND table_name IN ('base', 't2') ORDER BY 1",
  );
}

/** A session holding a metadata lock on `base` (an open transaction that read it). */
async function holdBase(url: string) {
  const conn = await mysql.createConnection(url);
  await conn.query("START TRANSACTION");
  await conn.query("SELECT * FROM base");
  return {
    release: async () => {
      await conn.query("COMMIT").catch(() => {});
      await conn.end();
    },
  };
}

const ALTER_WAITING = "SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND " +
  "info LIKE 'ALTER TABLE base ADD COLUMN b%' AND state LIKE '%metadata lock%'";

async function withMariadb(fn: (url: string, dir: string, base: string[]) => Promise<void>) {
  await withTempDir(async (dir) => {
    const db = await createMysqlDatabase(mariadb, "ckpt");
    await writeScripts(dir, MY_FILES);
    await fn(db.url, dir, ["--url", db.url, "--migrations", dir]);
  });
}

/**
 * r2 killed while its statement 2 waited for `base`; the server's side of it ended. What
 * follows decides what the kill window left (see the tests below).
 */
async function killInStatement2(url: string, base: string[]): Promise<void> {
  const r1 = await execCli([...base, "upgrade", "r1"]);
  assert.equal(r1.code, 0, r1.err);
  const holder = await holdBase(url);
  try {
    const run = startCli([...base, "--lock-timeout", "60s", "upgrade", "r2"]);
    let waiting: string[] = [];
    await until(async () => (waiting = await myRows(url, ALTER_WAITING)).length > 0, "ALTER");
    run.process.kill("SIGKILL");
    await run.done();
    // The server does not look at a dead client while its statement waits for a lock:
    // end that statement as an operator (or the server's timeouts) would.
    await mysqlCli(url, `KILL ${waiting[0]}`);
  } finally {
    await holder.release();
  }
}

Deno.test("checkpoint: mariadb, multi-DDL revision killed in statement 2; undo as printed", async () => {
  await withMariadb(async (url, _dir, base) => {
    await killInStatement2(url, base);
    assert.deepEqual(await myAudit(url), ["r1:up:done", "r2:up:started", "r2:up:checkpoint"]);
    assert.deepEqual(await myShape(url), ["base.id", "t2.id"]);
    await assertRefusals(base, myRefusal(await myStarted(url), _dir));

    const refusal = await execCli([...base, "upgrade", "heads"]);
    const stamp = await followOnMariadb(url, refusal.err, "undo", base);
    assert.equal(stamp.code, 0, stamp.err);
    assert.deepEqual(await myShape(url), ["base.id"]);
    const up = await execCli([...base, "upgrade", "r2"]);
    assert.equal(up.code, 0, up.err);
    assert.deepEqual(await myShape(url), ["base.b", "base.id", "t2.id"]);
    assert.deepEqual(await myRows(url, "SELECT version_num FROM alembic_version"), ["r2"]);
    assert.deepEqual(await myAudit(url), [
      "r1:up:done",
      "r2:up:interrupted",
      "r2:up:checkpoint",
      "r2:up:done",
    ]);
  });
});

Deno.test("checkpoint: mariadb, statement 2 fails; same state, finish as printed; DML-only is atomic", async () => {
  await withMariadb(async (url, dir, base) => {
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    const holder = await holdBase(url);
    let failed: CliResult;
    try {
      failed = await execCli([...base, "--lock-timeout", "1s", "upgrade", "r2"]);
    } finally {
      await holder.release();
    }
    assert.equal(failed.code, 1, failed.err);
    assert.match(
      failed.err,
      /r2\.sql:7:1: 1205 .*; revision 'r2' cannot run in one transaction \(MySQL commits its DDL as it runs\): statement 1 completed and stays applied, this one did not complete; the next run will refuse and say how to finish or undo it$/,
    );
    assert.deepEqual(await myAudit(url), [
      "r1:up:done",
      "r2:up:started",
      "r2:up:checkpoint",
      "r2:up:failed",
    ]);
    await assertRefusals(base, myRefusal(await myStarted(url), dir));

    const refusal = await execCli([...base, "upgrade", "heads"]);
    const stamp = await followOnMariadb(url, refusal.err, "finish", base);
    assert.equal(stamp.code, 0, stamp.err);
    assert.deepEqual(await myShape(url), ["base.b", "base.id", "t2.id"]);

    // r3 holds only DML: one transaction; its failing second statement undoes the first.
    const r3 = await execCli([...base, "upgrade", "r3"]);
    assert.equal(r3.code, 1, r3.err);
    assert.match(r3.err, /r3\.sql:7:1: 1062 .*upgrade of 'r3' was rolled back/);
    assert.deepEqual(await myRows(url, "SELECT id, COALESCE(b, 'null') FROM base"), ["1\tnull"]);
    assert.deepEqual(await myRows(url, "SELECT version_num FROM alembic_version"), ["r2"]);
    assert.deepEqual(await myAudit(url), [
      "r1:up:done",
      "r2:up:interrupted",
      "r2:up:checkpoint",
      "r2:up:failed",
      "r2:stamp:done",
    ]);
  });
});

Deno.test("checkpoint: mariadb, statement 2 completed after the kill, unrecorded; said so, undo as printed", async () => {
  await withMariadb(async (url, dir, base) => {
    await killInStatement2(url, base);
    // MariaDB runs a statement to its end though its client is gone: the ALTER completed,
    // and no checkpoint records it (the window between a statement and its checkpoint).
    await mysqlCli(url, "ALTER TABLE base ADD COLUMN b INT");
    assert.deepEqual(await myAudit(url), ["r1:up:done", "r2:up:started", "r2:up:checkpoint"]);
    const s = await myStarted(url);
    const f = `${dir}/r2.sql`;
    const expected = `the upgrade of revision 'r2' (${f}) cannot run in one transaction ` +
      `(MySQL commits its DDL as it runs) and was interrupted (started ${s.appliedAt} on ` +
      `${s.host}): statement 1 of 3 completed, statement 2 (${f}:7) completed (found column b ` +
      `on base), not checkpointed. To undo: ALTER TABLE base DROP COLUMN b; (${f}:12, undoes ` +
      `statement 2), then DROP TABLE t2; (${f}:13, undoes statement 1), then 'bellows stamp ` +
      `r1' and run again. To finish: run statement 3 by hand (${f}:8), then 'bellows stamp r2'`;
    await assertRefusals(base, expected);
    // The same account, structured, for scripts.
    const json = await execCli([...base, "--json", "check"]);
    assert.equal(json.code, 9, json.err);
    const it = JSON.parse(json.out).error.interrupted;
    assert.deepEqual(
      {
        ...it,
        undo: it.undo.map((u: { action: string; sql?: string }) => u.sql ?? u.action),
        finish: it.finish.map((u: { action: string; sql?: string }) => u.sql ?? u.action),
      },
      {
        revision: "r2",
        direction: "up",
        file: f,
        startedAt: s.appliedAt,
        host: s.host,
        also: [],
        statements: 3,
        checkpointed: 1,
        completed: 2,
        running: { statement: 2, line: 7, state: "completed", found: "found column b on base" },
        leftovers: [],
        undo: ["ALTER TABLE base DROP COLUMN b", "DROP TABLE t2", "stamp"],
        finish: ["CREATE INDEX base_b_idx ON base (b)", "stamp"],
      },
    );
    const stamp = await followOnMariadb(url, `bellows: ${expected}`, "undo", base);
    assert.equal(stamp.code, 0, stamp.err);
    assert.deepEqual(await myShape(url), ["base.id"]);
    const up = await execCli([...base, "upgrade", "r2"]);
    assert.equal(up.code, 0, up.err);
    assert.deepEqual(await myShape(url), ["base.b", "base.id", "t2.id"]);
  });
});

Deno.test("checkpoint: mariadb, statement 1's checkpoint lost (the kill window); finish as printed", async () => {
  await withMariadb(async (url, dir, base) => {
    await killInStatement2(url, base);
    // As if killed between statement 1 and its checkpoint row.
    await mysqlCli(url, "DELETE FROM bellows_audit WHERE status = 'checkpoint'");
    const s = await myStarted(url);
    const f = `${dir}/r2.sql`;
    const expected = `the upgrade of revision 'r2' (${f}) cannot run in one transaction ` +
      `(MySQL commits its DDL as it runs) and was interrupted (started ${s.appliedAt} on ` +
      `${s.host}): statement 1 of 3 (${f}:6) completed (found table t2), not checkpointed. ` +
      `To undo: DROP TABLE t2; (${f}:13, undoes statement 1), then 'bellows stamp r1' and ` +
      `run again. To finish: run statements 2..3 by hand (${f}:7, ${f}:8), then 'bellows ` +
      `stamp r2'`;
    await assertRefusals(base, expected);
    const stamp = await followOnMariadb(url, `bellows: ${expected}`, "finish", base);
    assert.equal(stamp.code, 0, stamp.err);
    assert.deepEqual(await myShape(url), ["base.b", "base.id", "t2.id"]);
    assert.deepEqual(await myRows(url, "SELECT version_num FROM alembic_version"), ["r2"]);
    const up = await execCli([...base, "upgrade", "r2"]);
    assert.equal(up.code, 0, up.err);
    assert.match(up.err, /Nothing to upgrade/);
  });
});

Deno.test("checkpoint: mariadb, a statement refused because its object exists is not taken for completed", async () => {
  await withMariadb(async (url, dir, base) => {
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    // Someone else's t2: statement 1 (CREATE TABLE t2) fails on it.
    await mysqlCli(url, "CREATE TABLE t2 (id INT PRIMARY KEY, theirs INT)");
    const failed = await execCli([...base, "upgrade", "r2"]);
    assert.equal(failed.code, 1, failed.err);
    assert.match(failed.err, /r2\.sql:6:1: 1050 /);
    assert.deepEqual(await myAudit(url), ["r1:up:done", "r2:up:started", "r2:up:failed"]);
    const s = await myStarted(url);
    const f = `${dir}/r2.sql`;
    // Never "completed (found table t2)", whose undo would drop their table.
    await assertRefusals(
      base,
      `the upgrade of revision 'r2' (${f}) cannot run in one transaction (MySQL commits its ` +
        `DDL as it runs) and was interrupted (started ${s.appliedAt} on ${s.host}): none of ` +
        `its 3 statements completed, statement 1 (${f}:6) was running. To undo: 'bellows ` +
        `stamp r1' and run again. To finish: run statements 1..3 by hand (${f}:6, ${f}:7, ` +
        `${f}:8), then 'bellows stamp r2'`,
    );
  });
});

Deno.test("checkpoint: mariadb, a lock timeout in the first statement is retried", async () => {
  await withTempDir(async (dir) => {
    const db = await createMysqlDatabase(mariadb, "ckretry");
    await writeScripts(dir, {
      "r1.sql": MY_FILES["r1.sql"],
      "r2.sql": script(
        "r2",
        "r1",
        "ALTER TABLE base ADD COLUMN b INT;\nCREATE TABLE t2 (id INT PRIMARY KEY);",
      ),
    });
    const base = ["--url", db.url, "--migrations", dir];
    assert.equal((await execCli([...base, "upgrade", "r1"])).code, 0);
    const holder = await holdBase(db.url);
    let released = false;
    try {
      const run = startCli([...base, "--lock-timeout", "1s", "upgrade", "heads"]);
      await run.waitForErr(
        /hit a lock timeout \(1205 \(HY000\)\) in its first statement; retry 1 of 3/,
      );
      await holder.release();
      released = true;
      const r = await run.done();
      assert.equal(r.code, 0, r.err);
    } finally {
      if (!released) await holder.release();
    }
    assert.deepEqual(await myShape(db.url), ["base.b", "base.id", "t2.id"]);
    assert.deepEqual(await myAudit(db.url), ["r1:up:done", "r2:up:done"]);
  });
});

// ---------------------------------------------------------------- SQLite, downgrade

Deno.test("checkpoint: sqlite, a downgrade stopped in statement 2 maps its undo to the upgrade", async () => {
  await withTempDir(async (dir) => {
    const db = sqliteDb(dir);
    const mig = `${dir}/m`;
    await writeScripts(mig, {
      "r1.sql": script("r1", "", "CREATE TABLE base (id INTEGER);"),
      // Up at lines 7-8, down at 11-12; the second down statement fails.
      "r2.sql": script(
        "r2",
        "r1",
        "CREATE TABLE x (id INTEGER);\nCREATE TABLE y (id INTEGER);",
        "DROP TABLE y;\nDROP TABLE missing;",
        { transactional: "false" },
      ),
    });
    const base = ["--url", db.url, "--migrations", mig];
    assert.equal((await execCli([...base, "upgrade", "heads"])).code, 0);
    const down = await execCli([...base, "downgrade", "r1"]);
    assert.equal(down.code, 1, down.err);
    const [row] = await db.rows(
      "SELECT applied_at, host FROM bellows_audit WHERE status = 'started'",
    );
    const f = `${mig}/r2.sql`;
    const expected = `the downgrade of revision 'r2' (${f}) runs outside a transaction and was ` +
      `interrupted (started ${row.applied_at} on ${row.host}): statement 1 of 2 completed, ` +
      `statement 2 (${f}:12) was running. To undo: CREATE TABLE y (id INTEGER); (${f}:8, ` +
      `undoes statement 1), then 'bellows stamp r2' and run again. To finish: run statement 2 ` +
      `by hand (${f}:12), then 'bellows stamp r1'`;
    await assertRefusals(base, expected);
    const stamp = await follow(
      `bellows: ${expected}`,
      "undo",
      (sql) => db.exec(sql),
      base,
    );
    assert.equal(stamp.code, 0, stamp.err);
    assert.deepEqual(await db.tables(), ["alembic_version", "base", "bellows_audit", "x", "y"]);
    assert.deepEqual(await db.versions(), ["r2"]);
  });
});
