/**
 * Phase discipline for revision scripts: an expand revision runs while old
 * services still use the schema, so it should only add; a contract revision runs
 * once they are gone, so it should only take away. This module finds upgrade
 * statements that break the rule, for warnings. Pure; a keyword scan over the
 * statements with strings, quoted names, comments and dollar-quoted bodies
 * blanked out, not a SQL parser.
 *
 * @module
 */
import type { RevisionScript, Statement } from "../script/types.ts";
import { CONTRACT, EXPAND, type Phase } from "./phase.ts";

/** One statement that does not fit its revision's phase. */
export interface Finding {
  readonly revision: string;
  readonly file: string;
  readonly line: number;
  readonly phase: Phase;
  /** What the statement does, e.g. `drops a column`. */
  readonly what: string;
}

/** The warning line for a finding. */
export function describeFinding(f: Finding): string {
  return f.phase === EXPAND
    ? `${f.file}:${f.line}: expand revision '${f.revision}' ${f.what}: old services may still ` +
      `need it while they run; destructive changes belong in a contract revision`
    : `${f.file}:${f.line}: contract revision '${f.revision}' ${f.what}: contract revisions ` +
      `only remove what the old release needed; additions belong in an expand revision`;
}

/**
 * The upgrade statements of `script` (every dialect, rolling sections included)
 * that do not fit `phase`: for `expand`, destructive ones (DROP, RENAME, column
 * type changes, NOT NULL on an existing column or a new one without default,
 * TRUNCATE; dropping triggers and functions is allowed, since keeping columns in
 * step is the expand phase's own business); for `contract`, additive ones
 * (CREATE, ADD).
 */
export function phaseFindings(script: RevisionScript, phase: Phase): Finding[] {
  const found: Finding[] = [];
  for (const section of script.sections) {
    if (section.direction !== "up") continue;
    for (const stmt of section.statements) {
      const whats = phase === EXPAND ? destructive(stmt) : phase === CONTRACT ? additive(stmt) : [];
      for (const what of whats) {
        found.push({ revision: script.id, file: script.file, line: stmt.line, phase, what });
      }
    }
  }
  return found;
}

/** What a statement destroys or breaks for old readers and writers. */
export function destructive(stmt: Statement): string[] {
  const sql = normalize(stmt.sql);
  const out: string[] = [];
  let m: RegExpExecArray | null;
  if ((m = /^DROP (?:MATERIALIZED )?(TABLE|VIEW|INDEX|SEQUENCE|TYPE|SCHEMA|COLUMN)\b/.exec(sql))) {
    out.push(`drops ${a(m[1].toLowerCase())} (DROP ${m[1]})`);
  }
  if (/^TRUNCATE\b/.test(sql)) out.push("empties a table (TRUNCATE)");
  if (/^ALTER (TABLE|INDEX|VIEW|SEQUENCE|TYPE)\b/.test(sql)) {
    for (const action of alterActions(sql)) {
      if (/^DROP (COLUMN|CONSTRAINT)\b/.test(action)) {
        out.push(`drops a ${/^DROP COLUMN/.test(action) ? "column" : "constraint"} (${action})`);
      } else if (/^DROP (?!DEFAULT\b|NOT NULL\b|IDENTITY\b|EXPRESSION\b)\w/.test(action)) {
        out.push(`drops a column (${action})`);
      } else if (/^RENAME\b/.test(action)) {
        out.push(`renames (${action})`);
      } else if (/^ALTER (?:COLUMN )?\S+ (?:SET DATA )?TYPE\b/.test(action)) {
        out.push(`changes a column's type (${action})`);
      } else if (/^ALTER (?:COLUMN )?\S+ SET NOT NULL\b/.test(action)) {
        out.push(`makes a column NOT NULL (${action})`);
      } else if (
        /^ADD (?!CONSTRAINT\b|PRIMARY\b|UNIQUE\b|FOREIGN\b|CHECK\b|EXCLUDE\b)/.test(action) &&
        /\bNOT NULL\b/.test(action) && !/\bDEFAULT\b|\bGENERATED\b/.test(action)
      ) {
        out.push(`adds a NOT NULL column without a default (${action})`);
      }
    }
  }
  return out;
}

/** What a statement adds to the schema. */
export function additive(stmt: Statement): string[] {
  const sql = normalize(stmt.sql);
  const out: string[] = [];
  const create =
    /^CREATE (?:OR REPLACE )?(?:UNIQUE )?(?:TEMP |TEMPORARY )?(?:MATERIALIZED )?(TABLE|VIEW|INDEX|TRIGGER|FUNCTION|PROCEDURE|SEQUENCE|TYPE|SCHEMA)\b/
      .exec(sql);
  if (create) out.push(`creates ${a(create[1].toLowerCase())} (CREATE ${create[1]})`);
  if (/^ALTER TABLE\b/.test(sql)) {
    for (const action of alterActions(sql)) {
      if (/^ADD\b/.test(action)) out.push(`adds to a table (${action})`);
    }
  }
  return out;
}

/** `a table`, `an index`. */
function a(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;
}

/**
 * The actions of an `ALTER … name` statement (split on commas outside
 * parentheses), each shortened to its first words, e.g. `DROP COLUMN IS_PUBLIC`.
 */
function alterActions(sql: string): string[] {
  // ALTER TABLE [IF EXISTS] [ONLY] name action, action ...
  const m = /^ALTER \w+ (?:IF EXISTS )?(?:ONLY )?\S+ (.*)$/.exec(sql);
  if (!m) return [];
  const actions: string[] = [];
  let depth = 0;
  let start = 0;
  const body = m[1];
  for (let i = 0; i <= body.length; i++) {
    const c = body[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if ((c === "," && depth === 0) || i === body.length) {
      actions.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  return actions.filter((a) => a !== "");
}

/**
 * Upper-case the statement with strings, quoted identifiers, comments and
 * dollar-quoted bodies replaced by placeholders, and whitespace collapsed, so
 * that keywords can be matched by regular expressions.
 */
export function normalize(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      i = nl === -1 ? sql.length : nl;
      out += " ";
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
      out += " ";
    } else if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j++;
          else break;
        }
      }
      out += c === "'" ? " 'S' " : " Q ";
      i = j + 1;
    } else if (c === "$" && /^\$[A-Za-z_]*\$/.test(sql.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end === -1 ? sql.length : end + tag.length;
      out += " $BODY$ ";
    } else {
      out += c;
      i++;
    }
  }
  return out.toUpperCase().replace(/\s+/g, " ").trim();
}
