import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openSqlite, sqliteDialect } from "./sqlite.ts";
import { ConnectionError, LockBusyError, UsageError } from "../errors.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "bellows-sqlite-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function rejectsWith(
  p: Promise<unknown>,
  cls: new (...a: never[]) => Error,
  message: string | RegExp,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e}`);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

Deno.test("openSqlite: sqlite: with no path is refused (an in-memory database is thrown away)", async () => {
  for (const url of ["sqlite:", "sqlite://", ":memory:", "sqlite:///:memory:"]) {
    await rejectsWith(openSqlite(url), UsageError, /names no file/);
  }
});

Deno.test("openSqlite: a missing folder, a folder, a file that is not SQLite: named, nothing made", async () => {
  await withDir(async (dir) => {
    await rejectsWith(
      openSqlite(`${dir}/nope/x.db`),
      ConnectionError,
      `cannot create SQLite database ${dir}/nope/x.db: folder ${dir}/nope does not exist`,
    );
    await rejectsWith(
      openSqlite(`${dir}/nope/x.db`, { readOnly: true }),
      ConnectionError,
      `no SQLite database at ${dir}/nope/x.db: folder ${dir}/nope does not exist`,
    );
    await rejectsWith(
      openSqlite(dir),
      ConnectionError,
      `cannot use SQLite database ${dir}: it is a folder`,
    );
    await Deno.writeTextFile(`${dir}/text.db`, "hello, not a database at all\n");
    await rejectsWith(
      openSqlite(`${dir}/text.db`),
      ConnectionError,
      `cannot use SQLite database ${dir}/text.db: file is not a database`,
    );
    assert.equal(await Deno.readTextFile(`${dir}/text.db`), "hello, not a database at all\n");
    // An empty file is an empty database, as SQLite has it.
    await Deno.writeTextFile(`${dir}/empty.db`, "");
    const d = await openSqlite(`${dir}/empty.db`);
    assert.deepEqual(await d.query("SELECT name FROM sqlite_master"), []);
    await d.close();
  });
});

Deno.test("openSqlite: read-only, a missing file is an empty database and is not created", async () => {
  await withDir(async (dir) => {
    const d = await openSqlite(`${dir}/x.db`, { readOnly: true });
    assert.equal(d.display, `sqlite:${dir}/x.db`);
    assert.equal(await d.tableExists({ name: "alembic_version" }), false);
    await d.close();
    await assert.rejects(Deno.stat(`${dir}/x.db`), Deno.errors.NotFound);
  });
});

Deno.test("openSqlite: the probe takes no lock, so a writer elsewhere does not fail the open", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/x.db`;
    const writer = new DatabaseSync(path);
    writer.exec("CREATE TABLE t (x INTEGER)");
    // An exclusive lock: even readers are shut out, as during a big write that spills.
    writer.exec("BEGIN EXCLUSIVE");
    writer.exec("INSERT INTO t VALUES (1)");
    try {
      const d = await openSqlite(path, { lockTimeoutMs: 50 });
      await d.close();
      // A read-only look has to read, and says who is in the way.
      await rejectsWith(
        openSqlite(path, { readOnly: true, lockTimeoutMs: 50 }),
        LockBusyError,
        /is being written by another connection \(a bellows run\?\); waited 0\.1s/,
      );
    } finally {
      writer.exec("ROLLBACK");
      writer.close();
    }
  });
});

Deno.test("openSqlite: read-only rolls back an interrupted run's hot journal, then reads", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/x.db`;
    const setup = new DatabaseSync(path);
    setup.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)");
    setup.close();
    // A writer that dies mid-transaction (with a cache too small to hold its changes, so
    // they reach the file) leaves its journal behind: a hot journal.
    const killed = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { DatabaseSync } from "node:sqlite";
         const db = new DatabaseSync(${JSON.stringify(path)});
         db.exec("PRAGMA cache_size = 1");
         db.exec("BEGIN");
         db.exec("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 20000) INSERT INTO t SELECT n FROM c");
         Deno.exit(0);`,
      ],
    }).output();
    assert.ok(killed.success);
    assert.ok((await Deno.stat(`${path}-journal`)).size > 0, "a hot journal is left");
    const d = await openSqlite(path, { readOnly: true });
    assert.equal(Number((await d.query<{ n: number }>("SELECT count(*) AS n FROM t"))[0].n), 1);
    await d.close();
  });
});

Deno.test("sqlite: the runner lock on a file the OS will not let us write is a ConnectionError", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/x.db`;
    new DatabaseSync(path).close();
    await Deno.chmod(path, 0o444);
    // root writes through mode bits; an immutable file stops root too (where chattr works).
    const root = Deno.uid() === 0;
    if (root) {
      const r = await new Deno.Command("chattr", { args: ["+i", path] }).output();
      assert.ok(r.success, "chattr +i is needed to make a file read-only for root");
    }
    try {
      const d = await openSqlite(path);
      await rejectsWith(
        d.lock(0),
        ConnectionError,
        new RegExp(`^cannot write to SQLite database ${path}: the operating system refused \\(`),
      );
      await d.close();
    } finally {
      if (root) await new Deno.Command("chattr", { args: ["-i", path] }).output();
    }
  });
});

Deno.test("sqlite: a schema other than an attached one is a usage error; so is an empty name", async () => {
  await withDir(async (dir) => {
    const d = await openSqlite(`${dir}/x.db`);
    try {
      assert.equal(await d.tableExists({ schema: "main", name: "t" }), false);
      await rejectsWith(
        d.tableExists({ schema: "glance", name: "alembic_version" }),
        UsageError,
        /has no schema "glance" \(a SQLite schema is an attached database, and bellows attaches none\)/,
      );
    } finally {
      await d.close();
    }
  });
  assert.throws(() => sqliteDialect.quoteIdent(""), UsageError);
});

Deno.test("sqlite: a journal that cannot be made is named in the error's hint", async () => {
  await withDir(async (dir) => {
    const d = await openSqlite(`${dir}/x.db`);
    const info = d.errorInfo(Object.assign(new Error("unable to open database file"), {
      code: "ERR_SQLITE_ERROR",
    }));
    assert.equal(info?.code, "SQLITE_CANTOPEN");
    assert.match(info?.hint ?? "", /journal file beside .*x\.db: is that folder writable\?/);
    await d.close();
  });
});

Deno.test("sqlite: schemaObjectExists reads sqlite_master and pragma_table_info", async () => {
  await withDir(async (dir) => {
    const d = await openSqlite(`${dir}/o.db`);
    try {
      await d.run("CREATE TABLE t (a INTEGER, b INTEGER)");
      await d.run("CREATE VIEW v AS SELECT a FROM t");
      await d.run("CREATE INDEX t_a ON t (a)");
      const has = (o: Parameters<NonNullable<typeof d.schemaObjectExists>>[0]) =>
        d.schemaObjectExists!(o);
      assert.equal(await has({ kind: "table", name: "t", quoted: false }), true);
      assert.equal(await has({ kind: "table", name: "T", quoted: true }), true);
      assert.equal(await has({ kind: "table", name: "v", quoted: false }), false);
      assert.equal(await has({ kind: "view", name: "v", quoted: false }), true);
      assert.equal(await has({ kind: "index", name: "t_a", quoted: false }), true);
      assert.equal(await has({ kind: "index", name: "t_b", quoted: false }), false);
      assert.equal(await has({ kind: "column", name: "b", table: "t", quoted: false }), true);
      assert.equal(await has({ kind: "column", name: "c", table: "t", quoted: false }), false);
    } finally {
      await d.close();
    }
  });
});
