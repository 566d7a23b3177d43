import assert from "node:assert/strict";
import { parseScript } from "../script/parse.ts";
import { additive, destructive, normalize, phaseFindings } from "./rules.ts";

const st = (sql: string) => ({ sql, line: 1, column: 1 });

Deno.test("normalize: strings, names, comments and bodies cannot look like keywords", () => {
  assert.equal(
    normalize(`alter table "drop" -- drop column x\n add  column note text default 'drop; it''s'`),
    "ALTER TABLE Q ADD COLUMN NOTE TEXT DEFAULT 'S'",
  );
  assert.equal(
    normalize("create function f() as $fn$ drop table t; $fn$ /* rename */"),
    "CREATE FUNCTION F() AS $BODY$",
  );
});

Deno.test("destructive: what an expand revision must not do", () => {
  const cases: [string, string[]][] = [
    ["DROP TABLE images", ["drops a table (DROP TABLE)"]],
    ["drop index if exists ix", ["drops an index (DROP INDEX)"]],
    ["TRUNCATE images", ["empties a table (TRUNCATE)"]],
    ["ALTER TABLE images DROP COLUMN is_public", ["drops a column (DROP COLUMN IS_PUBLIC)"]],
    ["ALTER TABLE images DROP is_public", ["drops a column (DROP IS_PUBLIC)"]],
    ["ALTER TABLE images DROP CONSTRAINT c", ["drops a constraint (DROP CONSTRAINT C)"]],
    ["ALTER TABLE images RENAME TO pictures", ["renames (RENAME TO PICTURES)"]],
    ["ALTER TABLE images RENAME COLUMN a TO b", ["renames (RENAME COLUMN A TO B)"]],
    ["ALTER TABLE t ALTER COLUMN a TYPE bigint", [
      "changes a column's type (ALTER COLUMN A TYPE BIGINT)",
    ]],
    ["ALTER TABLE t ALTER a SET DATA TYPE text", [
      "changes a column's type (ALTER A SET DATA TYPE TEXT)",
    ]],
    ["ALTER TABLE t ALTER COLUMN a SET NOT NULL", [
      "makes a column NOT NULL (ALTER COLUMN A SET NOT NULL)",
    ]],
    ["ALTER TABLE t ADD COLUMN a int NOT NULL", [
      "adds a NOT NULL column without a default (ADD COLUMN A INT NOT NULL)",
    ]],
    [
      "ALTER TABLE t ADD COLUMN a numeric(10, 2), DROP COLUMN b",
      ["drops a column (DROP COLUMN B)"],
    ],
    // Additive or relaxing: fine in expand.
    ["ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0", []],
    ["ALTER TABLE t ADD COLUMN a int", []],
    ["ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID", []],
    ["ALTER TABLE t ALTER COLUMN a DROP NOT NULL", []],
    ["ALTER TABLE t ALTER COLUMN a DROP DEFAULT", []],
    ["DROP TRIGGER IF EXISTS tr ON t", []],
    ["DROP FUNCTION IF EXISTS f()", []],
    ["CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END", []],
    ["UPDATE t SET note = 'drop table x'", []],
  ];
  for (const [sql, want] of cases) assert.deepEqual(destructive(st(sql)), want, sql);
});

Deno.test("additive: what a contract revision should not do", () => {
  const cases: [string, string[]][] = [
    ["CREATE TABLE t (id int)", ["creates a table (CREATE TABLE)"]],
    ["create unique index i on t (a)", ["creates an index (CREATE INDEX)"]],
    ["CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql", [
      "creates a function (CREATE FUNCTION)",
    ]],
    ["CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END", [
      "creates a trigger (CREATE TRIGGER)",
    ]],
    ["ALTER TABLE t ADD COLUMN a int", ["adds to a table (ADD COLUMN A INT)"]],
    ["ALTER TABLE t DROP COLUMN a", []],
    ["DROP TRIGGER tr", []],
    ["ALTER TABLE images ALTER COLUMN visibility SET NOT NULL", []],
  ];
  for (const [sql, want] of cases) assert.deepEqual(additive(st(sql)), want, sql);
});

Deno.test("phaseFindings: upgrade sections of every dialect, with file and line", () => {
  const script = parseScript({
    path: "m/e1.sql",
    text: [
      "-- revision: e1",
      "-- down_revision:",
      "-- bellows:upgrade",
      "ALTER TABLE t ADD COLUMN b int;",
      "-- bellows:upgrade sqlite rolling",
      "DROP TABLE old_t;",
      "-- bellows:downgrade",
      "ALTER TABLE t DROP COLUMN b;",
      "",
    ].join("\n"),
  });
  assert.deepEqual(phaseFindings(script, "expand"), [
    {
      revision: "e1",
      file: "m/e1.sql",
      line: 6,
      phase: "expand",
      what: "drops a table (DROP TABLE)",
    },
  ]);
  assert.deepEqual(phaseFindings(script, "contract").map((f) => [f.line, f.what]), [
    [4, "adds to a table (ADD COLUMN B INT)"],
  ]);
});
