/**
 * Turning an Alembic revision file into a bellows revision script: the same id, parents,
 * branch labels and dependencies, the docstring's first paragraph as the message, and the
 * SQL of `upgrade()` / `downgrade()` where they only `op.execute` raw SQL. Anything else
 * becomes a marked placeholder statement that fails on every database until someone
 * writes the SQL. Pure: names defined in other modules are looked up through a callback.
 *
 * @module
 */
import { ScriptError } from "../errors.ts";
import { parseScript } from "../script/parse.ts";
import { splitStatements } from "../script/split.ts";
import { type PyFunction, type PyModule, type PyValue, readModule } from "./python.ts";

/**
 * Looks up `attr` in the module with the dotted path `module` (e.g. `glance.db.migration`,
 * `EXPAND_BRANCH`); undefined when the module cannot be found or does not assign it.
 */
export type ModuleLookup = (module: string, attr: string) => PyValue | undefined;

/** How one direction was carried over. */
export type Body =
  | { readonly kind: "sql"; readonly statements: readonly string[] }
  | { readonly kind: "missing" }
  | { readonly kind: "python"; readonly source: string; readonly reason: string };

/** An Alembic revision, read. */
export interface AlembicRevision {
  /** Path of the Python file, as given (for messages and the header comment). */
  readonly file: string;
  readonly id: string;
  readonly downRevisions: readonly string[];
  readonly branchLabels: readonly string[];
  readonly dependsOn: readonly string[];
  readonly message: string;
  readonly upgrade: Body;
  readonly downgrade: Body;
}

const MAX_DEPTH = 8;

/** Where names imported from other modules are looked for (import_alembic.ts). */
const WHERE_MODULES = "modules are looked for around the versions folder, in the current " +
  "directory and in --python-path folders";

/** A value as Alembic's `util.to_tuple` sees it: None → (), str → (str,), sequence → items. */
function toStrings(
  v: PyValue,
  where: string,
  resolve: (name: string) => PyValue | undefined,
  depth = 0,
): string[] {
  if (depth > MAX_DEPTH) throw new ScriptError(`${where}: names refer to each other in a loop`);
  switch (v.kind) {
    case "none":
      return [];
    case "str":
      return [v.value];
    case "seq":
      return v.items.flatMap((item) => {
        const r = item.kind === "ref" ? resolve(item.name) : item;
        if (r?.kind === "str") return [r.value];
        if (r?.kind === "ref") return toStrings(r, where, resolve, depth + 1);
        throw new ScriptError(
          `${where}: expected a string, found ${
            item.kind === "ref"
              ? `'${item.name}', which could not be resolved (${WHERE_MODULES})`
              : describe(item)
          }`,
        );
      });
    case "ref": {
      const r = resolve(v.name);
      if (r === undefined) {
        throw new ScriptError(
          `${where}: '${v.name}' is not a literal and its value could not be found without ` +
            `running Python (${WHERE_MODULES}); write the value in the file`,
        );
      }
      return toStrings(r, where, resolve, depth + 1);
    }
    case "other":
      throw new ScriptError(`${where}: '${v.text}' is not a literal bellows can read`);
  }
}

function describe(v: PyValue): string {
  return v.kind === "other" ? `'${v.text}'` : v.kind;
}

/**
 * Alembic's `Script.doc`: the docstring's first paragraph, spaces and tabs as written.
 * bellows keeps a message on one line, so a paragraph of several lines is joined with
 * single spaces (Alembic prints those line breaks as they are).
 */
export function docMessage(docstring: string | undefined): string {
  if (!docstring) return "";
  return docstring.trim().split("\n\n")[0].replace(/[ \t\r]*\n\s*/g, " ").trim();
}

/** SQLAlchemy `text()` bind parameters (`:name`, not `::cast` or `\:`). */
const BIND_PARAM = /(?<![:\w\\]):(\w+)(?!:)/;

function body(fn: PyFunction | undefined, name: string): Body {
  if (!fn) return { kind: "missing" };
  const statements: string[] = [];
  for (const st of fn.body) {
    if (st.noop) continue;
    if (st.sql === undefined) {
      return { kind: "python", source: fn.source, reason: `${name}() runs Python, not raw SQL` };
    }
    if (BIND_PARAM.test(st.sql)) {
      return {
        kind: "python",
        source: fn.source,
        reason: `${name}() passes SQL with bind parameters (:name)`,
      };
    }
    // text() turns "\:" into ":".
    const sql = st.sql.replaceAll("\\:", ":").trim();
    if (sql !== "") statements.push(sql);
  }
  return { kind: "sql", statements };
}

/**
 * Read one Alembic revision file. `lookup` resolves names imported from other modules
 * (Glance's `branch_labels = migration.EXPAND_BRANCH`); names assigned in the file itself
 * are resolved here. Throws {@linkcode ScriptError} `file:line:` when a declaration is not
 * something bellows can read without running Python.
 */
export function readRevision(source: string, file: string, lookup: ModuleLookup): AlembicRevision {
  const mod = readModule(source, file);
  const resolve = resolver(mod, lookup);
  const get = (key: string, required: boolean): string[] => {
    const a = mod.assignments.get(key);
    if (!a) {
      if (!required) return [];
      throw new ScriptError(
        `${file}: no '${key} = ...' assignment; Alembic needs it to know the revision`,
      );
    }
    return toStrings(a.value, `${file}:${a.line}: ${key}`, resolve);
  };
  // Alembic 0.1 files have no `revision =`: Alembic takes the id from a hex file name.
  const legacy = /(?:^|\/)([a-f0-9]+)\.py$/.exec(file);
  if (!mod.assignments.has("revision") && legacy) {
    return { ...read(mod, file, get), id: legacy[1] };
  }
  const ids = get("revision", true);
  if (ids.length !== 1 || mod.assignments.get("revision")!.value.kind === "seq") {
    throw new ScriptError(
      `${file}:${mod.assignments.get("revision")!.line}: revision must be a string`,
    );
  }
  return { ...read(mod, file, get), id: ids[0] };
}

function read(
  mod: PyModule,
  file: string,
  get: (key: string, required: boolean) => string[],
): Omit<AlembicRevision, "id"> {
  return {
    file,
    downRevisions: get("down_revision", true),
    branchLabels: get("branch_labels", false),
    // Alembic reads a repeated depends_on entry as one; a bellows header lists each once.
    dependsOn: [...new Set(get("depends_on", false))],
    message: docMessage(mod.docstring),
    upgrade: body(mod.functions.get("upgrade"), "upgrade"),
    downgrade: body(mod.functions.get("downgrade"), "downgrade"),
  };
}

function resolver(mod: PyModule, lookup: ModuleLookup): (name: string) => PyValue | undefined {
  return (name) => {
    const [head, ...rest] = name.split(".");
    if (rest.length === 0) {
      const local = mod.assignments.get(head);
      if (local) return local.value;
    }
    // The last import binding the name wins, as at run time.
    const imp = [...mod.imports].reverse().find((i) => i.local === head);
    if (!imp) return undefined;
    const base = imp.name === undefined ? imp.module : `${imp.module}.${imp.name}`;
    const full = [base, ...rest].join(".");
    const dot = full.lastIndexOf(".");
    if (dot < 0) return undefined;
    return lookup(full.slice(0, dot), full.slice(dot + 1));
  };
}

/** The module-level value `attr` assigned in Python `source`, if it is one. */
export function moduleValue(source: string, attr: string, file: string): PyValue | undefined {
  const mod = readModule(source, file);
  const v = mod.assignments.get(attr)?.value;
  if (v?.kind === "ref") return resolver(mod, () => undefined)(v.name) ?? v;
  return v;
}

/** What the placeholder statement calls: no database has this function, so it fails. */
export const PLACEHOLDER_FUNCTION = "bellows_import_needs_sql";

function sqlLines(statements: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    let text = s.replace(/;\s*$/, "");
    let wrap = false;
    try {
      // One statement as written goes as is; several are cut as psql would cut them.
      if (splitStatements(text).length === 0) continue; // only comments: nothing to run
    } catch {
      wrap = true;
    }
    if (wrap) {
      // The splitter cannot read it: send it as one statement, as Alembic did.
      out.push("-- bellows:statement-begin", text, "-- bellows:statement-end");
      continue;
    }
    // A last line ending in a comment would swallow the ';'.
    if (/--[^\n]*$/.test(text.split("\n").at(-1)!)) text += "\n";
    out.push(`${text};`);
  }
  return out;
}

function placeholder(rev: AlembicRevision, direction: "upgrade" | "downgrade"): string {
  return `SELECT ${PLACEHOLDER_FUNCTION}('${rev.id}: ${direction}() was not imported; see ${
    rev.file.replaceAll("'", "''")
  }');`;
}

function section(rev: AlembicRevision, direction: "upgrade" | "downgrade"): string[] {
  const b = rev[direction];
  const lines = [`-- bellows:${direction}`];
  if (b.kind === "missing") return [];
  if (b.kind === "sql") return [...lines, ...sqlLines(b.statements), ""];
  const hint = direction === "upgrade"
    ? `alembic upgrade ${rev.downRevisions[0] ?? "base"}:${rev.id} --sql`
    : `alembic downgrade ${rev.id}:${rev.downRevisions[0] ?? "base"} --sql`;
  return [
    ...lines,
    `-- NEEDS SQL: ${b.reason} (imported from ${rev.file}).`,
    `-- Write the SQL it runs here and delete the failing SELECT below; ${hint}`,
    "-- prints what Alembic would run. The Python was:",
    ...b.source.split("\n").map((l) => `--   ${l}`.trimEnd()),
    placeholder(rev, direction),
    "",
  ];
}

/** The bellows revision script for `rev`; parsed before it is returned, so it loads. */
export function renderImported(rev: AlembicRevision, path: string): string {
  const text = [
    `-- revision: ${rev.id}`,
    `-- down_revision: ${rev.downRevisions.join(", ")}`,
    `-- branch_labels: ${rev.branchLabels.join(", ")}`,
    `-- depends_on: ${rev.dependsOn.join(", ")}`,
    `-- message: ${rev.message}`,
    "--",
    `-- Imported from ${rev.file} by bellows import-alembic.`,
    "",
    // An Alembic revision without upgrade() still needs the section bellows requires.
    ...(rev.upgrade.kind === "missing" ? ["-- bellows:upgrade", ""] : section(rev, "upgrade")),
    ...section(rev, "downgrade"),
  ].map((l) => l.trimEnd()).join("\n");
  parseScript({ path, text });
  return text;
}

/** Does the revision still need SQL written by hand? */
export function needsSql(rev: AlembicRevision): ("upgrade" | "downgrade")[] {
  return (["upgrade", "downgrade"] as const).filter((d) => rev[d].kind === "python");
}
