import { describe, expect, it } from "vitest";
import { NSEC_PER_MSEC } from "../clock/clock.js";
import { FakeKernel } from "./testing/fake-dm.js";

describe("selectors through a multipath table", () => {
  it("io-affinity maps I/O by the submitting CPU and falls back on the NUMA node", () => {
    const k = new FakeKernel({ nodes: [0, 0, 1, 1] });
    const d = [k.addLoop(0), k.addLoop(1)];
    const r = k.create("ioa", "0 16384 multipath 0 0 1 1 io-affinity 0 2 1 7:0 1 7:1 4");
    if (!r.ok) throw new Error(r.error);
    const m = r.map;
    expect(m.status("table")).toBe("0 16384 multipath 0 0 1 1 io-affinity 0 2 1 7:0 1 7:1 4 ");
    for (const cpu of [0, 2, 1, 3]) m.read(0, 4096, cpu);
    k.settle();
    // cpu0 → 7:0; cpu2 → 7:1; cpu1 unmapped → node 0 → 7:0; cpu3 unmapped → node 1 → 7:1
    expect(d.map((x) => x.submitted)).toEqual([2, 2]);
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 1 1 A 0 2 1 7:0 A 0 2 7:1 A 0 2 ");
  });

  it("historical-service-time prints its group args and per-path estimates", () => {
    const k = new FakeKernel();
    k.addLoop(0, 16384, { latencyNs: 2 * NSEC_PER_MSEC });
    k.addLoop(1, 16384, { latencyNs: 100_000 });
    const r = k.create("hst", "0 16384 multipath 0 0 1 1 historical-service-time 2 512 0 2 0 7:0 7:1");
    if (!r.ok) throw new Error(r.error);
    const m = r.map;
    expect(m.status("table")).toBe(
      "0 16384 multipath 0 0 1 1 historical-service-time 2 512 0 2 1 7:0 0 7:1 0 ",
    );
    expect(m.status()).toBe("0 16384 multipath 2 1 0 0 1 1 E 2 512 0 2 3 7:0 A 0 1024 0 0 7:1 A 0 1024 0 0 ");
    for (let i = 0; i < 20; i++) {
      m.read(i * 8);
      k.settle();
    }
    // The slow path got a probe or two, the fast one the rest.
    const fields = m.status().split(" ");
    const p0 = fields.indexOf("7:0");
    const p1 = fields.indexOf("7:1");
    const hst0 = Number(fields[p0 + 3]);
    const hst1 = Number(fields[p1 + 3]);
    expect(hst0).toBeGreaterThan(hst1);
  });
});
