/**
 * PostgreSQL's own parser (libpg_query, as the npm package `libpg-query`, a WebAssembly
 * build), loaded on first use.
 *
 * Why this build: it is the only one published for current PostgreSQL grammars (the
 * native `.node` addons stopped at PostgreSQL 15 and would need `--allow-ffi`, which the
 * single binary is never given). The WASM file is read from the npm package next to its
 * JavaScript; `deno compile` embeds the package and grants read access to its embedded
 * files, so the binary needs no extra permission. Under `deno run` with a narrowed
 * `--allow-read`, reading the package is refused and reported as exit 10.
 *
 * The import is dynamic (with a literal specifier, which `deno compile` follows) so that
 * commands that never analyse SQL do not compile 1 MB of WebAssembly at start-up.
 *
 * @module
 */
import { missingPermission } from "../errors.ts";

/** One statement of a parse: its raw AST node and where it sits in the text parsed. */
export interface ParsedStatement {
  /** The statement node, e.g. `{ AlterTableStmt: {...} }`. */
  readonly stmt: Readonly<Record<string, unknown>>;
  /** Offset in UTF-8 bytes of the statement in the text parsed. */
  readonly location: number;
}

/** What parsing a text gave: statements, or PostgreSQL's syntax error. */
export type ParseOutcome =
  | { readonly ok: true; readonly statements: readonly ParsedStatement[] }
  | {
    readonly ok: false;
    /** PostgreSQL's message, e.g. `syntax error at or near "TABL"`. */
    readonly message: string;
    /** 0-based character offset in the text where the parser stopped, when known. */
    readonly position?: number;
  };

/** The parser, once loaded. */
export interface PgParser {
  /** Parse `sql` (one or more statements). Never throws for bad SQL. */
  parse(sql: string): Promise<ParseOutcome>;
}

type Module = typeof import("libpg-query");

let loading: Promise<Module> | undefined;

/** A refusal Deno wrapped into Emscripten's abort message. */
const REFUSED = /Requires (\w+) access to "([^"]+)"/;

async function load(): Promise<Module> {
  // Emscripten binds console.error when the module is evaluated and prints its own
  // lines on a failed load; keep them out of our one-line error report.
  const saved = console.error;
  const held: string[] = [];
  console.error = (...a: unknown[]) => held.push(a.join(" "));
  try {
    const mod = await import("libpg-query");
    await mod.loadModule();
    // Emscripten says nothing on success: whatever was held came from elsewhere.
    for (const line of held) saved(line);
    return mod;
  } catch (e) {
    const text = `${e instanceof Error ? e.message : e} ${held.join(" ")}`;
    const m = REFUSED.exec(text);
    if (m) {
      throw missingPermission(
        `loading the PostgreSQL parser (${m[2]})`,
        `--allow-${m[1]}=${m[2]}`,
      );
    }
    throw e;
  } finally {
    console.error = saved;
  }
}

/** Load the parser (once per process; later calls share the first load). */
export async function pgParser(): Promise<PgParser> {
  loading ??= load();
  let mod: Module;
  try {
    mod = await loading;
  } catch (e) {
    loading = undefined; // a later call may have the permission (tests) - try again then
    throw e;
  }
  return {
    async parse(sql: string): Promise<ParseOutcome> {
      if (sql.trim() === "") return { ok: true, statements: [] };
      try {
        const tree = await mod.parse(sql) as {
          stmts?: { stmt: Record<string, unknown>; stmt_location?: number }[];
        };
        return {
          ok: true,
          statements: (tree.stmts ?? []).map((s) => ({
            stmt: s.stmt,
            location: s.stmt_location ?? 0,
          })),
        };
      } catch (e) {
        if (mod.hasSqlDetails(e)) {
          return { ok: false, message: e.message, position: e.sqlDetails.cursorPosition };
        }
        if (e instanceof Error) return { ok: false, message: e.message };
        throw e;
      }
    },
  };
}
