/**
 * SIGINT and SIGTERM while bellows runs: it stops at once, as it would without a
 * handler, but first prints one line saying what became of the database (from the
 * runner's {@linkcode RunActivity}) and exits with a documented code (docs/automation.md
 * "Exit codes"). The database itself needs nothing from us: what was not committed is rolled
 * back by it (PostgreSQL when the connection closes, SQLite from its journal on the next
 * open), and the migration lock goes with the process (the session's advisory lock, the
 * kernel's file lock).
 *
 * Only the real process installs this (`main.ts`); tests running `main()` in-process
 * leave the test runner's signals alone.
 *
 * @module
 */
import { ExitCode } from "../errors.ts";

/** The signals bellows reports on, and the exit code each ends the process with (128 + n). */
export const SIGNAL_EXIT_CODES = {
  SIGINT: ExitCode.INTERRUPTED,
  SIGTERM: ExitCode.TERMINATED,
} as const;

/** One of the signals in {@linkcode SIGNAL_EXIT_CODES}. */
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * Call `stop` when SIGINT or SIGTERM arrives (it is expected to end the process).
 * Returns a function that removes the listeners, which gives the signals their default
 * effect back.
 */
export function onStopSignal(stop: (signal: StopSignal) => void): () => void {
  const installed = (Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]).map((signal) => {
    const listener = () => stop(signal);
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  return () => installed.forEach((remove) => remove());
}
