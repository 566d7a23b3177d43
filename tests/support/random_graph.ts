/**
 * Random revision graphs for property tests of the graph code: seeded, so that a failure
 * names its seed.
 *
 * @module
 */
import type { Revision, RevisionMap } from "../../src/graph/revision_map.ts";
import type { RevisionInfo } from "../../src/graph/types.ts";

/** Small deterministic PRNG (mulberry32), so that a failing seed can be repeated. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random graph: revisions generated in topological order with one to three parents
 * (merges), branch points, several bases, branch labels and `depends_on` on ids and labels
 * (sometimes several, sometimes one an ancestor already has), handed in shuffled so that
 * load order is unrelated to the graph. Some graphs are Glance-like: two chains, every
 * revision of one depending on its partner in the other.
 */
export function randomGraph(rnd: () => number, size: number): RevisionInfo[] {
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const revs: { id: string; down: string[]; labels: string[]; deps: string[] }[] = [];
  const glance = rnd() < 0.25;
  for (let i = 0; i < size; i++) {
    const id = `r${i}`;
    const down = new Set<string>();
    const deps = new Set<string>();
    if (glance && i >= 3) {
      // r(2k+1) expand, r(2k+2) contract on r(2k), r(2k-1): contract depends on expand
      down.add(`r${i - 2}`);
      if (i % 2 === 0) deps.add(`r${i - 1}`);
      if (rnd() < 0.05) down.add(`r${int(0, i - 3)}`);
    } else if (i > 0 && rnd() > 0.1) {
      const k = rnd() < 0.2 ? int(2, 3) : 1;
      // mostly a recent parent, so that chains are long
      for (let j = 0; j < k; j++) {
        down.add(`r${Math.max(0, i - 1 - Math.floor(rnd() * rnd() * i))}`);
      }
    } else if (glance && i > 0) {
      down.add("r0");
    }
    if (i > 0 && rnd() < 0.2) {
      for (let j = int(1, 2); j > 0; j--) {
        const on = revs[int(0, i - 1)];
        if (!down.has(on.id)) deps.add(on.labels.length > 0 && rnd() < 0.5 ? on.labels[0] : on.id);
      }
    }
    const labels = rnd() < 0.08 ? [`l${i}`] : [];
    revs.push({ id, down: [...down], labels, deps: [...deps] });
  }
  for (let i = revs.length - 1; i > 0; i--) {
    const j = int(0, i);
    [revs[i], revs[j]] = [revs[j], revs[i]];
  }
  return revs.map((r) => ({
    id: r.id,
    downRevisions: r.down,
    branchLabels: r.labels,
    dependsOn: r.deps,
    message: "",
  }));
}

/** Random questions for one map: what planning asks (ranges of the graph) and any subset. */
export function randomQuestions(
  map: RevisionMap,
  rnd: () => number,
  count: number,
): [Revision[], Revision[]][] {
  const all = map.loaded();
  const some = (p: number) => all.filter(() => rnd() < p);
  const out: [Revision[], Revision[]][] = [];
  for (let q = 0; q < count; q++) {
    const upper = some(0.1);
    const lower = some(0.05);
    const kind = rnd();
    let revisions: Revision[];
    if (kind < 0.4) {
      // an upgrade: ancestors of the targets, less those of the current revisions
      const done = new Set(map.ancestorNodes(lower));
      revisions = map.ancestorNodes(upper).filter((r) => !done.has(r));
    } else if (kind < 0.7) {
      // a downgrade: descendants of the target among the ancestors of the heads
      const active = new Set(map.ancestorNodes(upper));
      revisions = map.descendantNodes(lower).filter((r) => active.has(r));
    } else {
      revisions = some(rnd());
    }
    const heads = rnd() < 0.5 ? upper : [...upper, ...some(0.05)];
    out.push([revisions, heads]);
  }
  return out;
}
