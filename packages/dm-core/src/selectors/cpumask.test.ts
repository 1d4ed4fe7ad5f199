import { describe, expect, it } from "vitest";
import { cpumaskFormat, cpumaskParse } from "./cpumask.js";

function cpus(s: string, nbits: number): number[] | number {
  const m = cpumaskParse(s, nbits);
  return typeof m === "number" ? m : m.cpus();
}

describe("cpumask_parse (bitmap_parse with nr_cpu_ids bits)", () => {
  it("parses hex masks, chunk 0 last", () => {
    expect(cpus("1", 4)).toEqual([0]);
    expect(cpus("f", 4)).toEqual([0, 1, 2, 3]);
    expect(cpus("A", 8)).toEqual([1, 3]);
    expect(cpus("1,00000001", 40)).toEqual([0, 32]);
    expect(cpus("00000003", 8)).toEqual([0, 1]);
  });

  it("accepts empty groups and separators, and stops at a newline", () => {
    expect(cpus("", 4)).toEqual([]);
    expect(cpus(",", 4)).toEqual([]);
    expect(cpus(" 2 ", 4)).toEqual([1]);
    expect(cpus("2\nff", 4)).toEqual([1]);
    // whitespace separates chunks like a comma
    expect(cpus("1 2", 40)).toEqual([1, 32]);
  });

  it("rejects bad characters with -EINVAL", () => {
    expect(cpus("g", 4)).toBe(-22);
    expect(cpus("0x1", 4)).toBe(-22);
    expect(cpus("-1", 4)).toBe(-22);
  });

  it("rejects bits beyond nr_cpu_ids, too many chunks and chunks over 32 bits with -EOVERFLOW", () => {
    expect(cpus("10", 4)).toBe(-75);
    expect(cpus("1,0", 4)).toBe(-75);
    expect(cpus("100000000", 64)).toBe(-75);
  });

  it("skips the character left of an 8-digit chunk, as the reverse scan consumes it", () => {
    expect(cpus("x00000001", 32)).toEqual([0]);
  });
});

describe("%*pb", () => {
  it("prints the first chunk as wide as the remaining bits, later chunks 8 digits", () => {
    const f = (s: string, n: number) => {
      const m = cpumaskParse(s, n);
      if (typeof m === "number") throw new Error("parse");
      return cpumaskFormat(m);
    };
    expect(f("3", 4)).toBe("3");
    expect(f("3", 8)).toBe("03");
    expect(f("1", 2)).toBe("1");
    expect(f("a", 32)).toBe("0000000a");
    expect(f("1,00000001", 40)).toBe("01,00000001");
    expect(f("", 64)).toBe("00000000,00000000");
  });
});
