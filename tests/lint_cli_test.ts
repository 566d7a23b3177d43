/**
 * `bellows lint` through the command line: linter output and exit codes, phases from
 * branch labels, suppressions, `--json`, `--dialect`, and the permissions PostgreSQL's
 * parser needs when run with the single binary's flags.
 */
import assert from "node:assert/strict";
import { RULES } from "../src/analysis/lint.ts";
import { permissionFlags } from "../src/permissions.ts";
import { execCli, runCli, script, withTempDir, writeScripts } from "./support/cli.ts";

/** A base revision creating `images`, and an expand and a contract branch from it (as Glance). */
function project(expandUp: string, contractUp: string): Record<string, string> {
  return {
    "r0.sql": script(
      "r0",
      [],
      "CREATE TABLE images (id int PRIMARY KEY, name text, size int);",
    ),
    "e1.sql": script("e1", "r0", expandUp, "", { branch_labels: "expand" }),
    "c1.sql": script("c1", "r0", contractUp, "", { branch_labels: "contract", depends_on: "e1" }),
  };
}

Deno.test("lint: findings as file:line:col rule-id lines, exit 1 on an error, 0 when clean", async () => {
  await withTempDir(async (dir) => {
    await writeScripts(
      `${dir}/m`,
      project(
        "ALTER TABLE images DROP COLUMN size;",
        "ALTER TABLE images DROP COLUMN name;",
      ),
    );
    const r = await runCli(["--migrations", `${dir}/m`, "-q", "lint"]);
    assert.equal(r.code, 1, r.err);
    const lines = r.out.split("\n");
    assert.equal(lines.length, 1, r.out);
    assert.match(
      lines[0],
      new RegExp(
        `^${dir}/m/e1\\.sql:\\d+:1 drop-in-expand error: drops column images\\.size ` +
          `\\(fix: move the DROP to a contract revision\\)$`,
      ),
    );
    // The contract revision alone: its DROP is what contract is for.
    const c = await runCli(["--migrations", `${dir}/m`, "-q", "lint", "c1"]);
    assert.deepEqual([c.code, c.out], [0, ""]);
  });
});

Deno.test("lint: a suppression with a reason clears the finding; without one it is an error", async () => {
  await withTempDir(async (dir) => {
    const allow = "-- bellows:allow drop-in-expand because size was never read by any release\n";
    await writeScripts(`${dir}/ok`, project(`${allow}ALTER TABLE images DROP COLUMN size;`, ""));
    const ok = await runCli(["--migrations", `${dir}/ok`, "-q", "lint"]);
    assert.deepEqual([ok.code, ok.out], [0, ""]);

    await writeScripts(
      `${dir}/bad`,
      project("-- bellows:allow drop-in-expand\nALTER TABLE images DROP COLUMN size;", ""),
    );
    const bad = await runCli(["--migrations", `${dir}/bad`, "-q", "lint"]);
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.out.split("\n").map((l) => l.split(" ")[1]), [
      "suppression-reason",
      "drop-in-expand",
    ]);
    // The suppression line does not upset the script parser: the revision still runs.
    const up = await runCli([
      "--migrations",
      `${dir}/ok`,
      "--url",
      `sqlite:${dir}/x.db`,
      "upgrade",
    ]);
    assert.equal(up.code, 0, up.err);
  });
});

Deno.test("lint --json: one document with the findings; --rules lists every rule", async () => {
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, project("CREATE INDEX i ON images (name);", ""));
    const r = await runCli(["--migrations", `${dir}/m`, "--json", "-q", "lint"]);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.out);
    assert.deepEqual(
      [doc.command, doc.ok, doc.exitCode, doc.dialect, doc.revisions, doc.errors, doc.warnings],
      ["lint", true, 1, "postgresql", 3, 1, 0],
    );
    assert.deepEqual(
      Object.keys(doc.findings[0]).sort(),
      ["column", "file", "fix", "line", "message", "revision", "rule", "severity"],
    );
    assert.equal(doc.findings[0].rule, "index-not-concurrent");

    // SQLite has no CONCURRENTLY: the same script is clean there.
    const lite = await runCli(["--migrations", `${dir}/m`, "-q", "lint", "--dialect", "sqlite"]);
    assert.deepEqual([lite.code, lite.out], [0, ""]);
    const viaUrl = await runCli([
      "--migrations",
      `${dir}/m`,
      "--url",
      `sqlite:${dir}/a.db`,
      "-q",
      "lint",
    ]);
    assert.equal(viaUrl.code, 0);
    const badDialect = await runCli(["--migrations", `${dir}/m`, "lint", "--dialect", "oracle"]);
    assert.equal(badDialect.code, 2);
    assert.match(badDialect.err, /--dialect: 'oracle' is not postgresql, sqlite or mysql/);
    // MariaDB builds the index online: a warning to say so explicitly, no error.
    const maria = await runCli(["--migrations", `${dir}/m`, "-q", "lint", "--dialect", "mariadb"]);
    assert.equal(maria.code, 0, maria.err);
    assert.match(
      maria.out,
      new RegExp(
        `^${dir}/m/e1\\.sql:\\d+:1 mysql-online-clauses warning: CREATE INDEX images without ` +
          "ALGORITHM=INPLACE, LOCK=NONE ",
      ),
    );

    const rules = await runCli(["--json", "lint", "--rules"]);
    const ids = JSON.parse(rules.out).rules.map((x: { id: string }) => x.id);
    assert.ok(ids.includes("drop-in-expand") && ids.includes("lock-timeout-reset"), rules.out);
    const unknown = await runCli(["--migrations", `${dir}/m`, "lint", "nope"]);
    assert.equal(unknown.code, 6, unknown.err);
  });
});

Deno.test("lint with the binary's permissions: the parser needs read access to its own package only", async () => {
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, project("CREATE INDEX i ON images (name);", ""));
    const args = ["--migrations", `${dir}/m`, "-q", "lint"];
    // SQLite loads no parser: the binary's flags narrowed to the project are enough.
    const lite = await execCli([...args, "--dialect", "sqlite"], {
      cwd: dir,
      permissions: permissionFlags({ fs: [dir] }),
    });
    assert.deepEqual([lite.code, lite.err], [0, ""]);

    // Under `deno run`, the parser's WebAssembly file is in Deno's npm cache: without read
    // access there, one line and exit 10 naming the file (the compiled binary embeds the
    // package and may read it).
    const denied = await execCli(args, { cwd: dir, permissions: permissionFlags({ fs: [dir] }) });
    assert.equal(denied.code, 10, denied.err);
    assert.equal(denied.err.split("\n").length, 1, denied.err);
    const m = /loading the PostgreSQL parser \((\S+libpg-query\.wasm)\).*--allow-read=(\S+)/.exec(
      denied.err,
    );
    assert.ok(m, denied.err);
    const granted = await execCli(args, {
      cwd: dir,
      permissions: permissionFlags({ fs: [dir, m[2]] }),
    });
    assert.equal(granted.code, 1, granted.err);
    assert.match(granted.out, /e1\.sql:\d+:1 index-not-concurrent error/);
  });
});

Deno.test("docs/lint.md lists every rule, with its severity", async () => {
  const section = await Deno.readTextFile(new URL("../docs/lint.md", import.meta.url));
  const listed = [...section.matchAll(/^- `([a-z-]+)` \(([^;]+); ([^)]+)\)/gm)].map((m) => m[1]);
  assert.deepEqual(listed, RULES.map((r) => r.id));
});

Deno.test("plan and upgrade: lint errors of the revisions to run as warning lines, exit codes unchanged", async () => {
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, {
      "r0.sql": script("r0", [], "CREATE TABLE images (id int PRIMARY KEY, name text);"),
      "r1.sql": script("r1", "r0", "ALTER TABLE images RENAME TO pictures;"),
    });
    const base = ["--migrations", `${dir}/m`, "--url", `${dir}/a.db`];
    const finding = new RegExp(
      `(?:warning: |WARN )${dir}/m/r1\\.sql:\\d+:1 rename-table error: .*$`,
      "m",
    );
    const plan = await runCli([...base, "plan"]);
    assert.equal(plan.code, 0, plan.err);
    assert.match(plan.err, finding);
    assert.match(
      plan.out,
      /\n {5}\d+:1 ALTER TABLE images RENAME TO pictures\n {9}changes images, metadata only$/,
    );
    const json = JSON.parse((await runCli([...base, "--json", "plan"])).out);
    assert.deepEqual(json.lint.map((f: { rule: string }) => f.rule), ["rename-table"]);
    assert.equal(json.blockers, null);

    const up = await runCli([...base, "upgrade", "r0"]);
    assert.equal(up.code, 0, up.err);
    assert.doesNotMatch(up.err, /rename-table/); // r1 does not run
    const rest = await runCli([...base, "upgrade"]);
    assert.equal(rest.code, 0, rest.err);
    assert.equal(rest.err.split("\n").filter((l) => finding.test(l)).length, 1, rest.err);
  });
});
