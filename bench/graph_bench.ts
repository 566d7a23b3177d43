/**
 * Speed of the pure core on large inputs: loading and planning a long revision history
 * (Glance-like: expand and contract branches per release, contract depending on expand),
 * and splitting a large script. Run with `deno task bench:graph`.
 */
import { RevisionMap } from "../src/graph/revision_map.ts";
import { historyRange, planDowngrade, planUpgrade } from "../src/graph/plan.ts";
import { applySteps } from "../src/graph/heads.ts";
import type { RevisionInfo } from "../src/graph/types.ts";
import { splitStatements } from "../src/script/split.ts";

function releases(n: number): RevisionInfo[] {
  const revs: RevisionInfo[] = [{
    id: "base0",
    downRevisions: [],
    branchLabels: [],
    dependsOn: [],
    message: "",
  }];
  let expand = "base0";
  let contract = "base0";
  for (let i = 1; i <= n; i++) {
    const e = `r${i}_expand`;
    const c = `r${i}_contract`;
    revs.push({
      id: e,
      downRevisions: [expand],
      branchLabels: i === 1 ? ["expand"] : [],
      dependsOn: [],
      message: "",
    });
    revs.push({
      id: c,
      downRevisions: [contract],
      branchLabels: i === 1 ? ["contract"] : [],
      dependsOn: [e],
      message: "",
    });
    expand = e;
    contract = c;
  }
  return revs;
}

const big = releases(500);
const map = new RevisionMap(big);

Deno.bench("build a RevisionMap of 1001 revisions", () => {
  new RevisionMap(big);
});

Deno.bench("plan and apply upgrade heads from base over 1001 revisions", () => {
  const steps = planUpgrade(map, [], "heads");
  applySteps(map, [], steps);
});

Deno.bench("plan downgrade base from heads over 1001 revisions", () => {
  planDowngrade(map, ["r500_contract"], "base");
});

const glance = new RevisionMap(releases(1000));

Deno.bench("plan upgrade heads from base over 2001 revisions", () => {
  planUpgrade(glance, [], "heads");
});

Deno.bench("plan downgrade base from heads over 2001 revisions", () => {
  planDowngrade(glance, ["r1000_contract"], "base");
});

Deno.bench("plan upgrade heads from the middle over 2001 revisions", () => {
  planUpgrade(glance, ["r500_contract"], "heads");
});

Deno.bench("plan upgrade expand@+1 from a contract revision over 2001 revisions", () => {
  planUpgrade(glance, ["r500_contract"], "expand@+1");
});

Deno.bench("history over 2001 revisions", () => {
  historyRange(glance, undefined);
});

Deno.bench("ancestor counts (lint's order) over 2001 revisions", () => {
  // a fresh map: the counts' ranges are kept by the map once built
  new RevisionMap(releases(1000)).ancestorCounts();
});

const script = Array.from(
  { length: 2000 },
  (_, i) =>
    `CREATE TABLE t${i} (id INTEGER, note TEXT DEFAULT 'a;b'); -- comment; here\n` +
    `CREATE FUNCTION f${i}() RETURNS trigger AS $body$ BEGIN NEW.x := 1; RETURN NEW; END; $body$ LANGUAGE plpgsql;\n`,
).join("");

Deno.bench("split a 4000-statement script", () => {
  splitStatements(script);
});
