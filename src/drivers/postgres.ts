/**
 * The PostgreSQL driver, on postgres.js (`npm:postgres`).
 *
 * One dedicated connection per run (`max: 1`, no idle or lifetime recycling), so that
 * session state holds for the whole run: `lock_timeout` / `statement_timeout`, and the
 * migration lock, which is a session-level advisory lock. If that connection is lost,
 * the driver refuses further work ({@linkcode ConnectionError}) rather than let
 * postgres.js reconnect silently without the lock.
 *
 * The migration lock is per database: PostgreSQL advisory locks live in one database,
 * so runs against different databases of one cluster do not exclude each other, while
 * runs against the same database do (whatever version table or schema they use).
 *
 * @module
 */

import postgres from "postgres";
import process from "node:process";
import os from "node:os";
import tls from "node:tls";
import { ConnectionError, isPermissionError, LockBusyError, PermissionError } from "../errors.ts";
import type { DriverOptions } from "./options.ts";
import type {
  DbErrorInfo,
  DbErrorKind,
  Dialect,
  Driver,
  Executor,
  Leftover,
  LeftoverCheck,
  TableName,
} from "./types.ts";
import { postgresDialect } from "./dialects.ts";
import {
  parsePgConfig,
  type PgConfig,
  type PgEnvVar,
  scrub,
  socketPath,
  type SslMode,
} from "./pg_config.ts";

/**
 * The advisory lock key: the first 8 bytes of SHA-256("bellows") as a signed
 * big-endian bigint (checked by a test). Fixed, so every bellows version agrees.
 */
export const LOCK_KEY = "8202362007203741024";

export { postgresDialect };

type Sql = postgres.Sql;
type SslOption = false | "prefer" | "require" | tls.ConnectionOptions;

/** Read `PG*` variables from `opts.env`, else Deno.env; unreadable (no --allow-env) = unset. */
function envReader(env: DriverOptions["env"]): (name: PgEnvVar) => string | undefined {
  if (env) return (name) => env[name];
  return (name) => {
    try {
      return Deno.env.get(name);
    } catch (e) {
      if (isPermissionError(e)) return undefined;
      throw e;
    }
  };
}

function socketExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    // Missing or unreadable: either way not usable as the default.
    return false;
  }
}

function osUser(): string | undefined {
  try {
    return os.userInfo().username;
  } catch (e) {
    if (isPermissionError(e)) {
      throw new PermissionError(
        "no database user in the URL or PGUSER, and reading the OS user name needs " +
          "--allow-sys=uid,gid,userInfo",
      );
    }
    return undefined;
  }
}

function granted(desc: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(desc).state === "granted";
  } catch {
    return false;
  }
}

/**
 * Check the Deno permissions the connection needs before postgres.js tries: a refused
 * Unix-socket connect throws inside postgres.js's timer callback, where it becomes an
 * unhandled rejection instead of an error we can report.
 */
function checkPermissions(cfg: PgConfig): void {
  const missing: string[] = [];
  if (cfg.socketDir !== undefined) {
    const path = socketPath(cfg.socketDir, cfg.port);
    if (!granted({ name: "read", path })) missing.push(`--allow-read=${path}`);
    if (!granted({ name: "write", path })) missing.push(`--allow-write=${path}`);
    if (!granted({ name: "net", host: `unix:${path}` })) missing.push(`--allow-net=unix:${path}`);
  } else {
    const host = cfg.host!.includes(":") ? `[${cfg.host}]` : cfg.host;
    if (!granted({ name: "net", host: `${host}:${cfg.port}` })) {
      missing.push(`--allow-net=${host}:${cfg.port}`);
    }
  }
  if (missing.length > 0) {
    throw new PermissionError(
      `connecting to ${cfg.display} needs Deno permission ${missing.join(" ")}`,
    );
  }
}

function readFileFor(what: string, path: string, cfg: PgConfig): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (isPermissionError(e)) {
      throw new PermissionError(`reading ${what} ${path} needs --allow-read=${path}`);
    }
    const reason = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new ConnectionError(`cannot read ${what} ${path} for ${cfg.display}: ${reason}`);
  }
}

/** Map libpq's sslmode onto postgres.js's `ssl` option (Node TLS options for verification). */
function sslOption(cfg: PgConfig, mode: SslMode = cfg.sslMode): SslOption {
  // libpq never uses TLS on a Unix socket.
  if (cfg.socketDir !== undefined || mode === "disable" || mode === "allow") return false;
  const clientCert: tls.ConnectionOptions = {};
  if (cfg.sslCert) clientCert.cert = readFileFor("sslcert", cfg.sslCert, cfg);
  if (cfg.sslKey) clientCert.key = readFileFor("sslkey", cfg.sslKey, cfg);
  const ca = cfg.sslRootCert && cfg.sslRootCert !== "system"
    ? { ca: readFileFor("sslrootcert", cfg.sslRootCert, cfg) }
    : {};
  // libpq: `require` with a root certificate given verifies the chain, like verify-ca.
  const effective = mode === "require" && "ca" in ca ? "verify-ca" : mode;
  const hasClientCert = Object.keys(clientCert).length > 0;
  switch (effective) {
    case "prefer":
    case "require":
      // postgres.js's string forms skip verification but cannot carry a client cert;
      // with one, `prefer` has to insist on TLS too.
      return hasClientCert ? { rejectUnauthorized: false, ...clientCert } : effective;
    case "verify-ca":
      // Chain only: libpq's verify-ca does not check the host name.
      return {
        rejectUnauthorized: true,
        ...ca,
        ...clientCert,
        checkServerIdentity: () => undefined,
      };
    default:
      // verify-full. postgres.js sends no servername for an IP host, and Node would then
      // check against "localhost"; check against the host we dialled instead.
      return {
        rejectUnauthorized: true,
        ...ca,
        ...clientCert,
        checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => {
          const err = tls.checkServerIdentity(cfg.host!, cert);
          // Node's wording omits DNS names when checking an IP; say what the cert names.
          if (err) err.message = `it is for ${cert.subjectaltname || `CN=${cert.subject?.CN}`}`;
          return err;
        },
      };
  }
}

/**
 * Run `fn` with `process.env` replaced by an empty object. postgres.js 3.4.9 reads
 * `process.env.PGAPPNAME` (and other PG* fallbacks) unconditionally while parsing
 * options, which throws without --allow-env (porsager/postgres#1078, fixed after
 * 3.4.9). All settings are resolved by pg_config, so it needs nothing from there.
 */
function withoutProcessEnv<T>(fn: () => T): T {
  const holder = process as unknown as { env: unknown };
  const saved = holder.env;
  holder.env = {};
  try {
    return fn();
  } finally {
    holder.env = saved;
  }
}

interface PgErrorLike {
  code?: string;
  message: string;
  severity?: string;
  position?: string;
  internal_position?: string;
  internal_query?: string;
  where?: string;
  detail?: string;
  hint?: string;
}

function isPgServerError(e: unknown): e is PgErrorLike & Error {
  return e instanceof postgres.PostgresError ||
    (e instanceof Error && e.name === "PostgresError" && "severity" in e);
}

const TLS_TRUST_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);

/** Client-side codes that mean the connection is gone (postgres.js's and Node's). */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
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

/** Why a connection attempt failed, in a few words (password-free once scrubbed). */
function describeConnectFailure(e: unknown, cfg: PgConfig, sslMode: SslMode): string {
  if (isPgServerError(e)) return `${e.message} (SQLSTATE ${e.code})`;
  const err = e as Error & { code?: string };
  const code = err?.code ?? "";
  const target = cfg.socketDir !== undefined
    ? socketPath(cfg.socketDir, cfg.port)
    : `${cfg.host}:${cfg.port}`;
  if (code === "ECONNREFUSED") return `connection refused at ${target}`;
  if (code === "ENOENT" && cfg.socketDir !== undefined) return `no server socket at ${target}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
    return `unknown host "${cfg.host}"`;
  }
  if (code === "CONNECT_TIMEOUT") {
    return `no answer within ${cfg.connectTimeoutMs / 1000}s (connect_timeout)`;
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return `${target} is unreachable`;
  if (TLS_TRUST_CODES.has(code)) {
    return `server certificate not trusted (${err.message}; sslmode=${sslMode}): give its ` +
      `CA with sslrootcert=<file>, or use sslmode=require to skip verification`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return `server certificate does not match host "${cfg.host}" (sslmode=${sslMode}; ` +
      `${err.message})`;
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return `server certificate is not valid now (${err.message})`;
  }
  if (code === "CONNECTION_CLOSED" || code === "ECONNRESET") {
    return `the server closed the connection during start-up` +
      (sslMode === "require" || sslMode.startsWith("verify")
        ? ` (sslmode=${sslMode}: does the server have ssl=on?)`
        : "");
  }
  return err?.message ?? String(e);
}

function toConnectError(e: unknown, cfg: PgConfig, sslMode: SslMode): Error {
  if (e instanceof ConnectionError || e instanceof PermissionError) return e;
  // Scrub the whole line: even the display may echo a password (as a database name, say).
  const safe = (text: string) => scrub(text.split("\n")[0], [cfg.password]);
  if (isPermissionError(e)) {
    return new PermissionError(safe(`connecting to ${cfg.display}: ${(e as Error).message}`));
  }
  // The cause is left off: a raw client error is not ours to vouch for as password-free.
  return new ConnectionError(
    safe(`cannot connect to ${cfg.display}: ${describeConnectFailure(e, cfg, sslMode)}`),
  );
}

function formatNotice(n: PgErrorLike): string {
  let text = `${n.severity ?? "NOTICE"}: ${n.message}`;
  if (n.detail) text += `\nDETAIL: ${n.detail}`;
  if (n.hint) text += `\nHINT: ${n.hint}`;
  return text;
}

type Rows = postgres.RowList<postgres.Row[]>;

/** Rows and count of a result; a multi-statement simple query yields one result each. */
function resultOf(
  r: Rows | Rows[],
): { rows: Record<string, unknown>[]; count: number; command: string } {
  if (typeof (r as Rows).count === "number" || !Array.isArray(r[0])) {
    const one = r as Rows;
    return { rows: Array.from(one), count: one.count ?? 0, command: one.command };
  }
  const all = r as Rows[];
  const last = all[all.length - 1];
  return {
    rows: Array.from(last ?? []),
    count: all.reduce((n, x) => n + (x.count ?? 0), 0),
    command: last?.command ?? "",
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/** postgres.js options with every field set, so it consults no defaults or environment. */
function clientOptions(
  cfg: PgConfig,
  ssl: SslOption,
  hooks: { onnotice: (n: PgErrorLike) => void; onclose: () => void },
): postgres.Options<Record<string, postgres.PostgresType>> {
  const options = {
    host: cfg.host ?? cfg.socketDir!,
    port: cfg.port,
    path: cfg.socketDir !== undefined ? socketPath(cfg.socketDir, cfg.port) : undefined,
    user: cfg.user,
    database: cfg.database,
    // A function, so an empty password does not fall through to process.env.PGPASSWORD.
    pass: () => cfg.password ?? "",
    ssl,
    sslnegotiation: null,
    max: 1,
    // No recycling: a new connection would lose the advisory lock and session settings.
    idle_timeout: null,
    max_lifetime: null,
    connect_timeout: cfg.connectTimeoutMs > 0 ? cfg.connectTimeoutMs / 1000 : null,
    max_pipeline: 100,
    backoff: 0,
    keep_alive: 60,
    prepare: false,
    debug: false,
    fetch_types: false,
    publications: "alltables",
    target_session_attrs: null,
    no_subscribe: true,
    connection: { ...cfg.serverSettings, application_name: cfg.applicationName },
    onnotice: hooks.onnotice,
    onclose: hooks.onclose,
    onparameter: () => {},
  };
  return options as unknown as postgres.Options<Record<string, postgres.PostgresType>>;
}

class PostgresDriver implements Driver {
  readonly dialect: Dialect = postgresDialect;
  readonly display: string;
  #pid = 0;
  #serverVersion = 0;
  #cfg: PgConfig;
  #sql!: Sql;
  #opened = false;
  #closing = false;
  #lost = false;
  #inTransaction = false;

  constructor(cfg: PgConfig, private readonly opts: DriverOptions) {
    this.#cfg = cfg;
    this.display = cfg.display;
  }

  /** Server process id of this driver's connection. */
  get pid(): number {
    return this.#pid;
  }

  /** Open the connection (postgres.js connects on the first query) and set the session up. */
  async connect(): Promise<void> {
    const mode = this.#cfg.sslMode;
    try {
      await this.#connectWith(sslOption(this.#cfg), mode);
    } catch (e) {
      // libpq's allow: plain first, TLS when the server insists on it.
      if (
        mode === "allow" && this.#cfg.socketDir === undefined && isPgServerError(e) &&
        e.code === "28000" && /no encryption/.test(e.message)
      ) {
        await this.#connectWith(sslOption(this.#cfg, "require"), "require");
      } else {
        throw toConnectError(e, this.#cfg, mode);
      }
    }
    this.#opened = true;
    await this.#configureSession();
  }

  async #connectWith(ssl: SslOption, mode: SslMode): Promise<void> {
    const sql = withoutProcessEnv(() =>
      postgres(clientOptions(this.#cfg, ssl, {
        onnotice: (n) => this.opts.onNotice?.(formatNotice(n)),
        onclose: () => {
          if (this.#opened && !this.#closing) this.#lost = true;
        },
      }))
    ) as unknown as Sql;
    try {
      const [row] = await sql.unsafe(
        "SELECT pg_backend_pid() AS pid, pg_is_in_recovery() AS standby, " +
          "current_setting('transaction_read_only') AS read_only, " +
          "current_setting('server_version_num') AS version",
      );
      this.#sql = sql;
      this.#pid = Number(row.pid);
      this.#serverVersion = Number(row.version);
      this.#checkSessionAttrs(row.standby === true, row.read_only === "on");
    } catch (e) {
      await sql.end({ timeout: 0 }).catch(() => {});
      if (mode === "allow") throw e;
      throw toConnectError(e, this.#cfg, mode);
    }
  }

  #checkSessionAttrs(standby: boolean, readOnly: boolean): void {
    const want = this.#cfg.targetSessionAttrs;
    const bad = (want === "read-write" && readOnly) || (want === "read-only" && !readOnly) ||
      (want === "primary" && standby) || (want === "standby" && !standby);
    if (bad) {
      const is = standby ? "a standby" : readOnly ? "read-only" : "a read-write primary";
      throw new ConnectionError(
        `cannot connect to ${this.display}: the server is ${is} (target_session_attrs=${want})`,
      );
    }
  }

  async #configureSession(): Promise<void> {
    const settings: [string, number | undefined][] = [
      ["lock_timeout", this.opts.lockTimeoutMs],
      ["statement_timeout", this.opts.statementTimeoutMs],
    ];
    const set = settings.filter(([, v]) => v !== undefined);
    if (set.length > 0) {
      // Session level (is_local = false): they hold for every statement of the run; 0 = off.
      await this.query(
        `SELECT ${set.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, false)`).join(", ")}`,
        set.flatMap(([name, v]) => [name, String(Math.max(0, Math.round(v!)))]),
      );
    }
    // If bellows dies (SIGKILL, OOM, a lost host), the server otherwise notices only when
    // it next writes to the socket: a long DDL statement or lock wait would go on holding
    // its table lock and the migration lock. PostgreSQL 14+ can poll for a closed client;
    // where the server's platform cannot (it then rejects the value), we do without.
    if (this.#serverVersion >= 140000) {
      await this.query("SELECT set_config('client_connection_check_interval', '1000', false)")
        .catch((e) => {
          if (e instanceof ConnectionError) throw e;
        });
    }
  }

  #usable(): Sql {
    if (this.#closing) throw new Error("PostgreSQL driver used after close()");
    if (this.#lost) {
      throw new ConnectionError(
        `lost the connection to ${this.display}; the migration lock and session settings ` +
          `went with it`,
      );
    }
    return this.#sql;
  }

  /** Turn a lost-connection failure into ConnectionError; leave statement errors as they are. */
  #mapError(e: unknown): unknown {
    if (isPermissionError(e)) {
      return new PermissionError(scrub((e as Error).message, [this.#cfg.password]));
    }
    const fatal = isPgServerError(e) && (e.severity === "FATAL" || e.severity === "PANIC");
    const code = (e as { code?: unknown })?.code;
    const gone = !isPgServerError(e) && typeof code === "string" && CONNECTION_CODES.has(code);
    if (fatal || gone || (this.#lost && !isPgServerError(e))) {
      this.#lost = true;
      // postgres.js drops the server's FATAL message (pg_terminate_backend, shutdown) when
      // the socket closes right after it, and reports only CONNECTION_CLOSED.
      const why = fatal
        ? `${(e as Error).message} (SQLSTATE ${code})`
        : code === "CONNECTION_CLOSED"
        ? "the server closed it (backend terminated, server restarted or network cut)"
        : (e as Error).message ?? String(e);
      const msg = `lost the connection to ${this.display}: ${why}`;
      return new ConnectionError(scrub(msg.split("\n")[0], [this.#cfg.password]), {
        cause: isPgServerError(e) ? e : undefined,
      });
    }
    return e;
  }

  async #exec(sql: Sql, text: string, params?: readonly unknown[]) {
    try {
      const r = await sql.unsafe(
        text,
        params && params.length > 0 ? [...params] as postgres.ParameterOrJSON<never>[] : undefined,
      );
      return resultOf(r as unknown as Rows | Rows[]);
    } catch (e) {
      throw this.#mapError(e);
    }
  }

  #outside(): Sql {
    const sql = this.#usable();
    if (this.#inTransaction) {
      // With one connection, this would queue behind the transaction forever.
      throw new Error("use the transaction's executor inside transaction()");
    }
    return sql;
  }

  async run(text: string, params?: readonly unknown[]): Promise<number> {
    return (await this.#exec(this.#outside(), text, params)).count;
  }

  async query<T = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<T[]> {
    return (await this.#exec(this.#outside(), text, params)).rows as T[];
  }

  /**
   * BEGIN … COMMIT on the one connection, by hand rather than with postgres.js's
   * `begin()`: after the server ends the session mid-transaction (FATAL, e.g.
   * pg_terminate_backend), `begin()` still writes its ROLLBACK to the dead socket and
   * postgres.js 3.4.9 crashes the process with an uncaught TypeError. Here a lost
   * connection is known (#mapError) before any ROLLBACK, which is then skipped: the
   * server has rolled back already.
   */
  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const sql = this.#outside();
    this.#inTransaction = true;
    try {
      await this.#exec(sql, "BEGIN");
      const tx: Executor = {
        run: async (text, params) => (await this.#exec(this.#usable(), text, params)).count,
        query: async <R = Record<string, unknown>>(text: string, params?: readonly unknown[]) =>
          (await this.#exec(this.#usable(), text, params)).rows as R[],
      };
      let result: T;
      try {
        result = await fn(tx);
      } catch (e) {
        if (!this.#lost) {
          // A failed ROLLBACK means the connection went; the error that led here matters more.
          await this.#exec(sql, "ROLLBACK").catch(() => {});
        }
        throw e;
      }
      const done = await this.#exec(sql, "COMMIT");
      if (done.command !== "COMMIT") {
        // The server answers COMMIT of a failed transaction with ROLLBACK, not an error.
        throw new Error(`transaction was rolled back by the server (${done.command})`);
      }
      return result;
    } finally {
      this.#inTransaction = false;
    }
  }

  async lock(waitMs: number): Promise<() => Promise<void>> {
    const start = Date.now();
    let pause = 50;
    for (;;) {
      const [row] = await this.query<{ ok: boolean }>(
        "SELECT pg_try_advisory_lock($1::bigint) AS ok",
        [LOCK_KEY],
      );
      if (row.ok) break;
      const waited = Date.now() - start;
      if (waited >= waitMs) throw await this.#lockBusy(waited);
      await sleep(Math.min(pause, waitMs - waited));
      pause = Math.min(pause * 2, 500);
    }
    let released = false;
    return async () => {
      // After a lost connection the server has already dropped the lock.
      if (released || this.#lost || this.#closing) return;
      released = true;
      await this.query("SELECT pg_advisory_unlock($1::bigint)", [LOCK_KEY]);
    };
  }

  async #lockBusy(waited: number): Promise<LockBusyError> {
    // A bigint advisory key shows in pg_locks as classid = high 32 bits, objid = low 32 bits.
    const rows = await this.query<Record<string, string | number | null>>(
      `SELECT a.pid, a.application_name, a.usename, host(a.client_addr) AS client_addr,
              to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
         FROM pg_catalog.pg_locks l
         JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_catalog.pg_database
                             WHERE datname = current_database())
          AND l.classid::text::bigint = ($1::bigint >> 32) & 4294967295
          AND l.objid::text::bigint = $1::bigint & 4294967295`,
      [LOCK_KEY],
    ).catch(() => []);
    const h = rows[0];
    const holder = h
      ? [
        `pid ${h.pid}`,
        `application_name ${h.application_name || "(none)"}`,
        h.usename ? `user ${h.usename}` : undefined,
        `client ${h.client_addr ?? "local socket"}`,
        h.since ? `since ${h.since}` : undefined,
      ].filter(Boolean).join(", ")
      : "holder not visible";
    return new LockBusyError(
      `another bellows run holds the migration lock on ${this.display} (${holder}); ` +
        `waited ${seconds(waited)}`,
    );
  }

  async tableExists(t: TableName, exec: Executor = this): Promise<boolean> {
    const rows = await exec.query<{ found: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname = $1 AND n.nspname = COALESCE($2::text, current_schema())
            AND c.relkind IN ('r', 'p', 'v', 'm', 'f')) AS found`,
      [t.name, t.schema ?? null],
    );
    return rows[0].found === true;
  }

  /** INVALID indexes: see {@linkcode PostgresDriver.invalidIndexes}. */
  readonly leftovers: LeftoverCheck = {
    what: "INVALID index",
    whatPlural: "INVALID indexes",
    find: () => this.invalidIndexes(),
  };

  /** Indexes left INVALID, in schema and name order. */
  async invalidIndexes(): Promise<Leftover[]> {
    // indisvalid = false: a CREATE INDEX CONCURRENTLY (or REINDEX CONCURRENTLY) that failed
    // or was killed after creating its catalog entry. The planner ignores such an index, but
    // writes still maintain it, and re-running the revision fails on its name.
    const rows = await this.query<Record<"schema" | "name" | "tschema" | "tname", string>>(
      `SELECT n.nspname AS schema, c.relname AS name, tn.nspname AS tschema, t.relname AS tname
         FROM pg_catalog.pg_index i
         JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
         JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
        WHERE NOT i.indisvalid
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
        ORDER BY n.nspname, c.relname`,
    );
    const d = this.dialect;
    return rows.map((r) => {
      const qualified = d.table({ schema: r.schema, name: r.name });
      return {
        name: `${r.schema}.${r.name}`,
        table: `${r.tschema}.${r.tname}`,
        drop: `DROP INDEX CONCURRENTLY ${qualified}`,
        rebuild: `REINDEX INDEX CONCURRENTLY ${qualified}`,
      };
    });
  }

  errorInfo(err: unknown): DbErrorInfo | undefined {
    let e: unknown = err;
    for (let depth = 0; e !== undefined && depth < 5; depth++) {
      if (isPgServerError(e)) return toInfo(e);
      e = (e as { cause?: unknown })?.cause;
    }
    return undefined;
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    // A lost connection has nothing to flush; waiting would only delay the exit.
    await this.#sql?.end({ timeout: this.#lost ? 0 : 5 });
  }
}

/** What a SQLSTATE means to the runner. */
export function errorKind(code: string | undefined): DbErrorKind {
  if (code === "55P03") return "lock_timeout";
  if (code === "40P01") return "deadlock";
  // Class 08 (connection exception), 57P01-57P03 (admin shutdown, crash, cannot connect now).
  if (code?.startsWith("08") || /^57P0[123]$/.test(code ?? "")) return "connection_lost";
  return "other";
}

function toInfo(e: PgErrorLike): DbErrorInfo {
  const num = (v: string | undefined) => {
    const n = v === undefined ? NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const info: {
    -readonly [K in keyof DbErrorInfo]: DbErrorInfo[K];
  } = { code: e.code ?? "XX000", kind: errorKind(e.code), message: e.message };
  const position = num(e.position);
  const internalPosition = num(e.internal_position);
  if (position !== undefined) info.position = position;
  if (internalPosition !== undefined) info.internalPosition = internalPosition;
  if (e.internal_query) info.internalQuery = e.internal_query;
  if (e.where) info.where = e.where;
  if (e.detail) info.detail = e.detail;
  if (e.hint) info.hint = e.hint;
  return info;
}

/**
 * Open a PostgreSQL connection for one run.
 *
 * Throws {@linkcode ConnectionError} (bad URL, unreachable, login refused, TLS failure,
 * timeout: one line naming the password-free target) or {@linkcode PermissionError}
 * (a Deno permission is missing; the message names the flag).
 */
export async function openPostgres(url: string, opts: DriverOptions): Promise<Driver> {
  const cfg = parsePgConfig(url, {
    env: envReader(opts.env),
    applicationName: opts.applicationName,
    connectTimeoutMs: opts.connectTimeoutMs,
    socketExists,
    osUser,
  });
  checkPermissions(cfg);
  const driver = new PostgresDriver(cfg, opts);
  try {
    await driver.connect();
  } catch (e) {
    await driver.close().catch(() => {});
    throw e;
  }
  return driver;
}
