import assert from "node:assert/strict";
import {
  DIALECT_NAMES,
  dialectForUrl,
  DIALECTS,
  listOr,
  parseDialectName,
  postgresDialect,
  SECTION_NAMES,
  sqliteDialect,
} from "./dialects.ts";
import { UsageError } from "../errors.ts";

Deno.test("dialectForUrl: schemes, SQLAlchemy +driver suffixes and bare file paths", () => {
  for (const url of ["postgresql://u@h/db", "postgres://h/db", "postgresql+psycopg2://h/db"]) {
    assert.equal(dialectForUrl(url), postgresDialect, url);
  }
  for (const url of ["sqlite:x.db", "sqlite:///x.db", "sqlite+pysqlite:////tmp/x.db", "x.db"]) {
    assert.equal(dialectForUrl(url), sqliteDialect, url);
  }
  // Without `//` a postgres "scheme" is no URL at all, but a file name (as before).
  assert.equal(dialectForUrl("postgres:x.db"), sqliteDialect);
});

Deno.test("dialectForUrl: an unknown scheme is refused, never taken for SQLite", () => {
  for (const url of ["mssql://u@h/db", "oracle+cx://h/db", "redis://h"]) {
    assert.throws(
      () => dialectForUrl(url),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === `unsupported database URL scheme '${url.slice(0, url.indexOf(":"))}': ` +
            `use postgresql://, sqlite: or mysql://`,
      url,
    );
  }
});

Deno.test("registry: section names with aliases, canonical names, choices", () => {
  assert.deepEqual([...SECTION_NAMES], [
    ["postgresql", "postgresql"],
    ["postgres", "postgresql"],
    ["sqlite", "sqlite"],
    ["mysql", "mysql"],
    ["mariadb", "mysql"],
  ]);
  assert.deepEqual(DIALECT_NAMES, ["postgresql", "sqlite", "mysql"]);
  assert.equal(parseDialectName("sqlite"), "sqlite");
  assert.equal(parseDialectName("postgres"), undefined); // an alias is for markers only
  assert.equal(listOr(["a"]), "a");
  assert.equal(listOr(["a", "b", "c"]), "a, b or c");
});

Deno.test("registry: every entry is complete and its section names are its own", () => {
  const seen = new Set<string>();
  for (const d of DIALECTS) {
    assert.equal(d.sectionNames[0], d.name);
    for (const n of [...d.sectionNames]) {
      assert.ok(!seen.has(n), `section name ${n} claimed twice`);
      seen.add(n);
    }
    assert.ok(d.schemes.length > 0);
    assert.ok(d.reservedWords.has("select"));
    assert.equal(d.quoteIdent("a"), `${d.identQuote}a${d.identQuote}`);
  }
  // What the runner and offline output ask instead of the name.
  assert.equal(postgresDialect.transactionalDdl, true);
  assert.equal(sqliteDialect.transactionalDdl, true);
  assert.equal(postgresDialect.alembicTransactionalDdl, true);
  assert.equal(sqliteDialect.alembicTransactionalDdl, false);
  assert.equal(postgresDialect.insertReturning, true);
  assert.equal(sqliteDialect.insertReturning, false);
});
