/**
 * Integration tests of the command line on real SQLite files.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { execCli, runCli, script, spawnCli, withTempDir, writeScripts } from "./support/cli.ts";

function rows(path: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

function versions(path: string): string[] {
  return rows(path, "SELECT version_num FROM alembic_version ORDER BY version_num")
    .map((r) => String(r.version_num));
}

function tables(path: string): string[] {
  return rows(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .map((r) => String(r.name));
}

const chain = {
  "r1.sql": script("r1", "", "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);", "DROP TABLE a;"),
  "sub/r2.sql": script(
    "r2",
    "r1",
    "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO a (v) VALUES ('x;y');",
    "DROP TABLE b;\nDELETE FROM a WHERE v = 'x;y';",
  ),
  "r3.sql": script(
    "r3",
    "r2",
    [
      "CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER);",
      "CREATE TRIGGER c_ins AFTER INSERT ON c BEGIN",
      "  UPDATE c SET n = CASE WHEN NEW.n IS NULL THEN 0 ELSE NEW.n END WHERE id = NEW.id;",
      "END;",
    ].join("\n"),
    "DROP TABLE c;",
  ),
};

Deno.test("bundled revisions upgrade to head on a fresh SQLite file", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/glance.db`;
    const up = await runCli(["--url", `sqlite:${db}`, "upgrade", "heads"]);
    assert.equal(up.code, 0, up.err);
    assert.deepEqual(versions(db), ["mitaka02"]);
    assert.ok(tables(db).includes("images"));
    const cur = await runCli(["--url", db, "current"]);
    assert.equal(cur.code, 0, cur.err);
    assert.equal(cur.out, "mitaka02 (head)");
    const audit = rows(db, "SELECT revision, direction, status FROM bellows_audit ORDER BY seq");
    assert.deepEqual(audit.map((r) => `${r.revision}:${r.direction}:${r.status}`), [
      "liberty:up:done",
      "mitaka01:up:done",
      "mitaka02:up:done",
    ]);
  });
});

Deno.test("the version table is Alembic's, exactly", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/v.db`;
    assert.equal((await runCli(["--url", db, "upgrade", "liberty"])).code, 0);
    const cols = rows(db, "PRAGMA table_info(alembic_version)");
    assert.deepEqual(cols.map((c) => [c.name, c.type, c.notnull, c.pk]), [
      ["version_num", "VARCHAR(32)", 1, 1],
    ]);
    const idx = rows(db, "PRAGMA index_list(alembic_version)");
    assert.equal(idx.length, 1);
    assert.equal(idx[0].origin, "pk");
    const sql = String(
      rows(db, "SELECT sql FROM sqlite_master WHERE name = 'alembic_version'")[0].sql,
    );
    assert.match(sql, /CONSTRAINT "alembic_version_pkc" PRIMARY KEY \(version_num\)/);
  });
});

Deno.test("apply, fail half-way, downgrade to base, re-apply", async () => {
  await withTempDir(async (dir) => {
    const mig = `${dir}/m`;
    const db = `${dir}/x.db`;
    await writeScripts(mig, chain);
    const base = ["--url", db, "--migrations", mig];
    assert.equal((await runCli([...base, "upgrade", "r1"])).code, 0);
    assert.deepEqual(versions(db), ["r1"]);

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
      new RegExp(`${mig}/sub/r2\\.sql:8:1: SQLITE_ERROR no such table: nope`),
    );
    assert.equal(failed.err.trim().split("\n").length, 1, failed.err);
    assert.deepEqual(versions(db), ["r1"]);
    assert.ok(!tables(db).includes("b"), "r2's CREATE TABLE was rolled back");

    await writeScripts(mig, chain);
    const ok = await runCli([...base, "upgrade", "heads"]);
    assert.equal(ok.code, 0, ok.err);
    assert.deepEqual(versions(db), ["r3"]);
    // The trigger body with CASE ... END survived splitting and works.
    const d = new DatabaseSync(db);
    d.exec("INSERT INTO c (id) VALUES (7)");
    assert.equal(d.prepare("SELECT n FROM c WHERE id = 7").get()!.n, 0);
    d.close();

    const down = await runCli([...base, "downgrade", "base"]);
    assert.equal(down.code, 0, down.err);
    assert.deepEqual(versions(db), []);
    assert.deepEqual(tables(db).filter((t) => ["a", "b", "c"].includes(t)), []);

    const again = await runCli([...base, "upgrade", "heads"]);
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(versions(db), ["r3"]);
    const dirs = rows(db, "SELECT direction FROM bellows_audit ORDER BY seq").map((r) =>
      r.direction
    );
    assert.deepEqual(dirs, ["up", "up", "up", "down", "down", "down", "up", "up", "up"]);
  });
});

Deno.test("a changed script that was applied is reported; --strict refuses", async () => {
  await withTempDir(async (dir) => {
    const mig = `${dir}/m`;
    const db = `${dir}/x.db`;
    await writeScripts(mig, chain);
    const base = ["--url", db, "--migrations", mig];
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
    assert.deepEqual(versions(db), ["r2"]);
  });
});

Deno.test("an unknown revision in the version table is an error that changes nothing", async () => {
  await withTempDir(async (dir) => {
    const mig = `${dir}/m`;
    const db = `${dir}/x.db`;
    await writeScripts(mig, chain);
    const base = ["--url", db, "--migrations", mig];
    assert.equal((await runCli([...base, "upgrade", "r1"])).code, 0);
    const d = new DatabaseSync(db);
    d.exec("UPDATE alembic_version SET version_num = 'ffff0000'");
    d.close();
    const r = await runCli([...base, "upgrade", "heads"]);
    assert.equal(r.code, 9);
    assert.match(r.err, /holds revision 'ffff0000', which is not in/);
    assert.deepEqual(versions(db), ["ffff0000"]);
    assert.ok(!tables(db).includes("b"));
  });
});

Deno.test("an empty version table means no revision", async () => {
  await withTempDir(async (dir) => {
    const mig = `${dir}/m`;
    const db = `${dir}/x.db`;
    await writeScripts(mig, chain);
    const d = new DatabaseSync(db);
    d.exec(
      "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, " +
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
    );
    d.close();
    const base = ["--url", db, "--migrations", mig];
    const cur = await runCli([...base, "current"]);
    assert.equal(cur.code, 0);
    assert.equal(cur.out, "");
    assert.equal((await runCli([...base, "upgrade", "r1"])).code, 0);
    assert.deepEqual(versions(db), ["r1"]);
  });
});

Deno.test("branches, a merge and depends_on leave Alembic's rows", async () => {
  await withTempDir(async (dir) => {
    const mig = `${dir}/m`;
    const db = `${dir}/x.db`;
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
    const base = ["--url", db, "--migrations", mig];
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
      assert.deepEqual(versions(db), expected, args.join(" "));
    }
    assert.ok(!tables(db).includes("c1"), "stamp runs no script");
  });
});

Deno.test("errors: usage 2, unknown target 6, one line each", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/x.db`;
    let r = await runCli(["--url", db, "upgrade", "nosuchrev"]);
    assert.equal(r.code, 6);
    assert.match(r.err, /nosuchrev/);
    assert.equal(r.err.split("\n").length, 1);
    r = await runCli(["--url", db, "--bogus", "current"]);
    assert.equal(r.code, 2);
    r = await runCli(["frobnicate"]);
    assert.equal(r.code, 2);
    r = await runCli(["current"]);
    assert.equal(r.code, 2, "no URL given");
    assert.match(r.err, /DATABASE_URL/);
  });
});

Deno.test("a malformed script names its file and line", async () => {
  await withTempDir(async (dir) => {
    const mig = `${dir}/m`;
    await writeScripts(mig, {
      "r1.sql": "-- revision: r1\n-- down_revison: r0\n\n-- bellows:upgrade\nSELECT 1;\n",
    });
    const r = await runCli(["--url", `${dir}/x.db`, "--migrations", mig, "upgrade", "heads"]);
    assert.equal(r.code, 6);
    assert.match(r.err, new RegExp(`${mig}/r1\\.sql:2: .*down_revison`));
  });
});

Deno.test("a second runner waits for the lock, then fails with exit 8", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/x.db`;
    assert.equal((await runCli(["--url", db, "upgrade", "liberty"])).code, 0);
    // Another process holds the runner lock (as a running bellows would).
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const f = await Deno.open(${JSON.stringify(db)}, {read: true, write: true});
         if (!(await f.tryLock(true))) Deno.exit(3);
         console.log("locked");
         await new Promise((r) => setTimeout(r, 20000));`,
      ],
      stdout: "piped",
    }).spawn();
    const reader = holder.stdout.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value).trim(), "locked");
    try {
      const started = Date.now();
      const r = await execCli(["--url", db, "--lock-wait", "1s", "upgrade", "heads"]);
      assert.equal(r.code, 8, r.err);
      assert.ok(Date.now() - started >= 900, "it waited for the lock");
      assert.match(r.err, /another bellows run holds the migration lock/);
      assert.deepEqual(versions(db), ["liberty"]);
    } finally {
      holder.kill("SIGKILL");
      await holder.status;
      reader.releaseLock();
      await holder.stdout.cancel().catch(() => {});
    }
    // The kernel dropped the dead holder's lock: the next run proceeds.
    const r = await execCli(["--url", db, "--lock-wait", "1s", "upgrade", "heads"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(versions(db), ["mitaka02"]);
  });
});

Deno.test("concurrent runners apply each revision exactly once", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/x.db`;
    const procs = Array.from({ length: 4 }, () => spawnCli(["--url", db, "upgrade", "heads"]));
    const results = await Promise.all(procs.map((p) => p.output()));
    for (const r of results) assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.deepEqual(versions(db), ["mitaka02"]);
    const ups = rows(db, "SELECT revision FROM bellows_audit WHERE direction = 'up' ORDER BY seq");
    assert.deepEqual(ups.map((r) => r.revision), ["liberty", "mitaka01", "mitaka02"]);
  });
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
