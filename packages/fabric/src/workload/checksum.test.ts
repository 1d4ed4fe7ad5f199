import { createHash } from "node:crypto";
import { createRng } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { crc32c } from "./crc32c.js";
import { Md5 } from "./md5.js";

const enc = (s: string) => new TextEncoder().encode(s);

describe("md5", () => {
  it("matches the RFC 1321 test suite", () => {
    const m = new Md5();
    expect(m.hex(enc(""))).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(m.hex(enc("a"))).toBe("0cc175b9c0f1b6a831c399e269772661");
    expect(m.hex(enc("abc"))).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(m.hex(enc("message digest"))).toBe("f96b697d7cb7938d525a2f31aaf161d0");
    expect(m.hex(enc("abcdefghijklmnopqrstuvwxyz"))).toBe("c3fcd3d76192e4007dfb496cca67e13b");
    expect(
      m.hex(enc("12345678901234567890123456789012345678901234567890123456789012345678901234567890")),
    ).toBe("57edf4a22be3c955ac49da2e2107b67a");
  });

  it("agrees with node:crypto on every length around the block boundaries and on sub-ranges", () => {
    const rng = createRng(1);
    const buf = Uint8Array.from({ length: 4096 }, () => rng.nextU32() & 0xff);
    const m = new Md5();
    const out = new Uint8Array(20);
    for (const len of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 512, 4000]) {
      const start = len % 7;
      m.digestInto(buf, start, start + len, out, 2);
      const ref = createHash("md5")
        .update(buf.subarray(start, start + len))
        .digest();
      expect(Buffer.from(out.subarray(2, 18)).equals(ref)).toBe(true);
    }
  });
});

describe("crc32c", () => {
  it("matches the standard check value and RFC 3720's test vectors", () => {
    expect(crc32c(enc("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it("slicing-by-8 equals the bytewise definition on every alignment, and continues across pieces", () => {
    const rng = createRng(2);
    const buf = Uint8Array.from({ length: 1000 }, () => rng.nextU32() & 0xff);
    const bytewise = (d: Uint8Array, s: number, e: number) => {
      let c = 0xffffffff;
      for (let i = s; i < e; i++) {
        c ^= d[i]!;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    for (let s = 0; s < 9; s++)
      for (const e of [s, s + 7, s + 8, s + 9, 999]) expect(crc32c(buf, s, e)).toBe(bytewise(buf, s, e));
    expect(crc32c(buf, 500, 1000, crc32c(buf, 0, 500))).toBe(crc32c(buf));
  });
});
