/**
 * The one module of `src/script` that touches the file system.
 *
 * @module
 */
import { PermissionError, ScriptError } from "../errors.ts";
import type { SourceFile } from "./types.ts";
import { isScriptPath } from "./load.ts";

/**
 * Read the script files under `dir`, recursively: exactly the files that
 * {@linkcode isScriptPath} accepts (`.sql`, no name starting with `.` or `_`).
 * Paths are relative to `dir`, `/`-separated, sorted. Symbolic links are
 * followed, each real folder once.
 *
 * Throws {@linkcode ScriptError} when `dir` is missing or not a folder, or a file or
 * folder under it cannot be read (naming it as `dir/path`), and
 * {@linkcode PermissionError} when Deno may not read it.
 */
export async function readMigrationDir(dir: string): Promise<SourceFile[]> {
  try {
    await statDir(dir);
    const files: SourceFile[] = [];
    await walk(dir.replace(/(.)\/+$/, "$1"), "", files, new Set());
    return files.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable) {
      throw new PermissionError(
        `no permission to read migrations directory "${dir}" (run with --allow-read)`,
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * Run a file system call for `path`; an OS refusal (EACCES, EIO, ...) becomes a
 * ScriptError naming the file, as a script's own errors do. Deno's refusals pass on.
 */
async function reading<T>(
  path: string,
  what: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable || err instanceof ScriptError) throw err;
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ScriptError(`${path}: cannot read this ${what}: ${msg}`, { cause: err });
  }
}

async function walk(root: string, rel: string, out: SourceFile[], seen: Set<string>) {
  const dir = rel === "" ? root : `${root}/${rel}`;
  // Symbolic links may loop; visit each real folder once.
  const real = await reading(dir, "folder", () => Deno.realPath(dir));
  if (seen.has(real)) return;
  seen.add(real);
  const entries = await reading(dir, "folder", () => Array.fromAsync(Deno.readDir(dir)));
  for (const entry of entries) {
    if (/^[._]/.test(entry.name)) continue;
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    const full = `${root}/${path}`;
    let isDir = entry.isDirectory;
    if (entry.isSymlink) {
      const target = await reading(full, "file", () =>
        Deno.stat(full).catch((err) => {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
          return undefined;
        }));
      // A dangling link is only worth an error where a script was expected.
      if (!target) {
        if (isScriptPath(path)) throw new ScriptError(`${full}:1: symbolic link to a missing file`);
        continue;
      }
      isDir = target.isDirectory;
    }
    if (isDir) await walk(root, path, out, seen);
    else if (isScriptPath(path)) {
      // Synchronous: one awaited read after another left the process idle most of the time
      // (issue 12); a script is small, a blocking read of it costs less than the round trip.
      out.push({
        path,
        text: await reading(full, "file", () => Deno.readTextFileSync(full)),
      });
    }
  }
}

/** Stat the migrations directory, turning "not there" into a ScriptError naming it. */
async function statDir(dir: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ScriptError(`migrations directory "${dir}" not found`, { cause: err });
    }
    throw err;
  }
  if (!info.isDirectory) throw new ScriptError(`migrations directory "${dir}" is not a directory`);
}
