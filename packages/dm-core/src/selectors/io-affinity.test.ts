import { describe, expect, it } from "vitest";
import { ioAffinitySelector } from "./io-affinity.js";
import type { DmPath, PathSelector } from "./path-selector.js";
import { FakeSelectorEnv, fakePath } from "./testing/fake-selector-env.js";

function make(masks: string[], env: FakeSelectorEnv): { ps: PathSelector; p: DmPath[] } {
  const r = ioAffinitySelector.create([], env);
  if (!r.ok) throw new Error("create failed");
  const p = masks.map((_, i) => fakePath(i));
  p.forEach((x, i) => {
    const res = r.selector.addPath(x, [masks[i]!]);
    if (!res.ok) throw new Error(res.error);
  });
  return { ps: r.selector, p };
}

describe("io-affinity", () => {
  // 4 CPUs: 0,1 on node 0, 2,3 on node 1
  const topo = [0, 0, 1, 1];

  it("sends I/O to the path mapped to the submitting CPU", () => {
    const env = new FakeSelectorEnv(topo);
    const { ps, p } = make(["3", "c"], env);
    expect([0, 1, 2, 3].map((c) => ps.select(4096, c)?.dev.name)).toEqual(["7:0", "7:0", "7:1", "7:1"]);
    expect(ps.status(p[0]!, "info")).toBe("0");
  });

  it("counts a miss for an unmapped CPU and falls back to a path of the same NUMA node", () => {
    const env = new FakeSelectorEnv(topo);
    const { ps, p } = make(["1", "8"], env); // cpu0 → 7:0, cpu3 → 7:1
    expect(ps.select(0, 2)?.dev.name).toBe("7:1"); // node 1: cpu 3
    expect(ps.select(0, 1)?.dev.name).toBe("7:0"); // node 0: cpu 0
    // map_misses is selector-wide, printed for every path
    expect(ps.status(p[0]!, "info")).toBe("2");
    expect(ps.status(p[1]!, "info")).toBe("2");
  });

  it("falls back to any mapped CPU's path when the local node has none, and skips failed paths without counting a miss", () => {
    const env = new FakeSelectorEnv(topo);
    const { ps, p } = make(["1", "8"], env);
    ps.failPath(p[0]!);
    expect(ps.select(0, 0)?.dev.name).toBe("7:1");
    expect(ps.status(p[0]!, "info")).toBe("0");
    ps.failPath(p[1]!);
    expect(ps.select(0, 0)).toBeNull();
    ps.reinstatePath(p[0]!);
    expect(ps.select(0, 3)?.dev.name).toBe("7:0");
  });

  it("keeps the first mapping of a CPU, warns about the duplicate, and re-emits the mask as given", () => {
    const env = new FakeSelectorEnv(topo);
    const { ps, p } = make(["3", "6"], env);
    expect(env.warnings).toEqual([
      "device-mapper: multipath io-affinity: CPU mapping for 1 exists. Ignoring.",
    ]);
    expect(ps.select(0, 1)?.dev.name).toBe("7:0");
    expect(ps.select(0, 2)?.dev.name).toBe("7:1");
    expect(ps.status(p[1]!, "table")).toBe("6");
    expect(ps.status(null, "table")).toBe("0");
  });

  it("rejects bad arguments with the kernel's ti->error text", () => {
    const env = new FakeSelectorEnv(topo);
    const { ps } = make(["1"], env);
    expect(ps.addPath(fakePath(5), [])).toEqual({
      ok: false,
      error: "io-affinity ps: invalid number of arguments",
    });
    expect(ps.addPath(fakePath(5), ["1", "2"])).toEqual({
      ok: false,
      error: "io-affinity ps: invalid number of arguments",
    });
    expect(ps.addPath(fakePath(5), ["z"])).toEqual({ ok: false, error: "io-affinity ps: invalid cpumask" });
    expect(ps.addPath(fakePath(5), ["10"])).toEqual({ ok: false, error: "io-affinity ps: invalid cpumask" });
    expect(ps.addPath(fakePath(5), ["1"])).toEqual({
      ok: false,
      error: "io-affinity ps: No new/valid CPU mapping found",
    });
    expect(ps.addPath(fakePath(5), ["0"])).toEqual({
      ok: false,
      error: "io-affinity ps: No new/valid CPU mapping found",
    });
  });
});
