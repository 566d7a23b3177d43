/**
 * `bellows import-alembic` on an Alembic versions/ folder written the way Alembic users
 * write them (typed and untyped headers, tuples, labels, depends_on, a merge, a second
 * root, op.execute SQL and one op.create_table): `bellows history` / `heads` must list what
 * `python3 -m alembic history` / `heads` list, and the imported SQL must run.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { runCli, withTempDir, writeScripts } from "./support/cli.ts";
import { lines, PYTHON } from "./support/interop.ts";

const rev = (
  id: string,
  down: string,
  extra: { labels?: string; depends?: string; up?: string; down?: string; typed?: boolean } = {},
) => {
  const typed = extra.typed ?? false;
  const ann = (t: string) => typed ? `: ${t}` : "";
  return `"""${id} message

Revision ID: ${id}
Revises: ${down}
Create Date: 2024-01-01 00:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision${ann("str")} = '${id}'
down_revision${ann("Union[str, None]")} = ${down}
branch_labels${ann("Union[str, Sequence[str], None]")} = ${extra.labels ?? "None"}
depends_on${ann("Union[str, Sequence[str], None]")} = ${extra.depends ?? "None"}


def upgrade()${typed ? " -> None" : ""}:
${extra.up ?? "    pass"}


def downgrade()${typed ? " -> None" : ""}:
${extra.down ?? "    pass"}
`;
};

const VERSIONS: Record<string, string> = {
  "versions/1000_root.py": rev("root", "None", {
    up: `    op.execute("CREATE TABLE t_root (id INTEGER PRIMARY KEY)")`,
    down: `    op.execute("DROP TABLE t_root")`,
  }),
  "versions/1001_bp.py": rev("bp", "'root'", {
    typed: true,
    up:
      `    op.execute(sa.text("""\n        CREATE TABLE t_bp (id INTEGER PRIMARY KEY);\n        CREATE INDEX ix_bp ON t_bp (id)\n    """))`,
    down: `    op.execute("DROP TABLE t_bp")`,
  }),
  "versions/1002_e1.py": rev("e1", "'bp'", {
    labels: "('expand',)",
    up: `    op.create_table("t_e1", sa.Column("id", sa.Integer, primary_key=True))`,
    down: `    op.drop_table("t_e1")`,
  }),
  "versions/1003_c1.py": rev("c1", "'bp'", {
    typed: true,
    labels: "'contract'",
    depends: "'e1'",
    up: `    op.execute("CREATE TABLE t_c1 (id INTEGER PRIMARY KEY)")`,
  }),
  "versions/1004_merge.py": rev("m", "('e1', 'c1')", { typed: true }),
  "versions/1005_s0.py": rev("s0", "None", { labels: "['other', 'second']" }),
  "versions/1006_s1.py": rev("s1", "'s0'", { depends: "('c1', 'expand')" }),
  "versions/__init__.py": "",
};

Deno.test("import-alembic reproduces the graph Alembic reads, and carries raw SQL over", async () => {
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/alembic`, VERSIONS);
    await writeScripts(`${dir}/alembic`, {
      "alembic.ini": "[alembic]\nscript_location = %(here)s\nsqlalchemy.url = sqlite:///x.db\n",
      "env.py": "raise SystemExit('history and heads do not run env.py')\n",
    });
    const out = `${dir}/migrations`;
    const imp = await runCli(["--migrations", out, "import-alembic", `${dir}/alembic/versions`]);
    assert.equal(imp.code, 0, imp.err);
    assert.match(imp.out, /Imported 7 revision\(s\)/);
    assert.match(imp.out, /e1 upgrade .*1002_e1\.sql +\(alembic upgrade bp:e1 --sql\)/);
    assert.match(imp.out, /e1 downgrade /);
    assert.doesNotMatch(imp.out, /root (up|down)grade/);

    const alembic = async (args: string[]) => {
      const r = await new Deno.Command(PYTHON, {
        args: ["-m", "alembic", "-c", `${dir}/alembic/alembic.ini`, ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(r.success, new TextDecoder().decode(r.stderr));
      return new TextDecoder().decode(r.stdout);
    };
    // Alembic keeps branch labels in a set: normalise their order within a line.
    const norm = (text: string) =>
      lines(text).map((l) =>
        l.replace(/\(([^()]*,[^()]*)\)/g, (_m, x: string) => `(${x.split(", ").sort().join(", ")})`)
      ).sort();
    for (const cmd of [["history"], ["heads"], ["branches"]]) {
      const b = await runCli(["--migrations", out, ...cmd]);
      assert.equal(b.code, 0, b.err);
      assert.deepEqual(norm(b.out), norm(await alembic(cmd)), cmd.join(" "));
    }
    // The edges, parsed from `history`, as a second look.
    const edges = (text: string) =>
      lines(text).map((l) => /^(.*?) -> (\S+)/.exec(l)!.slice(1).join(" -> ")).sort();
    assert.deepEqual(
      edges((await runCli(["--migrations", out, "history"])).out),
      edges(await alembic(["history"])),
    );

    // Refuses to overwrite what it wrote.
    const again = await runCli(["--migrations", out, "import-alembic", `${dir}/alembic/versions`]);
    assert.equal(again.code, 2);
    assert.match(again.err, /already exists; import-alembic does not overwrite/);

    // Raw SQL revisions run; the create_table one fails loudly at its placeholder.
    const db = `${dir}/app.db`;
    const up = await runCli(["--migrations", out, "--url", db, "upgrade", "bp"]);
    assert.equal(up.code, 0, up.err);
    const sqlite = new DatabaseSync(db, { readOnly: true });
    const names = sqlite.prepare("SELECT name FROM sqlite_master ORDER BY name").all()
      .map((r) => String((r as { name: string }).name));
    sqlite.close();
    assert.ok(names.includes("t_root") && names.includes("t_bp") && names.includes("ix_bp"));
    const fail = await runCli(["--migrations", out, "--url", db, "upgrade", "e1"]);
    assert.equal(fail.code, 1);
    assert.match(fail.err, /1002_e1\.sql:\d+:\d+: .*bellows_import_needs_sql/);
  });
});

Deno.test("import-alembic into a folder the operating system will not let us write: exit 2", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/versions`);
    await Deno.writeTextFile(
      `${dir}/versions/x1.py`,
      'revision = "x1"\ndown_revision = None\n\ndef upgrade():\n    op.execute("SELECT 1")\n',
    );
    const out = `${dir}/out`;
    await Deno.mkdir(out, { mode: 0o555 });
    const root = Deno.uid() === 0;
    if (root) {
      const c = await new Deno.Command("chattr", { args: ["+i", out] }).output();
      assert.ok(c.success, "chattr +i (root writes through mode bits)");
    }
    try {
      const r = await runCli(["--migrations", out, "import-alembic", `${dir}/versions`]);
      assert.equal(r.code, 2, r.err);
      // The operating system's refusal, not a Deno permission (exit 10) nor a crash (70).
      assert.match(r.err, new RegExp(`^bellows: cannot write ${out}[^\\n]*: [^\\n]+$`));
    } finally {
      if (root) await new Deno.Command("chattr", { args: ["-i", out] }).output();
      await Deno.chmod(out, 0o755);
    }
    assert.deepEqual([...Deno.readDirSync(out)], []);
  });
});

Deno.test("import-alembic reads a revision file that is a symlink, as Alembic does", async () => {
  await withTempDir(async (dir) => {
    await writeScripts(`${dir}/alembic`, {
      "alembic.ini": "[alembic]\nscript_location = %(here)s\n",
      "shared/1000_root.py": rev("root", "None"),
      "versions/1001_next.py": rev("next", "'root'"),
    });
    await Deno.symlink(
      `${dir}/alembic/shared/1000_root.py`,
      `${dir}/alembic/versions/1000_root.py`,
    );
    const out = `${dir}/migrations`;
    const imp = await runCli(["--migrations", out, "import-alembic", `${dir}/alembic/versions`]);
    assert.equal(imp.code, 0, imp.err);
    assert.match(imp.out, /Imported 2 revision\(s\)/);
    const r = await new Deno.Command(PYTHON, {
      args: ["-m", "alembic", "-c", `${dir}/alembic/alembic.ini`, "history"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(r.success, new TextDecoder().decode(r.stderr));
    const b = await runCli(["--migrations", out, "history"]);
    assert.deepEqual(lines(b.out), lines(new TextDecoder().decode(r.stdout)));
    assert.deepEqual(lines(b.out), [
      "<base> -> root, root message",
      "root -> next (head), next message",
    ]);
  });
});

Deno.test("import-alembic finds imported constants in the current directory and --python-path", async () => {
  await withTempDir(async (dir) => {
    // Glance's versions folder copied away from its source tree; glance/db/migration.py
    // only in a separate folder (as in an installed package's site-packages).
    const glance = new URL("./fixtures/alembic_real/glance/glance/", import.meta.url).pathname;
    await Deno.mkdir(`${dir}/copy/versions`, { recursive: true });
    const versions = `${glance}db/sqlalchemy/alembic_migrations/versions`;
    for (const e of Deno.readDirSync(versions)) {
      await Deno.copyFile(`${versions}/${e.name}`, `${dir}/copy/versions/${e.name}`);
    }
    await Deno.mkdir(`${dir}/site/glance/db`, { recursive: true });
    await Deno.copyFile(`${glance}db/migration.py`, `${dir}/site/glance/db/migration.py`);

    const lost = await runCli([
      "--migrations",
      `${dir}/m1`,
      "import-alembic",
      `${dir}/copy/versions`,
    ]);
    assert.equal(lost.code, 6, lost.err);
    assert.match(
      lost.err,
      /migration\.CONTRACT_BRANCH', which could not be resolved .*--python-path/,
    );

    const found = await runCli([
      "--migrations",
      `${dir}/m2`,
      "import-alembic",
      "--python-path",
      `${dir}/site`,
      `${dir}/copy/versions`,
    ]);
    assert.equal(found.code, 0, found.err);
    const heads = await runCli(["--migrations", `${dir}/m2`, "heads"]);
    assert.deepEqual(
      lines(heads.out),
      [
        "2024_1_contract01 (ocata01, contract) (head)",
        "2024_1_expand01 (expand) (effective head)",
      ].sort(),
    );

    // `python3 -m alembic` puts the current directory on sys.path; so does the import.
    const cwd = Deno.cwd();
    Deno.chdir(`${dir}/site`);
    try {
      const here = await runCli([
        "--migrations",
        `${dir}/m3`,
        "import-alembic",
        `${dir}/copy/versions`,
      ]);
      assert.equal(here.code, 0, here.err);
    } finally {
      Deno.chdir(cwd);
    }
  });
});
