/**
 * Child-process probe for permission tests: opens the PostgreSQL driver on the URL in
 * `Deno.args[0]` under whatever Deno permissions the parent granted, runs one query,
 * and prints one JSON line: `{ok, pid?}` or `{ok: false, name, kind, exitCode, message}`.
 *
 * @module
 */

import { openPostgres } from "../../../src/drivers/postgres.ts";
import { BellowsError } from "../../../src/errors.ts";

const notices: string[] = [];
try {
  const driver = await openPostgres(Deno.args[0], { onNotice: (m) => notices.push(m) });
  const [row] = await driver.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  // No onNotice output may reach stdout: the parent checks stdout is this one line.
  await driver.run("DO $$ BEGIN RAISE NOTICE 'probe notice'; END $$");
  await driver.close();
  console.log(JSON.stringify({ ok: true, pid: row.pid, notices }));
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
