/**
 * Opening a database by URL: the one place that picks a driver.
 *
 * @module
 */
import type { DialectName, Driver } from "./types.ts";
import type { DriverOptions } from "./options.ts";
import { dialectForUrl } from "./dialects.ts";
export { isPrivilegeRefusal } from "./refusal.ts";
import { openSqlite } from "./sqlite.ts";
import { openPostgres } from "./postgres.ts";
import { openMysql } from "./mysql.ts";

export type {
  ColumnDefinition,
  DbErrorInfo,
  DbErrorKind,
  DdlCluster,
  Dialect,
  DialectName,
  Driver,
  Executor,
  HolderAges,
  InvalidIndex,
  Leftover,
  LexerSettings,
  LockHolder,
  LockInspector,
  LockRequest,
  SchemaObject,
  TableName,
  TableSizeInfo,
} from "./types.ts";
export type { DriverOptions } from "./options.ts";
export {
  DIALECT_NAMES,
  dialectForUrl,
  dialectNamed,
  DIALECTS,
  listOr,
  mysqlDialect,
  parseDialectName,
  postgresDialect,
  SECTION_NAMES,
  sqliteDialect,
} from "./dialects.ts";

/** Opens a connection for one dialect. */
export type Opener = (url: string, opts: DriverOptions) => Promise<Driver>;

/**
 * Each registered dialect's driver. Keyed by every {@linkcode DialectName}, so a new
 * registry entry without its driver here does not compile.
 */
const OPENERS: { readonly [K in DialectName]: Opener } = {
  postgresql: openPostgres,
  sqlite: openSqlite,
  mysql: openMysql,
};

/** Open a connection to the database the URL names (the registry picks the driver). */
export function openDriver(url: string, opts: DriverOptions = {}): Promise<Driver> {
  return OPENERS[dialectForUrl(url).name](url, opts);
}
