/**
 * The one walker over a script's lines that revision scripts and data migrations share:
 * header key lines before the first marker, `-- bellows:<kind> [dialect] [rolling]`
 * section markers, and the `statement-begin` / `statement-end` escape hatch. It leaves
 * splitting the SQL to its callers (a revision script may split lazily), handing them
 * each section's text as chunks and its verbatim statements as they are.
 *
 * @module
 */
import { DIALECT_NAMES, type DialectName, listOr, SECTION_NAMES } from "../drivers/dialects.ts";
import type { Statement } from "./types.ts";
import { fail, suggest } from "./_util.ts";
import { MARKER_LINE, matchKeyLine } from "./header.ts";

/** SQL text of a section, not split yet, and the file line it starts on. */
export interface Chunk {
  readonly text: string;
  readonly line: number;
}

/** A section as the walker found it: its marker and its SQL, in file order. */
export interface WalkedSection<K extends string> {
  readonly kind: K;
  /** Only for this dialect; undefined means every dialect. */
  readonly dialect?: DialectName;
  readonly rolling: boolean;
  /** 1-based line of the marker. */
  readonly line: number;
  /** Chunks of SQL to split, and statements given verbatim (statement-begin/end). */
  readonly parts: readonly (Chunk | Statement)[];
}

/** What a kind of script allows, and how its errors are worded. */
export interface WalkRules<K extends string> {
  /** The section kinds (`upgrade`, `downgrade`; `check`, `batch`). */
  readonly kinds: readonly K[];
  /** Whether `rolling` may follow the kind. */
  readonly rolling: boolean;
  /** What the file is, in "unknown marker" errors (` in a data migration`), or "". */
  readonly where: string;
  /** Hint when an unknown marker resembles nothing. */
  readonly markerHint: string;
  /** The sections, for "outside ... section" errors (`an upgrade or downgrade`). */
  readonly sectionNames: string;
  /** The error for SQL before the first marker. */
  readonly sqlBeforeMarker: string;
  /** A `-- key: value` line of the header (before the first marker). */
  onKey(key: string, value: string, line: number): void;
  /** Called once, at the first section marker (a header may be checked there). */
  onFirstMarker?(): void;
  /**
   * Check the header and the markers only, for commands that list revisions: no SQL is
   * collected (every section's `parts` is empty), and after the first marker only lines
   * that may be markers (they hold "bellows" in any case) are looked at. Every error the
   * full walk reports from the header and the markers is reported alike.
   */
  readonly headerOnly?: boolean;
}

/**
 * What every marker line (and `-- bellows:allow` line) holds: the lines without it may be
 * skipped by a {@linkcode WalkRules.headerOnly} walk. ASCII letters only, as `/i` without
 * `/u` matches in {@linkcode MARKER_LINE}.
 */
const MAY_BE_MARKER = /bellows/gi;

/** `-- bellows:allow ...`: read by `bellows lint`, a plain comment here. */
const ALLOW_LINE = /^--\s*bellows\s*:\s*allow\b/i;

/** The parts of every empty section (all of them in a header-only walk). */
const NO_PARTS: readonly (Chunk | Statement)[] = Object.freeze([]);

const BEGIN = "statement-begin";
const END = "statement-end";

/** Is this part a chunk of SQL to split (not a verbatim statement)? */
export function isChunk(part: Chunk | Statement): part is Chunk {
  return "text" in part;
}

/**
 * Walk `text` (the file at `path`) by `rules`. Every problem is a ScriptError whose
 * message starts with `path:line:`.
 */
export function walkSections<K extends string>(
  path: string,
  text: string,
  rules: WalkRules<K>,
): WalkedSection<K>[] {
  // Lines end at \n only, keeping any \r, so that rejoined lines are the file's own text.
  const body = text.replace(/^\uFEFF/, "");
  const skim = rules.headerOnly ?? false;
  const sections: WalkedSection<K>[] = [];
  let open: { kind: K; dialect?: DialectName; rolling: boolean; line: number } | undefined;
  let parts: (Chunk | Statement)[] = [];
  // The SQL lines not yet in `parts`: their count, and where they start and end in `body`
  // (cut from it, not joined from the lines: no copy of the text per chunk).
  let pending = 0;
  let pendingFrom = 0;
  let pendingTo = 0;
  let pendingLine = 0;
  let verbatim: { line: number; lines: string[] } | undefined;
  let started = false;

  const flush = () => {
    if (pending > 0) parts.push({ text: body.slice(pendingFrom, pendingTo), line: pendingLine });
    pending = 0;
  };
  const close = () => {
    if (!open) return;
    flush();
    // A copy of exactly its length: an array grown by push keeps room for 17 parts.
    sections.push({ ...open, parts: parts.length === 0 ? NO_PARTS : parts.slice() });
    parts = [];
  };

  let at = 0; // offset of the next line in `body`
  let lineNo = 0;
  while (at <= body.length) {
    if (skim && started) {
      // Past the header only markers matter: go to the next line that may be one.
      // `test`, not `exec`: no match array per marker; the match is the 7 letters before
      // `lastIndex`.
      MAY_BE_MARKER.lastIndex = at;
      if (!MAY_BE_MARKER.test(body)) break;
      const start = body.lastIndexOf("\n", MAY_BE_MARKER.lastIndex - "bellows".length) + 1;
      for (
        let nl = body.indexOf("\n", at);
        nl !== -1 && nl < start;
        nl = body.indexOf("\n", nl + 1)
      ) {
        lineNo++;
      }
      at = start;
    }
    lineNo++;
    const from = at;
    let end = body.indexOf("\n", at);
    if (end === -1) end = body.length;
    const raw = body.slice(from, end);
    at = end + 1;
    const trimmed = raw.trim();
    // A lint suppression (`-- bellows:allow <rule> because ...`, src/analysis/lint.ts) is
    // a comment of the SQL, not a section marker.
    const marker = ALLOW_LINE.test(trimmed) ? null : MARKER_LINE.exec(trimmed);

    if (!marker) {
      if (skim && started) continue;
      if (verbatim) verbatim.lines.push(raw);
      else if (open) {
        if (pending === 0) {
          pendingLine = lineNo;
          pendingFrom = from;
        }
        pending++;
        pendingTo = from + raw.length;
      } else if (trimmed === "") {
        continue;
      } else if (trimmed.startsWith("--")) {
        const kv = matchKeyLine(trimmed);
        if (kv) rules.onKey(kv.key, kv.value, lineNo);
      } else {
        fail(path, lineNo, rules.sqlBeforeMarker);
      }
      continue;
    }

    const [kind = "", ...tokens] = markerWords(marker[1]);
    if (kind !== BEGIN && kind !== END && !(rules.kinds as readonly string[]).includes(kind)) {
      const markers = [...rules.kinds, BEGIN, END];
      const hint = suggest(kind, markers) || rules.markerHint;
      fail(path, lineNo, `unknown marker "-- bellows:${kind}"${rules.where}${hint}`);
    }
    if (verbatim && kind !== END) {
      fail(path, lineNo, `"-- bellows:${kind}" inside statement-begin of line ${verbatim.line}`);
    }
    if (!started) {
      if (kind === BEGIN || kind === END) {
        fail(path, lineNo, `"-- bellows:${kind}" outside ${rules.sectionNames} section`);
      }
      started = true;
      rules.onFirstMarker?.(); // header problems come before any in the sections
    }

    if (kind === BEGIN || kind === END) {
      if (tokens.length > 0) {
        fail(path, lineNo, `unexpected "${tokens[0]}" after "-- bellows:${kind}"`);
      }
      if (kind === BEGIN) {
        flush();
        verbatim = { line: lineNo, lines: [] };
      } else if (!verbatim) {
        fail(path, lineNo, `"-- bellows:${END}" without "-- bellows:${BEGIN}"`);
      } else {
        if (!skim) {
          const stmt = verbatimStatement(verbatim.lines.join("\n"), verbatim.line + 1);
          if (stmt) parts.push(stmt);
        }
        verbatim = undefined;
      }
      continue;
    }

    close();
    open = { kind: kind as K, rolling: false, line: lineNo };
    pendingLine = lineNo + 1;
    for (const token of tokens) {
      const dialect = SECTION_NAMES.get(token);
      if (dialect) {
        if (open.dialect) {
          fail(path, lineNo, `two dialects on one marker: "${open.dialect}" and "${token}"`);
        }
        open.dialect = dialect;
      } else if (rules.rolling && token === "rolling") {
        if (open.rolling) fail(path, lineNo, '"rolling" given twice');
        open.rolling = true;
      } else {
        const words = rules.rolling ? ["rolling"] : [];
        const hint = suggest(token, [...SECTION_NAMES.keys(), ...words]) ||
          ` (expected ${listOr([...DIALECT_NAMES, ...words])})`;
        fail(path, lineNo, `unknown token "${token}" on "-- bellows:${kind}"${hint}`);
      }
    }
  }

  if (verbatim) {
    fail(path, verbatim.line, `"-- bellows:${BEGIN}" has no "-- bellows:${END}"`);
  }
  close();
  return sections;
}

/**
 * The words after `-- bellows:`, split on whitespace. A marker is mostly one word
 * (`upgrade`): that is not split by a regular expression (which allocated ~0.5 KiB a
 * marker, 100,000 markers for `history` at 50,000 revisions).
 */
export function markerWords(rest: string): string[] {
  const trimmed = rest.trim();
  if (trimmed === "") return [];
  return /\s/.test(trimmed) ? trimmed.split(/\s+/) : [trimmed];
}

/**
 * The statement between statement-begin and statement-end: the text from its
 * first character that is not whitespace or comment, with trailing whitespace
 * and one final `;` removed. Undefined when there is no such character.
 */
function verbatimStatement(text: string, line: number): Statement | undefined {
  // Not the splitter: a verbatim block is the escape hatch for SQL it cannot lex.
  const start = firstCodeOffset(text);
  if (start === undefined) return undefined;
  const sql = text.slice(start).trimEnd().replace(/;$/, "").trimEnd();
  const before = text.slice(0, start);
  const lastNl = before.lastIndexOf("\n");
  return {
    sql,
    line: line + (before.match(/\n/g)?.length ?? 0),
    column: [...before.slice(lastNl + 1)].length + 1,
  };
}

/** Offset of the first character that is neither whitespace nor inside a comment. */
function firstCodeOffset(text: string): number | undefined {
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) i++;
    else if (text.startsWith("--", i)) {
      const nl = text.indexOf("\n", i);
      if (nl === -1) return undefined;
      i = nl;
    } else if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      if (close === -1) return undefined;
      i = close + 2;
    } else return i;
  }
  return undefined;
}
