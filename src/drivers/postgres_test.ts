import assert from "node:assert/strict";
import {
  ConnectionError,
  ExitCode,
  LockBusyError,
  PermissionError,
  UsageError,
} from "../errors.ts";
import { LOCK_KEY, openPostgres, postgresDialect } from "./postgres.ts";
import type { Driver } from "./types.ts";
import type { DriverOptions } from "./options.ts";
import {
  createDatabase,
  PASSWORD_USER,
  psql,
  startCluster,
  type TestDatabase,
} from "../../tests/support/pg_cluster.ts";

// One cluster for this file (test files run in parallel); one database per test.
const cluster = await startCluster();

/** Open a driver on a fresh database and close it after `fn`. */
async function withDb(
  prefix: string,
  fn: (
    db: TestDatabase,
    open: (o?: DriverOptions, url?: string) => Promise<Driver>,
  ) => Promise<void>,
): Promise<void> {
  const db = await createDatabase(cluster, prefix);
  const drivers: Driver[] = [];
  const open = async (o: DriverOptions = {}, url = db.url) => {
    const d = await openPostgres(url, { env: {}, ...o });
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

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("postgres: dialect quoting", () => {
  const d = postgresDialect;
  assert.equal(d.name, "postgresql");
  assert.equal(d.quoteIdent("alembic_version"), '"alembic_version"');
  assert.equal(d.quoteIdent('we"ird'), '"we""ird"');
  assert.equal(d.quoteIdent("x".repeat(63)), `"${"x".repeat(63)}"`);
  assert.throws(() => d.quoteIdent("x".repeat(64)), UsageError);
  // 32 two-byte characters are 64 bytes.
  assert.throws(() => d.quoteIdent("é".repeat(32)), /64 bytes long/);
  assert.throws(() => d.quoteIdent(""), UsageError);
  assert.throws(() => d.quoteIdent("a\0b"), UsageError);
  assert.equal(d.quoteLiteral("it's"), "'it''s'");
  assert.equal(d.quoteLiteral("a\\b'c"), "E'a\\\\b''c'");
  assert.throws(() => d.quoteLiteral("a\0"), UsageError);
  assert.equal(d.param(1), "$1");
  assert.equal(d.param(12), "$12");
  assert.equal(d.table({ name: "v" }), '"v"');
  assert.equal(d.table({ schema: "s", name: "v" }), '"s"."v"');
});

Deno.test("postgres: lock key is derived from 'bellows'", async () => {
  const h = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("bellows"));
  assert.equal(new DataView(h).getBigInt64(0, false).toString(), LOCK_KEY);
});

Deno.test("postgres: connects over TCP; display has no password; application_name", async () => {
  await withDb("tcp", async (db, open) => {
    const d = await open();
    assert.equal(d.dialect.name, "postgresql");
    assert.equal(d.display, db.url.replace("postgresql://", "postgresql://"));
    const [row] = await d.query<{ app: string; addr: string | null; pid: number }>(
      `SELECT application_name AS app, host(client_addr) AS addr, pg_backend_pid() AS pid
         FROM pg_stat_activity WHERE pid = pg_backend_pid()`,
    );
    assert.equal(row.app, "bellows");
    assert.equal(row.addr, "127.0.0.1");
    // Seen from another session, too.
    const seen = await psql(
      db.url,
      `SELECT application_name FROM pg_stat_activity WHERE pid = ${row.pid}`,
    );
    assert.equal(seen, "bellows");
    const custom = await open({ applicationName: "bellows-ci" });
    const [c] = await custom.query<{ a: string }>("SELECT current_setting('application_name') a");
    assert.equal(c.a, "bellows-ci");
    const fromUrl = await open({}, `${db.url}?application_name=from-url`);
    const [u] = await fromUrl.query<{ a: string }>("SELECT current_setting('application_name') a");
    assert.equal(u.a, "from-url");
  });
});

Deno.test("postgres: connects over the Unix socket (?host=<dir>)", async () => {
  await withDb("sock", async (db, open) => {
    const d = await open({}, db.socketUrl);
    const [row] = await d.query<{ addr: string | null; db: string }>(
      "SELECT inet_client_addr()::text AS addr, current_database() AS db",
    );
    assert.equal(row.addr, null);
    assert.equal(row.db, db.name);
    assert.equal(
      d.display,
      `postgresql://${cluster.superuser}@/${db.name}?host=${cluster.socketDir}&port=${cluster.port}`,
    );
    // PGHOST naming the socket directory works the same way.
    const viaEnv = await openPostgres(`postgresql:///${db.name}`, {
      env: { PGHOST: cluster.socketDir, PGPORT: String(cluster.port), PGUSER: cluster.superuser },
    });
    try {
      const [r] = await viaEnv.query<{ addr: string | null }>(
        "SELECT inet_client_addr()::text AS addr",
      );
      assert.equal(r.addr, null);
    } finally {
      await viaEnv.close();
    }
  });
});

Deno.test("postgres: password login; a wrong password is a ConnectionError without it", async () => {
  await withDb("pw", async (db, open) => {
    const ok = await open({}, db.passwordUrl(PASSWORD_USER.password));
    const [row] = await ok.query<{ u: string }>("SELECT current_user AS u");
    assert.equal(row.u, PASSWORD_USER.name);
    assert.ok(!ok.display.includes(PASSWORD_USER.password));

    const wrong = "Wr0ng-pa55-XYZZY";
    const e = await rejectsWith(
      open({}, db.passwordUrl(wrong)),
      ConnectionError,
      /^cannot connect to postgresql:\/\/bellows_pw@127\.0\.0\.1:\d+\/pw_\w+: password authentication failed for user "bellows_pw" \(SQLSTATE 28P01\)$/,
    );
    assert.equal(e.exitCode, ExitCode.UNREACHABLE);
    assert.ok(!e.message.includes(wrong));
    assert.ok(!JSON.stringify(e).includes(wrong));
    assert.ok(!String(e.stack).includes(wrong));
    // From PGPASSWORD, too.
    await rejectsWith(
      openPostgres(db.passwordUrl(wrong).replace(`:${wrong}`, ""), { env: { PGPASSWORD: wrong } }),
      ConnectionError,
      /password authentication failed/,
    );
  });
});

Deno.test("postgres: unknown database", async () => {
  await rejectsWith(
    openPostgres(`postgresql://${cluster.superuser}@127.0.0.1:${cluster.port}/no_such_db`, {
      env: {},
    }),
    ConnectionError,
    /: database "no_such_db" does not exist \(SQLSTATE 3D000\)$/,
  );
});

Deno.test("postgres: a server without TLS refuses sslmode=require in one line; prefer goes on in plain", async () => {
  // The tests' cluster runs with ssl=off.
  const url = `postgresql://${cluster.superuser}@127.0.0.1:${cluster.port}/postgres`;
  await rejectsWith(
    openPostgres(`${url}?sslmode=require`, { env: {} }),
    ConnectionError,
    /^cannot connect to postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres: the server does not accept TLS \(sslmode=require\): it runs with ssl=off$/,
  );
  const d = await openPostgres(`${url}?sslmode=prefer`, { env: {} });
  try {
    assert.deepEqual(await d.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"), [
      { ssl: false },
    ]);
  } finally {
    await d.close();
  }
});

Deno.test("postgres: connection errors are scrubbed of the password wherever it shows", async () => {
  // Trust auth ignores the password, and the server then echoes the database name.
  const secret = "Hunter2-Zz9";
  const e = await rejectsWith(
    openPostgres(
      `postgresql://${cluster.superuser}:${secret}@127.0.0.1:${cluster.port}/${secret}`,
      { env: {} },
    ),
    ConnectionError,
    /: database "\*\*\*" does not exist \(SQLSTATE 3D000\)$/,
  );
  assert.ok(!e.message.includes(secret));
});

Deno.test("postgres: target_session_attrs is checked after connecting", async () => {
  const d = await openPostgres(`${cluster.url}?target_session_attrs=read-write`, { env: {} });
  await d.close();
  await rejectsWith(
    openPostgres(`${cluster.url}?target_session_attrs=standby`, { env: {} }),
    ConnectionError,
    /the server is a read-write primary \(target_session_attrs=standby\)$/,
  );
});

Deno.test("postgres: refused port, unknown host, missing socket, timeout", async () => {
  const port = freePort();
  await rejectsWith(
    openPostgres(`postgresql://u@127.0.0.1:${port}/db`, { env: {} }),
    ConnectionError,
    new RegExp(`^cannot connect to postgresql://u@127\\.0\\.0\\.1:${port}/db: connection refused`),
  );
  await rejectsWith(
    openPostgres("postgresql://u@no-such-host.invalid:5432/db", {
      env: {},
      connectTimeoutMs: 5000,
    }),
    ConnectionError,
    /no-such-host\.invalid.*(unknown host|no answer)/,
  );
  const dir = await Deno.makeTempDir();
  try {
    await rejectsWith(
      openPostgres(`postgresql://u@/db?host=${dir}`, { env: {} }),
      ConnectionError,
      /no server socket at .*\.s\.PGSQL\.5432/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // A listener that accepts and never answers.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const c of listener) held.push(c);
  })();
  try {
    const silent = (listener.addr as Deno.NetAddr).port;
    const t0 = Date.now();
    await rejectsWith(
      openPostgres(`postgresql://u@127.0.0.1:${silent}/db?sslmode=disable`, {
        env: {},
        connectTimeoutMs: 300,
      }),
      ConnectionError,
      /no answer within 0\.3s \(connect_timeout\)/,
    );
    assert.ok(Date.now() - t0 < 3000);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const c of held) c.close();
  }
});

Deno.test("postgres: sslmode=require against a server without TLS is a clear error", async () => {
  await rejectsWith(
    openPostgres(`${cluster.url}?sslmode=require`, { env: {} }),
    ConnectionError,
    /^cannot connect to .*: .*(ssl|TLS)/i,
  );
  // prefer (the default) falls back to plain.
  const d = await openPostgres(cluster.url, { env: {} });
  await d.close();
});

Deno.test("postgres: unknown URL parameter is a UsageError (exit 2) naming it", async () => {
  await rejectsWith(
    openPostgres(`${cluster.url}?frobnicate=1`, { env: {} }),
    UsageError,
    /unsupported PostgreSQL URL parameter "frobnicate"/,
  );
});

Deno.test("postgres: allowed server settings in the URL reach the session", async () => {
  await withDb("settings", async (db, open) => {
    const d = await open({}, `${db.url}?search_path=custom,public&options=-c%20work_mem%3D7MB`);
    const [row] = await d.query<{ sp: string; wm: string }>(
      "SELECT current_setting('search_path') sp, current_setting('work_mem') wm",
    );
    assert.equal(row.sp, "custom,public");
    assert.equal(row.wm, "7MB");
  });
});

Deno.test("postgres: transaction commits, and rolls back DDL on error", async () => {
  await withDb("tx", async (_db, open) => {
    const d = await open();
    const value = await d.transaction(async (tx) => {
      await tx.run("CREATE TABLE kept (id int)");
      assert.equal(await tx.run("INSERT INTO kept VALUES (1), (2), (3)"), 3);
      const rows = await tx.query<{ n: string }>("SELECT count(*) AS n FROM kept");
      return rows[0].n;
    });
    assert.equal(value, "3");
    assert.equal(await d.tableExists({ name: "kept" }), true);

    await assert.rejects(
      d.transaction(async (tx) => {
        await tx.run("CREATE TABLE dropped (id int)");
        await tx.run("ALTER TABLE kept ADD COLUMN extra text");
        throw new Error("migration body failed");
      }),
      /migration body failed/,
    );
    assert.equal(await d.tableExists({ name: "dropped" }), false);
    const cols = await d.query(
      "SELECT 1 FROM information_schema.columns WHERE column_name = 'extra'",
    );
    assert.equal(cols.length, 0);

    // A failing statement rolls the whole transaction back and surfaces the server error.
    let caught: unknown;
    try {
      await d.transaction(async (tx) => {
        await tx.run("CREATE TABLE half (id int)");
        await tx.run("INSERT INTO half VALUES ('not a number')");
      });
    } catch (e) {
      caught = e;
    }
    assert.equal(d.errorInfo(caught)?.code, "22P02");
    assert.equal(await d.tableExists({ name: "half" }), false);

    // Using the driver itself inside transaction() would deadlock on one connection.
    await assert.rejects(
      d.transaction(() => d.run("SELECT 1")),
      /transaction's executor/,
    );
    assert.equal((await d.query<{ one: number }>("SELECT 1 AS one"))[0].one, 1);
  });
});

Deno.test("postgres: run outside a transaction autocommits (CREATE INDEX CONCURRENTLY)", async () => {
  await withDb("auto", async (db, open) => {
    const d = await open();
    await d.run("CREATE TABLE t (id int)");
    assert.equal(await d.run("INSERT INTO t SELECT generate_series(1, 10)"), 10);
    // Visible to another session at once: committed.
    assert.equal(await psql(db.url, "SELECT count(*) FROM t"), "10");
    await d.run("CREATE INDEX CONCURRENTLY t_id ON t (id)");
    assert.equal(
      await psql(db.url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id'::regclass"),
      "t",
    );
    // Inside a transaction it is refused by the server, as it should be.
    let caught: unknown;
    try {
      await d.transaction((tx) => tx.run("CREATE INDEX CONCURRENTLY t_id2 ON t (id)"));
    } catch (e) {
      caught = e;
    }
    assert.equal(d.errorInfo(caught)?.code, "25001");
    // Parameters use the extended protocol.
    assert.equal(await d.run("DELETE FROM t WHERE id > $1", [7]), 3);
    const rows = await d.query<{ id: number }>("SELECT id FROM t WHERE id = $1", [2]);
    assert.deepEqual(rows, [{ id: 2 }]);
  });
});

Deno.test("postgres: errorInfo: syntax error position, DO block internals", async () => {
  await withDb("errinfo", async (_db, open) => {
    const d = await open();
    let caught: unknown;
    try {
      await d.run("SELECT 1;\nSELEC 2");
    } catch (e) {
      caught = e;
    }
    const info = d.errorInfo(caught);
    assert.equal(info?.code, "42601");
    assert.equal(info?.position, 11);
    assert.match(info!.message, /syntax error at or near "SELEC"/);

    try {
      await d.run(
        "DO $$\nBEGIN\n  PERFORM 1;\n  PERFORM * FROM missing_table;\nEND\n$$",
      );
    } catch (e) {
      caught = e;
    }
    const inner = d.errorInfo(caught);
    assert.equal(inner?.code, "42P01");
    assert.equal(inner?.internalQuery, "SELECT * FROM missing_table");
    assert.equal(inner?.internalPosition, 15);
    assert.match(inner!.where!, /PL\/pgSQL function inline_code_block line 4 at PERFORM/);
    assert.equal(inner?.position, undefined);

    try {
      await d.run("DO $$ BEGIN RAISE EXCEPTION 'nope' USING DETAIL = 'd', HINT = 'h'; END $$");
    } catch (e) {
      caught = e;
    }
    const raised = d.errorInfo(caught);
    assert.equal(raised?.code, "P0001");
    assert.equal(raised?.detail, "d");
    assert.equal(raised?.hint, "h");

    assert.equal(d.errorInfo(new Error("plain")), undefined);
    assert.equal(d.errorInfo("text"), undefined);
  });
});

Deno.test("postgres: notices go to onNotice, never to stdout", async () => {
  await withDb("notice", async (_db, open) => {
    const notices: string[] = [];
    const logged: unknown[] = [];
    const original = console.log;
    console.log = (...a: unknown[]) => void logged.push(a);
    try {
      const d = await open({ onNotice: (m) => notices.push(m) });
      await d.run("DO $$ BEGIN RAISE NOTICE 'step % done', 1; RAISE WARNING 'careful'; END $$");
      await d.run("DROP TABLE IF EXISTS not_there");
      const quiet = await open();
      await quiet.run("DO $$ BEGIN RAISE NOTICE 'nobody listens'; END $$");
    } finally {
      console.log = original;
    }
    assert.deepEqual(notices, [
      "NOTICE: step 1 done",
      "WARNING: careful",
      'NOTICE: table "not_there" does not exist, skipping',
    ]);
    assert.deepEqual(logged, []);
  });
});

Deno.test("postgres: tableExists uses current_schema() unless a schema is given", async () => {
  await withDb("exists", async (_db, open) => {
    const d = await open();
    await d.run("CREATE SCHEMA other");
    await d.run("CREATE TABLE other.only_there (id int)");
    await d.run(`CREATE TABLE ${d.dialect.table({ name: 'Mixed "Case"' })} (id int)`);
    assert.equal(await d.tableExists({ name: "only_there" }), false);
    assert.equal(await d.tableExists({ schema: "other", name: "only_there" }), true);
    assert.equal(await d.tableExists({ schema: "public", name: 'Mixed "Case"' }), true);
    assert.equal(await d.tableExists({ name: 'Mixed "Case"' }), true);
    assert.equal(await d.tableExists({ name: "mixed" }), false);
    await d.run("SET search_path = other, public");
    assert.equal(await d.tableExists({ name: "only_there" }), true);
  });
});

Deno.test("postgres: lock_timeout and statement_timeout are set for the session", async () => {
  await withDb("timeouts", async (_db, open) => {
    const d = await open({ lockTimeoutMs: 300, statementTimeoutMs: 0 });
    const [s] = await d.query<{ lt: string; st: string }>(
      "SELECT current_setting('lock_timeout') lt, current_setting('statement_timeout') st",
    );
    assert.deepEqual(s, { lt: "300ms", st: "0" });
    await d.run("CREATE TABLE busy (id int)");

    // Another session holds an exclusive lock; our statement gives up after ~lock_timeout.
    const other = await open();
    let release!: () => void;
    const released = new Promise<void>((r) => release = r);
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => locked = r);
    const holder = other.transaction(async (tx) => {
      await tx.run("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
      locked();
      await released;
    });
    await isLocked;
    const t0 = Date.now();
    let caught: unknown;
    try {
      await d.run("ALTER TABLE busy ADD COLUMN x int");
    } catch (e) {
      caught = e;
    }
    const elapsed = Date.now() - t0;
    release();
    await holder;
    assert.equal(d.errorInfo(caught)?.code, "55P03");
    assert.ok(elapsed >= 250 && elapsed < 3000, `waited ${elapsed}ms`);

    const slow = await open({ statementTimeoutMs: 200 });
    try {
      await slow.run("SELECT pg_sleep(5)");
    } catch (e) {
      caught = e;
    }
    assert.equal(slow.errorInfo(caught)?.code, "57014");
  });
});

Deno.test("postgres: lock: a second runner waits, names the holder, then gets it", async () => {
  await withDb("lock", async (db, open) => {
    const first = await open();
    const second = await open({ applicationName: "bellows-second" });
    const [{ pid }] = await first.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const release = await first.lock(0);

    const t0 = Date.now();
    const e = await rejectsWith(
      second.lock(400),
      LockBusyError,
      new RegExp(
        `^another bellows run holds the migration lock on ${
          db.url.replace(/[.?]/g, "\\$&")
        } \\(pid ${pid}, application_name bellows, user postgres, client 127\\.0\\.0\\.1, ` +
          `since \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\); waited 0\\.\\ds$`,
      ),
    );
    assert.equal(e.exitCode, ExitCode.LOCK_BUSY);
    const waited = Date.now() - t0;
    assert.ok(waited >= 400 && waited < 2000, `waited ${waited}ms`);

    // Released while the second runner waits: it gets the lock.
    const pending = second.lock(5000);
    await new Promise((r) => setTimeout(r, 150));
    await release();
    await release(); // idempotent
    const release2 = await pending;
    const held = await psql(
      db.url,
      `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted`,
    );
    assert.equal(held, "1");
    await release2();
    assert.equal(
      await psql(db.url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"),
      "0",
    );
  });
});

Deno.test("postgres: lock is per database", async () => {
  await withDb("lockdb", async (_db, open) => {
    const other = await createDatabase(cluster, "lockdb2");
    const a = await open();
    const b = await open({}, other.url);
    const ra = await a.lock(0);
    // A cluster-wide lock would refuse this: the other database's runner is not excluded.
    const rb = await b.lock(0);
    // Within each database a second runner still is.
    const a2 = await open();
    const b2 = await open({}, other.url);
    await rejectsWith(a2.lock(0), LockBusyError, /another bellows run holds the migration lock/);
    await rejectsWith(b2.lock(0), LockBusyError, /another bellows run holds the migration lock/);
    // Releasing one database's lock frees that database only.
    await ra();
    const ra2 = await a2.lock(0);
    await rejectsWith(b2.lock(0), LockBusyError, /another bellows run holds the migration lock/);
    await ra2();
    await rb();
    const rb2 = await b2.lock(0);
    await rb2();
  });
});

Deno.test("postgres: a killed connection releases the lock; the driver then refuses work", async () => {
  await withDb("killed", async (db, open) => {
    const first = await open();
    const second = await open();
    const [{ pid }] = await first.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const release = await first.lock(0);
    await rejectsWith(second.lock(0), LockBusyError, new RegExp(`pid ${pid}`));
    assert.equal(await psql(db.url, `SELECT pg_terminate_backend(${pid})`), "t");
    const release2 = await second.lock(3000);
    await rejectsWith(first.query("SELECT 1"), ConnectionError, /lost the connection to /);
    // Still refused: no silent reconnect without the lock.
    await rejectsWith(first.run("SELECT 1"), ConnectionError, /migration lock/);
    await release(); // nothing to release any more, and no error
    await release2();
  });
});

Deno.test("postgres: timeouts from options are per session; 0 turns them off", async () => {
  await withDb("zero", async (db, open) => {
    await psql(db.url, `ALTER DATABASE "${db.name}" SET lock_timeout = '9s'`);
    const keep = await open();
    const [k] = await keep.query<{ lt: string }>("SELECT current_setting('lock_timeout') lt");
    assert.equal(k.lt, "9s");
    const off = await open({ lockTimeoutMs: 0 });
    const [o] = await off.query<{ lt: string }>("SELECT current_setting('lock_timeout') lt");
    assert.equal(o.lt, "0");
  });
});

Deno.test("postgres: missing Deno permissions are PermissionErrors naming the flag", async () => {
  const probe = new URL("../../tests/support/pg/open_probe.ts", import.meta.url).pathname;
  const run = async (flags: string[], url: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", ...flags, probe, url],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    // Exactly one line: notices never reach stdout.
    assert.equal(stdout.split("\n").length, 1, stdout);
    return JSON.parse(stdout);
  };
  const tcp = await run([], cluster.url);
  // The probe reports the class name of what openPostgres threw.
  assert.equal(tcp.name, PermissionError.name);
  assert.equal(tcp.kind, new PermissionError("").kind);
  assert.equal(tcp.exitCode, ExitCode.PERMISSION);
  assert.match(tcp.message, new RegExp(`--allow-net=127\\.0\\.0\\.1:${cluster.port}$`));

  const sockUrl =
    `postgresql://${cluster.superuser}@/postgres?host=${cluster.socketDir}&port=${cluster.port}`;
  const sock = await run(["--allow-net"], sockUrl);
  assert.equal(sock.name, PermissionError.name);
  assert.match(sock.message, /--allow-read=\S+\.s\.PGSQL\.\d+ --allow-write=\S+\.s\.PGSQL\.\d+$/);

  // With just the net permission it connects: no --allow-env, --allow-sys or --allow-read.
  const ok = await run([`--allow-net=127.0.0.1:${cluster.port}`], cluster.url);
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.deepEqual(ok.notices, ["NOTICE: probe notice"]);
  const okSock = await run(["--allow-net", "--allow-read", "--allow-write"], sockUrl);
  assert.equal(okSock.ok, true, JSON.stringify(okSock));
});

Deno.test("postgres: schemaObjectExists reads the catalog; an INVALID index does not count", async () => {
  await withDb("objects", async (_db, open) => {
    const d = await open();
    await d.run("CREATE TABLE t (a int, b int)");
    await d.run('CREATE TABLE "Mixed" (a int)');
    await d.run("CREATE VIEW v AS SELECT a FROM t");
    await d.run("CREATE INDEX t_a ON t (a)");
    await d.run("INSERT INTO t VALUES (1, 1), (1, 1)");
    // A failed unique build leaves its index INVALID: not a completed CREATE INDEX.
    await assert.rejects(d.run("CREATE UNIQUE INDEX CONCURRENTLY t_b ON t (b)"));
    const has = (o: Parameters<NonNullable<Driver["schemaObjectExists"]>>[0]) =>
      d.schemaObjectExists!(o);
    assert.equal(await has({ kind: "table", name: "t", quoted: false }), true);
    assert.equal(await has({ kind: "table", name: "t", schema: "public", quoted: false }), true);
    assert.equal(await has({ kind: "table", name: "v", quoted: false }), false);
    assert.equal(await has({ kind: "view", name: "v", quoted: false }), true);
    assert.equal(await has({ kind: "table", name: "Mixed", quoted: true }), true);
    assert.equal(await has({ kind: "table", name: "mixed", quoted: false }), false);
    assert.equal(await has({ kind: "index", name: "t_a", table: "t", quoted: false }), true);
    assert.equal(await has({ kind: "index", name: "t_b", quoted: false }), false);
    assert.equal(await has({ kind: "column", name: "b", table: "t", quoted: false }), true);
    assert.equal(await has({ kind: "column", name: "c", table: "t", quoted: false }), false);
    assert.equal(await has({ kind: "table", name: "gone", quoted: false }), false);
  });
});
