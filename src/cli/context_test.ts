import assert from "node:assert/strict";
import { MAX_DURATION_MS, parseDuration } from "./context.ts";
import { UsageError } from "../errors.ts";

Deno.test("parseDuration: units, bare seconds, and what is refused", () => {
  assert.equal(parseDuration("5s", "--x"), 5000);
  assert.equal(parseDuration("500ms", "--x"), 500);
  assert.equal(parseDuration("2m", "--x"), 120_000);
  assert.equal(parseDuration("1.5", "--x"), 1500);
  assert.equal(parseDuration("0", "--x"), 0);
  assert.equal(parseDuration(`${MAX_DURATION_MS}ms`, "--x"), MAX_DURATION_MS);
  for (const bad of ["abc", "-5", "-5s", "5h", "", "1e3", "5 s s"]) {
    assert.throws(() => parseDuration(bad, "--lock-wait"), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, `--lock-wait: '${bad}' is not a duration (e.g. 5s, 500ms, 2m)`);
      return true;
    });
  }
  // Longer than a timer, SQLite's busy timeout or lock_timeout can hold: refused, not wrapped.
  for (const big of [`${MAX_DURATION_MS + 1}ms`, "99999999999999999999", "40000m"]) {
    assert.throws(() => parseDuration(big, "--lock-timeout"), /--lock-timeout: .* is too long/);
  }
});
