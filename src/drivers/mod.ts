/**
 * Opening a database by URL: the one place that picks a driver.
 *
 * @module
 */
import type { DialectName, Driver } from "./types.ts";
import type { DriverOptions } from "./options.ts";
import { dialectForUrl } from "./dialects.ts";
export { isPrivilegeRefusal } from "./refusal.ts";

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
 *
 * Each driver module is imported when a URL of its dialect is opened, not at start-up:
 * the npm clients (postgres, mysql2) and Node's net/tls they pull in cost ~0.1 s before
 * the first line of output of any command. The specifiers are literals, which `deno
 * compile` follows into the binary (tests/binary_test.ts checks the module graph).
 */
const OPENERS: { readonly [K in DialectName]: Opener } = {
  postgresql: async (url, opts) => (await import("./postgres.ts")).openPostgres(url, opts),
  sqlite: async (url, opts) => (await import("./sqlite.ts")).openSqlite(url, opts),
  mysql: async (url, opts) => (await import("./mysql.ts")).openMysql(url, opts),
};

/** Open a connection to the database the URL names (the registry picks the driver). */
export function openDriver(url: string, opts: DriverOptions = {}): Promise<Driver> {
  return OPENERS[dialectForUrl(url).name](url, opts);
}
