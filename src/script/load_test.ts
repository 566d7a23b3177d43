import assert from "node:assert/strict";
import { ScriptError } from "../errors.ts";
import { isDataMigration, isScriptFile, isScriptPath, loadHeaders, loadScripts } from "./load.ts";

const rev = (id: string, down = "") =>
  `-- revision: ${id}\n-- down_revision: ${down}\n-- bellows:upgrade\nSELECT 1;\n`;

Deno.test("isScriptPath", () => {
  for (const p of ["a.sql", "versions/b_c.sql", "x/y/z.sql"]) assert.ok(isScriptPath(p), p);
  const no = ["a.txt", "a.sql~", ".a.sql", "_a.sql", "x/.hidden/a.sql", "_old/a.sql", "a.SQL"];
  for (const p of no) assert.ok(!isScriptPath(p), p);
});

Deno.test("isScriptFile: judged below the migrations folder, whatever the folder is called", () => {
  for (const root of ["./m", ".", "/home/u/.config/bellows", "_build/m", "m"]) {
    assert.ok(isScriptFile({ path: `${root}/a.sql`, text: "", root }), root);
    assert.ok(!isScriptFile({ path: `${root}/.hidden/a.sql`, text: "", root }), root);
    assert.ok(!isScriptFile({ path: `${root}/_old.sql`, text: "", root }), root);
  }
  // Without a root the whole path counts, as before.
  assert.ok(!isScriptFile({ path: "./m/a.sql", text: "" }));
});

Deno.test("isDataMigration: first header key is data_migration", () => {
  assert.ok(
    isDataMigration({ path: "d.sql", text: "-- fills a column\n-- data_migration: fill\n" }),
  );
  assert.ok(!isDataMigration({ path: "a.sql", text: rev("a") }));
  assert.ok(!isDataMigration({ path: "a.sql", text: "-- revision: a\n-- data_migration: x\n" }));
  assert.ok(!isDataMigration({ path: "a.sql", text: "SELECT 1;\n-- data_migration: x\n" }));
});

Deno.test("loadScripts: parses scripts, sorted by path, skipping the rest", () => {
  const scripts = loadScripts([
    { path: "versions/b.sql", text: rev("b", "a") },
    { path: "a.sql", text: rev("a") },
    { path: "README.md", text: "# not a script" },
    { path: "_draft.sql", text: "broken" },
    { path: ".#a.sql", text: "broken" },
    { path: "data/fill.sql", text: "-- data_migration: fill\n" },
  ]);
  assert.deepEqual(scripts.map((s) => [s.file, s.id, s.downRevisions]), [
    ["a.sql", "a", []],
    ["versions/b.sql", "b", ["a"]],
  ]);
});

Deno.test("loadScripts: a duplicate id names both files", () => {
  assert.throws(
    () =>
      loadScripts([
        { path: "z/second.sql", text: `-- about\n${rev("abc")}` },
        { path: "first.sql", text: rev("abc") },
      ]),
    (err: unknown) => {
      assert.ok(err instanceof ScriptError);
      assert.equal(err.message, 'z/second.sql:2: revision "abc" is also declared in first.sql:1');
      return true;
    },
  );
});

Deno.test("loadScripts: the first invalid script is reported", () => {
  assert.throws(
    () => loadScripts([{ path: "a.sql", text: rev("a") }, { path: "b.sql", text: "SELECT 1;" }]),
    /^ScriptError: b\.sql:1: SQL before the first "-- bellows:upgrade" marker$/,
  );
});

Deno.test("loadHeaders: the headers loadScripts gives, sorted by path; data migrations aside", () => {
  const files = [
    { path: "versions/b.sql", text: rev("b", "a") },
    { path: "a.sql", text: rev("a") },
    { path: "README.md", text: "# not a script" },
    { path: "_draft.sql", text: "broken" },
    { path: "data/fill.sql", text: "-- data_migration: fill\n" },
  ];
  const { headers, dataMigrationFiles } = loadHeaders(files);
  assert.deepEqual(
    headers,
    loadScripts(files).map(({ sections: _s, source: _t, ...h }) => h),
  );
  assert.deepEqual(dataMigrationFiles.map((f) => f.path), ["data/fill.sql"]);
});

Deno.test("loadHeaders: reads one file at a time, keeping none of them", () => {
  const asked: string[] = [];
  function* files() {
    for (const id of ["a", "b", "c"]) {
      asked.push(id);
      yield { path: `${id}.sql`, text: rev(id, id === "a" ? "" : "a") };
    }
  }
  const it = files();
  const { headers } = loadHeaders(it);
  assert.deepEqual(asked, ["a", "b", "c"]);
  assert.deepEqual(headers.map((h) => h.file), ["a.sql", "b.sql", "c.sql"]);
});

Deno.test("loadHeaders: a duplicate id names both files and lines, as loadScripts does", () => {
  const files = [
    { path: "first.sql", text: rev("abc") },
    { path: "z/second.sql", text: `-- about\n${rev("abc")}` },
  ];
  assert.throws(
    () => loadHeaders(files),
    /^ScriptError: z\/second\.sql:2: revision "abc" is also declared in first\.sql:1$/,
  );
});

Deno.test("loadHeaders: the first invalid script in the order given is reported", () => {
  assert.throws(
    () => loadHeaders([{ path: "a.sql", text: rev("a") }, { path: "b.sql", text: "SELECT 1;" }]),
    /^ScriptError: b\.sql:1: SQL before the first "-- bellows:upgrade" marker$/,
  );
});
