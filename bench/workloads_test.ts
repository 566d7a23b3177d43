/**
 * Smoke test of the benchmark's generators: the bellows project loads into the expected
 * chain, the raw script brings `sqlite3` to the same head, and Alembic reads the same head
 * from its project. The benchmark itself (bench/run.ts) is not run by the tests.
 */
import assert from "node:assert/strict";
import { loadScripts } from "../src/script/load.ts";
import { RevisionMap } from "../src/graph/revision_map.ts";
import { PYTHON } from "../tests/support/interop.ts";
import { withTempDir, writeScripts } from "../tests/support/cli.ts";
import { isKeyset, loadDataMigrations } from "../src/script/data_migration.ts";
import {
  alembicProject,
  bellowsProject,
  dataMigrationProject,
  dataTableSql,
  linearHistory,
  rawScript,
  revisionId,
} from "./workloads.ts";

const revs = linearHistory(5);

Deno.test("bench: the bellows project is one chain of CREATE TABLE + INSERT revisions", () => {
  const files = Object.entries(bellowsProject(revs)).map(([path, text]) => ({ path, text }));
  const scripts = loadScripts(files);
  const map = new RevisionMap(scripts);
  assert.deepEqual(map.heads, [revisionId(5)]);
  assert.deepEqual(map.bases, [revisionId(1)]);
  assert.deepEqual(map.all().map((r) => r.id), revs.map((r) => r.id));
  const up = scripts[1].sections.find((s) => s.direction === "up")!;
  assert.deepEqual(up.statements.map((s) => s.sql), revs[1].up);
});

Deno.test("bench: the raw script and the Alembic project reach the same head", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/raw.sql`, rawScript(revs));
    const run = async (cmd: string, args: string[]) => {
      const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" })
        .output();
      const dec = new TextDecoder();
      assert.ok(out.success, `${cmd} ${args.join(" ")}: ${dec.decode(out.stderr)}`);
      return dec.decode(out.stdout).trim();
    };
    const db = `${dir}/raw.db`;
    await run("sqlite3", ["-bail", db, `.read ${dir}/raw.sql`]);
    assert.equal(
      await run("sqlite3", [db, "SELECT version_num FROM alembic_version"]),
      revisionId(5),
    );
    assert.equal(await run("sqlite3", [db, "SELECT name FROM t5"]), "row of t5");

    const alembicDb = `${dir}/alembic.db`;
    await writeScripts(`${dir}/alembic`, alembicProject(revs, { url: `sqlite:///${alembicDb}` }));
    const ini = `${dir}/alembic/alembic.ini`;
    assert.match(await run(PYTHON, ["-m", "alembic", "-c", ini, "heads"]), /^r000005 \(head\)$/);
    await run(PYTHON, ["-m", "alembic", "-c", ini, "upgrade", "heads"]);
    assert.equal(
      await run("sqlite3", [alembicDb, "SELECT version_num FROM alembic_version"]),
      revisionId(5),
    );
    assert.equal(await run("sqlite3", [alembicDb, "SELECT count(*) FROM t3"]), "1");
  });
});

Deno.test("bench: the data migration projects load, keyset and old form", () => {
  for (const form of ["keyset", "subquery"] as const) {
    const files = Object.entries(dataMigrationProject(form)).map(([path, text]) => ({
      path,
      text,
    }));
    const [dm] = loadDataMigrations(files);
    assert.equal(dm.after, "e1");
    assert.equal(isKeyset(dm, "postgresql"), form === "keyset");
    const map = new RevisionMap(loadScripts(files));
    assert.deepEqual([...map.heads].sort(), ["c1", "e1"]);
  }
  assert.match(dataTableSql(10), /generate_series\(1, 10\)/);
});
