import assert from "node:assert/strict";
import { docMessage, moduleValue, needsSql, readRevision, renderImported } from "./convert.ts";
import { parseScript } from "../script/parse.ts";
import { statementsFor } from "../script/select.ts";
import { ScriptError } from "../errors.ts";

const none = () => undefined;

Deno.test("revision declarations: plain, annotated, tuples, lists, None", () => {
  const rev = readRevision(
    `"""Merge the two branches

Revision ID: m1
Revises: a1, b1
"""
from typing import Sequence, Union
revision: str = "m1"
down_revision: Union[str, Sequence[str], None] = ("a1", 'b1')
branch_labels: Union[str, Sequence[str], None] = ['x', "y"]
depends_on: Union[str, Sequence[str], None] = None

def upgrade() -> None:
    pass

def downgrade() -> None:
    pass
`,
    "versions/m1.py",
    none,
  );
  assert.equal(rev.id, "m1");
  assert.deepEqual(rev.downRevisions, ["a1", "b1"]);
  assert.deepEqual(rev.branchLabels, ["x", "y"]);
  assert.deepEqual(rev.dependsOn, []);
  assert.equal(rev.message, "Merge the two branches");
  assert.deepEqual(rev.upgrade, { kind: "sql", statements: [] });
});

Deno.test("docMessage: the first paragraph on one line, as Alembic's doc", () => {
  assert.equal(docMessage("add x\nand y\n\nRevision ID: 1\n"), "add x and y");
  assert.equal(docMessage("  add x  \n    and y\n"), "add x and y");
  // Alembic prints spaces and tabs inside a line as they are.
  assert.equal(docMessage("Tabs\tand   spaces\n\nRevision ID: 1"), "Tabs\tand   spaces");
  assert.equal(docMessage(undefined), "");
});

Deno.test("an Alembic 0.1 file without `revision =` takes its id from a hex file name", () => {
  const src = `"""old"""\ndown_revision = None\n\ndef upgrade():\n    pass\n`;
  assert.equal(readRevision(src, "versions/1975ea83b712.py", none).id, "1975ea83b712");
  assert.throws(
    () => readRevision(src, "versions/first.py", none),
    (e) => e instanceof ScriptError && /no 'revision = \.\.\.' assignment/.test(e.message),
  );
});

Deno.test("a depends_on entry written twice is imported once", () => {
  const rev = readRevision(
    `revision = 'r'\ndown_revision = None\ndepends_on = ('a1', 'b2', 'a1')\n`,
    "versions/r.py",
    none,
  );
  assert.deepEqual(rev.dependsOn, ["a1", "b2"]);
  parseScript({ path: "r.sql", text: renderImported(rev, "r.sql") });
});

Deno.test("a docstring after the imports is no docstring (Neutron's 2e5352a0ad4d)", () => {
  const rev = readRevision(
    `from alembic import op\n\n"""Add missing foreign keys\n\nRevision ID: r\n"""\n` +
      `revision = 'r'\ndown_revision = None\n\ndef upgrade():\n    pass\n`,
    "versions/r.py",
    none,
  );
  assert.equal(rev.message, "");
});

Deno.test("names are resolved locally and through imports (Glance's migration.EXPAND_BRANCH)", () => {
  const lookup = (module: string, attr: string) =>
    module === "glance.db.migration"
      ? moduleValue(`EXPAND_BRANCH = 'expand'\nX = EXPAND_BRANCH\n`, attr, "m.py")
      : undefined;
  const src = (labels: string, imports: string) =>
    `${imports}\nLOCAL = 'loc'\nrevision = 'r'\ndown_revision = None\nbranch_labels = ${labels}\n`;
  const labels = (l: string, i: string) => readRevision(src(l, i), "v.py", lookup).branchLabels;
  assert.deepEqual(labels("migration.EXPAND_BRANCH", "from glance.db import migration"), [
    "expand",
  ]);
  assert.deepEqual(labels("(EXPAND_BRANCH,)", "from glance.db.migration import EXPAND_BRANCH"), [
    "expand",
  ]);
  assert.deepEqual(labels("m.X", "import glance.db.migration as m"), ["expand"]);
  assert.deepEqual(labels("glance.db.migration.X", "import glance.db.migration"), ["expand"]);
  assert.deepEqual(labels("LOCAL", ""), ["loc"]);
  assert.throws(
    () => labels("cli.EXPAND_BRANCH", "from neutron.db.migration import cli"),
    (e: Error) =>
      e instanceof ScriptError && /v\.py:5: branch_labels: 'cli\.EXPAND_BRANCH'/.test(e.message),
  );
});

Deno.test("a file without 'revision' or with a computed value is refused", () => {
  assert.throws(
    () => readRevision("down_revision = None\n", "v.py", none),
    /no 'revision = \.\.\.'/,
  );
  assert.throws(
    () => readRevision("revision = 'a' + 'b'\ndown_revision = None\n", "v.py", none),
    /not a literal/,
  );
});

const SOURCE = (up: string, down: string) =>
  `"""t"""
revision = 'r2'
down_revision = 'r1'
branch_labels = None
depends_on = 'r0'

def upgrade():
${up}

def downgrade():
${down}
`;

Deno.test("render: raw SQL carried over and split as bellows splits it", () => {
  const rev = readRevision(
    SOURCE(
      `    op.execute("CREATE TABLE t (id INT); INSERT INTO t VALUES (1)")\n    op.execute("""CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql""")`,
      `    op.execute("DROP TABLE t  -- bye")`,
    ),
    "versions/r2.py",
    none,
  );
  assert.deepEqual(needsSql(rev), []);
  const text = renderImported(rev, "r2.sql");
  const script = parseScript({ path: "r2.sql", text });
  assert.equal(script.id, "r2");
  assert.deepEqual(script.dependsOn, ["r0"]);
  assert.deepEqual(statementsFor(script, "up", "postgresql").map((s) => s.sql), [
    "CREATE TABLE t (id INT)",
    "INSERT INTO t VALUES (1)",
    "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
  ]);
  // The trailing comment did not swallow the ';'.
  assert.deepEqual(statementsFor(script, "down", "sqlite").map((s) => s.sql), ["DROP TABLE t"]);
});

Deno.test("render: Python bodies become a failing, commented placeholder", () => {
  const rev = readRevision(
    SOURCE(`    op.add_column("t", sa.Column("x", sa.Integer))`, `    op.execute("X = :p")`),
    "versions/r2.py",
    none,
  );
  assert.deepEqual(needsSql(rev), ["upgrade", "downgrade"]);
  const text = renderImported(rev, "r2.sql");
  assert.match(
    text,
    /-- NEEDS SQL: upgrade\(\) runs Python, not raw SQL \(imported from versions\/r2\.py\)/,
  );
  assert.match(text, /alembic upgrade r1:r2 --sql/);
  assert.match(text, /-- {7}op\.add_column\("t", sa\.Column\("x", sa\.Integer\)\)/);
  assert.match(text, /downgrade\(\) passes SQL with bind parameters/);
  const script = parseScript({ path: "r2.sql", text });
  for (const dir of ["up", "down"] as const) {
    const sql = statementsFor(script, dir, "sqlite").map((s) => s.sql);
    assert.equal(sql.length, 1);
    assert.match(sql[0], /^SELECT bellows_import_needs_sql\('r2: /);
  }
});

Deno.test("render: a revision with neither upgrade() nor downgrade() gets an empty upgrade", () => {
  for (const body of ["", "def downgrade():\n    pass\n"]) {
    const rev = readRevision(`revision = "x2"\ndown_revision = "x1"\n${body}`, "v/x2.py", none);
    const text = renderImported(rev, "x2.sql");
    const script = parseScript({ path: "x2.sql", text });
    assert.deepEqual(statementsFor(script, "up", "sqlite"), []);
    assert.equal(text.match(/^-- bellows:upgrade$/gm)?.length, 1, text);
  }
});
