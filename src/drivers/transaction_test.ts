import assert from "node:assert/strict";
import { failedToBegin, type StatementResult, transactionOn } from "./transaction.ts";

/** A connection that records what it was sent; `lostAfter` statements, it is gone. */
function recorder(lostAfter = Infinity) {
  const sent: string[] = [];
  return {
    sent,
    conn: {
      exec(text: string): Promise<StatementResult> {
        if (sent.length >= lostAfter) return Promise.reject(new Error("connection lost"));
        sent.push(text);
        return Promise.resolve({ rows: [{ n: 1 }], count: 1, command: text.split(" ")[0] });
      },
      lost: () => sent.length >= lostAfter,
    },
  };
}

Deno.test("transactionOn: begin, the statements, COMMIT; the result and COMMIT's answer", async () => {
  const r = recorder();
  let checked: StatementResult | undefined;
  const out = await transactionOn(r.conn, "START TRANSACTION", async (tx) => {
    assert.equal(await tx.run("UPDATE t SET a = 1"), 1);
    assert.deepEqual(await tx.query("SELECT 1 AS n"), [{ n: 1 }]);
    return "done";
  }, (done) => checked = done);
  assert.equal(out, "done");
  assert.deepEqual(r.sent, ["START TRANSACTION", "UPDATE t SET a = 1", "SELECT 1 AS n", "COMMIT"]);
  assert.equal(checked?.command, "COMMIT");
  // Without a check, COMMIT is still sent.
  const plain = recorder();
  await transactionOn(plain.conn, "BEGIN", () => Promise.resolve());
  assert.deepEqual(plain.sent, ["BEGIN", "COMMIT"]);
});

Deno.test("transactionOn: a failure rolls back, unless the connection is gone", async () => {
  const r = recorder();
  await assert.rejects(
    transactionOn(r.conn, "BEGIN", async (tx) => {
      await tx.run("INSERT INTO t VALUES (1)");
      throw new Error("boom");
    }),
    /boom/,
  );
  assert.deepEqual(r.sent, ["BEGIN", "INSERT INTO t VALUES (1)", "ROLLBACK"]);
  const gone = recorder(2);
  await assert.rejects(
    transactionOn(gone.conn, "BEGIN", async (tx) => {
      await tx.run("INSERT INTO t VALUES (1)");
      await tx.run("INSERT INTO t VALUES (2)");
    }),
    /connection lost/,
  );
  assert.deepEqual(gone.sent, ["BEGIN", "INSERT INTO t VALUES (1)"]);
});

Deno.test("transactionOn: a refused COMMIT answer is the transaction's error", async () => {
  const r = recorder();
  await assert.rejects(
    transactionOn(r.conn, "BEGIN", () => Promise.resolve(1), () => {
      throw new Error("rolled back by the server");
    }),
    /rolled back by the server/,
  );
});

/** A pipelining connection whose answers come only when `answer()` is called. */
function pipeline(beginFails = false) {
  const sent: string[] = [];
  const pending: (() => void)[] = [];
  let lost = false;
  return {
    sent,
    answer: () => pending.splice(0).forEach((f) => f()),
    conn: {
      pipelining: true,
      exec(text: string): Promise<StatementResult> {
        sent.push(text);
        return new Promise((resolve, reject) =>
          pending.push(() => {
            if (beginFails) {
              lost = true;
              reject(new Error(`connection lost at ${text}`));
            } else resolve({ rows: [], count: 1, command: text.split(" ")[0] });
          })
        );
      },
      lost: () => lost,
    },
  };
}

Deno.test("transactionOn, pipelining: the first statement goes out behind BEGIN", async () => {
  const p = pipeline();
  const done = transactionOn(p.conn, "BEGIN", async (tx) => {
    const n = tx.run("INSERT INTO t VALUES (1)");
    // Sent before BEGIN was answered.
    assert.deepEqual(p.sent, ["BEGIN", "INSERT INTO t VALUES (1)"]);
    p.answer();
    return await n;
  });
  await new Promise((r) => setTimeout(r, 0));
  p.answer(); // COMMIT
  assert.equal(await done, 1);
  assert.deepEqual(p.sent, ["BEGIN", "INSERT INTO t VALUES (1)", "COMMIT"]);
});

Deno.test("transactionOn, pipelining: a failed BEGIN is the error, marked, whatever the body made of it", async () => {
  const p = pipeline(true);
  const done = transactionOn(p.conn, "BEGIN", async (tx) => {
    try {
      await tx.run("INSERT INTO t VALUES (1)");
    } catch (e) {
      throw new Error(`statement failed: ${(e as Error).message}`);
    }
  });
  p.answer();
  const e = await done.then(() => undefined, (e) => e);
  assert.match(String(e), /^Error: connection lost at BEGIN$/);
  assert.ok(failedToBegin(e));
  // The connection went: no ROLLBACK.
  assert.deepEqual(p.sent, ["BEGIN", "INSERT INTO t VALUES (1)"]);
  // Not pipelined, the same mark (the body never ran).
  const r = recorder(0);
  const e2 = await transactionOn(r.conn, "BEGIN", () => Promise.resolve()).catch((e) => e);
  assert.ok(failedToBegin(e2));
  assert.ok(!failedToBegin(new Error("x")));
});
