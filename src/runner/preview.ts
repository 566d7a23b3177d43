/**
 * What a plan would run, step by step, with the checksum of each step's statements and
 * what each statement locks: the review artefact of `bellows plan` and `upgrade
 * --dry-run`. No database access (table sizes and sessions in the way are read by the
 * caller, through the driver).
 *
 * @module
 */
import {
  describeStatement,
  lockViewFor,
  type StatementLockView,
  type StepLockView,
  type TableSize,
} from "../analysis/mod.ts";
import type { DdlCluster, DialectName } from "../drivers/types.ts";
import type { MigrateStep } from "../graph/types.ts";
import { checksum } from "../script/mod.ts";
import type { Project } from "./project.ts";
import { formatRevs } from "./execution.ts";
import { stepStatements } from "./run.ts";

/** One step of a plan, as a reviewer sees it. */
export interface PlannedStep {
  readonly direction: "up" | "down";
  readonly revision: string;
  /** Version rows before and after the step (without dependencies, as Alembic shows them). */
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly message: string;
  /** The script file. */
  readonly file: string;
  /** False when the revision runs outside a transaction. */
  readonly transactional: boolean;
  /** How many statements the step runs on this dialect. */
  readonly statements: number;
  /** SHA-256 of those statements: what the audit table records once the step ran. */
  readonly checksum: string;
}

/**
 * Describe `steps` for `dialect`. `skipRolling` leaves out `rolling` sections, as a
 * run that skips them would (the checksum changes with it).
 */
export function previewSteps(
  project: Project,
  steps: readonly MigrateStep[],
  dialect: DialectName,
  skipRolling = false,
): PlannedStep[] {
  const out: PlannedStep[] = [];
  for (const step of steps) {
    const { script, statements } = stepStatements(project, step, dialect, skipRolling);
    out.push({
      direction: step.direction,
      revision: step.revision,
      from: step.from,
      to: step.to,
      message: script.message,
      file: script.file,
      transactional: script.transactional,
      statements: statements.length,
      checksum: checksum(statements),
    });
  }
  return out;
}

/**
 * What each statement of `steps` locks and does to its tables, for `dialect` (undefined
 * for a database bellows does not analyse). Loads PostgreSQL's parser when needed.
 */
export async function previewLocks(
  project: Project,
  steps: readonly MigrateStep[],
  dialect: DialectName,
  skipRolling = false,
): Promise<StepLockView[] | undefined> {
  return await lockViewFor(
    steps.map((step) => {
      const { script, statements } = stepStatements(project, step, dialect, skipRolling);
      return { revision: step.revision, direction: step.direction, file: script.file, statements };
    }),
    dialect,
  );
}

/** One statement of a lock view as `--json` gives it (`steps[].locks`, docs/automation.md). */
export function statementLockJson(
  s: StatementLockView,
  sizes: ReadonlyMap<string, TableSize>,
  cluster?: DdlCluster,
): Record<string, unknown> {
  const size = (t: string) => {
    const z = sizes.get(t);
    return z ? { bytes: z.bytes, totalBytes: z.totalBytes ?? null, rows: z.rows } : null;
  };
  return {
    line: s.line,
    column: s.column,
    statement: s.summary,
    locks: s.locks.map((l) => ({
      relation: l.relation,
      kind: l.kind,
      mode: l.mode,
      size: l.kind === "table" ? size(l.relation) : null,
    })),
    tables: s.mysql
      ? s.mysql.tables.map((t) => ({ name: t, size: size(t) }))
      : s.tables
      ? s.tables.map((t) => ({ name: t, size: size(t) }))
      : [...new Set(s.locks.filter((l) => l.kind === "table").map((l) => l.relation))]
        .map((t) => ({ name: t, size: size(t) })),
    work: s.work,
    notes: s.notes,
    syntaxError: s.syntaxError ?? null,
    mysql: s.mysql
      ? {
        command: s.mysql.command,
        ddl: s.mysql.ddl,
        algorithm: s.mysql.algorithm ?? null,
        lockNone: s.mysql.lockNone ?? null,
        rebuilds: s.mysql.rebuilds ?? null,
        changes: s.mysql.changes,
        clauses: s.mysql.clauses,
        refused: s.mysql.refused ?? null,
        // Under Galera TOI every node runs the schema change and the cluster waits for it.
        clusterWaits: cluster ? s.mysql.ddl && cluster.method === "TOI" : null,
      }
      : null,
    description: describeStatement(s, sizes, cluster),
  };
}

/**
 * The plan as text, one numbered block per step, and with `locks` two lines per
 * statement that locks or changes a table (its position and first line, then what it
 * locks and does):
 *
 * ```
 *   1. upgrade <base> -> liberty, initial image catalogue
 *      migrations/liberty.sql, 4 statements, sha256 9f86d0...
 *        5:1 ALTER TABLE images ALTER COLUMN size TYPE bigint
 *            ACCESS EXCLUSIVE on images (48 GB, ~120M rows; blocks reads and writes), rewrites
 * ```
 */
export function formatPlan(
  steps: readonly PlannedStep[],
  locks?: readonly StepLockView[],
  sizes: ReadonlyMap<string, TableSize> = new Map(),
  cluster?: DdlCluster,
): string {
  const width = String(steps.length).length;
  return steps.map((s, i) => {
    const n = `${String(i + 1).padStart(width)}. `;
    const verb = s.direction === "up" ? "upgrade" : "downgrade";
    const head = `${n}${verb} ${formatRevs(s.from)} -> ${formatRevs(s.to)}` +
      (s.message ? `, ${s.message.split("\n")[0]}` : "");
    const detail = `${" ".repeat(n.length)}${s.file}, ${s.statements} statement` +
      `${s.statements === 1 ? "" : "s"}${s.transactional ? "" : ", outside a transaction"}, ` +
      `sha256 ${s.checksum}`;
    const pad = " ".repeat(n.length + 2);
    // A statement that locks no table and changes none (CREATE FUNCTION, a new table)
    // has nothing to say to a reviewer; --json lists every statement.
    // On MySQL, a schema change says what it does (on Galera every node waits for it).
    const telling = (locks?.[i]?.statements ?? []).filter((st) =>
      st.locks.length > 0 || (st.tables?.length ?? 0) > 0 || st.syntaxError !== undefined ||
      (st.mysql !== undefined && (st.mysql.ddl || st.mysql.tables.length > 0))
    );
    const statements = telling.map((st) =>
      `${pad}${st.line}:${st.column} ${st.summary}\n${pad}    ${
        describeStatement(st, sizes, cluster)
      }\n`
    ).join("");
    return `${head}\n${detail}\n${statements}`;
  }).join("");
}
