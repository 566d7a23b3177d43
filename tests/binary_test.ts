/**
 * The single binary's behaviour, exercised through `deno run main.ts` with exactly the
 * permission flags `deno task compile` bakes in (src/permissions.ts), from folders
 * without the repository: bundled revisions, the module graph `deno compile` embeds,
 * least privilege (each permission class refused with exit 10), cron-friendly output.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ENV_VARS, permissionFlags } from "../src/permissions.ts";
import { readMigrationDir } from "../src/script/fs.ts";
import { type CliResult, execCli, withTempDir } from "./support/cli.ts";
import { createDatabase, startCluster } from "./support/pg_cluster.ts";

const repo = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const repoMigrations = `${repo}/migrations`;

/** The binary's flags, with file access narrowed to `dirs` (as a site build would). */
function binaryFlags(...dirs: string[]): string[] {
  return permissionFlags({ fs: dirs });
}

function versions(path: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare("SELECT version_num FROM alembic_version").all().map((r) =>
      String(r.version_num)
    );
  } finally {
    db.close();
  }
}

/** A failure an operator can read: exit code, one line on stderr, no stack trace. */
function assertOneLine(r: CliResult, code: number, pattern: RegExp) {
  assert.equal(r.code, code, `exit ${r.code}: ${r.err}`);
  const lines = r.err.split("\n").filter((l) => l.trim() !== "");
  assert.equal(lines.length, 1, r.err);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.err, /^\s+at /m, "no stack trace");
}

Deno.test("bundled mode: a folder without migrations/ upgrades a fresh SQLite file to head", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/glance.db`;
    const opts = { cwd: dir, permissions: binaryFlags(dir) };
    const up = await execCli(["--url", `sqlite:${db}`, "upgrade"], opts);
    assert.equal(up.code, 0, up.err);
    assert.deepEqual(versions(db), ["ocata_contract01"]);

    // The bundled history is the repository's, revision for revision.
    const bundled = await execCli(["history", "-v"], opts);
    const fromRepo = await execCli(["--migrations", "migrations", "history", "-v"], { cwd: repo });
    assert.equal(bundled.code, 0, bundled.err);
    assert.equal(fromRepo.code, 0, fromRepo.err);
    assert.equal(bundled.out, fromRepo.out);
    assert.match(bundled.out, /Rev: ocata_contract01 \(head\)/);

    // And so are the files: the same digest, and `--source` says which set is in use.
    const src = await execCli(["history", "--source"], opts);
    const repoSrc = await execCli(["--migrations", repoMigrations, "history", "--source"]);
    assert.match(
      src.out,
      /^bundled \(built into bellows [\d.]+\): 5 revisions, sha256 [0-9a-f]{64}$/,
    );
    assert.equal(src.out.split("sha256 ")[1], repoSrc.out.split("sha256 ")[1]);
    assert.match(repoSrc.out, new RegExp(`^${repoMigrations}: `));
  });
});

Deno.test("deno compile's module graph holds every migrations/ file as a text import", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${repo}/main.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: {
      specifier: string;
      kind: string;
      dependencies?: {
        specifier: string;
        isDynamic?: boolean;
        assertionType?: string;
        code?: { specifier: string };
      }[];
    }[];
  };
  const gen = info.modules.find((m) => m.specifier.endsWith("/src/bundle/migrations.gen.ts"));
  assert.ok(gen, "main.ts reaches the bundle module");
  const textImports = new Set(
    (gen.dependencies ?? []).filter((d) => d.assertionType === "text").map((d) =>
      d.specifier.replace(/^\.\.\/\.\.\/migrations\//, "")
    ),
  );
  const onDisk = (await readMigrationDir(repoMigrations)).map((f) => f.path);
  assert.ok(onDisk.length >= 3);
  assert.deepEqual([...textImports].sort(), onDisk);
  const specifiers = new Set(info.modules.map((m) => m.specifier));
  for (const p of onDisk) {
    assert.ok(specifiers.has(new URL(`migrations/${p}`, `file://${repo}/`).href), p);
  }
  // Nothing of ours is loaded by a dynamic import, which `deno compile` could miss; the
  // exceptions are loaded on first use through literal specifiers that the graph `deno
  // compile` embeds resolves: the command line (main.ts, which answers `--version` before
  // it), PostgreSQL's parser (src/analysis/pg_parser.ts) and each database's driver
  // (src/drivers/mod.ts).
  const lazy = new Map([
    ["main.ts", ["./src/cli/mod.ts"]],
    ["src/analysis/pg_parser.ts", ["libpg-query"]],
    ["src/drivers/mod.ts", ["./postgres.ts", "./sqlite.ts", "./mysql.ts"]],
  ]);
  const seen = new Set<string>();
  for (const m of info.modules.filter((m) => m.specifier.startsWith(`file://${repo}/`))) {
    for (const d of m.dependencies ?? []) {
      const own = m.specifier.slice(`file://${repo}/`.length);
      if (d.isDynamic && lazy.get(own)?.includes(d.specifier)) {
        seen.add(`${own} -> ${d.specifier}`);
        if (d.specifier === "libpg-query") {
          assert.match(d.code?.specifier ?? "", /^npm:libpg-query@\d+\.\d+\.\d+$/);
          assert.ok(info.modules.some((x) => x.specifier.startsWith("npm:/libpg-query@")));
        } else {
          assert.ok(specifiers.has(d.code?.specifier ?? ""), `${own} -> ${d.specifier}`);
        }
        continue;
      }
      assert.ok(!d.isDynamic, `${m.specifier} -> ${d.specifier}`);
    }
  }
  assert.equal(seen.size, [...lazy.values()].flat().length, [...seen].join(", "));
  // MySQL's npm client is in the graph through its driver; PostgreSQL's client is our own
  // (src/drivers/pg_wire.ts), and postgres.js, which the tests still use, is not embedded.
  assert.ok(info.modules.some((x) => x.specifier.startsWith("npm:/mysql2@")), "mysql2");
  assert.ok(specifiers.has(`file://${repo}/src/drivers/pg_wire.ts`), "pg_wire.ts");
  assert.ok(!info.modules.some((x) => x.specifier.startsWith("npm:/postgres@")), "postgres.js");
});

Deno.test("--version alone is answered before the command line loads; among other arguments by it", async () => {
  const { VERSION } = await import("../src/version.ts");
  const alone = await execCli(["--version"], { permissions: [] });
  assert.deepEqual([alone.code, alone.out, alone.err], [0, VERSION, ""]);
  const among = await execCli(["-q", "--version"], { permissions: binaryFlags(repo) });
  assert.deepEqual([among.code, among.out, among.err], [0, VERSION, ""]);
  // main.ts imports nothing else statically: not commander, not Node's compatibility layer.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${repo}/main.ts`],
    stdout: "piped",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string; dependencies?: { specifier: string; isDynamic?: boolean }[] }[];
  };
  const main = info.modules.find((m) => m.specifier === `file://${repo}/main.ts`);
  assert.deepEqual(
    (main?.dependencies ?? []).filter((d) => !d.isDynamic).map((d) => d.specifier),
    ["./src/version.ts"],
  );
});

Deno.test("--help works with the binary's flags, whatever colour variables say", async () => {
  // The harness sets NO_COLOR for every run; an empty one is as good as unset.
  const envs: Record<string, string>[] = [
    { NO_COLOR: "" },
    { NO_COLOR: "", CLICOLOR_FORCE: "1", FORCE_COLOR: "1" },
  ];
  for (const args of [["--help"], ["upgrade", "--help"]]) {
    for (const env of envs) {
      const r = await execCli(args, { permissions: binaryFlags(repo), env });
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^Usage: bellows /);
      assert.ok(!r.out.includes("\x1b["), "no colour codes");
    }
  }
});

Deno.test("permissions: without read or write on the SQLite file, exit 10 in one line", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/x.db`;
    await Deno.mkdir(`${dir}/elsewhere`);
    const noRead = await execCli(["--url", db, "upgrade"], {
      cwd: dir,
      permissions: permissionFlags({ fs: [`${dir}/elsewhere`] }),
    });
    assertOneLine(noRead, 10, new RegExp(`${db}.*--allow-read`));

    const readOnly = [
      "--no-prompt",
      `--allow-read=${dir}`,
      `--allow-env=${ENV_VARS.join(",")}`,
      "--allow-sys=hostname",
    ];
    const noWrite = await execCli(["--url", db, "upgrade"], { cwd: dir, permissions: readOnly });
    assertOneLine(noWrite, 10, new RegExp(`${db}.*--allow-write`));

    // --json says the same on stdout.
    const json = await execCli(["--json", "--url", db, "upgrade"], {
      cwd: dir,
      permissions: readOnly,
    });
    const doc = JSON.parse(json.out);
    assert.equal(doc.ok, false);
    assert.equal(doc.command, "upgrade");
    assert.deepEqual([doc.error.code, doc.error.kind], [10, "permission"]);

    // `plan` only reads: read permission is enough, and the file is left byte for byte.
    const up = await execCli(["--url", db, "upgrade"], { cwd: dir, permissions: binaryFlags(dir) });
    assert.equal(up.code, 0, up.err);
    const before = await Deno.readFile(db);
    const plan = await execCli(["--url", db, "plan", "--down", "base"], {
      cwd: dir,
      permissions: readOnly,
    });
    assert.equal(plan.code, 0, plan.err);
    assert.match(
      plan.out,
      /^Plan for sqlite:\S+ \(sqlite\): ocata_contract01 -> <base>, 5 steps\n1\. downgrade/,
    );
    assert.deepEqual(await Deno.readFile(db), before);
  });
});

Deno.test("permissions: a migrations folder outside the allowed paths is exit 10", async () => {
  await withTempDir(async (dir) => {
    const r = await execCli(["--migrations", repoMigrations, "heads"], {
      cwd: dir,
      permissions: binaryFlags(dir),
    });
    assertOneLine(r, 10, new RegExp(`${repoMigrations}.*--allow-read`));
  });
});

Deno.test("permissions: DATABASE_URL is read only when allowed; otherwise exit 10", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/env.db`;
    const env = { DATABASE_URL: `sqlite:${db}` };
    const ok = await execCli(["upgrade", "liberty"], {
      cwd: dir,
      env,
      permissions: binaryFlags(dir),
    });
    assert.equal(ok.code, 0, ok.err);
    assert.deepEqual(versions(db), ["liberty"]);

    const others = ENV_VARS.filter((v) => v !== "DATABASE_URL").join(",");
    const withoutUrl = binaryFlags(dir).map((f) =>
      f.startsWith("--allow-env") ? `--allow-env=${others}` : f
    );
    const r = await execCli(["upgrade"], { cwd: dir, env, permissions: withoutUrl });
    assertOneLine(r, 10, /environment variable DATABASE_URL.*--allow-env=DATABASE_URL/);
    // With no environment at all, the first variable read (which migrations to use) says so.
    const withoutEnv = binaryFlags(dir).filter((f) => !f.startsWith("--allow-env"));
    const r2 = await execCli(["upgrade"], { cwd: dir, env, permissions: withoutEnv });
    assertOneLine(
      r2,
      10,
      /environment variable BELLOWS_MIGRATIONS.*--allow-env=BELLOWS_MIGRATIONS/,
    );
    assert.deepEqual(versions(db), ["liberty"], "nothing ran");
  });
});

Deno.test("permissions: PostgreSQL works with the binary's flags; without --allow-net exit 10", async () => {
  const cluster = await startCluster({ ssl: true });
  try {
    const tdb = await createDatabase(cluster, "binary");
    await withTempDir(async (dir) => {
      // Over TCP, TCP with a verified TLS certificate, and the Unix socket (which needs read
      // and write on the socket file: the unscoped flags of the real build).
      const sep = tdb.url.includes("?") ? "&" : "?";
      const tls = `${tdb.url}${sep}sslmode=verify-ca&sslrootcert=${cluster.certFile}`;
      for (const url of [tdb.url, tls, tdb.socketUrl]) {
        const plan = await execCli(["--url", url, "--json", "plan"], {
          cwd: dir,
          permissions: permissionFlags(),
        });
        assert.equal(plan.code, 0, `${url}: ${plan.err}`);
        const doc = JSON.parse(plan.out);
        assert.equal(doc.dialect, "postgresql");
        assert.deepEqual(doc.steps.map((s: { revision: string }) => s.revision), [
          "liberty",
          "mitaka01",
          "mitaka02",
          "ocata_expand01",
          "ocata_contract01",
        ]);
      }
      const flags = binaryFlags(dir);
      const cur = await execCli(["--url", tdb.url, "--json", "current"], {
        cwd: dir,
        permissions: flags,
      });
      assert.equal(cur.code, 0, cur.err);
      assert.deepEqual(JSON.parse(cur.out).current, []);

      const noNet = flags.filter((f) => !f.startsWith("--allow-net"));
      const r = await execCli(["--url", tdb.url, "current"], { cwd: dir, permissions: noNet });
      assertOneLine(r, 10, /needs Deno permission --allow-net=127\.0\.0\.1:\d+/);
    });
  } finally {
    await cluster.stop();
  }
});

Deno.test("cron: -q on an up-to-date database prints nothing; log lines carry timestamps", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/cron.db`;
    const opts = { cwd: dir, permissions: binaryFlags(dir) };
    const first = await execCli(["--url", db, "upgrade"], opts);
    assert.equal(first.code, 0, first.err);
    // stderr is a pipe here, as under cron: every log line starts with an ISO timestamp.
    const lines = first.err.split("\n");
    assert.ok(lines.length >= 4, first.err);
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO /);

    const again = await execCli(["-q", "--url", db, "upgrade"], opts);
    assert.deepEqual(again, { code: 0, out: "", err: "" });
    const dry = await execCli(["-q", "--url", db, "upgrade", "--dry-run"], opts);
    assert.deepEqual(dry, { code: 0, out: "", err: "" });
  });
});
