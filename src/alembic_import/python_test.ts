import assert from "node:assert/strict";
import { readModule, tokenize } from "./python.ts";

Deno.test("tokenize: string prefixes, escapes, concatenation inside brackets", () => {
  const ts = tokenize(`x = (r"a\\n" 'b\\n'\n  u'''c\nd''' b"e")\n`);
  const strings = ts.filter((t) => t.kind === "string").map((t) => [t.prefix, t.value]);
  assert.deepEqual(strings, [["r", "a\\n"], ["", "b\n"], ["u", "c\nd"], ["b", "e"]]);
  // No NEWLINE inside the brackets.
  assert.equal(ts.filter((t) => t.kind === "newline").length, 1);
});

Deno.test("tokenize: an unclosed string names its line", () => {
  assert.throws(() => tokenize('a = 1\nb = """x\n', "v.py"), /v\.py:2: string is never closed/);
});

Deno.test("op.execute bodies carry their SQL; anything else is Python", () => {
  const mod = readModule(`
def upgrade():
    """Docstring."""
    # a comment
    op.execute("CREATE TABLE t (id INT)")
    op.execute(sa.text("""
        CREATE INDEX ix ON t (id)
    """))
    op.execute(text('SELECT 1::int, \\\\:x'),)
def downgrade(): op.drop_table("t")
`);
  const up = mod.functions.get("upgrade")!.body.filter((s) => !s.noop).map((s) => s.sql);
  assert.deepEqual(up, [
    "CREATE TABLE t (id INT)",
    "\n        CREATE INDEX ix ON t (id)\n    ",
    "SELECT 1::int, \\:x",
  ]);
  assert.equal(mod.functions.get("downgrade")!.body[0].sql, undefined);
});
