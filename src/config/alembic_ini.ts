/**
 * Reading an Alembic user's `alembic.ini`: Python's `configparser` rules (as Alembic
 * uses them) and the few keys bellows takes from it. Pure: the caller reads the file.
 *
 * What bellows reads from the chosen section (default `[alembic]`, `-n/--name` picks
 * another):
 * - `sqlalchemy.url` → the database URL;
 * - `version_table`, `version_table_schema`, `version_table_pk` → the version table.
 *   Alembic itself reads these only through `env.py`; projects that keep them in the ini
 *   file (and pass them to `context.configure()`) share them with bellows this way.
 * - `script_location` is reported but never used: it holds Python files bellows cannot run.
 *
 * Values may hold passwords (`sqlalchemy.url`), so no error message quotes a value.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** The sections of a parsed ini file, keys lowercased, values not yet interpolated. */
export interface IniFile {
  /** `[DEFAULT]` plus the parser defaults (Alembic's `here`). */
  readonly defaults: ReadonlyMap<string, string>;
  /** Every other section, in file order. */
  readonly sections: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Options of {@linkcode parseIni}. */
export interface ParseIniOptions {
  /** For messages: the file's name. */
  readonly file?: string;
  /** Parser defaults, as `ConfigParser(defaults)`; Alembic passes `{here: <the file's dir>}`. */
  readonly defaults?: Readonly<Record<string, string>>;
}

const DEFAULT_SECTION = "DEFAULT";

/**
 * Parse ini text the way Python's `configparser.ConfigParser` does with its default
 * settings: `[section]` headers, `key = value` or `key: value` (split at the first `=` or
 * `:`), keys lowercased, whole-line comments starting with `#` or `;`, values continued
 * on more-indented lines, duplicate sections or keys an error.
 */
export function parseIni(text: string, opts: ParseIniOptions = {}): IniFile {
  const file = opts.file ?? "config file";
  const defaults = new Map<string, string>(
    Object.entries(opts.defaults ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let currentName = "";
  let key: string | undefined;
  let keyIndent = 0;
  let value: string[] = [];
  const seenInSection = new Set<string>();

  const flush = () => {
    if (current && key !== undefined) {
      // configparser keeps blank lines inside a value but drops trailing ones.
      while (value.length > 1 && value[value.length - 1] === "") value.pop();
      current.set(key, value.join("\n"));
    }
    key = undefined;
    value = [];
  };

  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const stripped = raw.trim();
    const at = `${file}:${i + 1}`;
    const indent = raw.length - raw.trimStart().length;
    if (stripped.startsWith("#") || stripped.startsWith(";")) continue;
    if (stripped === "") {
      // A blank line inside a value is kept only if the value goes on after it.
      if (key !== undefined) value.push("");
      continue;
    }
    if (key !== undefined && indent > keyIndent) {
      value.push(stripped);
      continue;
    }
    const header = /^\[(.+)\]$/.exec(stripped);
    if (header) {
      flush();
      const name = header[1];
      if (name === DEFAULT_SECTION) {
        current = defaults;
      } else {
        if (sections.has(name)) throw new UsageError(`${at}: section [${name}] appears twice`);
        current = new Map();
        sections.set(name, current);
      }
      currentName = name;
      seenInSection.clear();
      continue;
    }
    if (!current) throw new UsageError(`${at}: a key outside any [section]`);
    flush();
    const m = /^([^=:]*?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (!m || m[1] === "") {
      throw new UsageError(`${at}: expected 'key = value' in [${currentName}]`);
    }
    const k = m[1].toLowerCase();
    if (seenInSection.has(k)) {
      throw new UsageError(`${at}: key '${k}' appears twice in [${currentName}]`);
    }
    seenInSection.add(k);
    key = k;
    keyIndent = indent;
    value = [m[2]];
  }
  flush();
  return { defaults, sections };
}

const MAX_INTERPOLATION_DEPTH = 10;

/**
 * The value of `key` in `section` (falling back to the defaults), with `%(name)s`
 * references replaced as `configparser.BasicInterpolation` does (`%%` is a literal `%`).
 * Undefined when the key is not set.
 */
export function getOption(
  ini: IniFile,
  section: string,
  key: string,
  file = "config file",
): string | undefined {
  const sec = section === DEFAULT_SECTION ? ini.defaults : ini.sections.get(section);
  const lookup = (k: string) => sec?.get(k) ?? ini.defaults.get(k);
  const raw = lookup(key.toLowerCase());
  if (raw === undefined) return undefined;
  const expand = (text: string, depth: number, option: string): string => {
    if (depth > MAX_INTERPOLATION_DEPTH) {
      throw new UsageError(
        `${file}: [${section}] ${option}: interpolation nested too deeply (a reference loop?)`,
      );
    }
    let out = "";
    let rest = text;
    while (rest.length > 0) {
      const p = rest.indexOf("%");
      if (p < 0) {
        out += rest;
        break;
      }
      out += rest.slice(0, p);
      rest = rest.slice(p);
      if (rest.startsWith("%%")) {
        out += "%";
        rest = rest.slice(2);
        continue;
      }
      const m = /^%\(([^)]+)\)s/.exec(rest);
      if (!m) {
        throw new UsageError(
          `${file}: [${section}] ${option}: '%' must be followed by '%' or '(name)s'`,
        );
      }
      const ref = m[1].toLowerCase();
      const v = lookup(ref);
      if (v === undefined) {
        throw new UsageError(`${file}: [${section}] ${option}: refers to unknown key '${ref}'`);
      }
      out += v.includes("%") ? expand(v, depth + 1, ref) : v;
      rest = rest.slice(m[0].length);
    }
    return out;
  };
  return expand(raw, 1, key.toLowerCase());
}

/** What bellows takes from an Alembic configuration file. */
export interface AlembicSettings {
  /** The file read. */
  readonly file: string;
  /** The section read (`alembic` unless `-n/--name` says otherwise). */
  readonly section: string;
  /** `sqlalchemy.url`. May hold a password: never print it. */
  readonly url?: string;
  readonly versionTable?: string;
  readonly versionTableSchema?: string;
  readonly versionTablePk?: boolean;
  /** `script_location`: reported, not used for SQL. */
  readonly scriptLocation?: string;
}

/** Options of {@linkcode readAlembicSettings}. */
export interface AlembicSettingsOptions {
  /** The file's path, for messages and `%(here)s`. */
  readonly file: string;
  /** Absolute directory of the file: Alembic's `%(here)s`. */
  readonly here: string;
  /** Section to read; default `alembic`. */
  readonly section?: string;
}

/** configparser's `getboolean` words. */
function parseBoolean(text: string, what: string): boolean {
  const t = text.trim().toLowerCase();
  if (["1", "yes", "true", "on"].includes(t)) return true;
  if (["0", "no", "false", "off"].includes(t)) return false;
  throw new UsageError(`${what}: not a boolean (use true or false)`);
}

/**
 * Read the settings bellows uses from the text of an `alembic.ini`. The section must
 * exist, as Alembic requires. Empty values count as unset.
 */
export function readAlembicSettings(text: string, opts: AlembicSettingsOptions): AlembicSettings {
  const section = opts.section ?? "alembic";
  const ini = parseIni(text, { file: opts.file, defaults: { here: opts.here } });
  if (!ini.sections.has(section)) {
    throw new UsageError(`${opts.file} has no [${section}] section`);
  }
  const get = (k: string) => {
    const v = getOption(ini, section, k, opts.file)?.trim();
    return v === "" ? undefined : v;
  };
  const pk = get("version_table_pk");
  return {
    file: opts.file,
    section,
    url: get("sqlalchemy.url"),
    versionTable: get("version_table"),
    versionTableSchema: get("version_table_schema"),
    versionTablePk: pk === undefined
      ? undefined
      : parseBoolean(pk, `${opts.file}: [${section}] version_table_pk`),
    scriptLocation: get("script_location"),
  };
}
