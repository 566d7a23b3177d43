import assert from "node:assert/strict";
import { ConnectionError } from "../errors.ts";
import { openPostgres } from "./postgres.ts";
import type { DriverOptions } from "./options.ts";
import { startCluster } from "../../tests/support/pg_cluster.ts";

// A cluster with ssl=on and a self-signed certificate for a DNS name that is not
// 127.0.0.1, so verify-full by address must fail while verify-ca must pass.
const cluster = await startCluster({ ssl: true });
const cert = cluster.certFile!;

/** Open, report whether the session uses TLS, close. */
async function usesTls(url: string, opts: DriverOptions = {}): Promise<boolean> {
  const d = await openPostgres(url, { env: {}, ...opts });
  try {
    const [row] = await d.query<{ ssl: boolean }>(
      "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    );
    return row.ssl;
  } finally {
    await d.close();
  }
}

async function connectError(url: string, opts: DriverOptions = {}): Promise<string> {
  try {
    const d = await openPostgres(url, { env: {}, ...opts });
    await d.close();
  } catch (e) {
    assert.ok(e instanceof ConnectionError, `expected ConnectionError, got ${e}`);
    assert.ok(!e.message.includes("\n"));
    return e.message;
  }
  assert.fail(`expected ${url} to fail`);
}

Deno.test("postgres TLS: sslmode=require connects with TLS, without verification", async () => {
  assert.equal(await usesTls(`${cluster.url}?sslmode=require`), true);
});

Deno.test("postgres TLS: prefer (the default) uses TLS; disable does not", async () => {
  assert.equal(await usesTls(cluster.url), true);
  assert.equal(await usesTls(`${cluster.url}?sslmode=prefer`), true);
  assert.equal(await usesTls(`${cluster.url}?sslmode=disable`), false);
  assert.equal(await usesTls(`${cluster.url}?sslmode=allow`), false);
});

Deno.test("postgres TLS: verify-full without the CA fails with a certificate error", async () => {
  const msg = await connectError(`${cluster.url}?sslmode=verify-full`);
  assert.match(
    msg,
    /^cannot connect to postgresql:\/\/postgres@127\.0\.0\.1:\d+\/bellows_test: server certificate not trusted \(self-signed certificate; sslmode=verify-full\): give its CA with sslrootcert=<file>/,
  );
  assert.match(
    await connectError(`${cluster.url}?sslmode=verify-ca`),
    /server certificate not trusted .*sslmode=verify-ca/,
  );
});

Deno.test("postgres TLS: verify-full with the CA but the wrong host name fails", async () => {
  const msg = await connectError(`${cluster.url}?sslmode=verify-full&sslrootcert=${cert}`);
  assert.equal(cluster.certHost, "bellows-test-db.invalid");
  assert.match(
    msg,
    /does not match host "127\.0\.0\.1" \(sslmode=verify-full; it is for DNS:bellows-test-db\.invalid\)$/,
  );
});

Deno.test("postgres TLS: verify-ca with sslrootcert connects", async () => {
  assert.equal(await usesTls(`${cluster.url}?sslmode=verify-ca&sslrootcert=${cert}`), true);
  // libpq: require plus a root certificate verifies the chain too.
  assert.equal(await usesTls(`${cluster.url}?sslmode=require&sslrootcert=${cert}`), true);
});

Deno.test("postgres TLS: PGSSLMODE and PGSSLROOTCERT are honoured; the URL wins", async () => {
  assert.equal(
    await usesTls(cluster.url, { env: { PGSSLMODE: "verify-ca", PGSSLROOTCERT: cert } }),
    true,
  );
  assert.match(
    await connectError(cluster.url, { env: { PGSSLMODE: "verify-full" } }),
    /server certificate not trusted/,
  );
  assert.equal(
    await usesTls(`${cluster.url}?sslmode=disable`, { env: { PGSSLMODE: "verify-full" } }),
    false,
  );
});

Deno.test("postgres TLS: a missing sslrootcert file is a clear error", async () => {
  assert.match(
    await connectError(`${cluster.url}?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem`),
    /cannot read sslrootcert \/nonexistent\/ca\.pem for postgresql:\/\/postgres@127\.0\.0\.1:\d+\/bellows_test: no such file/,
  );
});

Deno.test("postgres TLS: Unix sockets never use TLS, even with sslmode=require", async () => {
  const url = `postgresql://${cluster.superuser}@/bellows_test?host=${cluster.socketDir}` +
    `&port=${cluster.port}&sslmode=require`;
  assert.equal(await usesTls(url), false);
});
