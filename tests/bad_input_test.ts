/**
 * Bad input of every kind, on SQLite, PostgreSQL and MariaDB, through the command line: each case
 * must end with exactly one `bellows:` line on stderr, the documented exit code, nothing
 * on stdout (or, with `--json`, one error document that parses and says the same), no
 * password anywhere, and the database exactly as it was (tables, columns, version rows,
 * audit rows). Each case runs twice on its database, without and with `--json`.
 */
import assert from "node:assert/strict";
import { execCli, runCli, script, startCli, withTempDir, writeScripts } from "./support/cli.ts";
import {
  dialectDb,
  DIALECTS,
  postgresDb,
  startServers,
  type TestDb,
  type TestDialect,
} from "./support/db.ts";
import { PASSWORD_USER } from "./support/pg_cluster.ts";
import { pgSession } from "./support/pg_session.ts";
import { holdUserLock, mysqlCli } from "./support/mariadb_server.ts";
import { LOCK_KEY } from "../src/drivers/postgres.ts";
import { lockName } from "../src/drivers/mysql.ts";
import { ExitCode } from "../src/errors.ts";

const servers = await startServers();
const cluster = servers.cluster;

/** What a case works with. */
interface Env {
  readonly db: TestDb;
  readonly dir: string;
  /** The migrations directory (holding the case's scripts). */
  readonly mig: string;
}

interface Case {
  readonly name: string;
  /** Only on this dialect (default: both). */
  readonly only?: TestDialect;
  /** The revision scripts, written to `mig` (default: {@linkcode BASE}). */
  readonly scripts?: Record<string, string>;
  /** Bring the database to where the case starts (default: upgraded to r1). */
  readonly setup?: (e: Env) => Promise<void>;
  /** The command line; `--json` is added for the second run. */
  readonly args: (e: Env) => string[];
  /** Environment variables: the case runs as a real `deno run main.ts` process. */
  readonly env?: (e: Env) => Record<string, string>;
  /** Something held while the command runs (a lock); returns its release. */
  readonly hold?: (e: Env) => Promise<() => Promise<void>>;
  readonly code: number;
  /** The one stderr line, after `bellows: `. */
  readonly err: RegExp;
  /** Texts that must appear in no output (passwords, raw and percent-encoded). */
  readonly secrets?: readonly string[];
  /** Run with `-v`: log lines come before the error line (and must not show secrets either). */
  readonly verbose?: boolean;
  /**
   * MySQL commits each DDL statement as it runs, so a revision that fails after one leaves it
   * applied (as the message says). This checks what stayed and undoes it by hand, the
   * recovery the message prescribes, before the database is compared with its snapshot.
   */
  readonly mysqlUndo?: (e: Env) => Promise<void>;
  /**
   * On MySQL the revision ran statement by statement (it holds DDL), so the next run refuses
   * until the operator has undone what completed (`mysqlUndo`) and stamped this revision;
   * the case checks that refusal, follows it, and then drops the audit rows of the failed
   * run and of the stamp, so that the rest of the database is compared with its snapshot.
   */
  readonly mysqlStamp?: string;
  /** On MySQL, one warning line that comes before the error line. */
  readonly mysqlWarn?: RegExp;
  /** On MySQL, the message instead of `err` (as {@linkcode mysqlErr} words it). */
  readonly mysqlErr?: RegExp;
}

/** `c.err` as MySQL words it: backtick-quoted names, and DDL that stays applied said so. */
function mysqlErr(re: RegExp): RegExp {
  const stays = ", but MySQL commits DDL statements as they run, so those before this one " +
    "stay applied; the version table remains at";
  return new RegExp(
    re.source.replaceAll('"', '["`]')
      .replace("was rolled back; the database remains at", `was rolled back${stays}`)
      .replace(
        "\\(--single-transaction\\); the database remains at",
        `\\(--single-transaction\\)${stays}`,
      ),
    re.flags,
  );
}

/** On MySQL, `table` stayed (its CREATE TABLE committed): check it, then drop it. */
const mysqlCreated = (table: string) => async (e: Env) => {
  assert.ok((await e.db.tables()).includes(table), `${table} stayed`);
  await e.db.exec(`DROP TABLE ${table}`);
};

/** r1 makes t1; r2 adds t2 and a row. */
const BASE = {
  "r1.sql": script("r1", "", "CREATE TABLE t1 (id INTEGER PRIMARY KEY, v TEXT);", "DROP TABLE t1;"),
  "r2.sql": script(
    "r2",
    "r1",
    "CREATE TABLE t2 (id INTEGER);\nINSERT INTO t1 (id, v) VALUES (1, 'x');",
    "DELETE FROM t1;\nDROP TABLE t2;",
  ),
};

/** BASE with r2 replaced by `text`. */
const withR2 = (text: string) => ({ ...BASE, "r2.sql": text });

/** A revision file from its header lines and upgrade SQL. */
const raw = (lines: string[]) => lines.join("\n") + "\n";

/** r1, then an expand revision e1 adding t1.w, a data migration d1 filling it, c1 contract. */
const PHASED = {
  ...BASE,
  "r2.sql": script("e1", "r1", "ALTER TABLE t1 ADD COLUMN w INTEGER;", "", {
    branch_labels: "expand",
  }),
  "c1.sql": script("c1", "r1", "SELECT 1;", "", { branch_labels: "contract", depends_on: "e1" }),
  "d1.sql": raw([
    "-- data_migration: d1",
    "-- after: e1",
    "-- bellows:check",
    "SELECT count(*) FROM t1 WHERE w IS NULL;",
    "-- bellows:batch",
    "UPDATE t1 SET w = 1 WHERE id IN " +
    "(SELECT id FROM (SELECT id FROM t1 WHERE w IS NULL LIMIT :batch_size) AS pick);",
    "INSERT INTO no_such_table VALUES (1);",
  ]),
};

/** Upgrade to `target` with bellows itself (the starting state of most cases). */
async function upgradeTo(e: Env, target: string, extra: string[] = []): Promise<void> {
  const r = await runCli([
    "-q",
    "--url",
    e.db.url,
    "--migrations",
    e.mig,
    ...extra,
    "upgrade",
    target,
  ]);
  assert.equal(r.code, 0, r.err);
}

const at = (...rows: string[]) => async (e: Env) => {
  await upgradeTo(e, "r1");
  await e.db.exec("DELETE FROM alembic_version");
  for (const r of rows) {
    await e.db.exec(
      r === "NULL"
        ? "INSERT INTO alembic_version VALUES (NULL)"
        : `INSERT INTO alembic_version VALUES ('${r}')`,
    );
  }
};

const url = (e: Env) => ["--url", e.db.url, "--migrations", e.mig];

/**
 * Start at r1 (made with good scripts), then put `place`'s files in the migrations folder:
 * for files writeScripts cannot write (bytes, FIFOs, links).
 */
const placing = (place: (e: Env) => Promise<void>) => async (e: Env) => {
  await writeScripts(`${e.dir}/good`, BASE);
  await upgradeTo({ ...e, mig: `${e.dir}/good` }, "r1");
  await Deno.remove(`${e.mig}/r2.sql`);
  await place(e);
};

/** r2 (inserting a row with an é) as `bytes` of some encoding. */
const R2_E_ACUTE = [
  "-- revision: r2",
  "-- down_revision: r1",
  "-- message: café",
  "",
  "-- bellows:upgrade",
  "INSERT INTO t1 (id, v) VALUES (2, 'é');",
  "",
].join("\n");

const WRONG = "Wr0ng:p@ss/w%rd";

/** A role with no privilege on bellows' tables but CREATE on the schema. */
const LIMITED = "bellows_limited";

async function limitedRole(e: Env): Promise<void> {
  await e.db.exec(
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${LIMITED}') THEN
         CREATE ROLE ${LIMITED} LOGIN;
       END IF;
     END $$; GRANT USAGE, CREATE ON SCHEMA public TO ${LIMITED}`,
  );
}

/** The case's database as {@linkcode LIMITED}. */
const limitedUrl = (e: Env) => e.db.url.replace(/\/\/[^@/]*@/, `//${LIMITED}@`);

const CASES: Case[] = [
  // Scripts and the graph: refused before the database is touched.
  {
    name: "misspelt header key",
    scripts: withR2("-- revision: r2\n-- down_revison: r1\n\n-- bellows:upgrade\nSELECT 1;\n"),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql:2: unknown header key "down_revison" \(did you mean "down_revision"\?\)$/,
  },
  {
    name: "bad revision id",
    scripts: withR2("-- revision: r 2\n-- down_revision: r1\n\n-- bellows:upgrade\nSELECT 1;\n"),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql:1: revision: revision id "r 2" must not contain whitespace$/,
  },
  {
    // Counted as the version column counts: characters, not UTF-16 units (20 emoji are 20).
    name: "a revision id of 33 emoji",
    scripts: withR2(script("🚀".repeat(33), "r1", "SELECT 1;")),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err:
      /\/r2\.sql:1: revision: revision id "🚀{33}" is 33 characters long; at most 32 are allowed$/u,
  },
  // Files that are not UTF-8 text, or not regular files (see also src/script/fs_test.ts).
  {
    name: "a Latin-1 script (not decoded to U+FFFD)",
    setup: placing(async (e) =>
      await Deno.writeFile(
        `${e.mig}/r2.sql`,
        Uint8Array.from(R2_E_ACUTE, (ch) => ch.charCodeAt(0)),
      )
    ),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err:
      /\/r2\.sql:3: not UTF-8 text: byte 0xE9 at byte offset 52 is not valid UTF-8 \(Latin-1 or another encoding\?\); save the file as UTF-8$/,
  },
  {
    name: "a binary file named *.sql",
    setup: placing(async (e) =>
      await Deno.writeFile(
        `${e.mig}/r2.sql`,
        new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]),
      )
    ),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql:3: a binary file, not SQL text \(NUL byte at byte offset 8\)$/,
  },
  {
    name: "a FIFO named *.sql (never opened: that would block)",
    setup: placing(async (e) => {
      const r = await new Deno.Command("mkfifo", { args: [`${e.mig}/r2.sql`] }).output();
      assert.ok(r.success);
    }),
    args: (e) => [...url(e), "history"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql: not a regular file \(a FIFO\); a script must be a regular file$/,
  },
  {
    name: "a link to /dev/zero named *.sql",
    setup: placing(async (e) => await Deno.symlink("/dev/zero", `${e.mig}/r2.sql`)),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql: not a regular file \(a character device\); a script must be a regular file$/,
  },
  {
    name: "a script over the 64 MiB limit",
    setup: placing(async (e) => {
      const f = await Deno.open(`${e.mig}/r2.sql`, { write: true, create: true });
      await f.truncate(64 * 1024 * 1024 + 1); // sparse: no disk space used
      f.close();
    }),
    args: (e) => [...url(e), "current"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql: larger than 64 MiB, the limit of a script file$/,
  },
  // An empty migrations folder (a wrong --migrations, say): commands that apply or plan
  // revisions refuse before opening the database, so no SQLite file appears.
  ...[
    ["upgrade"],
    ["stamp", "heads"],
    ["downgrade", "base"],
    ["plan"],
    ["upgrade", "--sql"],
    ["check"],
  ].map(
    (cmd): Case => ({
      name: `an empty migrations folder: ${cmd.join(" ")}`,
      setup: async (e) => {
        await Deno.remove(e.mig, { recursive: true });
        await Deno.mkdir(e.mig);
        await Deno.writeTextFile(`${e.mig}/README.md`, "not a script");
      },
      args: (e) => [...url(e), ...cmd],
      code: ExitCode.SCRIPT,
      err:
        /^migrations directory "\S+\/m" holds no revision scripts \(\*\.sql\); nothing to do, and the database was not opened$/,
    }),
  ),
  {
    name: "an escape sequence in a branch label",
    scripts: withR2(script("r2", "r1", "SELECT 1;", "", { branch_labels: "x\u001b[2J" })),
    args: (e) => [...url(e), "history"],
    code: ExitCode.SCRIPT,
    err:
      /\/r2\.sql:3: branch_labels: branch label "x\\u001b\[2J" must not contain control characters$/,
  },
  {
    name: "'none' as a revision id",
    scripts: withR2("-- revision: none\n-- down_revision: r1\n\n-- bellows:upgrade\nSELECT 1;\n"),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql:1: revision: revision id "none" is reserved/,
  },
  {
    name: "unterminated quote",
    scripts: {
      ...BASE,
      "r2.sql": script("r2", "r1", "SELECT 1;\nSELECT 'never closed;\nSELECT 2;"),
    },
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql:7: string is never closed$/,
  },
  {
    name: "unterminated dollar quote",
    scripts: withR2(raw([
      "-- revision: r2",
      "-- down_revision: r1",
      "-- bellows:upgrade postgresql",
      "DO $body$ BEGIN PERFORM 1; END $$;",
    ])),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql:4: dollar quote \$body\$ is never closed$/,
  },
  {
    name: "unterminated trigger body",
    scripts: withR2(raw([
      "-- revision: r2",
      "-- down_revision: r1",
      "-- bellows:upgrade sqlite",
      "CREATE TRIGGER g AFTER INSERT ON t1 BEGIN UPDATE t1 SET v = 'y';",
    ])),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql:4: trigger body BEGIN is never closed$/,
  },
  {
    name: "empty file",
    scripts: withR2(""),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql:1: missing header line "-- revision:"$/,
  },
  {
    name: "binary garbage",
    scripts: withR2("\u0000\u0001\u00ff\u00fe\u001b[2J garbage \u0007\n\u0000"),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/r2\.sql:1: a binary file, not SQL text \(NUL byte at byte offset 0\)$/,
  },
  {
    name: "the same id in two folders",
    scripts: { ...BASE, "sub/r2.sql": BASE["r2.sql"] },
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/sub\/r2\.sql:1: revision "r2" is also declared in .*\/r2\.sql:1$/,
  },
  {
    name: "a cycle",
    scripts: { ...BASE, "r1.sql": script("r1", "r2", "SELECT 1;") },
    args: (e) => [...url(e), "upgrade"],
    setup: async () => {},
    code: ExitCode.SCRIPT,
    err: /^Cycle is detected in revisions \('r\d' \(.*r\d\.sql\), 'r\d' \(.*r\d\.sql\)\)$/,
  },
  {
    name: "a missing parent",
    scripts: withR2(script("r2", "r0", "SELECT 1;")),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /^Revision 'r2' \(.*r2\.sql\) has down_revision 'r0' which does not exist$/,
  },
  {
    name: "depends_on an unknown revision",
    scripts: withR2(script("r2", "r1", "SELECT 1;", "", { depends_on: "zz9" })),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /^Revision 'r2' \(.*r2\.sql\) depends on 'zz9' which does not exist$/,
  },
  {
    name: "a branch label used twice",
    scripts: {
      "r1.sql": script("r1", "", "CREATE TABLE t1 (id INTEGER PRIMARY KEY, v TEXT);", "", {
        branch_labels: "x",
      }),
      "r2.sql": script("r2", "r1", "SELECT 1;", "", { branch_labels: "x" }),
    },
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /^Branch name 'x' in revision 'r2' \(.*\) already used by revision 'r1' \(.*\)$/,
  },
  {
    name: "a data migration that never uses :batch_size",
    scripts: {
      ...PHASED,
      "d1.sql": PHASED["d1.sql"].replace("LIMIT :batch_size", "LIMIT 5"),
    },
    args: (e) => [...url(e), "migrate"],
    code: ExitCode.SCRIPT,
    err: /\/d1\.sql:\d+: the batch step for \w+ never uses :batch_size/,
  },
  {
    name: "a script the OS refuses to read",
    setup: async (e) => {
      await upgradeTo(e, "r1");
      await Deno.symlink(`${e.mig}/loop.sql`, `${e.mig}/loop.sql`);
    },
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.SCRIPT,
    err: /\/loop\.sql: cannot read this file: /,
  },
  // Targets.
  {
    name: "unknown target",
    args: (e) => [...url(e), "upgrade", "nosuch"],
    code: ExitCode.SCRIPT,
    err: /^Can't locate revision identified by 'nosuch'$/,
  },
  {
    name: "ambiguous target",
    scripts: {
      "r1.sql": BASE["r1.sql"],
      "feed01.sql": script("feed01", "r1", "SELECT 1;"),
      "feed02.sql": script("feed02", "feed01", "SELECT 1;"),
    },
    args: (e) => [...url(e), "upgrade", "feed"],
    code: ExitCode.SCRIPT,
    err: /^Multiple revisions start with 'feed': 'feed01' \(.*\), 'feed02' \(.*\)$/,
  },
  {
    name: "downgrade to a later revision",
    args: (e) => [...url(e), "downgrade", "r2"],
    code: ExitCode.SCRIPT,
    err: /^Destination r2 is not a valid downgrade target from current head\(s\)$/,
  },
  {
    name: "relative step past head",
    args: (e) => [...url(e), "upgrade", "+5"],
    code: ExitCode.SCRIPT,
    err: /^Relative revision \+5 didn't produce 5 migrations$/,
  },
  {
    name: "relative step past base",
    args: (e) => [...url(e), "downgrade", "-3"],
    code: ExitCode.SCRIPT,
    err: /^Relative revision -3 didn't produce 3 migrations$/,
  },
  {
    name: "a range without --sql",
    args: (e) => [...url(e), "upgrade", "r1:r2"],
    code: ExitCode.USAGE,
    err: /^Range revision not allowed$/,
  },
  {
    name: "stamp of an unknown revision",
    args: (e) => [...url(e), "stamp", "nosuch"],
    code: ExitCode.SCRIPT,
    err: /^Can't locate revision identified by 'nosuch'$/,
  },
  {
    name: "merge of one head",
    args: (e) => [...url(e), "merge", "heads", "-m", "join"],
    code: ExitCode.USAGE,
    err: /^a merge needs at least two revisions; heads resolved to r2$/,
  },
  // SQL errors: the revision is rolled back.
  {
    name: "error in the first statement",
    scripts: withR2(
      script("r2", "r1", "INSERT INTO no_such_table VALUES (1);\nCREATE TABLE t2 (id INTEGER);"),
    ),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.MIGRATION_FAILED,
    err:
      /\/r2\.sql:6:\d+: \w+ .*no_such_table.*; upgrade of 'r2' was rolled back; the database remains at r1$/,
    mysqlErr:
      /\/r2\.sql:6:\d+: \w+ .*no_such_table.*; revision 'r2' cannot run in one transaction \(MySQL commits its DDL as it runs\): no statement before it completed, this one did not complete; the next run will refuse/,
    mysqlStamp: "r1",
  },
  {
    name: "error in a middle statement",
    scripts: withR2(
      script(
        "r2",
        "r1",
        "CREATE TABLE t2 (id INTEGER);\nINSERT INTO t2 VALUES ('x', 'y');\nCREATE TABLE t3 (id INTEGER);",
      ),
    ),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.MIGRATION_FAILED,
    err: /\/r2\.sql:7:\d+: .*; upgrade of 'r2' was rolled back; the database remains at r1$/,
    mysqlErr:
      /\/r2\.sql:7:\d+: .*; revision 'r2' cannot run in one transaction \(MySQL commits its DDL as it runs\): statement 1 completed and stays applied/,
    mysqlUndo: mysqlCreated("t2"),
    mysqlStamp: "r1",
  },
  {
    name: "error in the last statement, with a multi-line message",
    scripts: withR2(raw([
      "-- revision: r2",
      "-- down_revision: r1",
      "-- bellows:upgrade",
      "CREATE TABLE t2 (id INTEGER);",
      "-- bellows:upgrade postgresql",
      "DO $$ BEGIN RAISE EXCEPTION E'line one\\nline two' USING DETAIL = E'd1\\nd2'; END $$;",
      "-- bellows:upgrade sqlite",
      'SELECT * FROM "line one',
      'line two";',
      "-- bellows:upgrade mysql",
      "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'line one\\nline two';",
    ])),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.MIGRATION_FAILED,
    err:
      /\/r2\.sql:\d+:\d+: \w+ .*line one line two.*; upgrade of 'r2' was rolled back; the database remains at r1$/,
    mysqlErr:
      /\/r2\.sql:\d+:\d+: \w+ .*line one line two; revision 'r2' cannot run in one transaction \(MySQL commits its DDL as it runs\): statement 1 completed and stays applied/,
    mysqlUndo: mysqlCreated("t2"),
    mysqlStamp: "r1",
  },
  {
    name: "error in a downgrade",
    scripts: withR2(
      script(
        "r2",
        "r1",
        "CREATE TABLE t2 (id INTEGER);",
        "DROP TABLE t2;\nDROP TABLE no_such_table;",
      ),
    ),
    setup: async (e) => await upgradeTo(e, "r2"),
    args: (e) => [...url(e), "downgrade", "r1"],
    code: ExitCode.MIGRATION_FAILED,
    err:
      /\/r2\.sql:\d+:\d+: .*no_such_table.*; downgrade of 'r2' was rolled back; the database remains at r2$/,
    mysqlErr:
      /\/r2\.sql:\d+:\d+: .*no_such_table.*; revision 'r2' cannot run in one transaction \(MySQL commits its DDL as it runs\): statement 1 completed and stays applied/,
    mysqlStamp: "r2",
    mysqlUndo: async (e) => {
      // DROP TABLE t2 committed: put it back as r2 made it.
      assert.ok(!(await e.db.tables()).includes("t2"), "t2 was dropped");
      await e.db.exec("CREATE TABLE t2 (id INTEGER)");
    },
  },
  {
    name: "error in a data migration batch",
    scripts: PHASED,
    setup: async (e) => {
      await upgradeTo(e, "r1");
      await e.db.exec("INSERT INTO t1 (id, v) VALUES (1, 'a')");
      const r = await runCli(["-q", ...url(e), "expand"]);
      assert.equal(r.code, 0, r.err);
    },
    args: (e) => [...url(e), "migrate"],
    code: ExitCode.MIGRATION_FAILED,
    err: /\/d1\.sql:\d+:\d+: .*no_such_table.*; that batch of data migration 'd1' was rolled back/,
  },
  {
    name: "error in the whole run under --single-transaction",
    scripts: { ...BASE, "r3.sql": script("r3", "r2", "SELECT * FROM no_such_table;") },
    args: (e) => [...url(e), "--single-transaction", "upgrade"],
    mysqlWarn: /WARN --single-transaction on MySQL: DDL statements commit as they run/,
    // On MySQL, r2's CREATE TABLE (and the audit table's CREATE TABLE IF NOT EXISTS) also
    // committed the run's transaction, version row r2 included, as the message says.
    mysqlErr:
      /\/r3\.sql:\d+:\d+: .*; the whole run was rolled back \(--single-transaction\), but MySQL commits DDL statements as they run, so those before this one stay applied; those statements committed the run's transaction too, so the version table is at r2$/,
    mysqlUndo: async (e) => {
      await mysqlCreated("t2")(e);
      await e.db.exec(
        "DELETE FROM t1; UPDATE alembic_version SET version_num = 'r1'; " +
          "DELETE FROM bellows_audit WHERE revision = 'r2'",
      );
    },
    code: ExitCode.MIGRATION_FAILED,
    err:
      /\/r3\.sql:\d+:\d+: .*; the whole run was rolled back \(--single-transaction\); the database remains at r1$/,
  },
  // Recorded state that does not fit.
  {
    name: "unknown revision in the version table",
    setup: at("zz_elsewhere"),
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.STATE,
    err:
      /^"alembic_version" holds revision 'zz_elsewhere', which is not in .*; nothing was changed$/,
  },
  {
    name: "a NULL version row",
    setup: async (e) => {
      await upgradeTo(e, "r1");
      await e.db.exec("DROP TABLE alembic_version");
      await e.db.exec("CREATE TABLE alembic_version (version_num VARCHAR(32))");
      await e.db.exec("INSERT INTO alembic_version VALUES (NULL)");
    },
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.STATE,
    err: /^"alembic_version" holds a row whose version_num is NULL/,
  },
  // Rows where one revision comes after the other are no bad input: Alembic's own stamp of
  // several revisions leaves them and it runs on from them (tests/interop_fuzz_test.ts).
  {
    name: "a version table of another shape",
    setup: async (e) => {
      await upgradeTo(e, "r1");
      await e.db.exec("DROP TABLE alembic_version");
      await e.db.exec("CREATE TABLE alembic_version (v INTEGER)");
    },
    args: (e) => [...url(e), "current"],
    code: ExitCode.STATE,
    err: /^cannot read "alembic_version": .*version_num.*; nothing was changed$/,
  },
  {
    name: "a version table with an extra NOT NULL column",
    setup: async (e) => {
      await e.db.exec(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, extra INTEGER NOT NULL)",
      );
    },
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.STATE,
    err:
      /^cannot insert a row into "alembic_version": .*extra.*; upgrade of 'r1' was rolled back; the database remains at <base>$/,
    mysqlErr:
      /^cannot insert a row into `alembic_version`: .*extra.*; revision 'r1' cannot run in one transaction \(MySQL commits its DDL as it runs\): all 1 statements completed, but the version table was not updated/,
    // r1's CREATE TABLE t1, and bellows_audit's, committed before the version row failed; the
    // version table cannot take a stamp, so bellows_audit (made by this run) goes too.
    mysqlUndo: async (e) => {
      await mysqlCreated("t1")(e);
      await mysqlCreated("bellows_audit")(e);
    },
  },
  {
    name: "an audit table of another shape",
    setup: async (e) => {
      await upgradeTo(e, "r1");
      await e.db.exec("DROP TABLE bellows_audit");
      await e.db.exec("CREATE TABLE bellows_audit (x INTEGER)");
    },
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.STATE,
    err: /^cannot read "bellows_audit": .*seq.*; nothing was changed$/,
  },
  {
    name: "migrate_version with a garbage version",
    setup: async (e) => {
      await e.db.exec(
        "CREATE TABLE migrate_version (repository_id VARCHAR(250), repository_path TEXT, " +
          "version VARCHAR(20))",
      );
      await e.db.exec("INSERT INTO migrate_version VALUES ('Glance Migrations', '/x', 'v44')");
    },
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.STATE,
    err: /^"migrate_version" holds version 'v44', which is not a version number/,
  },
  {
    name: "migrate_version with a NULL version",
    setup: async (e) => {
      await e.db.exec(
        "CREATE TABLE migrate_version (repository_id VARCHAR(250), repository_path TEXT, " +
          "version INTEGER)",
      );
      await e.db.exec("INSERT INTO migrate_version VALUES ('Glance Migrations', '/x', NULL)");
    },
    args: (e) => [...url(e), "version"],
    code: ExitCode.STATE,
    err: /^"migrate_version" holds no version \(NULL\); nothing was changed$/,
  },
  {
    name: "migrate_version of another shape",
    setup: async (e) => await e.db.exec("CREATE TABLE migrate_version (x INTEGER)"),
    args: (e) => [...url(e), "expand"],
    code: ExitCode.STATE,
    err: /^cannot read "migrate_version": .*repository_id.*; nothing was changed$/,
  },
  // A second runner.
  {
    name: "a second runner",
    hold: async (e) => {
      if (e.db.dialect === "sqlite") {
        const file = await Deno.open(e.db.url, { read: true, write: true });
        await file.lock(true);
        return () => Promise.resolve(file.close());
      }
      if (e.db.dialect === "mysql") {
        return await holdUserLock(e.db.url, await lockName(e.db.my!.name));
      }
      const s = pgSession(e.db.url);
      await s.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
      return () => s.close();
    },
    args: (e) => [...url(e), "--lock-wait", "100ms", "upgrade"],
    code: ExitCode.LOCK_BUSY,
    err: /^another bellows run holds the migration lock on \S+ .*waited/,
  },
  // Connections and passwords.
  {
    name: "wrong password in the URL",
    only: "postgresql",
    args: (e) =>
      [...url(e), "current"].map((a) => a === e.db.url ? e.db.pg!.passwordUrl(WRONG) : a),
    code: ExitCode.UNREACHABLE,
    err:
      /^cannot connect to postgresql:\/\/bellows_pw@[^ ]+: password authentication failed for user "bellows_pw" \(SQLSTATE 28P01\)$/,
    secrets: [WRONG, encodeURIComponent(WRONG)],
  },
  {
    name: "wrong password in PGPASSWORD",
    only: "postgresql",
    env: () => ({ PGPASSWORD: WRONG }),
    args: (e) =>
      [...url(e), "current"].map((a) =>
        a === e.db.url ? e.db.pg!.passwordUrl("").replace(":@", "@") : a
      ),
    code: ExitCode.UNREACHABLE,
    err: /password authentication failed for user "bellows_pw"/,
    secrets: [WRONG, encodeURIComponent(WRONG)],
  },
  {
    name: "wrong password in alembic.ini",
    only: "postgresql",
    setup: async (e) => {
      await upgradeTo(e, "r1");
      const u = e.db.pg!.passwordUrl(WRONG).replaceAll("%", "%%");
      await Deno.writeTextFile(`${e.dir}/alembic.ini`, `[alembic]\nsqlalchemy.url = ${u}\n`);
    },
    args: (e) => ["-c", `${e.dir}/alembic.ini`, "--migrations", e.mig, "-v", "current"],
    verbose: true,
    code: ExitCode.UNREACHABLE,
    err: /password authentication failed for user "bellows_pw"/,
    secrets: [WRONG, encodeURIComponent(WRONG)],
  },
  {
    name: "a password with a raw '/' is refused without echoing it",
    only: "postgresql",
    args: (e) => [
      "--url",
      `postgresql://${PASSWORD_USER.name}:Sec/ret42@127.0.0.1:${cluster.port}/${e.db.pg!.name}`,
      "--migrations",
      e.mig,
      "current",
    ],
    code: ExitCode.USAGE,
    err: /^the PostgreSQL URL has an '@' after its host part/,
    secrets: ["Sec", "ret42"],
  },
  // Issue 10: passwords holding raw URL delimiters. A URL that cannot be parsed is a usage
  // error (exit 2) echoing none of the password; one that parses is tried (exit 7 if refused).
  ...([
    [
      "'@', ':' and '/' (issue 10's shape)",
      "Kp7q@Zz4x:Wv9031/",
      /^the PostgreSQL URL has an '@' after its host part/,
    ],
    ["':' and '/'", "Kp7q:Zz4x/Wv9031", /^the PostgreSQL URL has an '@' after its host part/],
    ["'@' and '?'", "Kp7q@Zz4x?Wv9031", /^the PostgreSQL URL has an '@' after its host part/],
    ["'#' and ':'", "Kp7q#Zz4x:Wv9031", /^the PostgreSQL URL has an '@' after its host part/],
  ] as const).map(([what, pw, err]): Case => ({
    name: `a password with raw ${what} is refused without echoing it`,
    only: "postgresql",
    args: (e) => [
      "--url",
      `postgresql://${PASSWORD_USER.name}:${pw}@127.0.0.1:${cluster.port}/${e.db.pg!.name}`,
      "--migrations",
      e.mig,
      "current",
    ],
    code: ExitCode.USAGE,
    err,
    secrets: ["Kp7q", "Zz4x", "Wv9031"],
  })),
  {
    name: "a password with raw '@' and ':' parses, and its refusal echoes none of it",
    only: "postgresql",
    args: (e) => [
      "--url",
      `postgresql://${PASSWORD_USER.name}:Kp7q@Zz4x:Wv9031@127.0.0.1:${cluster.port}/${
        e.db.pg!.name
      }`,
      "--migrations",
      e.mig,
      "current",
    ],
    code: ExitCode.UNREACHABLE,
    err: /password authentication failed for user "bellows_pw"/,
    secrets: ["Kp7q", "Zz4x", "Wv9031"],
  },
  {
    name: "a password parameter with a raw '&' is refused without echoing it",
    only: "postgresql",
    args: (e) => [
      "--url",
      `postgresql://${PASSWORD_USER.name}@127.0.0.1:${cluster.port}/${
        e.db.pg!.name
      }?password=Kp7q&Zz4x&sslmode=disable`,
      "--migrations",
      e.mig,
      "current",
    ],
    code: ExitCode.USAGE,
    err: /^the PostgreSQL URL parameter after "password" is not a known name=value/,
    secrets: ["Kp7q", "Zz4x"],
  },
  {
    name: "a word where the port goes, in a URL with a password, is not echoed",
    only: "postgresql",
    args: (e) => [
      "--url",
      `postgresql://${PASSWORD_USER.name}:Kp7qZz4x@127.0.0.1:Kp7qZz4x/${e.db.pg!.name}`,
      "--migrations",
      e.mig,
      "current",
    ],
    code: ExitCode.USAGE,
    err: /^invalid port in the PostgreSQL URL \(not a number\)/,
    secrets: ["Kp7qZz4x"],
  },
  // Issue 10: one rule for URLs: one that cannot be parsed is a usage error, any scheme.
  {
    name: "a malformed PostgreSQL URL (port out of range) is a usage error",
    only: "postgresql",
    args: (e) => ["--url", `postgresql://postgres@127.0.0.1:99999/${e.db.pg!.name}`, "current"],
    code: ExitCode.USAGE,
    err: /^invalid port "99999" in the URL$/,
  },
  {
    name: "a malformed PostgreSQL URL (bad percent-encoding) is a usage error",
    only: "postgresql",
    args: (e) => ["--url", `postgresql://postgres@127.0.0.1/${e.db.pg!.name}%zz`, "current"],
    code: ExitCode.USAGE,
    err: /^invalid percent-encoding in the database name of the PostgreSQL URL$/,
  },
  {
    name: "an unsupported SQLAlchemy driver is a usage error",
    only: "postgresql",
    args: (e) => ["--url", `postgresql+mysqldb://postgres@127.0.0.1/${e.db.pg!.name}`, "current"],
    code: ExitCode.USAGE,
    err: /^unsupported URL scheme "postgresql\+mysqldb"/,
  },
  {
    name: "an unsupported scheme is a usage error, echoing no password",
    args: () => ["--url", "mssql://glance:Kp7qZz4x@127.0.0.1/glance", "current"],
    code: ExitCode.USAGE,
    err: /^unsupported database URL scheme 'mssql'/,
    secrets: ["Kp7qZz4x"],
  },
  {
    name: "a password the server echoes back (as the database name)",
    only: "postgresql",
    args: (e) => [
      "--url",
      `postgresql://postgres:Hunter2Hunter2@127.0.0.1:${cluster.port}/Hunter2Hunter2`,
      "--migrations",
      e.mig,
      "current",
    ],
    code: ExitCode.UNREACHABLE,
    err: /database "\*\*\*" does not exist/,
    secrets: ["Hunter2Hunter2"],
  },
  // Issue 10: a privilege the database refuses on bellows' own tables is exit 7, as a
  // refused login: the fix is a grant, not the scripts or the recorded state (exit 9).
  {
    name: "no privilege on the version table",
    only: "postgresql",
    setup: async (e) => {
      await upgradeTo(e, "r1");
      await limitedRole(e);
    },
    args: (e) => [...url(e), "current"].map((a) => a === e.db.url ? limitedUrl(e) : a),
    code: ExitCode.UNREACHABLE,
    err:
      /^the database refused to let bellows read "alembic_version" \(bellows needs SELECT, .*\): permission denied for table alembic_version; nothing was changed$/,
  },
  {
    name: "no privilege to update the version table",
    only: "postgresql",
    setup: async (e) => {
      await upgradeTo(e, "r1");
      await limitedRole(e);
      await e.db.exec(
        `GRANT SELECT ON alembic_version TO ${LIMITED}; GRANT ALL ON bellows_audit, t1 TO ${LIMITED}`,
      );
    },
    args: (e) => [...url(e), "upgrade"].map((a) => a === e.db.url ? limitedUrl(e) : a),
    code: ExitCode.UNREACHABLE,
    err:
      /^the database refused to let bellows update a row of "alembic_version" .*permission denied for table alembic_version; upgrade of 'r2' was rolled back; the database remains at r1$/,
  },
  {
    name: "nothing listening",
    only: "postgresql",
    args: (e) => ["--url", `postgresql://postgres@127.0.0.1:1/${e.db.pg!.name}`, "current"],
    code: ExitCode.UNREACHABLE,
    err:
      /^cannot connect to postgresql:\/\/postgres@127\.0\.0\.1:1\/\S+: connection refused at 127\.0\.0\.1:1$/,
  },
  {
    name: "a socket directory that does not exist",
    only: "postgresql",
    args: (
      e,
    ) => [
      "--url",
      `postgresql:///${e.db.pg!.name}?host=/nonexistent/sock&user=postgres`,
      "current",
    ],
    code: ExitCode.UNREACHABLE,
    err: /no server socket at \/nonexistent\/sock\/\.s\.PGSQL\.5432$/,
  },
  // SQLite files.
  {
    name: "a read-only database file",
    only: "sqlite",
    setup: async (e) => {
      await upgradeTo(e, "r1");
      await Deno.chmod(e.db.url, 0o444);
      // root writes through mode bits: an immutable file stops root too.
      if (Deno.uid() === 0) {
        const r = await new Deno.Command("chattr", { args: ["+i", e.db.url] }).output();
        assert.ok(r.success, "chattr +i");
      }
    },
    args: (e) => [...url(e), "upgrade"],
    code: ExitCode.UNREACHABLE,
    err: /^cannot write to SQLite database \S+: the operating system refused \(/,
  },
  {
    name: "a path in a missing folder",
    only: "sqlite",
    setup: async () => {},
    args: (e) => ["--url", `${e.dir}/no/such/x.db`, "--migrations", e.mig, "upgrade"],
    code: ExitCode.UNREACHABLE,
    err:
      /^cannot create SQLite database \S+\/no\/such\/x\.db: folder \S+\/no\/such does not exist$/,
  },
  {
    name: "a file that is not a database",
    only: "sqlite",
    setup: async (e) => await Deno.writeTextFile(e.db.url, "id,name\n1,glance\n".repeat(100)),
    args: (e) => [...url(e), "current"],
    code: ExitCode.UNREACHABLE,
    err: /^cannot use SQLite database \S+: file is not a database$/,
  },
  {
    name: "a URL with no file",
    only: "sqlite",
    args: (e) => ["--url", "sqlite:", "--migrations", e.mig, "upgrade"],
    code: ExitCode.USAGE,
    err: /^the SQLite URL 'sqlite:' names no file/,
  },
  {
    name: "a schema SQLite does not have",
    only: "sqlite",
    args: (e) => [...url(e), "--version-table-schema", "glance", "upgrade"],
    code: ExitCode.USAGE,
    err: /has no schema "glance"/,
  },
  // The command line itself.
  {
    name: "a blank URL (an unset variable in quotes)",
    args: (e) => ["--url", " ", "--migrations", e.mig, "upgrade"],
    code: ExitCode.USAGE,
    err: /^no database given: pass --url, set DATABASE_URL or set sqlalchemy\.url in alembic\.ini$/,
  },
  {
    name: "unknown option",
    args: (e) => [...url(e), "upgrade", "--frobnicate"],
    code: ExitCode.USAGE,
    err: /^unknown option '--frobnicate'$/,
  },
  {
    name: "misspelt command",
    args: (e) => [...url(e), "upgarde"],
    code: ExitCode.USAGE,
    err: /^unknown command 'upgarde' \(Did you mean upgrade\?\)$/,
  },
  {
    name: "no command",
    args: (e) => url(e),
    code: ExitCode.USAGE,
    err: /^no command given/,
  },
  {
    name: "missing argument",
    args: (e) => [...url(e), "downgrade"],
    code: ExitCode.USAGE,
    err: /^missing required argument 'revision'$/,
  },
  {
    name: "bad durations",
    args: (e) => [...url(e), "--lock-wait", "abc", "upgrade"],
    code: ExitCode.USAGE,
    err: /^--lock-wait: 'abc' is not a duration/,
  },
  {
    name: "negative duration",
    args: (e) => [...url(e), "--statement-timeout", "-5s", "upgrade"],
    code: ExitCode.USAGE,
    err: /^--statement-timeout: '-5s' is not a duration/,
  },
  {
    name: "a duration no timer holds",
    args: (e) => [...url(e), "--lock-timeout", "99999999999", "upgrade"],
    code: ExitCode.USAGE,
    err: /^--lock-timeout: '99999999999' is too long/,
  },
  {
    name: "--batch-size 0",
    scripts: PHASED,
    args: (e) => [...url(e), "migrate", "--batch-size", "0"],
    code: ExitCode.USAGE,
    err: /^--batch-size: '0' is not a positive whole number$/,
  },
  {
    name: "conflicting flags",
    args: (e) => [...url(e), "-q", "-v", "upgrade"],
    code: ExitCode.USAGE,
    err: /^option '-q, --quiet' cannot be used with option '-v, --verbose'$/,
  },
  {
    name: "--dry-run with --sql",
    args: (e) => [...url(e), "upgrade", "--sql", "--dry-run"],
    code: ExitCode.USAGE,
    err: /^option '--dry-run' cannot be used with option '--sql'$/,
  },
];

/** Everything a case may not change: tables and their columns, version, audit and legacy rows. */
async function snapshot(db: TestDb): Promise<string> {
  if (db.dialect === "sqlite") {
    try {
      await Deno.stat(db.url);
    } catch {
      return "(no file)";
    }
    let master: unknown;
    try {
      master = await db.rows("SELECT type, name, sql FROM sqlite_master ORDER BY name");
    } catch (e) {
      // Not a database: its bytes are the state.
      return `(not a database) ${await Deno.readTextFile(db.url)} ${e}`;
    }
    const names = (master as { name: string }[]).map((r) => r.name);
    const contents = [];
    for (const t of ["alembic_version", "bellows_audit", "migrate_version", "t1", "t2"]) {
      if (names.includes(t)) contents.push([t, await db.rows(`SELECT * FROM "${t}"`)]);
    }
    return JSON.stringify({ master, contents });
  }
  if (db.dialect === "mysql") {
    // Every table's columns and indexes, and its whole contents.
    const tables = await db.tables();
    const out = [];
    for (const t of tables) {
      out.push([
        t,
        await mysqlCli(db.url, `SHOW CREATE TABLE \`${t}\``),
        await db.rows(`SELECT * FROM \`${t}\` ORDER BY 1`),
      ]);
    }
    return JSON.stringify(out);
  }
  // One query (one psql): every table's columns and its whole contents.
  return JSON.stringify(
    await db.rows(
      `SELECT c.relname AS name,
              (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) ||
                                 CASE WHEN attnotnull THEN ' NOT NULL' ELSE '' END, ', '
                                 ORDER BY attnum)
                 FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped)
                AS columns,
              CASE WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid)
                   ELSE query_to_xml(format('SELECT * FROM %I.%I ORDER BY 1', n.nspname,
                                            c.relname), true, false, '')::text
              END AS contents
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'i')
        ORDER BY c.relname`,
    ),
  );
}

/** The newest audit row's seq (0 when there is none, or no table). */
async function lastAuditSeq(db: TestDb): Promise<number> {
  if (!(await db.tables()).includes("bellows_audit")) return 0;
  return Number((await db.rows("SELECT COALESCE(MAX(seq), 0) AS n FROM bellows_audit"))[0].n);
}

async function runCase(c: Case, e: Env, json: boolean): Promise<void> {
  // As from cron: -q leaves only the error line (log lines are what -v asks for).
  const quiet = c.verbose || c.args(e).includes("-v") ? [] : ["-q"];
  const args = [...(json ? ["--json"] : []), ...quiet, ...c.args(e)];
  const release = c.hold ? await c.hold(e) : undefined;
  const auditSeq = e.db.dialect === "mysql" && c.mysqlStamp ? await lastAuditSeq(e.db) : 0;
  let r;
  try {
    r = c.env ? await execCli(args, { env: c.env(e) }) : await runCli(args);
  } finally {
    await release?.();
  }
  const what = `${c.name}${json ? " (--json)" : ""}: ${r.err}`;
  assert.equal(r.code, c.code, what);
  let lines = r.err.split("\n");
  const mysql = e.db.dialect === "mysql";
  if (mysql && c.mysqlWarn) {
    assert.match(lines[0], c.mysqlWarn, what);
    lines = lines.slice(1);
  }
  if (c.verbose) assert.ok(lines.slice(0, -1).every((l) => / DEBUG /.test(l)), what);
  else assert.equal(lines.length, 1, `one line on stderr: ${what}`);
  const last = lines.at(-1)!;
  assert.ok(last.startsWith("bellows: "), what);
  const message = last.slice("bellows: ".length);
  assert.match(message, mysql ? c.mysqlErr ?? mysqlErr(c.err) : c.err, what);
  if (mysql) await c.mysqlUndo?.(e);
  if (mysql && c.mysqlStamp) {
    const cur = await runCli(["-q", ...url(e), "current"]);
    assert.equal(cur.code, ExitCode.STATE, `refused until stamped: ${what}`);
    assert.match(cur.err, /cannot run in one transaction .* was interrupted/, what);
    const st = await runCli(["-q", ...url(e), "stamp", c.mysqlStamp]);
    assert.equal(st.code, 0, st.err);
    assert.equal((await runCli(["-q", ...url(e), "current"])).code, 0, what);
    await e.db.exec(`DELETE FROM bellows_audit WHERE seq > ${auditSeq}`);
  }
  if (json) {
    const doc = JSON.parse(r.out);
    assert.equal(r.out.split("\n").length, 1, what);
    assert.deepEqual(
      [doc.ok, doc.exitCode, doc.error.code, doc.error.message],
      [false, c.code, c.code, message],
      what,
    );
  } else {
    assert.equal(r.out, "", `nothing on stdout: ${what}`);
  }
  for (const s of c.secrets ?? []) {
    assert.ok(!r.out.includes(s) && !r.err.includes(s), `${c.name} shows '${s}'`);
  }
}

for (const dialect of DIALECTS) {
  Deno.test(`${dialect}: bad input is one line, a documented code, and changes nothing`, async (t) => {
    // One PostgreSQL or MariaDB database, emptied before each case (quicker than one each).
    const shared = dialect === "sqlite" ? undefined : await dialectDb(servers, dialect, "", "bad");
    for (const c of CASES) {
      if (c.only && c.only !== dialect) continue;
      await t.step(c.name, async () => {
        await withTempDir(async (dir) => {
          if (shared?.pg) await shared.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
          if (shared?.my) {
            await mysqlCli(
              servers.mysql.superuserUrl,
              `DROP DATABASE \`${shared.my.name}\`; ` +
                `CREATE DATABASE \`${shared.my.name}\` CHARACTER SET utf8mb4`,
            );
          }
          const db = shared ?? await dialectDb(servers, dialect, dir, "bad");
          const e: Env = { db, dir, mig: `${dir}/m` };
          await writeScripts(e.mig, c.scripts ?? BASE);
          // The starting state is made with good scripts, then the case's are put in place.
          if (!c.setup) {
            await writeScripts(`${dir}/good`, BASE);
            await upgradeTo({ ...e, mig: `${dir}/good` }, "r1");
          } else {
            await c.setup(e);
          }
          const before = await snapshot(db);
          try {
            await runCase(c, e, false);
            assert.equal(await snapshot(db), before, `${c.name}: the database changed`);
            await runCase(c, e, true);
            assert.equal(await snapshot(db), before, `${c.name} (--json): the database changed`);
          } finally {
            if (dialect === "sqlite" && Deno.uid() === 0) {
              await new Deno.Command("chattr", { args: ["-i", db.url] }).output();
            }
          }
        });
      });
    }
  });
}

Deno.test("postgresql: SIGTERM mid-statement: one line, exit 143, rolled back, lock released", async () => {
  await withTempDir(async (dir) => {
    const db = await postgresDb(cluster, "sig");
    const mig = `${dir}/m`;
    await writeScripts(mig, {
      ...BASE,
      "r2.sql": script("r2", "r1", "CREATE TABLE t2 (id INTEGER);\nSELECT pg_sleep(60);"),
    });
    const e = { db, dir, mig };
    await upgradeTo(e, "r1");
    const before = await snapshot(db);
    const cli = startCli(["--json", "--url", db.url, "--migrations", mig, "upgrade"]);
    await cli.waitForErr(/Running upgrade r1 -> r2/);
    cli.process.kill("SIGTERM");
    const r = await cli.done();
    assert.equal(r.code, ExitCode.TERMINATED, r.err);
    const lines = r.err.split("\n").filter((l) => l.startsWith("bellows:"));
    assert.deepEqual(lines, [
      `bellows: stopped by SIGTERM: the upgrade of 'r2' (${mig}/r2.sql) was not committed: ` +
      "the database rolls it back and stays at r1",
    ]);
    const doc = JSON.parse(r.out);
    assert.deepEqual([doc.ok, doc.exitCode, doc.error.kind], [false, 143, "interrupted"]);
    // The server ends the dead session (and its advisory lock) on its own.
    const next = await runCli([
      "-q",
      "--url",
      db.url,
      "--migrations",
      mig,
      "--lock-wait",
      "20s",
      "stamp",
      "r1",
    ]);
    assert.equal(next.code, 0, next.err);
    assert.equal(await snapshot(db), before);
  });
});

for (const dialect of DIALECTS) {
  Deno.test(`${dialect}: a non-transactional revision that fails is named, then refused until stamped`, async () => {
    await withTempDir(async (dir) => {
      const db = await dialectDb(servers, dialect, dir, "nontx");
      const mig = `${dir}/m`;
      await writeScripts(mig, {
        ...BASE,
        "r2.sql": script(
          "r2",
          "r1",
          "CREATE TABLE t2 (id INTEGER);\nINSERT INTO no_such_table VALUES (1);",
          "",
          { transactional: "false" },
        ),
      });
      const base = ["--url", db.url, "--migrations", mig];
      await upgradeTo({ db, dir, mig }, "r1");
      let r = await runCli([...base, "-q", "upgrade"]);
      assert.equal(r.code, ExitCode.MIGRATION_FAILED, r.err);
      assert.match(
        r.err,
        /^bellows: \S+\/r2\.sql:8:\d+: .*no_such_table.*; revision 'r2' runs outside a transaction: statement 1 completed and stays applied, this one did not complete/,
      );
      // By design the statement before the failing one stays, and the next run refuses.
      assert.ok((await db.tables()).includes("t2"));
      for (const cmd of [["upgrade"], ["current"], ["downgrade", "base"]]) {
        r = await runCli([...base, "--json", ...cmd]);
        assert.equal(r.code, ExitCode.STATE, r.err);
        assert.equal(r.err.split("\n").length, 1, r.err);
        assert.match(
          r.err,
          new RegExp(
            "the upgrade of revision 'r2' \\(\\S+/r2\\.sql\\) runs outside a transaction and " +
              "was interrupted \\(started \\S+ on \\S+\\): statement 1 of 2 completed, statement 2 " +
              "\\(\\S+/r2\\.sql:8\\) was running\\. To undo: undo statement 1 \\(\\S+/r2\\.sql:7\\) by " +
              "hand, then 'bellows stamp r1' and run again\\. To finish: run statement 2 by hand " +
              "\\(\\S+/r2\\.sql:8\\), then 'bellows stamp r2'$",
          ),
        );
        assert.equal(JSON.parse(r.out).error.kind, "state");
      }
      assert.deepEqual(await db.versions(), ["r1"]);
      await db.exec("DROP TABLE t2");
      r = await runCli([...base, "-q", "stamp", "r1"]);
      assert.equal(r.code, 0, r.err);
      r = await runCli([...base, "current"]);
      assert.equal(r.code, 0, r.err);
    });
  });
}

Deno.test("a statement the splitter rejects: the commands that read headers only answer; those that run it stop", async () => {
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/m`, { "r1.sql": script("r1", [], "CREATE TABLE t1 (id int);") });
    const base = ["--migrations", `${dir}/m`, "--url", `sqlite:${dir}/a.db`];
    let r = await runCli([...base, "-q", "upgrade"]);
    assert.equal(r.code, 0, r.err);
    await writeScripts(`${dir}/m`, {
      "r2.sql": script("r2", "r1", "SELECT 1;\nSELECT 'never closed;\n"),
    });
    for (const cmd of [["current"], ["heads"], ["history"], ["show", "r2"]]) {
      r = await runCli([...base, ...cmd]);
      assert.equal(r.code, 0, `${cmd}: ${r.err}`);
    }
    assert.equal((await runCli([...base, "current"])).out.trim(), "r1");
    // current --json lists the pending steps with their checksums: that reads r2's statements.
    for (const cmd of [["--json", "current"], ["upgrade"], ["plan"]]) {
      r = await runCli([...base, ...cmd]);
      assert.equal(r.code, ExitCode.SCRIPT, `${cmd}: ${r.err}`);
      assert.match(r.err, /\/r2\.sql:\d+: string is never closed$/);
    }
  });
});
