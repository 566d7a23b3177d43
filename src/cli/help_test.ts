import assert from "node:assert/strict";
import { buildProgram, main } from "./mod.ts";
import { HELP_PAGES } from "./help.ts";

const root = new URL("../../", import.meta.url);

/** GitHub's anchor for a Markdown heading. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\w\- ]/g, "").replaceAll(" ", "-");
}

async function help(args: string[]): Promise<string> {
  const out: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: () => {} });
  assert.equal(code, 0);
  return out.join("\n");
}

Deno.test("every command's --help is short and names a docs page that exists", async () => {
  const names = buildProgram({ out: () => {}, err: () => {} }).commands.map((c) => c.name());
  assert.ok(names.length >= 20, names.join(" "));
  for (const name of names) {
    const page = HELP_PAGES[name];
    assert.ok(page, `${name} has no docs page in HELP_PAGES`);
    const [file, anchor] = page.split("#");
    const text = await Deno.readTextFile(new URL(file, root));
    if (anchor) {
      const anchors = [...text.matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1]));
      assert.ok(anchors.includes(anchor), `${file} has no heading #${anchor}`);
    }
    const shown = await help([name, "--help"]);
    assert.ok(shown.endsWith(`Details: ${page}`), `${name} --help:\n${shown}`);
    assert.ok(
      shown.split("\n").length <= 25,
      `${name} --help is ${shown.split("\n").length} lines`,
    );
  }
  assert.deepEqual(Object.keys(HELP_PAGES).filter((n) => !names.includes(n)), [], "stale entries");
  const top = await help(["--help"]);
  for (const m of top.matchAll(/docs\/[\w-]+\.md/g)) await Deno.stat(new URL(m[0], root));
});
