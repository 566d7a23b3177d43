/**
 * The command line on MariaDB, for what the generic suites (tests/support/db.ts) do not
 * cover: `--version-table-schema` as a database name (and real Alembic agreeing on it),
 * quoted and refused names, `--json`, and a syntax error's position.
 */
import assert from "node:assert/strict";
import { runCli, script, withTempDir, writeScripts } from "./support/cli.ts";
import { mysqlDb } from "./support/db.ts";
import { mysqlCli, startServer } from "./support/mariadb_server.ts";
import { PYTHON } from "./support/interop.ts";

const server = await startServer();

/** SHOW CREATE TABLE of `db`.`table`, with the table's own name left out. */
async function shape(url: string, db: string, table: string): Promise<string> {
  const out = await mysqlCli(url, `SHOW CREATE TABLE \`${db}\`.\`${table}\``);
  return out.slice(out.indexOf("\t") + 1).replace(/^CREATE TABLE `[^`]+`/, "CREATE TABLE T");
}

Deno.test("mysql CLI: --version-table-schema is a database: the state tables go there", async () => {
  const db = await mysqlDb(server, "vts");
  const schema = `${db.my!.name}_v`;
  let r = await runCli(["--url", db.url, "--version-table-schema", schema, "upgrade", "heads"]);
  assert.equal(r.code, 0, r.err);
  const placed = await db.rows(
    "SELECT CONCAT(table_schema, '.', table_name) AS t FROM information_schema.tables " +
      `WHERE table_schema IN ('${db.my!.name}', '${schema}') ` +
      "AND table_name IN ('alembic_version', 'bellows_audit') ORDER BY 1",
  );
  assert.deepEqual(placed.map((p) => p.t), [
    `${schema}.alembic_version`,
    `${schema}.bellows_audit`,
  ]);
  assert.ok((await db.tables()).includes("images"), "the migrations ran in the URL's database");
  assert.deepEqual(await db.rows(`SELECT version_num FROM \`${schema}\`.alembic_version`), [
    { version_num: "ocata_contract01" },
  ]);

  // Real Alembic (PyMySQL), asked for its version table in another database, makes the same.
  const side = `${db.my!.name}_a`;
  await mysqlCli(server.superuserUrl, `CREATE DATABASE \`${side}\` CHARACTER SET utf8mb4`);
  const py = await new Deno.Command(PYTHON, {
    args: [
      "-c",
      [
        "import sys, sqlalchemy as sa",
        "from alembic.migration import MigrationContext",
        "with sa.create_engine(sys.argv[1]).begin() as conn:",
        "    ctx = MigrationContext.configure(conn, opts={'version_table_schema': sys.argv[2]})",
        "    ctx._ensure_version_table()",
      ].join("\n"),
      db.url.replace(/^mysql:/, "mysql+pymysql:"),
      side,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(py.success, new TextDecoder().decode(py.stderr));
  assert.equal(
    await shape(db.url, schema, "alembic_version"),
    await shape(db.url, side, "alembic_version"),
  );

  // current reads the database it is told; the URL's database has no version table.
  let cur = await runCli(["--url", db.url, "--version-table-schema", schema, "current"]);
  assert.equal(cur.out, "ocata_contract01 (head)\nocata_expand01 (effective head)");
  cur = await runCli(["--url", db.url, "current"]);
  assert.equal(cur.code, 0, cur.err);
  assert.equal(cur.out, "");
  // stamp and downgrade there too.
  r = await runCli(["--url", db.url, "--version-table-schema", schema, "-q", "downgrade", "base"]);
  assert.equal(r.code, 0, r.err);
  assert.ok(!(await db.tables()).includes("images"));
  r = await runCli(["--url", db.url, "--version-table-schema", schema, "stamp", "mitaka02"]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(await db.rows(`SELECT version_num FROM \`${schema}\`.alembic_version`), [
    { version_num: "mitaka02" },
  ]);
});

Deno.test("mysql CLI: names are quoted with backticks, and refused when MySQL would not take them", async () => {
  const db = await mysqlDb(server, "idents");
  const schema = `${db.my!.name}_odd\`; DROP`;
  const table = "ver'sions";
  let r = await runCli([
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
  assert.deepEqual(
    await db.rows(`SELECT version_num FROM \`${schema.replaceAll("`", "``")}\`.\`${table}\``),
    [{ version_num: "liberty" }],
  );
  const long = "s".repeat(65);
  r = await runCli(["--url", db.url, "--version-table-schema", long, "upgrade", "heads"]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^bellows: MySQL identifier "s{65}" is 65 characters long \(at most 64\)$/);
  r = await runCli(["--url", db.url, "--version-table", "trailing ", "upgrade", "heads"]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^bellows: MySQL identifier "trailing " ends with a space$/);
});

Deno.test("mysql CLI: --json documents, and a syntax error's line and column", async () => {
  await withTempDir(async (dir) => {
    const db = await mysqlDb(server, "json");
    const mig = `${dir}/m`;
    await writeScripts(mig, {
      "r1.sql": script("r1", "", "CREATE TABLE t1 (id INTEGER PRIMARY KEY);"),
      "r2.sql": script("r2", "r1", "INSERT INTO t1 (id)\n  VALUES (1);\nSELECT id\n  FRM t1;"),
    });
    const base = ["--url", db.url, "--migrations", mig];
    let r = await runCli([...base, "--json", "upgrade", "r1"]);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assert.equal(doc.ok, true);
    r = await runCli([...base, "--json", "upgrade"]);
    assert.equal(r.code, 1, r.err);
    const err = JSON.parse(r.out).error;
    assert.equal(err.kind, "migration_failed");
    // The position comes from the server's "near 't1' at line 2" (FRM reads as an alias).
    assert.match(
      err.message,
      /r2\.sql:9:7: 1064 \(42000\) You have an error in your SQL syntax; .*near 't1' at line 2; upgrade of 'r2' was rolled back/,
    );
    // Only DML ran before it: rolled back with the revision, as on PostgreSQL.
    assert.deepEqual(await db.rows("SELECT id FROM t1"), []);
    assert.deepEqual(await db.versions(), ["r1"]);
  });
});
