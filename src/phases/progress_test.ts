import assert from "node:assert/strict";
import { formatDuration, formatProgress, Progress } from "./progress.ts";

Deno.test("formatDuration", () => {
  assert.deepEqual([400, 4000, 125_000, 3_720_000].map(formatDuration), [
    "400ms",
    "4s",
    "2m05s",
    "1h02m",
  ]);
});

Deno.test("formatProgress: rows, percent, rate, estimate; optional bar", () => {
  const s = { name: "m1", done: 1200, remaining: 3800, elapsedMs: 2000 };
  assert.equal(formatProgress(s), "m1: 1200/5000 rows (24%), 600 rows/s, about 6s left");
  assert.equal(
    formatProgress(s, 10),
    "m1 [##........]: 1200/5000 rows (24%), 600 rows/s, about 6s left",
  );
  assert.equal(formatProgress({ ...s, done: 0, elapsedMs: 0 }), "m1: 0/3800 rows (0%)");
  assert.equal(formatProgress({ ...s, remaining: 0 }), "m1: 1200/1200 rows (100%), 600 rows/s");
});

function recorder(terminal: boolean) {
  let t = 0;
  const writes: string[] = [];
  const logs: string[] = [];
  const p = new Progress({
    terminal,
    write: (x) => writes.push(x),
    log: (x) => logs.push(x),
    intervalMs: 1000,
    now: () => t,
  });
  return { p, writes, logs, tick: (ms: number) => (t += ms) };
}

Deno.test("Progress: plain lines at most once per interval, then a summary", () => {
  const r = recorder(false);
  r.p.start("m1", 100);
  r.tick(400);
  r.p.update(90);
  r.tick(700);
  r.p.update(80);
  r.tick(300);
  r.p.update(85); // another writer added rows: not negative progress
  r.tick(1000);
  r.p.update(0);
  assert.equal(r.p.finish(), 105);
  assert.deepEqual(r.writes, []);
  assert.deepEqual(r.logs, [
    "m1: 20/100 rows (20%), 18 rows/s, about 4s left",
    "m1: moved 105 row(s) in 2s (44 rows/s)",
  ]);
});

Deno.test("Progress: a terminal line redrawn in place and cleared", () => {
  const r = recorder(true);
  r.p.start("m1", 10);
  r.tick(500);
  r.p.update(5);
  r.tick(50);
  r.p.update(4); // too soon to redraw
  r.tick(500);
  r.p.update(0);
  r.p.finish();
  assert.deepEqual(r.writes, [
    "\rm1 [############............]: 5/10 rows (50%), 10 rows/s, about 500ms left\x1b[K",
    "\rm1 [########################]: 10/10 rows (100%), 10 rows/s\x1b[K",
    "\r\x1b[K",
  ]);
  assert.deepEqual(r.logs, ["m1: moved 10 row(s) in 1s (10 rows/s)"]);
});

Deno.test("Progress.advance: rows moved by a keyset batch; what is left never below 0", () => {
  const r = recorder(false);
  r.p.start("k1", 100);
  r.tick(1500);
  r.p.advance(40);
  assert.deepEqual(r.logs, ["k1: 40/100 rows (40%), 27 rows/s, about 2s left"]);
  r.p.advance(70); // other writers added rows: more moved than counted at the start
  r.tick(500);
  assert.equal(r.p.finish(), 110);
  assert.equal(r.logs.at(-1), "k1: moved 110 row(s) in 2s (55 rows/s)");
});
