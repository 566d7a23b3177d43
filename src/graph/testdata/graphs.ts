/**
 * Revision graphs shared by the graph tests. The expected values in the tests were
 * observed by running real Alembic 1.8.1 on these same graphs
 * (src/graph/testdata/alembic_probe.py, revisions loaded in the order listed here).
 *
 * @module
 */
import type { RevisionInfo } from "../types.ts";

/** A revision of a test graph; its file is `versions/<id>.py` as in the Alembic project. */
export function rev(
  id: string,
  down: string[] = [],
  opts: { labels?: string[]; deps?: string[]; message?: string } = {},
): RevisionInfo {
  return {
    id,
    downRevisions: down,
    branchLabels: opts.labels ?? [],
    dependsOn: opts.deps ?? [],
    message: opts.message ?? `msg ${id}`,
    file: `versions/${id}.py`,
  };
}

/**
 * - linear: a chain of hex ids, two sharing the prefix `ae10`.
 * - branches: a branch point into labelled `expand` and `contract` branches.
 * - merged: the same, merged again (`m1ff`) and continued.
 * - glance: OpenStack Glance's layout, `contract` revisions depending on `expand` ones.
 * - roots: two independent roots (`left`, `right`), `r2ee` depending on `l2bb`.
 */
export const GRAPHS = {
  linear: [
    rev("1975ea83b712", [], { labels: [], deps: [], message: "create account table" }),
    rev("ae1027a6acf", ["1975ea83b712"], { labels: [], deps: [], message: "add a column" }),
    rev("27c6a30d7c24", ["ae1027a6acf"], { labels: [], deps: [], message: "add another" }),
    rev("ae10ff0001", ["27c6a30d7c24"], { labels: [], deps: [], message: "fourth" }),
  ],
  branches: [
    rev("a0base01", [], { labels: [], deps: [], message: "msg a0base01" }),
    rev("b1point2", ["a0base01"], { labels: [], deps: [], message: "msg b1point2" }),
    rev("e1aa", ["b1point2"], { labels: ["expand"], deps: [], message: "msg e1aa" }),
    rev("e2bb", ["e1aa"], { labels: [], deps: [], message: "msg e2bb" }),
    rev("e3cc", ["e2bb"], { labels: [], deps: [], message: "msg e3cc" }),
    rev("c1dd", ["b1point2"], { labels: ["contract"], deps: [], message: "msg c1dd" }),
    rev("c2ee", ["c1dd"], { labels: [], deps: [], message: "msg c2ee" }),
  ],
  merged: [
    rev("a0base01", [], { labels: [], deps: [], message: "msg a0base01" }),
    rev("b1point2", ["a0base01"], { labels: [], deps: [], message: "msg b1point2" }),
    rev("e1aa", ["b1point2"], { labels: ["expand"], deps: [], message: "msg e1aa" }),
    rev("e2bb", ["e1aa"], { labels: [], deps: [], message: "msg e2bb" }),
    rev("e3cc", ["e2bb"], { labels: [], deps: [], message: "msg e3cc" }),
    rev("c1dd", ["b1point2"], { labels: ["contract"], deps: [], message: "msg c1dd" }),
    rev("c2ee", ["c1dd"], { labels: [], deps: [], message: "msg c2ee" }),
    rev("m1ff", ["e3cc", "c2ee"], { labels: [], deps: [], message: "merge" }),
    rev("m2gg", ["m1ff"], { labels: [], deps: [], message: "msg m2gg" }),
  ],
  glance: [
    rev("liberty", [], { labels: [], deps: [], message: "msg liberty" }),
    rev("mitaka01", ["liberty"], { labels: [], deps: [], message: "msg mitaka01" }),
    rev("mitaka02", ["mitaka01"], { labels: [], deps: [], message: "msg mitaka02" }),
    rev("ocata_expand01", ["mitaka02"], {
      labels: ["expand"],
      deps: [],
      message: "msg ocata_expand01",
    }),
    rev("ocata_contract01", ["mitaka02"], {
      labels: ["contract"],
      deps: ["ocata_expand01"],
      message: "msg ocata_contract01",
    }),
    rev("pike_expand01", ["ocata_expand01"], {
      labels: [],
      deps: [],
      message: "msg pike_expand01",
    }),
    rev("pike_contract01", ["ocata_contract01"], {
      labels: [],
      deps: ["pike_expand01"],
      message: "msg pike_contract01",
    }),
  ],
  roots: [
    rev("l1aa", [], { labels: ["left"], deps: [], message: "msg l1aa" }),
    rev("l2bb", ["l1aa"], { labels: [], deps: [], message: "msg l2bb" }),
    rev("l3cc", ["l2bb"], { labels: [], deps: [], message: "msg l3cc" }),
    rev("r1dd", [], { labels: ["right"], deps: [], message: "msg r1dd" }),
    rev("r2ee", ["r1dd"], { labels: [], deps: ["l2bb"], message: "msg r2ee" }),
  ],
} satisfies Record<string, RevisionInfo[]>;

/** Name of one of {@linkcode GRAPHS}. */
export type GraphName = keyof typeof GRAPHS;

/** Smaller graphs: branch label inheritance, dependency normalisation, and invalid graphs. */
export const EDGE_GRAPHS = {
  // Alembic: loads
  label_mid: [
    rev("a1aa", [], { labels: [], deps: [] }),
    rev("a2bb", ["a1aa"], { labels: [], deps: [] }),
    rev("a3cc", ["a2bb"], { labels: ["mid"], deps: [] }),
    rev("a4dd", ["a3cc"], { labels: [], deps: [] }),
    rev("b1ee", ["a2bb"], { labels: ["other"], deps: [] }),
  ],
  // Alembic: loads
  label_tip: [
    rev("a1aa", [], { labels: [], deps: [] }),
    rev("a2bb", ["a1aa"], { labels: [], deps: [] }),
    rev("a3cc", ["a2bb"], { labels: ["tip"], deps: [] }),
  ],
  // Alembic: loads
  label_dep_stop: [
    rev("a1aa", [], { labels: [], deps: [] }),
    rev("a2bb", ["a1aa"], { labels: [], deps: [] }),
    rev("a3cc", ["a2bb"], { labels: ["lab"], deps: [] }),
    rev("x1", [], { labels: [], deps: ["a2bb"] }),
  ],
  // Alembic: loads
  label_merge: [
    rev("a1aa", [], { labels: [], deps: [] }),
    rev("a2bb", ["a1aa"], { labels: ["left"], deps: [] }),
    rev("b1cc", [], { labels: [], deps: [] }),
    rev("b2dd", ["b1cc"], { labels: ["right"], deps: [] }),
    rev("m1ee", ["a2bb", "b2dd"], { labels: [], deps: [] }),
    rev("m2ff", ["m1ee"], { labels: ["top"], deps: [] }),
  ],
  // Alembic: loads
  normalize: [
    rev("a1aa", [], { labels: [], deps: [] }),
    rev("a2bb", ["a1aa"], { labels: [], deps: [] }),
    rev("b1cc", [], { labels: [], deps: ["a1aa"] }),
    rev("b2dd", ["b1cc"], { labels: [], deps: ["a1aa", "a2bb"] }),
    rev("b3ee", ["b2dd"], { labels: [], deps: ["a1aa"] }),
  ],
  // Alembic: RevisionError: Branch name 'x' in revision bbbb already used by revision cccc
  dup_label: [
    rev("aaaa", [], { labels: [], deps: [] }),
    rev("bbbb", ["aaaa"], { labels: ["x"], deps: [] }),
    rev("cccc", ["aaaa"], { labels: ["x"], deps: [] }),
  ],
  // Alembic: RevisionError: Branch name 'aaaa' in revision bbbb already used by revision aaaa
  label_is_id: [
    rev("aaaa", [], { labels: [], deps: [] }),
    rev("bbbb", ["aaaa"], { labels: ["aaaa"], deps: [] }),
  ],
  // Alembic: KeyError: 'zzzz'
  missing_down: [
    rev("aaaa", [], { labels: [], deps: [] }),
    rev("bbbb", ["zzzz"], { labels: [], deps: [] }),
  ],
  // Alembic: KeyError: 'zzzz'
  missing_dep: [
    rev("aaaa", [], { labels: [], deps: [] }),
    rev("bbbb", ["aaaa"], { labels: [], deps: ["zzzz"] }),
  ],
  // Alembic: loads
  cycle: [
    rev("aaaa", [], { labels: [], deps: [] }),
    rev("bbbb", ["aaaa", "dddd"], { labels: [], deps: [] }),
    rev("cccc", ["bbbb"], { labels: [], deps: [] }),
    rev("dddd", ["cccc"], { labels: [], deps: [] }),
    rev("eeee", ["dddd"], { labels: [], deps: [] }),
  ],
  // Alembic: CycleDetected: Cycle is detected in revisions (aaaa, bbbb)
  cycle_nobase: [
    rev("aaaa", ["bbbb"], { labels: [], deps: [] }),
    rev("bbbb", ["aaaa"], { labels: [], deps: [] }),
  ],
  // Alembic: LoopDetected: Self-loop is detected in revisions (aaaa)
  self_loop: [
    rev("aaaa", ["aaaa"], { labels: [], deps: [] }),
  ],
  // Alembic: DependencyLoopDetected: Dependency self-loop is detected in revisions (aaaa)
  dep_self_loop: [
    rev("aaaa", [], { labels: [], deps: ["aaaa"] }),
  ],
  // Alembic: DependencyCycleDetected: Dependency cycle is detected in revisions (aaaa, bbbb, cccc, dddd)
  dep_cycle: [
    rev("aaaa", [], { labels: [], deps: [] }),
    rev("bbbb", ["aaaa"], { labels: [], deps: ["dddd"] }),
    rev("cccc", ["bbbb"], { labels: [], deps: [] }),
    rev("dddd", ["cccc"], { labels: [], deps: [] }),
  ],
  // Alembic: DependencyCycleDetected: Dependency cycle is detected in revisions (aaaa, bbbb, cccc)
  dep_on_descendant_other_branch: [
    rev("aaaa", [], { labels: [], deps: [] }),
    rev("bbbb", ["aaaa"], { labels: [], deps: ["cccc"] }),
    rev("cccc", ["aaaa"], { labels: [], deps: ["bbbb"] }),
  ],
  // Alembic: RevisionError: Character(s) '-' not allowed in revision identifier 'aa-b'
  bad_char: [
    rev("aa-b", [], { labels: [], deps: [] }),
  ],
} satisfies Record<string, RevisionInfo[]>;
