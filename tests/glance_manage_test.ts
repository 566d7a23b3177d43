/**
 * Real Glance on MariaDB: databases made by `glance-manage` (Debian's python3-glance) are
 * read by bellows as glance-manage reads them, at every stage of `db sync` and of the
 * stepwise `db expand` / `db migrate` / `db contract`; and bellows carries on a Glance
 * database from where glance-manage left it (an Ocata database whose version row still
 * says `ocata01`) to the schema glance-manage itself produces.
 *
 * The scripts are tests/fixtures/glance_mysql: `bellows import-alembic` of Glance's
 * alembic_migrations/versions, with the MySQL statements glance-manage runs (see the
 * folder's README.md). python3-glance is required (scripts/setup.sh installs it): a
 * machine without it fails this file, it is not skipped.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runCli } from "./support/cli.ts";
import {
  createDatabase,
  mysqlCli,
  startServer,
  type TestDatabase,
} from "./support/mariadb_server.ts";

const FIXTURE = new URL("./fixtures/glance_mysql", import.meta.url).pathname;
const PYTHON = "/usr/bin/python3";
/**
 * `glance-manage` is a one-line entry point into `glance.cmd.manage.main`. This runs it
 * for each command in turn (`argv[2]`: a JSON list of argument lists) in one process, to
 * pay Python's start-up once; between commands it undoes what `main` leaves behind (the
 * parsed configuration, its command option, and the `USE_TRIGGERS` flag `db sync` clears),
 * so each runs as a fresh `glance-manage --config-file <argv[1]> db ...` would.
 */
const GLANCE_MANAGE = `
import contextlib, io, json, sys
from glance.cmd import manage
conf, results = sys.argv[1], []
for args in json.loads(sys.argv[2]):
    out, code = io.StringIO(), 0
    sys.argv = ['glance-manage', '--config-file', conf, 'db'] + args
    with contextlib.redirect_stdout(out):
        try:
            manage.main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if isinstance(e.code, str):
                out.write(e.code)
    results.append({'code': code, 'out': out.getvalue().strip()})
    manage.CONF.reset()
    manage.CONF.unregister_opt(manage.command_opt)
    manage.USE_TRIGGERS = True
print(json.dumps(results))
`;
const NOT_VERSIONED = "Database is either not under migration control";

const server = await startServer();
if (!server.socket) throw new Error("glance_manage_test needs the started server's socket");
const tmp = await Deno.makeTempDir({ prefix: "bellows-glance-" });

/** A database with the glance-api.conf that points glance-manage at it. */
interface GlanceDb {
  readonly db: TestDatabase;
  readonly conf: string;
}

async function glanceDb(prefix: string): Promise<GlanceDb> {
  const db = await createDatabase(server, prefix);
  const conf = `${tmp}/${db.name}.conf`;
  // SQLAlchemy's URL, over the server's Unix socket, as a glance-api.conf has it.
  await Deno.writeTextFile(
    conf,
    `[DEFAULT]\n[database]\nconnection = mysql+pymysql://${server.superuser}@localhost/` +
      `${db.name}?unix_socket=${server.socket}\n`,
  );
  return { db, conf };
}

/** What one glance-manage command printed on stdout, and its exit code. */
interface GlanceResult {
  readonly code: number;
  readonly out: string;
}

/** Run `glance-manage --config-file <conf> db <command>` for each command, in order. */
async function glanceManageAll(g: GlanceDb, ...commands: string[][]): Promise<GlanceResult[]> {
  const r = await new Deno.Command(PYTHON, {
    args: ["-c", GLANCE_MANAGE, g.conf, JSON.stringify(commands)],
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  }).output();
  const dec = new TextDecoder();
  if (!r.success) {
    throw new Error(`glance-manage ${JSON.stringify(commands)}: ${dec.decode(r.stderr)}`);
  }
  return JSON.parse(dec.decode(r.stdout));
}

function bellows(g: GlanceDb, ...args: string[]) {
  return runCli(["--url", g.db.socketUrl, "--migrations", FIXTURE, ...args]);
}

/** The version rows as the database holds them. */
async function rows(g: GlanceDb): Promise<string[]> {
  const out = await mysqlCli(g.db.url, "SELECT version_num FROM alembic_version");
  return out === "" ? [] : out.split("\n").sort();
}

/**
 * `glance-manage db version` and `db check` against bellows' `version`, `current` and
 * `check`: the same revisions and the same exit code (glance-manage's 3, 4, 5 are
 * bellows' too). Read-only on both sides unless a row holds a retired id (then
 * glance-manage rewrites it: call this after bellows has shown it leaves such rows).
 * `answers` are glance-manage's `db version` and `db check`, when the caller already has
 * them (from the process that ran the command before them: see {@linkcode afterGlance}).
 */
async function agree(
  g: GlanceDb,
  stage: string,
  answers?: readonly GlanceResult[],
): Promise<string[]> {
  const version = await bellows(g, "version");
  assert.equal(version.code, 0, `${stage}: bellows version: ${version.err}`);
  const current = await bellows(g, "--json", "current");
  assert.equal(current.code, 0, `${stage}: bellows current: ${current.err}`);
  const check = await bellows(g, "check");
  const [gVersion, gCheck] = answers ?? await glanceManageAll(g, ["version"], ["check"]);
  assert.equal(gVersion.code, 0, `${stage}: glance-manage db version: ${gVersion.out}`);
  const glanceHeads = gVersion.out.startsWith(NOT_VERSIONED) ? [] : gVersion.out.split("\n").sort();
  const bellowsHeads = version.out.startsWith("The database is not under version control")
    ? []
    : version.out.split("\n").sort();
  assert.deepEqual(bellowsHeads, glanceHeads, `${stage}: version`);
  assert.deepEqual([...JSON.parse(current.out).current].sort(), glanceHeads, `${stage}: current`);
  assert.equal(
    check.code,
    gCheck.code,
    `${stage}: check: bellows says ${check.out} ${check.err}; glance-manage says ${gCheck.out}`,
  );
  return glanceHeads;
}

/**
 * Run `glance-manage db <args>` then `db version` and `db check` in one process, fail on a
 * non-zero exit of the first, and compare the answers with bellows'.
 */
async function afterGlance(g: GlanceDb, args: string[], stage: string): Promise<string[]> {
  const [run, ...answers] = await glanceManageAll(g, args, ["version"], ["check"]);
  assert.equal(run.code, 0, `glance-manage db ${args.join(" ")}: ${run.out}`);
  return await agree(g, stage, answers);
}

/** SHOW CREATE TABLE of every table but the state tables, and the triggers. */
async function schema(g: GlanceDb): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tables = (await mysqlCli(g.db.url, "SHOW TABLES")).split("\n");
  for (const t of tables.filter((t) => t !== "alembic_version" && t !== "bellows_audit")) {
    const create = await mysqlCli(g.db.url, `SHOW CREATE TABLE \`${t}\``);
    // The table name, then the statement; the counter of rows ever inserted is not schema.
    out[t] = create.slice(create.indexOf("\t") + 1).replace(/ AUTO_INCREMENT=\d+/, "");
  }
  out["(triggers)"] = await mysqlCli(
    g.db.url,
    "SELECT GROUP_CONCAT(TRIGGER_NAME ORDER BY TRIGGER_NAME) FROM information_schema.TRIGGERS " +
      "WHERE TRIGGER_SCHEMA = DATABASE()",
  );
  return out;
}

/** The fully synced database glance-manage makes, to compare the others with. */
let synced: Record<string, string> | undefined;

Deno.test("glance-manage db sync: bellows reads every stage as glance-manage does", async () => {
  const g = await glanceDb("gsync");
  assert.deepEqual(await agree(g, "empty"), []);
  assert.deepEqual(await afterGlance(g, ["sync"], "after db sync"), ["wallaby_contract01"]);
  synced = await schema(g);
  assert.equal(synced["(triggers)"], "NULL");
  // Nothing left for bellows either.
  const up = await bellows(g, "upgrade", "heads");
  assert.equal(up.code, 0, up.err);
  assert.deepEqual(await rows(g), ["wallaby_contract01"]);
});

Deno.test("glance-manage db expand / migrate / contract: bellows agrees at every step", async () => {
  const g = await glanceDb("gstep");
  assert.deepEqual(await afterGlance(g, ["expand"], "after db expand"), ["wallaby_expand01"]);
  // The rolling-upgrade triggers exist now, on glance-manage's path as on bellows'.
  assert.equal((await schema(g))["(triggers)"], "insert_visibility,update_visibility");
  assert.deepEqual(await afterGlance(g, ["migrate"], "after db migrate"), ["wallaby_expand01"]);
  assert.deepEqual(await afterGlance(g, ["contract"], "after db contract"), [
    "wallaby_contract01",
  ]);
  assert.ok(synced, "the db sync test runs first");
  assert.deepEqual(await schema(g), synced);
});

Deno.test("bellows carries on an Ocata Glance database whose row says ocata01", async () => {
  const g = await glanceDb("gocata");
  // Glance as far as Ocata (the expand and contract revisions of Ocata, with their
  // triggers made and dropped on the way), then the row as Glance's Ocata release left it.
  assert.deepEqual(
    await afterGlance(g, ["upgrade", "--version", "ocata_contract01"], "at ocata_contract01"),
    ["ocata_contract01"],
  );
  await mysqlCli(g.db.url, "UPDATE alembic_version SET version_num = 'ocata01'");

  // bellows' read-only commands read the row as ocata_contract01 and leave it.
  const version = await bellows(g, "version");
  assert.equal(version.code, 0, version.err);
  assert.equal(version.out, "ocata_contract01");
  const check = await bellows(g, "-v", "check");
  assert.equal(check.code, 3, check.out + check.err);
  assert.match(check.err, /holds 'ocata01', a retired id of 'ocata_contract01'/);
  assert.deepEqual(await rows(g), ["ocata01"]);
  // glance-manage rewrites the row as it reads it (on a connection of its own: the read
  // that follows still sees the old row in its snapshot, so this first answer is the
  // old id), and from then on answers what bellows answered.
  const [first, second] = await glanceManageAll(g, ["version"], ["version"]);
  assert.equal(first.code, 0, first.out);
  assert.equal(second.out, "ocata_contract01");
  assert.deepEqual(await rows(g), ["ocata_contract01"]);

  // bellows from there, phase by phase, from the row as Ocata left it.
  await mysqlCli(g.db.url, "UPDATE alembic_version SET version_num = 'ocata01'");
  const expand = await bellows(g, "expand");
  assert.equal(expand.code, 0, expand.err);
  assert.ok(
    expand.err.includes(
      "rewrote version row ocata01 -> ocata_contract01 (replaced id, as glance-manage does)",
    ),
    expand.err,
  );
  assert.deepEqual(await agree(g, "after bellows expand"), [
    "ocata_contract01",
    "wallaby_expand01",
  ]);
  const migrate = await bellows(g, "migrate");
  assert.equal(migrate.code, 0, migrate.err);
  assert.deepEqual(await agree(g, "after bellows migrate"), [
    "ocata_contract01",
    "wallaby_expand01",
  ]);
  const contract = await bellows(g, "contract");
  assert.equal(contract.code, 0, contract.err);
  assert.deepEqual(await agree(g, "after bellows contract"), ["wallaby_contract01"]);
  assert.ok(synced, "the db sync test runs first");
  assert.deepEqual(await schema(g), synced);
});

Deno.test("bellows sync from empty makes the schema glance-manage db sync makes", async () => {
  const g = await glanceDb("gbel");
  const sync = await bellows(g, "sync");
  assert.equal(sync.code, 0, sync.err);
  assert.deepEqual(await agree(g, "after bellows sync"), ["wallaby_contract01"]);
  assert.ok(synced, "the db sync test runs first");
  assert.deepEqual(await schema(g), synced);
});

Deno.test("glance_manage_test: stop the server", async () => {
  await server.stop();
  await Deno.remove(tmp, { recursive: true });
});
