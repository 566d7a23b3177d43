import assert from "node:assert/strict";
import { contextQuery, errorPosition } from "./position.ts";
import type { Statement } from "../script/types.ts";

// Error fields below are as PostgreSQL 15 reported them for these statements (the
// PostgreSQL integration tests check the same paths end to end against a server).

const at = (sql: string, line = 10, column = 1): Statement => ({ sql, line, column });

Deno.test("errorPosition: a server position counts code points from the statement start", () => {
  const stmt = at("SELECT 'ñ日本😀', nosuch", 3, 5);
  // n of nosuch is the 16th code point (the emoji is two UTF-16 units, one code point).
  assert.deepEqual(errorPosition(stmt, { code: "42703", message: "x", position: 16 }), {
    line: 3,
    column: 20,
  });
});

Deno.test("errorPosition: internal_query is found inside the DO body", () => {
  const stmt = at("DO $$\nBEGIN\n  -- ñ 日本 😀\n  INSERT INTO nosuch VALUES (1);\nEND $$");
  const pos = errorPosition(stmt, {
    code: "42P01",
    message: 'relation "nosuch" does not exist',
    internalPosition: 13,
    internalQuery: "INSERT INTO nosuch VALUES (1)",
    where: "PL/pgSQL function inline_code_block line 4 at SQL statement",
  });
  assert.deepEqual(pos, { line: 13, column: 15 });
});

Deno.test("errorPosition: PERFORM is reported as SELECT and still found", () => {
  const stmt = at("DO $$\nBEGIN\n  -- ñ\n  PERFORM * FROM nosuch;\nEND $$");
  const pos = errorPosition(stmt, {
    code: "42P01",
    message: "x",
    internalPosition: 15,
    internalQuery: "SELECT * FROM nosuch",
    where: "PL/pgSQL function inline_code_block line 4 at PERFORM",
  });
  assert.deepEqual(pos, { line: 13, column: 18 });
});

Deno.test("errorPosition: of two equal inner queries, the one on the frame's line wins", () => {
  const stmt = at("DO $$\nBEGIN\n  INSERT INTO t VALUES (1);\n  INSERT INTO t VALUES (1);\nEND $$");
  const pos = errorPosition(stmt, {
    code: "23505",
    message: "duplicate key",
    where: 'SQL statement "INSERT INTO t VALUES (1)"\n' +
      "PL/pgSQL function inline_code_block line 4 at SQL statement",
  });
  assert.deepEqual(pos, { line: 13, column: 3 });
});

Deno.test("errorPosition: a frame line with nothing to search points at that body line", () => {
  const stmt = at("DO $body$\nBEGIN\n  RAISE NOTICE 'é';\n    RAISE EXCEPTION 'boom';\nEND $body$");
  const pos = errorPosition(stmt, {
    code: "P0001",
    message: "boom",
    where: "PL/pgSQL function inline_code_block line 4 at RAISE",
  });
  assert.deepEqual(pos, { line: 13, column: 5 });
  // A one-line block: line 1 is the statement's own first line.
  const one = at("DO $$ BEGIN RAISE EXCEPTION 'x'; END $$", 7, 4);
  assert.deepEqual(
    errorPosition(one, {
      code: "P0001",
      message: "x",
      where: "PL/pgSQL function inline_code_block line 1 at RAISE",
    }),
    { line: 7, column: 4 },
  );
});

Deno.test("errorPosition: a function defined elsewhere falls back to the statement", () => {
  const stmt = at("SELECT h()", 4, 2);
  const pos = errorPosition(stmt, {
    code: "42P01",
    message: "x",
    internalPosition: 23,
    internalQuery: "(SELECT count(*) FROM nosuch)",
    where: "PL/pgSQL function h() line 3 at RETURN",
  });
  assert.deepEqual(pos, { line: 4, column: 2 });
});

Deno.test("errorPosition: an assignment's context text is found", () => {
  const stmt = at("DO $$\nDECLARE x int;\nBEGIN\n  x := 1 / 0;\nEND $$");
  const pos = errorPosition(stmt, {
    code: "22012",
    message: "division by zero",
    where:
      'PL/pgSQL assignment "x := 1 / 0"\nPL/pgSQL function inline_code_block line 4 at assignment',
  });
  assert.deepEqual(pos, { line: 13, column: 3 });
});

Deno.test("contextQuery: takes the innermost quoted text, newlines included", () => {
  assert.equal(
    contextQuery('SQL statement "INSERT INTO t\nVALUES (1)"\nPL/pgSQL function f() line 2 at SQL'),
    "INSERT INTO t\nVALUES (1)",
  );
  assert.equal(contextQuery("PL/pgSQL function inline_code_block line 4 at RAISE"), undefined);
  assert.equal(contextQuery(undefined), undefined);
});
