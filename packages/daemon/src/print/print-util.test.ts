import { describe, expect, it } from "vitest";
import { byteLength, formatProgress, formatSize, PrintAbort } from "./print-util.js";

describe("formatSize (snprint_size)", () => {
  // Expected values produced by the same float/printf arithmetic compiled with gcc/glibc.
  const vectors: [number, string][] = [
    [0, "0.0K"],
    [1, "0.0K"],
    [2, "1.0K"],
    [3, "1.0K"],
    [4094, "2.0M"],
    [4096, "2.0M"],
    [2560, "1.2M"], // 1.25 exactly: ties go to even
    [16384, "8.0M"],
    [32768, "16M"],
    [21504, "10M"], // 10.5 exactly: ties go to even
    [23552, "12M"], // 11.5 exactly: ties go to even
    [20480, "10M"],
    [10485760, "5.0G"],
    [20971520, "10G"],
    [2097151, "1024M"],
    [20479, "10.0M"], // below 10 before rounding: one decimal
    [20481, "10M"],
    [4095, "2.0M"],
    [2 ** 40, "512T"],
    [2 ** 50, "512P"],
    [2 ** 60, "524288P"], // P is the last unit
    [3221225472, "1.5T"],
    [123456789, "59G"],
    [987654321, "471G"],
    [19999, "9.8M"],
    [20459, "10.0M"],
  ];
  for (const [sectors, text] of vectors)
    it(`${sectors} sectors print as ${text}`, () => {
      expect(formatSize(sectors)).toBe(text);
    });
});

describe("formatProgress (snprint_progress)", () => {
  it("draws X for elapsed tenths and . for the rest, then cur/total", () => {
    expect(formatProgress(2, 4)).toBe("XXXXX..... 2/4");
    expect(formatProgress(9, 10)).toBe("XXXXXXXXX. 9/10");
    expect(formatProgress(17, 20)).toBe("XXXXXXXX.. 17/20");
    expect(formatProgress(0, 5)).toBe(".......... 0/5");
    expect(formatProgress(5, 5)).toBe("XXXXXXXXXX 5/5");
  });

  it("prints only the counter when the total is not positive", () => {
    expect(formatProgress(3, 0)).toBe(" 3/0");
    // CHECKINT_UNDEF is UINT_MAX, which the C int parameter sees as -1.
    expect(formatProgress(0, 0xffff_ffff)).toBe(" 0/-1");
  });

  it("keeps upstream's quirk when cur exceeds total: nothing printed, 1 byte claimed", () => {
    expect(formatProgress(12, 10)).toEqual({ text: "", rc: 1 });
  });

  it("aborts the line for a negative count", () => {
    expect(() => formatProgress(-1, 10)).toThrow(PrintAbort);
  });
});

describe("byteLength", () => {
  it("counts UTF-8 bytes like strlen", () => {
    expect(byteLength("abc")).toBe(3);
    expect(byteLength("é")).toBe(2);
    expect(byteLength("€")).toBe(3);
    expect(byteLength("😀")).toBe(4);
    expect(byteLength("a😀é")).toBe(7);
  });
});
