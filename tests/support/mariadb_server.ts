/**
 * A throwaway MariaDB server for tests.
 *
 * `startServer()` runs `mariadb-install-db` + `mariadbd` (Debian's `mariadb-server`) into a
 * fresh temporary directory, listening on 127.0.0.1 at a free port and on a Unix socket in
 * its own directory. When `BELLOWS_TEST_MYSQL_URL` is set (a superuser URL, e.g.
 * `mysql://root:pw@127.0.0.1:3306/`), that server is used instead and nothing is started
 * or stopped. Tests never skip MySQL: a server that cannot be had is an error.
 *
 * Authentication of the started server: `root` has no password (socket and TCP, as
 * `mariadb-install-db --auth-root-authentication-method=normal` sets it up), and user
 * `bellows_pw` (password {@linkcode PASSWORD_USER.password}, `mysql_native_password`)
 * must give its password, so wrong-password paths can be tested.
 *
 * Use one server per test file (start it at module top level) and one database per test
 * ({@linkcode createDatabase}), since test files run in parallel.
 *
 * @module
 */

/** The password-authenticated user every server has (all privileges, from any host). */
export const PASSWORD_USER = { name: "bellows_pw", password: "s3cret-Pa55word!" } as const;

/** What {@linkcode startServer} accepts. */
export interface ServerOptions {
  /**
   * Turn on TLS with a fresh self-signed certificate (see {@linkcode MysqlServer.certFile}).
   * Always starts a local server, even when `BELLOWS_TEST_MYSQL_URL` is set.
   */
  readonly ssl?: boolean;
}

/** A running MariaDB (or MySQL) server for tests. */
export interface MysqlServer {
  /** Superuser URL over TCP to the server's default test database. */
  readonly url: string;
  /** Superuser URL over TCP with no database. */
  readonly superuserUrl: string;
  /** The server's Unix socket file ("" when unknown for an external server). */
  readonly socket: string;
  /** TCP host the server listens on. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Superuser name. */
  readonly superuser: string;
  /** True when the server came from `BELLOWS_TEST_MYSQL_URL`. */
  readonly external: boolean;
  /** With `ssl: true`: the server certificate (self-signed, so also its CA), PEM file. */
  readonly certFile?: string;
  /** The DNS name in the certificate (not resolvable: verifying the host by IP must fail). */
  readonly certHost?: string;
  /** Stop the server and remove its directory (no-op for an external server). */
  stop(): Promise<void>;
}

/** A database created for one test. */
export interface TestDatabase {
  readonly name: string;
  /** Superuser URL over TCP. */
  readonly url: string;
  /** Superuser URL over the Unix socket (`?unix_socket=<file>`). */
  readonly socketUrl: string;
  /** URL over TCP for {@linkcode PASSWORD_USER} with the given password. */
  passwordUrl(password: string): string;
}

const SUPERUSER = "root";
const DEFAULT_DB = "bellows_test";
const CERT_HOST = "bellows-test-db.invalid";
/** Where Debian's mariadb-server puts the server binary (not on a normal user's PATH). */
const SERVER_DIRS = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

/** Start a server (or adopt `BELLOWS_TEST_MYSQL_URL`); see the module docs. */
export async function startServer(opts: ServerOptions = {}): Promise<MysqlServer> {
  const external = Deno.env.get("BELLOWS_TEST_MYSQL_URL");
  if (external && !opts.ssl) return await adoptExternal(external);
  return await startLocal(opts);
}

/** Create a fresh database named after `prefix` (plus a random suffix) on the server. */
export async function createDatabase(server: MysqlServer, prefix = "t"): Promise<TestDatabase> {
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 40)}_${
    crypto.randomUUID().slice(0, 8)
  }`;
  await mysqlCli(server.superuserUrl, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  return {
    name,
    url: withDatabase(server.superuserUrl, name),
    socketUrl: `mysql://${server.superuser}@localhost/${name}?unix_socket=${
      encodeURIComponent(server.socket)
    }`,
    passwordUrl: (password) =>
      `mysql://${PASSWORD_USER.name}:${encodeURIComponent(password)}@${
        hostPart(server.host)
      }:${server.port}/${name}`,
  };
}

/**
 * Run SQL through the `mariadb` command-line client (not through the driver under test).
 * Returns stdout: tab-separated rows, no column names (with `xml`: the client's `--xml`
 * output, which names columns and marks NULLs). `url` is a plain `mysql://` URL.
 */
export async function mysqlCli(
  url: string,
  sql: string,
  opts: { xml?: boolean } = {},
): Promise<string> {
  const u = new URL(url);
  // utf8mb4 both ways: the client's default (utf8mb3) turns characters beyond the BMP into `?`.
  const args = [
    "--no-defaults",
    "--batch",
    "--skip-column-names",
    "--raw",
    "--default-character-set=utf8mb4",
  ];
  if (opts.xml) args.push("--xml");
  const socket = u.searchParams.get("unix_socket");
  if (socket) args.push(`--socket=${socket}`, "--protocol=SOCKET");
  else args.push(`--host=${u.hostname.replace(/^\[|\]$/g, "")}`, `--port=${u.port || 3306}`);
  args.push(`--user=${decodeURIComponent(u.username) || SUPERUSER}`);
  const env: Record<string, string> = {};
  // MYSQL_PWD keeps the password off the process list.
  if (u.password) env.MYSQL_PWD = decodeURIComponent(u.password);
  const db = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (db) args.push(`--database=${db}`);
  args.push("-e", sql);
  const out = await new Deno.Command(clientBin(), {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `mariadb client failed (${sql.slice(0, 80)}): ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return new TextDecoder().decode(out.stdout).trim();
}

/**
 * Hold a `GET_LOCK()` named `name` from a `mariadb` client session of its own, as another
 * bellows run would. Resolves once the lock is held; the returned function ends that
 * session on the server (a SIGKILLed client's session would live on until its query ends)
 * and the client with it.
 */
export async function holdUserLock(url: string, name: string): Promise<() => Promise<void>> {
  const u = new URL(url);
  const proc = new Deno.Command(clientBin(), {
    args: [
      "--no-defaults",
      "--batch",
      "--skip-column-names",
      "--unbuffered",
      `--host=${u.hostname.replace(/^\[|\]$/g, "")}`,
      `--port=${u.port || 3306}`,
      `--user=${decodeURIComponent(u.username) || SUPERUSER}`,
      "-e",
      `SELECT CONCAT(IF(GET_LOCK('${name.replaceAll("'", "''")}', 0), 'locked', 'busy'), ' ', ` +
      "CONNECTION_ID()); SELECT SLEEP(600)",
    ],
    env: u.password ? { MYSQL_PWD: decodeURIComponent(u.password) } : {},
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = proc.stdout.getReader();
  let seen = "";
  while (!/(locked|busy) \d+\n/.test(seen)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`lock holder exited: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  const [, state, id] = /(locked|busy) (\d+)/.exec(seen)!;
  const release = async () => {
    await mysqlCli(url, `KILL ${id}`).catch(() => {});
    try {
      proc.kill("SIGKILL");
    } catch {
      // The client saw its session end and exited already.
    }
    await proc.status;
    reader.releaseLock();
    await proc.stdout.cancel().catch(() => {});
  };
  if (state !== "locked") {
    await release();
    throw new Error(`the user lock ${name} is held by another session`);
  }
  return release;
}

function clientBin(): string {
  for (const name of ["mariadb", "mysql"]) {
    for (const dir of SERVER_DIRS) {
      if (exists(`${dir}/${name}`)) return `${dir}/${name}`;
    }
  }
  throw new Error(
    "the mariadb command-line client is missing: apt-get install mariadb-client " +
      "(or mariadb-server)",
  );
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function hostPart(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function adoptExternal(url: string): Promise<MysqlServer> {
  const u = new URL(url);
  const superuserUrl = withDatabase(url, "");
  // The password user may not exist on a server we did not start.
  await mysqlCli(
    superuserUrl,
    `CREATE USER IF NOT EXISTS '${PASSWORD_USER.name}'@'%' IDENTIFIED BY ` +
      `'${PASSWORD_USER.password}'; ` +
      `ALTER USER '${PASSWORD_USER.name}'@'%' IDENTIFIED BY '${PASSWORD_USER.password}'; ` +
      `GRANT ALL PRIVILEGES ON *.* TO '${PASSWORD_USER.name}'@'%'`,
  );
  const name = `${DEFAULT_DB}_${crypto.randomUUID().slice(0, 8)}`;
  await mysqlCli(superuserUrl, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  return {
    url: withDatabase(url, name),
    superuserUrl,
    socket: Deno.env.get("BELLOWS_TEST_MYSQL_SOCKET") ?? "",
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: Number(u.port || 3306),
    superuser: decodeURIComponent(u.username) || SUPERUSER,
    external: true,
    stop: async () => {},
  };
}

/** `mariadbd` and `mariadb-install-db`, or a clear error. */
export function findServerBinaries(): { server: string; installDb: string } {
  const find = (names: string[]) => {
    for (const name of names) {
      for (const dir of SERVER_DIRS) {
        if (exists(`${dir}/${name}`)) return `${dir}/${name}`;
      }
    }
    return undefined;
  };
  const server = find(["mariadbd", "mysqld"]);
  const installDb = find(["mariadb-install-db", "mysql_install_db"]);
  if (!server || !installDb) {
    throw new Error(
      `MariaDB server binaries not found (mariadbd, mariadb-install-db in ${
        SERVER_DIRS.join(", ")
      }): install mariadb-server (e.g. apt-get install mariadb-server) or set ` +
        `BELLOWS_TEST_MYSQL_URL to a superuser URL`,
    );
  }
  return { server, installDb };
}

/**
 * `mariadbd` settings of every test server: small and fast, since the data is thrown away
 * (durability settings off), and utf8mb4 throughout.
 */
export const THROWAWAY_SERVER_ARGS: readonly string[] = [
  "--innodb-buffer-pool-size=32M",
  "--innodb-log-file-size=16M",
  "--innodb-flush-log-at-trx-commit=0",
  "--innodb-doublewrite=0",
  "--performance-schema=OFF",
  "--max-connections=100",
  "--character-set-server=utf8mb4",
  "--collation-server=utf8mb4_general_ci",
];

/** A free TCP port on 127.0.0.1 (free when asked; a caller retries if it is taken since). */
export function freePort(): number {
  // Below the kernel's ephemeral range (32768-60999 on Linux): a port handed out by
  // `port: 0` comes from that range, where any outgoing connection of a test running in
  // parallel may take it before the server binds it ("Address already in use").
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch {
      // taken: try another
    }
  }
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function check(out: Deno.CommandOutput, what: string): void {
  if (!out.success) {
    const d = new TextDecoder();
    throw new Error(`${what} failed: ${d.decode(out.stderr)}${d.decode(out.stdout)}`.trim());
  }
}

/**
 * Create a data directory's system tables with `mariadb-install-db` (root logs in over the
 * socket without a password), as OS user `asUser` when given.
 */
export async function installDataDir(
  installDb: string,
  data: string,
  tmp: string,
  asUser?: string,
): Promise<void> {
  check(
    await new Deno.Command(installDb, {
      args: [
        "--no-defaults",
        ...(asUser ? [`--user=${asUser}`] : []),
        `--datadir=${data}`,
        `--tmpdir=${tmp}`,
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output(),
    "mariadb-install-db",
  );
}

/** The uid and gid of OS user `name` (mariadbd runs as `mysql` when the tests run as root). */
export function osUserIds(name: string): { uid: number; gid: number } {
  const id = (flag: string) => {
    const out = new Deno.Command("id", { args: [flag, name], stdout: "piped", stderr: "null" })
      .outputSync();
    if (!out.success) {
      throw new Error(`running as root but there is no \`${name}\` OS user to run mariadbd`);
    }
    return Number(new TextDecoder().decode(out.stdout).trim());
  };
  return { uid: id("-u"), gid: id("-g") };
}

function readLog(path: string): string {
  try {
    return Deno.readTextFileSync(path).slice(-2000);
  } catch {
    return "(no log)";
  }
}

async function writeCert(dir: string): Promise<{ cert: string; key: string }> {
  const probe = await new Deno.Command("openssl", { args: ["version"], stdout: "null" })
    .output()
    .catch(() => undefined);
  if (!probe?.success) {
    throw new Error("openssl is needed for the TLS test server (apt-get install openssl)");
  }
  const cert = `${dir}/server.crt`;
  const key = `${dir}/server.key`;
  check(
    await new Deno.Command("openssl", {
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
    }).output(),
    "openssl req",
  );
  // The server's OS user reads the key.
  await Deno.chmod(key, 0o644);
  return { cert, key };
}

async function startLocal(opts: ServerOptions): Promise<MysqlServer> {
  const bins = findServerBinaries();
  // mariadbd refuses to run as root unless told to; as root it runs as the mysql OS user.
  const asUser = Deno.uid() === 0 ? "mysql" : undefined;
  const ids = asUser ? osUserIds(asUser) : undefined;
  const dir = await Deno.makeTempDir({ prefix: "bellows-mysql-" });
  // makeTempDir gives 0700: the server's OS user must be able to traverse it.
  await Deno.chmod(dir, 0o755);
  const data = `${dir}/data`;
  const sockDir = `${dir}/sock`;
  const socket = `${sockDir}/mysqld.sock`;
  // Its own temporary directory: servers bootstrapping in parallel in the shared /tmp
  // collide on their temporary tables' file names.
  const tmp = `${dir}/tmp`;
  const log = `${dir}/server.log`;
  await Deno.mkdir(data, { mode: 0o700 });
  await Deno.mkdir(sockDir, { mode: 0o755 });
  await Deno.mkdir(tmp, { mode: 0o700 });
  if (ids) {
    for (const p of [data, sockDir, tmp]) await Deno.chown(p, ids.uid, ids.gid);
  }
  const userArgs = asUser ? [`--user=${asUser}`] : [];
  let certFile: string | undefined;
  const sslArgs: string[] = [];
  let child: Deno.ChildProcess | undefined;
  let stopped = false;
  const removeDir = () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone
    }
  };
  const killSync = () => {
    try {
      child?.kill("SIGKILL");
    } catch {
      // already exited
    }
  };
  try {
    await installDataDir(bins.installDb, data, tmp, asUser);

    if (opts.ssl) {
      const { cert, key } = await writeCert(dir);
      certFile = cert;
      sslArgs.push(`--ssl-cert=${cert}`, `--ssl-key=${key}`);
    }

    let port = 0;
    for (let attempt = 0;; attempt++) {
      port = freePort();
      child = new Deno.Command(bins.server, {
        args: [
          "--no-defaults",
          ...userArgs,
          `--datadir=${data}`,
          `--tmpdir=${tmp}`,
          `--socket=${socket}`,
          `--port=${port}`,
          "--bind-address=127.0.0.1",
          `--pid-file=${dir}/sock/mysqld.pid`,
          `--log-error=${log}`,
          "--skip-name-resolve",
          "--skip-log-bin",
          ...THROWAWAY_SERVER_ARGS,
          ...sslArgs,
        ],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      const ready = await waitReady(child, socket);
      if (ready) break;
      // Another process may have taken the port between probe and start.
      if (attempt >= 2) {
        throw new Error(`mariadbd did not start (log: ${readLog(log)})`);
      }
    }

    const superuserUrl = `mysql://${SUPERUSER}@127.0.0.1:${port}/`;
    await mysqlCli(
      superuserUrl,
      `CREATE USER '${PASSWORD_USER.name}'@'%' IDENTIFIED BY '${PASSWORD_USER.password}'; ` +
        `GRANT ALL PRIVILEGES ON *.* TO '${PASSWORD_USER.name}'@'%'; ` +
        `CREATE DATABASE ${DEFAULT_DB} CHARACTER SET utf8mb4`,
    );
    const stopSync = () => {
      if (stopped) return;
      stopped = true;
      globalThis.removeEventListener("unload", stopSync);
      killSync();
      removeDir();
    };
    // Safety net: a test file that forgets stop() must not leave a server behind.
    globalThis.addEventListener("unload", stopSync);
    const proc = child!;
    return {
      url: `mysql://${SUPERUSER}@127.0.0.1:${port}/${DEFAULT_DB}`,
      superuserUrl,
      socket,
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
        // Like pg_ctl -m immediate: the data is thrown away anyway.
        killSync();
        await proc.status;
        removeDir();
      },
    };
  } catch (e) {
    killSync();
    await child?.status.catch(() => {});
    removeDir();
    throw e;
  }
}

/**
 * Wait until the server accepts connections on its socket (true), or has exited (false).
 * Fails after 60 s.
 */
async function waitReady(child: Deno.ChildProcess, socket: string): Promise<boolean> {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) return false;
    if (exists(socket)) {
      try {
        const conn = await Deno.connect({ transport: "unix", path: socket });
        conn.close();
        return true;
      } catch {
        // not listening yet
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    child.kill("SIGKILL");
  } catch {
    // gone
  }
  throw new Error(`mariadbd did not accept connections on ${socket} within 60s`);
}
