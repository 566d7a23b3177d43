import assert from "node:assert/strict";
import { MAX_GROWTH, nextBatchSize, pollInterval, waitForReplicas } from "./pacing.ts";

Deno.test("nextBatchSize: proportional, at most x2 or /2 a step, within bounds", () => {
  // 1000 rows in 100 ms toward 200 ms: twice as many.
  assert.equal(nextBatchSize(1000, 100, 200, 1000), 2000);
  // Far too fast: still only doubled.
  assert.equal(nextBatchSize(1000, 1, 200, 1000), 2000);
  assert.equal(nextBatchSize(1000, 0, 200, 1000), 2000);
  // Slower than the target: proportional, at most halved.
  assert.equal(nextBatchSize(1000, 250, 200, 1000), 800);
  assert.equal(nextBatchSize(1000, 5000, 200, 1000), 500);
  // Bounds: never above MAX_GROWTH x the starting size, never below 1.
  assert.equal(nextBatchSize(15_000, 10, 200, 1000), 1000 * MAX_GROWTH);
  assert.equal(nextBatchSize(1, 5000, 200, 1000), 1);
  // Converges: a table where each row costs 0.05 ms settles at 200 ms / 0.05 = 4000 rows.
  let size = 1000;
  for (let i = 0; i < 20; i++) size = nextBatchSize(size, size * 0.05, 200, 1000);
  assert.equal(size, 4000);
});

Deno.test("waitForReplicas: polls while the lag exceeds the limit, logs once per interval", async () => {
  const lags = [5000, 3000, 1200, 900];
  let t = 0;
  const slept: number[] = [];
  const lines: string[] = [];
  const waited = await waitForReplicas({
    lagMs: () => Promise.resolve(lags.shift()!),
    maxLagMs: 1000,
    sleep: (ms) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
    log: (line) => lines.push(line),
    now: () => t,
    logEveryMs: 150,
  });
  assert.deepEqual(slept, [100, 100, 100]);
  assert.equal(waited, 300);
  // Logged at t=0 and t=200 (150 ms apart at least), not at t=100.
  assert.equal(lines.length, 2);
  assert.match(lines[0], /replicas trail by 5000 ms \(more than --max-replica-lag 1000 ms\)/);
  assert.match(lines[1], /1200 ms/);
  // Within the limit at once: no wait, no line.
  assert.equal(
    await waitForReplicas({
      lagMs: () => Promise.resolve(0),
      maxLagMs: 1000,
      sleep: () => Promise.reject(new Error("must not sleep")),
      log: () => assert.fail("must not log"),
    }),
    0,
  );
  assert.equal(pollInterval(100), 50);
  assert.equal(pollInterval(60_000), 1000);
});
