import assert from "node:assert/strict";
import { legacyNumber } from "./legacy.ts";

Deno.test("legacyNumber: whole numbers from 0 as integer, bigint or digits; nothing else", () => {
  assert.equal(legacyNumber(44), 44);
  assert.equal(legacyNumber(0), 0);
  assert.equal(legacyNumber(44n), 44);
  assert.equal(legacyNumber("44"), 44);
  assert.equal(legacyNumber(" 44 "), 44);
  // NULL is not version 0, '' is not a number, and neither is anything half-numeric.
  for (const bad of [null, undefined, "", " ", "v44", "-1", -1, 1.5, "1.5", "1e3", true, NaN]) {
    assert.equal(legacyNumber(bad), undefined, String(bad));
  }
  assert.equal(legacyNumber("9007199254740993"), undefined, "beyond a safe integer");
});
