import assert from "node:assert/strict";
import { pgParser } from "./pg_parser.ts";
import {
  blocksReads,
  blocksWrites,
  classifyStatement,
  conflicts,
  defaultKind,
  LOCK_MODES,
  pgLocksName,
} from "./locks.ts";
import { readCorpus } from "./testdata/corpus.ts";

Deno.test("lock modes: pg_locks names and PostgreSQL's conflict table", () => {
  assert.equal(pgLocksName("ACCESS EXCLUSIVE"), "AccessExclusiveLock");
  assert.equal(pgLocksName("SHARE UPDATE EXCLUSIVE"), "ShareUpdateExclusiveLock");
  // Symmetric, and each mode's own row as documented.
  for (const a of LOCK_MODES) {
    for (const b of LOCK_MODES) assert.equal(conflicts(a, b), conflicts(b, a));
  }
  assert.ok(!conflicts("SHARE UPDATE EXCLUSIVE", "ROW EXCLUSIVE"));
  assert.ok(conflicts("SHARE UPDATE EXCLUSIVE", "SHARE UPDATE EXCLUSIVE"));
  assert.ok(!conflicts("SHARE", "SHARE"));
  assert.ok(conflicts("SHARE ROW EXCLUSIVE", "SHARE ROW EXCLUSIVE"));
  assert.deepEqual(LOCK_MODES.filter(blocksReads), ["ACCESS EXCLUSIVE"]);
  assert.deepEqual(LOCK_MODES.filter(blocksWrites), [
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
  ]);
});

Deno.test("classifyStatement: every statement of the corpus as documented", async () => {
  const parser = await pgParser();
  const corpus = await readCorpus();
  assert.ok(corpus.length >= 50, `${corpus.length} statements`);
  for (const c of corpus) {
    const parsed = await parser.parse(c.sql);
    assert.ok(parsed.ok, `${c.line}: ${c.sql}: ${!parsed.ok && parsed.message}`);
    assert.equal(parsed.statements.length, 1, c.sql);
    const got = classifyStatement(parsed.statements[0].stmt);
    const locks = got.locks.map((l) =>
      `${l.kind === "index" ? "index:" : ""}${l.relation}=${l.mode}`
    )
      .sort();
    assert.deepEqual(locks, [...c.locks].sort(), `line ${c.line}: ${c.sql}`);
    assert.equal(got.work, c.work, `line ${c.line}: ${c.sql}`);
    if (c.ops) assert.deepEqual(got.operations.map((o) => o.op), c.ops, `line ${c.line}`);
  }
});

Deno.test("classifyStatement: operations carry what lint rules read", async () => {
  const parser = await pgParser();
  const one = async (sql: string) => {
    const r = await parser.parse(sql);
    assert.ok(r.ok);
    return classifyStatement(r.statements[0].stmt).operations;
  };
  assert.deepEqual(await one("ALTER TABLE s.t ADD COLUMN c int NOT NULL"), [
    {
      op: "add-column",
      table: "s.t",
      column: "c",
      notNull: true,
      default: "none",
      generated: false,
    },
  ]);
  assert.deepEqual(await one("ALTER TABLE t ADD CONSTRAINT k CHECK (c IS NOT NULL) NOT VALID"), [
    {
      op: "add-constraint",
      table: "t",
      name: "k",
      type: "check",
      notValid: true,
      usingIndex: false,
      notNullOf: "c",
    },
  ]);
  assert.deepEqual(await one("SET LOCAL lock_timeout TO '2s'"), [
    { op: "set-setting", name: "lock_timeout", value: "2s" },
  ]);
  assert.deepEqual(await one("RESET lock_timeout"), [
    { op: "set-setting", name: "lock_timeout", value: null },
  ]);
  assert.deepEqual(await one("ALTER TABLE t RENAME COLUMN a TO b"), [
    { op: "rename", object: "column", table: "t", from: "a", to: "b" },
  ]);
});

Deno.test("defaultKind: volatile, constant and unknown defaults", async () => {
  const parser = await pgParser();
  const expr = async (e: string) => {
    const r = await parser.parse(`SELECT ${e}`);
    assert.ok(r.ok);
    const target = (r.statements[0].stmt as { SelectStmt: { targetList: unknown[] } }).SelectStmt
      .targetList[0] as { ResTarget: { val: unknown } };
    return defaultKind(target.ResTarget.val);
  };
  assert.equal(defaultKind(undefined), "none");
  assert.equal(await expr("0"), "constant");
  assert.equal(await expr("now()"), "constant");
  assert.equal(await expr("CURRENT_TIMESTAMP"), "constant");
  assert.equal(await expr("gen_random_uuid()"), "volatile");
  assert.equal(await expr("'x' || random()::text"), "volatile");
  assert.equal(await expr("my_func()"), "unknown");
});

Deno.test("pgParser: a syntax error is an outcome with PostgreSQL's message, not a throw", async () => {
  const parser = await pgParser();
  const r = await parser.parse("ALTER TABEL t ADD COLUMN c int");
  assert.equal(r.ok, false);
  assert.ok(!r.ok && /syntax error at or near "TABEL"/.test(r.message), JSON.stringify(r));
  assert.ok(!r.ok && r.position === 6, JSON.stringify(r));
  const two = await parser.parse("SELECT 1; SELECT 2");
  assert.ok(two.ok && two.statements.length === 2);
});
