import assert from "node:assert/strict";
import { Command } from "commander";
import { commandName, errorDocument, JSON_SCHEMA, renderJson, resultDocument } from "./output.ts";
import { VERSION } from "../version.ts";

Deno.test("resultDocument: the envelope first, then the command's fields", () => {
  const doc = resultDocument("current", { data: { current: ["a"] }, text: "a" });
  assert.deepEqual(doc, {
    bellows: VERSION,
    schema: JSON_SCHEMA,
    command: "current",
    ok: true,
    exitCode: 0,
    current: ["a"],
  });
  assert.equal(resultDocument("check", { data: {}, exitCode: 3 }).exitCode, 3);
});

Deno.test("errorDocument: code, kind and message under error; one line of JSON", () => {
  const doc = errorDocument(null, { message: "bad\nthing", kind: "usage", code: 2 });
  assert.deepEqual(doc, {
    bellows: VERSION,
    schema: JSON_SCHEMA,
    command: null,
    ok: false,
    exitCode: 2,
    error: { code: 2, kind: "usage", message: "bad\nthing" },
  });
  assert.equal(renderJson(doc).split("\n").length, 1);
});

Deno.test("commandName: nested commands are named by their path below the program", () => {
  const program = new Command("bellows");
  const vc = program.command("version_control");
  const init = vc.command("init");
  assert.equal(commandName(vc), "version_control");
  assert.equal(commandName(init), "version_control init");
});
