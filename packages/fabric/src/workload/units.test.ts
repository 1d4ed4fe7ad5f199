import { describe, expect, it } from "vitest";
import {
  fmtBytesIec,
  fmtBytesSi,
  fmtCount,
  parseBool,
  parseSize,
  parseSizeOrPercent,
  parseTime,
  splitDirections,
} from "./units.js";

const v = <T>(r: { ok: true; value: T } | { ok: false; message: string }) => (r.ok ? r.value : r.message);

describe("fio value syntax", () => {
  it("sizes: k/m/g are powers of 1024 by default, and — fio's compatibility quirk — KiB is 1000", () => {
    expect(v(parseSize("4096"))).toBe(4096);
    expect(v(parseSize("0x1000"))).toBe(4096);
    expect(v(parseSize("4k"))).toBe(4096);
    expect(v(parseSize("4K"))).toBe(4096);
    expect(v(parseSize("4kb"))).toBe(4096);
    expect(v(parseSize("4KB"))).toBe(4096);
    expect(v(parseSize("1m"))).toBe(1 << 20);
    expect(v(parseSize("2g"))).toBe(2 * 2 ** 30);
    expect(v(parseSize("1.5m"))).toBe(1572864);
    expect(v(parseSize("4KiB"))).toBe(4000);
  });

  it("sizes with kb_base=1000: kB is 1000 and KiB 1024", () => {
    expect(v(parseSize("4k", 1000))).toBe(4000);
    expect(v(parseSize("4KiB", 1000))).toBe(4096);
  });

  it("rejects what is not a size, saying so", () => {
    expect(v(parseSize("4q"))).toBe('invalid size "4q"');
    expect(v(parseSize(""))).toBe("empty size");
    expect(v(parseSize("1.5"))).toBe('invalid size "1.5": a byte count must be an integer');
    expect(v(parseSizeOrPercent("120%"))).toBe('invalid percentage "120%": must be at most 100%');
    expect(v(parseSizeOrPercent("25%"))).toEqual({ percent: 25 });
  });

  it("times: seconds by default, with fio's unit suffixes", () => {
    expect(v(parseTime("10"))).toBe(10e9);
    expect(v(parseTime("500ms"))).toBe(500e6);
    expect(v(parseTime("100us"))).toBe(100e3);
    expect(v(parseTime("2m"))).toBe(120e9);
    expect(v(parseTime("1h"))).toBe(3600e9);
    expect(v(parseTime("3x"))).toBe('invalid time "3x": unknown unit "x"');
  });

  it("booleans and per-direction values", () => {
    expect([parseBool("1"), parseBool("yes"), parseBool(""), parseBool("off")].map(v)).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(v(parseBool("maybe"))).toBe('invalid boolean "maybe"');
    expect(splitDirections("4k")).toEqual({ read: "4k", write: "4k" });
    expect(splitDirections("4k,8k")).toEqual({ read: "4k", write: "8k" });
    expect(splitDirections(",500")).toEqual({ read: undefined, write: "500" });
  });

  it("prints sizes, bandwidths and counts the way fio does", () => {
    expect(fmtBytesIec(4096)).toBe("4096B");
    expect(fmtBytesIec(65536)).toBe("64.0KiB");
    expect(fmtBytesIec(1048576)).toBe("1024KiB");
    expect(fmtBytesIec(179 * 1048576 + 300_000)).toBe("179MiB");
    expect(fmtBytesIec(12288)).toBe("12.0KiB");
    expect(fmtBytesIec(76.7 * 1048576)).toBe("76.7MiB");
    expect(fmtBytesSi(5373e6)).toBe("5373MB");
    expect(fmtBytesSi(10.4e9)).toBe("10.4GB");
    expect(fmtBytesSi(12288)).toBe("12.3kB");
    expect(fmtCount(1312345)).toBe("1312k");
    expect(fmtCount(12345)).toBe("12.3k");
    expect(fmtCount(1999)).toBe("1999");
    expect(fmtCount(4105343, 6)).toBe("4105.3k");
  });
});
