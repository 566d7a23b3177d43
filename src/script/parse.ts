/**
 * Parse one revision script: header, `-- bellows:` section markers, statements.
 * The format is described in docs/scripts.md.
 *
 * @module
 */
import { DIALECT_NAMES, type DialectName, listOr, SECTION_NAMES } from "../drivers/dialects.ts";
import type { RevisionScript, Section, SourceFile, Statement } from "./types.ts";
import { fail, suggest } from "./_util.ts";
import { type Header, HeaderBuilder, MARKER_LINE, matchKeyLine } from "./header.ts";
import { splitStatements } from "./split.ts";

/** Marker kinds that may follow `-- bellows:`. */
const MARKERS = ["upgrade", "downgrade", "statement-begin", "statement-end"] as const;

/** `-- bellows:allow ...`: read by `bellows lint`, a plain comment here. */
const ALLOW_LINE = /^--\s*bellows\s*:\s*allow\b/i;

/** SQL text of a section not split yet, and the file line it starts on. */
interface Chunk {
  text: string;
  line: number;
}

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

/** A section being read. */
interface OpenSection {
  direction: "up" | "down";
  dialect?: DialectName;
  rolling: boolean;
  line: number;
  /** Statements, or with `lazyStatements` chunks to split and verbatim statements. */
  statements: (Statement | Chunk)[];
  /** Lines of SQL not yet split, and the file line of the first. */
  pending: string[];
  pendingLine: number;
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
  const lazy = opts.lazyStatements ?? false;
  const split = (c: Chunk, dialect: DialectName | undefined) =>
    splitStatements(c.text, { line: c.line, dialect, file: path });
  // Split on \n only and keep any \r, so that rejoined lines are the file's own text.
  const lines = file.text.replace(/^\uFEFF/, "").split("\n");
  const header = new HeaderBuilder(path);
  const sections: Section[] = [];
  let info: Header | undefined;
  let section: OpenSection | undefined;
  let verbatim: { line: number; lines: string[] } | undefined;

  const flush = (s: OpenSection) => {
    if (s.pending.length > 0) {
      const chunk = { text: s.pending.join("\n"), line: s.pendingLine };
      if (lazy) s.statements.push(chunk);
      else {
        // A loop, not push(...split): spreading passes every statement as an argument,
        // and a section of ~125,000 statements overflows the stack.
        for (const stmt of split(chunk, s.dialect)) s.statements.push(stmt);
      }
    }
    s.pending = [];
  };
  const close = (s: OpenSection | undefined) => {
    if (!s) return;
    flush(s);
    const { direction, dialect, rolling, line } = s;
    const head = { direction, ...(dialect ? { dialect } : {}), rolling, line };
    if (!lazy) {
      sections.push({ ...head, statements: s.statements as Statement[] });
      return;
    }
    const parts = s.statements;
    let statements: readonly Statement[] | undefined;
    sections.push({
      ...head,
      get statements(): readonly Statement[] {
        return statements ??= parts.flatMap((p) => "text" in p ? split(p, dialect) : [p]);
      },
    });
  };

  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    const raw = lines[index];
    const trimmed = raw.trim();
    // A lint suppression (`-- bellows:allow <rule> because ...`, src/analysis/lint.ts) is
    // a comment of the SQL, not a section marker.
    const marker = ALLOW_LINE.test(trimmed) ? null : MARKER_LINE.exec(trimmed);

    if (!marker) {
      if (verbatim) verbatim.lines.push(raw);
      else if (section) {
        if (section.pending.length === 0) section.pendingLine = lineNo;
        section.pending.push(raw);
      } else if (trimmed === "") {
        continue;
      } else if (trimmed.startsWith("--")) {
        const kv = matchKeyLine(trimmed);
        if (kv) header.add(kv.key, kv.value, lineNo);
      } else {
        fail(path, lineNo, 'SQL before the first "-- bellows:upgrade" marker');
      }
      continue;
    }

    const [kind = "", ...tokens] = marker[1].trim().split(/\s+/).filter((t) => t !== "");
    if (!(MARKERS as readonly string[]).includes(kind)) {
      const hint = suggest(kind, MARKERS) || ` (expected one of: ${MARKERS.join(", ")})`;
      fail(path, lineNo, `unknown marker "-- bellows:${kind}"${hint}`);
    }
    if (verbatim && kind !== "statement-end") {
      fail(path, lineNo, `"-- bellows:${kind}" inside statement-begin of line ${verbatim.line}`);
    }
    if (!info) {
      if (kind !== "upgrade" && kind !== "downgrade") {
        fail(path, lineNo, `"-- bellows:${kind}" outside an upgrade or downgrade section`);
      }
      info = header.finish(); // report header problems before any in the sections
    }

    if (kind === "statement-begin" || kind === "statement-end") {
      if (tokens.length > 0) {
        fail(path, lineNo, `unexpected "${tokens[0]}" after "-- bellows:${kind}"`);
      }
      if (kind === "statement-begin") {
        flush(section!);
        verbatim = { line: lineNo, lines: [] };
      } else if (!verbatim) {
        fail(path, lineNo, '"-- bellows:statement-end" without "-- bellows:statement-begin"');
      } else {
        const stmt = verbatimStatement(verbatim.lines.join("\n"), verbatim.line + 1);
        if (stmt) section!.statements.push(stmt);
        verbatim = undefined;
      }
      continue;
    }

    close(section);
    section = {
      direction: kind === "upgrade" ? "up" : "down",
      rolling: false,
      line: lineNo,
      statements: [],
      pending: [],
      pendingLine: lineNo + 1,
    };
    for (const token of tokens) {
      const dialect = SECTION_NAMES.get(token);
      if (dialect) {
        if (section.dialect) {
          fail(path, lineNo, `two dialects on one marker: "${section.dialect}" and "${token}"`);
        }
        section.dialect = dialect;
      } else if (token === "rolling") {
        if (section.rolling) fail(path, lineNo, '"rolling" given twice');
        section.rolling = true;
      } else {
        const hint = suggest(token, [...SECTION_NAMES.keys(), "rolling"]) ||
          ` (expected ${listOr([...DIALECT_NAMES, "rolling"])})`;
        fail(path, lineNo, `unknown token "${token}" on "-- bellows:${kind}"${hint}`);
      }
    }
  }

  if (verbatim) {
    fail(path, verbatim.line, '"-- bellows:statement-begin" has no "-- bellows:statement-end"');
  }
  close(section);
  info ??= header.finish();
  if (!sections.some((s) => s.direction === "up")) {
    fail(path, 1, 'no "-- bellows:upgrade" section (it may be empty, but it must be there)');
  }
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
    file: path,
    transactional,
    ...(legacyVersion === undefined ? {} : { legacyVersion }),
    ...(replaces.length === 0 ? {} : { replaces }),
    sections,
    source: file.text,
  };
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
