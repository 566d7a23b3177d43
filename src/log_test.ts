import assert from "node:assert/strict";
import { escapeControls, oneLine } from "./log.ts";

Deno.test("escapeControls: keeps line feeds and tabs, escapes every other control character", () => {
  assert.equal(
    escapeControls("a\tb\n\u001b[2J\u001b]0;x\u0007\r\u007f\u009b31m é 🚀\n"),
    "a\tb\n\\u001b[2J\\u001b]0;x\\u0007\\u000d\\u007f\\u009b31m é 🚀\n",
  );
});

Deno.test("oneLine: joins lines and escapes controls, C1 included", () => {
  assert.equal(oneLine("a\n  b\r\n\u001b[1mc\u009b"), "a b \\u001b[1mc\\u009b");
});
