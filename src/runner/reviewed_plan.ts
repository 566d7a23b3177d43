/**
 * "Apply exactly what was reviewed": the plan file `plan --out` writes, and the comparison
 * `upgrade --plan` makes before it runs anything. Pure: reading and writing the file is
 * the command line's (src/cli/plan_file.ts).
 *
 * @module
 */
import type { DialectName } from "../drivers/types.ts";
import { formatRevs } from "./execution.ts";
import type { PlannedStep } from "./preview.ts";

/** What the file's `format` field says, so that no other JSON is taken for a plan. */
export const PLAN_FORMAT = "bellows-plan";
/** Version of the file's layout; raised only when a field changes meaning. */
export const PLAN_FORMAT_VERSION = 1;

/** One step as reviewed: the fields of a planned step that the file keeps. */
export type ReviewedStep = Pick<
  PlannedStep,
  | "direction"
  | "revision"
  | "from"
  | "to"
  | "file"
  | "message"
  | "transactional"
  | "statements"
  | "checksum"
>;

/** What `plan` computed, as its `--json` fields hold it. */
export interface PlanView {
  /** The database, as displayed (never a password); null for a plan made with `--from`. */
  readonly database: string | null;
  readonly dialect: DialectName;
  readonly direction: "up" | "down";
  readonly target: string;
  /** The version rows the plan starts from. */
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly steps: readonly ReviewedStep[];
}

/** The plan file: what was reviewed, against which database, by which bellows. */
export interface ReviewedPlan extends PlanView {
  readonly format: typeof PLAN_FORMAT;
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  /** The bellows version that made it (its statement splitting made the checksums). */
  readonly bellows: string;
  readonly createdAt: string;
}

/** The plan file's content for a plan `plan` computed. */
export function reviewedPlan(view: PlanView, bellows: string, createdAt: Date): ReviewedPlan {
  return {
    format: PLAN_FORMAT,
    formatVersion: PLAN_FORMAT_VERSION,
    bellows,
    createdAt: createdAt.toISOString(),
    database: view.database,
    dialect: view.dialect,
    direction: view.direction,
    target: view.target,
    from: [...view.from],
    to: [...view.to],
    steps: view.steps.map((s) => ({
      direction: s.direction,
      revision: s.revision,
      from: [...s.from],
      to: [...s.to],
      file: s.file,
      message: s.message,
      transactional: s.transactional,
      statements: s.statements,
      checksum: s.checksum,
    })),
  };
}

/** Why a text is not a plan file: thrown by {@linkcode parseReviewedPlan}. */
export class PlanFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanFileError";
  }
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/**
 * Read a plan file's text, checking every field the comparison and the run rely on.
 * Throws {@linkcode PlanFileError} naming the first field that is wrong.
 */
export function parseReviewedPlan(text: string): ReviewedPlan {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PlanFileError(`not JSON (${e instanceof Error ? e.message : e})`);
  }
  const d = doc as Record<string, unknown>;
  if (typeof doc !== "object" || doc === null || d.format !== PLAN_FORMAT) {
    throw new PlanFileError(`not a plan file ('format' is not "${PLAN_FORMAT}"; see 'plan --out')`);
  }
  if (d.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new PlanFileError(
      `plan file format version ${d.formatVersion}, this bellows reads ${PLAN_FORMAT_VERSION}`,
    );
  }
  const need = (ok: boolean, field: string) => {
    if (!ok) throw new PlanFileError(`field '${field}' is missing or of the wrong type`);
  };
  need(typeof d.bellows === "string", "bellows");
  need(typeof d.createdAt === "string", "createdAt");
  need(d.database === null || typeof d.database === "string", "database");
  need(typeof d.dialect === "string", "dialect");
  need(d.direction === "up" || d.direction === "down", "direction");
  need(typeof d.target === "string", "target");
  need(isStrings(d.from), "from");
  need(isStrings(d.to), "to");
  need(Array.isArray(d.steps), "steps");
  (d.steps as unknown[]).forEach((raw, i) => {
    const s = raw as Record<string, unknown>;
    const f = (name: string) => `steps[${i}].${name}`;
    need(typeof raw === "object" && raw !== null, `steps[${i}]`);
    need(s.direction === d.direction, f("direction"));
    need(typeof s.revision === "string", f("revision"));
    need(isStrings(s.from), f("from"));
    need(isStrings(s.to), f("to"));
    need(typeof s.file === "string", f("file"));
    need(typeof s.message === "string", f("message"));
    need(typeof s.transactional === "boolean", f("transactional"));
    need(Number.isInteger(s.statements), f("statements"));
    need(typeof s.checksum === "string" && /^[0-9a-f]{64}$/.test(s.checksum), f("checksum"));
  });
  return doc as ReviewedPlan;
}

/** A step as it would run now: its checksum is unknown for a revision not reviewed. */
export interface StepNow {
  readonly direction: "up" | "down";
  readonly revision: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly checksum?: string;
}

/** What the database and the scripts say now. */
export interface PlanNow {
  readonly database: string;
  readonly dialect: DialectName;
  readonly from: readonly string[];
  readonly steps: readonly StepNow[];
}

/** At most this many differences are listed; the rest are counted. */
const MAX_LISTED = 6;

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join("\0") === [...b].sort().join("\0");
}

function describeStep(s: StepNow): string {
  return `${s.direction === "up" ? "upgrade" : "downgrade"} ${formatRevs(s.from)} -> ` +
    `${formatRevs(s.to)}`;
}

/**
 * How what would run now differs from what was reviewed, one phrase each, in order:
 * dialect, database, version rows, then step by step (missing, extra, other revision or
 * rows, changed statements). Empty when they are the same.
 */
export function planDifferences(reviewed: ReviewedPlan, now: PlanNow): string[] {
  const out: string[] = [];
  if (reviewed.dialect !== now.dialect) {
    out.push(`the plan is for ${reviewed.dialect}, the database is ${now.dialect}`);
  }
  if (reviewed.database !== null && reviewed.database !== now.database) {
    out.push(`the plan was made for ${reviewed.database}, this is ${now.database}`);
  }
  if (!sameSet(reviewed.from, now.from)) {
    out.push(
      `the version rows are ${formatRevs(now.from)}, the plan starts at ${
        formatRevs(reviewed.from)
      }`,
    );
  }
  const n = Math.max(reviewed.steps.length, now.steps.length);
  for (let i = 0; i < n; i++) {
    const r = reviewed.steps[i];
    const s = now.steps[i];
    const at = `step ${i + 1}`;
    if (!s) {
      out.push(`${at} (${describeStep(r)}, ${r.revision}) would not run`);
    } else if (!r) {
      out.push(`${at} (${describeStep(s)}, ${s.revision}) was not reviewed`);
    } else if (
      r.revision !== s.revision || r.direction !== s.direction || !sameSet(r.from, s.from) ||
      !sameSet(r.to, s.to)
    ) {
      out.push(
        `${at} would be ${describeStep(s)} (${s.revision}), reviewed ${describeStep(r)} ` +
          `(${r.revision})`,
      );
    } else if (s.checksum !== r.checksum) {
      out.push(
        `${at} (${r.revision}): ${r.file} changed since the review (sha256 ${
          (s.checksum ?? "?").slice(0, 12)
        } now, ${r.checksum.slice(0, 12)} reviewed)`,
      );
    }
  }
  if (out.length > MAX_LISTED) {
    return [...out.slice(0, MAX_LISTED), `and ${out.length - MAX_LISTED} more`];
  }
  return out;
}
