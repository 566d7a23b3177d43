/**
 * The ALTER algorithms src/analysis/mysql.ts claims, checked against a real MariaDB: each
 * statement of a sample runs with the `ALGORITHM=` it is said to need (and `LOCK=NONE`
 * when it is said to allow writes) and must be accepted, and the next cheaper algorithm
 * (or `LOCK=NONE`, when it is said to block writes) must be refused. So the model is the
 * server's table, not our idea of it.
 */
import assert from "node:assert/strict";
import {
  classifyMysql,
  MYSQL_ALGORITHMS,
  type MysqlAlgorithm,
  type MysqlStatement,
  refineStatement,
} from "../src/analysis/mysql.ts";
import { openMysql } from "../src/drivers/mysql.ts";
import { createDatabase, mysqlCli, startServer } from "./support/mariadb_server.ts";

const server = await startServer();
const db = await createDatabase(server, "algorithms");

/** A table with rows, a secondary index, a foreign key and a FULLTEXT-free layout. */
const SETUP = `
DROP TABLE IF EXISTS t, t2, t_renamed;
DROP TABLE IF EXISTS p;
CREATE TABLE p (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO p VALUES (1), (2);
CREATE TABLE t (
  id INT NOT NULL,
  a INT,
  b VARCHAR(20),
  c VARCHAR(100) NOT NULL DEFAULT '',
  n INT NULL,
  p_id INT,
  w VARCHAR(50),
  e ENUM('red', 'green'),
  CONSTRAINT t_pk PRIMARY KEY (id),
  KEY i_a (a),
  CONSTRAINT fk_p FOREIGN KEY (p_id) REFERENCES p (id),
  CONSTRAINT chk_a CHECK (a >= 0)
) ENGINE=InnoDB;
INSERT INTO t VALUES (1, 1, 'x', 'y', 1, 1, 'w', 'red'), (2, 2, 'z', 'w', 2, 2, 'w', 'green');
CREATE TABLE t2 (id INT NOT NULL, a INT) ENGINE=InnoDB;
INSERT INTO t2 VALUES (1, 1), (1, 2);`;

/**
 * Statements to check. `unless`: the claim is the dear case of a condition, and this
 * statement meets the condition, so only acceptance of the claim is checked.
 */
const CASES: readonly { sql: string; cheaperMayWork?: boolean }[] = [
  { sql: "ALTER TABLE t ADD COLUMN d INT" },
  { sql: "ALTER TABLE t ADD COLUMN d INT NOT NULL DEFAULT 0 AFTER id" },
  { sql: "ALTER TABLE t ADD COLUMN d VARCHAR(10) NOT NULL" },
  { sql: "ALTER TABLE t ADD COLUMN d INT AS (a + 1) VIRTUAL" },
  { sql: "ALTER TABLE t ADD COLUMN d INT AS (a + 1) STORED" },
  { sql: "ALTER TABLE t ADD COLUMN d CHAR(36) DEFAULT (UUID())" },
  { sql: "ALTER TABLE t ADD COLUMN d TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP" },
  { sql: "ALTER TABLE t2 ADD COLUMN d INT NOT NULL AUTO_INCREMENT, ADD KEY (d)" },
  { sql: "ALTER TABLE t DROP COLUMN b" },
  { sql: "ALTER TABLE t DROP COLUMN n, DROP COLUMN b" },
  { sql: "ALTER TABLE t ALTER COLUMN c SET DEFAULT 'q'" },
  { sql: "ALTER TABLE t ALTER COLUMN c DROP DEFAULT" },
  { sql: "ALTER TABLE t RENAME COLUMN b TO bb" },
  { sql: "ALTER TABLE t RENAME INDEX i_a TO i_aa" },
  { sql: "ALTER TABLE t RENAME TO t_renamed" },
  { sql: "ALTER TABLE t ADD INDEX i_c (c)" },
  { sql: "ALTER TABLE t ADD UNIQUE KEY u_c (c)" },
  { sql: "ALTER TABLE t ADD FULLTEXT INDEX f_c (c)" },
  { sql: "ALTER TABLE t DROP INDEX i_a" },
  { sql: "ALTER TABLE t DROP FOREIGN KEY fk_p" },
  { sql: "ALTER TABLE t DROP CONSTRAINT chk_a" },
  { sql: "ALTER TABLE t ADD CONSTRAINT fk_p2 FOREIGN KEY (p_id) REFERENCES p (id)" },
  { sql: "ALTER TABLE t ADD CONSTRAINT chk_n CHECK (n > 0)" },
  { sql: "ALTER TABLE t2 ADD PRIMARY KEY (id, a)" },
  { sql: "ALTER TABLE t DROP PRIMARY KEY" },
  { sql: "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, c)" },
  { sql: "ALTER TABLE t MODIFY COLUMN a BIGINT" },
  // utf8mb4: 200 to 400 bytes: values of 128+ bytes would need a two-byte length.
  { sql: "ALTER TABLE t MODIFY COLUMN w VARCHAR(100)" },
  { sql: "ALTER TABLE t MODIFY COLUMN b VARCHAR(30)", cheaperMayWork: true },
  { sql: "ALTER TABLE t MODIFY COLUMN n INT NOT NULL", cheaperMayWork: true },
  { sql: "ALTER TABLE t CHANGE COLUMN a a_text VARCHAR(20)" },
  { sql: "ALTER TABLE t CONVERT TO CHARACTER SET latin1" },
  { sql: "ALTER TABLE t ENGINE=InnoDB" },
  { sql: "ALTER TABLE t FORCE" },
  { sql: "ALTER TABLE t2 ENGINE=MyISAM" },
  { sql: "ALTER TABLE t ROW_FORMAT=DYNAMIC" },
  { sql: "ALTER TABLE t AUTO_INCREMENT=100" },
  { sql: "ALTER TABLE t COMMENT='images'" },
  { sql: "ALTER TABLE t DEFAULT CHARACTER SET latin1" },
  { sql: "CREATE INDEX i_c ON t (c)" },
  { sql: "CREATE UNIQUE INDEX u_c ON t (c)" },
  { sql: "DROP INDEX i_a ON t" },
];

/** `sql` with its algorithm (and lock) clauses, in the statement's own syntax. */
function withClauses(sql: string, algorithm: MysqlAlgorithm, lockNone: boolean): string {
  // MariaDB's DROP INDEX takes no clauses: its ALTER TABLE form does.
  const drop = /^DROP INDEX (\w+) ON (\w+)$/i.exec(sql);
  if (drop) sql = `ALTER TABLE ${drop[2]} DROP INDEX ${drop[1]}`;
  const sep = /^ALTER/i.test(sql) ? ", " : " ";
  return `${sql}${sep}ALGORITHM=${algorithm}${lockNone ? `${sep}LOCK=NONE` : ""}`;
}

/** Run `sql` on a fresh copy of the tables: null when accepted, else the server's error. */
async function attempt(sql: string): Promise<string | null> {
  await mysqlCli(db.url, SETUP);
  try {
    await mysqlCli(db.url, sql);
    return null;
  } catch (e) {
    return (e as Error).message.split("\n").find((l) => /ERROR/.test(l)) ?? String(e);
  }
}

/** Check the claims of `s` (the model of `sql`) on the server; add what is wrong to `wrong`. */
async function checkClaims(
  sql: string,
  s: MysqlStatement,
  wrong: string[],
  c: { cheaperMayWork?: boolean } = {},
): Promise<void> {
  assert.ok(s.algorithm, `no algorithm claimed for ${sql}`);
  const claimed = s.algorithm!;
  const accepted = await attempt(withClauses(sql, claimed, s.lockNone!));
  if (accepted !== null) {
    wrong.push(
      `${sql}: ALGORITHM=${claimed}${s.lockNone ? ", LOCK=NONE" : ""} refused: ${accepted}`,
    );
  }
  const cheaper = MYSQL_ALGORITHMS[MYSQL_ALGORITHMS.indexOf(claimed) - 1];
  if (cheaper && !c.cheaperMayWork) {
    if (await attempt(withClauses(sql, cheaper, false)) === null) {
      wrong.push(`${sql}: claimed ${claimed}, but ALGORITHM=${cheaper} was accepted`);
    }
  }
  if (!s.lockNone && claimed !== "COPY" && !c.cheaperMayWork) {
    if (await attempt(withClauses(sql, claimed, true)) === null) {
      wrong.push(`${sql}: claimed to block writes, but LOCK=NONE was accepted`);
    }
  }
}

Deno.test("mysql algorithms: with the columns read from the database, each MODIFY is settled exactly", async () => {
  await mysqlCli(db.url, SETUP);
  const driver = await openMysql(db.url);
  let columns;
  try {
    columns = await driver.columnsOf(["t"]);
  } finally {
    await driver.close();
  }
  const wrong: string[] = [];
  const settled: string[] = [];
  for (
    const sql of [
      ...CHEAPER_MODIFY.map(([s]) => s),
      "ALTER TABLE t MODIFY COLUMN a BIGINT",
      "ALTER TABLE t MODIFY COLUMN w VARCHAR(100)",
      "ALTER TABLE t MODIFY COLUMN b VARCHAR(20) CHARACTER SET latin1",
      "ALTER TABLE t MODIFY COLUMN e ENUM('green', 'red')",
      "ALTER TABLE t MODIFY COLUMN e ENUM('red', 'green', 'blue') NOT NULL",
      "ALTER TABLE t CHANGE COLUMN a a2 INT",
      "ALTER TABLE t MODIFY COLUMN a INTEGER(11) NULL",
    ]
  ) {
    const s = refineStatement(classifyMysql(sql), (_t, c) => columns.get("t")?.get(c));
    assert.equal(s.changes[0].unless, undefined, `${sql} was not settled`);
    settled.push(`${s.algorithm} ${sql}`);
    await checkClaims(sql, s, wrong);
  }
  assert.deepEqual(wrong, []);
  // Each kind of answer occurs: the test is not all COPY.
  assert.ok(["INSTANT", "INPLACE", "COPY"].every((a) => settled.some((l) => l.startsWith(a))));
});

Deno.test("mysql algorithms: the server accepts each claimed ALGORITHM/LOCK and refuses the cheaper one", async (t) => {
  const wrong: string[] = [];
  for (const c of CASES) {
    await t.step(c.sql, async () => {
      await checkClaims(c.sql, classifyMysql(c.sql), wrong, c);
    });
  }
  assert.deepEqual(wrong, []);
});

/**
 * MODIFY's dear case is COPY; the cheaper cases its condition names, each with the column
 * of SETUP it applies to, and the algorithm the condition promises.
 */
const CHEAPER_MODIFY: readonly [string, "INSTANT" | "INPLACE"][] = [
  ["ALTER TABLE t MODIFY COLUMN b VARCHAR(30)", "INSTANT"], // widens a VARCHAR
  ["ALTER TABLE t MODIFY COLUMN b VARCHAR(100)", "INSTANT"], // from 80 bytes: still one
  ["ALTER TABLE t MODIFY COLUMN c VARCHAR(100) NOT NULL DEFAULT 'q'", "INSTANT"], // default
  ["ALTER TABLE t MODIFY COLUMN a INT AFTER c", "INSTANT"], // moves it
  ["ALTER TABLE t MODIFY COLUMN a INT", "INSTANT"], // keeps the type
  ["ALTER TABLE t MODIFY COLUMN e ENUM('red', 'green', 'blue')", "INSTANT"], // appends
  ["ALTER TABLE t MODIFY COLUMN n INT NOT NULL", "INPLACE"], // only NOT NULL
  ["ALTER TABLE t MODIFY COLUMN c VARCHAR(100) NULL DEFAULT ''", "INPLACE"], // only NULL
];

Deno.test("mysql algorithms: the cheaper cases MODIFY's condition names are as cheap as it says", async () => {
  const wrong: string[] = [];
  for (const [sql, algorithm] of CHEAPER_MODIFY) {
    const s = classifyMysql(sql);
    assert.equal(s.algorithm, "COPY");
    const c = s.changes[0];
    assert.match(
      c.unless!,
      algorithm === "INSTANT" ? /^INSTANT if/ : /\(INPLACE, writes continuing/,
    );
    const run = async (alg: string) => {
      await mysqlCli(db.url, SETUP);
      try {
        await mysqlCli(db.url, `${sql}, ALGORITHM=${alg}, LOCK=NONE`);
        return true;
      } catch {
        return false;
      }
    };
    if (!await run(algorithm)) wrong.push(`${sql}: ALGORITHM=${algorithm}, LOCK=NONE refused`);
    if (algorithm === "INPLACE" && await run("NOCOPY")) wrong.push(`${sql}: NOCOPY accepted`);
  }
  assert.deepEqual(wrong, []);
});

Deno.test("mysql algorithms: a statement the model says the server refuses is refused", async () => {
  for (
    const sql of [
      "ALTER TABLE t ADD CONSTRAINT fk_p2 FOREIGN KEY (p_id) REFERENCES p (id), ALGORITHM=INPLACE",
      "ALTER TABLE t MODIFY COLUMN a BIGINT, ALGORITHM=INPLACE, LOCK=NONE",
      "ALTER TABLE t ADD FULLTEXT INDEX f_c (c), LOCK=NONE",
    ]
  ) {
    const s = classifyMysql(sql);
    assert.ok(s.refused ?? s.mayBeRefused, `the model should say ${sql} is refused`);
    assert.notEqual(await attempt(sql), null, sql);
  }
  const fine = "ALTER TABLE t ADD COLUMN d INT, ALGORITHM=INSTANT, LOCK=NONE";
  assert.equal(classifyMysql(fine).refused, undefined);
  assert.equal(await attempt(fine), null);
});
