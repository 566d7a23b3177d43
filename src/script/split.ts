/**
 * Cut SQL text into statements on `;`, the way psql and the sqlite3 shell do.
 *
 * A small lexer, not a parser: it knows quoting, comments and the few block
 * forms whose bodies contain `;` (dollar quotes, SQLite trigger bodies,
 * PostgreSQL `BEGIN ATOMIC`, MySQL stored-program bodies), and nothing else
 * about SQL. MySQL's bodies are read without `DELIMITER`, as the server reads
 * them: a statement ends at a `;` outside every `BEGIN … END`, `IF … END IF`,
 * `CASE … END [CASE]`, `LOOP`, `WHILE`, `REPEAT` and `FOR` block.
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
  /**
   * Read trigger, `BEGIN ATOMIC` and stored-program bodies as one statement (default true).
   * False cuts at every `;` outside quotes, comments and parentheses, as the `mysql` client
   * does without `DELIMITER`.
   */
  readonly bodies?: boolean;
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
const BANG = 33, UPPER_M = 77;

/** Longest keyword the lexer looks at (`DETERMINISTIC`); longer words are never keywords. */
const MAX_KEYWORD = 13;

/** Words that may stand between CREATE and TRIGGER. */
const TRIGGER_PREFIX = new Set(["OR", "REPLACE", "TEMP", "TEMPORARY", "CONSTRAINT"]);

/** MySQL: words that may stand between CREATE and the kind of stored program. */
const PROGRAM_PREFIX = new Set([...TRIGGER_PREFIX, "DEFINER", "CURRENT_USER", "AGGREGATE"]);

/** MySQL: the stored programs, whose body may be a compound statement. */
const PROGRAM_KINDS = new Set(["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"]);

/** MySQL: compound statements that open a block where a statement starts (and END … closes). */
const BLOCK_WORDS = new Set(["IF", "LOOP", "WHILE", "REPEAT", "FOR"]);

/** MySQL: what follows END to name the block it closes (`END IF`), not a new block. */
const END_KINDS = new Set(["IF", "CASE", "LOOP", "WHILE", "REPEAT", "FOR"]);

/** MySQL: inside a block, a token after which a statement starts (`;`, a label's `:`). */
const STATEMENT_BEFORE = new Set([";", ":", "BEGIN", "THEN", "ELSE", "DO", "LOOP", "REPEAT"]);

/**
 * MySQL: outside any block of a stored program, what can stand just before its body: the
 * end of a trigger's `FOR EACH ROW`, an event's `DO`, a routine's parameter list or
 * characteristics, a label.
 */
const BODY_BEFORE = new Set([
  "ROW",
  "DO",
  ")",
  ":",
  "DETERMINISTIC",
  "SQL",
  "DATA",
  "DEFINER",
  "INVOKER",
]);

/** MariaDB's anonymous compound statement, read as a stored program of its own. */
const ANONYMOUS_BLOCK = "BEGIN NOT ATOMIC";

/** The block kind a CASE expression opens: `END` closes it, THEN and ELSE start no statement. */
const CASE_EXPRESSION = "CASE expression";

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
    if (st.start >= 0) {
      const text = sql.slice(st.start, st.end);
      if (lex.compoundStatements && /^DELIMITER\s/i.test(text)) {
        // The mysql client's command: sent to the server it is a syntax error far from here.
        fail(
          file,
          lineAt(sql, st.start, firstLine),
          "DELIMITER is a command of the mysql client, not SQL: leave it out " +
            "(BEGIN … END bodies are read whole without it)",
        );
      }
      out.push({ sql: text, ...cursor.at(st.start) });
    }
    st = freshState();
  };

  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === SPACE || c === LF || c === TAB || c === CR || c === FF || c === VT) {
      i++;
      continue;
    }
    if (
      (c === DASH && sql.charCodeAt(i + 1) === DASH &&
        (!lex.dashCommentNeedsSpace || !(sql.charCodeAt(i + 2) > SPACE))) ||
      (c === HASH && lex.hashComments)
    ) {
      const nl = sql.indexOf("\n", i);
      i = nl === -1 ? n : nl;
      continue;
    }
    if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      const code = lex.versionComments ? versionCommentCode(sql, i) : -1;
      if (code < 0) {
        i = skipBlockComment(sql, i, lex.nestedComments) ?? unterminated(i, "/* comment");
        continue;
      }
      // `/*!50003 …*/`: the server runs what is inside, so it is statement text, read as code.
      if (st.start < 0) st.start = i;
      [st.versionAt, st.end, i] = [i, code, code];
      continue;
    }
    if (c === STAR && sql.charCodeAt(i + 1) === SLASH && st.versionAt >= 0) {
      [st.versionAt, st.end, i] = [-1, i + 2, i + 2];
      continue;
    }
    if (c === SEMI && st.parens === 0 && st.block === 0 && st.versionAt < 0) {
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
    if (options.bodies === false) continue;

    const upper = word !== undefined && word.length <= MAX_KEYWORD ? word.toUpperCase() : "";
    if (lex.compoundStatements) {
      programStep(st, word === undefined ? undefined : upper, c, tokenAt);
      continue;
    }
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

  if (st.versionAt >= 0) unterminated(st.versionAt, "/*! comment");
  if (st.block > 0) {
    unterminated(
      st.blockAt,
      st.program === ANONYMOUS_BLOCK
        ? ANONYMOUS_BLOCK
        : st.program
        ? `${st.program.toLowerCase()} body ${st.blocks[0]}`
        : st.trigger
        ? "trigger body BEGIN"
        : "BEGIN ATOMIC body",
    );
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
  /** Offset of the open `/*!` version comment, or -1. */
  versionAt: number;
  /** MySQL: the kind of stored program the statement creates (`TRIGGER`), or "". */
  program: string;
  /** MySQL: the open blocks, outermost first, by the word that opened each (or CASE_EXPRESSION). */
  blocks: string[];
  /** MySQL: the previous token: a keyword uppercased, a punctuation character, or "". */
  prev: string;
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
    versionAt: -1,
    program: "",
    blocks: [],
    prev: "",
  };
}

/**
 * MySQL's reading of one token (`word`: uppercased, or undefined for anything but a
 * word; `c` its first character): recognise `CREATE [DEFINER = …] TRIGGER` and the other
 * stored programs, and inside their bodies track the compound blocks, so that `;` ends the
 * statement only outside all of them. `IF`, `REPEAT` and the other block words open a block
 * only where a statement starts, since `IF(…)` and `REPEAT(…)` are functions in expressions;
 * `CASE` always opens one (a CASE expression ends with END too).
 */
function programStep(st: State, word: string | undefined, c: number, tokenAt: number): void {
  const prev = st.prev;
  const afterDot = st.afterDot;
  // A word after `.` is a qualified name (NEW.end), and a quoted token is no keyword.
  st.prev = afterDot
    ? ""
    : word ?? (c === QUOTE || c === DQUOTE || c === BACKTICK ? "" : String.fromCharCode(c));
  st.afterDot = c === DOT && word === undefined;
  if (st.head === HEAD_START) {
    st.head = word === "CREATE" ? HEAD_AFTER_CREATE : HEAD_DONE;
    // MariaDB's anonymous block: BEGIN NOT ATOMIC … END.
    if (word === "BEGIN") [st.program, st.blocks, st.blockAt] = [ANONYMOUS_BLOCK, [], tokenAt];
    return;
  }
  if (st.head === HEAD_AFTER_CREATE) {
    if (word !== undefined && PROGRAM_KINDS.has(word)) [st.program, st.head] = [word, HEAD_DONE];
    // DEFINER = `user`@`host` (or 'user'@'%', or user@host) stays in the head.
    else if (word !== undefined && !PROGRAM_PREFIX.has(word) && prev !== "=" && prev !== "@") {
      st.head = HEAD_DONE;
    }
    return;
  }
  if (!st.program || word === undefined || afterDot) return;
  if (st.program === ANONYMOUS_BLOCK) {
    // Only BEGIN NOT … opens the anonymous block; plain BEGIN starts a transaction.
    if (prev === "BEGIN" && st.blocks.length === 0) {
      if (word === "NOT") [st.blocks, st.block] = [["BEGIN"], 1];
      else st.program = "";
      return;
    }
  }
  const blocks = st.blocks;
  const top = blocks.at(-1);
  if (prev === "END" && END_KINDS.has(word)) return; // END IF names what it closes
  if (word === "END") {
    if (blocks.length > 0) blocks.pop();
  } else {
    const statementStart = top === undefined
      ? BODY_BEFORE.has(prev)
      : top !== CASE_EXPRESSION && STATEMENT_BEFORE.has(prev);
    let opens: string | undefined;
    if (word === "BEGIN") opens = word;
    else if (word === "CASE") opens = statementStart ? word : CASE_EXPRESSION;
    else if (statementStart && BLOCK_WORDS.has(word)) opens = word;
    if (opens !== undefined) {
      if (blocks.length === 0) st.blockAt = tokenAt;
      blocks.push(opens);
    }
  }
  st.block = blocks.length;
}

/**
 * Where the code inside a MySQL version comment opening at `i` starts (`/*!50003 ` or
 * MariaDB's `/*M!100100 `: past the marker and its version digits), or -1 when the block
 * comment at `i` is an ordinary comment.
 */
function versionCommentCode(sql: string, i: number): number {
  let j = i + 2;
  if (sql.charCodeAt(j) === UPPER_M) j++;
  if (sql.charCodeAt(j) !== BANG) return -1;
  j++;
  while (j < sql.length && sql.charCodeAt(j) >= 48 && sql.charCodeAt(j) <= 57) j++;
  return j;
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
