import assert from "node:assert/strict";
import { parseScript, statementsFor } from "../script/mod.ts";
import { pgParser } from "./pg_parser.ts";
import {
  describeStatement,
  formatAge,
  formatBytes,
  formatHolder,
  formatLockView,
  lockedTables,
  lockRequests,
  lockView,
  sqliteLockView,
  type TableSize,
} from "./plan_locks.ts";

const SCRIPT = parseScript({
  path: "m/e1.sql",
  text: [
    "-- revision: e1",
    "-- down_revision:",
    "",
    "-- bellows:upgrade",
    "ALTER TABLE images ALTER COLUMN size TYPE bigint;",
    "CREATE INDEX CONCURRENTLY i ON images (name);",
    "ALTER TABLE members ADD CONSTRAINT fk FOREIGN KEY (image_id) REFERENCES images (id)",
    "  NOT VALID;",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    "",
  ].join("\n"),
});

Deno.test("lockView: each statement's locks and work, in words, with table sizes", async () => {
  const steps = await lockView([{
    revision: "e1",
    direction: "up",
    file: SCRIPT.file,
    statements: statementsFor(SCRIPT, "up", "postgresql"),
  }], await pgParser());
  assert.deepEqual(lockedTables(steps), ["images", "members"]);
  const sizes = new Map<string, TableSize>([
    ["images", { bytes: 48 * 1024 ** 3, rows: 120e6 }],
    ["members", { bytes: 8192, rows: -1 }],
  ]);
  const lines = steps[0].statements.map((s) => describeStatement(s, sizes));
  assert.deepEqual(lines, [
    "ACCESS EXCLUSIVE on images (48 GB, ~120M rows; blocks reads and writes), rewrites unless " +
    "the types are binary-compatible",
    "SHARE UPDATE EXCLUSIVE on images (48 GB, ~120M rows), scans",
    "SHARE ROW EXCLUSIVE on members (8.0 kB, rows unknown; blocks writes), " +
    "SHARE ROW EXCLUSIVE on images (48 GB, ~120M rows; blocks writes), metadata only",
    "no table lock",
  ]);
  const text = formatLockView(steps);
  assert.match(
    text,
    /^upgrade e1 \(m\/e1\.sql\)\n {2}m\/e1\.sql:5:1 ALTER TABLE images ALTER COLUMN size TYPE bigint\n {4}ACCESS EXCLUSIVE on images \(blocks reads and writes\), rewrites unless/,
  );
  assert.match(
    text,
    /m\/e1\.sql:7:1 ALTER TABLE members ADD CONSTRAINT fk FOREIGN KEY \(image_\.\.\.\n/,
  );
});

Deno.test("formatBytes: pg_size_pretty's units", () => {
  assert.equal(formatBytes(0), "0 bytes");
  assert.equal(formatBytes(1536), "1.5 kB");
  assert.equal(formatBytes(200 * 1024 ** 2), "200 MB");
  assert.equal(formatBytes(3 * 1024 ** 4), "3.0 TB");
});

Deno.test("lockRequests: only locks that block writes, with the pg_locks modes they conflict with", () => {
  assert.deepEqual(
    lockRequests([
      { relation: "images", kind: "table", mode: "ACCESS EXCLUSIVE" },
      { relation: "members", kind: "table", mode: "SHARE" },
      { relation: "tags", kind: "table", mode: "SHARE UPDATE EXCLUSIVE" },
      { relation: "logs", kind: "table", mode: "ROW EXCLUSIVE" },
    ]),
    [
      {
        relation: "images",
        conflictsWith: [
          "AccessShareLock",
          "RowShareLock",
          "RowExclusiveLock",
          "ShareUpdateExclusiveLock",
          "ShareLock",
          "ShareRowExclusiveLock",
          "ExclusiveLock",
          "AccessExclusiveLock",
        ],
      },
      {
        relation: "members",
        conflictsWith: [
          "RowExclusiveLock",
          "ShareUpdateExclusiveLock",
          "ShareRowExclusiveLock",
          "ExclusiveLock",
          "AccessExclusiveLock",
        ],
      },
    ],
  );
});

Deno.test("formatHolder / formatAge: one session on one line", () => {
  assert.equal(formatAge(1500), "1.5s");
  assert.equal(formatAge(130_000), "2m10s");
  assert.equal(formatAge(7_500_000), "2h5m");
  assert.equal(
    formatHolder({
      pid: 4242,
      applicationName: "report-job",
      user: "app",
      client: "10.0.0.7",
      relation: "images",
      mode: "AccessShareLock",
      conflicting: true,
      transactionAgeMs: 130_000,
      state: "idle in transaction",
      query: "SELECT count(*) FROM images",
    }),
    "pid 4242 (application_name report-job, user app, client 10.0.0.7, transaction open " +
      "2m10s, idle in transaction, holds AccessShareLock on images): SELECT count(*) FROM images",
  );
});

Deno.test("sqliteLockView: tables changed and the work, from the text", () => {
  const s = parseScript({
    path: "m/s1.sql",
    text: "-- revision: s1\n-- down_revision:\n\n-- bellows:upgrade\n" +
      "ALTER TABLE images DROP COLUMN size;\nINSERT INTO images_new SELECT id FROM images;\n" +
      "UPDATE images SET id = id;\n",
  });
  const [step] = sqliteLockView([{
    revision: "s1",
    direction: "up",
    file: s.file,
    statements: statementsFor(s, "up", "sqlite"),
  }]);
  assert.deepEqual(step.statements.map((x) => describeStatement(x)), [
    "changes images, rewrites, DROP COLUMN rewrites every row of the table",
    "changes images_new, images, touches the rows it selects, copies the rows of images into " +
    "images_new (a table rebuild)",
    "nothing read from its text",
  ]);
});
