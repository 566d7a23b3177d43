/**
 * The version table on MariaDB: what real Alembic 1.8 with PyMySQL creates, compared with
 * what bellows's version-table DDL creates through the MySQL dialect (`SHOW CREATE TABLE`
 * of both), and Alembic's offline `CREATE TABLE` text.
 */
import assert from "node:assert/strict";
import { ALEMBIC_VERSION_DDL, mysqlDialect } from "../src/drivers/mysql.ts";
import type { Dialect } from "../src/drivers/types.ts";
import { stateConfig, versionTableDdl } from "../src/state/version_table.ts";
import { createDatabase, mysqlCli, startServer } from "./support/mariadb_server.ts";
import { PYTHON } from "./support/interop.ts";

const server = await startServer();

async function alembic(cwd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args: ["-m", "alembic", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`alembic ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

/** SHOW CREATE TABLE, with the table's name replaced by `T`. */
async function showCreate(url: string, table: string): Promise<string> {
  const out = await mysqlCli(url, `SHOW CREATE TABLE \`${table}\``);
  return out.slice(out.indexOf("\t") + 1).replaceAll(`\`${table}\``, "`T`");
}

Deno.test("mysql: bellows creates alembic_version exactly as Alembic with PyMySQL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bellows-alembic-mysql-" });
  try {
    for (const charset of ["utf8mb4", "latin1"]) {
      const db = await createDatabase(server, `ddl_${charset}`);
      if (charset !== "utf8mb4") {
        await mysqlCli(db.url, `ALTER DATABASE \`${db.name}\` CHARACTER SET ${charset}`);
      }
      const env = `${dir}/${charset}`;
      await alembic(dir, ["init", env]);
      const ini = `${env}.ini`;
      await Deno.rename(`${dir}/alembic.ini`, ini);
      const url = `mysql+pymysql://root@127.0.0.1:${server.port}/${db.name}`;
      await Deno.writeTextFile(
        ini,
        (await Deno.readTextFile(ini))
          .replace(/^script_location = .*$/m, `script_location = ${env}`)
          .replace(/^sqlalchemy\.url = .*$/m, `sqlalchemy.url = ${url}`),
      );
      await alembic(dir, ["-c", ini, "revision", "-m", "one", "--rev-id", "aaaa1111"]);
      const offline = await alembic(dir, ["-c", ini, "upgrade", "head", "--sql"]);
      assert.ok(offline.startsWith(`${ALEMBIC_VERSION_DDL};\n`), offline);
      await alembic(dir, ["-c", ini, "upgrade", "head"]);

      const ours = versionTableDdl(
        // The dialect's name is "mysql", which DialectName does not list yet.
        mysqlDialect as unknown as Dialect,
        stateConfig("bellows_version"),
      );
      await mysqlCli(db.url, ours);
      const theirs = await showCreate(db.url, "alembic_version");
      assert.equal(await showCreate(db.url, "bellows_version"), theirs);
      assert.match(theirs, new RegExp(`DEFAULT CHARSET=${charset}\\b`));
      assert.ok(
        theirs.startsWith("CREATE TABLE `T` (\n  `version_num` varchar(32) NOT NULL,\n"),
        theirs,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await server.stop();
  }
});
