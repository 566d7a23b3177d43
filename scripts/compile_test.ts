import assert from "node:assert/strict";
import {
  cachedRuntimePath,
  checksumArg,
  compileArgs,
  CompileError,
  expectedChecksum,
  parseArgs,
  parseSha256Sum,
  resolveRuntime,
  runtimeRelease,
  sha256Hex,
  shellLine,
  verifyChecksum,
} from "./compile.ts";
import { permissionFlags, v8Flags } from "../src/permissions.ts";

const HOST = "x86_64-unknown-linux-gnu";
const root = new URL("..", import.meta.url).pathname;

Deno.test("compileArgs: the shared permission flags, the V8 setting, the lock, output and entry point", () => {
  const opts = parseArgs([], HOST);
  assert.deepEqual(compileArgs(opts), [
    "compile",
    "--frozen",
    ...permissionFlags(),
    v8Flags(),
    "--target",
    HOST,
    "--output",
    "dist/bellows",
    "main.ts",
  ]);
  assert.ok(!compileArgs(opts).some((a) => a === "-A" || a === "--allow-all"));
  const site = parseArgs(
    ["--fs", "/var/lib/glance,/etc/bellows", "--net=db:5432", "--output", "x"],
    HOST,
  );
  assert.deepEqual(site.scope, { fs: ["/var/lib/glance", "/etc/bellows"], net: ["db:5432"] });
  assert.ok(compileArgs(site).includes("--allow-read=/var/lib/glance,/etc/bellows"));
  assert.equal(compileArgs(site).at(-2), "x");
});

Deno.test("parseArgs: unknown or incomplete arguments are usage errors (exit 2)", () => {
  for (const args of [["--bogus"], ["--output"], ["--fs="]]) {
    assert.throws(
      () => parseArgs(args, HOST),
      (e) => e instanceof CompileError && e.exitCode === 2,
    );
  }
  assert.equal(parseArgs(["--download", "--print"], HOST).download, true);
});

Deno.test("resolveRuntime: DENORT_BIN, then Deno's cache, then --download, else one line", () => {
  const cache = cachedRuntimePath("/cache/deno/", "2.9.6", HOST);
  assert.equal(cache, `/cache/deno/dl/release/v2.9.6/denort-${HOST}.zip`);
  const files = new Set(["/opt/denort", cache]);
  const has = (p: string) => files.has(p);
  assert.deepEqual(resolveRuntime({ DENORT_BIN: "/opt/denort" }, cache, "2.9.6", false, has), {
    kind: "DENORT_BIN",
    path: "/opt/denort",
  });
  assert.throws(
    () => resolveRuntime({ DENORT_BIN: "/nope" }, cache, "2.9.6", true, has),
    /DENORT_BIN=\/nope is not a file/,
  );
  assert.deepEqual(resolveRuntime({}, cache, "2.9.6", false, has), { kind: "cache", path: cache });
  const none = () => false;
  assert.deepEqual(resolveRuntime({}, cache, "2.9.6", true, none), { kind: "download" });
  assert.throws(
    () => resolveRuntime({}, cache, "2.9.6", false, none),
    (e) => e instanceof CompileError && e.exitCode === 1 && !e.message.includes("\n"),
  );
});

Deno.test("shellLine quotes what a shell would split or expand", () => {
  assert.equal(
    shellLine(["deno", "--allow-env=A,B_*", "it's"]),
    `deno '--allow-env=A,B_*' 'it'\\''s'`,
  );
});

async function runScript(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write=dist",
      "--allow-env",
      "--allow-run",
      "scripts/compile.ts",
      ...args,
    ],
    cwd: root,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, out: dec.decode(out.stdout).trim(), err: dec.decode(out.stderr).trim() };
}

Deno.test("compile.ts without denort: one line, exit 1, nothing built; --print shows the command", async () => {
  const denoDir = await Deno.makeTempDir({ prefix: "bellows-empty-deno-dir-" });
  try {
    const output = `dist/test-${crypto.randomUUID()}`;
    const env = { DENO_DIR: denoDir, PATH: Deno.env.get("PATH") ?? "", NO_COLOR: "1" };
    const r = await runScript(["--output", output], env);
    assert.equal(r.code, 1, r.err);
    assert.equal(
      r.err,
      `compile: no denort runtime for Deno ${Deno.version.deno}: on a connected machine download denort-${Deno.build.target}.zip and denort-${Deno.build.target}.zip.sha256sum from https://github.com/denoland/deno/releases/download/v${Deno.version.deno}/ and put both in ${denoDir}/dl/release/v${Deno.version.deno}/ (its SHA-256 is verified before building), or set DENORT_BIN to a denort ${Deno.version.deno} executable, or pass --download (docs/binary.md)`,
    );
    await assert.rejects(Deno.stat(`${root}/${output}`), Deno.errors.NotFound);

    const missing = await runScript(["--output", output], {
      ...env,
      DENORT_BIN: `${denoDir}/denort`,
    });
    assert.deepEqual([missing.code, missing.err], [
      1,
      `compile: DENORT_BIN=${denoDir}/denort is not a file (want denort ${Deno.version.deno})`,
    ]);

    const printed = await runScript(["--print", "--output", output], env);
    assert.equal(printed.code, 0, printed.err);
    const [line, runtime] = printed.out.split("\n");
    assert.equal(
      line,
      shellLine([
        Deno.execPath(),
        ...compileArgs(parseArgs(["--output", output], Deno.build.target)),
      ]),
    );
    assert.match(runtime, /^# runtime: none: no denort runtime/);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

const ZIP = new TextEncoder().encode("not really a zip, but bytes to hash");
/** What coreutils' `sha256sum` prints for ZIP. */
const ZIP_REAL = "42df00676bf707a954c154e49293e7dd7d65804322f8342fa7ff8d81757b1140";
/** A SHA-256 that ZIP does not have (a tampered or truncated download). */
const ZIP_SHA = "9b0d2b1f5a7f0a3c0a8f2a9d7c5a5c1f1a2e1e9a9b0f3c4f8f1d1f3a8e5c2b7d";

Deno.test("runtimeRelease: the file and URL Deno publishes for a version and target", () => {
  assert.deepEqual(runtimeRelease("2.9.6", HOST), {
    file: `denort-${HOST}.zip`,
    url: `https://github.com/denoland/deno/releases/download/v2.9.6/denort-${HOST}.zip`,
    sumUrl:
      `https://github.com/denoland/deno/releases/download/v2.9.6/denort-${HOST}.zip.sha256sum`,
  });
});

Deno.test("checksums: --sha256, then DENORT_SHA256, then <zip>.sha256sum; bad ones are refused", async () => {
  const real = await sha256Hex(ZIP);
  assert.equal(real, ZIP_REAL);
  assert.equal(parseArgs(["--sha256", real.toUpperCase()], HOST).sha256, real);
  for (const args of [["--sha256", "abc"], ["--sha256", real, "--download"]]) {
    assert.throws(
      () => parseArgs(args, HOST),
      (e) => e instanceof CompileError && e.exitCode === 2,
    );
  }
  assert.throws(() => checksumArg("xyz", "DENORT_SHA256"), /DENORT_SHA256 wants 64 hex digits/);
  // sha256sum's own format, as Deno publishes it beside each zip ("*" marks binary mode).
  assert.equal(parseSha256Sum(`${real}  denort-${HOST}.zip\n`, "f"), real);
  assert.equal(parseSha256Sum(`${real.toUpperCase()} *denort-${HOST}.zip`, "f"), real);
  assert.throws(
    () => parseSha256Sum("<html>not found</html>", "/c/z.sha256sum"),
    /z.sha256sum: no SHA-256/,
  );

  const sums = new Map([["/c/z.zip.sha256sum", `${ZIP_SHA}  z.zip`]]);
  const read = (p: string) => sums.get(p);
  assert.deepEqual(expectedChecksum(real, { DENORT_SHA256: ZIP_SHA }, "/c/z.zip", read), {
    sha256: real,
    from: "--sha256",
  });
  assert.deepEqual(expectedChecksum(undefined, { DENORT_SHA256: real }, "/c/z.zip", read), {
    sha256: real,
    from: "DENORT_SHA256",
  });
  assert.deepEqual(expectedChecksum(undefined, {}, "/c/z.zip", read), {
    sha256: ZIP_SHA,
    from: "/c/z.zip.sha256sum",
  });
  assert.equal(expectedChecksum(undefined, {}, "/c/other.zip", read), undefined);

  assert.equal(
    verifyChecksum("/c/z.zip", real, { sha256: real, from: "--sha256" }),
    "SHA-256 verified against --sha256",
  );
  assert.match(verifyChecksum("/c/z.zip", real, undefined), /^checksum not verified/);
  assert.throws(
    () => verifyChecksum("/c/z.zip", real, { sha256: ZIP_SHA, from: "/c/z.zip.sha256sum" }),
    (e) =>
      e instanceof CompileError && e.exitCode === 1 && !e.message.includes("\n") &&
      e.message.includes(`/c/z.zip has SHA-256 ${real}, but /c/z.zip.sha256sum says ${ZIP_SHA}`),
  );
});

Deno.test("compile.ts with a cached runtime whose checksum does not match: one line, exit 1, nothing built", async () => {
  const denoDir = await Deno.makeTempDir({ prefix: "bellows-seeded-deno-dir-" });
  try {
    const version = Deno.version.deno;
    const folder = `${denoDir}/dl/release/v${version}`;
    const zip = `${folder}/denort-${Deno.build.target}.zip`;
    await Deno.mkdir(folder, { recursive: true });
    await Deno.writeFile(zip, ZIP);
    const real = await sha256Hex(ZIP);
    const output = `dist/test-${crypto.randomUUID()}`;
    const env = { DENO_DIR: denoDir, PATH: Deno.env.get("PATH") ?? "", NO_COLOR: "1" };

    // The published .sha256sum beside the zip disagrees: refused before deno compile runs.
    await Deno.writeTextFile(`${zip}.sha256sum`, `${ZIP_SHA}  denort-${Deno.build.target}.zip\n`);
    const bad = await runScript(["--output", output], env);
    assert.deepEqual([bad.code, bad.err], [
      1,
      `compile: ${zip} has SHA-256 ${real}, but ${zip}.sha256sum says ${ZIP_SHA}: not building with it (fetch it again, or check where it came from)`,
    ]);
    await assert.rejects(Deno.stat(`${root}/${output}`), Deno.errors.NotFound);

    // DENORT_SHA256 and --sha256 are checked the same way, and win over the file.
    const envBad = await runScript(["--output", output], { ...env, DENORT_SHA256: ZIP_SHA });
    assert.equal(envBad.code, 1);
    assert.match(envBad.err, /but DENORT_SHA256 says 9b0d.*: not building with it/);
    await assert.rejects(Deno.stat(`${root}/${output}`), Deno.errors.NotFound);

    const flagOk = await runScript(["--print", "--sha256", real, "--output", output], env);
    assert.equal(flagOk.code, 0, flagOk.err);
    assert.equal(
      flagOk.out.split("\n")[1],
      `# runtime: cache ${zip} (SHA-256 verified against --sha256)`,
    );

    // The right .sha256sum: verified (shown with --print, which builds nothing).
    await Deno.writeTextFile(`${zip}.sha256sum`, `${real}  denort-${Deno.build.target}.zip\n`);
    const good = await runScript(["--print", "--output", output], env);
    assert.equal(good.code, 0, good.err);
    assert.equal(
      good.out.split("\n")[1],
      `# runtime: cache ${zip} (SHA-256 verified against ${zip}.sha256sum)`,
    );
    await assert.rejects(Deno.stat(`${root}/${output}`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});
