/**
 * The automation contract, checked against the docs themselves: every command's `--json`
 * document holds the fields docs/automation.md lists, and every exit code in the tables of
 * README.md and docs/automation.md is the one the command line returns for that situation.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ExitCode } from "../src/errors.ts";
import { buildProgram, main } from "../src/cli/mod.ts";
import { execCli, runCli, script, startCli, withTempDir, writeScripts } from "./support/cli.ts";
import { permissionFlags } from "../src/permissions.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
const automation = await Deno.readTextFile(new URL("../docs/automation.md", import.meta.url));
const repoMigrations = new URL("../migrations", import.meta.url).pathname;

/** The rows of the first Markdown table after `marker` in `doc`, as cells. */
function tableAfter(marker: string, doc = automation): string[][] {
  const at = doc.indexOf(marker);
  assert.ok(at >= 0, `the doc has "${marker}"`);
  const lines = doc.slice(at).split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith("|")) break;
    rows.push(l.split("|").slice(1, -1).map((c) => c.trim()));
  }
  assert.ok(rows.length > 0, `a table follows "${marker}"`);
  return rows;
}

/** `a`, `b` names in a cell, leaving out everything inside parentheses. */
function topNames(cell: string): string[] {
  let flat = cell;
  while (/\([^()]*\)/.test(flat)) flat = flat.replace(/\([^()]*\)/g, "");
  return [...flat.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

/** For `name` (each: `a`, `b`) in a cell: name -> [a, b]. */
function eachNames(cell: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of cell.matchAll(/`(\w+)`[^`(]*\(each: ([^()]*)\)/g)) {
    out.set(m[1], [...m[2].matchAll(/`(\w+)`/g)].map((x) => x[1]));
  }
  return out;
}

function sentenceNames(pattern: RegExp): string[] {
  const m = pattern.exec(automation.replace(/\s+/g, " "));
  assert.ok(m, `docs/automation.md has ${pattern}`);
  return topNames(m[1]);
}

function versions(path: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare("SELECT version_num FROM alembic_version ORDER BY version_num").all()
      .map((r) => String(r.version_num));
  } finally {
    db.close();
  }
}

Deno.test("every command's --json document holds the fields docs/automation.md documents", async () => {
  const rows = tableAfter("The fields of each command:");
  const revisionFields = sentenceNames(/A revision is (.*?); `source` is/);
  const sourceFields = sentenceNames(/; `source` is (.*?) and `digest`/).concat("digest");
  await withTempDir(async (dir) => {
    const db = `${dir}/auto.db`;
    const mig = `${dir}/m`;
    await Deno.mkdir(mig);
    for await (const e of Deno.readDir(repoMigrations)) {
      await Deno.copyFile(`${repoMigrations}/${e.name}`, `${mig}/${e.name}`);
    }
    assert.equal((await runCli(["--url", db, "upgrade", "mitaka01"])).code, 0);
    // A one-revision Alembic versions/ folder for import-alembic.
    const alembicVersions = `${dir}/versions`;
    await Deno.mkdir(alembicVersions);
    await Deno.writeTextFile(
      `${alembicVersions}/a1_first.py`,
      '"""first"""\nrevision = "a1"\ndown_revision = None\nbranch_labels = None\n' +
        'depends_on = None\n\ndef upgrade():\n    op.execute("CREATE TABLE t (id INTEGER)")\n\n' +
        'def downgrade():\n    op.execute("DROP TABLE t")\n',
    );
    const url = ["--url", db];
    // How each documented command is run here, in this order, on one database.
    const invocations = new Map<string, string[]>([
      ["plan", [...url, "plan"]],
      ["upgrade --dry-run", [...url, "upgrade", "--dry-run"]],
      ["downgrade --dry-run", [...url, "downgrade", "base", "--dry-run"]],
      ["upgrade", [...url, "upgrade"]],
      ["downgrade", [...url, "downgrade", "mitaka01"]],
      ["stamp", [...url, "stamp", "mitaka02"]],
      ["expand", [...url, "expand"]],
      ["migrate", [...url, "migrate"]],
      ["contract", [...url, "contract"]],
      ["sync", [...url, "sync"]],
      ["check", [...url, "check"]],
      ["version", [...url, "version"]],
      ["version_control", ["--url", `${dir}/vc.db`, "version_control"]],
      ["current", [...url, "current"]],
      ["history", [...url, "history", "-i"]],
      ["history --audit", [...url, "history", "--audit"]],
      ["history --source", ["history", "--source"]],
      ["heads", ["heads"]],
      ["branches", ["branches"]],
      ["show", ["show", "mitaka01"]],
      ["lint", ["lint", "--dialect", "sqlite"]],
      ["graph", [...url, "graph"]],
      ["revision", [
        "--migrations",
        mig,
        "revision",
        "-m",
        "side",
        "--head",
        "mitaka01",
        "--splice",
      ]],
      ["merge", ["--migrations", mig, "merge", "heads", "-m", "join"]],
      ["upgrade --sql", [...url, "upgrade", "--sql", "mitaka01:expand@head"]],
      ["downgrade --sql", [...url, "downgrade", "--sql", "mitaka02:mitaka01"]],
      ["stamp --sql", [...url, "stamp", "--sql", "mitaka01"]],
      ["import-alembic", ["--migrations", `${dir}/imported`, "import-alembic", alembicVersions]],
    ]);
    const documented = new Map<string, string[][]>();
    for (const [commands, fields] of rows) {
      for (const c of topNames(commands)) documented.set(c, [topNames(fields), [fields]]);
    }
    assert.deepEqual([...invocations.keys()].sort(), [...documented.keys()].sort());
    // Every command of the program is documented.
    const program = buildProgram({ out() {}, err() {} });
    for (const c of program.commands) assert.ok(documented.has(c.name()), `${c.name()} documented`);

    for (const [command, args] of invocations) {
      const [fields, [cell]] = documented.get(command)!;
      const r = await runCli(["--json", ...args]);
      assert.equal(r.code, 0, `${command}: ${r.err}`);
      assert.equal(r.out.split("\n").length, 1, `${command}: one line`);
      const doc = JSON.parse(r.out);
      for (const k of ["bellows", "schema", "command", "ok", "exitCode", ...fields]) {
        assert.ok(k in doc, `${command}: field ${k} in ${r.out}`);
      }
      assert.deepEqual([doc.ok, doc.exitCode, doc.command], [true, 0, command.split(" ")[0]]);
      for (const [name, keys] of eachNames(cell)) {
        assert.ok(Array.isArray(doc[name]), `${command}: ${name} is a list`);
        for (const item of doc[name]) {
          for (const k of keys) assert.ok(k in item, `${command}: ${name}[].${k}`);
        }
      }
      if (doc.source) assert.deepEqual(Object.keys(doc.source).sort(), [...sourceFields].sort());
      for (const list of ["revisions", "heads", "branches"]) {
        if (!Array.isArray(doc[list]) || typeof doc[list][0] !== "object") continue;
        for (const k of revisionFields) assert.ok(k in doc[list][0], `${command}: ${list}[].${k}`);
      }
    }
    assert.deepEqual(versions(db), ["ocata_contract01"]);
    assert.deepEqual(versions(`${dir}/vc.db`), ["liberty"]);
  });
});

Deno.test("--json values: applied steps carry durations and the checksums plan showed", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/sum.db`;
    const plan = JSON.parse((await runCli(["--json", "--url", db, "plan"])).out);
    await assert.rejects(Deno.stat(db), Deno.errors.NotFound, "plan created no database");
    const up = JSON.parse((await runCli(["--json", "--url", db, "upgrade"])).out);
    assert.deepEqual(
      up.steps.map((s: Record<string, unknown>) => [s.revision, s.checksum, s.statements]),
      plan.steps.map((s: Record<string, unknown>) => [s.revision, s.checksum, s.statements]),
    );
    assert.ok(up.steps.every((s: { durationMs: number }) => Number.isInteger(s.durationMs)));
    assert.deepEqual([up.before, up.after], [[], ["ocata_contract01"]]);
    const audit = new DatabaseSync(db, { readOnly: true });
    const sums = audit.prepare("SELECT checksum FROM bellows_audit ORDER BY seq").all()
      .map((r) => r.checksum);
    audit.close();
    assert.deepEqual(sums, plan.steps.map((s: { checksum: string }) => s.checksum));

    const cur = JSON.parse((await runCli(["--json", "--url", db, "current"])).out);
    assert.deepEqual(cur.current, ["ocata_contract01"]);
    assert.deepEqual(cur.pending, []);
    assert.equal(cur.revisions[0].applied.direction, "up");
    const graph = JSON.parse((await runCli(["--json", "--url", db, "graph"])).out);
    assert.deepEqual(graph.current, ["ocata_contract01"]);
    assert.deepEqual(
      graph.revisions.filter((r: { current: boolean }) => r.current).map((
        r: { revision: string },
      ) => r.revision),
      ["ocata_contract01"],
    );
    assert.match(graph.graph, /"ocata_contract01" \[.*style=filled/);
    const bare = JSON.parse((await runCli(["--json", "graph", "--format", "mermaid"])).out);
    assert.equal(bare.current, null);
    assert.doesNotMatch(bare.graph, /\(current\)|classDef current/);
    // Planning from a given start needs no database at all.
    const offline = JSON.parse(
      (await runCli(["--json", "plan", "--from", "liberty", "--dialect", "postgresql"])).out,
    );
    assert.deepEqual([offline.database, offline.from, offline.to], [null, ["liberty"], [
      "ocata_contract01",
    ]]);
    assert.deepEqual(offline.steps.map((s: { revision: string }) => s.revision), [
      "mitaka01",
      "mitaka02",
      "ocata_expand01",
      "ocata_contract01",
    ]);
  });
});

/**
 * A real `bellows upgrade` process waiting for the migration lock (which this test
 * holds), stopped by `signal` once it has the database file open: it says nothing was
 * changed, in one line.
 */
async function stoppedWhileWaiting(dir: string, signal: "SIGINT" | "SIGTERM") {
  const db = `${dir}/${signal}.db`;
  assert.equal((await runCli(["-q", "--url", db, "upgrade", "liberty"])).code, 0);
  using file = await Deno.open(db, { read: true, write: true });
  await file.lock(true);
  const cli = startCli(["--json", "--url", db, "--lock-wait", "60s", "upgrade"]);
  // Open files show in /proc: the runner opens the database to wait for its lock.
  const real = await Deno.realPath(db);
  for (let opened = false; !opened;) {
    await new Promise((r) => setTimeout(r, 20));
    for (const fd of Deno.readDirSync(`/proc/${cli.process.pid}/fd`)) {
      const target = await Deno.readLink(`/proc/${cli.process.pid}/fd/${fd.name}`).catch(() => "");
      if (target === real) opened = true;
    }
  }
  cli.process.kill(signal);
  const r = await cli.done();
  assert.equal(r.err, `bellows: stopped by ${signal}: nothing was changed`);
  return r;
}

/** Each documented exit code, brought about for real; `meaning` must match README's row. */
interface Driver {
  readonly meaning: RegExp;
  readonly kind: string;
  run(dir: string): Promise<{ code: number; out: string; err: string }>;
}

const DRIVERS: Record<number, Driver> = {
  [ExitCode.OK]: {
    meaning: /done, or nothing to do/,
    kind: "",
    run: () => runCli(["--json", "heads"]),
  },
  [ExitCode.MIGRATION_FAILED]: {
    meaning: /migration statement or its COMMIT failed/,
    kind: "migration_failed",
    run: async (dir) => {
      await writeScripts(`${dir}/bad`, {
        "a.sql": script("a1", "", "INSERT INTO nosuchtable VALUES (1);"),
      });
      const db = `${dir}/1.db`;
      return runCli(["--json", "-q", "--url", db, "--migrations", `${dir}/bad`, "upgrade"]);
    },
  },
  [ExitCode.USAGE]: {
    meaning: /usage error/,
    kind: "usage",
    run: () => runCli(["--json", "upgrade", "--no-such-option"]),
  },
  [ExitCode.EXPAND_NEEDED]: {
    meaning: /expand migrations are pending/,
    kind: "phase",
    // Contract before expand is refused.
    run: (dir) => runCli(["--json", "--url", `${dir}/3.db`, "contract"]),
  },
  [ExitCode.MIGRATE_NEEDED]: {
    meaning: /data migrations \(migrate phase\) are pending/,
    kind: "phase",
    // Contract while a data migration still has rows to move is refused.
    run: async (dir) => {
      const path = `${dir}/4.db`;
      assert.equal((await runCli(["-q", "--url", path, "upgrade", "mitaka02"])).code, 0);
      const db = new DatabaseSync(path);
      db.exec("INSERT INTO images (id, status, created_at) VALUES ('i1', 'active', '2017-02-22')");
      db.close();
      // Expanded, but the image written before has no visibility yet.
      assert.equal((await runCli(["-q", "--url", path, "expand"])).code, 0);
      return runCli(["--json", "--url", path, "contract"]);
    },
  },
  [ExitCode.CONTRACT_NEEDED]: {
    meaning: /contract migrations are pending/,
    kind: "phase",
    // An expand revision that needs a contract revision: that contract must come first.
    run: async (dir) => {
      await writeScripts(`${dir}/cross`, {
        "b0.sql": script("b0", "", "SELECT 1;"),
        "e1.sql": script("e1", "b0", "SELECT 1;", "", { branch_labels: "expand" }),
        "c1.sql": script("c1", "b0", "SELECT 1;", "", {
          branch_labels: "contract",
          depends_on: "e1",
        }),
        "e2.sql": script("e2", "e1", "SELECT 1;", "", { depends_on: "c1" }),
      });
      return runCli(["--json", "--url", `${dir}/5.db`, "--migrations", `${dir}/cross`, "expand"]);
    },
  },
  [ExitCode.SCRIPT]: {
    meaning: /target that does not resolve/,
    kind: "revision",
    run: () => runCli(["--json", "show", "nosuchrev"]),
  },
  [ExitCode.UNREACHABLE]: {
    meaning: /database unreachable/,
    kind: "connection",
    // A folder is no SQLite database file.
    run: (dir) => runCli(["--json", "--url", dir, "current"]),
  },
  [ExitCode.LOCK_BUSY]: {
    meaning: /another runner holds the migration lock/,
    kind: "lock_busy",
    run: async (dir) => {
      const db = `${dir}/8.db`;
      assert.equal((await runCli(["--url", db, "upgrade", "liberty"])).code, 0);
      using file = await Deno.open(db, { read: true, write: true });
      await file.lock(true);
      return await runCli(["--json", "--url", db, "--lock-wait", "0", "upgrade"]);
    },
  },
  [ExitCode.STATE]: {
    meaning: /recorded state does not fit the scripts/,
    kind: "state",
    run: (dir) => {
      const db = new DatabaseSync(`${dir}/9.db`);
      db.exec("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)");
      db.exec("INSERT INTO alembic_version VALUES ('notours')");
      db.close();
      return runCli(["--json", "--url", `${dir}/9.db`, "current"]);
    },
  },
  [ExitCode.PERMISSION]: {
    meaning: /Deno permission is missing/,
    kind: "permission",
    run: (dir) =>
      execCli(["--json", "--url", `${dir}/10.db`, "upgrade"], {
        permissions: permissionFlags({ fs: [`${dir}/nowhere`] }),
      }),
  },
  [ExitCode.INTERRUPTED]: {
    meaning: /stopped by SIGINT/,
    kind: "interrupted",
    run: (dir) => stoppedWhileWaiting(dir, "SIGINT"),
  },
  [ExitCode.TERMINATED]: {
    meaning: /stopped by SIGTERM/,
    kind: "interrupted",
    run: (dir) => stoppedWhileWaiting(dir, "SIGTERM"),
  },
  [ExitCode.OUTPUT]: {
    meaning: /could not write its result to stdout/,
    kind: "output",
    // What console.log throws on a full disk (tests/failure_report_test.ts does it for real).
    run: async () => {
      const err: string[] = [];
      const code = await main(["--json", "heads"], {
        out: () => {
          throw Object.assign(new Error("No space left on device (os error 28)"), {
            code: "ENOSPC",
          });
        },
        err: (t) => err.push(t),
      });
      return { code, out: "", err: err.join("\n") };
    },
  },
  [ExitCode.INTERNAL]: {
    meaning: /internal error/,
    kind: "internal",
    // stdout failing under us is nothing bellows planned for.
    run: async () => {
      const err: string[] = [];
      const code = await main(["heads"], {
        out: () => {
          throw new TypeError("stdout is gone");
        },
        err: (t) => err.push(t),
      });
      return { code, out: "", err: err.join("\n") };
    },
  },
};

Deno.test("the exit codes README and docs/automation.md document are the ones the command line returns", async () => {
  const codes = new Set<number>(Object.values(ExitCode));
  // Both tables, each checked in full: the README's for a newcomer, the reference page's.
  const tables = new Map([["README.md", readme], ["docs/automation.md", automation]].map(
    ([name, doc]) => {
      const table = new Map(
        tableAfter("## Exit codes", doc).map(([code, meaning]) => [Number(code), meaning]),
      );
      for (const code of table.keys()) assert.ok(Number.isInteger(code), `${name}: code ${code}`);
      const checkCodes = [...table].filter(([, m]) => m.startsWith("`check`")).map(([c]) => c);
      assert.deepEqual(checkCodes, [3, 4, 5], `${name}: 3-5 are check's`);
      assert.deepEqual(
        [...table.keys()].filter((c) => !checkCodes.includes(c) || codes.has(c))
          .sort((a, b) => a - b),
        [...codes].sort((a, b) => a - b),
        `${name} lists exactly ExitCode's values (plus check's)`,
      );
      return [name, table];
    },
  ));
  await withTempDir(async (dir) => {
    for (const code of codes) {
      const driver = DRIVERS[code];
      assert.ok(driver, `no test brings about exit code ${code}: add one to DRIVERS`);
      for (const [name, table] of tables) {
        assert.match(table.get(code)!, driver.meaning, `${name}'s meaning of ${code}`);
      }
      const r = await driver.run(dir);
      assert.equal(r.code, code, `expected exit ${code}: ${r.err}`);
      if (code === ExitCode.OK) continue;
      assert.equal(r.err.split("\n").filter((l) => l.trim()).length, 1, r.err);
      if (r.out) {
        const doc = JSON.parse(r.out);
        assert.deepEqual([doc.ok, doc.exitCode, doc.error.code, doc.error.kind], [
          false,
          code,
          code,
          driver.kind,
        ]);
        assert.equal(typeof doc.error.message, "string");
      } else {
        // These two break stdout itself; every other driver asks for --json.
        assert.ok([ExitCode.INTERNAL, ExitCode.OUTPUT].includes(code as 70), `${code}: no JSON`);
      }
    }
  });
});
