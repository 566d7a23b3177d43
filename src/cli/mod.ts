/**
 * The command line: builds the commander program and turns every failure into one
 * line on stderr and a documented exit code.
 *
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { BellowsError, ExitCode } from "../errors.ts";
import { oneLine } from "../log.ts";
import { RunActivity } from "../runner/activity.ts";
import { onStopSignal, SIGNAL_EXIT_CODES } from "./interrupt.ts";
import { isPermissionError, missingPermission } from "../permissions.ts";
import { VERSION } from "../version.ts";
import { Context, type GlobalOptions } from "./context.ts";
import { registerDatabaseCommands } from "./database.ts";
import { registerInspectCommands } from "./inspect.ts";
import { registerAuthorCommands } from "./author.ts";
import { registerImportCommand } from "./import_alembic.ts";
import { registerReviewCommands } from "./review.ts";
import { registerPhaseCommands } from "./phases.ts";
import { addDocsPointers } from "./help.ts";
import { registerLintCommand } from "./lint.ts";
import {
  errorDocument,
  type ErrorInfo,
  type Io,
  markCommand,
  outcomeOf,
  renderJson,
} from "./output.ts";

export type { Io } from "./output.ts";

const stdio: Io = {
  out: (t) => writeOut(`${t}\n`),
  err: (t) => console.error(t),
};

/** Room for one piece of stdout: a long result is encoded and written a piece at a time. */
const outBuffer = new Uint8Array(64 * 1024);

/**
 * Write `text` to stdout as `console.log` did, but encoded 64 KiB at a time into one
 * buffer: `history` of 50,000 revisions is ~2 MiB of text, which `console.log` copied
 * whole (a joined string, then its UTF-8 bytes) before one write (50,000 revisions: ~10
 * MiB more max RSS). A lone surrogate is written as U+FFFD, as there.
 */
function writeOut(text: string): void {
  const enc = new TextEncoder();
  // At most 3 bytes per UTF-16 unit: a piece of length/3 units always fits.
  const piece = Math.floor(outBuffer.length / 3);
  for (let from = 0; from < text.length;) {
    let to = Math.min(from + piece, text.length);
    // Never split a surrogate pair between two pieces.
    const last = text.charCodeAt(to - 1);
    if (to < text.length && last >= 0xd800 && last <= 0xdbff) to--;
    const { written } = enc.encodeInto(text.slice(from, to), outBuffer);
    try {
      for (let at = 0; at < written;) at += Deno.stdout.writeSync(outBuffer.subarray(at, written));
    } catch (e) {
      // A reader that went away (`bellows history | head`) is no failure, as console.log
      // treats it; anything else (a full disk) is reported by the caller.
      if (e instanceof Deno.errors.BrokenPipe) return;
      throw e;
    }
    from = to;
  }
}

/**
 * Builds the program. Each command's action receives a {@linkcode Context}, whose runs
 * keep `activity` up to date.
 */
export function buildProgram(io: Io, activity = new RunActivity()): Command {
  // Help asked for goes to stdout. Commander's own error output (its message, which may
  // run over two lines with a suggestion, and the help it shows when no command is given)
  // is dropped: `main` reports every failure as one `bellows:` line instead.
  const output = {
    writeOut: (s: string) => io.out(s.replace(/\n$/, "")),
    writeErr: () => {},
    outputError: () => {},
    // Help is plain text. Left to commander, it reads NO_COLOR, FORCE_COLOR and
    // CLICOLOR_FORCE, which the binary may not (`--help` exited 10).
    getOutHasColors: () => false,
    getErrHasColors: () => false,
  };
  const program = new Command("bellows")
    .description(
      "Database migrations from raw SQL revision scripts, in Alembic's revision language.",
    )
    .version(VERSION, "--version", "print the version and exit")
    .addOption(
      new Option("--url <url>", "database URL (default: $DATABASE_URL, else alembic.ini)"),
    )
    .addOption(
      new Option(
        "-c, --config <file>",
        "Alembic config file to read sqlalchemy.url and version_table* from " +
          "(default: $ALEMBIC_CONFIG, else ./alembic.ini if present)",
      ),
    )
    .addOption(new Option("-n, --name <section>", "section of the config file (default: alembic)"))
    .addOption(
      new Option("--migrations <dir>", "revision scripts directory (default: the bundled set)"),
    )
    .addOption(new Option("--version-table <name>", "version table name").default(undefined))
    .addOption(new Option("--version-table-schema <schema>", "schema of the version table"))
    .addOption(
      new Option(
        "--lock-wait <duration>",
        "how long to wait for another runner, or for sessions in the way of a strong lock (default 60s)",
      ),
    )
    .addOption(
      new Option("--lock-timeout <duration>", "lock wait limit per statement (default 5s)"),
    )
    .addOption(new Option("--statement-timeout <duration>", "time limit per statement"))
    .addOption(
      new Option(
        "--retries <n>",
        "retries of a step that hit --lock-timeout or a deadlock (default 3)",
      ),
    )
    .addOption(
      new Option("--single-transaction", "run all steps in one transaction instead of one each"),
    )
    .addOption(new Option("--strict", "treat a changed, already applied script as an error"))
    .addOption(new Option("-q, --quiet", "print only warnings and errors").conflicts("verbose"))
    .addOption(new Option("-v, --verbose", "print more detail"))
    .addOption(new Option("--json", "print one JSON document on stdout (docs/automation.md)"))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(output);
  const ctx = (cmd: Command) => new Context(cmd.optsWithGlobals<GlobalOptions>(), io.err, activity);
  registerDatabaseCommands(program, ctx, io);
  registerPhaseCommands(program, ctx, io);
  registerInspectCommands(program, ctx, io);
  registerAuthorCommands(program, ctx, io);
  registerImportCommand(program, ctx, io);
  registerReviewCommands(program, ctx, io);
  registerLintCommand(program, ctx, io);
  // Known before the action runs, so that an error is reported as this command's.
  program.hook("preAction", (_program, actionCommand) => markCommand(actionCommand));
  for (const c of program.commands) c.exitOverride().configureOutput(output);
  addDocsPointers(program);
  return program;
}

/** Deno's "Requires read access to "/x", run again with the --allow-read flag". */
const DENO_REFUSAL = /^Requires (\w+) access to "?([^",]*)"?/;

/**
 * One line, no stack: what an operator reads in cron mail, with the exit code and kind.
 * Null for commander's way of ending after help or `--version`, which is no failure.
 */
export function describeError(e: unknown): ErrorInfo | null {
  const info = describeRaw(e);
  return info && { ...info, message: oneLine(info.message) };
}

function describeRaw(e: unknown): ErrorInfo | null {
  if (e instanceof CommanderError) {
    // Help and --version end with exit code 0; commander has printed them already.
    if (e.exitCode === 0) return null;
    const message = e.code === "commander.help"
      ? "no command given: bellows [options] <command> (see bellows --help)"
      : e.message.replace(/^error: /, "");
    return { message, code: ExitCode.USAGE, kind: "usage" };
  }
  if (e instanceof BellowsError) {
    const { message, exitCode: code, kind, details } = e;
    return details ? { message, code, kind, details } : { message, code, kind };
  }
  if (isPermissionError(e)) {
    const first = (e as Error).message.split("\n")[0];
    const m = DENO_REFUSAL.exec(first);
    const p = m
      ? missingPermission(`${m[1]} access to ${m[2]}`, `--allow-${m[1]}=${m[2]}`)
      : missingPermission(first, "(see message)");
    return { message: p.message, code: p.exitCode, kind: p.kind };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return {
    message: `internal error: ${msg.split("\n")[0]}`,
    code: ExitCode.INTERNAL,
    kind: "internal",
  };
}

/** How {@linkcode main} runs besides its arguments. */
export interface MainOptions {
  /**
   * Report SIGINT / SIGTERM in one line and exit with 130 / 143 (see `interrupt.ts`).
   * For the real process only: the handler ends it.
   */
  readonly signals?: boolean;
}

/** Run the command line; returns the exit code (docs/automation.md "Exit codes"). */
export async function main(
  args: string[],
  io: Io = stdio,
  opts: MainOptions = {},
): Promise<number> {
  const activity = new RunActivity();
  const program = buildProgram(io, activity);
  // Options are parsed before any action, so `--json` is known unless parsing failed.
  const json = () => program.opts<GlobalOptions>().json ?? args.includes("--json");
  const report = (error: ErrorInfo) => {
    io.err(`bellows: ${error.message}`);
    if (json()) {
      try {
        io.out(renderJson(errorDocument(outcomeOf(program).command, error)));
      } catch {
        // stdout itself failed (the error being reported, perhaps); stderr has the line.
      }
    }
  };
  const restoreSignals = opts.signals
    ? onStopSignal((signal) => {
      const code = SIGNAL_EXIT_CODES[signal];
      const message = oneLine(`stopped by ${signal}: ${activity.text}`);
      try {
        report({ code, kind: "interrupted", message });
      } finally {
        Deno.exit(code);
      }
    })
    : undefined;
  try {
    await program.parseAsync(args, { from: "user" });
    return outcomeOf(program).exitCode;
  } catch (e) {
    const error = describeError(e);
    if (error === null) return ExitCode.OK;
    report(error);
    return error.code;
  } finally {
    restoreSignals?.();
  }
}
