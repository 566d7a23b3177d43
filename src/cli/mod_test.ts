import assert from "node:assert/strict";
import { CommanderError } from "commander";
import { describeError, main } from "./mod.ts";
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
    const d = describeError(new Deno.errors.NotCapable(text))!;
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

Deno.test("describeError: every message is one line, control characters escaped", () => {
  const d = describeError(new StateError("first\r\n  second\rthird\n\x1b[2Jfourth\ttab"))!;
  assert.equal(d.message, "first second third \\u001b[2Jfourth\ttab");
});

Deno.test("describeError: commander's usage errors are exit 2, help and --version are no error", () => {
  const unknown = new CommanderError(
    1,
    "commander.unknownCommand",
    "error: unknown command 'upgrad'\n(Did you mean upgrade?)",
  );
  assert.deepEqual(describeError(unknown), {
    message: "unknown command 'upgrad' (Did you mean upgrade?)",
    code: 2,
    kind: "usage",
  });
  // Commander shows help with exit code 1 when no command was given.
  assert.equal(describeError(new CommanderError(1, "commander.help", "(outputHelp)"))!.code, 2);
  assert.equal(
    describeError(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)")),
    null,
  );
  assert.equal(describeError(new CommanderError(0, "commander.version", "0.1.0")), null);
});

Deno.test("main: no command, or a misspelt one, is one line on stderr and exit 2", async () => {
  for (const args of [[], ["-q"], ["upgrad"], ["--json", "upgrad"], ["--bogus"]]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
    assert.equal(code, 2, args.join(" "));
    assert.equal(err.length, 1, err.join("\n"));
    assert.match(err[0], /^bellows: (no command given|unknown (command|option))/);
    assert.equal(err[0].includes("\n"), false);
    if (args.includes("--json")) {
      assert.equal(out.length, 1);
      assert.equal(JSON.parse(out[0]).error.message, err[0].replace(/^bellows: /, ""));
    } else {
      assert.deepEqual(out, []);
    }
  }
});
