/**
 * Revision scripts and data migrations: raw SQL files with a comment header and
 * `-- bellows:` section markers (format: docs/scripts.md). Parsing, statement splitting,
 * selection of what runs, checksums, loading and writing new files.
 *
 * Everything here is pure except {@linkcode readMigrationDir}.
 *
 * @module
 */
export type { RevisionScript, Section, SourceFile, Statement } from "./types.ts";
export { locate, type Position, type SplitOptions, splitStatements } from "./split.ts";
export { parseScript } from "./parse.ts";
export { checksum, type SelectOptions, statementsFor } from "./select.ts";
export {
  atomicWithoutTransactionalDdl,
  checkableEffect,
  createsIndex,
  indexOp,
  inverseStatement,
  leavesNothingToUndo,
  type StatementEffect,
  statementEffect,
  type StatementKind,
  statementKind,
} from "./classify.ts";
export { isDataMigration, isScriptFile, isScriptPath, loadScripts } from "./load.ts";
export { readMigrationDir } from "./fs.ts";
export {
  BATCH_SIZE_PLACEHOLDER,
  batchStatements,
  checkStatement,
  type DataMigration,
  type DataMigrationSection,
  loadDataMigrations,
  parseDataMigration,
} from "./data_migration.ts";
export { type NewRevision, newRevisionId, renderRevision, revisionFileName } from "./write.ts";
export {
  branchLabelProblem,
  HEADER_KEYS,
  type HeaderKey,
  MAX_REVISION_ID_LENGTH,
  revisionIdProblem,
} from "./header.ts";
