import assert from "node:assert/strict";
import { failureContext } from "./run.ts";
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
