import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { isPrivilegeRefusal } from "./refusal.ts";

Deno.test("refusal: PostgreSQL's insufficient_privilege is a refusal, other SQLSTATEs not", () => {
  const pg = (code: string) => Object.assign(new Error("permission denied for table t"), { code });
  assert.ok(isPrivilegeRefusal(pg("42501")));
  assert.ok(!isPrivilegeRefusal(pg("42P01")));
  assert.ok(!isPrivilegeRefusal(new Error("permission denied")));
  assert.ok(!isPrivilegeRefusal(undefined));
  assert.ok(!isPrivilegeRefusal("42501"));
});

Deno.test("refusal: a write to a read-only SQLite connection is a refusal, other errors not", () => {
  const dir = Deno.makeTempDirSync();
  try {
    new DatabaseSync(`${dir}/x.db`).exec("CREATE TABLE t (id INTEGER)");
    const db = new DatabaseSync(`${dir}/x.db`, { readOnly: true });
    const caught = (sql: string) => {
      try {
        db.exec(sql);
      } catch (e) {
        return e;
      }
      assert.fail(`${sql} should fail`);
    };
    assert.ok(isPrivilegeRefusal(caught("INSERT INTO t VALUES (1)")));
    assert.ok(!isPrivilegeRefusal(caught("INSERT INTO nosuch VALUES (1)")));
    db.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
