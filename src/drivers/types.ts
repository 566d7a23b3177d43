/**
 * The driver interface: the only place that knows a database's dialect.
 *
 * Modeled on goose's and dbmate's small driver interfaces. A {@linkcode Dialect}
 * is pure (it builds SQL text, so offline `--sql` output uses it too); a
 * {@linkcode Driver} executes.
 *
 * @module
 */

/** Supported database dialects; also the names used in script section markers. */
export type DialectName = "sqlite" | "postgresql";

/** Names a version table (Alembic's `version_table` / `version_table_schema`). */
export interface TableName {
  readonly schema?: string;
  readonly name: string;
}

/** Pure SQL generation for one dialect. */
export interface Dialect {
  readonly name: DialectName;
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
  readonly message: string;
  /** 1-based character position inside the statement, when the server reports one. */
  readonly position?: number;
  readonly detail?: string;
  readonly hint?: string;
  /** PostgreSQL: position and query text inside a function or DO body. */
  readonly internalPosition?: number;
  readonly internalQuery?: string;
  readonly where?: string;
}

/** An index left unusable by an interrupted statement, with the SQL that deals with it. */
export interface InvalidIndex {
  /** Qualified name for display, e.g. `public.images_owner_idx`. */
  readonly name: string;
  /** The table it belongs to, qualified. */
  readonly table: string;
  /** Statement that drops it without blocking writers (then the revision can run again). */
  readonly drop: string;
  /** Statement that rebuilds it in place (then the revision can be stamped as done). */
  readonly rebuild: string;
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
   * Indexes a killed or failed non-transactional statement left unusable
   * (PostgreSQL: `CREATE INDEX CONCURRENTLY` leaves an INVALID index), in schema and
   * name order. Empty where the dialect cannot leave such things behind.
   */
  invalidIndexes(): Promise<InvalidIndex[]>;
  /** Turn a thrown driver error into {@linkcode DbErrorInfo}, or undefined if it is not a database error. */
  errorInfo(err: unknown): DbErrorInfo | undefined;
  close(): Promise<void>;
}
