/**
 * The PostgreSQL driver, on our own wire client (pg_wire.ts).
 *
 * One dedicated connection per run (`max: 1`, no idle or lifetime recycling), so that
 * session state holds for the whole run: `lock_timeout` / `statement_timeout`, and the
 * migration lock, which is a session-level advisory lock. If that connection is lost,
 * the driver refuses further work ({@linkcode ConnectionError}): a new connection would
 * not hold the lock.
 *
 * How to connect (permissions, TLS, environment, connect-failure messages) is
 * pg_connect.ts; this file is the driver once connected.
 *
 * The migration lock is per database: PostgreSQL advisory locks live in one database,
 * so runs against different databases of one cluster do not exclude each other, while
 * runs against the same database do (whatever version table or schema they use).
 *
 * @module
 */

import {
  ConnectionError,
  ConnectionLostError,
  isPermissionError,
  LockBusyError,
  PermissionError,
} from "../errors.ts";
import type { DriverOptions } from "./options.ts";
import type {
  Blocker,
  DbErrorInfo,
  DbErrorKind,
  Dialect,
  Driver,
  Executor,
  HolderAges,
  Leftover,
  LeftoverCheck,
  LockHolder,
  LockInspector,
  LockRequest,
  SchemaObject,
  TableName,
  TableSizeInfo,
} from "./types.ts";
import { postgresDialect } from "./dialects.ts";
import { transactionOn } from "./transaction.ts";
import { parsePgConfig, type PgConfig, scrub, type SslMode } from "./pg_config.ts";
import {
  checkPermissions,
  clientOptions,
  envReader,
  isPgServerError,
  osUser,
  type PgErrorLike,
  socketExists,
  type SslOption,
  sslOption,
  toConnectError,
} from "./pg_connect.ts";
import { wireConnect, type WireConnection, type WireResult } from "./pg_wire.ts";

/**
 * The advisory lock key: the first 8 bytes of SHA-256("bellows") as a signed
 * big-endian bigint (checked by a test). Fixed, so every bellows version agrees.
 */
export const LOCK_KEY = "8202362007203741024";

export { postgresDialect };

function formatNotice(n: PgErrorLike): string {
  let text = `${n.severity ?? "NOTICE"}: ${n.message}`;
  if (n.detail) text += `\nDETAIL: ${n.detail}`;
  if (n.hint) text += `\nHINT: ${n.hint}`;
  return text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/** Client-side codes that mean the connection is gone (the wire client's and Node's). */
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

/** Of those, the ones that mean the other end closed or reset an open connection. */
const CLOSED_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNRESET",
  "EPIPE",
]);

class PostgresDriver implements Driver {
  readonly dialect: Dialect = postgresDialect;
  readonly display: string;
  #pid = 0;
  #serverVersion = 0;
  #cfg: PgConfig;
  #sql!: WireConnection;
  #opened = false;
  #closing = false;
  #lost = false;
  #inTransaction = false;
  /** The TLS choice the connection was made with, for the lock watch's connection. */
  #ssl?: SslOption;
  /** A second connection that looks up who blocks a waiting statement (see #watch). */
  #side?: Promise<WireConnection>;
  /** Statements sent so far (the last one's id). */
  #sent = 0;
  /** Statements not answered yet, in the order sent, with when each was sent. */
  #running = new Map<number, number>();
  /** The lock watch's one timer (see #armWatch), its look-up under way, what it found. */
  #watchTimer?: ReturnType<typeof setTimeout>;
  #lookup?: { id: number; done: Promise<void> };
  #found = new Map<number, Blocker[]>();
  /** Who blocked a statement that ran out of lock wait, by the error it failed with. */
  #blockedBy = new WeakMap<object, Blocker[]>();

  constructor(cfg: PgConfig, private readonly opts: DriverOptions) {
    this.#cfg = cfg;
    this.display = cfg.display;
  }

  /** Server process id of this driver's connection. */
  get pid(): number {
    return this.#pid;
  }

  /** Open the connection and set the session up. */
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
    let sql: WireConnection | undefined;
    try {
      sql = await wireConnect(clientOptions(this.#cfg, ssl, {
        onNotice: (n) => this.opts.onNotice?.(formatNotice(n)),
        onClose: () => {
          if (this.#opened && !this.#closing) this.#lost = true;
        },
      }));
      const { rows: [row] } = await sql.query(
        "SELECT pg_backend_pid() AS pid, pg_is_in_recovery() AS standby, " +
          "current_setting('transaction_read_only') AS read_only, " +
          "current_setting('server_version_num') AS version",
      );
      this.#sql = sql;
      this.#ssl = ssl;
      this.#pid = Number(row.pid);
      this.#serverVersion = Number(row.version);
      this.#checkSessionAttrs(row.standby === true, row.read_only === "on");
    } catch (e) {
      await sql?.end(0).catch(() => {});
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

  #usable(): WireConnection {
    if (this.#closing) throw new Error("PostgreSQL driver used after close()");
    if (this.#lost) {
      throw new ConnectionLostError(
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
      // The socket's own words (`read ECONNRESET`, `write EPIPE`) say the same as a close.
      const why = fatal
        ? `${(e as Error).message} (SQLSTATE ${code})`
        : typeof code === "string" && CLOSED_CODES.has(code)
        ? "the server closed it (backend terminated, server restarted or network cut)"
        : (e as Error).message ?? String(e);
      const msg = `lost the connection to ${this.display}: ${why}`;
      return new ConnectionLostError(scrub(msg.split("\n")[0], [this.#cfg.password]), {
        cause: isPgServerError(e) ? e : undefined,
      });
    }
    return e;
  }

  async #exec(sql: WireConnection, text: string, params?: readonly unknown[]): Promise<WireResult> {
    const id = ++this.#sent;
    this.#running.set(id, performance.now());
    this.#armWatch();
    try {
      return await sql.query(text, params);
    } catch (e) {
      if (isPgServerError(e) && errorKind(e.code) === "lock_timeout") {
        const blockers = await this.#lastBlockers(id);
        if (blockers.length > 0) this.#blockedBy.set(e, blockers);
      }
      throw this.#mapError(e);
    } finally {
      this.#running.delete(id);
      this.#found.delete(id);
    }
  }

  /**
   * While a statement runs longer than half the lock timeout, look up every half lock
   * timeout, on a second connection, which sessions it waits for (`pg_blocking_pids`):
   * once the timeout ends the wait there is nothing left to ask. Any wait as long as the
   * timeout spans a look-up; a failed look-up only means the error names nobody. Of
   * statements pipelined behind one another only the first still running looks: the ones
   * behind it have not started (their own wait begins when it ends, and their time counts
   * from when they were sent). One timer for the connection, armed while statements run,
   * not one per statement (a run of many small statements set and cleared thousands).
   */
  #armWatch(): void {
    const timeout = this.opts.lockTimeoutMs ?? 0;
    if (timeout <= 0 || !this.#opened || this.#watchTimer !== undefined || this.#closing) {
      return;
    }
    const every = Math.max(50, timeout / 2);
    const tick = () => {
      this.#watchTimer = undefined;
      if (this.#closing || this.#lookup) return; // The look-up under way re-arms.
      const first = this.#running.entries().next().value;
      if (!first) return; // Idle: the next statement arms it again.
      const [id, since] = first;
      const age = performance.now() - since;
      if (age < every) {
        this.#watchTimer = setTimeout(tick, every - age);
        return;
      }
      // The next look-up waits for this one: a slow server gets no queue of them.
      const done = this.#blockers().then((b) => {
        if (b.length > 0 && this.#running.has(id)) this.#found.set(id, b);
      }, () => {}).finally(() => {
        this.#lookup = undefined;
        if (!this.#closing && this.#running.size > 0) {
          this.#watchTimer = setTimeout(tick, every);
        }
      });
      this.#lookup = { id, done };
    };
    this.#watchTimer = setTimeout(tick, every);
  }

  /** Who statement `id`, refused for its lock wait, waited for (a look-up under way may still say). */
  async #lastBlockers(id: number): Promise<Blocker[]> {
    const lookup = this.#lookup;
    // A look-up under way began while the statement still waited.
    if (!this.#found.has(id) && lookup?.id === id) {
      let wait: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([lookup.done, new Promise((r) => wait = setTimeout(r, 1000))]);
      clearTimeout(wait);
    }
    return this.#found.get(id) ?? [];
  }

  /** The sessions this driver's connection waits for now, oldest transaction first. */
  async #blockers(): Promise<Blocker[]> {
    if (this.#closing || this.#lost) return [];
    if (!this.#side || (await this.#side.catch(() => undefined))?.closed !== false) {
      const options = clientOptions(this.#cfg, this.#ssl ?? false, {
        onNotice: () => {},
        onClose: () => {},
      });
      // Not the run's application_name: tools that count a run's sessions by it see one.
      const app = `${this.#cfg.applicationName ?? "bellows"} (lock watch)`.slice(0, 63);
      this.#side = wireConnect({
        ...options,
        params: { ...options.params, application_name: app },
      });
    }
    const { rows } = await (await this.#side).query(
      `SELECT a.pid, a.application_name, a.usename, a.state, a.query,
              to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
         FROM pg_catalog.pg_stat_activity a
        WHERE a.pid = ANY (pg_catalog.pg_blocking_pids($1))
        ORDER BY a.xact_start NULLS LAST, a.pid`,
      [this.#pid],
    );
    return rows.map((r) => ({
      pid: Number(r.pid),
      application: String(r.application_name ?? ""),
      ...(r.usename ? { user: String(r.usename) } : {}),
      ...(r.since ? { since: String(r.since) } : {}),
      ...(r.state ? { state: String(r.state) } : {}),
      ...(r.query ? { query: String(r.query) } : {}),
    }));
  }

  #outside(): WireConnection {
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
   * BEGIN … COMMIT on the one connection (transactionOn). A lost connection is known
   * (#mapError) before any ROLLBACK, which is then skipped: the server has rolled back
   * already.
   */
  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    this.#outside();
    this.#inTransaction = true;
    try {
      return await transactionOn(
        {
          exec: (text, params) => this.#exec(this.#usable(), text, params),
          lost: () => this.#lost,
          pipelining: true,
        },
        "BEGIN",
        fn,
        (done) => {
          if (done.command !== "COMMIT") {
            // The server answers COMMIT of a failed transaction with ROLLBACK, not an error.
            throw new Error(`transaction was rolled back by the server (${done.command})`);
          }
        },
      );
    } finally {
      this.#inTransaction = false;
    }
  }

  async lock(waitMs: number): Promise<() => Promise<void>> {
    const start = Date.now();
    let pause = 50;
    let lastTry = false;
    for (;;) {
      const [row] = await this.query<{ ok: boolean }>(
        "SELECT pg_try_advisory_lock($1::bigint) AS ok",
        [LOCK_KEY],
      );
      if (row.ok) break;
      const waited = Date.now() - start;
      if (waited >= waitMs) {
        const busy = await this.#lockBusy(waited);
        // No holder to name: it let go between our try and the look-up, so the lock is
        // free now; one more try instead of refusing with nobody to blame.
        if (busy.holderSeen || lastTry) throw busy.error;
        lastTry = true;
        continue;
      }
      await sleep(Math.min(pause, waitMs - waited));
      pause = Math.min(pause * 2, 500);
    }
    let released = false;
    return async () => {
      // After a lost connection the server has already dropped the lock.
      if (released || this.#lost || this.#closing) return;
      released = true;
      try {
        await this.query("SELECT pg_advisory_unlock($1::bigint)", [LOCK_KEY]);
      } catch (e) {
        // Lost while letting go: the lock went with the session, and the run's work is
        // done; a failure to say so must not turn it into a failed run.
        if (!(e instanceof ConnectionLostError)) throw e;
      }
    };
  }

  async #lockBusy(waited: number): Promise<{ error: LockBusyError; holderSeen: boolean }> {
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
    const error = new LockBusyError(
      `another bellows run holds the migration lock on ${this.display} (${holder}); ` +
        `waited ${seconds(waited)}`,
    );
    return { error, holderSeen: h !== undefined };
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

  /**
   * Whether a table, view, index (a valid one: an INVALID index is a leftover, not a
   * completed CREATE) or column exists, from the catalog; an unqualified name is looked up
   * along search_path, as the statement resolved it.
   */
  async schemaObjectExists(o: SchemaObject): Promise<boolean | undefined> {
    const q = (n: string) => this.dialect.quoteIdent(n);
    const rel = (schema: string | undefined, name: string) =>
      schema === undefined ? q(name) : `${q(schema)}.${q(name)}`;
    if (o.kind === "column") {
      if (!o.table) return undefined;
      const rows = await this.query<{ found: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                         WHERE attrelid = pg_catalog.to_regclass($1) AND attname = $2
                           AND attnum > 0 AND NOT attisdropped) AS found`,
        [rel(undefined, o.table), o.name],
      );
      return rows[0].found === true;
    }
    const rows = await this.query<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                        LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
                       WHERE c.oid = pg_catalog.to_regclass($1)
                         AND c.relkind IN (${
        o.kind === "index" ? "'i', 'I'" : o.kind === "view" ? "'v', 'm'" : "'r', 'p', 'f'"
      })
                         AND (i.indexrelid IS NULL OR i.indisvalid)) AS found`,
      [rel(o.schema, o.name)],
    );
    return rows[0].found === true;
  }

  /**
   * The largest `replay_lag` among the standbys streaming from this server, in ms; 0 with
   * none, or when every standby has caught up (PostgreSQL shows NULL once a standby is
   * idle and replayed everything). Undefined when standbys stream but this role may not
   * see their state (that takes pg_read_all_stats, e.g. through pg_monitor).
   */
  async replicaLagMs(): Promise<number | undefined> {
    const rows = await this.query<{ ms: string | number | null; hidden: string | number }>(
      `SELECT (EXTRACT(EPOCH FROM max(replay_lag)) * 1000)::float8 AS ms,
              count(*) FILTER (WHERE state IS NULL) AS hidden
         FROM pg_catalog.pg_stat_replication`,
    );
    if (Number(rows[0]?.hidden ?? 0) > 0) return undefined;
    return Number(rows[0]?.ms ?? 0);
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
        object: { schema: r.schema, name: r.name },
        drop: `DROP INDEX CONCURRENTLY ${qualified}`,
        rebuild: `REINDEX INDEX CONCURRENTLY ${qualified}`,
      };
    });
  }

  async tableSizes(tables: readonly string[]): Promise<Map<string, TableSizeInfo>> {
    const out = new Map<string, TableSizeInfo>();
    if (tables.length === 0) return out;
    // pg_relation_size needs no privilege on the table; to_regclass follows search_path
    // for unqualified names, as the statement will.
    const rows = await this.query<Record<"label" | "bytes" | "total" | "rows", string>>(
      `SELECT w.label, pg_catalog.pg_relation_size(c.oid)::text AS bytes,
              pg_catalog.pg_total_relation_size(c.oid)::text AS total,
              c.reltuples::text AS rows
         FROM ${WANTED} AS w(label text, schema text, name text)
         JOIN pg_catalog.pg_class c ON c.oid = ${REGCLASS}`,
      [JSON.stringify(tables.map(relationParts))],
    );
    for (const r of rows) {
      out.set(r.label, {
        bytes: Number(r.bytes),
        totalBytes: Number(r.total),
        rows: Number(r.rows),
      });
    }
    return out;
  }

  /** Sessions in the way of a strong lock: see {@linkcode LockInspector}. */
  readonly lockInspector: LockInspector = {
    holders: (wanted, ages, exec) => this.#lockHolders(wanted, ages, exec),
  };

  async #lockHolders(
    wanted: readonly LockRequest[],
    ages: HolderAges,
    exec: Executor = this,
  ): Promise<LockHolder[]> {
    if (wanted.length === 0) return [];
    // pg_stat_activity is read once per transaction and kept; polling inside one must
    // drop that copy, or it keeps showing the first answer.
    await exec.query("SELECT pg_catalog.pg_stat_clear_snapshot()");
    const rows = await exec.query<Record<string, string | number | boolean | null>>(
      // Inheritance children and partitions too: a lock on a parent takes theirs as well.
      `WITH RECURSIVE w AS (
         SELECT w.label, ${REGCLASS} AS oid, w.conflicts, true AS named
           FROM ${WANTED} AS w(label text, schema text, name text, conflicts jsonb)
          WHERE ${REGCLASS} IS NOT NULL
         UNION
         SELECT w.label, i.inhrelid, w.conflicts, false
           FROM w JOIN pg_catalog.pg_inherits i ON i.inhparent = w.oid)
       SELECT DISTINCT ON (a.pid, w.label)
              CASE WHEN w.named THEN w.label ELSE w.oid::regclass::text END AS label, a.pid, a.application_name, a.usename, host(a.client_addr) AS client,
              l.mode, a.state, left(split_part(a.query, E'\n', 1), 80) AS query,
              l.mode IN (SELECT jsonb_array_elements_text(w.conflicts)) AS conflicting,
              (extract(epoch FROM clock_timestamp() - a.xact_start) * 1000)::bigint::text
                AS xact_ms
         FROM w
         JOIN pg_catalog.pg_locks l ON l.locktype = 'relation' AND l.relation = w.oid
          AND l.granted
          AND l.database = (SELECT oid FROM pg_catalog.pg_database
                             WHERE datname = current_database())
         JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.pid <> pg_catalog.pg_backend_pid()
          -- The server cancels an autovacuum that a lock request waits for (after
          -- deadlock_timeout); only one preventing wraparound holds on, and is in the way.
          AND (a.backend_type IS DISTINCT FROM 'autovacuum worker'
               OR a.query LIKE '%to prevent wraparound%')
          AND ((l.mode IN (SELECT jsonb_array_elements_text(w.conflicts))
                AND clock_timestamp() - coalesce(a.xact_start, a.query_start, a.backend_start)
                    >= $2::bigint * interval '1 millisecond')
               OR clock_timestamp() - a.xact_start > $3::bigint * interval '1 millisecond')
        ORDER BY a.pid, w.label, conflicting DESC, w.named DESC`,
      [
        JSON.stringify(
          wanted.map((r) => ({ ...relationParts(r.relation), conflicts: r.conflictsWith })),
        ),
        String(Math.max(0, Math.round(ages.conflictingMs))),
        ages.otherMs === null ? null : String(Math.max(0, Math.round(ages.otherMs))),
      ],
    );
    return rows.map((r) => ({
      pid: Number(r.pid),
      applicationName: String(r.application_name ?? ""),
      user: String(r.usename ?? ""),
      client: r.client === null ? "local socket" : String(r.client),
      relation: String(r.label),
      mode: String(r.mode),
      conflicting: r.conflicting === true,
      transactionAgeMs: r.xact_ms === null ? null : Number(r.xact_ms),
      state: String(r.state ?? ""),
      query: String(r.query ?? ""),
    }));
  }

  errorInfo(err: unknown): DbErrorInfo | undefined {
    let e: unknown = err;
    for (let depth = 0; e !== undefined && depth < 5; depth++) {
      if (isPgServerError(e)) {
        const blockers = this.#blockedBy.get(e);
        return blockers ? { ...toInfo(e), blockers } : toInfo(e);
      }
      e = (e as { cause?: unknown })?.cause;
    }
    return undefined;
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#watchTimer);
    await this.#side?.then((side) => side.end(0)).catch(() => {});
    // A lost connection has nothing to flush; waiting would only delay the exit, and a
    // failure to close it would only hide the error that ended the run.
    if (this.#lost) await this.#sql?.end(0).catch(() => {});
    else await this.#sql?.end(5000);
  }
}

/** The relations of a request as JSON rows: `label` as given, `schema` when qualified. */
const WANTED = "jsonb_to_recordset($1::text::jsonb)";
/** The relation a WANTED row names, or NULL when there is none (search_path applies). */
const REGCLASS = "pg_catalog.to_regclass(CASE WHEN w.schema IS NULL THEN " +
  "pg_catalog.quote_ident(w.name) ELSE pg_catalog.quote_ident(w.schema) || '.' || " +
  "pg_catalog.quote_ident(w.name) END)";

/** `public.images` → schema and name (names from the parser: case folded, unquoted). */
function relationParts(relation: string): { label: string; schema: string | null; name: string } {
  const dot = relation.indexOf(".");
  return dot < 0
    ? { label: relation, schema: null, name: relation }
    : { label: relation, schema: relation.slice(0, dot), name: relation.slice(dot + 1) };
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
