/**
 * The command line: builds the commander program and turns every failure into one
 * line on stderr and a documented exit code.
 *
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { BellowsError, ExitCode, PermissionError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { Context, type GlobalOptions } from "./context.ts";
import { registerDatabaseCommands } from "./database.ts";
import { registerInspectCommands } from "./inspect.ts";
import { registerAuthorCommands } from "./author.ts";
import { registerImportCommand } from "./import_alembic.ts";

/** Where a command's results go; tests swap it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Io = {
  out: (t) => console.log(t),
  err: (t) => console.error(t),
};

/** Builds the program. Each command's action receives a {@linkcode Context}. */
export function buildProgram(io: Io): Command {
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
      new Option("--lock-wait <duration>", "how long to wait for another runner (default 60s)"),
    )
    .addOption(
      new Option("--lock-timeout <duration>", "lock wait limit per statement (default 5s)"),
    )
    .addOption(new Option("--statement-timeout <duration>", "time limit per statement"))
    .addOption(new Option("--retries <n>", "retries of a step that hit --lock-timeout (default 3)"))
    .addOption(
      new Option("--single-transaction", "run all steps in one transaction instead of one each"),
    )
    .addOption(new Option("--strict", "treat a changed, already applied script as an error"))
    .addOption(new Option("-q, --quiet", "print only warnings and errors"))
    .addOption(new Option("-v, --verbose", "print more detail"))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, "")),
      writeErr: (s) => io.err(s.replace(/\n$/, "")),
    });
  const ctx = (cmd: Command) => new Context(cmd.optsWithGlobals<GlobalOptions>(), io.err);
  registerDatabaseCommands(program, ctx, io);
  registerInspectCommands(program, ctx, io);
  registerAuthorCommands(program, ctx, io);
  registerImportCommand(program, ctx, io);
  for (const c of program.commands) {
    c.exitOverride().configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, "")),
      writeErr: (s) => io.err(s.replace(/\n$/, "")),
    });
  }
  return program;
}

/** One line, no stack: what an operator reads in cron mail. */
export function describeError(e: unknown): { message: string; code: number } {
  if (e instanceof BellowsError) return { message: e.message, code: e.exitCode };
  if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
    const p = new PermissionError(`missing permission: ${(e as Error).message.split("\n")[0]}`);
    return { message: p.message, code: p.exitCode };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { message: `internal error: ${msg.split("\n")[0]}`, code: ExitCode.INTERNAL };
}

/** Run the command line; returns the exit code. */
export async function main(args: string[], io: Io = stdio): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(args, { from: "user" });
    return ExitCode.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version end with exit code 0; commander has printed them already.
      if (e.exitCode === 0) return ExitCode.OK;
      if (e.code === "commander.executeSubCommandAsync") return ExitCode.USAGE;
      return e.code === "commander.help" ? ExitCode.OK : ExitCode.USAGE;
    }
    const { message, code } = describeError(e);
    io.err(`bellows: ${message}`);
    return code;
  }
}
