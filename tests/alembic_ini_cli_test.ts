/**
 * The command line reads an Alembic user's alembic.ini: `--config`/`-c`, `-n/--name`,
 * `./alembic.ini` in the working directory, `$ALEMBIC_CONFIG`; flags and environment
 * win; a password in the ini's URL is never printed.
 */
import assert from "node:assert/strict";
import { execCli, script, withTempDir, writeScripts } from "./support/cli.ts";
import { sqliteDb } from "./support/interop.ts";

Deno.test("alembic.ini: url and version table from the file, %(here)s, -n, cwd, overrides", async () => {
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, { "r1.sql": script("r1", "", "CREATE TABLE a (id INT);") });
    await Deno.writeTextFile(
      `${dir}/alembic.ini`,
      "[alembic]\nscript_location = %(here)s/py\nsqlalchemy.url = sqlite:///%(here)s/main.db\n" +
        "version_table = my_version\n\n[other]\nsqlalchemy.url = sqlite:///%(here)s/other.db\n",
    );
    const env = { BELLOWS_MIGRATIONS: `${dir}/m` };
    // Found in the working directory without --config.
    let r = await execCli(["upgrade"], { cwd: dir, env });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await sqliteDb(`${dir}/main.db`).rows("my_version"), ["r1"]);
    // -n picks the section; ALEMBIC_CONFIG names the file from elsewhere.
    r = await execCli(["-n", "other", "upgrade"], {
      env: { ...env, ALEMBIC_CONFIG: `${dir}/alembic.ini` },
    });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await sqliteDb(`${dir}/other.db`).rows(), ["r1"]);
    // Flags and DATABASE_URL win over the file.
    r = await execCli(["-c", `${dir}/alembic.ini`, "--version-table", "v2", "upgrade"], {
      env: { ...env, DATABASE_URL: `sqlite:${dir}/env.db` },
    });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await sqliteDb(`${dir}/env.db`).rows("v2"), ["r1"]);
    // An explicit file that is missing is an error; a missing section too.
    r = await execCli(["-c", `${dir}/nope.ini`, "current"], { env });
    assert.equal(r.code, 2);
    assert.match(r.err, /config file .*nope\.ini not found/);
    r = await execCli(["-c", `${dir}/alembic.ini`, "-n", "zzz", "current"], { env });
    assert.equal(r.code, 2);
    assert.match(r.err, /has no \[zzz\] section/);
  });
});

Deno.test("alembic.ini: a password in sqlalchemy.url never reaches the output", async () => {
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, { "r1.sql": script("r1", "", "SELECT 1;") });
    await Deno.writeTextFile(
      `${dir}/alembic.ini`,
      "[alembic]\nsqlalchemy.url = postgresql://u:Sup3rSecret@127.0.0.1:1/db?connect_timeout=1\n",
    );
    const r = await execCli(["-c", `${dir}/alembic.ini`, "-v", "current"], {
      env: { BELLOWS_MIGRATIONS: `${dir}/m` },
    });
    assert.equal(r.code, 7, r.err);
    assert.doesNotMatch(r.out + r.err, /Sup3rSecret/);
    // Offline mode needs no connection: the dialect comes from the URL.
    const s = await execCli(["-c", `${dir}/alembic.ini`, "upgrade", "--sql"], {
      env: { BELLOWS_MIGRATIONS: `${dir}/m` },
    });
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /^BEGIN;\n/);
    assert.doesNotMatch(s.out + s.err, /Sup3rSecret/);
  });
});
