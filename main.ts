/**
 * bellows: database migrations from raw SQL revision scripts, Alembic-compatible.
 *
 * This file only wires the command line; everything else lives under `src/`.
 *
 * `--version` alone is answered here, before the command line loads: commander, Node's
 * compatibility layer under it and bellows' own modules take several times Deno's own
 * start-up (issue 12). Everything else, and `--version` among other arguments, goes to
 * the command line, imported by a literal specifier that `deno compile` follows
 * (tests/binary_test.ts checks the module graph).
 *
 * @module
 */
import { VERSION } from "./src/version.ts";

if (import.meta.main) {
  if (Deno.args.length === 1 && Deno.args[0] === "--version" && printed(`${VERSION}\n`)) {
    Deno.exit(0);
  }
  const { main } = await import("./src/cli/mod.ts");
  Deno.exit(await main(Deno.args, undefined, { signals: true }));
}

/** Write `text` to stdout; false when that fails (the command line then reports it). */
function printed(text: string): boolean {
  try {
    const bytes = new TextEncoder().encode(text);
    for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
    return true;
  } catch {
    return false;
  }
}
