/**
 * The header of a revision script: `-- key: value` comment lines before the
 * first `-- bellows:` marker.
 *
 * @module
 */
import { fail, suggest } from "./_util.ts";
import { revisionIdLength } from "../graph/revision_map.ts";

/** Header keys a revision script may declare, each at most once. */
export const HEADER_KEYS = [
  "revision",
  "down_revision",
  "branch_labels",
  "depends_on",
  "message",
  "transactional",
  "legacy_version",
  "replaces",
] as const;

/** One of {@linkcode HEADER_KEYS}. */
export type HeaderKey = typeof HEADER_KEYS[number];

/** First header key of a data migration file; such files are not revisions. */
export const DATA_MIGRATION_KEY = "data_migration";

/** Longest revision id Alembic accepts (its version_num column is VARCHAR(32)). */
export const MAX_REVISION_ID_LENGTH = 32;

/** The parsed header fields. */
export interface Header {
  readonly id: string;
  readonly downRevisions: readonly string[];
  readonly branchLabels: readonly string[];
  readonly dependsOn: readonly string[];
  readonly message: string;
  readonly transactional: boolean;
  readonly legacyVersion?: number;
  /** Retired ids a version row may still hold for this revision (`replaces`). */
  readonly replaces: readonly string[];
}

/**
 * A `-- bellows:` marker line, trimmed. Matched case-insensitively, whatever
 * follows, so that `-- Bellows:Upgrade` or `-- bellows:upgrdae` is reported
 * instead of being taken for a comment.
 */
export const MARKER_LINE = /^--\s*bellows\s*:(.*)$/i;

/**
 * A comment line that starts with `word:`. `word://` is left alone so that a
 * comment may begin with a URL.
 */
const KEY_LINE = /^--\s*([A-Za-z_][A-Za-z0-9_-]*)\s*:(?!\/\/)(.*)$/;

/** A `-- key: value` line, trimmed; undefined when `line` is not one. */
export function matchKeyLine(line: string): { key: string; value: string } | undefined {
  const m = KEY_LINE.exec(line.trim());
  return m ? { key: m[1], value: m[2].trim() } : undefined;
}

/**
 * Why `id` cannot be a revision id, or undefined when it can: it must be
 * non-empty, at most 32 characters, without whitespace and without any of
 * `@ - + :` (Alembic's rules; those characters are revision-syntax operators).
 */
export function revisionIdProblem(id: string): string | undefined {
  const length = revisionIdLength(id);
  if (length > MAX_REVISION_ID_LENGTH) {
    return `revision id "${id}" is ${length} characters long; at most ${MAX_REVISION_ID_LENGTH} are allowed`;
  }
  const problem = nameProblem(id);
  if (problem) return `revision id ${problem}`;
  // `down_revision: none` means a base: a revision named so could never be followed.
  if (isNone(id)) {
    return `revision id "${id}" is reserved (none means no revision)`;
  }
  return undefined;
}

/** Why `label` cannot be a branch label, or undefined: same characters as revision ids. */
export function branchLabelProblem(label: string): string | undefined {
  const problem = nameProblem(label);
  return problem && `branch label ${problem}`;
}

function nameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (/\s/.test(name)) return `"${name}" must not contain whitespace`;
  // An escape sequence in an id or label would reach every terminal that lists it.
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    return `"${name}" must not contain control characters`;
  }
  const bad = /[@\-+:]/.exec(name);
  return bad ? `"${name}" must not contain "${bad[0]}"` : undefined;
}

/**
 * Collects header lines, checking each as it comes so that errors name the
 * first bad line, then checks what is required.
 */
export class HeaderBuilder {
  #file: string;
  #lines = new Map<HeaderKey, number>();
  #values = new Map<HeaderKey, string>();
  #header?: Header;

  constructor(file: string) {
    this.#file = file;
  }

  /** Line of a key seen so far. */
  lineOf(key: HeaderKey): number | undefined {
    return this.#lines.get(key);
  }

  /** Take one `-- key: value` line. */
  add(key: string, value: string, line: number): void {
    // The walker takes keys only before the first marker, where it finishes the header.
    if (this.#header) throw new Error("header key after the header was finished");
    if (!isHeaderKey(key)) {
      if (key === DATA_MIGRATION_KEY && this.#lines.size === 0) {
        this.#fail(line, `"${key}" files are data migrations, not revisions`);
      }
      // Any `-- word:` line is taken for a key, so that typos do not pass as comments.
      const hint = isHeaderKey(key.toLowerCase())
        ? ` (header keys are lowercase: "${key.toLowerCase()}")`
        : suggest(key, HEADER_KEYS) ||
          ` (known keys: ${HEADER_KEYS.join(", ")}; other comments must not start with "word:")`;
      this.#fail(line, `unknown header key "${key}"${hint}`);
    }
    const first = this.#lines.get(key);
    if (first !== undefined) {
      this.#fail(line, `duplicate header key "${key}" (first given at line ${first})`);
    }
    this.#lines.set(key, line);
    this.#values.set(key, value);
    this.#check(key, value, line);
  }

  /**
   * Check that required keys were given and build the header; once built, the same header
   * (the walker finishes it at the first marker, the parser once more at the end).
   */
  finish(): Header {
    return this.#header ??= this.#build();
  }

  #build(): Header {
    for (const key of ["revision", "down_revision"] as const) {
      if (!this.#lines.has(key)) {
        const base = key === "down_revision" ? " (leave it empty for a base revision)" : "";
        this.#fail(1, `missing header line "-- ${key}:"${base}`);
      }
    }
    const id = this.#values.get("revision")!;
    const downRevisions = this.#list("down_revision");
    if (downRevisions.includes(id)) {
      this.#fail(
        this.#lines.get("down_revision")!,
        `revision "${id}" lists itself as down_revision`,
      );
    }
    const legacy = this.#values.get("legacy_version");
    const replaces = this.#list("replaces");
    if (replaces.includes(id)) {
      this.#fail(this.#lines.get("replaces")!, `revision "${id}" lists itself in replaces`);
    }
    return {
      id,
      downRevisions,
      branchLabels: this.#list("branch_labels"),
      dependsOn: this.#list("depends_on"),
      message: this.#values.get("message") ?? "",
      transactional: this.#values.get("transactional") !== "false",
      ...(legacy === undefined ? {} : { legacyVersion: Number(legacy) }),
      replaces,
    };
  }

  #check(key: HeaderKey, value: string, line: number): void {
    switch (key) {
      case "revision": {
        const problem = revisionIdProblem(value);
        if (problem) this.#fail(line, `revision: ${problem}`);
        break;
      }
      case "down_revision":
      case "depends_on":
      case "branch_labels":
      case "replaces": {
        const items = this.#list(key);
        // Most lists hold one entry: no set for them.
        const seen = items.length > 1 ? new Set<string>() : undefined;
        for (const item of items) {
          if (item === "") this.#fail(line, `${key}: empty entry in "${value}"`);
          if (key === "down_revision" && isNone(item)) {
            this.#fail(
              line,
              `down_revision: "${item}" must stand alone (it means a base revision)`,
            );
          }
          const problem = key === "branch_labels"
            ? branchLabelProblem(item)
            : revisionIdProblem(item);
          if (problem) this.#fail(line, `${key}: ${problem}`);
          if (seen?.has(item)) this.#fail(line, `${key}: "${item}" is listed twice`);
          seen?.add(item);
        }
        break;
      }
      case "transactional":
        if (value !== "true" && value !== "false") {
          this.#fail(line, `transactional: expected true or false, got "${value}"`);
        }
        break;
      case "legacy_version":
        if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
          this.#fail(line, `legacy_version: expected a non-negative integer, got "${value}"`);
        }
        break;
      case "message":
        break;
    }
  }

  /** A list value: comma-separated, whitespace ignored; `none` alone means empty for down_revision. */
  #list(key: "down_revision" | "branch_labels" | "depends_on" | "replaces"): string[] {
    const value = this.#values.get(key) ?? "";
    if (value === "" || (key === "down_revision" && isNone(value))) return [];
    return value.split(",").map((s) => s.trim());
  }

  #fail(line: number, message: string): never {
    fail(this.#file, line, message);
  }
}

/** Is `value` the word `none`, in any case? (No lowercased copy of every id.) */
function isNone(value: string): boolean {
  return value.length === 4 && value.toLowerCase() === "none";
}

function isHeaderKey(key: string): key is HeaderKey {
  return (HEADER_KEYS as readonly string[]).includes(key);
}

/** The header's key lines, stopping at the first line that is not a comment or blank. */
export function* headerKeys(text: string): Generator<{ key: string; line: number }> {
  // Line by line rather than splitting the whole file: callers mostly want the first key.
  let start = text.startsWith("\uFEFF") ? 1 : 0;
  for (let i = 0; start <= text.length; i++) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const trimmed = text.slice(start, end).trim();
    start = end + 1;
    if (trimmed === "") continue;
    if (!trimmed.startsWith("--") || MARKER_LINE.test(trimmed)) return;
    const kv = matchKeyLine(trimmed);
    if (kv) yield { key: kv.key, line: i + 1 };
  }
}
