/**
 * Where in a revision script a database error points.
 *
 * PostgreSQL reports `position` (a 1-based code point offset into the statement) for
 * errors in the statement itself. For an error inside a `DO` block it reports instead
 * the failing inner query (`internal_query`, `internal_position`) or only a context
 * stack (`where`: `SQL statement "…"`, `PL/pgSQL function inline_code_block line 4 at
 * …`); this module finds those inside the statement text, so the operator is pointed
 * at the line inside the body rather than at the `DO` keyword.
 *
 * @module
 */
import type { DbErrorInfo } from "../drivers/types.ts";
import type { Statement } from "../script/types.ts";
import { locate, type Position } from "../script/split.ts";

/** An opening dollar quote: `$$` or `$tag$` (tags: identifier characters, no leading digit). */
const DOLLAR_OPEN = /\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/;

/** `PL/pgSQL function inline_code_block line N`: the DO block's own frame of the stack. */
const DO_FRAME = /PL\/pgSQL function inline_code_block line (\d+)\b/;

/**
 * The file position a database error points at: the server's position when it gave
 * one, else the inner query or the body line of a `DO` block, else the statement start.
 */
export function errorPosition(stmt: Statement, info: Omit<DbErrorInfo, "kind">): Position {
  if (info.position) return locate(stmt, info.position);
  const text = stmt.sql;
  // Line (0-based, within the statement) that the DO block's frame names, if any.
  let frameLine: number | undefined;
  const bodyAt = /^DO\b/i.test(text) ? text.search(DOLLAR_OPEN) : -1;
  const frame = DO_FRAME.exec(info.where ?? "");
  if (bodyAt >= 0 && frame) {
    const open = DOLLAR_OPEN.exec(text.slice(bodyAt))![0];
    // PL/pgSQL counts line 1 from the first character after the opening quote.
    frameLine = lineOf(text, bodyAt + open.length) + Number(frame[1]) - 1;
  }

  const inner: { query: string; position: number }[] = [];
  if (info.internalQuery) {
    inner.push({ query: info.internalQuery, position: info.internalPosition ?? 1 });
  }
  const context = contextQuery(info.where);
  if (context) inner.push({ query: context, position: 1 });
  for (const { query, position } of inner) {
    const at = findQuery(text, query, position, frameLine);
    if (at !== undefined) return locate(stmt, at);
  }

  if (frameLine !== undefined) {
    const lines = text.split("\n");
    if (frameLine < lines.length) {
      const indent = Array.from(/^\s*/.exec(lines[frameLine])![0]).length;
      return {
        line: stmt.line + frameLine,
        column: (frameLine === 0 ? stmt.column : 1) + indent,
      };
    }
  }
  return { line: stmt.line, column: stmt.column };
}

/**
 * The query text of the innermost context frame (`SQL statement "…"`,
 * `PL/pgSQL assignment "…"`, …), which PostgreSQL gives instead of internal_query
 * when the error has no position (a unique violation, a division by zero).
 */
export function contextQuery(where: string | undefined): string | undefined {
  if (!where) return undefined;
  const m = /^[^"\n]*"([\s\S]*?)"(?:\n(?=PL\/pgSQL function|SQL )|$)/.exec(where);
  return m?.[1];
}

/**
 * 1-based code point position in `text` of the `position`-th character of `query`,
 * found inside `text`. Prefers an occurrence starting on `line` (0-based) when given.
 * PL/pgSQL runs `PERFORM x` as `SELECT x`, and older servers report expressions as
 * `SELECT expr`: when the query is not found as is, it is tried without that `SELECT `.
 */
function findQuery(
  text: string,
  query: string,
  position: number,
  line: number | undefined,
): number | undefined {
  const variants: { query: string; shift: number }[] = [{ query, shift: 0 }];
  const select = /^SELECT\s+/i.exec(query);
  if (select) {
    variants.push({ query: query.slice(select[0].length), shift: select[0].length });
  }
  for (const v of variants) {
    if (v.query.trim() === "") continue;
    const found: number[] = [];
    for (let i = text.indexOf(v.query); i >= 0; i = text.indexOf(v.query, i + 1)) {
      found.push(i);
    }
    if (found.length === 0) continue;
    const chosen = (line === undefined ? undefined : found.find((i) => lineOf(text, i) === line)) ??
      found[0];
    // Code points of the query before the error, minus the SELECT we took off.
    const into = Math.max(0, position - 1 - Array.from(query.slice(0, v.shift)).length);
    return Array.from(text.slice(0, chosen)).length + Math.min(into, Array.from(v.query).length) +
      1;
  }
  return undefined;
}

/** 0-based line of the UTF-16 offset `at` in `text`. */
function lineOf(text: string, at: number): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < at; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
