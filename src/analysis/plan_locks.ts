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
 * locks the whole database for writing, so they name tables but no lock levels.
 *
 * @module
 */
import type { DialectName, LockHolder, LockRequest, TableSizeInfo } from "../drivers/types.ts";
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

/**
 * The view of `steps` on `dialect`: PostgreSQL's through its parser (loaded here, once
 * per process), SQLite's from the text; undefined for a database not analysed.
 */
export async function lockViewFor(
  steps: readonly StepStatements[],
  dialect: DialectName,
): Promise<StepLockView[] | undefined> {
  if (!analysesDialect(dialect)) return undefined;
  if (dialect === "sqlite") return sqliteLockView(steps);
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

/**
 * One statement in words: each lock with the relation's size when `sizes` has it, who
 * waits behind it, then what it does.
 */
export function describeStatement(
  s: StatementLockView,
  sizes: ReadonlyMap<string, TableSize> = new Map(),
): string {
  if (s.syntaxError) return `does not parse: ${s.syntaxError}`;
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
): string {
  return steps.map((step) =>
    [
      `${step.direction === "up" ? "upgrade" : "downgrade"} ${step.revision} (${step.file})`,
      ...step.statements.map((s) =>
        `  ${step.file}:${s.line}:${s.column} ${s.summary}\n    ${describeStatement(s, sizes)}`
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
    }
  }
  return [...names].sort();
}
