import { describe, expect, it } from "vitest";
import { IoSampler, parseBlockStat } from "./io-sampler.js";

/** A stat line: reads, read sectors, read ms, writes, write sectors, write ms, in flight. */
function stat(r: number, rs: number, rms: number, w: number, ws: number, wms: number, inflight = 0): string {
  const f = [r, 0, rs, rms, w, 0, ws, wms, inflight, rms + wms, rms + wms, 0, 0, 0, 0, 0, 0];
  return `${f.map((n) => String(n).padStart(8)).join(" ")}\n`;
}

const S = 1_000_000_000;

describe("parseBlockStat", () => {
  it("adds reads and writes", () => {
    expect(parseBlockStat(stat(10, 80, 5, 4, 32, 3, 2), 7)).toEqual({
      timeNs: 7,
      ios: 14,
      sectors: 112,
      ticksMs: 8,
      inFlight: 2,
    });
  });
  it("rejects what is not a stat line", () => {
    expect(parseBlockStat("", 0)).toBeNull();
    expect(parseBlockStat("1 2 3", 0)).toBeNull();
  });
});

describe("IoSampler", () => {
  it("computes IOPS, throughput and average latency between readings, as iostat does", () => {
    let text = stat(0, 0, 0, 0, 0, 0);
    const s = new IoSampler(() => text);
    s.sample(0, ["sda"]);
    expect(s.rates("sda")).toBeUndefined();
    // 1 s later: 300 reads + 100 writes of 4 KiB, 100 ms spent in total.
    text = stat(300, 2400, 75, 100, 800, 25, 3);
    s.sample(S, ["sda"]);
    const r = s.rates("sda")!;
    expect(r.iops).toBe(400);
    expect(r.bytesPerSec).toBe(400 * 4096);
    expect(r.latencyUs).toBe(250);
    expect(r.inFlight).toBe(3);
    expect(r.iopsHistory).toEqual([400]);
  });

  it("averages over at least a second however often it samples", () => {
    let ios = 0;
    const s = new IoSampler(() => stat(ios, ios * 8, ios / 4, 0, 0, 0));
    for (let t = 0; t <= 20; t++) {
      ios = t * 50; // 50 I/Os per 100 ms = 500 IOPS
      s.sample(t * 100_000_000, ["sdb"]);
    }
    expect(s.rates("sdb")!.iops).toBeCloseTo(500, 6);
    // One history sample per second.
    expect(s.rates("sdb")!.iopsHistory).toHaveLength(2);
  });

  it("an idle device has no latency, not zero latency", () => {
    const s = new IoSampler(() => stat(5, 40, 1, 0, 0, 0));
    s.sample(0, ["sdc"]);
    s.sample(S, ["sdc"]);
    expect(s.rates("sdc")).toMatchObject({ iops: 0, latencyUs: null });
  });

  it("keeps the rates while time stands still (paused)", () => {
    let n = 0;
    const s = new IoSampler(() => stat(n, 0, 0, 0, 0, 0));
    s.sample(0, ["sdd"]);
    n = 100;
    s.sample(S, ["sdd"]);
    s.sample(S, ["sdd"]);
    expect(s.rates("sdd")!.iops).toBe(100);
  });

  it("forgets devices that went away", () => {
    const s = new IoSampler(() => stat(1, 1, 1, 1, 1, 1));
    s.sample(0, ["sde"]);
    s.sample(S, ["sde"]);
    expect(s.rates("sde")).toBeDefined();
    s.sample(2 * S, []);
    expect(s.rates("sde")).toBeUndefined();
  });

  it("keeps at most historyLength samples, oldest first", () => {
    let n = 0;
    const s = new IoSampler(() => stat(n, 0, 0, 0, 0, 0), { historyLength: 3 });
    for (let t = 0; t <= 5; t++) {
      n = t * t * 10;
      s.sample(t * S, ["sdf"]);
    }
    expect(s.rates("sdf")!.iopsHistory).toEqual([50, 70, 90]);
  });
});
