import assert from "node:assert/strict";
import { ConnectionError, ExitCode, LockBusyError, UsageError } from "../errors.ts";
import {
  lockName,
  mysqlDialect,
  MysqlDriver,
  mysqlErrorKind,
  openMysql,
  syntaxErrorPosition,
} from "./mysql.ts";
import type { DriverOptions } from "./options.ts";
import { parseMysqlConfig } from "./mysql_config.ts";
import {
  createDatabase,
  mysqlCli,
  PASSWORD_USER,
  startServer,
  type TestDatabase,
} from "../../tests/support/mariadb_server.ts";

// One server for this file (test files run in parallel); one database per test.
const server = await startServer();

/** Open drivers on a fresh database and close them after `fn`. */
async function withDb(
  prefix: string,
  fn: (
    db: TestDatabase,
    open: (o?: DriverOptions, url?: string) => Promise<MysqlDriver>,
  ) => Promise<void>,
): Promise<void> {
  const db = await createDatabase(server, prefix);
  const drivers: MysqlDriver[] = [];
  const open = async (o: DriverOptions = {}, url = db.url) => {
    const d = await openMysql(url, { env: {}, ...o });
    drivers.push(d);
    return d;
  };
  try {
    await fn(db, open);
  } finally {
    for (const d of drivers) await d.close();
  }
}

async function rejectsWith<E extends Error>(
  p: Promise<unknown>,
  type: new (...a: never[]) => E,
  pattern: RegExp,
): Promise<E> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error)?.name}: ${e}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    return e;
  }
  assert.fail(`expected ${type.name} matching ${pattern}`);
}

Deno.test("mysql: dialect quoting", () => {
  const d = mysqlDialect;
  assert.equal(d.name, "mysql");
  assert.equal(d.quoteIdent("alembic_version"), "`alembic_version`");
  assert.equal(d.quoteIdent("we`ird"), "`we``ird`");
  assert.equal(d.quoteIdent("é".repeat(64)), `\`${"é".repeat(64)}\``);
  assert.throws(() => d.quoteIdent("x".repeat(65)), /65 characters long/);
  assert.throws(() => d.quoteIdent(""), UsageError);
  assert.throws(() => d.quoteIdent("a\0b"), UsageError);
  assert.throws(() => d.quoteIdent("trailing "), /ends with a space/);
  assert.equal(d.quoteLiteral("it's"), "'it''s'");
  assert.equal(d.quoteLiteral("a\\b'c"), "'a\\\\b''c'");
  assert.throws(() => d.quoteLiteral("a\0"), UsageError);
  assert.equal(d.param(1), "?");
  assert.equal(d.param(3), "?");
  assert.equal(d.table({ name: "v" }), "`v`");
  assert.equal(d.table({ schema: "glance", name: "v" }), "`glance`.`v`");
  assert.equal(d.createSchema!("g"), "CREATE DATABASE IF NOT EXISTS `g`");
});

Deno.test("mysql: error kinds", () => {
  assert.equal(mysqlErrorKind(1205), "lock_timeout");
  assert.equal(mysqlErrorKind(1213), "deadlock");
  assert.equal(mysqlErrorKind(1064), undefined);
  assert.equal(mysqlErrorKind(undefined), undefined);
});

Deno.test("mysql: Galera's write conflicts are deadlocks; a node leaving the primary is a lost connection", () => {
  assert.equal(mysqlErrorKind(1047), "connection_lost");
  const d = new MysqlDriver(parseMysqlConfig("mysql://u@h/db"), {});
  const server = (errno: number, sqlMessage: string) =>
    Object.assign(new Error(sqlMessage), { errno, sqlState: "HY000", sqlMessage });
  // Whatever number it comes with (MariaDB wraps it in ER_ERROR_DURING_COMMIT at times).
  const conflict = server(
    1180,
    'Got error 149 "WSREP detected deadlock/conflict and aborted the transaction. Try ' +
      'restarting the transaction" during COMMIT',
  );
  assert.equal(d.errorInfo(conflict)?.kind, "deadlock");
  assert.equal(d.errorInfo(conflict)?.code, "1180 (HY000)");
  assert.equal(d.errorInfo(server(1180, "Got error 1 during COMMIT"))?.kind, "other");
});

Deno.test("mysql: lock names are per database and at most 64 characters", async () => {
  assert.equal(await lockName("glance"), "bellows:glance");
  const long = await lockName("d".repeat(64));
  assert.equal(long.length, 64);
  assert.match(long, /^bellows:d+:[0-9a-f]{24}$/);
  assert.notEqual(long, await lockName("d".repeat(63) + "e"));
});

Deno.test("mysql: syntax error position from 'near ... at line N'", () => {
  const msg = (near: string, line: number) =>
    `You have an error in your SQL syntax; check the manual that corresponds to your ` +
    `MariaDB server version for the right syntax to use near '${near}' at line ${line}`;
  assert.equal(syntaxErrorPosition("SELEC 1", msg("SELEC 1", 1)), 1);
  const sql = "SELECT 1,\n  FROM nowhere";
  assert.equal(syntaxErrorPosition(sql, msg("FROM nowhere", 2)), 13);
  // The same text earlier: the one running to the end of the statement wins.
  const twice = "SELECT x\nFROM t WHERE x = 1;\nFROM t";
  assert.equal(syntaxErrorPosition("CREATE TABLE t (a int,\n  a b c)", msg("c)", 2)), 30);
  assert.equal(syntaxErrorPosition(twice, msg("FROM t", 3)), twice.lastIndexOf("FROM t") + 1);
  // near '': the statement ended too early.
  assert.equal(syntaxErrorPosition("SELECT (1", msg("", 1)), 10);
  // Code points, not UTF-16 units, as PostgreSQL's position.
  assert.equal(syntaxErrorPosition("SELECT '😀' oops", msg("oops", 1)), 12);
  assert.equal(syntaxErrorPosition("SELECT 1", "Table 't' doesn't exist"), undefined);
});

Deno.test("mysql: connects over TCP; display has no password; utf8mb4", async () => {
  await withDb("tcp", async (db, open) => {
    const d = await open({}, db.passwordUrl(PASSWORD_USER.password));
    assert.equal(d.dialect.name, "mysql");
    assert.equal(
      d.display,
      `mysql://${PASSWORD_USER.name}@127.0.0.1:${server.port}/${db.name}`,
    );
    assert.ok(!d.display.includes(PASSWORD_USER.password));
    const [row] = await d.query<Record<string, unknown>>(
      "SELECT CONNECTION_ID() AS id, DATABASE() AS db, @@character_set_client AS cs, " +
        "CURRENT_USER() AS u",
    );
    assert.equal(Number(row.id), d.connectionId);
    assert.equal(row.db, db.name);
    assert.equal(row.cs, "utf8mb4");
    assert.equal(row.u, `${PASSWORD_USER.name}@%`);
    assert.equal(d.mariadb, true);
    // Seen from another session, over TCP.
    const host = await mysqlCli(
      server.superuserUrl,
      `SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = ${d.connectionId}`,
    );
    assert.match(host, /^127\.0\.0\.1:\d+$/);
  });
});

Deno.test("mysql: connects over the Unix socket (?unix_socket=)", async () => {
  await withDb("sock", async (db, open) => {
    const d = await open({}, db.socketUrl);
    assert.equal(d.display, `mysql://root@localhost/${db.name}?unix_socket=${server.socket}`);
    const host = await mysqlCli(
      server.superuserUrl,
      `SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = ${d.connectionId}`,
    );
    assert.equal(host, "localhost");
  });
});

Deno.test("mysql: wrong password is one ConnectionError line without the password", async () => {
  const db = await createDatabase(server, "pw");
  const wrong = "Wr0ng-Secret%/x";
  const e = await rejectsWith(
    openMysql(db.passwordUrl(wrong), { env: {} }),
    ConnectionError,
    /^cannot connect to mysql:\/\/bellows_pw@127\.0\.0\.1:\d+\/pw_\w+: Access denied for user 'bellows_pw'@'127\.0\.0\.1' \(using password: YES\) \(1045, SQLSTATE 28000\)$/,
  );
  assert.equal(e.exitCode, ExitCode.UNREACHABLE);
  assert.ok(!e.message.includes("Wr0ng"), e.message);
  await rejectsWith(
    openMysql(db.url.replace(db.name, "no_such_db"), { env: {} }),
    ConnectionError,
    /Unknown database 'no_such_db' \(1049, SQLSTATE 42000\)/,
  );
});

Deno.test("mysql: nothing listening, or a silent server, is a ConnectionError naming the target", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await rejectsWith(
    openMysql(`mysql://u:hunter2@127.0.0.1:${port}/db`, { env: {} }),
    ConnectionError,
    new RegExp(`connection refused at 127\\.0\\.0\\.1:${port}$`),
  );
  // A server that accepts but never speaks: connect_timeout.
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  (async () => {
    for await (const c of silent) accepted.push(c);
  })();
  try {
    const t0 = Date.now();
    await rejectsWith(
      openMysql(
        `mysql://u:hunter2@127.0.0.1:${(silent.addr as Deno.NetAddr).port}/db?connect_timeout=1`,
        { env: {} },
      ),
      ConnectionError,
      /no answer within 1s \(connect_timeout\)$/,
    );
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    silent.close();
    for (const c of accepted) c.close();
  }
  await rejectsWith(
    openMysql("mysql://u@localhost/db?unix_socket=/nonexistent/mysqld.sock", { env: {} }),
    ConnectionError,
    /no server socket at \/nonexistent\/mysqld\.sock$/,
  );
});

Deno.test("mysql: no user anywhere means the OS user, as the mysql client", async () => {
  const db = await createDatabase(server, "osuser");
  const me = (await import("node:os")).userInfo().username;
  const url = `mysql://127.0.0.1:${server.port}/${db.name}`;
  if (me === "root") {
    const d = await openMysql(url, { env: {} });
    try {
      assert.equal(d.display, `mysql://root@127.0.0.1:${server.port}/${db.name}`);
      const [row] = await d.query<{ u: string }>("SELECT CURRENT_USER() AS u");
      assert.match(row.u, /^root@/);
    } finally {
      await d.close();
    }
  } else {
    // No such database user on the throwaway server: refused, naming the OS user.
    await rejectsWith(openMysql(url, { env: {} }), ConnectionError, new RegExp(`'${me}'@`));
  }
});

Deno.test("mysql: read_default_file supplies the password", async () => {
  const db = await createDatabase(server, "cnf");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/my.cnf`,
      `[client]\nuser=${PASSWORD_USER.name}\npassword="${PASSWORD_USER.password}"\n` +
        `port=${server.port}\n`,
    );
    const d = await openMysql(
      `mysql+pymysql://127.0.0.1/${db.name}?read_default_file=~/my.cnf`,
      { env: { HOME: dir } },
    );
    try {
      const [row] = await d.query<{ u: string }>("SELECT CURRENT_USER() AS u");
      assert.equal(row.u, `${PASSWORD_USER.name}@%`);
      assert.equal(d.display, `mysql://${PASSWORD_USER.name}@127.0.0.1:${server.port}/${db.name}`);
    } finally {
      await d.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mysql: run, query with parameters, transaction commit and rollback", async () => {
  await withDb("dml", async (db, open) => {
    const d = await open();
    assert.equal(await d.run("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))"), 0);
    assert.equal(await d.run("INSERT INTO t VALUES (?, ?), (?, ?)", [1, "a", 2, "it's"]), 2);
    // FOUND_ROWS: an UPDATE counts the rows it matched, as on PostgreSQL.
    assert.equal(await d.run("UPDATE t SET name = name WHERE id = ?", [1]), 1);
    assert.deepEqual(await d.query("SELECT id, name FROM t ORDER BY id"), [
      { id: 1, name: "a" },
      { id: 2, name: "it's" },
    ]);
    assert.deepEqual(await d.query("SELECT ? AS n", [null]), [{ n: null }]);
    assert.deepEqual(await d.query("SELECT ? AS n", [undefined]), [{ n: null }]);

    const got = await d.transaction(async (tx) => {
      await tx.run("INSERT INTO t VALUES (3, 'c')");
      await assert.rejects(d.query("SELECT 1"), /transaction's executor/);
      return (await tx.query<{ n: number }>("SELECT COUNT(*) AS n FROM t"))[0].n;
    });
    assert.equal(Number(got), 3);
    await assert.rejects(
      d.transaction(async (tx) => {
        await tx.run("INSERT INTO t VALUES (4, 'd')");
        await tx.run("DELETE FROM t WHERE id = 1");
        throw new Error("boom");
      }),
      /boom/,
    );
    // Rolled back: seen from outside the driver, too.
    assert.equal(await mysqlCli(db.url, "SELECT GROUP_CONCAT(id ORDER BY id) FROM t"), "1,2,3");
    // A failing statement inside rolls back, and the error is the server's.
    await assert.rejects(
      d.transaction(async (tx) => {
        await tx.run("INSERT INTO t VALUES (5, 'e')");
        await tx.run("INSERT INTO t VALUES (1, 'dup')");
      }),
      (e: unknown) => d.errorInfo(e)?.code === "1062 (23000)",
    );
    assert.equal(await mysqlCli(db.url, "SELECT COUNT(*) FROM t"), "3");
    assert.equal(await d.tableExists({ name: "t" }), true);
    assert.equal(await d.tableExists({ name: "nope" }), false);
    assert.equal(await d.tableExists({ schema: db.name, name: "t" }), true);
    assert.equal(await d.tableExists({ schema: "mysql", name: "t" }), false);
    assert.deepEqual(await d.invalidIndexes(), []);
  });
});

Deno.test("mysql: errorInfo carries errno, SQLSTATE, message and the syntax error's position", async () => {
  await withDb("err", async (_db, open) => {
    const d = await open();
    const sql = "SELECT 1,\n  FROM nowhere";
    let caught: unknown;
    try {
      await d.run(sql);
    } catch (e) {
      caught = e;
    }
    const info = d.errorInfo(caught);
    assert.ok(info, `no info for ${caught}`);
    assert.equal(info.code, "1064 (42000)");
    assert.match(info.message, /near 'FROM nowhere' at line 2$/);
    assert.equal(info.position, sql.indexOf("FROM") + 1);
    const missing = await d.run("SELECT * FROM no_table").catch((e) => d.errorInfo(e));
    assert.equal(typeof missing, "object");
    assert.deepEqual(missing, {
      code: "1146 (42S02)",
      kind: "other",
      message: `Table '${_db.name}.no_table' doesn't exist`,
    });
    assert.equal(d.errorInfo(new Error("not a database error")), undefined);
    // Still usable after errors.
    assert.deepEqual(await d.query("SELECT 2 AS x"), [{ x: 2 }]);
  });
});

Deno.test("mysql: the lock is exclusive, names its holder, and goes with release or close", async () => {
  await withDb("lock", async (db, open) => {
    const a = await open();
    const b = await open();
    const releaseA = await a.lock(1000);
    const t0 = Date.now();
    const e = await rejectsWith(
      b.lock(300),
      LockBusyError,
      new RegExp(
        `^another bellows run holds the migration lock on mysql://root@127\\.0\\.0\\.1:\\d+/` +
          `${db.name} \\(connection id ${a.connectionId}, user root, host 127\\.0\\.0\\.1:\\d+, ` +
          `idle since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\); waited 0\\.[3-9]s$`,
      ),
    );
    assert.ok(Date.now() - t0 >= 290, "waited for the lock");
    assert.equal(e.exitCode, ExitCode.LOCK_BUSY);
    // Seen by the server as a user lock held by a's connection.
    assert.equal(
      await mysqlCli(server.superuserUrl, `SELECT IS_USED_LOCK('bellows:${db.name}')`),
      String(a.connectionId),
    );
    await releaseA();
    await releaseA(); // idempotent
    const releaseB = await b.lock(1000);
    // Closing the holder's connection frees the lock.
    await b.close();
    const c = await open();
    const releaseC = await c.lock(2000);
    await releaseC();
    await releaseB(); // after close: nothing to do
    // Another database on the same server has its own lock.
    const other = await createDatabase(server, "lock2");
    const held = await a.lock(1000);
    const o = await open({}, other.url);
    const releaseO = await o.lock(0);
    await releaseO();
    await held();
  });
});

Deno.test("mysql: --lock-timeout sets lock_wait_timeout and innodb_lock_wait_timeout", async () => {
  await withDb("lockwait", async (db, open) => {
    const d = await open({ lockTimeoutMs: 1500, statementTimeoutMs: 2500 });
    const [s] = await d.query<Record<string, unknown>>(
      "SELECT @@SESSION.lock_wait_timeout AS lw, @@SESSION.innodb_lock_wait_timeout AS ilw, " +
        "@@SESSION.max_statement_time AS mst",
    );
    assert.equal(Number(s.lw), 2);
    assert.equal(Number(s.ilw), 2);
    assert.equal(Number(s.mst), 2.5);
    await d.run("CREATE TABLE t (id INT PRIMARY KEY)");
    await d.run("INSERT INTO t VALUES (1)");
    // Another session holds the table's metadata lock: our DDL waits 2 s, then fails 1205.
    const holder = await open();
    await holder.run("START TRANSACTION");
    await holder.query("SELECT * FROM t FOR UPDATE");
    const t0 = Date.now();
    const err = await d.run("ALTER TABLE t ADD COLUMN c INT").catch((e) => e);
    const waited = Date.now() - t0;
    assert.equal(d.errorInfo(err)?.code, "1205 (HY000)");
    assert.equal(mysqlErrorKind(1205), "lock_timeout");
    assert.ok(waited >= 1900 && waited < 6000, `waited ${waited} ms`);
    // And a row lock: 1205 again, from InnoDB.
    const rowErr = await d.run("UPDATE t SET id = 2 WHERE id = 1").catch((e) => e);
    assert.equal(d.errorInfo(rowErr)?.code, "1205 (HY000)");
    await holder.run("ROLLBACK");
    assert.equal(await d.run("UPDATE t SET id = 2 WHERE id = 1"), 1);
    // Without options the server's defaults stay.
    const plain = await open();
    const [p] = await plain.query<{ lw: number }>("SELECT @@SESSION.lock_wait_timeout AS lw");
    assert.equal(
      String(p.lw),
      await mysqlCli(db.url, "SELECT @@GLOBAL.lock_wait_timeout"),
    );
  });
});

Deno.test("mysql: a killed connection becomes ConnectionError and the lock goes with it", async () => {
  await withDb("kill", async (db, open) => {
    const d = await open({}, db.passwordUrl(PASSWORD_USER.password));
    const release = await d.lock(1000);
    await mysqlCli(server.superuserUrl, `KILL ${d.connectionId}`);
    await new Promise((r) => setTimeout(r, 200));
    const e = await rejectsWith(
      d.query("SELECT 1"),
      ConnectionError,
      /^lost the connection to mysql:/,
    );
    assert.ok(!e.message.includes(PASSWORD_USER.password));
    await rejectsWith(d.run("SELECT 1"), ConnectionError, /lost the connection/);
    await release(); // the server dropped it; nothing to do
    const other = await open();
    const r2 = await other.lock(1000);
    await r2();
  });
});

Deno.test("mysql: a statement killed mid-run reports the lost connection", async () => {
  await withDb("killrun", async (db, open) => {
    const d = await open();
    const running = d.query("SELECT SLEEP(30)").catch((e) => e);
    await new Promise((r) => setTimeout(r, 300));
    await mysqlCli(db.url, `KILL ${d.connectionId}`);
    const e = await running;
    assert.ok(e instanceof ConnectionError, `got ${e}`);
    assert.match(e.message, /lost the connection to mysql:\/\/root@/);
  });
});

Deno.test("mysql: a missing Deno permission is a PermissionError naming the flag", async () => {
  const db = await createDatabase(server, "perm");
  const probe = new URL("../../tests/support/mysql/open_probe.ts", import.meta.url).pathname;
  const run = async (flags: string[], url: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", ...flags, probe, url],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(stdout.split("\n").length, 1, stdout);
    return JSON.parse(stdout);
  };
  const tcp = await run([], db.url);
  assert.equal(tcp.name, "PermissionError");
  assert.equal(tcp.exitCode, ExitCode.PERMISSION);
  assert.match(tcp.message, new RegExp(`--allow-net=127\\.0\\.0\\.1:${server.port}$`));
  const sock = await run([], db.socketUrl);
  assert.equal(sock.name, "PermissionError");
  assert.match(
    sock.message,
    /--allow-read=(\S+mysqld\.sock) --allow-write=\1 --allow-net=unix:\1$/,
  );
  const cnf = await run(
    [`--allow-net=127.0.0.1:${server.port}`],
    `mysql://127.0.0.1:${server.port}/${db.name}?read_default_file=/etc/bellows-none.cnf`,
  );
  assert.equal(cnf.name, "PermissionError");
  assert.match(cnf.message, /--allow-read=\/etc\/bellows-none\.cnf$/);
  // With just the net permission it connects: no --allow-env, --allow-sys or --allow-read.
  const ok = await run([`--allow-net=127.0.0.1:${server.port}`], db.url);
  assert.equal(ok.ok, true, JSON.stringify(ok));
  // Over the socket: exactly the three the message names suffice.
  const okSock = await run(
    [
      `--allow-read=${server.socket}`,
      `--allow-write=${server.socket}`,
      `--allow-net=unix:${server.socket}`,
    ],
    db.socketUrl,
  );
  assert.equal(okSock.ok, true, JSON.stringify(okSock));
});

Deno.test("mysql: a deadlock is 1213 (40001)", async () => {
  await withDb("deadlock", async (_db, open) => {
    const a = await open({ lockTimeoutMs: 10_000 });
    const b = await open({ lockTimeoutMs: 10_000 });
    await a.run("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
    await a.run("INSERT INTO t VALUES (1, 0), (2, 0)");
    await a.run("START TRANSACTION");
    await b.run("START TRANSACTION");
    await a.run("UPDATE t SET v = 1 WHERE id = 1");
    await b.run("UPDATE t SET v = 1 WHERE id = 2");
    const first = a.run("UPDATE t SET v = 2 WHERE id = 2").then(() => undefined, (e) => e);
    await new Promise((r) => setTimeout(r, 200));
    const second = await b.run("UPDATE t SET v = 2 WHERE id = 1").then(() => undefined, (e) => e);
    const errors = [await first, second].filter(Boolean);
    assert.equal(errors.length, 1, String(errors));
    assert.equal(a.errorInfo(errors[0])?.code, "1213 (40001)");
    assert.equal(mysqlErrorKind(1213), "deadlock");
    await a.run("ROLLBACK");
    await b.run("ROLLBACK");
  });
});

Deno.test("mysql: schemaObjectExists reads information_schema", async () => {
  await withDb("objects", async (_db, open) => {
    const d = await open();
    await d.run("CREATE TABLE t (a INT, b INT)");
    await d.run("CREATE TABLE `Mixed` (a INT)");
    await d.run("CREATE VIEW v AS SELECT a FROM t");
    await d.run("CREATE INDEX t_a ON t (a)");
    const has = (o: Parameters<MysqlDriver["schemaObjectExists"]>[0]) => d.schemaObjectExists(o);
    assert.equal(await has({ kind: "table", name: "t", quoted: false }), true);
    assert.equal(await has({ kind: "table", name: "v", quoted: false }), false);
    assert.equal(await has({ kind: "view", name: "v", quoted: false }), true);
    assert.equal(await has({ kind: "table", name: "Mixed", quoted: true }), true);
    assert.equal(await has({ kind: "table", name: "MIXED", quoted: true }), false);
    // Unquoted names were lowercased when read from the statement.
    assert.equal(await has({ kind: "table", name: "mixed", quoted: false }), true);
    assert.equal(await has({ kind: "index", name: "t_a", table: "t", quoted: false }), true);
    assert.equal(await has({ kind: "index", name: "t_b", table: "t", quoted: false }), false);
    // Index names are per table here: without one, it cannot tell.
    assert.equal(await has({ kind: "index", name: "t_a", quoted: false }), undefined);
    assert.equal(await has({ kind: "column", name: "b", table: "t", quoted: false }), true);
    assert.equal(await has({ kind: "column", name: "c", table: "t", quoted: false }), false);
  });
});
