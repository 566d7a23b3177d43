import assert from "node:assert/strict";
import { type AuditEntry, CHECKPOINT, FAILED, interruptedRuns } from "./version_table.ts";

let seq = 0;
const row = (revision: string, direction: string, status: string): AuditEntry => ({
  seq: ++seq,
  versionTable: "alembic_version",
  revision,
  direction,
  status,
  checksum: "c",
  appliedAt: "2026-01-01T00:00:00.000Z",
  durationMs: 0,
  host: "h",
  toolVersion: "0",
});

Deno.test("interruptedRuns: started rows last of their revision, with checkpoints counted", () => {
  const audit = [
    row("a", "up", "done"),
    // An earlier interrupted run of b, resolved by a stamp: its checkpoint is not counted.
    row("b", "up", "interrupted"),
    row("b", "up", CHECKPOINT),
    row("b", "stamp", "done"),
    row("b", "down", "started"),
    row("b", "down", CHECKPOINT),
    row("b", "down", CHECKPOINT),
    row("c", "up", "started"),
    row("d", "up", "started"),
    row("d", "up", "done"),
  ];
  assert.deepEqual(
    interruptedRuns(audit).map((i) => [i.entry.revision, i.entry.direction, i.completed]),
    [["b", "down", 2], ["c", "up", 0]],
  );
  assert.deepEqual(interruptedRuns([]), []);
});

Deno.test("interruptedRuns: a failed row says the next statement did not complete", () => {
  const audit = [
    // An earlier run's failure, resolved by a stamp, does not count for the new run.
    row("e", "up", "interrupted"),
    row("e", "up", FAILED),
    row("e", "stamp", "done"),
    row("e", "up", "started"),
    row("e", "up", CHECKPOINT),
    row("f", "up", "started"),
    row("f", "up", CHECKPOINT),
    row("f", "up", FAILED),
  ];
  assert.deepEqual(
    interruptedRuns(audit).map((i) => [i.entry.revision, i.completed, i.failed]),
    [["e", 1, false], ["f", 1, true]],
  );
});
