import { describe, expect, it } from "vitest";
import {
  fixedEma,
  fixedPower,
  historicalServiceTimeSelector,
  hstCompare,
  hstWeights,
} from "./historical-service-time.js";
import type { DmPath, PathSelector } from "./path-selector.js";
import { FakeSelectorEnv, fakePath, names } from "./testing/fake-selector-env.js";

function make(
  n: number,
  args: string[] = [],
  env = new FakeSelectorEnv(),
): { ps: PathSelector; p: DmPath[] } {
  const r = historicalServiceTimeSelector.create(args, env);
  if (!r.ok) throw new Error("create failed");
  const p = Array.from({ length: n }, (_, i) => fakePath(i));
  for (const x of p) r.selector.addPath(x, []);
  return { ps: r.selector, p };
}

describe("hst fixed point", () => {
  // Hand-computed with the kernel's rounding: every multiply is (a*b + 512) >> 10.
  it("fixed_power rounds after each multiply", () => {
    expect(fixedPower(972, 10, 1)).toBe(972);
    expect(fixedPower(972, 10, 2)).toBe(923); // (972*972+512)>>10
    expect(fixedPower(972, 10, 3)).toBe(876); // (972*923+512)>>10
    expect(fixedPower(512, 10, 10)).toBe(1); // 0.5^10 rounds to 1/1024
    expect(fixedPower(512, 10, 12)).toBe(0);
    expect(fixedPower(123, 10, 0)).toBe(1024);
  });

  it("builds the 64-entry weight table with the last weight 0", () => {
    const w = hstWeights(972);
    expect(w).toHaveLength(64);
    expect(w.slice(0, 8)).toEqual([972, 923, 876, 832, 790, 750, 712, 676]);
    expect(w[20]).toBe(344);
    expect(w[62]).toBe(39);
    expect(w[63]).toBe(0);
    expect(hstWeights(0).every((x) => x === 0)).toBe(true);
  });

  it("fixed_ema is exact past 2^53 intermediates", () => {
    expect(fixedEma(1024, 1_000_000 * 1024, 972)).toBe(52000972);
    // float arithmetic would give ...740 here
    expect(fixedEma(10000000000252, 3000000000001, 973)).toBe(9651367187739);
    expect(fixedEma(5, 7, 0)).toBe(7);
  });
});

describe("hst_compare", () => {
  const now = 1_000_000;
  it("compares outstanding counts when the estimates are within the threshold", () => {
    // threshold 2: 3000 is not > 2*2000
    expect(hstCompare(3000, 4, 0, 2000, 1, 0, now, 2)).toBe(3);
  });

  it("with threshold 0 or 1 only equal estimates count as similar", () => {
    // threshold 1: equal estimates are similar → outstanding difference
    expect(hstCompare(2048, 5, 5e6, 2048, 2, 5e6, now, 1)).toBe(3);
    // threshold 0: equal non-zero estimates are "over" → (1+5)*2048 > (1+2)*2048, p2 fresh → +1
    expect(hstCompare(2048, 5, 5e6, 2048, 2, 5e6, now, 0)).toBe(1);
  });

  it("prefers an idle stale path, and of two idle paths the most stale", () => {
    // p1 idle and stale (stale_after < now): (!out2*stale1) - (!out1*stale2) = 0 - 900
    expect(hstCompare(5000, 0, 900, 1000, 3, 2e6, now, 0)).toBe(-2e6);
    expect(hstCompare(5000, 0, 300, 1000, 0, 200, now, 0)).toBe(100);
  });

  it("multiplies estimates by (1 + outstanding)", () => {
    // (1+1)*3000 = 6000 > (1+3)*1000 = 4000 → p2 better, p2 fresh → +1
    expect(hstCompare(3000, 1, 2e6, 1000, 3, 2e6, now, 0)).toBe(1);
    // p2 better but stale: limited to equal usage → out1 - out2
    expect(hstCompare(3000, 1, 2e6, 1000, 3, 10, now, 0)).toBe(-2);
    // p1 better and fresh → -1
    expect(hstCompare(1000, 3, 2e6, 3000, 1, 2e6, now, 0)).toBe(-1);
  });

  it("drops the fraction above 1023 in flight", () => {
    // hst >> 10: 2048→2, 3071→2: (1+1024)*2 > (1+2000)*2 is false → p1 better
    expect(hstCompare(2048, 1024, 2e6, 3071, 2000, 2e6, now, 0)).toBe(-1);
  });
});

describe("historical-service-time", () => {
  it("updates the EWMA, outstanding and stale_after at end of I/O", () => {
    const env = new FakeSelectorEnv();
    const { ps, p } = make(2, [], env);
    expect(ps.status(null, "info")).toBe("2 972 0");
    expect(ps.status(p[0]!, "info")).toBe("1024 0 0");
    env.time = 1000;
    const x = ps.select(4096, 0)!;
    expect(x.dev.name).toBe("7:0");
    ps.startIo!(x, 4096);
    expect(ps.status(x, "info")).toBe("1024 1 0");
    env.time = 1_001_000;
    ps.endIo!(x, 4096, 1000);
    // st = 1e6 ns, bucket 0, weight 972: (1024*972 + 1e6*1024*52 + 512) >> 10
    // stale_after = last_finish + valid_count * (hst >> 10) = 1001000 + 2 * 50782
    expect(ps.status(x, "info")).toBe("52000972 0 1102564");
    expect(ps.status(x, "table")).toBe("0");
  });

  it("treats a start before the previous finish as serial submission", () => {
    const env = new FakeSelectorEnv();
    const { ps, p } = make(1, ["0"], env);
    env.time = 5000;
    ps.startIo!(p[0]!, 512);
    ps.startIo!(p[0]!, 512);
    ps.endIo!(p[0]!, 512, 1000); // st 4000, weight 0 → hst = 4000*1024
    env.time = 6000;
    ps.endIo!(p[0]!, 512, 1000); // start moved to last_finish 5000 → st 1000
    expect(ps.status(p[0]!, "info")).toBe(`${1000 * 1024} 0 ${6000 + 1000}`);
  });

  it("discards history for samples in the last bucket (weight 0)", () => {
    const env = new FakeSelectorEnv();
    const { ps, p } = make(1, [], env);
    env.time = 3e9;
    ps.startIo!(p[0]!, 512);
    ps.endIo!(p[0]!, 512, 1e9); // st = 2 s → bucket 119 → clamped 63 → weight 0
    expect(ps.status(p[0]!, "info").split(" ")[0]).toBe(String(2e9 * 1024));
  });

  it("selects the path with the lower estimate and moves it to the tail", () => {
    const env = new FakeSelectorEnv();
    const { ps, p } = make(2, ["0"], env);
    // make 7:0 slow (10 us) and 7:1 fast (1 us), both fresh for a while
    env.time = 10_000;
    ps.startIo!(p[0]!, 512);
    ps.endIo!(p[0]!, 512, 0);
    ps.startIo!(p[1]!, 512);
    env.time = 11_000;
    ps.endIo!(p[1]!, 512, 10_000);
    env.time = 11_500;
    ps.startIo!(p[0]!, 512);
    ps.startIo!(p[1]!, 512);
    expect(names([ps.select(512, 0)])).toEqual(["7:1"]);
  });

  it("with threshold 0, compares paths whose estimates decayed to 0 by outstanding only", () => {
    const env = new FakeSelectorEnv();
    // base weight 1: each zero-length sample keeps 1/1024 of the estimate, 1024 → 1 → 0
    const { ps, p } = make(2, ["1", "0"], env);
    env.time = 1000;
    for (const x of p)
      for (let i = 0; i < 2; i++) {
        ps.startIo!(x, 512);
        ps.endIo!(x, 512, 1000);
      }
    expect(ps.status(p[0]!, "info")).toBe("0 0 1000");
    ps.startIo!(p[0]!, 512);
    ps.startIo!(p[1]!, 512);
    ps.startIo!(p[1]!, 512);
    // Not over the threshold (0 > 0 × 0 is false): fewer in flight wins, not the fresh later path.
    expect(names([ps.select(512, 0)])).toEqual(["7:0"]);
  });

  it("takes base weight and threshold from the selector args and rejects bad ones", () => {
    const env = new FakeSelectorEnv();
    const r = historicalServiceTimeSelector.create(["512", "3"], env);
    expect(r.ok && r.selector.status(null, "table")).toBe("2 512 3");
    for (const bad of [["1024"], ["x"], ["1", "x"], ["1", "2", "3"], ["-1"]])
      expect(historicalServiceTimeSelector.create(bad, env)).toEqual({ ok: false, errno: -22 });
  });

  it("checks per-path args without clamping the repeat count", () => {
    const env = new FakeSelectorEnv();
    const { ps } = make(0, [], env);
    expect(ps.addPath(fakePath(0), ["1", "2"])).toEqual({
      ok: false,
      error: "historical-service-time ps: incorrect number of arguments",
    });
    expect(ps.addPath(fakePath(0), ["y"])).toEqual({
      ok: false,
      error: "historical-service-time ps: invalid repeat count",
    });
    expect(ps.addPath(fakePath(0), ["50"])).toEqual({ ok: true });
    expect(env.limited).toEqual([]);
  });

  it("prints a wrapped outstanding counter as u64", () => {
    const { ps, p } = make(1);
    ps.endIo!(p[0]!, 512, 0);
    expect(ps.status(p[0]!, "info").split(" ")[1]).toBe("18446744073709551615");
  });
});
