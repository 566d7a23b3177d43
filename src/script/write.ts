/**
 * New revision files: their text, id and file name. Pure; the caller writes.
 *
 * @module
 */
import { parseScript } from "./parse.ts";

/** What {@linkcode renderRevision} puts in a new file's header. */
export interface NewRevision {
  /** The new revision's id, e.g. from {@linkcode newRevisionId}. */
  readonly id: string;
  /** Parents: none for a base, two or more for a merge. */
  readonly downRevisions?: readonly string[];
  /** Branch labels for the new revision. */
  readonly branchLabels?: readonly string[];
  /** Revisions or labels that must be applied first without being parents. */
  readonly dependsOn?: readonly string[];
  /** One line; line breaks and runs of whitespace become single spaces. */
  readonly message?: string;
  /** Default true. */
  readonly transactional?: boolean;
}

/**
 * The text of a new revision file: header, a comment on where SQL goes, and
 * empty upgrade and downgrade sections. The text is parsed before it is
 * returned, so a bad id or label throws {@linkcode ScriptError} here, naming
 * {@linkcode revisionFileName}, rather than when the file is loaded later.
 */
export function renderRevision(rev: NewRevision): string {
  const message = oneLine(rev.message ?? "");
  const text = [
    `-- revision: ${rev.id}`,
    `-- down_revision: ${(rev.downRevisions ?? []).join(", ")}`,
    `-- branch_labels: ${(rev.branchLabels ?? []).join(", ")}`,
    `-- depends_on: ${(rev.dependsOn ?? []).join(", ")}`,
    `-- message: ${message}`,
    `-- transactional: ${rev.transactional ?? true}`,
    "--",
    "-- Put SQL for every database under the upgrade and downgrade markers below,",
    "-- statements ending in ';'. For SQL that only one database runs, add a marker",
    "-- with the dialect, e.g. '-- bellows:upgrade postgresql'. Add 'rolling' to a",
    "-- marker for SQL needed only while old and new services run side by side.",
    "-- See docs/scripts.md.",
    "",
    "-- bellows:upgrade",
    "",
    "",
    "-- bellows:downgrade",
    "",
  ].map((line) => line.trimEnd()).join("\n");
  parseScript({ path: revisionFileName(rev.id, message), text });
  return text;
}

/**
 * A fresh revision id: 12 lowercase hex digits, like Alembic's
 * `uuid4().hex[-12:]`. `random` (values in [0, 1)) is for tests; the default
 * uses `crypto.getRandomValues`.
 */
export function newRevisionId(random?: () => number): string {
  const digits = random
    ? Array.from({ length: 12 }, () => Math.min(15, Math.floor(random() * 16)))
    : Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b & 15);
  return digits.map((d) => d.toString(16)).join("");
}

/**
 * File name for a new revision, like Alembic's `%(rev)s_%(slug)s`: the slug is
 * the message lowercased, each run of characters other than `a-z0-9` turned
 * into `_`, cut to 40 characters, with no `_` at either end. An empty slug
 * gives `<id>.sql`.
 */
export function revisionFileName(id: string, message: string): string {
  const slug = message.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+/, "").slice(0, 40)
    .replace(/_+$/, "");
  return slug === "" ? `${id}.sql` : `${id}_${slug}.sql`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
