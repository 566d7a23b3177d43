/**
 * Progress of a data migration: rows moved, rows per second and the time left,
 * as a line redrawn in place on a terminal, or as plain log lines every few
 * seconds otherwise (cron mail and log files get no control characters).
 *
 * @module
 */

/** Where one data migration stands. */
export interface ProgressSnapshot {
  readonly name: string;
  /** Rows moved so far in this run. */
  readonly done: number;
  /** Rows the check query still counts. */
  readonly remaining: number;
  readonly elapsedMs: number;
}

/** `950ms`, `4s`, `2m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * One progress line, e.g. `ocata_migrate01: 1200/5000 rows (24%), 850 rows/s,
 * about 4s left`; with `barWidth`, a bar of that many characters after the name.
 */
export function formatProgress(s: ProgressSnapshot, barWidth = 0): string {
  const total = s.done + s.remaining;
  const fraction = total === 0 ? 1 : s.done / total;
  const pct = Math.floor(fraction * 100);
  const rate = s.elapsedMs > 0 ? s.done / (s.elapsedMs / 1000) : 0;
  const parts = [`${s.done}/${total} rows (${pct}%)`];
  if (s.done > 0 && s.elapsedMs > 0) {
    parts.push(`${Math.round(rate)} rows/s`);
    if (s.remaining > 0) parts.push(`about ${formatDuration((s.remaining / rate) * 1000)} left`);
  }
  const bar = barWidth > 0
    ? ` [${"#".repeat(Math.round(fraction * barWidth)).padEnd(barWidth, ".")}]`
    : "";
  return `${s.name}${bar}: ${parts.join(", ")}`;
}

/** How {@linkcode Progress} shows itself. */
export interface ProgressOptions {
  /** Redraw one line in place (stderr is a terminal). */
  readonly terminal: boolean;
  /** Raw output for the terminal line (no newline added). */
  readonly write: (text: string) => void;
  /** A whole log line (plain mode, and the final summary). */
  readonly log: (line: string) => void;
  /** Plain mode: at most one line per this many ms (default 5000). */
  readonly intervalMs?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** Reports one data migration at a time. */
export class Progress {
  readonly #opts: ProgressOptions;
  readonly #now: () => number;
  #name = "";
  #started = 0;
  #last = 0;
  #done = 0;
  #remaining = 0;
  #drawn = false;

  constructor(opts: ProgressOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** A data migration starts with `remaining` rows to move. */
  start(name: string, remaining: number): void {
    this.#name = name;
    this.#started = this.#last = this.#now();
    this.#done = 0;
    this.#remaining = remaining;
    this.#drawn = false;
  }

  /** A batch committed: the check query now counts `remaining`. */
  update(remaining: number): void {
    // Rows other writers add while we run count as more work, not as negative progress.
    this.#done += Math.max(0, this.#remaining - remaining);
    this.#remaining = remaining;
    this.#draw();
  }

  /**
   * A batch committed that moved `rows` (the keyset form, which does not count with the
   * check query after each batch): the estimate of what is left goes down by as many.
   */
  advance(rows: number): void {
    this.#done += rows;
    this.#remaining = Math.max(0, this.#remaining - rows);
    this.#draw();
  }

  #draw(): void {
    const remaining = this.#remaining;
    const now = this.#now();
    if (this.#opts.terminal) {
      if (now - this.#last < 100 && remaining > 0) return;
      this.#last = now;
      this.#opts.write(`\r${formatProgress(this.#snapshot(now), 24)}\x1b[K`);
      this.#drawn = true;
    } else if (now - this.#last >= (this.#opts.intervalMs ?? 5000) && remaining > 0) {
      this.#last = now;
      this.#opts.log(formatProgress(this.#snapshot(now)));
    }
  }

  /** The data migration ended; returns the rows moved. */
  finish(): number {
    const now = this.#now();
    if (this.#drawn) this.#opts.write(`\r\x1b[K`);
    const ms = now - this.#started;
    const rate = ms > 0 ? Math.round(this.#done / (ms / 1000)) : 0;
    this.#opts.log(
      `${this.#name}: moved ${this.#done} row(s) in ${formatDuration(ms)}` +
        (this.#done > 0 && ms > 0 ? ` (${rate} rows/s)` : ""),
    );
    return this.#done;
  }

  #snapshot(now: number): ProgressSnapshot {
    return {
      name: this.#name,
      done: this.#done,
      remaining: this.#remaining,
      elapsedMs: now - this.#started,
    };
  }
}
