/**
 * SQLAlchemy-Migrate's `migrate_version` table (repository_id, repository_path,
 * version), which databases migrated before Alembic still carry. bellows only
 * reads it: a database whose version table is empty is taken over from it.
 *
 * @module
 */
import type { Driver, TableName } from "../drivers/types.ts";
import { StateError } from "../errors.ts";
import { stateRead } from "./version_table.ts";

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
  if (!(await stateRead(driver, LEGACY_TABLE, () => driver.tableExists(LEGACY_TABLE)))) {
    return undefined;
  }
  const t = driver.dialect.table(LEGACY_TABLE);
  const rows = await stateRead(
    driver,
    LEGACY_TABLE,
    () =>
      driver.query<{ repository_id: unknown; version: unknown }>(
        `SELECT repository_id, version FROM ${t} ORDER BY repository_id`,
      ),
  );
  if (rows.length === 0) return undefined;
  if (rows.length > 1) {
    throw new StateError(
      `${t} tracks ${rows.length} repositories (${
        rows.map((r) => `${r.repository_id} at ${r.version}`).join(", ")
      }); cannot tell which one these revisions continue. Nothing was changed`,
    );
  }
  const version = legacyNumber(rows[0].version);
  if (version === undefined) {
    const raw = rows[0].version;
    throw new StateError(
      raw === null || raw === undefined
        ? `${t} holds no version (NULL); nothing was changed`
        : `${t} holds version '${raw}', which is not a version number (0, 1, 2, ...); ` +
          `nothing was changed`,
    );
  }
  return { repositoryId: String(rows[0].repository_id), version };
}

/**
 * A `migrate_version.version` value as a number, or undefined unless it is a whole
 * number of at least 0 (as an integer, bigint or digits-only text; not NULL, '', 1.5).
 */
export function legacyNumber(value: unknown): number | undefined {
  const text = typeof value === "number" || typeof value === "bigint"
    ? String(value)
    : typeof value === "string"
    ? value.trim()
    : undefined;
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
