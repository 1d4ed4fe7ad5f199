import { describe, expect, it } from "vitest";
import {
  formatClock,
  formatCount,
  formatLatency,
  formatRate,
  formatSpeed,
  padEnd,
  padStart,
  sparkline,
  truncate,
} from "./format.js";

describe("formatters", () => {
  it("virtual time as HH:MM:SS.mmm", () => {
    expect(formatClock(0)).toBe("00:00:00.000");
    expect(formatClock(83_456_999_999)).toBe("00:01:23.456");
    expect(formatClock(100 * 3600e9)).toBe("100:00:00.000");
  });

  it("counts in at most five characters", () => {
    expect([0, 987, 1000, 12_345, 123_456, 1_234_567, 98_765_432, null].map(formatCount)).toEqual([
      "0",
      "987",
      "1.0k",
      "12k",
      "123k",
      "1.2M",
      "99M",
      "-",
    ]);
  });

  it("latencies and rates with units", () => {
    expect([850, 1234, 35_000, 1_500_000, null].map(formatLatency)).toEqual([
      "850µs",
      "1.2ms",
      "35ms",
      "1.5s",
      "-",
    ]);
    expect([512, 4096 * 300, null].map(formatRate)).toEqual(["512B/s", "1.2M/s", "-"]);
    expect([1, 10, 100, 0.5, 37.84].map(formatSpeed)).toEqual(["1×", "10×", "100×", "0.5×", "38×"]);
  });

  it("sparklines scale to the largest sample and keep their width", () => {
    expect(sparkline([1, 2, 4, 8], 4)).toBe("▁▂▄█");
    expect(sparkline([8], 4)).toBe("   █");
    expect(sparkline([0, 4], 2, 8)).toBe(" ▄");
    expect(sparkline([1, 2, 3, 4, 5, 6], 3)).toHaveLength(3);
    expect(sparkline([], 0)).toBe("");
  });

  it("cuts and pads to exact widths", () => {
    expect(truncate("mpathaaa", 6)).toBe("mpath…");
    expect(truncate("sda", 6)).toBe("sda");
    expect(padEnd("sda", 5)).toBe("sda  ");
    expect(padStart("42", 5)).toBe("   42");
    expect(padEnd("abcdefgh", 4)).toBe("abc…");
  });
});
