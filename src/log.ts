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

/**
 * C0 control characters but tab and line feed, DEL, and the C1 controls (U+0080-U+009F:
 * U+009B alone starts an escape sequence on some terminals): what `oneLine` and
 * `escapeControls` escape.
 */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** A control character as the six characters `\u001b`. */
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * `text` as one line for stderr and `--json`: line breaks (with the spaces around them)
 * become one space, and other control characters are written as `\u001b` escapes, so
 * neither a server's multi-line message nor an escape sequence in a file name can break
 * or rewrite the operator's terminal line.
 */
export function oneLine(text: string): string {
  return text
    .split(/\s*(?:\r\n|[\r\n\u2028\u2029])\s*/)
    .filter((part) => part !== "")
    .join(" ")
    .replace(CONTROL, escapeChar);
}

/**
 * `text` for stdout: line feeds and tabs kept, every other control character written as
 * a `\u001b` escape (as in {@linkcode oneLine}), so that a message, label or file name in
 * a script cannot clear, retitle or rewrite the operator's terminal. For text results
 * that show what scripts say (`history`, `show`, `heads`, `branches`, `current`,
 * `graph`); never for SQL that is meant to be run.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, escapeChar);
}

/** A logger that writes to a sink, with optional timestamps; every entry is one line. */
export function createLogger(
  verbosity: Verbosity,
  opts: { timestamps?: boolean; write?: (line: string) => void } = {},
): Logger {
  const write = opts.write ?? ((line: string) => console.error(line));
  // One entry, one line: a notice's DETAIL or a multi-line message stays with its timestamp.
  const stamp = (level: string, msg: string) =>
    opts.timestamps ? `${new Date().toISOString()} ${level} ${oneLine(msg)}` : oneLine(msg);
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
