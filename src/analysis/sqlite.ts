/**
 * What a SQLite statement changes, read from its text. Pure: no I/O.
 *
 * There is no SQLite parser here, so this reads only the statement shapes it can tell
 * reliably from the words at their start (after the splitter of src/script/split.ts has
 * cut the statement out): CREATE TABLE / INDEX, the four ALTER TABLE forms SQLite has
 * (RENAME TO, RENAME COLUMN, ADD COLUMN, DROP COLUMN), DROP, and `INSERT INTO a ...
 * SELECT ... FROM b` (the copy step of a table rebuild). Anything else gives no
 * operation, never a guess. SQLite locks the whole database for writing, not tables,
 * so there are no lock levels to report.
 *
 * @module
 */
import type { DefaultKind, Operation } from "./locks.ts";

/** What the text of one SQLite statement says. */
export interface SqliteStatement {
  readonly operations: readonly Operation[];
  /** Why SQLite will refuse the statement (its ALTER TABLE cannot do this), if it will. */
  readonly unsupported?: string;
}

/** Comments out, whitespace runs to one space (strings kept as they are). */
function normalise(sql: string): string {
  let out = "";
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      const end = sql.indexOf(close, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      i = nl === -1 ? sql.length : nl - 1;
      out += " ";
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 1;
      out += " ";
    } else {
      out += c;
    }
  }
  return out.replace(/\s+/g, " ").trim();
}

/** An identifier: bare, "quoted", `quoted` or [quoted], optionally `schema.`-prefixed. */
const NAME = String.raw`(?:"(?:[^"]|"")+"|\`[^\`]+\`|\[[^\]]+\]|[\w$]+)`;
const QNAME = `(?:${NAME}\\.)?${NAME}`;

/** `main."Images"` → `Images` (the schema is dropped: one database file). */
function unquote(name: string): string {
  const parts = name.match(new RegExp(NAME, "g")) ?? [name];
  const last = parts[parts.length - 1];
  if (/^".*"$/.test(last)) return last.slice(1, -1).replace(/""/g, '"');
  if (/^[`[].*[`\]]$/.test(last)) return last.slice(1, -1);
  return last;
}

const re = (src: string) => new RegExp(`^${src}`, "i");
const CREATE_TABLE = re(
  `CREATE (?:TEMP |TEMPORARY )?TABLE (?:IF NOT EXISTS )?(${QNAME})`,
);
const CREATE_INDEX = re(
  `CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?(${QNAME}) ON (${QNAME})`,
);
const ALTER = re(`ALTER TABLE (${QNAME}) (.*)$`);
const DROP = re(`DROP (TABLE|VIEW|INDEX|TRIGGER) (?:IF EXISTS )?(${QNAME})`);
const COPY = re(`INSERT (?:OR \\w+ )?INTO (${QNAME}).*? SELECT .*? FROM (${QNAME})`);

/** A SQLite ADD COLUMN's default: SQLite accepts only a constant (docs: ALTER TABLE). */
function sqliteDefault(def: string): DefaultKind {
  const m = /\bDEFAULT\s+(.*)$/i.exec(def);
  if (!m) return "none";
  return /^(\(|CURRENT_TIME|CURRENT_DATE|CURRENT_TIMESTAMP)/i.test(m[1]) ? "volatile" : "constant";
}

/**
 * The operations a SQLite statement's text shows, and whether SQLite's ALTER TABLE
 * will refuse it (what it cannot do needs a table rebuild: new table, copy, drop, rename).
 */
export function classifySqlite(sql: string): SqliteStatement {
  const s = normalise(sql);
  let m: RegExpExecArray | null;
  if ((m = CREATE_TABLE.exec(s))) {
    return { operations: [{ op: "create-table", table: unquote(m[1]) }] };
  }
  if ((m = CREATE_INDEX.exec(s))) {
    return {
      operations: [{
        op: "create-index",
        table: unquote(m[2]),
        name: unquote(m[1]),
        concurrent: false,
      }],
    };
  }
  if ((m = DROP.exec(s))) {
    const object = m[1].toLowerCase();
    const name = unquote(m[2]);
    return {
      operations: [
        object === "index"
          ? { op: "drop-index", names: [name], concurrent: false }
          : { op: "drop", object, names: [name] },
      ],
    };
  }
  if ((m = COPY.exec(s))) {
    return { operations: [{ op: "copy-rows", into: unquote(m[1]), from: unquote(m[2]) }] };
  }
  if ((m = ALTER.exec(s))) {
    const table = unquote(m[1]);
    const rest = m[2];
    let r: RegExpExecArray | null;
    if ((r = re(`RENAME TO (${QNAME})$`).exec(rest))) {
      return { operations: [{ op: "rename", object: "table", from: table, to: unquote(r[1]) }] };
    }
    if ((r = re(`RENAME (?:COLUMN )?(${NAME}) TO (${NAME})$`).exec(rest))) {
      return {
        operations: [{
          op: "rename",
          object: "column",
          table,
          from: unquote(r[1]),
          to: unquote(r[2]),
        }],
      };
    }
    if ((r = re(`DROP (?:COLUMN )?(${NAME})$`).exec(rest))) {
      return { operations: [{ op: "drop", object: "column", names: [unquote(r[1])], table }] };
    }
    if ((r = re(`ADD (?:COLUMN )?(${NAME})(.*)$`).exec(rest)) && !/^CONSTRAINT$/i.test(r[1])) {
      const def = r[2];
      const notNull = /\bNOT NULL\b/i.test(def);
      const dflt = sqliteDefault(def);
      const op: Operation = {
        op: "add-column",
        table,
        column: unquote(r[1]),
        notNull,
        default: dflt,
        generated: /\bGENERATED ALWAYS\b|\bAS \(/i.test(def) && /\bSTORED\b/i.test(def),
      };
      let unsupported: string | undefined;
      if (/\b(PRIMARY KEY|UNIQUE)\b/i.test(def)) {
        unsupported = "SQLite cannot add a PRIMARY KEY or UNIQUE column";
      } else if (dflt === "volatile") {
        unsupported = "SQLite cannot add a column with a non-constant default";
      } else if (notNull && dflt === "none") {
        unsupported = "SQLite cannot add a NOT NULL column without a non-NULL default";
      } else if (op.generated) {
        unsupported = "SQLite cannot add a STORED generated column";
      }
      return { operations: [op], ...(unsupported ? { unsupported } : {}) };
    }
    return {
      operations: [],
      unsupported: `SQLite's ALTER TABLE has only RENAME, ADD COLUMN and DROP COLUMN ` +
        `(not "${rest.split(" ").slice(0, 3).join(" ")}"): this needs a table rebuild`,
    };
  }
  return { operations: [] };
}
