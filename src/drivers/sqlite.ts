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
import {
  ConnectionError,
  isPermissionError,
  LockBusyError,
  PermissionError,
  UsageError,
} from "../errors.ts";
import type { DbErrorInfo, Driver, Executor, SchemaObject, TableName } from "./types.ts";
import { sqliteDialect } from "./dialects.ts";
import type { DriverOptions } from "./options.ts";

export { sqliteDialect };

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
  /** A read-only look at a file that does not exist: an empty database in memory. */
  #memory: boolean;
  #schemas?: Set<string>;
  #inTransaction = false;
  /** Set while a header-less file's journal waits to be rolled back (see `lock`). */
  #recover?: DriverOptions;

  constructor(db: DatabaseSync, path: string, memory = false, recover?: DriverOptions) {
    this.#db = db;
    this.#path = path;
    this.#memory = memory;
    this.#recover = recover;
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

  // Prepared once: each prepare() holds native memory that V8 does not see, so one per
  // statement run kept ~5 KB each alive until a late GC (200,000 statements: ~1 GB).
  #totalChanges?: ReturnType<DatabaseSync["prepare"]>;

  #changes(): number {
    this.#totalChanges ??= this.#db.prepare("SELECT total_changes() AS n");
    const row = this.#totalChanges.get() as { n: number };
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
      // A failed COMMIT or a statement may already have ended the transaction (SQLite
      // rolls back by itself on a full disk). A failing ROLLBACK leaves the journal, which
      // the next open rolls back; the error that led here is the one to report.
      try {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      } catch {
        // see above
      }
      throw e;
    } finally {
      this.#inTransaction = false;
    }
  }

  async lock(waitMs: number): Promise<() => Promise<void>> {
    if (this.#memory) return () => Promise.resolve();
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.#path, { read: true, write: true });
    } catch (e) {
      throw openFailure(this.#path, e, "write");
    }
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
    if (this.#recover) {
      // No other bellows run writes now: a journal beside a header-less file is an
      // interrupted run's, and the first read rolls it back (or says why it cannot).
      try {
        firstRead(this.#db, this.#path, this.#recover);
      } catch (e) {
        await file.unlock();
        file.close();
        throw e;
      }
      this.#recover = undefined;
    }
    return async () => {
      await file.unlock();
      file.close();
    };
  }

  async tableExists(t: TableName, exec: Executor = this): Promise<boolean> {
    if (t.schema) await this.#checkSchema(t.schema, exec);
    const master = t.schema
      ? `${this.dialect.quoteIdent(t.schema)}.sqlite_master`
      : "sqlite_master";
    return exec.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${master} WHERE type = 'table' AND name = ?`,
      [t.name],
    ).then((rows) => Number(rows[0].n) > 0);
  }

  /**
   * Whether a table, view, index or column exists, from `sqlite_master` and
   * `pragma_table_info`. SQLite compares names without case (ASCII), quoted or not.
   */
  async schemaObjectExists(o: SchemaObject): Promise<boolean | undefined> {
    const master = o.schema
      ? `${this.dialect.quoteIdent(o.schema)}.sqlite_master`
      : "sqlite_master";
    const rows = o.kind === "column"
      ? (o.table
        ? await this.query<{ n: number }>(
          `SELECT count(*) AS n FROM pragma_table_info(?) WHERE name = ? COLLATE NOCASE`,
          [o.table, o.name],
        )
        : undefined)
      : await this.query<{ n: number }>(
        `SELECT count(*) AS n FROM ${master} WHERE type = ? AND name = ? COLLATE NOCASE`,
        [o.kind, o.name],
      );
    return rows && Number(rows[0].n) > 0;
  }

  /** A SQLite schema is an attached database; bellows attaches none, so `main` (or `temp`). */
  async #checkSchema(schema: string, exec: Executor): Promise<void> {
    this.#schemas ??= new Set(
      (await exec.query<{ name: string }>("PRAGMA database_list")).map((r) => r.name),
    );
    if (!this.#schemas.has(schema)) {
      throw new UsageError(
        `SQLite database ${this.#path} has no schema "${schema}" (a SQLite schema is an ` +
          `attached database, and bellows attaches none): leave --version-table-schema out ` +
          `or use "main"`,
      );
    }
  }

  errorInfo(err: unknown): DbErrorInfo | undefined {
    if (!(err instanceof Error)) return undefined;
    const e = err as Error & { code?: string };
    if (e.code !== "ERR_SQLITE_ERROR") return undefined;
    if (isSqliteBusy(err)) return { code: "SQLITE_BUSY", kind: "busy", message: e.message };
    if (/^unable to open database file/.test(e.message)) {
      // SQLITE_CANTOPEN in the middle of a run: the journal beside the file could not be made.
      return {
        code: "SQLITE_CANTOPEN",
        kind: "other",
        message: e.message,
        hint: `SQLite creates its journal file beside ${this.#path}: is that folder writable?`,
      };
    }
    if (/^database or disk is full/.test(e.message)) {
      return {
        code: "SQLITE_FULL",
        kind: "other",
        message: e.message,
        hint: `free space where ${this.#path} and its journal are (SQLite needs room for ` +
          `the journal as well as the data)`,
      };
    }
    return { code: "SQLITE_ERROR", kind: "other", message: e.message };
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

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = "SQLite format 3\0";

/** Why a file could not be opened, as an error naming it (never "needs Deno permission" for EACCES). */
function openFailure(path: string, e: unknown, access: "read" | "write"): Error {
  if (isPermissionError(e)) {
    return new PermissionError(
      `no permission to open ${path}: run with --allow-read=${path}` +
        (access === "write" ? ` --allow-write=${path}` : ""),
    );
  }
  const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
  if (e instanceof Deno.errors.PermissionDenied) {
    return new ConnectionError(
      `cannot ${access === "write" ? "write to" : "read"} SQLite database ${path}: the ` +
        `operating system refused (${msg})`,
    );
  }
  return new ConnectionError(`cannot open SQLite database ${path}: ${msg}`);
}

/**
 * What {@linkcode inspectFile} found: no file, a SQLite file (or an empty one), or a file
 * without SQLite's header beside a journal, which an interrupted first transaction leaves
 * (SQLite writes page 1 last, so the header is missing until the journal is rolled back).
 */
type FileState = "missing" | "database" | "journal";

/** Does `path`'s rollback journal exist with something in it (possibly hot)? */
async function hasJournal(path: string): Promise<boolean> {
  const info = await Deno.stat(`${path}-journal`).catch(() => undefined);
  return info !== undefined && info.isFile && info.size > 0;
}

/**
 * Look at the file before SQLite does, without taking any SQLite lock (a reader would
 * wait behind another run's write): missing, a folder, or not a SQLite file at all.
 */
async function inspectFile(path: string, readOnly: boolean): Promise<FileState> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw openFailure(path, e, "read");
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
    const parent = await Deno.stat(dir).catch(() => undefined);
    if (!parent?.isDirectory) {
      throw new ConnectionError(
        readOnly
          ? `no SQLite database at ${path}: folder ${dir} does not exist`
          : `cannot create SQLite database ${path}: folder ${dir} does not exist`,
      );
    }
    return "missing";
  }
  if (info.isDirectory) {
    throw new ConnectionError(`cannot use SQLite database ${path}: it is a folder`);
  }
  if (info.size === 0) return "database"; // SQLite makes an empty file a database
  let head: Uint8Array;
  try {
    using file = await Deno.open(path, { read: true });
    head = new Uint8Array(SQLITE_HEADER.length);
    const n = await file.read(head);
    head = head.subarray(0, n ?? 0);
  } catch (e) {
    throw openFailure(path, e, "read");
  }
  if (new TextDecoder().decode(head) !== SQLITE_HEADER) {
    // Only SQLite can tell whether the journal is hot (no live writer holds it) and
    // restores the file from it; it reports "file is not a database" if that fails.
    if (await hasJournal(path)) return "journal";
    throw new ConnectionError(`cannot use SQLite database ${path}: file is not a database`);
  }
  return "database";
}

/**
 * Read the schema once, which makes SQLite roll back a hot journal left by an interrupted
 * run (on a writable connection), and report what stands in the way as one error.
 */
function firstRead(db: DatabaseSync, path: string, opts: DriverOptions): void {
  try {
    db.prepare("SELECT count(*) FROM sqlite_master").get();
  } catch (e) {
    if (isSqliteBusy(e)) {
      throw new LockBusyError(
        `SQLite database ${path} is being written by another connection (a bellows run?); ` +
          `waited ${((opts.lockTimeoutMs ?? 5000) / 1000).toFixed(1)}s (--lock-timeout)`,
      );
    }
    const msg = e instanceof Error ? e.message : String(e);
    throw new ConnectionError(`cannot use SQLite database ${path}: ${msg}`);
  }
}

/** Is this SQLite refusing a read-only connection because a hot journal needs rolling back? */
function needsRecovery(e: unknown): boolean {
  return e instanceof Error && /attempt to write a readonly database/.test(e.message);
}

function openDatabase(path: string, opts: DriverOptions, readOnly: boolean): DatabaseSync {
  const timeout = opts.lockTimeoutMs ?? 5000;
  try {
    const db = new DatabaseSync(path, { timeout, readOnly });
    // Deno's node:sqlite drops `timeout` on a read-only connection (it waits 5 s whatever
    // is asked); the pragma sets it on either kind.
    db.exec(`PRAGMA busy_timeout = ${timeout}`);
    return db;
  } catch (e) {
    if (isPermissionError(e)) throw openFailure(path, e, readOnly ? "read" : "write");
    const msg = e instanceof Error ? e.message : String(e);
    throw new ConnectionError(`cannot open SQLite database ${path}: ${msg}`);
  }
}

/**
 * Open a SQLite database file, created if missing, unless `opts.readOnly`: then a
 * missing file is an empty database and is not created, and nothing is written (but
 * for rolling back a hot journal that an interrupted run left, which SQLite needs a
 * writable connection for and which changes no committed data).
 * `opts.lockTimeoutMs` becomes SQLite's busy timeout: how long a statement waits for
 * another connection's write lock. `sqlite:` with no path (`:memory:`) is refused: an
 * in-memory database is gone when bellows exits, so migrating one does nothing.
 */
export async function openSqlite(url: string, opts: DriverOptions = {}): Promise<Driver> {
  const path = sqlitePath(url);
  if (path === ":memory:") {
    throw new UsageError(
      `the SQLite URL '${url}' names no file (an in-memory database is gone when bellows ` +
        `exits): give a path, e.g. sqlite:/var/lib/glance/glance.db`,
    );
  }
  const readOnly = opts.readOnly ?? false;
  const state = await inspectFile(path, readOnly);
  if (state === "missing" && readOnly) {
    return new SqliteDriver(new DatabaseSync(":memory:"), path, true);
  }
  let db = openDatabase(path, opts, readOnly);
  if (!readOnly) {
    // A header-less file with a journal: SQLite rolls the journal back on the first read,
    // which must wait until this run holds the migration lock (a live run's journal is
    // not hot, and reading would only wait behind its write).
    return new SqliteDriver(db, path, false, state === "journal" ? opts : undefined);
  }
  try {
    firstRead(db, path, opts);
  } catch (e) {
    db.close();
    if (!needsRecovery(e)) throw e;
    // An interrupted run's hot journal: a writable connection rolls it back on first read.
    db = openDatabase(path, opts, false);
    try {
      firstRead(db, path, opts);
    } catch (e2) {
      db.close();
      throw new ConnectionError(
        `cannot use SQLite database ${path}: an interrupted run left its journal ` +
          `${path}-journal, and rolling it back failed: ${
            e2 instanceof Error
              ? e2.message.slice(`cannot use SQLite database ${path}: `.length)
              : e2
          }`,
      );
    }
  }
  return new SqliteDriver(db, path);
}
