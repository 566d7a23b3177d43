/**
 * The driver interface: with the dialect registry (dialects.ts), the only place that
 * knows a database's dialect.
 *
 * Modeled on goose's and dbmate's small driver interfaces. A {@linkcode Dialect}
 * is pure (it builds SQL text and states capabilities, so offline `--sql` output and
 * the script parser use it too); a {@linkcode Driver} executes.
 *
 * @module
 */

import type { DialectName } from "./dialects.ts";
export type { DialectName };

/** Names a version table (Alembic's `version_table` / `version_table_schema`). */
export interface TableName {
  readonly schema?: string;
  readonly name: string;
}

/**
 * How the statement splitter reads one dialect's SQL (see script/split.ts). Every
 * dialect has `--` line comments, block comments, `'…'` strings with doubled
 * quotes, and `CREATE TRIGGER … BEGIN … END` / `BEGIN ATOMIC … END` bodies.
 */
export interface LexerSettings {
  /** Block comments nest (PostgreSQL); else the first star-slash ends one (SQLite, MySQL). */
  readonly nestedComments: boolean;
  /** `#` starts a line comment too (MySQL). */
  readonly hashComments: boolean;
  /** `\` escapes the next character in every `'…'` and `"…"` string (MySQL's default mode). */
  readonly backslashEscapes: boolean;
  /** `E'…'` strings, where `\` escapes (PostgreSQL). */
  readonly escapeStrings: boolean;
  /** `$$…$$` / `$tag$…$tag$` quoting (PostgreSQL). */
  readonly dollarQuotes: boolean;
  /** `[…]` quotes an identifier (SQLite, after SQL Server); elsewhere `[` is an operator. */
  readonly bracketIdentifiers: boolean;
  /**
   * `--` starts a comment only when a space or control character follows it (MySQL, so
   * `1--1` is arithmetic); else `--` always does.
   */
  readonly dashCommentNeedsSpace: boolean;
  /**
   * `/*! … *\/` and `/*M! … *\/` are code the server runs, not comments (MySQL and
   * MariaDB version comments, as mysqldump writes them).
   */
  readonly versionComments: boolean;
  /**
   * Stored programs (`CREATE TRIGGER` / `PROCEDURE` / `FUNCTION` / `EVENT`) have compound
   * bodies: `BEGIN … END`, `IF … END IF`, `CASE … END CASE`, `LOOP`, `WHILE`, `REPEAT`,
   * nested, read as one statement without `DELIMITER` (MySQL). Else only a trigger's
   * `BEGIN … END` (SQLite) and `BEGIN ATOMIC … END` (PostgreSQL) are bodies.
   */
  readonly compoundStatements: boolean;
}

/**
 * A database error's meaning, normalised from the driver's raw code, so that nothing
 * above the drivers compares SQLSTATEs or result names.
 */
export type DbErrorKind =
  /** A lock wait ran out (PostgreSQL `lock_timeout`, 55P03; MySQL 1205). Worth retrying. */
  | "lock_timeout"
  /** The database is locked by another connection (SQLite `SQLITE_BUSY`). Worth retrying. */
  | "busy"
  /** The server chose this transaction as a deadlock victim (40P01; MySQL 1213). */
  | "deadlock"
  /** The session ended under the statement (server restart, terminated backend, network). */
  | "connection_lost"
  /** Anything else: a statement the database refused. */
  | "other";

/**
 * Everything bellows knows about one dialect, without I/O: what the registry
 * (drivers/dialects.ts) holds per dialect, and what a {@linkcode Driver} carries as
 * `dialect`. Code above drivers/ asks these capabilities, never the name.
 */
export interface Dialect {
  readonly name: DialectName;
  /** For messages: `PostgreSQL`, `SQLite`. */
  readonly title: string;
  /**
   * URL schemes that pick this dialect, lowercase, before `:` (a SQLAlchemy `+driver`
   * suffix is accepted on each, e.g. `postgresql+psycopg2://`).
   */
  readonly schemes: readonly string[];
  /** Whether a scheme must be followed by `//` (`postgresql://`) or not (`sqlite:path`). */
  readonly schemeSlashes: boolean;
  /** A database argument with no scheme at all is a path for this dialect (SQLite files). */
  readonly bareFilePaths: boolean;
  /** How the URL is written, for messages: `postgresql://`, `sqlite:`. */
  readonly urlExample: string;
  /** Names accepted on section markers (`-- bellows:upgrade postgres`); `name` first. */
  readonly sectionNames: readonly string[];
  /** The character that opens and closes a quoted identifier (`"`; MySQL's backtick). */
  readonly identQuote: string;
  /**
   * SQLAlchemy's reserved words for this dialect: names it quotes even when lowercase
   * (offline `--sql` output renders identifiers as SQLAlchemy does).
   */
  readonly reservedWords: ReadonlySet<string>;
  /** SQL for "now" in the audit table's `applied_at` format (ISO 8601, ms, UTC). */
  readonly nowSql: string;
  /**
   * DDL takes part in transactions: a failed revision's CREATE/ALTER are rolled back with
   * it. False (MySQL) means each DDL statement commits on its own, so a failure leaves
   * the statements before it applied, whatever transaction was open.
   */
  readonly transactionalDdl: boolean;
  /**
   * Alembic's `transactional_ddl` for this dialect, which shapes offline `--sql` output
   * (`BEGIN;` / `COMMIT;` around the script). Alembic says false for SQLite, although
   * SQLite's DDL does roll back.
   */
  readonly alembicTransactionalDdl: boolean;
  /** SQLAlchemy adds `RETURNING` of the primary key to INSERTs (offline version rows). */
  readonly insertReturning: boolean;
  /**
   * Statements issued together on a connection are sent without waiting for each answer
   * (PostgreSQL's wire client pipelines them), and answered in order: the runner sends a
   * step's statements (those whose pre-flight asks nothing) behind its BEGIN, and its
   * version-row change and audit row behind them, taking the answers in order.
   */
  readonly pipelining: boolean;
  /**
   * The runner's writes of the version and audit rows carry their values as literals, not
   * bind parameters: each then goes as one simple query, less for client and server to
   * do than the extended protocol's five messages.
   */
  readonly literalStateWrites: boolean;
  /**
   * An SQL expression for the whole milliseconds since the current transaction began, on
   * the server's clock. Where the runner pipelines (`pipelining`), a step's audit row is
   * sent behind its statements before their answers are in, and takes its duration from
   * this.
   */
  readonly transactionElapsedMs?: string;
  /** How the statement splitter reads this dialect's SQL. */
  readonly lexer: LexerSettings;
  /** Quote an identifier; throws on names that cannot be identifiers. */
  quoteIdent(name: string): string;
  /** Quote a string literal (for offline SQL, where there are no bind parameters). */
  quoteLiteral(value: string): string;
  /** Placeholder for the i-th (1-based) bind parameter. */
  param(i: number): string;
  /** Qualified, quoted table name. */
  table(t: TableName): string;
  /**
   * Statement that creates a schema if it is missing, or undefined where the dialect has
   * no schemas to create (SQLite: a schema is an attached database).
   */
  createSchema?(name: string): string | undefined;
}

/** Something that runs SQL: a connection, or a transaction on one. */
export interface Executor {
  /** Run one statement, returning the number of rows it changed (0 when not applicable). */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Run one query and return its rows as objects keyed by column name. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** A database error, normalised across drivers. */
export interface DbErrorInfo {
  /** SQLSTATE on PostgreSQL, SQLite's extended result name (e.g. `SQLITE_ERROR`) on SQLite. */
  readonly code: string;
  /** What the code means, in the driver-independent terms the runner acts on. */
  readonly kind: DbErrorKind;
  readonly message: string;
  /** 1-based character position inside the statement, when the server reports one. */
  readonly position?: number;
  readonly detail?: string;
  readonly hint?: string;
  /** PostgreSQL: position and query text inside a function or DO body. */
  readonly internalPosition?: number;
  readonly internalQuery?: string;
  readonly where?: string;
  /**
   * The sessions the failed statement was waiting for, when it ran out of lock wait
   * (PostgreSQL: `pg_blocking_pids`, sampled on a second connection while it waited).
   */
  readonly blockers?: readonly Blocker[];
}

/** A session that holds a lock another waits for. */
export interface Blocker {
  readonly pid: number;
  /** Its `application_name`; empty when it set none. */
  readonly application: string;
  readonly user?: string;
  /** When its transaction began (ISO 8601, UTC), if it is in one. */
  readonly since?: string;
  /** What it is doing now: `idle in transaction`, `active`. */
  readonly state?: string;
  /** Its current or last query (the server may hide it from other users). */
  readonly query?: string;
}

/**
 * Something an interrupted non-transactional statement left behind, with the SQL that
 * deals with it either way (PostgreSQL: an INVALID index from `CREATE INDEX CONCURRENTLY`).
 */
export interface Leftover {
  /** Qualified name for display, e.g. `public.images_owner_idx`. */
  readonly name: string;
  /** The table it belongs to, qualified. */
  readonly table: string;
  /** Its schema and bare name, to match against the names a revision's statements create. */
  readonly object: TableName;
  /** Statement that removes it without blocking writers (then the revision can run again). */
  readonly drop: string;
  /** Statement that completes it in place (then the revision can be stamped as done). */
  readonly rebuild: string;
}

/** The former name of {@linkcode Leftover}. */
export type InvalidIndex = Leftover;

/** How a driver finds what interrupted non-transactional statements leave half-made. */
export interface LeftoverCheck {
  /** What it looks for, singular and plural, for messages: `INVALID index(es)`. */
  readonly what: string;
  readonly whatPlural: string;
  /** Everything of that kind in the database now, in a stable order. */
  find(): Promise<Leftover[]>;
}

/**
 * A schema object a statement creates or drops, as the runner asks whether it exists now
 * (to tell whether an interrupted statement completed before its checkpoint was written).
 */
export interface SchemaObject {
  readonly kind: "table" | "view" | "index" | "column";
  /** As written; an unquoted name comes lowercased (it is compared as the database folds it). */
  readonly name: string;
  readonly schema?: string;
  /** The table of a column (always) or of an index (where written; MySQL needs it). */
  readonly table?: string;
  /** Quoted names are compared exactly. */
  readonly quoted: boolean;
}

/** An open connection to one database. */
export interface Driver extends Executor {
  readonly dialect: Dialect;
  /** The target, safe to print: no password. */
  readonly display: string;
  /** Run `fn` in a transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /**
   * Take the one-runner-at-a-time lock, waiting up to `waitMs`.
   * Resolves to the release function; throws LockBusyError when the wait runs out.
   */
  lock(waitMs: number): Promise<() => Promise<void>>;
  /**
   * Does this table exist? Pass the transaction's executor when asking inside
   * {@linkcode Driver.transaction} (a one-connection driver cannot query beside it).
   */
  tableExists(t: TableName, exec?: Executor): Promise<boolean>;
  /**
   * What a killed or failed non-transactional statement can leave half-made (PostgreSQL:
   * `CREATE INDEX CONCURRENTLY` leaves an INVALID index). Optional: a driver whose
   * dialect leaves nothing of the kind behind leaves it out.
   */
  readonly leftovers?: LeftoverCheck;
  /**
   * Whether `o` exists now and is usable (PostgreSQL: an INVALID index does not count),
   * from the catalog; undefined when this driver cannot tell (an index without its table
   * on MySQL). Optional: a driver without it is never asked.
   */
  schemaObjectExists?(o: SchemaObject): Promise<boolean | undefined>;
  /**
   * How far the replicas trail this server, in ms (the largest replay lag; 0 with none);
   * undefined when replicas exist but this login may not see their lag. Optional: a
   * driver that cannot tell leaves it out, and `--max-replica-lag` is refused.
   */
  replicaLagMs?(): Promise<number | undefined>;
  /**
   * Sizes of the named tables (as written in statements); tables that do not exist are
   * left out. Optional: where the database has no cheap size, the plan goes without.
   */
  tableSizes?(tables: readonly string[]): Promise<Map<string, TableSizeInfo>>;
  /**
   * The current columns of the named tables (as written in statements; missing tables
   * left out), by table, then by column name in lower case. Optional: MySQL has it, to
   * settle what a MODIFY COLUMN does.
   */
  columnsOf?(tables: readonly string[]): Promise<Map<string, Map<string, ColumnDefinition>>>;
  /**
   * The cluster every schema change of this connection goes through, when there is one
   * (Galera). Optional: a single server leaves it out.
   */
  readonly ddlCluster?: DdlCluster;
  /** Who holds what a strong lock would wait for. Optional (PostgreSQL has it). */
  readonly lockInspector?: LockInspector;
  /** Turn a thrown driver error into {@linkcode DbErrorInfo}, or undefined if it is not a database error. */
  errorInfo(err: unknown): DbErrorInfo | undefined;
  close(): Promise<void>;
}

/** A column as the catalog has it now (MySQL: information_schema.COLUMNS), for what a MODIFY changes. */
export interface ColumnDefinition {
  /** `COLUMN_TYPE`, e.g. `int(11)`, `varchar(20)`, `enum('a','b')`. */
  readonly type: string;
  readonly nullable: boolean;
  /** `CHARACTER_OCTET_LENGTH` (null for non-string types). */
  readonly maxBytes: number | null;
  /** `CHARACTER_SET_NAME` (null for non-string types). */
  readonly charset: string | null;
  /** The table's default character set, which a string column redefined without one gets. */
  readonly tableCharset: string | null;
}

/** A cluster whose nodes apply each schema change (MariaDB Galera). */
export interface DdlCluster {
  readonly kind: "galera";
  /**
   * How DDL replicates (`wsrep_OSU_method`): `TOI` (every node runs it at the same point
   * of the replication order; the cluster's writes wait for it), `RSU` (this node only,
   * desynced meanwhile; not replicated), `NBO`.
   */
  readonly method: string;
  /** `wsrep_cluster_size`. */
  readonly nodes: number;
  /** This node's `wsrep_node_name`. */
  readonly nodeName: string;
}

/** A table's size as the database reports it. */
export interface TableSizeInfo {
  /** The table itself (PostgreSQL: `pg_relation_size`, the main fork). */
  readonly bytes: number;
  /** With its indexes and TOAST (PostgreSQL: `pg_total_relation_size`). */
  readonly totalBytes: number;
  /** The planner's row estimate (`reltuples`); negative when never analysed. */
  readonly rows: number;
}

/**
 * A relation a statement is about to lock, and the lock modes, in the database's own
 * names (PostgreSQL: `pg_locks.mode`, e.g. `AccessShareLock`), that conflict with it.
 */
export interface LockRequest {
  /** As written in the statement (`images`, `public.images`), case already folded. */
  readonly relation: string;
  readonly conflictsWith: readonly string[];
}

/** Another session that holds, or has long held, a relation a strong lock needs. */
export interface LockHolder {
  readonly pid: number;
  readonly applicationName: string;
  readonly user: string;
  /** Client address, or `local socket`. */
  readonly client: string;
  /** The relation of the {@linkcode LockRequest} it holds. */
  readonly relation: string;
  /** The lock it holds there (pg_locks name). */
  readonly mode: string;
  /** Its lock conflicts with the one requested (else: it is only a long transaction). */
  readonly conflicting: boolean;
  /** How long its transaction has been open, ms; null outside a transaction. */
  readonly transactionAgeMs: number | null;
  /** `active`, `idle in transaction`, ... */
  readonly state: string;
  /** First line of its current (or last) query, cut to 80 characters. */
  readonly query: string;
}

/**
 * Who stands in the way of a strong lock (PostgreSQL: pg_locks and pg_stat_activity):
 * asked before a statement that would otherwise queue, and every reader behind it.
 */
export interface LockInspector {
  /**
   * Other sessions that hold a conflicting lock on a requested relation in a
   * transaction (or statement) open at least `ages.conflictingMs`, or whose transaction
   * touched it and has been open longer than `ages.otherMs` (null: never counts).
   * Relations that do not exist are ignored. Pass the transaction's executor inside
   * {@linkcode Driver.transaction}.
   */
  holders(
    wanted: readonly LockRequest[],
    ages: HolderAges,
    exec?: Executor,
  ): Promise<LockHolder[]>;
}

/** How old a holder's transaction must be to count (see {@linkcode LockInspector}). */
export interface HolderAges {
  readonly conflictingMs: number;
  readonly otherMs: number | null;
}
