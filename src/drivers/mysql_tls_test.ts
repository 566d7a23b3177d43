import assert from "node:assert/strict";
import { ConnectionError } from "../errors.ts";
import { openMysql } from "./mysql.ts";
import { createDatabase, startServer } from "../../tests/support/mariadb_server.ts";

// A server with TLS (self-signed certificate for a DNS name) and one without.
const tlsServer = await startServer({ ssl: true });
const plainServer = await startServer();

async function rejectsLine(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ConnectionError, `expected ConnectionError, got ${e}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    assert.ok(!e.message.includes("hunter2"), e.message);
    return;
  }
  assert.fail(`expected ConnectionError matching ${pattern}`);
}

async function cipher(url: string): Promise<string> {
  const d = await openMysql(url, { env: {} });
  try {
    const [row] = await d.query<{ Value: string }>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    return row.Value;
  } finally {
    await d.close();
  }
}

Deno.test("mysql tls: ssl_ca verifies the chain; ssl_verify_identity checks the host", async () => {
  const db = await createDatabase(tlsServer, "tls");
  const ca = encodeURIComponent(tlsServer.certFile!);
  // Chain verified against the given CA, host name not checked.
  assert.notEqual(await cipher(`${db.url}?ssl_ca=${ca}&ssl_verify_identity=false`), "");
  // Without ssl_* parameters: plain, as PyMySQL.
  assert.equal(await cipher(db.url), "");
  // ssl_ca alone also checks the host name: the certificate is for a DNS name, not 127.0.0.1.
  await rejectsLine(
    openMysql(`${db.url.replace("root@", "root:hunter2@")}?ssl_ca=${ca}`, { env: {} }),
    new RegExp(
      `server certificate does not match host "127\\.0\\.0\\.1" \\(it is for DNS:${
        tlsServer.certHost!.replaceAll(".", "\\.")
      }\\)$`,
    ),
  );
  // Verification against the system roots fails for a self-signed certificate.
  await rejectsLine(
    openMysql(`${db.url}?ssl_verify_cert=true`, { env: {} }),
    /server certificate not trusted \(.*\): give its CA with ssl_ca=<file>/,
  );
  // A CA file that does not exist is named.
  await rejectsLine(
    openMysql(`${db.url}?ssl_ca=%2Fnonexistent%2Fca.pem`, { env: {} }),
    /cannot read ssl_ca \/nonexistent\/ca\.pem for mysql:\/\/root@127\.0\.0\.1:\d+\/tls_\w+: no such file$/,
  );
});

Deno.test("mysql tls: asking for TLS from a server without it is refused", async () => {
  const db = await createDatabase(plainServer, "notls");
  await rejectsLine(
    openMysql(`${db.url}?ssl_ca=${encodeURIComponent(tlsServer.certFile!)}`, { env: {} }),
    /cannot connect to mysql:\/\/root@127\.0\.0\.1:\d+\/notls_\w+: the server does not offer TLS, which the ssl_\* parameters ask for$/,
  );
});

Deno.test("mysql tls: servers stop", async () => {
  await tlsServer.stop();
  await plainServer.stop();
});
