/**
 * Script files an operator may meet that are large or carry odd text, through the command
 * line on SQLite, PostgreSQL and MariaDB: a 200,000-statement section, and control characters in
 * messages and labels (which must reach the terminal escaped, never raw). The refusals of
 * files that are not UTF-8 text or not regular files are in bad_input_test.ts.
 */
import assert from "node:assert/strict";
import { execCli, runCli, script, withTempDir, writeScripts } from "./support/cli.ts";
import { dialectDb, DIALECTS, startServers, type TestDb, type TestDialect } from "./support/db.ts";

const servers = await startServers();

async function dbFor(dialect: TestDialect, dir: string, prefix: string): Promise<TestDb> {
  return await dialectDb(servers, dialect, dir, prefix);
}

for (const dialect of DIALECTS) {
  Deno.test(`${dialect}: a section of 200,000 statements loads, plans and runs`, async () => {
    await withTempDir(async (dir) => {
      const db = await dbFor(dialect, dir, "big");
      const mig = `${dir}/m`;
      await writeScripts(mig, {
        "r1.sql": script("r1", "", "CREATE TABLE t1 (id INTEGER);"),
        "r2.sql": script("r2", "r1", "INSERT INTO t1 VALUES (1);\n".repeat(200_000)),
      });
      const base = ["--url", db.url, "--migrations", mig];
      let r = await runCli([...base, "history"]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, "r1 -> r2 (head), r2 step\n<base> -> r1, r1 step");
      r = await runCli([...base, "-q", "upgrade", "r1"]);
      assert.equal(r.code, 0, r.err);
      r = await runCli([...base, "upgrade", "--dry-run"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /r1 -> r2/);
      if (dialect === "sqlite") {
        // Running them all is quick on SQLite; on PostgreSQL and MySQL each is a round trip.
        r = await runCli([...base, "-q", "upgrade"]);
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(await db.versions(), ["r2"]);
        assert.equal((await db.rows("SELECT count(*) AS n FROM t1"))[0].n, 200_000);
      }
    });
  });
}

for (const dialect of DIALECTS) {
  Deno.test(`${dialect}: a revision id of 32 emoji is 32 characters, as the version column counts`, async () => {
    await withTempDir(async (dir) => {
      const db = await dbFor(dialect, dir, "emoji");
      const mig = `${dir}/m`;
      const id = "🚀".repeat(32);
      await writeScripts(mig, { "r1.sql": script(id, "", "CREATE TABLE t1 (id INTEGER);") });
      const r = await runCli(["-q", "--url", db.url, "--migrations", mig, "upgrade"]);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(await db.versions(), [id]);
    });
  });
}

for (const dialect of DIALECTS) {
  Deno.test(`${dialect}: --migrations ./m, . or a folder under a dot folder loads its scripts`, async () => {
    await withTempDir(async (dir) => {
      const db = await dbFor(dialect, dir, "dotdir");
      const files = {
        "r1.sql": script("r1", "", "CREATE TABLE t1 (id INTEGER);"),
        "_draft.sql": script("draft", "r1", "CREATE TABLE draft (id INTEGER);"),
      };
      await writeScripts(`${dir}/m`, files);
      await writeScripts(`${dir}/.config/_m`, files);
      for (const [cwd, mig] of [[dir, "./m"], [`${dir}/m`, "."], [dir, `${dir}/.config/_m`]]) {
        const r = await execCli(["--url", db.url, "--migrations", mig, "heads"], { cwd });
        assert.equal(r.code, 0, r.err);
        assert.equal(r.out.trim(), "r1 (head)", `--migrations ${mig}`);
      }
      const up = await execCli(["--url", db.url, "--migrations", "./m", "-q", "upgrade"], {
        cwd: dir,
      });
      assert.equal(up.code, 0, up.err);
      assert.deepEqual(await db.versions(), ["r1"]);
    });
  });

  Deno.test(`${dialect}: files not named *.sql are ignored, even a looping link or a FIFO`, async () => {
    await withTempDir(async (dir) => {
      const db = await dbFor(dialect, dir, "ignored");
      const mig = `${dir}/m`;
      await writeScripts(mig, { "r1.sql": script("r1", "", "CREATE TABLE t1 (id INTEGER);") });
      await Deno.symlink(`${mig}/notes.txt`, `${mig}/notes.txt`); // a link to itself
      await Deno.symlink("/dev/zero", `${mig}/zero`);
      await Deno.symlink(`${mig}/gone`, `${mig}/README`);
      const fifo = await new Deno.Command("mkfifo", { args: [`${mig}/pipe`] }).output();
      assert.ok(fifo.success);
      const base = ["--url", db.url, "--migrations", mig];
      let r = await runCli([...base, "history"]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, "<base> -> r1 (head), r1 step");
      r = await runCli([...base, "-q", "upgrade"]);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(await db.versions(), ["r1"]);
    });
  });
}

/** C0 controls but tab and line feed, DEL and C1 controls: what must not reach a terminal raw. */
// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

for (const dialect of DIALECTS) {
  Deno.test(`${dialect}: script text reaches stdout with control characters escaped`, async () => {
    await withTempDir(async (dir) => {
      const db = await dbFor(dialect, dir, "esc");
      const mig = `${dir}/m`;
      // Clears the screen, retitles the terminal, rings the bell; \u009b is a one-byte CSI.
      const evil = "\u001b[2J\u001b]0;pwned\u0007 \u009b31m";
      const rev = (id: string, down: string, extra: string) =>
        `-- revision: ${id}\n-- down_revision: ${down}\n${extra}-- message: ${id} ${evil} x\n\n` +
        "-- bellows:upgrade\nSELECT 1;\n";
      await writeScripts(mig, {
        "r1.sql": rev("r1", "", ""),
        "r2.sql": rev("r2", "r1", "-- branch_labels: lab\n"),
        "r3\u001b[1m.sql": rev("r3", "r1", ""),
      });
      const base = ["--url", db.url, "--migrations", mig];
      const r = await runCli([...base, "-q", "upgrade", "heads"]);
      assert.equal(r.code, 0, r.err);
      const commands = [
        ["history"],
        ["history", "-v"],
        ["history", "-i"],
        ["heads"],
        ["heads", "-v"],
        ["branches", "-v"],
        ["show", "r1"],
        ["show", "r3"],
        ["current", "-v"],
        ["graph"],
        ["graph", "--format", "mermaid"],
        ["plan", "--down", "base"],
      ];
      for (const cmd of commands) {
        const out = await runCli([...base, ...cmd]);
        assert.equal(out.code, 0, `${cmd.join(" ")}: ${out.err}`);
        assert.doesNotMatch(
          out.out,
          RAW_CONTROL,
          `${cmd.join(" ")} prints a raw control character`,
        );
        // `heads` alone prints ids and labels, which may not hold control characters at all.
        if (cmd.join(" ") !== "heads") {
          assert.match(out.out, /\\u001b/, `${cmd.join(" ")} shows the escape`);
        }
      }
    });
  });
}

for (const dialect of DIALECTS) {
  Deno.test(`${dialect}: an empty migrations folder lists nothing and creates no database`, async () => {
    await withTempDir(async (dir) => {
      const db = await dbFor(dialect, dir, "empty");
      const mig = `${dir}/m`;
      await Deno.mkdir(mig);
      const base = ["--url", db.url, "--migrations", mig];
      for (const cmd of [["history"], ["heads"], ["branches"], ["current"]]) {
        const r = await runCli([...base, "-q", ...cmd]);
        assert.deepEqual([r.code, r.out, r.err], [0, "", ""], cmd.join(" "));
      }
      const r = await runCli([...base, "upgrade"]);
      assert.equal(r.code, 6, r.err);
      if (dialect === "sqlite") {
        await assert.rejects(Deno.stat(db.url), Deno.errors.NotFound);
      } else {
        assert.deepEqual(await db.tables(), []);
      }
    });
  });
}
