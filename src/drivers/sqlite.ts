/**
 * SQLite driver on Deno's built-in `node:sqlite`.
 *
 * Each transaction is `BEGIN IMMEDIATE`, so a revision and its version-row change
 * commit together. The one-runner lock is an advisory `flock` on the database
 * file itself: SQLite locks with `fcntl` byte ranges, which on Linux are
 * independent of `flock`, so the two never interfere, and the kernel drops the
 * lock when the process dies (no stale lock files after SIGKILL).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { ConnectionError, LockBusyError, PermissionError } from "../errors.ts";
import type { DbErrorInfo, Dialect, Driver, Executor, InvalidIndex, TableName } from "./types.ts";
import type { DriverOptions } from "./options.ts";

/** SQLite's dialect: double-quoted identifiers, `?` parameters, no schemas but attached ones. */
export const sqliteDialect: Dialect = {
  name: "sqlite",
  quoteIdent(name: string): string {
    if (name.length === 0 || name.includes("\0")) {
      throw new ConnectionError(`invalid SQL identifier ${JSON.stringify(name)}`);
    }
    return `"${name.replaceAll('"', '""')}"`;
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

/**
 * Where a SQLite URL points: `sqlite:path`, `sqlite:///relative`, `sqlite:////absolute`
 * (SQLAlchemy's forms), or `:memory:`. Returns the file path.
 */
export function sqlitePath(url: string): string {
  let rest = url;
  if (/^sqlite(\+\w+)?:/i.test(rest)) {
    rest = rest.replace(/^sqlite(\+\w+)?:/i, "");
    // SQLAlchemy: sqlite:/// + path, where an absolute path gives four slashes.
    if (rest.startsWith("///")) rest = rest.slice(3);
    else if (rest.startsWith("//")) rest = rest.slice(2);
    const q = rest.indexOf("?");
    if (q >= 0) rest = rest.slice(0, q);
  }
  if (rest === "" || rest === ":memory:") return ":memory:";
  return rest;
}

class SqliteDriver implements Driver {
  readonly dialect = sqliteDialect;
  readonly display: string;
  #db: DatabaseSync;
  #path: string;
  #inTransaction = false;

  constructor(db: DatabaseSync, path: string) {
    this.#db = db;
    this.#path = path;
    this.display = `sqlite:${path}`;
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      if (params.length === 0) {
        // exec() takes one statement with no parameters, including ones prepare() rejects
        // (e.g. a statement list is never passed here; the splitter cut them apart).
        const before = this.#changes();
        this.#db.exec(sql);
        return Promise.resolve(this.#changes() - before);
      }
      const r = this.#db.prepare(sql).run(...(params as never[]));
      return Promise.resolve(Number(r.changes));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      const rows = this.#db.prepare(sql).all(...(params as never[]));
      return Promise.resolve(rows as T[]);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #changes(): number {
    const row = this.#db.prepare("SELECT total_changes() AS n").get() as { n: number };
    return Number(row.n);
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    if (this.#inTransaction) throw new Error("nested transaction");
    this.#db.exec("BEGIN IMMEDIATE");
    this.#inTransaction = true;
    try {
      const result = await fn(this);
      this.#db.exec("COMMIT");
      return result;
    } catch (e) {
      // A failed COMMIT or a statement may already have ended the transaction.
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw e;
    } finally {
      this.#inTransaction = false;
    }
  }

  async lock(waitMs: number): Promise<() => Promise<void>> {
    if (this.#path === ":memory:") return () => Promise.resolve();
    const file = await Deno.open(this.#path, { read: true, write: true });
    const deadline = Date.now() + waitMs;
    for (let delay = 20;; delay = Math.min(delay * 2, 250)) {
      if (await file.tryLock(true)) break;
      if (Date.now() >= deadline) {
        file.close();
        throw new LockBusyError(
          `another bellows run holds the migration lock on ${this.display}; waited ${
            (waitMs / 1000).toFixed(1)
          }s (raise --lock-wait to wait longer)`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
    }
    return async () => {
      await file.unlock();
      file.close();
    };
  }

  tableExists(t: TableName, exec: Executor = this): Promise<boolean> {
    const master = t.schema
      ? `${this.dialect.quoteIdent(t.schema)}.sqlite_master`
      : "sqlite_master";
    return exec.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${master} WHERE type = 'table' AND name = ?`,
      [t.name],
    ).then((rows) => Number(rows[0].n) > 0);
  }

  /** SQLite builds every index inside a transaction: none is ever left half-built. */
  invalidIndexes(): Promise<InvalidIndex[]> {
    return Promise.resolve([]);
  }

  errorInfo(err: unknown): DbErrorInfo | undefined {
    if (!(err instanceof Error)) return undefined;
    const e = err as Error & { code?: string };
    if (e.code !== "ERR_SQLITE_ERROR") return undefined;
    return { code: isSqliteBusy(err) ? "SQLITE_BUSY" : "SQLITE_ERROR", message: e.message };
  }

  close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }
}

/** Is this a SQLite "database is locked/busy" error? node:sqlite only gives us the message. */
export function isSqliteBusy(err: unknown): boolean {
  return err instanceof Error && /database (table )?is (locked|busy)/.test(err.message);
}

/**
 * Open a SQLite database file (created if missing).
 * `opts.lockTimeoutMs` becomes SQLite's busy timeout: how long a statement waits for
 * another connection's write lock.
 */
export function openSqlite(url: string, opts: DriverOptions = {}): Promise<Driver> {
  const path = sqlitePath(url);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, {
      timeout: opts.lockTimeoutMs ?? 5000,
      readOnly: opts.readOnly ?? false,
    });
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return Promise.reject(
        new PermissionError(
          `no permission to open ${path}: run with --allow-read=${path} --allow-write=${path}`,
        ),
      );
    }
    const msg = e instanceof Error ? e.message : String(e);
    return Promise.reject(new ConnectionError(`cannot open SQLite database ${path}: ${msg}`));
  }
  try {
    // Fail now, not mid-migration, on a file that is not a SQLite database.
    db.prepare("SELECT count(*) FROM sqlite_master").get();
  } catch (e) {
    db.close();
    const msg = e instanceof Error ? e.message : String(e);
    return Promise.reject(new ConnectionError(`cannot use SQLite database ${path}: ${msg}`));
  }
  return Promise.resolve(new SqliteDriver(db, path));
}
