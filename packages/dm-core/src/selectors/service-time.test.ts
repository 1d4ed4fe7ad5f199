import { describe, expect, it } from "vitest";
import type { DmPath, PathSelector } from "./path-selector.js";
import { serviceTimeSelector, stCompareLoad } from "./service-time.js";
import { FakeSelectorEnv, fakePath, names } from "./testing/fake-selector-env.js";

function make(args: string[][], env = new FakeSelectorEnv()): { ps: PathSelector; p: DmPath[] } {
  const r = serviceTimeSelector.create([], env);
  if (!r.ok) throw new Error("create failed");
  const p = args.map((_, i) => fakePath(i));
  p.forEach((x, i) => {
    const res = r.selector.addPath(x, args[i]!);
    if (!res.ok) throw new Error(res.error);
  });
  return { ps: r.selector, p };
}

describe("st_compare_load", () => {
  // Expected values computed by hand from the kernel's size_t arithmetic truncated to int.
  it("with equal throughput compares in-flight bytes", () => {
    expect(stCompareLoad(4096 * 3, 1, 4096, 1, 4096)).toBe(8192);
    expect(stCompareLoad(0, 1, 0, 1, 4096)).toBe(0);
  });

  it("with equal load or a zero throughput prefers the higher throughput", () => {
    expect(stCompareLoad(0, 50, 0, 100, 4096)).toBe(50);
    expect(stCompareLoad(8192, 0, 0, 1, 4096)).toBe(1);
    expect(stCompareLoad(0, 1, 8192, 0, 4096)).toBe(-1);
  });

  it("otherwise compares (in-flight + incoming) cross-multiplied by the other's throughput", () => {
    expect(stCompareLoad(100, 50, 300, 100, 4096)).toBe(199800);
    expect(stCompareLoad(8192, 50, 4096, 100, 4096)).toBe(819200);
    // equal service time: higher throughput wins
    expect(stCompareLoad(4096, 1, 12288, 2, 4096)).toBe(1);
  });

  it("truncates the size_t difference to int", () => {
    // (2^31-1+4096)*2 - (5+4096)*1 = 4294971385 → int 4089
    expect(stCompareLoad(2 ** 31 - 1, 1, 5, 2, 4096)).toBe(4089);
  });

  it("sign-extends a wrapped (negative) in-flight size and shifts when near the overflow limit", () => {
    expect(stCompareLoad(-1, 1, 0, 2, 4096)).toBe(4094);
    expect(stCompareLoad(-(2 ** 31), 3, 0, 2, 4096)).toBe(-33554464);
  });
});

describe("service-time", () => {
  it("prefers the path with the higher relative throughput when loads are equal", () => {
    const { ps } = make([
      ["1", "50"],
      ["1", "100"],
    ]);
    expect(names([ps.select(4096, 0)])).toEqual(["7:1"]);
  });

  it("sends I/O to a lower-throughput path once the faster one is loaded enough", () => {
    const { ps, p } = make([
      ["1", "1"],
      ["1", "3"],
    ]);
    // 7:1 (rt 3) gets I/O until (in1+4096)*1 < (in2+4096)*3 fails to hold for 7:0.
    const picks: string[] = [];
    for (let i = 0; i < 5; i++) {
      const x = ps.select(4096, 0)!;
      ps.startIo!(x, 4096);
      picks.push(x.dev.name);
    }
    expect(picks).toEqual(["7:1", "7:1", "7:1", "7:0", "7:1"]);
    expect(ps.status(p[1]!, "info")).toBe(`${4096 * 4} 3`);
    expect(ps.status(p[0]!, "info")).toBe("4096 1");
  });

  it("uses a zero-throughput path only when no other valid path exists", () => {
    const { ps, p } = make([
      ["1", "0"],
      ["1", "1"],
    ]);
    for (let i = 0; i < 3; i++) ps.startIo!(ps.select(4096, 0)!, 4096);
    expect(ps.status(p[0]!, "info")).toBe("0 0");
    ps.failPath(p[1]!);
    expect(names([ps.select(4096, 0)])).toEqual(["7:0"]);
  });

  it("rotates equal paths by moving the chosen one to the tail", () => {
    const { ps } = make([[], [], []]);
    expect(names([ps.select(0, 0), ps.select(0, 0), ps.select(0, 0), ps.select(0, 0)])).toEqual([
      "7:0",
      "7:1",
      "7:2",
      "7:0",
    ]);
  });

  it("keeps in-flight bytes as a 32-bit atomic", () => {
    const { ps, p } = make([[]]);
    ps.startIo!(p[0]!, 2 ** 31);
    expect(ps.status(p[0]!, "info")).toBe(`${-(2 ** 31)} 1`);
  });

  it("defaults repeat_count and throughput to 1 and re-emits both in TABLE", () => {
    const env = new FakeSelectorEnv();
    const { ps, p } = make([[], ["1"], ["5", "100"], ["1", "0"]], env);
    expect(p.map((x) => ps.status(x, "table"))).toEqual(["1 1", "1 1", "1 100", "1 0"]);
    expect(env.limited.map((x) => x.text)).toEqual([
      "device-mapper: multipath service-time: repeat_count > 1 is deprecated, using 1 instead",
    ]);
    expect(ps.status(null, "table")).toBe("0");
  });

  it("rejects bad arguments with the kernel's ti->error text", () => {
    const { ps } = make([]);
    const q = fakePath(9);
    expect(ps.addPath(q, ["1", "1", "1"])).toEqual({
      ok: false,
      error: "service-time ps: incorrect number of arguments",
    });
    expect(ps.addPath(q, ["x", "1"])).toEqual({ ok: false, error: "service-time ps: invalid repeat count" });
    for (const bad of ["101", "-1", "x", "1x"])
      expect(ps.addPath(q, ["1", bad])).toEqual({
        ok: false,
        error: "service-time ps: invalid relative_throughput value",
      });
    expect(ps.addPath(q, ["0", "100"])).toEqual({ ok: true });
  });
});
