/**
 * `plan`, `upgrade --dry-run` and `lint` on a real MariaDB: each statement's ALTER
 * algorithm in words, the table's size from information_schema, the lint lines and exit
 * codes, and `--json`.
 */
import assert from "node:assert/strict";
import { runCli, script, withTempDir, writeScripts } from "./support/cli.ts";
import { mysqlDb } from "./support/db.ts";
import { startServer } from "./support/mariadb_server.ts";

const server = await startServer();

/** r0 creates `images` (and `owners`); r1, an expand revision, changes it. */
function project(r1: string): Record<string, string> {
  return {
    "r0.sql": script(
      "r0",
      [],
      "CREATE TABLE owners (id INT PRIMARY KEY);\n" +
        "CREATE TABLE images (id INT PRIMARY KEY, owner INT, name VARCHAR(50), size INT);",
    ),
    "r1.sql": script("r1", "r0", r1, "", { branch_labels: "expand" }),
  };
}

const R1 = [
  "ALTER TABLE images MODIFY COLUMN size BIGINT;",
  "ALTER TABLE images ADD INDEX ix_name (name), ALGORITHM=INPLACE, LOCK=NONE;",
  "ALTER TABLE images ADD CONSTRAINT fk_owner FOREIGN KEY (owner) REFERENCES owners (id);",
  "UPDATE images SET name = 'x' WHERE name IS NULL;",
].join("\n");

Deno.test("mysql plan: each statement's algorithm, whether writes wait, and the table's size", async () => {
  await withTempDir(async (dir) => {
    const db = await mysqlDb(server, "plan");
    await writeScripts(`${dir}/m`, project(R1));
    const base = ["--migrations", `${dir}/m`, "--url", db.url];
    assert.equal((await runCli([...base, "upgrade", "r0"])).code, 0);
    // Enough rows for InnoDB's statistics to count more than one page.
    await db.exec(
      "INSERT INTO images (id, name, size) SELECT seq, CONCAT('image-', seq), seq " +
        "FROM seq_1_to_20000; ANALYZE TABLE images",
    );
    const [{ bytes }] = await db.rows(
      "SELECT DATA_LENGTH AS bytes FROM information_schema.TABLES " +
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images'",
    );
    assert.ok(Number(bytes) > 100_000, String(bytes));

    const plan = await runCli([...base, "plan"]);
    assert.equal(plan.code, 0, plan.err);
    const size = String.raw`images \d+(\.\d)? (kB|MB), ~\d+(\.\d)?k rows`;
    assert.match(
      plan.out,
      new RegExp(
        String.raw`\n {5}7:1 ALTER TABLE images MODIFY COLUMN size BIGINT\n {9}ALTER TABLE ` +
          String.raw`images: copies the table \(ALGORITHM=COPY\), blocks writes, the type ` +
          String.raw`changes from int to bigint \(read from the database\); ${size}\n`,
      ),
    );
    assert.match(
      plan.out,
      new RegExp(
        String.raw`\n {9}ALTER TABLE images: in place without copying the table ` +
          String.raw`\(ALGORITHM=NOCOPY\), reads and writes continue, asks ALGORITHM=INPLACE, ` +
          String.raw`LOCK=NONE; ${size}\n`,
      ),
    );
    assert.match(
      plan.out,
      /\n {9}ALTER TABLE images: copies the table \(ALGORITHM=COPY\), blocks writes, or NOCOPY with SET foreign_key_checks=0, .*; images/,
    );
    assert.match(plan.out, /\n {9}UPDATE images: touches the rows it selects, locks the rows/);
    // The lint errors of the revision to run, as warning lines; the plan still exits 0.
    assert.match(
      plan.err,
      /r1\.sql:7:1 column-type-change error: changes the type of images\.size/,
    );
    assert.match(plan.err, /r1\.sql:9:1 mysql-copy-alter error: ADD FOREIGN KEY on images/);

    // Without the database, the same statement can only say when it would be cheaper.
    const offline = await runCli([
      "--migrations",
      `${dir}/m`,
      "plan",
      "--dialect",
      "mysql",
      "r0:r1",
    ]);
    assert.equal(offline.code, 0, offline.err);
    assert.match(
      offline.out,
      /\n {9}ALTER TABLE images: copies the table \(ALGORITHM=COPY\), blocks writes, or INSTANT if it keeps the type, /,
    );

    const dry = await runCli([...base, "upgrade", "--dry-run"]);
    assert.equal(dry.code, 0, dry.err);
    assert.equal(dry.out, plan.out);

    const json = JSON.parse((await runCli([...base, "--json", "plan"])).out);
    const locks = json.steps[0].locks;
    assert.deepEqual(
      locks.map((l: { mysql: { algorithm: string | null; lockNone: boolean | null } }) => [
        l.mysql.algorithm,
        l.mysql.lockNone,
      ]),
      [["COPY", false], ["NOCOPY", true], ["COPY", false], [null, null]],
    );
    assert.equal(locks[0].tables[0].name, "images");
    assert.ok(locks[0].tables[0].size.bytes > 100_000);
    assert.ok(locks[0].tables[0].size.rows > 1000);
    assert.equal(locks[0].mysql.clusterWaits, null);
    assert.equal(json.cluster, null);
    assert.deepEqual(json.lint.map((f: { rule: string }) => f.rule), [
      "column-type-change",
      "mysql-copy-alter",
    ]);
  });
});

Deno.test("mysql lint: findings at their lines, exit 1 on an error, suppressions, --json", async () => {
  await withTempDir(async (dir) => {
    const db = await mysqlDb(server, "lint");
    await writeScripts(`${dir}/m`, project(R1));
    const r = await runCli(["--migrations", `${dir}/m`, "--url", db.url, "-q", "lint"]);
    assert.equal(r.code, 1, r.err);
    assert.deepEqual(
      r.out.split("\n").map((l) => l.replace(/^.*\/m\//, "").replace(/ \(fix: .*$/, "")),
      [
        "r1.sql:7:1 column-type-change error: changes the type of images.size",
        "r1.sql:7:1 mysql-online-clauses warning: ALTER TABLE images without ALGORITHM=INPLACE, " +
        "LOCK=NONE (the server would copy silently if it could not do it online)",
        "r1.sql:9:1 mysql-copy-alter error: ADD FOREIGN KEY on images needs ALGORITHM=COPY " +
        "(NOCOPY with SET foreign_key_checks=0, which skips the check of existing rows)",
      ],
    );
    // The safe forms: clauses that make the server refuse rather than copy, and a reason.
    await writeScripts(
      `${dir}/ok`,
      project(
        "-- bellows:allow column-type-change because size is read by nothing yet\n" +
          "ALTER TABLE images MODIFY COLUMN size BIGINT, ALGORITHM=INPLACE, LOCK=NONE;\n" +
          "ALTER TABLE images ADD INDEX ix_name (name), ALGORITHM=INPLACE, LOCK=NONE;",
      ),
    );
    const ok = await runCli(["--migrations", `${dir}/ok`, "--url", db.url, "--json", "lint"]);
    assert.equal(ok.code, 0, ok.err);
    const doc = JSON.parse(ok.out);
    assert.deepEqual([doc.dialect, doc.errors, doc.warnings, doc.findings], ["mysql", 0, 0, []]);
  });
});
