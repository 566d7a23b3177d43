/**
 * What a plan would run, step by step, with the checksum of each step's statements:
 * the review artefact of `bellows plan` and `upgrade --dry-run`. No database access.
 *
 * @module
 */
import type { DialectName } from "../drivers/types.ts";
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
export async function previewSteps(
  project: Project,
  steps: readonly MigrateStep[],
  dialect: DialectName,
  skipRolling = false,
): Promise<PlannedStep[]> {
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
      checksum: await checksum(statements),
    });
  }
  return out;
}

/**
 * The plan as text, one numbered block per step:
 *
 * ```
 *   1. upgrade <base> -> liberty, initial image catalogue
 *      migrations/liberty.sql, 4 statements, sha256 9f86d0...
 * ```
 */
export function formatPlan(steps: readonly PlannedStep[]): string {
  const width = String(steps.length).length;
  return steps.map((s, i) => {
    const n = `${String(i + 1).padStart(width)}. `;
    const verb = s.direction === "up" ? "upgrade" : "downgrade";
    const head = `${n}${verb} ${formatRevs(s.from)} -> ${formatRevs(s.to)}` +
      (s.message ? `, ${s.message.split("\n")[0]}` : "");
    const detail = `${" ".repeat(n.length)}${s.file}, ${s.statements} statement` +
      `${s.statements === 1 ? "" : "s"}${s.transactional ? "" : ", outside a transaction"}, ` +
      `sha256 ${s.checksum}`;
    return `${head}\n${detail}\n`;
  }).join("");
}
