import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  isPostgresUrl,
  parseOptionsParam,
  parsePgConfig,
  type PgConfigInput,
  type PgEnvVar,
  scrub,
  socketPath,
} from "./pg_config.ts";

const envOf = (vars: Partial<Record<PgEnvVar, string>>): PgConfigInput["env"] => (name) =>
  vars[name];

function rejects(url: string, pattern: RegExp, input: PgConfigInput = {}): UsageError {
  let caught: unknown;
  try {
    parsePgConfig(url, input);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UsageError, `expected UsageError, got ${caught}`);
  assert.match(caught.message, pattern);
  return caught;
}

Deno.test("pg_config: plain postgresql:// URL", () => {
  const c = parsePgConfig("postgresql://alice:pw@db.example:5433/glance");
  assert.equal(c.host, "db.example");
  assert.equal(c.socketDir, undefined);
  assert.equal(c.port, 5433);
  assert.equal(c.user, "alice");
  assert.equal(c.password, "pw");
  assert.equal(c.database, "glance");
  assert.equal(c.applicationName, "bellows");
  assert.equal(c.sslMode, "prefer");
  assert.equal(c.display, "postgresql://alice@db.example:5433/glance");
});

Deno.test("pg_config: postgres:// scheme and default port in display", () => {
  const c = parsePgConfig("postgres://alice:pw@db.example/glance");
  assert.equal(c.port, 5432);
  assert.equal(c.display, "postgresql://alice@db.example:5432/glance");
});

Deno.test("pg_config: SQLAlchemy driver forms strip the driver", () => {
  for (const d of ["psycopg2", "psycopg", "asyncpg", "pg8000"]) {
    const c = parsePgConfig(`postgresql+${d}://bob:x@h:6000/app`);
    assert.equal(c.host, "h");
    assert.equal(c.port, 6000);
    assert.equal(c.database, "app");
    assert.equal(c.display, "postgresql://bob@h:6000/app");
    assert.ok(isPostgresUrl(`postgresql+${d}://h/app`));
  }
  rejects("postgresql+mysqldb://h/app", /unsupported URL scheme "postgresql\+mysqldb"/);
  rejects("mysql://u:hunter2@h/app", /not a PostgreSQL URL: scheme mysql:/);
  assert.ok(!isPostgresUrl("sqlite:///x.db"));
});

Deno.test("pg_config: bad scheme error never echoes the password", () => {
  const e = rejects("mysql://u:hunter2@h/app", /not a PostgreSQL URL/);
  assert.ok(!e.message.includes("hunter2"));
});

Deno.test("pg_config: percent-decoding of user, password and database", () => {
  const c = parsePgConfig("postgresql://al%40ice:p%2Fw%3A%40x@h/my%20db");
  assert.equal(c.user, "al@ice");
  assert.equal(c.password, "p/w:@x");
  assert.equal(c.database, "my db");
  assert.equal(c.display, "postgresql://al%40ice@h:5432/my%20db");
  rejects("postgresql://u:%zz@h/db", /invalid percent-encoding in the password/);
});

Deno.test("pg_config: IPv6 host", () => {
  const c = parsePgConfig("postgresql://u@[::1]:6543/db");
  assert.equal(c.host, "::1");
  assert.equal(c.port, 6543);
  assert.equal(c.display, "postgresql://u@[::1]:6543/db");
});

Deno.test("pg_config: ?host=<directory> is a Unix socket", () => {
  const c = parsePgConfig("postgresql://u@/app?host=/var/run/postgresql");
  assert.equal(c.host, undefined);
  assert.equal(c.socketDir, "/var/run/postgresql");
  assert.equal(c.port, 5432);
  assert.equal(c.display, "postgresql://u@/app?host=/var/run/postgresql");
  const d = parsePgConfig("postgresql:///app?host=%2Ftmp%2Fpg&port=6000&user=u");
  assert.equal(d.socketDir, "/tmp/pg");
  assert.equal(d.port, 6000);
  assert.equal(d.display, "postgresql://u@/app?host=/tmp/pg&port=6000");
  assert.equal(socketPath("/tmp/pg/", 6000), "/tmp/pg/.s.PGSQL.6000");
});

Deno.test("pg_config: percent-encoded socket directory as the URL host", () => {
  const c = parsePgConfig("postgresql://u@%2Fvar%2Frun%2Fpostgresql/app");
  assert.equal(c.socketDir, "/var/run/postgresql");
});

Deno.test("pg_config: PGHOST as a directory is a Unix socket", () => {
  const c = parsePgConfig("postgresql:///app", {
    env: envOf({ PGHOST: "/run/pg", PGPORT: "5444", PGUSER: "envuser" }),
  });
  assert.equal(c.socketDir, "/run/pg");
  assert.equal(c.port, 5444);
  assert.equal(c.user, "envuser");
});

Deno.test("pg_config: no host anywhere: default socket if present, else localhost", () => {
  const seen: string[] = [];
  const c = parsePgConfig("postgresql://u@/app", {
    socketExists: (p) => (seen.push(p), p === "/tmp/.s.PGSQL.5432"),
  });
  assert.deepEqual(seen, ["/var/run/postgresql/.s.PGSQL.5432", "/tmp/.s.PGSQL.5432"]);
  assert.equal(c.socketDir, "/tmp");
  const d = parsePgConfig("postgresql://u@/app", { socketExists: () => false });
  assert.equal(d.host, "localhost");
  assert.equal(d.socketDir, undefined);
});

Deno.test("pg_config: PG* environment fills what the URL lacks", () => {
  const c = parsePgConfig("postgresql://", {
    env: envOf({
      PGHOST: "envhost",
      PGPORT: "7000",
      PGUSER: "envuser",
      PGPASSWORD: "envpw",
      PGDATABASE: "envdb",
      PGAPPNAME: "envapp",
      PGCONNECT_TIMEOUT: "7",
      PGSSLMODE: "require",
      PGSSLROOTCERT: "/etc/ca.pem",
      PGOPTIONS: "-c search_path=s1",
    }),
  });
  assert.equal(c.host, "envhost");
  assert.equal(c.port, 7000);
  assert.equal(c.user, "envuser");
  assert.equal(c.password, "envpw");
  assert.equal(c.database, "envdb");
  assert.equal(c.applicationName, "envapp");
  assert.equal(c.connectTimeoutMs, 7000);
  assert.equal(c.sslMode, "require");
  assert.equal(c.sslRootCert, "/etc/ca.pem");
  assert.deepEqual(c.serverSettings, { search_path: "s1" });
  assert.equal(c.display, "postgresql://envuser@envhost:7000/envdb");
});

Deno.test("pg_config: URL beats environment; query parameters beat URL parts", () => {
  const env = envOf({
    PGHOST: "envhost",
    PGPORT: "7000",
    PGUSER: "envuser",
    PGPASSWORD: "envpw",
    PGDATABASE: "envdb",
    PGAPPNAME: "envapp",
    PGCONNECT_TIMEOUT: "7",
    PGSSLMODE: "require",
    PGSSLROOTCERT: "/env/ca.pem",
  });
  const c = parsePgConfig(
    "postgresql://u:pw@h:1234/db?sslmode=disable&application_name=urlapp&connect_timeout=3" +
      "&sslrootcert=/url/ca.pem",
    { env },
  );
  assert.equal(c.host, "h");
  assert.equal(c.port, 1234);
  assert.equal(c.user, "u");
  assert.equal(c.password, "pw");
  assert.equal(c.database, "db");
  assert.equal(c.applicationName, "urlapp");
  assert.equal(c.connectTimeoutMs, 3000);
  assert.equal(c.sslMode, "disable");
  assert.equal(c.sslRootCert, "/url/ca.pem");
  const d = parsePgConfig("postgresql://u@h:1234/db?host=other&port=99&user=v&dbname=x", { env });
  assert.equal(d.host, "other");
  assert.equal(d.port, 99);
  assert.equal(d.user, "v");
  assert.equal(d.database, "x");
  assert.equal(d.password, "envpw");
});

Deno.test("pg_config: empty environment values count as unset", () => {
  const c = parsePgConfig("postgresql://u@h/db", { env: envOf({ PGSSLMODE: "", PGPORT: "" }) });
  assert.equal(c.sslMode, "prefer");
  assert.equal(c.port, 5432);
});

Deno.test("pg_config: application_name precedence", () => {
  assert.equal(parsePgConfig("postgresql://u@h/db").applicationName, "bellows");
  assert.equal(
    parsePgConfig("postgresql://u@h/db", { applicationName: "bellows-ci" }).applicationName,
    "bellows-ci",
  );
  assert.equal(
    parsePgConfig("postgresql://u@h/db?fallback_application_name=fb", { applicationName: "x" })
      .applicationName,
    "fb",
  );
  assert.equal(
    parsePgConfig("postgresql://u@h/db", { env: envOf({ PGAPPNAME: "e" }), applicationName: "x" })
      .applicationName,
    "e",
  );
});

Deno.test("pg_config: database defaults to the user; user to the OS user", () => {
  assert.equal(parsePgConfig("postgresql://u@h").database, "u");
  const c = parsePgConfig("postgresql://h/", { osUser: () => "osuser" });
  assert.equal(c.user, "osuser");
  assert.equal(c.database, "osuser");
  rejects("postgresql://h/db", /no database user/);
});

Deno.test("pg_config: connect timeout forms", () => {
  assert.equal(parsePgConfig("postgresql://u@h/db").connectTimeoutMs, 10_000);
  assert.equal(
    parsePgConfig("postgresql://u@h/db", { connectTimeoutMs: 2500 }).connectTimeoutMs,
    2500,
  );
  assert.equal(parsePgConfig("postgresql://u@h/db?connect_timeout=0").connectTimeoutMs, 0);
  assert.equal(parsePgConfig("postgresql://u@h/db?connect_timeout=1").connectTimeoutMs, 2000);
  rejects("postgresql://u@h/db?connect_timeout=soon", /invalid connect_timeout "soon"/);
  rejects("postgresql://u@h/db", /invalid PGCONNECT_TIMEOUT/, {
    env: envOf({ PGCONNECT_TIMEOUT: "x" }),
  });
});

Deno.test("pg_config: sslmode values and errors", () => {
  for (const m of ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]) {
    assert.equal(parsePgConfig(`postgresql://u@h/db?sslmode=${m}`).sslMode, m);
  }
  rejects("postgresql://u@h/db?sslmode=on", /invalid sslmode "on" \(expected disable, allow/);
  rejects("postgresql://u@h/db", /invalid sslmode "yes" in PGSSLMODE/, {
    env: envOf({ PGSSLMODE: "yes" }),
  });
  const sys = parsePgConfig("postgresql://u@h/db?sslrootcert=system");
  assert.equal(sys.sslMode, "verify-full");
  const c = parsePgConfig(
    "postgresql://u@h/db?sslmode=verify-ca&sslrootcert=/ca.pem" +
      "&sslcert=/c.pem&sslkey=/k.pem",
  );
  assert.equal(c.sslRootCert, "/ca.pem");
  assert.equal(c.sslCert, "/c.pem");
  assert.equal(c.sslKey, "/k.pem");
});

Deno.test("pg_config: server settings: allowed parameters and options=-c", () => {
  const c = parsePgConfig(
    "postgresql://u@h/db?search_path=app,public&options=-c%20work_mem%3D64MB%20--lock-timeout%3D1s",
  );
  assert.deepEqual(c.serverSettings, {
    search_path: "app,public",
    work_mem: "64MB",
    lock_timeout: "1s",
  });
  assert.deepEqual(parseOptionsParam("-csearch_path=a\\ b -c x=y"), { search_path: "a b", x: "y" });
  rejects("postgresql://u@h/db?options=-X", /unsupported word "-X"/);
});

Deno.test("pg_config: unknown parameter is an error naming it", () => {
  rejects("postgresql://u@h/db?keepalives=1", /unsupported PostgreSQL URL parameter "keepalives"/);
  rejects("postgresql://u@h/db?flag", /URL parameter "flag" has no value/);
});

Deno.test("pg_config: other invalid forms", () => {
  rejects("postgresql://u@h1,h2/db", /multiple hosts/);
  rejects("postgresql://u@h:port/db", /invalid port "port"/);
  rejects("postgresql://u@h/db", /invalid port "0" in PGPORT/, { env: envOf({ PGPORT: "0" }) });
  rejects("postgresql://u@[::1/db", /unterminated/);
  rejects("postgresql://u@h/db?target_session_attrs=master", /invalid target_session_attrs/);
  assert.equal(
    parsePgConfig("postgresql://u@h/db?target_session_attrs=read-write").targetSessionAttrs,
    "read-write",
  );
});

Deno.test("pg_config: the password never appears in display", () => {
  const forms = [
    "postgresql://alice:hunter2@db.example:5432/glance",
    "postgresql://alice@db.example:5432/glance?password=hunter2",
    "postgresql+psycopg2://alice:hunter2@db.example/glance",
  ];
  for (const url of forms) {
    const c = parsePgConfig(url);
    assert.equal(c.password, "hunter2");
    assert.equal(c.display, "postgresql://alice@db.example:5432/glance");
  }
  const e = parsePgConfig("postgresql://alice@db.example/glance", {
    env: envOf({ PGPASSWORD: "hunter2" }),
  });
  assert.ok(!e.display.includes("hunter2"));
});

Deno.test("pg_config: scrub removes raw and percent-encoded secrets", () => {
  assert.equal(scrub("x p@ss/1 y p%40ss%2F1 z", ["p@ss/1"]), "x *** y *** z");
  assert.equal(scrub("nothing", [undefined, ""]), "nothing");
});

Deno.test("pg_config: a password with a raw '/', '?' or '#' is refused, none of it echoed", () => {
  // Parsed as written, part of such a password would become the host, port, database or
  // a parameter, and be echoed in an error or the display.
  for (const pw of ["Secr/et99", "1234/abcd", "Secr?et99", "Secr#et99", "Se?x=1@h", "Se?user=zq"]) {
    const e = rejects(
      `postgresql://bellows:${pw}@127.0.0.1:5432/app`,
      /^the PostgreSQL URL has an '@' after its host part: percent-encode/,
    );
    for (const piece of pw.split(/[/?#=@]/).filter((p) => p.length >= 2)) {
      assert.ok(!e.message.includes(piece), `${pw}: ${e.message}`);
    }
  }
  // Encoded, the same passwords are fine.
  const c = parsePgConfig(`postgresql://bellows:${encodeURIComponent("Secr/et?#")}@h/app`);
  assert.equal(c.password, "Secr/et?#");
  // An '@' written into a database name or parameter must be encoded too (else refused).
  rejects("postgresql://h/app?user=a@b", /write an '@' in a database name or parameter as %40/);
  assert.equal(parsePgConfig("postgresql://h/app?user=a%40b").user, "a@b");
});

Deno.test("pg_config: errors about other parts never echo a password, wherever it came from", () => {
  const env = envOf({ PGPASSWORD: "Hunter22" });
  for (
    const [url, input] of [
      ["postgresql://u:Hunter22@h/db?sslmode=Hunter22", {}],
      ["postgresql://u@h/db?password=Hunter22&sslmode=Hunter22", {}],
      ["postgresql://u@h/db?password=Hunter%32%32&connect_timeout=Hunter22", {}],
      ["postgresql://u@h/db?target_session_attrs=Hunter22", { env }],
    ] as const
  ) {
    const e = rejects(url, /./, input);
    assert.ok(!e.message.includes("Hunter22"), e.message);
    assert.match(e.message, /\*\*\*/);
  }
});

/** Passwords that hold URL delimiters, written raw into `postgresql://glance:PW@dbhost/glance`. */
const LEAKY_PASSWORDS = [
  "Zq@Kx:Wv91/", // issue 10's shape: the user part ended at its '@', "Wv91" became the port
  "Zq@Kx:Wv91",
  "Zq@Kx/Wv91",
  "Zq@Kx?Wv91",
  "Zq@Kx#Wv91",
  "Zq@Kx:12Wv/Jy",
  "Zq:Kx/Wv:Jy91",
  "Zq/Kx:Wv@Jy91",
  "Zq:Kx?port=Wv91",
];

Deno.test("pg_config: passwords holding '@', ':', '/', '?', '#' are parsed or refused, never echoed", () => {
  for (const pw of LEAKY_PASSWORDS) {
    for (
      const url of [
        `postgresql://glance:${pw}@dbhost:5432/glance`,
        `postgresql://glance:${pw}@dbhost/glance`,
      ]
    ) {
      let message = "";
      try {
        const c = parsePgConfig(url);
        // Parsed: then the whole password is the password, and the display holds none of it.
        assert.equal(c.password, pw, url);
        message = c.display;
      } catch (e) {
        assert.ok(e instanceof UsageError, `${url}: ${e}`);
        message = e.message;
      }
      for (const piece of pw.split(/[@:/?#=]/).filter((p) => p.length >= 2)) {
        assert.ok(!message.includes(piece), `${url}: ${message}`);
      }
    }
  }
  // The issue's own URL: refused, saying what to do.
  const e = rejects(
    "postgresql://glance:P@ss:word1/@dbhost:5432/glance",
    /^the PostgreSQL URL has an '@' after its host part: percent-encode '@'/,
  );
  assert.ok(!/word1|P@ss/.test(e.message), e.message);
  // A non-number where the port goes, in a URL with a password, is not echoed.
  rejects("postgresql://u:Hunter22@h:Hunter22/db", /^invalid port in the PostgreSQL URL \(not a/);
  // Without a password in the URL the port is echoed as before.
  rejects("postgresql://u@h:port/db", /invalid port "port"/);
});

Deno.test("pg_config: a password parameter holding a raw '&' is refused, none of it echoed", () => {
  for (
    const q of ["password=Zq&KxWv", "password=Zq&Kx=Wv", "password=Zq&KxWv&sslmode=disable"]
  ) {
    const e = rejects(`postgresql://u@h/db?${q}`, /parameter after "password" is not a known/);
    assert.ok(!/Zq|Kx|Wv/.test(e.message), e.message);
  }
  // Known parameters after it are fine; '&' encoded is the password.
  assert.equal(parsePgConfig("postgresql://u@h/db?password=ab&sslmode=disable").password, "ab");
  assert.equal(parsePgConfig("postgresql://u@h/db?password=ab%26cd").password, "ab&cd");
});
