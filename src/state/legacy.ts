/**
 * SQLAlchemy-Migrate's `migrate_version` table (repository_id, repository_path,
 * version), which databases migrated before Alembic still carry. bellows only
 * reads it: a database whose version table is empty is taken over from it.
 *
 * @module
 */
import type { Driver, TableName } from "../drivers/types.ts";
import { StateError } from "../errors.ts";

/** SQLAlchemy-Migrate's table, in the default schema (where Glance's tables live). */
export const LEGACY_TABLE: TableName = { name: "migrate_version" };

/** What `migrate_version` records. */
export interface LegacyVersion {
  readonly repositoryId: string;
  readonly version: number;
}

/**
 * The version recorded in `migrate_version`, or undefined when the table is
 * missing or empty. Throws {@linkcode StateError} when it holds several
 * repositories (it cannot tell which one is this project's) or a version that
 * is not a number.
 */
export async function readLegacyVersion(driver: Driver): Promise<LegacyVersion | undefined> {
  if (!(await driver.tableExists(LEGACY_TABLE))) return undefined;
  const t = driver.dialect.table(LEGACY_TABLE);
  const rows = await driver.query<{ repository_id: unknown; version: unknown }>(
    `SELECT repository_id, version FROM ${t} ORDER BY repository_id`,
  );
  if (rows.length === 0) return undefined;
  if (rows.length > 1) {
    throw new StateError(
      `${t} tracks ${rows.length} repositories (${
        rows.map((r) => `${r.repository_id} at ${r.version}`).join(", ")
      }); cannot tell which one these revisions continue. Nothing was changed`,
    );
  }
  const version = Number(rows[0].version);
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new StateError(`${t} holds version '${rows[0].version}', which is not a number`);
  }
  return { repositoryId: String(rows[0].repository_id), version };
}
