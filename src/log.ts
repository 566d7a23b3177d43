/**
 * Operator-facing log lines: what bellows did, on stderr.
 *
 * Results of a command (current heads, history, ...) go to stdout; the log goes to
 * stderr so that `bellows current` stays pipeable. Off a terminal each line carries
 * a UTC timestamp, for cron mail and log files.
 *
 * @module
 */

/** Verbosity: `quiet` prints only warnings and errors, `verbose` adds detail. */
export type Verbosity = "quiet" | "normal" | "verbose";

/** Where log lines go. */
export interface Logger {
  /** What was done (hidden by `-q`). */
  info(message: string): void;
  /** Something the operator should look at; shown even with `-q`. */
  warn(message: string): void;
  /** Detail shown only with `-v`. */
  debug(message: string): void;
}

/** A logger that writes to a sink, with optional timestamps. */
export function createLogger(
  verbosity: Verbosity,
  opts: { timestamps?: boolean; write?: (line: string) => void } = {},
): Logger {
  const write = opts.write ?? ((line: string) => console.error(line));
  const stamp = (level: string, msg: string) =>
    opts.timestamps ? `${new Date().toISOString()} ${level} ${msg}` : msg;
  return {
    info: (m) => {
      if (verbosity !== "quiet") write(stamp("INFO", m));
    },
    warn: (m) => write(stamp("WARN", opts.timestamps ? m : `warning: ${m}`)),
    debug: (m) => {
      if (verbosity === "verbose") write(stamp("DEBUG", m));
    },
  };
}

/** A logger that drops everything (for library use and tests). */
export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };
