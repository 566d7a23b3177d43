import assert from "node:assert/strict";
import { parseScript, statementsFor } from "../script/mod.ts";
import { pgParser } from "./pg_parser.ts";
import {
  describeStatement,
  formatBytes,
  formatLockView,
  lockedTables,
  lockView,
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
