/**
 * Parse one revision script: header, `-- bellows:` section markers, statements.
 * The format is described in docs/scripts.md.
 *
 * @module
 */
import type { DialectName } from "../drivers/dialects.ts";
import type { RevisionHeader, RevisionScript, Section, SourceFile, Statement } from "./types.ts";
import { fail } from "./_util.ts";
import { type Header, HeaderBuilder } from "./header.ts";
import { type Chunk, isChunk, type WalkedSection, walkSections } from "./sections.ts";
import { splitStatements } from "./split.ts";

/** How {@linkcode parseScript} parses. */
export interface ParseOptions {
  /**
   * Split the sections into statements only when their `statements` are first read
   * (then once), for commands that look only at the headers (`heads`, `history`):
   * a statement error is then reported where a command reads them. The
   * header and every marker line are checked at once either way. Default false.
   */
  readonly lazyStatements?: boolean;
}

/**
 * Parse a revision script. Every problem is a {@linkcode ScriptError} whose
 * message starts with `file:line:` (the path as given in `file.path`).
 *
 * @example
 * ```ts
 * const script = parseScript({
 *   path: "a1_init.sql",
 *   text: "-- revision: a1\n-- down_revision:\n\n-- bellows:upgrade\nCREATE TABLE t (id int);\n",
 * });
 * // script.sections[0].statements[0] = { sql: "CREATE TABLE t (id int)", line: 5, column: 1 }
 * ```
 */
export function parseScript(file: SourceFile, opts: ParseOptions = {}): RevisionScript {
  const path = file.path;
  const { header, walked } = walkScript(file, false);
  const sections: Section[] = walked.map(({ kind, dialect, rolling, line, parts }) => {
    const head = {
      direction: kind === "upgrade" ? "up" : "down",
      ...(dialect ? { dialect } : {}),
      rolling,
      line,
    } as const;
    if (!opts.lazyStatements) return { ...head, statements: splitParts(parts, dialect, path) };
    return lazySection(head, parts, dialect, path);
  });
  requireUpgrade(path, walked);
  return { ...revisionHeader(header, path), sections, source: file.text };
}

/**
 * The header of a revision script, for commands that list revisions: the script is
 * checked as {@linkcode parseScript} with `lazyStatements` checks it (header, markers, an
 * upgrade section; the same errors), but nothing of its SQL or text is kept, so the text
 * is garbage as soon as the caller drops it.
 */
export function parseHeader(file: SourceFile): RevisionHeader {
  return parseHeaderAt(file).header;
}

/** {@linkcode parseHeader}, with the line of the `revision:` key (for a duplicate's message). */
export function parseHeaderAt(file: SourceFile): { header: RevisionHeader; revisionLine: number } {
  const { header, walked, builder } = walkScript(file, true);
  requireUpgrade(file.path, walked);
  return {
    header: detachedHeader(revisionHeader(header, file.path)),
    revisionLine: builder.lineOf("revision")!,
  };
}

/**
 * `header` with every string its own: V8 may cut a substring as a view of the string it
 * comes from (a sliced string), and a message so cut kept the whole file's text alive
 * (50,000 revisions: ~15 MiB).
 */
function detachedHeader(header: RevisionHeader): RevisionHeader {
  // Frozen: the revision map keeps a frozen list as it is instead of copying it.
  const list = (a: readonly string[]) => a.length === 0 ? a : Object.freeze(a.map(ownString));
  return {
    ...header,
    id: ownString(header.id),
    downRevisions: list(header.downRevisions),
    branchLabels: list(header.branchLabels),
    dependsOn: list(header.dependsOn),
    message: ownString(header.message),
    ...(header.replaces ? { replaces: list(header.replaces) } : {}),
  };
}

/** A copy of `s` that shares no memory with the string it was cut from. */
export function ownString(s: string): string {
  // V8 copies substrings of fewer than 13 characters anyway; JSON.parse makes a new string.
  return s.length < 13 ? s : JSON.parse(JSON.stringify(s));
}

/** The header and sections of a revision script, checked as {@linkcode parseScript} says. */
function walkScript(
  file: SourceFile,
  headerOnly: boolean,
): { header: Header; walked: WalkedSection<"upgrade" | "downgrade">[]; builder: HeaderBuilder } {
  const path = file.path;
  const builder = new HeaderBuilder(path);
  const walked = walkSections(path, file.text, {
    kinds: ["upgrade", "downgrade"] as const,
    rolling: true,
    where: "",
    markerHint: " (expected one of: upgrade, downgrade, statement-begin, statement-end)",
    sectionNames: "an upgrade or downgrade",
    sqlBeforeMarker: 'SQL before the first "-- bellows:upgrade" marker',
    onKey: (key, value, line) => builder.add(key, value, line),
    onFirstMarker: () => builder.finish(),
    headerOnly,
  });
  return { header: builder.finish(), walked, builder };
}

/** Refuse a script without an upgrade section (after any error in its sections). */
function requireUpgrade(path: string, walked: readonly WalkedSection<string>[]): void {
  if (!walked.some((s) => s.kind === "upgrade")) {
    fail(path, 1, 'no "-- bellows:upgrade" section (it may be empty, but it must be there)');
  }
}

/** A script's header fields as a {@linkcode RevisionHeader}: optional ones only when given. */
function revisionHeader(info: Header, file: string): RevisionHeader {
  const {
    id,
    downRevisions,
    branchLabels,
    dependsOn,
    message,
    transactional,
    legacyVersion,
    replaces,
  } = info;
  return {
    id,
    downRevisions,
    branchLabels,
    dependsOn,
    message,
    file,
    transactional,
    ...(legacyVersion === undefined ? {} : { legacyVersion }),
    ...(replaces.length === 0 ? {} : { replaces }),
  };
}

/** The statements of a section's parts: statements given whole, chunks split. */
function splitParts(
  parts: readonly (Chunk | Statement)[],
  dialect: DialectName | undefined,
  path: string,
): Statement[] {
  const out: Statement[] = [];
  for (const p of parts) {
    if (!isChunk(p)) out.push(p);
    // A loop, not push(...split): spreading passes every statement as an argument,
    // and a section of ~125,000 statements overflows the stack.
    else {for (const s of splitStatements(p.text, { line: p.line, dialect, file: path })) {
        out.push(s);
      }}
  }
  return out;
}

/** Where a lazily split section keeps what its statements are split from. */
const LAZY = Symbol("lazy section");

/** What {@linkcode LAZY} holds: the parts, and the statements once split. */
interface LazyParts {
  readonly parts: readonly (Chunk | Statement)[];
  readonly dialect: DialectName | undefined;
  readonly path: string;
  statements?: readonly Statement[];
}

/** The `statements` getter of every lazy section: one function, not a closure per section. */
function lazyStatements(this: { [LAZY]: LazyParts }): readonly Statement[] {
  const lazy = this[LAZY];
  return lazy.statements ??= splitParts(lazy.parts, lazy.dialect, lazy.path);
}

/**
 * A section whose statements are split when first read. `statements` is an own enumerable
 * getter as an object literal's would be, but one shared function reading a hidden
 * (non-enumerable) field: a getter closure per section, with its context and accessor
 * pair, was ~280 bytes of each section (50,000 revisions: ~28 MiB). Made outside
 * parseScript so that nothing keeps parseScript's closure context (the header builder
 * and its lines) alive.
 */
function lazySection(
  head: Omit<Section, "statements">,
  parts: readonly (Chunk | Statement)[],
  dialect: DialectName | undefined,
  path: string,
): Section {
  const section = { ...head };
  Object.defineProperty(section, LAZY, { value: { parts, dialect, path } satisfies LazyParts });
  Object.defineProperty(section, "statements", {
    get: lazyStatements,
    enumerable: true,
    configurable: true,
  });
  return section as Section;
}
