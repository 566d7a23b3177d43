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
  return [...readScripts(await listMigrationDir(dir))];
}

/**
 * The script files under a migrations folder, not read yet: what {@linkcode readScripts}
 * reads. Plain sorted paths (a few bytes each) rather than an object per file: a folder
 * may hold 50,000 scripts.
 */
export interface ScriptListing {
  /** The folder as given. */
  readonly dir: string;
  /** The folder without a trailing `/`: what `paths` are joined to. */
  readonly root: string;
  /** Script paths relative to `root`, `/`-separated, sorted. */
  readonly paths: readonly string[];
  /** Those whose directory entry does not show a regular file (links): stat-ed before opening. */
  readonly unsure: ReadonlySet<string>;
}

/**
 * The script files under `dir` as {@linkcode readMigrationDir} finds them (same order,
 * same errors for folders and links), without reading them: {@linkcode readScripts} reads
 * them one at a time, so that a caller that keeps only their headers never holds every
 * text at once.
 */
export async function listMigrationDir(dir: string): Promise<ScriptListing> {
  try {
    await statDir(dir);
    const root = dir.replace(/(.)\/+$/, "$1");
    const paths: string[] = [];
    const unsure = new Set<string>();
    walk(root, "", { paths, unsure }, new Set());
    // Plain strings sort in code unit order, as `<` compares them.
    return { dir, root, paths: paths.sort(), unsure };
  } catch (err) {
    throw permissionError(dir, err);
  }
}

/**
 * Read the files of `listing`, each when the caller asks for the next one (as
 * {@linkcode readScriptFile} does, with the same errors; a refusal by Deno is a
 * {@linkcode PermissionError} naming the folder). Paths are relative to the folder, or
 * with `under` given, start with it (`under/path`, `root: under`), as messages show them.
 */
export function* readScripts(
  listing: ScriptListing,
  under?: string,
): Generator<SourceFile, void, undefined> {
  const { dir, root, paths, unsure } = listing;
  for (const path of paths) {
    let text: string;
    try {
      text = readScriptFile(`${root}/${path}`, !unsure.has(path));
    } catch (err) {
      throw permissionError(dir, err);
    }
    yield under === undefined ? { path, text } : { path: `${under}/${path}`, text, root: under };
  }
}

/** `err`, or the {@linkcode PermissionError} for it when it is Deno refusing to read `dir`. */
function permissionError(dir: string, err: unknown): unknown {
  if (err instanceof Deno.errors.NotCapable) {
    return new PermissionError(
      `no permission to read migrations directory "${dir}" (run with --allow-read)`,
      { cause: err },
    );
  }
  return err;
}

/** What {@linkcode readingSync} throws for `err`. */
function readError(path: string, what: string, err: unknown): unknown {
  if (err instanceof Deno.errors.NotCapable || err instanceof ScriptError) return err;
  const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
  return new ScriptError(`${path}: cannot read this ${what}: ${msg}`, { cause: err });
}

/**
 * Collect the script files under `root/rel` into `out`. Synchronous, as the reads are: a
 * folder of 50,000 scripts took 0.16 s to list by awaiting each entry, 0.08 s at once.
 */
function walk(
  root: string,
  rel: string,
  out: { paths: string[]; unsure: Set<string> },
  seen: Set<string>,
): void {
  const dir = rel === "" ? root : `${root}/${rel}`;
  // Symbolic links may loop; visit each real folder once.
  const real = readingSync(dir, "folder", () => Deno.realPathSync(dir));
  if (seen.has(real)) return;
  seen.add(real);
  const entries = readingSync(dir, "folder", () => Deno.readDirSync(dir));
  for (const entry of entries) {
    if (/^[._]/.test(entry.name)) continue;
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    const script = isScriptPath(path);
    // Not a script name: only a folder matters. Anything else (notes, a FIFO, a socket)
    // is ignored without a look, so it can neither block nor fail the load.
    if (!script && !entry.isDirectory && !entry.isSymlink) continue;
    let isDir = entry.isDirectory;
    if (entry.isSymlink) {
      const full = `${root}/${path}`;
      const target = linkTarget(full, script);
      // A link that leads nowhere is only worth an error where a script was expected.
      if (!target) {
        if (script) throw new ScriptError(`${full}:1: symbolic link to a missing file`);
        continue;
      }
      isDir = target.isDirectory;
      if (!script && !isDir) continue;
    }
    if (isDir) walk(root, path, out, seen);
    // A regular file by its directory entry needs no stat of its own (one permission
    // check and system call less per script).
    else {
      out.paths.push(path);
      if (!entry.isFile || entry.isSymlink) out.unsure.add(path);
    }
  }
}

/**
 * What the link `full` leads to (stat follows links; it never opens the target), or
 * undefined when it leads nowhere. For a link not named as a script any failure (a
 * loop, a dangling or unreadable target) is "nowhere": such files are documented as
 * ignored. For a script name only a missing target is; other failures name the file.
 */
function linkTarget(full: string, script: boolean): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(full);
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable) throw err;
    if (!script || err instanceof Deno.errors.NotFound) return undefined;
    throw readError(full, "file", err);
  }
}

/**
 * Largest script file read, in bytes (64 MiB): far above any real revision (200,000
 * statements are about 5 MiB), and a bound on what a file that never ends
 * (`/dev/zero` behind a link, a log growing under the name) can take.
 */
export const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;

/**
 * Read one script file: a regular file (after following links), at most
 * {@linkcode MAX_SCRIPT_BYTES}, UTF-8 text. Anything else is a {@linkcode ScriptError}
 * naming the file. A FIFO, device or socket is refused from its stat, before any open:
 * opening a FIFO blocks until a writer comes, and a device may never end. `regular`
 * says the directory entry already showed a regular file: no stat is made then.
 */
export function readScriptFile(full: string, regular = false): string {
  // Synchronous calls: awaiting one small file after another left the process idle most
  // of the time (issue 12); a script is small, a blocking read of it costs less.
  let expected: number | undefined;
  if (!regular) {
    const info = readingSync(full, "file", () => Deno.statSync(full));
    if (!info.isFile) {
      throw new ScriptError(
        `${full}: not a regular file (${fileKind(info)}); a script must be a regular file`,
      );
    }
    if (info.size > MAX_SCRIPT_BYTES) throw tooBig(full);
    expected = info.size;
  }
  const bytes = readingSync(full, "file", () => readAtMost(full, MAX_SCRIPT_BYTES + 1, expected));
  // It grew between the stat and the read.
  if (bytes.length > MAX_SCRIPT_BYTES) throw tooBig(full);
  return decodeScript(full, bytes);
}

/** The refusal of a script file over {@linkcode MAX_SCRIPT_BYTES}. */
function tooBig(full: string): ScriptError {
  return new ScriptError(
    `${full}: larger than ${MAX_SCRIPT_BYTES / 1024 / 1024} MiB, the limit of a script file`,
  );
}

/**
 * Run a file system call for `path`; an OS refusal (EACCES, EIO, ...) becomes a
 * ScriptError naming the file, as a script's own errors do. Deno's refusals pass on.
 */
function readingSync<T>(path: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw readError(path, what, err);
  }
}

/** What kind of file `info` is, in words, for a refusal. */
function fileKind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a folder";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a file";
}

/**
 * First read of a script whose size is not known: most scripts fit in it, and are decoded
 * from it before the next file is read (no buffer allocated and zeroed per file).
 */
const firstRead = new Uint8Array(64 * 1024);

/**
 * The first `limit` bytes of the file at `path` (fewer when it is shorter). `expected` is
 * its size by stat: the first buffer is sized to it (one byte more, to see a file that
 * grew), not a fixed 1 MiB per file, which for a thousand small scripts meant a gigabyte
 * allocated and zeroed. Without it the file is read into {@linkcode firstRead} (the result
 * is then a view of it, valid until the next read), and stat-ed from its handle only if it
 * fills that buffer.
 */
function readAtMost(path: string, limit: number, expected: number | undefined): Uint8Array {
  const file = Deno.openSync(path);
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (expected === undefined) {
      const n = file.readSync(firstRead) ?? 0;
      if (n < firstRead.length) return firstRead.subarray(0, n);
      const size = file.statSync().size;
      if (size > MAX_SCRIPT_BYTES) throw tooBig(path);
      chunks.push(firstRead.slice(0, n));
      total = n;
      expected = Math.max(size, n);
    }
    let size = expected + 1 - total;
    while (total < limit) {
      const buf = new Uint8Array(Math.min(size, limit - total));
      const n = file.readSync(buf);
      if (n === null) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      // A regular file reads short only at its end: no probe needed (one call less
      // per file; 50,000 files: ~0.15 s).
      if (n < buf.length) break;
      // Past the stat's size the next read normally finds the end: probe with a small
      // buffer, doubling only while a file that grew since its stat keeps giving bytes.
      size = total <= expected ? 4096 : Math.min(size * 2, 1 << 20);
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } finally {
    file.close();
  }
}

/**
 * The text of script file `path` from its bytes, refusing what is not UTF-8 text with a
 * {@linkcode ScriptError} `path:line:` that names the byte offset: a NUL byte (a binary
 * file), a UTF-16 byte order mark, or the first byte that is not valid UTF-8 (a Latin-1
 * `é`, say), rather than decoding it to U+FFFD and running that. A UTF-8 byte order mark
 * is kept, as Deno.readTextFile keeps it (the parser skips it).
 */
export function decodeScript(path: string, bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ScriptError(
      `${path}:1: UTF-16 text (byte order mark at byte offset 0); save the file as UTF-8`,
    );
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw new ScriptError(
      `${path}:${lineOfByte(bytes, nul)}: a binary file, not SQL text ` +
        `(NUL byte at byte offset ${nul})`,
    );
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const hex = bytes[bad].toString(16).toUpperCase().padStart(2, "0");
    throw new ScriptError(
      `${path}:${lineOfByte(bytes, bad)}: not UTF-8 text: byte 0x${hex} at byte offset ` +
        `${bad} is not valid UTF-8 (Latin-1 or another encoding?); save the file as UTF-8`,
    );
  }
}

/** The decoder of script text: one for every file (a decode without `stream` keeps no state). */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** 1-based line of byte `offset`. */
function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
  }
  return line;
}

/**
 * Offset of the first byte of the first ill-formed UTF-8 sequence (the Unicode table of
 * well-formed byte sequences, which is what a fatal TextDecoder applies), or -1.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let more: number, lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f; // nothing past U+10FFFF
    } else return i;
    for (let k = 1; k <= more; k++) {
      const b = bytes[i + k];
      if (b === undefined || b < (k === 1 ? lo : 0x80) || b > (k === 1 ? hi : 0xbf)) return i;
    }
    i += more + 1;
  }
  return -1;
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
