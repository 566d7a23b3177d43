import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  DEFAULT_OPTION_FILE,
  isMysqlUrl,
  type MysqlConfigInput,
  parseMysqlConfig,
  parseOptionFile,
} from "./mysql_config.ts";

function rejects(url: string, pattern: RegExp, input: MysqlConfigInput = {}): UsageError {
  let caught: unknown;
  try {
    parseMysqlConfig(url, input);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UsageError, `expected UsageError, got ${caught}`);
  assert.match(caught.message, pattern);
  return caught;
}

/** An input whose option files are `files`, home /home/op. */
function withFiles(files: Record<string, string>): MysqlConfigInput {
  return {
    readFile: (path) => {
      if (path in files) return files[path];
      throw new Deno.errors.NotFound(`No such file or directory (os error 2): ${path}`);
    },
    homeDir: () => "/home/op",
  };
}

Deno.test("mysql_config: plain mysql:// URL", () => {
  const c = parseMysqlConfig("mysql://glance:pw@db.example:3307/glance");
  assert.equal(c.host, "db.example");
  assert.equal(c.socket, undefined);
  assert.equal(c.port, 3307);
  assert.equal(c.user, "glance");
  assert.equal(c.password, "pw");
  assert.equal(c.database, "glance");
  assert.equal(c.charset, "utf8mb4");
  assert.equal(c.tls, undefined);
  assert.equal(c.connectTimeoutMs, 10_000);
  assert.equal(c.display, "mysql://glance@db.example:3307/glance");
});

Deno.test("mysql_config: mariadb:// and SQLAlchemy driver forms; default port", () => {
  for (
    const scheme of [
      "mariadb",
      "mysql+pymysql",
      "mysql+mysqldb",
      "mariadb+pymysql",
      "MySQL+PyMySQL",
      "mariadb+mariadbconnector",
    ]
  ) {
    const c = parseMysqlConfig(`${scheme}://bob:x@h/app`);
    assert.equal(c.host, "h");
    assert.equal(c.port, 3306);
    assert.equal(c.database, "app");
    assert.equal(c.display, "mysql://bob@h:3306/app");
    assert.ok(isMysqlUrl(`${scheme}://h/app`));
  }
  rejects("mysql+psycopg2://h/app", /unsupported URL scheme "mysql\+psycopg2"/);
  assert.ok(!isMysqlUrl("postgresql://h/app"));
  assert.ok(!isMysqlUrl("sqlite:///x.db"));
});

Deno.test("mysql_config: bad scheme error never echoes the password", () => {
  const e = rejects("postgres://u:hunter2@h/app", /not a MySQL URL: scheme postgres:/);
  assert.ok(!e.message.includes("hunter2"));
});

Deno.test("mysql_config: percent-decoding of user, password and database", () => {
  const c = parseMysqlConfig("mysql+pymysql://al%40ice:p%2Fw%3A%40x@h/my%20db");
  assert.equal(c.user, "al@ice");
  assert.equal(c.password, "p/w:@x");
  assert.equal(c.database, "my db");
  assert.equal(c.display, "mysql://al%40ice@h:3306/my%20db");
  rejects("mysql://u:%zz@h/db", /invalid percent-encoding in the password/);
});

Deno.test("mysql_config: IPv6 host", () => {
  const c = parseMysqlConfig("mysql://u@[::1]:3310/db");
  assert.equal(c.host, "::1");
  assert.equal(c.port, 3310);
  assert.equal(c.display, "mysql://u@[::1]:3310/db");
});

Deno.test("mysql_config: a password with an unencoded '/', '?' or '#' is refused unechoed", () => {
  for (const pw of ["se/cret", "se?cret", "se#cret"]) {
    const e = rejects(`mysql://u:${pw}@h/db`, /'@' after its host part/);
    assert.ok(!e.message.includes("cret"), e.message);
  }
});

Deno.test("mysql_config: a bad port that is really the password is scrubbed", () => {
  // "u:pa:ss@h" would not happen, but a port echoed from the URL could be anything.
  // As on PostgreSQL: no number where the port goes, in a URL with a password, is refused
  // as a likely piece of the password, echoing none of it.
  const e = rejects(
    "mysql://u:hunter2@h:hunter2/db",
    /invalid port in the MySQL URL \(not a number\)/,
  );
  assert.ok(!e.message.includes("hunter2"));
  rejects("mysql://u@h:0/db", /invalid port "0"/);
  rejects("mysql://u@h:70000/db", /invalid port "70000"/);
});

Deno.test("mysql_config: charset parameter, utf8mb4 by default", () => {
  assert.equal(parseMysqlConfig("mysql://u@h/db?charset=utf8").charset, "utf8");
  assert.equal(parseMysqlConfig("mysql://u@h/db?charset=utf8mb4").charset, "utf8mb4");
  rejects("mysql://u@h/db?charset=utf8;drop", /invalid charset/);
});

Deno.test("mysql_config: devstack's ?charset=utf8&plugin=dbcounter is accepted", () => {
  const c = parseMysqlConfig(
    "mysql+pymysql://root:pw@127.0.0.1/glance?charset=utf8&plugin=dbcounter",
  );
  assert.equal(c.charset, "utf8");
  assert.equal(c.display, "mysql://root@127.0.0.1:3306/glance");
});

Deno.test("mysql_config: unix_socket", () => {
  const c = parseMysqlConfig(
    "mysql+pymysql://glance:pw@localhost/glance?unix_socket=/run/mysqld/mysqld.sock",
  );
  assert.equal(c.socket, "/run/mysqld/mysqld.sock");
  assert.equal(c.host, undefined);
  assert.equal(c.display, "mysql://glance@localhost/glance?unix_socket=/run/mysqld/mysqld.sock");
  const enc = parseMysqlConfig("mysql://u@/db?unix_socket=%2Ftmp%2Fmy%20sock");
  assert.equal(enc.socket, "/tmp/my sock");
  rejects("mysql://u@/db?unix_socket=relative.sock", /must be an absolute path/);
  rejects("mysql://u@/db?unix_socket=/s&ssl_ca=/ca.pem", /never uses TLS/);
});

Deno.test("mysql_config: no host means TCP to localhost (as PyMySQL)", () => {
  const c = parseMysqlConfig("mysql://u@/db");
  assert.equal(c.host, "localhost");
  assert.equal(c.port, 3306);
});

Deno.test("mysql_config: TLS parameters", () => {
  // A CA alone: verify the chain and the host name (SQLAlchemy's ssl_ca).
  const ca = parseMysqlConfig("mysql://u@h/db?ssl_ca=/etc/ca.pem");
  assert.deepEqual(ca.tls, {
    ca: "/etc/ca.pem",
    cert: undefined,
    key: undefined,
    verifyCert: true,
    verifyIdentity: true,
  });
  const noId = parseMysqlConfig("mysql://u@h/db?ssl_ca=/ca&ssl_verify_identity=false");
  assert.equal(noId.tls?.verifyCert, true);
  assert.equal(noId.tls?.verifyIdentity, false);
  const alias = parseMysqlConfig("mysql://u@h/db?ssl_ca=/ca&ssl_check_hostname=false");
  assert.equal(alias.tls?.verifyIdentity, false);
  // A client certificate without a CA: TLS, no verification (PyMySQL: CERT_NONE).
  const client = parseMysqlConfig("mysql://u@h/db?ssl_cert=/c.pem&ssl_key=/k.pem");
  assert.deepEqual(client.tls, {
    ca: undefined,
    cert: "/c.pem",
    key: "/k.pem",
    verifyCert: false,
    verifyIdentity: false,
  });
  // Verification against the system roots.
  const sys = parseMysqlConfig("mysql://u@h/db?ssl_verify_cert=true&ssl_verify_identity=1");
  assert.equal(sys.tls?.ca, undefined);
  assert.equal(sys.tls?.verifyCert, true);
  assert.equal(sys.tls?.verifyIdentity, true);
  assert.equal(parseMysqlConfig("mysql://u@h/db?ssl_verify_cert=false").tls, undefined);
  rejects("mysql://u@h/db?ssl_verify_cert=maybe", /invalid ssl_verify_cert "maybe"/);
  rejects("mysql://u@h/db?ssl_verify_identity=true", /needs ssl_verify_cert/);
  rejects("mysql://u@h/db?ssl_cert=/c.pem", /ssl_cert and ssl_key go together/);
});

Deno.test("mysql_config: unknown and repeated parameters are refused", () => {
  rejects("mysql://u@h/db?sslmode=require", /unsupported MySQL URL parameter "sslmode"/);
  rejects("mysql://u@h/db?charset=a&charset=b", /"charset" is given twice/);
  rejects("mysql://u@h/db?charset", /"charset" has no value/);
  rejects("mysql://u@h/db/extra", /more than one part/);
  rejects("mysql://u@h1,h2/db", /multiple hosts/);
});

Deno.test("mysql_config: a password parameter is scrubbed from errors", () => {
  const e = rejects("mysql://u@h/db?password=hunter2", /unsupported MySQL URL parameter/);
  assert.ok(!e.message.includes("hunter2"));
});

Deno.test("mysql_config: user and database are required", () => {
  rejects("mysql://h/db", /no database user/);
  assert.equal(parseMysqlConfig("mysql://h/db", { osUser: () => "op" }).user, "op");
  rejects("mysql://u@h", /no database: put one in the URL/);
  rejects("mysql://u@h/", /no database/);
});

Deno.test("mysql_config: connect_timeout in seconds", () => {
  assert.equal(parseMysqlConfig("mysql://u@h/db?connect_timeout=3").connectTimeoutMs, 3000);
  assert.equal(parseMysqlConfig("mysql://u@h/db", { connectTimeoutMs: 500 }).connectTimeoutMs, 500);
  rejects("mysql://u@h/db?connect_timeout=0", /invalid connect_timeout "0"/);
  rejects("mysql://u@h/db?connect_timeout=2.5", /invalid connect_timeout/);
});

Deno.test("mysql_config: lock_lease (Galera) in whole seconds, 30 by default", () => {
  assert.equal(parseMysqlConfig("mysql://u@h/db").lockLeaseMs, 30_000);
  assert.equal(parseMysqlConfig("mysql://u@h/db?lock_lease=120").lockLeaseMs, 120_000);
  rejects(
    "mysql://u@h/db?lock_lease=1",
    /invalid lock_lease "1" \(expected whole seconds, 2 to 86400\)/,
  );
  rejects("mysql://u@h/db?lock_lease=2.5", /invalid lock_lease/);
  rejects("mysql://u@h/db?lock_lease=86401", /invalid lock_lease/);
});

Deno.test("mysql_config: option file parser reads groups as PyMySQL's configparser", () => {
  const g = parseOptionFile(
    [
      "# comment",
      "stray = ignored",
      "[client]",
      "user = glance",
      'password="p w#1"',
      "host: db.example",
      "; another comment",
      "default_character_set = utf8",
      "skip-ssl",
      "!includedir /etc/mysql/conf.d/",
      "[MySQLd]",
      "port = 1",
      "[client]",
      "port = 3307",
    ].join("\n"),
  );
  const client = g.get("client")!;
  assert.equal(client.get("user"), "glance");
  assert.equal(client.get("password"), "p w#1");
  assert.equal(client.get("host"), "db.example");
  assert.equal(client.get("default-character-set"), "utf8");
  assert.equal(client.get("skip-ssl"), "");
  assert.equal(client.get("port"), "3307");
  assert.equal(g.get("mysqld")!.get("port"), "1");
  assert.equal(g.has("stray"), false);
});

Deno.test("mysql_config: read_default_file fills what the URL leaves out", () => {
  const input = withFiles({
    "/home/op/.my.cnf": [
      "[client]",
      "user=glance",
      "password='s3cr#t'",
      "host=db.internal",
      "port=3308",
      "database=glance",
      "[bellows]",
      "socket=/run/mysqld/mysqld.sock",
      "user=admin",
      "database=other",
      "ssl-ca=/x",
    ].join("\n"),
  });
  const c = parseMysqlConfig("mysql+pymysql:///?read_default_file=~/.my.cnf", input);
  assert.equal(c.user, "glance");
  assert.equal(c.password, "s3cr#t");
  assert.equal(c.host, "db.internal");
  assert.equal(c.port, 3308);
  assert.equal(c.database, "glance");
  assert.equal(c.optionFile, "/home/op/.my.cnf");
  assert.equal(c.display, "mysql://glance@db.internal:3308/glance");
  // The URL wins over the file.
  const u = parseMysqlConfig(
    "mysql://alice:pw@h:3309/app?read_default_file=%7E%2F.my.cnf",
    input,
  );
  assert.deepEqual([u.user, u.password, u.host, u.port, u.database], [
    "alice",
    "pw",
    "h",
    3309,
    "app",
  ]);
  // Another group, with the socket; TLS from the file cannot go over a socket.
  rejects(
    "mysql:///?read_default_file=~/.my.cnf&read_default_group=bellows",
    /never uses TLS/,
    input,
  );
});

Deno.test("mysql_config: option file group with a socket", () => {
  const input = withFiles({
    "/etc/bellows.cnf": "[bellows]\nsocket=/run/mysqld/mysqld.sock\nuser=admin\ndatabase=g\n",
  });
  const c = parseMysqlConfig(
    "mysql://?read_default_file=/etc/bellows.cnf&read_default_group=bellows",
    input,
  );
  assert.equal(c.socket, "/run/mysqld/mysqld.sock");
  assert.equal(c.user, "admin");
  assert.equal(c.password, undefined);
  assert.equal(c.display, "mysql://admin@localhost/g?unix_socket=/run/mysqld/mysqld.sock");
});

Deno.test("mysql_config: read_default_group alone reads /etc/my.cnf (as PyMySQL)", () => {
  const input = withFiles({ [DEFAULT_OPTION_FILE]: "[glance]\nuser=g\ndatabase=gl\n" });
  const c = parseMysqlConfig("mysql://h/?read_default_group=glance", input);
  assert.equal(c.user, "g");
  assert.equal(c.optionFile, "/etc/my.cnf");
});

Deno.test("mysql_config: a missing option file or group is refused; passwords scrubbed", () => {
  const input = withFiles({ "/home/op/.my.cnf": "[client]\npassword=hunter2\nport=hunter2\n" });
  rejects(
    "mysql://u@h/db?read_default_file=/nope.cnf",
    /cannot read option file \/nope\.cnf/,
    input,
  );
  rejects(
    "mysql://u@h/db?read_default_file=~/.my.cnf&read_default_group=other",
    /option file \/home\/op\/\.my\.cnf has no \[other\] group/,
    input,
  );
  const e = rejects("mysql://u@h/db?read_default_file=~/.my.cnf", /invalid port/, input);
  assert.ok(!e.message.includes("hunter2"), e.message);
  // Pure by default: no reader, no file access.
  rejects("mysql://u@h/db?read_default_file=/etc/my.cnf", /cannot read option file/);
  rejects("mysql://u@h/db?read_default_file=~/.my.cnf", /no home directory/, {
    readFile: () => "",
  });
});
