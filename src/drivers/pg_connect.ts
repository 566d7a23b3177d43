/**
 * PostgreSQL connection policy, apart from the driver: which Deno permissions a
 * connection needs, TLS as libpq's `sslmode` means it, the `PG*` environment, the
 * options of our wire client (pg_wire.ts), and the one-line messages for a connection
 * that fails. The pattern for the next driver: its
 * `<name>_connect.ts` beside `<name>.ts`.
 *
 * @module
 */
import os from "node:os";
import tls from "node:tls";
import { ConnectionError, isPermissionError, PermissionError } from "../errors.ts";
import type { DriverOptions } from "./options.ts";
import { checkConnectPermissions, readFileFor } from "./connect_access.ts";
import { type PgConfig, type PgEnvVar, scrub, socketPath, type SslMode } from "./pg_config.ts";
import { type PgFields, PgServerError, type WireOptions, type WireSsl } from "./pg_wire.ts";

/** The client's `ssl` option: off, string modes without verification, or Node TLS options. */
export type SslOption = WireSsl;

/** Read `PG*` variables from `opts.env`, else Deno.env; unreadable (no --allow-env) = unset. */
export function envReader(env: DriverOptions["env"]): (name: PgEnvVar) => string | undefined {
  if (env) return (name) => env[name];
  return (name) => {
    try {
      return Deno.env.get(name);
    } catch (e) {
      if (isPermissionError(e)) return undefined;
      throw e;
    }
  };
}

export function socketExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    // Missing or unreadable: either way not usable as the default.
    return false;
  }
}

export function osUser(): string | undefined {
  try {
    return os.userInfo().username;
  } catch (e) {
    if (isPermissionError(e)) {
      throw new PermissionError(
        "no database user in the URL or PGUSER, and reading the OS user name needs " +
          "--allow-sys=uid,gid,userInfo",
      );
    }
    return undefined;
  }
}

/**
 * Check the Deno permissions the connection needs before connecting, so that a refusal
 * is reported with the flag it needs rather than as a socket error.
 */
export function checkPermissions(cfg: PgConfig): void {
  checkConnectPermissions({
    socket: cfg.socketDir !== undefined ? socketPath(cfg.socketDir, cfg.port) : undefined,
    host: cfg.host,
    port: cfg.port,
    display: cfg.display,
  });
}

/** Map libpq's sslmode onto the client's `ssl` option (Node TLS options for verification). */
export function sslOption(cfg: PgConfig, mode: SslMode = cfg.sslMode): SslOption {
  // libpq never uses TLS on a Unix socket.
  if (cfg.socketDir !== undefined || mode === "disable" || mode === "allow") return false;
  const clientCert: tls.ConnectionOptions = {};
  if (cfg.sslCert) clientCert.cert = readFileFor("sslcert", cfg.sslCert, cfg.display);
  if (cfg.sslKey) clientCert.key = readFileFor("sslkey", cfg.sslKey, cfg.display);
  const ca = cfg.sslRootCert && cfg.sslRootCert !== "system"
    ? { ca: readFileFor("sslrootcert", cfg.sslRootCert, cfg.display) }
    : {};
  // libpq: `require` with a root certificate given verifies the chain, like verify-ca.
  const effective = mode === "require" && "ca" in ca ? "verify-ca" : mode;
  const hasClientCert = Object.keys(clientCert).length > 0;
  switch (effective) {
    case "prefer":
    case "require":
      // The string forms skip verification but cannot carry a client cert; with one,
      // `prefer` has to insist on TLS too.
      return hasClientCert ? { rejectUnauthorized: false, ...clientCert } : effective;
    case "verify-ca":
      // Chain only: libpq's verify-ca does not check the host name.
      return {
        rejectUnauthorized: true,
        ...ca,
        ...clientCert,
        checkServerIdentity: () => undefined,
      };
    default:
      // verify-full. No servername goes out for an IP host, and Node would then check
      // against "localhost"; check against the host we dialled instead.
      return {
        rejectUnauthorized: true,
        ...ca,
        ...clientCert,
        checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => {
          const err = tls.checkServerIdentity(cfg.host!, cert);
          // Node's wording omits DNS names when checking an IP; say what the cert names.
          if (err) err.message = `it is for ${cert.subjectaltname || `CN=${cert.subject?.CN}`}`;
          return err;
        },
      };
  }
}

/** The fields of a server error (or notice) that bellows reads. */
export type PgErrorLike = PgFields;

/** Is this an error the server sent (not a client-side or network failure)? */
export function isPgServerError(e: unknown): e is PgServerError {
  return e instanceof PgServerError;
}

const TLS_TRUST_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);

/** Why a connection attempt failed, in a few words (password-free once scrubbed). */
function describeConnectFailure(e: unknown, cfg: PgConfig, sslMode: SslMode): string {
  if (isPgServerError(e)) return `${e.message} (SQLSTATE ${e.code})`;
  const err = e as Error & { code?: string };
  const code = err?.code ?? "";
  const target = cfg.socketDir !== undefined
    ? socketPath(cfg.socketDir, cfg.port)
    : `${cfg.host}:${cfg.port}`;
  if (code === "ECONNREFUSED") return `connection refused at ${target}`;
  if (code === "ENOENT" && cfg.socketDir !== undefined) return `no server socket at ${target}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
    return `unknown host "${cfg.host}"`;
  }
  if (code === "CONNECT_TIMEOUT") {
    return `no answer within ${cfg.connectTimeoutMs / 1000}s (connect_timeout)`;
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return `${target} is unreachable`;
  if (TLS_TRUST_CODES.has(code)) {
    return `server certificate not trusted (${err.message}; sslmode=${sslMode}): give its ` +
      `CA with sslrootcert=<file>, or use sslmode=require to skip verification`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return `server certificate does not match host "${cfg.host}" (sslmode=${sslMode}; ` +
      `${err.message})`;
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return `server certificate is not valid now (${err.message})`;
  }
  if (code === "SSL_REFUSED") {
    return `the server does not accept TLS (sslmode=${sslMode}): it runs with ssl=off`;
  }
  if (code === "CONNECTION_CLOSED" || code === "ECONNRESET") {
    return `the server closed the connection during start-up` +
      (sslMode === "require" || sslMode.startsWith("verify")
        ? ` (sslmode=${sslMode}: does the server have ssl=on?)`
        : "");
  }
  return err?.message ?? String(e);
}

/** A failed connection attempt as one password-free ConnectionError / PermissionError. */
export function toConnectError(e: unknown, cfg: PgConfig, sslMode: SslMode): Error {
  if (e instanceof ConnectionError || e instanceof PermissionError) return e;
  // Scrub the whole line: even the display may echo a password (as a database name, say).
  const safe = (text: string) => scrub(text.split("\n")[0], [cfg.password]);
  if (isPermissionError(e)) {
    return new PermissionError(safe(`connecting to ${cfg.display}: ${(e as Error).message}`));
  }
  // The cause is left off: a raw client error is not ours to vouch for as password-free.
  return new ConnectionError(
    safe(`cannot connect to ${cfg.display}: ${describeConnectFailure(e, cfg, sslMode)}`),
  );
}

/** The wire client's options for `cfg`: every field explicit, nothing from the environment. */
export function clientOptions(
  cfg: PgConfig,
  ssl: SslOption,
  hooks: { onNotice: (n: PgErrorLike) => void; onClose: () => void },
): WireOptions {
  return {
    host: cfg.host,
    port: cfg.port,
    path: cfg.socketDir !== undefined ? socketPath(cfg.socketDir, cfg.port) : undefined,
    user: cfg.user,
    database: cfg.database,
    password: () => cfg.password ?? "",
    ssl,
    connectTimeoutMs: cfg.connectTimeoutMs,
    keepAliveS: 60,
    params: { ...cfg.serverSettings, application_name: cfg.applicationName },
    onNotice: hooks.onNotice,
    onClose: hooks.onClose,
  };
}
