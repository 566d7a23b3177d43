/**
 * PostgreSQL through the command line: connection forms and failures (no password in
 * any output), TLS, server notices, error locations inside DO blocks, and the version
 * table's schema. One cluster with TLS on (it serves plain connections too).
 */
import assert from "node:assert/strict";
import { execCli, runCli, script, withTempDir, writeScripts } from "./support/cli.ts";
import { ALEMBIC_VERSION_SHAPE, pgTableShape, postgresDb, type TestDb } from "./support/db.ts";
import { PASSWORD_USER, psql, startCluster } from "./support/pg_cluster.ts";

const cluster = await startCluster({ ssl: true });

async function withDb(prefix: string, fn: (db: TestDb, dir: string) => Promise<void>) {
  await withTempDir(async (dir) => await fn(await postgresDb(cluster, prefix), dir));
}

/** Every line printed, both streams, for "never shows the password" checks. */
function everything(r: { out: string; err: string }): string {
  return `${r.out}\n${r.err}`;
}

Deno.test("postgres CLI: a wrong password exits 7 with one line that does not show it", async () => {
  await withDb("badpw", async (db) => {
    const wrong = "Wr0ng-but-SECRET";
    const r = await execCli(["--url", db.pg!.passwordUrl(wrong), "current"]);
    assert.equal(r.code, 7, r.err);
    assert.equal(r.out, "");
    assert.match(
      r.err,
      /^bellows: cannot connect to postgresql:\/\/bellows_pw@127\.0\.0\.1:\d+\/badpw_\w+: password authentication failed for user "bellows_pw" \(SQLSTATE 28P01\)$/,
    );
    assert.ok(!everything(r).includes(wrong));
    assert.ok(!everything(r).includes(encodeURIComponent(wrong)));

    // The same through PGPASSWORD, and the right one works; -v shows no password either.
    const url = db.pg!.passwordUrl("").replace(":@", "@");
    const viaEnv = await execCli(["--url", url, "current"], { env: { PGPASSWORD: wrong } });
    assert.equal(viaEnv.code, 7);
    assert.ok(!everything(viaEnv).includes(wrong));
    await psql(db.url, `GRANT ALL ON SCHEMA public TO ${PASSWORD_USER.name}`);
    const ok = await execCli(["--url", url, "-v", "upgrade", "liberty"], {
      env: { PGPASSWORD: PASSWORD_USER.password },
    });
    assert.equal(ok.code, 0, ok.err);
    const cur = await execCli([
      "--url",
      db.pg!.passwordUrl(PASSWORD_USER.password),
      "current",
      "-v",
    ]);
    assert.equal(cur.code, 0, cur.err);
    assert.match(cur.out, /^Current revision\(s\) for postgresql:\/\/bellows_pw@127\.0\.0\.1:/);
    for (const r of [ok, cur]) {
      assert.ok(!everything(r).includes(PASSWORD_USER.password));
      assert.ok(!everything(r).includes(encodeURIComponent(PASSWORD_USER.password)));
    }
  });
});

Deno.test("postgres CLI: URL forms and PG* variables reach the same database", async () => {
  await withDb("forms", async (db) => {
    assert.equal((await runCli(["--url", db.url, "upgrade", "liberty"])).code, 0);
    const u = new URL(db.url);
    const forms = [
      db.url.replace(/^postgresql:/, "postgres:"),
      db.url.replace(/^postgresql:/, "postgresql+psycopg2:"),
      db.pg!.socketUrl,
      `postgresql:///${db.pg!.name}?host=${cluster.socketDir}&port=${cluster.port}&user=postgres` +
      `&application_name=glance-migrate`,
    ];
    for (const url of forms) {
      const r = await runCli(["--url", url, "current"]);
      assert.equal(r.code, 0, `${url}: ${r.err}`);
      assert.equal(r.out, "liberty", url);
    }
    // Nothing in the URL but the scheme: libpq's variables fill it in; DATABASE_URL too.
    const env = {
      PGHOST: u.hostname,
      PGPORT: u.port,
      PGUSER: "postgres",
      PGDATABASE: db.pg!.name,
      PGSSLMODE: "require",
    };
    let r = await execCli(["--url", "postgresql://", "current"], { env });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "liberty");
    r = await execCli(["current"], { env: { ...env, DATABASE_URL: "postgres://" } });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "liberty");
    // A URL parameter wins over the variable: a missing database by name.
    r = await execCli(["--url", "postgresql:///no_such_db", "current"], { env });
    assert.equal(r.code, 7);
    assert.match(r.err, /database "no_such_db" does not exist/);
  });
});

Deno.test("postgres CLI: sslmode=require connects; verify-full fails on the certificate", async () => {
  await withDb("tls", async (db) => {
    let r = await execCli(["--url", `${db.url}?sslmode=require`, "upgrade", "liberty"]);
    assert.equal(r.code, 0, r.err);
    r = await execCli(["--url", `${db.url}?sslmode=verify-full`, "current"]);
    assert.equal(r.code, 7, r.err);
    assert.match(
      r.err,
      /^bellows: cannot connect to postgresql:\/\/postgres@127\.0\.0\.1:\d+\/tls_\w+: server certificate not trusted \(self-signed certificate; sslmode=verify-full\): give its CA with sslrootcert=<file>, or use sslmode=require to skip verification$/,
    );
    // PGSSLMODE is honoured too; with the CA given, verify-full still refuses the name.
    r = await execCli(["--url", db.url, "current"], { env: { PGSSLMODE: "verify-full" } });
    assert.equal(r.code, 7);
    assert.match(r.err, /server certificate not trusted/);
    r = await execCli([
      "--url",
      `${db.url}?sslmode=verify-full&sslrootcert=${cluster.certFile}`,
      "current",
    ]);
    assert.equal(r.code, 7);
    assert.match(r.err, /does not match host "127\.0\.0\.1".*bellows-test-db\.invalid/);
    r = await execCli([
      "--url",
      `${db.url}?sslmode=verify-ca&sslrootcert=${cluster.certFile}`,
      "current",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "liberty");
  });
});

Deno.test("postgres CLI: server notices go to stderr with -v, warnings always, never stdout", async () => {
  await withDb("notices", async (db, dir) => {
    await writeScripts(`${dir}/m`, {
      "r1.sql": script(
        "r1",
        "",
        "DO $$ BEGIN RAISE NOTICE 'héllo from r1 😀'; END $$;\n" +
          "DROP TABLE IF EXISTS nothing_here;\n" +
          "DO $$ BEGIN RAISE WARNING 'careful: %', 42; END $$;",
        "SELECT 1;",
      ),
    });
    const base = ["--url", db.url, "--migrations", `${dir}/m`];
    let r = await execCli([...base, "upgrade", "heads"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "", "nothing on stdout");
    assert.doesNotMatch(r.err, /héllo|nothing_here/);
    assert.match(r.err, /WARNING: careful: 42/);
    assert.equal((await execCli([...base, "downgrade", "base"])).code, 0);

    r = await execCli([...base, "-v", "upgrade", "heads"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "", "nothing on stdout");
    assert.match(r.err, /NOTICE: héllo from r1 😀/);
    assert.match(r.err, /NOTICE: table "nothing_here" does not exist, skipping/);
    assert.match(r.err, /WARNING: careful: 42/);
  });
});

Deno.test("postgres CLI: errors point at file:line:column, inside DO blocks, after multi-byte text", async () => {
  await withDb("positions", async (db, dir) => {
    const mig = `${dir}/m`;
    const base = ["--url", db.url, "--migrations", mig];
    const r1 = script(
      "r1",
      "",
      "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO t VALUES (1, 'x');",
    );
    /** r2's upgrade is `lines`, starting at file line 6. */
    const tryR2 = async (lines: string[]) => {
      await writeScripts(mig, { "r1.sql": r1, "r2.sql": script("r2", "r1", lines.join("\n")) });
      const r = await runCli([...base, "upgrade", "heads"]);
      assert.equal(r.code, 1, r.err);
      assert.deepEqual(await db.versions(), ["r1"]);
      const last = r.err.split("\n").at(-1)!;
      assert.ok(last.startsWith(`bellows: ${mig}/r2.sql:`), last);
      return last.slice(`bellows: ${mig}/r2.sql:`.length);
    };
    await writeScripts(mig, { "r1.sql": r1 });
    assert.equal((await runCli([...base, "upgrade", "r1"])).code, 0);

    // A plain statement: PostgreSQL's position counts code points, not bytes or UTF-16.
    const prefix = "SELECT 'ünï 日本語 😀😀', ";
    assert.equal(
      await tryR2(["UPDATE t SET name = 'ß';", `${prefix}nosuchcol FROM t;`]),
      `7:${[...prefix].length + 1}: 42703 column "nosuchcol" does not exist; ` +
        "upgrade of 'r2' was rolled back; the database remains at r1",
    );

    // Inside a DO block: internal_query located inside the body.
    const inner = "  UPDATE t SET name = 'Grüße 😀' WHERE id = 1; ";
    assert.equal(
      await tryR2([
        "DO $$",
        "BEGIN",
        "  -- 日本 😀",
        `${inner}INSERT INTO nosuch VALUES ('😀');`,
        "END $$;",
      ]),
      `9:${[...inner].length + 13}: 42P01 relation "nosuch" does not exist ` +
        "(in PL/pgSQL function inline_code_block line 4 at SQL statement); " +
        "upgrade of 'r2' was rolled back; the database remains at r1",
    );

    // No query to find: the body line the error names, with detail and hint.
    assert.equal(
      await tryR2([
        "DO $body$",
        "DECLARE n int := 1;",
        "BEGIN",
        "  RAISE NOTICE 'ñ';",
        "    RAISE EXCEPTION 'bad ü %', n USING DETAIL = 'détail', HINT = 'fix 😀';",
        "END $body$;",
      ]),
      "10:5: P0001 bad ü 1 (in PL/pgSQL function inline_code_block line 5 at RAISE); " +
        "detail: détail; hint: fix 😀; upgrade of 'r2' was rolled back; the database remains at r1",
    );

    // A syntax error in a function body: the server maps it into the CREATE statement.
    assert.equal(
      await tryR2([
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$",
        "BEGIN",
        "  -- 😀 ü",
        "  /* 😀 */ SELEC 'é';",
        "END $$;",
      ]),
      '9:11: 42601 syntax error at or near "SELEC"; ' +
        "upgrade of 'r2' was rolled back; the database remains at r1",
    );

    // A unique violation has no position: the context's statement text is found.
    assert.equal(
      await tryR2([
        "DO $$ BEGIN",
        "  INSERT INTO t VALUES (2, 'é');",
        "  INSERT INTO t VALUES (1, 'é');",
        "END $$;",
      ]),
      '8:3: 23505 duplicate key value violates unique constraint "t_pkey" (in SQL statement ' +
        "\"INSERT INTO t VALUES (1, 'é')\"; PL/pgSQL function inline_code_block line 3 at SQL " +
        "statement); detail: Key (id)=(1) already exists.; upgrade of 'r2' was rolled back; " +
        "the database remains at r1",
    );
  });
});

Deno.test("postgres CLI: --version-table-schema keeps Alembic's table in that schema", async () => {
  await withDb("schema", async (db) => {
    const r = await runCli(["--url", db.url, "--version-table-schema", "migr", "upgrade", "heads"]);
    assert.equal(r.code, 0, r.err);
    const placed = await db.rows(
      "SELECT schemaname || '.' || tablename AS t FROM pg_tables " +
        "WHERE tablename IN ('alembic_version', 'bellows_audit') ORDER BY 1",
    );
    assert.deepEqual(placed.map((p) => p.t), ["migr.alembic_version", "migr.bellows_audit"]);
    assert.deepEqual(await db.rows("SELECT version_num FROM migr.alembic_version"), [
      { version_num: "ocata_contract01" },
    ]);
    assert.deepEqual(await pgTableShape(db.url, "migr", "alembic_version"), ALEMBIC_VERSION_SHAPE);

    // Real Alembic, asked for its version table in another schema, makes the same table.
    await db.exec("CREATE SCHEMA alembic_side");
    const py = await new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        [
          "import sys, sqlalchemy as sa",
          "from alembic.migration import MigrationContext",
          "with sa.create_engine(sys.argv[1]).begin() as conn:",
          "    ctx = MigrationContext.configure(conn, opts={'version_table_schema': 'alembic_side'})",
          "    ctx._ensure_version_table()",
        ].join("\n"),
        db.url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(py.success, new TextDecoder().decode(py.stderr));
    assert.deepEqual(
      await pgTableShape(db.url, "alembic_side", "alembic_version"),
      await pgTableShape(db.url, "migr", "alembic_version"),
    );

    // Current reads the schema it is told; the default schema has no version table.
    let cur = await runCli(["--url", db.url, "--version-table-schema", "migr", "current"]);
    assert.equal(cur.out, "ocata_contract01 (head)\nocata_expand01 (effective head)");
    cur = await runCli(["--url", db.url, "current"]);
    assert.equal(cur.code, 0, cur.err);
    assert.equal(cur.out, "");
  });
});

Deno.test("postgres CLI: schema and table names are quoted, and refused when too long", async () => {
  await withDb("idents", async (db) => {
    const schema = 'Odd "Schema"; DROP';
    const table = "ver'sions";
    const r = await runCli([
      "--url",
      db.url,
      "--version-table-schema",
      schema,
      "--version-table",
      table,
      "upgrade",
      "liberty",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await pgTableShape(db.url, schema, table), {
      columns: ALEMBIC_VERSION_SHAPE.columns,
      constraints: [[`${table}_pkc`, "PRIMARY KEY (version_num)"]],
    });
    assert.deepEqual(
      await db.rows(`SELECT version_num FROM "Odd ""Schema""; DROP"."ver'sions"`),
      [{ version_num: "liberty" }],
    );

    const long = "s".repeat(64);
    const bad = await runCli(["--url", db.url, "--version-table-schema", long, "upgrade", "heads"]);
    assert.equal(bad.code, 2, bad.err);
    assert.match(
      bad.err,
      /^bellows: PostgreSQL identifier "s{64}" is 64 bytes long \(at most 63\)$/,
    );
    assert.deepEqual(
      await db.rows(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sss%'`),
      [],
    );
  });
});
