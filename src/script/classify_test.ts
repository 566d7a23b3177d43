import assert from "node:assert/strict";
import {
  atomicWithoutTransactionalDdl,
  checkableEffect,
  createsIndex,
  indexOp,
  inverseStatement,
  leadingWords,
  leavesNothingToUndo,
  statementEffect,
  statementKind,
} from "./classify.ts";
import type { Statement } from "./types.ts";

const stmts = (...sql: string[]): Statement[] =>
  sql.map((s, i) => ({ sql: s, line: i + 1, column: 1 }));

Deno.test("classify: words skip comments, keep quoted case, split punctuation", () => {
  assert.deepEqual(
    leadingWords('/* x */ -- y\n# z\nCREATE INDEX "My Idx" ON `t`.u(a)', 8).map((w) => w.text),
    ["create", "index", "My Idx", "on", "t", ".", "u", "("],
  );
});

Deno.test("classify: statement kinds", () => {
  for (
    const s of [
      "INSERT INTO t VALUES (1)",
      "update t set a = 1",
      "DELETE FROM t",
      "REPLACE INTO t VALUES (1)",
      "WITH x AS (SELECT 1) UPDATE t SET a = 1",
      "select 1",
      "  -- c\n  MERGE INTO t USING u ON true WHEN MATCHED THEN DELETE",
    ]
  ) {
    assert.equal(statementKind(s), "dml", s);
  }
  for (
    const s of [
      "CREATE TABLE t (a int)",
      "ALTER TABLE t ADD COLUMN b int",
      "DROP INDEX i",
      "RENAME TABLE a TO b",
      "TRUNCATE t",
      "GRANT SELECT ON t TO u",
      "create index concurrently i on t (a)",
      "LOCK TABLES t WRITE",
      "ANALYZE TABLE t",
      "OPTIMIZE TABLE t",
      "COMMIT",
      "START TRANSACTION",
    ]
  ) {
    assert.equal(statementKind(s), "ddl", s);
  }
  for (const s of ["SET @x = 1", "CALL p()", "VACUUM t", "DO $$ BEGIN END $$", "", '"insert"']) {
    assert.equal(statementKind(s), "other", s);
  }
});

Deno.test("classify: what can be one transaction where DDL commits as it runs", () => {
  assert.equal(
    atomicWithoutTransactionalDdl(stmts("INSERT INTO t VALUES (1)", "UPDATE t SET a = 2")),
    true,
  );
  assert.equal(
    atomicWithoutTransactionalDdl(stmts("SET @x = 1", "INSERT INTO t VALUES (@x)")),
    true,
  );
  assert.equal(atomicWithoutTransactionalDdl(stmts()), true);
  assert.equal(atomicWithoutTransactionalDdl(stmts("CREATE TABLE t (a int)")), false);
  assert.equal(
    atomicWithoutTransactionalDdl(stmts("INSERT INTO t VALUES (1)", "ALTER TABLE t ADD b int")),
    false,
  );
  assert.equal(atomicWithoutTransactionalDdl(stmts("CALL a()", "CALL b()")), false);
  // A statement that commits implicitly ends the transaction half-way.
  assert.equal(
    atomicWithoutTransactionalDdl(stmts("INSERT INTO t VALUES (1)", "ANALYZE TABLE t")),
    false,
  );
});

Deno.test("classify: statements that leave nothing to undo", () => {
  for (
    const s of [
      "VACUUM (ANALYZE) t",
      "ANALYZE t",
      "SELECT pg_sleep(1)",
      "SET x = 1",
      "OPTIMIZE TABLE t",
    ]
  ) {
    assert.equal(leavesNothingToUndo(s), true, s);
  }
  for (
    const s of ["SELECT a INTO b FROM t", "INSERT INTO t VALUES (1)", "CREATE INDEX i ON t (a)"]
  ) {
    assert.equal(leavesNothingToUndo(s), false, s);
  }
});

Deno.test("classify: objects created and dropped", () => {
  const cases: [string, unknown][] = [
    ["CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx ON t (a)", {
      op: "create",
      object: "index",
      name: "a_idx",
      quoted: false,
      table: "t",
    }],
    ['CREATE UNIQUE INDEX "public"."B_idx" ON t (b)', {
      op: "create",
      object: "index",
      name: "B_idx",
      schema: "public",
      quoted: true,
      table: "t",
    }],
    ["CREATE INDEX ON t (a)", undefined],
    ["CREATE TEMPORARY TABLE IF NOT EXISTS x (a int)", {
      op: "create",
      object: "table",
      name: "x",
      quoted: false,
    }],
    ["CREATE TABLE `s`.`T` (a int)", {
      op: "create",
      object: "table",
      name: "T",
      schema: "s",
      quoted: true,
    }],
    ["DROP INDEX CONCURRENTLY IF EXISTS a_idx", {
      op: "drop",
      object: "index",
      name: "a_idx",
      quoted: false,
    }],
    ["DROP INDEX a_idx ON t", {
      op: "drop",
      object: "index",
      name: "a_idx",
      quoted: false,
      table: "t",
    }],
    ["CREATE UNIQUE INDEX CONCURRENTLY u ON ONLY s.t (a)", {
      op: "create",
      object: "index",
      name: "u",
      quoted: false,
      table: "t",
    }],
    ["DROP TABLE a, b", undefined],
    ["ALTER TABLE t ADD COLUMN IF NOT EXISTS c int", {
      op: "create",
      object: "column",
      name: "c",
      quoted: false,
      table: "t",
    }],
    ["ALTER TABLE ONLY s.t DROP COLUMN c", {
      op: "drop",
      object: "column",
      name: "c",
      quoted: false,
      table: "t",
    }],
    ["ALTER TABLE t ADD c int", {
      op: "create",
      object: "column",
      name: "c",
      quoted: false,
      table: "t",
    }],
    ["ALTER TABLE t ADD CONSTRAINT k CHECK (a > 0)", {
      op: "create",
      object: "constraint",
      name: "k",
      quoted: false,
      table: "t",
    }],
    ["ALTER TABLE t ADD INDEX i (a)", {
      op: "create",
      object: "index",
      name: "i",
      quoted: false,
      table: "t",
    }],
    ["CREATE OR REPLACE VIEW v AS SELECT 1", undefined],
    ["UPDATE t SET a = 1", undefined],
  ];
  for (const [sql, want] of cases) assert.deepEqual(statementEffect(sql), want, sql);
});

Deno.test("classify: an index created by a statement, as a driver names it", () => {
  assert.equal(
    createsIndex("CREATE INDEX CONCURRENTLY A_idx ON t (a)", { schema: "public", name: "a_idx" }),
    true,
  );
  assert.equal(
    createsIndex('CREATE INDEX "A_idx" ON t (a)', { schema: "public", name: "a_idx" }),
    false,
  );
  assert.equal(
    createsIndex("CREATE INDEX app.a_idx ON t (a)", { schema: "public", name: "a_idx" }),
    false,
  );
  assert.equal(
    createsIndex("CREATE INDEX a_idx ON t (a)", { schema: "public", name: "other_idx" }),
    false,
  );
  assert.equal(createsIndex("DROP INDEX a_idx", { schema: "public", name: "a_idx" }), false);
  assert.equal(
    indexOp("DROP INDEX CONCURRENTLY a_idx", { schema: "public", name: "a_idx" }),
    "drop",
  );
  assert.equal(
    indexOp("CREATE INDEX a_idx ON t (a)", { schema: "public", name: "a_idx" }),
    "create",
  );
  assert.equal(indexOp("DROP TABLE a_idx", { schema: "public", name: "a_idx" }), undefined);
});

Deno.test("classify: the inverse of a completed statement, by name or mirrored position", () => {
  const up = stmts(
    "CREATE INDEX CONCURRENTLY a_idx ON t (a)",
    "VACUUM t",
    "CREATE INDEX CONCURRENTLY b_idx ON t (b)",
  );
  // By name, whatever the order and count.
  const down = stmts("DROP INDEX CONCURRENTLY b_idx", "DROP INDEX CONCURRENTLY A_IDX");
  assert.equal(inverseStatement(up, 0, down)?.sql, "DROP INDEX CONCURRENTLY A_IDX");
  assert.equal(inverseStatement(up, 2, down)?.sql, "DROP INDEX CONCURRENTLY b_idx");
  assert.equal(inverseStatement(up, 1, down), undefined);
  // Mirrored when both sections have as many statements and names do not disagree.
  const up2 = stmts("INSERT INTO t VALUES (1)", "ALTER TABLE t ADD c int");
  const down2 = stmts("ALTER TABLE t DROP COLUMN c", "DELETE FROM t WHERE a = 1");
  assert.equal(inverseStatement(up2, 0, down2)?.sql, "DELETE FROM t WHERE a = 1");
  assert.equal(inverseStatement(up2, 1, down2)?.sql, "ALTER TABLE t DROP COLUMN c");
  const wrong = stmts("DROP TABLE other", "DELETE FROM t");
  assert.equal(inverseStatement(up2, 1, wrong), undefined);
});

Deno.test("classify: what to look up to tell whether a statement completed", () => {
  const cases: [string, ReturnType<typeof checkableEffect>][] = [
    ["CREATE TABLE t2 (id INT)", {
      object: { kind: "table", name: "t2", quoted: false },
      present: true,
      what: "table t2",
    }],
    ["DROP TABLE s.T", {
      object: { kind: "table", name: "t", schema: "s", quoted: false },
      present: false,
      what: "table s.t",
    }],
    ["CREATE INDEX base_b_idx ON base (b)", {
      object: { kind: "index", name: "base_b_idx", table: "base", quoted: false },
      present: true,
      what: "index base_b_idx on base",
    }],
    ["ALTER TABLE base DROP COLUMN b", {
      object: { kind: "column", name: "b", table: "base", quoted: false },
      present: false,
      what: "column b on base",
    }],
    ["ALTER TABLE `Base` ADD COLUMN `B` INT", {
      object: { kind: "column", name: "B", table: "Base", quoted: true },
      present: true,
      what: "column B on Base",
    }],
    // IF NOT EXISTS finds the object whether or not the statement made it.
    ["CREATE TABLE IF NOT EXISTS t (a int)", undefined],
    ["ALTER TABLE t ADD COLUMN IF NOT EXISTS c int", undefined],
    ["ALTER TABLE t ADD CONSTRAINT k CHECK (a > 0)", undefined],
    ["INSERT INTO t VALUES (1)", undefined],
    ["CREATE INDEX ON t (a)", undefined],
  ];
  for (const [sql, want] of cases) assert.deepEqual(checkableEffect(sql), want, sql);
});
