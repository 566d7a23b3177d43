/**
 * The lock-aware view of a plan: for each statement a step runs on PostgreSQL, the
 * relations it locks, in which mode, and what it does to them under the lock, worded
 * for a reviewer ("ACCESS EXCLUSIVE on images (48 GB, ~120M rows; blocks reads and
 * writes), rewrites"). Pure: the caller picks the statements (as `plan` does) and, with
 * a database at hand, reads the table sizes.
 *
 * Not wired into `plan` / `upgrade --dry-run` yet (issue 11, part 1): this is the module
 * they call.
 *
 * @module
 */
import type { Statement } from "../script/types.ts";
import { analyseStatement } from "./analyse.ts";
import { blocksReads, blocksWrites, type RelationLock, type Work } from "./locks.ts";
import type { PgParser } from "./pg_parser.ts";

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
  /** The planner's estimate; negative when the table was never analysed. */
  readonly rows: number;
}

function summary(sql: string): string {
  const first = sql.split("\n")[0].trim();
  return first.length > 60 ? `${first.slice(0, 57)}...` : first;
}

/** The lock view of PostgreSQL `steps`, parsing each statement with `parser`. */
export async function lockView(
  steps: readonly StepStatements[],
  parser: PgParser,
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
