import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Hex } from "./sha256.ts";

Deno.test("sha256Hex: FIPS 180-4 example messages", () => {
  assert.equal(
    sha256Hex(""),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("sha256Hex: equals node:crypto on every length around the block edges and on random text", () => {
  const hash = (s: string) => createHash("sha256").update(s).digest("hex");
  // 55, 56 and 64 bytes are where the padding takes one block or two.
  for (let n = 0; n <= 200; n++) {
    const s = "x".repeat(n);
    assert.equal(sha256Hex(s), hash(s), `length ${n}`);
  }
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = "abc ;\n'\"é€😀\t-_()ÆØÅ";
  for (let i = 0; i < 300; i++) {
    const chars = Array.from(alphabet);
    const s = Array.from(
      { length: Math.floor(next() * 3000) },
      () => chars[Math.floor(next() * chars.length)],
    ).join("");
    assert.equal(sha256Hex(s), hash(s));
  }
});
