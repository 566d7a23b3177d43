import assert from "node:assert/strict";
import {
  createDatabase,
  findServerBinaries,
  mysqlCli,
  PASSWORD_USER,
  startServer,
} from "./mariadb_server.ts";

Deno.test("mariadb_server: starts, serves TCP and the socket, isolates databases, stops", async () => {
  const server = await startServer();
  try {
    assert.match(server.url, /^mysql:\/\/\w+@[\d.]+:\d+\/\w+$/);
    assert.equal(await mysqlCli(server.url, "SELECT 1"), "1");

    const a = await createDatabase(server, "Iso-A");
    const b = await createDatabase(server, "iso_a");
    assert.notEqual(a.name, b.name);
    assert.match(a.name, /^iso_a_[0-9a-f]{8}$/);
    await mysqlCli(a.url, "CREATE TABLE only_in_a (id int)");
    assert.equal(
      await mysqlCli(
        b.url,
        "SELECT COUNT(*) FROM information_schema.tables " +
          "WHERE table_schema = DATABASE() AND table_name = 'only_in_a'",
      ),
      "0",
    );

    if (!server.external) {
      // Over the socket the server sees no client address.
      assert.equal(await mysqlCli(a.socketUrl, "SELECT USER()"), "root@localhost");
      assert.equal(
        await mysqlCli(a.passwordUrl(PASSWORD_USER.password), "SELECT CURRENT_USER()"),
        `${PASSWORD_USER.name}@%`,
      );
      await assert.rejects(mysqlCli(a.passwordUrl("wrong"), "SELECT 1"), /Access denied/);
    }
  } finally {
    await server.stop();
  }
  if (!server.external) {
    const dir = server.socket.replace(/\/sock\/mysqld\.sock$/, "");
    await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
    await server.stop(); // idempotent
  }
});

Deno.test("mariadb_server: finds the server binaries", () => {
  const b = findServerBinaries();
  assert.match(b.server, /\/(mariadbd|mysqld)$/);
  assert.match(b.installDb, /\/(mariadb-install-db|mysql_install_db)$/);
});
