import assert from "node:assert/strict";
import { ScriptError } from "../errors.ts";
import {
  batchStatements,
  checkStatement,
  loadDataMigrations,
  parseDataMigration,
} from "./data_migration.ts";
import { loadScripts } from "./load.ts";

const EXAMPLE = `-- Fills images.visibility for rows written before ocata_expand01.
-- data_migration: ocata_migrate01
-- after: ocata_expand01
-- message: fill visibility

-- bellows:check
SELECT count(*) FROM images WHERE visibility IS NULL;

-- bellows:batch
UPDATE images SET visibility = 'x'
 WHERE id IN (SELECT id FROM images WHERE visibility IS NULL LIMIT :batch_size);

-- bellows:batch postgresql
SELECT pg_sleep(0)::text, ':batch_size', 1::batch_sizex;
`;

Deno.test("parseDataMigration: header, sections, placeholder", () => {
  const dm = parseDataMigration({ path: "m/ocata_migrate01.sql", text: EXAMPLE });
  assert.equal(dm.name, "ocata_migrate01");
  assert.equal(dm.after, "ocata_expand01");
  assert.equal(dm.afterLine, 3);
  assert.equal(dm.message, "fill visibility");
  assert.deepEqual(dm.sections.map((s) => [s.kind, s.dialect, s.line, s.statements.length]), [
    ["check", undefined, 6, 1],
    ["batch", undefined, 9, 1],
    ["batch", "postgresql", 13, 1],
  ]);
  assert.equal(
    checkStatement(dm, "sqlite").sql,
    "SELECT count(*) FROM images WHERE visibility IS NULL",
  );
  assert.deepEqual(batchStatements(dm, "sqlite", 50).map((s) => [s.sql, s.line]), [
    [
      "UPDATE images SET visibility = 'x'\n WHERE id IN (SELECT id FROM images WHERE visibility IS NULL LIMIT 50)",
      10,
    ],
  ]);
  // The placeholder is a whole word: not a cast's "::batch_sizex". Inside a string it is
  // replaced too (documented: the substitution is textual).
  const pg = batchStatements(dm, "postgresql", 7);
  assert.equal(pg.length, 2);
  assert.equal(pg[1].sql, "SELECT pg_sleep(0)::text, '7', 1::batch_sizex");
  assert.throws(() => batchStatements(dm, "sqlite", 0), RangeError);
});

function bad(text: string, message: RegExp) {
  assert.throws(() => parseDataMigration({ path: "d.sql", text }), (e: unknown) => {
    assert.ok(e instanceof ScriptError, String(e));
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("parseDataMigration: errors name file and line", () => {
  const head = "-- data_migration: d1\n-- after: e1\n";
  const check = "-- bellows:check\nSELECT count(*) FROM t;\n";
  const batch =
    "-- bellows:batch\nUPDATE t SET a = 1 WHERE id IN (SELECT id FROM t LIMIT :batch_size);\n";
  bad("-- data_migration: d1\n" + check + batch, /^d\.sql:1: missing header line "-- after:"/);
  bad(head + "-- afterr: x\n" + check + batch, /^d\.sql:3: unknown header key "afterr"/);
  bad(head + "-- after: e2\n" + check + batch, /^d\.sql:3: duplicate header key "after"/);
  bad(
    "-- data_migration: a-b\n-- after: e1\n" + check + batch,
    /^d\.sql:1: data_migration: name "a-b"/,
  );
  bad(head + batch, /^d\.sql:1: no "-- bellows:check" query/);
  bad(head + check, /^d\.sql:1: no "-- bellows:batch" statements/);
  bad(
    head + check + "-- bellows:batch\nUPDATE t SET a = 1;\n",
    /^d\.sql:5: the batch step for postgresql never uses :batch_size/,
  );
  bad(
    head + check + "SELECT 2;\n" + batch,
    /^d\.sql:5: more than one check statement for postgresql/,
  );
  bad(
    head + "-- bellows:chekc\n",
    /^d\.sql:3: unknown marker "-- bellows:chekc" in a data migration \(did you mean "check"\?\)/,
  );
  bad(head + "-- bellows:upgrade\n", /^d\.sql:3: unknown marker "-- bellows:upgrade"/);
  bad(head + "-- bellows:check sqlit\n", /^d\.sql:3: unknown token "sqlit".*did you mean "sqlite"/);
  bad(head + "SELECT 1;\n", /^d\.sql:3: SQL before the first/);
  // A dialect-only check is fine, but asking for another dialect's is an error.
  const pgOnly = parseDataMigration({
    path: "d.sql",
    text: head + "-- bellows:check postgresql\nSELECT 0;\n" + batch,
  });
  assert.throws(() => checkStatement(pgOnly, "sqlite"), /d\.sql:1: no check query for sqlite/);
});

Deno.test("loadDataMigrations: only data migrations, by name; loadScripts skips them", () => {
  const dm = (name: string) =>
    `-- data_migration: ${name}\n-- after: e1\n-- bellows:check\nSELECT 0;\n` +
    `-- bellows:batch\nDELETE FROM t WHERE id IN (SELECT id FROM t LIMIT :batch_size);\n`;
  const files = [
    { path: "z/a_first.sql", text: dm("b_second") },
    { path: "b.sql", text: dm("a_first") },
    { path: "r.sql", text: "-- revision: r\n-- down_revision:\n-- bellows:upgrade\n" },
    { path: "_parked.sql", text: dm("c_parked") },
  ];
  assert.deepEqual(loadDataMigrations(files).map((d) => [d.name, d.file]), [
    ["a_first", "b.sql"],
    ["b_second", "z/a_first.sql"],
  ]);
  assert.deepEqual(loadScripts(files).map((s) => s.id), ["r"]);
  assert.throws(
    () => loadDataMigrations([{ path: "x.sql", text: dm("a") }, { path: "y.sql", text: dm("a") }]),
    /y\.sql:1: data migration "a" is also in x\.sql/,
  );
});

Deno.test("parseDataMigration: the statement-begin/end escape works as in revision scripts", () => {
  const dm = parseDataMigration({
    path: "d.sql",
    text: "-- data_migration: d\n-- after: e\n-- bellows:check\nSELECT 0;\n" +
      "-- bellows:batch\nUPDATE t SET a = 1 LIMIT :batch_size;\n-- bellows:statement-begin\n" +
      "DO $x$ BEGIN PERFORM ';'; END $x$;\n-- bellows:statement-end\n",
  });
  assert.deepEqual(dm.sections[1].statements.map((s) => [s.sql, s.line]), [
    ["UPDATE t SET a = 1 LIMIT :batch_size", 6],
    ["DO $x$ BEGIN PERFORM ';'; END $x$", 8],
  ]);
  assert.throws(
    () =>
      parseDataMigration({
        path: "d.sql",
        text: "-- data_migration: d\n-- after: e\n-- bellows:statement-begin\n",
      }),
    /^ScriptError: d\.sql:3: "-- bellows:statement-begin" outside a check or batch section$/,
  );
  assert.throws(
    () =>
      parseDataMigration({
        path: "d.sql",
        text: "-- data_migration: d\n-- after: e\n-- bellows:check sqlite rolling\nSELECT 0;\n",
      }),
    /^ScriptError: d\.sql:3: unknown token "rolling" on "-- bellows:check" \(expected postgresql, sqlite or mysql\)$/,
  );
});
