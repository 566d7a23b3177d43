/**
 * A small tmpfs for disk-full tests. Mounting one needs root (and a kernel that lets
 * the process), so such tests pass `ignore: !canMountTmpfs()` and say so in their name.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Can this process mount a tmpfs (root, and a kernel that lets it)? */
export function canMountTmpfs(): boolean {
  if (Deno.uid() !== 0) return false;
  const dir = Deno.makeTempDirSync({ prefix: "bellows-probe-" });
  try {
    const mount = new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir],
    })
      .outputSync();
    if (!mount.success) return false;
    new Deno.Command("umount", { args: [dir] }).outputSync();
    return true;
  } catch {
    return false;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Run a command; fail the test with its stderr if it fails. */
export function sh(cmd: string, args: string[]): void {
  const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  assert.ok(out.success, `${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/** Run `fn` with a tmpfs of `size` (e.g. `1m`) mounted on a new folder `dir`; unmounted after. */
export async function withTmpfs<T>(dir: string, size: string, fn: () => Promise<T>): Promise<T> {
  await Deno.mkdir(dir);
  sh("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  try {
    return await fn();
  } finally {
    sh("umount", [dir]);
  }
}
