/**
 * README.md cannot drift: every `$ bellows ...` line of its console blocks is run, in
 * order, through main.ts in a fresh folder, and what it prints must be what README shows
 * (modulo timestamps and timings); its command table names exactly the commands there
 * are; its two setup commands are the ones scripts/setup.sh and `deno task demo` run.
 */
import assert from "node:assert/strict";
import { buildProgram } from "../src/cli/mod.ts";
import { execCli, withTempDir } from "./support/cli.ts";

const root = new URL("..", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", root));

/** The fenced blocks of `lang` in README, as their lines. */
function blocks(lang: string): string[][] {
  return [...readme.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```$", "gm"))]
    .map((m) => m[1].replace(/\n$/, "").split("\n"));
}

/** What varies from run to run: log timestamps (off a terminal) and durations. */
function normalise(text: string): string {
  return text
    .replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO /gm, "")
    .replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z WARN /gm, "warning: ")
    .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, "<time>")
    .trimEnd();
}

/** One shown command: its arguments, whether `; echo $?` follows, and the lines shown after it. */
interface Shown {
  readonly line: string;
  readonly args: string[];
  readonly echoCode: boolean;
  readonly expected: string[];
}

/** Split a console block into `export` settings and shown bellows commands. */
function parseConsole(lines: string[]): { env: Record<string, string>; steps: Shown[] } {
  const env: Record<string, string> = {};
  const steps: Shown[] = [];
  for (const line of lines) {
    if (!line.startsWith("$ ")) {
      assert.ok(steps.length > 0, `README: output before any command: ${line}`);
      steps.at(-1)!.expected.push(line);
      continue;
    }
    const cmd = line.slice(2).replace(/\s+#.*$/, "");
    const exp = /^export (\w+)=(\S+)$/.exec(cmd);
    if (exp) {
      assert.equal(steps.length, 0, "README: export comes before the commands");
      env[exp[1]] = exp[2];
      continue;
    }
    const m = /^bellows ((?:[\w@:.=\/-]+ ?)+?)(; echo \$\?)?$/.exec(cmd);
    assert.ok(m, `README: a console line this test cannot run: ${line}`);
    steps.push({ line, args: m[1].trim().split(" "), echoCode: !!m[2], expected: [] });
  }
  return { env, steps };
}

Deno.test("README's tour: every shown command prints what README shows", async () => {
  const consoles = blocks("console");
  assert.ok(consoles.length >= 1, "README has a console block");
  let ran = 0;
  for (const block of consoles) {
    const { env, steps } = parseConsole(block);
    // The whole transcript at once, so a difference shows as one diff against README.
    const actual: string[] = [];
    const expected: string[] = [];
    await withTempDir(async (dir) => {
      for (const step of steps) {
        const r = await execCli(step.args, { cwd: dir, env });
        const shown = [r.err, r.out].filter((t) => t !== "").join("\n");
        if (!step.echoCode) assert.equal(r.code, 0, `${step.line}: exit ${r.code}\n${r.err}`);
        actual.push(step.line, normalise(step.echoCode ? `${shown}\n${r.code}` : shown));
        expected.push(step.line, normalise(step.expected.join("\n")));
        ran++;
      }
    });
    assert.equal(actual.join("\n"), expected.join("\n"), "README's tour, as run now");
  }
  assert.ok(ran >= 9, `README's tour runs ${ran} commands`);
});

Deno.test("README's command table names exactly bellows' commands", () => {
  const at = readme.indexOf("## Commands");
  assert.ok(at >= 0, "README has ## Commands");
  const rows = readme.slice(at).split("\n").filter((l) => l.startsWith("| `"));
  const shown = new Set(
    rows.flatMap((r) => [...r.split("|")[1].matchAll(/`([\w-]+)[^`]*`/g)].map((m) => m[1])),
  );
  const names = buildProgram({ out: () => {}, err: () => {} }).commands.map((c) => c.name());
  assert.deepEqual([...shown].sort(), [...names].sort());
});

Deno.test("README's two setup commands are what setup.sh and `deno task demo` run", async () => {
  const sh = blocks("sh").find((b) => b.some((l) => l.includes("deno task demo")));
  assert.ok(sh, "README shows the setup commands");
  const commands = sh.filter((l) => l.trim() !== "" && !l.startsWith("#"));
  const install = "npm install -g --allow-scripts=deno deno@2.9.6";
  assert.deepEqual(commands, [
    `${install} && deno task demo`,
    "bash scripts/setup.sh && deno task test",
  ]);
  // setup.sh installs Deno with the very command README shows, of the version this runs.
  const setup = await Deno.readTextFile(new URL("scripts/setup.sh", root));
  assert.ok(setup.includes(`${install} `), "scripts/setup.sh installs Deno as README says");
  assert.equal(Deno.version.deno, "2.9.6");
  // The demo itself, as `deno task demo` runs it.
  const demo = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "demo"],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(demo.stdout);
  assert.equal(demo.code, 0, new TextDecoder().decode(demo.stderr));
  assert.match(out, /\$ bellows --url sqlite:\S+ upgrade heads/);
  assert.match(out, /ocata_contract01 \(contract\) \(head\)/);
});

/** GitHub's anchor for a Markdown heading. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\w\- ]/g, "").replaceAll(" ", "-");
}

Deno.test("every relative link in README and docs/ leads to a file and heading that exist", async () => {
  const pages = ["README.md"];
  for await (const e of Deno.readDir(new URL("docs/", root))) {
    if (e.name.endsWith(".md")) pages.push(`docs/${e.name}`);
  }
  let links = 0;
  for (const page of pages) {
    const text = await Deno.readTextFile(new URL(page, root));
    // Links outside code: drop fenced blocks and inline code first.
    const prose = text.replace(/^```[\s\S]*?^```$/gm, "").replace(/`[^`\n]*`/g, "");
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(m[1])) continue;
      const [file, anchor] = m[1].split("#");
      const target = file === "" ? new URL(page, root) : new URL(file, new URL(page, root));
      const stat = await Deno.stat(target).catch(() => null);
      assert.ok(stat, `${page}: link ${m[1]} leads nowhere`);
      if (anchor) {
        const heads = [...(await Deno.readTextFile(target)).matchAll(/^#+ (.*)$/gm)]
          .map((h) => slug(h[1]));
        assert.ok(heads.includes(anchor), `${page}: link ${m[1]}: no such heading`);
      }
      links++;
    }
  }
  assert.ok(links > 20, `${links} links checked`);
});
