import assert from "node:assert/strict";
import { RevisionError } from "../errors.ts";
import { RevisionMap } from "./revision_map.ts";
import { offlineStartHeads, resolveRevision, resolveRevisions, TargetResolver } from "./targets.ts";
import { type GraphName, GRAPHS } from "./testdata/graphs.ts";

type Expect<T> = T | { error: string };

/**
 * Asserts that `fn` fails as Alembic does. Where Alembic only says "Can't locate revision
 * identified by 'x'" we may say more (the candidates of an ambiguous prefix, the branch a
 * revision is not on), but must name the same identifier.
 */
export function assertAlembicError(fn: () => unknown, alembic: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof RevisionError, `expected a RevisionError, got ${err}`);
    const m = /^Can't locate revision identified by ('.*')$/.exec(alembic);
    if (m) {
      assert.ok(err.message.includes(m[1]), `${err.message} should name ${m[1]}`);
    } else {
      // we may add where it happened: "Ambiguous walk from 'm1ff' (versions/m1ff.py)"
      assert.ok(err.message.startsWith(alembic), `${err.message} should say ${alembic}`);
    }
    return true;
  });
}

// [graph, target, ScriptDirectory.get_revisions(target), ScriptDirectory.get_revision(target)]
// as real Alembic 1.8.1 returned them (null: None).
const RESOLVED: [GraphName, string, Expect<(string | null)[]>, Expect<string | null>][] = [
  ["linear", "heads", ["ae10ff0001"], "ae10ff0001"],
  ["linear", "head", ["ae10ff0001"], "ae10ff0001"],
  ["linear", "base", [], null],
  ["linear", "+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["linear", "+2", { "error": "Can't locate revision identified by '+2'" }, {
    "error": "Can't locate revision identified by '+2'",
  }],
  ["linear", "-1", ["27c6a30d7c24"], { "error": "Can't locate revision identified by '-1'" }],
  ["linear", "+9", { "error": "Can't locate revision identified by '+9'" }, {
    "error": "Can't locate revision identified by '+9'",
  }],
  ["linear", "1975", ["1975ea83b712"], "1975ea83b712"],
  ["linear", "ae1027", ["ae1027a6acf"], "ae1027a6acf"],
  [
    "linear",
    "27c6a30d7c24-1",
    { "error": "Can't locate revision identified by '27c6a30d7c24-1'" },
    { "error": "Can't locate revision identified by '27c6a30d7c24-1'" },
  ],
  ["linear", "27c6+1", { "error": "Can't locate revision identified by '27c6+1'" }, {
    "error": "Can't locate revision identified by '27c6+1'",
  }],
  ["linear", "ae10", { "error": "Can't locate revision identified by 'ae10'" }, {
    "error": "Can't locate revision identified by 'ae10'",
  }],
  ["linear", "x", { "error": "Can't locate revision identified by 'x'" }, {
    "error": "Can't locate revision identified by 'x'",
  }],
  ["linear", "1a", { "error": "Can't locate revision identified by '1a'" }, {
    "error": "Can't locate revision identified by '1a'",
  }],
  ["linear", "19", ["1975ea83b712"], "1975ea83b712"],
  ["linear", "head-1", { "error": "Can't locate revision identified by 'head-1'" }, {
    "error": "Can't locate revision identified by 'head-1'",
  }],
  ["linear", "base+2", { "error": "Can't locate revision identified by 'base+2'" }, {
    "error": "Can't locate revision identified by 'base+2'",
  }],
  ["linear", "heads+1", { "error": "Can't locate revision identified by 'heads+1'" }, {
    "error": "Can't locate revision identified by 'heads+1'",
  }],
  ["linear", "ae1027a6acf@head", ["ae10ff0001"], "ae10ff0001"],
  ["linear", "ae10ff0001+1", { "error": "Can't locate revision identified by 'ae10ff0001+1'" }, {
    "error": "Can't locate revision identified by 'ae10ff0001+1'",
  }],
  ["linear", "heads-1", { "error": "Can't locate revision identified by 'heads-1'" }, {
    "error": "Can't locate revision identified by 'heads-1'",
  }],
  ["linear", "-2", ["ae1027a6acf"], { "error": "Can't locate revision identified by '-2'" }],
  ["linear", "-9", [null], { "error": "Can't locate revision identified by '-9'" }],
  ["branches", "heads", ["e3cc", "c2ee"], {
    "error":
      "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }, {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", "base", [], null],
  ["branches", "+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["branches", "-1", ["e2bb", "c1dd"], { "error": "Can't locate revision identified by '-1'" }],
  ["branches", "expand@head", ["e3cc"], "e3cc"],
  ["branches", "contract@head", ["c2ee"], "c2ee"],
  ["branches", "expand@heads", ["e3cc"], "e3cc"],
  ["branches", "expand@+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["branches", "contract@+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["branches", "expand@+2", { "error": "Can't locate revision identified by '+2'" }, {
    "error": "Can't locate revision identified by '+2'",
  }],
  ["branches", "contract@-1", ["c1dd"], { "error": "Can't locate revision identified by '-1'" }],
  ["branches", "expand@e2bb", ["e2bb"], "e2bb"],
  ["branches", "contract@e2bb", { "error": "Can't locate revision identified by 'e2bb'" }, {
    "error": "Can't locate revision identified by 'e2bb'",
  }],
  ["branches", "e2bb@head", ["e3cc"], "e3cc"],
  ["branches", "b1point2@head", {
    "error":
      "Multiple head revisions are present for given argument 'b1point2@head'; please specify a specific target revision, '<branchname>@b1point2@head' to narrow to a specific head, or 'heads' for all heads",
  }, {
    "error":
      "Multiple head revisions are present for given argument 'b1point2@head'; please specify a specific target revision, '<branchname>@b1point2@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["branches", "b1point2+1", { "error": "Can't locate revision identified by 'b1point2+1'" }, {
    "error": "Can't locate revision identified by 'b1point2+1'",
  }],
  ["branches", "e1aa+1", { "error": "Can't locate revision identified by 'e1aa+1'" }, {
    "error": "Can't locate revision identified by 'e1aa+1'",
  }],
  ["branches", "expand", ["e1aa"], "e1aa"],
  ["branches", "contract", ["c1dd"], "c1dd"],
  ["branches", "expand@base", [], null],
  ["branches", "nosuch@head", { "error": "Can't locate revision identified by 'nosuch'" }, {
    "error": "Can't locate revision identified by 'nosuch'",
  }],
  ["branches", "heads-1", { "error": "Can't locate revision identified by 'heads-1'" }, {
    "error": "Can't locate revision identified by 'heads-1'",
  }],
  ["branches", "head-1", { "error": "Can't locate revision identified by 'head-1'" }, {
    "error": "Can't locate revision identified by 'head-1'",
  }],
  ["branches", "e", { "error": "Can't locate revision identified by 'e'" }, {
    "error": "Can't locate revision identified by 'e'",
  }],
  ["branches", "c", { "error": "Can't locate revision identified by 'c'" }, {
    "error": "Can't locate revision identified by 'c'",
  }],
  ["branches", "expand@e2bb+1", { "error": "Can't locate revision identified by 'e2bb+1'" }, {
    "error": "Can't locate revision identified by 'e2bb+1'",
  }],
  ["branches", "c1dd-1", { "error": "Can't locate revision identified by 'c1dd-1'" }, {
    "error": "Can't locate revision identified by 'c1dd-1'",
  }],
  ["branches", "heads-1", { "error": "Can't locate revision identified by 'heads-1'" }, {
    "error": "Can't locate revision identified by 'heads-1'",
  }],
  ["branches", "expand@-1", ["e2bb"], { "error": "Can't locate revision identified by '-1'" }],
  ["branches", "-2", ["e1aa", "b1point2"], { "error": "Can't locate revision identified by '-2'" }],
  ["branches", "-9", [null, null], { "error": "Can't locate revision identified by '-9'" }],
  ["merged", "heads", ["m2gg"], "m2gg"],
  ["merged", "head", ["m2gg"], "m2gg"],
  ["merged", "base", [], null],
  ["merged", "+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["merged", "-1", ["m1ff"], { "error": "Can't locate revision identified by '-1'" }],
  ["merged", "expand@head", ["m2gg"], "m2gg"],
  ["merged", "contract@head", ["m2gg"], "m2gg"],
  ["merged", "m1ff", ["m1ff"], "m1ff"],
  ["merged", "m1ff-1", { "error": "Can't locate revision identified by 'm1ff-1'" }, {
    "error": "Can't locate revision identified by 'm1ff-1'",
  }],
  ["merged", "m1ff+1", { "error": "Can't locate revision identified by 'm1ff+1'" }, {
    "error": "Can't locate revision identified by 'm1ff+1'",
  }],
  ["merged", "e3cc", ["e3cc"], "e3cc"],
  ["merged", "c2ee", ["c2ee"], "c2ee"],
  ["merged", "expand@-1", ["m1ff"], { "error": "Can't locate revision identified by '-1'" }],
  ["merged", "expand@base", [], null],
  ["merged", "heads-1", { "error": "Can't locate revision identified by 'heads-1'" }, {
    "error": "Can't locate revision identified by 'heads-1'",
  }],
  ["merged", "expand@-1", ["m1ff"], { "error": "Can't locate revision identified by '-1'" }],
  ["merged", "-2", { "error": "Ambiguous walk" }, {
    "error": "Can't locate revision identified by '-2'",
  }],
  ["merged", "-9", { "error": "Ambiguous walk" }, {
    "error": "Can't locate revision identified by '-9'",
  }],
  ["glance", "heads", ["pike_contract01"], "pike_contract01"],
  ["glance", "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }, {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["glance", "base", [], null],
  ["glance", "+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["glance", "-1", ["ocata_contract01"], { "error": "Can't locate revision identified by '-1'" }],
  ["glance", "expand@head", ["pike_expand01"], "pike_expand01"],
  ["glance", "contract@head", ["pike_contract01"], "pike_contract01"],
  ["glance", "expand@base", [], null],
  ["glance", "contract@base", [], null],
  ["glance", "expand", ["ocata_expand01"], "ocata_expand01"],
  ["glance", "contract", ["ocata_contract01"], "ocata_contract01"],
  ["glance", "ocata_contract01", ["ocata_contract01"], "ocata_contract01"],
  ["glance", "pike_contract01", ["pike_contract01"], "pike_contract01"],
  ["glance", "pike_expand01", ["pike_expand01"], "pike_expand01"],
  ["glance", "mitaka02", ["mitaka02"], "mitaka02"],
  ["glance", "expand@+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["glance", "contract@+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["glance", "expand@-1", [], { "error": "Can't locate revision identified by '-1'" }],
  ["glance", "contract@-1", ["ocata_contract01"], {
    "error": "Can't locate revision identified by '-1'",
  }],
  ["glance", "ocata", { "error": "Can't locate revision identified by 'ocata'" }, {
    "error": "Can't locate revision identified by 'ocata'",
  }],
  ["glance", "pike", { "error": "Can't locate revision identified by 'pike'" }, {
    "error": "Can't locate revision identified by 'pike'",
  }],
  ["glance", "mit", { "error": "Can't locate revision identified by 'mit'" }, {
    "error": "Can't locate revision identified by 'mit'",
  }],
  ["glance", "lib", ["liberty"], "liberty"],
  ["glance", "heads-1", { "error": "Can't locate revision identified by 'heads-1'" }, {
    "error": "Can't locate revision identified by 'heads-1'",
  }],
  ["glance", "expand@-1", [], { "error": "Can't locate revision identified by '-1'" }],
  ["glance", "-2", ["mitaka02"], { "error": "Can't locate revision identified by '-2'" }],
  ["glance", "-9", [null], { "error": "Can't locate revision identified by '-9'" }],
  ["roots", "heads", ["l3cc", "r2ee"], {
    "error":
      "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", "head", {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }, {
    "error":
      "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
  }],
  ["roots", "base", [], null],
  ["roots", "+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["roots", "-1", ["l2bb", "r1dd"], { "error": "Can't locate revision identified by '-1'" }],
  ["roots", "left@head", ["l3cc"], "l3cc"],
  ["roots", "right@head", ["r2ee"], "r2ee"],
  ["roots", "left@base", [], null],
  ["roots", "right@base", [], null],
  ["roots", "left", ["l1aa"], "l1aa"],
  ["roots", "right", ["r1dd"], "r1dd"],
  ["roots", "r2ee", ["r2ee"], "r2ee"],
  ["roots", "l2bb", ["l2bb"], "l2bb"],
  ["roots", "left@+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["roots", "right@+1", { "error": "Can't locate revision identified by '+1'" }, {
    "error": "Can't locate revision identified by '+1'",
  }],
  ["roots", "left@-1", ["l2bb"], { "error": "Can't locate revision identified by '-1'" }],
  ["roots", "right@-1", ["r1dd"], { "error": "Can't locate revision identified by '-1'" }],
  ["roots", "r1dd-1", { "error": "Can't locate revision identified by 'r1dd-1'" }, {
    "error": "Can't locate revision identified by 'r1dd-1'",
  }],
  ["roots", "heads-1", { "error": "Can't locate revision identified by 'heads-1'" }, {
    "error": "Can't locate revision identified by 'heads-1'",
  }],
  ["roots", "-2", ["l1aa", "base"], { "error": "Can't locate revision identified by '-2'" }],
  ["roots", "-9", [null, null], { "error": "Can't locate revision identified by '-9'" }],
];

for (const [graph, target, many, one] of RESOLVED) {
  Deno.test(`targets: ${graph} resolves '${target}' as Alembic`, () => {
    const r = new TargetResolver(new RevisionMap(GRAPHS[graph]));
    if (Array.isArray(many)) {
      assert.deepEqual(
        r.getRevisions(target).map((x) => x === null || typeof x === "string" ? x : x.id),
        many,
      );
    } else {
      assertAlembicError(() => r.getRevisions(target), many.error);
    }
    if (typeof one === "object" && one !== null) {
      assertAlembicError(() => r.getRevision(target), one.error);
    } else {
      assert.equal(r.getRevision(target)?.id ?? null, one);
    }
  });
}

Deno.test("targets: an ambiguous partial id lists the candidates and their files", () => {
  const map = new RevisionMap(GRAPHS.linear);
  assert.throws(() => resolveRevision(map, "ae10"), {
    name: "ResolutionError",
    message: "Multiple revisions start with 'ae10': 'ae1027a6acf' (versions/ae1027a6acf.py), " +
      "'ae10ff0001' (versions/ae10ff0001.py)",
  });
  const branches = new RevisionMap(GRAPHS.branches);
  assert.throws(() => resolveRevision(branches, "c"), {
    message: "Multiple revisions start with 'c': 'c1dd' (versions/c1dd.py), 'c2ee' " +
      "(versions/c2ee.py), 'contract' (branch of 'c1dd' (versions/c1dd.py))",
  });
});

Deno.test("targets: unknown ids, branches and foreign revisions", () => {
  const map = new RevisionMap(GRAPHS.branches);
  assert.throws(() => resolveRevision(map, "zzzz"), {
    message: "Can't locate revision identified by 'zzzz'",
  });
  assert.throws(() => resolveRevision(map, "nosuch@head"), {
    message: "Can't locate revision identified by 'nosuch'",
  });
  assert.throws(() => resolveRevision(map, "nosuch@e2bb"), { message: "No such branch: 'nosuch'" });
  assert.throws(() => resolveRevision(map, "contract@e2bb"), {
    message: "Revision 'e2bb' (versions/e2bb.py) is not a member of branch 'contract'",
  });
});

Deno.test("targets: labels resolve to the labelled revision, label@head to the branch head", () => {
  const map = new RevisionMap(GRAPHS.glance);
  assert.equal(resolveRevision(map, "expand")?.id, "ocata_expand01");
  assert.equal(resolveRevision(map, "expand@head")?.id, "pike_expand01");
  assert.equal(resolveRevision(map, "contract@head")?.id, "pike_contract01");
  assert.equal(resolveRevision(map, "expand@base"), null);
  assert.throws(() => resolveRevision(map, "mitaka02@head"), {
    message: /^Multiple head revisions are present for given argument 'mitaka02@head'/,
  });
  assert.deepEqual(resolveRevisions(map, "heads").map((r) => r.id), ["pike_contract01"]);
  assert.deepEqual(resolveRevisions(map, "expand@heads").map((r) => r.id), ["pike_expand01"]);
});

Deno.test("targets: resolveRevisions refuses a walk past the base", () => {
  const map = new RevisionMap(GRAPHS.linear);
  assert.deepEqual(resolveRevisions(map, "-3").map((r) => r.id), ["1975ea83b712"]);
  // Alembic returns "base" / None here and crashes when it prints them
  assert.throws(() => resolveRevisions(map, "-4"), {
    message: "Relative revision -4 reaches base on a branch",
  });
  assert.throws(() => resolveRevisions(map, "-9"), {
    message: "Relative revision -9 walks past the base",
  });
});

Deno.test("targets: offline start revisions (`--sql start:end`)", () => {
  const map = new RevisionMap(GRAPHS.linear);
  assert.deepEqual(offlineStartHeads(map, undefined), []);
  assert.deepEqual(offlineStartHeads(map, "base"), []);
  assert.deepEqual(offlineStartHeads(map, "1975"), ["1975ea83b712"]);
  assert.deepEqual(offlineStartHeads(map, "head"), ["ae10ff0001"]);
  assert.throws(() => offlineStartHeads(map, "ae10"), { name: "ResolutionError" });
});

Deno.test("targets: walking up and down", () => {
  const r = new TargetResolver(new RevisionMap(GRAPHS.branches));
  const id = (x: unknown) => (x as { id: string }).id;
  assert.equal(id(r.walk(null, 2)), "b1point2");
  assert.throws(() => r.walk(null, 3), {
    message: "Ambiguous walk from 'b1point2' (versions/b1point2.py)",
  });
  assert.equal(id(r.walk(null, 3, "expand")), "e1aa");
  assert.equal(r.walk("a0base01", -1), "base");
  assert.equal(r.walk("a0base01", -2), null);
  assert.equal(r.walk("a0base01", -2, null, false), "base");
  assert.equal(id(r.walk("e3cc", -2)), "e1aa");
  assert.equal(r.walk("e3cc", 1), null);
  assert.equal(id(r.walk("e3cc", 1, null, false)), "e3cc");
});
