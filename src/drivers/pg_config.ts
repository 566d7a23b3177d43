/**
 * PostgreSQL connection settings: parse a URL plus `PG*` environment variables the
 * way libpq does, into one plain {@linkcode PgConfig}.
 *
 * Pure: the environment, the OS user name and the socket-existence test are passed
 * in, so every form is unit-tested without a server: the libpq forms operators use
 * (`?host=/socket/dir`, `PGSSLMODE`, `sslmode=verify-ca`, SQLAlchemy
 * `postgresql+psycopg2://`) are all parsed here, and the wire client (pg_wire.ts) gets
 * only explicit options.
 *
 * Precedence, as in libpq: URL query parameters, then the URL's own parts, then
 * `PG*` variables, then defaults.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { parsePort, scrub, splitDbUrl, type UrlSpec } from "./url.ts";

export { scrub };

/** libpq's `sslmode` values. */
export type SslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";

const SSL_MODES: readonly SslMode[] = [
  "disable",
  "allow",
  "prefer",
  "require",
  "verify-ca",
  "verify-full",
];

/** The environment variables bellows reads (and the only ones it asks Deno for). */
export const PG_ENV_VARS = [
  "PGHOST",
  "PGPORT",
  "PGUSER",
  "PGPASSWORD",
  "PGDATABASE",
  "PGAPPNAME",
  "PGCONNECT_TIMEOUT",
  "PGSSLMODE",
  "PGSSLROOTCERT",
  "PGSSLCERT",
  "PGSSLKEY",
  "PGOPTIONS",
  "PGTARGETSESSIONATTRS",
] as const;

/** One of {@linkcode PG_ENV_VARS}. */
export type PgEnvVar = typeof PG_ENV_VARS[number];

/** Where libpq looks for the server's socket when no host is given (Debian's first). */
export const DEFAULT_SOCKET_DIRS: readonly string[] = ["/var/run/postgresql", "/tmp"];

/** Used when neither URL, `PGCONNECT_TIMEOUT` nor the caller sets one. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Server settings a URL may carry as plain query parameters (sent in the startup packet). */
export const ALLOWED_SERVER_SETTINGS: readonly string[] = [
  "search_path",
  "timezone",
  "work_mem",
  "maintenance_work_mem",
  "idle_in_transaction_session_timeout",
];

/** Every parameter a URL may carry, connection parameters and server settings. */
const KNOWN_PARAMS: readonly string[] = [
  "host",
  "port",
  "user",
  "password",
  "dbname",
  "application_name",
  "fallback_application_name",
  "connect_timeout",
  "sslmode",
  "sslrootcert",
  "sslcert",
  "sslkey",
  "target_session_attrs",
  "options",
  ...ALLOWED_SERVER_SETTINGS,
];

const TARGET_SESSION_ATTRS = ["any", "read-write", "read-only", "primary", "standby"];

/** Resolved connection settings. */
export interface PgConfig {
  /** TCP host name or IP address; unset when connecting over a Unix socket. */
  readonly host?: string;
  /** Directory holding the server's Unix socket, when connecting over one. */
  readonly socketDir?: string;
  readonly port: number;
  readonly user: string;
  /** Never printed; see {@linkcode PgConfig.display}. */
  readonly password?: string;
  readonly database: string;
  readonly applicationName: string;
  /** 0 = wait forever. */
  readonly connectTimeoutMs: number;
  /** Ignored for Unix sockets (libpq never uses TLS there). */
  readonly sslMode: SslMode;
  /** CA file, or `system` for the platform's trusted roots. */
  readonly sslRootCert?: string;
  /** Client certificate and key files. */
  readonly sslCert?: string;
  readonly sslKey?: string;
  readonly targetSessionAttrs?: string;
  /** Server settings sent at connection start (from `options=-c ...` and allowed parameters). */
  readonly serverSettings: Readonly<Record<string, string>>;
  /** The target, safe to print: URL form without the password. */
  readonly display: string;
}

/** What {@linkcode parsePgConfig} needs besides the URL. */
export interface PgConfigInput {
  /** Environment lookup (only {@linkcode PG_ENV_VARS} are asked for). */
  readonly env?: (name: PgEnvVar) => string | undefined;
  /** Fallback `application_name` (below the URL and `PGAPPNAME`); default `bellows`. */
  readonly applicationName?: string;
  /** Fallback connect timeout (below the URL and `PGCONNECT_TIMEOUT`). */
  readonly connectTimeoutMs?: number;
  /** Does this socket file exist? Used to pick a default socket when no host is given. */
  readonly socketExists?: (path: string) => boolean;
  /** The OS user name, the last fallback for the database user (as in libpq). */
  readonly osUser?: () => string | undefined;
}

const SCHEME = /^(postgres|postgresql)(?:\+([A-Za-z0-9_]+))?:\/\//i;
const SQLALCHEMY_DRIVERS = ["psycopg2", "psycopg", "psycopg2cffi", "asyncpg", "pg8000"];

/** Is this a URL {@linkcode parsePgConfig} accepts (by its scheme)? */
export function isPostgresUrl(url: string): boolean {
  return SCHEME.test(url);
}

/** The path of the socket file for `port` in socket directory `dir`. */
export function socketPath(dir: string, port: number): string {
  return `${dir.replace(/\/+$/, "")}/.s.PGSQL.${port}`;
}

/** Parse libpq's `options` value (`-c name=value --name=value`, backslash escapes). */
export function parseOptionsParam(value: string, where = "options"): Record<string, string> {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === "\\" && i + 1 < value.length) {
      cur += value[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  const out: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    let setting: string;
    if (words[i] === "-c") {
      if (i + 1 >= words.length) throw new UsageError(`${where}: "-c" without a setting`);
      setting = words[++i];
    } else if (words[i].startsWith("-c")) setting = words[i].slice(2);
    else if (words[i].startsWith("--")) setting = words[i].slice(2);
    else {
      throw new UsageError(
        `${where}: unsupported word "${words[i]}" (only -c name=value is supported)`,
      );
    }
    const eq = setting.indexOf("=");
    const name = eq < 0 ? "" : setting.slice(0, eq).replace(/-/g, "_");
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
      throw new UsageError(`${where}: "${setting}" is not name=value`);
    }
    out[name] = setting.slice(eq + 1);
  }
  return out;
}

/** How PostgreSQL URLs are written (libpq's form, plus SQLAlchemy's `+driver`). */
const PG_URL: UrlSpec = {
  title: "PostgreSQL",
  scheme: SCHEME,
  example: "postgresql://user@host:port/db",
  driverAllowed: (scheme, driver) => scheme === "postgresql" && SQLALCHEMY_DRIVERS.includes(driver),
  driverForms: SQLALCHEMY_DRIVERS.map((d) => `postgresql+${d}`).join(", "),
  knownParams: KNOWN_PARAMS,
  passwordParams: ["password"],
  singlePathPart: false,
  uniqueParams: false,
};

function isSocketDir(host: string): boolean {
  return host.startsWith("/");
}

function displayOf(cfg: Omit<PgConfig, "display">): string {
  const user = encodeURIComponent(cfg.user);
  const db = encodeURIComponent(cfg.database);
  if (cfg.socketDir !== undefined) {
    const port = cfg.port === 5432 ? "" : `&port=${cfg.port}`;
    return `postgresql://${user}@/${db}?host=${cfg.socketDir}${port}`;
  }
  const host = cfg.host!.includes(":") ? `[${cfg.host}]` : cfg.host;
  return `postgresql://${user}@${host}:${cfg.port}/${db}`;
}

/**
 * Parse `url` (plus environment) into a {@linkcode PgConfig}.
 * Throws {@linkcode UsageError} naming what is wrong; never echoes a password.
 */
export function parsePgConfig(url: string, input: PgConfigInput = {}): PgConfig {
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

function parseConfig(url: string, input: PgConfigInput, secrets: string[]): PgConfig {
  const env = (name: PgEnvVar) => {
    const v = input.env?.(name);
    return v === "" ? undefined : v;
  };
  const envPassword = env("PGPASSWORD");
  if (envPassword !== undefined) secrets.push(envPassword);
  const parts = splitDbUrl(url, PG_URL, secrets);
  const params = new Map(parts.params);
  const take = (name: string) => {
    const v = params.get(name);
    params.delete(name);
    return v;
  };

  let host = take("host") ?? parts.host ?? env("PGHOST");
  const portText = take("port") ?? parts.port;
  const envPort = env("PGPORT");
  const port = portText !== undefined && portText !== ""
    ? parsePort(portText, "the URL")
    : envPort !== undefined
    ? parsePort(envPort, "PGPORT")
    : 5432;
  const password = take("password") ?? parts.password ?? env("PGPASSWORD");
  let user = take("user") ?? parts.user ?? env("PGUSER");
  const database = take("dbname") ?? parts.database ?? env("PGDATABASE");

  const appName = take("application_name") ?? env("PGAPPNAME") ??
    take("fallback_application_name") ?? input.applicationName ?? "bellows";
  params.delete("fallback_application_name");

  let connectTimeoutMs = input.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const ctParam = take("connect_timeout");
  const ctText = ctParam ?? env("PGCONNECT_TIMEOUT");
  if (ctText !== undefined) {
    const where = ctParam !== undefined ? "connect_timeout" : "PGCONNECT_TIMEOUT";
    if (!/^-?\d+$/.test(ctText.trim())) {
      throw new UsageError(`invalid ${where} "${ctText}" (expected whole seconds)`);
    }
    const s = Number(ctText.trim());
    // libpq: zero or negative waits forever; 1 is raised to 2.
    connectTimeoutMs = s <= 0 ? 0 : Math.max(s, 2) * 1000;
  }

  const sslParam = take("sslmode");
  const sslText = sslParam ?? env("PGSSLMODE") ?? "prefer";
  if (!SSL_MODES.includes(sslText as SslMode)) {
    throw new UsageError(
      `invalid sslmode "${sslText}"${sslParam === undefined ? " in PGSSLMODE" : ""} (expected ${
        SSL_MODES.join(", ")
      })`,
    );
  }
  let sslMode = sslText as SslMode;
  const sslRootCert = take("sslrootcert") ?? env("PGSSLROOTCERT");
  const sslCert = take("sslcert") ?? env("PGSSLCERT");
  const sslKey = take("sslkey") ?? env("PGSSLKEY");
  // libpq: sslrootcert=system implies verify-full unless a weaker mode is explicit.
  if (sslRootCert === "system" && sslParam === undefined && env("PGSSLMODE") === undefined) {
    sslMode = "verify-full";
  }

  const tsa = take("target_session_attrs") ?? env("PGTARGETSESSIONATTRS");
  if (tsa !== undefined && !TARGET_SESSION_ATTRS.includes(tsa)) {
    throw new UsageError(
      `invalid target_session_attrs "${tsa}" (expected ${TARGET_SESSION_ATTRS.join(", ")})`,
    );
  }

  const serverSettings: Record<string, string> = {};
  const envOptions = env("PGOPTIONS");
  if (envOptions !== undefined) {
    Object.assign(serverSettings, parseOptionsParam(envOptions, "PGOPTIONS"));
  }
  const options = take("options");
  if (options !== undefined) Object.assign(serverSettings, parseOptionsParam(options));
  for (const [name, value] of params) {
    const key = name.toLowerCase();
    if (!ALLOWED_SERVER_SETTINGS.includes(key)) {
      throw new UsageError(
        `unsupported PostgreSQL URL parameter "${name}" (connection parameters: host, port, ` +
          `user, password, dbname, sslmode, sslrootcert, sslcert, sslkey, application_name, ` +
          `connect_timeout, options, target_session_attrs; server settings: ${
            ALLOWED_SERVER_SETTINGS.join(", ")
          })`,
      );
    }
    serverSettings[key] = value;
  }

  let socketDir: string | undefined;
  if (host === undefined || host === "") {
    // libpq's default is the local socket; fall back to TCP localhost when none exists.
    socketDir = DEFAULT_SOCKET_DIRS.find((d) => input.socketExists?.(socketPath(d, port)));
    host = socketDir === undefined ? "localhost" : undefined;
  } else if (host.includes(",")) {
    throw new UsageError("multiple hosts are not supported");
  } else if (isSocketDir(host)) {
    socketDir = host;
    host = undefined;
  }

  if (user === undefined || user === "") {
    user = input.osUser?.();
    if (!user) {
      throw new UsageError(
        "no database user: put one in the URL (postgresql://user@host/db) or set PGUSER",
      );
    }
  }

  const cfg = {
    host,
    socketDir,
    port,
    user,
    password,
    database: database || user,
    applicationName: appName,
    connectTimeoutMs,
    sslMode,
    sslRootCert,
    sslCert,
    sslKey,
    targetSessionAttrs: tsa,
    serverSettings,
  };
  return { ...cfg, display: displayOf(cfg) };
}
