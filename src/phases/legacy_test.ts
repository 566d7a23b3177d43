import assert from "node:assert/strict";
import { ScriptError, StateError } from "../errors.ts";
import { legacyRevision, legacyTable } from "./legacy.ts";

const glance = [
  { id: "mitaka01", legacyVersion: 43 },
  { id: "liberty", legacyVersion: 42 },
  { id: "mitaka02", legacyVersion: 44 },
  { id: "ocata_expand01" },
];

Deno.test("legacyRevision: the revision declaring the number", () => {
  assert.equal(legacyRevision(glance, 42), "liberty");
  assert.equal(legacyRevision(glance, 43), "mitaka01");
  assert.equal(legacyRevision(glance, 44), "mitaka02");
  assert.deepEqual([...legacyTable(glance)], [[42, "liberty"], [43, "mitaka01"], [44, "mitaka02"]]);
});

Deno.test("legacyRevision: unknown numbers are a StateError that says what is known", () => {
  const err = (v: number, scripts = glance) => {
    try {
      legacyRevision(scripts, v);
    } catch (e) {
      assert.ok(e instanceof StateError);
      return e.message;
    }
    assert.fail("no error");
  };
  assert.match(
    err(45),
    /^the database is under SQLAlchemy-Migrate control at version 45, which no revision declares \(legacy_version 42 = liberty, 43 = mitaka01, 44 = mitaka02\); nothing was changed$/,
  );
  assert.match(
    err(30),
    /version 30, older than any revision here knows .*upgrade it to version 42/,
  );
  assert.match(err(42, [{ id: "a" }]), /no revision declares a legacy_version/);
});

Deno.test("legacyTable: one number, one revision", () => {
  assert.throws(
    () =>
      legacyTable([{ id: "a", legacyVersion: 1, file: "a.sql" }, {
        id: "b",
        legacyVersion: 1,
        file: "b.sql",
      }]),
    (e: unknown) =>
      e instanceof ScriptError &&
      e.message === "b.sql: legacy_version 1 is also declared by revision 'a' (a.sql)",
  );
});
