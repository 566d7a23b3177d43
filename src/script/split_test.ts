import assert from "node:assert/strict";
import { ScriptError } from "../errors.ts";
import type { DialectName, LexerSettings } from "../drivers/types.ts";
import { locate, splitStatements } from "./split.ts";

/** Statement texts only. */
function texts(sql: string, dialect?: DialectName): string[] {
  return splitStatements(sql, { dialect }).map((s) => s.sql);
}

const cases: { name: string; sql: string; want: string[]; dialect?: DialectName }[] = [
  { name: "plain", sql: "SELECT 1; SELECT 2;", want: ["SELECT 1", "SELECT 2"] },
  { name: "no final semicolon", sql: "SELECT 1;\nSELECT 2\n", want: ["SELECT 1", "SELECT 2"] },
  { name: "empty statements dropped", sql: ";;\n ; SELECT 1;;", want: ["SELECT 1"] },
  { name: "only comments dropped", sql: "-- a;\n/* b; */\n;\n-- c", want: [] },
  { name: "single quotes", sql: "SELECT 'a;b'; SELECT 2", want: ["SELECT 'a;b'", "SELECT 2"] },
  {
    name: "doubled quote",
    sql: "SELECT 'it''s; fine'; SELECT 2",
    want: ["SELECT 'it''s; fine'", "SELECT 2"],
  },
  {
    name: "backslash in a standard string is a character",
    sql: "SELECT 'C:\\'; SELECT 2",
    want: ["SELECT 'C:\\'", "SELECT 2"],
  },
  { name: "E string", sql: "SELECT E'a\\'; b'; SELECT 2", want: ["SELECT E'a\\'; b'", "SELECT 2"] },
  {
    name: "e string lowercase",
    sql: "SELECT e'\\\\'; SELECT 2",
    want: ["SELECT e'\\\\'", "SELECT 2"],
  },
  {
    name: "identifier ending in e is not an E string",
    sql: "SELECT name='x\\'; SELECT 2",
    want: ["SELECT name='x\\'", "SELECT 2"],
  },
  {
    name: "double-quoted identifier",
    sql: 'SELECT "a;""b"; SELECT 2',
    want: ['SELECT "a;""b"', "SELECT 2"],
  },
  {
    name: "backtick identifier",
    sql: "SELECT `a;b`; SELECT 2",
    want: ["SELECT `a;b`", "SELECT 2"],
  },
  {
    name: "bracket identifier in sqlite",
    sql: "SELECT [a;'b]; SELECT 2",
    want: ["SELECT [a;'b]", "SELECT 2"],
    dialect: "sqlite",
  },
  {
    name: "brackets are arrays in postgresql",
    sql: "SELECT ARRAY[']', ';']; SELECT 2",
    want: ["SELECT ARRAY[']', ';']", "SELECT 2"],
    dialect: "postgresql",
  },
  {
    name: "line comment",
    sql: "SELECT 1 -- not here; nor here\n, 2; SELECT 3",
    want: ["SELECT 1 -- not here; nor here\n, 2", "SELECT 3"],
  },
  {
    name: "leading and trailing comments are not statement text",
    sql: "-- lead\n/* lead */ SELECT 1 /* trail */ -- trail\n; SELECT 2",
    want: ["SELECT 1", "SELECT 2"],
  },
  {
    name: "nested block comment",
    sql: "SELECT 1 /* a /* b; */ c; */ + 1; SELECT 2",
    want: ["SELECT 1 /* a /* b; */ c; */ + 1", "SELECT 2"],
  },
  {
    name: "sqlite block comments do not nest",
    sql: "SELECT 1 /* a /* b */ + 1; SELECT 2",
    want: ["SELECT 1 /* a /* b */ + 1", "SELECT 2"],
    dialect: "sqlite",
  },
  {
    name: "quotes inside comments",
    sql: "SELECT 1 /* ' */ + 1; -- \"\nSELECT 2",
    want: ["SELECT 1 /* ' */ + 1", "SELECT 2"],
  },
  {
    name: "comment markers inside strings",
    sql: "SELECT '--', '/*'; SELECT 2",
    want: ["SELECT '--', '/*'", "SELECT 2"],
  },
  {
    name: "dollar quote",
    sql: "DO $$ BEGIN PERFORM 1; END $$; SELECT 2",
    want: ["DO $$ BEGIN PERFORM 1; END $$", "SELECT 2"],
  },
  {
    name: "tagged dollar quote with $$ inside",
    sql: "CREATE FUNCTION f() RETURNS int AS $body$ SELECT $$;$$; $body$ LANGUAGE sql; SELECT 2",
    want: [
      "CREATE FUNCTION f() RETURNS int AS $body$ SELECT $$;$$; $body$ LANGUAGE sql",
      "SELECT 2",
    ],
  },
  {
    name: "$tag$ inside $$",
    sql: "SELECT $$ $x$ ; $$; SELECT 2",
    want: ["SELECT $$ $x$ ; $$", "SELECT 2"],
  },
  {
    name: "$1 is a parameter, not a tag",
    sql: "SELECT $1; SELECT $2 + $1",
    want: ["SELECT $1", "SELECT $2 + $1"],
  },
  {
    name: "$ inside an identifier",
    sql: "SELECT a$$b; SELECT 2",
    want: ["SELECT a$$b", "SELECT 2"],
  },
  {
    name: "quotes inside a dollar quote",
    sql: "SELECT $q$ it's \" $q$; SELECT 2",
    want: ["SELECT $q$ it's \" $q$", "SELECT 2"],
  },
  {
    name: "sqlite trigger",
    sql:
      "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE b SET x = 1;\n  DELETE FROM c;\nEND;\nSELECT 2",
    want: [
      "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE b SET x = 1;\n  DELETE FROM c;\nEND",
      "SELECT 2",
    ],
  },
  {
    name: "sqlite temp trigger with CASE inside",
    sql:
      "create temp trigger if not exists t before update on a begin select case when new.x then raise(abort, 'no;') end; update b set y = case 1 when 1 then 2 else 3 end; end; select 2",
    want: [
      "create temp trigger if not exists t before update on a begin select case when new.x then raise(abort, 'no;') end; update b set y = case 1 when 1 then 2 else 3 end; end",
      "select 2",
    ],
  },
  {
    name: "CREATE TEMPORARY TRIGGER",
    sql: "CREATE TEMPORARY TRIGGER t DELETE ON a BEGIN DELETE FROM b; END; SELECT 2",
    want: ["CREATE TEMPORARY TRIGGER t DELETE ON a BEGIN DELETE FROM b; END", "SELECT 2"],
  },
  {
    name: "postgresql trigger has no body",
    sql: "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION f(); SELECT 2",
    want: ["CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION f()", "SELECT 2"],
  },
  {
    name: "qualified end is a name, not a keyword",
    sql: "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = new.end; END; SELECT 2",
    want: ["CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = new.end; END", "SELECT 2"],
  },
  {
    name: "keywords only as whole words",
    sql: "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET casex = endy; END; SELECT 2",
    want: ["CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET casex = endy; END", "SELECT 2"],
  },
  {
    name: "keywords inside strings and quoted names do not count",
    sql: "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 'end', \"END\"; END; SELECT 2",
    want: ["CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 'end', \"END\"; END", "SELECT 2"],
  },
  {
    name: "BEGIN ATOMIC",
    sql:
      "CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nSELECT 3",
    want: [
      "CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND",
      "SELECT 3",
    ],
  },
  {
    name: "begin /* comment */ atomic",
    sql: "CREATE PROCEDURE p() begin /* x */ atomic insert into t values (1); end; SELECT 2",
    want: ["CREATE PROCEDURE p() begin /* x */ atomic insert into t values (1); end", "SELECT 2"],
  },
  {
    name: "plain BEGIN is a statement",
    sql: "BEGIN; SELECT 1; COMMIT; BEGIN TRANSACTION; END;",
    want: ["BEGIN", "SELECT 1", "COMMIT", "BEGIN TRANSACTION", "END"],
  },
  {
    name: "semicolon inside parentheses",
    sql:
      "CREATE RULE r AS ON INSERT TO a DO ALSO (INSERT INTO b VALUES (1); DELETE FROM c); SELECT 2",
    want: [
      "CREATE RULE r AS ON INSERT TO a DO ALSO (INSERT INTO b VALUES (1); DELETE FROM c)",
      "SELECT 2",
    ],
  },
  { name: "stray close parenthesis", sql: "SELECT 1); SELECT 2", want: ["SELECT 1)", "SELECT 2"] },
  ...mysqlCases(),
];

/** MySQL's lexical rules and stored-program bodies, all read with `dialect: "mysql"`. */
function mysqlCases(): { name: string; sql: string; want: string[]; dialect: DialectName }[] {
  const list: [string, string, string[]][] = [
    ["backticks hold ; and quotes", "SELECT `a;'b`; SELECT 2", ["SELECT `a;'b`", "SELECT 2"]],
    ["doubled backtick", "SELECT `a``;b`; SELECT 2", ["SELECT `a``;b`", "SELECT 2"]],
    ["backslash escapes in '", "SELECT 'a\\';b'; SELECT 2", ["SELECT 'a\\';b'", "SELECT 2"]],
    ['backslash escapes in "', 'SELECT "a\\";b"; SELECT 2', ['SELECT "a\\";b"', "SELECT 2"]],
    ["escaped backslash ends", "SELECT 'a\\\\'; SELECT 2", ["SELECT 'a\\\\'", "SELECT 2"]],
    ["# comment", "SELECT 1 # a; b\n, 2; # c\nSELECT 3", ["SELECT 1 # a; b\n, 2", "SELECT 3"]],
    ["-- then a space is a comment", "SELECT 1 -- a; b\n; SELECT 2", ["SELECT 1", "SELECT 2"]],
    ["-- then a tab is a comment", "SELECT 1 --\ta; b\n; SELECT 2", ["SELECT 1", "SELECT 2"]],
    ["-- at a line end is a comment", "SELECT 1 --\n; SELECT 2 --", ["SELECT 1", "SELECT 2"]],
    ["1--1 is arithmetic", "SELECT 1--1; SELECT 2", ["SELECT 1--1", "SELECT 2"]],
    ["--x is not a comment", "SELECT 5 --x;\nSELECT 2", ["SELECT 5 --x", "SELECT 2"]],
    [
      "version comment is statement text",
      "/*!40101 SET @old = @@sql_mode */;\n/*M!100100 SET x = 1 */; /* plain */ SELECT 2",
      ["/*!40101 SET @old = @@sql_mode */", "/*M!100100 SET x = 1 */", "SELECT 2"],
    ],
    [
      "version comment at a statement end is kept",
      "CREATE TABLE t (a int) /*!50100 ENGINE=InnoDB */; SELECT 2",
      ["CREATE TABLE t (a int) /*!50100 ENGINE=InnoDB */", "SELECT 2"],
    ],
    [
      "; inside a version comment",
      "/*!50003 SET a = 1; SET b = 2 */; SELECT 2",
      ["/*!50003 SET a = 1; SET b = 2 */", "SELECT 2"],
    ],
    ["plain comments are still dropped", "/* a; */ SELECT 1 /* b */;", ["SELECT 1"]],
    [
      "trigger with BEGIN … END",
      "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN\n  SET NEW.x = 1;\n  SET NEW.y = 2;\nEND;\nSELECT 2",
      [
        "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN\n  SET NEW.x = 1;\n  SET NEW.y = 2;\nEND",
        "SELECT 2",
      ],
    ],
    [
      "trigger with one statement",
      "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = IF(NEW.y, 1, 2); SELECT 2",
      ["CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = IF(NEW.y, 1, 2)", "SELECT 2"],
    ],
    [
      "trigger whose body is an IF",
      "CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW IF NEW.x THEN SET NEW.y = 1; END IF; SELECT 2",
      [
        "CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW IF NEW.x THEN SET NEW.y = 1; END IF",
        "SELECT 2",
      ],
    ],
    [
      "Glance's visibility trigger: IF … ELSEIF … END IF, SIGNAL",
      [
        "CREATE TRIGGER insert_visibility BEFORE INSERT ON images",
        "FOR EACH ROW",
        "BEGIN",
        "  -- NOTE: the is_public column is still there",
        "  IF NEW.is_public <=> 1 THEN",
        "    SET NEW.visibility = 'public';",
        "  ELSEIF NEW.is_public <=> 0 THEN",
        "    SET NEW.visibility = IF(NEW.x, 'shared', 'private');",
        "  ELSE",
        "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'it''s; \\'bad\\'';",
        "  END IF;",
        "END;",
        "SELECT 2",
      ].join("\n"),
      [
        [
          "CREATE TRIGGER insert_visibility BEFORE INSERT ON images",
          "FOR EACH ROW",
          "BEGIN",
          "  -- NOTE: the is_public column is still there",
          "  IF NEW.is_public <=> 1 THEN",
          "    SET NEW.visibility = 'public';",
          "  ELSEIF NEW.is_public <=> 0 THEN",
          "    SET NEW.visibility = IF(NEW.x, 'shared', 'private');",
          "  ELSE",
          "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'it''s; \\'bad\\'';",
          "  END IF;",
          "END",
        ].join("\n"),
        "SELECT 2",
      ],
    ],
    [
      "procedure with nested blocks, loops and labels",
      [
        "CREATE DEFINER=`root`@`localhost` PROCEDURE p(IN n INT)",
        "  MODIFIES SQL DATA",
        "outer_blk: BEGIN",
        "  DECLARE i INT DEFAULT 0;",
        "  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN SET i = -1; END;",
        "  lp: LOOP SET i = i + 1; IF i > n THEN LEAVE lp; END IF; END LOOP lp;",
        "  WHILE i > 0 DO SET i = i - 1; END WHILE;",
        "  REPEAT SET i = i + 1; UNTIL i >= REPEAT('x', 2) END REPEAT;",
        "  CASE i WHEN 1 THEN SELECT 1; ELSE BEGIN SELECT 2; END; END CASE;",
        "  SELECT CASE WHEN i THEN 'a' ELSE 'b' END;",
        "  BEGIN SELECT `end`, t.begin FROM t; END;",
        "END outer_blk;",
        "CALL p(3)",
      ].join("\n"),
      [
        [
          "CREATE DEFINER=`root`@`localhost` PROCEDURE p(IN n INT)",
          "  MODIFIES SQL DATA",
          "outer_blk: BEGIN",
          "  DECLARE i INT DEFAULT 0;",
          "  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN SET i = -1; END;",
          "  lp: LOOP SET i = i + 1; IF i > n THEN LEAVE lp; END IF; END LOOP lp;",
          "  WHILE i > 0 DO SET i = i - 1; END WHILE;",
          "  REPEAT SET i = i + 1; UNTIL i >= REPEAT('x', 2) END REPEAT;",
          "  CASE i WHEN 1 THEN SELECT 1; ELSE BEGIN SELECT 2; END; END CASE;",
          "  SELECT CASE WHEN i THEN 'a' ELSE 'b' END;",
          "  BEGIN SELECT `end`, t.begin FROM t; END;",
          "END outer_blk",
        ].join("\n"),
        "CALL p(3)",
      ],
    ],
    [
      "function: IF() in an expression opens nothing",
      "CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC BEGIN DECLARE y INT; SET y = IF(x > 0, 1, 0); RETURN y; END; SELECT f(1)",
      [
        "CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC BEGIN DECLARE y INT; SET y = IF(x > 0, 1, 0); RETURN y; END",
        "SELECT f(1)",
      ],
    ],
    [
      "function with a RETURN body",
      "CREATE FUNCTION g() RETURNS INT RETURN 1; SELECT 2",
      ["CREATE FUNCTION g() RETURNS INT RETURN 1", "SELECT 2"],
    ],
    [
      "CASE statement with a CASE expression inside",
      "CREATE PROCEDURE p() BEGIN CASE WHEN CASE 1 WHEN 1 THEN 1 END = 1 THEN SELECT 1; END CASE; END; SELECT 2",
      [
        "CREATE PROCEDURE p() BEGIN CASE WHEN CASE 1 WHEN 1 THEN 1 END = 1 THEN SELECT 1; END CASE; END",
        "SELECT 2",
      ],
    ],
    [
      "event with DO BEGIN … END",
      "CREATE EVENT IF NOT EXISTS e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM a; DELETE FROM b; END; SELECT 2",
      [
        "CREATE EVENT IF NOT EXISTS e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM a; DELETE FROM b; END",
        "SELECT 2",
      ],
    ],
    [
      "mysqldump's trigger in version comments",
      "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`%`*/ /*!50003 TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END */; SELECT 2",
      [
        "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`%`*/ /*!50003 TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END */",
        "SELECT 2",
      ],
    ],
    [
      "CREATE OR REPLACE DEFINER = user@host",
      "create or replace definer = bob@localhost trigger t after delete on a for each row begin delete from b; end; select 2",
      [
        "create or replace definer = bob@localhost trigger t after delete on a for each row begin delete from b; end",
        "select 2",
      ],
    ],
    [
      "MariaDB's BEGIN NOT ATOMIC block",
      "BEGIN NOT ATOMIC DECLARE x INT; SET x = 1; END; SELECT 2",
      ["BEGIN NOT ATOMIC DECLARE x INT; SET x = 1; END", "SELECT 2"],
    ],
    [
      "plain BEGIN starts a transaction",
      "BEGIN; INSERT INTO a VALUES (1); COMMIT; BEGIN WORK; END;",
      ["BEGIN", "INSERT INTO a VALUES (1)", "COMMIT", "BEGIN WORK", "END"],
    ],
    [
      "CASE and IF outside stored programs open nothing",
      "SELECT CASE WHEN a THEN 1 END, IF(b, 1, 2) FROM t; SELECT 2",
      ["SELECT CASE WHEN a THEN 1 END, IF(b, 1, 2) FROM t", "SELECT 2"],
    ],
    [
      "DROP TRIGGER is no program",
      "DROP TRIGGER IF EXISTS insert_visibility; DROP TRIGGER update_visibility;",
      ["DROP TRIGGER IF EXISTS insert_visibility", "DROP TRIGGER update_visibility"],
    ],
  ];
  return list.map(([name, sql, want]) => ({ name: `mysql: ${name}`, sql, want, dialect: "mysql" }));
}

for (const c of cases) {
  Deno.test(`splitStatements: ${c.name}`, () => {
    assert.deepEqual(texts(c.sql, c.dialect), c.want);
  });
}

Deno.test("splitStatements: dollar quotes and E strings are PostgreSQL only", () => {
  // In SQLite `$` starts a parameter name and E is an identifier.
  assert.deepEqual(texts("SELECT $a; SELECT $$", "sqlite"), ["SELECT $a", "SELECT $$"]);
  assert.deepEqual(texts("SELECT E'\\'; SELECT 2", "sqlite"), ["SELECT E'\\'", "SELECT 2"]);
});

Deno.test("splitStatements: line and column", () => {
  const sql = [
    "-- leading comment; with semicolon",
    "SELECT 1; SELECT 'héllo'; /* x */  SELECT 3;",
    "",
    "  /* c",
    "  */ SELECT '😀😀';\tSELECT 5;",
    "\tSELECT 6;",
  ].join("\n");
  const got = splitStatements(sql, { line: 10 }).map(({ line, column }) => [line, column]);
  assert.deepEqual(got, [[11, 1], [11, 11], [11, 36], [14, 6], [14, 19], [15, 2]]);
});

Deno.test("splitStatements: columns count code points after multi-byte characters", () => {
  const got = splitStatements("SELECT '😀é'; SELECT 'x';\r\nSELECT 3", { line: 1 });
  assert.deepEqual(got.map((s) => [s.sql, s.line, s.column]), [
    ["SELECT '😀é'", 1, 1],
    ["SELECT 'x'", 1, 14],
    ["SELECT 3", 2, 1],
  ]);
});

const unterminated: { name: string; sql: string; want: RegExp; dialect?: DialectName }[] = [
  { name: "string", sql: "SELECT 1;\nSELECT 'abc;\n", want: /^f\.sql:6: string is never closed$/ },
  {
    name: "E string",
    sql: "SELECT 1;\nSELECT E'abc\\';\n",
    want: /^f\.sql:6: string is never closed$/,
  },
  {
    name: "quoted identifier",
    sql: '\n\nSELECT "abc',
    want: /^f\.sql:7: quoted identifier " is never closed$/,
  },
  { name: "backtick", sql: "SELECT `abc", want: /^f\.sql:5: quoted identifier ` is never closed$/ },
  {
    name: "bracket",
    sql: "SELECT [abc",
    want: /^f\.sql:5: quoted identifier \[ is never closed$/,
    dialect: "sqlite",
  },
  {
    name: "dollar quote",
    sql: "\nDO $x$ BEGIN\nEND $$;",
    want: /^f\.sql:6: dollar quote \$x\$ is never closed$/,
  },
  {
    name: "block comment",
    sql: "SELECT 1;\n/* /* */\nSELECT 2;",
    want: /^f\.sql:6: \/\* comment is never closed$/,
  },
  {
    name: "trigger body",
    sql: "SELECT 1;\nCREATE TRIGGER t AFTER INSERT ON a\nBEGIN\n  SELECT CASE WHEN 1 THEN 2 END;\n",
    want: /^f\.sql:7: trigger body BEGIN is never closed$/,
  },
  {
    name: "BEGIN ATOMIC body",
    sql: "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC SELECT 1;\n",
    want: /^f\.sql:6: BEGIN ATOMIC body is never closed$/,
  },
  {
    name: "parenthesis",
    sql: "SELECT 1;\nSELECT (1;\nSELECT 2;",
    want: /^f\.sql:6: \( is never closed$/,
  },
  {
    name: "mysql trigger body",
    sql:
      "SELECT 1;\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW\nBEGIN\n  IF 1 THEN SET NEW.x = 1; END;\n",
    want: /^f\.sql:7: trigger body BEGIN is never closed$/,
    dialect: "mysql",
  },
  {
    name: "mysql procedure IF",
    sql: "CREATE PROCEDURE p()\nIF 1 THEN SELECT 1;\n",
    want: /^f\.sql:6: procedure body IF is never closed$/,
    dialect: "mysql",
  },
  {
    name: "mysql BEGIN NOT ATOMIC",
    sql: "\nBEGIN NOT ATOMIC SELECT 1;",
    want: /^f\.sql:6: BEGIN NOT ATOMIC is never closed$/,
    dialect: "mysql",
  },
  {
    name: "mysql version comment",
    sql: "SELECT 1;\n/*!40101 SET x = 1;",
    want: /^f\.sql:6: \/\*! comment is never closed$/,
    dialect: "mysql",
  },
  {
    name: "mysql DELIMITER",
    sql: "SELECT 1;\nDELIMITER //\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN END//",
    want:
      /^f\.sql:6: DELIMITER is a command of the mysql client, not SQL: leave it out \(BEGIN … END bodies are read whole without it\)$/,
    dialect: "mysql",
  },
  {
    name: "mysql backslash-escaped quote",
    sql: "SELECT 'a\\';",
    want: /^f\.sql:5: string is never closed$/,
    dialect: "mysql",
  },
];

for (const c of unterminated) {
  Deno.test(`splitStatements: unterminated ${c.name}`, () => {
    assert.throws(
      () => splitStatements(c.sql, { line: 5, file: "f.sql", dialect: c.dialect }),
      (err: unknown) => err instanceof ScriptError && c.want.test(err.message),
    );
  });
}

Deno.test("locate: maps code-point positions to file line and column", () => {
  const stmt = { sql: "SELECT '😀é',\n  nope\nFROM t", line: 7, column: 3 };
  const cases: [number, number, number][] = [
    [1, 7, 3], // S
    [8, 7, 10], // opening quote
    [9, 7, 11], // 😀: one position although two UTF-16 units
    [10, 7, 12], // é
    [13, 7, 15], // the newline itself
    [14, 8, 1],
    [16, 8, 3], // n of nope
    [21, 9, 1], // F
    [26, 9, 6], // t, the last character
    [27, 9, 7], // past the end
    [0, 7, 3], // before the start
  ];
  for (const [position, line, column] of cases) {
    assert.deepEqual(locate(stmt, position), { line, column }, `position ${position}`);
  }
});

Deno.test("locate: agrees with statement positions from the splitter", () => {
  const [, stmt] = splitStatements("SELECT 1;\n  SELECT 'ü',\n    bad;", { line: 3 });
  assert.deepEqual(locate(stmt, stmt.sql.indexOf("bad") + 1), { line: 5, column: 5 });
});

Deno.test("splitStatements: on random input, statements sit where they say, or a ScriptError", () => {
  const parts = ["SELECT", " ", "\n", ";", "'", '"', "`", "[", "]", "$$", "$a$", "$1", "E'", "\\"];
  parts.push("--", "/*", "*/", "(", ")", "BEGIN", "ATOMIC", "END", "CASE", "CREATE", "TRIGGER");
  parts.push("é", "😀", ".", "x", "\r\n", "\t", "#", "-- ", "/*!50003 ", "/*M!", "IF", "THEN");
  parts.push("LOOP", "PROCEDURE", "ROW", ":", "NOT", "DEFINER", "=", "@");
  let seed = 42; // a fixed LCG, so that a failure reproduces
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let k = 0; k < 3000; k++) {
    const sql = Array.from(
      { length: Math.floor(random() * 30) },
      () => parts[Math.floor(random() * parts.length)],
    ).join("");
    const lines = sql.split("\n");
    for (const dialect of [undefined, "sqlite", "postgresql", "mysql"] as const) {
      let statements;
      try {
        statements = splitStatements(sql, { dialect, line: 3 });
      } catch (err) {
        assert.ok(err instanceof ScriptError && / is never closed$/.test(err.message), `${err}`);
        continue;
      }
      for (const s of statements) {
        const from = [...lines[s.line - 3]].slice(s.column - 1).join("");
        const rest = [from, ...lines.slice(s.line - 2)].join("\n");
        assert.ok(rest.startsWith(s.sql), JSON.stringify({ sql, dialect, s }));
        assert.ok(s.sql !== "" && s.sql === s.sql.trim(), JSON.stringify({ sql, dialect, s }));
      }
    }
  }
});

Deno.test("splitStatements: lexer settings a dialect can ask for (# comments, backslash escapes)", () => {
  const mysqlLike: LexerSettings = {
    nestedComments: false,
    hashComments: true,
    backslashEscapes: true,
    escapeStrings: false,
    dollarQuotes: false,
    bracketIdentifiers: false,
    dashCommentNeedsSpace: false,
    versionComments: false,
    compoundStatements: false,
  };
  const split = (sql: string, lexer?: LexerSettings) =>
    splitStatements(sql, { lexer }).map((s) => s.sql);
  const sql = "SELECT 'it\\'s; here'; # note; here\nSELECT \"a\\\";b\"; SELECT `x;y`;";
  assert.deepEqual(split(sql, mysqlLike), [
    "SELECT 'it\\'s; here'",
    'SELECT "a\\";b"',
    "SELECT `x;y`",
  ]);
  // PostgreSQL's rules: \ in a plain string is a character, so 'a\' is closed.
  assert.deepEqual(split("SELECT 'a\\'; SELECT 2;"), ["SELECT 'a\\'", "SELECT 2"]);
  assert.deepEqual(split("SELECT 'a\\'; b'; SELECT 2;", mysqlLike), [
    "SELECT 'a\\'; b'",
    "SELECT 2",
  ]);
  // A given lexer wins over the dialect's.
  const hash = "SELECT 1 # c; d\n;";
  assert.deepEqual(texts(hash, "postgresql"), ["SELECT 1 # c", "d"]);
  assert.deepEqual(
    splitStatements(hash, { dialect: "postgresql", lexer: mysqlLike }).map((s) => s.sql),
    ["SELECT 1"],
  );
});

Deno.test("splitStatements: bodies: false cuts where the mysql client would", () => {
  const sql = "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = ';'; END";
  assert.equal(splitStatements(sql, { dialect: "mysql" }).length, 1);
  assert.deepEqual(splitStatements(sql, { dialect: "mysql", bodies: false }).map((s) => s.sql), [
    "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = ';'",
    "END",
  ]);
  assert.equal(
    splitStatements("SELECT 'a;b' -- c;\n", { dialect: "mysql", bodies: false }).length,
    1,
  );
});
