/**
 * `bellows import-alembic DIR...`: read Alembic `versions/` folders (without running
 * Python) and write equivalent bellows revision scripts into `--migrations DIR`.
 *
 * @module
 */
import type { Command } from "commander";
import {
  type AlembicRevision,
  moduleValue,
  needsSql,
  readRevision,
  renderImported,
} from "../alembic_import/convert.ts";
import type { PyValue } from "../alembic_import/python.ts";
import { loadPhasedProject } from "../phases/project.ts";
import { isPermissionError, PermissionError, ScriptError, UsageError } from "../errors.ts";
import type { Context } from "./context.ts";
import { action, type Io } from "./output.ts";

/** Alembic's revision file pattern: `*.py`, not `__init__.py`, not an editor lock `.#x`. */
function isRevisionFile(name: string): boolean {
  return name.endsWith(".py") && !name.startsWith("__init__") && !name.startsWith(".#");
}

function isFileAt(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function permission(e: unknown, path: string, what: "read" | "write"): never {
  if (isPermissionError(e)) {
    throw new PermissionError(`no permission to ${what} ${path}: run with --allow-${what}`);
  }
  if (e instanceof Deno.errors.NotFound) throw new UsageError(`${path} not found`);
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.IsADirectory) {
    // The operating system refused (a read-only folder, a file we may not read).
    throw new UsageError(`cannot ${what} ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
  throw e;
}

function absolute(path: string): string {
  const abs = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  const out: string[] = [];
  for (const p of abs.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return "/" + out.join("/");
}

/**
 * Where imported modules are looked for, in order: each folder from a versions folder up
 * to the root (the project's source tree around it), then the current directory (which
 * `python3 -m alembic` puts first on sys.path), then the `--python-path` folders (say,
 * the site-packages the project is installed in).
 */
function searchRoots(dirs: readonly string[], pythonPath: readonly string[]): string[] {
  const roots: string[] = [];
  for (const dir of dirs) {
    const parts = absolute(dir).split("/");
    for (let n = parts.length; n >= 1; n--) roots.push(parts.slice(0, n).join("/") || "/");
  }
  roots.push(absolute("."), ...pythonPath.map(absolute));
  return [...new Set(roots)];
}

/**
 * Finds `module.attr` in Python files under the search roots: the first
 * `<root>/<module path>.py` or `<root>/<module path>/__init__.py`, as Python would.
 */
function moduleLookup(roots: readonly string[]) {
  const cache = new Map<string, string | null>();
  const read = (path: string): string | null => {
    if (!cache.has(path)) {
      try {
        cache.set(path, Deno.readTextFileSync(path));
      } catch {
        cache.set(path, null);
      }
    }
    return cache.get(path)!;
  };
  return (module: string, attr: string): PyValue | undefined => {
    if (module.startsWith(".")) return undefined;
    const rel = module.replaceAll(".", "/");
    for (const root of roots) {
      const base = root === "/" ? "" : root;
      for (const candidate of [`${base}/${rel}.py`, `${base}/${rel}/__init__.py`]) {
        const text = read(candidate);
        if (text !== null) {
          try {
            return moduleValue(text, attr, candidate);
          } catch {
            return undefined;
          }
        }
      }
    }
    return undefined;
  };
}

/** Register `import-alembic` on `program`. */
export function registerImportCommand(
  program: Command,
  context: (cmd: Command) => Context,
  io: Io,
): void {
  program
    .command("import-alembic")
    .description(
      "write bellows revision scripts (into --migrations DIR) from Alembic versions/ folders",
    )
    .argument("<dirs...>", "Alembic versions folder(s)")
    .option(
      "--python-path <dir>",
      "also look for modules the revisions import (constants) here; repeatable",
      (dir: string, prev: string[]) => [...prev, dir],
      [] as string[],
    )
    .action(action(context, io, async (ctx, o: { pythonPath: string[] }, dirs: string[]) => {
      const out = ctx.migrationsDir;
      if (!out) throw new UsageError("import-alembic writes into --migrations DIR: name it");
      const lookup = moduleLookup(searchRoots(dirs, o.pythonPath));
      const revisions: { rev: AlembicRevision; name: string }[] = [];
      for (const dir of dirs) {
        let names: string[];
        try {
          // Alembic opens what os.listdir names, so a symlink to a file counts too.
          names = [...Deno.readDirSync(dir)].filter((e) =>
            isRevisionFile(e.name) && (e.isFile || (e.isSymlink && isFileAt(`${dir}/${e.name}`)))
          ).map((e) => e.name).sort();
        } catch (e) {
          permission(e, dir, "read");
        }
        for (const name of names) {
          const path = `${dir.replace(/\/+$/, "")}/${name}`;
          let text: string;
          try {
            text = await Deno.readTextFile(path);
          } catch (e) {
            permission(e, path, "read");
          }
          // Name the file as `versions/x.py` in messages and headers: no machine paths.
          const shown = `${dir.replace(/\/+$/, "").split("/").at(-1)}/${name}`;
          revisions.push({ rev: readRevision(text, shown, lookup), name });
        }
      }
      if (revisions.length === 0) {
        throw new UsageError(`no Alembic revision files (*.py) in ${dirs.join(", ")}`);
      }
      // Render and check everything before writing anything.
      const files = revisions.map(({ rev, name }) => {
        const path = name.replace(/\.py$/, ".sql");
        return { path, text: renderImported(rev, path), rev };
      });
      const seen = new Map<string, string>();
      for (const f of files) {
        const other = seen.get(f.path);
        if (other) {
          throw new ScriptError(`${f.rev.file} and ${other} would both be written to ${f.path}`);
        }
        seen.set(f.path, f.rev.file);
      }
      loadPhasedProject(out, files);
      const target = out.replace(/\/+$/, "");
      for (const f of files) {
        try {
          Deno.lstatSync(`${target}/${f.path}`);
          throw new UsageError(
            `${target}/${f.path} already exists; import-alembic does not overwrite (nothing written)`,
          );
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) {
            if (e instanceof UsageError) throw e;
            permission(e, `${target}/${f.path}`, "read");
          }
        }
      }
      try {
        await Deno.mkdir(target, { recursive: true });
        for (const f of files) {
          await Deno.writeTextFile(`${target}/${f.path}`, f.text, { createNew: true });
        }
      } catch (e) {
        permission(e, target, "write");
      }
      const todo = files.flatMap((f) => needsSql(f.rev).map((d) => ({ f, d })));
      const lines = [`Imported ${files.length} revision(s) into ${target}/`];
      const needs = todo.map(({ f, d }) => {
        const down = f.rev.downRevisions[0] ?? "base";
        const range = d === "upgrade" ? `${down}:${f.rev.id}` : `${f.rev.id}:${down}`;
        return {
          revision: f.rev.id,
          direction: d,
          file: `${target}/${f.path}`,
          hint: `alembic ${d} ${range} --sql`,
        };
      });
      if (needs.length === 0) {
        lines.push("Every upgrade() and downgrade() was raw SQL: nothing left to fill in.");
      } else {
        lines.push(
          `${needs.length} section(s) still need SQL; each holds a SELECT that fails until you ` +
            `replace it:`,
          ...needs.map((n) => `  ${n.revision} ${n.direction}  ${n.file}  (${n.hint})`),
        );
      }
      return {
        text: lines.join("\n"),
        data: {
          output: target,
          imported: files.map((f) => ({
            revision: f.rev.id,
            downRevisions: f.rev.downRevisions,
            from: f.rev.file,
            file: `${target}/${f.path}`,
          })),
          needsSql: needs,
        },
      };
    }));
}
