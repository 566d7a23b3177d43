import assert from "node:assert/strict";
import { failureContext, progressText, runsByStatement } from "./run.ts";
import { postgresDialect, sqliteDialect } from "../drivers/dialects.ts";
import type { Dialect } from "../drivers/types.ts";
import type { MigrateStep } from "../graph/types.ts";

const step: MigrateStep = {
  kind: "migrate",
  direction: "up",
  revision: "b2",
  from: ["a1"],
  to: ["b2"],
};
/** A dialect whose DDL commits as it runs, as MySQL's does. */
const noTxDdl: Dialect = { ...sqliteDialect, title: "NoTxDB", transactionalDdl: false };

Deno.test("failureContext: a rollback is promised only where DDL rolls back", () => {
  for (const d of [postgresDialect, sqliteDialect]) {
    assert.equal(
      failureContext(d, step, { transactional: true }, ["a1"], undefined),
      "upgrade of 'b2' was rolled back; the database remains at a1",
    );
    assert.equal(
      failureContext(d, step, { transactional: true }, ["a1"], []),
      "the whole run was rolled back (--single-transaction); the database remains at <base>",
    );
  }
  assert.equal(
    failureContext(noTxDdl, step, { transactional: true }, ["a1"], undefined),
    "upgrade of 'b2' was rolled back, but NoTxDB commits DDL statements as they run, so " +
      "those before this one stay applied; the version table remains at a1",
  );
  assert.equal(
    failureContext(noTxDdl, step, { transactional: true }, ["a1"], []),
    "the whole run was rolled back (--single-transaction), but NoTxDB commits DDL " +
      "statements as they run, so those before this one stay applied; the version table " +
      "remains at <base>",
  );
});

Deno.test("failureContext: a non-transactional revision says its statements stay", () => {
  for (const d of [postgresDialect, noTxDdl]) {
    assert.match(
      failureContext(d, step, { transactional: false }, ["a1"], undefined),
      /^revision 'b2' runs outside a transaction: the statements before this one stay applied/,
    );
  }
});

const stmts = (...sql: string[]) => sql.map((s, i) => ({ sql: s, line: 10 + i, column: 1 }));

Deno.test("runsByStatement: non-transactional revisions, and DDL where DDL commits as it runs", () => {
  const ddl = stmts("CREATE TABLE t (a int)", "INSERT INTO t VALUES (1)");
  const dml = stmts("UPDATE t SET a = 2", "DELETE FROM t WHERE a = 3");
  for (const d of [postgresDialect, sqliteDialect]) {
    assert.equal(runsByStatement(d, { transactional: true }, ddl), false);
    assert.equal(runsByStatement(d, { transactional: false }, dml), true);
  }
  assert.equal(runsByStatement(noTxDdl, { transactional: true }, ddl), true);
  assert.equal(runsByStatement(noTxDdl, { transactional: true }, dml), false);
  assert.equal(runsByStatement(noTxDdl, { transactional: true }, stmts("CALL p()")), false);
  assert.equal(runsByStatement(noTxDdl, { transactional: false }, dml), true);
});

Deno.test("progressText: which statements completed and which one was running", () => {
  const ran = stmts("A", "B", "C");
  assert.equal(
    progressText("m/r.sql", ran, 0),
    "none of its 3 statements completed, statement 1 (m/r.sql:10) was running",
  );
  assert.equal(
    progressText("m/r.sql", ran, 1),
    "statement 1 of 3 completed, statement 2 (m/r.sql:11) was running",
  );
  assert.equal(
    progressText("m/r.sql", ran, 2),
    "statements 1..2 of 3 completed, statement 3 (m/r.sql:12) was running",
  );
  assert.equal(
    progressText("m/r.sql", ran, 3),
    "all 3 statements completed, but the version table was not updated",
  );
});

Deno.test("progressText: a statement the schema shows completed, though not checkpointed", () => {
  const ran = stmts("A", "B", "C");
  assert.equal(
    progressText("m/r.sql", ran, 0, "found table t2"),
    "statement 1 of 3 (m/r.sql:10) completed (found table t2), not checkpointed",
  );
  assert.equal(
    progressText("m/r.sql", ran, 1, "found index i on t"),
    "statement 1 of 3 completed, statement 2 (m/r.sql:11) completed (found index i on t), " +
      "not checkpointed",
  );
  assert.equal(
    progressText("m/r.sql", ran, 2, "column c on t is gone"),
    "statements 1..2 of 3 completed, statement 3 (m/r.sql:12) completed (column c on t is " +
      "gone), not checkpointed",
  );
});
