/**
 * Opening a database by URL: the one place that picks a driver.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Driver } from "./types.ts";
import type { DriverOptions } from "./options.ts";
import { openSqlite } from "./sqlite.ts";
import { openPostgres } from "./postgres.ts";

export type { Dialect, DialectName, Driver, Executor, InvalidIndex, TableName } from "./types.ts";
export type { DriverOptions } from "./options.ts";
export { sqliteDialect } from "./sqlite.ts";
export { postgresDialect } from "./postgres.ts";
export { isPrivilegeRefusal } from "./refusal.ts";

/** Which dialect a URL names: `postgres(ql)(+driver)://` or `sqlite:` / a bare file path. */
export function dialectOf(url: string): "postgresql" | "sqlite" {
  if (/^postgres(ql)?(\+\w+)?:\/\//i.test(url)) return "postgresql";
  if (/^sqlite(\+\w+)?:/i.test(url) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return "sqlite";
  const scheme = url.slice(0, url.indexOf(":"));
  throw new UsageError(`unsupported database URL scheme '${scheme}': use postgresql:// or sqlite:`);
}

/** Open a connection to the database the URL names. */
export function openDriver(url: string, opts: DriverOptions = {}): Promise<Driver> {
  switch (dialectOf(url)) {
    case "sqlite":
      return openSqlite(url, opts);
    case "postgresql":
      return openPostgres(url, opts);
  }
}
