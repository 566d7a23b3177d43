/**
 * Checks on the source tree itself: the layers import only downwards, and dialect
 * knowledge stays in src/drivers (goose and dbmate keep theirs behind one interface).
 */
import assert from "node:assert/strict";
import { DIALECTS } from "./drivers/dialects.ts";

const SRC = new URL(".", import.meta.url).pathname;

/** Every .ts file under src/, relative to it, with `/` separators. */
async function sourceFiles(dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(SRC + dir)) {
    const rel = dir + e.name;
    if (e.isDirectory) out.push(...await sourceFiles(rel + "/"));
    else if (e.name.endsWith(".ts")) out.push(rel);
  }
  return out.sort();
}

const isTest = (f: string) => f.endsWith("_test.ts") || f.includes("/testdata/");

/**
 * A file's layer: its folder under src/; the shared base files at the top are
 * `base`, except permissions.ts, which serves the command line only.
 */
function layerOf(file: string): string {
  if (!file.includes("/")) return file === "permissions.ts" ? "cli" : "base";
  return file.slice(0, file.indexOf("/"));
}

/** Lowest first: a layer imports only layers before it (docs: the brief's layer list). */
const LAYERS = [
  ["base"],
  ["graph"],
  ["script"],
  ["drivers", "config", "alembic_import", "bundle"],
  ["state", "analysis"],
  ["runner"],
  ["phases"],
  ["cli"],
];
const rank = (layer: string) => LAYERS.findIndex((l) => l.includes(layer));

/** The pure files of drivers/, which script/ may import (no I/O, no database client). */
const PURE_DRIVER_FILES = new Set(["drivers/dialects.ts", "drivers/types.ts"]);

/** Relative imports of a source file (static, re-exports and dynamic), resolved against src/. */
function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;
  for (const m of text.matchAll(re)) {
    const url = new URL(m[1], `file:///src/${file}`);
    if (url.pathname.startsWith("/src/")) found.push(url.pathname.slice(5));
  }
  return found;
}

async function importGraph(): Promise<{ from: string; to: string }[]> {
  const edges: { from: string; to: string }[] = [];
  for (const file of await sourceFiles()) {
    if (isTest(file)) continue;
    for (const to of importsOf(file, await Deno.readTextFile(SRC + file))) {
      edges.push({ from: file, to });
    }
  }
  return edges;
}

Deno.test("architecture: the import reader sees static, type, re-export and dynamic imports", () => {
  const text = 'import { a } from "./x.ts";\nimport type { B } from "../graph/y.ts";\n' +
    'export { c } from "./z.ts";\nconst m = await import("./w.ts");\nimport "npm:foo";\n';
  assert.deepEqual(importsOf("runner/run.ts", text), [
    "runner/x.ts",
    "graph/y.ts",
    "runner/z.ts",
    "runner/w.ts",
  ]);
});

Deno.test("architecture: layers import only downwards; script/ only drivers' pure files", async () => {
  const edges = await importGraph();
  assert.ok(edges.length > 100, `only ${edges.length} imports found: the reader is broken`);
  const wrong: string[] = [];
  for (const { from, to } of edges) {
    const [a, b] = [layerOf(from), layerOf(to)];
    assert.notEqual(rank(a), -1, `${from}: layer ${a} is not in the layer list`);
    if (a === b || rank(b) === -1) continue;
    const pureDialect = a === "script" && PURE_DRIVER_FILES.has(to);
    if (rank(b) >= rank(a) && !pureDialect) wrong.push(`${from} imports ${to} (${a} -> ${b})`);
  }
  assert.deepEqual(wrong, []);
});

Deno.test("architecture: no import cycle between src/ folders", async () => {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of await importGraph()) {
    const [a, b] = [layerOf(from), layerOf(to)];
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  // Depth-first search; a folder met again while still on the path closes a cycle.
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") {
      cycles.push([...path.slice(path.indexOf(node)), node].join(" -> "));
      return;
    }
    state.set(node, "open");
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) visit(node, []);
  assert.deepEqual(cycles, []);
});

Deno.test("architecture: the pure drivers files do no I/O and import no database client", async () => {
  for (const file of PURE_DRIVER_FILES) {
    const text = await Deno.readTextFile(SRC + file);
    const statics = [...text.matchAll(/^(?:import|export)[^;]*?from\s*["']([^"']+)["']/gm)]
      .map((m) => m[1]);
    for (const spec of statics) {
      assert.ok(spec.startsWith("./") || spec === "../errors.ts", `${file} imports ${spec}`);
      assert.ok(!/(sqlite|postgres|mysql)\.ts$/.test(spec), `${file} imports driver ${spec}`);
    }
    assert.doesNotMatch(text, /\bDeno\.|node:/, `${file} touches the runtime`);
  }
});

/** Quoted dialect names, registry aliases and URL schemes, plus the ones on their way. */
const DIALECT_WORDS = [
  ...new Set([
    ...DIALECTS.flatMap((d) => [d.name, ...d.sectionNames, ...d.schemes]),
    "mysql",
    "mariadb",
  ]),
];

Deno.test("architecture: nothing outside src/drivers names a dialect or a raw error code", async () => {
  const literal = new RegExp(`["'\`](${DIALECT_WORDS.join("|")})["'\`]`, "i");
  const forbidden: [RegExp, string][] = [
    [literal, "a dialect name as a string literal"],
    [/dialect\.name\s*[!=]==|[!=]==\s*[\w.]*dialect\.name/, "a comparison with dialect.name"],
    [/switch\s*\([\w.]*dialect(\.name)?\)/, "a switch on the dialect"],
    [/\b55P03\b|\bSQLITE_[A-Z]+\b|\b40P01\b|\bER_[A-Z_]+\b/, "a raw database error code"],
  ];
  const found: string[] = [];
  for (const file of await sourceFiles()) {
    // analysis/ is per-dialect SQL knowledge by nature (each rule says which databases it
    // applies to), as drivers/ is; it stays pure and below the runner.
    if (
      isTest(file) || file.startsWith("drivers/") || file.startsWith("bundle/") ||
      file.startsWith("analysis/")
    ) continue;
    const lines = (await Deno.readTextFile(SRC + file)).split("\n");
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "");
      for (const [re, what] of forbidden) {
        if (re.test(code)) found.push(`src/${file}:${i + 1}: ${what}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(found, []);
});

Deno.test("architecture: the dialect check catches what it is for", () => {
  const literal = new RegExp(`["'\`](${DIALECT_WORDS.join("|")})["'\`]`, "i");
  assert.match('if (d.name === "postgresql") {', literal);
  assert.match("case 'sqlite':", literal);
  assert.doesNotMatch("const sqlite = open();", literal);
});
