/**
 * Glance-shaped data for the phase tests, on a {@linkcode TestDb} of either
 * dialect (tests/support/db.ts): seed images as a pre-Ocata service wrote them,
 * and SQLAlchemy-Migrate's `migrate_version` table.
 *
 * @module
 */
import type { TestDb } from "./db.ts";

/** Column names of a table, in order. */
export async function columns(db: TestDb, table: string): Promise<string[]> {
  const schema = db.dialect === "mysql" ? "DATABASE()" : "current_schema()";
  const sql = db.dialect === "sqlite"
    ? `SELECT name FROM pragma_table_info('${table}') ORDER BY cid`
    : `SELECT column_name AS name FROM information_schema.columns ` +
      `WHERE table_name = '${table}' AND table_schema = ${schema} ORDER BY ordinal_position`;
  return (await db.rows(sql)).map((r) => String(r.name));
}

/**
 * Insert `n` images as a Newton (pre-Ocata) service would have, named by what
 * the data migration must make of them: `seed-public` (is_public),
 * `seed-shared` (not public, with a member; every third image also has a
 * deleted member), `seed-private` (not public; a deleted member at most).
 */
export async function seedImages(db: TestDb, n: number, prefix = "seed"): Promise<void> {
  const images: string[] = [];
  const members: string[] = [];
  for (let i = 0; i < n; i++) {
    const kind = ["public", "shared", "private"][i % 3];
    const id = `${prefix}-${String(i).padStart(6, "0")}`;
    images.push(
      `('${id}', 'seed-${kind}', 'active', ${kind === "public" ? "TRUE" : "FALSE"}, ` +
        `CURRENT_TIMESTAMP)`,
    );
    if (kind === "shared") {
      members.push(`(${i * 2 + 1}, '${id}', 'tenant-${i}', FALSE, CURRENT_TIMESTAMP)`);
    }
    if (kind === "private" || i % 9 === 1) {
      members.push(`(${i * 2 + 2}, '${id}', 'gone-${i}', TRUE, CURRENT_TIMESTAMP)`);
    }
  }
  for (let i = 0; i < images.length; i += 500) {
    await db.exec(
      `INSERT INTO images (id, name, status, is_public, created_at) VALUES ${
        images.slice(i, i + 500).join(", ")
      }`,
    );
  }
  for (let i = 0; i < members.length; i += 500) {
    await db.exec(
      `INSERT INTO image_members (id, image_id, member, deleted, created_at) VALUES ${
        members.slice(i, i + 500).join(", ")
      }`,
    );
  }
}

/** Make the database look as SQLAlchemy-Migrate left it at `version`: its table, no Alembic's. */
export async function makeLegacy(db: TestDb, version: number): Promise<void> {
  await db.exec(
    "DROP TABLE IF EXISTS alembic_version; DROP TABLE IF EXISTS bellows_audit; " +
      "DROP TABLE IF EXISTS migrate_version; " +
      "CREATE TABLE migrate_version (repository_id VARCHAR(250) NOT NULL, " +
      "repository_path TEXT, version INTEGER, PRIMARY KEY (repository_id)); " +
      "INSERT INTO migrate_version VALUES " +
      `('Glance', '/usr/lib/python2.7/dist-packages/glance/db/sqlalchemy/migrate_repo', ${version})`,
  );
}

/** Version rows, sorted; none when there is no version table. */
export async function versionRows(db: TestDb): Promise<string[]> {
  return (await db.tables()).includes("alembic_version") ? await db.versions() : [];
}
