/**
 * MariaDB Galera Cluster: detection, the non-primary refusal, and the cluster-wide
 * migration lock (used by the MySQL driver, mysql.ts, when `wsrep_on` is ON).
 *
 * `GET_LOCK()` is node-local: two runners on two nodes would both get it. On Galera the
 * lock is a row in `bellows_lock` (in the URL's database, beside the version table),
 * written through the cluster's certification:
 *
 * - **Taking it** is an autocommit `INSERT` of the row. Of two runners on two nodes, the
 *   second loses with a duplicate key (the first row has replicated) or a certification
 *   failure (1213, both were in flight); it then waits, polling, up to `--lock-wait`.
 * - **The lease.** The row carries the holder (connection id, user, host, node name,
 *   since) and a lease (`lock_lease`, default 30 s). The holder renews it every lease/6
 *   over a second connection of its own (the run's connection may be busy for minutes
 *   with one statement), by bumping the row's `beat`.
 * - **Expiry, clock-free.** A waiter never compares clocks across machines: it takes over
 *   only when `beat` has not moved for a whole lease by its own monotonic clock, and does
 *   so with a conditional `UPDATE ... WHERE token = <seen> AND beat = <seen>`, which
 *   certification lets through on one node at most.
 * - **The holder stops first.** A holder that has not renewed for lease/2 (renewal failed,
 *   connection gone) drops its run's connection, so the run fails (exit 7) and cannot
 *   write once a waiter could take over. A renewal that is only *waiting* (a TOI DDL
 *   stalls every write in the cluster, the run's own included) does not count as a
 *   failure while the node still answers: a waiter's takeover is a write stalled the same
 *   way, ordered after the holder's renewal that went out earlier, so it fails
 *   certification. A renewal the DDL aborts (1213: it was in flight across the DDL) is
 *   sent again at once, and a renewal that got through late is followed by another at
 *   once, not counted as a failure.
 * - **A stall is nobody's silence.** A waiter whose own write (its insert attempt) stalled
 *   or was aborted by the cluster restarts its clock: the holder could not renew then
 *   either, so it gets a whole lease after the stall before anyone may take over.
 *
 * @module
 */

import { LockBusyError } from "../errors.ts";

/** The lock table's name (in the URL's database). */
export const LOCK_TABLE = "bellows_lock";

/**
 * The lock table. Galera replicates only tables with a primary key reliably; `beat` is the
 * lease's heartbeat, `lease_ms` the holder's stated lease.
 */
export const LOCK_TABLE_DDL = `CREATE TABLE IF NOT EXISTS ${LOCK_TABLE} (
  name VARCHAR(64) NOT NULL,
  token CHAR(36) NOT NULL,
  beat BIGINT NOT NULL,
  lease_ms INT NOT NULL,
  connection_id BIGINT NOT NULL,
  db_user VARCHAR(300) NOT NULL,
  host VARCHAR(255) NOT NULL,
  node VARCHAR(255) NOT NULL,
  since VARCHAR(32) NOT NULL,
  CONSTRAINT ${LOCK_TABLE}_pk PRIMARY KEY (name)
) ENGINE=InnoDB`;

/** What the server says about Galera (undefined fields: not reported). */
export interface GaleraState {
  /** `wsrep_on`. */
  readonly on: boolean;
  /** `wsrep_ready`: the node accepts queries. */
  readonly ready: boolean;
  /** `wsrep_cluster_status`: `Primary`, `non-Primary`, `Disconnected`. */
  readonly clusterStatus: string;
  /** `wsrep_cluster_size`. */
  readonly clusterSize: number;
  /** `wsrep_local_state_comment`: `Synced`, `Donor/Desynced`, `Joining`, … */
  readonly localState: string;
  /** `wsrep_node_name`. */
  readonly nodeName: string;
  /** `wsrep_OSU_method` (`TOI` when not reported, its default). */
  readonly osuMethod: string;
}

/**
 * Read Galera's state from `SHOW VARIABLES` / `SHOW GLOBAL STATUS` rows (name to value,
 * names in any case). Undefined when the server is no Galera node (`wsrep_on` missing or
 * OFF: plain MySQL, or MariaDB without a provider).
 */
export function galeraState(
  vars: Readonly<Record<string, string>>,
  status: Readonly<Record<string, string>>,
): GaleraState | undefined {
  const low = (r: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));
  const v = low(vars);
  const s = low(status);
  if (!/^(on|1)$/i.test(v.wsrep_on ?? "")) return undefined;
  return {
    on: true,
    ready: /^(on|1)$/i.test(s.wsrep_ready ?? ""),
    clusterStatus: s.wsrep_cluster_status ?? "unknown",
    clusterSize: Number(s.wsrep_cluster_size ?? 0),
    localState: s.wsrep_local_state_comment ?? "unknown",
    nodeName: v.wsrep_node_name ?? "",
    osuMethod: (v.wsrep_osu_method ?? "TOI").toUpperCase(),
  };
}

/**
 * The one-line refusal for a node that must not be migrated through (not ready or not in
 * the primary component: split brain, isolated, still joining), or undefined when the node
 * is fine. A `Donor/Desynced` node in the primary component is usable: it applies writes.
 */
export function nonPrimaryRefusal(display: string, g: GaleraState): string | undefined {
  if (g.ready && g.clusterStatus === "Primary") return undefined;
  return `${display} is a Galera node ${g.nodeName ? `(${g.nodeName}) ` : ""}outside the ` +
    `primary component (wsrep_cluster_status=${g.clusterStatus}, wsrep_ready=${
      g.ready ? "ON" : "OFF"
    }, state ${g.localState}, cluster size ${g.clusterSize}): refusing to run, nothing was ` +
    `written; connect through a node of the primary component`;
}

/** A row of {@linkcode LOCK_TABLE}. */
export interface LockRow {
  readonly token: string;
  readonly beat: number;
  readonly leaseMs: number;
  readonly connectionId: number;
  readonly user: string;
  readonly host: string;
  readonly node: string;
  readonly since: string;
}

/** The holder, for messages: who, where, on which node, since when, with which lease. */
export function describeHolder(row: LockRow): string {
  return `connection id ${row.connectionId} of ${row.user} from ${row.host} on node ` +
    `${row.node || "(unnamed)"}, since ${row.since}, lease ${row.leaseMs / 1000}s`;
}

/** What a waiter has seen of the row: the heartbeat, and when (its own clock) it last moved. */
export interface Sighting {
  readonly token: string;
  readonly beat: number;
  /** `performance.now()` when this token/beat was first seen. */
  readonly at: number;
}

/**
 * Update a waiter's sighting with the row now read: a new holder, a new beat or a stall of
 * the cluster (`stalled`: the waiter's own write waited or was aborted) restarts the clock. Returns the sighting and whether the holder's lease ran out (a whole lease of
 * the holder's own stating passed without a beat).
 */
export function watch(
  prev: Sighting | undefined,
  row: LockRow,
  now: number,
  stalled = false,
): { sighting: Sighting; expired: boolean } {
  if (stalled || !prev || prev.token !== row.token || prev.beat !== row.beat) {
    return { sighting: { token: row.token, beat: row.beat, at: now }, expired: false };
  }
  return { sighting: prev, expired: now - prev.at >= row.leaseMs };
}

/** A connection the lock uses besides the run's: rows or changed-row count of one statement. */
export interface SideConnection {
  query(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; count: number }>;
  /** Close politely. */
  end(): Promise<void>;
  /** Drop the socket at once. */
  destroy(): void;
}

/** What the lock needs from the driver. */
export interface GaleraLockDeps {
  /** The target, for messages. */
  readonly display: string;
  /** Row key (per database). */
  readonly name: string;
  readonly leaseMs: number;
  /** The run's connection's id and the node's name, for the row. */
  readonly connectionId: number;
  readonly nodeName: string;
  /** The host bellows runs on (best effort). */
  readonly host: string;
  /** Statements on the run's connection. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** A new connection to the same node, for the lease. */
  openSide(): Promise<SideConnection>;
  /** The server error number of `e`, if it is a server error. */
  errno(e: unknown): number | undefined;
  /** The lease is lost: make the run's connection unusable at once, saying why. */
  abandon(why: string): void;
  /** A line for the log (waiting, taking over an expired lock). */
  notice(message: string): void;
}

/** ER_DUP_ENTRY: the row is there (another runner holds the lock). */
const DUP_ENTRY = 1062;
/** ER_LOCK_DEADLOCK: on Galera also a certification failure (another node won the row). */
const DEADLOCK = 1213;
/** How often a waiter looks at the row. */
const POLL_MS = 250;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

function rowOf(r: Record<string, unknown>): LockRow {
  return {
    token: String(r.token),
    beat: Number(r.beat),
    leaseMs: Number(r.lease_ms),
    connectionId: Number(r.connection_id),
    user: String(r.db_user),
    host: String(r.host),
    node: String(r.node),
    since: String(r.since),
  };
}

/**
 * Take the cluster-wide lock, waiting up to `waitMs`; resolves to the release function.
 * Throws {@linkcode LockBusyError} naming the holder and its node when the wait runs out.
 */
export async function galeraLock(d: GaleraLockDeps, waitMs: number): Promise<() => Promise<void>> {
  // A DDL statement stalls the cluster (TOI) even when it changes nothing: only when missing.
  // Concurrent creators agree, TOI runs the CREATEs on every node in the same order.
  const [exists] = await d.query(
    `SELECT COUNT(*) AS n FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
    [LOCK_TABLE],
  );
  if (Number(exists?.n) === 0) await d.run(LOCK_TABLE_DDL);
  const token = crypto.randomUUID();
  const start = performance.now();
  const deadline = start + Math.max(0, waitMs);
  let sighting: Sighting | undefined;
  let told = false;
  let last: LockRow | undefined;
  // A write that waits this long (or is aborted by certification) met a cluster-wide stall.
  const stallMs = Math.max(200, Math.floor(d.leaseMs / 6));
  for (;;) {
    const tried = performance.now();
    const got = await tryInsert(d, token);
    if (got === true) break;
    const stalled = got === "aborted" || performance.now() - tried >= stallMs;
    const [r] = await d.query(
      `SELECT token, beat, lease_ms, connection_id, db_user, host, node, since
         FROM ${LOCK_TABLE} WHERE name = ?`,
      [d.name],
    );
    if (r) {
      const row = rowOf(r);
      last = row;
      const w = watch(sighting, row, performance.now(), stalled);
      sighting = w.sighting;
      if (w.expired && await tryTakeover(d, token, row)) {
        d.notice(
          `WARNING: took over the migration lock on ${d.display}: its holder (${
            describeHolder(row)
          }) did not renew it for ${seconds(row.leaseMs)}`,
        );
        break;
      }
      if (!told && performance.now() < deadline) {
        told = true;
        d.notice(
          `waiting up to ${seconds(waitMs)} for the migration lock on ${d.display}, held by ${
            describeHolder(row)
          }`,
        );
      }
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new LockBusyError(
        `another bellows run holds the migration lock on ${d.display} (${
          last ? describeHolder(last) : "holder gone just now"
        }); waited ${seconds(performance.now() - start)}`,
      );
    }
    await sleep(Math.min(POLL_MS, left));
  }
  return startLease(d, token);
}

/**
 * Insert the row; false when another runner has it, "aborted" when the cluster aborted the
 * insert (a competing insert, or a DDL it was in flight across).
 */
async function tryInsert(d: GaleraLockDeps, token: string): Promise<boolean | "aborted"> {
  try {
    await d.run(
      `INSERT INTO ${LOCK_TABLE}
         (name, token, beat, lease_ms, connection_id, db_user, host, node, since)
       VALUES (?, ?, 0, ?, ?, CURRENT_USER(), ?, ?, ?)`,
      [d.name, token, d.leaseMs, d.connectionId, d.host, d.nodeName, new Date().toISOString()],
    );
    return true;
  } catch (e) {
    const n = d.errno(e);
    if (n === DUP_ENTRY) return false;
    if (n === DEADLOCK) return "aborted";
    throw e;
  }
}

/** Replace an expired holder's row; false when it moved meanwhile or another node won. */
async function tryTakeover(d: GaleraLockDeps, token: string, row: LockRow): Promise<boolean> {
  try {
    const n = await d.run(
      `UPDATE ${LOCK_TABLE}
          SET token = ?, beat = 0, lease_ms = ?, connection_id = ?, db_user = CURRENT_USER(),
              host = ?, node = ?, since = ?
        WHERE name = ? AND token = ? AND beat = ?`,
      [
        token,
        d.leaseMs,
        d.connectionId,
        d.host,
        d.nodeName,
        new Date().toISOString(),
        d.name,
        row.token,
        row.beat,
      ],
    );
    return n === 1;
  } catch (e) {
    if (d.errno(e) === DEADLOCK) return false;
    throw e;
  }
}

/**
 * Renew the lease every lease/6 on a connection of its own until released; give the run up
 * (`abandon`) when no renewal got through for lease/2 and the node does not answer, or when
 * the row is no longer ours.
 */
function startLease(d: GaleraLockDeps, token: string): () => Promise<void> {
  const every = Math.max(200, Math.floor(d.leaseMs / 6));
  const limit = d.leaseMs / 2;
  let side: SideConnection | undefined;
  let lastOk = performance.now();
  let lastFailed = false;
  let pendingSince: number | undefined;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const give = (why: string) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    side?.destroy();
    side = undefined;
    d.abandon(why);
  };

  const renew = async () => {
    const began = performance.now();
    pendingSince = began;
    try {
      if (!side) {
        const opened = await d.openSide();
        // A renewal stuck behind a row lock (someone's open transaction on the row) must
        // fail and count against the lease: only a stall of the whole cluster (TOI) may
        // hold it without failing, and that is no lock wait.
        await opened.query("SET SESSION innodb_lock_wait_timeout = 1, lock_wait_timeout = 1")
          .catch((e) => {
            opened.destroy();
            throw e;
          });
        side = opened;
      }
      let count: number;
      for (;;) {
        try {
          ({ count } = await side.query(
            `UPDATE ${LOCK_TABLE} SET beat = beat + 1 WHERE name = ? AND token = ?`,
            [d.name, token],
          ));
          break;
        } catch (e) {
          // Aborted by a DDL it was in flight across: the stall is over, send it again now.
          if (stopped || d.errno(e) !== DEADLOCK) throw e;
          await sleep(10);
        }
      }
      if (stopped) return;
      if (count !== 1) {
        give(`the migration lock on ${d.display} was taken over (its lease had run out)`);
        return;
      }
      lastOk = began;
      lastFailed = false;
    } catch {
      lastFailed = true;
      // Open again next time; the watchdog decides when too long has passed.
      side?.destroy();
      side = undefined;
    } finally {
      pendingSince = undefined;
    }
  };

  const tick = async () => {
    if (stopped) return;
    const overdue = performance.now() - lastOk >= limit;
    if (overdue && pendingSince === undefined && lastFailed) {
      give(
        `could not renew the migration lock's lease on ${d.display} for ${seconds(limit)} ` +
          `(half its ${seconds(d.leaseMs)} lease); stopped before another runner may take over`,
      );
      return;
    }
    // Renew before judging a wait: after a renewal that got through late (it waited out a
    // stall), the next one goes out now and is judged as a waiting renewal.
    if (pendingSince === undefined) void renew();
    if (overdue && !(await nodeAnswers(d, limit))) {
      give(
        `the migration lock's lease on ${d.display} has waited ${seconds(limit)} for renewal ` +
          `and the node does not answer; stopped before another runner may take over`,
      );
      return;
    }
    if (!stopped) timer = setTimeout(tick, every);
  };
  timer = setTimeout(tick, every);

  return async () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    const s = side;
    side = undefined;
    try {
      // Over the run's connection when it still works, else over the lease's own.
      await d.run(`DELETE FROM ${LOCK_TABLE} WHERE name = ? AND token = ?`, [d.name, token]);
    } catch {
      await (s ?? await d.openSide().catch(() => undefined))?.query(
        `DELETE FROM ${LOCK_TABLE} WHERE name = ? AND token = ?`,
        [d.name, token],
      ).catch(() => {});
    }
    if (s) await s.end().catch(() => s.destroy());
  };
}

/**
 * Is the node up and in the primary component, though a renewal waits? Then the wait is a
 * cluster-wide write stall (TOI), which holds any takeover back too. Asked over a fresh
 * connection (the lease's is busy), within `withinMs`.
 */
async function nodeAnswers(d: GaleraLockDeps, withinMs: number): Promise<boolean> {
  let probe: SideConnection | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  const timeout = new Promise<boolean>((r) => timer = setTimeout(() => r(false), withinMs));
  try {
    return await Promise.race([
      (async () => {
        probe = await d.openSide();
        if (done) probe.destroy();
        const { rows } = await probe.query(
          "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_cluster_status')",
        );
        const s = Object.fromEntries(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
        return s.wsrep_ready === "ON" && s.wsrep_cluster_status === "Primary";
      })(),
      timeout,
    ]);
  } catch {
    return false;
  } finally {
    done = true;
    clearTimeout(timer);
    probe?.destroy();
  }
}
