import assert from "node:assert/strict";
import { ScriptError } from "../errors.ts";
import { parseScript } from "./parse.ts";
import { newRevisionId, renderRevision, revisionFileName } from "./write.ts";

Deno.test("renderRevision: round-trips through parseScript", () => {
  const inputs = [
    { id: "1a2b3c4d5e6f" },
    {
      id: "ocata_expand01",
      downRevisions: ["mitaka02"],
      branchLabels: ["expand"],
      dependsOn: ["x1", "y2"],
      message: "add visibility to images",
      transactional: false,
    },
    { id: "merge1", downRevisions: ["a", "b"], message: "merge\nheads:  a and b " },
  ];
  for (const input of inputs) {
    const text = renderRevision(input);
    const s = parseScript({ path: "new.sql", text });
    assert.equal(s.id, input.id);
    assert.deepEqual(s.downRevisions, input.downRevisions ?? []);
    assert.deepEqual(s.branchLabels, input.branchLabels ?? []);
    assert.deepEqual(s.dependsOn, input.dependsOn ?? []);
    assert.equal(s.message, (input.message ?? "").replace(/\s+/g, " ").trim());
    assert.equal(s.transactional, input.transactional ?? true);
    assert.deepEqual(s.sections.map((x) => [x.direction, x.dialect, x.rolling, x.statements]), [
      ["up", undefined, false, []],
      ["down", undefined, false, []],
    ]);
    assert.ok(!/[ \t]$/m.test(text), "no trailing whitespace");
    assert.ok(text.endsWith("\n"));
  }
});

Deno.test("renderRevision: the text a DBA sees", () => {
  const text = renderRevision({ id: "abc", downRevisions: ["x"], message: "add t" });
  assert.ok(text.startsWith(
    "-- revision: abc\n-- down_revision: x\n-- branch_labels:\n-- depends_on:\n-- message: add t\n" +
      "-- transactional: true\n",
  ));
  assert.match(text, /\n-- bellows:upgrade\n\n\n-- bellows:downgrade\n$/);
});

Deno.test("renderRevision: bad input is a ScriptError naming the would-be file", () => {
  assert.throws(
    () => renderRevision({ id: "a-b", message: "Add X" }),
    (err: unknown) =>
      err instanceof ScriptError &&
      err.message === 'a-b_add_x.sql:1: revision: revision id "a-b" must not contain "-"',
  );
  assert.throws(() => renderRevision({ id: "a", branchLabels: ["x y"] }), ScriptError);
});

Deno.test("newRevisionId: 12 hex digits", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const id = newRevisionId();
    assert.match(id, /^[0-9a-f]{12}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 50);
  assert.equal(newRevisionId(() => 0), "000000000000");
  assert.equal(newRevisionId(() => 0.99999), "ffffffffffff");
  assert.equal(newRevisionId(() => 1), "ffffffffffff", "1 is clamped into range");
  let n = 0;
  assert.equal(newRevisionId(() => (n++ % 16) / 16), "0123456789ab");
});

Deno.test("revisionFileName: Alembic-style slug", () => {
  const cases: [string, string, string][] = [
    ["abc", "Add visibility to images", "abc_add_visibility_to_images.sql"],
    ["abc", "  Drop 'old' table!! ", "abc_drop_old_table.sql"],
    ["abc", "", "abc.sql"],
    ["abc", "!!!", "abc.sql"],
    ["abc", "héllo wörld", "abc_h_llo_w_rld.sql"],
    [
      "abc",
      "a very long message that goes on and on and on and on",
      "abc_a_very_long_message_that_goes_on_and_on.sql",
    ],
    ["abc", "x".repeat(39) + " y", `abc_${"x".repeat(39)}.sql`],
  ];
  for (const [id, message, want] of cases) assert.equal(revisionFileName(id, message), want);
});
