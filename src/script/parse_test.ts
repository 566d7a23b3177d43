import assert from "node:assert/strict";
import { ScriptError } from "../errors.ts";
import { ownString, parseHeader, parseScript } from "./parse.ts";

const EXAMPLE = `-- Adds image visibility (ticket OPS-12).
-- revision: ocata_expand01
-- down_revision: mitaka02
-- branch_labels: expand
-- depends_on:
-- message: add visibility to images
-- transactional: true
-- legacy_version: 44

-- bellows:upgrade
ALTER TABLE images ADD COLUMN visibility VARCHAR(9);

-- bellows:upgrade postgresql rolling
CREATE FUNCTION sync_vis() RETURNS trigger AS $$ BEGIN NEW.visibility := 'public'; RETURN NEW; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER t BEFORE INSERT ON images FOR EACH ROW EXECUTE FUNCTION sync_vis();

-- bellows:upgrade sqlite rolling
CREATE TRIGGER t AFTER INSERT ON images BEGIN UPDATE images SET visibility = 'public'; END;

-- bellows:downgrade
ALTER TABLE images DROP COLUMN visibility;
`;

Deno.test("parseScript: the documented example", () => {
  const s = parseScript({ path: "versions/ocata_expand01.sql", text: EXAMPLE });
  assert.equal(s.id, "ocata_expand01");
  assert.deepEqual(s.downRevisions, ["mitaka02"]);
  assert.deepEqual(s.branchLabels, ["expand"]);
  assert.deepEqual(s.dependsOn, []);
  assert.equal(s.message, "add visibility to images");
  assert.equal(s.transactional, true);
  assert.equal(s.legacyVersion, 44);
  assert.equal(s.file, "versions/ocata_expand01.sql");
  assert.equal(s.source, EXAMPLE);
  assert.deepEqual(
    s.sections.map((x) => [x.direction, x.dialect, x.rolling, x.line, x.statements.length]),
    [
      ["up", undefined, false, 10, 1],
      ["up", "postgresql", true, 13, 2],
      ["up", "sqlite", true, 17, 1],
      ["down", undefined, false, 20, 1],
    ],
  );
  assert.ok(!("dialect" in s.sections[0]), "no dialect key on a section for every dialect");
  assert.deepEqual(s.sections[1].statements[1], {
    sql: "CREATE TRIGGER t BEFORE INSERT ON images FOR EACH ROW EXECUTE FUNCTION sync_vis()",
    line: 15,
    column: 1,
  });
  assert.equal(
    s.sections[2].statements[0].sql,
    "CREATE TRIGGER t AFTER INSERT ON images BEGIN UPDATE images SET visibility = 'public'; END",
  );
  assert.deepEqual(s.sections[3].statements[0], {
    sql: "ALTER TABLE images DROP COLUMN visibility",
    line: 21,
    column: 1,
  });
});

Deno.test("parseScript: header values", () => {
  const parse = (header: string) =>
    parseScript({ path: "a.sql", text: `${header}\n-- bellows:upgrade\n` });
  const base = parse("-- revision: a\n-- down_revision:");
  assert.deepEqual(base.downRevisions, []);
  assert.equal(base.message, "");
  assert.equal(base.transactional, true);
  assert.equal(base.legacyVersion, undefined);
  assert.ok(!("legacyVersion" in base));
  assert.deepEqual(parse("-- revision: a\n-- down_revision: none").downRevisions, []);
  assert.deepEqual(parse("-- revision: a\n-- down_revision: None").downRevisions, []);
  const merge = parse(
    "-- revision: m\n-- down_revision:  b ,c,d\n-- depends_on: x , y\n-- branch_labels: l1,l2",
  );
  assert.deepEqual(merge.downRevisions, ["b", "c", "d"]);
  assert.deepEqual(merge.dependsOn, ["x", "y"]);
  assert.deepEqual(merge.branchLabels, ["l1", "l2"]);
  const other = parse(
    "-- revision: a\n-- down_revision: b\n-- transactional: false\n-- legacy_version: 0\n-- message:  spaced:  out ",
  );
  assert.equal(other.transactional, false);
  assert.equal(other.legacyVersion, 0);
  assert.equal(other.message, "spaced:  out");
});

Deno.test("parseScript: comments, blank lines, CRLF and a BOM in the header", () => {
  const text =
    "\uFEFF-- My migration\r\n--\r\n-- see https://example.com/x\r\n\r\n-- revision: a\r\n-- down_revision:\r\n-- bellows:upgrade\r\nSELECT 1;\r\n";
  const s = parseScript({ path: "a.sql", text });
  assert.equal(s.id, "a");
  assert.deepEqual(s.sections[0].statements, [{ sql: "SELECT 1", line: 8, column: 1 }]);
});

Deno.test("parseScript: an empty upgrade section is enough (merge revisions)", () => {
  const s = parseScript({
    path: "m.sql",
    text: "-- revision: m\n-- down_revision: a, b\n-- bellows:upgrade\n",
  });
  assert.deepEqual(s.sections, [{ direction: "up", rolling: false, line: 3, statements: [] }]);
});

Deno.test("parseScript: marker tokens in any order, postgres alias", () => {
  const s = parseScript({
    path: "a.sql",
    text:
      "-- revision: a\n-- down_revision:\n-- bellows:upgrade rolling postgres\n--bellows: downgrade   sqlite\n",
  });
  assert.deepEqual(s.sections.map((x) => [x.direction, x.dialect, x.rolling]), [
    ["up", "postgresql", true],
    ["down", "sqlite", false],
  ]);
});

Deno.test("parseScript: sections repeat and keep file order", () => {
  const s = parseScript({
    path: "a.sql",
    text: [
      "-- revision: a",
      "-- down_revision:",
      "-- bellows:upgrade",
      "SELECT 1;",
      "-- bellows:downgrade",
      "SELECT -1;",
      "-- bellows:upgrade",
      "SELECT 2; SELECT 3",
    ].join("\n"),
  });
  assert.deepEqual(
    s.sections.map((x) => x.statements.map((st) => [st.sql, st.line, st.column])),
    [[["SELECT 1", 4, 1]], [["SELECT -1", 6, 1]], [["SELECT 2", 8, 1], ["SELECT 3", 8, 11]]],
  );
});

Deno.test("parseScript: a dialect section uses that dialect's lexical rules", () => {
  const text = [
    "-- revision: a",
    "-- down_revision:",
    "-- bellows:upgrade sqlite",
    "CREATE TABLE [it's;] (x);",
    "-- bellows:upgrade postgresql",
    "SELECT ARRAY[']'];",
  ].join("\n");
  const s = parseScript({ path: "a.sql", text });
  assert.deepEqual(s.sections.map((x) => x.statements.map((st) => st.sql)), [
    ["CREATE TABLE [it's;] (x)"],
    ["SELECT ARRAY[']']"],
  ]);
});

Deno.test("parseScript: statement-begin/end keeps one statement verbatim", () => {
  const text = [
    "-- revision: a", // 1
    "-- down_revision:",
    "-- bellows:upgrade",
    "SELECT 1;",
    "-- bellows:statement-begin", // 5
    "  -- why: the splitter must not touch this",
    "  CREATE WEIRD THING 'unbalanced; (",
    "  stuff;",
    "",
    "-- bellows:statement-end", // 10
    "SELECT 2;",
    "-- bellows:statement-begin",
    "-- only a comment",
    "-- bellows:statement-end",
    "SELECT 3", // 15
  ].join("\n");
  const s = parseScript({ path: "a.sql", text });
  assert.deepEqual(s.sections[0].statements, [
    { sql: "SELECT 1", line: 4, column: 1 },
    { sql: "CREATE WEIRD THING 'unbalanced; (\n  stuff", line: 7, column: 3 },
    { sql: "SELECT 2", line: 11, column: 1 },
    { sql: "SELECT 3", line: 15, column: 1 },
  ]);
});

Deno.test("parseScript: comments inside sections are kept in statements, not split on", () => {
  const text =
    "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- revision: not a header here\nSELECT 1 -- ;\n, 2;\n";
  const s = parseScript({ path: "a.sql", text });
  assert.deepEqual(s.sections[0].statements, [{ sql: "SELECT 1 -- ;\n, 2", line: 5, column: 1 }]);
});

/** Each script is preceded by nothing; `want` is the exact error message. */
Deno.test("parseScript: replaces lists the retired ids a version row may hold", () => {
  const text = "-- revision: ocata_contract01\n-- down_revision: mitaka02\n" +
    "-- replaces: ocata01 , old_id\n-- bellows:upgrade\n";
  const s = parseScript({ path: "x.sql", text });
  assert.deepEqual(s.replaces, ["ocata01", "old_id"]);
  // Without the key (or with it empty) the field is absent, as for legacy_version.
  const plain = parseScript({
    path: "x.sql",
    text: "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n",
  });
  assert.equal("replaces" in plain, false);
  const empty = parseScript({
    path: "x.sql",
    text: "-- revision: a\n-- down_revision:\n-- replaces:\n-- bellows:upgrade\n",
  });
  assert.equal("replaces" in empty, false);
});

const errors: { name: string; text: string; want: string }[] = [
  {
    name: "replaces: an id with an illegal character",
    text: "-- revision: a\n-- down_revision:\n-- replaces: ocata-01\n-- bellows:upgrade\n",
    want: 'x.sql:3: replaces: revision id "ocata-01" must not contain "-"',
  },
  {
    name: "replaces: listed twice",
    text: "-- revision: a\n-- down_revision:\n-- replaces: o1, o1\n-- bellows:upgrade\n",
    want: 'x.sql:3: replaces: "o1" is listed twice',
  },
  {
    name: "replaces: empty entry",
    text: "-- revision: a\n-- down_revision:\n-- replaces: o1,\n-- bellows:upgrade\n",
    want: 'x.sql:3: replaces: empty entry in "o1,"',
  },
  {
    name: "replaces: itself",
    text: "-- revision: a\n-- down_revision:\n-- replaces: a\n-- bellows:upgrade\n",
    want: 'x.sql:3: revision "a" lists itself in replaces',
  },
  {
    name: "unknown key, with a suggestion",
    text: "-- revision: a\n-- down_revison: b\n-- bellows:upgrade\n",
    want: 'x.sql:2: unknown header key "down_revison" (did you mean "down_revision"?)',
  },
  {
    name: "unknown key, no close match",
    text: "-- revision: a\n-- Note: slow on big tables\n-- down_revision:\n-- bellows:upgrade\n",
    want: 'x.sql:2: unknown header key "Note" (known keys: revision, down_revision, ' +
      "branch_labels, depends_on, message, transactional, legacy_version, replaces; other " +
      'comments must not start with "word:")',
  },
  {
    name: "key in the wrong case",
    text: "-- Revision: a\n-- down_revision:\n-- bellows:upgrade\n",
    want: 'x.sql:1: unknown header key "Revision" (header keys are lowercase: "revision")',
  },
  {
    name: "data migration",
    text: "-- data_migration: fill\n-- bellows:upgrade\n",
    want: 'x.sql:1: "data_migration" files are data migrations, not revisions',
  },
  {
    name: "missing revision",
    text: "-- down_revision:\n-- bellows:upgrade\n",
    want: 'x.sql:1: missing header line "-- revision:"',
  },
  {
    name: "missing down_revision",
    text: "-- revision: a\n\n-- bellows:upgrade\n",
    want: 'x.sql:1: missing header line "-- down_revision:" (leave it empty for a base revision)',
  },
  {
    name: "missing header without any marker",
    text: "-- just a comment\n",
    want: 'x.sql:1: missing header line "-- revision:"',
  },
  {
    name: "empty revision",
    text: "-- revision:\n-- down_revision:\n-- bellows:upgrade\n",
    want: "x.sql:1: revision: revision id is empty",
  },
  {
    name: "bad id characters",
    text: "-- revision: ab-cd\n-- down_revision:\n-- bellows:upgrade\n",
    want: 'x.sql:1: revision: revision id "ab-cd" must not contain "-"',
  },
  {
    name: "id with whitespace",
    text: "-- revision: ab cd\n-- down_revision:\n-- bellows:upgrade\n",
    want: 'x.sql:1: revision: revision id "ab cd" must not contain whitespace',
  },
  {
    name: "id too long",
    text: `-- revision: ${"a".repeat(33)}\n-- down_revision:\n-- bellows:upgrade\n`,
    want: `x.sql:1: revision: revision id "${"a".repeat(33)}" is 33 characters long; at most 32 ` +
      "are allowed",
  },
  {
    name: "bad down_revision entry",
    text: "-- revision: a\n-- down_revision: b, c@head\n-- bellows:upgrade\n",
    want: 'x.sql:2: down_revision: revision id "c@head" must not contain "@"',
  },
  {
    name: "bad depends_on entry",
    text: "-- revision: a\n-- down_revision:\n-- depends_on: x+1\n-- bellows:upgrade\n",
    want: 'x.sql:3: depends_on: revision id "x+1" must not contain "+"',
  },
  {
    name: "bad branch label",
    text: "-- revision: a\n-- down_revision:\n-- branch_labels: my:label\n-- bellows:upgrade\n",
    want: 'x.sql:3: branch_labels: branch label "my:label" must not contain ":"',
  },
  {
    name: "empty list entry",
    text: "-- revision: a\n-- down_revision: b,\n-- bellows:upgrade\n",
    want: 'x.sql:2: down_revision: empty entry in "b,"',
  },
  {
    name: "duplicate list entry",
    text: "-- revision: a\n-- down_revision:\n-- branch_labels: x, y, x\n-- bellows:upgrade\n",
    want: 'x.sql:3: branch_labels: "x" is listed twice',
  },
  {
    name: "none as a revision id",
    text: "-- revision: none\n-- down_revision:\n-- bellows:upgrade\n",
    want: 'x.sql:1: revision: revision id "none" is reserved (none means no revision)',
  },
  {
    name: "none in depends_on",
    text: "-- revision: a\n-- down_revision:\n-- depends_on: none\n-- bellows:upgrade\n",
    want: 'x.sql:3: depends_on: revision id "none" is reserved (none means no revision)',
  },
  {
    name: "none in a list",
    text: "-- revision: a\n-- down_revision: b, none\n-- bellows:upgrade\n",
    want: 'x.sql:2: down_revision: "none" must stand alone (it means a base revision)',
  },
  {
    name: "own id as down_revision",
    text: "-- revision: a\n-- down_revision: a\n-- bellows:upgrade\n",
    want: 'x.sql:2: revision "a" lists itself as down_revision',
  },
  {
    name: "duplicate key",
    text: "-- revision: a\n-- down_revision:\n-- message: x\n-- revision: b\n-- bellows:upgrade\n",
    want: 'x.sql:4: duplicate header key "revision" (first given at line 1)',
  },
  {
    name: "bad transactional",
    text: "-- revision: a\n-- down_revision:\n-- transactional: yes\n-- bellows:upgrade\n",
    want: 'x.sql:3: transactional: expected true or false, got "yes"',
  },
  {
    name: "bad legacy_version",
    text: "-- revision: a\n-- down_revision:\n-- legacy_version: -3\n-- bellows:upgrade\n",
    want: 'x.sql:3: legacy_version: expected a non-negative integer, got "-3"',
  },
  {
    name: "SQL before the first marker",
    text: "-- revision: a\n-- down_revision:\n\nALTER TABLE t ADD x int;\n-- bellows:upgrade\n",
    want: 'x.sql:4: SQL before the first "-- bellows:upgrade" marker',
  },
  {
    name: "block comment before the first marker",
    text: "-- revision: a\n-- down_revision:\n/* note */\n-- bellows:upgrade\n",
    want: 'x.sql:3: SQL before the first "-- bellows:upgrade" marker',
  },
  {
    name: "misspelt marker",
    text: "-- revision: a\n-- down_revision:\n-- bellows:upgrdae\n",
    want: 'x.sql:3: unknown marker "-- bellows:upgrdae" (did you mean "upgrade"?)',
  },
  {
    name: "misspelt marker inside a section",
    text:
      "-- revision: a\n-- down_revision:\n-- bellows:upgrade\nSELECT 1;\n-- Bellows:Downgrade\n",
    want: 'x.sql:5: unknown marker "-- bellows:Downgrade" (did you mean "downgrade"?)',
  },
  {
    name: "empty marker",
    text: "-- revision: a\n-- down_revision:\n-- bellows:\n",
    want: 'x.sql:3: unknown marker "-- bellows:" (expected one of: upgrade, downgrade, ' +
      "statement-begin, statement-end)",
  },
  {
    name: "bad dialect",
    text: "-- revision: a\n-- down_revision:\n-- bellows:upgrade oracle\n",
    want: 'x.sql:3: unknown token "oracle" on "-- bellows:upgrade" (expected postgresql, sqlite, ' +
      "mysql or rolling)",
  },
  {
    name: "a word that is an Object property",
    text: "-- revision: a\n-- down_revision:\n-- bellows:upgrade constructor\n",
    want: 'x.sql:3: unknown token "constructor" on "-- bellows:upgrade" (expected postgresql, ' +
      "sqlite, mysql or rolling)",
  },
  {
    name: "misspelt dialect",
    text: "-- revision: a\n-- down_revision:\n-- bellows:downgrade sqlit\n",
    want: 'x.sql:3: unknown token "sqlit" on "-- bellows:downgrade" (did you mean "sqlite"?)',
  },
  {
    name: "two dialects",
    text: "-- revision: a\n-- down_revision:\n-- bellows:upgrade sqlite postgres\n",
    want: 'x.sql:3: two dialects on one marker: "sqlite" and "postgres"',
  },
  {
    name: "rolling twice",
    text: "-- revision: a\n-- down_revision:\n-- bellows:upgrade rolling rolling\n",
    want: 'x.sql:3: "rolling" given twice',
  },
  {
    name: "no upgrade section",
    text: "-- revision: a\n-- down_revision:\n-- bellows:downgrade\n",
    want: 'x.sql:1: no "-- bellows:upgrade" section (it may be empty, but it must be there)',
  },
  {
    name: "statement-begin as the first marker",
    text: "-- revision: a\n-- down_revision:\n-- bellows:statement-begin\n",
    want: 'x.sql:3: "-- bellows:statement-begin" outside an upgrade or downgrade section',
  },
  {
    name: "statement-begin never ended",
    text: "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:statement-begin\nX;\n",
    want: 'x.sql:4: "-- bellows:statement-begin" has no "-- bellows:statement-end"',
  },
  {
    name: "statement-end without begin",
    text: "-- revision: a\n-- down_revision:\n-- bellows:upgrade\nX;\n-- bellows:statement-end\n",
    want: 'x.sql:5: "-- bellows:statement-end" without "-- bellows:statement-begin"',
  },
  {
    name: "nested statement-begin",
    text:
      "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:statement-begin\n-- bellows:statement-begin\n",
    want: 'x.sql:5: "-- bellows:statement-begin" inside statement-begin of line 4',
  },
  {
    name: "section marker inside statement-begin",
    text:
      "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:statement-begin\n-- bellows:downgrade\n",
    want: 'x.sql:5: "-- bellows:downgrade" inside statement-begin of line 4',
  },
  {
    name: "tokens after statement-begin",
    text:
      "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:statement-begin sqlite\n",
    want: 'x.sql:4: unexpected "sqlite" after "-- bellows:statement-begin"',
  },
  {
    name: "unterminated string in a section",
    text: "-- revision: a\n-- down_revision:\n-- bellows:upgrade\nSELECT 1;\nSELECT 'oops;\n",
    want: "x.sql:5: string is never closed",
  },
  {
    name: "unterminated dollar quote in a later section",
    text:
      "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:upgrade postgresql\n\nDO $$ BEGIN\n",
    want: "x.sql:6: dollar quote $$ is never closed",
  },
];

for (const c of errors) {
  Deno.test(`parseScript error: ${c.name}`, () => {
    assert.throws(
      () => parseScript({ path: "x.sql", text: c.text }),
      (err: unknown) => {
        assert.ok(err instanceof ScriptError, `not a ScriptError: ${err}`);
        assert.equal(err.message, c.want);
        return true;
      },
    );
  });
}

Deno.test("parseScript: header errors come before section errors", () => {
  assert.throws(
    () =>
      parseScript({
        path: "x.sql",
        text: "-- revision: a\n-- bellows:upgrade\nSELECT 'x\n",
      }),
    /^ScriptError: x\.sql:1: missing header line "-- down_revision:"/,
  );
});

Deno.test("parseScript: a section of 200,000 statements (no spread into push, no recursion)", () => {
  const text = "-- revision: big\n-- down_revision:\n\n-- bellows:upgrade\n" +
    "SELECT 1;\n".repeat(200_000);
  const s = parseScript({ path: "big.sql", text });
  const stmts = s.sections[0].statements;
  assert.equal(stmts.length, 200_000);
  assert.deepEqual(stmts.at(-1), { sql: "SELECT 1", line: 200_004, column: 1 });
});

Deno.test("parseScript: lazyStatements splits a section when it is first read, once", () => {
  const text = "-- revision: a\n-- down_revision:\n-- bellows:upgrade\nSELECT 1;\n" +
    "-- bellows:statement-begin\nSELECT ';'\n-- bellows:statement-end\nSELECT 2;\n" +
    "-- bellows:downgrade sqlite\nSELECT 'oops;\n";
  const lazy = parseScript({ path: "x.sql", text }, { lazyStatements: true });
  const up = lazy.sections[0];
  assert.deepEqual(
    up.statements.map((s) => [s.sql, s.line]),
    [["SELECT 1", 4], ["SELECT ';'", 6], ["SELECT 2", 8]],
  );
  assert.equal(up.statements, up.statements);
  // The broken downgrade is reported where it is read, with the eager error.
  assert.throws(
    () => lazy.sections[1].statements,
    /^ScriptError: x\.sql:10: string is never closed/,
  );
  assert.throws(() => parseScript({ path: "x.sql", text }), /x\.sql:10: string is never closed/);
  // Header and marker errors are still found at once.
  assert.throws(
    () =>
      parseScript({ path: "x.sql", text: text + "-- bellows:upgrdae\n" }, { lazyStatements: true }),
    /x\.sql:11: unknown marker/,
  );
});

/** What parseScript with lazy statements gives or throws, as parseHeader should. */
function lazyOutcome(text: string): unknown {
  try {
    const { sections: _s, source: _t, ...header } = parseScript(
      { path: "x.sql", text },
      { lazyStatements: true },
    );
    return header;
  } catch (e) {
    return e instanceof ScriptError ? `error: ${e.message}` : e;
  }
}

function headerOutcome(text: string): unknown {
  try {
    return { ...parseHeader({ path: "x.sql", text }) };
  } catch (e) {
    return e instanceof ScriptError ? `error: ${e.message}` : e;
  }
}

const HEADER_CASES = [
  EXAMPLE,
  "\uFEFF-- revision: a\r\n-- down_revision:\r\n-- message: a long message of a revision\r\n" +
  "-- bellows:upgrade\r\nSELECT 1;\r\n",
  "-- revision: ocata_contract01\n-- down_revision: ocata_expand01, other_branch_02\n" +
  "-- depends_on: expand@head\n-- branch_labels: contract_branch, more\n-- replaces: ocata01\n" +
  "-- bellows:downgrade\nDROP TABLE t;\n-- bellows:upgrade mysql rolling\nSELECT 1;\n",
  // Markers and lookalikes after the header: skimmed, but checked as a full parse does.
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\nSELECT 1;\n-- bellows:upgrdae\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\nSELECT 1;\n\n-- Bellows : Upgrade\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:statement-begin\nX;\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:statement-end\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:statement-begin\n" +
  "-- bellows:downgrade\n-- bellows:statement-end\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:statement-begin x\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:upgrade sqlite sqlite\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:upgrade rolling rolling\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n-- bellows:upgrade postgress\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n--   bellows:\n",
  "-- revision: a\n-- down_revision:\n-- bellows:downgrade\nSELECT 'never closed;\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\n" +
  "-- bellows:allow lock-table because it is small\nSELECT 'x -- bellows:nothing';\n" +
  "SELECT 'bellows'; -- bellows:upgrade in a comment\n",
  "-- revision: a\n-- down_revision:\n-- bellows:upgrade\nSELECT 1;\n" + "SELECT 2;\n".repeat(100) +
  "   -- BELLOWS:unknown\n",
  "-- data_migration: fill\n-- bellows:batch\n",
  "SELECT 1;\n-- revision: a\n",
  "",
];

Deno.test("parseHeader: the header parseScript gives, and the same errors (markers included)", () => {
  for (const text of [...HEADER_CASES, ...errors.map((c) => c.text)]) {
    assert.deepEqual(headerOutcome(text), lazyOutcome(text), JSON.stringify(text));
  }
});

Deno.test("parseHeader: keeps no section and no text", () => {
  const h = parseHeader({ path: "x.sql", text: EXAMPLE });
  assert.equal("sections" in h, false);
  assert.equal("source" in h, false);
  assert.ok(Object.isFrozen(h.downRevisions));
});

Deno.test("ownString: the same text", () => {
  for (
    const s of ["", "short", "a message longer than thirteen", "emoji \u{1F600} and \uD800 alone"]
  ) {
    assert.equal(ownString(s), s);
  }
});
