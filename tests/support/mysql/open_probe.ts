/**
 * Child-process probe for permission tests: opens the MySQL driver on the URL in
 * `Deno.args[0]` under whatever Deno permissions the parent granted, runs one query,
 * and prints one JSON line: `{ok, id}` or `{ok: false, name, kind, exitCode, message}`.
 *
 * @module
 */

import { openMysql } from "../../../src/drivers/mysql.ts";
import { BellowsError } from "../../../src/errors.ts";

try {
  const driver = await openMysql(Deno.args[0], {});
  const [row] = await driver.query<{ id: number }>("SELECT CONNECTION_ID() AS id");
  await driver.close();
  console.log(JSON.stringify({ ok: true, id: Number(row.id) }));
} catch (e) {
  const err = e as Error;
  console.log(JSON.stringify({
    ok: false,
    name: err.name,
    kind: e instanceof BellowsError ? e.kind : undefined,
    exitCode: e instanceof BellowsError ? e.exitCode : undefined,
    message: err.message,
  }));
}
