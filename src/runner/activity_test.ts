import assert from "node:assert/strict";
import { RunActivity } from "./activity.ts";

Deno.test("RunActivity: nothing was changed until the runner says otherwise", () => {
  const a = new RunActivity();
  assert.equal(a.text, "nothing was changed");
  a.set("the database is at b");
  assert.equal(a.text, "the database is at b");
});
