/**
 * Taking over a database from SQLAlchemy-Migrate: which revision its
 * `migrate_version` number stands for, as the revisions' `legacy_version`
 * headers declare (Glance's `place_database_under_alembic_control`). Pure.
 *
 * @module
 */
import { ScriptError, StateError } from "../errors.ts";

/** What the mapping needs of a revision script. */
export interface LegacyDeclaration {
  readonly id: string;
  readonly legacyVersion?: number;
  readonly file?: string;
}

/**
 * The `legacy_version` → revision table. Throws {@linkcode ScriptError} when
 * two revisions declare the same number.
 */
export function legacyTable(scripts: Iterable<LegacyDeclaration>): Map<number, string> {
  const table = new Map<number, string>();
  const files = new Map<number, string | undefined>();
  for (const s of scripts) {
    if (s.legacyVersion === undefined) continue;
    const other = table.get(s.legacyVersion);
    if (other !== undefined) {
      throw new ScriptError(
        `${s.file ?? s.id}: legacy_version ${s.legacyVersion} is also declared by revision ` +
          `'${other}' (${files.get(s.legacyVersion) ?? "?"})`,
      );
    }
    table.set(s.legacyVersion, s.id);
    files.set(s.legacyVersion, s.file);
  }
  return new Map([...table].sort((a, b) => a[0] - b[0]));
}

/**
 * The revision that SQLAlchemy-Migrate version `version` stands for. Throws
 * {@linkcode StateError} when no revision declares it, saying which numbers
 * are known and, for a number older than all of them, what to do.
 */
export function legacyRevision(scripts: Iterable<LegacyDeclaration>, version: number): string {
  const table = legacyTable(scripts);
  const rev = table.get(version);
  if (rev !== undefined) return rev;
  const known = [...table].map(([v, id]) => `${v} = ${id}`).join(", ");
  const prefix = `the database is under SQLAlchemy-Migrate control at version ${version}`;
  if (table.size === 0) {
    throw new StateError(
      `${prefix}, but no revision declares a legacy_version to take it over from; nothing ` +
        `was changed`,
    );
  }
  const oldest = Math.min(...table.keys());
  if (version < oldest) {
    throw new StateError(
      `${prefix}, older than any revision here knows (${known}): upgrade it to version ` +
        `${oldest} with the release that still has SQLAlchemy-Migrate first; nothing was changed`,
    );
  }
  throw new StateError(
    `${prefix}, which no revision declares (legacy_version ${known}); nothing was changed`,
  );
}
