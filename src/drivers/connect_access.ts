/**
 * What both server drivers check before they connect: the Deno permissions the
 * connection needs (named as flags when missing, before the client library tries and
 * fails somewhere it cannot be reported), and the reading of TLS files.
 *
 * @module
 */
import { ConnectionError, isPermissionError, PermissionError } from "../errors.ts";

/** Where a connection goes: a Unix socket path, or a TCP host and port. */
export interface ConnectTarget {
  readonly socket?: string;
  readonly host?: string;
  readonly port: number;
  /** The target without its password, for messages. */
  readonly display: string;
}

function granted(desc: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(desc).state === "granted";
  } catch {
    return false;
  }
}

/** Throw a PermissionError naming every flag the connection to `t` still needs. */
export function checkConnectPermissions(t: ConnectTarget): void {
  const missing: string[] = [];
  if (t.socket !== undefined) {
    const path = t.socket;
    if (!granted({ name: "read", path })) missing.push(`--allow-read=${path}`);
    if (!granted({ name: "write", path })) missing.push(`--allow-write=${path}`);
    if (!granted({ name: "net", host: `unix:${path}` })) missing.push(`--allow-net=unix:${path}`);
  } else {
    const host = t.host!.includes(":") ? `[${t.host}]` : t.host;
    if (!granted({ name: "net", host: `${host}:${t.port}` })) {
      missing.push(`--allow-net=${host}:${t.port}`);
    }
  }
  if (missing.length > 0) {
    throw new PermissionError(
      `connecting to ${t.display} needs Deno permission ${missing.join(" ")}`,
    );
  }
}

/** Read a file the connection needs (a TLS certificate or key), for `display`'s target. */
export function readFileFor(what: string, path: string, display: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (isPermissionError(e)) {
      throw new PermissionError(`reading ${what} ${path} needs --allow-read=${path}`);
    }
    const reason = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new ConnectionError(`cannot read ${what} ${path} for ${display}: ${reason}`);
  }
}
