import assert from "node:assert/strict";
import { phaseOf, renderDot, renderGraph, renderMermaid } from "./diagram.ts";
import { RevisionMap } from "../graph/revision_map.ts";
import { GRAPHS, rev } from "../graph/testdata/graphs.ts";

const glance = new RevisionMap(GRAPHS.glance);

Deno.test("renderDot: the Glance graph, heads, phases, dependencies and current marked", () => {
  const dot = renderDot(glance, { current: ["pike_expand01", "ocata_contract01"] });
  assert.equal(
    dot,
    [
      "digraph revisions {",
      "  // bellows graph: double border = head, filled = current, green = expand, red = contract",
      "  rankdir=TB;",
      '  node [shape=box, fontname="monospace"];',
      '  "liberty" [label="liberty\\nmsg liberty"];',
      '  "mitaka01" [label="mitaka01\\nmsg mitaka01"];',
      '  "mitaka02" [label="mitaka02\\nmsg mitaka02"];',
      '  "ocata_expand01" [label="ocata_expand01\\nmsg ocata_expand01\\n(expand)", ' +
      'color="#2e7d32", penwidth=2];',
      '  "pike_expand01" [label="pike_expand01\\nmsg pike_expand01\\n(expand) (head) (current)", ' +
      'peripheries=2, style=filled, fillcolor="#ffe08a", color="#2e7d32", penwidth=2];',
      '  "ocata_contract01" [label="ocata_contract01\\nmsg ocata_contract01\\n(contract) ' +
      '(current)", style=filled, fillcolor="#ffe08a", color="#c62828", penwidth=2];',
      '  "pike_contract01" [label="pike_contract01\\nmsg pike_contract01\\n(contract) (head)", ' +
      'peripheries=2, color="#c62828", penwidth=2];',
      '  "liberty" -> "mitaka01";',
      '  "mitaka01" -> "mitaka02";',
      '  "mitaka02" -> "ocata_expand01";',
      '  "ocata_expand01" -> "pike_expand01";',
      '  "mitaka02" -> "ocata_contract01";',
      '  "ocata_expand01" -> "ocata_contract01" [style=dashed, label="depends on"];',
      '  "ocata_contract01" -> "pike_contract01";',
      '  "pike_expand01" -> "pike_contract01" [style=dashed, label="depends on"];',
      "}",
      "",
    ].join("\n"),
  );
});

Deno.test("renderDot: without current revisions nothing is filled", () => {
  const dot = renderDot(glance);
  assert.doesNotMatch(dot, /style=filled|\(current\)/);
  assert.equal(dot.match(/peripheries=2/g)?.length, 2, "two heads");
});

Deno.test("renderMermaid: node keys, labels, edges and classes", () => {
  const text = renderMermaid(glance, { current: ["mitaka02"] });
  assert.equal(
    text,
    [
      "flowchart TD",
      "  %% bellows graph: thick border = head, filled = current, green = expand, red = contract",
      '  r0["liberty<br/>msg liberty"]',
      '  r1["mitaka01<br/>msg mitaka01"]',
      '  r2["mitaka02<br/>msg mitaka02<br/>(current)"]',
      '  r3["ocata_expand01<br/>msg ocata_expand01<br/>(expand)"]',
      '  r4["pike_expand01<br/>msg pike_expand01<br/>(expand) (head)"]',
      '  r5["ocata_contract01<br/>msg ocata_contract01<br/>(contract)"]',
      '  r6["pike_contract01<br/>msg pike_contract01<br/>(contract) (head)"]',
      "  r0 --> r1",
      "  r1 --> r2",
      "  r2 --> r3",
      "  r3 --> r4",
      "  r2 --> r5",
      "  r3 -.->|depends on| r5",
      "  r5 --> r6",
      "  r4 -.->|depends on| r6",
      "  classDef head stroke-width:4px",
      "  class r4,r6 head",
      "  classDef current fill:#ffe08a",
      "  class r2 current",
      "  classDef expand stroke:#2e7d32",
      "  class r3,r4 expand",
      "  classDef contract stroke:#c62828",
      "  class r5,r6 contract",
      "",
    ].join("\n"),
  );
});

Deno.test("renderGraph: quotes, markup and long messages cannot break out of a label", () => {
  const map = new RevisionMap([
    rev("a1", [], { message: 'say "hi" <b>&</b> \\ back' }),
    rev("a2", ["a1"], { message: "x".repeat(100) }),
  ]);
  const dot = renderGraph(map, "dot");
  // In DOT: \" for a quote, \\ for a backslash, \n (two characters) between lines.
  assert.ok(dot.includes(String.raw`"a1" [label="a1\nsay \"hi\" <b>&</b> \\ back"];`), dot);
  assert.ok(dot.includes(String.raw`[label="a2\n${"x".repeat(45)}...\n(head)"`), dot);
  const mm = renderGraph(map, "mermaid");
  assert.ok(mm.includes(`r0["a1<br/>say #quot;hi#quot; #lt;b#gt;#amp;#lt;/b#gt; \\ back"]`), mm);
  const short = renderGraph(map, "mermaid", { maxMessage: 10 });
  assert.ok(short.includes(`r1["a2<br/>xxxxxxx...<br/>(head)"]`), short);
});

Deno.test("phaseOf: expand and contract by (inherited) branch label, else none", () => {
  assert.equal(phaseOf(glance.get("pike_expand01")), "expand");
  assert.equal(phaseOf(glance.get("pike_contract01")), "contract");
  assert.equal(phaseOf(glance.get("mitaka02")), undefined);
});
