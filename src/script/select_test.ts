import assert from "node:assert/strict";
import { parseScript } from "./parse.ts";
import { checksum, statementsFor } from "./select.ts";

const TEXT = [
  "-- revision: a",
  "-- down_revision:",
  "-- bellows:upgrade",
  "SELECT 'all 1';",
  "-- bellows:upgrade postgresql",
  "SELECT 'pg';",
  "-- bellows:upgrade sqlite rolling",
  "SELECT 'lite rolling';",
  "-- bellows:upgrade rolling",
  "SELECT 'all rolling';",
  "-- bellows:downgrade sqlite",
  "SELECT 'lite down';",
  "-- bellows:upgrade",
  "SELECT 'all 2';",
].join("\n");

const script = parseScript({ path: "a.sql", text: TEXT });
const sqls = (...args: Parameters<typeof statementsFor>) =>
  statementsFor(...args).map((s) => s.sql);

Deno.test("statementsFor: dialect filtering, file order, rolling", () => {
  assert.deepEqual(sqls(script, "up", "postgresql"), [
    "SELECT 'all 1'",
    "SELECT 'pg'",
    "SELECT 'all rolling'",
    "SELECT 'all 2'",
  ]);
  assert.deepEqual(sqls(script, "up", "sqlite"), [
    "SELECT 'all 1'",
    "SELECT 'lite rolling'",
    "SELECT 'all rolling'",
    "SELECT 'all 2'",
  ]);
  assert.deepEqual(sqls(script, "up", "sqlite", { skipRolling: true }), [
    "SELECT 'all 1'",
    "SELECT 'all 2'",
  ]);
  assert.deepEqual(sqls(script, "up", "postgresql", { skipRolling: false }).length, 4);
  assert.deepEqual(sqls(script, "down", "sqlite"), ["SELECT 'lite down'"]);
  assert.deepEqual(sqls(script, "down", "postgresql"), []);
});

Deno.test("statementsFor: keeps file positions", () => {
  assert.deepEqual(statementsFor(script, "up", "postgresql")[1], {
    sql: "SELECT 'pg'",
    line: 6,
    column: 1,
  });
});

Deno.test("checksum: sha256 hex of statement texts joined with ';\\n'", async () => {
  // sha256("") and sha256("SELECT 1;\nSELECT 2"), computed independently.
  assert.equal(
    checksum([]),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  const got = checksum([
    { sql: "SELECT 1", line: 1, column: 1 },
    { sql: "SELECT 2", line: 9, column: 4 },
  ]);
  const want = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode("SELECT 1;\nSELECT 2")),
  );
  assert.equal(got, Array.from(want, (b) => b.toString(16).padStart(2, "0")).join(""));
  assert.match(got, /^[0-9a-f]{64}$/);
});

Deno.test("checksum: stable across comments and whitespace outside statements", async () => {
  const sum = (text: string) =>
    checksum(statementsFor(parseScript({ path: "a.sql", text }), "up", "postgresql"));
  const base = await sum(TEXT);
  const same = [
    TEXT.replace("-- revision: a", "-- A new leading comment.\n-- revision: a"),
    TEXT.replace("SELECT 'all 1';", "-- explain\n\n   SELECT 'all 1'  ;  /* after */\n"),
    TEXT.replace("SELECT 'pg';", "SELECT 'pg'\n;\n\n"),
    TEXT.replace("-- bellows:upgrade postgresql", "-- bellows:upgrade postgres"),
    // The same statements split over sections differently.
    TEXT.replace("SELECT 'pg';", "SELECT 'pg';\n-- bellows:upgrade postgresql\n"),
    // Sections that do not run on PostgreSQL.
    TEXT.replace("SELECT 'lite rolling';", "SELECT 'lite changed';"),
  ];
  for (const text of same) assert.equal(await sum(text), base, text);
  const different = [
    TEXT.replace("SELECT 'all 1';", "SELECT 'all  1';"),
    TEXT.replace("SELECT 'all 1';", "SELECT /* inner */ 'all 1';"),
    TEXT.replace("SELECT 'all 1';", "SELECT\n'all 1';"),
    TEXT.replace("SELECT 'all 1';", "select 'all 1';"),
    TEXT.replace("SELECT 'all 2';", "SELECT 'all 2'; SELECT 3;"),
  ];
  for (const text of different) assert.notEqual(await sum(text), base, text);
});

Deno.test("checksum: pinned for a real bundled script (what applied databases recorded)", async () => {
  // Computed once (bellows 0.1.0) and written down: a change in how statements are cut,
  // selected or hashed would flag every applied revision as drifted, so it must fail here.
  // ocata_expand01 has a section per dialect and a rolling one, so all paths count.
  const path = new URL("../../migrations/ocata_expand01.sql", import.meta.url);
  const script = parseScript({ path: "ocata_expand01.sql", text: await Deno.readTextFile(path) });
  const sum = (d: "postgresql" | "sqlite", skipRolling = false) =>
    checksum(statementsFor(script, "up", d, { skipRolling }));
  assert.equal(
    await sum("postgresql"),
    "0fc933f6845ecf8208e2baae61ed48a15c58e094d6c7d4155ea3c927d5b127c2",
  );
  assert.equal(
    await sum("sqlite"),
    "019bd409dc57638e0d6db72b4108bd99760bd839ca12c808691bcdc8fc51ede9",
  );
  const lean = "b6d228635a5b9985d0936a47f5af5532323f8574600d9ae695a76f5ca348a9c1";
  assert.equal(await sum("postgresql", true), lean);
  assert.equal(await sum("sqlite", true), lean);
});
