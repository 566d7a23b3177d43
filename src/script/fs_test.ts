import assert from "node:assert/strict";
import { ScriptError } from "../errors.ts";
import { readMigrationDir } from "./fs.ts";

Deno.test("readMigrationDir: recursive, sorted, relative '/' paths, script files only", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/versions/sub`, { recursive: true });
    await Deno.mkdir(`${dir}/.git`);
    await Deno.mkdir(`${dir}/_old`);
    const files: Record<string, string> = {
      "b.sql": "B",
      "a.sql": "A é",
      "versions/sub/c.sql": "C",
      "versions/d.sql": "D",
      "notes.txt": "no",
      ".hidden.sql": "no",
      "_draft.sql": "no",
      ".git/x.sql": "no",
      "_old/y.sql": "no",
    };
    for (const [path, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${path}`, text);
    }
    assert.deepEqual(await readMigrationDir(dir), [
      { path: "a.sql", text: "A é" },
      { path: "b.sql", text: "B" },
      { path: "versions/d.sql", text: "D" },
      { path: "versions/sub/c.sql", text: "C" },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readMigrationDir: follows symbolic links without looping", async () => {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${outside}/e.sql`, "E");
    await Deno.symlink(outside, `${dir}/linked`);
    await Deno.symlink(dir, `${dir}/loop`);
    await Deno.symlink(`${outside}/e.sql`, `${dir}/f.sql`);
    assert.deepEqual(await readMigrationDir(dir), [
      { path: "f.sql", text: "E" },
      { path: "linked/e.sql", text: "E" },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("readMigrationDir: a dangling link is an error only where a script was expected", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.symlink(`${dir}/gone`, `${dir}/notes`);
    assert.deepEqual(await readMigrationDir(dir), []);
    await Deno.symlink(`${dir}/gone.sql`, `${dir}/a.sql`);
    await assert.rejects(readMigrationDir(dir), (err: unknown) => {
      assert.ok(err instanceof ScriptError);
      assert.equal(err.message, `${dir}/a.sql:1: symbolic link to a missing file`);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readMigrationDir: a missing directory is a ScriptError naming it", async () => {
  const dir = `${await Deno.makeTempDir()}/nope`;
  await assert.rejects(readMigrationDir(dir), (err: unknown) => {
    assert.ok(err instanceof ScriptError);
    assert.equal(err.message, `migrations directory "${dir}" not found`);
    return true;
  });
});

Deno.test("readMigrationDir: a file is not a directory", async () => {
  const file = await Deno.makeTempFile();
  try {
    await assert.rejects(
      readMigrationDir(file),
      (err: unknown) =>
        err instanceof ScriptError &&
        err.message === `migrations directory "${file}" is not a directory`,
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("readMigrationDir: a file the OS refuses to read is a ScriptError naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A script name that is a link to itself: the OS refuses it (ELOOP), root or not.
    await Deno.symlink(`${dir}/b.sql`, `${dir}/b.sql`);
    await assert.rejects(readMigrationDir(`${dir}/`), (err: unknown) => {
      assert.ok(err instanceof ScriptError, String(err));
      assert.match(err.message, new RegExp(`^${dir}/b\\.sql: cannot read this file: [^\\n]+$`));
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
