/**
 * A throwaway three-node MariaDB Galera cluster on this machine, for tests.
 *
 * `startGalera()` initialises one data directory per node (`mariadb-install-db`), starts
 * the first node with `--wsrep-new-cluster`, then the others one by one (each receives a
 * state transfer, `rsync`, from a running node), and waits until every node reports
 * `wsrep_cluster_size` = 3 and `Synced`. Everything listens on 127.0.0.1 only: the client
 * port (tests connect over each node's Unix socket), the group communication port
 * (`gcomm://` lists the three), the IST and the SST port. Debian's `galera-4` provides
 * the library (`wsrep_provider`); `rsync` must be installed (scripts/setup.sh).
 *
 * Nodes can be killed (`kill -9`), stopped cleanly, started again (they rejoin through
 * IST/SST), and cut off from the others (`gmcast.isolate`, which makes the node leave the
 * primary component without stopping it). `stop()` kills all nodes and removes the
 * directory. The superuser is `root` without a password, over each node's socket.
 *
 * @module
 */
import {
  findServerBinaries,
  freePort,
  installDataDir,
  mysqlCli,
  osUserIds,
  THROWAWAY_SERVER_ARGS,
} from "./mariadb_server.ts";

/** The Galera library, where Debian's galera-4 puts it. */
const PROVIDERS = ["/usr/lib/galera/libgalera_smm.so", "/usr/lib/libgalera_smm.so"];
const SUPERUSER = "root";
/** How long a node may take to join (state transfer included). */
const JOIN_TIMEOUT_MS = 90_000;

/** One node of a {@linkcode GaleraCluster}. */
export interface GaleraNode {
  /** 0-based position in the cluster. */
  readonly index: number;
  /** `wsrep_node_name`: node1, node2, node3. */
  readonly name: string;
  /** The node's Unix socket. */
  readonly socket: string;
  /** Client TCP port on 127.0.0.1. */
  readonly port: number;
  /** Group communication port (`gcomm://127.0.0.1:<port>`). */
  readonly gcommPort: number;
  /** The error log file. */
  readonly log: string;
  /** Is the server process running? */
  readonly running: boolean;
  /** The server process id (0 when not running). */
  readonly pid: number;
  /** Superuser URL over the socket to `db` (bellows' `--url`). */
  url(db: string): string;
}

/** A running test cluster; see the module docs. */
export interface GaleraCluster {
  readonly nodes: readonly GaleraNode[];
  /** The directory holding every node's files (removed by `stop()`). */
  readonly dir: string;
  /** Run SQL on node `i` through the `mariadb` client; tab-separated rows. */
  sql(i: number, sql: string, db?: string): Promise<string>;
  /** The node's `wsrep_%` status variables. */
  status(i: number): Promise<Record<string, string>>;
  /** Create a database (replicated to every node); returns its name. */
  createDatabase(prefix?: string): Promise<string>;
  /** `kill -9` node `i` and wait for the process to end. */
  kill(i: number): Promise<void>;
  /** Stop node `i` cleanly (SIGTERM) and wait for it. */
  stopNode(i: number): Promise<void>;
  /** Start a stopped or killed node again and wait until it is Synced. */
  startNode(i: number): Promise<void>;
  /** Cut node `i` off from the others (true) or let it rejoin (false). */
  isolate(i: number, on: boolean): Promise<void>;
  /** Wait until the running nodes form one primary component of `size`, all Synced. */
  waitSynced(size?: number, timeoutMs?: number): Promise<void>;
  /** Kill every node and remove the cluster's directory. Idempotent. */
  stop(): Promise<void>;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `wsrep_provider`: the Galera library, or a clear error. */
export function findProvider(): string {
  const p = PROVIDERS.find(exists);
  if (!p) {
    throw new Error(
      `the Galera library is missing (${PROVIDERS.join(", ")}): apt-get install galera-4`,
    );
  }
  return p;
}

function findRsync(): void {
  for (const dir of ["/usr/bin", "/bin", "/usr/local/bin"]) {
    if (exists(`${dir}/rsync`)) return;
  }
  throw new Error("rsync is missing (Galera's state transfer uses it): apt-get install rsync");
}

function readLog(path: string): string {
  try {
    return Deno.readTextFileSync(path).slice(-3000);
  } catch {
    return "(no log)";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface NodeState {
  index: number;
  name: string;
  dir: string;
  data: string;
  socket: string;
  log: string;
  port: number;
  gcommPort: number;
  istPort: number;
  sstPort: number;
  child?: Deno.ChildProcess;
  exited?: Promise<Deno.CommandStatus>;
}

/** Start a three-node cluster (see the module docs). */
export async function startGalera(size = 3): Promise<GaleraCluster> {
  const bins = findServerBinaries();
  const provider = findProvider();
  findRsync();
  const asUser = Deno.uid() === 0 ? "mysql" : undefined;
  const ids = asUser ? osUserIds(asUser) : undefined;
  const root = await Deno.makeTempDir({ prefix: "bellows-galera-" });
  // Every folder above a data directory must be traversable by the server's OS user.
  await Deno.chmod(root, 0o755);
  const used = new Set<number>();
  const port = () => {
    for (;;) {
      const p = freePort();
      if (!used.has(p)) {
        used.add(p);
        return p;
      }
    }
  };
  const nodes: NodeState[] = [];
  for (let i = 0; i < size; i++) {
    const dir = `${root}/node${i + 1}`;
    nodes.push({
      index: i,
      name: `node${i + 1}`,
      dir,
      data: `${dir}/data`,
      socket: `${dir}/mysqld.sock`,
      log: `${dir}/error.log`,
      port: port(),
      gcommPort: port(),
      istPort: port(),
      sstPort: port(),
    });
  }
  const gcomm = `gcomm://${nodes.map((n) => `127.0.0.1:${n.gcommPort}`).join(",")}`;
  let stopped = false;

  const serverArgs = (n: NodeState, bootstrap: boolean) => [
    "--no-defaults",
    ...(asUser ? [`--user=${asUser}`] : []),
    `--datadir=${n.data}`,
    `--tmpdir=${n.dir}/tmp`,
    `--socket=${n.socket}`,
    `--port=${n.port}`,
    "--bind-address=127.0.0.1",
    `--pid-file=${n.dir}/mysqld.pid`,
    `--log-error=${n.log}`,
    "--skip-name-resolve",
    ...THROWAWAY_SERVER_ARGS,
    // What Galera requires of the server.
    "--binlog-format=ROW",
    "--default-storage-engine=InnoDB",
    "--innodb-autoinc-lock-mode=2",
    "--wsrep-on=ON",
    `--wsrep-provider=${provider}`,
    `--wsrep-cluster-address=${gcomm}`,
    "--wsrep-cluster-name=bellows_test",
    `--wsrep-node-name=${n.name}`,
    `--wsrep-node-address=127.0.0.1:${n.gcommPort}`,
    `--wsrep-node-incoming-address=127.0.0.1:${n.port}`,
    `--wsrep-sst-receive-address=127.0.0.1:${n.sstPort}`,
    "--wsrep-sst-method=rsync",
    // Short failure detection, so that tests killing nodes do not wait long.
    `--wsrep-provider-options=${
      [
        `gmcast.listen_addr=tcp://127.0.0.1:${n.gcommPort}`,
        `ist.recv_addr=127.0.0.1:${n.istPort}`,
        "evs.suspect_timeout=PT3S",
        "evs.inactive_timeout=PT5S",
        "evs.inactive_check_period=PT0.5S",
        "evs.keepalive_period=PT0.5S",
        "gcache.size=64M",
      ].join(";")
    }`,
    ...(bootstrap ? ["--wsrep-new-cluster"] : []),
  ];

  const cli = (n: NodeState, sql: string, db = "") =>
    mysqlCli(
      `mysql://${SUPERUSER}@localhost/${db}?unix_socket=${encodeURIComponent(n.socket)}`,
      sql,
    );

  const statusOf = async (n: NodeState): Promise<Record<string, string>> => {
    const out = await cli(n, "SHOW GLOBAL STATUS LIKE 'wsrep%'");
    const r: Record<string, string> = {};
    for (const line of out.split("\n")) {
      const [k, v = ""] = line.split("\t");
      if (k) r[k.toLowerCase()] = v;
    }
    return r;
  };

  const spawn = (n: NodeState, bootstrap: boolean) => {
    n.child = new Deno.Command(bins.server, {
      args: serverArgs(n, bootstrap),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    n.exited = n.child.status;
    const child = n.child;
    n.exited.then(() => {
      if (n.child === child) n.child = undefined;
    });
  };

  /** Wait until `n` answers and is Synced in a primary component of `size`. */
  const waitNode = async (n: NodeState, want: number, timeoutMs = JOIN_TIMEOUT_MS) => {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      if (!n.child) throw new Error(`${n.name} exited while starting: ${readLog(n.log)}`);
      if (exists(n.socket)) {
        try {
          const s = await statusOf(n);
          last = `size ${s.wsrep_cluster_size}, ${s.wsrep_cluster_status}, ` +
            `${s.wsrep_local_state_comment}, ready ${s.wsrep_ready}`;
          if (
            Number(s.wsrep_cluster_size) === want && s.wsrep_cluster_status === "Primary" &&
            s.wsrep_local_state_comment === "Synced" && s.wsrep_ready === "ON"
          ) return;
        } catch (e) {
          last = (e as Error).message.split("\n")[0];
        }
      }
      await sleep(200);
    }
    throw new Error(`${n.name} not Synced in a cluster of ${want} (${last}): ${readLog(n.log)}`);
  };

  const killNode = async (n: NodeState) => {
    const child = n.child;
    if (!child) return;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    n.child = undefined;
  };

  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    globalThis.removeEventListener("unload", stopSync);
    for (const n of nodes) await killNode(n);
    try {
      Deno.removeSync(root, { recursive: true });
    } catch {
      // already gone
    }
  };
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    for (const n of nodes) {
      try {
        n.child?.kill("SIGKILL");
      } catch {
        // gone
      }
    }
    try {
      Deno.removeSync(root, { recursive: true });
    } catch {
      // gone
    }
  };
  // Safety net: a test file that forgets stop() must not leave servers behind.
  globalThis.addEventListener("unload", stopSync);

  const running = () => nodes.filter((n) => n.child !== undefined);
  const waitSynced = async (want = running().length, timeoutMs = JOIN_TIMEOUT_MS) => {
    for (const n of running()) await waitNode(n, want, timeoutMs);
  };

  try {
    for (const n of nodes) {
      await Deno.mkdir(`${n.dir}/tmp`, { recursive: true });
      await Deno.mkdir(n.data, { mode: 0o700 });
      await Deno.chmod(n.dir, 0o755);
      if (ids) {
        for (const p of [n.dir, n.data, `${n.dir}/tmp`]) await Deno.chown(p, ids.uid, ids.gid);
      }
    }
    // Only the first node needs system tables: the others receive everything by SST.
    const first = nodes[0];
    await installDataDir(bins.installDb, first.data, `${first.dir}/tmp`, asUser);
    spawn(first, true);
    await waitNode(first, 1);
    for (const n of nodes.slice(1)) {
      spawn(n, false);
      await waitNode(n, n.index + 1);
    }
    await waitSynced(size);
  } catch (e) {
    await stopAll();
    throw e;
  }

  const view = (n: NodeState): GaleraNode => ({
    index: n.index,
    name: n.name,
    socket: n.socket,
    port: n.port,
    gcommPort: n.gcommPort,
    log: n.log,
    get running() {
      return n.child !== undefined;
    },
    get pid() {
      return n.child?.pid ?? 0;
    },
    url: (db) => `mysql://${SUPERUSER}@localhost/${db}?unix_socket=${encodeURIComponent(n.socket)}`,
  });

  return {
    nodes: nodes.map(view),
    dir: root,
    sql: (i, sql, db) => cli(nodes[i], sql, db),
    status: (i) => statusOf(nodes[i]),
    createDatabase: async (prefix = "t") => {
      const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 40)}_${
        crypto.randomUUID().slice(0, 8)
      }`;
      const n = running()[0];
      await cli(n, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
      return name;
    },
    kill: (i) => killNode(nodes[i]),
    stopNode: async (i) => {
      const n = nodes[i];
      const child = n.child;
      if (!child) return;
      child.kill("SIGTERM");
      const done = await Promise.race([child.status.then(() => true), sleep(60_000)]);
      if (!done) await killNode(n);
      n.child = undefined;
    },
    startNode: async (i) => {
      const n = nodes[i];
      if (n.child) return;
      // A node killed mid-write may keep its socket file; the server replaces it.
      spawn(n, false);
      await waitNode(n, running().length);
    },
    isolate: async (i, on) => {
      await cli(nodes[i], `SET GLOBAL wsrep_provider_options = 'gmcast.isolate=${on ? 1 : 0}'`);
    },
    waitSynced,
    stop: stopAll,
  };
}
