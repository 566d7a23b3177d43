/**
 * Turns global options and the environment into what commands work with: the
 * migrations project, the database driver, the state tables and the logger.
 *
 * @module
 */
import type { Driver } from "../drivers/types.ts";
import { openDriver } from "../drivers/mod.ts";
import { createLogger, type Logger, type Verbosity } from "../log.ts";
import type { Project, ProjectGraph } from "../runner/project.ts";
import { loadPhasedGraph, loadPhasedProject } from "../phases/project.ts";
import type { RunOptions } from "../runner/run.ts";
import { RunActivity } from "../runner/activity.ts";
import { listMigrationDir, readMigrationDir, readScripts } from "../script/fs.ts";
import type { SourceFile } from "../script/types.ts";
import { type StateConfig, stateConfig } from "../state/version_table.ts";
import { bundledFiles } from "../bundle/migrations.gen.ts";
import { type AlembicSettings, readAlembicSettings } from "../config/alembic_ini.ts";
import { ConnectionError, ConnectionLostError, ScriptError, UsageError } from "../errors.ts";
import { isPermissionError, missingPermission } from "../permissions.ts";
import { VERSION } from "../version.ts";

/** Global options, as commander hands them over. */
export interface GlobalOptions {
  url?: string;
  /** Alembic configuration file (`-c/--config`). */
  config?: string;
  /** Section of the configuration file (`-n/--name`), default `alembic`. */
  name?: string;
  migrations?: string;
  versionTable?: string;
  versionTableSchema?: string;
  quiet?: boolean;
  verbose?: boolean;
  lockWait?: string;
  lockTimeout?: string;
  statementTimeout?: string;
  retries?: string;
  singleTransaction?: boolean;
  strict?: boolean;
  /** Print one JSON document on stdout instead of text (docs/automation.md). */
  json?: boolean;
}

/**
 * Read an environment variable. One Deno does not let us read is an error, not
 * "unset": silently ignoring, say, BELLOWS_MIGRATIONS would run the wrong scripts.
 */
export function getEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (e) {
    if (isPermissionError(e)) {
      throw missingPermission(`reading environment variable ${name}`, `--allow-env=${name}`);
    }
    throw e;
  }
}

/** Where the revision scripts in use come from (`history --source`, `source` in `--json`). */
export interface SourceInfo {
  /** `bundled` (built into this bellows) or `directory` (`--migrations` / BELLOWS_MIGRATIONS). */
  readonly kind: "bundled" | "directory";
  /** The directory, for `directory`. */
  readonly path: string | null;
  /** How many revisions the set holds. */
  readonly revisions: number;
  /** SHA-256 over every file's path (relative to the set's root) and text: equal sets, equal digests. */
  readonly digest: string;
}

/** SHA-256 of a set of files, independent of their order and of where the set lives. */
export async function digestFiles(files: readonly SourceFile[]): Promise<string> {
  const sorted = [...files].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const enc = new TextEncoder();
  // Each text encoded once (its byte length is part of the digested bytes), then joined.
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (const f of sorted) {
    const body = enc.encode(f.text);
    const head = enc.encode(`${f.path.length}:${f.path}${body.length}:`);
    chunks.push(head, body);
    size += head.length + body.length;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Longest duration accepted, ms: what timers, SQLite's busy timeout and PostgreSQL's settings hold. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Parse a duration like `5s`, `500ms`, `2m` or a bare number of seconds into ms. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${option}: '${text}' is not a duration (e.g. 5s, 500ms, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  const ms = Math.round(unit === "ms" ? n : unit === "s" ? n * 1000 : n * 60_000);
  if (ms > MAX_DURATION_MS) {
    throw new UsageError(
      `${option}: '${text}' is too long (at most ${MAX_DURATION_MS} ms, 24 days)`,
    );
  }
  return ms;
}

function parseCount(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${option}: '${text}' is not a whole number`);
  return Number(text);
}

/** Everything a command needs, resolved from options and environment. */
export class Context {
  readonly opts: GlobalOptions;
  readonly log: Logger;
  #state?: StateConfig;
  #project?: Project;
  /** The project was loaded with `lazyStatements`. */
  #lazy = false;
  /** The graph alone, when only that was loaded ({@linkcode graph}). */
  #graph?: ProjectGraph;
  #alembic?: AlembicSettings | null;
  /** The files {@linkcode project} loaded (a graph alone keeps none). */
  #files?: readonly SourceFile[];
  #sourceDir: string | null = null;

  /** What the run in progress would leave if stopped now (for the line a signal prints). */
  readonly activity: RunActivity;

  constructor(
    opts: GlobalOptions,
    errSink?: (line: string) => void,
    activity: RunActivity = new RunActivity(),
  ) {
    this.opts = opts;
    this.activity = activity;
    const verbosity: Verbosity = opts.quiet ? "quiet" : opts.verbose ? "verbose" : "normal";
    this.log = createLogger(verbosity, { timestamps: !Deno.stderr.isTerminal(), write: errSink });
  }

  /**
   * The Alembic configuration in use, read on first use: `--config FILE` (else
   * `$ALEMBIC_CONFIG`), which must exist, else `alembic.ini` in the working directory if
   * there is one; section `-n/--name` (default `alembic`). Null when there is none.
   */
  get alembic(): AlembicSettings | null {
    if (this.#alembic === undefined) {
      this.#alembic = loadAlembicConfig(
        this.opts.config ?? getEnv("ALEMBIC_CONFIG"),
        this.opts.name,
      );
      if (this.#alembic) {
        this.log.debug(`read ${this.#alembic.file} [${this.#alembic.section}]`);
      }
    }
    return this.#alembic;
  }

  /**
   * Where the state lives: `--version-table` / `--version-table-schema`, else
   * `BELLOWS_VERSION_TABLE` / `BELLOWS_VERSION_TABLE_SCHEMA`, else the Alembic
   * configuration's `version_table`, `version_table_schema`, `version_table_pk`.
   */
  get state(): StateConfig {
    if (!this.#state) {
      const o = this.opts;
      const ini = this.alembic;
      this.#state = stateConfig(
        o.versionTable ?? getEnv("BELLOWS_VERSION_TABLE") ?? ini?.versionTable ?? "alembic_version",
        o.versionTableSchema ?? getEnv("BELLOWS_VERSION_TABLE_SCHEMA") ?? ini?.versionTableSchema,
        ini?.versionTablePk ?? true,
      );
    }
    return this.#state;
  }

  /** The database URL: `--url`, else `DATABASE_URL`, else `sqlalchemy.url` of alembic.ini. */
  get url(): string {
    const url = this.opts.url ?? getEnv("DATABASE_URL") ?? this.alembic?.url;
    // A blank value (an unset shell variable in quotes, say) names no database either.
    if (!url?.trim()) {
      throw new UsageError(
        "no database given: pass --url, set DATABASE_URL or set sqlalchemy.url in alembic.ini",
      );
    }
    return url;
  }

  /** The migrations directory: `--migrations DIR`, else `BELLOWS_MIGRATIONS`; undefined for the bundled set. */
  get migrationsDir(): string | undefined {
    return this.opts.migrations ?? getEnv("BELLOWS_MIGRATIONS") ?? undefined;
  }

  /**
   * The migrations in use: `--migrations DIR` (or `BELLOWS_MIGRATIONS`), else the bundled set.
   * `lazyStatements` for commands that read only headers (see `ParseOptions`); a command
   * that runs scripts loads without it, so that every statement error comes first.
   */
  async project(opts: { lazyStatements?: boolean } = {}): Promise<Project> {
    if (this.#project) {
      if (!opts.lazyStatements && this.#lazy) {
        for (const s of this.#project.scripts.values()) {
          for (const sec of s.sections) sec.statements;
        }
        this.#lazy = false;
      }
      return this.#project;
    }
    this.#lazy = opts.lazyStatements ?? false;
    const dir = this.migrationsDir;
    if (dir) {
      const files = await readingDir(dir, () => readMigrationDir(dir));
      const prefix = dir.replace(/\/+$/, "");
      this.#project = loadPhasedProject(
        dir,
        files.map((f) => ({ path: `${prefix}/${f.path}`, text: f.text, root: prefix })),
        opts,
      );
      this.#files = files;
      this.#sourceDir = dir;
    } else {
      this.#project = loadPhasedProject(BUNDLED, bundledSources(), opts);
      this.#files = bundledFiles;
    }
    this.#loaded(this.#project);
    return this.#project;
  }

  /**
   * The revision graph of the migrations in use, for commands that only list revisions
   * (`heads`, `history`, ...): read from the scripts' headers, one file at a time, keeping
   * no script's text or SQL ({@linkcode loadPhasedGraph}). The project itself when
   * {@linkcode project} loaded it already.
   */
  async graph(): Promise<ProjectGraph> {
    if (this.#project) return this.#project;
    if (this.#graph) return this.#graph;
    const dir = this.migrationsDir;
    if (dir) {
      const prefix = dir.replace(/\/+$/, "");
      this.#graph = await readingDir(dir, async () => {
        return loadPhasedGraph(dir, readScripts(await listMigrationDir(dir), prefix));
      });
      this.#sourceDir = dir;
    } else {
      this.#graph = loadPhasedGraph(BUNDLED, bundledSources());
    }
    this.#loaded(this.#graph);
    return this.#graph;
  }

  #loaded(graph: ProjectGraph): void {
    this.log.debug(
      `revisions: ${this.#sourceDir ?? `bundled (built into bellows ${VERSION})`}, ` +
        `${graph.map.size} revision(s)`,
    );
  }

  /**
   * {@linkcode project} for commands that apply or plan revisions: a migrations folder
   * holding none (a wrong `--migrations`, say) is refused, before any database is opened,
   * rather than "upgrading" to nothing and creating an empty SQLite file. Commands that
   * only list (`history`, `heads`, ...) print nothing for it instead.
   */
  async revisions(): Promise<Project> {
    const project = await this.project();
    if (project.map.size === 0 && this.#sourceDir !== null) {
      throw new ScriptError(
        `migrations directory "${this.#sourceDir}" holds no revision scripts (*.sql); ` +
          "nothing to do, and the database was not opened",
      );
    }
    return project;
  }

  /**
   * Which set of scripts is in use. Reads the project as it was loaded: a command that
   * loaded only headers (`heads`, `history`) does not split every statement for this.
   */
  async source(): Promise<SourceInfo> {
    const project = this.#project ?? this.#graph ?? await this.project({ lazyStatements: true });
    // A graph loaded alone kept no text: the digest reads the files again.
    const dir = this.#sourceDir;
    const files = this.#files ??
      (dir === null ? bundledFiles : await readingDir(dir, () => readMigrationDir(dir)));
    return {
      kind: dir === null ? "bundled" : "directory",
      path: dir,
      revisions: project.map.size,
      digest: await digestFiles(files),
    };
  }

  /** `--lock-timeout` in ms (default 5s). */
  lockTimeoutMs(): number {
    const o = this.opts;
    return o.lockTimeout ? parseDuration(o.lockTimeout, "--lock-timeout") : 5000;
  }

  /** Open the database. The caller closes it. */
  async driver(extra: { readOnly?: boolean } = {}): Promise<Driver> {
    const o = this.opts;
    return await openDriver(this.url, {
      ...extra,
      applicationName: "bellows",
      lockTimeoutMs: this.lockTimeoutMs(),
      statementTimeoutMs: o.statementTimeout
        ? parseDuration(o.statementTimeout, "--statement-timeout")
        : 0,
      // Server notices are log, never results: stderr, RAISE NOTICE and the like only
      // with -v, WARNINGs always (they are how PostgreSQL says "this did not do what
      // you think").
      onNotice: (m) => m.startsWith("WARNING:") ? this.log.warn(m) : this.log.debug(m),
    });
  }

  /** Run options from the global flags. */
  runOptions(extra: Partial<RunOptions> = {}): RunOptions {
    const o = this.opts;
    return {
      lockWaitMs: o.lockWait ? parseDuration(o.lockWait, "--lock-wait") : 60_000,
      lockTimeoutMs: this.lockTimeoutMs(),
      retries: o.retries ? parseCount(o.retries, "--retries") : 3,
      retryDelayMs: 500,
      singleTransaction: o.singleTransaction ?? false,
      skipRolling: false,
      strict: o.strict ?? false,
      toolVersion: VERSION,
      host: hostname(),
      log: this.log,
      activity: this.activity,
      ...extra,
    };
  }

  /**
   * Open the database, run `fn`, and always close it. `readOnly` for commands that only
   * look (`current`, `check`, ...): they write nothing and do not create a missing SQLite
   * file (it reads as an empty database). `lazyStatements` as {@linkcode project}'s.
   */
  async withDriver<T>(
    fn: (driver: Driver, project: Project) => Promise<T>,
    extra: { readOnly?: boolean; lazyStatements?: boolean } = {},
  ): Promise<T> {
    // Commands that may write apply or record revisions: they need some.
    const project = extra.readOnly
      ? await this.project({ lazyStatements: extra.lazyStatements })
      : await this.revisions();
    const driver = await this.driver({ readOnly: extra.readOnly });
    try {
      return await fn(driver, project);
    } catch (e) {
      // Lost outside any revision's statements (the lock, the state tables, between
      // steps): the runner's account of where it was says where the database stands.
      if (e instanceof ConnectionLostError) {
        throw new ConnectionError(`${e.message}; ${this.activity.text}`, { cause: e });
      }
      throw e;
    } finally {
      await driver.close();
    }
  }
}

/** What the bundled migrations are called as a project's source. */
const BUNDLED = "bundled migrations";

/** The bundled scripts, with the paths their messages show (`migrations/...`). */
function bundledSources(): SourceFile[] {
  return bundledFiles.map((f) => ({ path: `migrations/${f.path}`, text: f.text }));
}

/** Run `read` on migrations folder `dir`, a refusal by Deno becoming the permission it needs. */
async function readingDir<T>(dir: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (isPermissionError(e)) {
      throw missingPermission(`reading migrations directory ${dir}`, `--allow-read=${dir}`);
    }
    throw e;
  }
}

/**
 * Read an Alembic configuration file. `explicit` (from `--config` or `$ALEMBIC_CONFIG`)
 * must exist; without it, `./alembic.ini` is read when present.
 */
export function loadAlembicConfig(
  explicit: string | undefined,
  section: string | undefined,
): AlembicSettings | null {
  const file = explicit ?? "alembic.ini";
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    if (explicit === undefined) {
      // No alembic.ini here (or none we may read): nothing to take from it.
      if (e instanceof Deno.errors.NotFound || isPermissionError(e)) return null;
    }
    if (e instanceof Deno.errors.NotFound) {
      throw new UsageError(`config file ${file} not found`);
    }
    if (isPermissionError(e)) {
      throw missingPermission(`reading config file ${file}`, `--allow-read=${file}`);
    }
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new UsageError(`cannot read config file ${file}: ${msg}`);
  }
  let here: string;
  try {
    const abs = file.startsWith("/") ? file : `${Deno.cwd()}/${file}`;
    here = abs.slice(0, abs.lastIndexOf("/")) || "/";
    here = normalizePath(here);
  } catch {
    here = ".";
  }
  return readAlembicSettings(text, { file, here, section });
}

/** Resolve `.` and `..` segments of an absolute path, as Python's `os.path.abspath`. */
function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    // Without the `hostname` sys permission; the variable is a best effort, never an error.
    try {
      return Deno.env.get("HOSTNAME") ?? "unknown";
    } catch {
      return "unknown";
    }
  }
}
