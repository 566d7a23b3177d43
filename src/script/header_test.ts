import assert from "node:assert/strict";
import { branchLabelProblem, headerKeys, matchKeyLine, revisionIdProblem } from "./header.ts";

Deno.test("revisionIdProblem: Alembic's id rules", () => {
  const ok = ["ae1027a6acf", "mitaka02", "a".repeat(32), "x_y.z", "ü"];
  for (const id of ok) assert.equal(revisionIdProblem(id), undefined, id);
  const bad: [string, string][] = [
    ["", "revision id is empty"],
    [
      "a".repeat(33),
      `revision id "${"a".repeat(33)}" is 33 characters long; at most 32 are allowed`,
    ],
    ["a b", 'revision id "a b" must not contain whitespace'],
    ["a\tb", 'revision id "a\tb" must not contain whitespace'],
    ["a\u001b[2Jb", 'revision id "a\u001b[2Jb" must not contain control characters'],
    ["a\u009bb", 'revision id "a\u009bb" must not contain control characters'],
    ["a@b", 'revision id "a@b" must not contain "@"'],
    ["a-b", 'revision id "a-b" must not contain "-"'],
    ["a+b", 'revision id "a+b" must not contain "+"'],
    ["a:b", 'revision id "a:b" must not contain ":"'],
    // `down_revision: none` means a base, so a revision named none could not be followed.
    ["none", 'revision id "none" is reserved (none means no revision)'],
    ["None", 'revision id "None" is reserved (none means no revision)'],
  ];
  for (const [id, want] of bad) assert.equal(revisionIdProblem(id), want);
});

Deno.test("branchLabelProblem: same characters, no length limit", () => {
  assert.equal(branchLabelProblem("expand"), undefined);
  assert.equal(branchLabelProblem("x".repeat(40)), undefined);
  assert.equal(branchLabelProblem("a-b"), 'branch label "a-b" must not contain "-"');
  assert.equal(branchLabelProblem(""), "branch label is empty");
});

Deno.test("matchKeyLine: what counts as a key line", () => {
  assert.deepEqual(matchKeyLine("-- revision: abc "), { key: "revision", value: "abc" });
  assert.deepEqual(matchKeyLine("  --down_revision:"), { key: "down_revision", value: "" });
  assert.deepEqual(matchKeyLine("-- message: a: b"), { key: "message", value: "a: b" });
  assert.deepEqual(matchKeyLine("-- down-revision : x"), { key: "down-revision", value: "x" });
  assert.deepEqual(matchKeyLine("-- Note: slow"), { key: "Note", value: "slow" });
  assert.equal(matchKeyLine("-- adds a column"), undefined);
  assert.equal(matchKeyLine("-- https://example.com/ticket"), undefined);
  assert.equal(matchKeyLine("-- 12:30 ok"), undefined);
  assert.equal(matchKeyLine("--"), undefined);
});

Deno.test("headerKeys: stops at the first marker or SQL line", () => {
  const text = "\uFEFF-- hello\n-- revision: a\n\n-- b: c\n-- bellows:upgrade\n-- d: e\n";
  assert.deepEqual([...headerKeys(text)], [{ key: "revision", line: 2 }, { key: "b", line: 4 }]);
  assert.deepEqual([...headerKeys("-- a: 1\nSELECT 1;\n-- b: 2")], [{ key: "a", line: 1 }]);
});

Deno.test("revisionIdProblem: the length counts characters (code points), as VARCHAR(32) does", () => {
  assert.equal(revisionIdProblem("🚀".repeat(20)), undefined);
  assert.equal(revisionIdProblem("🚀".repeat(32)), undefined);
  assert.equal(
    revisionIdProblem("🚀".repeat(33)),
    `revision id "${"🚀".repeat(33)}" is 33 characters long; at most 32 are allowed`,
  );
});
