/**
 * Offline `--sql` on MySQL: bellows' script against `alembic <cmd> --sql` of real Alembic
 * (PyMySQL URL) on the same revisions, byte for byte once bellows' audit statements are
 * left out; and the script run through the `mariadb` client leaves what the online run
 * leaves (version rows and audit rows). Mirrors the PostgreSQL checks of
 * tests/interop_pg_test.ts.
 */
import assert from "node:assert/strict";
import { runCli, withTempDir } from "./support/cli.ts";
import { alembicShape, mysqlInteropDb, PYTHON } from "./support/interop.ts";
import { mysqlDb } from "./support/db.ts";
import { startServer } from "./support/mariadb_server.ts";

const server = await startServer();

/** [id, down, upgrade statements, downgrade statements]: two roots, one a chain of three. */
const REVISIONS: [string, string, string[], string[]][] = [
  ["a1", "", ["CREATE TABLE t1 (id INTEGER PRIMARY KEY, note VARCHAR(20))"], ["DROP TABLE t1"]],
  [
    "a2",
    "a1",
    [
      "INSERT INTO t1 (id, note) VALUES (1, 'it''s \\\\ here')",
      "CREATE INDEX ix_t1_note ON t1 (note)",
    ],
    ["DROP INDEX ix_t1_note ON t1", "DELETE FROM t1"],
  ],
  ["a3", "a2", ["ALTER TABLE t1 ADD COLUMN `order` INTEGER"], [
    "ALTER TABLE t1 DROP COLUMN `order`",
  ]],
  ["s1", "", ["CREATE TABLE s1 (id INTEGER)"], ["DROP TABLE s1"]],
];

async function writeProjects(dir: string, url: string, schema?: string): Promise<void> {
  const init = await new Deno.Command(PYTHON, {
    args: ["-m", "alembic", "init", "env"],
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(init.success, new TextDecoder().decode(init.stderr));
  const ini = `${dir}/alembic.ini`;
  await Deno.writeTextFile(
    ini,
    (await Deno.readTextFile(ini)).replace(/^sqlalchemy\.url = .*$/m, `sqlalchemy.url = ${url}`),
  );
  if (schema) {
    const env = `${dir}/env/env.py`;
    await Deno.writeTextFile(
      env,
      (await Deno.readTextFile(env)).replaceAll(
        "target_metadata=target_metadata,",
        `target_metadata=target_metadata, version_table_schema=${JSON.stringify(schema)},`,
      ),
    );
    await Deno.writeTextFile(
      ini,
      (await Deno.readTextFile(ini)).replace(
        "[alembic]",
        `[alembic]\nversion_table_schema = ${schema}`,
      ),
    );
  }
  await Deno.mkdir(`${dir}/bellows`);
  for (const [id, down, up, dn] of REVISIONS) {
    const py = (stmts: string[]) =>
      stmts.map((s) => `    op.execute(${JSON.stringify(s)})`).join("\n");
    await Deno.writeTextFile(
      `${dir}/env/versions/${id}.py`,
      `from alembic import op\nrevision = ${JSON.stringify(id)}\ndown_revision = ${
        down ? JSON.stringify(down) : "None"
      }\nbranch_labels = None\ndepends_on = None\n\ndef upgrade():\n${
        py(up)
      }\n\ndef downgrade():\n${py(dn)}\n`,
    );
    await Deno.writeTextFile(
      `${dir}/bellows/${id}.sql`,
      `-- revision: ${id}\n-- down_revision: ${down}\n\n-- bellows:upgrade\n${
        up.map((s) => `${s};\n`).join("")
      }\n-- bellows:downgrade\n${dn.map((s) => `${s};\n`).join("")}`,
    );
  }
}

async function alembic(dir: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args: ["-m", "alembic", ...args],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, `alembic ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

const CASES = [
  ["upgrade", "heads"],
  ["upgrade", "a1:a3"],
  ["downgrade", "a3:base"],
  ["downgrade", "a3:a1"],
  ["stamp", "a1:a3"],
  ["stamp", "a2:base"],
];

for (const schema of [undefined, "migr"]) {
  Deno.test(
    `mysql: --sql is Alembic's script for mysql+pymysql, byte for byte${
      schema ? " (version_table_schema)" : ""
    }`,
    async () => {
      await withTempDir(async (dir) => {
        const url = `mysql+pymysql://root@127.0.0.1:${server.port}/offline`;
        await writeProjects(dir, url, schema);
        for (const [cmd, range] of CASES) {
          const a = await alembic(dir, [cmd, range, "--sql"]);
          const b = await runCli([
            "--config",
            `${dir}/alembic.ini`,
            "--migrations",
            `${dir}/bellows`,
            "-q",
            cmd,
            "--sql",
            range,
          ]);
          assert.equal(b.code, 0, b.err);
          // Byte for byte: the blocks between blank lines, joined back as Alembic prints them.
          assert.equal(
            alembicShape(b.out).join("\n\n"),
            alembicShape(a).join("\n\n"),
            `${cmd} ${range} --sql`,
          );
        }
      });
    },
  );
}

Deno.test("mysql: a --sql script run by the mariadb client leaves what the online run leaves", async () => {
  await withTempDir(async (dir) => {
    await writeProjects(dir, "mysql://x/y");
    const offline = await mysqlDb(server, "off");
    const online = await mysqlDb(server, "on");
    const file = `${dir}/up.sql`;
    const mig = ["--migrations", `${dir}/bellows`, "-q"];
    let r = await runCli(["--url", offline.url, ...mig, "upgrade", "--sql", "-o", file, "heads"]);
    assert.equal(r.code, 0, r.err);
    await mysqlInteropDb(offline.url).runScript(file);
    r = await runCli(["--url", online.url, ...mig, "upgrade", "heads"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await offline.versions(), ["a3", "s1"]);
    assert.deepEqual(await offline.versions(), await online.versions());
    const audit = (db: typeof offline) =>
      db.rows("SELECT revision, direction, status, checksum FROM bellows_audit ORDER BY seq");
    assert.deepEqual(await audit(offline), await audit(online));
    assert.deepEqual(await offline.rows("SELECT * FROM t1"), await online.rows("SELECT * FROM t1"));
    assert.deepEqual(await offline.rows("SELECT note FROM t1"), [{ note: "it's \\ here" }]);
  });
});
