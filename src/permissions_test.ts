import assert from "node:assert/strict";
import { ENV_VARS, envAllowed, permissionFlags, SYS_APIS } from "./permissions.ts";
import { PG_ENV_VARS } from "./drivers/pg_config.ts";

Deno.test("permissionFlags: unscoped fs and net, listed env and sys, never --allow-all", () => {
  const flags = permissionFlags();
  assert.deepEqual(flags.slice(0, 4), [
    "--no-prompt",
    "--allow-read",
    "--allow-write",
    "--allow-net",
  ]);
  assert.equal(flags[4], `--allow-env=${ENV_VARS.join(",")}`);
  assert.equal(flags[5], "--allow-sys=hostname,uid,gid,userInfo");
  assert.equal(flags.length, 6);
  for (const f of flags) assert.doesNotMatch(f, /^(-A|--allow-all|--allow-(run|ffi|import))/);
});

Deno.test("permissionFlags: a site scope narrows read, write and net", () => {
  const flags = permissionFlags({ fs: ["/var/lib/glance", "/etc/bellows"], net: ["db:5432"] });
  assert.ok(flags.includes("--allow-read=/var/lib/glance,/etc/bellows"));
  assert.ok(flags.includes("--allow-write=/var/lib/glance,/etc/bellows"));
  assert.ok(flags.includes("--allow-net=db:5432"));
  assert.throws(() => permissionFlags({ fs: [] }), /would allow everything/);
  assert.throws(() => permissionFlags({ net: ["a,b"] }), /contains a comma/);
});

Deno.test("envAllowed: the listed names and the BELLOWS_ wildcard, nothing else", () => {
  for (const name of ["DATABASE_URL", "BELLOWS_MIGRATIONS", "BELLOWS_ANYTHING", ...PG_ENV_VARS]) {
    assert.ok(envAllowed(name), name);
  }
  for (const name of ["HOME", "PATH", "BELLOWS", "DATABASE_URL2", "PGPASSFILE"]) {
    assert.ok(!envAllowed(name), name);
  }
  assert.ok(SYS_APIS.includes("hostname"));
});

/** Every `getEnv("NAME")` / `Deno.env.get("NAME")` under src/ must be in the compiled list. */
Deno.test("every environment variable the source reads is allowed", async () => {
  const root = new URL("./", import.meta.url);
  const names = new Set<string>();
  const walk = async (dir: URL) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(new URL(`${e.name}/`, dir));
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        const text = await Deno.readTextFile(new URL(e.name, dir));
        for (const m of text.matchAll(/(?:getEnv|requireEnv|Deno\.env\.get)\("([A-Z0-9_]+)"\)/g)) {
          names.add(m[1]);
        }
      }
    }
  };
  await walk(root);
  assert.ok(names.has("DATABASE_URL"), "the scan finds the reads");
  // HOSTNAME is only a fallback for a denied `hostname` sys call, which the binary has.
  names.delete("HOSTNAME");
  for (const n of names) assert.ok(envAllowed(n), `${n} is read but not in ENV_VARS`);
});
