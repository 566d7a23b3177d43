/**
 * The `--json` shapes of revisions, steps and audit rows: plain objects with the
 * field names docs/automation.md documents.
 *
 * @module
 */
import type { Revision } from "../graph/revision_map.ts";
import type { RunReport, StepReport } from "../runner/run.ts";
import type { AuditEntry } from "../state/version_table.ts";

/** A revision of the graph. */
export interface RevisionJson {
  readonly revision: string;
  /** `down_revision`: empty for a base, two or more for a merge. */
  readonly downRevisions: readonly string[];
  /** `depends_on`, resolved to revision ids. */
  readonly dependsOn: readonly string[];
  /** Branch labels, inherited ones included. */
  readonly branchLabels: readonly string[];
  readonly message: string;
  /** Script path (relative to the migrations folder's parent for the bundled set). */
  readonly file: string | null;
  readonly isHead: boolean;
  readonly isBase: boolean;
  readonly isBranchPoint: boolean;
  readonly isMergePoint: boolean;
  /** Revisions whose `down_revision` names this one. */
  readonly nextRevisions: readonly string[];
  /** Retired ids a version row may hold for this revision (the script's `replaces`). */
  readonly replaces: readonly string[];
}

/** Describe one revision. */
export function revisionJson(rev: Revision): RevisionJson {
  return {
    revision: rev.id,
    downRevisions: rev.versionedDownRevisions,
    dependsOn: rev.resolvedDependencies,
    branchLabels: rev.branchLabels,
    message: rev.message,
    file: rev.file ?? null,
    isHead: rev.isHead,
    isBase: rev.isBase,
    isBranchPoint: rev.isBranchPoint,
    isMergePoint: rev.isMergePoint,
    nextRevisions: rev.nextRevisions,
    replaces: rev.replaces,
  };
}

/** A step that ran. */
export interface AppliedStepJson {
  /** `migrate` (a script ran) or `stamp` (rows moved only). */
  readonly kind: string;
  readonly direction: string;
  readonly revision: string | null;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly statements: number;
  /** SHA-256 of the statements as run (the audit table's checksum); null for a stamp. */
  readonly checksum: string | null;
  readonly durationMs: number;
}

/** Describe one executed step. */
export function appliedStepJson(step: StepReport): AppliedStepJson {
  return {
    kind: step.kind,
    direction: step.direction,
    revision: step.revision ?? null,
    from: step.from,
    to: step.to,
    statements: step.statements,
    checksum: step.checksum ?? null,
    durationMs: step.durationMs,
  };
}

/**
 * The fields of a command that ran steps (`upgrade`, `stamp`, `expand` ...):
 * `database`, `source`, `before`, `after`, `steps`, `durationMs`.
 */
export function runJson(
  database: string,
  source: unknown,
  report: RunReport,
): Record<string, unknown> {
  return {
    database,
    source,
    before: report.before,
    after: report.after,
    steps: report.steps.map(appliedStepJson),
    durationMs: report.steps.reduce((a, s) => a + s.durationMs, 0),
  };
}

/** Describe one audit row. */
export function auditJson(a: AuditEntry): Record<string, unknown> {
  return {
    seq: a.seq,
    revision: a.revision,
    direction: a.direction,
    status: a.status,
    checksum: a.checksum,
    appliedAt: a.appliedAt,
    durationMs: a.durationMs,
    host: a.host,
    toolVersion: a.toolVersion,
  };
}
