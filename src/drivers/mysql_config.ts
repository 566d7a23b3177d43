/**
 * MySQL / MariaDB connection settings: parse a URL as operators have it in
 * `glance-api.conf` or `alembic.ini` (SQLAlchemy's `mysql+pymysql://...`) into one plain
 * {@linkcode MysqlConfig}, reading an option file (`read_default_file=~/.my.cnf`) the way
 * PyMySQL does.
 *
 * Pure apart from reading the option file, which goes through an injectable reader, so
 * every form is unit-tested without a server.
 *
 * Precedence, as in PyMySQL: what the URL says, then the option file's group, then
 * defaults. Where PyMySQL is silent or lenient in a way that would hide a mistake (an option
 * file that does not exist, a group it lacks, an unknown parameter), bellows refuses.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS } from "./pg_config.ts";
import { parsePort, scrub, splitDbUrl, type UrlSpec } from "./url.ts";

/** TLS settings (PyMySQL's `ssl_*` parameters). */
export interface MysqlTls {
  /** CA certificate file (PEM). */
  readonly ca?: string;
  /** Client certificate and key files (PEM). */
  readonly cert?: string;
  readonly key?: string;
  /** Verify the server's certificate chain (against `ca`, else the system roots). */
  readonly verifyCert: boolean;
  /** Also check that the certificate names the host dialled. */
  readonly verifyIdentity: boolean;
}

/** Resolved connection settings. */
export interface MysqlConfig {
  /** TCP host name or IP address; unset when connecting over a Unix socket. */
  readonly host?: string;
  /** The server's Unix socket file, when connecting over one. */
  readonly socket?: string;
  readonly port: number;
  readonly user: string;
  /** Never printed; see {@linkcode MysqlConfig.display}. */
  readonly password?: string;
  readonly database: string;
  /** Connection character set; `utf8mb4` unless the URL or option file says otherwise. */
  readonly charset: string;
  /** 0 = wait forever. */
  readonly connectTimeoutMs: number;
  /** TLS, when asked for; undefined = plain (as PyMySQL). Never used on a Unix socket. */
  readonly tls?: MysqlTls;
  /** The option file read, if any (for messages). */
  readonly optionFile?: string;
  /**
   * On Galera: the lease of the cluster-wide migration lock, ms (`lock_lease=<seconds>`,
   * default {@linkcode DEFAULT_LOCK_LEASE_MS}); see drivers/galera.ts.
   */
  readonly lockLeaseMs: number;
  /** The target, safe to print: URL form without the password. */
  readonly display: string;
}

/** What {@linkcode parseMysqlConfig} needs besides the URL. */
export interface MysqlConfigInput {
  /**
   * Read an option file (`read_default_file`); throws as Deno.readTextFileSync does.
   * Default: refuse, so pure callers never touch the file system by accident.
   */
  readonly readFile?: (path: string) => string;
  /** The home directory, for `~/` in `read_default_file`. */
  readonly homeDir?: () => string | undefined;
  /** The OS user name, the last fallback for the database user (as the mysql client). */
  readonly osUser?: () => string | undefined;
  /** Fallback connect timeout (below the URL's `connect_timeout`). */
  readonly connectTimeoutMs?: number;
}

/** The default lease of the Galera migration lock (`lock_lease`), ms. */
export const DEFAULT_LOCK_LEASE_MS = 30_000;

/** The default character set: full UTF-8 (MySQL's `utf8` is the 3-byte `utf8mb3`). */
export const DEFAULT_CHARSET = "utf8mb4";

/** PyMySQL's option file when `read_default_group` is given without `read_default_file`. */
export const DEFAULT_OPTION_FILE = "/etc/my.cnf";

/** URL parameters accepted (besides those ignored, {@linkcode IGNORED_PARAMS}). */
export const URL_PARAMS: readonly string[] = [
  "charset",
  "unix_socket",
  "connect_timeout",
  "ssl_ca",
  "ssl_cert",
  "ssl_key",
  "ssl_verify_cert",
  "ssl_verify_identity",
  "ssl_check_hostname",
  "read_default_file",
  "read_default_group",
  "lock_lease",
];

/**
 * Parameters SQLAlchemy or oslo.db consume themselves and that say nothing about the
 * connection (devstack writes `?charset=utf8&plugin=dbcounter`): accepted and ignored.
 */
export const IGNORED_PARAMS: readonly string[] = ["plugin", "use_unicode", "binary_prefix"];

const SCHEME = /^(mysql|mariadb)(?:\+([A-Za-z0-9_]+))?:\/\//i;
const SQLALCHEMY_DRIVERS = [
  "pymysql",
  "mysqldb",
  "mysqlconnector",
  "mariadbconnector",
  "aiomysql",
  "asyncmy",
  "cymysql",
];

/** Is this a URL {@linkcode parseMysqlConfig} accepts (by its scheme)? */
export function isMysqlUrl(url: string): boolean {
  return SCHEME.test(url);
}

function parseBool(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes", "on", "required"].includes(v)) return true;
  if (["0", "false", "no", "off", "none"].includes(v)) return false;
  throw new UsageError(`invalid ${name} "${value}" (expected true or false)`);
}

/** How MySQL URLs are written (SQLAlchemy's form). */
const MYSQL_URL: UrlSpec = {
  title: "MySQL",
  scheme: SCHEME,
  example: "mysql://user@host:port/db",
  driverAllowed: (_scheme, driver) => SQLALCHEMY_DRIVERS.includes(driver),
  driverForms: `${
    SQLALCHEMY_DRIVERS.map((d) => `mysql+${d}`).join(", ")
  }, and the same with mariadb+`,
  knownParams: [...URL_PARAMS, ...IGNORED_PARAMS],
  passwordParams: ["password", "passwd"],
  singlePathPart: true,
  uniqueParams: true,
};

/** One group of an option file: option names (`_` read as `-`) and values. */
export type OptionGroup = ReadonlyMap<string, string>;

/**
 * Parse a MySQL option file (`my.cnf`) into its groups, as PyMySQL's parser (configparser)
 * reads it: `[group]` headers, `name = value` or `name: value`, `#` and `;` comment lines,
 * options without a value, one pair of surrounding quotes removed. Names are lower-cased
 * and `_` is read as `-`, as the MySQL clients do. `!include` / `!includedir` are not
 * followed (PyMySQL does not either).
 */
export function parseOptionFile(text: string): Map<string, OptionGroup> {
  const groups = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";") || line.startsWith("!")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1].trim().toLowerCase();
      current = groups.get(name) ?? new Map();
      groups.set(name, current);
      continue;
    }
    if (!current) continue; // options before any group belong to none
    const sep = line.search(/[=:]/);
    const name = (sep < 0 ? line : line.slice(0, sep)).trim().toLowerCase().replaceAll("_", "-");
    let value = sep < 0 ? "" : line.slice(sep + 1).trim();
    if (value.length >= 2 && (value[0] === "'" || value[0] === '"') && value.at(-1) === value[0]) {
      value = value.slice(1, -1);
    }
    current.set(name, value);
  }
  return groups;
}

function expandHome(path: string, input: MysqlConfigInput): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const home = input.homeDir?.();
  if (!home) {
    throw new UsageError(`cannot expand "~" in read_default_file: no home directory`);
  }
  return home.replace(/\/+$/, "") + path.slice(1);
}

function readGroup(
  file: string,
  group: string,
  input: MysqlConfigInput,
  secrets: string[],
): OptionGroup {
  if (!input.readFile) throw new UsageError(`cannot read option file ${file} here`);
  let text: string;
  try {
    text = input.readFile(file);
  } catch (e) {
    if (e instanceof UsageError || !(e instanceof Error)) throw e;
    // Deno's NotCapable and friends are passed up: the caller knows the flag to name.
    if (e.name !== "NotFound" && e.name !== "PermissionDenied" && e.name !== "IsADirectory") {
      throw e;
    }
    const reason = e.name === "NotFound" ? "no such file" : e.message;
    throw new UsageError(`cannot read option file ${file} (read_default_file): ${reason}`);
  }
  const groups = parseOptionFile(text);
  // Scrub every password in the file from messages, whatever group it is in.
  for (const g of groups.values()) {
    const pw = g.get("password");
    if (pw) secrets.push(pw);
  }
  const found = groups.get(group.toLowerCase());
  if (!found) {
    throw new UsageError(
      `option file ${file} has no [${group}] group (read_default_group=${group})`,
    );
  }
  return found;
}

function displayOf(cfg: Omit<MysqlConfig, "display">): string {
  const user = encodeURIComponent(cfg.user);
  const db = encodeURIComponent(cfg.database);
  if (cfg.socket !== undefined) return `mysql://${user}@localhost/${db}?unix_socket=${cfg.socket}`;
  const host = cfg.host!.includes(":") ? `[${cfg.host}]` : cfg.host;
  return `mysql://${user}@${host}:${cfg.port}/${db}`;
}

/**
 * Parse `url` (plus an option file it names) into a {@linkcode MysqlConfig}.
 * Throws {@linkcode UsageError} naming what is wrong; never echoes a password.
 */
export function parseMysqlConfig(url: string, input: MysqlConfigInput = {}): MysqlConfig {
  const secrets: string[] = [];
  try {
    return parseConfig(url, input, secrets);
  } catch (e) {
    // A value echoed in the error (a port, a parameter) could be, or hold, the password.
    if (e instanceof UsageError && secrets.length > 0) {
      throw new UsageError(scrub(e.message, secrets));
    }
    throw e;
  }
}

function parseConfig(url: string, input: MysqlConfigInput, secrets: string[]): MysqlConfig {
  const parts = splitDbUrl(url, MYSQL_URL, secrets);
  const params = new Map(parts.params);
  const take = (name: string) => {
    const v = params.get(name);
    params.delete(name);
    return v === "" ? undefined : v;
  };
  for (const name of params.keys()) {
    if (!URL_PARAMS.includes(name) && !IGNORED_PARAMS.includes(name)) {
      throw new UsageError(
        `unsupported MySQL URL parameter "${name}" (accepted: ${URL_PARAMS.join(", ")})`,
      );
    }
  }

  let fileName = take("read_default_file");
  const groupName = take("read_default_group");
  if (groupName !== undefined && fileName === undefined) fileName = DEFAULT_OPTION_FILE;
  let optionFile: string | undefined;
  let opt: OptionGroup = new Map();
  if (fileName !== undefined) {
    optionFile = expandHome(fileName, input);
    opt = readGroup(optionFile, groupName ?? "client", input, secrets);
  }
  // PyMySQL: a value in the URL wins; the option file fills what the URL leaves empty.
  const fromFile = (name: string) => {
    const v = opt.get(name);
    return v === "" ? undefined : v;
  };

  const password = parts.password || fromFile("password");
  const user = parts.user || fromFile("user") || input.osUser?.();
  if (!user) {
    throw new UsageError(
      "no database user: put one in the URL (mysql://user@host/db) or in the option file",
    );
  }
  const database = parts.database || fromFile("database");
  if (!database) {
    throw new UsageError(
      "no database: put one in the URL (mysql://user@host/db) or in the option file " +
        "(database=...)",
    );
  }
  const socket = take("unix_socket") ?? fromFile("socket");
  let host = parts.host || fromFile("host");
  const portText = parts.port || fromFile("port");
  const port = portText !== undefined && portText !== ""
    ? parsePort(portText, parts.port ? "the URL" : `option file ${optionFile}`)
    : 3306;

  const charset = take("charset") ?? fromFile("default-character-set") ?? DEFAULT_CHARSET;
  if (!/^[A-Za-z0-9_]+$/.test(charset)) {
    throw new UsageError(`invalid charset "${charset}"`);
  }

  let connectTimeoutMs = input.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const ct = take("connect_timeout");
  if (ct !== undefined) {
    if (!/^\d+$/.test(ct.trim()) || Number(ct) < 1) {
      throw new UsageError(`invalid connect_timeout "${ct}" (expected whole seconds, >= 1)`);
    }
    connectTimeoutMs = Number(ct) * 1000;
  }

  let lockLeaseMs = DEFAULT_LOCK_LEASE_MS;
  const lease = take("lock_lease");
  if (lease !== undefined) {
    // Below 2 s a renewal every lease/6 would be a busy loop over the network.
    if (!/^\d+$/.test(lease.trim()) || Number(lease) < 2 || Number(lease) > 86_400) {
      throw new UsageError(
        `invalid lock_lease "${lease}" (expected whole seconds, 2 to 86400)`,
      );
    }
    lockLeaseMs = Number(lease) * 1000;
  }

  const ca = take("ssl_ca") ?? fromFile("ssl-ca");
  const cert = take("ssl_cert") ?? fromFile("ssl-cert");
  const key = take("ssl_key") ?? fromFile("ssl-key");
  const verifyCertText = take("ssl_verify_cert");
  const identityParam = params.has("ssl_verify_identity") ? "ssl_verify_identity" : undefined;
  const identityText = take("ssl_verify_identity") ?? take("ssl_check_hostname");
  const verifyCert = verifyCertText !== undefined
    ? parseBool(verifyCertText, "ssl_verify_cert")
    : undefined;
  const verifyIdentity = identityText !== undefined
    ? parseBool(identityText, identityParam ?? "ssl_check_hostname")
    : undefined;
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError("ssl_cert and ssl_key go together: give both or neither");
  }
  let tls: MysqlTls | undefined;
  if (ca || cert || key || verifyCert || verifyIdentity) {
    // As SQLAlchemy's ssl_ca: a CA given means verify the chain and the host name, unless
    // switched off explicitly.
    const vc = verifyCert ?? ca !== undefined;
    const vi = verifyIdentity ?? (vc && ca !== undefined);
    if (vi && !vc) {
      throw new UsageError(
        "ssl_verify_identity needs ssl_verify_cert: a host name in an unverified " +
          "certificate proves nothing",
      );
    }
    tls = { ca, cert, key, verifyCert: vc, verifyIdentity: vi };
  }

  if (socket !== undefined) {
    if (!socket.startsWith("/")) {
      throw new UsageError(`unix_socket must be an absolute path, not "${socket}"`);
    }
    if (tls) {
      throw new UsageError(
        "TLS parameters were given for a Unix-socket connection (unix_socket), which " +
          "never uses TLS: drop one or the other",
      );
    }
    host = undefined;
  } else if (host === undefined) {
    // PyMySQL's default: TCP to localhost (not the socket, unlike libmysqlclient).
    host = "localhost";
  }

  const cfg = {
    host,
    socket,
    port,
    user,
    password,
    database,
    charset,
    connectTimeoutMs,
    tls,
    optionFile,
    lockLeaseMs,
  };
  return { ...cfg, display: displayOf(cfg) };
}
