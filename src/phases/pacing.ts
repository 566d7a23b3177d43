/**
 * Pacing of data migration batches: a batch size that adapts toward a target batch
 * duration (`--batch-time`), a pause between batches (`--batch-pause`), and waiting while
 * replicas trail by more than `--max-replica-lag`. Pure but for the injected clock, sleep
 * and lag probe, so the rules have fast unit tests.
 *
 * @module
 */

/** How batches are paced; every field optional (none: fixed size, back to back). */
export interface Pacing {
  /** Target duration of one batch transaction, ms: the batch size adapts toward it. */
  readonly batchTimeMs?: number;
  /** Sleep between two batches, ms. */
  readonly batchPauseMs?: number;
  /** Before each batch, wait while the replicas trail by more than this, ms. */
  readonly maxReplicaLagMs?: number;
}

/** An adapted batch size stays within [1, this × --batch-size]. */
export const MAX_GROWTH = 16;

/** One step changes the size by at most this factor, up or down (one odd batch is noise). */
export const MAX_STEP = 2;

/**
 * The next batch size when `size` rows took `elapsedMs` and batches should take `targetMs`:
 * proportional, at most ×2 or ÷2 per step, within [1, {@linkcode MAX_GROWTH} × `initial`].
 */
export function nextBatchSize(
  size: number,
  elapsedMs: number,
  targetMs: number,
  initial: number,
): number {
  const ratio = elapsedMs <= 0 ? MAX_STEP : targetMs / elapsedMs;
  const step = Math.min(MAX_STEP, Math.max(1 / MAX_STEP, ratio));
  const next = Math.round(size * step);
  return Math.max(1, Math.min(initial * MAX_GROWTH, next));
}

/** What {@linkcode waitForReplicas} needs. */
export interface ReplicaWait {
  /** The replicas' lag now, ms; undefined when it cannot be seen (then there is no wait). */
  readonly lagMs: () => Promise<number | undefined>;
  readonly maxLagMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** A line for the log: when the wait starts, then every `logEveryMs`. */
  readonly log: (line: string) => void;
  readonly now?: () => number;
  /** Default 10 s. */
  readonly logEveryMs?: number;
}

/** Poll interval while waiting for replicas: a tenth of the limit, within [50 ms, 1 s]. */
export function pollInterval(maxLagMs: number): number {
  return Math.min(1000, Math.max(50, Math.round(maxLagMs / 10)));
}

/**
 * Wait while the replicas trail by more than `maxLagMs`. Returns how long it waited, ms
 * (0 when they were within the limit at once).
 */
export async function waitForReplicas(w: ReplicaWait): Promise<number> {
  const now = w.now ?? (() => performance.now());
  const started = now();
  let logged = -Infinity;
  for (;;) {
    const lag = await w.lagMs();
    if (lag === undefined || lag <= w.maxLagMs) return logged === -Infinity ? 0 : now() - started;
    if (now() - logged >= (w.logEveryMs ?? 10_000)) {
      logged = now();
      w.log(
        `replicas trail by ${Math.round(lag)} ms (more than --max-replica-lag ` +
          `${w.maxLagMs} ms): waiting before the next batch`,
      );
    }
    await w.sleep(pollInterval(w.maxLagMs));
  }
}
