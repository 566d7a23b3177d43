/**
 * Running bellows from tests: in-process through `main()` (fast, output captured), or
 * as a real `deno run` subprocess with the same entry point (for locks, kills and
 * concurrency).
 *
 * @module
 */
import { main } from "../../src/cli/mod.ts";

/** What a command printed and returned. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Run the command line in this process. */
export async function runCli(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const entry = new URL("../../main.ts", import.meta.url).pathname;

/** Start `deno run main.ts ...args` as a subprocess. */
export function spawnCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; permissions?: string[] } = {},
): Deno.ChildProcess {
  const perms = opts.permissions ?? ["--allow-all"];
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...perms, entry, ...args],
    env: { NO_COLOR: "1", ...opts.env },
    cwd: opts.cwd,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Run `deno run main.ts ...args` to completion. */
export async function execCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; permissions?: string[] } = {},
): Promise<CliResult> {
  const p = spawnCli(args, opts);
  const r = await p.output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout).trimEnd(), err: dec.decode(r.stderr).trimEnd() };
}

/** A temporary directory removed after `fn`. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "bellows-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Write revision scripts (name → text) into `dir`, creating subfolders. */
export async function writeScripts(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
}

/** A revision script text from its parts. */
export function script(
  id: string,
  down: string[] | string,
  up: string,
  downSql = "",
  extra: Record<string, string> = {},
): string {
  const header = [
    `-- revision: ${id}`,
    `-- down_revision: ${Array.isArray(down) ? down.join(", ") : down}`,
    ...Object.entries(extra).map(([k, v]) => `-- ${k}: ${v}`),
    `-- message: ${id} step`,
    "",
    "-- bellows:upgrade",
    up,
  ];
  if (downSql) header.push("", "-- bellows:downgrade", downSql);
  return header.join("\n") + "\n";
}

/** A bellows subprocess whose output is collected while it runs. */
export interface RunningCli {
  readonly process: Deno.ChildProcess;
  /** stderr so far. */
  readonly err: () => string;
  /** Resolves when stderr matches `pattern` (rejects if the process ends first). */
  waitForErr(pattern: RegExp): Promise<void>;
  /** Wait for the exit and return everything it printed. */
  done(): Promise<CliResult>;
}

/** Start `deno run main.ts ...args`, collecting stdout and stderr as they come. */
export function startCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; permissions?: string[] } = {},
): RunningCli {
  const p = spawnCli(args, opts);
  let out = "";
  let err = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const drain = async (stream: ReadableStream<Uint8Array>, add: (s: string) => void) => {
    const dec = new TextDecoder();
    for await (const chunk of stream) add(dec.decode(chunk, { stream: true }));
  };
  const finished = Promise.all([
    drain(p.stdout, (s) => out += s),
    drain(p.stderr, (s) => {
      err += s;
      check();
    }),
  ]).then(() => p.status);
  return {
    process: p,
    err: () => err,
    waitForErr: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(err)) return resolve();
        waiters.push({ pattern, resolve });
        finished.then(() => {
          if (!pattern.test(err)) reject(new Error(`exited before ${pattern}: ${err}`));
        });
      }),
    done: async () => {
      const status = await finished;
      return { code: status.code, out: out.trimEnd(), err: err.trimEnd() };
    },
  };
}

/** Poll `probe` until it is true, or fail after `ms`. */
export async function until(
  probe: () => Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
