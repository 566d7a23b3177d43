/**
 * bellows: database migrations from raw SQL revision scripts, Alembic-compatible.
 *
 * This file only wires the command line; everything else lives under `src/`.
 *
 * @module
 */
import { VERSION } from "./src/version.ts";

if (import.meta.main) {
  // `--version` alone needs nothing but the version: answer it before loading the program,
  // which costs several times an empty process (issue 12). Same output as the full parser.
  if (Deno.args.length === 1 && Deno.args[0] === "--version") {
    console.log(VERSION);
    Deno.exit(0);
  }
  const { main } = await import("./src/cli/mod.ts");
  Deno.exit(await main(Deno.args, undefined, { signals: true }));
}
