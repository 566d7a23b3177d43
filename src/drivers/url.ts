/**
 * Splitting a server database URL (`scheme[+driver]://user:password@host:port/db?k=v`) the
 * way libpq and SQLAlchemy read them, shared by the PostgreSQL and MySQL drivers, with the
 * same refusals for both: a password that was not percent-encoded is refused without
 * echoing any of it, and every password met is recorded so that later messages can be
 * scrubbed of it. Every refusal is a {@linkcode UsageError} (exit 2: fix the invocation).
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** How one dialect's URLs are written. */
export interface UrlSpec {
  /** For messages: `PostgreSQL`, `MySQL`. */
  readonly title: string;
  /** Matches the scheme with `://`; group 1 the scheme, group 2 the `+driver` suffix. */
  readonly scheme: RegExp;
  /** How a URL is written, for the "not a ... URL" message. */
  readonly example: string;
  /** Whether a `+driver` suffix is one SQLAlchemy knows for this scheme. */
  driverAllowed(scheme: string, driver: string): boolean;
  /** The SQLAlchemy forms accepted, for the refusal of another `+driver`. */
  readonly driverForms: string;
  /** Query parameter names this dialect knows (lowercase): what may follow `password=`. */
  readonly knownParams: readonly string[];
  /** Query parameters that carry a password. */
  readonly passwordParams: readonly string[];
  /** The path names one database: a second `/` in it is refused (MySQL). */
  readonly singlePathPart: boolean;
  /** A query parameter given twice is refused (MySQL); else the last one wins. */
  readonly uniqueParams: boolean;
}

/** The parts of a URL, decoded; the port as written. */
export interface UrlParts {
  user?: string;
  password?: string;
  host?: string;
  port?: string;
  database?: string;
  params: Map<string, string>;
}

/**
 * Replace every occurrence of each secret (raw and percent-encoded) in `text` with `***`.
 * Used on every message that might echo a URL or a server's words.
 */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join("***");
  }
  return out;
}

/** A TCP port number (1-65535); `where` says where it was written, for the message. */
export function parsePort(value: string, where: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) {
    throw new UsageError(`invalid port "${value}" in ${where}`);
  }
  return n;
}

/**
 * Split `url` by `spec` (no WHATWG URL: its host rules differ from libpq's). Every
 * password met is pushed to `secrets` as soon as it is read, so that an error about a
 * later part can be scrubbed of it.
 */
export function splitDbUrl(url: string, spec: UrlSpec, secrets: string[]): UrlParts {
  const title = spec.title;
  const decode = (part: string, what: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new UsageError(`invalid percent-encoding in the ${what} of the ${title} URL`);
    }
  };
  const m = spec.scheme.exec(url);
  if (!m) {
    // Echo only the scheme: the rest may hold a password.
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url)?.[0] ?? "(none)";
    throw new UsageError(`not a ${title} URL: scheme ${scheme} (expected ${spec.example})`);
  }
  if (m[2] !== undefined && !spec.driverAllowed(m[1].toLowerCase(), m[2].toLowerCase())) {
    throw new UsageError(
      `unsupported URL scheme "${m[1]}+${m[2]}" (SQLAlchemy forms accepted: ${spec.driverForms})`,
    );
  }
  let rest = url.slice(m[0].length);
  // The host part ends at the first '/', '?' or '#'. An '@' after it means a password
  // holding one of those was not percent-encoded (`u:P@ss:w/@h`, `u:Se/cret@h`): parsed as
  // written, a piece of the password would become the host, port or database and be
  // echoed. Refuse, echoing none, whether or not the host part has an '@' of its own.
  const hostEnd = rest.search(/[/?#]/);
  if (hostEnd >= 0 && rest.slice(hostEnd).includes("@")) {
    throw new UsageError(
      `the ${title} URL has an '@' after its host part: percent-encode '@', '/', '?' and ` +
        `'#' in a password (%40, %2F, %3F, %23), and write an '@' in a database name or ` +
        `parameter as %40`,
    );
  }
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf("?");
  const query = q >= 0 ? rest.slice(q + 1) : "";
  if (q >= 0) rest = rest.slice(0, q);
  const slash = rest.indexOf("/");
  let authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash + 1) : "";
  const parts: UrlParts = { params: new Map() };

  const at = authority.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(":");
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (user) parts.user = decode(user, "user name");
    if (colon >= 0) {
      secrets.push(userinfo.slice(colon + 1));
      parts.password = decode(userinfo.slice(colon + 1), "password");
      secrets.push(parts.password);
    }
  }
  if (authority.includes(",")) {
    throw new UsageError(`multiple hosts in one ${title} URL are not supported`);
  }
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) throw new UsageError(`unterminated [IPv6] host in the ${title} URL`);
    parts.host = authority.slice(1, close);
    const after = authority.slice(close + 1);
    if (after.startsWith(":")) parts.port = after.slice(1);
    else if (after) throw new UsageError("unexpected text after the [IPv6] host in the URL");
  } else if (authority) {
    const colon = authority.lastIndexOf(":");
    const host = colon >= 0 ? authority.slice(0, colon) : authority;
    if (colon >= 0) parts.port = authority.slice(colon + 1);
    if (host) parts.host = decode(host, "host");
  }
  if (spec.singlePathPart && path.includes("/")) {
    throw new UsageError(
      `the ${title} URL's path has more than one part: it names one database (write a '/' ` +
        `in a database name as %2F)`,
    );
  }
  if (path) parts.database = decode(path, "database name");
  if (query) {
    let afterPassword = false;
    for (const pair of query.split("&")) {
      if (!pair) continue;
      const eq = pair.indexOf("=");
      const name = eq < 0 ? "" : decode(pair.slice(0, eq), "query");
      // Right after a password parameter, a pair that is not a known name=value is most
      // likely the rest of a password holding a raw '&': refuse, echoing none of it.
      if (afterPassword && (eq < 0 || !spec.knownParams.includes(name.toLowerCase()))) {
        throw new UsageError(
          `the ${title} URL parameter after "${
            spec.passwordParams.join('" or "')
          }" is not a known name=value: percent-encode '&' in a password as %26`,
        );
      }
      if (eq < 0) {
        throw new UsageError(
          `URL parameter "${decode(pair, "query")}" has no value (expected name=value)`,
        );
      }
      const value = decode(pair.slice(eq + 1), "query");
      afterPassword = spec.passwordParams.includes(name);
      if (afterPassword) secrets.push(pair.slice(eq + 1), value);
      if (spec.uniqueParams && parts.params.has(name)) {
        throw new UsageError(`URL parameter "${name}" is given twice`);
      }
      parts.params.set(name, value);
    }
  }
  if (parts.port !== undefined && parts.password !== undefined && !/^\d*$/.test(parts.port)) {
    // Not a number where a port goes, in a URL with a password: likely a piece of a
    // password holding a raw '@' that ended the user part early. Say so, echoing none.
    throw new UsageError(
      `invalid port in the ${title} URL (not a number): percent-encode '@', '/', '?' and ` +
        `'#' in a password (%40, %2F, %3F, %23)`,
    );
  }
  return parts;
}
