/**
 * Workloads of the benchmark suite (issue 12), as plain data: the same linear revision
 * history written as a bellows project, as an Alembic project (Python revision files that
 * `op.execute` the same SQL), and as one raw SQL script for `sqlite3` / `psql -f` that does
 * what a migration tool must do at least: per revision a transaction with the revision's
 * statements and the version-row change.
 *
 * Pure: the functions return file maps and texts; `bench/run.ts` writes and runs them.
 *
 * @module
 */

/** One revision of a generated history. */
export interface BenchRevision {
  /** Revision id (`r00001`...): sorts in chain order, so file order is load order. */
  readonly id: string;
  /** Parent id, or undefined for the base. */
  readonly down?: string;
  /** Upgrade statements, without terminating `;`. */
  readonly up: readonly string[];
  /** Downgrade statements, without terminating `;`. */
  readonly down_sql: readonly string[];
}

/** Revision id of the `i`-th revision (1-based): fixed width so that names sort in order. */
export function revisionId(i: number): string {
  return `r${String(i).padStart(6, "0")}`;
}

/**
 * `n` revisions in one chain, each creating a table and inserting a row into it
 * (the "CREATE TABLE + INSERT each").
 */
export function linearHistory(n: number): BenchRevision[] {
  const revs: BenchRevision[] = [];
  for (let i = 1; i <= n; i++) {
    const t = `t${i}`;
    revs.push({
      id: revisionId(i),
      ...(i > 1 ? { down: revisionId(i - 1) } : {}),
      up: [
        `CREATE TABLE ${t} (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL)`,
        `INSERT INTO ${t} (id, name) VALUES (1, 'row of ${t}')`,
      ],
      down_sql: [`DROP TABLE ${t}`],
    });
  }
  return revs;
}

/** The bellows project: one `.sql` file per revision, path to text. */
export function bellowsProject(revs: readonly BenchRevision[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const r of revs) {
    files[`${r.id}.sql`] = [
      `-- revision: ${r.id}`,
      `-- down_revision: ${r.down ?? ""}`,
      `-- message: create table of ${r.id}`,
      "",
      "-- bellows:upgrade",
      ...r.up.map((s) => `${s};`),
      "",
      "-- bellows:downgrade",
      ...r.down_sql.map((s) => `${s};`),
      "",
    ].join("\n");
  }
  return files;
}

/** How the Alembic project runs its migrations. */
export interface AlembicOptions {
  /** SQLAlchemy URL written to alembic.ini. */
  readonly url: string;
  /** One transaction per revision (Alembic's `transaction_per_migration`); default false. */
  readonly transactionPerMigration?: boolean;
}

/** Quote a Python string literal (the SQL has no backslashes or triple quotes). */
function py(s: string): string {
  return JSON.stringify(s);
}

/**
 * The Alembic project: `alembic.ini`, a plain online `env.py`, and one revision file per
 * revision under `versions/` whose `upgrade()` executes the same statements.
 */
export function alembicProject(
  revs: readonly BenchRevision[],
  opts: AlembicOptions,
): Record<string, string> {
  const files: Record<string, string> = {
    "alembic.ini": [
      "[alembic]",
      "script_location = %(here)s",
      `sqlalchemy.url = ${opts.url.replaceAll("%", "%%")}`,
      "",
    ].join("\n"),
    "script.py.mako": "# unused: the benchmark writes its revision files itself\n",
    "env.py": [
      "from alembic import context",
      "from sqlalchemy import engine_from_config, pool",
      "",
      "config = context.config",
      "engine = engine_from_config(",
      '    config.get_section(config.config_ini_section), prefix="sqlalchemy.", ' +
      "poolclass=pool.NullPool",
      ")",
      "with engine.connect() as connection:",
      "    context.configure(",
      "        connection=connection,",
      `        transaction_per_migration=${opts.transactionPerMigration ? "True" : "False"},`,
      "    )",
      "    with context.begin_transaction():",
      "        context.run_migrations()",
      "",
    ].join("\n"),
  };
  for (const r of revs) {
    files[`versions/${r.id}_create.py`] = [
      `"""create table of ${r.id}"""`,
      "from alembic import op",
      "",
      `revision = ${py(r.id)}`,
      `down_revision = ${r.down ? py(r.down) : "None"}`,
      "branch_labels = None",
      "depends_on = None",
      "",
      "",
      "def upgrade():",
      ...r.up.map((s) => `    op.execute(${py(s)})`),
      "",
      "",
      "def downgrade():",
      ...r.down_sql.map((s) => `    op.execute(${py(s)})`),
      "",
    ].join("\n");
  }
  return files;
}

/**
 * The raw reference script: the version table, then per revision `BEGIN`, its statements,
 * the version-row change and `COMMIT`. Valid for both `sqlite3` and `psql`.
 */
export function rawScript(revs: readonly BenchRevision[]): string {
  const out = [
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, " +
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));",
  ];
  for (const r of revs) {
    out.push("BEGIN;");
    for (const s of r.up) out.push(`${s};`);
    out.push(
      r.down
        ? `UPDATE alembic_version SET version_num='${r.id}' WHERE version_num='${r.down}';`
        : `INSERT INTO alembic_version (version_num) VALUES ('${r.id}');`,
    );
    out.push("COMMIT;");
  }
  return out.join("\n") + "\n";
}

/** Sizes of one benchmark run. */
export interface BenchSizes {
  /** Revisions of the `upgrade heads` measures (SQLite and PostgreSQL). */
  readonly upgrade: number;
  /** Revisions of the `current` measure. */
  readonly current: number;
  /** Revisions of the `heads` measure. */
  readonly heads: number;
  /** Revisions of the `history` measure. */
  readonly history: number;
  /** Rows of the data migration measure. */
  readonly rows: number;
  /** Repetitions of each measure (after one warm-up). */
  readonly n: number;
}

/** `deno task bench`: small, a minute or two on a CI machine. */
export const QUICK_SIZES: BenchSizes = {
  upgrade: 100,
  current: 1000,
  heads: 1000,
  history: 5000,
  rows: 50_000,
  n: 3,
};

/** `deno task bench --full`: the sizes of issue 12's table. */
export const FULL_SIZES: BenchSizes = {
  upgrade: 1000,
  current: 1000,
  heads: 10000,
  history: 50000,
  rows: 1_000_000,
  n: 5,
};

/** Rows per batch in the data migration measure, as in issue 12's table. */
export const DATA_BATCH_SIZE = 10_000;

/**
 * The data migration measure's table, filled with `rows` rows (run before the expand
 * revision): `b` will be `a * 2`; a concurrent writer bumps `c` on random rows.
 */
export function dataTableSql(rows: number): string {
  return `CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, c INTEGER NOT NULL DEFAULT 0);
INSERT INTO t (id, a) SELECT g, g % 1000 FROM generate_series(1, ${rows}) AS g;
ANALYZE t;`;
}

/** The reference of the data migration measure: one UPDATE of every row. */
export const DATA_UPDATE_ALL = "UPDATE t SET b = a * 2";

/**
 * A project whose data migration fills `t.b`: base → expand `e1` (adds `b`) → contract;
 * `d1` in the keyset form (`:last_key`) or in the old one (a subquery that skips the rows
 * already done, so each batch reads past all of them).
 */
export function dataMigrationProject(form: "keyset" | "subquery"): Record<string, string> {
  const batch = form === "keyset"
    ? [
      "-- start_key: 0",
      "-- bellows:check",
      "SELECT count(*) FROM t WHERE b IS NULL;",
      "-- bellows:batch",
      "UPDATE t SET b = a * 2",
      " WHERE id > :last_key AND b IS NULL",
      "   AND id <= (SELECT max(id) FROM (SELECT id FROM t WHERE id > :last_key AND b IS NULL",
      "                                    ORDER BY id LIMIT :batch_size) AS next_rows)",
      "RETURNING id;",
    ]
    : [
      "-- bellows:check",
      "SELECT count(*) FROM t WHERE b IS NULL;",
      "-- bellows:batch",
      "UPDATE t SET b = a * 2",
      " WHERE b IS NULL AND id IN (SELECT id FROM t WHERE b IS NULL ORDER BY id LIMIT :batch_size);",
    ];
  const rev = (id: string, down: string, up: string, extra: string[] = []) =>
    [`-- revision: ${id}`, `-- down_revision: ${down}`, ...extra, "", "-- bellows:upgrade", up, ""]
      .join("\n");
  return {
    "r1.sql": rev("r1", "", "SELECT 1;"),
    // ANALYZE as docs/scripts.md advises: without statistics for the new column PostgreSQL
    // picks a keyset batch's end by reading and sorting the rest of the table.
    "e1.sql": rev("e1", "r1", "ALTER TABLE t ADD COLUMN b INTEGER;\nANALYZE t;", [
      "-- branch_labels: expand",
    ]),
    "c1.sql": rev("c1", "r1", "SELECT 1;", [
      "-- branch_labels: contract",
      "-- depends_on: e1",
    ]),
    "d1.sql": ["-- data_migration: d1", "-- after: e1", ...batch, ""].join("\n"),
  };
}
