/**
 * What revision scripts do to a database before they run: for PostgreSQL, the locks
 * each statement takes and what it does to the table under them (PostgreSQL's own
 * parser, loaded lazily); for SQLite, what the statement text shows; for MySQL /
 * MariaDB, the ALTER algorithm InnoDB can use, from the statement's tokens; and
 * phase-aware lint rules over all three.
 *
 * Layer: beside script/ (it reads parsed scripts and imports only script/, the pure
 * dialect types of drivers/ and src/permissions.ts); nothing here opens a database.
 *
 * @module
 */
export {
  blocksReads,
  blocksWrites,
  classifyStatement,
  conflicts,
  LOCK_MODES,
  type LockMode,
  type Operation,
  pgLocksName,
  type RelationLock,
  type StatementLocks,
  type Work,
} from "./locks.ts";
export { type ParseOutcome, type PgParser, pgParser } from "./pg_parser.ts";
export { type Prescreen, prescreen } from "./prescreen.ts";
export { classifySqlite, type SqliteStatement } from "./sqlite.ts";
export {
  classifyMysql,
  MYSQL_ALGORITHMS,
  type MysqlAlgorithm,
  type MysqlChange,
  type MysqlClauses,
  type MysqlStatement,
} from "./mysql.ts";
export {
  type Finding,
  formatFinding,
  type LintMemory,
  lintMemory,
  type LintPhase,
  type LintRevision,
  lintRevision,
  type Rule,
  rule,
  RULES,
  type Severity,
  suppressionsFor,
} from "./lint.ts";
export {
  analyseRevision,
  analysesDialect,
  analyseStatement,
  type LintTarget,
  lintTargets,
  type LintTargetsOptions,
  type StatementAnalysis,
} from "./analyse.ts";
export {
  describeMysql,
  describeStatement,
  formatAge,
  formatBytes,
  formatHolder,
  formatLockView,
  lockedTables,
  lockRequests,
  lockView,
  lockViewFor,
  mysqlLockView,
  redefinedTables,
  refineLockView,
  sqliteLockView,
  type StatementLockView,
  type StepLockView,
  type StepStatements,
  strongLockRequests,
  type TableSize,
} from "./plan_locks.ts";
