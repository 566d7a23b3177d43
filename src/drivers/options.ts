/**
 * Options every driver accepts when it opens a connection.
 *
 * @module
 */

/** How a driver is opened. All fields optional; drivers ignore what does not apply to them. */
export interface DriverOptions {
  /** `application_name` and similar: who we are. */
  readonly applicationName?: string;
  /** Per-statement lock wait limit for migration statements (PostgreSQL `lock_timeout`), ms. */
  readonly lockTimeoutMs?: number;
  /** Per-statement time limit (PostgreSQL `statement_timeout`), ms; 0 = none. */
  readonly statementTimeoutMs?: number;
  /** How long to wait for the database to accept a connection, ms. */
  readonly connectTimeoutMs?: number;
  /** Server notices (RAISE NOTICE, ...) are passed here instead of being printed. */
  readonly onNotice?: (message: string) => void;
  /**
   * Open for reading only (SQLite: read-only connection). For `plan`, which reads the
   * version table and nothing else.
   */
  readonly readOnly?: boolean;
  /** Environment to read PG* variables from (defaults to Deno.env). For tests. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}
