/**
 * Shapes of parsed revision scripts.
 *
 * @module
 */
import type { RevisionInfo } from "../graph/types.ts";
import type { DialectName } from "../drivers/types.ts";

/** One SQL statement cut out of a script, with where it starts in the file. */
export interface Statement {
  /** The statement text, without the terminating `;` and without leading comments/whitespace. */
  readonly sql: string;
  /** 1-based line in the file of the statement's first character. */
  readonly line: number;
  /** 1-based column (in code points) of the statement's first character. */
  readonly column: number;
}

/** A `-- bellows:upgrade` or `-- bellows:downgrade` section of a script. */
export interface Section {
  readonly direction: "up" | "down";
  /** Only for this dialect; undefined means every dialect. */
  readonly dialect?: DialectName;
  /** Only needed while old and new services run side by side (skipped by `sync`). */
  readonly rolling: boolean;
  /** 1-based line of the section marker. */
  readonly line: number;
  readonly statements: readonly Statement[];
}

/** The header of a revision script: what commands that only list revisions keep of it. */
export interface RevisionHeader extends RevisionInfo {
  /** Path relative to the migrations root, with `/` separators. */
  readonly file: string;
  /** False when the revision must run outside a transaction (e.g. CREATE INDEX CONCURRENTLY). */
  readonly transactional: boolean;
  /** SQLAlchemy-Migrate version number this revision corresponds to, if declared. */
  readonly legacyVersion?: number;
}

/** A parsed revision script file. */
export interface RevisionScript extends RevisionHeader {
  /** Sections in file order. */
  readonly sections: readonly Section[];
  /** The whole file text. */
  readonly source: string;
}

/** A file to load: its path relative to the migrations root and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
  /**
   * The migrations folder `path` starts with, when it does (shown in messages); which
   * files are scripts is judged on the path below it, so a folder given as `./m` or under
   * `~/.config` is no hidden folder.
   */
  readonly root?: string;
}
