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
 * The keyset form: a batch that uses `:last_key` gets, as a bound parameter, the
 * last key the previous batch reached (`start_key`, or NULL, at first), and its
 * last statement returns the keys it moved; the runner keeps the greatest in its
 * progress table, so each batch reads only new rows and a rerun resumes there.
 *
 * @module
 */
import { DIALECT_NAMES, type DialectName } from "../drivers/dialects.ts";
import type { SourceFile, Statement } from "./types.ts";
import { fail, suggest } from "./_util.ts";
import { DATA_MIGRATION_KEY, revisionIdProblem } from "./header.ts";
import { isChunk, walkSections } from "./sections.ts";
import { isDataMigration, isScriptFile } from "./load.ts";
import { splitStatements } from "./split.ts";

/** Header keys of a data migration; `data_migration` must come first. */
export const DATA_MIGRATION_KEYS = [
  DATA_MIGRATION_KEY,
  "after",
  "message",
  "start_key",
] as const;

/** The placeholder in batch statements that stands for `--batch-size`. */
export const BATCH_SIZE_PLACEHOLDER = ":batch_size";

/** `:batch_size` as a whole word, not part of a `::` cast or a longer name. */
const PLACEHOLDER = /(?<![:\w]):batch_size(?!\w)/g;

/** The bound parameter of the keyset form: the last key the previous batch reached. */
export const LAST_KEY_PLACEHOLDER = ":last_key";

/** `:last_key` as a whole word, as for `:batch_size`. */
const LAST_KEY = /(?<![:\w]):last_key(?!\w)/g;

/** A key of the keyset form, as the database driver returned it or `start_key` gives it. */
export type KeyValue = number | bigint | string;

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
  /**
   * Keyset form: the `:last_key` of the first batch (`start_key`; null when absent: NULL,
   * "from the beginning"). Undefined for the old form, whose batch never uses `:last_key`.
   */
  readonly startKey?: KeyValue | null;
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
  const keyset = sections.some((s) =>
    s.kind === "batch" && s.statements.some((st) => hasLastKey(st.sql))
  );
  const start = header.get("start_key");
  if (start && !keyset) {
    fail(
      path,
      start.line,
      `start_key without ${LAST_KEY_PLACEHOLDER} in the batch (it is the first batch's ` +
        `${LAST_KEY_PLACEHOLDER})`,
    );
  }
  const dm: DataMigration = {
    name: name.value,
    after: after.value,
    afterLine: after.line,
    message: header.get("message")?.value ?? "",
    file: path,
    sections,
    source: file.text,
    ...(keyset ? { startKey: start ? parseStartKey(start.value) : null } : {}),
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
  if (key === "start_key" && value === "") fail(path, line, "start_key: empty value");
  if (key !== "message" && key !== "start_key") {
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
    if (checks.length === 1 && hasLastKey(checks[0].sql)) {
      fail(
        dm.file,
        checks[0].line,
        `the check query cannot use ${LAST_KEY_PLACEHOLDER}: it counts every row still to ` +
          `move, wherever the batches stand`,
      );
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

function hasLastKey(sql: string): boolean {
  LAST_KEY.lastIndex = 0;
  return LAST_KEY.test(sql);
}

/**
 * `start_key`'s value: a whole number is a number (text when it is beyond what a double
 * holds exactly: the database converts it to the key column's type); `'…'` is the text
 * inside the quotes; anything else is text as written.
 */
export function parseStartKey(value: string): KeyValue {
  if (/^-?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  const quoted = /^'(.*)'$/.exec(value);
  return quoted ? quoted[1].replaceAll("''", "'") : value;
}

/** Whether `dm`'s batch for `dialect` is the keyset form (it uses `:last_key`). */
export function isKeyset(dm: DataMigration, dialect: DialectName): boolean {
  return dm.startKey !== undefined &&
    sectionsFor(dm, "batch", dialect).some((s) => s.statements.some((st) => hasLastKey(st.sql)));
}

const INTEGER_TEXT = /^-?\d+$/;

/**
 * A key as the keyset runner keeps it: numbers, bigints and text as they are, a date as
 * its ISO text (which orders as the dates do); undefined for NULL; throws for anything
 * else (a byte string, say), which cannot be kept as a key.
 */
export function keyValue(v: unknown): KeyValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "string") return v;
  if (v instanceof Date) return v.toISOString();
  throw new TypeError(
    `a key must be a number, text or a date; got ${Object.prototype.toString.call(v)}`,
  );
}

/**
 * Order two keys: numerically when both are whole numbers (numbers, bigints, or text
 * of digits as drivers return 64-bit integers), else numbers as numbers, else by code
 * point. The database's collation may order text otherwise: a batch over such keys
 * returns a single row, its own greatest key.
 */
export function compareKeys(a: KeyValue, b: KeyValue): number {
  const whole = (k: KeyValue) =>
    typeof k === "bigint"
      ? k
      : typeof k === "number"
      ? (Number.isInteger(k) ? BigInt(k) : undefined)
      : INTEGER_TEXT.test(k)
      ? BigInt(k)
      : undefined;
  const x = whole(a);
  const y = whole(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * The new last key from the rows a keyset batch's last statement returned: the greatest
 * first-column value among them, NULLs left out; undefined when there is none (the pass
 * is complete).
 */
export function greatestKey(rows: readonly Record<string, unknown>[]): KeyValue | undefined {
  let best: KeyValue | undefined;
  for (const row of rows) {
    const k = keyValue(Object.values(row)[0]);
    if (k !== undefined && (best === undefined || compareKeys(k, best) > 0)) best = k;
  }
  return best;
}

/** A batch statement of the keyset form, with `:last_key` made a bound parameter. */
export interface KeysetStatement extends Statement {
  /** The statement's parameters when the last key is `key`. */
  bind(key: KeyValue | null): unknown[];
}

/**
 * The keyset batch for `dialect`: {@linkcode batchStatements} with every `:last_key`
 * made a bound parameter written by `param` (the dialect's placeholder for the i-th
 * parameter). Where placeholders are numbered (`$1`) every occurrence is the same one,
 * so the database deduces one type for it; where they are positional (`?`) each
 * occurrence gets its own copy of the key.
 */
export function keysetStatements(
  dm: DataMigration,
  dialect: DialectName,
  batchSize: number,
  param: (i: number) => string,
): KeysetStatement[] {
  const positional = param(1) === param(2);
  return batchStatements(dm, dialect, batchSize).map((s) => {
    let uses = 0;
    const sql = s.sql.replace(LAST_KEY, () => param(positional ? ++uses : (uses = 1)));
    return {
      ...s,
      sql,
      bind: (key) => Array.from({ length: uses }, () => key),
    };
  });
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
  const found = files.filter((f) => isScriptFile(f) && isDataMigration(f))
    .map(parseDataMigration)
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (let i = 1; i < found.length; i++) {
    if (found[i].name === found[i - 1].name) {
      fail(found[i].file, 1, `data migration "${found[i].name}" is also in ${found[i - 1].file}`);
    }
  }
  return found;
}
