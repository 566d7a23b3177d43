/**
 * A plain PostgreSQL session for tests to act beside bellows (hold locks, read in a
 * loop, terminate backends): one postgres.js connection, no bellows code.
 *
 * @module
 */
import postgres from "postgres";

/** One connection; every query runs on it, in order. */
export interface PgSession {
  /** Run SQL text (simple protocol: several statements allowed), return the last rows. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Open a session on `url` (a test cluster URL, no password). */
export function pgSession(url: string): PgSession {
  const sql = postgres(url, {
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    onnotice: () => {},
    fetch_types: false,
    connection: { application_name: "bellows-test" },
  });
  return {
    query: async (text) => {
      const r = await sql.unsafe(text);
      const last = Array.isArray(r[0]) ? r[r.length - 1] : r;
      return Array.from(last as Iterable<Record<string, unknown>>);
    },
    close: () => sql.end({ timeout: 1 }),
  };
}
