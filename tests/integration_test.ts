/**
 * Integration tests of the command line, each case run on a real SQLite file, on
 * a fresh database of a real PostgreSQL cluster and on one of a real MariaDB server (one
 * cluster and one server for this file).
 */
import assert from "node:assert/strict";
import { execCli, runCli, script, spawnCli, withTempDir, writeScripts } from "./support/cli.ts";
import {
  ALEMBIC_VERSION_SHAPE,
  dialectDb,
  DIALECTS,
  pgTableShape,
  startServers,
  type TestDb,
  type TestDialect,
} from "./support/db.ts";
import { LOCK_KEY } from "../src/drivers/postgres.ts";
import { ALEMBIC_VERSION_DDL, lockName } from "../src/drivers/mysql.ts";
import { holdUserLock, mysqlCli } from "./support/mariadb_server.ts";

const servers = await startServers();

/** Register `fn` as one test per dialect, each on a fresh database and temp directory. */
function cases(name: string, fn: (db: TestDb, dir: string) => Promise<void>): void {
  for (const dialect of DIALECTS) {
    Deno.test(`${dialect}: ${name}`, async () => {
      await withTempDir(async (dir) => {
        const db = await dialectDb(servers, dialect, dir, "it");
        await fn(db, dir);
      });
    });
  }
}

/** Per-dialect expectation. */
function by<T>(dialect: TestDialect, values: Record<TestDialect, T>): T {
  return values[dialect];
}

const chain = {
  "r1.sql": script("r1", "", "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);", "DROP TABLE a;"),
  "sub/r2.sql": script(
    "r2",
    "r1",
    "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO a (id, v) VALUES (1, 'x;y');",
    "DROP TABLE b;\nDELETE FROM a WHERE v = 'x;y';",
  ),
  // A trigger whose body holds `;` and CASE … END, in each dialect's own syntax.
  "r3.sql": [
    "-- revision: r3",
    "-- down_revision: r2",
    "-- message: r3 step",
    "",
    "-- bellows:upgrade",
    "CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER);",
    "",
    "-- bellows:upgrade sqlite",
    "CREATE TRIGGER c_ins AFTER INSERT ON c BEGIN",
    "  UPDATE c SET n = CASE WHEN NEW.n IS NULL THEN 0 ELSE NEW.n END WHERE id = NEW.id;",
    "END;",
    "",
    "-- bellows:upgrade postgresql",
    "CREATE FUNCTION c_ins() RETURNS trigger LANGUAGE plpgsql AS $$",
    "BEGIN",
    "  UPDATE c SET n = CASE WHEN NEW.n IS NULL THEN 0 ELSE NEW.n END WHERE id = NEW.id;",
    "  RETURN NULL;",
    "END $$;",
    "CREATE TRIGGER c_ins AFTER INSERT ON c FOR EACH ROW EXECUTE FUNCTION c_ins();",
    "",
    "-- bellows:upgrade mysql",
    "CREATE TRIGGER c_ins BEFORE INSERT ON c FOR EACH ROW BEGIN",
    "  IF NEW.n IS NULL THEN SET NEW.n = CASE WHEN 1 THEN 0 ELSE 1 END; END IF;",
    "END;",
    "",
    "-- bellows:downgrade",
    "DROP TABLE c;",
    "",
    "-- bellows:downgrade postgresql",
    "DROP FUNCTION c_ins();",
    "",
  ].join("\n"),
};

cases("bundled revisions upgrade to head on a fresh database", async (db) => {
  const url = db.dialect === "sqlite" ? `sqlite:${db.url}` : db.url;
  const up = await runCli(["--url", url, "upgrade", "heads"]);
  assert.equal(up.code, 0, up.err);
  assert.deepEqual(await db.versions(), ["ocata_contract01"]);
  assert.ok((await db.tables()).includes("images"));
  const cur = await runCli(["--url", db.url, "current"]);
  assert.equal(cur.code, 0, cur.err);
  assert.equal(cur.out, "ocata_contract01 (head)\nocata_expand01 (effective head)");
  const audit = await db.rows(
    "SELECT revision, direction, status FROM bellows_audit ORDER BY seq",
  );
  // The data migration had nothing to move on an empty database: no audit row for it.
  assert.deepEqual(audit.map((r) => `${r.revision}:${r.direction}:${r.status}`), [
    "liberty:up:done",
    "mitaka01:up:done",
    "mitaka02:up:done",
    "ocata_expand01:up:done",
    "ocata_contract01:up:done",
  ]);
});

cases("the version table is Alembic's, exactly", async (db) => {
  assert.equal((await runCli(["--url", db.url, "upgrade", "liberty"])).code, 0);
  if (db.dialect === "sqlite") {
    const cols = await db.rows("PRAGMA table_info(alembic_version)");
    assert.deepEqual(cols.map((c) => [c.name, c.type, c.notnull, c.pk]), [
      ["version_num", "VARCHAR(32)", 1, 1],
    ]);
    const idx = await db.rows("PRAGMA index_list(alembic_version)");
    assert.equal(idx.length, 1);
    assert.equal(idx[0].origin, "pk");
    const sql = String(
      (await db.rows("SELECT sql FROM sqlite_master WHERE name = 'alembic_version'"))[0].sql,
    );
    assert.match(sql, /CONSTRAINT "alembic_version_pkc" PRIMARY KEY \(version_num\)/);
  } else if (db.dialect === "mysql") {
    // What Alembic with PyMySQL creates (tests/mysql_alembic_ddl_test.ts), as the server
    // shows it back.
    const shown = await mysqlCli(db.url, "SHOW CREATE TABLE alembic_version");
    assert.match(shown, /`version_num` varchar\(32\) NOT NULL/);
    assert.match(shown, /PRIMARY KEY \(`version_num`\)/);
    assert.match(ALEMBIC_VERSION_DDL, /CONSTRAINT alembic_version_pkc PRIMARY KEY/);
    const cols = await db.rows(
      "SELECT column_name AS c, column_type AS t, is_nullable AS n FROM " +
        "information_schema.columns WHERE table_schema = DATABASE() " +
        "AND table_name = 'alembic_version'",
    );
    assert.deepEqual(cols, [{ c: "version_num", t: "varchar(32)", n: "NO" }]);
  } else {
    assert.deepEqual(
      await pgTableShape(db.url, "public", "alembic_version"),
      ALEMBIC_VERSION_SHAPE,
    );
  }
});

cases("apply, fail half-way, downgrade to base, re-apply", async (db, dir) => {
  const mig = `${dir}/m`;
  await writeScripts(mig, chain);
  const base = ["--url", db.url, "--migrations", mig];
  assert.equal((await runCli([...base, "upgrade", "r1"])).code, 0);
  assert.deepEqual(await db.versions(), ["r1"]);

  // r2's second statement fails: r2 must leave nothing behind.
  await Deno.writeTextFile(
    `${mig}/sub/r2.sql`,
    script(
      "r2",
      "r1",
      "CREATE TABLE b (id INTEGER PRIMARY KEY);\n\nINSERT INTO nope VALUES (1);",
    ),
  );
  const failed = await runCli([...base, "-q", "upgrade", "heads"]);
  assert.equal(failed.code, 1);
  assert.match(
    failed.err,
    new RegExp(
      `${mig}/sub/r2\\.sql:${
        by(db.dialect, {
          sqlite: "8:1: SQLITE_ERROR no such table: nope",
          // PostgreSQL reports the position of the missing relation's name.
          postgresql: '8:13: 42P01 relation "nope" does not exist',
          mysql: "8:1: 1146 \\(42S02\\) Table '\\w+\\.nope' doesn't exist",
        })
      }`,
    ),
  );
  assert.equal(failed.err.trim().split("\n").length, 1, failed.err);
  assert.deepEqual(await db.versions(), ["r1"]);
  if (db.dialect === "mysql") {
    // MySQL committed the CREATE TABLE as it ran, and the message says so; the next run
    // refuses until it is undone by hand and r1 stamped, as the refusal prescribes.
    assert.match(
      failed.err,
      /cannot run in one transaction \(MySQL commits its DDL as it runs\): statement 1 completed and stays applied/,
    );
    assert.ok((await db.tables()).includes("b"), "r2's CREATE TABLE stayed");
    const refused = await runCli([...base, "-q", "upgrade", "heads"]);
    assert.equal(refused.code, 9, refused.err);
    assert.match(refused.err, /To undo: .*then 'bellows stamp r1'/);
    await db.exec("DROP TABLE b");
    assert.equal((await runCli([...base, "-q", "stamp", "r1"])).code, 0);
  } else {
    assert.ok(!(await db.tables()).includes("b"), "r2's CREATE TABLE was rolled back");
  }

  await writeScripts(mig, chain);
  const ok = await runCli([...base, "upgrade", "heads"]);
  assert.equal(ok.code, 0, ok.err);
  assert.deepEqual(await db.versions(), ["r3"]);
  // The trigger body with CASE ... END survived splitting and works.
  await db.exec("INSERT INTO c (id) VALUES (7)");
  assert.equal((await db.rows("SELECT n FROM c WHERE id = 7"))[0].n, 0);

  const down = await runCli([...base, "downgrade", "base"]);
  assert.equal(down.code, 0, down.err);
  assert.deepEqual(await db.versions(), []);
  assert.deepEqual((await db.tables()).filter((t) => ["a", "b", "c"].includes(t)), []);

  const again = await runCli([...base, "upgrade", "heads"]);
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(await db.versions(), ["r3"]);
  // Steps done (on MySQL the interrupted r2 left its started and checkpoint rows too).
  const dirs = (await db.rows(
    "SELECT direction FROM bellows_audit WHERE status = 'done' AND direction <> 'stamp' " +
      "ORDER BY seq",
  ))
    .map((r) => r.direction);
  assert.deepEqual(dirs, ["up", "up", "up", "down", "down", "down", "up", "up", "up"]);
});

cases("--single-transaction: a failure in the third revision rolls back all", async (db, dir) => {
  const mig = `${dir}/m`;
  await writeScripts(mig, {
    ...chain,
    "r3.sql": script("r3", "r2", "CREATE TABLE c (id INTEGER);\nINSERT INTO nope VALUES (1);"),
  });
  const base = ["--url", db.url, "--migrations", mig];
  const r = await runCli([...base, "--single-transaction", "upgrade", "heads"]);
  assert.equal(r.code, 1, r.err);
  const stateTables = ["alembic_version", "bellows_audit"];
  if (db.dialect === "mysql") {
    // Said before the run and in the error: MySQL's DDL cannot be rolled back.
    assert.match(r.err, /--single-transaction on MySQL: DDL statements commit as they run/);
    assert.match(
      r.err,
      /r3\.sql:7:\d+: .*nope.*; the whole run was rolled back \(--single-transaction\), but MySQL commits DDL statements as they run, so those before this one stay applied; those statements committed the run's transaction too, so the version table is at r2$/,
    );
    // Each CREATE TABLE also committed the run's transaction, version rows included: the
    // message says where that left the version table, and it is so.
    assert.match(r.err, /so the version table is at r2$/);
    assert.deepEqual(await db.versions(), ["r2"]);
    const left = (await db.tables()).filter((t) => ["a", "b", "c"].includes(t));
    assert.deepEqual(left, ["a", "b", "c"]);
    // r3's CREATE TABLE stayed: undone by hand, as the message prescribes.
    await db.exec("DROP TABLE c");
  } else {
    assert.match(
      r.err,
      /r3\.sql:7:\d+: .*nope.*; the whole run was rolled back \(--single-transaction\); the database remains at <base>$/,
    );
    assert.deepEqual(await db.versions().catch(() => []), []);
    const left = (await db.tables()).filter((t) => ["a", "b", "c", ...stateTables].includes(t));
    assert.deepEqual(left, [], "nothing of r1, r2, r3 or the state tables is left");
  }
  // Without the flag, r1 and r2 commit one by one and r3 alone is rolled back.
  const each = await runCli([...base, "upgrade", "heads"]);
  assert.equal(each.code, 1);
  assert.deepEqual(await db.versions(), ["r2"]);
});

cases("a changed script that was applied is reported; --strict refuses", async (db, dir) => {
  const mig = `${dir}/m`;
  await writeScripts(mig, chain);
  const base = ["--url", db.url, "--migrations", mig];
  assert.equal((await runCli([...base, "upgrade", "r2"])).code, 0);
  // A comment outside the statements does not count as a change.
  await Deno.writeTextFile(`${mig}/r1.sql`, chain["r1.sql"] + "-- reviewed\n");
  let r = await runCli([...base, "current"]);
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.err, /changed/);

  await Deno.writeTextFile(
    `${mig}/r1.sql`,
    chain["r1.sql"].replace("v TEXT", "v TEXT NOT NULL"),
  );
  r = await runCli([...base, "current"]);
  assert.equal(r.code, 0);
  assert.match(r.err, /r1\.sql: revision 'r1' changed since it was applied/);
  r = await runCli([...base, "--strict", "upgrade", "heads"]);
  assert.equal(r.code, 9);
  assert.match(r.err, /refusing under --strict/);
  assert.deepEqual(await db.versions(), ["r2"]);
});

cases("an unknown revision in the version table is an error that changes nothing", async (
  db,
  dir,
) => {
  const mig = `${dir}/m`;
  await writeScripts(mig, chain);
  const base = ["--url", db.url, "--migrations", mig];
  assert.equal((await runCli([...base, "upgrade", "r1"])).code, 0);
  await db.exec("UPDATE alembic_version SET version_num = 'ffff0000'");
  const r = await runCli([...base, "upgrade", "heads"]);
  assert.equal(r.code, 9);
  assert.match(r.err, /holds revision 'ffff0000', which is not in/);
  assert.deepEqual(await db.versions(), ["ffff0000"]);
  assert.ok(!(await db.tables()).includes("b"));
});

cases("an empty version table means no revision", async (db, dir) => {
  const mig = `${dir}/m`;
  await writeScripts(mig, chain);
  await db.exec(
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, " +
      "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
  );
  const base = ["--url", db.url, "--migrations", mig];
  const cur = await runCli([...base, "current"]);
  assert.equal(cur.code, 0);
  assert.equal(cur.out, "");
  assert.equal((await runCli([...base, "upgrade", "r1"])).code, 0);
  assert.deepEqual(await db.versions(), ["r1"]);
});

cases("branches, a merge and depends_on leave Alembic's rows", async (db, dir) => {
  const mig = `${dir}/m`;
  await writeScripts(mig, {
    "base.sql": script("base0", "", "CREATE TABLE t0 (id INTEGER);", "DROP TABLE t0;"),
    "e1.sql": script("e1", "base0", "CREATE TABLE e1 (id INTEGER);", "DROP TABLE e1;", {
      branch_labels: "expand",
    }),
    "c1.sql": script("c1", "base0", "CREATE TABLE c1 (id INTEGER);", "DROP TABLE c1;", {
      branch_labels: "contract",
      depends_on: "e1",
    }),
    "m.sql": script("m1", ["e1", "c1"], "", ""),
  });
  const base = ["--url", db.url, "--migrations", mig];
  // Expected rows were observed with real Alembic 1.8 on the same graph and commands
  // (tests/oracle): labels spread through the merge, and depends_on turns c1's step
  // from e1 into an update.
  const steps: [string[], string[], number][] = [
    [["upgrade", "e1"], ["e1"], 0],
    [["upgrade", "c1"], ["c1"], 0],
    [["upgrade", "head"], ["m1"], 0],
    [["downgrade", "-1"], ["m1"], 6], // Alembic: "Ambiguous walk"
    [["downgrade", "contract@base"], [], 0],
    [["upgrade", "expand@head"], ["m1"], 0],
    [["downgrade", "base"], [], 0],
    [["stamp", "c1"], ["c1"], 0],
    [["stamp", "--purge", "base0"], ["base0"], 0],
  ];
  for (const [args, expected, code] of steps) {
    const r = await runCli([...base, ...args]);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.err}`);
    assert.deepEqual(await db.versions(), expected, args.join(" "));
  }
  assert.ok(!(await db.tables()).includes("c1"), "stamp runs no script");
});

cases("errors: usage 2, unknown target 6, one line each", async (db) => {
  let r = await runCli(["--url", db.url, "upgrade", "nosuchrev"]);
  assert.equal(r.code, 6);
  assert.match(r.err, /nosuchrev/);
  assert.equal(r.err.split("\n").length, 1);
  r = await runCli(["--url", db.url, "--bogus", "current"]);
  assert.equal(r.code, 2);
  r = await runCli(["frobnicate"]);
  assert.equal(r.code, 2);
  r = await runCli(["current"]);
  assert.equal(r.code, 2, "no URL given");
  assert.match(r.err, /DATABASE_URL/);
});

cases("a malformed script names its file and line", async (db, dir) => {
  const mig = `${dir}/m`;
  await writeScripts(mig, {
    "r1.sql": "-- revision: r1\n-- down_revison: r0\n\n-- bellows:upgrade\nSELECT 1;\n",
  });
  const r = await runCli(["--url", db.url, "--migrations", mig, "upgrade", "heads"]);
  assert.equal(r.code, 6);
  assert.match(r.err, new RegExp(`${mig}/r1\\.sql:2: .*down_revison`));
});

/**
 * Another process that holds the runner lock as a running bellows would: an flock on
 * the SQLite file, a session advisory lock on PostgreSQL (from psql), `GET_LOCK()` on
 * MariaDB (from the mariadb client). Resolves once the lock is held; `kill()` SIGKILLs it.
 */
async function lockHolder(db: TestDb): Promise<{ kill(): Promise<void> }> {
  if (db.dialect === "mysql") return await mysqlLockHolder(db);
  const proc = db.dialect === "sqlite"
    ? new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const f = await Deno.open(${JSON.stringify(db.url)}, {read: true, write: true});
         if (!(await f.tryLock(true))) Deno.exit(3);
         console.log("locked");
         await new Promise((r) => setTimeout(r, 20000));`,
      ],
      stdout: "piped",
    }).spawn()
    : new Deno.Command("psql", {
      args: ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db.url],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
  if (db.dialect === "postgresql") {
    // stdin stays open: psql waits for more input while its session holds the lock.
    const w = proc.stdin.getWriter();
    await w.write(
      new TextEncoder().encode(`SELECT pg_advisory_lock(${LOCK_KEY});\n\\echo locked\n`),
    );
    w.releaseLock();
  }
  const reader = proc.stdout.getReader();
  let seen = "";
  while (!seen.includes("locked")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`lock holder exited: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  return {
    kill: async () => {
      proc.kill("SIGKILL");
      await proc.status;
      reader.releaseLock();
      await proc.stdout.cancel().catch(() => {});
      if (db.dialect === "postgresql") await proc.stdin.close().catch(() => {});
    },
  };
}

/** {@linkcode lockHolder} on MariaDB: a client session that took bellows' GET_LOCK name. */
async function mysqlLockHolder(db: TestDb): Promise<{ kill(): Promise<void> }> {
  const name = await lockName(db.my!.name);
  return { kill: await holdUserLock(db.url, name) };
}

cases("a second runner waits for the lock, then fails with exit 8", async (db) => {
  assert.equal((await runCli(["--url", db.url, "upgrade", "liberty"])).code, 0);
  const holder = await lockHolder(db);
  try {
    const started = Date.now();
    const r = await execCli(["--url", db.url, "--lock-wait", "1s", "upgrade", "heads"]);
    assert.equal(r.code, 8, r.err);
    assert.ok(Date.now() - started >= 900, "it waited for the lock");
    assert.match(r.err, /another bellows run holds the migration lock/);
    if (db.dialect === "postgresql") {
      // The holder is named: its backend pid and application_name.
      assert.match(
        r.err,
        /\(pid \d+, application_name psql, user \S+, client \S+, since \S+\); waited 1(\.\d)?s/,
      );
    }
    assert.equal(r.err.split("\n").length, 1, r.err);
    assert.deepEqual(await db.versions(), ["liberty"]);
  } finally {
    await holder.kill();
  }
  // The dead holder's lock went with it (kernel / server): the next run proceeds.
  const r = await execCli(["--url", db.url, "--lock-wait", "5s", "upgrade", "heads"]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(await db.versions(), ["ocata_contract01"]);
});

cases("concurrent runners apply each revision exactly once", async (db) => {
  const procs = Array.from({ length: 4 }, () => spawnCli(["--url", db.url, "upgrade", "heads"]));
  const results = await Promise.all(procs.map((p) => p.output()));
  for (const r of results) assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  assert.deepEqual(await db.versions(), ["ocata_contract01"]);
  const ups = await db.rows(
    "SELECT revision FROM bellows_audit WHERE direction = 'up' ORDER BY seq",
  );
  assert.deepEqual(ups.map((r) => r.revision), [
    "liberty",
    "mitaka01",
    "mitaka02",
    "ocata_expand01",
    "ocata_contract01",
  ]);
});

Deno.test("revision and merge write files that the graph accepts", async () => {
  await withTempDir(async (dir) => {
    const mig = `${dir}/m`;
    await writeScripts(mig, { "r1.sql": chain["r1.sql"] });
    const base = ["--migrations", mig];
    let r = await runCli([...base, "revision", "-m", "Add users", "--rev-id", "aa1"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /aa1_add_users\.sql/);
    r = await runCli([
      ...base,
      "revision",
      "-m",
      "side",
      "--rev-id",
      "bb1",
      "--head",
      "r1",
      "--splice",
    ]);
    assert.equal(r.code, 0, r.err);
    r = await runCli([...base, "revision", "-m", "ambiguous"]);
    assert.equal(r.code, 6, "two heads: 'head' is ambiguous");
    r = await runCli([...base, "merge", "heads", "-m", "join", "--rev-id", "cc1"]);
    assert.equal(r.code, 0, r.err);
    r = await runCli([...base, "heads"]);
    assert.equal(r.out, "cc1 (head)");
    r = await runCli([...base, "revision", "-m", "fresh"]);
    assert.equal(r.code, 0, r.err);
    const fresh = [...Deno.readDirSync(mig)].map((e) => e.name).find((n) =>
      n.endsWith("_fresh.sql")
    );
    assert.match(fresh ?? "", /^[0-9a-f]{12}_fresh\.sql$/);
  });
});

Deno.test("revision writes into BELLOWS_MIGRATIONS as into --migrations; a refused write is one line", async () => {
  await withTempDir(async (dir) => {
    const mig = `${dir}/m`;
    await writeScripts(mig, { "r1.sql": chain["r1.sql"] });
    let r = await execCli(["revision", "-m", "from env", "--rev-id", "ee1"], {
      env: { BELLOWS_MIGRATIONS: mig },
    });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `Generating ${mig}/ee1_from_env.sql ... done`);
    // A folder the operating system will not let us write into: exit 2, nothing written.
    await Deno.chmod(mig, 0o555);
    const root = Deno.uid() === 0;
    if (root) {
      const c = await new Deno.Command("chattr", { args: ["+i", mig] }).output();
      assert.ok(c.success, "chattr +i (root writes through mode bits)");
    }
    try {
      r = await runCli(["--migrations", mig, "revision", "-m", "nope", "--rev-id", "ff1"]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, new RegExp(`^bellows: cannot write ${mig}/ff1_nope\\.sql: [^\\n]+$`));
    } finally {
      if (root) await new Deno.Command("chattr", { args: ["-i", mig] }).output();
      await Deno.chmod(mig, 0o755);
    }
    assert.deepEqual([...Deno.readDirSync(mig)].map((e) => e.name).sort(), [
      "ee1_from_env.sql",
      "r1.sql",
    ]);
  });
});

Deno.test("sqlite: commands that only look never create the database file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/typo.db`;
    const cases: [string[], number, string][] = [
      [["current"], 0, ""],
      [["check"], 3, "Database is not up to date: run 'bellows expand' first."],
      [["version"], 0, "The database is not under version control."],
      [["history", "-i", "-r", "mitaka02:"], 0, ""],
      [["history", "--audit"], 0, ""],
      [["plan", "liberty"], 0, ""],
    ];
    for (const [args, code, last] of cases) {
      const r = await runCli(["--url", path, ...args]);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.err}`);
      if (last) assert.equal(r.out.split("\n").at(-1), last);
      await assert.rejects(Deno.stat(path), Deno.errors.NotFound, args.join(" "));
    }
    // The commands that write create it, as Alembic does.
    assert.equal((await runCli(["-q", "--url", path, "stamp", "liberty"])).code, 0);
    assert.ok((await Deno.stat(path)).isFile);
  });
});
