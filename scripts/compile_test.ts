import assert from "node:assert/strict";
import {
  cachedRuntimePath,
  compileArgs,
  CompileError,
  parseArgs,
  resolveRuntime,
  shellLine,
} from "./compile.ts";
import { permissionFlags } from "../src/permissions.ts";

const HOST = "x86_64-unknown-linux-gnu";
const root = new URL("..", import.meta.url).pathname;

Deno.test("compileArgs: the shared permission flags, the lock, output and entry point", () => {
  const opts = parseArgs([], HOST);
  assert.deepEqual(compileArgs(opts), [
    "compile",
    "--frozen",
    ...permissionFlags(),
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
      `compile: no denort runtime for Deno ${Deno.version.deno}: set DENORT_BIN to a denort ${Deno.version.deno} executable, or put the zip Deno would download at ${denoDir}/dl/release/v${Deno.version.deno}/denort-${Deno.build.target}.zip, or pass --download`,
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
