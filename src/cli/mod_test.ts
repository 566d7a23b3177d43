import assert from "node:assert/strict";
import { describeError } from "./mod.ts";
import { ExitCode, StateError } from "../errors.ts";

Deno.test("describeError: Deno's refusals become exit 10 naming the flag to grant", () => {
  const cases: [string, string][] = [
    [
      'Requires read access to "/var/x.db", run again with the --allow-read flag',
      "--allow-read=/var/x.db",
    ],
    ['Requires env access to "HOME", run again with the --allow-env flag', "--allow-env=HOME"],
    [
      'Requires net access to "db:5432", run again with the --allow-net flag',
      "--allow-net=db:5432",
    ],
  ];
  for (const [text, flag] of cases) {
    const d = describeError(new Deno.errors.NotCapable(text));
    assert.equal(d.code, ExitCode.PERMISSION);
    assert.equal(d.kind, "permission");
    assert.ok(d.message.includes(`needs Deno permission ${flag}`), d.message);
  }
});

Deno.test("describeError: BellowsErrors keep code and kind; anything else is internal (70)", () => {
  assert.deepEqual(describeError(new StateError("odd")), {
    message: "odd",
    code: 9,
    kind: "state",
  });
  const d = describeError(new TypeError("x is undefined\n    at somewhere"));
  assert.deepEqual(d, { message: "internal error: x is undefined", code: 70, kind: "internal" });
});
