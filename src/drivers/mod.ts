/**
 * Opening a database by URL: the one place that picks a driver.
 *
 * @module
 */
import type { Driver } from "./types.ts";
import type { DriverOptions } from "./options.ts";
import { openDatabase } from "./dialects.ts";

export type {
  DbErrorInfo,
  DbErrorKind,
  Dialect,
  DialectName,
  Driver,
  Executor,
  InvalidIndex,
  Leftover,
  LexerSettings,
  TableName,
} from "./types.ts";
export type { DriverOptions } from "./options.ts";
export {
  DIALECT_NAMES,
  dialectForUrl,
  dialectNamed,
  DIALECTS,
  listOr,
  parseDialectName,
  postgresDialect,
  sqliteDialect,
} from "./dialects.ts";

/** Open a connection to the database the URL names (the registry picks the driver). */
export function openDriver(url: string, opts: DriverOptions = {}): Promise<Driver> {
  return openDatabase(url, opts);
}
