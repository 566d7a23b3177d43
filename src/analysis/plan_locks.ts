/**
 * The lock-aware view of a plan: for each statement a step runs on PostgreSQL, the
 * relations it locks, in which mode, and what it does to them under the lock, worded
 * for a reviewer ("ACCESS EXCLUSIVE on images (48 GB, ~120M rows; blocks reads and
 * writes), rewrites"). Pure: the caller picks the statements (as `plan` does) and, with
 * a database at hand, reads the table sizes.
 *
 * `plan` and `upgrade --dry-run` show it under each step (src/runner/preview.ts); the
 * runner's pre-flight before a strong lock (src/runner/preflight.ts) asks
 * {@linkcode lockRequests} which locks of a statement are strong enough to wait for.
 * SQLite statements get the same view from their text (src/analysis/sqlite.ts): SQLite
 * locks the whole database for writing, so they name tables but no lock levels. MySQL /
 * MariaDB statements get theirs from src/analysis/mysql.ts: the ALTER algorithm InnoDB
 * can use (INSTANT, NOCOPY, INPLACE, COPY) and whether writes continue, and on a Galera
 * cluster, that every node waits for each schema change (TOI).
 *
 * @module
 */
import type {
  ColumnDefinition,
  DdlCluster,
  DialectName,
  LockHolder,
  LockRequest,
  TableSizeInfo,
} from "../drivers/types.ts";
import type { Statement } from "../script/types.ts";
import { analysesDialect, analyseStatement } from "./analyse.ts";
import {
  blocksReads,
  blocksWrites,
  conflicts,
  LOCK_MODES,
  type Operation,
  pgLocksName,
  type RelationLock,
  type Work,
} from "./locks.ts";
import { type PgParser, pgParser } from "./pg_parser.ts";
import { prescreen } from "./prescreen.ts";
import { classifySqlite } from "./sqlite.ts";
import { classifyMysql, type MysqlStatement, refineStatement } from "./mysql.ts";

/** A step of a plan with the statements it runs (as `stepStatements` picks them). */
export interface StepStatements {
  readonly revision: string;
  readonly direction: "up" | "down";
  readonly file: string;
  readonly statements: readonly Statement[];
}

/** One statement of a step, as the lock view shows it. */
export interface StatementLockView {
  readonly line: number;
  readonly column: number;
  /** The statement's first line, cut to 60 characters. */
  readonly summary: string;
  readonly locks: readonly RelationLock[];
  readonly work: Work;
  readonly notes: readonly string[];
  /** PostgreSQL's parser rejected it. */
  readonly syntaxError?: string;
  /**
   * SQLite: the tables the statement changes. SQLite has no table locks: the step holds
   * the database's write lock until it commits.
   */
  readonly tables?: readonly string[];
  /** MySQL / MariaDB: what the statement's text says (algorithm, tables, clauses). */
  readonly mysql?: MysqlStatement;
}

/** The lock view of one step. */
export interface StepLockView {
  readonly revision: string;
  readonly direction: "up" | "down";
  readonly file: string;
  readonly statements: readonly StatementLockView[];
}

/** A table's size as the database reports it (`pg_relation_size`, `reltuples`). */
export interface TableSize {
  readonly bytes: number;
  /** With indexes and TOAST (`pg_total_relation_size`), when read. */
  readonly totalBytes?: number;
  /** The planner's estimate; negative when the table was never analysed. */
  readonly rows: number;
}

/** The sizes a driver reads are table sizes as this view shows them. */
export type { TableSizeInfo };

function summary(sql: string): string {
  const first = sql.split("\n")[0].trim();
  return first.length > 60 ? `${first.slice(0, 57)}...` : first;
}

/** The lock view of PostgreSQL `steps`, parsing each statement with `parser`. */
export async function lockView(
  steps: readonly StepStatements[],
  parser: PgParser | undefined,
): Promise<StepLockView[]> {
  const out: StepLockView[] = [];
  for (const step of steps) {
    const statements: StatementLockView[] = [];
    for (const stmt of step.statements) {
      const a = await analyseStatement(stmt, "postgresql", parser);
      statements.push({
        line: stmt.line,
        column: stmt.column,
        summary: summary(stmt.sql),
        locks: a.locks ?? [],
        work: a.work ?? "none",
        notes: a.notes ?? [],
        ...(a.syntaxError ? { syntaxError: a.syntaxError.message } : {}),
      });
    }
    out.push({ ...step, statements });
  }
  return out;
}

/** What a SQLite statement does to the tables it names, from its operations. */
function sqliteWork(ops: readonly Operation[]): { work: Work; tables: string[]; notes: string[] } {
  const order: Work[] = ["none", "metadata", "rows", "scan", "rewrite"];
  let work: Work = "none";
  const tables = new Set<string>();
  const notes: string[] = [];
  const raise = (w: Work) => {
    if (order.indexOf(w) > order.indexOf(work)) work = w;
  };
  for (const op of ops) {
    switch (op.op) {
      case "create-table":
      case "add-column":
      case "rename":
        tables.add(op.op === "rename" ? (op.table ?? op.from) : op.table);
        raise("metadata");
        break;
      case "drop":
        if (op.object === "column" && op.table) {
          tables.add(op.table);
          notes.push("DROP COLUMN rewrites every row of the table");
          raise("rewrite");
        } else {
          // Triggers and indexes are not tables; a dropped table or view is one.
          if (op.object === "table" || op.object === "view") {
            for (const n of op.names) tables.add(n);
          }
          raise("metadata");
        }
        break;
      case "drop-index":
        raise("metadata");
        break;
      case "create-index":
        tables.add(op.table);
        raise("scan");
        break;
      case "copy-rows":
        tables.add(op.into);
        tables.add(op.from);
        notes.push(`copies the rows of ${op.from} into ${op.into} (a table rebuild)`);
        raise("rows");
        break;
      default:
        break;
    }
  }
  return { work, tables: [...tables], notes };
}

/** The view of SQLite `steps`, from each statement's text. */
export function sqliteLockView(steps: readonly StepStatements[]): StepLockView[] {
  return steps.map((step) => ({
    ...step,
    statements: step.statements.map((stmt) => {
      const { work, tables, notes } = sqliteWork(classifySqlite(stmt.sql).operations);
      return {
        line: stmt.line,
        column: stmt.column,
        summary: summary(stmt.sql),
        locks: [],
        work,
        notes,
        tables,
      };
    }),
  }));
}

/** What InnoDB's algorithm means for the table, in the view's terms. */
function mysqlWork(m: MysqlStatement): Work {
  if (m.algorithm === "COPY" || m.algorithm === "INPLACE") return "rewrite";
  if (m.algorithm === "NOCOPY") return "scan";
  if (m.algorithm === "INSTANT" || m.ddl) return "metadata";
  return m.tables.length > 0 ? "rows" : "none";
}

/** The view of MySQL / MariaDB `steps`, from each statement's text. */
export function mysqlLockView(steps: readonly StepStatements[]): StepLockView[] {
  return steps.map((step) => ({
    ...step,
    statements: step.statements.map((stmt) => {
      const mysql = classifyMysql(stmt.sql);
      return {
        line: stmt.line,
        column: stmt.column,
        summary: summary(stmt.sql),
        locks: [],
        work: mysqlWork(mysql),
        notes: mysql.notes,
        mysql,
      };
    }),
  }));
}

/** Tables whose columns a MySQL view's MODIFY / CHANGE statements redefine (to read them). */
export function redefinedTables(steps: readonly StepLockView[]): string[] {
  const names = new Set<string>();
  for (const step of steps) {
    for (const s of step.statements) {
      if (s.mysql?.changes.some((c) => c.redefines)) names.add(s.mysql.tables[0]);
    }
  }
  return [...names].sort();
}

/**
 * A MySQL view with each MODIFY / CHANGE settled against the columns the database has
 * now (`columns`: by table, then lower-case column name). Only while nothing earlier in
 * the view changed that table: after that, the catalog no longer tells what it will be.
 */
export function refineLockView(
  steps: readonly StepLockView[],
  columns: ReadonlyMap<string, ReadonlyMap<string, ColumnDefinition>>,
): StepLockView[] {
  const changed = new Set<string>();
  return steps.map((step) => ({
    ...step,
    statements: step.statements.map((s) => {
      if (!s.mysql) return s;
      const m = s.mysql;
      const refined = changed.has(m.tables[0]?.toLowerCase()) ? m : refineStatement(
        m,
        (table, name) => columns.get(table)?.get(name.toLowerCase()),
      );
      if (m.ddl) { for (const t of m.tables) changed.add(t.toLowerCase()); }
      return refined === m ? s : { ...s, mysql: refined, work: mysqlWork(refined) };
    }),
  }));
}

/**
 * The view of `steps` on `dialect`: PostgreSQL's through its parser (loaded here, once
 * per process), SQLite's and MySQL's from the text; undefined for a database not analysed.
 */
export async function lockViewFor(
  steps: readonly StepStatements[],
  dialect: DialectName,
): Promise<StepLockView[] | undefined> {
  if (!analysesDialect(dialect)) return undefined;
  if (dialect === "sqlite") return sqliteLockView(steps);
  if (dialect === "mysql") return mysqlLockView(steps);
  const needed = steps.some((s) => s.statements.length > 0);
  return await lockView(steps, needed ? await pgParser() : undefined);
}

/**
 * The locks of a statement worth waiting for before it runs: those that block writes
 * (SHARE and stronger; ACCESS EXCLUSIVE blocks reads too), each with the modes, in
 * pg_locks' names, that conflict with it.
 */
export function lockRequests(locks: readonly RelationLock[]): LockRequest[] {
  return locks.filter((l) => blocksWrites(l.mode)).map((l) => ({
    relation: l.relation,
    conflictsWith: LOCK_MODES.filter((m) => conflicts(l.mode, m)).map(pgLocksName),
  }));
}

/**
 * {@linkcode lockRequests} of `stmt` on `dialect`: what the runner's pre-flight waits
 * for. PostgreSQL only (empty elsewhere); the parser is loaded and the statement parsed
 * (once, shared with lint and the lock view) only when its text could take such a lock
 * ({@linkcode prescreen}).
 */
export async function strongLockRequests(
  stmt: Statement,
  dialect: DialectName,
): Promise<LockRequest[]> {
  if (dialect !== "postgresql" || prescreen(stmt.sql).noStrongLock) return [];
  const analysis = await analyseStatement(stmt, dialect, await pgParser());
  return lockRequests(analysis.locks ?? []);
}

/** `2.5s`, `3m10s`: a duration in ms for messages. */
export function formatAge(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const s = Math.round(ms / 1000);
  return s < 3600
    ? `${Math.floor(s / 60)}m${s % 60}s`
    : `${Math.floor(s / 3600)}h${Math.floor(s % 3600 / 60)}m`;
}

/**
 * One session in the way, on one line: `pid 4242 (application_name psql, user app,
 * client 10.0.0.7, transaction open 42.0s, idle in transaction, holds AccessShareLock on
 * images): SELECT * FROM images`.
 */
export function formatHolder(h: LockHolder): string {
  const facts = [
    `application_name ${h.applicationName || "(none)"}`,
    `user ${h.user || "(unknown)"}`,
    `client ${h.client}`,
    h.transactionAgeMs === null
      ? "no transaction open"
      : `transaction open ${formatAge(h.transactionAgeMs)}`,
    h.state,
    `${
      h.conflicting ? "holds" : "has held since its transaction began"
    } ${h.mode} on ${h.relation}`,
  ].filter((x) => x !== "");
  return `pid ${h.pid} (${facts.join(", ")}): ${h.query || "(no query)"}`;
}

/** `48 GB`, `1.5 MB`, `8 kB` (PostgreSQL's pg_size_pretty units, base 1024). */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) [n, i] = [n / 1024, i + 1];
  return i === 0 ? `${n} bytes` : `${n < 10 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

function formatRows(rows: number): string {
  if (rows < 0) return "rows unknown";
  if (rows >= 1e6) return `~${(rows / 1e6).toFixed(rows >= 1e7 ? 0 : 1)}M rows`;
  if (rows >= 1e3) return `~${(rows / 1e3).toFixed(rows >= 1e4 ? 0 : 1)}k rows`;
  return `~${Math.round(rows)} rows`;
}

const WORK_WORDS: Readonly<Record<Work, string>> = {
  rewrite: "rewrites",
  "rewrite-unless-compatible": "rewrites unless the types are binary-compatible",
  scan: "scans",
  rows: "touches the rows it selects",
  metadata: "metadata only",
  none: "",
};

function sizeWords(table: string, sizes: ReadonlyMap<string, TableSize>): string {
  const size = sizes.get(table);
  return size ? `${table} ${formatBytes(size.bytes)}, ${formatRows(size.rows)}` : "";
}

/**
 * A MySQL / MariaDB statement in words: `ALTER TABLE images: copies the table
 * (ALGORITHM=COPY), blocks writes; images 1.2 GB, ~3M rows`, then on Galera what the
 * cluster does while it runs.
 */
export function describeMysql(
  m: MysqlStatement,
  sizes: ReadonlyMap<string, TableSize> = new Map(),
  cluster?: DdlCluster,
): string {
  const table = m.tables[0];
  const parts: string[] = [];
  if (m.algorithm !== undefined) {
    const writes = m.lockNone ? "reads and writes continue" : "blocks writes";
    const how = {
      INSTANT: `instant (ALGORITHM=INSTANT), metadata only${
        m.lockNone ? "" : ", under an exclusive metadata lock (brief)"
      }`,
      NOCOPY: `in place without copying the table (ALGORITHM=NOCOPY), ${writes}`,
      INPLACE: `rebuilds the table in place (ALGORITHM=INPLACE), ${writes}`,
      COPY: `copies the table (ALGORITHM=COPY), blocks writes`,
    }[m.algorithm];
    parts.push(how);
    const worst = m.changes.find((c) => c.algorithm === m.algorithm);
    if (worst?.because) parts.push(`${worst.because} (read from the database)`);
    const unless = m.changes.find((c) => c.algorithm === m.algorithm && c.unless)?.unless;
    if (unless && m.clauses.algorithm !== "COPY") {
      parts.push(unless.startsWith("not classified") ? unless : `or ${unless}`);
    }
    const asked = [
      m.clauses.algorithm ? `ALGORITHM=${m.clauses.algorithm}` : "",
      m.clauses.lock ? `LOCK=${m.clauses.lock}` : "",
    ].filter((x) => x !== "").join(", ");
    if (m.refused) parts.push(`the server refuses it: ${m.refused}`);
    else if (m.mayBeRefused) parts.push(`the server may refuse it: ${m.mayBeRefused}`);
    else if (asked) parts.push(`asks ${asked}`);
  } else if (m.ddl) {
    parts.push("metadata only");
  } else if (m.tables.length > 0) {
    parts.push("touches the rows it selects");
  }
  parts.push(...m.notes.filter((n) => !n.startsWith("sets ")));
  const head = `${m.command}${table ? ` ${table}` : ""}: ${parts.join(", ")}`;
  const sized = m.tables.map((t) => sizeWords(t, sizes)).filter((x) => x !== "");
  let text = head + (sized.length > 0 ? `; ${sized.join("; ")}` : "");
  if (cluster && m.ddl) {
    text += cluster.method === "TOI"
      ? `; Galera TOI: every node of the ${cluster.nodes}-node cluster runs it at once and ` +
        "waits for it (writes to the cluster stall until it ends)"
      : `; Galera ${cluster.method}: runs on node ${cluster.nodeName || "(this one)"} only and ` +
        "is not replicated (run it on every node)";
  }
  return text;
}

/**
 * One statement in words: each lock with the relation's size when `sizes` has it, who
 * waits behind it, then what it does. `cluster`: the Galera cluster a MySQL statement
 * runs on.
 */
export function describeStatement(
  s: StatementLockView,
  sizes: ReadonlyMap<string, TableSize> = new Map(),
  cluster?: DdlCluster,
): string {
  if (s.syntaxError) return `does not parse: ${s.syntaxError}`;
  if (s.mysql) return describeMysql(s.mysql, sizes, cluster);
  if (s.tables) {
    const tables = s.tables.map((t) => {
      const size = sizes.get(t);
      return size ? `${t} (${formatBytes(size.bytes)})` : t;
    });
    return [
      tables.length > 0 ? `changes ${tables.join(", ")}` : "",
      WORK_WORDS[s.work],
      ...s.notes,
    ].filter((x) => x !== "").join(", ") || "nothing read from its text";
  }
  const locks = s.locks.map((l) => {
    const size = sizes.get(l.relation);
    const blocks = blocksReads(l.mode)
      ? "blocks reads and writes"
      : blocksWrites(l.mode)
      ? "blocks writes"
      : "";
    const extra = [
      size ? `${formatBytes(size.bytes)}, ${formatRows(size.rows)}` : "",
      blocks,
    ].filter((x) => x !== "").join("; ");
    const what = l.kind === "index" ? `index ${l.relation}` : l.relation;
    return `${l.mode} on ${what}${extra ? ` (${extra})` : ""}`;
  });
  return [locks.join(", ") || "no table lock", WORK_WORDS[s.work]].filter((x) => x !== "")
    .join(", ");
}

/** The lock view as text: a header per step, a line per statement. */
export function formatLockView(
  steps: readonly StepLockView[],
  sizes: ReadonlyMap<string, TableSize> = new Map(),
  cluster?: DdlCluster,
): string {
  return steps.map((step) =>
    [
      `${step.direction === "up" ? "upgrade" : "downgrade"} ${step.revision} (${step.file})`,
      ...step.statements.map((s) =>
        `  ${step.file}:${s.line}:${s.column} ${s.summary}\n    ${
          describeStatement(s, sizes, cluster)
        }`
      ),
    ].join("\n")
  ).join("\n") + (steps.length > 0 ? "\n" : "");
}

/** Every table a lock view names (for the caller to read their sizes). */
export function lockedTables(steps: readonly StepLockView[]): string[] {
  const names = new Set<string>();
  for (const step of steps) {
    for (const s of step.statements) {
      for (const l of s.locks) if (l.kind === "table") names.add(l.relation);
      for (const t of s.mysql?.tables ?? []) names.add(t);
    }
  }
  return [...names].sort();
}
