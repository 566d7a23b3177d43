/**
 * Regenerate `tests/fixtures/oracle/*.json` by running each scenario through real Alembic.
 *
 * Usage: `deno run --allow-run --allow-read --allow-write --allow-env
 * tests/oracle/generate_fixtures.ts [scenario...]`
 *
 * Each scenario runs under several `PYTHONHASHSEED`s, because Alembic iterates Python sets;
 * the first seed's results are the fixture, and any op whose outcome differs under another
 * seed gets its alternatives recorded in `variants`.
 *
 * @module
 */

import { type OracleOp, type OracleResult, type OracleRevision, runOracle } from "./mod.ts";

/** A named scenario: a revision graph and the commands to run against it. */
export interface Scenario {
  /** File name without `.json`. */
  name: string;
  /** What the scenario exercises. */
  description: string;
  /** The revisions. */
  revisions: OracleRevision[];
  /** The commands. */
  ops: OracleOp[];
}

/** A fixture result: Alembic's outcome plus what bellows must do where they differ. */
export interface FixtureResult extends OracleResult {
  /** Set when Alembic failed after committing part of the command. */
  partial?: boolean;
  /** Why bellows is expected to differ from Alembic here. */
  note?: string;
  /** Outcomes seen under other hash seeds, when they differ from this one. */
  variants?: OracleResult[];
}

/** The JSON written per scenario. */
export interface Fixture {
  /** Scenario name. */
  name: string;
  /** What it exercises. */
  description: string;
  /** How the fixture was produced. */
  generatedBy: string;
  /** Input handed to the oracle. */
  spec: { revisions: OracleRevision[]; ops: OracleOp[] };
  /** One per op. */
  results: FixtureResult[];
}

const rev = (
  id: string,
  down: string[] = [],
  extra: Partial<OracleRevision> = {},
): OracleRevision => ({ id, down, labels: [], depends_on: [], message: `${id}`, ...extra });

/** The scenarios, each a file under tests/fixtures/oracle/. */
export const SCENARIOS: Scenario[] = [
  {
    name: "linear",
    description: "A five-revision chain: absolute, relative and partial targets, stamps both " +
      "ways, base, and the errors for unknown, wrong-direction and over-long relative targets.",
    revisions: [
      rev("1975ea83b712"),
      rev("ae1027a6acf", ["1975ea83b712"]),
      rev("27c6a30d7c24", ["ae1027a6acf"]),
      rev("3cb6c4f1e8d0", ["27c6a30d7c24"]),
      rev("4d7a9ce012f5", ["3cb6c4f1e8d0"]),
    ],
    ops: [
      ["upgrade", "ae1"],
      ["upgrade", "+2"],
      ["downgrade", "-1"],
      ["upgrade", "head"],
      ["upgrade", "heads"],
      ["downgrade", "ae1027a6acf"],
      ["upgrade", "1975ea83b712"],
      ["downgrade", "3cb6"],
      ["stamp", "4d7a9ce012f5"],
      ["stamp", "1975"],
      ["upgrade", "27c6a30d7c24+1"],
      ["downgrade", "-9"],
      ["upgrade", "nonexistent"],
      ["downgrade", "base"],
      ["downgrade", "base"],
      ["stamp", "head"],
      ["stamp", "base"],
      ["upgrade", "+1"],
      ["current"],
    ],
  },
  {
    name: "branches_labelled",
    description: "A branch point with two labelled branches (expand, contract) and no merge: " +
      "each branch upgraded and downgraded on its own, insert at the branch point, delete " +
      "when the other branch still implies the branch point.",
    revisions: [
      rev("root"),
      rev("bp", ["root"]),
      rev("e1", ["bp"], { labels: ["expand"] }),
      rev("e2", ["e1"]),
      rev("e3", ["e2"]),
      rev("c1", ["bp"], { labels: ["contract"] }),
      rev("c2", ["c1"]),
    ],
    ops: [
      ["upgrade", "expand@head"],
      ["upgrade", "contract@head"],
      ["downgrade", "contract@base"],
      ["downgrade", "expand@-1"],
      ["upgrade", "contract@+1"],
      ["downgrade", "expand@base"],
      ["upgrade", "heads"],
      ["upgrade", "head"],
      ["downgrade", "-1"],
      ["downgrade", "e1"],
      ["downgrade", "contract@c1"],
      ["downgrade", "bp"],
      ["upgrade", "e2"],
      ["upgrade", "c1"],
      ["downgrade", "base"],
    ],
  },
  {
    name: "branches_merge",
    description: "Two labelled branches and a merge with a revision after it: branches " +
      "upgraded separately, merged (delete + update), downgraded -1 from the merge head, " +
      "unmerged (insert + update), branch-wise downgrades, base.",
    revisions: [
      rev("root"),
      rev("bp", ["root"]),
      rev("e1", ["bp"], { labels: ["expand"] }),
      rev("e2", ["e1"]),
      rev("c1", ["bp"], { labels: ["contract"] }),
      rev("c2", ["c1"]),
      rev("mg", ["e2", "c2"], { message: "merge expand and contract" }),
      rev("post", ["mg"]),
    ],
    ops: [
      ["upgrade", "e2"],
      ["upgrade", "c1"],
      ["upgrade", "c2"],
      ["upgrade", "mg"],
      ["downgrade", "-1"],
      ["upgrade", "head"],
      ["downgrade", "-1"],
      ["downgrade", "-1"],
      ["downgrade", "c1"],
      ["upgrade", "heads"],
      ["downgrade", "e2"],
      ["downgrade", "contract@base"],
      ["upgrade", "expand@head"],
      ["downgrade", "expand@-1"],
      ["upgrade", "contract@head"],
      ["downgrade", "bp"],
      ["downgrade", "base"],
    ],
  },
  {
    name: "glance",
    description: "Glance-like expand/contract with depends_on: contract revisions depend on " +
      "their expand counterparts, so contract@head pulls in expand; expand@base must first " +
      "take contract down; a contract revision whose dependency remains under another head " +
      "is deleted on downgrade.",
    revisions: [
      rev("liberty"),
      rev("mitaka01", ["liberty"]),
      rev("mitaka02", ["mitaka01"]),
      rev("ocata_expand01", ["mitaka02"], { labels: ["expand"] }),
      rev("ocata_contract01", ["mitaka02"], {
        labels: ["contract"],
        depends_on: ["ocata_expand01"],
      }),
      rev("pike_expand01", ["ocata_expand01"]),
      rev("pike_contract01", ["ocata_contract01"], { depends_on: ["pike_expand01"] }),
      rev("queens_expand01", ["pike_expand01"]),
      rev("queens_contract01", ["pike_contract01"], { depends_on: ["queens_expand01"] }),
    ],
    ops: [
      ["upgrade", "mitaka02"],
      ["upgrade", "contract@head"],
      ["downgrade", "expand@base"],
      ["upgrade", "expand@head"],
      ["upgrade", "contract@+1"],
      ["downgrade", "contract@-1"],
      ["upgrade", "contract@head"],
      ["downgrade", "expand@-1"],
      ["downgrade", "contract@-1"],
      ["upgrade", "heads"],
      ["downgrade", "contract@base"],
      ["downgrade", "expand@pike_expand01"],
      ["upgrade", "pike_contract01"],
      ["downgrade", "mitaka01"],
      ["upgrade", "ocata_contract01"],
      ["downgrade", "base"],
    ],
  },
  {
    name: "two_roots",
    description: "Two independent roots (labelled left/right): heads, head with several " +
      "heads (error), per-branch downgrades to base (delete), and stamps of each branch.",
    revisions: [
      rev("l1", [], { labels: ["left"] }),
      rev("l2", ["l1"]),
      rev("l3", ["l2"]),
      rev("r1", [], { labels: ["right"] }),
      rev("r2", ["r1"]),
    ],
    ops: [
      ["upgrade", "l2"],
      ["upgrade", "r1"],
      ["upgrade", "head"],
      ["upgrade", "heads"],
      ["downgrade", "-1"],
      ["downgrade", "left@base"],
      ["downgrade", "right@-1"],
      ["upgrade", "left@+1"],
      ["stamp", "right@head"],
      ["stamp", "left@base"],
      ["upgrade", "left@head"],
      ["downgrade", "r1"],
      ["downgrade", "base"],
      ["stamp", ["l2", "r2"]],
      ["downgrade", "base"],
    ],
  },
  {
    name: "stamps",
    description: "Stamps over a graph with a branch point and a merge: up, down, several " +
      "targets, same lineage twice, --purge, base, labels, and stamping down from the merge " +
      "to both its parents (Alembic fails after writing one row).",
    revisions: [
      rev("s0"),
      rev("s1", ["s0"]),
      rev("sa", ["s1"], { labels: ["alpha"] }),
      rev("sb", ["s1"], { labels: ["beta"] }),
      rev("sm", ["sa", "sb"]),
      rev("sz", ["sm"]),
      rev("other"),
    ],
    ops: [
      ["stamp", "s1"],
      ["stamp", ["sa", "sb"]],
      ["stamp", "sm"],
      ["stamp", "sz"],
      ["stamp", "s0"],
      ["stamp", "sm"],
      ["stamp", ["sa", "sb"]],
      ["stamp", "heads"],
      ["stamp", ["s0", "s1"], { purge: true }],
      ["stamp", "other"],
      ["stamp", "base"],
      ["stamp", ["sa", "other"], { purge: true }],
      ["stamp", "sm"],
      ["stamp", "alpha@head"],
      ["stamp", ["sz", "other"], { purge: true }],
      ["stamp", "nonexistent"],
      ["stamp", "sb", { purge: true }],
      ["stamp", "base", { purge: true }],
    ],
  },
  {
    name: "three_way_merge",
    description: "A merge of three branches: upgraded one branch at a time (update, insert, " +
      "insert), merged (delete, delete, update), unmerged (insert, insert, update), and " +
      "downgrades of single branches below the merge.",
    revisions: [
      rev("t0"),
      rev("ta", ["t0"]),
      rev("tb", ["t0"]),
      rev("tc", ["t0"]),
      rev("tm", ["ta", "tb", "tc"]),
    ],
    ops: [
      ["upgrade", "ta"],
      ["upgrade", "tb"],
      ["upgrade", "tc"],
      ["upgrade", "tm"],
      ["downgrade", "tm-1"],
      ["downgrade", "ta"],
      ["downgrade", "tb"],
      ["downgrade", "t0"],
      ["upgrade", "tm"],
      ["downgrade", "tc"],
      ["upgrade", "heads"],
      ["downgrade", "base"],
      ["upgrade", "tb"],
      ["upgrade", "tm"],
      ["downgrade", "base"],
    ],
  },
  {
    name: "cross_root_depends",
    description: "A second root whose base depends on the first tree (base revision with a " +
      "dependency, so its row replaces the dependency's row), partial upgrades of each tree, " +
      "and downgrades that must bring the dependency's row back or delete.",
    revisions: [
      rev("core1", [], { labels: ["core"] }),
      rev("core2", ["core1"]),
      rev("core3", ["core2"]),
      rev("plug1", [], { labels: ["plugin"], depends_on: ["core2"] }),
      rev("plug2", ["plug1"]),
    ],
    ops: [
      ["upgrade", "plug1"],
      ["upgrade", "core@head"],
      ["upgrade", "plugin@head"],
      ["downgrade", "plugin@base"],
      ["downgrade", "core@-1"],
      ["upgrade", "plug2"],
      ["downgrade", "core@base"],
      ["upgrade", "heads"],
      ["downgrade", "plug1"],
      ["downgrade", "core2"],
      ["downgrade", "base"],
      ["upgrade", "core1"],
      ["upgrade", "plugin@head"],
      ["downgrade", "base"],
    ],
  },
  {
    name: "depends_on_label",
    description: "depends_on naming branch labels; a dependency that is " +
      "also an ancestor of another head; merges whose parents include a dependency.",
    revisions: [
      rev("aaa0"),
      rev("aaa1", ["aaa0"], { labels: ["schema"] }),
      rev("aaa2", ["aaa1"]),
      rev("bbb1", ["aaa0"], { labels: ["data"], depends_on: ["schema"] }),
      rev("bbb2", ["bbb1"], { depends_on: ["aaa2"] }),
      rev("ccc1", ["aaa2", "bbb2"]),
      rev("ddd1", ["aaa0"], { depends_on: ["data"] }),
    ],
    ops: [
      ["upgrade", "bbb1"],
      ["upgrade", "bbb2"],
      ["downgrade", "schema@base"],
      ["upgrade", "data@head"],
      ["downgrade", "aaa1"],
      ["upgrade", "ddd1"],
      ["upgrade", "ccc1"],
      ["downgrade", "-1"],
      ["upgrade", "heads"],
      ["downgrade", "data@base"],
      ["downgrade", "base"],
      ["upgrade", "aaa2"],
      ["upgrade", "ccc1"],
      ["downgrade", "base"],
    ],
  },
  {
    name: "relative_and_errors",
    description: "Relative targets on a branched graph (+N, -N, branch@+N, rev-N), " +
      "ambiguous partial ids, downgrade -1 with several heads, upgrade to a lower revision, " +
      "downgrade to a higher one, and stamping a revision and its ancestor together.",
    revisions: [
      rev("f00"),
      rev("f01", ["f00"]),
      rev("f02a", ["f01"], { labels: ["one"] }),
      rev("f03a", ["f02a"]),
      rev("f02b", ["f01"], { labels: ["two"] }),
      rev("f03b", ["f02b"]),
    ],
    ops: [
      ["upgrade", "+2"],
      ["upgrade", "+1"],
      ["upgrade", "one@+1"],
      ["upgrade", "two@+2"],
      ["downgrade", "-1"],
      ["downgrade", "one@-1"],
      ["downgrade", "f03b-1"],
      ["upgrade", "f0"],
      ["upgrade", "f02"],
      ["upgrade", "f01"],
      ["downgrade", "f03a"],
      ["downgrade", "two@-5"],
      ["downgrade", "one@base"],
      ["stamp", ["f01", "f03b"]],
      ["upgrade", "heads"],
      ["downgrade", "base"],
    ],
  },
  {
    name: "redundant_rows",
    description: "Row sets Alembic can be stamped into but never upgrades into: a revision " +
      "and its ancestor both present. Upgrades refuse (overlap), downgrades walk through, " +
      "stamps mixing a head and its ancestor collapse, and multi-target stamps whose steps " +
      "share a source fail after committing the first step; stamping to a revision between " +
      "two rows fails up front.",
    revisions: [
      rev("s0"),
      rev("s1", ["s0"]),
      rev("sa", ["s1"]),
      rev("sb", ["s1"]),
      rev("sm", ["sa", "sb"]),
      rev("sz", ["sm"]),
    ],
    ops: [
      ["stamp", ["s0", "s1"]],
      ["upgrade", "sa"],
      ["downgrade", "-1"],
      ["stamp", ["s0", "sm"], { purge: true }],
      ["upgrade", "sz"],
      ["downgrade", "s0"],
      ["stamp", ["sa", "sb"], { purge: true }],
      ["downgrade", "s0"],
      ["stamp", "sa", { purge: true }],
      ["stamp", ["sa", "s0"]],
      ["stamp", ["sa", "sb"], { purge: true }],
      ["stamp", ["sz", "s1"]],
      ["stamp", "sm", { purge: true }],
      ["stamp", ["s0", "s1"]],
      ["stamp", "sm", { purge: true }],
      ["stamp", ["sb", "s0"]],
      ["stamp", ["sa", "sb"], { purge: true }],
      ["stamp", "s0"],
      ["stamp", ["s0", "sa"], { purge: true }],
      ["stamp", "s1"],
      ["stamp", ["sb", "sz"]],
      ["downgrade", "base"],
    ],
  },
  {
    name: "load_order",
    description: "Revisions listed (and so loaded) children first and interleaved: Alembic " +
      "orders independent branches by load order, so the run order must follow the order " +
      "the revisions were handed in, not their ids.",
    revisions: [
      rev("zm", ["zc", "za", "zb"]),
      rev("zc", ["z0"], { labels: ["cee"] }),
      rev("q2", ["q1"]),
      rev("z0"),
      rev("zb", ["z0"]),
      rev("q1"),
      rev("za", ["z0"]),
      rev("zn", ["zm"]),
    ],
    ops: [
      ["upgrade", "heads"],
      ["downgrade", "base"],
      ["upgrade", "zm"],
      ["downgrade", "z0"],
      ["upgrade", "zb"],
      ["upgrade", "q1"],
      ["upgrade", "heads"],
      ["downgrade", "zb"],
      ["downgrade", "cee@base"],
      ["stamp", ["za", "zc"]],
      ["upgrade", "zn"],
      ["downgrade", "base"],
    ],
  },
];

const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const OUT = new URL("../fixtures/oracle/", import.meta.url);

function same(a: OracleResult, b: OracleResult): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function generate(scenario: Scenario): Promise<Fixture> {
  const spec = { revisions: scenario.revisions, ops: scenario.ops };
  const runs = [];
  for (const hashSeed of SEEDS) runs.push(await runOracle(spec, { hashSeed }));
  const [first, ...others] = runs;
  let previous: string[] = [];
  const results = first.map((result, i): FixtureResult => {
    const out: FixtureResult = { ...result };
    const variants = others.map((run) => run[i]).filter((r) => !same(r, result));
    if (variants.length > 0) out.variants = variants;
    const op = scenario.ops[i];
    if (result.error !== undefined && (result.ran.length > 0 || !sameRows(result, previous))) {
      out.partial = true;
      out.note = "Alembic failed after committing part of the command (SQLite commits each " +
        "step; on PostgreSQL the whole command rolls back). bellows refuses before writing " +
        "and keeps the previous rows.";
    } else if (op[0] === "downgrade" && /^-\d+$/.test(op[1]) && previous.length > 1) {
      out.note = "Relative downgrade with several rows: Alembic warns and walks down from " +
        "the first row in the table's scan order (here SQLite's insertion order, `heads` " +
        "of the previous result).";
    }
    previous = result.rows;
    return out;
  });
  return {
    name: scenario.name,
    description: scenario.description,
    generatedBy: "deno run -A tests/oracle/generate_fixtures.ts (Alembic 1.8.1, SQLite)",
    spec,
    results,
  };
}

/** One revision, op and result per line: easy to read and to diff. */
function render(fixture: Fixture): string {
  const list = (items: unknown[]) => items.map((i) => "    " + JSON.stringify(i)).join(",\n");
  return [
    "{",
    `  "name": ${JSON.stringify(fixture.name)},`,
    `  "description": ${JSON.stringify(fixture.description)},`,
    `  "generatedBy": ${JSON.stringify(fixture.generatedBy)},`,
    `  "spec": {`,
    `    "revisions": [\n${list(fixture.spec.revisions).replaceAll("\n    ", "\n      ")}\n    ],`,
    `    "ops": [\n${list(fixture.spec.ops).replaceAll("\n    ", "\n      ")}\n    ]`,
    `  },`,
    `  "results": [\n${list(fixture.results)}\n  ]`,
    "}",
    "",
  ].join("\n");
}

function sameRows(result: OracleResult, rows: string[]): boolean {
  return JSON.stringify(result.rows) === JSON.stringify(rows);
}

if (import.meta.main) {
  const wanted = new Set(Deno.args);
  await Deno.mkdir(OUT, { recursive: true });
  for (const scenario of SCENARIOS) {
    if (wanted.size > 0 && !wanted.has(scenario.name)) continue;
    const fixture = await generate(scenario);
    const path = new URL(`${scenario.name}.json`, OUT);
    await Deno.writeTextFile(path, render(fixture));
    // Let deno fmt own the layout, so `deno fmt --check` stays clean.
    const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", path.pathname] })
      .output();
    if (!fmt.success) throw new Error(`deno fmt failed on ${path.pathname}`);
    const errors = fixture.results.filter((r) => r.error !== undefined).length;
    const partial = fixture.results.filter((r) => r.partial).length;
    const varying = fixture.results.filter((r) => r.variants).length;
    console.log(
      `${scenario.name}: ${fixture.results.length} ops, ${errors} errors, ` +
        `${partial} partial, ${varying} seed-dependent`,
    );
  }
}
