import assert from "node:assert/strict";
import { analyseStatement } from "./analyse.ts";
import { lintRevision } from "./lint.ts";
import { blocksWrites } from "./locks.ts";
import { pgParser } from "./pg_parser.ts";
import { prescreen } from "./prescreen.ts";
import { readCorpus } from "./testdata/corpus.ts";

/** Statements the runner and lint meet often, and ones that look alike but are not. */
const EXTRA = [
  "INSERT INTO t (id, name) VALUES (1, 'a')",
  "insert into t select * from u",
  "UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)",
  "DELETE FROM t WHERE id = 1",
  "WITH moved AS (DELETE FROM t RETURNING *) INSERT INTO u SELECT * FROM moved",
  "SELECT 1",
  "SELECT set_config('lock_timeout', '0', false)",
  "select SET_CONFIG('lock_timeout', '0', true)",
  "VALUES (1), (2)",
  "SET lock_timeout = 0",
  "RESET lock_timeout",
  "SET statement_timeout = '1s'",
  "GRANT SELECT ON t TO public",
  "REVOKE ALL ON t FROM public",
  "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL)",
  "CREATE TABLE IF NOT EXISTS t (id int)",
  "CREATE UNLOGGED TABLE t (id int)",
  "CREATE TEMP TABLE t (id int)",
  "CREATE TABLE t AS SELECT * FROM u",
  "CREATE TABLE t (id int, u_id int REFERENCES u (id))",
  "CREATE TABLE t (id int, CONSTRAINT f FOREIGN KEY (id) REFERENCES u)",
  "CREATE TABLE t () INHERITS (u)",
  "CREATE TABLE t PARTITION OF u FOR VALUES IN (1)",
  "CREATE TABLE t (id int) PARTITION BY RANGE (id)",
  "CREATE /* a comment */ TABLE t (id int)",
  "-- leading comment\nINSERT INTO t VALUES (1)",
  "/* block */ ALTER TABLE t ADD COLUMN c int NOT NULL",
  "/* /* nested */ */ ALTER TABLE t DROP COLUMN c",
  "INSERT INTO t VALUES (1); ALTER TABLE t DROP COLUMN c",
  "LOCK TABLE t IN ACCESS EXCLUSIVE MODE",
  "TRUNCATE t",
  "CREATE INDEX i ON t (a)",
  "DROP TABLE t",
  "ALTER TABLE t RENAME TO u",
  "COMMENT ON TABLE t IS 'x'",
  "DO $$ BEGIN PERFORM 1; END $$",
  "INSERT INTO",
];

Deno.test("prescreen: never says less than the parser, on the corpus and look-alikes", async () => {
  const parser = await pgParser();
  const corpus = (await readCorpus()).map((c) => c.sql);
  let skipped = 0;
  for (const sql of [...corpus, ...EXTRA]) {
    const p = prescreen(sql);
    const a = await analyseStatement({ sql, line: 1, column: 1 }, "postgresql", parser);
    const strong = (a.locks ?? []).filter((l) => blocksWrites(l.mode));
    if (p.noStrongLock) {
      skipped++;
      assert.deepEqual(strong, [], `${sql}: prescreen says no strong lock`);
    }
    if (p.lintInert && !a.syntaxError) {
      // Alone in a revision of any phase, nothing but a syntax error is an error finding.
      for (const phase of ["expand", "contract", undefined] as const) {
        const findings = lintRevision({
          file: "f.sql",
          revision: "r",
          phase,
          transactional: true,
          dialect: "postgresql",
          source: sql,
          statements: [a],
        });
        assert.deepEqual(findings.filter((f) => f.severity === "error"), [], sql);
      }
      assert.ok(a.operations.every((o) => o.op === "create-table"), `${sql}: ${a.operations}`);
    }
  }
  assert.ok(skipped >= 15, `only ${skipped} statements prescreened`);
});

Deno.test("prescreen: what each kind of statement needs", () => {
  const of = (sql: string) => {
    const p = prescreen(sql);
    return [p.noStrongLock, p.lintInert];
  };
  // Rows only: nothing to wait for, nothing lint reports.
  assert.deepEqual(of("INSERT INTO t VALUES (1)"), [true, true]);
  assert.deepEqual(of("-- why\n  update t set a = 1"), [true, true]);
  assert.deepEqual(of("CREATE TABLE t (id int)"), [true, true]);
  // Lint reads settings; a foreign key locks the table it references.
  assert.deepEqual(of("SELECT set_config('lock_timeout', '0', false)"), [true, false]);
  assert.deepEqual(of("SET lock_timeout = 0"), [true, false]);
  assert.deepEqual(of("CREATE TABLE t (u int REFERENCES u)"), [false, true]);
  // Anything else, or more than one statement, goes to the parser.
  assert.deepEqual(of("ALTER TABLE t ADD COLUMN c int"), [false, false]);
  assert.deepEqual(of("INSERT INTO t VALUES (1); DROP TABLE t"), [false, false]);
  assert.deepEqual(of("CREATE /* x */ TABLE t (id int)"), [false, false]);
  assert.deepEqual(of("/* /* nested */ */ INSERT INTO t VALUES (1)"), [false, false]);
});
