/**
 * Cut SQL text into statements on `;`, the way psql and the sqlite3 shell do.
 *
 * A small lexer, not a parser: it knows quoting, comments and the few block
 * forms whose bodies contain `;` (dollar quotes, SQLite trigger bodies,
 * PostgreSQL `BEGIN ATOMIC`), and nothing else about SQL.
 *
 * @module
 */
import { type DialectName, dialectNamed, postgresDialect } from "../drivers/dialects.ts";
import type { LexerSettings } from "../drivers/types.ts";
import type { Statement } from "./types.ts";
import { fail, lineAt } from "./_util.ts";

/** Options for {@linkcode splitStatements}. */
export interface SplitOptions {
  /** File line (1-based) of the first line of the text; statement lines count from it. Default 1. */
  readonly line?: number;
  /**
   * Whose lexical rules to apply: that dialect's {@linkcode LexerSettings} from the
   * registry. Undefined (SQL for every dialect): PostgreSQL's rules, as `[` is
   * PostgreSQL's array syntax.
   */
  readonly dialect?: DialectName;
  /** Lexical rules given directly; overrides `dialect`. */
  readonly lexer?: LexerSettings;
  /** File name for error messages. Default `<sql>`. */
  readonly file?: string;
}

/** A file position: 1-based line, and 1-based column counted in code points. */
export interface Position {
  /** 1-based line in the file. */
  readonly line: number;
  /** 1-based column, in code points (a tab is one). */
  readonly column: number;
}

const TAB = 9, LF = 10, VT = 11, FF = 12, CR = 13, SPACE = 32;
const DQUOTE = 34, DOLLAR = 36, QUOTE = 39, LPAREN = 40, RPAREN = 41, STAR = 42;
const HASH = 35, DASH = 45, DOT = 46, SLASH = 47, SEMI = 59, LBRACKET = 91, BACKTICK = 96;

/** Words that may stand between CREATE and TRIGGER. */
const TRIGGER_PREFIX = new Set(["OR", "REPLACE", "TEMP", "TEMPORARY", "CONSTRAINT"]);

// Where we are in recognising `CREATE … TRIGGER` at the head of a statement.
const HEAD_START = 0, HEAD_AFTER_CREATE = 1, HEAD_DONE = 2;

/**
 * Split `sql` into statements on `;` outside strings, quoted identifiers,
 * comments, dollar quotes and `BEGIN … END` bodies.
 *
 * Each statement's text runs from its first character that is neither
 * whitespace nor comment to its last such character; the terminating `;` and
 * trailing comments are left out, inner comments are kept. Statements with no
 * such character are dropped. `;` inside parentheses does not end a statement
 * (as in psql, for `CREATE RULE … DO (…; …)`).
 *
 * Throws {@linkcode ScriptError} `file:line:` for a string, quoted identifier,
 * dollar quote, block comment, `BEGIN` body or `(` still open at the end,
 * naming the line where it was opened.
 *
 * @example
 * ```ts
 * const [a, b] = splitStatements("SELECT ';';\n  SELECT 2;", { line: 10 });
 * // a = { sql: "SELECT ';'", line: 10, column: 1 }
 * // b = { sql: "SELECT 2", line: 11, column: 3 }
 * ```
 */
export function splitStatements(sql: string, options: SplitOptions = {}): Statement[] {
  const firstLine = options.line ?? 1;
  const file = options.file ?? "<sql>";
  const lex = options.lexer ??
    (options.dialect ? dialectNamed(options.dialect) : postgresDialect).lexer;
  const n = sql.length;
  const out: Statement[] = [];
  const cursor = new Cursor(sql, firstLine);
  const unterminated = (at: number, what: string): never =>
    fail(file, lineAt(sql, at, firstLine), `${what} is never closed`);

  let st = freshState();
  const finish = () => {
    if (st.start >= 0) out.push({ sql: sql.slice(st.start, st.end), ...cursor.at(st.start) });
    st = freshState();
  };

  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === SPACE || c === LF || c === TAB || c === CR || c === FF || c === VT) {
      i++;
      continue;
    }
    if ((c === DASH && sql.charCodeAt(i + 1) === DASH) || (c === HASH && lex.hashComments)) {
      const nl = sql.indexOf("\n", i);
      i = nl === -1 ? n : nl;
      continue;
    }
    if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      i = skipBlockComment(sql, i, lex.nestedComments) ?? unterminated(i, "/* comment");
      continue;
    }
    if (c === SEMI && st.parens === 0 && st.block === 0) {
      finish();
      i++;
      continue;
    }

    if (st.start < 0) st.start = i;
    const tokenAt = i;
    let word: string | undefined;
    let tag: string | undefined;
    if (c === QUOTE) {
      i = skipQuoted(sql, i, QUOTE, lex.backslashEscapes) ?? unterminated(i, "string");
    } else if (c === DQUOTE) {
      i = skipQuoted(sql, i, DQUOTE, lex.backslashEscapes) ??
        unterminated(i, 'quoted identifier "');
    } else if (c === BACKTICK) {
      i = skipQuoted(sql, i, BACKTICK, false) ?? unterminated(i, "quoted identifier `");
    } else if (c === LBRACKET && lex.bracketIdentifiers) {
      const close = sql.indexOf("]", i + 1);
      i = close === -1 ? unterminated(i, "quoted identifier [") : close + 1;
    } else if (c === DOLLAR && lex.dollarQuotes && (tag = dollarTag(sql, i)) !== undefined) {
      const close = sql.indexOf(tag, i + tag.length);
      i = close === -1 ? unterminated(i, `dollar quote ${tag}`) : close + tag.length;
    } else if (c !== DOLLAR && isWordChar(c)) {
      let j = i + 1;
      while (j < n && isWordChar(sql.charCodeAt(j))) j++;
      word = sql.slice(i, j);
      i = j;
      if (lex.escapeStrings && (word === "E" || word === "e") && sql.charCodeAt(i) === QUOTE) {
        // E'…' escape string: backslash escapes, so \' does not end it.
        i = skipQuoted(sql, i, QUOTE, true) ?? unterminated(tokenAt, "string");
        word = undefined;
      }
    } else {
      i++;
      if (c === LPAREN && st.parens++ === 0) st.parenAt = tokenAt;
      else if (c === RPAREN && st.parens > 0) st.parens--;
    }
    st.end = i;

    const upper = word !== undefined && word.length <= 10 ? word.toUpperCase() : "";
    if (st.head === HEAD_START) st.head = upper === "CREATE" ? HEAD_AFTER_CREATE : HEAD_DONE;
    else if (st.head === HEAD_AFTER_CREATE) {
      if (upper === "TRIGGER") st.trigger = true;
      if (!TRIGGER_PREFIX.has(upper)) st.head = HEAD_DONE;
    }
    if (word !== undefined && !st.afterDot) {
      if (st.block > 0) {
        // CASE … END nests inside a body; the body's own END brings block to 0.
        if (upper === "CASE") st.block++;
        else if (upper === "END") st.block--;
      } else if (!st.blockSeen && upper === "BEGIN" && st.trigger) {
        [st.block, st.blockAt, st.blockSeen] = [1, tokenAt, true];
      } else if (!st.blockSeen && upper === "ATOMIC" && st.pendingBegin >= 0) {
        [st.block, st.blockAt, st.blockSeen] = [1, st.pendingBegin, true];
      }
    }
    st.pendingBegin = upper === "BEGIN" && !st.afterDot && st.block === 0 ? tokenAt : -1;
    st.afterDot = c === DOT && word === undefined;
  }

  if (st.block > 0) {
    unterminated(st.blockAt, st.trigger ? "trigger body BEGIN" : "BEGIN ATOMIC body");
  }
  if (st.parens > 0) unterminated(st.parenAt, "(");
  finish();
  return out;
}

/**
 * Map a 1-based character position inside `stmt.sql` (as PostgreSQL reports in
 * an error's `position`, counting code points) to a file line and column.
 * Positions before the start clamp to the statement's start, positions past
 * the end to just after its last character.
 *
 * @example
 * ```ts
 * locate({ sql: "SELECT 1,\n  nope", line: 7, column: 3 }, 13); // { line: 8, column: 3 }
 * ```
 */
export function locate(stmt: Statement, position: number): Position {
  let line = stmt.line;
  let column = stmt.column;
  let at = 1;
  for (const ch of stmt.sql) {
    if (at >= position) break;
    if (ch === "\n") [line, column] = [line + 1, 1];
    else column++;
    at++;
  }
  return { line, column };
}

/** Lexer state for the statement being read. */
interface State {
  /** Offset of the first code character (not whitespace, not comment), or -1. */
  start: number;
  /** Offset just past the last code character. */
  end: number;
  parens: number;
  /** Offset of the outermost open `(`. */
  parenAt: number;
  /** Depth inside a BEGIN … END body, counting the CASE … END inside it. */
  block: number;
  blockAt: number;
  /** A statement has at most one body, so a later BEGIN is not a block. */
  blockSeen: boolean;
  head: number;
  /** The statement is CREATE [TEMP] TRIGGER, where BEGIN opens a body. */
  trigger: boolean;
  /** Offset of a BEGIN that a following ATOMIC turns into a body, or -1. */
  pendingBegin: number;
  /** The previous token was `.`, so a word is a qualified name, not a keyword. */
  afterDot: boolean;
}

function freshState(): State {
  return {
    start: -1,
    end: -1,
    parens: 0,
    parenAt: -1,
    block: 0,
    blockAt: -1,
    blockSeen: false,
    head: HEAD_START,
    trigger: false,
    pendingBegin: -1,
    afterDot: false,
  };
}

/** Letters, digits, `_`, `$` and anything non-ASCII: identifier and number characters. */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 ||
    c === DOLLAR || c >= 128;
}

/**
 * The dollar-quote tag at `i` (`$$` or `$tag$`), or undefined. As in PostgreSQL,
 * a tag is an identifier that does not start with a digit, so `$1` is a parameter.
 * The caller has already ruled out a `$` continuing an identifier (`a$$`).
 */
function dollarTag(sql: string, i: number): string | undefined {
  let j = i + 1;
  const first = sql.charCodeAt(j);
  if (first >= 48 && first <= 57) return undefined;
  while (j < sql.length) {
    const c = sql.charCodeAt(j);
    if (c === DOLLAR) return sql.slice(i, j + 1);
    if (!isWordChar(c)) return undefined;
    j++;
  }
  return undefined;
}

/**
 * Offset just past the quoted token opening at `i`, where a doubled quote
 * character stands for itself; with `backslash`, `\` escapes the next character.
 * Undefined when the token is not closed.
 */
function skipQuoted(sql: string, i: number, quote: number, backslash: boolean): number | undefined {
  for (let j = i + 1; j < sql.length; j++) {
    const c = sql.charCodeAt(j);
    if (backslash && c === 92) j++;
    else if (c === quote) {
      if (sql.charCodeAt(j + 1) !== quote) return j + 1;
      j++;
    }
  }
  return undefined;
}

/**
 * Offset just past the block comment opening at `i`. PostgreSQL nests block
 * comments; SQLite ends one at the first star-slash. Undefined when not closed.
 */
function skipBlockComment(sql: string, i: number, nested: boolean): number | undefined {
  let depth = 0;
  for (let j = i; j < sql.length - 1; j++) {
    const c = sql.charCodeAt(j);
    const d = sql.charCodeAt(j + 1);
    if (c === SLASH && d === STAR && (depth === 0 || nested)) {
      depth++;
      j++;
    } else if (c === STAR && d === SLASH) {
      j++;
      if (--depth === 0) return j + 1;
    }
  }
  return undefined;
}

/**
 * Turns offsets into line and code-point column. Statements are found in
 * order, so one forward scan serves them all.
 */
class Cursor {
  #text: string;
  #offset = 0;
  #line: number;
  #column = 1;

  constructor(text: string, firstLine: number) {
    this.#text = text;
    this.#line = firstLine;
  }

  at(offset: number): Position {
    for (; this.#offset < offset; this.#offset++) {
      const c = this.#text.charCodeAt(this.#offset);
      if (c === LF) {
        this.#line++;
        this.#column = 1;
      } else if (!isTrailingSurrogate(this.#text, this.#offset)) {
        this.#column++;
      }
    }
    return { line: this.#line, column: this.#column };
  }
}

/** Is the code unit at `i` the second half of a surrogate pair (so not a new code point)? */
function isTrailingSurrogate(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0xdc00 || c > 0xdfff || i === 0) return false;
  const prev = text.charCodeAt(i - 1);
  return prev >= 0xd800 && prev <= 0xdbff;
}
