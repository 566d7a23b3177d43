import assert from "node:assert/strict";
import { getOption, parseIni, readAlembicSettings } from "./alembic_ini.ts";
import { UsageError } from "../errors.ts";

const GENERIC = `# A generic, single database configuration.

[alembic]
# path to migration scripts
script_location = %(here)s/migrations

; a semicolon comment
sqlalchemy.url = postgresql+psycopg2://glance:p%%40ss@db.example/glance
version_table = glance_version
Version_Table_Schema: migr
version_table_pk = false

[other]
sqlalchemy.url = sqlite:///%(here)s/other.db

[loggers]
keys = root,sqlalchemy,alembic
`;

Deno.test("alembic.ini: the keys bellows reads, with %(here)s and %% interpolation", () => {
  const s = readAlembicSettings(GENERIC, { file: "alembic.ini", here: "/srv/app" });
  assert.deepEqual(s, {
    file: "alembic.ini",
    section: "alembic",
    url: "postgresql+psycopg2://glance:p%40ss@db.example/glance",
    versionTable: "glance_version",
    versionTableSchema: "migr",
    versionTablePk: false,
    scriptLocation: "/srv/app/migrations",
  });
});

Deno.test("alembic.ini: -n picks another section; unset keys stay undefined", () => {
  const s = readAlembicSettings(GENERIC, { file: "a.ini", here: "/h", section: "other" });
  assert.equal(s.url, "sqlite:////h/other.db");
  assert.equal(s.versionTable, undefined);
  assert.equal(s.versionTablePk, undefined);
  assert.equal(s.scriptLocation, undefined);
});

Deno.test("alembic.ini: a missing section is an error naming it", () => {
  assert.throws(
    () => readAlembicSettings(GENERIC, { file: "a.ini", here: "/h", section: "nope" }),
    (e: Error) => e instanceof UsageError && e.message === "a.ini has no [nope] section",
  );
});

Deno.test("configparser: ':' or '=' split at the first one, keys lowercased, values trimmed", () => {
  const ini = parseIni("[s]\nA.B = x = y\nc:d:e\n  spaced   =   v  \n");
  const s = ini.sections.get("s")!;
  // An indented line continues the value before it, as in Python (checked with configparser).
  assert.deepEqual([...s], [["a.b", "x = y"], ["c", "d:e\nspaced   =   v"]]);
});

Deno.test("configparser: continuation lines, blank lines inside, comments skipped", () => {
  const ini = parseIni("[s]\nk = one\n  two\n\n  # not part\n  three\n\nnext = 1\n");
  assert.equal(getOption(ini, "s", "k"), "one\ntwo\n\nthree");
  assert.equal(getOption(ini, "s", "next"), "1");
});

Deno.test("configparser: DEFAULT values and parser defaults reach every section", () => {
  const ini = parseIni("[DEFAULT]\nroot = %(here)s/x\n[s]\nk = %(root)s/y\n", {
    defaults: { here: "/h" },
  });
  assert.equal(getOption(ini, "s", "k"), "/h/x/y");
  assert.equal(getOption(ini, "s", "ROOT"), "/h/x");
});

Deno.test("configparser: bad interpolation and loops are errors that quote no value", () => {
  const ini = parseIni("[s]\nurl = postgresql://u:secret%@h/db\nloop = %(loop)s\nref = %(nope)s\n");
  assert.throws(() => getOption(ini, "s", "url"), (e: Error) => !e.message.includes("secret"));
  assert.throws(() => getOption(ini, "s", "loop"), /nested too deeply/);
  assert.throws(() => getOption(ini, "s", "ref"), /unknown key 'nope'/);
});

Deno.test("configparser: duplicates and keys outside sections are errors", () => {
  assert.throws(() => parseIni("[s]\n[s]\n"), /section \[s\] appears twice/);
  assert.throws(() => parseIni("[s]\na = 1\nA = 2\n"), /key 'a' appears twice/);
  assert.throws(() => parseIni("a = 1\n"), /outside any \[section\]/);
  assert.throws(() => parseIni("[s]\njust words\n"), /expected 'key = value'/);
});

Deno.test("alembic.ini: version_table_pk takes configparser's boolean words", () => {
  for (const [word, want] of [["yes", true], ["On", true], ["1", true], ["off", false]] as const) {
    const s = readAlembicSettings(`[alembic]\nversion_table_pk = ${word}\n`, {
      file: "a.ini",
      here: "/",
    });
    assert.equal(s.versionTablePk, want);
  }
  assert.throws(
    () =>
      readAlembicSettings("[alembic]\nversion_table_pk = maybe\n", { file: "a.ini", here: "/" }),
    /version_table_pk: not a boolean/,
  );
});
