/**
 * The MySQL / MariaDB driver, on mysql2 (`npm:mysql2`).
 *
 * One dedicated connection per run, as for PostgreSQL, so that session state holds for the
 * whole run: `lock_wait_timeout` / `innodb_lock_wait_timeout`, the statement time limit, and
 * the migration lock, which is a `GET_LOCK()` user lock owned by the session. mysql2 never
 * reconnects a plain connection; once it is lost the driver refuses further work
 * ({@linkcode ConnectionError}), since the lock went with it.
 *
 * The migration lock is per database (its name holds the database name), as on
 * PostgreSQL: runs against different databases of one server do not exclude each other.
 *
 * Statements without parameters go over the text protocol (`query`), which every statement
 * a revision may hold accepts; bellows's own statements with parameters are server-side
 * prepared (`execute`), so no value is ever spliced into SQL text by the client (client-side
 * escaping would be wrong under `sql_mode=NO_BACKSLASH_ESCAPES`).
 *
 * @module
 */

import mysql from "mysql2/promise";
import net from "node:net";
import os from "node:os";
import type tls from "node:tls";
import {
  ConnectionError,
  ConnectionLostError,
  isPermissionError,
  LockBusyError,
  PermissionError,
} from "../errors.ts";
import type { DriverOptions } from "./options.ts";
import type {
  ColumnDefinition,
  DbErrorInfo,
  DbErrorKind,
  DdlCluster,
  Dialect,
  Driver,
  Executor,
  InvalidIndex,
  SchemaObject,
  TableName,
  TableSizeInfo,
} from "./types.ts";
import { type MysqlConfig, parseMysqlConfig } from "./mysql_config.ts";
import { mysqlDialect } from "./dialects.ts";
import { checkConnectPermissions, readFileFor } from "./connect_access.ts";
import {
  galeraLock,
  type GaleraState,
  galeraState,
  nonPrimaryRefusal,
  type SideConnection,
} from "./galera.ts";

export { mysqlDialect };
import { scrub } from "./url.ts";
import { transactionOn } from "./transaction.ts";

/** Longest `GET_LOCK()` name (MySQL 5.7+ refuses longer ones). */
const MAX_LOCK_NAME = 64;

/**
 * The version table's `CREATE TABLE` exactly as Alembic 1.8.1 with PyMySQL 1.0.2 (SQLAlchemy
 * 1.4.46, Debian 12) emits it for MySQL, offline (`alembic upgrade --sql`, followed by `;`)
 * and online alike: no identifier quoting, no ENGINE or CHARSET clause (both come from the
 * server's and the database's defaults), a trailing space after the first column's comma.
 * The server keeps no name for a primary key (it is always `PRIMARY`), so on MariaDB 10.11
 * `SHOW CREATE TABLE alembic_version` reads back:
 *
 * ```sql
 * CREATE TABLE `alembic_version` (
 *   `version_num` varchar(32) NOT NULL,
 *   PRIMARY KEY (`version_num`)
 * ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
 * ```
 *
 * `state/version_table.ts`'s dialect-neutral `versionTableDdl` with backtick quoting creates
 * the same table (checked against real Alembic by `tests/mysql_alembic_ddl_test.ts`).
 * Alembic then writes `INSERT INTO alembic_version (version_num) VALUES ('<rev>')`,
 * `UPDATE alembic_version SET version_num='<new>' WHERE alembic_version.version_num =
 * '<old>'`, and on downgrade to base `DELETE ... WHERE alembic_version.version_num = '<rev>'`
 * and `DROP TABLE alembic_version`, with no BEGIN/COMMIT ("non-transactional DDL").
 */
export const ALEMBIC_VERSION_DDL = "CREATE TABLE alembic_version (\n" +
  "    version_num VARCHAR(32) NOT NULL, \n" +
  "    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n" +
  ")";

/**
 * MySQL / MariaDB error numbers bellows reacts to, by normalised kind (issue 15's registry
 * maps these): a lock wait that timed out, a deadlock, a statement time limit, a lost
 * connection.
 */
export const MYSQL_ERROR_KINDS: Readonly<Record<number, DbErrorKind>> = {
  1205: "lock_timeout", // ER_LOCK_WAIT_TIMEOUT (row and metadata locks)
  1213: "deadlock", // ER_LOCK_DEADLOCK
  // A statement time limit (MariaDB 1969 max_statement_time, MySQL 3024 max_execution_time)
  // is "other", as PostgreSQL's 57014: the statement failed, retrying would fail again.
  1927: "connection_lost", // MariaDB ER_CONNECTION_KILLED
  1053: "connection_lost", // ER_SERVER_SHUTDOWN
  // Galera: "WSREP has not yet prepared node for application use" (ER_UNKNOWN_COM_ERROR):
  // the node left the primary component under the run; nothing more can be done through it.
  1047: "connection_lost",
};

/**
 * Galera's words for a transaction aborted by a conflicting replicated write (brute-force
 * abort) or a failed certification, whatever number the server gives them.
 */
const WSREP_CONFLICT = /WSREP detected deadlock\/conflict/i;

/** The normalised kind of a MySQL error number, or undefined (see {@linkcode MYSQL_ERROR_KINDS}). */
export function mysqlErrorKind(errno: number | undefined): DbErrorKind | undefined {
  return errno === undefined ? undefined : MYSQL_ERROR_KINDS[errno];
}

/** The `GET_LOCK()` name of the migration lock for `database` (at most 64 characters). */
export async function lockName(database: string): Promise<string> {
  const plain = `bellows:${database}`;
  if (Array.from(plain).length <= MAX_LOCK_NAME) return plain;
  // Long names: a prefix to recognise plus a hash that keeps them apart.
  const h = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(database));
  const hex = Array.from(new Uint8Array(h).slice(0, 12), (b) => b.toString(16).padStart(2, "0"))
    .join("");
  return `bellows:${Array.from(database).slice(0, MAX_LOCK_NAME - 9 - 24).join("")}:${hex}`;
}

/**
 * Where in `sql` a MySQL syntax error points: the server says `... near '<rest>' at line
 * N`, `<rest>` being the statement from the error on (cut short by the server). Returns a
 * 1-based code point offset into `sql` (as PostgreSQL's `position`), or undefined.
 */
export function syntaxErrorPosition(sql: string, message: string): number | undefined {
  const m = /near '([\s\S]*)' at line (\d+)\s*$/.exec(message);
  if (!m) return undefined;
  const line = Number(m[2]);
  const lineStarts = [0];
  for (let i = 0; i < sql.length; i++) if (sql[i] === "\n") lineStarts.push(i + 1);
  const lineOf = (index: number) => {
    let n = 0;
    while (n + 1 < lineStarts.length && lineStarts[n + 1] <= index) n++;
    return n + 1;
  };
  const toPosition = (index: number) => Array.from(sql.slice(0, index)).length + 1;
  // `near ''`: the statement ended too early; point just after its last character.
  if (m[1] === "") return toPosition(sql.trimEnd().length);
  // The server may cut the snippet inside a multi-byte character: shorten until found.
  for (let near = m[1]; near.length > 0; near = near.slice(0, -1)) {
    const hits: number[] = [];
    for (let at = sql.indexOf(near); at >= 0; at = sql.indexOf(near, at + 1)) hits.push(at);
    if (hits.length === 0) continue;
    // The snippet runs to the end of the statement when it was not cut: prefer that one,
    // then one on the line the server names.
    const atEnd = hits.filter((at) => sql.slice(at).trimEnd() === near.trimEnd());
    const onLine = hits.filter((at) => lineOf(at) === line);
    return toPosition(atEnd.find((at) => lineOf(at) === line) ?? onLine[0] ?? atEnd[0] ?? hits[0]);
  }
  return undefined;
}

interface MysqlErrorLike {
  errno?: number;
  code?: string;
  sqlState?: string;
  sqlMessage?: string;
  sql?: string;
  fatal?: boolean;
  message: string;
}

/** Is this an error the server sent (it has an error number and SQLSTATE)? */
function isServerError(e: unknown): e is MysqlErrorLike & Error {
  return e instanceof Error && typeof (e as MysqlErrorLike).errno === "number" &&
    (e as MysqlErrorLike).errno! > 0 && typeof (e as MysqlErrorLike).sqlState === "string";
}

/** Client-side codes that mean the connection is gone (mysql2's and Node's). */
const CONNECTION_CODES = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENOENT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** The connection's permissions, checked before mysql2 tries. */
function checkPermissions(cfg: MysqlConfig): void {
  checkConnectPermissions(cfg);
}

/** mysql2's `ssl` option for the config's TLS settings (undefined = plain). */
function sslOption(cfg: MysqlConfig): Record<string, unknown> | undefined {
  const t = cfg.tls;
  if (!t || cfg.socket !== undefined) return undefined;
  const ssl: Record<string, unknown> = {
    rejectUnauthorized: t.verifyCert,
    verifyIdentity: t.verifyIdentity,
  };
  if (t.ca) ssl.ca = readFileFor("ssl_ca", t.ca, cfg.display);
  if (t.cert) ssl.cert = readFileFor("ssl_cert", t.cert, cfg.display);
  if (t.key) ssl.key = readFileFor("ssl_key", t.key, cfg.display);
  return ssl;
}

/** Why a connection attempt failed, in a few words (password-free once scrubbed). */
function describeConnectFailure(e: unknown, cfg: MysqlConfig): string {
  if (isServerError(e)) return `${e.sqlMessage ?? e.message} (${e.errno}, SQLSTATE ${e.sqlState})`;
  const err = e as Error & { code?: string };
  const code = err?.code ?? "";
  const target = cfg.socket ?? `${cfg.host}:${cfg.port}`;
  if (code === "ECONNREFUSED") return `connection refused at ${target}`;
  if (code === "ENOENT" && cfg.socket !== undefined) return `no server socket at ${target}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
    return `unknown host "${cfg.host}"`;
  }
  if (code === "ETIMEDOUT") {
    return `no answer within ${cfg.connectTimeoutMs / 1000}s (connect_timeout)`;
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return `${target} is unreachable`;
  if (code === "HANDSHAKE_NO_SSL_SUPPORT") {
    return "the server does not offer TLS, which the ssl_* parameters ask for";
  }
  if (code === "HANDSHAKE_SSL_ERROR") {
    // mysql2 replaces Node's code with its own; the message and the certificate remain.
    const cert = (err as { cert?: tls.PeerCertificate }).cert;
    if (/altnames|does not match/i.test(err.message)) {
      const names = cert?.subjectaltname ? `it is for ${cert.subjectaltname}` : err.message;
      return `server certificate does not match host "${cfg.host}" (${names})`;
    }
    if (/expired|not yet valid/i.test(err.message)) {
      return `server certificate is not valid now (${err.message})`;
    }
    if (/certificate|self[- ]signed|issuer/i.test(err.message)) {
      return `server certificate not trusted (${err.message}): give its CA with ` +
        `ssl_ca=<file>, or ssl_verify_cert=false to skip verification`;
    }
    return `TLS handshake failed (${err.message})`;
  }
  if (code === "PROTOCOL_CONNECTION_LOST" || code === "ECONNRESET") {
    return "the server closed the connection during start-up";
  }
  if (err instanceof TypeError && /Unknown charset/.test(err.message)) {
    return `unknown charset "${cfg.charset}"`;
  }
  return err?.message ?? String(e);
}

function toConnectError(e: unknown, cfg: MysqlConfig): Error {
  if (e instanceof ConnectionError || e instanceof PermissionError) return e;
  // Scrub the whole line: even the display may echo a password (as a database name, say).
  const safe = (text: string) => scrub(text.split("\n")[0], [cfg.password]);
  if (isPermissionError(e)) {
    return new PermissionError(safe(`connecting to ${cfg.display}: ${(e as Error).message}`));
  }
  // The cause is left off: a raw client error is not ours to vouch for as password-free.
  return new ConnectionError(
    safe(`cannot connect to ${cfg.display}: ${describeConnectFailure(e, cfg)}`),
  );
}

/** This machine's name for the lock's holder, when Deno may read it. */
function localHost(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown host";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/** Whole seconds for a millisecond limit, rounded up; 0 (no limit) becomes MySQL's maximum. */
function limitSeconds(ms: number): number {
  if (ms <= 0) return 31_536_000; // one year: lock_wait_timeout's maximum
  return Math.min(31_536_000, Math.ceil(ms / 1000));
}

/**
 * The TCP socket mysql2 talks over, opened here rather than by mysql2: Node's TLS checks the
 * certificate against the socket's `_host`, which only a socket we open carries. Opened by
 * mysql2, an IP address would be checked as "localhost" (so a certificate for localhost
 * would pass for any address).
 */
function tcpStream(host: string, port: number): net.Socket {
  const socket = net.connect({ host, port });
  (socket as unknown as { _host: string })._host = host;
  socket.setNoDelay(true);
  // A dead peer is noticed even while a long statement or lock wait is running.
  socket.on("connect", () => socket.setKeepAlive(true, 60_000));
  return socket;
}

type Connection = mysql.Connection;
type Result = unknown;

/** Rows (for a result set) and the changed-row count (for anything else) of a mysql2 result. */
function resultOf(r: Result): { rows: Record<string, unknown>[]; count: number } {
  if (Array.isArray(r)) return { rows: r as Record<string, unknown>[], count: 0 };
  const header = r as { affectedRows?: number };
  return { rows: [], count: header?.affectedRows ?? 0 };
}

/** The session the driver runs in: what the server told us when it opened. */
interface Session {
  readonly id: number;
  readonly version: string;
  readonly mariadb: boolean;
}

/**
 * An open MySQL / MariaDB connection (a {@linkcode Driver} once `DialectName` includes
 * `mysql`; see the module docs).
 */
export class MysqlDriver implements Omit<Driver, "dialect"> {
  /** The dialect. */
  readonly dialect: Dialect = mysqlDialect;
  /** The target, safe to print: no password. */
  readonly display: string;
  #cfg: MysqlConfig;
  #conn!: Connection;
  #session: Session = { id: 0, version: "", mariadb: false };
  #closing = false;
  #lost = false;
  #lostWhy = "";
  #inTransaction = false;
  #galera: GaleraState | undefined;
  /** Galera: the lease's connections, and how to end the lease (close() does if need be). */
  #sides = new Set<Connection>();
  #releaseLease: (() => Promise<void>) | undefined;
  /** Rejected when the Galera lease is lost: fails the statement in flight at once. */
  #abandoned = Promise.withResolvers<never>();
  #leaseLost = false;

  constructor(cfg: MysqlConfig, private readonly opts: DriverOptions) {
    // Only ever awaited in a race; unobserved until the lease is lost.
    this.#abandoned.promise.catch(() => {});
    this.#cfg = cfg;
    this.display = cfg.display;
  }

  /** The server's id of this driver's connection (`CONNECTION_ID()`). */
  get connectionId(): number {
    return this.#session.id;
  }

  /** Is the server MariaDB (as opposed to MySQL)? */
  get mariadb(): boolean {
    return this.#session.mariadb;
  }

  /** Galera's state when the server is a Galera node (`wsrep_on`), else undefined. */
  get galera(): GaleraState | undefined {
    return this.#galera;
  }

  /** On Galera: how the cluster applies this connection's schema changes. */
  get ddlCluster(): DdlCluster | undefined {
    const g = this.#galera;
    return g && { kind: "galera", method: g.osuMethod, nodes: g.clusterSize, nodeName: g.nodeName };
  }

  /** A new connection with the run's settings (the run's own, or a side one). */
  #open(): Promise<Connection> {
    const cfg = this.#cfg;
    const ssl = sslOption(cfg);
    return mysql.createConnection({
      host: cfg.socket === undefined ? cfg.host : undefined,
      port: cfg.port,
      socketPath: cfg.socket,
      stream: cfg.socket === undefined ? () => tcpStream(cfg.host!, cfg.port) : undefined,
      user: cfg.user,
      password: cfg.password ?? "",
      database: cfg.database,
      charset: cfg.charset,
      connectTimeout: cfg.connectTimeoutMs > 0 ? cfg.connectTimeoutMs : undefined,
      ssl,
      // One statement per call: a revision's statements are split and run one by one.
      multipleStatements: false,
      // LOAD DATA LOCAL would let the server read files off this machine.
      flags: ["-LOCAL_FILES"],
      supportBigNumbers: true,
      // Revision scripts are written for the server's own session time zone.
      dateStrings: true,
    });
  }

  /** Open the connection and set the session up. */
  async connect(): Promise<void> {
    const cfg = this.#cfg;
    try {
      this.#conn = await this.#open();
    } catch (e) {
      throw toConnectError(e, cfg);
    }
    this.#conn.on("error", (e: Error) => {
      // mysql2 emits fatal errors here (the socket closed); queries then fail at once.
      if (!this.#closing) {
        this.#lost = true;
        this.#lostWhy = this.#lossReason(e);
      }
    });
    try {
      const [rows] = await this.#conn.query("SELECT CONNECTION_ID() AS id, VERSION() AS version");
      const row = (rows as Record<string, unknown>[])[0];
      const version = String(row.version);
      this.#session = { id: Number(row.id), version, mariadb: /mariadb/i.test(version) };
      await this.#detectGalera();
      await this.#configureSession();
    } catch (e) {
      throw this.#mapError(e);
    }
  }

  /**
   * Galera: note the node's state, and refuse a node outside the primary component before
   * anything is written (SHOW works there; most other statements fail with 1047).
   */
  async #detectGalera(): Promise<void> {
    const pairs = async (sql: string) => {
      const [rows] = await this.#conn.query(sql);
      return Object.fromEntries(
        (rows as Record<string, unknown>[]).map((r) => [String(r.Variable_name), String(r.Value)]),
      );
    };
    // Session values (the global ones unless set): what the run's statements get.
    const vars = await pairs(
      "SHOW VARIABLES WHERE Variable_name IN ('wsrep_on', 'wsrep_node_name', 'wsrep_OSU_method')",
    );
    if (!/^(on|1)$/i.test(vars.wsrep_on ?? "")) return;
    const status = await pairs(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_cluster_status', " +
        "'wsrep_cluster_size', 'wsrep_local_state_comment')",
    );
    this.#galera = galeraState(vars, status);
    const refusal = this.#galera && nonPrimaryRefusal(this.display, this.#galera);
    if (refusal) throw new ConnectionError(scrub(refusal, [this.#cfg.password]));
    const osu = Object.entries(vars).find(([k]) => k.toLowerCase() === "wsrep_osu_method")?.[1];
    if (osu && osu.toUpperCase() !== "TOI") {
      // bellows never switches it; a server set up so is said out loud.
      this.opts.onNotice?.(
        `WARNING: wsrep_OSU_method=${osu} on ${this.display}: DDL statements apply to this ` +
          `node only and are not replicated; run the same revisions on every node, or use TOI`,
      );
    }
  }

  async #configureSession(): Promise<void> {
    const set: string[] = [];
    if (this.opts.lockTimeoutMs !== undefined) {
      // Metadata locks (DDL waiting for a table) and InnoDB row locks: whole seconds.
      const s = limitSeconds(this.opts.lockTimeoutMs);
      set.push(`lock_wait_timeout = ${s}`, `innodb_lock_wait_timeout = ${s}`);
    }
    if (this.opts.statementTimeoutMs !== undefined) {
      const ms = Math.max(0, Math.round(this.opts.statementTimeoutMs));
      // MariaDB: max_statement_time in seconds (fractions allowed), every statement.
      // MySQL: max_execution_time in ms, read-only SELECTs only; 0 = none on both.
      set.push(
        this.#session.mariadb ? `max_statement_time = ${ms / 1000}` : `max_execution_time = ${ms}`,
      );
    }
    if (set.length > 0) await this.run(`SET SESSION ${set.join(", ")}`);
  }

  #lossReason(e: unknown): string {
    if (isServerError(e)) return `${e.sqlMessage ?? e.message} (${e.errno})`;
    const code = (e as { code?: string })?.code;
    // The socket's own words (`read ECONNRESET`, `write EPIPE`) say the same as a close.
    if (code === "PROTOCOL_CONNECTION_LOST" || code === "ECONNRESET" || code === "EPIPE") {
      return "the server closed it (connection killed, server restarted or network cut)";
    }
    return (e as Error)?.message ?? String(e);
  }

  #lostError(why: string, cause?: unknown): ConnectionError {
    if (this.#leaseLost) {
      return new ConnectionError(
        `${why}; this run stopped so that nothing of it is written once another run holds the lock`,
        { cause },
      );
    }
    return new ConnectionLostError(
      scrub(
        `lost the connection to ${this.display}: ${why}; ` + (this.#releaseLease
          // Galera: the lock row is the cluster's; it outlives the connection.
          ? `the migration lock stays held until its ${
            this.#cfg.lockLeaseMs / 1000
          }s lease runs out, then another run may take it over`
          : "the migration lock and session settings went with it"),
        [this.#cfg.password],
      ).split("\n")[0],
      { cause },
    );
  }

  #usable(): Connection {
    if (this.#closing) throw new Error("MySQL driver used after close()");
    if (this.#lost) throw this.#lostError(this.#lostWhy);
    return this.#conn;
  }

  /** Turn a lost-connection failure into ConnectionError; leave statement errors as they are. */
  #mapError(e: unknown): unknown {
    if (isPermissionError(e)) {
      return new PermissionError(scrub((e as Error).message, [this.#cfg.password]));
    }
    const err = e as MysqlErrorLike;
    const kind = isServerError(e) ? mysqlErrorKind(err.errno) : undefined;
    const gone = kind === "connection_lost" ||
      (!isServerError(e) &&
        (err?.fatal === true || (typeof err?.code === "string" && CONNECTION_CODES.has(err.code))));
    if (gone || (this.#lost && !isServerError(e))) {
      if (!this.#lost) {
        this.#lost = true;
        this.#lostWhy = this.#lossReason(e);
      }
      // The server's own words (1927 "Connection was killed") beat a later client error.
      return this.#lostError(this.#lostWhy, isServerError(e) ? e : undefined);
    }
    return e;
  }

  async #exec(conn: Connection, text: string, params?: readonly unknown[]) {
    try {
      const pending = params && params.length > 0
        ? conn.execute(
          text,
          params.map((p) => p === undefined ? null : p) as never[],
        )
        : conn.query(text);
      // A lost lease ends the statement in flight too (mysql2 leaves it pending, and may
      // reject it later: that rejection is nobody's to handle then).
      pending.catch(() => {});
      const [r] = await Promise.race([pending, this.#abandoned.promise]);
      return resultOf(r);
    } catch (e) {
      throw this.#mapError(e);
    }
  }

  #outside(): Connection {
    const conn = this.#usable();
    if (this.#inTransaction) {
      // The statement would run inside the transaction, which is not what was asked.
      throw new Error("use the transaction's executor inside transaction()");
    }
    return conn;
  }

  /** Run one statement, returning the number of rows it changed (matched, for UPDATE). */
  async run(text: string, params?: readonly unknown[]): Promise<number> {
    return (await this.#exec(this.#outside(), text, params)).count;
  }

  /** Run one query and return its rows as objects keyed by column name. */
  async query<T = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<T[]> {
    return (await this.#exec(this.#outside(), text, params)).rows as T[];
  }

  /**
   * START TRANSACTION … COMMIT on the one connection. A DDL statement inside commits
   * implicitly (MySQL has no transactional DDL): the runner must not put one here and
   * count on a rollback.
   */
  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    this.#outside();
    this.#inTransaction = true;
    try {
      return await transactionOn(
        {
          exec: (text, params) => this.#exec(this.#usable(), text, params),
          lost: () => this.#lost,
        },
        "START TRANSACTION",
        fn,
      );
    } finally {
      this.#inTransaction = false;
    }
  }

  /**
   * The migration lock: `GET_LOCK('bellows:<database>', wait)` on this connection. The
   * server waits (fractions of a second are honoured); the lock ends with the session.
   * On Galera, where `GET_LOCK()` is node-local, a leased row instead (see galera.ts).
   */
  async lock(waitMs: number): Promise<() => Promise<void>> {
    const name = await lockName(this.#cfg.database);
    if (this.#galera) return await this.#galeraLock(name, waitMs);
    const start = Date.now();
    const [row] = await this.query<{ ok: number | null }>(
      "SELECT GET_LOCK(?, ?) AS ok",
      [name, Math.max(0, waitMs) / 1000],
    );
    if (row.ok !== 1) throw await this.#lockBusy(name, Date.now() - start);
    let released = false;
    return async () => {
      // After a lost connection the server has already dropped the lock.
      if (released || this.#lost || this.#closing) return;
      released = true;
      try {
        await this.query("SELECT RELEASE_LOCK(?) AS released", [name]);
      } catch (e) {
        // Lost while letting go: the lock went with the session, and the run's work is done.
        if (!(e instanceof ConnectionLostError)) throw e;
      }
    };
  }

  async #galeraLock(name: string, waitMs: number): Promise<() => Promise<void>> {
    const sides = this.#sides;
    const release = await galeraLock({
      display: this.display,
      name,
      leaseMs: this.#cfg.lockLeaseMs,
      connectionId: this.#session.id,
      nodeName: this.#galera?.nodeName ?? "",
      host: localHost(),
      run: (sql, params) => this.run(sql, params),
      query: (sql, params) => this.query(sql, params),
      openSide: async (): Promise<SideConnection> => {
        const conn = await this.#open();
        sides.add(conn);
        // A lost side connection only fails its next query, which the lease handles.
        conn.on("error", () => {});
        return {
          query: async (sql, params) => {
            const [r] = params && params.length > 0
              ? await conn.execute(sql, params as never[])
              : await conn.query(sql);
            return resultOf(r);
          },
          end: async () => {
            sides.delete(conn);
            await conn.end();
          },
          destroy: () => {
            sides.delete(conn);
            conn.destroy();
          },
        };
      },
      errno: (e) => isServerError(e) ? e.errno : undefined,
      abandon: (why) => {
        if (this.#lost || this.#closing) return;
        this.#lost = true;
        this.#lostWhy = why;
        this.#leaseLost = true;
        // Cut the run's connection: nothing more of this run reaches the server.
        this.#conn.destroy();
        this.#abandoned.reject(this.#lostError(why));
      },
      notice: (m) => this.opts.onNotice?.(m),
    }, waitMs);
    this.#releaseLease = release;
    return release;
  }

  async #lockBusy(name: string, waited: number): Promise<LockBusyError> {
    // IS_USED_LOCK needs no privilege; the process list shows other users' sessions only
    // with the PROCESS privilege.
    const holder = await this.query<Record<string, string | number | null>>(
      "SELECT IS_USED_LOCK(?) AS id",
      [name],
    ).then(async ([r]) => {
      if (r?.id === null || r?.id === undefined) return "holder not visible";
      const [p] = await this.query<Record<string, string | number | null>>(
        `SELECT USER AS user, HOST AS host, COMMAND AS command, TIME AS time,
                DATE_FORMAT(UTC_TIMESTAMP() - INTERVAL TIME SECOND, '%Y-%m-%dT%H:%i:%sZ') AS since
           FROM information_schema.PROCESSLIST WHERE ID = ?`,
        [r.id],
      ).catch(() => []);
      return [
        `connection id ${r.id}`,
        p?.user ? `user ${p.user}` : undefined,
        p?.host ? `host ${p.host}` : undefined,
        // The process list knows when the session's current command began, not when the
        // lock was taken: an idle holder shows when it last ran something.
        p?.since ? `${p.command === "Sleep" ? "idle" : "busy"} since ${p.since}` : undefined,
        p ? undefined : "details need the PROCESS privilege",
      ].filter(Boolean).join(", ");
    }).catch((e) => {
      if (e instanceof ConnectionError) throw e;
      return "holder not visible";
    });
    return new LockBusyError(
      `another bellows run holds the migration lock on ${this.display} (${holder}); ` +
        `waited ${seconds(waited)}`,
    );
  }

  /** Does this table exist? `t.schema` is a database name; none means the URL's database. */
  async tableExists(t: TableName, exec: Executor = this): Promise<boolean> {
    const rows = await exec.query<{ found: number }>(
      `SELECT COUNT(*) AS found FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`,
      [t.schema ?? null, t.name],
    );
    return Number(rows[0].found) > 0;
  }

  /**
   * Sizes from information_schema.TABLES (InnoDB's estimates, refreshed by ANALYZE TABLE):
   * DATA_LENGTH is the clustered index, i.e. the rows; with INDEX_LENGTH, the whole table.
   * `db.t` names another database; a bare name is the URL's.
   */
  async tableSizes(tables: readonly string[]): Promise<Map<string, TableSizeInfo>> {
    const out = new Map<string, TableSizeInfo>();
    for (const label of new Set(tables)) {
      const [schema, name] = schemaAndName(label);
      const rows = await this.query<Record<"bytes" | "total" | "rows", unknown>>(
        `SELECT DATA_LENGTH AS bytes, DATA_LENGTH + INDEX_LENGTH AS total, TABLE_ROWS AS \`rows\`
           FROM information_schema.TABLES
          WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`,
        [schema, name],
      );
      const r = rows[0];
      if (!r) continue;
      out.set(label, {
        bytes: Number(r.bytes ?? 0),
        totalBytes: Number(r.total ?? 0),
        rows: r.rows === null ? -1 : Number(r.rows),
      });
    }
    return out;
  }

  /** See {@linkcode Driver.columnsOf}: information_schema.COLUMNS, with the table's charset. */
  async columnsOf(tables: readonly string[]): Promise<Map<string, Map<string, ColumnDefinition>>> {
    const out = new Map<string, Map<string, ColumnDefinition>>();
    for (const label of new Set(tables)) {
      const [schema, name] = schemaAndName(label);
      const rows = await this.query<Record<string, unknown>>(
        `SELECT c.COLUMN_NAME AS name, c.COLUMN_TYPE AS type, c.IS_NULLABLE AS nullable,
                c.CHARACTER_OCTET_LENGTH AS max_bytes, c.CHARACTER_SET_NAME AS charset,
                co.CHARACTER_SET_NAME AS table_charset
           FROM information_schema.COLUMNS c
           JOIN information_schema.TABLES t
             ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
           LEFT JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = t.TABLE_COLLATION
          WHERE c.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND c.TABLE_NAME = ?`,
        [schema, name],
      );
      if (rows.length === 0) continue;
      out.set(
        label,
        new Map(rows.map((r) => [String(r.name).toLowerCase(), {
          type: String(r.type),
          nullable: r.nullable === "YES",
          maxBytes: r.max_bytes === null ? null : Number(r.max_bytes),
          charset: r.charset === null ? null : String(r.charset),
          tableCharset: r.table_charset === null ? null : String(r.table_charset),
        }])),
      );
    }
    return out;
  }

  /**
   * Whether a table, view, index or column exists, from information_schema. Unquoted names
   * compare without case (MySQL folds column and index names; table names may be written
   * in any case on a case-insensitive setup); quoted ones exactly. An index needs its table
   * (index names are per table here): without one, undefined.
   */
  async schemaObjectExists(o: SchemaObject): Promise<boolean | undefined> {
    const eq = (col: string) => o.quoted ? `BINARY ${col} = ?` : `LOWER(${col}) = LOWER(?)`;
    const tableEq = (col: string) => `LOWER(${col}) = LOWER(?)`;
    const schema = "TABLE_SCHEMA = COALESCE(?, DATABASE())";
    let sql: string;
    let params: unknown[];
    if (o.kind === "table" || o.kind === "view") {
      sql = `SELECT COUNT(*) AS found FROM information_schema.TABLES WHERE ${schema} AND ${
        eq("TABLE_NAME")
      } AND TABLE_TYPE ${o.kind === "view" ? "=" : "<>"} 'VIEW'`;
      params = [o.schema ?? null, o.name];
    } else {
      if (!o.table) return undefined;
      const [from, col] = o.kind === "index"
        ? ["STATISTICS", "INDEX_NAME"]
        : ["COLUMNS", "COLUMN_NAME"];
      sql = `SELECT COUNT(*) AS found FROM information_schema.${from} WHERE ${schema} AND ${
        tableEq("TABLE_NAME")
      } AND ${eq(col)}`;
      params = [o.schema ?? null, o.table, o.name];
    }
    const rows = await this.query<{ found: number }>(sql, params);
    return Number(rows[0].found) > 0;
  }

  /**
   * Always empty: MySQL and MariaDB build an index inside its `ALTER TABLE`, so a failed or
   * killed one leaves nothing behind (MariaDB 10.6+ and MySQL 8 make DDL atomic).
   */
  invalidIndexes(): Promise<InvalidIndex[]> {
    return Promise.resolve([]);
  }

  /**
   * Turn a thrown driver error into {@linkcode DbErrorInfo}: `code` is `<errno> (<SQLSTATE>)`
   * (e.g. `1064 (42000)`), `position` comes from a syntax error's `near '...' at line N`.
   */
  errorInfo(err: unknown): DbErrorInfo | undefined {
    let e: unknown = err;
    for (let depth = 0; e !== undefined && depth < 5; depth++) {
      if (isServerError(e)) {
        const message = e.sqlMessage ?? e.message;
        const position = e.sql !== undefined ? syntaxErrorPosition(e.sql, message) : undefined;
        return {
          code: `${e.errno} (${e.sqlState})`,
          kind: WSREP_CONFLICT.test(message) ? "deadlock" : mysqlErrorKind(e.errno) ?? "other",
          message,
          ...(position !== undefined ? { position } : {}),
        };
      }
      e = (e as { cause?: unknown })?.cause;
    }
    return undefined;
  }

  /** Close the connection (the server then drops the migration lock). */
  async close(): Promise<void> {
    if (this.#closing) return;
    // A lease still running (release() not called) ends here, row removed when possible.
    await this.#releaseLease?.().catch(() => {});
    for (const side of this.#sides) side.destroy();
    this.#closing = true;
    if (!this.#conn) return;
    if (this.#lost) {
      this.#conn.destroy();
      return;
    }
    // end() waits for queued commands; a wedged server must not hold the exit forever.
    await Promise.race([
      this.#conn.end().catch(() => {}),
      sleep(5000).then(() => this.#conn.destroy()),
    ]);
  }
}

/** Read option files through Deno, naming the flag when reading is not allowed. */
function optionFileReader(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (isPermissionError(e)) {
      throw new PermissionError(`reading option file ${path} needs --allow-read=${path}`);
    }
    throw e;
  }
}

/** The OS user name: the database user when neither URL nor option file names one. */
function osUser(): string | undefined {
  try {
    return os.userInfo().username;
  } catch (e) {
    if (isPermissionError(e)) {
      throw new PermissionError(
        "no database user in the URL or option file, and reading the OS user name needs " +
          "--allow-sys=uid,gid,userInfo",
      );
    }
    return undefined;
  }
}

/**
 * The home directory for `~/` in `read_default_file`: `HOME` from `opts.env` when a test
 * passes one, else the OS account's (the `userInfo` call bellows is already allowed; no
 * environment variable beyond the compiled list is read).
 */
function homeDir(env: DriverOptions["env"]): () => string | undefined {
  return () => {
    if (env) return env.HOME;
    try {
      return os.userInfo().homedir;
    } catch (e) {
      if (isPermissionError(e)) {
        throw new PermissionError(
          "expanding ~ in read_default_file needs --allow-sys=uid,gid,userInfo",
        );
      }
      return undefined;
    }
  };
}

/** `db.t` → [`db`, `t`]; a bare `t` is in the URL's database (null). */
function schemaAndName(label: string): [string | null, string] {
  const dot = label.indexOf(".");
  return dot === -1 ? [null, label] : [label.slice(0, dot), label.slice(dot + 1)];
}

/**
 * Open a MySQL / MariaDB connection for one run.
 *
 * Throws {@linkcode UsageError} for a URL that cannot be parsed (exit 2), {@linkcode
 * ConnectionError} (unreachable, login refused, TLS failure,
 * timeout: one line naming the password-free target) or {@linkcode PermissionError}
 * (a Deno permission is missing; the message names the flag).
 */
export async function openMysql(url: string, opts: DriverOptions = {}): Promise<MysqlDriver> {
  const cfg = parseMysqlConfig(url, {
    readFile: optionFileReader,
    homeDir: homeDir(opts.env),
    osUser,
    connectTimeoutMs: opts.connectTimeoutMs,
  });
  checkPermissions(cfg);
  const driver = new MysqlDriver(cfg, opts);
  try {
    await driver.connect();
  } catch (e) {
    await driver.close().catch(() => {});
    throw e;
  }
  return driver;
}
