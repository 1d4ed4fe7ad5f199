import { createRng, ReqOp } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { DiskMechanics } from "./disk-mechanics.js";
import { TimingSpecError } from "./errors.js";
import { deviceProfiles, portProfiles } from "./profiles.js";
import { QueueingResource, type ResourceSpec } from "./queueing-resource.js";
import { tandem } from "./tandem.js";

const R = ReqOp.READ;
const W = ReqOp.WRITE;
const res = (spec: ResourceSpec, seed = 1, capacitySectors?: number) =>
  new QueueingResource("r", spec, createRng(seed), capacitySectors ? { capacitySectors } : {});

describe("QueueingResource: queue depth", () => {
  it("I/O beyond the queue depth waits for the first server to free up (FCFS)", () => {
    const r = res({ queueDepth: 2, service: { kind: "fixed", ns: 100 } });
    expect([0, 0, 0, 0, 0].map(() => r.serviceNs(R, 4096, 0, 0))).toEqual([100, 100, 200, 200, 300]);
    // At t=250 one server is free (since 200) and one busy until 300.
    expect(r.serviceNs(R, 4096, 0, 250)).toBe(100);
    expect(r.serviceNs(R, 4096, 0, 250)).toBe(150);
    expect(r.busyServers(250)).toBe(2);
  });

  it("an unlimited resource never queues", () => {
    const r = res({ service: { kind: "fixed", ns: 100 } });
    for (let i = 0; i < 1000; i++) expect(r.serviceNs(W, 512, i, 0)).toBe(100);
  });

  it("pipeline latency delays without occupying a server", () => {
    const r = res({ queueDepth: 1, service: { kind: "fixed", ns: 10 }, latencyNs: 1000 });
    expect(r.serviceNs(R, 512, 0, 0)).toBe(1010);
    expect(r.serviceNs(R, 512, 0, 0)).toBe(1020);
  });

  it("reset frees the servers: aborted work does not hold up what follows", () => {
    const r = res({ queueDepth: 1, service: { kind: "fixed", ns: 1000 } });
    for (let i = 0; i < 10; i++) r.serviceNs(R, 512, 0, 0);
    expect(r.serviceNs(R, 512, 0, 500)).toBe(10_500);
    r.reset(500);
    expect(r.serviceNs(R, 512, 0, 500)).toBe(1000);
  });

  it("M/D/1: the mean response time matches Pollaczek–Khinchine at load 0.8", () => {
    const S = 1000;
    const rho = 0.8;
    const r = res({ queueDepth: 1, service: { kind: "fixed", ns: S } });
    const arrivals = createRng(99);
    let t = 0;
    let sum = 0;
    const n = 300_000;
    for (let i = 0; i < n; i++) {
      t += (-Math.log(1 - arrivals.float()) * S) / rho;
      sum += r.serviceNs(R, 0, 0, Math.round(t));
    }
    const expected = S + (rho * S) / (2 * (1 - rho)); // 3000 ns
    expect(Math.abs(sum / n - expected) / expected).toBeLessThan(0.03);
  });

  it("M/M/c-like saturation: throughput never exceeds queueDepth / mean service", () => {
    const r = res({ queueDepth: 4, service: { kind: "lognormal", meanNs: 1000, stddevNs: 300 } });
    let last = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) last = Math.max(last, r.serviceNs(R, 0, 0, 0));
    const iops = n / (last / 1e9);
    expect(iops).toBeLessThan(4e6 * 1.02);
    expect(iops).toBeGreaterThan(4e6 * 0.98);
  });
});

describe("QueueingResource: rate caps", () => {
  it("a bandwidth cap serializes transfers: back-to-back I/O completes at bytes/bandwidth intervals", () => {
    const r = res({ rate: { read: { bytesPerSec: 1e9 } } });
    expect([0, 0, 0].map(() => r.serviceNs(R, 4096, 0, 0))).toEqual([4096, 8192, 12288]);
    // Writes have no cap here and pass at once.
    expect(r.serviceNs(W, 4096, 0, 0)).toBe(0);
  });

  it("sustained throughput equals the bandwidth cap whatever the block size", () => {
    for (const bs of [4096, 65536, 1 << 20]) {
      const r = res({
        queueDepth: 32,
        service: { kind: "fixed", ns: 50_000 },
        rate: { write: { bytesPerSec: 500e6 } },
      });
      let end = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) end = Math.max(end, r.serviceNs(W, bs, 0, 0));
      const bw = (n * bs) / (end / 1e9);
      // Small blocks are server-bound (32 / 50 µs = 640K IOPS → 2.6 GB/s at 4 KiB > cap), so all hit the cap.
      expect(Math.abs(bw - 500e6) / 500e6).toBeLessThan(0.01);
    }
  });

  it("an IOPS cap spaces I/O by 1/iops; the larger of the two caps' occupancy wins", () => {
    const r = res({ rate: { read: { iops: 1000, bytesPerSec: 1e6 } } });
    expect(r.serviceNs(R, 512, 0, 0)).toBe(1_000_000); // 1 ms by IOPS (512 B would take 0.512 ms)
    expect(r.serviceNs(R, 4096, 0, 0)).toBe(1_000_000 + 4_096_000); // then 4.096 ms by bandwidth
  });

  it("full duplex: reads and writes do not share bandwidth; half duplex: they do", () => {
    const full = res({ rate: { read: { bytesPerSec: 1e9 }, write: { bytesPerSec: 1e9 }, duplex: "full" } });
    expect([full.serviceNs(R, 1000, 0, 0), full.serviceNs(W, 1000, 0, 0)]).toEqual([1000, 1000]);
    const half = res({ rate: { read: { bytesPerSec: 1e9 }, write: { bytesPerSec: 0.5e9 }, duplex: "half" } });
    expect([half.serviceNs(R, 1000, 0, 0), half.serviceNs(W, 1000, 0, 0)]).toEqual([1000, 3000]);
  });

  it("read/write asymmetry: each direction draws from its own distribution", () => {
    const r = res({ service: { read: { kind: "fixed", ns: 90_000 }, write: { kind: "fixed", ns: 20_000 } } });
    expect(r.serviceNs(R, 4096, 0, 0)).toBe(90_000);
    expect(r.serviceNs(W, 4096, 0, 0)).toBe(20_000);
    expect(r.serviceNs(ReqOp.FLUSH, 0, 0, 0)).toBe(20_000);
  });

  it("fault knobs: serviceScale slows service (and so queueing), extraLatencyNs adds a fixed delay", () => {
    const r = res({ queueDepth: 1, service: { kind: "fixed", ns: 100 } });
    r.serviceScale = 3;
    expect(r.serviceNs(R, 0, 0, 0)).toBe(300);
    expect(r.serviceNs(R, 0, 0, 0)).toBe(600);
    r.serviceScale = 1;
    r.extraLatencyNs = 5_000;
    expect(r.serviceNs(R, 0, 0, 1_000)).toBe(5_100);
  });
});

describe("QueueingResource: determinism and streams", () => {
  it("same seed → same delays; a second resource on the same rng does not perturb the first", () => {
    const spec: ResourceSpec = {
      queueDepth: 8,
      service: { kind: "lognormal", meanNs: 100_000, stddevNs: 40_000 },
    };
    const alone = new QueueingResource("lun0", spec, createRng(5));
    const a = Array.from({ length: 200 }, (_, i) => alone.serviceNs(R, 4096, i, i * 10_000));
    const rng = createRng(5);
    const lun1 = new QueueingResource("lun1", spec, rng);
    const lun0 = new QueueingResource("lun0", spec, rng);
    const b: number[] = [];
    for (let i = 0; i < 200; i++) {
      lun1.serviceNs(W, 8192, i, i * 10_000);
      b.push(lun0.serviceNs(R, 4096, i, i * 10_000));
    }
    expect(b).toEqual(a);
    expect(a.every((d) => Number.isInteger(d) && d >= 0)).toBe(true);
  });
});

describe("QueueingResource: validation", () => {
  it("rejects bad specs with a typed error naming each field", () => {
    const bad = (spec: ResourceSpec, opts = {}) => {
      try {
        new QueueingResource("x", spec, createRng(1), opts);
      } catch (e) {
        expect(e).toBeInstanceOf(TimingSpecError);
        return (e as TimingSpecError).problems;
      }
      return [];
    };
    expect(bad({ queueDepth: 0 })).toEqual([
      `queueDepth must be an integer in [1, 65536] or Infinity (got 0)`,
    ]);
    expect(bad({ rate: { read: { bytesPerSec: -1 } }, service: { kind: "fixed", ns: -2 } })).toEqual([
      "service: ns must be >= 0 (got -2)",
      "rate.read.bytesPerSec must be a finite number > 0",
    ]);
    expect(bad({ mechanics: deviceProfiles["sas-hdd-10k"].mechanics })).toEqual([
      "mechanics need options.capacitySectors > 0",
    ]);
    expect(
      bad({ mechanics: deviceProfiles["sas-hdd-10k"].mechanics, queueDepth: 4 }, { capacitySectors: 1e6 }),
    ).toEqual(["a resource with mechanics has one head: queueDepth must be 1 (or omitted)"]);
  });
});

const GIB_SECTORS = (1 << 30) / 512;

describe("disk mechanics (10k rpm SAS profile)", () => {
  const mech = deviceProfiles["sas-hdd-10k"].mechanics;

  it("the seek curve meets the datasheet: t2t at 0, full stroke at 1, datasheet average over random pairs", () => {
    const d = new DiskMechanics(mech, 600 * GIB_SECTORS, createRng(1));
    expect(d.seekNs(false, 0)).toBeCloseTo(0.3e6, 3);
    expect(d.seekNs(false, 1)).toBeCloseTo(7.81e6, 3);
    expect(d.seekNs(true, 1)).toBeCloseTo(8.18e6, 3);
    const u = createRng(2);
    let sum = 0;
    let sumW = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = Math.abs(u.float() - u.float());
      sum += d.seekNs(false, x);
      sumW += d.seekNs(true, x);
    }
    expect(Math.abs(sum / n - 3.8e6) / 3.8e6).toBeLessThan(0.01);
    expect(Math.abs(sumW / n - 4.4e6) / 4.4e6).toBeLessThan(0.01);
    expect(d.revolutionNs).toBe(6e6);
  });

  it("random 4 KiB reads take overhead + average seek + half a revolution (~7 ms, ~140 IOPS)", () => {
    const cap = 600 * GIB_SECTORS;
    const r = res(deviceProfiles["sas-hdd-10k"], 3, cap);
    const rng = createRng(4);
    let sum = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const sector = Math.floor(rng.float() * (cap - 8));
      sum += r.serviceNs(R, 4096, sector, i * 1e9); // spaced out: no queueing
    }
    const mean = sum / n;
    const transfer = 4096 / 120e6; // mid-zone
    const expected = (0.2e-3 + 3.8e-3 + 3.0e-3 + transfer) * 1e9;
    expect(Math.abs(mean - expected) / expected).toBeLessThan(0.02);
    const writes = res(deviceProfiles["sas-hdd-10k"], 3, cap);
    let sumW = 0;
    for (let i = 0; i < n; i++)
      sumW += writes.serviceNs(W, 4096, Math.floor(rng.float() * (cap - 8)), i * 1e9);
    expect(sumW / n).toBeGreaterThan(mean + 0.5e6); // write seeks are 0.6 ms longer on average
  });

  it("sequential I/O streams at the media rate: no seek, no rotational wait", () => {
    const r = res(deviceProfiles["sas-hdd-10k"], 3, 600 * GIB_SECTORS);
    r.serviceNs(R, 65536, 0, 0); // positions the head
    let sector = 128;
    const d: number[] = [];
    for (let i = 0; i < 100; i++) {
      d.push(r.serviceNs(R, 65536, sector, 1e9 + i * 1e7));
      sector += 128;
    }
    // 64 KiB at ~150 MB/s (outer zone) ≈ 437 µs, every time.
    for (const x of d) expect(Math.abs(x - 65536 / 0.15)).toBeLessThan(100);
  });

  it("a backward jump or a jump beyond a track seeks again", () => {
    const r = res(deviceProfiles["sas-hdd-10k"], 3, 600 * GIB_SECTORS);
    r.serviceNs(R, 4096, 1_000_000, 0);
    expect(r.serviceNs(R, 4096, 1_000_000 - 8, 1e9)).toBeGreaterThan(0.5e6);
    expect(r.serviceNs(R, 4096, 1_000_000 + 100_000, 2e9)).toBeGreaterThan(0.5e6);
    // A small forward gap on the same track is waited out (gap / media rate + overhead).
    const d = r.serviceNs(R, 4096, 1_000_000 + 100_008 + 16, 3e9);
    expect(d).toBeLessThan(0.3e6);
  });
});

describe("tandem (a LUN behind a port)", () => {
  it("an I/O's delay through an idle path is the sum of the stages", () => {
    const port = new QueueingResource("port", portProfiles["fc-16g"], createRng(1));
    const lun = new QueueingResource("lun", { service: { kind: "fixed", ns: 100_000 } }, createRng(1));
    const path = tandem("path", [port, lun]);
    // 4 µs command handling + 2 µs wire + 4096 B at 1.6 GB/s = 2.56 µs, then the LUN's 100 µs.
    expect(path.serviceNs(R, 4096, 0, 0)).toBe(4000 + 2000 + 2560 + 100_000);
  });

  it("two ports in front of one LUN share the LUN's queue", () => {
    const rng = createRng(1);
    const lun = new QueueingResource("lun", { queueDepth: 1, service: { kind: "fixed", ns: 1000 } }, rng);
    const a = tandem("a", [new QueueingResource("pa", { latencyNs: 10 }, rng), lun]);
    const b = tandem("b", [new QueueingResource("pb", { latencyNs: 10 }, rng), lun]);
    expect(a.serviceNs(R, 512, 0, 0)).toBe(1010);
    expect(b.serviceNs(R, 512, 0, 0)).toBe(2010);
    expect(a.serviceNs(R, 512, 0, 0)).toBe(3010);
  });

  it("a saturated port caps the path though the LUN could go faster", () => {
    const rng = createRng(1);
    const port = new QueueingResource("p", { rate: { read: { bytesPerSec: 100e6 } } }, rng);
    const lun = new QueueingResource("l", deviceProfiles.nvme, rng);
    const path = tandem("path", [port, lun]);
    let end = 0;
    for (let i = 0; i < 10_000; i++) end = Math.max(end, path.serviceNs(R, 131072, i * 256, 0));
    const bw = (10_000 * 131072) / (end / 1e9);
    expect(Math.abs(bw - 100e6) / 100e6).toBeLessThan(0.01);
  });

  it("the profiles' random 4 KiB ceilings come out as documented", () => {
    const ceil = (spec: ResourceSpec, op: ReqOp) => {
      const r = new QueueingResource("d", spec, createRng(8));
      let end = 0;
      const n = 200_000;
      for (let i = 0; i < n; i++) end = Math.max(end, r.serviceNs(op, 4096, i * 8, 0));
      return n / (end / 1e9);
    };
    expect(ceil(deviceProfiles["sas-ssd"], R) / 400_000).toBeCloseTo(1, 1);
    expect(ceil(deviceProfiles["sas-ssd"], W) / 50_000).toBeCloseTo(1, 1);
    expect(ceil(deviceProfiles.nvme, R) / 840_000).toBeCloseTo(1, 1);
    expect(ceil(deviceProfiles.nvme, W) / 285_000).toBeCloseTo(1, 1);
  });
});
