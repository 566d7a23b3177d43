/**
 * A TCP proxy in front of a PostgreSQL server that cuts the connection when the client
 * sends a chosen piece of SQL (the message is not passed on): a network cut at an exact
 * moment of a run, where a server crash can only be timed roughly.
 *
 * @module
 */

/** A running proxy. */
export interface CutProxy {
  /** `url` (a test cluster's TCP URL) pointed at the proxy instead. */
  via(url: string): string;
  /**
   * Cut every connection the moment a client message contains `marker` for the `nth`
   * time (counting from now), instead of passing that message on.
   */
  cutOn(marker: string, nth?: number): void;
  /** How many connections were cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

/** Start a proxy to `host:port` on a free local port. */
export function startCutProxy(host: string, port: number): CutProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  let rule: { marker: string; left: number } | undefined;
  let cuts = 0;
  const latin1 = new TextDecoder("latin1");
  const cutAll = () => {
    cuts++;
    for (const c of open) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    open.clear();
  };
  const pump = async (from: Deno.Conn, to: Deno.Conn, inspect: boolean) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        const chunk = buf.subarray(0, n);
        if (inspect && rule && latin1.decode(chunk).includes(rule.marker) && --rule.left === 0) {
          rule = undefined;
          cutAll();
          return;
        }
        let off = 0;
        while (off < chunk.length) off += await to.write(chunk.subarray(off));
      }
    } catch {
      // the other side went away, or we cut it
    }
    for (const c of [from, to]) {
      if (open.delete(c)) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    }
  };
  const serving = (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ hostname: host, port });
      open.add(client);
      open.add(server);
      pump(client, server, true);
      pump(server, client, false);
    }
  })().catch(() => {});
  const local = (listener.addr as Deno.NetAddr).port;
  return {
    via: (url) => url.replace(/@([^/:]+):(\d+)\//, `@127.0.0.1:${local}/`),
    cutOn: (marker, nth = 1) => {
      rule = { marker, left: nth };
    },
    get cuts() {
      return cuts;
    },
    close: async () => {
      listener.close();
      cutAll();
      await serving;
    },
  };
}
