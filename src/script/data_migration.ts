/**
 * Data migrations: the scripts that move rows between an expand and a contract
 * revision while old and new services both run (Glance's `migrate` phase). The
 * format is described in docs/scripts.md ("Data migrations").
 *
 * A data migration has a *check* query that counts the rows still to move (0 =
 * done) and an idempotent *batch* step that moves at most `:batch_size` rows.
 * The runner repeats the batch, one transaction each, until the check says 0,
 * so a run that stops half-way simply resumes.
 *
 * @module
 */
import { DIALECT_NAMES, type DialectName } from "../drivers/dialects.ts";
import type { SourceFile, Statement } from "./types.ts";
import { fail, suggest } from "./_util.ts";
import { DATA_MIGRATION_KEY, revisionIdProblem } from "./header.ts";
import { isChunk, walkSections } from "./sections.ts";
import { isDataMigration, isScriptPath } from "./load.ts";
import { splitStatements } from "./split.ts";

/** Header keys of a data migration; `data_migration` must come first. */
export const DATA_MIGRATION_KEYS = [DATA_MIGRATION_KEY, "after", "message"] as const;

/** The placeholder in batch statements that stands for `--batch-size`. */
export const BATCH_SIZE_PLACEHOLDER = ":batch_size";

/** `:batch_size` as a whole word, not part of a `::` cast or a longer name. */
const PLACEHOLDER = /(?<![:\w]):batch_size(?!\w)/g;

/** Marker kinds of a data migration. */
const KINDS = ["check", "batch"] as const;

/** A `-- bellows:check` or `-- bellows:batch` section. */
export interface DataMigrationSection {
  readonly kind: "check" | "batch";
  /** Only for this dialect; undefined means every dialect. */
  readonly dialect?: DialectName;
  /** 1-based line of the marker. */
  readonly line: number;
  readonly statements: readonly Statement[];
}

/** A parsed data migration file. */
export interface DataMigration {
  /** Its name (`-- data_migration:`): data migrations run in name order. */
  readonly name: string;
  /** The expand revision it belongs to (`-- after:`): it can run once that is applied. */
  readonly after: string;
  /** 1-based line of the `after` key, for errors about it. */
  readonly afterLine: number;
  readonly message: string;
  /** Path relative to the migrations root, with `/` separators. */
  readonly file: string;
  /** Sections in file order. */
  readonly sections: readonly DataMigrationSection[];
  /** The whole file text. */
  readonly source: string;
}

/**
 * Parse a data migration. Every problem is a {@linkcode ScriptError} whose
 * message starts with `file:line:`.
 */
export function parseDataMigration(file: SourceFile): DataMigration {
  const path = file.path;
  const header = new Map<string, { value: string; line: number }>();
  const sections: DataMigrationSection[] = walkSections(path, file.text, {
    kinds: KINDS,
    rolling: false,
    where: " in a data migration",
    markerHint: " (a data migration has check and batch sections)",
    sectionNames: "a check or batch",
    sqlBeforeMarker: 'SQL before the first "-- bellows:check" or "-- bellows:batch" marker',
    onKey: (key, value, line) => addKey(path, header, key, value, line),
  }).map(({ kind, dialect, line, parts }) => ({
    kind,
    ...(dialect ? { dialect } : {}),
    line,
    statements: parts.flatMap((p) =>
      isChunk(p) ? splitStatements(p.text, { line: p.line, dialect, file: path }) : [p]
    ),
  }));

  const name = header.get(DATA_MIGRATION_KEY)!;
  const after = header.get("after");
  if (!after) fail(path, 1, 'missing header line "-- after:" (the expand revision it follows)');
  const dm: DataMigration = {
    name: name.value,
    after: after.value,
    afterLine: after.line,
    message: header.get("message")?.value ?? "",
    file: path,
    sections,
    source: file.text,
  };
  validate(dm);
  return dm;
}

function addKey(
  path: string,
  header: Map<string, { value: string; line: number }>,
  key: string,
  value: string,
  line: number,
): void {
  if (!(DATA_MIGRATION_KEYS as readonly string[]).includes(key)) {
    const hint = suggest(key, DATA_MIGRATION_KEYS) ||
      ` (data migration keys: ${DATA_MIGRATION_KEYS.join(", ")})`;
    fail(path, line, `unknown header key "${key}"${hint}`);
  }
  if (header.size === 0 && key !== DATA_MIGRATION_KEY) {
    fail(path, line, `the first header key of a data migration must be "${DATA_MIGRATION_KEY}"`);
  }
  const first = header.get(key);
  if (first) fail(path, line, `duplicate header key "${key}" (first given at line ${first.line})`);
  if (key !== "message") {
    const problem = revisionIdProblem(value);
    if (problem) fail(path, line, `${key}: ${problem.replace("revision id", "name")}`);
  }
  header.set(key, { value, line });
}

/** Check what can be checked without a database: sections present, one check, the placeholder. */
function validate(dm: DataMigration): void {
  const of = (kind: "check" | "batch") => dm.sections.filter((s) => s.kind === kind);
  if (!of("check").some((s) => s.statements.length > 0)) {
    fail(dm.file, 1, 'no "-- bellows:check" query (it counts the rows still to move)');
  }
  if (!of("batch").some((s) => s.statements.length > 0)) {
    fail(dm.file, 1, 'no "-- bellows:batch" statements (they move the rows)');
  }
  for (const dialect of DIALECT_NAMES) {
    const checks = sectionsFor(dm, "check", dialect).flatMap((s) => s.statements);
    if (checks.length > 1) {
      fail(dm.file, checks[1].line, `more than one check statement for ${dialect}`);
    }
    const batch = sectionsFor(dm, "batch", dialect);
    const statements = batch.flatMap((s) => s.statements);
    if (statements.length > 0 && !statements.some((s) => hasPlaceholder(s.sql))) {
      fail(
        dm.file,
        batch[0].line,
        `the batch step for ${dialect} never uses ${BATCH_SIZE_PLACEHOLDER}: it must move at ` +
          `most ${BATCH_SIZE_PLACEHOLDER} rows per run (e.g. LIMIT ${BATCH_SIZE_PLACEHOLDER})`,
      );
    }
  }
}

function hasPlaceholder(sql: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return PLACEHOLDER.test(sql);
}

function sectionsFor(
  dm: DataMigration,
  kind: "check" | "batch",
  dialect: DialectName,
): DataMigrationSection[] {
  return dm.sections.filter((s) =>
    s.kind === kind && (s.dialect === undefined || s.dialect === dialect)
  );
}

/** The check query for `dialect`; throws ScriptError when the file has none for it. */
export function checkStatement(dm: DataMigration, dialect: DialectName): Statement {
  const [stmt] = sectionsFor(dm, "check", dialect).flatMap((s) => s.statements);
  if (!stmt) fail(dm.file, 1, `no check query for ${dialect}`);
  return stmt;
}

/**
 * The batch statements for `dialect`, in file order, with every `:batch_size`
 * replaced by `batchSize` (a positive integer, so it is safe as a literal).
 * Throws ScriptError when the file has none for `dialect`.
 */
export function batchStatements(
  dm: DataMigration,
  dialect: DialectName,
  batchSize: number,
): Statement[] {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  }
  const statements = sectionsFor(dm, "batch", dialect).flatMap((s) => s.statements);
  if (statements.length === 0) fail(dm.file, 1, `no batch statements for ${dialect}`);
  return statements.map((s) => ({ ...s, sql: s.sql.replace(PLACEHOLDER, String(batchSize)) }));
}

/**
 * Parse every data migration among `files` (script paths whose first header key
 * is `data_migration`), sorted by name. Throws ScriptError for an invalid file
 * or a name declared twice.
 */
export function loadDataMigrations(files: readonly SourceFile[]): DataMigration[] {
  const found = files.filter((f) => isScriptPath(f.path) && isDataMigration(f))
    .map(parseDataMigration)
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (let i = 1; i < found.length; i++) {
    if (found[i].name === found[i - 1].name) {
      fail(found[i].file, 1, `data migration "${found[i].name}" is also in ${found[i - 1].file}`);
    }
  }
  return found;
}
