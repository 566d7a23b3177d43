/**
 * A database for one integration test, on any dialect, with small helpers that
 * look at it from outside bellows: `node:sqlite` for SQLite files, `psql` for
 * PostgreSQL, the `mariadb` client for MariaDB (never the driver under test).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import {
  createDatabase,
  type PgCluster,
  psql,
  startCluster,
  type TestDatabase,
} from "./pg_cluster.ts";
import {
  createDatabase as createMysqlDatabase,
  mysqlCli,
  type MysqlServer,
  startServer,
  type TestDatabase as MysqlTestDatabase,
} from "./mariadb_server.ts";

/** The dialects every integration case runs on. */
export const DIALECTS = ["sqlite", "postgresql", "mysql"] as const;

/** One of {@linkcode DIALECTS}. */
export type TestDialect = typeof DIALECTS[number];

/** A database a test migrates, and ways to look into it. */
export interface TestDb {
  readonly dialect: TestDialect;
  /** What to pass as `--url`. */
  readonly url: string;
  /** The PostgreSQL database (undefined for the others). */
  readonly pg?: TestDatabase;
  /** The MariaDB database (undefined for the others). */
  readonly my?: MysqlTestDatabase;
  /** Run a query; rows as objects (PostgreSQL values as JSON gives them). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** Run statements that return nothing. */
  exec(sql: string): Promise<void>;
  /** `version_num` rows of `table` (default alembic_version), sorted. */
  versions(table?: string): Promise<string[]>;
  /** Tables in the default schema (SQLite: `main`), sorted. */
  tables(): Promise<string[]>;
}

/** How long a look into a SQLite file waits for a writer (a test's services may be busy). */
const BUSY_TIMEOUT_MS = 30_000;

/** A SQLite file `name` inside `dir`. */
export function sqliteDb(dir: string, name = "x.db"): TestDb {
  const path = `${dir}/${name}`;
  const rows = (sql: string) => {
    const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
    try {
      return Promise.resolve(db.prepare(sql).all() as Record<string, unknown>[]);
    } finally {
      db.close();
    }
  };
  return {
    dialect: "sqlite",
    url: path,
    rows,
    exec: (sql) => {
      const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
      return Promise.resolve();
    },
    versions: async (table = "alembic_version") =>
      (await rows(`SELECT version_num FROM "${table}"`)).map((r) => String(r.version_num)).sort(),
    tables: async () =>
      (await rows("SELECT name FROM sqlite_master WHERE type = 'table'"))
        .map((r) => String(r.name)).sort(),
  };
}

/** A fresh PostgreSQL database on `cluster`. */
export async function postgresDb(cluster: PgCluster, prefix: string): Promise<TestDb> {
  const pg = await createDatabase(cluster, prefix);
  const rows = async (sql: string) =>
    JSON.parse(
      await psql(pg.url, `SELECT coalesce(json_agg(q), '[]'::json) FROM (${sql}) q`),
    ) as Record<string, unknown>[];
  return {
    dialect: "postgresql",
    url: pg.url,
    pg,
    rows,
    exec: async (sql) => {
      await psql(pg.url, sql);
    },
    versions: async (table = "alembic_version") =>
      (await rows(`SELECT version_num FROM "${table}"`)).map((r) => String(r.version_num)).sort(),
    tables: async () =>
      (await rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
        .map((r) => String(r.tablename)).sort(),
  };
}

/**
 * A fresh MariaDB database on `server`. Rows come from the `mariadb` client's XML output;
 * integer and decimal columns become numbers (as PostgreSQL's JSON and SQLite give them).
 */
export async function mysqlDb(server: MysqlServer, prefix: string): Promise<TestDb> {
  return mysqlDbOf(await createMysqlDatabase(server, prefix));
}

/** A {@linkcode TestDb} over an existing MariaDB database (e.g. on one Galera node). */
export function mysqlDbOf(my: MysqlTestDatabase): TestDb {
  const rows = async (sql: string) => {
    const numeric = await numericColumns(my.url, sql);
    const xml = await mysqlCli(my.url, sql, { xml: true });
    return [...xml.matchAll(/<row>([\s\S]*?)<\/row>/g)].map(([, row]) => {
      const out: Record<string, unknown> = {};
      for (
        const f of row.matchAll(/<field name="([^"]*)"(?: xsi:nil="true" \/>|>([^<]*)<\/field>)/g)
      ) {
        const name = unescapeXml(f[1]);
        const value = f[2] === undefined ? null : unescapeXml(f[2]);
        out[name] = value !== null && numeric.has(name) ? Number(value) : value;
      }
      return out;
    });
  };
  return {
    dialect: "mysql",
    url: my.url,
    my,
    rows,
    exec: async (sql) => {
      await mysqlCli(my.url, sql);
    },
    versions: async (table = "alembic_version") =>
      (await rows(`SELECT version_num FROM \`${table}\``)).map((r) => String(r.version_num))
        .sort(),
    tables: async () =>
      (await rows(
        "SELECT table_name AS name FROM information_schema.tables " +
          "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
      )).map((r) => String(r.name)).sort(),
  };
}

/** The integer and decimal columns of a query's result (none when it is not a plain SELECT). */
async function numericColumns(url: string, sql: string): Promise<Set<string>> {
  if (!/^\s*(SELECT|WITH)\b/i.test(sql)) return new Set();
  const out = await mysqlCli(
    url,
    `CREATE TEMPORARY TABLE _bellows_cols AS SELECT * FROM (${sql}) q LIMIT 0; ` +
      "SHOW COLUMNS FROM _bellows_cols",
  );
  return new Set(
    out.split("\n").map((l) => l.split("\t")).filter(([, type]) =>
      /^(tiny|small|medium|big)?int|^decimal|^float|^double/i.test(type ?? "")
    ).map(([name]) => name),
  );
}

function unescapeXml(s: string): string {
  return s.replace(
    /&(lt|gt|amp|quot|apos|#(\d+));/g,
    (_, e: string, n?: string) =>
      n
        ? String.fromCodePoint(Number(n))
        : { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" }[e]!,
  );
}

/**
 * The servers a test file's dialect cases need, started at module top level (a server
 * started inside a test would trip the resource sanitizer): one PostgreSQL cluster and one
 * MariaDB server, started side by side.
 */
export interface TestServers {
  readonly cluster: PgCluster;
  readonly mysql: MysqlServer;
}

/** Start both servers (see {@linkcode TestServers}). */
export async function startServers(): Promise<TestServers> {
  const [cluster, mysql] = await Promise.all([startCluster(), startServer()]);
  return { cluster, mysql };
}

/** A fresh database of `dialect`: a file in `dir`, or a new database named after `prefix`. */
export async function dialectDb(
  servers: TestServers,
  dialect: TestDialect,
  dir: string,
  prefix: string,
): Promise<TestDb> {
  switch (dialect) {
    case "sqlite":
      return sqliteDb(dir);
    case "postgresql":
      return await postgresDb(servers.cluster, prefix);
    case "mysql":
      return await mysqlDb(servers.mysql, prefix);
  }
}

/** Columns and constraints of a PostgreSQL table, as the catalogs describe them. */
export interface PgTableShape {
  /** `[name, type as format_type() prints it, NOT NULL]` in column order. */
  readonly columns: [string, string, boolean][];
  /** `[name, definition]` sorted by name. */
  readonly constraints: [string, string][];
}

/** Alembic's `alembic_version`: `version_num varchar(32) NOT NULL`, PK `alembic_version_pkc`. */
export const ALEMBIC_VERSION_SHAPE: PgTableShape = {
  columns: [["version_num", "character varying(32)", true]],
  constraints: [["alembic_version_pkc", "PRIMARY KEY (version_num)"]],
};

/** Describe `schema.table` of the PostgreSQL database at `url`. */
export async function pgTableShape(
  url: string,
  schema: string,
  table: string,
): Promise<PgTableShape> {
  const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const rel = `(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ${lit(schema)} AND c.relname = ${lit(table)})`;
  const cols = JSON.parse(
    await psql(
      url,
      `SELECT coalesce(json_agg(json_build_array(attname, format_type(atttypid, atttypmod),
              attnotnull) ORDER BY attnum), '[]'::json)
         FROM pg_attribute WHERE attrelid = ${rel} AND attnum > 0 AND NOT attisdropped`,
    ),
  );
  const cons = JSON.parse(
    await psql(
      url,
      `SELECT coalesce(json_agg(json_build_array(conname, pg_get_constraintdef(oid))
              ORDER BY conname), '[]'::json)
         FROM pg_constraint WHERE conrelid = ${rel}`,
    ),
  );
  return { columns: cols, constraints: cons };
}
