import { Buffer } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  acceptCommandLength,
  acceptReplyLength,
  bodyToString,
  encodeFrame,
  encodeLength,
  FrameReader,
  MAX_CMD_LEN,
  MAX_REPLY_LEN,
} from "./framing.js";

describe("frames (mpath_send_cmd)", () => {
  it("a frame is an 8-byte length counting the NUL, the bytes, and the NUL", () => {
    expect([...encodeFrame("show maps", "LE")]).toEqual([
      10, 0, 0, 0, 0, 0, 0, 0, 0x73, 0x68, 0x6f, 0x77, 0x20, 0x6d, 0x61, 0x70, 0x73, 0,
    ]);
    expect([...encodeFrame("ok\n", "BE")]).toEqual([0, 0, 0, 0, 0, 0, 0, 4, 0x6f, 0x6b, 0x0a, 0]);
    expect([...encodeFrame("", "LE")]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("counts UTF-8 bytes and cuts at an embedded NUL", () => {
    expect([...encodeFrame("é", "LE")]).toEqual([3, 0, 0, 0, 0, 0, 0, 0, 0xc3, 0xa9, 0]);
    expect([...encodeFrame("a\0b", "LE")]).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0x61, 0]);
  });

  it("encodes 64-bit lengths", () => {
    expect([...encodeLength(2n ** 32n + 1n, "LE")]).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  });

  it("a body is read as a C string", () => {
    expect(bodyToString(Buffer.from("show\0maps\0"))).toBe("show");
    expect(bodyToString(Buffer.from("no nul"))).toBe("no nul");
  });

  it("valid lengths: commands 1..512, replies 1..32MiB-1", () => {
    expect([0n, 1n, 512n, 513n].map(acceptCommandLength)).toEqual([false, true, true, false]);
    expect(acceptCommandLength(BigInt(MAX_CMD_LEN))).toBe(true);
    expect(acceptReplyLength(BigInt(MAX_REPLY_LEN))).toBe(false);
    expect(acceptReplyLength(BigInt(MAX_REPLY_LEN - 1))).toBe(true);
    expect(acceptReplyLength(2n ** 64n - 1n)).toBe(false);
  });
});

describe("FrameReader", () => {
  it("reassembles frames from any chunking", () => {
    const texts = fc.array(
      fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\0")),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(texts, fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }), (msgs, cuts) => {
        const stream = Buffer.concat(msgs.map((m) => encodeFrame(m, "LE")));
        const r = new FrameReader(() => true, "LE");
        const got: string[] = [];
        let at = 0;
        let i = 0;
        while (at < stream.length) {
          const n = cuts[i++ % cuts.length]!;
          r.push(stream.subarray(at, at + n));
          at += n;
          for (let ev = r.next(); ev.kind === "frame"; ev = r.next()) got.push(bodyToString(ev.body));
        }
        expect(got).toEqual(msgs);
        expect(r.buffered).toBe(0);
      }),
    );
  });

  it("reports an out-of-range length instead of waiting for the body", () => {
    const r = new FrameReader(acceptCommandLength, "LE");
    r.push(encodeLength(513, "LE"));
    expect(r.next()).toEqual({ kind: "bad-length", length: 513n });
    const z = new FrameReader(acceptCommandLength, "LE");
    z.push(encodeLength(0, "LE"));
    expect(z.next()).toEqual({ kind: "bad-length", length: 0n });
  });

  it("waits for the rest of a short length word or body", () => {
    const r = new FrameReader(() => true, "LE");
    r.push(Buffer.from([4, 0, 0]));
    expect(r.next()).toEqual({ kind: "need-more" });
    r.push(Buffer.from([0, 0, 0, 0, 0, 0x61]));
    expect(r.next()).toEqual({ kind: "need-more" });
    expect(r.inFrame).toBe(true);
    r.push(Buffer.from([0x62, 0x63, 0]));
    const ev = r.next();
    expect(ev.kind).toBe("frame");
    if (ev.kind === "frame") expect(bodyToString(ev.body)).toBe("abc");
  });
});
