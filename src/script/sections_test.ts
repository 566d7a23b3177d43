import assert from "node:assert/strict";
import { markerWords } from "./sections.ts";

Deno.test("markerWords: the words after `-- bellows:`, as splitting on whitespace gives", () => {
  const split = (s: string) => s.trim().split(/\s+/).filter((t) => t !== "");
  for (
    const rest of [
      "upgrade",
      " upgrade ",
      "",
      "   ",
      "upgrade postgresql rolling",
      "a\tb\u00a0c",
      "x\r",
    ]
  ) {
    assert.deepEqual(markerWords(rest), split(rest), JSON.stringify(rest));
  }
});
