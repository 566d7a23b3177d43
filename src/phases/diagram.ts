/**
 * A picture of the revision graph, as Graphviz DOT or Mermaid text (`bellows graph`).
 *
 * Arrows point the way upgrades run (from a `down_revision` to the revision); a
 * `depends_on` is a dashed arrow. Heads get a double border, the database's current
 * revisions a filled background, and the expand / contract phases (the branch labels
 * of Glance's scheme, inherited along their branch) a green / red border. Bases come
 * first; the order is stable for a given graph.
 *
 * @module
 */
import type { Revision, RevisionMap } from "../graph/revision_map.ts";
import { type Phase, revisionPhase } from "./phase.ts";

/** Output formats of {@linkcode renderGraph}. */
export type DiagramFormat = "dot" | "mermaid";

/** The formats, for option validation. */
export const DIAGRAM_FORMATS: readonly DiagramFormat[] = ["dot", "mermaid"];

export type { Phase };

/** What {@linkcode renderGraph} marks besides the graph itself. */
export interface DiagramOptions {
  /** The database's version rows; their revisions are marked current. Unset: no marking. */
  readonly current?: readonly string[];
  /** Longest message shown in a node before it is cut with `...`; default 48. */
  readonly maxMessage?: number;
}

/**
 * The phase of a revision: `expand` or `contract` when one of its (inherited) branch
 * labels says so (src/phases/phase.ts, where the phase commands use it too).
 */
export const phaseOf: (rev: Revision) => Phase | undefined = revisionPhase;

interface Node {
  readonly rev: Revision;
  readonly key: string;
  readonly lines: readonly string[];
  readonly head: boolean;
  readonly current: boolean;
  readonly phase?: Phase;
}

function nodes(map: RevisionMap, opts: DiagramOptions): Node[] {
  const current = new Set(opts.current ?? []);
  const max = opts.maxMessage ?? 48;
  return map.all().map((rev, i) => {
    const message = rev.message.split("\n")[0].trim();
    const marks = [
      ...rev.branchLabels.map((l) => `(${l})`),
      ...(rev.isHead ? ["(head)"] : []),
      ...(current.has(rev.id) ? ["(current)"] : []),
    ];
    const lines = [
      rev.id,
      ...(message ? [message.length > max ? `${message.slice(0, max - 3)}...` : message] : []),
      ...(marks.length ? [marks.join(" ")] : []),
    ];
    return {
      rev,
      key: `r${i}`,
      lines,
      head: rev.isHead,
      current: current.has(rev.id),
      phase: phaseOf(rev),
    };
  });
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly dependency: boolean;
}

function edges(map: RevisionMap): Edge[] {
  const out: Edge[] = [];
  for (const rev of map.all()) {
    for (const d of rev.versionedDownRevisions) {
      out.push({ from: d, to: rev.id, dependency: false });
    }
    for (const d of rev.resolvedDependencies) out.push({ from: d, to: rev.id, dependency: true });
  }
  return out;
}

const COLORS = { expand: "#2e7d32", contract: "#c62828", current: "#ffe08a" } as const;

function dotString(text: string): string {
  return `"${dotEscape(text)}"`;
}

function dotEscape(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
}

/** Graphviz DOT. */
export function renderDot(map: RevisionMap, opts: DiagramOptions = {}): string {
  const out = [
    "digraph revisions {",
    "  // bellows graph: double border = head, filled = current, green = expand, red = contract",
    "  rankdir=TB;",
    '  node [shape=box, fontname="monospace"];',
  ];
  for (const n of nodes(map, opts)) {
    // `\n` (backslash, n) is Graphviz's line break inside a label.
    const attrs = [`label="${n.lines.map(dotEscape).join("\\n")}"`];
    if (n.head) attrs.push("peripheries=2");
    if (n.current) attrs.push(`style=filled`, `fillcolor=${dotString(COLORS.current)}`);
    if (n.phase) attrs.push(`color=${dotString(COLORS[n.phase])}`, "penwidth=2");
    out.push(`  ${dotString(n.rev.id)} [${attrs.join(", ")}];`);
  }
  for (const e of edges(map)) {
    const attrs = e.dependency ? ` [style=dashed, label="depends on"]` : "";
    out.push(`  ${dotString(e.from)} -> ${dotString(e.to)}${attrs};`);
  }
  out.push("}");
  return out.join("\n") + "\n";
}

/** Text inside a Mermaid `["..."]` label: quotes and markup characters as entities. */
function mermaidText(text: string): string {
  return text.replaceAll("&", "#amp;").replaceAll('"', "#quot;").replaceAll("<", "#lt;")
    .replaceAll(">", "#gt;");
}

/** Mermaid flowchart. Node ids are `r0`, `r1`, ... since revision ids may clash with keywords. */
export function renderMermaid(map: RevisionMap, opts: DiagramOptions = {}): string {
  const ns = nodes(map, opts);
  const key = new Map(ns.map((n) => [n.rev.id, n.key]));
  const out = [
    "flowchart TD",
    "  %% bellows graph: thick border = head, filled = current, green = expand, red = contract",
  ];
  for (const n of ns) out.push(`  ${n.key}["${n.lines.map(mermaidText).join("<br/>")}"]`);
  for (const e of edges(map)) {
    out.push(`  ${key.get(e.from)} ${e.dependency ? "-.->|depends on|" : "-->"} ${key.get(e.to)}`);
  }
  const classes: [string, string, (n: Node) => boolean][] = [
    ["head", "stroke-width:4px", (n) => n.head],
    ["current", `fill:${COLORS.current}`, (n) => n.current],
    ["expand", `stroke:${COLORS.expand}`, (n) => n.phase === "expand"],
    ["contract", `stroke:${COLORS.contract}`, (n) => n.phase === "contract"],
  ];
  for (const [name, style, pick] of classes) {
    const members = ns.filter(pick).map((n) => n.key);
    if (members.length === 0) continue;
    out.push(`  classDef ${name} ${style}`);
    out.push(`  class ${members.join(",")} ${name}`);
  }
  return out.join("\n") + "\n";
}

/** Render in `format`. */
export function renderGraph(
  map: RevisionMap,
  format: DiagramFormat,
  opts: DiagramOptions = {},
): string {
  return format === "dot" ? renderDot(map, opts) : renderMermaid(map, opts);
}
