/**
 * Load every revision script of a migrations directory.
 *
 * @module
 */
import type { RevisionScript, SourceFile } from "./types.ts";
import { fail } from "./_util.ts";
import { DATA_MIGRATION_KEY, headerKeys } from "./header.ts";
import { type ParseOptions, parseScript } from "./parse.ts";

/**
 * Is `path` (relative, `/`-separated) a script path? It must end in `.sql`, and
 * no folder or file name in it may start with `.` or `_`, which keeps editor
 * files, hidden folders and parked scripts (`_old/…`) out.
 */
export function isScriptPath(path: string): boolean {
  return path.endsWith(".sql") && path.split("/").every((p) => !/^[._]/.test(p));
}

/** {@linkcode isScriptPath} of the file's path below its migrations folder (`root`). */
export function isScriptFile(file: SourceFile): boolean {
  const { path, root } = file;
  return isScriptPath(root && path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path);
}

/**
 * Is `file` a data migration rather than a revision? It is when its first
 * header key is `data_migration`. {@linkcode loadScripts} leaves them out;
 * `loadDataMigrations` (data_migration.ts) reads them.
 */
export function isDataMigration(file: SourceFile): boolean {
  return firstHeaderKey(file.text)?.key === DATA_MIGRATION_KEY;
}

/**
 * Parse every script among `files`, sorted by path. Files that are not script
 * paths ({@linkcode isScriptPath}) and data migrations
 * ({@linkcode isDataMigration}) are skipped. Throws {@linkcode ScriptError} for
 * the first invalid script, or for a revision id declared in two files (naming
 * both). The graph checks everything between revisions. `opts` as
 * {@linkcode parseScript}'s.
 */
export function loadScripts(
  files: readonly SourceFile[],
  opts: ParseOptions = {},
): RevisionScript[] {
  const sorted = files
    .filter((f) => isScriptFile(f) && !isDataMigration(f))
    .sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const byId = new Map<string, RevisionScript>();
  const scripts: RevisionScript[] = [];
  for (const file of sorted) {
    const script = parseScript(file, opts);
    const other = byId.get(script.id);
    if (other) {
      const where = (s: RevisionScript) => `${s.file}:${headerLine(s.source, "revision") ?? 1}`;
      fail(
        script.file,
        headerLine(script.source, "revision") ?? 1,
        `revision "${script.id}" is also declared in ${where(other)}`,
      );
    }
    byId.set(script.id, script);
    scripts.push(script);
  }
  return scripts;
}

/** First `-- key: value` line of the header, with its line number. */
function firstHeaderKey(text: string): { key: string; line: number } | undefined {
  return headerKeys(text).next().value ?? undefined;
}

/** Line of header key `key`, if the header has it. */
function headerLine(text: string, key: string): number | undefined {
  for (const k of headerKeys(text)) if (k.key === key) return k.line;
  return undefined;
}
