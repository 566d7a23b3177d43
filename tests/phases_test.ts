/**
 * The phase commands on SQLite, PostgreSQL and MariaDB: legacy takeover, data migrations
 * that are killed and resume, `sync` without rolling sections, `version`,
 * `version_control`, and the phase rules of `upgrade`.
 */
import assert from "node:assert/strict";
import { execCli, runCli, script, spawnCli, withTempDir, writeScripts } from "./support/cli.ts";
import { columns, makeLegacy, seedImages, versionRows } from "./support/glance_db.ts";
import {
  dialectDb,
  DIALECTS,
  sqliteDb,
  startServers,
  type TestDb,
  type TestDialect,
} from "./support/db.ts";

const servers = await startServers();
/** Run `fn` on a fresh database of `dialect`, with a temporary directory. */
async function withDb(
  dialect: TestDialect,
  fn: (db: TestDb, dir: string) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const db = await dialectDb(servers, dialect, dir, "phases");
    await fn(db, dir);
  });
}

/** Rows as lists of strings, for compact comparisons. */
async function table(db: TestDb, sql: string): Promise<string[][]> {
  return (await db.rows(sql)).map((r) => Object.values(r).map((v) => v === null ? "" : String(v)));
}

/** Visibility per seed tag, as the data migration must set it. */
async function assertVisibility(db: TestDb): Promise<void> {
  const rows = await table(
    db,
    "SELECT name, visibility, count(*) FROM images GROUP BY name, visibility",
  );
  for (const [name, vis] of rows) assert.equal(`${name}:${vis}`, `${name}:${name.slice(5)}`);
  assert.equal(rows.length, 3, JSON.stringify(rows));
}

for (const dialect of DIALECTS) {
  Deno.test(`${dialect}: a SQLAlchemy-Migrate database at 42, 43 or 44 is taken over and upgraded`, async () => {
    const cases = [[42, "liberty", "upgrade"], [43, "mitaka01", "sync"], [
      44,
      "mitaka02",
      "expand",
    ]] as const;
    for (const [version, revision, command] of cases) {
      await withDb(dialect, async (db) => {
        // The schema as the legacy tool left it, with images in it.
        let r = await runCli(["--url", db.url, "-q", "upgrade", revision]);
        assert.equal(r.code, 0, r.err);
        await seedImages(db, 30);
        await makeLegacy(db, version);
        r = await runCli(["--url", db.url, "version"]);
        assert.match(
          r.out,
          new RegExp(`SQLAlchemy-Migrate control at version ${version} \\(revision ${revision}\\)`),
        );
        r = await runCli(["--url", db.url, "check"]);
        assert.equal(r.code, 3, r.out);
        assert.match(r.out, /legacy: under SQLAlchemy-Migrate control/);
        r = await runCli(["--url", db.url, "contract"]);
        assert.equal(r.code, 3, "contract does not take a legacy database over");
        assert.deepEqual(await versionRows(db), []);

        r = await execCli(["--url", db.url, command]);
        assert.equal(r.code, 0, r.err);
        assert.match(
          r.err,
          new RegExp(
            `migrate_version says Glance is at version ${version}, which is revision ${revision}`,
          ),
        );
        if (command === "expand") {
          assert.deepEqual(await versionRows(db), ["ocata_expand01"]);
          r = await execCli(["--url", db.url, "sync"]);
          assert.equal(r.code, 0, r.err);
        }
        assert.deepEqual(await versionRows(db), ["ocata_contract01"]);
        // Stamped at the mapped revision first, then upgraded from there.
        const audit = (await table(
          db,
          "SELECT revision, direction FROM bellows_audit WHERE direction <> 'data' ORDER BY seq",
        )).map(([rev, dir]) => `${rev}:${dir}`);
        const later = ["mitaka01", "mitaka02", "ocata_expand01", "ocata_contract01"];
        assert.deepEqual(audit, [
          `${revision}:stamp`,
          ...later.slice(later.indexOf(revision) + 1).map((x) => `${x}:up`),
        ]);
        // migrate_version is kept as it was.
        assert.deepEqual(await table(db, "SELECT repository_id, version FROM migrate_version"), [[
          "Glance",
          String(version),
        ]]);
        assert.ok(!(await columns(db, "images")).includes("is_public"));
        await assertVisibility(db);
        if (version === 42) {
          const idx = {
            sqlite: "SELECT name FROM sqlite_master WHERE name = 'created_at_image_idx'",
            postgresql: "SELECT indexname FROM pg_indexes WHERE indexname = 'created_at_image_idx'",
            mysql: "SELECT DISTINCT index_name FROM information_schema.statistics WHERE " +
              "table_schema = DATABASE() AND index_name = 'created_at_image_idx'",
          }[dialect];
          assert.equal((await table(db, idx)).length, 1, "mitaka01 ran after the takeover");
        }
      });
    }
  });

  Deno.test(`${dialect}: an unmapped legacy version is an error that changes nothing`, async () => {
    await withDb(dialect, async (db) => {
      let r = await runCli(["--url", db.url, "-q", "upgrade", "mitaka02"]);
      assert.equal(r.code, 0, r.err);
      for (
        const [version, why] of [[
          45,
          /which no revision declares \(legacy_version 42 = liberty, 43 = mitaka01, 44 = mitaka02\)/,
        ], [30, /older than any revision here knows/]] as const
      ) {
        await makeLegacy(db, version);
        const tables = await db.tables();
        r = await runCli(["--url", db.url, "upgrade"]);
        assert.equal(r.code, 9, r.err);
        assert.match(r.err, why);
        assert.match(r.err, /nothing was changed$/);
        assert.deepEqual(await db.tables(), tables);
        assert.ok((await columns(db, "images")).includes("is_public"));
        await db.exec("DROP TABLE migrate_version");
      }
    });
  });

  Deno.test(`${dialect}: a data migration killed half-way resumes where it stopped`, async () => {
    await withDb(dialect, async (db, dir) => {
      {
        const mig = `${dir}/m`;
        await writeScripts(mig, slowProject);
        const base = ["--url", db.url, "--migrations", mig];
        let r = await runCli([...base, "-q", "expand"]);
        assert.equal(r.code, 0, r.err);
        const total = 600;
        await db.exec(
          `INSERT INTO t (id, a) VALUES ${
            Array.from({ length: total }, (_, i) => `(${i + 1}, ${i})`).join(", ")
          }`,
        );
        const done = async () =>
          Number((await table(db, "SELECT count(*) FROM t WHERE b IS NOT NULL"))[0][0]);

        const p = spawnCli([...base, "migrate", "--batch-size", "10"]);
        const started = Date.now();
        while ((await done()) < 30) {
          assert.ok(Date.now() - started < 60_000, "the data migration never got going");
          await new Promise((res) => setTimeout(res, 20));
        }
        p.kill("SIGKILL");
        const status = await p.status;
        assert.notEqual(status.code, 0);
        await p.stdout.cancel();
        await p.stderr.cancel();
        const moved = await done();
        assert.ok(moved > 0 && moved < total, `killed mid-way: ${moved} of ${total}`);
        assert.equal(moved % 10, 0, "a batch commits whole or not at all");
        r = await runCli([...base, "check"]);
        assert.equal(r.code, 4, r.out);
        assert.match(r.out, new RegExp(`migrate: d1 has ${total - moved} row\\(s\\) to move`));

        // The lock died with the process; the next run carries on from the check's count.
        r = await runCli([...base, "migrate", "--batch-size", "200"]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, new RegExp(`d1: ${total - moved} row\\(s\\) to move`));
        assert.match(r.err, new RegExp(`d1: moved ${total - moved} row\\(s\\)`));
        assert.deepEqual(await table(db, "SELECT count(*) FROM t WHERE b IS NULL OR b <> a * 2"), [[
          "0",
        ]]);
        r = await runCli([...base, "check"]);
        assert.equal(r.code, 5, r.out);
        r = await runCli([...base, "-q", "contract"]);
        assert.equal(r.code, 0, r.err);
        r = await runCli([...base, "check"]);
        assert.equal(r.code, 0, r.out);
        const audit = await table(db, "SELECT revision, direction FROM bellows_audit ORDER BY seq");
        assert.deepEqual(audit.map((x) => x.join(":")), ["r1:up", "e1:up", "d1:data", "c1:up"]);
      }
    });
  });

  Deno.test(`${dialect}: sync leaves rolling sections out; upgrade keeps them`, async () => {
    await withTempDir(async (dir) => {
      const mig = `${dir}/m`;
      await writeScripts(mig, rollingProject);
      for (const [command, marker] of [["sync", false], ["upgrade", true]] as const) {
        await withDb(dialect, async (db) => {
          await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL)");
          await db.exec("INSERT INTO t (id, a) VALUES (1, 10), (2, 20), (3, 30)");
          const r = await runCli(["--url", db.url, "--migrations", mig, command]);
          assert.equal(r.code, 0, r.err);
          assert.deepEqual(await versionRows(db), ["c1"]);
          assert.equal((await db.tables()).includes("rolling_marker"), marker, command);
          assert.deepEqual(await table(db, "SELECT id, b FROM t ORDER BY id"), [["1", "20"], [
            "2",
            "40",
          ], [
            "3",
            "60",
          ]]);
        });
      }
    });
  });

  Deno.test(`${dialect}: version and version_control`, async () => {
    await withDb(dialect, async (db) => {
      let r = await runCli(["--url", db.url, "version"]);
      assert.equal(r.out, "The database is not under version control.");
      await db.exec("CREATE TABLE images (id VARCHAR(36) PRIMARY KEY)");
      r = await runCli(["--url", db.url, "version_control"]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, "Placed database under version control at revision: liberty");
      assert.deepEqual(await versionRows(db), ["liberty"]);
      r = await runCli(["--url", db.url, "version"]);
      assert.equal(r.out, "liberty");
      r = await runCli(["--url", db.url, "version_control", "mitaka02"]);
      assert.equal(r.code, 9);
      assert.match(r.err, /already under version control at liberty; 'bellows stamp' changes/);
      assert.deepEqual(await versionRows(db), ["liberty"]);

      // A legacy database: its mapped revision by default, or what the operator names.
      await makeLegacy(db, 43);
      r = await runCli(["--url", db.url, "version_control"]);
      assert.equal(r.out, "Placed database under version control at revision: mitaka01");
      await makeLegacy(db, 43);
      r = await runCli(["--url", db.url, "version_control", "mitaka02"]);
      assert.equal(r.code, 0, r.err);
      assert.match(
        r.err,
        /migrate_version says version 43 \(revision mitaka01\); recording mitaka02 as asked/,
      );
      assert.deepEqual(await versionRows(db), ["mitaka02"]);
    });
  });
}

Deno.test("upgrade moves a release's data between its expand and contract revisions", async () => {
  await withTempDir(async (dir) => {
    const db = sqliteDb(dir);
    const mig = `${dir}/m`;
    await writeScripts(mig, {
      ...rollingProject,
      "e2.sql": script("e2", "e1", "ALTER TABLE t ADD COLUMN c INTEGER;"),
    });
    await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL)");
    await db.exec("INSERT INTO t (id, a) VALUES (1, 10), (2, 20)");
    const base = ["--url", db.url, "--migrations", mig];
    // Alembic's plan for c1 is r1, e1, c1; d1 runs between e1 and c1. e2 is not needed.
    let r = await runCli([...base, "upgrade", "c1"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Running upgrade r1 -> e1[\s\S]*d1: moved 2 row\(s\)[\s\S]*-> c1/);
    assert.deepEqual(await versionRows(db), ["c1"]);
    assert.deepEqual(await table(db, "SELECT id, b FROM t ORDER BY id"), [["1", "20"], [
      "2",
      "40",
    ]]);
    r = await runCli([...base, "check"]);
    assert.equal(r.code, 3, r.out);
    assert.match(r.out, /expand: 1 revision\(s\) to apply: e2/);
  });
});

Deno.test("contract refuses while expand is incomplete, even with no data to move", async () => {
  await withTempDir(async (dir) => {
    const db = sqliteDb(dir);
    const mig = `${dir}/m`;
    await writeScripts(mig, {
      ...rollingProject,
      "e2.sql": script("e2", "e1", "ALTER TABLE t ADD COLUMN c INTEGER;"),
    });
    await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL)");
    const base = ["--url", db.url, "--migrations", mig];
    assert.equal((await runCli([...base, "-q", "upgrade", "e1"])).code, 0);
    const r = await runCli([...base, "contract"]);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /contract refused: expand is not complete \(e2 not applied\)/);
    assert.deepEqual(await versionRows(db), ["e1"]);
  });
});

Deno.test("phase rules: warnings for destructive expand and additive contract statements", async () => {
  await withTempDir(async (dir) => {
    const db = sqliteDb(dir);
    const mig = `${dir}/m`;
    await writeScripts(mig, {
      "r1.sql": script(
        "r1",
        "",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, z INTEGER);",
      ),
      "e1.sql": script(
        "e1",
        "r1",
        "ALTER TABLE t ADD COLUMN b INTEGER;\nALTER TABLE t DROP COLUMN z;",
        "",
        {
          branch_labels: "expand",
        },
      ),
      "c1.sql": script("c1", "r1", "CREATE INDEX t_b ON t (b);", "", {
        branch_labels: "contract",
        depends_on: "e1",
      }),
    });
    const base = ["--url", db.url, "--migrations", mig];
    let r = await runCli([...base, "expand"]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.err,
      /e1\.sql:8: expand revision 'e1' drops a column \(DROP COLUMN Z\): old services may still need it/,
    );
    r = await runCli([...base, "contract"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /c1\.sql:8: contract revision 'c1' creates an index \(CREATE INDEX\)/);
  });
});

Deno.test("a data migration whose batch moves nothing is an error, not a loop", async () => {
  await withTempDir(async (dir) => {
    const db = sqliteDb(dir);
    const mig = `${dir}/m`;
    await writeScripts(mig, {
      ...rollingProject,
      "d1.sql": [
        "-- data_migration: d1",
        "-- after: e1",
        "-- bellows:check",
        "SELECT count(*) FROM t WHERE b IS NULL;",
        "-- bellows:batch",
        "UPDATE t SET a = a WHERE id IN (SELECT id FROM t WHERE b IS NULL LIMIT 0 * :batch_size);",
        "",
      ].join("\n"),
    });
    await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL)");
    await db.exec("INSERT INTO t (id, a) VALUES (1, 10)");
    const base = ["--url", db.url, "--migrations", mig];
    assert.equal((await runCli([...base, "-q", "expand"])).code, 0);
    const r = await runCli([...base, "migrate"]);
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.err,
      /d1\.sql: data migration 'd1' made no progress: its check query counts 1 row\(s\) but its batch changed none/,
    );
  });
});

for (const dialect of DIALECTS) {
  Deno.test(`${dialect}: a data migration whose batch changes rows but not the count stops`, async () => {
    await withDb(dialect, async (db, dir) => {
      const mig = `${dir}/m`;
      await writeScripts(mig, {
        ...rollingProject,
        // Writes NULL back (as SQLite's 1/0 would): rows change, the check still counts them.
        "d1.sql": [
          "-- data_migration: d1",
          "-- after: e1",
          "-- bellows:check",
          "SELECT count(*) FROM t WHERE b IS NULL;",
          "-- bellows:batch",
          "UPDATE t SET b = NULL WHERE id IN (SELECT id FROM (SELECT id FROM t WHERE b IS NULL LIMIT :batch_size) AS pick);",
          "",
        ].join("\n"),
      });
      await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL)");
      await db.exec("INSERT INTO t (id, a) VALUES (1, 10), (2, 20)");
      const base = ["--url", db.url, "--migrations", mig];
      assert.equal((await runCli([...base, "-q", "expand"])).code, 0);
      const before = await db.versions();
      const r = await runCli([...base, "-q", "--json", "migrate", "--batch-size", "1"]);
      assert.equal(r.code, 1, r.err);
      assert.equal(r.err.split("\n").length, 1, r.err);
      assert.match(
        r.err,
        /^bellows: \S*d1\.sql: data migration 'd1' made no progress: its check query still counts 2 row\(s\) after 3 batches in a row that each changed rows/,
      );
      assert.equal(JSON.parse(r.out).error.kind, "migration_failed");
      assert.deepEqual(await db.versions(), before);
    });
  });
}

/** r1 → e1 (expand, with a rolling section) → c1 (contract); d1 fills b = 2a. */
const rollingProject: Record<string, string> = {
  "r1.sql": script("r1", "", "SELECT 1;"),
  "e1.sql": script(
    "e1",
    "r1",
    "ALTER TABLE t ADD COLUMN b INTEGER;\n\n-- bellows:upgrade rolling\nCREATE TABLE rolling_marker (id INTEGER);",
    "",
    {
      branch_labels: "expand",
    },
  ),
  "c1.sql": script("c1", "r1", "SELECT 1;", "", { branch_labels: "contract", depends_on: "e1" }),
  "d1.sql": [
    "-- data_migration: d1",
    "-- after: e1",
    "-- message: b is twice a",
    "-- bellows:check",
    "SELECT count(*) FROM t WHERE b IS NULL;",
    "-- bellows:batch",
    "UPDATE t SET b = a * 2 WHERE id IN (SELECT id FROM (SELECT id FROM t WHERE b IS NULL ORDER BY id LIMIT :batch_size) AS pick);",
    "",
  ].join("\n"),
};

/** Like rollingProject, with a batch slowed down so that a test can kill it half-way. */
const slowProject: Record<string, string> = {
  "r1.sql": script("r1", "", "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL);"),
  "e1.sql": script("e1", "r1", "ALTER TABLE t ADD COLUMN b INTEGER;", "", {
    branch_labels: "expand",
  }),
  "c1.sql": script("c1", "r1", "SELECT 1;", "", { branch_labels: "contract", depends_on: "e1" }),
  "d1.sql": [
    "-- data_migration: d1",
    "-- after: e1",
    "-- bellows:check",
    "SELECT count(*) FROM t WHERE b IS NULL;",
    "-- bellows:batch",
    "UPDATE t SET b = a * 2 WHERE id IN (SELECT id FROM (SELECT id FROM t WHERE b IS NULL ORDER BY id LIMIT :batch_size) AS pick);",
    "-- bellows:batch postgresql",
    "SELECT pg_sleep(0.03);",
    "-- bellows:batch sqlite",
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT count(*) FROM c;",
    "-- bellows:batch mysql",
    "SELECT SLEEP(0.03);",
    "",
  ].join("\n"),
};

Deno.test("upgrade --sql never skips a data migration that rows may need", async () => {
  // From a given start there may be rows: a script that would retire ocata_migrate01 is refused.
  let r = await runCli(["--url", "sqlite:x.db", "upgrade", "--sql", "mitaka02:heads"]);
  assert.equal(r.code, 4, r.err);
  assert.match(
    r.err,
    /upgrade --sql refused: .*ocata_migrate01.*'upgrade --sql mitaka02:expand@head'/,
  );
  r = await runCli(["--url", "sqlite:x.db", "upgrade", "--sql", "mitaka02:expand@head"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /ALTER TABLE images ADD COLUMN visibility/);
  // From an empty database there is nothing to move: printed, with a warning.
  r = await runCli(["--url", "sqlite:x.db", "upgrade", "--sql"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /leaves out data migration\(s\) ocata_migrate01/);
  assert.match(r.out, /ALTER TABLE images DROP COLUMN is_public/);
});
