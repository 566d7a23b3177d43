/**
 * The benchmark suite of issue 12: bellows beside real Alembic, raw `sqlite3` and `psql -f`,
 * interleaved in one run, each measure printed as ratios (min and median of the per-round
 * ratios) and absolute figures (median time, median max RSS).
 *
 *     deno task bench                 # quick sizes (QUICK_SIZES), n=3
 *     deno task bench --full          # the sizes of issue 12's table, n=5
 *     deno task bench --n=7 --only=startup,heads
 *     deno task bench --only=data-pg --rows=1000000
 *
 * bellows runs as `deno run` of main.ts with the permissions and the V8 setting the compiled
 * binary gets (src/permissions.ts). Each round runs every subject of a measure once, in an order that
 * rotates from round to round, after one warm-up round that is not counted. PostgreSQL is a
 * throwaway cluster (tests/support/pg_cluster.ts), reached over its Unix socket by all.
 * Memory is `/usr/bin/time -f %M` (apt package `time`) when present.
 *
 * Not run by `deno task test`; bench/workloads_test.ts checks the generated projects.
 *
 * @module
 */
import { permissionFlags, v8Flags } from "../src/permissions.ts";
import {
  alembicProject,
  bellowsProject,
  type BenchSizes,
  DATA_BATCH_SIZE,
  DATA_UPDATE_ALL,
  dataMigrationProject,
  dataTableSql,
  FULL_SIZES,
  linearHistory,
  QUICK_SIZES,
  rawScript,
  revisionId,
} from "./workloads.ts";
import { createDatabase, type PgCluster, psql, startCluster } from "../tests/support/pg_cluster.ts";
import postgres from "postgres";

const PYTHON = Deno.env.get("BELLOWS_PYTHON") ?? "/usr/bin/python3";
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const TIME = "/usr/bin/time";
const hasTime = (() => {
  try {
    return Deno.statSync(TIME).isFile;
  } catch {
    return false;
  }
})();

/** One process to time, prepared afresh for every run (e.g. on a new database). */
interface Subject {
  readonly label: string;
  /** Make what the run needs; returns the command line and a check/cleanup for after it. */
  prepare(): Promise<{ argv: string[]; cwd?: string; after?: () => Promise<void> }>;
}

/** One measure: subjects run side by side, and the ratios printed for it. */
interface Measure {
  readonly name: string;
  readonly subjects: readonly Subject[];
  /** [numerator label, denominator label, goal text]. */
  readonly ratios: readonly (readonly [string, string, string])[];
  /** Set-up before the rounds, tear-down after. */
  readonly setup?: () => Promise<void>;
  readonly teardown?: () => Promise<void>;
  /** Lines printed after the tables (e.g. what a concurrent writer saw). */
  readonly notes?: () => string[];
}

interface Sample {
  seconds: number;
  rssKiB?: number;
}

const bellows = (
  args: string[],
) => [Deno.execPath(), "run", "--quiet", ...permissionFlags(), v8Flags(), MAIN, ...args];

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  const made = new Set<string>();
  for (const [name, text] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    const parent = path.slice(0, path.lastIndexOf("/"));
    if (!made.has(parent)) {
      await Deno.mkdir(parent, { recursive: true });
      made.add(parent);
    }
    await Deno.writeTextFile(path, text);
  }
}

/** Run `argv` once; time it and (with /usr/bin/time) its max RSS. Throws on failure. */
async function timeOnce(argv: string[], cwd?: string): Promise<Sample> {
  const rssFile = hasTime ? await Deno.makeTempFile({ prefix: "bellows-bench-rss-" }) : "";
  const full = hasTime ? [TIME, "-f", "%M", "-o", rssFile, ...argv] : argv;
  const t0 = performance.now();
  const out = await new Deno.Command(full[0], {
    args: full.slice(1),
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-5).join("\n");
    throw new Error(`failed (exit ${out.code}): ${argv.join(" ").slice(0, 300)}\n${err}`);
  }
  let rssKiB: number | undefined;
  if (hasTime) {
    const m = /(\d+)\s*$/.exec(await Deno.readTextFile(rssFile));
    rssKiB = m ? Number(m[1]) : undefined;
    await Deno.remove(rssFile);
  }
  return { seconds, rssKiB };
}

async function sqliteVersion(file: string): Promise<string> {
  const out = await new Deno.Command("sqlite3", {
    args: [file, "SELECT version_num FROM alembic_version"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

function expectHead(what: string, got: string, want: string): void {
  if (got !== want) throw new Error(`${what}: version row is '${got}', expected '${want}'`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Everything one benchmark run shares: sizes, a scratch folder, the PostgreSQL cluster. */
class Bench {
  #cluster: PgCluster | undefined;
  #seq = 0;
  constructor(readonly sizes: BenchSizes, readonly root: string) {}

  fresh(prefix: string): string {
    return `${this.root}/${prefix}${++this.#seq}`;
  }

  async cluster(): Promise<PgCluster> {
    this.#cluster ??= await startCluster();
    return this.#cluster;
  }

  async stop(): Promise<void> {
    await this.#cluster?.stop();
  }

  /** A new database on the cluster: its socket URLs for each tool, and a drop. */
  async pgDatabase() {
    const c = await this.cluster();
    const db = await createDatabase(c, "bench");
    const q = `host=${encodeURIComponent(c.socketDir)}&port=${c.port}`;
    return {
      bellowsUrl: `postgresql:///${db.name}?${q}&user=${c.superuser}`,
      psqlUrl: `postgresql://${c.superuser}@/${db.name}?${q}`,
      alembicUrl: `postgresql+psycopg2://${c.superuser}@/${db.name}?${q}`,
      /** The URL the test harness uses (postgres.js and psql both read it). */
      url: db.url,
      head: () => psql(db.url, "SELECT version_num FROM alembic_version"),
      drop: () => psql(c.superuserUrl, `DROP DATABASE "${db.name}"`).then(() => {}),
    };
  }
}

function upgradeSqlite(b: Bench): Measure {
  const revs = linearHistory(b.sizes.upgrade);
  const head = revisionId(revs.length);
  const dir = b.fresh("up-sqlite");
  const scripts = `${dir}/bellows`;
  const raw = `${dir}/raw.sql`;
  const db = (tag: string) => `${b.fresh(tag)}.db`;
  return {
    name: `upgrade heads, ${revs.length} revisions, SQLite`,
    setup: async () => {
      await writeFiles(scripts, bellowsProject(revs));
      await Deno.writeTextFile(raw, rawScript(revs));
    },
    subjects: [
      {
        label: "bellows",
        prepare: () => {
          const file = db("bellows");
          return Promise.resolve({
            argv: bellows([
              "--url",
              `sqlite:${file}`,
              "--migrations",
              scripts,
              "-q",
              "upgrade",
              "heads",
            ]),
            after: async () => expectHead("bellows", await sqliteVersion(file), head),
          });
        },
      },
      {
        label: "sqlite3",
        prepare: () => {
          const file = db("raw");
          return Promise.resolve({
            argv: ["sqlite3", "-bail", file, `.read ${raw}`],
            after: async () => expectHead("sqlite3", await sqliteVersion(file), head),
          });
        },
      },
      {
        label: "alembic",
        prepare: async () => {
          const file = db("alembic");
          const proj = b.fresh("alembic-sqlite");
          await writeFiles(proj, alembicProject(revs, { url: `sqlite:///${file}` }));
          return {
            argv: [PYTHON, "-m", "alembic", "-c", `${proj}/alembic.ini`, "upgrade", "heads"],
            after: async () => expectHead("alembic", await sqliteVersion(file), head),
          };
        },
      },
    ],
    ratios: [["bellows", "sqlite3", "<= 1.2"], ["bellows", "alembic", "< 1"]],
  };
}

function upgradePostgres(b: Bench): Measure {
  const revs = linearHistory(b.sizes.upgrade);
  const head = revisionId(revs.length);
  const dir = b.fresh("up-pg");
  const scripts = `${dir}/bellows`;
  const raw = `${dir}/raw.sql`;
  const onDb = (
    label: string,
    argv: (db: Awaited<ReturnType<Bench["pgDatabase"]>>) => Promise<string[]>,
  ): Subject => ({
    label,
    prepare: async () => {
      const db = await b.pgDatabase();
      return {
        argv: await argv(db),
        after: async () => {
          try {
            expectHead(label, await db.head(), head);
          } finally {
            await db.drop();
          }
        },
      };
    },
  });
  const bellowsArgs = (url: string, extra: string[]) =>
    bellows(["--url", url, "--migrations", scripts, "-q", ...extra, "upgrade", "heads"]);
  return {
    name: `upgrade heads, ${revs.length} revisions, PostgreSQL (unix socket)`,
    setup: async () => {
      await writeFiles(scripts, bellowsProject(revs));
      await Deno.writeTextFile(raw, rawScript(revs));
      await b.cluster();
    },
    subjects: [
      onDb("bellows", (db) => Promise.resolve(bellowsArgs(db.bellowsUrl, []))),
      onDb(
        "bellows --single-transaction",
        (db) => Promise.resolve(bellowsArgs(db.bellowsUrl, ["--single-transaction"])),
      ),
      onDb(
        "psql -f",
        (db) =>
          Promise.resolve([
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            db.psqlUrl,
            "-f",
            raw,
          ]),
      ),
      onDb("alembic", async (db) => {
        const proj = b.fresh("alembic-pg");
        await writeFiles(proj, alembicProject(revs, { url: db.alembicUrl }));
        return [PYTHON, "-m", "alembic", "-c", `${proj}/alembic.ini`, "upgrade", "heads"];
      }),
    ],
    ratios: [
      ["bellows", "psql -f", "<= 1.2"],
      ["bellows --single-transaction", "alembic", "< 1"],
    ],
  };
}

/** `--version`, `--help`, `current` and an empty `deno run`: what a cold process costs. */
function startup(b: Bench): Measure {
  const revs = linearHistory(b.sizes.current);
  const dir = b.fresh("startup");
  const scripts = `${dir}/bellows`;
  const proj = `${dir}/alembic`;
  const file = `${dir}/current.db`;
  const empty = `${dir}/empty.ts`;
  const fixed = (label: string, argv: string[]): Subject => ({
    label,
    prepare: () => Promise.resolve({ argv, cwd: dir }),
  });
  return {
    name: `start-up: --version, and current with ${revs.length} revisions (SQLite)`,
    setup: async () => {
      await writeFiles(scripts, bellowsProject(revs));
      await writeFiles(proj, alembicProject(revs, { url: `sqlite:///${file}` }));
      await Deno.writeTextFile(empty, "");
      // The database at head, via the raw script (the fastest way there).
      await Deno.writeTextFile(`${dir}/raw.sql`, rawScript(revs));
      await timeOnce(["sqlite3", "-bail", file, `.read ${dir}/raw.sql`]);
      expectHead("setup", await sqliteVersion(file), revisionId(revs.length));
    },
    subjects: [
      fixed("empty deno run", [Deno.execPath(), "run", "--quiet", empty]),
      fixed("bellows --version", bellows(["--version"])),
      // main.ts answers --version alone before loading the command line: --help is what
      // loading it (commander, Node compatibility, bellows' modules) costs.
      fixed("bellows --help", bellows(["--help"])),
      fixed(
        "bellows current",
        bellows(["--url", `sqlite:${file}`, "--migrations", scripts, "current"]),
      ),
      fixed("alembic current", [PYTHON, "-m", "alembic", "-c", `${proj}/alembic.ini`, "current"]),
    ],
    ratios: [
      ["bellows --version", "empty deno run", "<= 1.5"],
      ["bellows current", "bellows --version", "<= 1.3"],
      ["bellows current", "bellows --help", "(the command line's own start-up)"],
      ["bellows current", "alembic current", "< 0.3"],
    ],
  };
}

function heads(b: Bench): Measure {
  const revs = linearHistory(b.sizes.heads);
  const dir = b.fresh("heads");
  const scripts = `${dir}/bellows`;
  const proj = `${dir}/alembic`;
  return {
    name: `heads, ${revs.length} revisions`,
    setup: async () => {
      await writeFiles(scripts, bellowsProject(revs));
      await writeFiles(proj, alembicProject(revs, { url: `sqlite:///${dir}/unused.db` }));
    },
    subjects: [
      {
        label: "bellows heads",
        prepare: () =>
          Promise.resolve({ argv: bellows(["--migrations", scripts, "heads"]), cwd: dir }),
      },
      {
        label: "alembic heads",
        prepare: () =>
          Promise.resolve({
            argv: [PYTHON, "-m", "alembic", "-c", `${proj}/alembic.ini`, "heads"],
            cwd: dir,
          }),
      },
    ],
    ratios: [["bellows heads", "alembic heads", "<= 0.1 (memory <= 1)"]],
  };
}

function history(b: Bench): Measure {
  const revs = linearHistory(b.sizes.history);
  const dir = b.fresh("history");
  const scripts = `${dir}/bellows`;
  return {
    name: `history, ${revs.length} revisions`,
    setup: () => writeFiles(scripts, bellowsProject(revs)),
    subjects: [
      {
        label: "bellows history",
        prepare: () =>
          Promise.resolve({ argv: bellows(["--migrations", scripts, "history"]), cwd: dir }),
      },
      {
        label: "bellows --version",
        prepare: () => Promise.resolve({ argv: bellows(["--version"]), cwd: dir }),
      },
    ],
    ratios: [["bellows history", "bellows --version", "< 4 (memory < 150 MiB)"]],
  };
}

/**
 * A writer updating random rows of `t` one at a time while a subject runs, as issue 12's
 * data migration measure has: its longest wait says how long the subject blocked it.
 */
function randomWriter(url: string, rows: number) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let stop = false;
  let longest = 0;
  let writes = 0;
  const loop = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await sql.unsafe("UPDATE t SET c = c + 1 WHERE id = $1", [
        1 + Math.floor(Math.random() * rows),
      ]);
      longest = Math.max(longest, performance.now() - t0);
      writes++;
      await new Promise((res) => setTimeout(res, 5));
    }
  })();
  return {
    async stop(): Promise<{ longestMs: number; writes: number }> {
      stop = true;
      await loop;
      await sql.end();
      return { longestMs: longest, writes };
    },
  };
}

/**
 * Issue 12's data migration: fill a column of every row on PostgreSQL, batch 10,000, with a
 * writer updating random rows meanwhile; bellows in the keyset form and in the old
 * subquery form beside one `UPDATE` of all rows.
 */
function dataMigration(b: Bench): Measure {
  const rows = b.sizes.rows;
  const dir = b.fresh("data-pg");
  const writerWaits = new Map<string, number[]>();
  const subject = (label: string, form: "keyset" | "subquery" | "update"): Subject => ({
    label,
    prepare: async () => {
      const db = await b.pgDatabase();
      const url = db.bellowsUrl;
      await psql(db.psqlUrl, dataTableSql(rows));
      const project = `${dir}/${form === "update" ? "keyset" : form}`;
      const expand = await new Deno.Command(bellows([])[0], {
        args: bellows(["--url", url, "--migrations", project, "-q", "expand"]).slice(1),
        stdout: "null",
        stderr: "piped",
      }).output();
      if (!expand.success) throw new Error(new TextDecoder().decode(expand.stderr));
      const writer = randomWriter(db.url, rows);
      return {
        argv: form === "update"
          ? ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.psqlUrl, "-c", DATA_UPDATE_ALL]
          : bellows([
            "--url",
            url,
            "--migrations",
            project,
            "-q",
            "migrate",
            "--batch-size",
            String(DATA_BATCH_SIZE),
          ]),
        after: async () => {
          try {
            const w = await writer.stop();
            if (!writerWaits.has(label)) writerWaits.set(label, []);
            writerWaits.get(label)!.push(w.longestMs);
            const left = await psql(
              db.psqlUrl,
              "SELECT count(*) FROM t WHERE b IS DISTINCT FROM a * 2",
            );
            if (left.trim() !== "0") throw new Error(`${label}: ${left.trim()} rows not filled`);
          } finally {
            await db.drop();
          }
        },
      };
    },
  });
  return {
    name: `data migration, ${rows} rows, PostgreSQL, batch ${DATA_BATCH_SIZE}, random writer`,
    setup: async () => {
      await writeFiles(`${dir}/keyset`, dataMigrationProject("keyset"));
      await writeFiles(`${dir}/subquery`, dataMigrationProject("subquery"));
      await b.cluster();
    },
    subjects: [
      subject("bellows keyset", "keyset"),
      subject("bellows subquery (old form)", "subquery"),
      subject("one UPDATE (psql)", "update"),
    ],
    ratios: [
      ["bellows keyset", "one UPDATE (psql)", "<= 2 (>= 50% of its throughput)"],
      ["bellows subquery (old form)", "bellows keyset", "-"],
    ],
    notes: () => [
      "| subject | writer's longest wait (median over rounds) |",
      "|---|---|",
      ...[...writerWaits].map(([label, xs]) =>
        `| ${label} | ${Math.round(median(xs.slice(1)))} ms |`
      ),
    ],
  };
}

const MEASURES: Record<string, (b: Bench) => Measure> = {
  "upgrade-sqlite": upgradeSqlite,
  "upgrade-pg": upgradePostgres,
  startup,
  heads,
  history,
  "data-pg": dataMigration,
};

/** Run one measure: a warm-up round, then `n` rounds with rotating order. */
async function runMeasure(m: Measure, n: number, log: (s: string) => void) {
  await m.setup?.();
  const samples = new Map<string, Sample[]>(m.subjects.map((s) => [s.label, []]));
  const ratioRounds: number[][] = m.ratios.map(() => []);
  const memRounds: number[][] = m.ratios.map(() => []);
  for (let round = 0; round <= n; round++) {
    const got = new Map<string, Sample>();
    for (let k = 0; k < m.subjects.length; k++) {
      const s = m.subjects[(k + round) % m.subjects.length];
      const { argv, cwd, after } = await s.prepare();
      const sample = await timeOnce(argv, cwd);
      await after?.();
      got.set(s.label, sample);
    }
    if (round === 0) continue; // warm-up: caches, Deno's compiled-module cache, pyc files
    for (const [label, sample] of got) samples.get(label)!.push(sample);
    m.ratios.forEach(([a, b], i) => {
      ratioRounds[i].push(got.get(a)!.seconds / got.get(b)!.seconds);
      const ra = got.get(a)!.rssKiB, rb = got.get(b)!.rssKiB;
      if (ra && rb) memRounds[i].push(ra / rb);
    });
    log(`  round ${round}/${n}`);
  }
  await m.teardown?.();
  return { samples, ratioRounds, memRounds };
}

function parseArgs(args: string[]): { sizes: BenchSizes; only?: string[] } {
  let sizes: BenchSizes = QUICK_SIZES;
  let only: string[] | undefined;
  const override: Partial<Record<keyof BenchSizes, number>> = {};
  for (const a of args) {
    const [k, v] = a.replace(/^--/, "").split("=", 2);
    if (a === "--full") sizes = FULL_SIZES;
    else if (a === "--quick") sizes = QUICK_SIZES;
    else if (k === "only" && v) only = v.split(",");
    else if (k in QUICK_SIZES && v && /^\d+$/.test(v)) {
      override[k as keyof BenchSizes] = Number(v);
    } else {
      throw new Error(
        `unknown argument '${a}': use --full, --n=<rounds>, --upgrade=/--current=/--heads=/` +
          `--history=<revisions>, --only=${Object.keys(MEASURES).join(",")}`,
      );
    }
  }
  for (const name of only ?? []) {
    if (!(name in MEASURES)) throw new Error(`unknown measure '${name}'`);
  }
  return { sizes: { ...sizes, ...override }, only };
}

const fmtS = (s: number) => `${s.toFixed(3)} s`;
const fmtMiB = (k: number | undefined) => k === undefined ? "-" : `${(k / 1024).toFixed(0)} MiB`;

if (import.meta.main) {
  const { sizes, only } = parseArgs(Deno.args);
  const root = await Deno.makeTempDir({ prefix: "bellows-bench-" });
  const bench = new Bench(sizes, root);
  const log = (s: string) => console.error(s);
  const lines: string[] = [];
  const started = new Date().toISOString();
  try {
    for (const [name, make] of Object.entries(MEASURES)) {
      if (only && !only.includes(name)) continue;
      const m = make(bench);
      log(`${m.name} (n=${sizes.n})`);
      const r = await runMeasure(m, sizes.n, log);
      lines.push(
        `### ${m.name}`,
        "",
        "| subject | median | min | max RSS (median) |",
        "|---|---|---|---|",
      );
      for (const [label, xs] of r.samples) {
        const rss = xs.map((x) => x.rssKiB).filter((x): x is number => x !== undefined);
        lines.push(
          `| ${label} | ${fmtS(median(xs.map((x) => x.seconds)))} | ` +
            `${fmtS(Math.min(...xs.map((x) => x.seconds)))} | ` +
            `${rss.length ? fmtMiB(median(rss)) : "-"} |`,
        );
      }
      lines.push(
        "",
        "| ratio | median | min | memory ratio (median) | goal |",
        "|---|---|---|---|---|",
      );
      m.ratios.forEach(([a, b, goal], i) => {
        const xs = r.ratioRounds[i];
        const mem = r.memRounds[i];
        lines.push(
          `| ${a} / ${b} | ${median(xs).toFixed(2)}x | ${Math.min(...xs).toFixed(2)}x | ` +
            `${mem.length ? median(mem).toFixed(2) + "x" : "-"} | ${goal} |`,
        );
      });
      lines.push("");
      const notes = m.notes?.() ?? [];
      if (notes.length > 0) lines.push(...notes, "");
      console.log(lines.splice(0).join("\n"));
    }
    console.log(
      `_${started}, sizes ${JSON.stringify(sizes)}, deno ${Deno.version.deno}, ` +
        `${navigator.hardwareConcurrency} CPUs_`,
    );
  } finally {
    await bench.stop();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}
