import assert from "node:assert/strict";
import type { ColumnDefinition } from "../drivers/types.ts";
import { classifyMysql, dearest, normaliseType, refineStatement, tokenize } from "./mysql.ts";
import { describeMysql } from "./plan_locks.ts";

Deno.test("mysql tokens: comments dropped, executable comments kept, quotes read", () => {
  const t = tokenize(
    "ALTER /* x; */ TABLE `my``t` -- c\n/*!50100 ADD COLUMN */ c # d\n TEXT DEFAULT 'a;''b'",
  );
  assert.deepEqual(t.map((x) => x.text), [
    "ALTER",
    "TABLE",
    "my`t",
    "ADD",
    "COLUMN",
    "c",
    "TEXT",
    "DEFAULT",
    "'a;''b'",
  ]);
  // `--` without a space is a minus sign, not a comment.
  assert.deepEqual(tokenize("SELECT 1--2").map((x) => x.text), ["SELECT", "1", "-", "-", "2"]);
});

Deno.test("mysql: each ALTER change with its algorithm; the statement gets the dearest", () => {
  const s = classifyMysql(
    "ALTER TABLE images ADD COLUMN size BIGINT NULL, ADD INDEX ix_size (size), DROP COLUMN old",
  );
  assert.equal(s.command, "ALTER TABLE");
  assert.deepEqual(s.tables, ["images"]);
  assert.deepEqual(s.changes.map((c) => [c.what, c.algorithm, c.lockNone]), [
    ["ADD COLUMN size", "INSTANT", true],
    ["ADD INDEX ix_size", "NOCOPY", true],
    ["DROP COLUMN old", "INSTANT", true],
  ]);
  assert.deepEqual([s.algorithm, s.lockNone, s.rebuilds, s.ddl], ["NOCOPY", true, false, true]);
  assert.deepEqual(s.operations.map((o) => o.op), ["add-column", "create-index", "drop"]);
  assert.equal(dearest("INSTANT", "COPY"), "COPY");
});

Deno.test("mysql: what copies the table, and the conditions that make it cheaper", () => {
  const fk = classifyMysql(
    "ALTER TABLE image_members ADD CONSTRAINT fk_img FOREIGN KEY (image_id) REFERENCES images (id)",
  );
  assert.deepEqual([fk.algorithm, fk.lockNone, fk.rebuilds], ["COPY", false, true]);
  assert.match(fk.changes[0].unless!, /foreign_key_checks=0/);
  const modify = classifyMysql("ALTER TABLE images MODIFY size BIGINT NOT NULL");
  assert.equal(modify.algorithm, "COPY");
  assert.match(modify.changes[0].unless!, /INSTANT if .*widens a VARCHAR/);
  assert.deepEqual(modify.operations, [{
    op: "alter-column-type",
    table: "images",
    column: "size",
  }]);
  const change = classifyMysql("ALTER TABLE images CHANGE COLUMN `name` `title` VARCHAR(255)");
  assert.deepEqual(change.operations.map((o) => o.op), ["rename", "alter-column-type"]);
  assert.equal(classifyMysql("ALTER TABLE t ADD c INT AS (a+1) STORED").algorithm, "COPY");
  assert.equal(classifyMysql("ALTER TABLE t ADD c INT AS (a+1) VIRTUAL").algorithm, "INSTANT");
  assert.equal(classifyMysql("ALTER TABLE t ADD c CHAR(36) DEFAULT (UUID())").algorithm, "COPY");
  assert.equal(
    classifyMysql("ALTER TABLE t ADD c TIMESTAMP DEFAULT CURRENT_TIMESTAMP").algorithm,
    "INSTANT",
  );
  const ai = classifyMysql("ALTER TABLE t ADD id2 INT NOT NULL AUTO_INCREMENT, ADD KEY (id2)");
  assert.deepEqual([ai.algorithm, ai.lockNone], ["INPLACE", false]);
  assert.equal(classifyMysql("ALTER TABLE t DROP PRIMARY KEY").algorithm, "COPY");
  assert.deepEqual(
    [classifyMysql("ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b)").algorithm],
    ["INPLACE"],
  );
  assert.equal(classifyMysql("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4").algorithm, "COPY");
  assert.equal(classifyMysql("ALTER TABLE t ENGINE = InnoDB").algorithm, "INPLACE");
  assert.equal(classifyMysql("ALTER TABLE t ENGINE=MyISAM").algorithm, "COPY");
  // Something it does not know is assumed to copy, and says so.
  const odd = classifyMysql("ALTER TABLE t WITH SYSTEM VERSIONING");
  assert.equal(odd.algorithm, "COPY");
  assert.match(odd.changes[0].unless!, /not classified/);
  assert.match(
    classifyMysql("ALTER TABLE t ALTER COLUMN c SET NOT NULL").changes[0].unless!,
    /not classified/,
  );
  assert.deepEqual(classifyMysql("DROP INDEX i").tables, []);
});

Deno.test("mysql: ALGORITHM= and LOCK= clauses are read, and refused when asking too much", () => {
  const ok = classifyMysql("ALTER TABLE t ADD INDEX i (a), ALGORITHM=INPLACE, LOCK=NONE");
  assert.deepEqual(ok.clauses, { algorithm: "INPLACE", lock: "NONE" });
  assert.equal(ok.refused, undefined);
  assert.equal(ok.changes.length, 1);
  const instant = classifyMysql("ALTER TABLE t ADD INDEX i (a), ALGORITHM INSTANT");
  assert.match(instant.refused!, /^ALGORITHM=INSTANT is not possible for ADD INDEX i/);
  const lock = classifyMysql("ALTER TABLE t ADD FULLTEXT INDEX f (a), LOCK=NONE");
  assert.equal(lock.refused, undefined);
  assert.match(lock.mayBeRefused!, /^LOCK=NONE is not possible for ADD FULLTEXT INDEX f/);
  const modify = classifyMysql("ALTER TABLE t MODIFY a BIGINT, ALGORITHM=INSTANT");
  assert.match(modify.mayBeRefused!, /^ALGORITHM=INSTANT is not possible for MODIFY COLUMN a/);
  const fkLock = classifyMysql("ALTER TABLE t DROP COLUMN b, ADD CHECK (a > 0), LOCK=NONE");
  assert.match(fkLock.refused!, /^LOCK=NONE is not possible for ADD CHECK/);
  const forced = classifyMysql("ALTER TABLE t ADD COLUMN c INT, ALGORITHM=COPY");
  assert.deepEqual([forced.algorithm, forced.lockNone], ["COPY", false]);
  const idx = classifyMysql("CREATE UNIQUE INDEX u ON db1.t (a) ALGORITHM=INPLACE LOCK=NONE");
  assert.deepEqual(
    [idx.command, idx.tables, idx.algorithm, idx.clauses],
    ["CREATE INDEX", ["db1.t"], "NOCOPY", { algorithm: "INPLACE", lock: "NONE" }],
  );
});

Deno.test("mysql: other statements name their tables; DML is no schema change", () => {
  const create = classifyMysql("CREATE TABLE IF NOT EXISTS `images` (id INT PRIMARY KEY)");
  assert.deepEqual([create.command, create.tables, create.ddl], ["CREATE TABLE", ["images"], true]);
  assert.deepEqual(classifyMysql("DROP TABLE IF EXISTS a, b CASCADE").operations, [
    { op: "drop", object: "table", names: ["a", "b"] },
  ]);
  assert.deepEqual(classifyMysql("RENAME TABLE a TO a_old, a_new TO a").operations, [
    { op: "rename", object: "table", from: "a", to: "a_old" },
    { op: "rename", object: "table", from: "a_new", to: "a" },
  ]);
  const trigger = classifyMysql(
    "CREATE DEFINER=`root`@`localhost` TRIGGER tr BEFORE INSERT ON images FOR EACH ROW " +
      "BEGIN SET NEW.a = 1; END",
  );
  assert.deepEqual([trigger.command, trigger.tables], ["CREATE TRIGGER", ["images"]]);
  const drop = classifyMysql("DROP INDEX ix ON images");
  assert.deepEqual([drop.algorithm, drop.lockNone, drop.tables], ["NOCOPY", true, ["images"]]);
  const update = classifyMysql("UPDATE LOW_PRIORITY images SET a = 1 WHERE id < 100");
  assert.deepEqual([update.command, update.tables, update.ddl], ["UPDATE", ["images"], false]);
  assert.deepEqual(classifyMysql("INSERT INTO db.t SELECT * FROM u").tables, ["db.t"]);
  assert.deepEqual(classifyMysql("SELECT 1").tables, []);
});

Deno.test("mysql: a reviewer's sentence, with sizes and what a Galera cluster does", () => {
  const sizes = new Map([["images", { bytes: 1.2 * 1024 ** 3, rows: 3_000_000 }]]);
  const copy = classifyMysql("ALTER TABLE images MODIFY COLUMN size BIGINT");
  assert.match(
    describeMysql(copy, sizes),
    /^ALTER TABLE images: copies the table \(ALGORITHM=COPY\), blocks writes, or INSTANT if .*; images 1\.2 GB, ~3\.0M rows$/,
  );
  const online = classifyMysql("CREATE INDEX ix ON images (a) ALGORITHM=INPLACE LOCK=NONE");
  const toi = { kind: "galera" as const, method: "TOI", nodes: 3, nodeName: "n1" };
  assert.equal(
    describeMysql(online, sizes, toi),
    "CREATE INDEX images: in place without copying the table (ALGORITHM=NOCOPY), " +
      "reads and writes continue, asks ALGORITHM=INPLACE, LOCK=NONE; images 1.2 GB, " +
      "~3.0M rows; Galera TOI: every node of the 3-node cluster runs it at once and waits " +
      "for it (writes to the cluster stall until it ends)",
  );
  assert.match(
    describeMysql(online, new Map(), { ...toi, method: "RSU" }),
    /Galera RSU: runs on node n1 only and is not replicated/,
  );
  // DML is no schema change: no cluster-wide wait.
  assert.equal(
    describeMysql(classifyMysql("DELETE FROM images WHERE a = 1"), new Map(), toi),
    "DELETE images: touches the rows it selects, locks the rows it writes until the " +
      "revision commits",
  );
});

Deno.test("mysql: a MODIFY settled against the column the catalog has", () => {
  assert.equal(normaliseType("int(11) unsigned"), "int unsigned");
  assert.equal(normaliseType("INTEGER"), "int");
  assert.equal(normaliseType("enum('A', 'b')"), "enum('A','b')");
  const col = (type: string, extra: Partial<ColumnDefinition> = {}): ColumnDefinition => ({
    type,
    nullable: true,
    maxBytes: null,
    charset: null,
    tableCharset: "utf8mb4",
    ...extra,
  });
  const vc = (n: number) => col(`varchar(${n})`, { maxBytes: n * 4, charset: "utf8mb4" });
  const settle = (sql: string, old: ColumnDefinition) =>
    refineStatement(classifyMysql(sql), () => old);
  const cases: [string, ColumnDefinition, string][] = [
    ["ALTER TABLE t MODIFY a BIGINT", col("int(11)"), "COPY"],
    ["ALTER TABLE t MODIFY a INT NULL DEFAULT 3", col("int(11)"), "INSTANT"],
    ["ALTER TABLE t MODIFY a INT NOT NULL", col("int(11)"), "INPLACE"],
    ["ALTER TABLE t MODIFY a VARCHAR(60)", vc(20), "INSTANT"],
    ["ALTER TABLE t MODIFY a VARCHAR(70)", vc(50), "COPY"],
    ["ALTER TABLE t MODIFY a VARCHAR(200)", vc(100), "INSTANT"],
    ["ALTER TABLE t MODIFY a VARCHAR(20) CHARSET latin1", vc(20), "COPY"],
    ["ALTER TABLE t MODIFY a SET('x','y','z')", col("set('x','y')"), "INSTANT"],
  ];
  for (const [sql, old, want] of cases) {
    assert.equal(settle(sql, old).algorithm, want, sql);
    assert.equal(settle(sql, old).changes[0].unless, undefined, sql);
  }
  // The table's charset differs from the column's: a redefinition converts it.
  const latin = vc(20);
  assert.equal(
    settle("ALTER TABLE t MODIFY a VARCHAR(20)", { ...latin, tableCharset: "latin1" }).algorithm,
    "COPY",
  );
  // COLLATE is not modelled: the condition stays.
  const collate = settle("ALTER TABLE t MODIFY a VARCHAR(20) COLLATE utf8mb4_bin", vc(20));
  assert.match(collate.changes[0].unless!, /^INSTANT if/);
  // No column known: unchanged.
  const m = classifyMysql("ALTER TABLE t MODIFY a BIGINT");
  assert.equal(refineStatement(m, () => undefined).changes[0].unless, m.changes[0].unless);
});
