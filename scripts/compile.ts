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
 * error. After building it runs the binary once (`history --source`) to prove it works.
 *
 * Options: `--output PATH` (default dist/bellows), `--target TRIPLE`, `--fs PATHS` and
 * `--net HOSTS` (comma-separated; narrow read/write and net for one site), `--download`,
 * `--print` (print the command line and the runtime it would use; build nothing).
 *
 * @module
 */
import { permissionFlags, type PermissionScope } from "../src/permissions.ts";

/** What to build. */
export interface CompileOptions {
  readonly output: string;
  readonly target: string;
  readonly scope: PermissionScope;
  readonly download: boolean;
  readonly print: boolean;
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
  "[--net HOSTS] [--download] [--print]";

/** Parse the script's arguments. */
export function parseArgs(args: readonly string[], hostTarget: string): CompileOptions {
  let output = "dist/bellows";
  let target = hostTarget;
  let fs: string[] | undefined;
  let net: string[] | undefined;
  let download = false;
  let print = false;
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
      default:
        throw new CompileError(`unknown argument ${args[i]}; ${USAGE}`, 2);
    }
  }
  return { output, target, scope: { fs, net }, download, print };
}

/** The `deno` arguments that build the binary. */
export function compileArgs(opts: CompileOptions, entry = "main.ts"): string[] {
  return [
    "compile",
    // Build exactly what deno.lock pins: an air-gapped rebuild gets the same packages.
    "--frozen",
    ...permissionFlags(opts.scope),
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
  throw new CompileError(
    `no denort runtime for Deno ${version}: set DENORT_BIN to a denort ${version} executable, ` +
      `or put the zip Deno would download at ${cachePath}, or pass --download`,
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
  const pick = () =>
    resolveRuntime({ DENORT_BIN: denortBin }, cache, version, opts.download, isFile);
  const argv = compileArgs(opts);
  if (opts.print) {
    // The command line even when no runtime is at hand: that is what one reviews first.
    let runtime: string;
    try {
      const r = pick();
      runtime = `${r.kind}${"path" in r ? ` ${r.path}` : ""}`;
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      runtime = `none: ${e.message}`;
    }
    const prefix = denortBin ? `DENORT_BIN=${shellLine([denortBin])} ` : "";
    console.log(`${prefix}${shellLine([Deno.execPath(), ...argv])}`);
    console.log(`# runtime: ${runtime}`);
    return;
  }
  const runtime = pick();
  const env: Record<string, string> = {};
  if (runtime.kind === "DENORT_BIN") env.DENORT_BIN = await Deno.realPath(runtime.path);
  console.error(
    `compile: denort from ${runtime.kind}${"path" in runtime ? ` ${runtime.path}` : ""}`,
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
