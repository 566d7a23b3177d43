import assert from "node:assert/strict";
import { ScriptError } from "../errors.ts";
import {
  decodeScript,
  firstInvalidUtf8,
  listMigrationDir,
  MAX_SCRIPT_BYTES,
  readMigrationDir,
  readScripts,
} from "./fs.ts";

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

/** A migrations folder in a temporary directory, removed after `fn`. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `readMigrationDir(dir)` rejects with a ScriptError whose message is `want`. */
async function refuses(dir: string, want: string | RegExp): Promise<void> {
  await assert.rejects(readMigrationDir(dir), (err: unknown) => {
    assert.ok(err instanceof ScriptError, String(err));
    if (typeof want === "string") assert.equal(err.message, want);
    else assert.match(err.message, want);
    return true;
  });
}

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("readMigrationDir: a Latin-1 script is refused at its first bad byte, not decoded to U+FFFD", async () => {
  await inTempDir(async (dir) => {
    // "-- revision: a\n-- message: café\n" in Latin-1: é is the single byte 0xE9 at offset 30.
    const bytes = new Uint8Array([...enc("-- revision: a\n-- message: caf"), 0xe9, 0x0a]);
    await Deno.writeFile(`${dir}/a.sql`, bytes);
    await refuses(
      dir,
      `${dir}/a.sql:2: not UTF-8 text: byte 0xE9 at byte offset 30 is not valid UTF-8 ` +
        `(Latin-1 or another encoding?); save the file as UTF-8`,
    );
  });
});

Deno.test("readMigrationDir: a binary file and UTF-16 text are named as such", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/a.sql`, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0a, 0x00]));
    await refuses(dir, `${dir}/a.sql:2: a binary file, not SQL text (NUL byte at byte offset 5)`);
    await Deno.writeFile(`${dir}/a.sql`, new Uint8Array([0xff, 0xfe, 0x2d, 0x00, 0x2d, 0x00]));
    await refuses(
      dir,
      `${dir}/a.sql:1: UTF-16 text (byte order mark at byte offset 0); save the file as UTF-8`,
    );
  });
});

Deno.test("decodeScript: UTF-8 passes whole, byte order mark included (as Deno.readTextFile)", () => {
  const text = "\uFEFF-- é ü 🚀 \u{10FFFF}\n";
  assert.equal(decodeScript("x.sql", enc(text)), text);
});

Deno.test("firstInvalidUtf8: the first byte of the first ill-formed sequence", () => {
  const cases: [number[], number][] = [
    [[0x41, 0xc3, 0xa9], -1], // é
    [[0x41, 0xe9, 0x41], 1], // Latin-1 é
    [[0xc0, 0x80], 0], // overlong NUL
    [[0xed, 0xa0, 0x80], 0], // a surrogate
    [[0xf4, 0x90, 0x80, 0x80], 0], // past U+10FFFF
    [[0x41, 0xf0, 0x9f, 0x9a], 1], // cut off at the end
    [[0xf0, 0x9f, 0x9a, 0x80, 0x80], 4], // a stray continuation byte
  ];
  for (const [bytes, want] of cases) {
    assert.equal(firstInvalidUtf8(new Uint8Array(bytes)), want, JSON.stringify(bytes));
  }
});

Deno.test("readMigrationDir: a FIFO named *.sql is refused without opening it (which would block)", async () => {
  await inTempDir(async (dir) => {
    const r = await new Deno.Command("mkfifo", { args: [`${dir}/a.sql`] }).output();
    assert.ok(r.success);
    await refuses(
      dir,
      `${dir}/a.sql: not a regular file (a FIFO); a script must be a regular file`,
    );
  });
});

Deno.test("readMigrationDir: a link to /dev/zero is refused, not read until memory runs out", async () => {
  await inTempDir(async (dir) => {
    await Deno.symlink("/dev/zero", `${dir}/a.sql`);
    await refuses(
      dir,
      `${dir}/a.sql: not a regular file (a character device); a script must be a regular file`,
    );
  });
});

Deno.test("readMigrationDir: a script over the size limit is refused, saying the limit", async () => {
  await inTempDir(async (dir) => {
    // Sparse: no disk space used.
    const f = await Deno.open(`${dir}/a.sql`, { write: true, create: true });
    await f.truncate(MAX_SCRIPT_BYTES + 1);
    f.close();
    await refuses(dir, `${dir}/a.sql: larger than 64 MiB, the limit of a script file`);
  });
});

Deno.test("readMigrationDir: files not named *.sql are ignored whatever they are", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.sql`, "A");
    await Deno.symlink(`${dir}/notes.txt`, `${dir}/notes.txt`); // a link to itself (ELOOP)
    await Deno.symlink("/dev/zero", `${dir}/zero`);
    const r = await new Deno.Command("mkfifo", { args: [`${dir}/pipe`] }).output();
    assert.ok(r.success);
    assert.deepEqual(await readMigrationDir(dir), [{ path: "a.sql", text: "A" }]);
  });
});

Deno.test("readMigrationDir: scripts around the size of the first read are read whole and apart", async () => {
  await inTempDir(async (dir) => {
    // 64 KiB is the shared first read: below, at, above it; the small one read after the
    // large ones must not show their bytes.
    const sizes = [65535, 65536, 65537, 200_000, 3];
    const texts = sizes.map((n, i) => String.fromCharCode(97 + i).repeat(n - 1) + "\n");
    for (const [i, t] of texts.entries()) await Deno.writeTextFile(`${dir}/${i}.sql`, t);
    await Deno.symlink(`${dir}/3.sql`, `${dir}/5.sql`);
    assert.deepEqual(await readMigrationDir(dir), [
      ...texts.map((text, i) => ({ path: `${i}.sql`, text })),
      { path: "5.sql", text: texts[3] },
    ]);
  });
});

Deno.test("listMigrationDir + readScripts: the files readMigrationDir reads, one at a time", async () => {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/versions`);
    await Deno.writeTextFile(`${dir}/b.sql`, "B");
    await Deno.writeTextFile(`${dir}/versions/a.sql`, "A");
    await Deno.writeTextFile(`${dir}/notes.txt`, "no");
    await Deno.writeTextFile(`${outside}/e.sql`, "E");
    await Deno.symlink(`${outside}/e.sql`, `${dir}/c.sql`);
    const listing = await listMigrationDir(`${dir}/`);
    assert.deepEqual(listing.paths, ["b.sql", "c.sql", "versions/a.sql"]);
    assert.deepEqual([...listing.unsure], ["c.sql"]);
    assert.deepEqual([...readScripts(listing)], await readMigrationDir(dir));
    assert.deepEqual([...readScripts(listing, "m")].map((f) => [f.path, f.text, f.root]), [
      ["m/b.sql", "B", "m"],
      ["m/c.sql", "E", "m"],
      ["m/versions/a.sql", "A", "m"],
    ]);
    // Read when asked for: a file removed after listing fails only when reached.
    const files = readScripts(listing);
    assert.equal(files.next().value?.text, "B");
    await Deno.remove(`${dir}/versions/a.sql`);
    assert.equal(files.next().value?.text, "E");
    assert.throws(() => files.next(), ScriptError);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
