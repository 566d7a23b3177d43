import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  extendedQuery,
  md5Password,
  parseFields,
  parseTag,
  PgServerError,
  Scram,
  simpleQuery,
  wireConnect,
  type WireConnection,
  WireError,
  type WireOptions,
} from "./pg_wire.ts";
import {
  createDatabase,
  PASSWORD_USER,
  psql,
  startCluster,
} from "../../tests/support/pg_cluster.ts";

Deno.test("pg_wire: command tags split into command and count as postgres.js did", () => {
  assert.deepEqual(parseTag("INSERT 0 5"), { command: "INSERT", count: 5 });
  assert.deepEqual(parseTag("UPDATE 1"), { command: "UPDATE", count: 1 });
  assert.deepEqual(parseTag("SELECT 0"), { command: "SELECT", count: 0 });
  assert.deepEqual(parseTag("CREATE TABLE"), { command: "CREATE TABLE", count: 0 });
  assert.deepEqual(parseTag("COMMIT"), { command: "COMMIT", count: 0 });
  assert.deepEqual(parseTag("ROLLBACK"), { command: "ROLLBACK", count: 0 });
});

Deno.test("pg_wire: a simple query is one Query message", () => {
  const m = simpleQuery("SELECT 'é'");
  assert.equal(m[0], 0x51);
  assert.equal(m.readInt32BE(1), m.length - 1);
  assert.equal(m.toString("utf8", 5, m.length - 1), "SELECT 'é'");
  assert.equal(m[m.length - 1], 0);
});

Deno.test("pg_wire: a query with parameters is Parse, Bind, Describe, Execute, Sync", () => {
  const m = extendedQuery("SELECT $1, $2, $3", ["a", null, true]);
  const types: string[] = [];
  for (let at = 0; at < m.length; at += m.readInt32BE(at + 1) + 1) {
    types.push(String.fromCharCode(m[at]));
  }
  assert.deepEqual(types, ["P", "B", "D", "E", "S"]);
  // Bind: portal "", statement "", 0 formats, 3 values: "a", NULL (-1), "t"; 0 formats.
  const bind = m.indexOf(0x42);
  const body = m.subarray(bind + 5);
  assert.equal(body.readInt16BE(2), 0);
  assert.equal(body.readInt16BE(4), 3);
  assert.equal(body.readInt32BE(6), 1);
  assert.equal(body.toString("utf8", 10, 11), "a");
  assert.equal(body.readInt32BE(11), -1);
  assert.equal(body.readInt32BE(15), 1);
  assert.equal(body.toString("utf8", 19, 20), "t");
});

Deno.test("pg_wire: error fields are named as postgres.js named them", () => {
  const body = Buffer.from("SERROR\0VERROR\0C42601\0Msyntax error\0P8\0Hsome hint\0\0");
  assert.deepEqual(parseFields(body), {
    severity_local: "ERROR",
    severity: "ERROR",
    code: "42601",
    message: "syntax error",
    position: "8",
    hint: "some hint",
  });
});

Deno.test("pg_wire: SCRAM-SHA-256 matches RFC 7677's example exchange", () => {
  const scram = new Scram("user", "rOprNGfwEbeRWgbNEkqO");
  assert.equal(scram.first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  const final = scram.final(
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "pencil",
  );
  assert.equal(
    final,
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  );
  assert.equal(scram.verify("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), true);
  assert.equal(scram.verify("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), false);
  // A server nonce that does not extend ours is refused.
  assert.throws(() => new Scram("user", "abc").final("r=xyz,s=AAAA,i=1", "pw"), WireError);
});

Deno.test("pg_wire: MD5 password answer (value computed with Python's hashlib)", () => {
  assert.equal(
    md5Password("bellows", "pw", Buffer.from([1, 2, 3, 4])),
    "md5d5d086b007ef29a30f8d76817b80db95",
  );
});

// Against a real server from here on.
const cluster = await startCluster();

/** Options for database `database` of the test cluster: the superuser, no TLS. */
function options(database: string, over: Partial<WireOptions> = {}): WireOptions {
  return {
    host: cluster.host,
    port: cluster.port,
    user: cluster.superuser,
    database,
    password: () => "",
    ssl: false,
    connectTimeoutMs: 10_000,
    keepAliveS: 60,
    params: { application_name: "pg_wire_test" },
    ...over,
  };
}

async function withConn(
  fn: (c: WireConnection, name: string) => Promise<void>,
  over: Partial<WireOptions> = {},
): Promise<void> {
  const db = await createDatabase(cluster, "wire");
  const c = await wireConnect(options(db.name, over));
  try {
    await fn(c, db.name);
  } finally {
    await c.end(0);
  }
}

Deno.test("pg_wire: values are decoded by type, as postgres.js did without fetched types", async () => {
  await withConn(async (c) => {
    const { rows, count, command } = await c.query(
      `SELECT 1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 1.5::float8 AS d, 2.25::numeric AS e,
              true AS f, false AS g, '{"k":[1]}'::jsonb AS h, 'x'::text AS i, NULL::int AS j,
              '2026-12-01T10:00:00Z'::timestamptz AS k, '\\x0102'::bytea AS l,
              ARRAY[1,2] AS m, 'é'::varchar AS n`,
    );
    assert.equal(count, 1);
    assert.equal(command, "SELECT");
    const r = rows[0];
    assert.equal(r.a, 1);
    assert.equal(r.b, 2);
    assert.equal(r.c, "3");
    assert.equal(r.d, 1.5);
    assert.equal(r.e, "2.25");
    assert.equal(r.f, true);
    assert.equal(r.g, false);
    assert.deepEqual(r.h, { k: [1] });
    assert.equal(r.i, "x");
    assert.equal(r.j, null);
    assert.ok(r.k instanceof Date);
    assert.equal((r.k as Date).toISOString(), "2026-12-01T10:00:00.000Z");
    assert.deepEqual([...(r.l as Uint8Array)], [1, 2]);
    assert.equal(r.m, "{1,2}");
    assert.equal(r.n, "é");
  });
});

Deno.test("pg_wire: parameters, multi-statement queries and counts", async () => {
  await withConn(async (c) => {
    const p = await c.query("SELECT $1::text AS s, $2::int AS n, $3::bool AS b, $4::text AS z", [
      "it's",
      42,
      true,
      null,
    ]);
    assert.deepEqual(p.rows, [{ s: "it's", n: 42, b: true, z: null }]);
    await c.query("CREATE TABLE t (id int)");
    const many = await c.query(
      "INSERT INTO t VALUES (1), (2); UPDATE t SET id = id + 10; SELECT id FROM t ORDER BY id",
    );
    // Counts add up over the statements; the rows are the last statement's.
    assert.equal(many.count, 2 + 2 + 2);
    assert.deepEqual(many.rows, [{ id: 11 }, { id: 12 }]);
    const del = await c.query("DELETE FROM t WHERE id = $1", [11]);
    assert.equal(del.count, 1);
    assert.equal(del.command, "DELETE");
  });
});

Deno.test("pg_wire: a value of several MB and many rows arrive whole, across many reads", async () => {
  await withConn(async (c) => {
    const big = await c.query("SELECT repeat('é', 3000000) AS v, 7 AS n");
    assert.equal((big.rows[0].v as string).length, 3_000_000);
    assert.equal(big.rows[0].n, 7);
    const many = await c.query("SELECT g AS i, md5(g::text) AS h FROM generate_series(1, 50000) g");
    assert.equal(many.rows.length, 50_000);
    assert.equal(many.count, 50_000);
    assert.deepEqual(many.rows[49_999], { i: 50_000, h: "1017bfd4673955ffee4641ad3d481b1c" });
  });
});

Deno.test("pg_wire: pipelined queries are answered in order; an error stops the rest of the transaction only", async () => {
  await withConn(async (c) => {
    const sent = [
      c.query("BEGIN"),
      c.query("CREATE TABLE p (id int)"),
      c.query("SELEC 1"),
      c.query("INSERT INTO p VALUES (1)"),
      c.query("COMMIT"),
    ];
    const settled = await Promise.allSettled(sent);
    assert.deepEqual(settled.map((s) => s.status), [
      "fulfilled",
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    const syntax = (settled[2] as PromiseRejectedResult).reason;
    assert.ok(syntax instanceof PgServerError);
    assert.equal(syntax.code, "42601");
    assert.equal(syntax.position, "1");
    assert.equal(syntax.severity, "ERROR");
    assert.equal(((settled[3] as PromiseRejectedResult).reason as PgServerError).code, "25P02");
    // COMMIT of a failed transaction is answered ROLLBACK, not an error.
    assert.equal(
      (settled[4] as PromiseFulfilledResult<{ command: string }>).value.command,
      "ROLLBACK",
    );
    const after = await c.query("SELECT to_regclass('p') IS NULL AS gone");
    assert.deepEqual(after.rows, [{ gone: true }]);
  });
});

Deno.test("pg_wire: notices reach onNotice; COPY FROM STDIN is refused and the connection goes on", async () => {
  const notices: string[] = [];
  await withConn(async (c) => {
    await c.query("DO $$ BEGIN RAISE WARNING 'careful: %', 7; END $$");
    assert.deepEqual(notices, ["WARNING careful: 7"]);
    await c.query("CREATE TABLE cp (id int)");
    await assert.rejects(c.query("COPY cp FROM STDIN"), (e: PgServerError) => {
      assert.equal(e.code, "57014");
      assert.match(e.message, /bellows does not send COPY data/);
      return true;
    });
    assert.deepEqual((await c.query("SELECT 1 AS one")).rows, [{ one: 1 }]);
  }, { onNotice: (n) => notices.push(`${n.severity} ${n.message}`) });
});

Deno.test("pg_wire: a terminated backend rejects the query under way with the server's FATAL, and every later one", async () => {
  let closed = 0;
  await withConn(async (c) => {
    const answers = Promise.allSettled([c.query("SELECT pg_sleep(30)"), c.query("SELECT 1")]);
    // Wait until the server runs the sleep, then end the session from outside.
    for (let i = 0; i < 200; i++) {
      const out = await psql(
        cluster.superuserUrl,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ${c.pid} ` +
          `AND query LIKE 'SELECT pg_sleep%'`,
      );
      if (out.includes("t")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const settled = await answers;
    settled.push(...await Promise.allSettled([c.query("SELECT 2")]));
    for (const s of settled) {
      assert.equal(s.status, "rejected");
      const e = (s as PromiseRejectedResult).reason;
      assert.ok(e instanceof PgServerError, String(e));
      assert.equal(e.severity, "FATAL");
      assert.equal(e.code, "57P01");
    }
    assert.equal(c.closed, true);
    assert.equal(closed, 1);
  }, { onClose: () => closed++ });
});

Deno.test("pg_wire: end waits for the queries under way, or cuts them off", async () => {
  const db = await createDatabase(cluster, "wire_end");
  const open = () => wireConnect(options(db.name));
  const a = await open();
  const answer = a.query("SELECT pg_sleep(0.2), 5 AS five");
  await a.end(5_000);
  assert.deepEqual((await answer).rows[0].five, 5);
  assert.equal(a.closed, true);
  await assert.rejects(a.query("SELECT 1"), (e: WireError) => e.code === "CONNECTION_ENDED");

  const b = await open();
  const cut = assert.rejects(
    b.query("SELECT pg_sleep(5)"),
    (e: WireError) => e.code === "CONNECTION_DESTROYED",
  );
  await b.end(0);
  await cut;
});

Deno.test("pg_wire: SCRAM-SHA-256 login, and a wrong password refused by the server", async () => {
  const db = await createDatabase(cluster, "wire_scram");
  const open = (password: string) =>
    wireConnect(options(db.name, { user: PASSWORD_USER.name, password: () => password }));
  const c = await open(PASSWORD_USER.password);
  assert.deepEqual((await c.query("SELECT current_user AS u")).rows, [{ u: PASSWORD_USER.name }]);
  await c.end(1000);
  await assert.rejects(open("not-it"), (e: PgServerError) => {
    assert.ok(e instanceof PgServerError);
    assert.equal(e.code, "28P01");
    assert.ok(!e.message.includes("not-it"));
    return true;
  });
});

Deno.test("pg_wire: a server that does not answer in time is a CONNECT_TIMEOUT", async () => {
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  (async () => {
    for await (const conn of silent) accepted.push(conn);
  })();
  try {
    await assert.rejects(
      wireConnect(
        options("d", {
          host: "127.0.0.1",
          port: (silent.addr as Deno.NetAddr).port,
          connectTimeoutMs: 300,
        }),
      ),
      (e: WireError) => e.code === "CONNECT_TIMEOUT",
    );
  } finally {
    silent.close();
    for (const conn of accepted) conn.close();
  }
});

Deno.test("pg_wire: end does not wait past its limit for a server that ignores Terminate", async () => {
  // A stand-in server: logs anyone in (AuthenticationOk, ReadyForQuery), then never closes.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) {
      held.push(conn);
      await conn.read(new Uint8Array(1024));
      await conn.write(new Uint8Array([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49]));
    }
  })();
  try {
    const c = await wireConnect(
      options("d", { host: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port }),
    );
    const started = performance.now();
    await c.end(300);
    const took = performance.now() - started;
    assert.equal(c.closed, true);
    assert.ok(took >= 250 && took < 5000, `end took ${took} ms`);
  } finally {
    listener.close();
    for (const conn of held) conn.close();
    await serving.catch(() => {});
  }
});
