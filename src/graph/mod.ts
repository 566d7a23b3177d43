/**
 * The revision graph: Alembic's revision language and planning, ported.
 *
 * - {@linkcode RevisionMap}: the validated graph (heads, bases, down revisions, labels).
 * - {@linkcode TargetResolver}, {@linkcode resolveRevisions}: the target language.
 * - {@linkcode planUpgrade}, {@linkcode planDowngrade}, {@linkcode planStamp},
 *   {@linkcode historyRange}: what a command does, in Alembic's order.
 * - {@linkcode formatLogLine}, {@linkcode formatHeadLine}, {@linkcode formatBranches}...:
 *   Alembic's text output.
 * - heads.ts: turning steps into version-table changes (Alembic's HeadMaintainer).
 *
 * @module
 */
export * from "./types.ts";
export * from "./errors.ts";
export * from "./revision_map.ts";
export * from "./targets.ts";
export * from "./plan.ts";
export * from "./format.ts";
export * from "./heads.ts";
