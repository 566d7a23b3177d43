/**
 * What a PostgreSQL statement's first words tell without parsing it, so that `upgrade`
 * loads PostgreSQL's parser (1 MB of WebAssembly, ~0.1 s and ~70 MiB) only for
 * statements where the answer could matter: an INSERT takes no lock that blocks writes
 * and no lint rule reports an error on it, whatever the rest of its text says.
 *
 * Conservative: anything it does not recognise (another command, a comment between
 * the first keywords, a `;` anywhere, which may mean more than one statement) counts as
 * needing the parser. src/analysis/prescreen_test.ts checks its answers against the
 * parser's on the lock corpus.
 *
 * @module
 */

/** What the text of one statement tells. */
export interface Prescreen {
  /**
   * The parser would find no lock that blocks writes (SHARE or stronger): the runner's
   * pre-flight has nothing to wait for.
   */
  readonly noStrongLock: boolean;
  /**
   * The parser would find no operation a lint rule reports as an error, nor one that
   * changes what lint reads of later statements (a CREATE TABLE only marks a table new
   * for the statements after it in its revision): only a syntax error could be found.
   */
  readonly lintInert: boolean;
}

const NEEDS_PARSER: Prescreen = { noStrongLock: false, lintInert: false };

/** Whitespace, `--` comments and non-nested block comments before the first keyword. */
const LEADING = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[^*]*\*+(?:[^/*][^*]*\*+)*\/)*/;

/** First keywords whose statement the classifier gives only ROW EXCLUSIVE or no lock. */
const ROW_LOCKS_ONLY = new Set([
  "insert",
  "update",
  "delete",
  "merge",
  "select",
  "values",
  "with",
  "grant",
  "revoke",
  "show",
]);

/** `CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] TABLE`. */
const CREATE_TABLE =
  /^create\s+(?:(?:global|local)\s+)?(?:(?:temp|temporary|unlogged)\s+)?table\s/i;

/** What makes a CREATE TABLE lock another table: a foreign key, a parent. */
const LOCKS_OTHER_TABLE = /\b(?:references|inherits|partition)\b/i;

/** What `sql` (one statement as the splitter gives it) tells without parsing. */
export function prescreen(sql: string): Prescreen {
  if (sql.includes(";")) return NEEDS_PARSER;
  const text = sql.slice(LEADING.exec(sql)?.[0].length ?? 0);
  const word = /^[a-z]+/i.exec(text)?.[0].toLowerCase() ?? "";
  if (ROW_LOCKS_ONLY.has(word)) {
    // `SELECT set_config('lock_timeout', ...)` is a setting lint reads.
    return { noStrongLock: true, lintInert: !/set_config/i.test(text) };
  }
  if (word === "set" || word === "reset") return { noStrongLock: true, lintInert: false };
  if (CREATE_TABLE.test(text)) {
    return { noStrongLock: !LOCKS_OTHER_TABLE.test(text), lintInert: true };
  }
  return NEEDS_PARSER;
}
