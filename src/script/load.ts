/**
 * Load every revision script of a migrations directory.
 *
 * @module
 */
import type { RevisionHeader, RevisionScript, SourceFile } from "./types.ts";
import { fail } from "./_util.ts";
import { DATA_MIGRATION_KEY, headerKeys } from "./header.ts";
import { parseHeaderAt, type ParseOptions, parseScript } from "./parse.ts";

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
      const line = (s: RevisionScript) => headerLine(s.source, "revision") ?? 1;
      declaredTwice(script.id, script.file, line(script), `${other.file}:${line(other)}`);
    }
    byId.set(script.id, script);
    scripts.push(script);
  }
  return scripts;
}

/** What {@linkcode loadHeaders} found. */
export interface LoadedHeaders {
  /** The revisions' headers, sorted by path. */
  readonly headers: RevisionHeader[];
  /** The data migration files among them (their text kept: they are parsed whole). */
  readonly dataMigrationFiles: SourceFile[];
}

/**
 * {@linkcode loadScripts} for commands that only list revisions: the headers of the
 * scripts among `files`, each checked as {@linkcode parseHeader} does, and the data
 * migration files. `files` is consumed one file at a time and no revision's text is kept,
 * so a caller that reads each file as it is asked for (a generator) never holds more
 * than one script's text. Files are parsed in the order given (give them sorted by path
 * to report the same first error as {@linkcode loadScripts}); the headers come out sorted
 * by path either way. A revision id declared in two files is refused as there.
 */
export function loadHeaders(files: Iterable<SourceFile>): LoadedHeaders {
  const headers: RevisionHeader[] = [];
  const dataMigrationFiles: SourceFile[] = [];
  // Each id's header (its index) and the line of its `revision:` key, for a duplicate's
  // message: the texts are gone by then.
  const byId = new Map<string, number>();
  const lines: number[] = [];
  for (const file of files) {
    if (!isScriptFile(file)) continue;
    let parsed;
    try {
      parsed = parseHeaderAt(file);
    } catch (e) {
      // A data migration (first header key `data_migration`) never parses as a revision:
      // asked only then, not of every file.
      if (!isDataMigration(file)) throw e;
      dataMigrationFiles.push(file);
      continue;
    }
    const { header, revisionLine } = parsed;
    const other = byId.get(header.id);
    if (other !== undefined) {
      declaredTwice(header.id, header.file, revisionLine, `${headers[other].file}:${lines[other]}`);
    }
    byId.set(header.id, headers.length);
    headers.push(header);
    lines.push(revisionLine);
  }
  return { headers: headers.sort(byFile), dataMigrationFiles };
}

/** Refuse revision `id` of `file` (its `revision:` key at `line`), declared already at `first`. */
function declaredTwice(id: string, file: string, line: number, first: string): never {
  fail(file, line, `revision "${id}" is also declared in ${first}`);
}

/** Order of {@linkcode RevisionHeader}s by path, as {@linkcode loadScripts} sorts files. */
function byFile(a: RevisionHeader, b: RevisionHeader): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
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
