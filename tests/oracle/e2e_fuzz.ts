/**
 * End-to-end differential fuzzing of the bellows command line against real Alembic.
 *
 * Each seed makes a random revision graph (several roots, branch points, merges, branch
 * labels, `depends_on` onto ids, partial ids and labels, across roots; file names in an
 * order unrelated to the graph) and a random sequence of `upgrade` / `downgrade` / `stamp`
 * commands (ids, partial and ambiguous ids, `heads`, `head`, `base`, `label@head`,
 * `label@base`, `label@id`, `+N`, `-N`, `id+N`, `id-N`, `label@+1`, `label@-1`, stamps of
 * several targets, `--purge`). Alembic (through the oracle, `alembic_oracle.py`) runs them
 * on one database, `bellows` (in-process `main`, generated SQL scripts) on another; every
 * revision appends `(rev, direction)` to a `fuzz_log` table. After each command both must
 * agree on failure or success, the version rows, their order as the database returns them
 * (Alembic's `downgrade -1` depends on it) and the log rows the command added.
 *
 * When Alembic fails after it changed the database (it crashed half-way), bellows must
 * refuse and leave the database as it was: that is the documented difference. The Alembic
 * database is then stamped back to bellows' rows so that the sequence can go on.
 *
 * It also compares `--sql`: `alembic upgrade|downgrade|stamp [start:]end --sql` and the
 * same `bellows ... --sql`, each run with `sqlite3` on a fresh database prepared at
 * `start`, must leave the same version rows and log rows (or both refuse).
 *
 * Usage (the big run; the CI-sized one is tests/interop_fuzz_test.ts):
 *
 *     deno run -A tests/oracle/e2e_fuzz.ts [--seeds 1-200] [--ops 40] [--pg] [--offline 6] [-v]
 *         [--inspect] [--per-revision] [--listdir-order] [--mixed]
 *
 * `--mixed`: Alembic takes about half the turns on the bellows database too, so that each tool
 * runs on from what the other left.
 * `--inspect` also compares `history`/`heads`/`branches` and `current`; `--per-revision`
 * runs bellows on PostgreSQL without `--single-transaction` (to see that documented
 * difference); `--listdir-order` lets Alembic read the revision files in the directory's
 * order, as its command line does, instead of sorted by name as bellows does: then the
 * order in which independent branches run differs, so "ran" order, the rows left by a
 * failing revision part-way and which half-way crashes Alembic reaches differ too, while
 * the rows after a successful command stay the same.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { runCli } from "../support/cli.ts";
import { PYTHON, writeBellowsProject } from "../support/interop.ts";
import { psql } from "../support/pg_cluster.ts";
import { prng } from "../support/random_graph.ts";
import { type OracleOp, type OracleRevision, runOracle, startOracleSession } from "./mod.ts";

type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const int = (rnd: Rnd, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

/** The statements each revision runs: one log row per direction. */
function logSql(id: string, fails?: "up" | "down"): Record<string, string[]> {
  const sql: Record<string, string[]> = {
    up: [`INSERT INTO fuzz_log (rev, dir) VALUES ('${id}', 'up')`],
    down: [`INSERT INTO fuzz_log (rev, dir) VALUES ('${id}', 'down')`],
  };
  // A revision whose SQL fails after its log row: the database must roll that row back.
  if (fails) sql[fails].push("INSERT INTO fuzz_no_such_table VALUES (1)");
  return sql;
}

/**
 * A random graph in topological order of generation; file names are random so that the
 * load order (sorted names) is unrelated to it. Ids share prefixes so that partial ids
 * can be ambiguous.
 */
export function randomGraph(rnd: Rnd): OracleRevision[] {
  const n = rnd() < 0.15 ? int(rnd, 12, 20) : int(rnd, 3, 11);
  const prefixes = ["ab", "ac", "b7", "c0"];
  const ids: string[] = [];
  while (ids.length < n) {
    const id = pick(rnd, prefixes) + Math.floor(rnd() * 0x10000).toString(16).padStart(4, "0");
    if (!ids.includes(id)) ids.push(id);
  }
  const labelPool = ["lx", "ly", "lz", "expand", "contract"];
  // Some graphs have revisions whose upgrade or downgrade fails.
  const failing = rnd() < 0.4 ? 0.1 : 0;
  const revs: OracleRevision[] = [];
  for (const [i, id] of ids.entries()) {
    const earlier = revs.map((r) => r.id);
    let down: string[] = [];
    if (i > 0 && rnd() > 0.18) {
      const k = rnd() < 0.2 ? int(rnd, 2, 3) : 1;
      const set = new Set<string>();
      for (let j = 0; j < k; j++) set.add(pick(rnd, earlier));
      down = [...set];
    }
    const labels: string[] = [];
    if (rnd() < 0.3 && labelPool.length > 0) {
      labels.push(labelPool.splice(Math.floor(rnd() * labelPool.length), 1)[0]);
    }
    const depends: string[] = [];
    if (i > 0 && rnd() < 0.25) {
      const on = revs[Math.floor(rnd() * revs.length)];
      const r = rnd();
      if (r < 0.4 || (r < 0.7 && !(on.labels?.length))) depends.push(on.id);
      else if (r < 0.7) depends.push(on.labels![0]);
      else if (rnd() < 0.3) depends.push(on.id.slice(0, 5)); // partial id: Alembic refuses
      else depends.push(on.id);
    }
    // Rarely a dependency on a later revision: a cycle, or a forward edge; Alembic decides.
    if (rnd() < 0.03) {
      const on = pick(rnd, ids.filter((x) => x !== id));
      // Alembic reads a repeated entry as one; a bellows header refuses repeats.
      if (!depends.includes(on)) depends.push(on);
    }
    const file = `${Math.floor(rnd() * 0x10000).toString(16).padStart(4, "0")}_${id}.py`;
    revs.push({
      id,
      down,
      labels,
      depends_on: depends,
      message: `rev ${id}`,
      file,
      sql: logSql(id, rnd() < failing ? pick(rnd, ["up", "down"] as const) : undefined),
    });
  }
  return revs;
}

/** One command of a sequence, as the oracle takes it. */
export type FuzzOp = OracleOp;

/** Random commands over `revs`. */
export function randomOps(revs: readonly OracleRevision[], count: number, rnd: Rnd): FuzzOp[] {
  const ids = revs.map((r) => r.id);
  const labels = revs.flatMap((r) => r.labels ?? []);
  const target = (): string => {
    const r = rnd();
    const id = pick(rnd, ids);
    const sign = () => (rnd() < 0.5 ? "+" : "-");
    if (r < 0.22) return id;
    if (r < 0.29) return id.slice(0, int(rnd, 4, 5));
    if (r < 0.31) return id.slice(0, 2); // usually ambiguous
    if (r < 0.39) return pick(rnd, ["heads", "head", "base"]);
    if (r < 0.49) return `${sign()}${int(rnd, 1, 3)}`;
    if (r < 0.56) return `${id}${sign()}${int(rnd, 1, 2)}`;
    if (r < 0.6) return `${pick(rnd, ["head", "heads", "base"])}${sign()}${int(rnd, 1, 2)}`;
    if (r < 0.62) return `${id}@head`;
    if (labels.length > 0) {
      const l = pick(rnd, labels);
      if (r < 0.7) return `${l}@head`;
      if (r < 0.75) return `${l}@base`;
      if (r < 0.81) return `${l}@${sign()}${int(rnd, 1, 2)}`;
      if (r < 0.85) return `${l}@${id.slice(0, 5)}`;
      if (r < 0.87) return `${l}@${id}${sign()}1`;
      if (r < 0.89) return `${l}@head${sign()}1`;
      if (r < 0.91) return l;
    }
    return id;
  };
  const ops: FuzzOp[] = [];
  for (let i = 0; i < count; i++) {
    const r = rnd();
    if (r < 0.42) ops.push(["upgrade", target()]);
    else if (r < 0.77) ops.push(["downgrade", target()]);
    else {
      const n = rnd() < 0.6 ? 1 : int(rnd, 2, 3);
      const to = Array.from(
        { length: n },
        () =>
          pick(rnd, [
            ...ids,
            ...ids.map((x) => x.slice(0, 5)),
            ...labels.map((l) => `${l}@head`),
            "heads",
            "base",
            "head",
          ]),
      );
      ops.push(["stamp", to, { purge: rnd() < 0.3 }]);
    }
  }
  return ops;
}

/** Alembic's version table, as it creates it. */
const VERSION_DDL = "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, " +
  "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))";

/** One database of a pair, with the readers the comparison needs. */
export interface FuzzDb {
  /** URL for bellows and SQLAlchemy. */
  readonly url: string;
  /** Create the log table (both tools' revisions insert into it). */
  prepare(): Promise<void>;
  /** Version rows in the order the database returns them without ORDER BY. */
  heads(): Promise<string[]>;
  /** Log rows `rev dir`, oldest first. */
  log(): Promise<string[]>;
  /** Replace the version rows (inserted in this order). */
  setHeads(rows: readonly string[]): Promise<void>;
}

/** A SQLite file as a {@linkcode FuzzDb}. */
export function sqliteFuzzDb(path: string): FuzzDb {
  const query = (sql: string): Record<string, unknown>[] => {
    const db = new DatabaseSync(path);
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };
  const has = (t: string) =>
    query(`SELECT count(*) AS n FROM sqlite_master WHERE name = '${t}'`)[0].n !== 0;
  return {
    url: `sqlite:///${path}`,
    prepare: () => {
      const db = new DatabaseSync(path);
      db.exec("CREATE TABLE fuzz_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, rev TEXT, dir TEXT)");
      db.close();
      return Promise.resolve();
    },
    heads: () =>
      Promise.resolve(
        has("alembic_version")
          ? query("SELECT version_num FROM alembic_version").map((r) => String(r.version_num))
          : [],
      ),
    log: () =>
      Promise.resolve(
        query("SELECT rev, dir FROM fuzz_log ORDER BY seq").map((r) => `${r.rev} ${r.dir}`),
      ),
    setHeads: (rows) => {
      const db = new DatabaseSync(path);
      db.exec(VERSION_DDL.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"));
      db.exec(`DELETE FROM alembic_version`);
      for (const r of rows) db.exec(`INSERT INTO alembic_version VALUES ('${r}')`);
      db.close();
      return Promise.resolve();
    },
  };
}

/** A PostgreSQL database as a {@linkcode FuzzDb}. */
export function pgFuzzDb(url: string): FuzzDb {
  const lines = (s: string) => s.split("\n").filter((l) => l !== "");
  return {
    url,
    prepare: async () => {
      await psql(url, "CREATE TABLE fuzz_log (seq serial PRIMARY KEY, rev text, dir text)");
    },
    heads: async () =>
      (await psql(url, "SELECT to_regclass('alembic_version') IS NOT NULL")) === "t"
        ? lines(await psql(url, "SELECT version_num FROM alembic_version"))
        : [],
    log: async () => lines(await psql(url, "SELECT rev || ' ' || dir FROM fuzz_log ORDER BY seq")),
    setHeads: async (rows) => {
      await psql(
        url,
        `${VERSION_DDL.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")}; ` +
          `DELETE FROM alembic_version; ${
            rows.map((r) => `INSERT INTO alembic_version VALUES ('${r}');`).join(" ")
          }`,
      );
    },
  };
}

/** A difference between the tools. */
export interface Disagreement {
  readonly seed: number;
  readonly index: number;
  readonly op: string;
  readonly kind: string;
  readonly detail: string;
}

/** Kinds that are not disagreements, only worth counting. */
export const INFO_KINDS: ReadonlySet<string> = new Set([
  "seed-dependent",
  "alembic-crashed",
  "cycle-alembic-misses",
]);

/** Does following down_revision and depends_on (ids or labels) ever come back? */
export function hasCycle(revisions: readonly OracleRevision[]): boolean {
  const byKey = new Map<string, string>();
  for (const r of revisions) {
    byKey.set(r.id, r.id);
    for (const l of r.labels ?? []) byKey.set(l, r.id);
  }
  const edges = new Map(revisions.map((r) => [
    r.id,
    [...r.down, ...(r.depends_on ?? [])].flatMap((k) => byKey.has(k) ? [byKey.get(k)!] : []),
  ]));
  const state = new Map<string, "open" | "done">();
  const visit = (id: string): boolean => {
    if (state.get(id) === "done") return false;
    if (state.get(id) === "open") return true;
    state.set(id, "open");
    const found = (edges.get(id) ?? []).some(visit);
    state.set(id, "done");
    return found;
  };
  return revisions.some((r) => visit(r.id));
}

/** Options of {@linkcode fuzzSeed}. */
export interface FuzzOptions {
  readonly seed: number;
  readonly ops: number;
  /** Working directory (scripts, Alembic project, SQLite files). */
  readonly dir: string;
  /** The two databases: `alembic` for the oracle, `bellows` for the CLI. */
  readonly alembic: FuzzDb;
  readonly bellows: FuzzDb;
  /** How many `--sql` cases to compare (SQLite files under `dir`); default 0. */
  readonly offline?: number;
  /** Print every op. */
  readonly verbose?: boolean;
  /**
   * Options for every bellows command; PostgreSQL needs `--single-transaction` to roll a
   * failed upgrade back whole, as Alembic's default env.py does there.
   */
  readonly bellowsArgs?: readonly string[];
  /**
   * A fresh database of the same kind, for replaying a command with another hash seed
   * (row order after an UPDATE differs between SQLite and PostgreSQL); default: a SQLite
   * file under `dir`.
   */
  readonly scratch?: () => Promise<FuzzDb>;
  /** Also compare `history`, `heads`, `branches` and, after each command, `current`. */
  readonly inspect?: boolean;
  /**
   * Mixed mode: the share of commands that Alembic, not bellows, runs on the bellows
   * database (the two tools take turns there; the other database is Alembic's alone).
   */
  readonly mixed?: number;
  /** A given graph instead of the seed's (a case found earlier, kept as a regression test). */
  readonly revisions?: OracleRevision[];
  /** Given commands instead of the seed's. */
  readonly commands?: readonly FuzzOp[];
}

/** The command line words of an op. */
export function opArgs(op: FuzzOp): string[] {
  if (op[0] === "stamp") {
    const to = typeof op[1] === "string" ? [op[1]] : [...op[1]];
    const purge = op.length === 3 && op[2].purge;
    return ["stamp", ...(purge ? ["--purge"] : []), ...to];
  }
  return [op[0], ...(op.length > 1 ? [op[1] as string] : [])];
}

/** What one command did to a database. */
interface Outcome {
  /** Set when the command failed. */
  readonly error?: string;
  /** Where inside Alembic it failed. */
  readonly where?: string;
  /** Version rows in the database's order. */
  readonly heads: readonly string[];
  /** Log rows it added. */
  readonly ran: readonly string[];
}

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const sorted = (xs: readonly string[]) => [...xs].sort();

function show(o: Outcome): string {
  return o.error !== undefined
    ? `failed (${o.error}${o.where ? ` at ${o.where}` : ""}) leaving [${o.heads}] ran [${o.ran}]`
    : `[${o.heads}] ran [${o.ran}]`;
}

/**
 * undefined when bellows did what it must: the same as Alembic; or, where Alembic failed,
 * fail too and leave the database as it was (even when Alembic changed it first).
 */
function judge(alembic: Outcome, mine: Outcome, before: readonly string[]): string | undefined {
  if (alembic.error !== undefined && SQL_ERROR.test(alembic.error)) {
    // A revision's SQL failed: bellows must fail too and keep what Alembic kept.
    if (mine.error === undefined) return "bellows-ran-sql-failed";
    if (!same(sorted(alembic.heads), sorted(mine.heads))) return "rows-after-sql-failure";
    if (!same(alembic.ran, mine.ran)) return "ran-after-sql-failure";
    return undefined;
  }
  if (alembic.error !== undefined) {
    if (mine.error === undefined) return "bellows-ran-alembic-failed";
    if (!same(mine.heads, before) || mine.ran.length > 0) return "bellows-failed-dirty";
    return undefined;
  }
  if (mine.error !== undefined) return "bellows-failed";
  if (!same(sorted(alembic.heads), sorted(mine.heads))) return "rows";
  if (!same(alembic.ran, mine.ran)) return "ran";
  if (!same(alembic.heads, mine.heads)) return "row-order";
  return undefined;
}

/** SQLAlchemy's errors from the database (a revision's SQL failed), not Alembic's own. */
const SQL_ERROR =
  /^(OperationalError|ProgrammingError|IntegrityError|InternalError|DatabaseError)\b/;

/** Output lines, sorted, branch labels sorted within a line (Alembic keeps them in a set). */
function listing(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "").map((l) =>
    l.replace(/\(([^()]*,[^()]*)\)/g, (_m, x: string) => `(${x.split(", ").sort().join(", ")})`)
  ).sort();
}

/** Alembic alone, with another hash seed, from `before` on a scratch database. */
async function replay(
  o: FuzzOptions,
  revisions: readonly OracleRevision[],
  before: readonly string[],
  op: FuzzOp,
  hashSeed: number,
): Promise<Outcome> {
  let db: FuzzDb;
  if (o.scratch) {
    db = await o.scratch();
    await db.prepare();
    await db.setHeads(before);
  } else {
    const path = `${o.dir}/replay.db`;
    await Deno.remove(path).catch(() => {});
    db = freshDb(path, [...before]);
  }
  const [r] = await runOracle(
    { revisions: [...revisions], ops: [op], url: db.url, reset: false, log: false },
    { hashSeed },
  );
  return {
    error: r.error,
    where: r.where ?? undefined,
    heads: await db.heads(),
    ran: await db.log(),
  };
}

/** What a seed compared, and what it found. */
export interface SeedReport {
  /** Disagreements and notes (kinds in {@linkcode INFO_KINDS} are notes). */
  readonly found: Disagreement[];
  /** Revisions in the graph. */
  readonly revisions: number;
  /** Commands compared; 0 when both tools refused the graph. */
  readonly compared: number;
  /** Of those, commands Alembic refused (bellows must too). */
  readonly refused: number;
  /** `--sql` cases compared, and how many of them both tools refused. */
  readonly offline: number;
  readonly offlineRefused: number;
}

/** Run one seed. */
export async function fuzzSeed(o: FuzzOptions): Promise<SeedReport> {
  const rnd = prng(o.seed);
  const graph = randomGraph(rnd);
  const sequence = randomOps(graph, o.ops, rnd);
  const revisions = o.revisions ?? graph;
  const ops = o.commands ?? sequence;
  const migrations = `${o.dir}/bellows`;
  await writeBellowsProject(migrations, revisions);
  await o.alembic.prepare();
  await o.bellows.prepare();
  const out: Disagreement[] = [];
  const stats = { compared: 0, refused: 0, offline: 0, offlineRefused: 0 };
  const report = (): SeedReport => ({ found: out, revisions: revisions.length, ...stats });
  const found = (index: number, op: string, kind: string, detail: string) => {
    out.push({ seed: o.seed, index, op, kind, detail });
    if (o.verbose) console.log(`  !! ${kind}: ${detail}`);
  };
  const session = startOracleSession({
    revisions,
    url: o.alembic.url,
    log: false,
    // Both databases are new; the bellows one may already hold rows when Alembic first
    // touches it (mixed mode), so nothing is dropped.
    reset: false,
    project_dir: `${o.dir}/alembic`,
  }, { hashSeed: 0 });
  const bellows = (args: string[], url = o.bellows.url) =>
    runCli(["--url", url, "--migrations", migrations, "-q", ...o.bellowsArgs ?? [], ...args]);
  try {
    // A graph Alembic refuses must be refused by bellows too; nothing else to do then.
    const [first] = await session.run([["show_heads"]]);
    const hist = await bellows(["history"]);
    if (first.error !== undefined || hist.code !== 0) {
      if ((first.error !== undefined) !== (hist.code !== 0)) {
        // Alembic 1.8 finds a cycle only where it cuts revisions off from the heads or bases;
        // one through depends_on alone passes its check, then its commands crash.
        const cycle = hist.code !== 0 && /cycle is detected/i.test(hist.err) && hasCycle(revisions);
        found(
          -1,
          "load",
          cycle ? "cycle-alembic-misses" : "graph",
          `Alembic: ${first.error ?? "ok"}; bellows: ${hist.err || "ok"}`,
        );
      }
      return report();
    }
    if (o.inspect) {
      // The listings, through the alembic command line (its own file order: compare sets).
      for (const cmd of ["history", "heads", "branches"]) {
        const a = await run(PYTHON, ["-m", "alembic", "-c", `${o.dir}/alembic/alembic.ini`, cmd]);
        const b = await bellows([cmd]);
        if (a.code !== 0 || b.code !== 0 || !same(listing(a.out), listing(b.out))) {
          found(
            -1,
            cmd,
            "listing",
            `alembic ${a.code} ${a.out}${a.err}; bellows ${b.code} ${b.out}${b.err}`,
          );
        }
      }
    }
    let logA = 0;
    let logB = 0;
    for (const [index, op] of ops.entries()) {
      const text = opArgs(op).join(" ");
      const before = await o.bellows.heads();
      if (o.verbose) console.log(`#${index} ${text}  [${before}]`);
      const [a] = await session.run([op]);
      // Mixed mode: Alembic takes some turns on the bellows database too.
      const alembicTurn = o.mixed !== undefined && rnd() < o.mixed;
      if (alembicTurn && o.verbose) console.log("   (Alembic's turn on the shared database)");
      const b = alembicTurn
        ? await session.run([{ op, url: o.bellows.url }]).then(([r]) => ({
          code: r.error === undefined ? 0 : 1,
          err: r.error ?? "",
        }))
        : await bellows(opArgs(op));
      const allA = await o.alembic.log();
      const allB = await o.bellows.log();
      const alembic: Outcome = {
        error: a.error,
        where: a.where ?? undefined,
        heads: await o.alembic.heads(),
        ran: allA.slice(logA),
      };
      const mine: Outcome = {
        error: b.code !== 0 ? b.err.trim() || `exit ${b.code}` : undefined,
        heads: await o.bellows.heads(),
        ran: allB.slice(logB),
      };
      logA = allA.length;
      logB = allB.length;
      stats.compared++;
      if (alembic.error !== undefined) stats.refused++;
      // On Alembic's turn both databases saw Alembic: the same outcome, crashes included.
      let verdict = alembicTurn
        ? ((alembic.error === undefined) === (mine.error === undefined) &&
            same(sorted(alembic.heads), sorted(mine.heads)) && same(alembic.ran, mine.ran)
          ? undefined
          : "alembic-differs-from-itself")
        : judge(alembic, mine, before);
      // Alembic walks Python sets in places: another hash seed may give bellows' answer.
      // (Not for a failed revision's SQL: the replay runs on SQLite, which commits each
      // revision, where Alembic on PostgreSQL rolls the whole run back.)
      if (verdict !== undefined && !SQL_ERROR.test(alembic.error ?? "")) {
        for (let hashSeed = 1; hashSeed <= 24 && verdict !== undefined; hashSeed++) {
          const other = await replay(o, revisions, before, op, hashSeed);
          if (judge(other, mine, before) === undefined) {
            verdict = undefined;
            found(
              index,
              text,
              "seed-dependent",
              `Alembic (seed 0) ${show(alembic)}; ` +
                `with PYTHONHASHSEED=${hashSeed} it does what bellows does: ${show(mine)}`,
            );
          }
        }
      }
      // A revision's SQL failed in Alembic's run, and bellows refused the plan before
      // running anything: right if Alembic, had that SQL not failed, would have crashed
      // further on (bellows checks the whole plan against Alembic's rules first).
      if (
        verdict !== undefined && SQL_ERROR.test(alembic.error ?? "") &&
        mine.error !== undefined && same(mine.heads, before) && mine.ran.length === 0
      ) {
        const clean = revisions.map((r) => ({ ...r, sql: logSql(r.id) }));
        const other = await replay(o, clean, before, op, 0);
        if (
          other.error !== undefined && !SQL_ERROR.test(other.error) &&
          judge(other, mine, before) === undefined
        ) {
          verdict = undefined;
          found(
            index,
            text,
            "alembic-crashed",
            `Alembic ${show(alembic)}; without the failing SQL it crashes: ${show(other)}; ` +
              `bellows refused the plan first: ${mine.error}`,
          );
        }
      }
      if (verdict !== undefined) {
        found(index, text, verdict, `Alembic ${show(alembic)}; bellows ${show(mine)}`);
      } else if (
        alembic.error !== undefined && !SQL_ERROR.test(alembic.error) &&
        (!same(sorted(alembic.heads), sorted(before)) || alembic.ran.length > 0)
      ) {
        found(
          index,
          text,
          "alembic-crashed",
          `Alembic ${show(alembic)}; bellows refused cleanly: ${mine.error}`,
        );
      }
      // Go on from bellows' state: put Alembic's database there (rows and their order).
      if (!same(alembic.heads, mine.heads)) await o.alembic.setHeads(mine.heads);
      if (o.inspect) {
        // `current` as each tool prints it, on the same rows.
        const [cur] = await session.run([["show_current"]]);
        const mineCur = await bellows(["current"]);
        if (!same(listing(cur.stdout ?? ""), listing(mineCur.out))) {
          found(index, "current", "current", `alembic ${cur.stdout}; bellows ${mineCur.out}`);
        }
      }
    }
    for (let i = 0; i < (o.offline ?? 0); i++) {
      const r = await offlineCase(o, revisions, rnd, i, migrations);
      stats.offline++;
      if (r === "refused") stats.offlineRefused++;
      else out.push(...r);
    }
  } finally {
    await session.close();
  }
  return report();
}

async function run(
  cmd: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/** A fresh SQLite file with the log table and, when `start` is given, its version rows. */
function freshDb(path: string, start: string[] | undefined): FuzzDb {
  const db = sqliteFuzzDb(path);
  const sqlite = new DatabaseSync(path);
  sqlite.exec("CREATE TABLE fuzz_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, rev TEXT, dir TEXT)");
  if (start) {
    sqlite.exec(VERSION_DDL);
    for (const s of start) sqlite.exec(`INSERT INTO alembic_version VALUES ('${s}')`);
  }
  sqlite.close();
  return db;
}

/** One `--sql` comparison: a random command and range, both scripts run by sqlite3. */
async function offlineCase(
  o: FuzzOptions,
  revisions: readonly OracleRevision[],
  rnd: Rnd,
  i: number,
  migrations: string,
): Promise<Disagreement[] | "refused"> {
  const ids = revisions.map((r) => r.id);
  const labels = revisions.flatMap((r) => r.labels ?? []);
  const cmd = pick(rnd, ["upgrade", "upgrade", "downgrade", "stamp"] as const);
  const end = pick(rnd, [
    ...ids,
    ...(cmd === "downgrade" ? ["base", "-1", "-2"] : ["heads", "head", "+1", "+2"]),
    ...labels.map((l) => `${l}@head`),
  ]);
  // downgrade --sql needs a start; upgrade/stamp also run from an empty database.
  const start = cmd === "downgrade" || rnd() < 0.6 ? pick(rnd, ids) : undefined;
  const range = start === undefined ? end : `${start}:${end}`;
  // stamp also takes several revisions.
  const extra = cmd === "stamp" && start === undefined && rnd() < 0.4 ? [pick(rnd, ids)] : [];
  const text = `${cmd} --sql ${[range, ...extra].join(" ")}`;
  const ini = `${o.dir}/alembic/alembic.ini`;
  const a = await run(PYTHON, ["-m", "alembic", "-c", ini, cmd, range, ...extra, "--sql"]);
  const b = await runCli([
    "--url",
    "sqlite:///x.db",
    "--migrations",
    migrations,
    "-q",
    cmd,
    "--sql",
    range,
    ...extra,
  ]);
  const bad = (kind: string, detail: string): Disagreement[] => [
    { seed: o.seed, index: 1000 + i, op: text, kind, detail },
  ];
  if (o.verbose) console.log(`offline ${text}: alembic ${a.code}, bellows ${b.code}`);
  if ((a.code !== 0) !== (b.code !== 0)) {
    return bad(
      "offline-status",
      `alembic ${a.code}: ${a.err.trim().split("\n").at(-1)}; bellows ${b.code}: ${b.err.trim()}`,
    );
  }
  if (a.code !== 0) return "refused";
  const dbA = freshDb(`${o.dir}/off_a${i}.db`, start ? [start] : undefined);
  const dbB = freshDb(`${o.dir}/off_b${i}.db`, start ? [start] : undefined);
  await Deno.writeTextFile(`${o.dir}/off_a${i}.sql`, a.out);
  await Deno.writeTextFile(`${o.dir}/off_b${i}.sql`, b.out);
  const ra = await run("sqlite3", [
    "-bail",
    `${o.dir}/off_a${i}.db`,
    `.read ${o.dir}/off_a${i}.sql`,
  ]);
  const rb = await run("sqlite3", [
    "-bail",
    `${o.dir}/off_b${i}.db`,
    `.read ${o.dir}/off_b${i}.sql`,
  ]);
  // A failing revision stops both scripts (sqlite3 -bail); what ran before it stays.
  if ((ra.code !== 0) !== (rb.code !== 0)) {
    return bad(
      "offline-script",
      `sqlite3 alembic ${ra.code} ${ra.err.trim()}; bellows ${rb.code} ${rb.err.trim()}`,
    );
  }
  const [ha, hb] = [(await dbA.heads()).sort(), (await dbB.heads()).sort()];
  const [la, lb] = [await dbA.log(), await dbB.log()];
  if (JSON.stringify(ha) !== JSON.stringify(hb) || JSON.stringify(la) !== JSON.stringify(lb)) {
    return bad("offline-result", `alembic [${ha}] ran [${la}]; bellows [${hb}] ran [${lb}]`);
  }
  return [];
}

function parseSeeds(spec: string): number[] {
  const [lo, hi] = spec.split("-").map(Number);
  return Array.from({ length: (hi ?? lo) - lo + 1 }, (_, i) => lo + i);
}

if (import.meta.main) {
  const args = [...Deno.args];
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seeds = parseSeeds(flag("--seeds") ?? "1-50");
  const ops = Number(flag("--ops") ?? 40);
  const pgFlag = args.includes("--pg");
  if (args.includes("--listdir-order")) Deno.env.set("ORACLE_LISTDIR_ORDER", "1");
  const offline = pgFlag ? 0 : Number(flag("--offline") ?? 4);
  const verbose = args.includes("-v");
  const pg = pgFlag;
  const { startCluster, createDatabase } = await import("../support/pg_cluster.ts");
  const cluster = pg ? await startCluster() : undefined;
  const all: Disagreement[] = [];
  const totals = { compared: 0, refused: 0, offline: 0, offlineRefused: 0, graphsRefused: 0 };
  let n = 0;
  try {
    for (const seed of seeds) {
      const dir = await Deno.makeTempDir({ prefix: `bellows-fuzz-${seed}-` });
      try {
        const [alembic, bellows] = cluster
          ? [
            pgFuzzDb((await createDatabase(cluster, "fz_a")).url),
            pgFuzzDb((await createDatabase(cluster, "fz_b")).url),
          ]
          : [sqliteFuzzDb(`${dir}/alembic.db`), sqliteFuzzDb(`${dir}/bellows.db`)];
        if (verbose) console.log(`seed ${seed}`);
        const bellowsArgs = pg && !args.includes("--per-revision") ? ["--single-transaction"] : [];
        const rep = await fuzzSeed({
          seed,
          ops,
          dir,
          alembic,
          bellows,
          offline,
          verbose,
          bellowsArgs,
          inspect: args.includes("--inspect"),
          mixed: args.includes("--mixed") ? 0.5 : undefined,
          scratch: cluster
            ? async () => pgFuzzDb((await createDatabase(cluster, "fz_r")).url)
            : undefined,
        });
        const found = rep.found;
        n++;
        totals.compared += rep.compared;
        totals.refused += rep.refused;
        totals.offline += rep.offline;
        totals.offlineRefused += rep.offlineRefused;
        if (rep.compared === 0) totals.graphsRefused++;
        for (const d of found) {
          if (verbose || !INFO_KINDS.has(d.kind)) {
            console.log(`seed ${d.seed} #${d.index} ${d.op}: ${d.kind}: ${d.detail}`);
          }
        }
        all.push(...found);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  } finally {
    await cluster?.stop();
  }
  const kinds = new Map<string, number>();
  for (const d of all) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
  const bad = all.filter((d) => !INFO_KINDS.has(d.kind)).length;
  console.log(
    `${n} seeds (${totals.graphsRefused} graphs refused), ${totals.compared} commands ` +
      `compared (${totals.refused} refused by both), ${totals.offline} --sql cases ` +
      `(${totals.offlineRefused} refused by both): ${bad} disagreements`,
  );
  for (const [k, c] of kinds) console.log(`  ${k}: ${c}`);
}
