import assert from "node:assert/strict";
import { replacedRows, replacementOps, resolveReplaced } from "./replaced.ts";

const glance = {
  replacedBy: (id: string) =>
    ({ ocata01: "ocata_contract01", pike01: "pike_contract01" } as Record<string, string>)[id],
};

Deno.test("replacedRows: the rows holding a retired id, in row order", () => {
  assert.deepEqual(replacedRows(["ocata01"], glance), [{
    from: "ocata01",
    to: "ocata_contract01",
  }]);
  assert.deepEqual(replacedRows(["pike_expand01", "pike01"], glance), [
    { from: "pike01", to: "pike_contract01" },
  ]);
  assert.deepEqual(replacedRows(["ocata_contract01", "ocata_expand01"], glance), []);
  assert.deepEqual(replacedRows([], glance), []);
});

Deno.test("replacementOps: an UPDATE per row, as glance-manage", () => {
  const rows = ["ocata01", "pike_expand01"];
  assert.deepEqual(replacementOps(rows, replacedRows(rows, glance)), [
    { op: "update", from: "ocata01", to: "ocata_contract01" },
  ]);
});

Deno.test("replacementOps: a row whose revision is already there is deleted instead", () => {
  // glance-manage's UPDATE would hit the primary key here; both rows say the same thing.
  const rows = ["ocata_contract01", "ocata01"];
  assert.deepEqual(replacementOps(rows, replacedRows(rows, glance)), [
    { op: "delete", rev: "ocata01" },
  ]);
});

Deno.test("resolveReplaced: rows as the revisions they stand for, in place, once each", () => {
  assert.deepEqual(resolveReplaced(["ocata01"], glance), ["ocata_contract01"]);
  assert.deepEqual(resolveReplaced(["x", "pike01", "y"], glance), ["x", "pike_contract01", "y"]);
  assert.deepEqual(resolveReplaced(["ocata_contract01", "ocata01"], glance), ["ocata_contract01"]);
  assert.deepEqual(resolveReplaced(["a", "b"], glance), ["a", "b"]);
});

Deno.test("replacementOps: two retired ids of one revision leave one row", () => {
  const map = { replacedBy: (id: string) => (id === "o1" || id === "o2" ? "r" : undefined) };
  const rows = ["o1", "o2"];
  assert.deepEqual(replacementOps(rows, replacedRows(rows, map)), [
    { op: "update", from: "o1", to: "r" },
    { op: "delete", rev: "o2" },
  ]);
  assert.deepEqual(resolveReplaced(rows, map), ["r"]);
});
