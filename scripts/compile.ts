/**
 * `deno task compile`: builds `dist/bellows`, one executable carrying the Deno runtime,
 * bellows and every script of `migrations/` (through src/bundle/migrations.gen.ts,
 * which the task regenerates first), with the permissions of src/permissions.ts.
 *
 * `deno compile` needs `denort`, the runtime it wraps the program in, for the target.
 * Deno downloads it on first use; where that is impossible, this script uses, in order:
 *
 * 1. `DENORT_BIN`: a `denort` executable of the same Deno version (Deno reads this
 *    variable itself; we check the file exists and hand it on).
 * 2. A pre-seeded Deno cache: `$DENO_DIR/dl/release/v<version>/denort-<target>.zip`,
 *    the file Deno would have downloaded (copy it from a machine that has it).
 * 3. With `--download` only: let Deno download it.
 *
 * Without any of them it stops with one line and exit code 1 instead of a network
 * error; the line names the release file for this Deno version and target and where Deno
 * publishes it, to fetch on a connected machine. A local runtime is checked against a
 * SHA-256 when one is supplied (`--sha256`, `DENORT_SHA256`, or the `<file>.sha256sum`
 * Deno publishes beside each release zip): a mismatch stops before anything is built.
 * After building it runs the binary once (`history --source`) to prove it works.
 *
 * Options: `--output PATH` (default dist/bellows), `--target TRIPLE`, `--fs PATHS` and
 * `--net HOSTS` (comma-separated; narrow read/write and net for one site), `--download`,
 * `--sha256 HEX`, `--print` (print the command line and the runtime it would use; build
 * nothing). Full guide: docs/binary.md.
 *
 * @module
 */
import { permissionFlags, type PermissionScope, v8Flags } from "../src/permissions.ts";

/** What to build. */
export interface CompileOptions {
  readonly output: string;
  readonly target: string;
  readonly scope: PermissionScope;
  readonly download: boolean;
  readonly print: boolean;
  /** The SHA-256 the local runtime file must have (`--sha256`), lower-case hex. */
  readonly sha256?: string;
}

/** Where `deno compile` gets its runtime from. */
export type Runtime =
  | { readonly kind: "DENORT_BIN"; readonly path: string }
  | { readonly kind: "cache"; readonly path: string }
  | { readonly kind: "download" };

/** A failure this script reports in one line. */
export class CompileError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = "CompileError";
  }
}

const USAGE = "usage: deno task compile [--output PATH] [--target TRIPLE] [--fs PATHS] " +
  "[--net HOSTS] [--download] [--sha256 HEX] [--print]";

/** Parse the script's arguments. */
export function parseArgs(args: readonly string[], hostTarget: string): CompileOptions {
  let output = "dist/bellows";
  let target = hostTarget;
  let fs: string[] | undefined;
  let net: string[] | undefined;
  let download = false;
  let print = false;
  let sha256: string | undefined;
  const list = (v: string) => v.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].includes("=") ? args[i].split(/=(.*)/s, 2) : [args[i]];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === "") throw new CompileError(`${name} needs a value; ${USAGE}`, 2);
      return v;
    };
    switch (name) {
      case "--output":
        output = value();
        break;
      case "--target":
        target = value();
        break;
      case "--fs":
        fs = list(value());
        break;
      case "--net":
        net = list(value());
        break;
      case "--download":
        download = true;
        break;
      case "--print":
        print = true;
        break;
      case "--sha256":
        sha256 = checksumArg(value(), "--sha256");
        break;
      default:
        throw new CompileError(`unknown argument ${args[i]}; ${USAGE}`, 2);
    }
  }
  if (sha256 && download) {
    throw new CompileError("--sha256 checks a local runtime; it cannot be used with --download", 2);
  }
  return { output, target, scope: { fs, net }, download, print, sha256 };
}

/** A SHA-256 given on the command line or in `DENORT_SHA256`: 64 hex digits. */
export function checksumArg(value: string, from: string): string {
  const hex = value.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new CompileError(`${from} wants 64 hex digits (a SHA-256), got '${value}'`, 2);
  }
  return hex;
}

/** The `deno` arguments that build the binary. */
export function compileArgs(opts: CompileOptions, entry = "main.ts"): string[] {
  return [
    "compile",
    // Build exactly what deno.lock pins: an air-gapped rebuild gets the same packages.
    "--frozen",
    ...permissionFlags(opts.scope),
    v8Flags(),
    "--target",
    opts.target,
    "--output",
    opts.output,
    entry,
  ];
}

/** The file Deno caches the runtime in: `<denoDir>/dl/release/v<version>/denort-<target>.zip`. */
export function cachedRuntimePath(denoDir: string, version: string, target: string): string {
  return `${denoDir.replace(/\/+$/, "")}/dl/release/v${version}/denort-${target}.zip`;
}

/**
 * The release file Deno publishes for `version` and `target`, and where: the name of the
 * zip, its GitHub release URL, and the URL of the checksum file published beside it.
 */
export function runtimeRelease(
  version: string,
  target: string,
): { file: string; url: string; sumUrl: string } {
  const file = `denort-${target}.zip`;
  const url = `${releaseFolder(version)}${file}`;
  return { file, url, sumUrl: `${url}.sha256sum` };
}

/** Deno's GitHub release folder of `version`, where its zips and checksums are published. */
function releaseFolder(version: string): string {
  return `https://github.com/denoland/deno/releases/download/v${version}/`;
}

/**
 * The digest in a `.sha256sum` file as `sha256sum` writes it (`<hex>  <name>`), as Deno
 * publishes one beside each release zip; throws if the text holds none.
 */
export function parseSha256Sum(text: string, path: string): string {
  const m = /^\s*\\?([0-9a-fA-F]{64})(?:\s|$)/.exec(text);
  if (!m) throw new CompileError(`${path}: no SHA-256 in it (want '<64 hex digits>  <file>')`);
  return m[1].toLowerCase();
}

/** Where the expected checksum of a runtime file came from, and its value. */
export interface ExpectedChecksum {
  readonly sha256: string;
  readonly from: string;
}

/**
 * The checksum `runtimePath` must have: `--sha256`, else `DENORT_SHA256`, else the
 * `<runtimePath>.sha256sum` file (`readSum` returns its text, or undefined when it is
 * missing); undefined when none is supplied.
 */
export function expectedChecksum(
  flag: string | undefined,
  env: { readonly DENORT_SHA256?: string },
  runtimePath: string,
  readSum: (path: string) => string | undefined,
): ExpectedChecksum | undefined {
  if (flag) return { sha256: flag, from: "--sha256" };
  if (env.DENORT_SHA256) {
    return { sha256: checksumArg(env.DENORT_SHA256, "DENORT_SHA256"), from: "DENORT_SHA256" };
  }
  const sumPath = `${runtimePath}.sha256sum`;
  const text = readSum(sumPath);
  return text === undefined ? undefined : { sha256: parseSha256Sum(text, sumPath), from: sumPath };
}

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Check the runtime file's digest; returns the line to log. A mismatch throws the one
 * line to print, before anything is built.
 */
export function verifyChecksum(
  path: string,
  actual: string,
  expected: ExpectedChecksum | undefined,
): string {
  if (!expected) {
    return "checksum not verified: no --sha256, DENORT_SHA256 or " + `${path}.sha256sum`;
  }
  if (actual !== expected.sha256) {
    throw new CompileError(
      `${path} has SHA-256 ${actual}, but ${expected.from} says ${expected.sha256}: ` +
        `not building with it (fetch it again, or check where it came from)`,
    );
  }
  return `SHA-256 verified against ${expected.from}`;
}

/**
 * Pick the runtime source (see the module docs). `isFile` is the file-system test;
 * throws {@linkcode CompileError} with the one line to print when there is none.
 */
export function resolveRuntime(
  env: { readonly DENORT_BIN?: string },
  cachePath: string,
  version: string,
  download: boolean,
  isFile: (path: string) => boolean,
): Runtime {
  if (env.DENORT_BIN) {
    if (!isFile(env.DENORT_BIN)) {
      throw new CompileError(`DENORT_BIN=${env.DENORT_BIN} is not a file (want denort ${version})`);
    }
    return { kind: "DENORT_BIN", path: env.DENORT_BIN };
  }
  if (isFile(cachePath)) return { kind: "cache", path: cachePath };
  if (download) return { kind: "download" };
  const slash = cachePath.lastIndexOf("/");
  const file = cachePath.slice(slash + 1); // denort-<target>.zip, the release file's name
  throw new CompileError(
    `no denort runtime for Deno ${version}: on a connected machine download ${file} ` +
      `and ${file}.sha256sum from ${releaseFolder(version)} ` +
      `and put both in ${cachePath.slice(0, slash)}/ ` +
      `(its SHA-256 is verified before building), or set DENORT_BIN to a denort ${version} ` +
      `executable, or pass --download (docs/binary.md)`,
  );
}

/** `a b 'c d'`: a command line a person can paste into a shell. */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)
    .join(" ");
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function readIfFile(path: string): string | undefined {
  return isFile(path) ? Deno.readTextFileSync(path) : undefined;
}

async function denoDir(): Promise<string> {
  const fromEnv = Deno.env.get("DENO_DIR");
  if (fromEnv) return fromEnv;
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  if (!out.success) throw new CompileError("cannot find Deno's cache folder (deno info failed)");
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

async function run(args: readonly string[]): Promise<void> {
  const opts = parseArgs(args, Deno.build.target);
  const version = Deno.version.deno;
  const cache = cachedRuntimePath(await denoDir(), version, opts.target);
  const denortBin = Deno.env.get("DENORT_BIN");
  const pick = async () => {
    const r = resolveRuntime({ DENORT_BIN: denortBin }, cache, version, opts.download, isFile);
    if (!("path" in r)) return { runtime: r, checked: "" };
    const expected = expectedChecksum(
      opts.sha256,
      { DENORT_SHA256: Deno.env.get("DENORT_SHA256") },
      r.path,
      readIfFile,
    );
    const actual = await sha256Hex(await Deno.readFile(r.path));
    return { runtime: r, checked: ` (${verifyChecksum(r.path, actual, expected)})` };
  };
  const argv = compileArgs(opts);
  if (opts.print) {
    // The command line even when no runtime is at hand: that is what one reviews first.
    let runtime: string;
    try {
      const { runtime: r, checked } = await pick();
      runtime = `${r.kind}${"path" in r ? ` ${r.path}` : ""}${checked}`;
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      runtime = `none: ${e.message}`;
    }
    const prefix = denortBin ? `DENORT_BIN=${shellLine([denortBin])} ` : "";
    console.log(`${prefix}${shellLine([Deno.execPath(), ...argv])}`);
    console.log(`# runtime: ${runtime}`);
    return;
  }
  const { runtime, checked } = await pick();
  const env: Record<string, string> = {};
  if (runtime.kind === "DENORT_BIN") env.DENORT_BIN = await Deno.realPath(runtime.path);
  console.error(
    `compile: denort from ${runtime.kind}${"path" in runtime ? ` ${runtime.path}` : ""}${checked}`,
  );
  const build = await new Deno.Command(Deno.execPath(), {
    args: argv,
    env,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!build.success) throw new CompileError(`deno compile failed (exit code ${build.code})`);
  if (opts.target !== Deno.build.target) return; // cannot run a binary for another platform
  // Prove the binary runs and carries the scripts, from a folder without the repository.
  const check = await new Deno.Command(await Deno.realPath(opts.output), {
    args: ["history", "--source"],
    cwd: "/",
    stdout: "piped",
    stderr: "piped",
  }).output().catch((e) => {
    throw new CompileError(`${opts.output} does not run: ${e.message}`);
  });
  const said = new TextDecoder().decode(check.stdout).trim();
  if (!check.success || !said.startsWith("bundled")) {
    throw new CompileError(`${opts.output} built but its self-check failed: ${said || check.code}`);
  }
  console.error(`compile: ${opts.output}: ${said}`);
}

if (import.meta.main) {
  try {
    await run(Deno.args);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    console.error(`compile: ${e.message}`);
    Deno.exit(e.exitCode);
  }
}
