import assert from "node:assert/strict";
import { parseScript } from "../script/mod.ts";
import type { DialectName } from "../drivers/types.ts";
import { analyseRevision } from "./analyse.ts";
import {
  type Finding,
  formatFinding,
  type LintMemory,
  lintMemory,
  type LintPhase,
  lintRevision,
  RULES,
  suppressionsFor,
} from "./lint.ts";
import { pgParser } from "./pg_parser.ts";

/** Lint an upgrade section `sql` of a revision with the given header extras. */
async function lint(
  sql: string,
  opts: {
    phase?: LintPhase;
    transactional?: boolean;
    dialect?: DialectName;
    memory?: LintMemory;
  } = {},
): Promise<Finding[]> {
  const header = [
    "-- revision: r1",
    "-- down_revision: r0",
    `-- branch_labels: ${opts.phase ?? ""}`,
    `-- transactional: ${opts.transactional ?? true}`,
    "",
    "-- bellows:upgrade",
  ];
  const script = parseScript({ path: "m/r1.sql", text: `${header.join("\n")}\n${sql}\n` });
  const dialect = opts.dialect ?? "postgresql";
  const rev = await analyseRevision(
    script,
    opts.phase,
    dialect,
    dialect === "postgresql" ? await pgParser() : undefined,
  );
  return lintRevision(rev, opts.memory);
}

const ids = (fs: Finding[]) => fs.map((f) => f.rule);

Deno.test("rules: every rule has an id, a reason and a fix, ids are unique", () => {
  assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
  for (const r of RULES) {
    assert.match(r.id, /^[a-z][a-z-]+$/);
    assert.ok(r.reason.length > 10 && !r.reason.includes("\n"), r.id);
    assert.ok(r.fix.length > 5, r.id);
  }
});

Deno.test("lint: each unsafe PostgreSQL change on an existing table is an error, at its line", async () => {
  const fs = await lint([
    "CREATE INDEX i ON images (name);",
    "ALTER TABLE images ADD COLUMN c int NOT NULL;",
    "ALTER TABLE images ADD COLUMN t uuid DEFAULT gen_random_uuid();",
    "ALTER TABLE images ALTER COLUMN size TYPE bigint;",
    "ALTER TABLE images ALTER COLUMN name SET NOT NULL;",
    "ALTER TABLE images ADD CONSTRAINT fk FOREIGN KEY (owner) REFERENCES users (id);",
    "ALTER TABLE images ADD CONSTRAINT u UNIQUE (checksum);",
    "ALTER TABLE images RENAME COLUMN name TO title;",
    "ALTER TABLE images RENAME TO pictures;",
    "SET lock_timeout = 0;",
  ].join("\n"));
  assert.deepEqual(
    fs.map((f) => `${f.line}:${f.column} ${f.rule} ${f.severity}`),
    [
      "7:1 index-not-concurrent error",
      "8:1 add-column-not-null error",
      "9:1 volatile-default error",
      "10:1 column-type-change error",
      "11:1 set-not-null error",
      "12:1 constraint-not-valid error",
      "13:1 constraint-builds-index error",
      "14:1 rename-column error",
      "15:1 rename-table error",
      "16:1 lock-timeout-reset error",
    ],
  );
  assert.equal(
    formatFinding(fs[0]),
    "m/r1.sql:7:1 index-not-concurrent error: index i on images without CONCURRENTLY " +
      "(fix: CREATE INDEX CONCURRENTLY, alone in a revision with `transactional: false`)",
  );
});

Deno.test("lint: the safe rewrites pass, across revisions in upgrade order", async () => {
  const memory = lintMemory();
  const first = await lint(
    [
      "ALTER TABLE images ADD COLUMN c int NOT NULL DEFAULT 0;",
      "ALTER TABLE images ADD COLUMN at timestamptz DEFAULT now();",
      "ALTER TABLE images ADD CONSTRAINT c_nn CHECK (c2 IS NOT NULL) NOT VALID;",
      "ALTER TABLE images ADD CONSTRAINT fk FOREIGN KEY (o) REFERENCES users (id) NOT VALID;",
      "ALTER TABLE images ADD CONSTRAINT u UNIQUE USING INDEX images_u;",
      "SET LOCAL lock_timeout = '2s';",
    ].join("\n"),
    { phase: "expand", memory },
  );
  assert.deepEqual(first, []);
  const second = await lint(
    [
      "ALTER TABLE images VALIDATE CONSTRAINT c_nn;",
      "ALTER TABLE images VALIDATE CONSTRAINT fk;",
      "ALTER TABLE images ALTER COLUMN c2 SET NOT NULL;",
    ].join("\n"),
    { phase: "expand", memory },
  );
  assert.deepEqual(second, []);
  assert.deepEqual(
    await lint("CREATE INDEX CONCURRENTLY i ON images (name);", { transactional: false }),
    [],
  );
});

Deno.test("lint: VALIDATE in the transaction that added the constraint NOT VALID", async () => {
  const sql = "ALTER TABLE images ADD CONSTRAINT fk FOREIGN KEY (o) REFERENCES users (id) " +
    "NOT VALID;\nALTER TABLE images VALIDATE CONSTRAINT fk;";
  const fs = await lint(sql);
  assert.deepEqual(fs.map((f) => `${f.line} ${f.rule}`), ["8 validate-same-transaction"]);
  // Outside a transaction each statement commits on its own: the lock is gone.
  assert.deepEqual(await lint(sql, { transactional: false }), []);
  // Without memory of an earlier revision's VALIDATE, SET NOT NULL is still flagged.
  assert.deepEqual(ids(await lint("ALTER TABLE images ALTER COLUMN c2 SET NOT NULL;")), [
    "set-not-null",
  ]);
});

Deno.test("lint: a table created in the same revision is new, so its changes are safe", async () => {
  assert.deepEqual(
    await lint(
      [
        "CREATE TABLE tags (id int, name text);",
        "CREATE INDEX tags_name ON tags (name);",
        "ALTER TABLE tags ADD COLUMN c int NOT NULL;",
        "ALTER TABLE tags ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES images (id);",
      ].join("\n"),
      { phase: "expand" },
    ),
    [],
  );
});

Deno.test("lint: DROP is an error in expand, fine in contract, a warning without a phase", async () => {
  const sql = "ALTER TABLE images DROP COLUMN is_public;\nDROP TABLE image_members;";
  const expand = await lint(sql, { phase: "expand" });
  assert.deepEqual(expand.map((f) => `${f.rule} ${f.severity} ${f.message}`), [
    "drop-in-expand error drops column images.is_public",
    "drop-in-expand error drops table image_members",
  ]);
  assert.deepEqual(await lint(sql, { phase: "contract" }), []);
  assert.deepEqual(
    (await lint(sql)).map((f) => f.severity),
    ["warning", "warning"],
  );
});

Deno.test("lint: additive DDL in a contract revision is a warning", async () => {
  const fs = await lint("ALTER TABLE images ADD COLUMN c int;\nCREATE TABLE t (id int);", {
    phase: "contract",
  });
  assert.deepEqual(fs.map((f) => `${f.rule} ${f.severity}`), [
    "additive-in-contract warning",
    "additive-in-contract warning",
  ]);
});

Deno.test("lint: concurrent index statements, transactions and mixing", async () => {
  assert.deepEqual(ids(await lint("CREATE INDEX CONCURRENTLY i ON images (a);")), [
    "concurrent-in-transaction",
  ]);
  const mixed = await lint(
    "CREATE INDEX CONCURRENTLY i ON images (a);\nALTER TABLE images ADD COLUMN c int;",
    { transactional: false },
  );
  assert.deepEqual(mixed.map((f) => `${f.line} ${f.rule}`), ["8 concurrent-mixed"]);
  const two = await lint(
    "CREATE INDEX CONCURRENTLY i ON images (a);\nDROP INDEX CONCURRENTLY j;",
    { transactional: false },
  );
  assert.deepEqual(ids(two), ["concurrent-mixed"]);
});

Deno.test("lint: lock_timeout turned off in any spelling is flagged", async () => {
  for (const s of ["RESET lock_timeout", "SET lock_timeout TO DEFAULT", "SET lock_timeout = '0'"]) {
    assert.deepEqual(ids(await lint(`${s};`)), ["lock-timeout-reset"], s);
  }
  assert.deepEqual(ids(await lint("SELECT set_config('lock_timeout', '0', false);")), [
    "lock-timeout-reset",
  ]);
  assert.deepEqual(await lint("SET lock_timeout = '10s';"), []);
});

Deno.test("lint: a suppression needs a reason; one with a reason silences that rule there", async () => {
  const allowed = await lint([
    "-- bellows:allow index-not-concurrent because images has 20 rows in every install",
    "CREATE INDEX i ON images (name);",
    "CREATE INDEX j ON images (size); -- bellows:allow index-not-concurrent because tiny",
  ].join("\n"));
  assert.deepEqual(allowed, []);

  const noReason = await lint([
    "-- bellows:allow index-not-concurrent",
    "CREATE INDEX i ON images (name);",
  ].join("\n"));
  assert.deepEqual(noReason.map((f) => `${f.line}:${f.column} ${f.rule}`), [
    "7:1 suppression-reason",
    "8:1 index-not-concurrent",
  ]);

  const unknown = await lint([
    "-- bellows:allow no-such-rule because reasons",
    "CREATE INDEX i ON images (name);",
  ].join("\n"));
  assert.deepEqual(ids(unknown), ["suppression-unknown-rule", "index-not-concurrent"]);

  // Only the statement right below (no blank line between) is covered.
  const apart = await lint([
    "-- bellows:allow index-not-concurrent because small",
    "",
    "CREATE INDEX i ON images (name);",
  ].join("\n"));
  assert.deepEqual(ids(apart), ["index-not-concurrent"]);
});

Deno.test("suppressionsFor: above, inside and after the statement", () => {
  const source =
    "-- a\n-- bellows:allow x because one\nSELECT 1, -- bellows:allow y\n 2; -- bellows:allow z because three\n";
  const stmt = { sql: "SELECT 1, -- bellows:allow y\n 2", line: 3, column: 1 };
  assert.deepEqual(suppressionsFor(source, stmt), [
    { rule: "x", reason: "one", line: 2, column: 1 },
    { rule: "y", reason: "", line: 3, column: 11 },
    { rule: "z", reason: "three", line: 4, column: 5 },
  ]);
});

Deno.test("lint: a statement PostgreSQL's parser rejects is an error where it stops", async () => {
  const fs = await lint("ALTER TABLE images\n  ADD COLUMN c itn NOT NUL;");
  assert.deepEqual(fs.map((f) => `${f.line}:${f.column} ${f.rule}`), ["8:24 syntax-error"]);
  assert.match(fs[0].message, /syntax error at or near "NUL"/);
});

Deno.test("lint (SQLite): what its ALTER TABLE cannot do, rebuilds, and the phase rules", async () => {
  const fs = await lint(
    [
      "ALTER TABLE images ALTER COLUMN size SET NOT NULL;",
      "ALTER TABLE images ADD COLUMN c int NOT NULL;",
      "ALTER TABLE images ADD COLUMN at text DEFAULT CURRENT_TIMESTAMP;",
      "ALTER TABLE images RENAME COLUMN name TO title;",
      "CREATE INDEX i ON images (name);",
    ].join("\n"),
    { dialect: "sqlite", phase: "expand" },
  );
  assert.deepEqual(fs.map((f) => `${f.line} ${f.rule}`), [
    "7 sqlite-alter-unsupported",
    "8 sqlite-alter-unsupported",
    "8 add-column-not-null",
    "9 sqlite-alter-unsupported",
    "10 rename-column",
  ]);
  assert.match(fs[0].message, /only RENAME, ADD COLUMN and DROP COLUMN/);

  const rebuild = await lint(
    [
      'CREATE TABLE "images_new" (id int PRIMARY KEY, size int NOT NULL);',
      "INSERT INTO images_new (id, size) SELECT id, size FROM images;",
      "DROP TABLE images;",
      "ALTER TABLE images_new RENAME TO images;",
    ].join("\n"),
    { dialect: "sqlite", phase: "expand" },
  );
  assert.deepEqual(rebuild.map((f) => `${f.line} ${f.rule} ${f.severity}`), [
    "8 sqlite-table-rebuild error",
    "9 drop-in-expand error",
  ]);
  const inContract = await lint(
    "CREATE TABLE n (id int);\nINSERT INTO n SELECT id FROM images;\nDROP TABLE images;\n" +
      "ALTER TABLE n RENAME TO images;",
    { dialect: "sqlite", phase: "contract" },
  );
  assert.deepEqual(inContract.map((f) => `${f.rule} ${f.severity}`), [
    "additive-in-contract warning",
    "sqlite-table-rebuild warning",
  ]);
});

Deno.test("lint on MySQL: a copying ALTER is an error, an ALTER without online clauses a warning", async () => {
  const fs = await lint(
    [
      "ALTER TABLE images ADD CONSTRAINT fk FOREIGN KEY (owner) REFERENCES owners (id);",
      "ALTER TABLE images ADD INDEX ix_a (a);",
      "ALTER TABLE images ADD INDEX ix_b (b), ALGORITHM=INPLACE, LOCK=NONE;",
      "ALTER TABLE images ADD COLUMN c INT, ALGORITHM=INSTANT;",
      "CREATE INDEX ix_c ON images (c);",
      "ALTER TABLE images MODIFY COLUMN size BIGINT, ALGORITHM=INPLACE, LOCK=NONE;",
      "ALTER TABLE images MODIFY COLUMN name VARCHAR(300);",
      "ALTER TABLE images ADD COLUMN d INT, ALGORITHM=COPY;",
      "CREATE TABLE fresh (id INT PRIMARY KEY);",
      "ALTER TABLE fresh ADD CONSTRAINT fk2 FOREIGN KEY (id) REFERENCES owners (id);",
      "DROP INDEX ix_old ON images;",
    ].join("\n"),
    { dialect: "mysql", phase: "expand" },
  );
  assert.deepEqual(fs.map((f) => [f.line - 6, f.rule, f.severity]), [
    [1, "mysql-copy-alter", "error"],
    [2, "mysql-online-clauses", "warning"],
    [5, "mysql-online-clauses", "warning"],
    [6, "column-type-change", "error"],
    [7, "column-type-change", "error"],
    [7, "mysql-online-clauses", "warning"],
    [8, "mysql-copy-alter", "error"],
  ]);
  assert.match(fs[0].message, /^ADD FOREIGN KEY on images needs ALGORITHM=COPY \(NOCOPY with/);
  assert.match(fs[2].message, /without ALGORITHM=INPLACE, LOCK=NONE/);
});

Deno.test("lint on MySQL: the phase rules, renames and suppressions apply as elsewhere", async () => {
  const fs = await lint(
    [
      "ALTER TABLE images DROP COLUMN size, ALGORITHM=INSTANT;",
      "RENAME TABLE images TO pictures;",
      "-- bellows:allow rename-column because nothing reads it yet",
      "ALTER TABLE owners RENAME COLUMN nm TO name, ALGORITHM=INSTANT;",
      "ALTER TABLE owners CHANGE nick handle VARCHAR(20);",
    ].join("\n"),
    { dialect: "mysql", phase: "expand" },
  );
  assert.deepEqual(ids(fs), [
    "drop-in-expand",
    "rename-table",
    "rename-column",
    "column-type-change",
    "mysql-online-clauses",
  ]);
  const contract = await lint("CREATE TABLE t2 (id INT PRIMARY KEY);", {
    dialect: "mysql",
    phase: "contract",
  });
  assert.deepEqual(ids(contract), ["additive-in-contract"]);
});
