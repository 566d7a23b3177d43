/**
 * Alembic's version table and bellows' audit table: their DDL and row changes.
 *
 * The SQL builders are pure (offline `--sql` output uses them); the functions that
 * take an {@linkcode Executor} run them.
 *
 * @module
 */
import type { VersionOp } from "../graph/types.ts";
import type { Dialect, Driver, Executor, TableName } from "../drivers/types.ts";
import { isPrivilegeRefusal } from "../drivers/refusal.ts";
import { BellowsError, ConnectionError, LockBusyError, StateError } from "../errors.ts";

/** Where the state lives. */
export interface StateConfig {
  /** Alembic's version table (`version_table`, `version_table_schema`). */
  readonly versionTable: TableName;
  /** Create the primary key `<table>_pkc`, as Alembic's `version_table_pk` (default true). */
  readonly versionTablePk: boolean;
  /** bellows' audit table, in the version table's schema. */
  readonly auditTable: TableName;
  /** Where keyset data migrations keep the last key they reached, in the same schema. */
  readonly progressTable: TableName;
}

/** Build a {@linkcode StateConfig} from Alembic's settings. */
export function stateConfig(
  versionTable = "alembic_version",
  schema?: string,
  versionTablePk = true,
): StateConfig {
  return {
    versionTable: { schema, name: versionTable },
    versionTablePk,
    auditTable: { schema, name: "bellows_audit" },
    progressTable: { schema, name: "bellows_data_progress" },
  };
}

/** A SQL statement with its bind parameters. */
export interface BoundSql {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** `CREATE TABLE` for the version table, exactly as Alembic creates it. */
export function versionTableDdl(d: Dialect, cfg: StateConfig): string {
  const t = cfg.versionTable;
  const pk = cfg.versionTablePk
    ? `, \n    CONSTRAINT ${d.quoteIdent(`${t.name}_pkc`)} PRIMARY KEY (version_num)`
    : "";
  return `CREATE TABLE ${d.table(t)} (\n    version_num VARCHAR(32) NOT NULL${pk}\n)`;
}

/** `CREATE TABLE IF NOT EXISTS` for the audit table. Portable: no autoincrement types. */
export function auditTableDdl(d: Dialect, cfg: StateConfig): string {
  const t = cfg.auditTable;
  return [
    `CREATE TABLE IF NOT EXISTS ${d.table(t)} (`,
    "    seq INTEGER NOT NULL,",
    "    version_table VARCHAR(255) NOT NULL,",
    "    revision VARCHAR(32) NOT NULL,",
    "    direction VARCHAR(8) NOT NULL,",
    "    status VARCHAR(16) NOT NULL,",
    "    checksum VARCHAR(64),",
    "    applied_at VARCHAR(32) NOT NULL,",
    "    duration_ms INTEGER NOT NULL,",
    "    host VARCHAR(255) NOT NULL,",
    "    tool_version VARCHAR(32) NOT NULL,",
    `    CONSTRAINT ${d.quoteIdent(`${t.name}_pk`)} PRIMARY KEY (seq)`,
    ")",
  ].join("\n");
}

/** The statement for one version-table change, with the revision ids as parameters. */
export function versionOpSql(
  d: Dialect,
  cfg: StateConfig,
  op: VersionOp,
  inline = false,
): BoundSql {
  const t = d.table(cfg.versionTable);
  const b = binder(d, inline);
  switch (op.op) {
    case "insert":
      return { sql: `INSERT INTO ${t} (version_num) VALUES (${b.p(op.rev)})`, params: b.params };
    case "delete":
      return { sql: `DELETE FROM ${t} WHERE version_num = ${b.p(op.rev)}`, params: b.params };
    case "update": {
      const to = b.p(op.to);
      return {
        sql: `UPDATE ${t} SET version_num = ${to} WHERE version_num = ${b.p(op.from)}`,
        params: b.params,
      };
    }
  }
}

/**
 * How a statement builder writes a value: as the next bind parameter, or (`inline`) as a
 * literal in the text, for a statement sent without parameters.
 */
function binder(d: Dialect, inline: boolean): { p(v: unknown): string; params: unknown[] } {
  const params: unknown[] = [];
  return {
    params,
    p(v: unknown): string {
      if (inline) return literal(d, v);
      params.push(v);
      return d.param(params.length);
    },
  };
}

/** A value as a SQL literal (ids are validated, and strings quoted by the dialect). */
function literal(d: Dialect, v: unknown): string {
  return v === null || v === undefined
    ? "NULL"
    : typeof v === "number"
    ? String(v)
    : d.quoteLiteral(String(v));
}

/** Inline bound parameters as literals, for offline scripts (ids are validated, never spliced raw). */
export function inlineParams(d: Dialect, b: BoundSql): string {
  let i = 0;
  // Parameters are either `?` or `$n`; neither occurs inside the builders' other text.
  return b.sql.replace(
    /\?|\$(\d+)/g,
    (_m, n?: string) => literal(d, b.params[n ? Number(n) - 1 : i++]),
  );
}

/**
 * Check that the state tables' names (and the constraint names derived from them) are
 * identifiers the dialect accepts, before anything runs: throws as `quoteIdent` does.
 */
export function checkStateNames(d: Dialect, cfg: StateConfig): void {
  versionTableDdl(d, cfg);
  auditTableDdl(d, cfg);
  progressTableDdl(d, cfg);
}

/**
 * Read state with `fn`. A database refusal becomes one error naming the table: busy (a
 * writer outside bellows holds the database) is {@linkcode LockBusyError}, anything else
 * (a missing column, a table of another shape) {@linkcode StateError}.
 */
export async function stateRead<T>(
  driver: Driver,
  table: TableName,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof BellowsError) throw e;
    const info = driver.errorInfo(e);
    const msg = info?.message ?? (e instanceof Error ? e.message : String(e));
    const name = driver.dialect.table(table);
    if (isPrivilegeRefusal(e)) {
      throw privilegeRefused(name, "read", `${msg}; nothing was changed`, e);
    }
    if (info?.kind === "busy" || info?.kind === "lock_timeout") {
      throw new LockBusyError(`cannot read ${name}: another connection holds a lock (${msg})`, {
        cause: e,
      });
    }
    throw new StateError(`cannot read ${name}: ${msg}; nothing was changed`, { cause: e });
  }
}

/**
 * Write state with `fn` (inside the caller's transaction, which rolls back on error). A
 * database refusal (the table has another shape, say) becomes a {@linkcode StateError}
 * naming the table; the database error stays its cause, so a lock timeout is still
 * recognised and retried.
 */
async function writing<T>(
  d: Dialect,
  table: TableName,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof BellowsError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (isPrivilegeRefusal(e)) throw privilegeRefused(d.table(table), what, msg, e);
    throw new StateError(`cannot ${what} ${d.table(table)}: ${msg}`, { cause: e });
  }
}

/**
 * The database refused bellows a privilege on its own table: exit 7 as for a refused
 * login (the fix is a grant, not the scripts or the recorded state), with what to grant.
 */
function privilegeRefused(table: string, what: string, msg: string, cause: unknown) {
  return new ConnectionError(
    `the database refused to let bellows ${what} ${table} (bellows needs SELECT, INSERT, ` +
      `UPDATE and DELETE on its version and audit tables, and CREATE on their schema until ` +
      `they exist): ${msg}`,
    { cause },
  );
}

/** Does `table` exist? Read as state: a refusal names the table. */
function stateTableExists(driver: Driver, table: TableName): Promise<boolean> {
  return stateRead(driver, table, () => driver.tableExists(table));
}

/** The current heads recorded in the version table; none when the table does not exist. */
export async function readHeads(driver: Driver, cfg: StateConfig): Promise<string[]> {
  const t = cfg.versionTable;
  if (!(await stateTableExists(driver, t))) return [];
  const rows = await stateRead(
    driver,
    t,
    () =>
      driver.query<{ version_num: unknown }>(`SELECT version_num FROM ${driver.dialect.table(t)}`),
  );
  if (rows.some((r) => r.version_num === null || r.version_num === undefined)) {
    throw new StateError(
      `${driver.dialect.table(t)} holds a row whose version_num is NULL, which names no ` +
        `revision; nothing was changed`,
    );
  }
  // Keep the database's row order: Alembic's relative targets (`-1`) depend on it.
  return rows.map((r) => String(r.version_num));
}

/** Create the version table (and its schema) if missing. Run inside the first step's transaction. */
export async function ensureVersionTable(
  exec: Executor,
  driver: Driver,
  cfg: StateConfig,
): Promise<boolean> {
  const schema = cfg.versionTable.schema;
  const d = driver.dialect;
  return await writing(d, cfg.versionTable, "create", async () => {
    // Existing table first: where DDL commits implicitly (MySQL), even a CREATE … IF NOT
    // EXISTS that does nothing would end the caller's transaction.
    if (await driver.tableExists(cfg.versionTable, exec)) return false;
    if (schema && d.createSchema) {
      const ddl = d.createSchema(schema);
      if (ddl) await exec.run(ddl);
    }
    await exec.run(versionTableDdl(d, cfg));
    return true;
  });
}

/** Create the audit table if missing. */
export async function ensureAuditTable(exec: Executor, d: Dialect, cfg: StateConfig) {
  await writing(d, cfg.auditTable, "create", () => exec.run(auditTableDdl(d, cfg)));
}

/**
 * Apply version-table changes. Like Alembic, an UPDATE or DELETE must match exactly one
 * row; anything else means someone changed the table under us, and the transaction is
 * rolled back by the caller.
 */
export async function applyVersionOps(
  exec: Executor,
  d: Dialect,
  cfg: StateConfig,
  ops: readonly VersionOp[],
): Promise<void> {
  for (const op of ops) {
    const b = versionOpSql(d, cfg, op, d.literalStateWrites);
    const n = await writing(
      d,
      cfg.versionTable,
      op.op === "insert" ? "insert a row into" : `${op.op} a row of`,
      () => exec.run(b.sql, b.params),
    );
    if (op.op !== "insert" && n !== 1) {
      const what = op.op === "update"
        ? `updating '${op.from}' to '${op.to}'`
        : `deleting '${op.rev}'`;
      throw new StateError(
        `expected to match one row when ${what} in ${cfg.versionTable.name}; ${n} found`,
      );
    }
  }
}

/** Delete every version row (`stamp --purge`). */
export async function purgeVersions(exec: Executor, d: Dialect, cfg: StateConfig): Promise<void> {
  await writing(
    d,
    cfg.versionTable,
    "empty",
    () => exec.run(`DELETE FROM ${d.table(cfg.versionTable)}`),
  );
}

/** One row of the audit table. */
export interface AuditEntry {
  readonly seq: number;
  readonly versionTable: string;
  readonly revision: string;
  /** `up`, `down` or `stamp`. */
  readonly direction: string;
  /**
   * `done`; `started` for a revision run statement by statement that has not finished;
   * `interrupted` for one that never finished and that a later stamp resolved;
   * `checkpoint` for each statement of such a revision that completed (after its
   * `started` row, in order; {@linkcode interruptedRuns} counts them; removed when the
   * revision finishes, {@linkcode clearCheckpoints}); `failed` when the statement after
   * the last checkpoint failed (it did not complete: no need to look whether it did).
   */
  readonly status: string;
  readonly checksum: string | null;
  readonly appliedAt: string;
  readonly durationMs: number;
  readonly host: string;
  readonly toolVersion: string;
}

/** The status of a row recording that one more statement of a revision completed. */
export const CHECKPOINT = "checkpoint";

/**
 * The status of a row recording that the next statement of a revision run statement by
 * statement failed, so did not complete (a kill leaves no such row: that statement may
 * have completed before its checkpoint was written).
 */
export const FAILED = "failed";

/** A revision run statement by statement that was left unfinished, per the audit rows. */
export interface InterruptedRun {
  /** Its `started` row. */
  readonly entry: AuditEntry;
  /** How many of its statements completed, in order (its `checkpoint` rows since). */
  readonly completed: number;
  /** The statement after those failed (a `failed` row since): it did not complete. */
  readonly failed: boolean;
}

/**
 * The revisions whose last row (stamps and checkpoints aside) is `started`, oldest first,
 * each with the number of checkpoints recorded after that row. Pure: `audit` is
 * {@linkcode readAudit}'s answer.
 */
export function interruptedRuns(audit: readonly AuditEntry[]): InterruptedRun[] {
  const last = new Map<string, AuditEntry>();
  for (const a of audit) {
    if (a.direction !== "stamp" && a.status !== CHECKPOINT && a.status !== FAILED) {
      last.set(a.revision, a);
    }
  }
  const since = (entry: AuditEntry, status: string) =>
    audit.filter((a) =>
      a.status === status && a.revision === entry.revision &&
      a.direction === entry.direction && a.seq > entry.seq
    ).length;
  return [...last.values()].filter((a) => a.status === "started").map((entry) => ({
    entry,
    completed: since(entry, CHECKPOINT),
    failed: since(entry, FAILED) > 0,
  }));
}

/** Options of {@linkcode auditInsertSql}. */
export interface AuditSqlOptions {
  /** SQL expression for `applied_at` instead of a parameter (offline scripts: the run's time). */
  readonly appliedAtSql?: string;
  /** Values as literals in the text, no bind parameters (see {@linkcode Dialect.literalStateWrites}). */
  readonly inline?: boolean;
  /**
   * SQL expression added to `durationMs` for `duration_ms` (the time the server has spent
   * on the transaction so far, {@linkcode Dialect.transactionElapsedMs}).
   */
  readonly durationSql?: string;
}

/**
 * The statement that appends one audit row; `seq` is max + 1 (the runner lock makes that
 * safe). The table is read in the FROM clause of the INSERT's own SELECT, never in a
 * subquery: MySQL refuses a subquery on the table being changed (error 1093) but allows
 * INSERT … SELECT from it, and so does every other dialect.
 */
export function auditInsertSql(
  d: Dialect,
  cfg: StateConfig,
  e: Omit<AuditEntry, "seq" | "versionTable">,
  opts: AuditSqlOptions = {},
): BoundSql {
  const t = d.table(cfg.auditTable);
  const { p, params } = binder(d, opts.inline ?? false);
  const values = [
    p(cfg.versionTable.name),
    p(e.revision),
    p(e.direction),
    p(e.status),
    p(e.checksum),
    opts.appliedAtSql ?? p(e.appliedAt),
    opts.durationSql ? `${p(e.durationMs)} + ${opts.durationSql}` : p(e.durationMs),
    p(e.host),
    p(e.toolVersion),
  ];
  return {
    sql: `INSERT INTO ${t} (seq, version_table, revision, direction, status, checksum, ` +
      `applied_at, duration_ms, host, tool_version) SELECT COALESCE(MAX(seq), 0) + 1, ${
        values.join(", ")
      } FROM ${t}`,
    params,
  };
}

/**
 * Append one audit row; with `durationSql`, its duration is `e.durationMs` plus that
 * ({@linkcode AuditSqlOptions.durationSql}).
 */
export async function recordAudit(
  exec: Executor,
  d: Dialect,
  cfg: StateConfig,
  e: Omit<AuditEntry, "seq" | "versionTable">,
  durationSql?: string,
): Promise<void> {
  const b = auditInsertSql(d, cfg, e, { inline: d.literalStateWrites, durationSql });
  await writing(d, cfg.auditTable, "add a row to", () => exec.run(b.sql, b.params));
}

/**
 * The statement that marks the last `started` row of a revision as done. The row is found
 * in a derived table, which every dialect accepts: MySQL refuses a plain subquery on the
 * table being updated (error 1093) but not a derived table it materialises, which it
 * always does for one with an aggregate (MAX) in it.
 */
export function finishAuditSql(
  d: Dialect,
  cfg: StateConfig,
  revision: string,
  durationMs: number,
): BoundSql {
  const t = d.table(cfg.auditTable);
  return {
    sql: `UPDATE ${t} SET status = 'done', duration_ms = ${d.param(1)} WHERE seq = ` +
      `(SELECT last_seq FROM (SELECT MAX(seq) AS last_seq FROM ${t} WHERE version_table = ${
        d.param(2)
      } AND revision = ${d.param(3)} AND status = 'started') AS last_started)`,
    params: [durationMs, cfg.versionTable.name, revision],
  };
}

/** Mark the last `started` row of a revision as done (non-transactional revisions). */
export async function finishAudit(
  exec: Executor,
  d: Dialect,
  cfg: StateConfig,
  revision: string,
  durationMs: number,
): Promise<void> {
  const b = finishAuditSql(d, cfg, revision, durationMs);
  await writing(d, cfg.auditTable, "update a row of", () => exec.run(b.sql, b.params));
}

/**
 * The statement that removes the `checkpoint` rows recorded since the last `started` row
 * of a revision: once it finishes, its `done` row says all there is. (Those of an
 * interrupted run stay, as the record of what completed before the interruption.) A
 * derived table, as in {@linkcode finishAuditSql}, because MySQL refuses a plain subquery
 * on the table a DELETE changes.
 */
export function clearCheckpointsSql(d: Dialect, cfg: StateConfig, revision: string): BoundSql {
  const t = d.table(cfg.auditTable);
  return {
    sql:
      `DELETE FROM ${t} WHERE version_table = ${d.param(1)} AND revision = ${
        d.param(2)
      } AND status = '${CHECKPOINT}' AND seq > (SELECT last_seq FROM (SELECT MAX(seq) AS ` +
      `last_seq FROM ${t} WHERE version_table = ${d.param(3)} AND revision = ${
        d.param(4)
      } AND status = 'started') AS last_started)`,
    params: [cfg.versionTable.name, revision, cfg.versionTable.name, revision],
  };
}

/** Remove a finished revision's checkpoint rows ({@linkcode clearCheckpointsSql}). */
export async function clearCheckpoints(
  exec: Executor,
  d: Dialect,
  cfg: StateConfig,
  revision: string,
): Promise<void> {
  const b = clearCheckpointsSql(d, cfg, revision);
  await writing(d, cfg.auditTable, "update rows of", () => exec.run(b.sql, b.params));
}

/**
 * Mark every unfinished (`started`) row of this version table `interrupted`: a stamp
 * recorded what became of them. Returns how many there were.
 */
export async function resolveInterrupted(
  exec: Executor,
  d: Dialect,
  cfg: StateConfig,
): Promise<number> {
  return await writing(d, cfg.auditTable, "update rows of", () =>
    exec.run(
      `UPDATE ${d.table(cfg.auditTable)} SET status = 'interrupted' WHERE version_table = ${
        d.param(1)
      } AND status = 'started'`,
      [cfg.versionTable.name],
    ));
}

/** All audit rows of this version table, oldest first; none when the table does not exist. */
export async function readAudit(driver: Driver, cfg: StateConfig): Promise<AuditEntry[]> {
  if (!(await stateTableExists(driver, cfg.auditTable))) return [];
  const rows = await stateRead(driver, cfg.auditTable, () =>
    driver.query<Record<string, unknown>>(
      `SELECT seq, version_table, revision, direction, status, checksum, applied_at, ` +
        `duration_ms, host, tool_version FROM ${driver.dialect.table(cfg.auditTable)} ` +
        `WHERE version_table = ${driver.dialect.param(1)} ORDER BY seq`,
      [cfg.versionTable.name],
    ));
  return rows.map((r) => ({
    seq: Number(r.seq),
    versionTable: String(r.version_table),
    revision: String(r.revision),
    direction: String(r.direction),
    status: String(r.status),
    checksum: r.checksum == null ? null : String(r.checksum),
    appliedAt: String(r.applied_at),
    durationMs: Number(r.duration_ms),
    host: String(r.host),
    toolVersion: String(r.tool_version),
  }));
}

/**
 * `CREATE TABLE IF NOT EXISTS` for the progress table of keyset data migrations: one row
 * per data migration, with the last key a committed batch reached. The key is kept as
 * text with its kind (`number`, `bigint`, `string`), so that a rerun binds it as the
 * driver returned it.
 */
export function progressTableDdl(d: Dialect, cfg: StateConfig): string {
  const t = cfg.progressTable;
  return [
    `CREATE TABLE IF NOT EXISTS ${d.table(t)} (`,
    "    version_table VARCHAR(255) NOT NULL,",
    "    name VARCHAR(32) NOT NULL,",
    "    last_key VARCHAR(1024),",
    "    key_kind VARCHAR(8),",
    "    rows_done BIGINT NOT NULL,",
    "    batches BIGINT NOT NULL,",
    "    updated_at VARCHAR(32) NOT NULL,",
    `    CONSTRAINT ${d.quoteIdent(`${t.name}_pk`)} PRIMARY KEY (version_table, name)`,
    ")",
  ].join("\n");
}

/** Where a keyset data migration stands: the last key a committed batch reached. */
export interface KeysetProgress {
  /** The last key reached; null before the first batch committed. */
  readonly lastKey: number | bigint | string | null;
  /** Rows moved by the batches recorded, in all runs. */
  readonly rowsDone: number;
  readonly batches: number;
}

function keyKind(key: KeysetProgress["lastKey"]): string | null {
  return key === null ? null : typeof key === "bigint" ? "bigint" : typeof key;
}

function keyFromText(text: unknown, kind: unknown): KeysetProgress["lastKey"] {
  if (text === null || text === undefined) return null;
  const s = String(text);
  return kind === "number" ? Number(s) : kind === "bigint" ? BigInt(s) : s;
}

/**
 * Read the progress row of data migration `name`, creating the table and the row (at
 * `start`) when missing. Run in its own transaction before the first batch.
 */
export async function openProgress(
  exec: Executor,
  d: Dialect,
  cfg: StateConfig,
  name: string,
  start: KeysetProgress["lastKey"],
): Promise<KeysetProgress> {
  const t = d.table(cfg.progressTable);
  await writing(d, cfg.progressTable, "create", () => exec.run(progressTableDdl(d, cfg)));
  const where = `version_table = ${d.param(1)} AND name = ${d.param(2)}`;
  const rows = await writing(
    d,
    cfg.progressTable,
    "read",
    () =>
      exec.query<Record<string, unknown>>(
        `SELECT last_key, key_kind, rows_done, batches FROM ${t} WHERE ${where}`,
        [cfg.versionTable.name, name],
      ),
  );
  if (rows.length > 0) {
    const r = rows[0];
    return {
      lastKey: keyFromText(r.last_key, r.key_kind),
      rowsDone: Number(r.rows_done),
      batches: Number(r.batches),
    };
  }
  await resetProgress(exec, d, cfg, name, start, true);
  return { lastKey: start, rowsDone: 0, batches: 0 };
}

/** Put data migration `name` back at `start` (a new pass), or add its row when `insert`. */
export async function resetProgress(
  exec: Executor,
  d: Dialect,
  cfg: StateConfig,
  name: string,
  start: KeysetProgress["lastKey"],
  insert = false,
): Promise<void> {
  const t = d.table(cfg.progressTable);
  const p = (i: number) => d.param(i);
  const values = [
    start === null ? null : String(start),
    keyKind(start),
    new Date().toISOString(),
    cfg.versionTable.name,
    name,
  ];
  await writing(d, cfg.progressTable, insert ? "add a row to" : "update a row of", () =>
    exec.run(
      insert
        ? `INSERT INTO ${t} (last_key, key_kind, updated_at, version_table, name, rows_done, ` +
          `batches) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, 0, 0)`
        : `UPDATE ${t} SET last_key = ${p(1)}, key_kind = ${p(2)}, updated_at = ${p(3)} ` +
          `WHERE version_table = ${p(4)} AND name = ${p(5)}`,
      values,
    ));
}

/**
 * The statement that records one committed batch: run in the batch's own transaction,
 * so the key and the rows it moved commit together or not at all.
 */
export function progressUpdateSql(
  d: Dialect,
  cfg: StateConfig,
  name: string,
  lastKey: KeysetProgress["lastKey"],
  rows: number,
): BoundSql {
  const p = (i: number) => d.param(i);
  return {
    sql: `UPDATE ${d.table(cfg.progressTable)} SET last_key = ${p(1)}, key_kind = ${p(2)}, ` +
      `rows_done = rows_done + ${p(3)}, batches = batches + 1, updated_at = ${p(4)} ` +
      `WHERE version_table = ${p(5)} AND name = ${p(6)}`,
    params: [
      lastKey === null ? null : String(lastKey),
      keyKind(lastKey),
      rows,
      new Date().toISOString(),
      cfg.versionTable.name,
      name,
    ],
  };
}

/** Record one batch of data migration `name` (see {@linkcode progressUpdateSql}). */
export async function recordProgress(
  exec: Executor,
  d: Dialect,
  cfg: StateConfig,
  name: string,
  lastKey: KeysetProgress["lastKey"],
  rows: number,
): Promise<void> {
  const b = progressUpdateSql(d, cfg, name, lastKey, rows);
  const n = await writing(d, cfg.progressTable, "update a row of", () => exec.run(b.sql, b.params));
  if (n !== 1) {
    throw new StateError(
      `the progress row of data migration '${name}' in ${cfg.progressTable.name} is gone ` +
        `(${n} rows matched); the batch was rolled back`,
    );
  }
}
