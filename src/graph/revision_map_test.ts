import assert from "node:assert/strict";
import { RevisionError } from "../errors.ts";
import { RevisionMap } from "./revision_map.ts";
import { EDGE_GRAPHS, GRAPHS, rev } from "./testdata/graphs.ts";
import type { RevisionInfo } from "./types.ts";
import { prng, randomGraph } from "../../tests/support/random_graph.ts";

interface Expected {
  heads: string[];
  realHeads: string[];
  bases: string[];
  realBases: string[];
  /** `alembic history` order (walk_revisions), newest first. */
  history: string[];
  /** Per revision; flags: H head, B base, b branch point, m merge point. */
  revs: Record<
    string,
    {
      normalized: string[];
      all: string[];
      labels: string[];
      next: string[];
      allNext: string[];
      flags: string;
    }
  >;
}

// Observed with real Alembic 1.8.1 (RevisionMap attributes after loading each graph).
const LOADED: Record<string, Expected> = {
  "linear": {
    heads: ["ae10ff0001"],
    realHeads: ["ae10ff0001"],
    bases: ["1975ea83b712"],
    realBases: ["1975ea83b712"],
    history: ["ae10ff0001", "27c6a30d7c24", "ae1027a6acf", "1975ea83b712"],
    revs: {
      "1975ea83b712": {
        "normalized": [],
        "all": [],
        "labels": [],
        "next": ["ae1027a6acf"],
        "allNext": ["ae1027a6acf"],
        "flags": "B",
      },
      "ae1027a6acf": {
        "normalized": ["1975ea83b712"],
        "all": ["1975ea83b712"],
        "labels": [],
        "next": ["27c6a30d7c24"],
        "allNext": ["27c6a30d7c24"],
        "flags": "",
      },
      "27c6a30d7c24": {
        "normalized": ["ae1027a6acf"],
        "all": ["ae1027a6acf"],
        "labels": [],
        "next": ["ae10ff0001"],
        "allNext": ["ae10ff0001"],
        "flags": "",
      },
      "ae10ff0001": {
        "normalized": ["27c6a30d7c24"],
        "all": ["27c6a30d7c24"],
        "labels": [],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
    },
  },
  "branches": {
    heads: ["e3cc", "c2ee"],
    realHeads: ["e3cc", "c2ee"],
    bases: ["a0base01"],
    realBases: ["a0base01"],
    history: ["e3cc", "e2bb", "e1aa", "c2ee", "c1dd", "b1point2", "a0base01"],
    revs: {
      "a0base01": {
        "normalized": [],
        "all": [],
        "labels": [],
        "next": ["b1point2"],
        "allNext": ["b1point2"],
        "flags": "B",
      },
      "b1point2": {
        "normalized": ["a0base01"],
        "all": ["a0base01"],
        "labels": [],
        "next": ["c1dd", "e1aa"],
        "allNext": ["c1dd", "e1aa"],
        "flags": "b",
      },
      "e1aa": {
        "normalized": ["b1point2"],
        "all": ["b1point2"],
        "labels": ["expand"],
        "next": ["e2bb"],
        "allNext": ["e2bb"],
        "flags": "",
      },
      "e2bb": {
        "normalized": ["e1aa"],
        "all": ["e1aa"],
        "labels": ["expand"],
        "next": ["e3cc"],
        "allNext": ["e3cc"],
        "flags": "",
      },
      "e3cc": {
        "normalized": ["e2bb"],
        "all": ["e2bb"],
        "labels": ["expand"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
      "c1dd": {
        "normalized": ["b1point2"],
        "all": ["b1point2"],
        "labels": ["contract"],
        "next": ["c2ee"],
        "allNext": ["c2ee"],
        "flags": "",
      },
      "c2ee": {
        "normalized": ["c1dd"],
        "all": ["c1dd"],
        "labels": ["contract"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
    },
  },
  "merged": {
    heads: ["m2gg"],
    realHeads: ["m2gg"],
    bases: ["a0base01"],
    realBases: ["a0base01"],
    history: ["m2gg", "m1ff", "e3cc", "e2bb", "e1aa", "c2ee", "c1dd", "b1point2", "a0base01"],
    revs: {
      "a0base01": {
        "normalized": [],
        "all": [],
        "labels": [],
        "next": ["b1point2"],
        "allNext": ["b1point2"],
        "flags": "B",
      },
      "b1point2": {
        "normalized": ["a0base01"],
        "all": ["a0base01"],
        "labels": [],
        "next": ["c1dd", "e1aa"],
        "allNext": ["c1dd", "e1aa"],
        "flags": "b",
      },
      "e1aa": {
        "normalized": ["b1point2"],
        "all": ["b1point2"],
        "labels": ["expand"],
        "next": ["e2bb"],
        "allNext": ["e2bb"],
        "flags": "",
      },
      "e2bb": {
        "normalized": ["e1aa"],
        "all": ["e1aa"],
        "labels": ["expand"],
        "next": ["e3cc"],
        "allNext": ["e3cc"],
        "flags": "",
      },
      "e3cc": {
        "normalized": ["e2bb"],
        "all": ["e2bb"],
        "labels": ["expand"],
        "next": ["m1ff"],
        "allNext": ["m1ff"],
        "flags": "",
      },
      "c1dd": {
        "normalized": ["b1point2"],
        "all": ["b1point2"],
        "labels": ["contract"],
        "next": ["c2ee"],
        "allNext": ["c2ee"],
        "flags": "",
      },
      "c2ee": {
        "normalized": ["c1dd"],
        "all": ["c1dd"],
        "labels": ["contract"],
        "next": ["m1ff"],
        "allNext": ["m1ff"],
        "flags": "",
      },
      "m1ff": {
        "normalized": ["e3cc", "c2ee"],
        "all": ["e3cc", "c2ee"],
        "labels": ["contract", "expand"],
        "next": ["m2gg"],
        "allNext": ["m2gg"],
        "flags": "m",
      },
      "m2gg": {
        "normalized": ["m1ff"],
        "all": ["m1ff"],
        "labels": ["contract", "expand"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
    },
  },
  "glance": {
    heads: ["pike_expand01", "pike_contract01"],
    realHeads: ["pike_contract01"],
    bases: ["liberty"],
    realBases: ["liberty"],
    history: [
      "pike_contract01",
      "ocata_contract01",
      "pike_expand01",
      "ocata_expand01",
      "mitaka02",
      "mitaka01",
      "liberty",
    ],
    revs: {
      "liberty": {
        "normalized": [],
        "all": [],
        "labels": [],
        "next": ["mitaka01"],
        "allNext": ["mitaka01"],
        "flags": "B",
      },
      "mitaka01": {
        "normalized": ["liberty"],
        "all": ["liberty"],
        "labels": [],
        "next": ["mitaka02"],
        "allNext": ["mitaka02"],
        "flags": "",
      },
      "mitaka02": {
        "normalized": ["mitaka01"],
        "all": ["mitaka01"],
        "labels": [],
        "next": ["ocata_contract01", "ocata_expand01"],
        "allNext": ["ocata_contract01", "ocata_expand01"],
        "flags": "b",
      },
      "ocata_expand01": {
        "normalized": ["mitaka02"],
        "all": ["mitaka02"],
        "labels": ["expand"],
        "next": ["pike_expand01"],
        "allNext": ["ocata_contract01", "pike_expand01"],
        "flags": "",
      },
      "ocata_contract01": {
        "normalized": ["mitaka02", "ocata_expand01"],
        "all": ["mitaka02", "ocata_expand01"],
        "labels": ["contract"],
        "next": ["pike_contract01"],
        "allNext": ["pike_contract01"],
        "flags": "",
      },
      "pike_expand01": {
        "normalized": ["ocata_expand01"],
        "all": ["ocata_expand01"],
        "labels": ["expand"],
        "next": [],
        "allNext": ["pike_contract01"],
        "flags": "H",
      },
      "pike_contract01": {
        "normalized": ["ocata_contract01", "pike_expand01"],
        "all": ["ocata_contract01", "pike_expand01"],
        "labels": ["contract"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
    },
  },
  "roots": {
    heads: ["l3cc", "r2ee"],
    realHeads: ["l3cc", "r2ee"],
    bases: ["l1aa", "r1dd"],
    realBases: ["l1aa", "r1dd"],
    history: ["l3cc", "r2ee", "r1dd", "l2bb", "l1aa"],
    revs: {
      "l1aa": {
        "normalized": [],
        "all": [],
        "labels": ["left"],
        "next": ["l2bb"],
        "allNext": ["l2bb"],
        "flags": "B",
      },
      "l2bb": {
        "normalized": ["l1aa"],
        "all": ["l1aa"],
        "labels": ["left"],
        "next": ["l3cc"],
        "allNext": ["l3cc", "r2ee"],
        "flags": "",
      },
      "l3cc": {
        "normalized": ["l2bb"],
        "all": ["l2bb"],
        "labels": ["left"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
      "r1dd": {
        "normalized": [],
        "all": [],
        "labels": ["right"],
        "next": ["r2ee"],
        "allNext": ["r2ee"],
        "flags": "B",
      },
      "r2ee": {
        "normalized": ["r1dd", "l2bb"],
        "all": ["r1dd", "l2bb"],
        "labels": ["right"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
    },
  },
  "e_label_mid": {
    heads: ["a4dd", "b1ee"],
    realHeads: ["a4dd", "b1ee"],
    bases: ["a1aa"],
    realBases: ["a1aa"],
    history: ["a4dd", "a3cc", "b1ee", "a2bb", "a1aa"],
    revs: {
      "a1aa": {
        "normalized": [],
        "all": [],
        "labels": [],
        "next": ["a2bb"],
        "allNext": ["a2bb"],
        "flags": "B",
      },
      "a2bb": {
        "normalized": ["a1aa"],
        "all": ["a1aa"],
        "labels": [],
        "next": ["a3cc", "b1ee"],
        "allNext": ["a3cc", "b1ee"],
        "flags": "b",
      },
      "a3cc": {
        "normalized": ["a2bb"],
        "all": ["a2bb"],
        "labels": ["mid"],
        "next": ["a4dd"],
        "allNext": ["a4dd"],
        "flags": "",
      },
      "a4dd": {
        "normalized": ["a3cc"],
        "all": ["a3cc"],
        "labels": ["mid"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
      "b1ee": {
        "normalized": ["a2bb"],
        "all": ["a2bb"],
        "labels": ["other"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
    },
  },
  "e_label_tip": {
    heads: ["a3cc"],
    realHeads: ["a3cc"],
    bases: ["a1aa"],
    realBases: ["a1aa"],
    history: ["a3cc", "a2bb", "a1aa"],
    revs: {
      "a1aa": {
        "normalized": [],
        "all": [],
        "labels": ["tip"],
        "next": ["a2bb"],
        "allNext": ["a2bb"],
        "flags": "B",
      },
      "a2bb": {
        "normalized": ["a1aa"],
        "all": ["a1aa"],
        "labels": ["tip"],
        "next": ["a3cc"],
        "allNext": ["a3cc"],
        "flags": "",
      },
      "a3cc": {
        "normalized": ["a2bb"],
        "all": ["a2bb"],
        "labels": ["tip"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
    },
  },
  "e_label_dep_stop": {
    heads: ["a3cc", "x1"],
    realHeads: ["a3cc", "x1"],
    bases: ["a1aa", "x1"],
    realBases: ["a1aa"],
    history: ["a3cc", "x1", "a2bb", "a1aa"],
    revs: {
      "a1aa": {
        "normalized": [],
        "all": [],
        "labels": [],
        "next": ["a2bb"],
        "allNext": ["a2bb"],
        "flags": "B",
      },
      "a2bb": {
        "normalized": ["a1aa"],
        "all": ["a1aa"],
        "labels": [],
        "next": ["a3cc"],
        "allNext": ["a3cc", "x1"],
        "flags": "",
      },
      "a3cc": {
        "normalized": ["a2bb"],
        "all": ["a2bb"],
        "labels": ["lab"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
      "x1": {
        "normalized": ["a2bb"],
        "all": ["a2bb"],
        "labels": [],
        "next": [],
        "allNext": [],
        "flags": "HB",
      },
    },
  },
  "e_label_merge": {
    heads: ["m2ff"],
    realHeads: ["m2ff"],
    bases: ["a1aa", "b1cc"],
    realBases: ["a1aa", "b1cc"],
    history: ["m2ff", "m1ee", "a2bb", "a1aa", "b2dd", "b1cc"],
    revs: {
      "a1aa": {
        "normalized": [],
        "all": [],
        "labels": [],
        "next": ["a2bb"],
        "allNext": ["a2bb"],
        "flags": "B",
      },
      "a2bb": {
        "normalized": ["a1aa"],
        "all": ["a1aa"],
        "labels": ["left"],
        "next": ["m1ee"],
        "allNext": ["m1ee"],
        "flags": "",
      },
      "b1cc": {
        "normalized": [],
        "all": [],
        "labels": [],
        "next": ["b2dd"],
        "allNext": ["b2dd"],
        "flags": "B",
      },
      "b2dd": {
        "normalized": ["b1cc"],
        "all": ["b1cc"],
        "labels": ["right"],
        "next": ["m1ee"],
        "allNext": ["m1ee"],
        "flags": "",
      },
      "m1ee": {
        "normalized": ["a2bb", "b2dd"],
        "all": ["a2bb", "b2dd"],
        "labels": ["left", "right"],
        "next": ["m2ff"],
        "allNext": ["m2ff"],
        "flags": "m",
      },
      "m2ff": {
        "normalized": ["m1ee"],
        "all": ["m1ee"],
        "labels": ["left", "right", "top"],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
    },
  },
  "e_normalize": {
    heads: ["a2bb", "b3ee"],
    realHeads: ["b3ee"],
    bases: ["a1aa", "b1cc"],
    realBases: ["a1aa"],
    history: ["b3ee", "b2dd", "b1cc", "a2bb", "a1aa"],
    revs: {
      "a1aa": {
        "normalized": [],
        "all": [],
        "labels": [],
        "next": ["a2bb"],
        "allNext": ["a2bb", "b1cc", "b2dd", "b3ee"],
        "flags": "B",
      },
      "a2bb": {
        "normalized": ["a1aa"],
        "all": ["a1aa"],
        "labels": [],
        "next": [],
        "allNext": ["b2dd"],
        "flags": "H",
      },
      "b1cc": {
        "normalized": ["a1aa"],
        "all": ["a1aa"],
        "labels": [],
        "next": ["b2dd"],
        "allNext": ["b2dd"],
        "flags": "B",
      },
      "b2dd": {
        "normalized": ["b1cc", "a2bb"],
        "all": ["b1cc", "a1aa", "a2bb"],
        "labels": [],
        "next": ["b3ee"],
        "allNext": ["b3ee"],
        "flags": "",
      },
      "b3ee": {
        "normalized": ["b2dd"],
        "all": ["b2dd", "a1aa"],
        "labels": [],
        "next": [],
        "allNext": [],
        "flags": "H",
      },
    },
  },
};

const ALL_GRAPHS: Record<string, RevisionInfo[]> = { ...GRAPHS };
for (const [name, revs] of Object.entries(EDGE_GRAPHS)) ALL_GRAPHS[`e_${name}`] = revs;

for (const [name, expected] of Object.entries(LOADED)) {
  Deno.test(`RevisionMap: ${name} derives what Alembic derives`, () => {
    const map = new RevisionMap(ALL_GRAPHS[name]);
    assert.deepEqual(map.heads, expected.heads);
    assert.deepEqual(map.realHeads, expected.realHeads);
    assert.deepEqual(map.bases, expected.bases);
    assert.deepEqual(map.realBases, expected.realBases);
    assert.deepEqual(map.all().map((r) => r.id), [...expected.history].reverse());
    for (const [id, e] of Object.entries(expected.revs)) {
      const r = map.get(id);
      assert.deepEqual(r.normalizedDownRevisions, e.normalized, `${id} normalized`);
      assert.deepEqual(map.normalizedDownRevisions(id), e.normalized);
      assert.deepEqual(r.allDownRevisions, e.all, `${id} all`);
      // Alembic keeps labels and next revisions in sets: compare sorted
      assert.deepEqual([...r.branchLabels].sort(), e.labels, `${id} labels`);
      assert.deepEqual([...r.nextRevisions].sort(), e.next, `${id} next`);
      assert.deepEqual([...r.allNextRevisions].sort(), e.allNext, `${id} allNext`);
      const flags = [
        r.isHead ? "H" : "",
        r.isBase ? "B" : "",
        r.isBranchPoint ? "b" : "",
        r.isMergePoint ? "m" : "",
      ].join("");
      assert.equal(flags, e.flags, `${id} flags`);
    }
  });
}

Deno.test("RevisionMap: own branch labels come first, then inherited ones in load order", () => {
  const map = new RevisionMap(EDGE_GRAPHS.label_merge);
  assert.deepEqual(map.get("m2ff").branchLabels, ["top", "left", "right"]);
  assert.deepEqual(map.get("m2ff").declaredBranchLabels, ["top"]);
  assert.deepEqual(map.get("m2ff").versionedDownRevisions, ["m1ee"]);
});

Deno.test("RevisionMap: Glance's depends_on edge", () => {
  const map = new RevisionMap(GRAPHS.glance);
  const c = map.get("ocata_contract01");
  assert.deepEqual(c.versionedDownRevisions, ["mitaka02"]);
  assert.deepEqual(c.resolvedDependencies, ["ocata_expand01"]);
  assert.deepEqual(c.normalizedDependencies, ["ocata_expand01"]);
  assert.equal(map.get("pike_expand01").isHead, true);
  assert.equal(map.get("pike_expand01").isRealHead, false);
  assert.equal(map.get("ocata_expand01").isRealBranchPoint, true);
  assert.equal(map.get("ocata_expand01").isBranchPoint, false);
});

Deno.test("RevisionMap: depends_on may name a branch label", () => {
  const map = new RevisionMap([
    rev("aaaa1111", [], { labels: ["schema"] }),
    rev("bbbb2222", [], { deps: ["schema"] }),
    rev("cccc3333", [], { deps: ["bbbb2222"] }),
  ]);
  assert.deepEqual(map.get("bbbb2222").resolvedDependencies, ["aaaa1111"]);
  assert.deepEqual(map.get("cccc3333").resolvedDependencies, ["bbbb2222"]);
  assert.deepEqual(map.realHeads, ["cccc3333"]);
  assert.deepEqual(map.heads, ["aaaa1111", "bbbb2222", "cccc3333"]);
  assert.deepEqual(map.realBases, ["aaaa1111"]);
});

Deno.test("RevisionMap: ancestors and descendants include the revisions themselves", () => {
  const map = new RevisionMap(GRAPHS.glance);
  assert.deepEqual(
    [...map.ancestors(["ocata_contract01"])].sort(),
    ["liberty", "mitaka01", "mitaka02", "ocata_contract01", "ocata_expand01"],
  );
  assert.deepEqual(
    [...map.ancestors(["ocata_contract01"], { includeDependencies: false })].sort(),
    ["liberty", "mitaka01", "mitaka02", "ocata_contract01"],
  );
  assert.deepEqual(
    [...map.descendants(["ocata_expand01"])].sort(),
    ["ocata_contract01", "ocata_expand01", "pike_contract01", "pike_expand01"],
  );
  assert.deepEqual(
    [...map.descendants(["ocata_expand01"], { includeDependencies: false })].sort(),
    ["ocata_expand01", "pike_expand01"],
  );
  assert.deepEqual([...map.ancestors([])], []);
});

Deno.test("RevisionMap: ancestorCounts is the size of each revision's ancestors", () => {
  for (const [name, revs] of Object.entries({ ...GRAPHS, ...EDGE_GRAPHS })) {
    let map: RevisionMap;
    try {
      map = new RevisionMap(revs);
    } catch {
      continue; // graphs Alembic refuses to load
    }
    const counts = map.ancestorCounts();
    assert.deepEqual(
      [...counts].sort(),
      map.loaded().map((r) => [r.id, map.ancestors([r.id]).size]).sort(),
      name,
    );
  }
  // A long chain is counted without a walk per revision (no deep recursion either).
  const chain = Array.from(
    { length: 20_000 },
    (_, i) => rev(`r${i}`, i === 0 ? [] : [`r${i - 1}`], { labels: [], deps: [] }),
  );
  assert.equal(new RevisionMap(chain).ancestorCounts().get("r19999"), 20_000);
});

Deno.test("RevisionMap: get, has, size", () => {
  const map = new RevisionMap(GRAPHS.linear);
  assert.equal(map.size, 4);
  assert.equal(map.has("ae1027a6acf"), true);
  assert.equal(map.has("ae10"), false);
  assert.equal(map.get("ae1027a6acf").message, "add a column");
  assert.throws(() => map.get("ae10"), {
    name: "RevisionError",
    message: "Can't locate revision identified by 'ae10'",
  });
  assert.deepEqual(new RevisionMap([]).all(), []);
  assert.deepEqual(new RevisionMap([]).heads, []);
});

// Left: the graph; right: our message. Alembic's own message is quoted beside each.
const INVALID: [string, RevisionInfo[], string][] = [
  // Alembic: Branch name 'x' in revision bbbb already used by revision cccc
  [
    "label on two revisions",
    EDGE_GRAPHS.dup_label,
    "Branch name 'x' in revision 'cccc' (versions/cccc.py) already used by revision 'bbbb' " +
    "(versions/bbbb.py)",
  ],
  // Alembic: Branch name 'aaaa' in revision bbbb already used by revision aaaa
  [
    "label equal to a revision id",
    EDGE_GRAPHS.label_is_id,
    "Branch name 'aaaa' in revision 'bbbb' (versions/bbbb.py) already used by revision 'aaaa' " +
    "(versions/aaaa.py)",
  ],
  // Alembic: warning "Revision zzzz referenced from bbbb is not present", then KeyError
  [
    "missing down_revision",
    EDGE_GRAPHS.missing_down,
    "Revision 'bbbb' (versions/bbbb.py) has down_revision 'zzzz' which does not exist",
  ],
  // Alembic: KeyError: 'zzzz'
  [
    "missing depends_on",
    EDGE_GRAPHS.missing_dep,
    "Revision 'bbbb' (versions/bbbb.py) depends on 'zzzz' which does not exist",
  ],
  // Alembic: loads it (its reachability check misses this cycle)
  [
    "cycle through a merge",
    EDGE_GRAPHS.cycle,
    "Cycle is detected in revisions ('bbbb' (versions/bbbb.py), 'dddd' (versions/dddd.py), " +
    "'cccc' (versions/cccc.py))",
  ],
  // Alembic: Cycle is detected in revisions (aaaa, bbbb)
  [
    "cycle without a base",
    EDGE_GRAPHS.cycle_nobase,
    "Cycle is detected in revisions ('aaaa' (versions/aaaa.py), 'bbbb' (versions/bbbb.py))",
  ],
  // Alembic: Self-loop is detected in revisions (aaaa)
  [
    "self loop",
    EDGE_GRAPHS.self_loop,
    "Self-loop is detected in revisions ('aaaa' (versions/aaaa.py))",
  ],
  // Alembic: Dependency self-loop is detected in revisions (aaaa)
  [
    "dependency self loop",
    EDGE_GRAPHS.dep_self_loop,
    "Dependency self-loop is detected in revisions ('aaaa' (versions/aaaa.py))",
  ],
  // Alembic: Dependency cycle is detected in revisions (aaaa, bbbb, cccc, dddd)
  [
    "depending on a descendant",
    EDGE_GRAPHS.dep_cycle,
    "Dependency cycle is detected in revisions ('aaaa' (versions/aaaa.py), 'bbbb' " +
    "(versions/bbbb.py), 'cccc' (versions/cccc.py), 'dddd' (versions/dddd.py))",
  ],
  // Alembic: Dependency cycle is detected in revisions (aaaa, bbbb, cccc)
  [
    "two branches depending on each other",
    EDGE_GRAPHS.dep_on_descendant_other_branch,
    "Dependency cycle is detected in revisions ('aaaa' (versions/aaaa.py), 'bbbb' " +
    "(versions/bbbb.py), 'cccc' (versions/cccc.py))",
  ],
  // Alembic: Character(s) '-' not allowed in revision identifier 'aa-b'
  [
    "illegal character",
    EDGE_GRAPHS.bad_char,
    "Character(s) '-' not allowed in revision identifier 'aa-b' (versions/aa-b.py)",
  ],
  // The rest go beyond Alembic (which accepts them and fails later, or warns).
  [
    "several illegal characters",
    [rev("a@b+c:d")],
    "Character(s) '+, :, @' not allowed in revision identifier 'a@b+c:d' (versions/a@b+c:d.py)",
  ],
  [
    "id longer than the version column",
    [rev("a".repeat(33))],
    `Revision identifier '${"a".repeat(33)}' (versions/${
      "a".repeat(33)
    }.py) is longer than 32 characters`,
  ],
  [
    "reserved id",
    [rev("head")],
    "Revision identifier 'head' (versions/head.py) is a reserved word",
  ],
  [
    "duplicate id",
    [rev("aaaa"), { ...rev("aaaa"), file: "versions/other.py" }],
    "Revision 'aaaa' is present more than once (versions/aaaa.py, versions/other.py)",
  ],
  [
    // Alembic 1.8 fails with KeyError on every command of such a project (fuzzing found it).
    "partial depends_on",
    [rev("aaaa1"), rev("bbbb", [], { deps: ["aaaa"] })],
    "Revision 'bbbb' (versions/bbbb.py) depends on 'aaaa' which does not exist (depends_on " +
    "takes a full revision id or a branch label, not a partial id: 'aaaa1')",
  ],
  [
    "ambiguous partial depends_on",
    [rev("aaaa1"), rev("aaaa2"), rev("bbbb", [], { deps: ["aaaa"] })],
    "Revision 'bbbb' (versions/bbbb.py) depends on 'aaaa' which does not exist (depends_on " +
    "takes a full revision id or a branch label, not a partial id: 'aaaa1', 'aaaa2')",
  ],
  [
    "reserved label",
    [rev("aaaa", [], { labels: ["heads"] })],
    "Branch name 'heads' in revision 'aaaa' (versions/aaaa.py) is not allowed",
  ],
  [
    "down_revision twice",
    [rev("aaaa"), rev("bbbb", ["aaaa", "aaaa"])],
    "Revision 'bbbb' (versions/bbbb.py) names a down_revision more than once",
  ],
  [
    "a replaced id that is a revision",
    [rev("aaaa"), { ...rev("bbbb", ["aaaa"]), replaces: ["aaaa"] }],
    "Revision 'bbbb' (versions/bbbb.py) replaces 'aaaa', which is itself revision 'aaaa' " +
    "(versions/aaaa.py)",
  ],
  [
    "an id replaced twice",
    [{ ...rev("aaaa"), replaces: ["old"] }, { ...rev("bbbb", ["aaaa"]), replaces: ["old"] }],
    "Revision 'bbbb' (versions/bbbb.py) replaces 'old', which revision 'aaaa' " +
    "(versions/aaaa.py) replaces too",
  ],
  [
    "a replaced id that is another revision's branch label",
    [rev("aaaa", [], { labels: ["old"] }), { ...rev("bbbb", ["aaaa"]), replaces: ["old"] }],
    "Revision 'bbbb' (versions/bbbb.py) replaces 'old', which is a branch label of revision " +
    "'aaaa' (versions/aaaa.py)",
  ],
];

Deno.test("RevisionMap: replaced ids map to the revision that declares them", () => {
  // Glance's ocata_contract01 carries its retired id `ocata01` as a branch label too.
  const map = new RevisionMap([
    rev("mitaka02"),
    {
      ...rev("ocata_contract01", ["mitaka02"], { labels: ["ocata01", "contract"] }),
      replaces: [
        "ocata01",
      ],
    },
    { ...rev("pike_contract01", ["ocata_contract01"]), replaces: ["pike01", "pike00"] },
  ]);
  assert.equal(map.replacedBy("ocata01"), "ocata_contract01");
  assert.equal(map.replacedBy("pike00"), "pike_contract01");
  assert.equal(map.replacedBy("mitaka02"), undefined);
  assert.deepEqual([...map.replacements()], [
    ["ocata01", "ocata_contract01"],
    ["pike01", "pike_contract01"],
    ["pike00", "pike_contract01"],
  ]);
  assert.deepEqual(map.get("pike_contract01").replaces, ["pike01", "pike00"]);
  assert.deepEqual(map.get("mitaka02").replaces, []);
});

for (const [what, graph, message] of INVALID) {
  Deno.test(`RevisionMap: rejects ${what}`, () => {
    assert.throws(() => new RevisionMap(graph), (err: unknown) => {
      assert.ok(err instanceof RevisionError);
      assert.equal(err.message, message);
      assert.equal(err.exitCode, 6);
      return true;
    });
  });
}

Deno.test("RevisionMap: ancestor counts and both reach ranges agree with walks on random graphs", () => {
  for (let seed = 1; seed <= 150; seed++) {
    const rnd = prng(seed);
    const map = new RevisionMap(randomGraph(rnd, 2 + Math.floor(rnd() * 60)));
    const counts = map.ancestorCounts();
    const desc = map.descendantRanges()!;
    const anc = map.ancestorRanges()!;
    for (const rev of map.loaded()) {
      const ancestors = map.ancestorNodes([rev]);
      assert.equal(counts.get(rev.id), ancestors.length, `seed ${seed}, ${rev.id}`);
      for (
        const [ranges, expected] of [[anc, ancestors], [desc, map.descendantNodes([rev])]] as const
      ) {
        const i = map.loadIndex(rev.id);
        const inRanges = new Set<number>();
        for (let k = ranges.offset[i]; k < ranges.offset[i + 1]; k++) {
          for (let p = ranges.ranges[2 * k]; p <= ranges.ranges[2 * k + 1]; p++) inRanges.add(p);
        }
        assert.deepEqual(
          inRanges,
          new Set(expected.map((r) => ranges.pre[map.loadIndex(r.id)])),
          `seed ${seed}, ${rev.id}`,
        );
      }
    }
  }
});
