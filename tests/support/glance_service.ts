/**
 * A stand-in for a Glance API service during a rolling upgrade test: a loop of
 * inserts, updates and reads of `images` on its own connection, run as a
 * subprocess (`deno run -A glance_service.ts <old|new> <url>`).
 *
 * - `old` (Newton) reads and writes `is_public`; `new` (Ocata) reads and writes
 *   `visibility`.
 * - Every write sets `name` to a tag of what it meant (`old-public`,
 *   `new-shared`, ...) in the same statement as the flag, so any reader can
 *   tell from one row whether the columns it reads are right, whoever wrote it
 *   and whatever triggers or data migrations did since.
 * - Commands on stdin, one per line: `migrated` (from now on a NULL visibility
 *   is an error, not a row still waiting for the data migration), `stop`.
 * - Prints `ready` once it has done a request, and at the end one JSON line
 *   ({@linkcode ServiceReport}).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import mysql from "mysql2/promise";

/** What a service reports when it stops. */
export interface ServiceReport {
  role: "old" | "new";
  requests: number;
  inserts: number;
  updates: number;
  reads: number;
  /** Reads of rows the data migration had not reached yet (new service, before `migrated`). */
  pendingReads: number;
  /** Longest request, ms, and what it was. */
  maxMs: number;
  slowest: string;
  /** When the longest request started (epoch ms). */
  slowestAt: number;
  /** Requests that threw. */
  failures: string[];
  /** Reads whose columns did not match the writer's tag. */
  mismatches: string[];
  /** Ids this service inserted. */
  inserted: string[];
  /**
   * Writes retried after a deadlock, as Glance's `_image_update` does (wait 500 ms, up to
   * 50 attempts): on Galera a DDL under TOI aborts the writes in flight on every node.
   */
  deadlockRetries: number;
}

/** Glance's retry policy for image writes (glance/db/sqlalchemy/api.py, `@retry`). */
const GLANCE_RETRY = { waitMs: 500, attempts: 50 } as const;
/** ER_LOCK_DEADLOCK (on Galera also a brute-force abort or a failed certification). */
const DEADLOCK = 1213;

/** Visibility values an Ocata service writes. */
export const VISIBILITIES = ["public", "private", "shared", "community"] as const;

/**
 * Whether a row tagged `tag` reads correctly as `is_public` (old service) or
 * `visibility` (new service). Undefined `visibility` means not read.
 * Returns a reason when it does not.
 */
export function verifyRow(
  tag: string,
  read: { isPublic?: boolean; visibility?: string | null },
): string | undefined {
  const [writer, meant] = tag.split("-");
  const isPublicMeant = meant === "public";
  if (read.isPublic !== undefined && read.isPublic !== isPublicMeant) {
    return `${tag}: is_public is ${read.isPublic}`;
  }
  if (read.visibility === undefined) return undefined;
  const v = read.visibility;
  let ok: boolean;
  if (writer === "new") ok = v === meant;
  else if (meant === "public") ok = v === "public";
  // A Newton "not public" image: shared when the trigger turned a public one private,
  // what the data migration found (shared with members, private without), or, when
  // is_public was already false, whatever non-public visibility an Ocata service gave it.
  else if (writer === "old") ok = v === "private" || v === "shared" || v === "community";
  else ok = v === meant; // seed rows: exactly what the data migration decides
  return ok ? undefined : `${tag}: visibility is ${v}`;
}

interface Db {
  insert(id: string, tag: string, flag: boolean | string): Promise<void>;
  update(id: string, tag: string, flag: boolean | string): Promise<void>;
  read(id: string): Promise<{ name: string; value: unknown } | undefined>;
  ids(): Promise<string[]>;
  close(): Promise<void>;
}

function openDb(role: "old" | "new", url: string, onRetry: () => void): Db {
  const col = role === "old" ? "is_public" : "visibility";
  if (url.startsWith("postgres")) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    return {
      insert: async (id, tag, flag) => {
        await sql`INSERT INTO images (id, name, status, ${sql(col)}, created_at)
                  VALUES (${id}, ${tag}, 'active', ${flag}, CURRENT_TIMESTAMP)`;
      },
      update: async (id, tag, flag) => {
        await sql`UPDATE images SET ${sql(col)} = ${flag}, name = ${tag} WHERE id = ${id}`;
      },
      read: async (id) => {
        const [row] = await sql`SELECT name, ${sql(col)} AS value FROM images WHERE id = ${id}`;
        return row ? { name: row.name, value: row.value } : undefined;
      },
      ids: async () => (await sql`SELECT id FROM images`).map((r) => String(r.id)),
      close: () => sql.end({ timeout: 5 }),
    };
  }
  if (url.startsWith("mysql")) {
    // A connection as Glance's (PyMySQL) would make: one per service, autocommit.
    // mysql2 reads no `unix_socket` from a URL: a socket URL (a Galera node's) is spelt out.
    const u = new URL(url);
    const socketPath = u.searchParams.get("unix_socket");
    const conn = socketPath
      ? mysql.createConnection({
        socketPath,
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password) || undefined,
        database: decodeURIComponent(u.pathname.slice(1)),
        charset: "utf8mb4",
      })
      : mysql.createConnection({ uri: url, charset: "utf8mb4" });
    const bind = (flag: boolean | string) => typeof flag === "boolean" ? (flag ? 1 : 0) : flag;
    const write = async (sql: string, params: (string | number)[]) => {
      for (let attempt = 1;; attempt++) {
        try {
          await (await conn).execute(sql, params);
          return;
        } catch (e) {
          if ((e as { errno?: number }).errno !== DEADLOCK || attempt >= GLANCE_RETRY.attempts) {
            throw e;
          }
          onRetry();
          await new Promise((r) => setTimeout(r, GLANCE_RETRY.waitMs));
        }
      }
    };
    return {
      insert: async (id, tag, flag) => {
        await write(
          `INSERT INTO images (id, name, status, ${col}, created_at)
           VALUES (?, ?, 'active', ?, CURRENT_TIMESTAMP)`,
          [id, tag, bind(flag)],
        );
      },
      update: async (id, tag, flag) => {
        await write(`UPDATE images SET ${col} = ?, name = ? WHERE id = ?`, [bind(flag), tag, id]);
      },
      read: async (id) => {
        const [rows] = await (await conn).execute(
          `SELECT name, ${col} AS value FROM images WHERE id = ?`,
          [id],
        );
        const row = (rows as { name: string; value: unknown }[])[0];
        return row ? { name: String(row.name), value: row.value } : undefined;
      },
      ids: async () => {
        const [rows] = await (await conn).query("SELECT id FROM images");
        return (rows as { id: string }[]).map((r) => String(r.id));
      },
      close: async () => await (await conn).end(),
    };
  }
  const db = new DatabaseSync(url.replace(/^sqlite:/, ""), { timeout: 60_000 });
  const bind = (flag: boolean | string) => typeof flag === "boolean" ? (flag ? 1 : 0) : flag;
  return {
    insert: (id, tag, flag) => {
      db.prepare(
        `INSERT INTO images (id, name, status, ${col}, created_at)
         VALUES (?, ?, 'active', ?, CURRENT_TIMESTAMP)`,
      ).run(id, tag, bind(flag));
      return Promise.resolve();
    },
    update: (id, tag, flag) => {
      db.prepare(`UPDATE images SET ${col} = ?, name = ? WHERE id = ?`).run(bind(flag), tag, id);
      return Promise.resolve();
    },
    read: (id) => {
      const row = db.prepare(`SELECT name, ${col} AS value FROM images WHERE id = ?`).get(id);
      return Promise.resolve(row ? { name: String(row.name), value: row.value } : undefined);
    },
    ids: () => Promise.resolve(db.prepare("SELECT id FROM images").all().map((r) => String(r.id))),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

async function serve(role: "old" | "new", url: string): Promise<ServiceReport> {
  const db = openDb(role, url, () => report.deadlockRetries++);
  const report: ServiceReport = {
    role,
    requests: 0,
    inserts: 0,
    updates: 0,
    reads: 0,
    pendingReads: 0,
    maxMs: 0,
    slowest: "",
    slowestAt: 0,
    failures: [],
    mismatches: [],
    inserted: [],
    deadlockRetries: 0,
  };
  let migrated = role === "old";
  let stop = false;
  (async () => {
    const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
    let buffer = "";
    for await (const chunk of lines) {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const cmd = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (cmd === "migrated") migrated = true;
        if (cmd === "stop") stop = true;
      }
    }
    stop = true;
  })();

  const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    const started = performance.now();
    const at = Date.now();
    report.requests++;
    try {
      return await fn();
    } catch (e) {
      if (report.failures.length < 20) report.failures.push(`${what}: ${(e as Error).message}`);
      return undefined;
    } finally {
      const ms = performance.now() - started;
      if (ms > report.maxMs) [report.maxMs, report.slowest, report.slowestAt] = [ms, what, at];
    }
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)];
  const intent = () =>
    role === "old" ? (Math.random() < 0.5 ? "public" : "private") : pick(VISIBILITIES) as string;
  const flag = (meant: string) => role === "old" ? meant === "public" : meant;

  let ids = await db.ids();
  let n = 0;
  while (!stop) {
    n++;
    if (n % 50 === 0) ids = (await timed("list ids", () => db.ids())) ?? ids;
    const r = Math.random();
    if (r < 0.3 || ids.length === 0) {
      const id = `${role}-${Deno.pid}-${n}`;
      const meant = intent();
      const done = await timed(`insert ${id}`, async () => {
        await db.insert(id, `${role}-${meant}`, flag(meant));
        return true;
      });
      if (done) {
        report.inserts++;
        report.inserted.push(id);
        ids.push(id);
      }
    } else if (r < 0.65) {
      const id = pick(ids);
      const meant = intent();
      const done = await timed(`update ${id}`, async () => {
        await db.update(id, `${role}-${meant}`, flag(meant));
        return true;
      });
      if (done) report.updates++;
    } else {
      const id = pick(ids);
      const row = await timed(`read ${id}`, () => db.read(id));
      if (row) {
        report.reads++;
        if (role === "old") {
          const v = row.value;
          const problem = verifyRow(row.name, { isPublic: v === true || Number(v) === 1 });
          if (problem) report.mismatches.push(`${id} ${problem}`);
        } else if (row.value === null && !migrated) {
          report.pendingReads++;
        } else {
          const problem = verifyRow(row.name, { visibility: row.value as string | null });
          if (problem) report.mismatches.push(`${id} ${problem}`);
        }
      }
    }
    if (n === 1) console.log("ready");
    // Let stdin commands in (SQLite calls are synchronous), and keep the pace humane.
    await new Promise((res) => setTimeout(res, 1));
  }
  await db.close();
  return report;
}

if (import.meta.main) {
  const [role, url] = Deno.args;
  if ((role !== "old" && role !== "new") || !url) {
    console.error("usage: glance_service.ts <old|new> <url>");
    Deno.exit(2);
  }
  const report = await serve(role, url);
  console.log(JSON.stringify(report));
  Deno.exit(0);
}
