/**
 * The README's demo: upgrade the bundled revisions on a fresh embedded SQLite database,
 * then show `current` and `history`, exactly as an operator would type them.
 *
 * @module
 */
import { main } from "../src/cli/mod.ts";

const dir = await Deno.makeTempDir({ prefix: "bellows-demo-" });
const url = `sqlite:${dir}/demo.db`;
const steps = [
  ["--url", url, "upgrade", "heads"],
  ["--url", url, "current", "-v"],
  ["--url", url, "history", "-i"],
];
let code = 0;
for (const args of steps) {
  console.log(`\n$ bellows ${args.join(" ")}`);
  code = await main(args);
  if (code !== 0) break;
}
await Deno.remove(dir, { recursive: true });
Deno.exit(code);
