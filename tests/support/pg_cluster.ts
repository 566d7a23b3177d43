/**
 * A throwaway PostgreSQL cluster for tests.
 *
 * `startCluster()` runs `initdb` + `pg_ctl start` from the newest
 * `/usr/lib/postgresql/<major>/bin` into a fresh temporary directory, listening on
 * 127.0.0.1 at a free port and on a Unix socket in its own directory. When
 * `BELLOWS_TEST_PG_URL` is set (a superuser URL), that server is used instead and
 * nothing is started or stopped. Tests never skip PostgreSQL: a cluster that cannot
 * be had is an error.
 *
 * Authentication of the started cluster: Unix socket and TCP are `trust`, except
 * that role `bellows_pw` (password {@linkcode PASSWORD_USER.password}) must log in
 * over TCP with `scram-sha-256`, so wrong-password paths can be tested.
 *
 * Use one cluster per test file (start it at module top level) and one database
 * per test ({@linkcode createDatabase}), since test files run in parallel.
 *
 * @module
 */
import { freePort } from "./mariadb_server.ts";

/** The password-authenticated role every cluster has. */
export const PASSWORD_USER = { name: "bellows_pw", password: "s3cret-Pa55word!" } as const;

/** What {@linkcode startCluster} accepts. */
export interface ClusterOptions {
  /**
   * Turn on TLS with a fresh self-signed certificate (see {@linkcode PgCluster.certFile}).
   * Always starts a local cluster, even when `BELLOWS_TEST_PG_URL` is set.
   */
  readonly ssl?: boolean;
  /**
   * Keep `synchronous_commit` on, so that a commit reported to the client survives
   * {@linkcode PgCluster.crash} (for tests that compare what bellows said with what the
   * database holds after one). Off by default, for speed: a crash may then lose the last
   * commits. Always starts a local cluster.
   */
  readonly durable?: boolean;
}

/** A running PostgreSQL server for tests. */
export interface PgCluster {
  /** Superuser URL over TCP to the cluster's default test database. */
  readonly url: string;
  /** Superuser URL over TCP to the `postgres` database. */
  readonly superuserUrl: string;
  /** Directory holding the server's Unix socket ("" when unknown for an external server). */
  readonly socketDir: string;
  /** TCP host the server listens on. */
  readonly host: string;
  /** Port (TCP and socket file suffix). */
  readonly port: number;
  /** Superuser role name. */
  readonly superuser: string;
  /** True when the server came from `BELLOWS_TEST_PG_URL`. */
  readonly external: boolean;
  /** With `ssl: true`: the server certificate (self-signed, so also its CA), PEM file. */
  readonly certFile?: string;
  /** The DNS name in the certificate (not resolvable: verify-full by IP must fail). */
  readonly certHost?: string;
  /** Stop the server and remove its directory (no-op for an external server). */
  stop(): Promise<void>;
  /**
   * Crash the server as a power cut would look to clients (`pg_ctl stop -m immediate`: no
   * checkpoint, crash recovery at the next start), keeping its data. Local clusters only.
   */
  crash?(): Promise<void>;
  /** Start a crashed server again on the same port (runs crash recovery). Local clusters only. */
  restart?(): Promise<void>;
  /**
   * Start a streaming standby of this cluster (`pg_basebackup -R`) with `settings` added to
   * its configuration (e.g. `recovery_min_apply_delay`). Local clusters only.
   */
  standby?(settings?: readonly string[]): Promise<PgStandby>;
}

/** A streaming standby started by {@linkcode PgCluster.standby}. */
export interface PgStandby {
  /** Superuser URL over TCP to its `postgres` database. */
  readonly url: string;
  stop(): Promise<void>;
}

/** A database created for one test. */
export interface TestDatabase {
  readonly name: string;
  /** Superuser URL over TCP. */
  readonly url: string;
  /** Superuser URL over the Unix socket (`?host=<socketDir>`). */
  readonly socketUrl: string;
  /** URL over TCP for {@linkcode PASSWORD_USER} with the given password. */
  passwordUrl(password: string): string;
}

const SUPERUSER = "postgres";
const DEFAULT_DB = "bellows_test";
const CERT_HOST = "bellows-test-db.invalid";

/** Start a cluster (or adopt `BELLOWS_TEST_PG_URL`); see the module docs. */
export async function startCluster(opts: ClusterOptions = {}): Promise<PgCluster> {
  const external = Deno.env.get("BELLOWS_TEST_PG_URL");
  if (external && !opts.ssl && !opts.durable) return await adoptExternal(external);
  return await startLocal(opts);
}

/** Create a fresh database named after `prefix` (plus a random suffix) on the cluster. */
export async function createDatabase(cluster: PgCluster, prefix = "t"): Promise<TestDatabase> {
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 40)}_${
    crypto.randomUUID().slice(0, 8)
  }`;
  await psql(cluster.superuserUrl, `CREATE DATABASE "${name}"`);
  const tcp = (user: string, password?: string) => {
    const auth = password === undefined ? user : `${user}:${encodeURIComponent(password)}`;
    return `postgresql://${auth}@${hostPart(cluster.host)}:${cluster.port}/${name}`;
  };
  return {
    name,
    url: withDatabase(cluster.superuserUrl, name),
    socketUrl: `postgresql://${cluster.superuser}@/${name}?host=${
      encodeURIComponent(cluster.socketDir)
    }&port=${cluster.port}`,
    passwordUrl: (password) => tcp(PASSWORD_USER.name, password),
  };
}

/** Run SQL through `psql` (not through the driver under test). Returns stdout. */
export async function psql(url: string, sql: string): Promise<string> {
  const out = await new Deno.Command("psql", {
    args: ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`psql failed (${sql.slice(0, 80)}): ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

function hostPart(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function adoptExternal(url: string): Promise<PgCluster> {
  const u = new URL(url);
  const port = Number(u.port || 5432);
  const superuserUrl = withDatabase(url, "postgres");
  // The password role may not exist on a server we did not start.
  await psql(
    superuserUrl,
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${PASSWORD_USER.name}') THEN
         CREATE ROLE ${PASSWORD_USER.name} LOGIN;
       END IF;
       ALTER ROLE ${PASSWORD_USER.name} PASSWORD '${PASSWORD_USER.password}';
     END $$`,
  );
  const name = `${DEFAULT_DB}_${crypto.randomUUID().slice(0, 8)}`;
  await psql(superuserUrl, `CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(url, name),
    superuserUrl,
    socketDir: Deno.env.get("BELLOWS_TEST_PG_SOCKET_DIR") ?? "",
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port,
    superuser: decodeURIComponent(u.username) || SUPERUSER,
    external: true,
    stop: async () => {},
  };
}

/** Newest `/usr/lib/postgresql/<major>/bin` holding `initdb`, or a clear error. */
export function findBinDir(): string {
  const root = "/usr/lib/postgresql";
  const majors: number[] = [];
  try {
    for (const e of Deno.readDirSync(root)) {
      if (/^\d+$/.test(e.name)) majors.push(Number(e.name));
    }
  } catch {
    // fall through to the error below
  }
  majors.sort((a, b) => b - a);
  for (const m of majors) {
    const dir = `${root}/${m}/bin`;
    try {
      Deno.statSync(`${dir}/initdb`);
      return dir;
    } catch {
      // try the next major
    }
  }
  throw new Error(
    `PostgreSQL server binaries not found under ${root}/<major>/bin: install postgresql ` +
      `(e.g. apt-get install postgresql) or set BELLOWS_TEST_PG_URL to a superuser URL`,
  );
}

interface Runner {
  /** Run a server binary as the cluster's OS user. */
  run(bin: string, args: string[]): Promise<Deno.CommandOutput>;
  runSync(bin: string, args: string[]): Deno.CommandOutput;
  uid?: number;
  gid?: number;
}

function makeRunner(binDir: string): Runner {
  // initdb refuses to run as root, so as root the cluster belongs to the postgres OS user.
  const root = Deno.uid() === 0;
  const cmd = (bin: string, args: string[]) =>
    root
      ? new Deno.Command("runuser", {
        args: ["-u", "postgres", "--", `${binDir}/${bin}`, ...args],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      })
      : new Deno.Command(`${binDir}/${bin}`, {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      });
  const runner: Runner = {
    run: (bin, args) => cmd(bin, args).output(),
    runSync: (bin, args) => cmd(bin, args).outputSync(),
  };
  if (root) {
    const id = (flag: string) => {
      const out = new Deno.Command("id", { args: [flag, "postgres"], stdout: "piped" })
        .outputSync();
      if (!out.success) {
        throw new Error("running as root but there is no `postgres` OS user to run the cluster");
      }
      return Number(new TextDecoder().decode(out.stdout).trim());
    };
    runner.uid = id("-u");
    runner.gid = id("-g");
  }
  return runner;
}

function check(out: Deno.CommandOutput, what: string): void {
  if (!out.success) {
    const d = new TextDecoder();
    throw new Error(`${what} failed: ${d.decode(out.stderr)}${d.decode(out.stdout)}`.trim());
  }
}

async function writeCert(dir: string): Promise<{ cert: string; key: string }> {
  const probe = await new Deno.Command("openssl", { args: ["version"], stdout: "null" })
    .output()
    .catch(() => undefined);
  if (!probe?.success) {
    throw new Error("openssl is needed for the TLS test cluster (apt-get install openssl)");
  }
  const cert = `${dir}/server.crt`;
  const key = `${dir}/server.key`;
  const out = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${CERT_HOST}`,
      "-addext",
      `subjectAltName=DNS:${CERT_HOST}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  check(out, "openssl req");
  return { cert, key };
}

async function startLocal(opts: ClusterOptions): Promise<PgCluster> {
  const binDir = findBinDir();
  const runner = makeRunner(binDir);
  const dir = await Deno.makeTempDir({ prefix: "bellows-pg-" });
  const data = `${dir}/data`;
  const socketDir = `${dir}/sock`;
  await Deno.mkdir(socketDir);
  await Deno.mkdir(data, { mode: 0o700 });
  let certFile: string | undefined;
  const chownAll = async () => {
    if (runner.uid === undefined) return;
    for (const p of [dir, data, socketDir]) await Deno.chown(p, runner.uid, runner.gid!);
  };
  let stopped = false;
  let standbys = 0;
  const removeDir = () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone
    }
  };
  try {
    await chownAll();
    check(
      await runner.run("initdb", [
        "-D",
        data,
        "-U",
        SUPERUSER,
        "--auth=trust",
        "--no-sync",
        "--no-instructions",
        "-E",
        "UTF8",
        "--locale=C",
      ]),
      "initdb",
    );
    await Deno.writeTextFile(
      `${data}/pg_hba.conf`,
      [
        "local all all trust",
        // For standby(): pg_basebackup and the standby's WAL receiver over the socket.
        "local replication all trust",
        `host all ${PASSWORD_USER.name} 127.0.0.1/32 scram-sha-256`,
        "host all all 127.0.0.1/32 trust",
        "",
      ].join("\n"),
    );
    const conf = [
      // No fsync: a crash of the server (not of the machine) keeps what reached the kernel.
      "fsync = off",
      ...(opts.durable ? [] : ["synchronous_commit = off"]),
      "full_page_writes = off",
      "shared_buffers = 16MB",
      "max_connections = 60",
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${socketDir}'`,
    ];
    if (opts.ssl) {
      const { cert, key } = await writeCert(dir);
      certFile = cert;
      // The server needs its own copy of the key, owned by it with mode 0600.
      await Deno.copyFile(cert, `${data}/server.crt`);
      await Deno.copyFile(key, `${data}/server.key`);
      await Deno.chmod(`${data}/server.key`, 0o600);
      if (runner.uid !== undefined) {
        await Deno.chown(`${data}/server.crt`, runner.uid, runner.gid!);
        await Deno.chown(`${data}/server.key`, runner.uid, runner.gid!);
      }
      conf.push("ssl = on");
    }
    await Deno.writeTextFile(`${data}/postgresql.auto.conf`, conf.join("\n") + "\n", {
      append: true,
    });
    if (runner.uid !== undefined) {
      await Deno.chown(`${data}/pg_hba.conf`, runner.uid, runner.gid!);
    }

    let port = 0;
    for (let attempt = 0;; attempt++) {
      port = freePort();
      const out = await runner.run("pg_ctl", [
        "start",
        "-D",
        data,
        "-w",
        "-t",
        "60",
        "-l",
        `${dir}/server.log`,
        "-o",
        `-p ${port}`,
      ]);
      if (out.success) break;
      // Another process may have taken the port between probe and start.
      if (attempt >= 2) {
        let log = "";
        try {
          log = await Deno.readTextFile(`${dir}/server.log`);
        } catch {
          // no log
        }
        check(out, `pg_ctl start (log: ${log.slice(-2000)})`);
      }
    }

    const superuserUrl = `postgresql://${SUPERUSER}@127.0.0.1:${port}/postgres`;
    await psql(
      superuserUrl,
      `CREATE ROLE ${PASSWORD_USER.name} LOGIN PASSWORD '${PASSWORD_USER.password}'`,
    );
    await psql(superuserUrl, `CREATE DATABASE ${DEFAULT_DB}`);
    const stopSync = () => {
      if (stopped) return;
      stopped = true;
      globalThis.removeEventListener("unload", stopSync);
      runner.runSync("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]);
      removeDir();
    };
    // Safety net: a test file that forgets stop() must not leave a server behind.
    globalThis.addEventListener("unload", stopSync);
    return {
      url: `postgresql://${SUPERUSER}@127.0.0.1:${port}/${DEFAULT_DB}`,
      superuserUrl,
      socketDir,
      host: "127.0.0.1",
      port,
      superuser: SUPERUSER,
      external: false,
      certFile,
      certHost: opts.ssl ? CERT_HOST : undefined,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        globalThis.removeEventListener("unload", stopSync);
        await runner.run("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]);
        removeDir();
      },
      crash: async () => {
        check(
          await runner.run("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]),
          "pg_ctl stop -m immediate",
        );
      },
      restart: async () => {
        const args = ["start", "-D", data, "-w", "-t", "60", "-l", `${dir}/server.log`];
        check(await runner.run("pg_ctl", [...args, "-o", `-p ${port}`]), "pg_ctl start");
      },
      standby: async (settings = []) => {
        const sdata = `${dir}/standby${++standbys}`;
        check(
          await runner.run("pg_basebackup", [
            "-D",
            sdata,
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
            "-h",
            socketDir,
            "-p",
            String(port),
            "-U",
            SUPERUSER,
          ]),
          "pg_basebackup",
        );
        const sport = freePort();
        // Appended to the file pg_basebackup -R wrote (it keeps its owner).
        await Deno.writeTextFile(
          `${sdata}/postgresql.auto.conf`,
          ["hot_standby = on", ...settings, ""].join("\n"),
          { append: true },
        );
        const log = `${dir}/standby${standbys}.log`;
        check(
          await runner.run("pg_ctl", [
            "start",
            "-D",
            sdata,
            "-w",
            "-t",
            "60",
            "-l",
            log,
            "-o",
            `-p ${sport}`,
          ]),
          "pg_ctl start (standby)",
        );
        const stopStandby = () =>
          runner.runSync("pg_ctl", ["stop", "-D", sdata, "-m", "immediate", "-w"]);
        globalThis.addEventListener("unload", stopStandby);
        return {
          url: `postgresql://${SUPERUSER}@127.0.0.1:${sport}/postgres`,
          stop: async () => {
            globalThis.removeEventListener("unload", stopStandby);
            await runner.run("pg_ctl", ["stop", "-D", sdata, "-m", "immediate", "-w"]);
          },
        };
      },
    };
  } catch (e) {
    runner.runSync("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]);
    removeDir();
    throw e;
  }
}
