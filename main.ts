/**
 * bellows: database migrations from raw SQL revision scripts, Alembic-compatible.
 *
 * This file only wires the command line; everything else lives under `src/`.
 *
 * @module
 */
import { main } from "./src/cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args, undefined, { signals: true }));
}
