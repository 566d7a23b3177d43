/**
 * What a MySQL / MariaDB statement does to the tables it names, read from its tokens.
 * Pure: no I/O.
 *
 * No SQL grammar here: a tokenizer (quotes, comments, `/*! ... *\/` executable comments)
 * and a reading of the statement shapes a migration uses, told apart by their leading
 * words: CREATE / DROP / ALTER TABLE (each ALTER specification on its own), CREATE /
 * DROP INDEX, RENAME TABLE, triggers and other stored programs, DML. A shape it does not
 * know gives no claim, never a guess.
 *
 * For each ALTER specification it says which algorithm InnoDB can use at best, after
 * MariaDB's "InnoDB Online DDL Operations" pages (10.6+; the server tests run 10.11), from
 * cheapest to dearest:
 *
 * - `INSTANT`: metadata only, no data file touched;
 * - `NOCOPY`: in place without rebuilding the clustered index (e.g. a secondary index
 *   is built), MariaDB's word; MySQL 8 calls it INPLACE;
 * - `INPLACE`: the table is rebuilt in place (a new clustered index), concurrent DML
 *   allowed unless said otherwise;
 * - `COPY`: rows are copied into a new table; writes wait for the whole copy.
 *
 * and whether concurrent DML is possible (`LOCK=NONE`). A statement with several
 * specifications gets the dearest of them. tests/mysql_algorithms_test.ts runs a sample
 * with the claimed `ALGORITHM`/`LOCK` on a real MariaDB, and checks the stronger claim is
 * refused, so the table is the server's, not ours. Where MySQL 8 differs (from its manual,
 * "Online DDL Operations"), the specification carries a `mysql8` note.
 *
 * @module
 */
import type { ColumnDefinition } from "../drivers/types.ts";
import type { DefaultKind, Operation } from "./locks.ts";

/** InnoDB's ALTER algorithms, cheapest first (MariaDB's hierarchy, read backwards). */
export const MYSQL_ALGORITHMS = ["INSTANT", "NOCOPY", "INPLACE", "COPY"] as const;

/** One of {@linkcode MYSQL_ALGORITHMS}. */
export type MysqlAlgorithm = typeof MYSQL_ALGORITHMS[number];

/** The dearer of two algorithms. */
export function dearest(a: MysqlAlgorithm, b: MysqlAlgorithm): MysqlAlgorithm {
  return MYSQL_ALGORITHMS.indexOf(a) >= MYSQL_ALGORITHMS.indexOf(b) ? a : b;
}

/** One ALTER specification (or the index change of CREATE / DROP INDEX), classified. */
export interface MysqlChange {
  /** What it does, in a few words: `ADD COLUMN size`, `ADD FOREIGN KEY`. */
  readonly what: string;
  /** The cheapest algorithm the server can use for it. */
  readonly algorithm: MysqlAlgorithm;
  /** Concurrent reads and writes are possible while it runs (`LOCK=NONE` accepted). */
  readonly lockNone: boolean;
  /**
   * When the algorithm depends on what the statement does not show (the column's
   * current type), the condition under which it is cheaper, e.g. "INSTANT if it only
   * widens a VARCHAR". The algorithm given is the dear case.
   */
  readonly unless?: string;
  /** How MySQL 8 differs, when it does. */
  readonly mysql8?: string;
  /** MODIFY / CHANGE: the column's current name and its new definition, to compare with the catalog's. */
  readonly redefines?: Redefinition;
  /** Why the catalog settled the algorithm (see {@linkcode refineStatement}). */
  readonly because?: string;
}

/** A column's new definition as MODIFY / CHANGE writes it. */
export interface Redefinition {
  readonly column: string;
  /** Lower case, integer display widths dropped, arguments without spaces: `varchar(30)`. */
  readonly type: string;
  readonly notNull: boolean;
  /** `CHARACTER SET x` as written, lower case. */
  readonly charset?: string;
  /** A COLLATE clause is present (its effect is not modelled). */
  readonly collate: boolean;
}

/** The `ALGORITHM=` and `LOCK=` clauses a statement carries (upper case; absent: none). */
export interface MysqlClauses {
  readonly algorithm?: string;
  readonly lock?: string;
}

/** What the text of one MySQL / MariaDB statement says. */
export interface MysqlStatement {
  /** `ALTER TABLE`, `CREATE INDEX`, `INSERT`, ...: its leading words, upper case. */
  readonly command: string;
  /** Tables it names (as written, unquoted; `db.t` when qualified), changed first. */
  readonly tables: readonly string[];
  /** A schema change (DDL): under Galera's TOI every node waits for it. */
  readonly ddl: boolean;
  /** Schema changes in the terms lint rules share across databases. */
  readonly operations: readonly Operation[];
  /** ALTER TABLE, CREATE INDEX, DROP INDEX: each change with its algorithm. */
  readonly changes: readonly MysqlChange[];
  /**
   * For ALTER TABLE / CREATE INDEX / DROP INDEX: the dearest algorithm of its changes
   * (what the server does by default, or what `ALGORITHM=COPY` forces).
   */
  readonly algorithm?: MysqlAlgorithm;
  /** For those: every change allows concurrent DML. */
  readonly lockNone?: boolean;
  /** For those: the table is rebuilt or copied (INPLACE or COPY). */
  readonly rebuilds?: boolean;
  readonly clauses: MysqlClauses;
  /**
   * Why the server will refuse the statement's own `ALGORITHM=` / `LOCK=` clause (it
   * asks for more than its changes can do), if it will.
   */
  readonly refused?: string;
  /**
   * Why the server may refuse those clauses: the change that decides it is dearer only in
   * a case the text does not show (see {@linkcode MysqlChange.unless}).
   */
  readonly mayBeRefused?: string;
  /** Anything else a reviewer should know, a few words each. */
  readonly notes: readonly string[];
}

// ---------------------------------------------------------------- tokens

/** A token: a word (keyword or bare name, `up` its upper case), a quoted name, a string, punctuation. */
interface Token {
  readonly kind: "word" | "name" | "string" | "punct";
  readonly text: string;
  readonly up: string;
}

const WORD_CHAR = /[\p{L}\p{N}_$]/u;

/**
 * The tokens of `sql`: comments dropped, but the text of `/*! ... *\/` and `/*M! ... *\/`
 * kept (the server runs it); quoted names unquoted; strings kept with their quotes.
 */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let inExec = false;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "#" || (c === "-" && sql[i + 1] === "-" && /[\s]|^$/.test(sql[i + 2] ?? ""))) {
      const nl = sql.indexOf("\n", i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const exec = /^\/\*M?!\d*/.exec(sql.slice(i, i + 12));
      if (exec) {
        inExec = true;
        i += exec[0].length;
      } else {
        const end = sql.indexOf("*/", i + 2);
        i = end === -1 ? n : end + 2;
      }
    } else if (c === "*" && sql[i + 1] === "/" && inExec) {
      inExec = false;
      i += 2;
    } else if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      let text = "";
      while (j < n) {
        if (sql[j] === "\\" && c !== "`") {
          text += sql.slice(j, j + 2);
          j += 2;
        } else if (sql[j] === c && sql[j + 1] === c) {
          text += c;
          j += 2;
        } else if (sql[j] === c) break;
        else text += sql[j++];
      }
      const raw = sql.slice(i, j + 1);
      // "..." is a string by default (a name only under ANSI_QUOTES): read as a name
      // where a name stands, see nameAt().
      out.push(
        c === "`"
          ? { kind: "name", text, up: text.toUpperCase() }
          : { kind: "string", text: raw, up: text.toUpperCase() },
      );
      i = j + 1;
    } else if (WORD_CHAR.test(c)) {
      let j = i + 1;
      while (j < n && WORD_CHAR.test(sql[j])) j++;
      const text = sql.slice(i, j);
      out.push({ kind: "word", text, up: text.toUpperCase() });
      i = j;
    } else {
      out.push({ kind: "punct", text: c, up: c });
      i++;
    }
  }
  return out;
}

/** Tokens with a cursor. */
class Reader {
  i = 0;
  constructor(readonly t: readonly Token[]) {}
  get done(): boolean {
    return this.i >= this.t.length;
  }
  peek(k = 0): Token | undefined {
    return this.t[this.i + k];
  }
  /** Is the next token the word (or punctuation) `w`? */
  is(w: string, k = 0): boolean {
    const tok = this.t[this.i + k];
    return tok !== undefined && tok.kind !== "name" && tok.kind !== "string" && tok.up === w;
  }
  /** Skip the words `ws` if they come next, in order; true if they did. */
  accept(...ws: string[]): boolean {
    if (!ws.every((w, k) => this.is(w, k))) return false;
    this.i += ws.length;
    return true;
  }
  /** A name (bare word, `quoted`, or "quoted"), or undefined. */
  name(): string | undefined {
    const tok = this.t[this.i];
    if (!tok || tok.kind === "punct") return undefined;
    this.i++;
    return tok.kind === "string" ? tok.text.slice(1, -1) : tok.text;
  }
  /** `db.t` or `t`. */
  qname(): string | undefined {
    const first = this.name();
    if (first === undefined) return undefined;
    if (this.is(".")) {
      this.i++;
      const second = this.name();
      return second === undefined ? first : `${first}.${second}`;
    }
    return first;
  }
  /** Skip a balanced `( ... )` if one comes next. */
  skipParens(): void {
    if (!this.is("(")) return;
    let depth = 0;
    while (!this.done) {
      const tok = this.t[this.i++];
      if (tok.kind === "punct" && tok.text === "(") depth++;
      if (tok.kind === "punct" && tok.text === ")" && --depth === 0) return;
    }
  }
  rest(): Token[] {
    return this.t.slice(this.i);
  }
}

/** Split tokens at commas outside parentheses. */
function splitTop(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const tok of tokens) {
    if (tok.kind === "punct" && tok.text === "(") depth++;
    if (tok.kind === "punct" && tok.text === ")") depth--;
    if (tok.kind === "punct" && tok.text === "," && depth === 0) parts.push([]);
    else parts[parts.length - 1].push(tok);
  }
  return parts.filter((p) => p.length > 0);
}

const has = (tokens: readonly Token[], w: string) =>
  tokens.some((t) => t.kind === "word" && t.up === w);

// ---------------------------------------------------------------- columns

/** Functions whose value is fixed per statement: a default calling only these is constant. */
const CONSTANT_DEFAULTS = new Set([
  "CURRENT_TIMESTAMP",
  "NOW",
  "LOCALTIME",
  "LOCALTIMESTAMP",
  "CURRENT_DATE",
  "CURDATE",
  "CURRENT_TIME",
  "CURTIME",
]);

/** Facts of a column definition (the tokens after the column name). */
function columnFacts(def: readonly Token[]) {
  let notNull = false;
  let dflt: DefaultKind = "none";
  let generated: "no" | "virtual" | "stored" = "no";
  let autoIncrement = false;
  for (let k = 0; k < def.length; k++) {
    const t = def[k];
    if (t.kind !== "word") continue;
    if (t.up === "NOT" && def[k + 1]?.up === "NULL") notNull = true;
    if (t.up === "PRIMARY" && def[k + 1]?.up === "KEY") notNull = true;
    if (t.up === "AUTO_INCREMENT") autoIncrement = true;
    if (t.up === "AS" && def[k + 1]?.text === "(" || t.up === "GENERATED") {
      generated = has(def, "STORED") || has(def, "PERSISTENT") ? "stored" : "virtual";
    }
    if (t.up === "DEFAULT") {
      const v = def[k + 1];
      if (!v) continue;
      if (v.kind === "punct" && v.text === "(") {
        // An expression: constant if it calls only per-statement functions.
        let depth = 0;
        dflt = "constant";
        for (let j = k + 1; j < def.length; j++) {
          const e = def[j];
          if (e.text === "(" && e.kind === "punct") depth++;
          if (e.text === ")" && e.kind === "punct" && --depth === 0) break;
          if (e.kind === "word" && def[j + 1]?.text === "(") {
            if (!CONSTANT_DEFAULTS.has(e.up)) dflt = "volatile";
          }
        }
      } else {
        dflt = "constant";
      }
    }
  }
  return { notNull, default: dflt, generated, autoIncrement };
}

/** The type part of a column definition: its first word, upper case (`VARCHAR`). */
function typeWord(def: readonly Token[]): string {
  return def.find((t) => t.kind === "word")?.up ?? "";
}

// ---------------------------------------------------------------- ALTER specifications

interface Spec {
  readonly change?: MysqlChange;
  readonly ops: Operation[];
  readonly notes?: string[];
}

const change = (
  what: string,
  algorithm: MysqlAlgorithm,
  lockNone: boolean,
  extra: { unless?: string; mysql8?: string; redefines?: Redefinition; because?: string } = {},
): MysqlChange => ({ what, algorithm, lockNone, ...extra });

const INT_TYPES = /^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/;
const SYNONYMS: Readonly<Record<string, string>> = {
  integer: "int",
  bool: "tinyint",
  boolean: "tinyint",
  dec: "decimal",
  numeric: "decimal",
  character: "char",
};

/** A type as the catalog writes it, comparable with {@linkcode Redefinition.type}. */
export function normaliseType(type: string): string {
  const t = type.trim().replace(/\s+/g, " ");
  const m = /^([a-z]+)(.*)$/i.exec(t);
  if (!m) return t;
  const base = SYNONYMS[m[1].toLowerCase()] ?? m[1].toLowerCase();
  // ENUM / SET values keep their case; everything else is case-free.
  const rest = /^(enum|set)$/.test(base) ? m[2] : m[2].toLowerCase();
  return `${base}${rest}`.replace(INT_TYPES, "$1").replace(/\s*,\s*/g, ",")
    .replace(/\(\s*/g, "(").replace(/\s*\)/g, ")").replace(/ zerofill$/, " zerofill");
}

/** The type part of a MODIFY / CHANGE definition, and its charset clauses. */
function newDefinition(column: string, def: readonly Token[], notNull: boolean): Redefinition {
  let k = 0;
  let type = def[k]?.text ?? "";
  k++;
  if (def[k]?.text === "(") {
    let depth = 0;
    for (; k < def.length; k++) {
      const t = def[k];
      if (t.kind === "punct" && t.text === "(") depth++;
      if (t.kind === "punct" && t.text === ")") depth--;
      type += t.text;
      if (depth === 0) break;
    }
    k++;
  }
  while (def[k]?.up === "UNSIGNED" || def[k]?.up === "ZEROFILL" || def[k]?.up === "SIGNED") {
    if (def[k].up !== "SIGNED") type += ` ${def[k].text}`;
    k++;
  }
  let charset: string | undefined;
  let collate = false;
  for (let j = k; j < def.length; j++) {
    if (def[j].up === "CHARSET" || (def[j].up === "CHARACTER" && def[j + 1]?.up === "SET")) {
      const v = def[j].up === "CHARSET" ? def[j + 1] : def[j + 2];
      charset = (v?.kind === "string" ? v.text.slice(1, -1) : v?.text)?.toLowerCase();
    }
    if (def[j].up === "COLLATE") collate = true;
  }
  return {
    column,
    type: normaliseType(type),
    notNull,
    ...(charset ? { charset } : {}),
    collate,
  };
}

/** ENUM / SET values from a normalised type, or undefined. */
function members(type: string): { kind: string; values: string } | undefined {
  const m = /^(enum|set)\((.*)\)$/.exec(type);
  return m ? { kind: m[1], values: m[2] } : undefined;
}

/** How many bytes an ENUM / SET of `n` members takes. */
function memberBytes(kind: string, n: number): number {
  if (kind === "enum") return n > 255 ? 2 : 1;
  const bytes = Math.ceil(n / 8);
  return bytes > 4 ? 8 : bytes;
}

/** Members in a value list `'a','b'` (commas inside quotes kept). */
function countMembers(values: string): number {
  return values.match(/'(?:[^'\\]|''|\\.)*'|"(?:[^"\\]|""|\\.)*"/g)?.length ?? 0;
}

/**
 * A MODIFY / CHANGE settled against the column's current definition (after MariaDB's
 * rules, checked by tests/mysql_algorithms_test.ts): the same type is INSTANT, as are a
 * VARCHAR widening that keeps the length prefix and appended ENUM / SET members that
 * keep the storage size; a NULL / NOT NULL change alone is an online rebuild; anything
 * else copies. Undefined when the text has what is not modelled (COLLATE).
 */
export function settleRedefinition(
  what: string,
  r: Redefinition,
  old: ColumnDefinition,
): MysqlChange | undefined {
  if (r.collate) return undefined;
  const oldType = normaliseType(old.type);
  const nullChange = old.nullable === r.notNull;
  const settled = (a: MysqlAlgorithm, because: string) =>
    change(what, a === "INSTANT" && nullChange ? "INPLACE" : a, a !== "COPY", {
      because: nullChange && a === "INSTANT"
        ? `${because}, and ${r.notNull ? "NOT NULL" : "NULL"} rebuilds`
        : because,
    });
  if (old.charset !== null) {
    const wanted = r.charset ?? old.tableCharset;
    if (wanted === null) return undefined;
    if (wanted.replace(/^utf8$/, "utf8mb3") !== old.charset.replace(/^utf8$/, "utf8mb3")) {
      return settled("COPY", `the character set changes from ${old.charset} to ${wanted}`);
    }
  }
  if (oldType === r.type) return settled("INSTANT", `the type stays ${oldType}`);
  const vo = /^(varchar|varbinary)\((\d+)\)$/.exec(oldType);
  const vn = /^(varchar|varbinary)\((\d+)\)$/.exec(r.type);
  if (vo && vn && vo[1] === vn[1] && Number(vn[2]) > Number(vo[2]) && old.maxBytes !== null) {
    const perChar = old.maxBytes / Number(vo[2]);
    const newBytes = Number(vn[2]) * perChar;
    // The length prefix is one byte while the column holds at most 255 bytes, or any
    // value under 128: widening past that needs every row rewritten.
    const samePrefix = old.maxBytes <= 127 || newBytes <= 255 || old.maxBytes > 255;
    return samePrefix
      ? settled("INSTANT", `${oldType} widens to ${r.type}, same length prefix`)
      : settled("COPY", `${oldType} widens to ${r.type} past 255 bytes`);
  }
  const mo = members(oldType);
  const mn = members(r.type);
  if (mo && mn && mo.kind === mn.kind && mn.values.startsWith(`${mo.values},`)) {
    const before = countMembers(mo.values);
    const after = countMembers(mn.values);
    return memberBytes(mo.kind, before) === memberBytes(mo.kind, after)
      ? settled("INSTANT", `${mo.kind.toUpperCase()} members appended`)
      : settled("COPY", `${mo.kind.toUpperCase()} members appended past a storage size`);
  }
  return settled("COPY", `the type changes from ${oldType} to ${r.type}`);
}

/**
 * `m` with each MODIFY / CHANGE settled against the catalog (`column` finds a column of
 * one of its tables, or undefined), the statement's summary recomputed.
 */
export function refineStatement(
  m: MysqlStatement,
  column: (table: string, name: string) => ColumnDefinition | undefined,
): MysqlStatement {
  if (!m.changes.some((c) => c.redefines)) return m;
  const table = m.tables[0];
  const changes = m.changes.map((c) => {
    const old = c.redefines && column(table, c.redefines.column);
    return (old && settleRedefinition(c.what, c.redefines!, old)) ?? c;
  });
  const { algorithm: _a, lockNone: _l, rebuilds: _r, refused: _f, mayBeRefused: _m, ...base } = m;
  return summarise({ ...base, changes });
}

/** An index definition's kind from its leading words (after ADD [CONSTRAINT [name]]). */
function indexKind(r: Reader): "primary" | "unique" | "fulltext" | "spatial" | "index" | undefined {
  if (r.accept("PRIMARY", "KEY")) return "primary";
  if (r.accept("UNIQUE")) {
    r.accept("INDEX") || r.accept("KEY");
    return "unique";
  }
  if (r.accept("FULLTEXT")) {
    r.accept("INDEX") || r.accept("KEY");
    return "fulltext";
  }
  if (r.accept("SPATIAL")) {
    r.accept("INDEX") || r.accept("KEY");
    return "spatial";
  }
  if (r.is("INDEX") || r.is("KEY")) {
    r.i++;
    return "index";
  }
  return undefined;
}

/** The change an index of `kind` makes (ADD INDEX, CREATE INDEX). */
function indexChange(kind: ReturnType<typeof indexKind>, what: string): MysqlChange {
  switch (kind) {
    case "primary":
      // The clustered index is the table: a new primary key rebuilds it, online.
      return change(what, "INPLACE", true);
    case "fulltext":
      // The first FULLTEXT index adds the hidden FTS_DOC_ID column: a rebuild.
      return change(what, "INPLACE", false, {
        unless: "NOCOPY if the table already has a FULLTEXT index",
      });
    case "spatial":
      return change(what, "NOCOPY", false, { mysql8: "INPLACE, LOCK=SHARED" });
    default:
      return change(what, "NOCOPY", true, { mysql8: "INPLACE (no rebuild)" });
  }
}

/** Classify one ALTER TABLE specification on `table`. */
function alterSpec(
  table: string,
  tokens: readonly Token[],
  clauses: { algorithm?: string; lock?: string },
): Spec | null {
  const r = new Reader(tokens);
  // Clauses are no change of their own.
  if (r.is("ALGORITHM") || r.is("LOCK")) {
    const which = r.peek()!.up;
    r.i++;
    r.accept("=");
    const v = r.name()?.toUpperCase();
    if (v !== undefined) {
      if (which === "ALGORITHM") clauses.algorithm = v;
      else clauses.lock = v;
    }
    return null;
  }
  if (r.accept("ADD")) {
    if (r.accept("CONSTRAINT")) {
      if (!(r.is("PRIMARY") || r.is("UNIQUE") || r.is("FOREIGN") || r.is("CHECK"))) r.name();
      // fallthrough to the constraint kinds
      return addConstraint(table, r);
    }
    if (
      r.is("PRIMARY") || r.is("UNIQUE") || r.is("FOREIGN") || r.is("CHECK") ||
      r.is("FULLTEXT") || r.is("SPATIAL") || r.is("INDEX") || r.is("KEY")
    ) {
      return addConstraint(table, r);
    }
    if (r.is("PARTITION")) {
      return {
        change: change("ADD PARTITION", "INPLACE", false),
        ops: [],
        notes: ["partition changes are not classified further"],
      };
    }
    r.accept("COLUMN");
    r.accept("IF", "NOT", "EXISTS");
    if (r.is("(")) {
      // ADD COLUMN (a INT, b INT): each column in the list.
      const inner = r.rest().slice(1, -1);
      const specs = splitTop(inner).map((c) => addColumn(table, new Reader(c)));
      return merge(specs);
    }
    return addColumn(table, r);
  }
  if (r.accept("DROP")) {
    if (r.accept("PRIMARY", "KEY")) {
      return {
        change: change("DROP PRIMARY KEY", "COPY", false, {
          unless: "INPLACE when the same statement adds a new PRIMARY KEY",
        }),
        ops: [{ op: "drop", object: "constraint", names: ["PRIMARY"], table }],
      };
    }
    if (r.is("INDEX") || r.is("KEY")) {
      r.i++;
      r.accept("IF", "EXISTS");
      const name = r.name() ?? "?";
      return {
        change: change(`DROP INDEX ${name}`, "NOCOPY", true, { mysql8: "INPLACE (no rebuild)" }),
        ops: [{ op: "drop-index", names: [name], concurrent: false }],
      };
    }
    if (r.accept("FOREIGN", "KEY")) {
      r.accept("IF", "EXISTS");
      const name = r.name() ?? "?";
      return {
        change: change(`DROP FOREIGN KEY ${name}`, "INSTANT", true, {
          mysql8: "INPLACE (no rebuild)",
        }),
        ops: [{ op: "drop", object: "constraint", names: [name], table }],
      };
    }
    if (r.accept("CONSTRAINT") || r.accept("CHECK")) {
      r.accept("IF", "EXISTS");
      const name = r.name() ?? "?";
      return {
        change: change(`DROP CONSTRAINT ${name}`, "INSTANT", true),
        ops: [{ op: "drop", object: "constraint", names: [name], table }],
      };
    }
    if (r.is("PARTITION")) {
      return { change: change("DROP PARTITION", "INPLACE", false), ops: [] };
    }
    r.accept("COLUMN");
    r.accept("IF", "EXISTS");
    const name = r.name() ?? "?";
    return {
      change: change(`DROP COLUMN ${name}`, "INSTANT", true, {
        mysql8: "INSTANT from 8.0.29; before, INPLACE with a rebuild",
      }),
      ops: [{ op: "drop", object: "column", names: [name], table }],
    };
  }
  if (r.accept("ALTER")) {
    if (r.is("INDEX") || r.is("KEY")) {
      r.i++;
      const name = r.name() ?? "?";
      return { change: change(`ALTER INDEX ${name}`, "INSTANT", true), ops: [] };
    }
    r.accept("COLUMN");
    const col = r.name() ?? "?";
    if (r.accept("SET", "DEFAULT") || r.accept("DROP", "DEFAULT")) {
      return { change: change(`ALTER COLUMN ${col} DEFAULT`, "INSTANT", true), ops: [] };
    }
    if (r.accept("SET", "VISIBLE") || r.accept("SET", "INVISIBLE")) {
      return { change: change(`ALTER COLUMN ${col} visibility`, "INSTANT", true), ops: [] };
    }
    return unclassified(tokens);
  }
  if (r.accept("RENAME")) {
    const column = r.accept("COLUMN");
    if (column || r.accept("INDEX") || r.accept("KEY")) {
      const from = r.name() ?? "?";
      r.accept("TO");
      const to = r.name() ?? "?";
      return {
        change: change(`RENAME ${column ? "COLUMN" : "INDEX"} ${from}`, "INSTANT", true, {
          mysql8: column
            ? "INSTANT from 8.0.28; before, INPLACE (metadata only)"
            : "INPLACE (metadata only)",
        }),
        ops: [{ op: "rename", object: column ? "column" : "other", table, from, to }],
      };
    }
    r.accept("TO") || r.accept("AS");
    const to = r.qname() ?? "?";
    // Instant, but under an exclusive metadata lock (the server refuses LOCK=NONE).
    return {
      change: change("RENAME TO", "INSTANT", false),
      ops: [{ op: "rename", object: "table", from: table, to }],
    };
  }
  if (r.accept("CHANGE")) {
    r.accept("COLUMN");
    r.accept("IF", "EXISTS");
    const from = r.name() ?? "?";
    const to = r.name() ?? "?";
    const def = r.rest();
    const renamed = from.toLowerCase() !== to.toLowerCase();
    const ops: Operation[] = [{ op: "alter-column-type", table, column: to }];
    if (renamed) ops.unshift({ op: "rename", object: "column", table, from, to });
    return { change: redefine(`CHANGE COLUMN ${from}`, from, def), ops };
  }
  if (r.accept("MODIFY")) {
    r.accept("COLUMN");
    r.accept("IF", "EXISTS");
    const col = r.name() ?? "?";
    return {
      change: redefine(`MODIFY COLUMN ${col}`, col, r.rest()),
      ops: [{ op: "alter-column-type", table, column: col }],
    };
  }
  if (r.accept("CONVERT", "TO")) {
    return { change: change("CONVERT TO CHARACTER SET", "COPY", false), ops: [] };
  }
  if (r.accept("ENGINE")) {
    r.accept("=");
    const engine = r.name()?.toUpperCase();
    // Rebuilding InnoDB as InnoDB is in place; moving to another engine copies.
    return engine === "INNODB"
      ? { change: change("ENGINE=InnoDB", "INPLACE", true), ops: [] }
      : { change: change(`ENGINE=${engine ?? "?"}`, "COPY", false), ops: [] };
  }
  if (r.accept("FORCE") || r.accept("ROW_FORMAT") || r.accept("KEY_BLOCK_SIZE")) {
    return { change: change(tokens[0].up, "INPLACE", true), ops: [] };
  }
  if (r.accept("ORDER", "BY")) {
    return { change: change("ORDER BY", "COPY", false), ops: [] };
  }
  if (
    r.accept("AUTO_INCREMENT") || r.accept("COMMENT") || r.accept("DEFAULT") ||
    r.is("CHARACTER") || r.is("CHARSET") || r.is("COLLATE")
  ) {
    // Table options that change only the dictionary (the default charset applies to
    // columns added later, not to existing ones).
    return {
      change: change(tokens[0].up, "INSTANT", true, {
        ...(tokens[0].up === "AUTO_INCREMENT" ? { mysql8: "INPLACE (no rebuild)" } : {}),
      }),
      ops: [],
    };
  }
  if (r.is("DISCARD") || r.is("IMPORT") || r.is("ENABLE") || r.is("DISABLE")) {
    return null;
  }
  return unclassified(tokens);
}

/** A specification this model does not know: assumed to copy, and saying so. */
function unclassified(tokens: readonly Token[]): Spec {
  return {
    change: change(tokens.slice(0, 3).map((t) => t.up).join(" "), "COPY", false, {
      unless: "not classified: assumed to copy",
    }),
    ops: [],
  };
}

/** ADD COLUMN `name def`. */
function addColumn(table: string, r: Reader): Spec {
  const column = r.name() ?? "?";
  const def = r.rest();
  const f = columnFacts(def);
  const op: Operation = {
    op: "add-column",
    table,
    column,
    notNull: f.notNull,
    default: f.default,
    generated: f.generated === "stored" || f.autoIncrement,
  };
  const what = `ADD COLUMN ${column}`;
  let c: MysqlChange;
  if (f.autoIncrement) {
    // Every row needs its number: a rebuild during which writes wait.
    c = change(what, "INPLACE", false, { mysql8: "INPLACE with a rebuild, LOCK=SHARED" });
  } else if (f.generated === "stored") {
    c = change(what, "COPY", false, { mysql8: "COPY" });
  } else if (has(def, "PRIMARY") || has(def, "UNIQUE")) {
    c = change(what, "INPLACE", true, {});
  } else if (f.default === "volatile") {
    c = change(what, "COPY", false);
  } else {
    c = change(what, "INSTANT", true, {
      mysql8: "INSTANT (at any position from 8.0.29; before, only as the last column)",
    });
  }
  return { change: c, ops: [op] };
}

/** MODIFY / CHANGE: the column's new definition, compared with an old one we do not see. */
function redefine(what: string, column: string, def: readonly Token[]): MysqlChange {
  const f = columnFacts(def);
  if (f.generated === "stored") return change(what, "COPY", false);
  return change(what, "COPY", false, {
    redefines: newDefinition(column, def, f.notNull),
    unless: "INSTANT if it keeps the type, widens a VARCHAR (not from 128-255 bytes to " +
      "over 255), appends ENUM values, changes the default or moves the column (INPLACE, " +
      "writes continuing, if it only changes NULL / NOT NULL)",
    mysql8: "moving a column or changing NULL / NOT NULL is INPLACE with a rebuild" +
      (typeWord(def) === "VARCHAR" ? "; widening a VARCHAR is INPLACE without one" : ""),
  });
}

/** ADD [CONSTRAINT x] PRIMARY KEY | UNIQUE | FOREIGN KEY | CHECK | INDEX ... */
function addConstraint(table: string, r: Reader): Spec {
  if (r.accept("FOREIGN", "KEY")) {
    return {
      change: change("ADD FOREIGN KEY", "COPY", false, {
        unless: "NOCOPY with SET foreign_key_checks=0, which skips the check of existing rows",
        mysql8: "INPLACE with foreign_key_checks=0, else COPY",
      }),
      ops: [{
        op: "add-constraint",
        table,
        type: "foreign-key",
        notValid: false,
        usingIndex: false,
      }],
    };
  }
  if (r.accept("CHECK")) {
    return {
      change: change("ADD CHECK", "COPY", false, { mysql8: "COPY" }),
      ops: [{ op: "add-constraint", table, type: "check", notValid: false, usingIndex: false }],
    };
  }
  const kind = indexKind(r);
  r.accept("IF", "NOT", "EXISTS");
  const name = r.is("(") || r.is("USING") ? undefined : r.name();
  const label = kind === "primary"
    ? "ADD PRIMARY KEY"
    : `ADD ${kind === "index" ? "" : `${kind!.toUpperCase()} `}INDEX${name ? ` ${name}` : ""}`;
  const ops: Operation[] = kind === "primary" || kind === "unique"
    ? [{
      op: "add-constraint",
      table,
      ...(name ? { name } : {}),
      type: kind === "primary" ? "primary-key" : "unique",
      notValid: false,
      usingIndex: false,
    }]
    : [{ op: "create-index", table, ...(name ? { name } : {}), concurrent: false }];
  return { change: indexChange(kind, label), ops };
}

function merge(specs: readonly Spec[]): Spec {
  return {
    change: specs.map((s) => s.change!).reduce((a, b) => ({
      what: `${a.what}, ${b.what}`,
      algorithm: dearest(a.algorithm, b.algorithm),
      lockNone: a.lockNone && b.lockNone,
    })),
    ops: specs.flatMap((s) => s.ops),
  };
}

// ---------------------------------------------------------------- statements

const REBUILDS = new Set<MysqlAlgorithm>(["INPLACE", "COPY"]);

/** Fill the summary fields of an ALTER-like statement from its changes and clauses. */
function summarise(
  base: Omit<MysqlStatement, "algorithm" | "lockNone" | "rebuilds" | "refused">,
): MysqlStatement {
  let changes = base.changes;
  // Dropping and adding the primary key in one statement is one online rebuild.
  if (
    changes.some((c) => c.what === "DROP PRIMARY KEY") &&
    changes.some((c) => c.what === "ADD PRIMARY KEY")
  ) {
    changes = changes.map((c) =>
      c.what === "DROP PRIMARY KEY" ? change(c.what, "INPLACE", true) : c
    );
  }
  if (changes.length === 0) return { ...base, changes };
  let algorithm = changes.map((c) => c.algorithm).reduce(dearest);
  let lockNone = changes.every((c) => c.lockNone);
  const asked = base.clauses.algorithm;
  const lock = base.clauses.lock;
  let refusal: { why: string; sure: boolean } | undefined;
  if (asked === "COPY") {
    algorithm = "COPY";
    lockNone = false;
  } else if (asked && (MYSQL_ALGORITHMS as readonly string[]).includes(asked)) {
    const rank = MYSQL_ALGORITHMS.indexOf(asked as MysqlAlgorithm);
    // The change that decides: one that surely needs more, else one that may.
    const over = changes.filter((c) => MYSQL_ALGORITHMS.indexOf(c.algorithm) > rank);
    const worst = over.find((c) => !c.unless) ?? over[0];
    if (worst) {
      refusal = {
        why: `ALGORITHM=${asked} is not possible for ${worst.what} (it needs ` +
          `${worst.algorithm}${worst.unless ? `, ${worst.unless}` : ""})`,
        sure: !worst.unless,
      };
    }
  }
  if (!refusal?.sure && lock === "NONE" && !lockNone) {
    const blocking = changes.filter((c) => !c.lockNone);
    const worst = blocking.find((c) => !c.unless) ?? blocking[0];
    if (!worst.unless || !refusal) {
      refusal = {
        why: `LOCK=NONE is not possible for ${worst.what} (it blocks writes` +
          `${worst.unless ? `; ${worst.unless}` : ""})`,
        sure: !worst.unless,
      };
    }
  }
  if (lock === "SHARED" || lock === "EXCLUSIVE") lockNone = false;
  return {
    ...base,
    changes,
    algorithm,
    lockNone,
    rebuilds: REBUILDS.has(algorithm),
    ...(refusal ? { [refusal.sure ? "refused" : "mayBeRefused"]: refusal.why } : {}),
  };
}

/** Trailing `ALGORITHM [=] x` / `LOCK [=] x` of CREATE / DROP INDEX. */
function indexClauses(r: Reader): MysqlClauses {
  const clauses: { algorithm?: string; lock?: string } = {};
  while (!r.done) {
    if (r.is("ALGORITHM") || r.is("LOCK")) {
      const which = r.peek()!.up;
      r.i++;
      r.accept("=");
      const v = r.name()?.toUpperCase();
      if (which === "ALGORITHM") clauses.algorithm = v;
      else clauses.lock = v;
    } else r.i++;
  }
  return clauses;
}

const empty = (command: string, extra: Partial<MysqlStatement> = {}): MysqlStatement => ({
  command,
  tables: [],
  ddl: false,
  operations: [],
  changes: [],
  clauses: {},
  notes: [],
  ...extra,
});

/** Skip `DEFINER = user` (and `OR REPLACE`, `SQL SECURITY x`) after CREATE. */
function skipCreatePrefix(r: Reader): void {
  for (;;) {
    if (r.accept("OR", "REPLACE")) continue;
    if (r.accept("DEFINER")) {
      r.accept("=");
      r.name();
      if (r.is("@")) {
        r.i++;
        r.name();
      }
      r.skipParens(); // CURRENT_USER()
      continue;
    }
    if (r.accept("SQL", "SECURITY")) {
      r.name();
      continue;
    }
    if (r.accept("ALGORITHM")) {
      r.accept("=");
      r.name();
      continue;
    }
    if (r.accept("ONLINE") || r.accept("OFFLINE") || r.accept("IGNORE")) continue;
    if (r.accept("AGGREGATE")) continue;
    return;
  }
}

/** What one MySQL / MariaDB statement does, from its text. */
export function classifyMysql(sql: string): MysqlStatement {
  const m = classify(sql);
  // A name the text did not give (`DROP INDEX i` without ON) names no table.
  return m.tables.includes("?") ? { ...m, tables: m.tables.filter((t) => t !== "?") } : m;
}

function classify(sql: string): MysqlStatement {
  const r = new Reader(tokenize(sql));
  if (r.accept("CREATE")) {
    skipCreatePrefix(r);
    if (r.accept("TEMPORARY")) {
      return empty("CREATE TEMPORARY TABLE");
    }
    if (r.accept("TABLE")) {
      r.accept("IF", "NOT", "EXISTS");
      const table = r.qname() ?? "?";
      const like = r.accept("LIKE") ? r.qname() : undefined;
      const select = r.rest().some((t) => t.kind === "word" && t.up === "SELECT");
      return empty("CREATE TABLE", {
        tables: [table],
        ddl: true,
        operations: [{ op: "create-table", table }],
        notes: like
          ? [`copies the definition of ${like}`]
          : select
          ? ["fills the new table from a SELECT (rows of the tables read are locked)"]
          : [],
      });
    }
    const kindTokens = r.rest();
    const r2 = new Reader(kindTokens);
    const kind = r2.accept("UNIQUE")
      ? "unique"
      : r2.accept("FULLTEXT")
      ? "fulltext"
      : r2.accept("SPATIAL")
      ? "spatial"
      : "index";
    if (r2.accept("INDEX")) {
      r2.accept("IF", "NOT", "EXISTS");
      const name = r2.name() ?? "?";
      if (r2.accept("USING")) r2.name();
      r2.accept("ON");
      const table = r2.qname() ?? "?";
      r2.skipParens();
      const clauses = indexClauses(r2);
      const what = `${kind === "index" ? "" : `${kind.toUpperCase()} `}INDEX ${name}`;
      return summarise({
        command: "CREATE INDEX",
        tables: [table],
        ddl: true,
        operations: kind === "unique"
          ? [{
            op: "add-constraint",
            table,
            name,
            type: "unique",
            notValid: false,
            usingIndex: false,
          }]
          : [{ op: "create-index", table, name, concurrent: false }],
        changes: [indexChange(kind, `ADD ${what}`)],
        clauses,
        notes: [],
      });
    }
    if (r.accept("TRIGGER")) {
      r.accept("IF", "NOT", "EXISTS");
      const name = r.qname() ?? "?";
      let table = "?";
      while (!r.done) {
        if (r.accept("ON")) {
          table = r.qname() ?? "?";
          break;
        }
        r.i++;
      }
      return empty("CREATE TRIGGER", {
        tables: [table],
        ddl: true,
        operations: [{ op: "create-other", object: "trigger", name }],
        notes: ["waits for a metadata lock on the table (brief)"],
      });
    }
    if (r.accept("VIEW")) {
      r.accept("IF", "NOT", "EXISTS");
      const name = r.qname() ?? "?";
      return empty("CREATE VIEW", {
        ddl: true,
        operations: [{ op: "create-other", object: "view", name }],
      });
    }
    const word = r.peek()?.up ?? "";
    if (
      ["PROCEDURE", "FUNCTION", "EVENT", "DATABASE", "SCHEMA", "SEQUENCE", "USER", "ROLE"].includes(
        word,
      )
    ) {
      r.i++;
      r.accept("IF", "NOT", "EXISTS");
      const name = r.qname() ?? "?";
      return empty(`CREATE ${word}`, {
        ddl: true,
        operations: [{ op: "create-other", object: word.toLowerCase(), name }],
      });
    }
    return empty("CREATE", { ddl: true });
  }
  if (r.accept("ALTER")) {
    r.accept("ONLINE") || r.accept("OFFLINE");
    r.accept("IGNORE");
    if (!r.accept("TABLE")) {
      return empty(`ALTER ${r.peek()?.up ?? ""}`.trim(), { ddl: true });
    }
    r.accept("IF", "EXISTS");
    const table = r.qname() ?? "?";
    r.accept("WAIT") && r.name();
    r.accept("NOWAIT");
    const clauses: { algorithm?: string; lock?: string } = {};
    const changes: MysqlChange[] = [];
    const operations: Operation[] = [];
    const notes: string[] = [];
    const tables = [table];
    for (const part of splitTop(r.rest())) {
      const spec = alterSpec(table, part, clauses);
      if (!spec) continue;
      if (spec.change) changes.push(spec.change);
      operations.push(...spec.ops);
      notes.push(...(spec.notes ?? []));
      for (const op of spec.ops) {
        if (op.op === "rename" && op.object === "table") tables.push(op.to);
      }
    }
    return summarise({
      command: "ALTER TABLE",
      tables,
      ddl: true,
      operations,
      changes,
      clauses,
      notes,
    });
  }
  if (r.accept("DROP")) {
    r.accept("TEMPORARY");
    if (r.accept("INDEX")) {
      r.accept("IF", "EXISTS");
      const name = r.name() ?? "?";
      r.accept("ON");
      const table = r.qname() ?? "?";
      return summarise({
        command: "DROP INDEX",
        tables: [table],
        ddl: true,
        operations: [{ op: "drop-index", names: [name], concurrent: false }],
        changes: [change(`DROP INDEX ${name}`, "NOCOPY", true, { mysql8: "INPLACE (no rebuild)" })],
        clauses: indexClauses(r),
        notes: [],
      });
    }
    const word = r.peek()?.up ?? "";
    if (
      [
        "TABLE",
        "VIEW",
        "TRIGGER",
        "PROCEDURE",
        "FUNCTION",
        "EVENT",
        "SEQUENCE",
        "DATABASE",
        "SCHEMA",
      ].includes(word)
    ) {
      r.i++;
      r.accept("IF", "EXISTS");
      const names: string[] = [];
      for (const part of splitTop(r.rest())) {
        const q = new Reader(part).qname();
        if (q !== undefined && !["CASCADE", "RESTRICT"].includes(q.toUpperCase())) names.push(q);
      }
      return empty(`DROP ${word}`, {
        tables: word === "TABLE" ? names : [],
        ddl: true,
        operations: [{ op: "drop", object: word.toLowerCase(), names }],
        notes: word === "TABLE" ? ["waits for a metadata lock on the table, then drops it"] : [],
      });
    }
    return empty("DROP", { ddl: true });
  }
  if (r.accept("RENAME", "TABLE")) {
    const operations: Operation[] = [];
    const tables: string[] = [];
    for (const part of splitTop(r.rest())) {
      const p = new Reader(part);
      const from = p.qname() ?? "?";
      p.accept("TO");
      const to = p.qname() ?? "?";
      operations.push({ op: "rename", object: "table", from, to });
      tables.push(from, to);
    }
    return empty("RENAME TABLE", { tables, ddl: true, operations });
  }
  if (r.accept("TRUNCATE")) {
    r.accept("TABLE");
    const table = r.qname() ?? "?";
    return empty("TRUNCATE TABLE", {
      tables: [table],
      ddl: true,
      notes: ["drops and recreates the table: every row is gone"],
    });
  }
  const dml = r.peek()?.up ?? "";
  if (["INSERT", "REPLACE", "UPDATE", "DELETE"].includes(dml)) {
    r.i++;
    while (
      r.accept("LOW_PRIORITY") || r.accept("DELAYED") || r.accept("HIGH_PRIORITY") ||
      r.accept("IGNORE") || r.accept("QUICK")
    ) {
      // modifiers
    }
    r.accept("INTO") || r.accept("FROM");
    const table = r.qname();
    return empty(dml, {
      tables: table ? [table] : [],
      notes: ["locks the rows it writes until the revision commits"],
    });
  }
  if (r.accept("SET")) {
    const names = splitTop(r.rest()).map((p) => {
      const q = new Reader(p);
      q.accept("SESSION") || q.accept("GLOBAL") || q.accept("LOCAL") || q.accept("@", "@");
      return q.name() ?? "?";
    });
    return empty("SET", { notes: [`sets ${names.join(", ")}`] });
  }
  return empty(r.peek()?.up ?? "");
}
