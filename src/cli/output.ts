/**
 * What commands hand back and how the command line prints it: as text, or with the
 * global `--json` as one JSON document on stdout, success or failure alike.
 *
 * A command opts in by registering its body through {@linkcode action}: the body
 * returns a {@linkcode CommandResult} (the JSON fields, the text, and an exit code
 * when it is not 0) and never prints results itself. Errors are thrown as
 * BellowsErrors; `main` turns them into {@linkcode errorDocument}s.
 *
 * @module
 */
import type { Command } from "commander";
import { VERSION } from "../version.ts";
import { OutputError } from "../errors.ts";
import type { Context } from "./context.ts";

/** Where a command's results go; tests swap it. */
export interface Io {
  /** stdout: results. */
  out(text: string): void;
  /** stderr: log lines and errors. */
  err(text: string): void;
}

/** Version of the `--json` document layout; raised only when a documented field changes meaning. */
export const JSON_SCHEMA = 1;

/** A command's fields of the `--json` document. */
export type JsonData = Readonly<Record<string, unknown>>;

/** What a command returns to the command line. */
export interface CommandResult {
  /**
   * The command's fields of the `--json` document (beside the envelope fields), or a
   * function that gathers them, called only with `--json`: fields that cost time (the
   * digest of every script file, pending steps' checksums) are then not computed for
   * the text output.
   */
  readonly data: JsonData | (() => Promise<JsonData>);
  /** stdout without `--json`; a trailing newline is dropped; empty prints nothing. */
  readonly text?: string;
  /** Exit code when it is not 0 although the command did its job (`check`'s 3-5). */
  readonly exitCode?: number;
}

/** A failure as `--json` reports it. */
export interface ErrorInfo {
  /** The exit code (docs/automation.md "Exit codes"). */
  readonly code: number;
  /** Short machine-readable kind, e.g. `usage`, `permission`, `migration_failed`. */
  readonly kind: string;
  /** The one line also printed on stderr, without the `bellows: ` prefix. */
  readonly message: string;
  /** More fields of the error document's `error` (an interrupted revision's account). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Fields every `--json` document starts with. */
function envelope(command: string | null, ok: boolean, exitCode: number) {
  return { bellows: VERSION, schema: JSON_SCHEMA, command, ok, exitCode };
}

/** The `--json` document of a command that did its job. */
export function resultDocument(
  command: string,
  result: CommandResult & { readonly data: JsonData },
): Record<string, unknown> {
  return { ...envelope(command, true, result.exitCode ?? 0), ...result.data };
}

/** The `--json` document of a command that failed (`command` is null when none was reached). */
export function errorDocument(command: string | null, error: ErrorInfo): Record<string, unknown> {
  const { code, kind, message, details } = error;
  return { ...envelope(command, false, code), error: { code, kind, message, ...details } };
}

/** One JSON document per line: what `jq` and log shippers read. */
export function renderJson(doc: unknown): string {
  return JSON.stringify(doc);
}

interface Outcome {
  command: string | null;
  exitCode: number;
}

const outcomes = new WeakMap<Command, Outcome>();

function root(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** The command that ran (or was about to) and its exit code, as recorded on the program. */
export function outcomeOf(program: Command): Outcome {
  return outcomes.get(program) ?? { command: null, exitCode: 0 };
}

/** Record which command runs, before its action; errors are then reported as this command's. */
export function markCommand(cmd: Command): void {
  outcomes.set(root(cmd), { command: commandName(cmd), exitCode: 0 });
}

/** `stamp`, or `version_control init` for a nested command. */
export function commandName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Wrap a command body as a commander action. The body gets the {@linkcode Context},
 * the command's options and its positional arguments, and returns what to print.
 */
export function action<O, A extends unknown[]>(
  context: (cmd: Command) => Context,
  io: Io,
  body: (ctx: Context, opts: O, ...args: A) => Promise<CommandResult>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args.at(-1) as Command;
    const opts = args.at(-2) as O;
    const ctx = context(cmd);
    const result = await body(ctx, opts, ...(args.slice(0, -2) as A));
    const name = commandName(cmd);
    outcomes.set(root(cmd), { command: name, exitCode: result.exitCode ?? 0 });
    const data = !ctx.opts.json
      ? undefined
      : typeof result.data === "function"
      ? await result.data()
      : result.data;
    try {
      if (data) {
        io.out(renderJson(resultDocument(name, { ...result, data })));
      } else if (result.text) {
        io.out(result.text.replace(/\n$/, ""));
      }
    } catch (e) {
      if (!isOutputFailure(e)) throw e;
      // The work is done: say so, so that nobody runs it again to "fix" the exit code.
      throw new OutputError(
        `'${name}' succeeded, but writing its result to stdout failed (${
          (e as Error).message.split("\n")[0]
        }): ${ctx.activity.text}`,
        { cause: e },
      );
    }
  };
}

/**
 * Is `e` the operating system refusing a write (ENOSPC on /dev/full, EPIPE on a closed
 * pipe), as opposed to a bug?
 */
export function isOutputFailure(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  return e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.WriteZero ||
    (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) || /\(os error \d+\)/.test(e.message);
}
