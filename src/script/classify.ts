/**
 * What a statement is, read from its first words: plain DML (which a transaction can
 * hold and roll back on every database), DDL (which some databases commit as it runs),
 * or something else; what object it creates or drops; and which statement of the other
 * direction's section undoes it. Generic SQL only, no dialect: the runner combines the
 * answers with the dialect's capabilities (`transactionalDdl`).
 *
 * @module
 */
import type { Statement } from "./types.ts";
import type { SchemaObject } from "../drivers/types.ts";

/**
 * `dml`: INSERT, UPDATE, DELETE, …; `ddl`: CREATE, ALTER, DROP, … and whatever else ends
 * an open transaction where DDL is not transactional; `other`: the rest (SET, CALL, …).
 */
export type StatementKind = "dml" | "ddl" | "other";

/** Statements that only read or change rows: a transaction holds them on every database. */
const DML = new Set(["insert", "update", "delete", "replace", "merge", "select", "with", "values"]);

/**
 * Statements that change the schema or privileges, and the others that end the open
 * transaction where DDL is not transactional: MySQL commits implicitly before and after
 * each of these (TRUNCATE, RENAME, LOCK TABLES, ANALYZE / OPTIMIZE / REPAIR / CHECK TABLE,
 * FLUSH, plugin changes, and transaction control itself), so no transaction holds them.
 */
const DDL = new Set([
  "create",
  "alter",
  "drop",
  "rename",
  "truncate",
  "comment",
  "grant",
  "revoke",
  "lock",
  "unlock",
  "analyze",
  "optimize",
  "repair",
  "check",
  "flush",
  "reset",
  "install",
  "uninstall",
  "cache",
  "begin",
  "start",
  "commit",
  "rollback",
]);

/** Statements that leave nothing behind that an undo would have to remove. */
const NO_LASTING_EFFECT = new Set([
  "vacuum",
  "analyze",
  "analyse",
  "optimize",
  "checkpoint",
  "explain",
  "show",
  "set",
  "reindex",
]);

/** The first `max` words of `sql` (identifiers lowercased unless quoted), comments skipped. */
export function leadingWords(sql: string, max = 12): { text: string; quoted: boolean }[] {
  const out: { text: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < sql.length && out.length < max) {
    const c = sql[i];
    if (/\s/.test(c)) i++;
    else if (sql.startsWith("--", i) || c === "#") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      let text = "";
      while (j < sql.length) {
        if (sql[j] === close) {
          if (sql[j + 1] === close && close !== "]") {
            text += close;
            j += 2;
            continue;
          }
          break;
        }
        text += sql[j++];
      }
      out.push({ text, quoted: true });
      i = j + 1;
    } else if (/[\p{L}_]/u.test(c)) {
      let j = i;
      while (j < sql.length && /[\p{L}\p{N}_$]/u.test(sql[j])) j++;
      out.push({ text: sql.slice(i, j).toLowerCase(), quoted: false });
      i = j;
    } else {
      // Punctuation is a word of its own (`.`, `(`, `,`): names are read up to it.
      out.push({ text: c, quoted: false });
      i++;
    }
  }
  return out;
}

/** The kind of statement `sql` is, from its first word. */
export function statementKind(sql: string): StatementKind {
  const [first] = leadingWords(sql, 1);
  if (!first || first.quoted) return "other";
  if (DML.has(first.text)) return "dml";
  if (DDL.has(first.text)) return "ddl";
  return "other";
}

/**
 * Whether `statements` can run as one atomic transaction where DDL is not transactional:
 * no DDL, and at most one statement that is not plain DML (a second one might commit
 * what the first did, or not be undone with it).
 */
export function atomicWithoutTransactionalDdl(statements: readonly Pick<Statement, "sql">[]) {
  let notDml = 0;
  for (const s of statements) {
    const kind = statementKind(s.sql);
    if (kind === "ddl") return false;
    if (kind !== "dml") notDml++;
  }
  return notDml <= 1;
}

/** Whether `sql` leaves nothing that undoing it would have to remove (VACUUM, SET, SELECT …). */
export function leavesNothingToUndo(sql: string): boolean {
  const words = leadingWords(sql);
  const first = words[0];
  if (!first || first.quoted) return false;
  if (first.text === "select") return !words.some((w) => !w.quoted && w.text === "into");
  return NO_LASTING_EFFECT.has(first.text);
}

/** A schema object a statement creates or drops. */
export interface StatementEffect {
  readonly op: "create" | "drop";
  /** `index`, `table`, `view`, `column`, `constraint`. */
  readonly object: string;
  /** Its name as written (schema part separate; case kept only when quoted). */
  readonly name: string;
  readonly schema?: string;
  /** Whether the name was quoted (then its case counts). */
  readonly quoted: boolean;
  /** For columns and constraints: the table's name. */
  readonly table?: string;
}

type Word = { text: string; quoted: boolean };

/** Reads words one by one: `take("if", "not", "exists")` consumes them when all match. */
class Reader {
  #i = 0;
  constructor(private readonly words: Word[]) {}
  peek(offset = 0): Word | undefined {
    return this.words[this.#i + offset];
  }
  /** Consume the keywords if the next words are exactly them (unquoted). */
  take(...kw: string[]): boolean {
    for (let k = 0; k < kw.length; k++) {
      const w = this.peek(k);
      if (!w || w.quoted || w.text !== kw[k]) return false;
    }
    this.#i += kw.length;
    return true;
  }
  /** A possibly qualified name: `a`, `a.b`; undefined when the next word is no name. */
  name(): { name: string; schema?: string; quoted: boolean } | undefined {
    const first = this.peek();
    if (!first || (!first.quoted && !/^[\p{L}_]/u.test(first.text))) return undefined;
    this.#i++;
    if (this.peek()?.text === "." && !this.peek()?.quoted) {
      const second = this.peek(1);
      if (second && (second.quoted || /^[\p{L}_]/u.test(second.text))) {
        this.#i += 2;
        return { schema: first.text, name: second.text, quoted: second.quoted };
      }
    }
    return { name: first.text, quoted: first.quoted };
  }
}

/**
 * The object `sql` creates or drops, when its first words say so plainly: CREATE
 * [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name, CREATE TABLE / VIEW name, DROP
 * INDEX / TABLE / VIEW name, ALTER TABLE t ADD / DROP [COLUMN | CONSTRAINT | INDEX] name.
 * Undefined otherwise (an index without a name, CREATE OR REPLACE, anything else).
 */
export function statementEffect(sql: string): StatementEffect | undefined {
  const r = new Reader(leadingWords(sql, 24));
  if (r.take("create")) {
    r.take("unique");
    if (r.take("index")) {
      r.take("concurrently");
      r.take("if", "not", "exists");
      if (r.take("on")) return undefined;
      const n = r.name();
      // `ON t`: the table, which MySQL needs to find an index by name.
      const table = r.take("on") ? (r.take("only"), r.name()) : undefined;
      return n && { op: "create", object: "index", ...n, ...(table && { table: table.name }) };
    }
    for (const t of ["temporary", "temp", "unlogged", "global", "local"]) r.take(t);
    for (const object of ["table", "view"]) {
      if (r.take(object)) {
        r.take("if", "not", "exists");
        const n = r.name();
        return n && { op: "create", object, ...n };
      }
    }
    return undefined;
  }
  if (r.take("drop")) {
    for (const object of ["index", "table", "view"]) {
      if (r.take(object)) {
        r.take("concurrently");
        r.take("if", "exists");
        const n = r.name();
        // DROP TABLE a, b drops more than one: not a plain inverse of one CREATE.
        if (r.peek()?.text === ",") return undefined;
        // MySQL's `DROP INDEX i ON t`.
        const table = object === "index" && r.take("on") ? r.name() : undefined;
        return n && { op: "drop", object, ...n, ...(table && { table: table.name }) };
      }
    }
    return undefined;
  }
  if (r.take("alter", "table")) {
    r.take("if", "exists");
    r.take("only");
    const table = r.name();
    if (!table) return undefined;
    const op = r.take("add") ? "create" : r.take("drop") ? "drop" : undefined;
    if (!op) return undefined;
    let object = "column";
    if (r.take("constraint")) object = "constraint";
    else if (r.take("index") || r.take("key")) object = "index";
    else r.take("column");
    r.take("if", op === "create" ? "not" : "exists");
    r.take("exists");
    const n = r.name();
    return n && { op, object, ...n, table: table.name };
  }
  return undefined;
}

/** Same object: names compared without case unless either side was quoted. */
function sameObject(a: StatementEffect, b: StatementEffect): boolean {
  const eq = (x: string | undefined, y: string | undefined, exact: boolean) =>
    x === undefined || y === undefined || (exact ? x === y : x.toLowerCase() === y.toLowerCase());
  const exact = a.quoted && b.quoted;
  return a.object === b.object && eq(a.name, b.name, exact) && a.name !== undefined &&
    eq(a.schema, b.schema, false) && eq(a.table, b.table, false);
}

/**
 * Whether `sql` creates or drops the index `name` in `schema` (as a driver lists what an
 * interrupted statement left half-made): `create`, `drop`, or undefined.
 */
export function indexOp(
  sql: string,
  target: { schema?: string; name: string },
): "create" | "drop" | undefined {
  const e = statementEffect(sql);
  if (!e || e.object !== "index") return undefined;
  return sameObject(e, { op: e.op, object: "index", quoted: true, ...target }) ? e.op : undefined;
}

/** Whether `sql` creates the index `name` in `schema` ({@linkcode indexOp}). */
export function createsIndex(sql: string, target: { schema?: string; name: string }): boolean {
  return indexOp(sql, target) === "create";
}

/**
 * The statement of `inverse` (the other direction's section) that undoes `done[i]`, one
 * of `ran` (every statement of its section): the one that drops what it creates (or
 * creates what it drops), by name; failing that, when both sections have as many
 * statements, the one at the mirrored position (sections conventionally undo in reverse
 * order). Undefined when neither says.
 */
export function inverseStatement(
  ran: readonly Statement[],
  i: number,
  inverse: readonly Statement[],
): Statement | undefined {
  const e = statementEffect(ran[i].sql);
  if (e) {
    const found = inverse.find((s) => {
      const f = statementEffect(s.sql);
      return f !== undefined && f.op !== e.op && sameObject(e, f);
    });
    if (found) return found;
  }
  if (inverse.length === ran.length) {
    const mirrored = inverse[ran.length - 1 - i];
    const f = statementEffect(mirrored.sql);
    // A mirrored statement about another named object is not this one's inverse.
    if (e && f && !(f.op !== e.op && sameObject(e, f))) return undefined;
    return mirrored;
  }
  return undefined;
}

/**
 * What to look up in the live schema to tell whether `sql` took effect, when that can be
 * told from one object: CREATE / DROP TABLE, VIEW or INDEX, ALTER TABLE … ADD / DROP
 * COLUMN or INDEX. `present` is whether the object exists once the statement completed;
 * `what` names it for messages (`index base_b_idx on base`). Undefined for the rest.
 */
export function checkableEffect(
  sql: string,
): { object: SchemaObject; present: boolean; what: string } | undefined {
  const e = statementEffect(sql);
  if (!e || !["table", "view", "index", "column"].includes(e.object)) return undefined;
  // CREATE TABLE … IF NOT EXISTS finds the table whether or not it made it: not a proof.
  if (e.op === "create" && /\bif\s+not\s+exists\b/i.test(sql.slice(0, 300))) return undefined;
  const kind = e.object as SchemaObject["kind"];
  if (kind === "column" && !e.table) return undefined;
  const qualified = e.schema ? `${e.schema}.${e.name}` : e.name;
  return {
    object: {
      kind,
      name: e.name,
      quoted: e.quoted,
      ...(e.schema !== undefined && { schema: e.schema }),
      ...(e.table !== undefined && { table: e.table }),
    },
    present: e.op === "create",
    what: `${kind} ${qualified}${e.table ? ` on ${e.table}` : ""}`,
  };
}
