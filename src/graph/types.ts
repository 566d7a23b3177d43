/**
 * Shared shapes of the revision graph: what the script loader hands in, and what
 * planning hands out to the runner.
 *
 * @module
 */

/** One revision as the graph sees it: no SQL, only identity and edges. */
export interface RevisionInfo {
  /** Revision id: at most 32 characters, none of `@ - + :` (Alembic's rules). */
  readonly id: string;
  /** Parents in the version chain. Empty for a base; two or more for a merge. */
  readonly downRevisions: readonly string[];
  /** Branch labels declared on this revision (inherited along its branch by the map). */
  readonly branchLabels: readonly string[];
  /** `depends_on`: ids, partial ids or branch labels that must be applied first. */
  readonly dependsOn: readonly string[];
  /** One-line message (Alembic's `doc`). */
  readonly message: string;
  /** Where the revision came from, for error messages (path relative to the migrations dir). */
  readonly file?: string;
  /**
   * Retired ids that mean this revision when a version row holds them (the script's
   * `replaces`, e.g. Glance's `ocata01` for `ocata_contract01`). Absent means none.
   */
  readonly replaces?: readonly string[];
}

/** Direction of a step. */
export type Direction = "up" | "down";

/**
 * One step of a plan. A `migrate` step runs the revision's upgrade or downgrade
 * script; a `stamp` step only moves version rows (Alembic's StampStep).
 */
export type Step = MigrateStep | StampStep;

/** Run one revision's script in one direction (Alembic's RevisionStep). */
export interface MigrateStep {
  readonly kind: "migrate";
  readonly direction: Direction;
  /** The revision whose script runs. */
  readonly revision: string;
  /** Version-table rows this step starts from (for display: without dependencies). */
  readonly from: readonly string[];
  /** Version-table rows this step leads to (for display: without dependencies). */
  readonly to: readonly string[];
}

/** Move version rows without running scripts (Alembic's StampStep). */
export interface StampStep {
  readonly kind: "stamp";
  readonly direction: Direction;
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** Alembic's `branch_move`. */
  readonly branchMove: boolean;
}

/** One change to the version table, in the order it must be executed. */
export type VersionOp =
  | { readonly op: "insert"; readonly rev: string }
  | { readonly op: "delete"; readonly rev: string }
  | { readonly op: "update"; readonly from: string; readonly to: string };

/**
 * The part of the revision graph that head maintenance needs: the immediate
 * down revisions of a revision (Alembic's `_normalized_down_revisions`) and the
 * ancestors of a set of revisions (the revisions themselves included).
 */
export interface RevisionLookup {
  /** Immediate down revisions: `down_revision` plus the dependencies no ancestor already has. */
  normalizedDownRevisions(id: string): readonly string[];
  /** The given revisions and everything below them, dependencies included. */
  ancestors(ids: Iterable<string>): Set<string>;
}
