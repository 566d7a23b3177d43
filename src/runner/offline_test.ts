import assert from "node:assert/strict";
import { renderOfflineScript, shortLog, sqlaIdent } from "./offline.ts";
import { loadProject } from "./project.ts";
import { planDowngrade, planStamp, planUpgrade } from "../graph/plan.ts";
import { mysqlDialect, postgresDialect, sqliteDialect } from "../drivers/mod.ts";
import { stateConfig } from "../state/version_table.ts";

const file = (id: string, down: string, body: string, extra = "") => ({
  path: `${id}.sql`,
  text: `-- revision: ${id}\n-- down_revision: ${down}\n${extra}-- message: ${id}\n\n${body}\n`,
});

const project = loadProject("test", [
  file(
    "a1",
    "",
    "-- bellows:upgrade\nCREATE TABLE t (id INT);\n-- bellows:downgrade\nDROP TABLE t;",
  ),
  file(
    "a2",
    "a1",
    "-- bellows:upgrade\nCREATE INDEX CONCURRENTLY ix ON t (id);\n-- bellows:downgrade\nDROP INDEX ix;",
    "-- transactional: false\n",
  ),
]);

const opts = (dialect = postgresDialect, state = stateConfig()) => ({
  dialect,
  state,
  skipRolling: false,
  toolVersion: "9.9",
  host: "h",
});

/** The script without bellows' audit bookkeeping: what Alembic would print. */
function alembicPart(text: string): string {
  return text.split("\n\n").filter((s) => !s.includes("bellows_audit")).join("\n\n");
}

Deno.test("sqlaIdent quotes as SQLAlchemy does: case, leading digit or _, reserved words", () => {
  assert.equal(sqlaIdent("postgresql", "alembic_version"), "alembic_version");
  assert.equal(sqlaIdent("postgresql", "Ver"), '"Ver"');
  assert.equal(sqlaIdent("postgresql", "order"), '"order"');
  assert.equal(sqlaIdent("postgresql", "_x"), '"_x"');
  assert.equal(sqlaIdent("postgresql", "1x"), '"1x"');
  assert.equal(sqlaIdent("postgresql", 'a"b'), '"a""b"');
  // Reserved in SQLite's list, not in PostgreSQL's.
  assert.equal(sqlaIdent("sqlite", "index"), '"index"');
  assert.equal(sqlaIdent("postgresql", "index"), "index");
});

Deno.test("shortLog matches Alembic's step names and spacing", () => {
  const steps = planUpgrade(project.map, [], "heads");
  assert.deepEqual(steps.map(shortLog), ["upgrade  -> a1", "upgrade a1 -> a2"]);
  assert.equal(shortLog(planDowngrade(project.map, ["a2"], "base")[1]), "downgrade a1 -> ");
  assert.equal(
    shortLog(planStamp(project.map, ["a1"], ["a2"], false)[0]),
    "stamp_revision a1 -> a2",
  );
});

Deno.test("PostgreSQL upgrade from base: one transaction, version table DDL, autocommit block", () => {
  const text = renderOfflineScript(
    project,
    [],
    planUpgrade(project.map, [], "heads"),
    opts(),
  );
  assert.equal(
    alembicPart(text),
    [
      "BEGIN;",
      "CREATE TABLE alembic_version (\n    version_num VARCHAR(32) NOT NULL, \n" +
      "    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n);",
      "-- Running upgrade  -> a1",
      "CREATE TABLE t (id INT);",
      "INSERT INTO alembic_version (version_num) VALUES ('a1') RETURNING alembic_version.version_num;",
      "-- Running upgrade a1 -> a2",
      "COMMIT;",
      "CREATE INDEX CONCURRENTLY ix ON t (id);",
      "BEGIN;",
      "UPDATE alembic_version SET version_num='a2' WHERE alembic_version.version_num = 'a1';",
      "COMMIT;",
      "",
    ].join("\n\n"),
  );
  // The audit table is created first; the non-transactional revision leaves a 'started' row
  // before its COMMIT and marks it done after.
  const parts = text.split("\n\n");
  assert.match(parts[1], /^CREATE TABLE IF NOT EXISTS "bellows_audit"/);
  const started = parts.findIndex((p) => p.includes("'a2', 'up', 'started'"));
  assert.ok(started > 0 && parts[started + 1] === "COMMIT;");
  // A checkpoint after each statement; removed, as online, once the revision is done.
  assert.equal(parts[started + 2], "CREATE INDEX CONCURRENTLY ix ON t (id);");
  assert.match(parts[started + 3], /'a2', 'up', 'checkpoint'/);
  assert.match(parts.at(-4)!, /^DELETE FROM "bellows_audit" WHERE .* AND status = 'checkpoint'/);
  assert.match(parts.at(-3)!, /^UPDATE "bellows_audit" SET status = 'done'/);
});

Deno.test("SQLite: no BEGIN/COMMIT; down to base drops the version table", () => {
  const text = renderOfflineScript(
    project,
    ["a2"],
    planDowngrade(project.map, ["a2"], "base"),
    opts(sqliteDialect),
  );
  assert.equal(
    alembicPart(text),
    [
      "-- Running downgrade a2 -> a1",
      "DROP INDEX ix;",
      "UPDATE alembic_version SET version_num='a1' WHERE alembic_version.version_num = 'a2';",
      "-- Running downgrade a1 -> ",
      "DROP TABLE t;",
      "DELETE FROM alembic_version WHERE alembic_version.version_num = 'a1';",
      "DROP TABLE alembic_version;",
      "",
    ].join("\n\n"),
  );
  assert.match(text, /strftime\('%Y-%m-%dT%H:%M:%fZ', 'now'\), 0, 'h', '9\.9'/);
});

Deno.test("schema, table name and version_table_pk = false shape the version statements", () => {
  const state = stateConfig("Ver", "mySchema", false);
  const text = renderOfflineScript(
    project,
    [],
    planStamp(project.map, [], ["a1"], false),
    opts(postgresDialect, state),
  );
  const parts = text.split("\n\n");
  assert.equal(parts[1], 'CREATE SCHEMA IF NOT EXISTS "mySchema";');
  assert.ok(
    parts.includes('CREATE TABLE "mySchema"."Ver" (\n    version_num VARCHAR(32) NOT NULL\n);'),
  );
  assert.ok(parts.includes("-- Running stamp_revision  -> a1"));
  // No primary key, no RETURNING.
  assert.ok(parts.includes(`INSERT INTO "mySchema"."Ver" (version_num) VALUES ('a1');`));
  assert.ok(parts.some((p) => p.includes("'a1', 'stamp', 'done', NULL")));
});

Deno.test("offline: on MySQL a stored program with ; inside goes between DELIMITER lines", () => {
  const trigger = "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN\n" +
    "  SET NEW.id = NEW.id + 1;\nEND";
  const p = loadProject("test", [
    file(
      "m1",
      "",
      `-- bellows:upgrade\nCREATE TABLE t (id INT, v VARCHAR(9));\nINSERT INTO t VALUES (1, 'a;b');\n${trigger};\n` +
        "CREATE TRIGGER tr2 BEFORE UPDATE ON t FOR EACH ROW SET NEW.v = 'x';",
    ),
  ]);
  const text = alembicPart(
    renderOfflineScript(p, [], planUpgrade(p.map, [], "heads"), opts(mysqlDialect)),
  );
  assert.ok(text.includes("INSERT INTO t VALUES (1, 'a;b');\n\n"), text);
  assert.ok(text.includes(`DELIMITER //\n${trigger}//\nDELIMITER ;\n\n`), text);
  assert.ok(text.includes("FOR EACH ROW SET NEW.v = 'x';\n\n"), text);
  assert.ok(!text.includes("BEGIN;"), "no transaction on MySQL, as Alembic");
});
