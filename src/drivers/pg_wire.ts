/**
 * A PostgreSQL client of our own: version 3 of the frontend/backend protocol on one
 * connection, with what bellows needs and nothing else. Start-up over a Unix socket or
 * TCP (TLS through `node:tls` after an SSLRequest), password, MD5 and SCRAM-SHA-256
 * logins, simple queries, and the extended protocol (unnamed statement, text format) for
 * queries with parameters. Queries are pipelined: each is written at once and answered
 * in order.
 *
 * Why not postgres.js, which bellows used before: under Deno it spends about 0.1 ms of
 * client time on every query, more than the server spends on a small DDL statement, so
 * an upgrade of many small revisions took 1.4-1.6x as long as `psql -f` of the same SQL
 * (issue 12). This client spends a few microseconds, and it reports a FATAL error (a
 * terminated backend, a shutdown) with the server's own words.
 *
 * Results are decoded as postgres.js did with `fetch_types: false`: `int2`, `int4`,
 * `oid`, `float4`, `float8` as numbers, `bool` as booleans, `json`/`jsonb` parsed,
 * `date`/`timestamp`/`timestamptz` as Dates, `bytea` as bytes, anything else (`int8`,
 * `numeric`, arrays) as the server's text.
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import { Buffer } from "node:buffer";
import crypto from "node:crypto";

/** The TLS choice: off, postgres.js's string modes (no verification), or Node TLS options. */
export type WireSsl = false | "prefer" | "require" | tls.ConnectionOptions;

/** Where and how to connect. Every field is explicit: nothing is read from the environment. */
export interface WireOptions {
  /** TCP host (ignored when `path` is given). */
  readonly host?: string;
  readonly port: number;
  /** Unix socket file. */
  readonly path?: string;
  readonly user: string;
  readonly database: string;
  /** Asked only when the server wants a password. */
  readonly password: () => string;
  readonly ssl: WireSsl;
  /** Whole start-up, socket to ready; 0 = no limit. */
  readonly connectTimeoutMs: number;
  /** TCP keep-alive delay in seconds; 0 = off. */
  readonly keepAliveS: number;
  /** Start-up parameters besides user and database (application_name, server settings). */
  readonly params: Readonly<Record<string, string | undefined>>;
  /** A NoticeResponse (a WARNING, a NOTICE) from the server. */
  readonly onNotice?: (n: PgFields) => void;
  /** The connection closed, for whatever reason (after `end()` too). */
  readonly onClose?: () => void;
}

/** The fields of an ErrorResponse or NoticeResponse, named as postgres.js named them. */
export interface PgFields {
  severity?: string;
  severity_local?: string;
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
  internal_position?: string;
  internal_query?: string;
  where?: string;
  schema_name?: string;
  table_name?: string;
  column_name?: string;
  data_type_name?: string;
  constraint_name?: string;
  file?: string;
  line?: string;
  routine?: string;
}

const FIELD_NAMES: Record<number, keyof PgFields> = {
  83: "severity_local", // S
  86: "severity", // V
  67: "code", // C
  77: "message", // M
  68: "detail", // D
  72: "hint", // H
  80: "position", // P
  112: "internal_position", // p
  113: "internal_query", // q
  87: "where", // W
  115: "schema_name", // s
  116: "table_name", // t
  99: "column_name", // c
  100: "data_type_name", // d
  110: "constraint_name", // n
  70: "file", // F
  76: "line", // L
  82: "routine", // R
};

/** An error the server sent, with its fields. Named `PostgresError`, as postgres.js's was. */
export class PgServerError extends Error {
  override name = "PostgresError";

  constructor(fields: PgFields) {
    super(fields.message);
    Object.assign(this, fields);
    this.severity ??= this.severity_local;
  }
}
// Declaration merging: the constructor copies every field of PgFields onto the error.
export interface PgServerError extends PgFields {}

/**
 * A client-side failure of the connection, with a code as postgres.js gave them
 * (`CONNECTION_CLOSED`, `CONNECTION_ENDED`, `CONNECTION_DESTROYED`, `CONNECT_TIMEOUT`,
 * `SSL_REFUSED`, `PROTOCOL`), or a socket error's own (`ECONNREFUSED`, `ENOENT`, …).
 */
export class WireError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** What a query returned: the last result's rows, the rows all its commands touched. */
export interface WireResult {
  readonly rows: Record<string, unknown>[];
  /** Sum of the counts of the command tags (`INSERT 0 5` counts 5; `CREATE TABLE` 0). */
  readonly count: number;
  /** The last command tag without its counts (`COMMIT`, `ROLLBACK`, `CREATE TABLE`). */
  readonly command: string;
}

interface Pending {
  readonly resolve: (r: WireResult) => void;
  readonly reject: (e: unknown) => void;
  rows: Record<string, unknown>[];
  columns: Column[];
  count: number;
  command: string;
  error?: unknown;
}

interface Column {
  readonly name: string;
  readonly parse: ((text: string) => unknown) | undefined;
}

/** Text-format decoders by type OID (postgres.js's defaults without fetched types). */
const PARSERS: Record<number, (text: string) => unknown> = {
  16: (x) => x === "t",
  17: (x) => Buffer.from(x.slice(2), "hex"),
  21: Number,
  23: Number,
  26: Number,
  700: Number,
  701: Number,
  114: JSON.parse,
  3802: JSON.parse,
  1082: (x) => new Date(x),
  1114: (x) => new Date(x),
  1184: (x) => new Date(x),
};

/** Authentication requests bellows does not answer, by their number in the protocol. */
const AUTH_NAMES: Record<number, string> = {
  2: "Kerberos V5",
  6: "SCM credential",
  7: "GSSAPI",
  9: "SSPI",
};

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);
const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

/** Builds one or more messages into one buffer. */
class Writer {
  #buf = Buffer.allocUnsafe(256);
  #at = 0;
  #start = -1;

  #room(n: number) {
    if (this.#at + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + n));
    this.#buf.copy(next, 0, 0, this.#at);
    this.#buf = next;
  }

  /** Begin a message of type `type` (0: the start-up message, which has none). */
  begin(type: number): this {
    if (type !== 0) {
      this.#room(1);
      this.#buf[this.#at++] = type;
    }
    this.#start = this.#at;
    return this.i32(0);
  }

  i16(n: number): this {
    this.#room(2);
    this.#buf.writeInt16BE(n, this.#at);
    this.#at += 2;
    return this;
  }

  i32(n: number): this {
    this.#room(4);
    this.#buf.writeInt32BE(n, this.#at);
    this.#at += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#room(b.length);
    this.#buf.set(b, this.#at);
    this.#at += b.length;
    return this;
  }

  /** A string, NUL-terminated. */
  str(s: string): this {
    this.#room(Buffer.byteLength(s) + 1);
    this.#at += this.#buf.write(s, this.#at);
    this.#buf[this.#at++] = 0;
    return this;
  }

  /** Close the message begun last (its length). */
  end(): this {
    this.#buf.writeInt32BE(this.#at - this.#start, this.#start);
    return this;
  }

  done(): Buffer {
    return this.#buf.subarray(0, this.#at);
  }
}

/** The messages of a simple query. */
export function simpleQuery(text: string): Buffer {
  return new Writer().begin(0x51).str(text).end().done();
}

/** The messages of an extended-protocol query: Parse, Bind, Describe, Execute, Sync. */
export function extendedQuery(text: string, params: readonly unknown[]): Buffer {
  const w = new Writer().begin(0x50).str("").str(text).i16(0).end();
  w.begin(0x42).str("").str("").i16(0).i16(params.length);
  for (const p of params) {
    const value = serialize(p);
    if (value === null) w.i32(-1);
    else {
      const b = Buffer.from(value, "utf8");
      w.i32(b.length).bytes(b);
    }
  }
  w.i16(0).end();
  w.begin(0x44).bytes(Buffer.from("P")).str("").end();
  w.begin(0x45).str("").i32(0).end();
  return w.begin(0x53).end().done();
}

/** A parameter's text form; types are left to the server (OID 0) to infer. */
function serialize(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean") return v ? "t" : "f";
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return "\\x" + Buffer.from(v).toString("hex");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** A command tag split as postgres.js did: `INSERT 0 5` → `INSERT`, 5. */
export function parseTag(tag: string): { command: string; count: number } {
  const m = /^(.*?[A-Za-z])(?: \d+)*$/.exec(tag);
  const last = /(\d+)$/.exec(tag);
  return { command: m ? m[1] : tag, count: last ? Number(last[1]) : 0 };
}

/** The fields of an ErrorResponse/NoticeResponse body. */
export function parseFields(body: Buffer): PgFields {
  const fields: Record<string, string> = {};
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const end = body.indexOf(0, at + 1);
    const name = FIELD_NAMES[body[at]];
    if (name) fields[name] = body.toString("utf8", at + 1, end);
    at = end + 1;
  }
  return { message: "", ...fields } as PgFields;
}

/** The client's half of a SCRAM-SHA-256 exchange (RFC 5802, RFC 7677). */
export class Scram {
  readonly #nonce: string;
  readonly #firstBare: string;
  #serverSignature?: Buffer;

  constructor(readonly user = "*", nonce = crypto.randomBytes(18).toString("base64")) {
    this.#nonce = nonce;
    this.#firstBare = `n=${user},r=${nonce}`;
  }

  /** client-first-message. */
  first(): string {
    return `n,,${this.#firstBare}`;
  }

  /** client-final-message for the server's first message. */
  final(serverFirst: string, password: string): string {
    const attrs = new Map(serverFirst.split(",").map((kv) => [kv[0], kv.slice(2)]));
    const nonce = attrs.get("r") ?? "";
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (!nonce.startsWith(this.#nonce) || !salt || !(iterations > 0)) {
      throw new WireError("PROTOCOL", "the server's SCRAM-SHA-256 message is malformed");
    }
    const salted = crypto.pbkdf2Sync(
      password,
      Buffer.from(salt, "base64"),
      iterations,
      32,
      "sha256",
    );
    const hmac = (key: Uint8Array, text: string) =>
      crypto.createHmac("sha256", key).update(text).digest();
    const clientKey = hmac(salted, "Client Key");
    const storedKey = crypto.createHash("sha256").update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const auth = `${this.#firstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, auth);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
    this.#serverSignature = hmac(hmac(salted, "Server Key"), auth);
    return `${withoutProof},p=${proof.toString("base64")}`;
  }

  /** Whether the server's final message proves it knew the password too. */
  verify(serverFinal: string): boolean {
    const v = /(?:^|,)v=([^,]*)/.exec(serverFinal)?.[1];
    return v !== undefined && this.#serverSignature !== undefined &&
      v === this.#serverSignature.toString("base64");
  }
}

/** The answer to an MD5 password request: `md5` + md5(md5(password + user) + salt), in hex. */
export function md5Password(user: string, password: string, salt: Buffer): string {
  const md5 = (x: Uint8Array | string) => crypto.createHash("md5").update(x).digest("hex");
  return "md5" + md5(Buffer.concat([Buffer.from(md5(password + user)), salt]));
}

/**
 * One PostgreSQL connection. Get one with {@linkcode wireConnect}; `query` as often as
 * wanted (pipelined, answered in order); `end` once.
 */
export class WireConnection {
  #socket: net.Socket;
  readonly #opts: WireOptions;
  #queue: Pending[] = [];
  /** Received bytes not yet parsed: chunks, and the length a message needs. */
  #chunks: Buffer[] = [];
  #have = 0;
  #need = 5;
  #closed?: WireError;
  #fatal?: PgServerError;
  #ending = false;
  /** Called when the last query under way has its answer (or the connection is gone). */
  #idle?: () => void;
  /** Start-up: resolves at the first ReadyForQuery. */
  #startup?: { resolve: () => void; reject: (e: unknown) => void; scram?: Scram };

  /** Server process id (BackendKeyData). */
  pid = 0;
  /** ParameterStatus values (server_version, …). */
  readonly parameters = new Map<string, string>();

  private constructor(socket: net.Socket, opts: WireOptions) {
    this.#socket = socket;
    this.#opts = opts;
  }

  /** Whether the connection has closed (lost or ended). */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** @internal Connect, negotiate TLS, log in; resolves once the server is ready. */
  static async open(opts: WireOptions): Promise<WireConnection> {
    const socket = opts.path !== undefined
      ? net.connect({ path: opts.path })
      : net.connect({ host: opts.host, port: opts.port });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const c = new WireConnection(socket, opts);
    try {
      const ready = c.#start(socket);
      if (opts.connectTimeoutMs > 0) {
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(
              new WireError(
                "CONNECT_TIMEOUT",
                `no answer within ${opts.connectTimeoutMs / 1000}s (connect_timeout)`,
              ),
            );
          }, opts.connectTimeoutMs);
        });
        ready.catch(() => {}); // Lost the race: the socket is cut below.
        await Promise.race([ready, timedOut]);
      } else await ready;
      return c;
    } catch (e) {
      c.#socket.destroy();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  async #start(plain: net.Socket): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      plain.once("connect", resolve);
      plain.once("error", reject);
    });
    plain.removeAllListeners("error");
    const o = this.#opts;
    if (o.path === undefined && o.keepAliveS > 0) plain.setKeepAlive(true, o.keepAliveS * 1000);
    if (o.path === undefined && o.ssl !== false) {
      plain.write(SSL_REQUEST);
      const answer = await new Promise<number>((resolve, reject) => {
        plain.once("data", (d: Buffer) => resolve(d[0]));
        plain.once("error", reject);
        plain.once(
          "close",
          () => reject(new WireError("CONNECTION_CLOSED", "the server closed the connection")),
        );
      });
      plain.removeAllListeners();
      if (answer === 0x53) {
        const options: tls.ConnectionOptions = typeof o.ssl === "string"
          ? { rejectUnauthorized: false }
          : { ...o.ssl };
        const secure = tls.connect({
          ...options,
          socket: plain,
          servername: net.isIP(o.host ?? "") ? undefined : o.host,
        });
        await new Promise<void>((resolve, reject) => {
          secure.once("secureConnect", resolve);
          secure.once("error", reject);
        });
        secure.removeAllListeners("error");
        this.#socket = secure;
      } else if (o.ssl !== "prefer") {
        throw new WireError("SSL_REFUSED", "the server does not accept TLS");
      }
    }
    const s = this.#socket;
    s.setNoDelay?.(true);
    s.on("data", (d: Buffer) => this.#receive(d));
    s.on("error", (e: Error & { code?: string }) => {
      this.#lose(new WireError(e.code ?? "CONNECTION_CLOSED", e.message));
    });
    s.on("close", () => {
      this.#lose(
        this.#ending
          ? new WireError("CONNECTION_ENDED", "the connection was ended")
          : new WireError("CONNECTION_CLOSED", "the server closed the connection"),
      );
    });
    const params: Record<string, string> = {};
    for (
      const [k, v] of Object.entries({
        user: o.user,
        database: o.database,
        client_encoding: "UTF8",
        ...o.params,
      })
    ) if (v) params[k] = v;
    const w = new Writer().begin(0).i32(196608);
    for (const [k, v] of Object.entries(params)) w.str(k).str(v);
    w.bytes(Buffer.from([0])).end();
    const ready = new Promise<void>((resolve, reject) => this.#startup = { resolve, reject });
    s.write(w.done());
    await ready;
  }

  /** Run `text`: a simple query without `params`, the extended protocol with them. */
  query(text: string, params?: readonly unknown[]): Promise<WireResult> {
    if (this.#closed) return Promise.reject(this.#fatal ?? this.#closed);
    return new Promise<WireResult>((resolve, reject) => {
      this.#queue.push({ resolve, reject, rows: [], columns: [], count: 0, command: "" });
      this.#socket.write(
        params && params.length > 0 ? extendedQuery(text, params) : simpleQuery(text),
      );
    });
  }

  /**
   * Close. With `timeoutMs` > 0, queries under way may finish first (up to that long) and
   * the server is told (Terminate); with 0 the socket is cut at once.
   */
  async end(timeoutMs: number): Promise<void> {
    if (this.#closed) return;
    this.#ending = true;
    if (timeoutMs > 0 && this.#queue.length > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idle = resolve),
        new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs)),
      ]);
      clearTimeout(timer);
      this.#idle = undefined;
    }
    if (this.#closed) return;
    const closed = new Promise<void>((resolve) => this.#socket.once("close", () => resolve()));
    if (timeoutMs > 0 && this.#queue.length === 0) {
      this.#socket.end(TERMINATE);
      // The server closes on Terminate; one that does not is not waited for past the limit.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((resolve) => timer = setTimeout(resolve, timeoutMs, true));
      const gave = await Promise.race([closed.then(() => false), late]);
      clearTimeout(timer);
      if (!gave) return;
    }
    this.#lose(new WireError("CONNECTION_DESTROYED", "the connection was closed by the client"));
    this.#socket.destroy();
    await closed;
  }

  #lose(e: WireError): void {
    if (this.#closed) return;
    this.#closed = e;
    const startup = this.#startup;
    this.#startup = undefined;
    startup?.reject(this.#fatal ?? e);
    const queue = this.#queue;
    this.#queue = [];
    // The query the server was answering when it sent FATAL gets the server's words.
    for (const p of queue) p.reject(p.error ?? this.#fatal ?? e);
    this.#idle?.();
    this.#socket.destroy();
    this.#opts.onClose?.();
  }

  #receive(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#have += chunk.length;
    // A message arriving in many chunks is joined once, when it is all in.
    if (this.#have < this.#need) return;
    let buf = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks);
    let at = 0;
    while (buf.length - at >= 5) {
      const size = buf.readInt32BE(at + 1) + 1;
      if (buf.length - at < size) break;
      try {
        this.#message(buf[at], buf.subarray(at + 5, at + size));
      } catch (e) {
        this.#lose(
          e instanceof WireError ? e : new WireError("PROTOCOL", `client error: ${String(e)}`),
        );
        return;
      }
      at += size;
    }
    buf = buf.subarray(at);
    this.#chunks = buf.length > 0 ? [buf] : [];
    this.#have = buf.length;
    this.#need = buf.length >= 5 ? buf.readInt32BE(1) + 1 : 5;
  }

  #message(type: number, body: Buffer): void {
    switch (type) {
      case 0x44: // DataRow
        return this.#dataRow(body);
      case 0x43: { // CommandComplete
        const p = this.#queue[0];
        if (!p) return;
        const { command, count } = parseTag(body.toString("utf8", 0, body.length - 1));
        p.command = command;
        p.count += count;
        return;
      }
      case 0x54: // RowDescription
        return this.#rowDescription(body);
      case 0x5a: { // ReadyForQuery
        if (this.#startup) {
          const s = this.#startup;
          this.#startup = undefined;
          return s.resolve();
        }
        const p = this.#queue.shift();
        if (!p) return;
        if (p.error) p.reject(p.error);
        else p.resolve({ rows: p.rows, count: p.count, command: p.command });
        if (this.#queue.length === 0) this.#idle?.();
        return;
      }
      case 0x45: { // ErrorResponse
        const err = new PgServerError(parseFields(body));
        if (err.severity === "FATAL" || err.severity === "PANIC") this.#fatal = err;
        if (this.#startup) return this.#startup.reject(err);
        const p = this.#queue[0];
        if (p) p.error ??= err;
        return;
      }
      case 0x4e: // NoticeResponse
        return this.#opts.onNotice?.(parseFields(body));
      case 0x52: // Authentication*
        return this.#auth(body);
      case 0x53: { // ParameterStatus
        const k = body.indexOf(0);
        this.parameters.set(
          body.toString("utf8", 0, k),
          body.toString("utf8", k + 1, body.length - 1),
        );
        return;
      }
      case 0x4b: // BackendKeyData
        this.pid = body.readInt32BE(0);
        return;
      case 0x47: // CopyInResponse: nothing to send; refuse so the server ends the COPY.
        this.#socket.write(
          new Writer().begin(0x66).str("bellows does not send COPY data").end().done(),
        );
        return;
      default:
        // ParseComplete, BindComplete, NoData, EmptyQueryResponse, CopyOut/CopyData/
        // CopyDone, NotificationResponse, ParameterDescription: nothing to keep.
        return;
    }
  }

  #rowDescription(body: Buffer): void {
    const p = this.#queue[0];
    if (!p) return;
    const n = body.readInt16BE(0);
    const columns: Column[] = [];
    let at = 2;
    for (let i = 0; i < n; i++) {
      const end = body.indexOf(0, at);
      const name = body.toString("utf8", at, end);
      const type = body.readInt32BE(end + 7);
      columns.push({ name, parse: PARSERS[type] });
      at = end + 19;
    }
    // A later statement of a multi-statement query: its rows are the ones returned.
    p.columns = columns;
    p.rows = [];
  }

  #dataRow(body: Buffer): void {
    const p = this.#queue[0];
    if (!p) return;
    const row: Record<string, unknown> = {};
    const n = body.readInt16BE(0);
    let at = 2;
    for (let i = 0; i < n; i++) {
      const len = body.readInt32BE(at);
      at += 4;
      const col = p.columns[i];
      if (len < 0) row[col.name] = null;
      else {
        const text = body.toString("utf8", at, at + len);
        row[col.name] = col.parse ? col.parse(text) : text;
        at += len;
      }
    }
    p.rows.push(row);
  }

  #auth(body: Buffer): void {
    const kind = body.readInt32BE(0);
    const o = this.#opts;
    // PasswordMessage: a NUL-terminated password; SASLResponse: the bytes alone.
    const send = (w: Writer) => {
      this.#socket.write(w.end().done());
    };
    const password = (text: string) => send(new Writer().begin(0x70).str(text));
    switch (kind) {
      case 0: // AuthenticationOk
        return;
      case 3: // CleartextPassword
        return password(o.password());
      case 5: // MD5Password
        return password(md5Password(o.user, o.password(), body.subarray(4, 8)));
      case 10: { // SASL: the mechanisms offered
        const offered = body.toString("utf8", 4).split("\0");
        if (!offered.includes("SCRAM-SHA-256")) {
          throw new WireError(
            "PROTOCOL",
            `the server asks for SASL with ${offered.filter(Boolean).join(", ")}; ` +
              `only SCRAM-SHA-256 is supported`,
          );
        }
        const scram = new Scram();
        this.#startup!.scram = scram;
        const first = Buffer.from(scram.first());
        send(new Writer().begin(0x70).str("SCRAM-SHA-256").i32(first.length).bytes(first));
        return;
      }
      case 11: { // SASLContinue
        const final = this.#startup!.scram!.final(body.toString("utf8", 4), o.password());
        send(new Writer().begin(0x70).bytes(Buffer.from(final)));
        return;
      }
      case 12: // SASLFinal
        if (!this.#startup!.scram!.verify(body.toString("utf8", 4))) {
          throw new WireError("PROTOCOL", "the server's SCRAM-SHA-256 signature is wrong");
        }
        return;
      default: {
        const name = AUTH_NAMES[kind] ?? `method ${kind}`;
        throw new WireError(
          "PROTOCOL",
          `the server asks for ${name} authentication, which bellows does not support ` +
            `(it logs in with trust, password, md5 or scram-sha-256)`,
        );
      }
    }
  }
}

/** Open a connection and log in; rejects with a {@linkcode PgServerError} or {@linkcode WireError}. */
export function wireConnect(opts: WireOptions): Promise<WireConnection> {
  return WireConnection.open(opts);
}
