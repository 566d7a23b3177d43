/**
 * The dialect registry: everything bellows knows about each database dialect that is
 * not I/O, in one entry per dialect (after goose's dialect lookup and dbmate's
 * `RegisterDriver`). Pure, so script/ (section names, the splitter's lexer settings)
 * and offline `--sql` rendering use it without opening anything.
 *
 * Adding a dialect is its {@linkcode Dialect} entry here, its driver file, and that
 * driver's opener in drivers/mod.ts (which the type checker demands once the entry
 * exists). Nothing above drivers/ compares dialect names: it asks the capabilities.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Dialect, LexerSettings, TableName } from "./types.ts";

/** Longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); longer ones are truncated. */
const PG_MAX_IDENT_BYTES = 63;

/** Split SQLAlchemy's space-separated word lists. */
const words = (text: string): ReadonlySet<string> => new Set(text.split(" "));

/** `"name"` with inner quotes doubled; refuses names no dialect takes. */
function quoteWith(quote: string, name: string, title: string): string {
  if (name.length === 0 || name.includes("\0")) {
    throw new UsageError(`invalid ${title} identifier ${JSON.stringify(name)}`);
  }
  return `${quote}${name.replaceAll(quote, quote + quote)}${quote}`;
}

/** Lexer settings of PostgreSQL; also what SQL for every dialect is read with. */
const POSTGRES_LEXER: LexerSettings = {
  nestedComments: true,
  hashComments: false,
  backslashEscapes: false,
  escapeStrings: true,
  dollarQuotes: true,
  bracketIdentifiers: false,
  dashCommentNeedsSpace: false,
  versionComments: false,
  compoundStatements: false,
};

/** PostgreSQL: `"` identifiers of at most 63 bytes, `$n` parameters, transactional DDL. */
export const postgresDialect: Dialect = {
  name: "postgresql",
  title: "PostgreSQL",
  schemes: ["postgresql", "postgres"],
  schemeSlashes: true,
  bareFilePaths: false,
  urlExample: "postgresql://",
  sectionNames: ["postgresql", "postgres"],
  identQuote: '"',
  // SQLAlchemy 1.4's postgresql RESERVED_WORDS.
  reservedWords: words(
    "all analyse analyze and any array as asc asymmetric authorization between binary both " +
      "case cast check collate column constraint create cross current_catalog current_date " +
      "current_role current_schema current_time current_timestamp current_user default " +
      "deferrable desc distinct do else end except false fetch for foreign freeze from full " +
      "grant group having ilike in initially inner intersect into is isnull join leading left " +
      "like limit localtime localtimestamp natural new not notnull null of off offset old on " +
      "only or order outer over overlaps placing primary references returning right select " +
      "session_user similar some symmetric table then to trailing true union unique user using " +
      "variadic verbose when where window with",
  ),
  nowSql: `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  transactionalDdl: true,
  alembicTransactionalDdl: true,
  insertReturning: true,
  pipelining: true,
  literalStateWrites: true,
  transactionElapsedMs: "CAST(EXTRACT(EPOCH FROM pg_catalog.clock_timestamp() - " +
    "pg_catalog.transaction_timestamp()) * 1000 AS INTEGER)",
  lexer: POSTGRES_LEXER,
  quoteIdent(name: string): string {
    const quoted = quoteWith('"', name, "PostgreSQL");
    const bytes = new TextEncoder().encode(name).length;
    if (bytes > PG_MAX_IDENT_BYTES) {
      // The server would silently truncate it and then name a different object.
      throw new UsageError(
        `PostgreSQL identifier ${JSON.stringify(name)} is ${bytes} bytes long (at most 63)`,
      );
    }
    return quoted;
  },
  quoteLiteral(value: string): string {
    if (value.includes("\0")) throw new UsageError("a PostgreSQL string cannot contain NUL");
    const body = value.replaceAll("'", "''");
    // Like libpq's PQescapeLiteral: E'' so backslashes mean the same whatever
    // standard_conforming_strings says.
    return value.includes("\\") ? `E'${body.replaceAll("\\", "\\\\")}'` : `'${body}'`;
  },
  param(i: number): string {
    return `$${i}`;
  },
  table(t: TableName): string {
    const name = this.quoteIdent(t.name);
    return t.schema ? `${this.quoteIdent(t.schema)}.${name}` : name;
  },
  createSchema(name: string): string {
    return `CREATE SCHEMA IF NOT EXISTS ${this.quoteIdent(name)}`;
  },
};

/** SQLite: double-quoted identifiers, `?` parameters, no schemas but attached ones. */
export const sqliteDialect: Dialect = {
  name: "sqlite",
  title: "SQLite",
  schemes: ["sqlite"],
  schemeSlashes: false,
  bareFilePaths: true,
  urlExample: "sqlite:",
  sectionNames: ["sqlite"],
  identQuote: '"',
  // SQLAlchemy 1.4's sqlite RESERVED_WORDS.
  reservedWords: words(
    "add after all alter analyze and as asc attach autoincrement before begin between by " +
      "cascade case cast check collate column commit conflict constraint create cross " +
      "current_date current_time current_timestamp database default deferrable deferred " +
      "delete desc detach distinct drop each else end escape except exclusive exists explain " +
      "fail false for foreign from full glob group having if ignore immediate in index indexed " +
      "initially inner insert instead intersect into is isnull join key left like limit match " +
      "natural not notnull null of offset on or order outer plan pragma primary query raise " +
      "references reindex rename replace restrict right rollback row select set table temp " +
      "temporary then to transaction trigger true union unique update using vacuum values " +
      "view virtual when where",
  ),
  nowSql: `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  transactionalDdl: true,
  alembicTransactionalDdl: false,
  insertReturning: false,
  pipelining: false,
  literalStateWrites: false,
  lexer: {
    nestedComments: false,
    hashComments: false,
    backslashEscapes: false,
    escapeStrings: false,
    dollarQuotes: false,
    bracketIdentifiers: true,
    dashCommentNeedsSpace: false,
    versionComments: false,
    compoundStatements: false,
  },
  quoteIdent(name: string): string {
    return quoteWith('"', name, "SQL");
  },
  quoteLiteral(value: string): string {
    return `'${value.replaceAll("'", "''")}'`;
  },
  param(): string {
    return "?";
  },
  table(t: TableName): string {
    const name = this.quoteIdent(t.name);
    return t.schema ? `${this.quoteIdent(t.schema)}.${name}` : name;
  },
};

/** Longest identifier MySQL and MariaDB accept, in characters. */
const MAX_IDENT_CHARS = 64;

/** MySQL and MariaDB: backtick identifiers of at most 64 characters, `?` parameters, DDL outside transactions. */
export const mysqlDialect: Dialect = {
  name: "mysql",
  title: "MySQL",
  // SQLAlchemy's mysql+pymysql:// and mariadb+pymysql:// too (the +driver part is ignored).
  schemes: ["mysql", "mariadb"],
  schemeSlashes: true,
  bareFilePaths: false,
  urlExample: "mysql://",
  sectionNames: ["mysql", "mariadb"],
  identQuote: "`",
  // SQLAlchemy 1.4's RESERVED_WORDS_MYSQL.
  reservedWords: words(
    "accessible add admin all alter analyze and array as asc asensitive before between " +
      "bigint binary blob both by call cascade case change char character check collate " +
      "column condition constraint continue convert create cross cube cume_dist current_date " +
      "current_time current_timestamp current_user cursor database databases day_hour " +
      "day_microsecond day_minute day_second dec decimal declare default delayed delete " +
      "dense_rank desc describe deterministic distinct distinctrow div double drop dual each " +
      "else elseif empty enclosed escaped except exists exit explain false fetch first_value " +
      "float float4 float8 for force foreign from fulltext function general generated get " +
      "get_master_public_key grant group grouping groups having high_priority " +
      "hour_microsecond hour_minute hour_second if ignore ignore_server_ids in index infile " +
      "inner inout insensitive insert int int1 int2 int3 int4 int8 integer interval into " +
      "io_after_gtids io_before_gtids is iterate join json_table key keys kill lag last_value " +
      "lateral lead leading leave left like limit linear lines load localtime localtimestamp " +
      "lock long longblob longtext loop low_priority master_bind master_heartbeat_period " +
      "master_ssl_verify_server_cert match maxvalue mediumblob mediumint mediumtext member " +
      "middleint minute_microsecond minute_second mod modifies natural no_write_to_binlog not " +
      "nth_value ntile null numeric of on optimize optimizer_costs option optionally or order " +
      "out outer outfile over parse_gcol_expr partition percent_rank persist persist_only " +
      "precision primary procedure purge range rank read read_write reads real recursive " +
      "references regexp release rename repeat replace require resignal restrict return " +
      "revoke right rlike role row row_number rows schema schemas second_microsecond select " +
      "sensitive separator set show signal slow smallint spatial specific sql sql_after_gtids " +
      "sql_before_gtids sql_big_result sql_calc_found_rows sql_small_result sqlexception " +
      "sqlstate sqlwarning ssl starting stored straight_join system table terminated then " +
      "tinyblob tinyint tinytext to trailing trigger true undo union unique unlock unsigned " +
      "update usage use using utc_date utc_time utc_timestamp values varbinary varchar " +
      "varcharacter varying virtual when where while window with write xor year_month " +
      "zerofill",
  ),
  // applied_at as ISO 8601 with milliseconds, UTC, as the other dialects write it.
  nowSql: "CONCAT(LEFT(DATE_FORMAT(UTC_TIMESTAMP(3), '%Y-%m-%dT%H:%i:%s.%f'), 23), 'Z')",
  // Every DDL statement commits implicitly, before and after.
  transactionalDdl: false,
  alembicTransactionalDdl: false,
  insertReturning: false,
  pipelining: false,
  literalStateWrites: false,
  lexer: {
    nestedComments: false,
    hashComments: true,
    backslashEscapes: true,
    escapeStrings: false,
    dollarQuotes: false,
    bracketIdentifiers: false,
    dashCommentNeedsSpace: true,
    versionComments: true,
    compoundStatements: true,
  },
  quoteIdent(name: string): string {
    if (name.length === 0 || name.includes("\0")) {
      throw new UsageError(`invalid MySQL identifier ${JSON.stringify(name)}`);
    }
    const chars = Array.from(name).length;
    if (chars > MAX_IDENT_CHARS) {
      throw new UsageError(
        `MySQL identifier ${JSON.stringify(name)} is ${chars} characters long (at most 64)`,
      );
    }
    if (name.endsWith(" ")) {
      // MySQL refuses names ending in a space (error 1103/1166); say so before running.
      throw new UsageError(`MySQL identifier ${JSON.stringify(name)} ends with a space`);
    }
    return `\`${name.replaceAll("`", "``")}\``;
  },
  quoteLiteral(value: string): string {
    if (value.includes("\0")) throw new UsageError("a MySQL string literal cannot contain NUL");
    // The default sql_mode reads backslash escapes in strings: double them. (Alembic's
    // MySQL dialect renders literals the same way.)
    return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
  },
  param(_i: number): string {
    // mysql2's positional placeholder (PyMySQL's `%s` is a client-side format, not SQL).
    return "?";
  },
  table(t: TableName): string {
    // --version-table-schema names a database on MySQL.
    const name = this.quoteIdent(t.name);
    return t.schema ? `${this.quoteIdent(t.schema)}.${name}` : name;
  },
  createSchema(name: string): string {
    // A schema is a database on MySQL (CREATE SCHEMA is a synonym of CREATE DATABASE).
    return `CREATE DATABASE IF NOT EXISTS ${this.quoteIdent(name)}`;
  },
};

/**
 * Every supported dialect, keyed by its canonical name, in the order messages list them.
 * Each driver file registers its opener under the same name in drivers/mod.ts (imported
 * there on first use, by a literal specifier `deno compile` follows), which the compiler
 * holds to this list.
 */
const REGISTRY = {
  postgresql: postgresDialect,
  sqlite: sqliteDialect,
  mysql: mysqlDialect,
} satisfies Record<string, Dialect>;

/** Supported database dialects; also the canonical names on script section markers. */
export type DialectName = keyof typeof REGISTRY;

/** Every registered dialect, in registry order. */
export const DIALECTS: readonly Dialect[] = Object.values(REGISTRY);

/** The description of a dialect, by canonical name. */
export function dialectNamed(name: DialectName): Dialect {
  return REGISTRY[name];
}

/** `a, b or c`, for messages listing choices. */
export function listOr(items: readonly string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** Every name accepted on section markers, aliases included, mapped to its dialect. */
export const SECTION_NAMES: ReadonlyMap<string, DialectName> = new Map(
  DIALECTS.flatMap((d) => d.sectionNames.map((n) => [n, d.name] as const)),
);

/** The canonical dialect names, for "expected …" messages and `--dialect` choices. */
export const DIALECT_NAMES: readonly DialectName[] = DIALECTS.map((d) => d.name);

/** A canonical name given by the user (`--dialect`), or undefined when unknown. */
export function parseDialectName(text: string): DialectName | undefined {
  return DIALECTS.find((d) => d.name === text)?.name;
}

/**
 * Which dialect a database URL names: `scheme://` or `scheme:` as each entry says
 * (with SQLAlchemy's `+driver` suffix allowed), or a bare file path for the dialect that
 * takes those. Any other scheme is refused: it never falls back to some dialect.
 */
export function dialectForUrl(url: string): Dialect {
  const m = /^([a-z][a-z0-9.-]*)(\+\w+)?:(\/\/)?/i.exec(url);
  if (m) {
    const scheme = m[1].toLowerCase();
    const d = DIALECTS.find((d) => d.schemes.includes(scheme) && (!d.schemeSlashes || m[3]));
    if (d) return d;
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const files = DIALECTS.find((d) => d.bareFilePaths);
    if (files) return files;
  }
  const scheme = url.slice(0, Math.max(0, url.indexOf(":")));
  throw new UsageError(
    `unsupported database URL scheme '${scheme}': use ${listOr(DIALECTS.map((d) => d.urlExample))}`,
  );
}
