/**
 * The rolling upgrade, end to end (used by tests/rolling_upgrade_test.ts on each dialect
 * and tests/galera_test.ts across a cluster's nodes): an old (Newton) service writing
 * `is_public` and a new (Ocata) service writing `visibility` run against the database as
 * subprocesses while `bellows expand`, `migrate` and `contract` run as subprocesses too.
 * No request may fail, every row must read right to both services, none may be lost;
 * `check` gives each of its exit codes at its moment, and `contract` before `migrate` is
 * refused.
 *
 * @module
 */
import assert from "node:assert/strict";
import { execCli, runCli } from "./cli.ts";
import { columns, seedImages, versionRows } from "./glance_db.ts";
import type { TestDb } from "./db.ts";
import { type ServiceReport, verifyRow } from "./glance_service.ts";

const serviceScript = new URL("./glance_service.ts", import.meta.url).pathname;
const config = new URL("../../deno.json", import.meta.url).pathname;

/** A running service subprocess. */
class Service {
  readonly #proc: Deno.ChildProcess;
  readonly #lines: AsyncIterator<string>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;

  constructor(role: "old" | "new", url: string) {
    this.#proc = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "-A", "--config", config, serviceScript, role, url],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#stdin = this.#proc.stdin.getWriter();
    this.#lines = lines(this.#proc.stdout)[Symbol.asyncIterator]();
  }

  /** Wait until it has served a request. */
  async ready(): Promise<void> {
    const first = await this.#lines.next();
    assert.equal(first.value, "ready", "service started");
  }

  async send(cmd: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(cmd + "\n"));
  }

  /** Stop it and return its report. */
  async stop(): Promise<ServiceReport> {
    await this.send("stop");
    await this.#stdin.close();
    const report = await this.#lines.next();
    const status = await this.#proc.status;
    assert.equal(status.code, 0, "service exit code");
    return JSON.parse(report.value) as ServiceReport;
  }

  /** Kill it (after a failed assertion). */
  kill(): void {
    try {
      this.#proc.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      yield buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
    }
  }
  if (buffer !== "") yield buffer;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function check(db: TestDb): Promise<number> {
  const r = await runCli(["--url", db.url, "check"]);
  return r.code;
}

/** When each bellows command ran (epoch ms), to place the services' slowest requests. */
type Timeline = [string, number, number][];

/** Run bellows as a subprocess, as an operator would; returns its exit code and stderr. */
async function bellows(url: string, timeline: Timeline, ...args: string[]) {
  const started = Date.now();
  const r = await execCli(["--url", url, ...args]);
  timeline.push([
    `${args[0]}${r.code === 0 ? "" : ` (refused, exit ${r.code})`}`,
    started,
    Date.now(),
  ]);
  return r;
}

/** Which command was running when a request started. */
function during(timeline: Timeline, at: number): string {
  const hit = timeline.find(([, from, to]) => at >= from && at <= to);
  return hit ? `during ${hit[0]}` : "between commands";
}

function assertClean(report: ServiceReport): void {
  assert.deepEqual(report.failures, [], `${report.role} service: failed requests`);
  assert.deepEqual(report.mismatches, [], `${report.role} service: rows read wrong`);
  assert.ok(report.inserts > 0 && report.updates > 0 && report.reads > 0, JSON.stringify(report));
}

/**
 * Where each party connects; by default all to `db.url`. On a Galera cluster the old and
 * the new service write through different nodes, and bellows runs each phase through a
 * node of its own.
 */
export interface RollingTargets {
  readonly oldService?: string;
  readonly newService?: string;
  /** The URL for each bellows phase command (expand, migrate, contract). */
  readonly phase?: (command: "expand" | "migrate" | "contract") => string;
  /** What the figures line calls the setup (default: the dialect). */
  readonly label?: string;
}

/**
 * Glance's rolling upgrade from Mitaka to Ocata on `db` while an old and a new service
 * write: asserts every phase's outcome, zero failed requests and no lost or wrong row,
 * and logs each service's longest request and what ran then.
 */
export async function rollingUpgrade(db: TestDb, targets: RollingTargets = {}): Promise<void> {
  const phase = targets.phase ?? (() => db.url);
  const seeded = 600;
  let r = await runCli(["--url", db.url, "-q", "upgrade", "mitaka02"]);
  assert.equal(r.code, 0, r.err);
  await seedImages(db, seeded);
  assert.equal(await check(db), 3, "before expand: expand needed");
  r = await runCli(["--url", db.url, "-q", "contract"]);
  assert.equal(r.code, 3, "contract before expand is refused");
  assert.match(r.err, /contract refused: expand is not complete \(ocata_expand01 not applied\)/);

  const timeline: Timeline = [];
  const old = new Service("old", targets.oldService ?? db.url);
  let fresh: Service | undefined;
  try {
    await old.ready();
    await sleep(300);

    r = await bellows(phase("expand"), timeline, "expand");
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await versionRows(db), ["ocata_expand01"]);
    assert.equal(await check(db), 4, "after expand: migrate needed");

    // Contract now would drop is_public under the old service and lose the rows that
    // have no visibility yet: refused, and nothing changes.
    r = await bellows(phase("contract"), timeline, "contract");
    assert.equal(r.code, 4, r.err);
    assert.match(
      r.err,
      /contract refused: data migrations still have rows to move \(ocata_migrate01: \d+ row\(s\)\)/,
    );
    assert.deepEqual(await versionRows(db), ["ocata_expand01"]);
    assert.ok((await columns(db, "images")).includes("is_public"));

    fresh = new Service("new", targets.newService ?? db.url);
    await fresh.ready();
    await sleep(300);

    r = await bellows(phase("migrate"), timeline, "migrate", "--batch-size", "50");
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /ocata_migrate01: moved \d+ row\(s\)/);
    await fresh.send("migrated");
    assert.equal(await check(db), 5, "after migrate: contract needed");
    await sleep(300);

    const oldReport = await old.stop();
    r = await bellows(phase("contract"), timeline, "contract");
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await versionRows(db), ["ocata_contract01"]);
    assert.ok(!(await columns(db, "images")).includes("is_public"));
    assert.equal(await check(db), 0, "after contract: up to date");
    await sleep(300);
    const newReport = await fresh.stop();

    assertClean(oldReport);
    assertClean(newReport);
    // Every row is there and reads right.
    const rows = await db.rows("SELECT id, name, visibility FROM images");
    const byId = new Map(
      rows.map((r) => [String(r.id), { name: String(r.name), vis: r.visibility as string | null }]),
    );
    for (const id of [...oldReport.inserted, ...newReport.inserted]) {
      assert.ok(byId.has(id), `row ${id} was lost`);
    }
    assert.equal(rows.length, seeded + oldReport.inserts + newReport.inserts);
    for (const [id, { name, vis }] of byId) {
      assert.equal(verifyRow(name, { visibility: vis }), undefined, id);
    }
    const longest = (s: ServiceReport) =>
      `longest ${s.maxMs.toFixed(1)} ms (${s.slowest}, ${during(timeline, s.slowestAt)})` +
      (s.deadlockRetries ? `, ${s.deadlockRetries} write(s) retried after a deadlock` : "");
    console.log(
      `${targets.label ?? db.dialect}: old service ${oldReport.requests} requests, ${
        longest(oldReport)
      }; ` +
        `new service ${newReport.requests} requests (${newReport.pendingReads} read before ` +
        `migrate), ${longest(newReport)}`,
    );
  } finally {
    old.kill();
    fresh?.kill();
  }
}
