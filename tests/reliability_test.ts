/**
 * The reliability suite (issue 10): what an operator's worst day does to a run, on real
 * SQLite files, a real PostgreSQL cluster and a real MariaDB server, with generated
 * multi-statement revisions.
 *
 * - SIGKILL at a random moment of an upgrade, again and again on one database; after each
 *   kill the database must be consistent (every revision the version table says is applied
 *   has all its effects, no effect of any other revision is there, none ran twice), and at
 *   the end a rerun completes with exactly the state of an uninterrupted run. On MariaDB a
 *   kill inside a revision holding DDL leaves it interrupted by design: the recovery that
 *   `check --json` prescribes is followed first, then the same check holds.
 * - N runners started at once: every revision is applied exactly once.
 * - PostgreSQL crashed (`pg_ctl stop -m immediate`) mid-run, restarted: the run said which
 *   revision was running and where the database stands, it is consistent, and a rerun
 *   completes.
 * - SQLite on a full disk (a small tmpfs; needs root to mount it): never half-applied, exit
 *   1 naming the revision rolled back, and a rerun completes once there is space.
 *
 * Size: CI-sized by default (the whole file well under 2 minutes). `BELLOWS_RELIABILITY=full`
 * runs the campaign of issue 10 (see {@linkcode SIZE} for both sets of figures). Randomness
 * is seeded: a failure names its seed; `BELLOWS_RELIABILITY_SEED=<n>` replays it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runCli, script, startCli, until, withTempDir, writeScripts } from "./support/cli.ts";
import { mysqlDb, postgresDb, sqliteDb, type TestDb, type TestDialect } from "./support/db.ts";
import { type MysqlServer, startServer } from "./support/mariadb_server.ts";
import { type PgCluster, startCluster } from "./support/pg_cluster.ts";
import { prng } from "./support/random_graph.ts";
import { canMountTmpfs, sh } from "./support/tmpfs.ts";

const FULL = Deno.env.get("BELLOWS_RELIABILITY") === "full";
const SEED = Number(Deno.env.get("BELLOWS_RELIABILITY_SEED") ?? Date.now() % 2 ** 31);

/** How much of each kind of trouble one run of this file makes. */
const SIZE = FULL
  ? {
    revisions: 200,
    maxRows: 40_000,
    /** SIGKILLs per dialect, in rounds of `killsPerRound` on one database. */
    kills: 45,
    killsPerRound: 15,
    runners: 8,
    runnerRounds: 20,
    crashes: 16,
    diskFullRounds: 6,
  }
  : {
    revisions: 30,
    maxRows: 20_000,
    kills: 6,
    killsPerRound: 6,
    runners: 4,
    runnerRounds: 1,
    crashes: 2,
    diskFullRounds: 2,
  };

/** A test whose randomness comes from the file's seed; a failure says how to replay it. */
function seeded(name: string, fn: (rand: () => number) => Promise<void>, ignore = false): void {
  Deno.test({
    name,
    ignore,
    fn: async () => {
      let h = SEED;
      for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
      try {
        await fn(prng(h));
      } catch (e) {
        const replay = `replay with BELLOWS_RELIABILITY_SEED=${SEED}` +
          (FULL ? " BELLOWS_RELIABILITY=full" : "");
        console.error(`${name}: failed; ${replay}`);
        throw new Error(`${replay}: ${e instanceof Error ? e.message : e}`, { cause: e });
      }
    },
  });
}

/** A generated revision: what it creates, so its effects can be checked from outside. */
interface GenRevision {
  readonly id: string;
  readonly rows: number;
  readonly index: boolean;
}

/**
 * A linear chain of revisions, each several statements in one transaction: a table, rows
 * from a recursive CTE (the slow part, where kills land), maybe an index, a ledger row and
 * a counter bump (so a revision run twice shows twice).
 */
function generate(rand: () => number, count: number, maxRows: number): GenRevision[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `r${String(i + 1).padStart(3, "0")}`,
    // The first is big: a kill inside it on a new SQLite file finds SQLite's pages spilled
    // before page 1 is written (issue 10, defect 1).
    rows: i === 0 ? 5 * maxRows : 1 + Math.floor(rand() ** 2 * maxRows),
    index: i === 0 || rand() < 0.5,
  }));
}

function scriptsOf(revs: readonly GenRevision[], dialect: TestDialect): Record<string, string> {
  const files: Record<string, string> = {};
  revs.forEach((r, i) => {
    const t = `e_${r.id}`;
    // MySQL: `||` is OR, an index on TEXT needs a prefix length, and a recursive CTE stops
    // at 1000 levels; MariaDB's seq_1_to_N table gives the rows instead.
    const fill = dialect === "mysql"
      ? [`INSERT INTO ${t} (id, v) SELECT seq, CONCAT('${r.id}-', seq) FROM seq_1_to_${r.rows};`]
      : [
        `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${r.rows})`,
        `  INSERT INTO ${t} (id, v) SELECT x, '${r.id}-' || x FROM c;`,
      ];
    const sql = [
      ...(i === 0
        ? [
          "CREATE TABLE ledger (rev VARCHAR(32) NOT NULL);",
          "CREATE TABLE counter (n INTEGER NOT NULL);",
          "INSERT INTO counter (n) VALUES (0);",
        ]
        : []),
      `CREATE TABLE ${t} (id INTEGER PRIMARY KEY, v ${
        dialect === "mysql" ? "VARCHAR(64)" : "TEXT"
      } NOT NULL);`,
      ...fill,
      ...(r.index ? [`CREATE INDEX ${t}_v ON ${t} (v);`] : []),
      `INSERT INTO ledger (rev) VALUES ('${r.id}');`,
      "UPDATE counter SET n = n + 1;",
    ].join("\n");
    // The downgrade undoes the upgrade statement by statement, in reverse order: what an
    // interrupted revision's printed "To undo" steps are taken from (MySQL).
    const down = [
      "UPDATE counter SET n = n - 1;",
      `DELETE FROM ledger WHERE rev = '${r.id}';`,
      ...(r.index ? [`DROP INDEX ${t}_v${dialect === "mysql" ? ` ON ${t}` : ""};`] : []),
      `DELETE FROM ${t};`,
      `DROP TABLE ${t};`,
      ...(i === 0 ? ["DELETE FROM counter;", "DROP TABLE counter;", "DROP TABLE ledger;"] : []),
    ].join("\n");
    files[`${r.id}.sql`] = script(r.id, i === 0 ? "" : revs[i - 1].id, sql, down);
  });
  return files;
}

/** Index names on a table, from the catalog (no bellows involved). */
async function indexes(db: TestDb): Promise<string[]> {
  const rows = db.dialect === "sqlite"
    ? await db.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'e_r%'")
    : db.dialect === "mysql"
    ? await db.rows(
      "SELECT DISTINCT index_name AS name FROM information_schema.statistics " +
        "WHERE table_schema = DATABASE() AND index_name LIKE 'e_r%'",
    )
    : await db.rows("SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE 'e_r%'");
  return rows.map((r) => String(r.name)).filter((n) => /^e_r\d+_v$/.test(n)).sort();
}

/**
 * Check a database against the generated revisions from outside bellows; returns how many
 * are applied. A linear chain: the one version row names the last applied revision.
 */
async function checkConsistent(db: TestDb, revs: readonly GenRevision[], when: string) {
  const tables = await db.tables();
  const versions = tables.includes("alembic_version") ? await db.versions() : [];
  assert.ok(versions.length <= 1, `${when}: version rows ${versions}`);
  const applied = versions.length === 0 ? 0 : revs.findIndex((r) => r.id === versions[0]) + 1;
  assert.ok(versions.length === 0 || applied > 0, `${when}: unknown version ${versions}`);
  const mine = tables.filter((t) => /^e_r\d+$/.test(t));
  assert.deepEqual(
    mine,
    revs.slice(0, applied).map((r) => `e_${r.id}`).sort(),
    `${when}: the tables are those of the ${applied} applied revisions, no other`,
  );
  assert.deepEqual(
    await indexes(db),
    revs.slice(0, applied).filter((r) => r.index).map((r) => `e_${r.id}_v`).sort(),
    `${when}: indexes`,
  );
  if (applied === 0) {
    assert.ok(!tables.includes("ledger"), `${when}: nothing applied, yet a ledger`);
    return 0;
  }
  const counts = await db.rows(
    revs.slice(0, applied).map((r) => `SELECT '${r.id}' AS id, count(*) AS n FROM e_${r.id}`)
      .join(" UNION ALL "),
  );
  const got = new Map(counts.map((c) => [String(c.id), Number(c.n)]));
  for (const r of revs.slice(0, applied)) {
    assert.equal(got.get(r.id), r.rows, `${when}: rows of ${r.id}`);
  }
  const ledger = (await db.rows("SELECT rev FROM ledger")).map((r) => String(r.rev)).sort();
  assert.deepEqual(ledger, revs.slice(0, applied).map((r) => r.id), `${when}: each ran once`);
  const [{ n }] = await db.rows("SELECT n FROM counter");
  assert.equal(Number(n), applied, `${when}: counter`);
  return applied;
}

/** Everything the revisions made, to compare a recovered database with a clean run. */
async function snapshot(db: TestDb, revs: readonly GenRevision[]): Promise<string> {
  const sums = await db.rows(
    revs.map((r) =>
      `SELECT '${r.id}' AS id, count(*) AS n, sum(id) AS s, min(v) AS lo, max(v) AS hi FROM e_${r.id}`
    ).join(" UNION ALL "),
  );
  return JSON.stringify({
    versions: await db.versions(),
    tables: (await db.tables()).filter((t) => t !== "bellows_audit"),
    indexes: await indexes(db),
    sums: sums.map((r) => [r.id, Number(r.n), Number(r.s), r.lo, r.hi]).sort(),
    ledger: (await db.rows("SELECT rev FROM ledger")).map((r) => r.rev).sort(),
    counter: await db.rows("SELECT n FROM counter"),
  });
}

/** What a test works with: a project and a way to make fresh databases of one dialect. */
interface Bench {
  readonly dialect: TestDialect;
  readonly mig: string;
  readonly revs: readonly GenRevision[];
  /** A fresh, empty database. */
  fresh(): Promise<TestDb>;
}

async function bench(
  dir: string,
  dialect: TestDialect,
  revs: readonly GenRevision[],
  cluster?: PgCluster,
  mysql?: MysqlServer,
): Promise<Bench> {
  const mig = `${dir}/mig`;
  await writeScripts(mig, scriptsOf(revs, dialect));
  let n = 0;
  return {
    dialect,
    mig,
    revs,
    fresh: () =>
      dialect === "sqlite"
        ? Promise.resolve(sqliteDb(dir, `db${++n}.db`))
        : dialect === "mysql"
        ? mysqlDb(mysql!, "rel")
        : postgresDb(cluster!, "rel"),
  };
}

const args = (b: Bench, db: TestDb, ...rest: string[]) => [
  "--url",
  db.url,
  "--migrations",
  b.mig,
  ...rest,
];

/** Upgrade to the head in one uninterrupted run; returns the snapshot and how long it ran. */
async function cleanRun(b: Bench): Promise<{ snap: string; ms: number }> {
  const db = await b.fresh();
  const run = startCli(args(b, db, "upgrade"));
  await run.waitForErr(/Running upgrade/);
  const t0 = Date.now();
  const r = await run.done();
  const ms = Date.now() - t0;
  assert.equal(r.code, 0, r.err);
  assert.equal(await checkConsistent(db, b.revs, "clean run"), b.revs.length);
  return { snap: await snapshot(db, b.revs), ms };
}

/**
 * SIGKILL upgrades at random moments, up to `perRound` times per database, `total` in all;
 * after each, the database is consistent and bellows reads it; after each round a rerun
 * completes to exactly the clean run's state. Returns how many kills landed mid-run.
 */
async function killCampaign(b: Bench, rand: () => number, total: number, perRound: number) {
  const clean = await cleanRun(b);
  const weight = (r: GenRevision) => r.rows + 500;
  const all = b.revs.reduce((n, r) => n + weight(r), 0);
  let landed = 0;
  const recoveries = new Map<string, number>();
  for (let done = 0; done < total;) {
    const db = await b.fresh();
    let applied = 0;
    for (let k = 0; k < perRound && done < total && applied < b.revs.length; k++, done++) {
      // MySQL commits each DDL statement: one transaction for the run promises nothing there.
      const single = b.dialect !== "mysql" && rand() < 0.25 ? ["--single-transaction"] : [];
      const run = startCli(args(b, db, "upgrade", ...single));
      const early = rand() < 0.15;
      if (early) {
        // Before any revision runs: startup, lock, version table.
        await run.waitForErr(/Running upgrade/).catch(() => {});
      } else {
        // Inside a revision picked among those left: wait until it starts, then part of
        // the time it takes (the log line comes as it starts).
        // On a new database, half the time the first (big) one.
        const target = applied === 0 && rand() < 0.5
          ? b.revs[0]
          : b.revs[applied + Math.floor(rand() * (b.revs.length - applied))];
        await run.waitForErr(new RegExp(`-> ${target.id}\\b`)).catch(() => {});
        await new Promise((r) => setTimeout(r, rand() * clean.ms * weight(target) / all));
      }
      try {
        run.process.kill("SIGKILL");
      } catch {
        // already exited
      }
      const r = await run.done();
      if (r.code === 137) landed++;
      else assert.equal(r.code, 0, `a run that was not killed fails: ${r.err}`);
      const when = `after kill ${done + 1} (${single.join("") || "per revision"})`;
      // bellows itself reads the database first, as the kill left it (a hot journal, which
      // any look from outside would roll back; a dead session still holding its lock).
      let cur = await runCli(args(b, db, "-q", "current"));
      if (b.dialect === "mysql" && cur.code === 9) {
        // A revision holding DDL runs statement by statement there: a kill inside it leaves
        // it interrupted by design. Recover as bellows prescribes, then look again.
        const how = await recoverInterrupted(b, db, rand, when);
        recoveries.set(how, (recoveries.get(how) ?? 0) + 1);
        cur = await runCli(args(b, db, "-q", "current"));
      }
      assert.equal(cur.code, 0, `${when}: current: ${cur.err}`);
      applied = await checkConsistent(db, b.revs, when);
      const expected = applied === 0
        ? ""
        : `${b.revs[applied - 1].id}${applied === b.revs.length ? " (head)" : ""}`;
      assert.equal(cur.out, expected, `${when}: current`);
    }
    const rerun = await runCli(args(b, db, "-q", "upgrade"));
    assert.equal(rerun.code, 0, rerun.err);
    await checkConsistent(db, b.revs, "after the rerun");
    assert.equal(await snapshot(db, b.revs), clean.snap, "a recovered database equals a clean run");
  }
  return { landed, recoveries };
}

/** A step of `error.interrupted.undo` / `.finish` in `--json` (docs/automation.md). */
interface RecoveryStep {
  action: "sql" | "manual" | "stamp";
  sql?: string;
  revisions?: string[];
  statement?: number;
  note: string;
}

/**
 * An interrupted revision (exit 9), recovered exactly as bellows prescribes: read the
 * account from `--json` of `upgrade` (which waits for the runner lock the killed session
 * holds until the server has run its statement to the end) or of `check` once that
 * session has ended; check what it claims completed against the database; follow its
 * undo or its finish steps, at random, ending in the stamp it names. Every step must work
 * as given (a statement that already ran, or one undone that never ran, fails here), and
 * the database must then hold exactly the revisions the version table names. Returns which
 * way out was taken, for the log.
 */
async function recoverInterrupted(
  b: Bench,
  db: TestDb,
  rand: () => number,
  when: string,
): Promise<string> {
  // Half the time as an operator who just runs `upgrade` again: it waits for the runner
  // lock, which the killed session holds until the server has run its statement to the
  // end, so it reads the outcome. Else `check`, which takes no lock, once the session is
  // gone from the process list.
  const viaUpgrade = rand() < 0.5;
  if (!viaUpgrade) {
    await until(
      async () =>
        (await db.rows(
          "SELECT COUNT(*) AS n FROM information_schema.processlist " +
            "WHERE db = DATABASE() AND id <> CONNECTION_ID()",
        ))[0].n === 0,
      `${when}: the killed run's session to end`,
      60_000,
    );
  }
  const r = await runCli(args(b, db, "--json", viaUpgrade ? "upgrade" : "check"));
  assert.equal(r.code, 9, `${when}: ${viaUpgrade ? "upgrade" : "check"}: ${r.err}`);
  const doc = JSON.parse(r.out);
  const it = doc.error.interrupted;
  assert.ok(it, `${when}: an interrupted revision's account in --json: ${r.out}`);
  assert.ok(it.statements !== null, `${when}: the script is known: ${r.err}`);
  const rev = b.revs.find((x) => x.id === it.revision)!;
  // The statements it says completed: the revision's table exists iff statement 1 did
  // (statement 4 on the first revision, after ledger, counter and its row).
  const tableAt = rev === b.revs[0] ? 4 : 1;
  const tables = await db.tables();
  assert.equal(
    tables.includes(`e_${rev.id}`),
    it.completed >= tableAt,
    `${when}: ${it.completed} of ${it.statements} statements completed, per: ${r.err}`,
  );
  if (it.running?.state === "completed") {
    assert.match(r.err, /completed \((found|\S+ \S+( on \S+)? is gone)[^)]*\), not checkpointed/);
  }
  const way = rand() < 0.5 ? "undo" : "finish";
  const steps: RecoveryStep[] = it[way];
  for (const step of steps) {
    if (step.action === "sql") {
      await db.exec(step.sql!).catch((e) => {
        throw new Error(`${when}: ${way} step '${step.sql}' (${step.note}) failed: ${e}`);
      });
    } else if (step.action === "stamp") {
      assert.equal(step, steps.at(-1), "the stamp comes last");
      const stamp = await runCli(args(b, db, "-q", "stamp", ...step.revisions!));
      assert.equal(stamp.code, 0, `${when}: stamp: ${stamp.err}`);
    } else {
      assert.fail(`${when}: a step to do by hand: ${step.note}`);
    }
  }
  await checkConsistent(db, b.revs, `${when}, after following "${way}"`);
  return `${way}${it.running?.state === "completed" ? " (running one found completed)" : ""}` +
    (viaUpgrade ? " after upgrade" : " after check");
}

const cluster = await startCluster();

for (const dialect of ["sqlite", "postgresql"] as const) {
  seeded(
    `${dialect}: ${SIZE.kills} SIGKILLs at random moments never leave a revision half-applied`,
    async (rand) => {
      await withTempDir(async (dir) => {
        const b = await bench(dir, dialect, generate(rand, SIZE.revisions, SIZE.maxRows), cluster);
        const { landed } = await killCampaign(b, rand, SIZE.kills, SIZE.killsPerRound);
        console.log(`${dialect}: ${landed} of ${SIZE.kills} SIGKILLs landed mid-run`);
        // Most kills must land inside a run, or the test proves little.
        assert.ok(landed >= Math.ceil(SIZE.kills / 2), `only ${landed} kills landed mid-run`);
      });
    },
  );
}

// MariaDB. Each multi-statement revision holds DDL, so there it runs statement by
// statement with checkpoints (MySQL commits DDL as it runs). A kill mid-revision leaves it
// interrupted by design (exit 9 until someone finishes or undoes it): the campaign follows
// the recovery bellows prescribes, then checks the database as everywhere else.
const mysql = await startServer();

seeded(
  `mysql: ${SIZE.kills} SIGKILLs at random moments; each interrupted revision recovered as printed`,
  async (rand) => {
    await withTempDir(async (dir) => {
      const b = await bench(
        dir,
        "mysql",
        generate(rand, SIZE.revisions, SIZE.maxRows),
        undefined,
        mysql,
      );
      const { landed, recoveries } = await killCampaign(b, rand, SIZE.kills, SIZE.killsPerRound);
      console.log(
        `mysql: ${landed} of ${SIZE.kills} SIGKILLs landed mid-run; recovered: ${
          JSON.stringify(Object.fromEntries(recoveries))
        }`,
      );
      assert.ok(landed >= Math.ceil(SIZE.kills / 2), `only ${landed} kills landed mid-run`);
      assert.ok(recoveries.size > 0, "no kill left a revision interrupted: nothing was proven");
    });
  },
);

for (const dialect of ["sqlite", "postgresql", "mysql"] as const) {
  seeded(
    `${dialect}: ${SIZE.runners} runners at once apply every revision exactly once`,
    async (rand) => {
      await withTempDir(async (dir) => {
        const revs = generate(rand, Math.min(SIZE.revisions, 20), SIZE.maxRows / 4);
        const b = await bench(dir, dialect, revs, cluster, mysql);
        for (let round = 0; round < SIZE.runnerRounds; round++) {
          const db = await b.fresh();
          const runs = Array.from(
            { length: SIZE.runners },
            () => startCli(args(b, db, "-q", "--lock-wait", "300s", "upgrade")),
          );
          const results = await Promise.all(runs.map((r) => r.done()));
          for (const r of results) assert.equal(r.code, 0, r.err);
          assert.equal(await checkConsistent(db, revs, `round ${round + 1}`), revs.length);
        }
      });
    },
  );
}

/**
 * A run that lost its server says, in its last line, which revision was running and where
 * the database stands (checked against the database), in words rather than a socket's
 * `read ECONNRESET`.
 */
function assertLossReported(
  err: string,
  revs: readonly GenRevision[],
  applied: number,
  when: string,
): void {
  const last = err.split("\n").at(-1)!;
  assert.doesNotMatch(last, /ECONNRESET|EPIPE/, `${when}: ${last}`);
  const at = applied === 0 ? "<base>" : revs[applied - 1].id;
  // Lost where no statement or state write was under way (between them): the line is the
  // connection's, followed by what the run was doing, from the run's own account.
  const between = last.match(
    /^bellows: lost the connection to .*; the (?:up|down)grade of '(r\d+)' \(\S+\/(r\d+)\.sql\) was not committed: the database rolls it back and stays at (\S+)$/,
  );
  if (between) {
    assert.equal(between[1], between[2], `${when}: ${last}`);
    assert.equal(between[3], at, `${when}: where the database stands: ${last}`);
    return;
  }
  const betweenCommit = last.match(
    /^bellows: lost the connection to .*; the (?:up|down)grade of '(r\d+)' \(\S+\/(r\d+)\.sql\) was being committed: see 'bellows current' for whether the database is at (\S+) or still at (\S+)$/,
  );
  if (betweenCommit) {
    assert.equal(betweenCommit[1], betweenCommit[2], `${when}: ${last}`);
    assert.ok([betweenCommit[3], betweenCommit[4]].includes(at), `${when}: ${last}`);
    return;
  }
  const m = last.match(/^bellows: \S+\/(r\d+)\.sql(?::\d+:\d+)?: (.*lost the connection to .*)$/);
  assert.ok(m, `${when}: the last line names the revision's file: ${last}`);
  const [, rev, rest] = m;
  // Rolled back in the middle, could not begin, or cut during COMMIT (either position).
  const rolledBack = rest.match(
    /(?:up|down)grade of '(r\d+)' was rolled back; the database remains at (\S+)$/,
  );
  const notBegun = rest.match(
    /^the (?:up|down)grade of '(r\d+)' could not begin: .*; none of it ran, and the database remains at (\S+)$/,
  );
  const committing = rest.match(
    /whether it was committed is unknown; 'bellows current' shows whether the database is at (\S+) or still at (\S+)$/,
  );
  if (rolledBack || notBegun) {
    const [, named, position] = (rolledBack ?? notBegun)!;
    assert.equal(named, rev, `${when}: ${last}`);
    assert.equal(position, at, `${when}: where the database stands: ${last}`);
  } else {
    assert.ok(committing, `${when}: the last line says where the database stands: ${last}`);
    assert.ok([committing[1], committing[2]].includes(at), `${when}: ${last}`);
  }
}

seeded(
  `postgresql: ${SIZE.crashes} server crashes mid-run, then restart and rerun`,
  async (rand) => {
    // Durable commits: what a run reported committed must be there after the crash.
    const own = await startCluster({ durable: true });
    try {
      assert.ok(own.crash && own.restart, "a local cluster (not BELLOWS_TEST_PG_URL) is needed");
      await withTempDir(async (dir) => {
        const b = await bench(
          dir,
          "postgresql",
          generate(rand, SIZE.revisions, SIZE.maxRows),
          own,
        );
        const clean = await cleanRun(b);
        for (let i = 0; i < SIZE.crashes; i++) {
          const db = await b.fresh();
          const run = startCli(args(b, db, "upgrade"));
          await run.waitForErr(/Running upgrade/);
          await new Promise((r) => setTimeout(r, rand() * clean.ms));
          await own.crash!();
          const r = await run.done();
          // Finished before the crash (0), or lost its connection (7).
          assert.ok([0, 7].includes(r.code), `exit ${r.code}: ${r.err}`);
          await own.restart!();
          const when = `after crash ${i + 1}`;
          const applied = await checkConsistent(db, b.revs, when);
          if (r.code === 7) assertLossReported(r.err, b.revs, applied, when);
          const rerun = await runCli(args(b, db, "-q", "upgrade"));
          assert.equal(rerun.code, 0, `${when}: ${rerun.err}`);
          assert.equal(await snapshot(db, b.revs), clean.snap, `${when}: equals a clean run`);
        }
      });
    } finally {
      await own.stop();
    }
  },
);

seeded(
  "sqlite: a full disk (2 MB tmpfs) leaves no revision half-applied; a rerun completes once there is space (needs root to mount)",
  async (rand) => {
    await withTempDir(async (dir) => {
      // Rows enough that the disk fills a few revisions in.
      const revs = generate(rand, 12, 12_000).map((r, i) => ({
        ...r,
        rows: i === 0 ? 6_000 : 6_000 + r.rows,
      }));
      const b = await bench(dir, "sqlite", revs);
      const clean = await cleanRun(b);
      for (let round = 0; round < SIZE.diskFullRounds; round++) {
        const disk = `${dir}/disk${round}`;
        await Deno.mkdir(disk);
        sh("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", disk]);
        try {
          const db = sqliteDb(disk);
          // Odd rounds: the whole upgrade in one transaction, so all or nothing.
          const single = round % 2 === 1 ? ["--single-transaction"] : [];
          const r = await runCli(args(b, db, "-q", "upgrade", ...single));
          // A statement or a COMMIT that finds the disk full: 1, naming the revision (or the
          // run) that was rolled back and where the database stands.
          assert.equal(r.code, 1, `2 MB cannot hold these revisions: ${r.err}`);
          const applied = await checkConsistent(db, revs, "on the full disk");
          const at = applied === 0 ? "<base>" : revs[applied - 1].id;
          assert.match(
            r.err.split("\n").at(-1)!,
            new RegExp(
              `^bellows: \\S+/r\\d+\\.sql(:\\d+:\\d+)?: .*SQLITE_FULL database or disk is full; ` +
                `.*(upgrade of 'r\\d+'|the whole run) was rolled back.*; the database remains at ${at}$`,
            ),
          );
          assert.ok(applied < revs.length);
          if (single.length) assert.equal(applied, 0, "--single-transaction: all or nothing");
          const integrity = await db.rows("PRAGMA integrity_check");
          assert.deepEqual(integrity.map((x) => x.integrity_check), ["ok"]);
          sh("mount", ["-o", "remount,size=64m", disk]);
          const rerun = await runCli(args(b, db, "-q", "upgrade"));
          assert.equal(rerun.code, 0, rerun.err);
          assert.equal(await snapshot(db, revs), clean.snap, "equals a clean run");
        } finally {
          sh("umount", [disk]);
        }
      }
    });
  },
  !canMountTmpfs(),
);

Deno.test("reliability: stop the servers", async () => {
  await cluster.stop();
  await mysql.stop();
});
