/**
 * A SIGKILL during the first transaction of a new SQLite file leaves a file without SQLite's
 * header (page 1 is written last) beside a hot journal: a valid state that SQLite rolls back
 * on the next read. Every later command must recover it (read-write) or read through it
 * (read-only), never refuse the file as "not a database" (issue 10, defect 1).
 */
import assert from "node:assert/strict";
import { execCli, script, startCli, withTempDir, writeScripts } from "./support/cli.ts";
import { sqliteDb } from "./support/db.ts";

/** A first revision big enough that SQLite spills pages to the file before COMMIT. */
const BIG = script(
  "r1",
  "",
  [
    "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);",
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000)",
    "  INSERT INTO big SELECT x, hex(randomblob(16)) FROM c;",
  ].join("\n"),
);
const SMALL = script("r0", "", "CREATE TABLE small (id INTEGER);");
const AFTER = (down: string) => script("r2", down, "CREATE TABLE t2 (id INTEGER);");

const HEADER = "SQLite format 3\0";

async function header(path: string): Promise<string> {
  using f = await Deno.open(path, { read: true });
  const buf = new Uint8Array(16);
  const n = await f.read(buf) ?? 0;
  return new TextDecoder().decode(buf.subarray(0, n));
}

async function size(path: string): Promise<number> {
  return (await Deno.stat(path).catch(() => undefined))?.size ?? 0;
}

/**
 * Start `upgrade`, SIGKILL it once the big revision has spilled pages into the file (and
 * before its COMMIT), and check that the kill left the state this test is about.
 */
async function killMidFirstTransaction(path: string, args: string[]): Promise<void> {
  const run = startCli(args);
  const deadline = Date.now() + 60_000;
  while ((await size(path)) < 4 << 20 || (await size(`${path}-journal`)) === 0) {
    assert.ok(Date.now() < deadline, `the run never spilled pages: ${run.err()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  run.process.kill("SIGKILL");
  const r = await run.done();
  assert.equal(r.code, 137, `the kill came too late: ${r.err}`);
  assert.notEqual(await header(path), HEADER, "page 1 should not be written before COMMIT");
  assert.ok((await size(`${path}-journal`)) > 0, "the hot journal should be there");
}

for (
  const [name, files, extra] of [
    ["a new file's first revision", { "r1.sql": BIG, "r2.sql": AFTER("r1") }, []],
    [
      "--single-transaction",
      { "r0.sql": SMALL, "r1.sql": script("r1", "r0", BIG.split("-- bellows:upgrade\n")[1]) },
      ["--single-transaction"],
    ],
  ] as const
) {
  Deno.test(`sqlite: killed in ${name}, the hot journal is rolled back by the next command`, async () => {
    await withTempDir(async (dir) => {
      const mig = `${dir}/mig`;
      await writeScripts(mig, files);
      const db = sqliteDb(dir);
      const base = ["--url", db.url, "--migrations", mig];
      // Each round recovers through another kind of command: read-only first, read-write first.
      for (const first of ["current", "upgrade", "current", "upgrade"]) {
        await Deno.remove(db.url).catch(() => {});
        await Deno.remove(`${db.url}-journal`).catch(() => {});
        await killMidFirstTransaction(db.url, [...base, "upgrade", ...extra]);
        if (first === "upgrade") {
          const up = await execCli([...base, "upgrade", ...extra]);
          assert.equal(up.code, 0, up.err);
        } else {
          const r = await execCli([...base, first]);
          assert.equal(r.code, 0, r.err);
          assert.doesNotMatch(r.err, /not a database/);
          if (first === "current") assert.doesNotMatch(r.out, /r\d/, "nothing was committed");
          // Rolled back: the file is an empty database again, its journal spent.
          assert.equal(await size(`${db.url}-journal`), 0);
          assert.deepEqual(await db.tables(), []);
          const up = await execCli([...base, "upgrade", ...extra]);
          assert.equal(up.code, 0, up.err);
        }
        assert.equal(await header(db.url), HEADER);
        assert.deepEqual(await db.versions(), [Object.keys(files).at(-1)!.replace(".sql", "")]);
        assert.equal((await db.rows("SELECT count(*) AS n FROM big"))[0].n, 1500000);
        const integrity = await db.rows("PRAGMA integrity_check");
        assert.deepEqual(integrity.map((r) => r.integrity_check), ["ok"]);
      }
    });
  });
}
