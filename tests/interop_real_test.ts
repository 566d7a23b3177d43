/**
 * `bellows import-alembic` on real-world Alembic projects (tests/fixtures/alembic_real:
 * OpenStack Glance's versions/ folder, Nova's, Neutron's Liberty expand/contract folders), compared
 * with real Alembic 1.8 reading the same files: `history`, `heads` and `branches` must list
 * the same lines, so the same edges, labels, dependencies and messages.
 *
 * Alembic imports each revision file, and those import their project; the fixtures keep
 * the modules that hold the constants the revisions use (Glance's `glance/db/migration.py`,
 * Neutron's `cli.py`), and `tests/oracle/alembic_stubbed.py` stands in for every other
 * import.
 */
import assert from "node:assert/strict";
import { runCli, withTempDir } from "./support/cli.ts";
import { lines, PYTHON } from "./support/interop.ts";

const FIXTURES = new URL("./fixtures/alembic_real/", import.meta.url).pathname;
const STUBBED = new URL("./oracle/alembic_stubbed.py", import.meta.url).pathname;

interface RealProject {
  readonly name: string;
  /** Where the project's packages start (first on Alembic's sys.path). */
  readonly root: string;
  /** Alembic's script_location, relative to root. */
  readonly scriptLocation: string;
  /** The folders holding revisions, relative to root (Alembic's version_locations). */
  readonly versions: readonly string[];
  /** What the graph is known to hold, so that a wrong fixture cannot pass unnoticed. */
  readonly revisions: number;
  readonly heads: readonly string[];
}

const NEUTRON_VERSIONS = "neutron/db/migration/alembic_migrations/versions";
const PROJECTS: readonly RealProject[] = [
  {
    name: "glance",
    root: `${FIXTURES}glance`,
    scriptLocation: "glance/db/sqlalchemy/alembic_migrations",
    versions: ["glance/db/sqlalchemy/alembic_migrations/versions"],
    revisions: 29,
    heads: ["2024_1_contract01", "2024_1_expand01"],
  },
  {
    name: "nova",
    root: `${FIXTURES}nova`,
    scriptLocation: "nova/db/main/migrations",
    versions: ["nova/db/main/migrations/versions"],
    revisions: 10,
    heads: ["ab450ba04102"],
  },
  {
    name: "neutron",
    root: `${FIXTURES}neutron`,
    scriptLocation: "neutron/db/migration/alembic_migrations",
    versions: [
      NEUTRON_VERSIONS,
      `${NEUTRON_VERSIONS}/liberty/expand`,
      `${NEUTRON_VERSIONS}/liberty/contract`,
    ],
    revisions: 20,
    heads: ["1b4c6e320f79", "34af2b5c5a59", "4af11ca47297"],
  },
];

/** Alembic keeps a revision's branch labels in a set: sort them within each line. */
function normalise(text: string): string[] {
  return lines(text).map((l) =>
    l.replace(/\(([^()]*,[^()]*)\)/g, (_m, x: string) => `(${x.split(", ").sort().join(", ")})`)
  ).sort();
}

/** `down -> rev` pairs of a `history` listing (dependencies in parentheses dropped). */
function edges(history: string): string[] {
  return lines(history).flatMap((l) => {
    const m = /^(.*?)(?: \([^()]*\))? -> (\S+)/.exec(l);
    assert.ok(m, `not a history line: ${l}`);
    return m[1].split(", ").map((down) => `${down} -> ${m[2]}`);
  }).sort();
}

for (const p of PROJECTS) {
  Deno.test(`import-alembic on ${p.name}'s versions: bellows lists what Alembic lists`, async () => {
    await withTempDir(async (dir) => {
      const ini = `${dir}/alembic.ini`;
      const locations = p.versions.map((v) => `${p.root}/${v}`);
      await Deno.writeTextFile(
        ini,
        `[alembic]\nscript_location = ${p.root}/${p.scriptLocation}\n` +
          (p.versions.length > 1 ? `version_locations = ${locations.join(" ")}\n` : ""),
      );
      const alembic = async (args: string[]) => {
        const r = await new Deno.Command(PYTHON, {
          args: [STUBBED, p.root, "-c", ini, ...args],
          env: { PYTHONDONTWRITEBYTECODE: "1" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const err = new TextDecoder().decode(r.stderr);
        assert.ok(r.success, `alembic ${args.join(" ")}: ${err}`);
        return new TextDecoder().decode(r.stdout);
      };
      const out = `${dir}/migrations`;
      const imp = await runCli(["--migrations", out, "import-alembic", ...locations]);
      assert.equal(imp.code, 0, imp.err);
      assert.match(imp.out, new RegExp(`Imported ${p.revisions} revision\\(s\\)`));
      const bellows = async (args: string[]) => {
        const r = await runCli(["--migrations", out, ...args]);
        assert.equal(r.code, 0, `bellows ${args.join(" ")}: ${r.err}`);
        return r.out;
      };

      for (const cmd of ["history", "heads", "branches"]) {
        assert.deepEqual(normalise(await bellows([cmd])), normalise(await alembic([cmd])), cmd);
      }
      const history = await alembic(["history"]);
      assert.deepEqual(edges(await bellows(["history"])), edges(history));
      assert.equal(lines(history).length, p.revisions);
      assert.deepEqual(
        lines(await bellows(["heads"])).map((l) => l.split(" ")[0]).sort(),
        [...p.heads].sort(),
      );
    });
  });
}
