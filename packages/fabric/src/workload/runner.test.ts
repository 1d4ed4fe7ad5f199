import { type Bio, BioPool, BlkStatus, createRng, ReqFlag, ReqOp, VirtualClock } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { QueueingResource } from "../timing/queueing-resource.js";
import { ForwardingBlockDevice } from "./forwarding-device.js";
import type { JobOptions } from "./job-options.js";
import { RamBlockDevice } from "./ram-device.js";
import { formatReportJson } from "./report-json.js";
import { runWorkload, startWorkload, WorkloadOptionsError } from "./runner.js";

const MIB = 2 ** 20;

function setup(sizeBytes = 64 * MIB, delayNs = 10_000, store = false) {
  const clock = new VirtualClock();
  const dev = new RamBlockDevice(clock, { name: "sdx", sizeBytes, delayNs, store });
  dev.log = [];
  return { clock, dev };
}

function run(jobs: JobOptions[], opts: { sizeBytes?: number; delayNs?: number; seed?: number } = {}) {
  const { clock, dev } = setup(opts.sizeBytes, opts.delayNs);
  const report = runWorkload({ clock, rng: createRng(opts.seed ?? 1), device: dev, jobs });
  return { clock, dev, report, log: dev.log! };
}

/** Binomial bound: |k/n − p| within 5 standard deviations. */
function expectFraction(k: number, n: number, p: number): void {
  expect(Math.abs(k / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
}

describe("rw modes: offsets and directions", () => {
  it("read: sequential from offset 0, one block after the other, exactly size bytes", () => {
    const { log, report } = run([{ name: "j", rw: "read", bs: "4k", size: "64k" }]);
    expect(log.map((e) => e.offset)).toEqual(Array.from({ length: 16 }, (_, i) => i * 4096));
    expect(log.every((e) => e.op === ReqOp.READ && e.bytes === 4096 && e.flags === 0)).toBe(true);
    expect(report.jobs[0]!.read.ioBytes).toBe(65536);
    expect(report.complete).toBe(true);
  });

  it("write: sequential, with O_DIRECT's REQ_SYNC|REQ_IDLE", () => {
    const { log } = run([{ name: "j", rw: "write", bs: "8k", size: "64k", offset: "1m" }]);
    expect(log.map((e) => e.offset)).toEqual(Array.from({ length: 8 }, (_, i) => MIB + i * 8192));
    expect(log.every((e) => e.op === ReqOp.WRITE && e.flags === (ReqFlag.SYNC | ReqFlag.IDLE))).toBe(true);
  });

  it("time-based sequential I/O wraps around its region", () => {
    const { log } = run([{ name: "j", rw: "read", bs: "4k", size: "16k", runtime: "100us", time_based: 1 }], {
      delayNs: 10_000,
    });
    expect(log.map((e) => e.offset)).toEqual([0, 4096, 8192, 12288, 0, 4096, 8192, 12288, 0, 4096]);
  });

  it("randread with the random map touches every block exactly once per pass, in random order", () => {
    const { log } = run([{ name: "j", rw: "randread", bs: "4k", size: "1m", iodepth: 8 }]);
    const offs = log.map((e) => e.offset);
    expect(offs).toHaveLength(256);
    expect([...offs].sort((a, b) => a - b)).toEqual(Array.from({ length: 256 }, (_, i) => i * 4096));
    expect(offs).not.toEqual([...offs].sort((a, b) => a - b));
  });

  it("norandommap: random aligned offsets that may repeat", () => {
    const { log } = run([{ name: "j", rw: "randread", bs: "4k", size: "1m", norandommap: 1 }]);
    const offs = log.map((e) => e.offset);
    expect(offs).toHaveLength(256);
    expect(offs.every((o) => o % 4096 === 0 && o >= 0 && o < MIB)).toBe(true);
    expect(new Set(offs).size).toBeLessThan(256);
  });

  it("rw (readwrite): reads and writes each go sequentially, mixed by rwmixread", () => {
    const { log } = run([{ name: "j", rw: "readwrite", rwmixread: 70, bs: "4k", size: "40m", iodepth: 4 }]);
    const reads = log.filter((e) => e.op === ReqOp.READ).map((e) => e.offset);
    const writes = log.filter((e) => e.op === ReqOp.WRITE).map((e) => e.offset);
    expect(reads).toEqual(reads.map((_, i) => i * 4096));
    expect(writes).toEqual(writes.map((_, i) => i * 4096));
    expectFraction(reads.length, log.length, 0.7);
  });

  it("randrw: random offsets, rwmixread share of reads", () => {
    const { log } = run([{ name: "j", rw: "randrw", rwmixread: 30, bs: "4k", size: "40m", iodepth: 16 }]);
    expect(log).toHaveLength(10240);
    expectFraction(log.filter((e) => e.op === ReqOp.READ).length, log.length, 0.3);
    expect(new Set(log.map((e) => e.offset)).size).toBe(10240);
  });

  it("bssplit draws block sizes by count in the given proportions", () => {
    const { log } = run([
      {
        name: "j",
        rw: "randread",
        bssplit: "4k/50:64k/30:16k/20",
        norandommap: 1,
        io_size: "400m",
        size: "64m",
      },
    ]);
    const n = log.length;
    expectFraction(log.filter((e) => e.bytes === 4096).length, n, 0.5);
    expectFraction(log.filter((e) => e.bytes === 65536).length, n, 0.3);
    expectFraction(log.filter((e) => e.bytes === 16384).length, n, 0.2);
    expect(log.every((e) => e.offset % 4096 === 0 && e.offset + e.bytes <= 64 * MIB)).toBe(true);
  });

  it("bs=r,w: reads and writes have their own block size", () => {
    const { log } = run([
      { name: "j", rw: "randrw", bs: "4k,64k", size: "8m", norandommap: 1, runtime: "10ms", time_based: 1 },
    ]);
    expect(log.every((e) => e.bytes === (e.op === ReqOp.READ ? 4096 : 65536))).toBe(true);
  });

  it("I/O stays inside [offset, offset+size)", () => {
    const { log } = run([
      { name: "j", rw: "randrw", bssplit: "4k/50:32k/50", size: "3m", offset: "5m", io_size: "30m" },
    ]);
    expect(log.every((e) => e.offset >= 5 * MIB && e.offset + e.bytes <= 8 * MIB)).toBe(true);
  });
});

describe("queue depth, pacing and termination", () => {
  it("iodepth is the number of I/Os kept in flight", () => {
    for (const iodepth of [1, 7, 32]) {
      const { dev } = run([{ name: "j", rw: "randread", size: "4m", iodepth }]);
      expect(dev.maxInflight).toBe(iodepth);
    }
  });

  it("rate_iops paces submissions at 1/iops", () => {
    const { log, report } = run([
      { name: "j", rw: "randread", rate_iops: 1000, runtime: 2, time_based: 1, iodepth: 4 },
    ]);
    expect(log.length).toBeGreaterThanOrEqual(2000);
    expect(log.length).toBeLessThanOrEqual(2001);
    for (let i = 1; i < log.length; i++) expect(log[i]!.t - log[i - 1]!.t).toBe(1_000_000);
    expect(report.jobs[0]!.read.iops).toBeCloseTo(1000, -1);
  });

  it("rate_iops caps each direction separately", () => {
    const { log } = run([{ name: "j", rw: "randrw", rate_iops: "100,300", runtime: 10, time_based: 1 }]);
    const r = log.filter((e) => e.op === ReqOp.READ).length;
    const w = log.filter((e) => e.op === ReqOp.WRITE).length;
    // The 50/50 draw stalls on the slower read cap: reads run at 100/s, writes keep pace with them.
    expect(r).toBeGreaterThanOrEqual(1000);
    expect(r).toBeLessThanOrEqual(1001);
    expect(w).toBeLessThanOrEqual(3001);
  });

  it("size-based: stops after size bytes, whatever the runtime", () => {
    const { report, clock } = run([{ name: "j", rw: "read", size: "1m", runtime: 100 }]);
    expect(report.jobs[0]!.read.ioBytes).toBe(MIB);
    expect(clock.now()).toBe(256 * 10_000);
  });

  it("runtime without time_based stops at the runtime when size is not done yet", () => {
    const { report } = run([{ name: "j", rw: "read", size: "64m", runtime: "1ms" }]);
    expect(report.jobs[0]!.read.ios).toBe(100);
    expect(report.jobs[0]!.runtimeNs).toBe(1_000_000);
  });

  it("time_based: runs the whole runtime, past the size", () => {
    const { report } = run([
      { name: "j", rw: "randread", size: "1m", runtime: "50ms", time_based: 1, iodepth: 2 },
    ]);
    expect(report.jobs[0]!.read.ios).toBe(10_000);
    expect(report.jobs[0]!.runtimeNs).toBe(50_000_000);
  });

  it("ramp_time: I/O during the ramp runs but is not measured", () => {
    const { report, log } = run([
      { name: "j", rw: "read", runtime: "10ms", ramp_time: "5ms", time_based: 1 },
    ]);
    expect(log).toHaveLength(1500);
    expect(report.jobs[0]!.read.ios).toBe(1000);
    expect(report.jobs[0]!.runtimeNs).toBe(10_000_000);
    expect(report.jobs[0]!.issued.read).toBe(1500);
  });

  it("loops repeat the region", () => {
    const { log } = run([{ name: "j", rw: "read", size: "16k", loops: 3 }]);
    expect(log.map((e) => e.offset / 4096)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it("numjobs clones run at once, each over the whole region with its own random order", () => {
    const { report, log } = run([{ name: "j", rw: "randread", size: "1m", numjobs: 3 }]);
    expect(report.jobs).toHaveLength(3);
    expect(report.jobs.map((j) => j.read.ios)).toEqual([256, 256, 256]);
    expect(log.slice(0, 3).every((e) => e.t === 0)).toBe(true);
    const firsts = [0, 1, 2].map((k) => log.filter((_, i) => i % 3 === k).map((e) => e.offset));
    expect(firsts[0]).not.toEqual(firsts[1]);
  });

  it("stonewall: a job starts after every job before it finished", () => {
    const { clock, dev } = setup();
    const w = startWorkload({
      clock,
      rng: createRng(1),
      device: dev,
      jobs: [
        { name: "a", rw: "write", size: "64k" },
        { name: "b", rw: "read", size: "64k", stonewall: 1 },
      ],
    });
    clock.runUntilIdle();
    expect(w.done).toBe(true);
    const log = dev.log!;
    const lastWrite = Math.max(...log.filter((e) => e.op === ReqOp.WRITE).map((e) => e.t));
    const firstRead = Math.min(...log.filter((e) => e.op === ReqOp.READ).map((e) => e.t));
    expect(firstRead).toBe(lastWrite + 10_000);
    expect(w.report().groups.map((g) => g.id)).toEqual([0, 1]);
  });

  it("group_reporting merges a group's clones into one entry", () => {
    const { report } = run([{ name: "j", rw: "randread", size: "1m", numjobs: 4, group_reporting: 1 }]);
    expect(report.jobs).toHaveLength(1);
    expect(report.jobs[0]!.jobs).toBe(4);
    expect(report.jobs[0]!.read.ios).toBe(1024);
    expect(report.groups[0]!.read.ioBytes).toBe(4 * MIB);
  });
});

describe("errors", () => {
  it("an I/O error stops the job (continue_on_error=none) with err=EIO and its offset", () => {
    const { clock, dev } = setup();
    dev.failWith = (bio) => (bio.sector * 512 === 40960 ? BlkStatus.IOERR : BlkStatus.OK);
    const r = runWorkload({
      clock,
      rng: createRng(1),
      device: dev,
      jobs: [{ name: "j", rw: "read", size: "1m", iodepth: 4 }],
    });
    const j = r.jobs[0]!;
    expect(j.error).toBe(5);
    expect(j.errorText).toBe("Input/output error");
    expect(j.errors.first).toMatchObject({
      op: "read",
      offset: 40960,
      length: 4096,
      status: BlkStatus.IOERR,
      errno: 5,
    });
    expect(j.read.ios).toBeLessThan(20);
    expect(r.complete).toBe(true);
  });

  it("continue_on_error=io counts errors and keeps going", () => {
    const { clock, dev } = setup();
    dev.failWith = (bio) => (bio.sector % 64 === 0 ? BlkStatus.TRANSPORT : BlkStatus.OK);
    const r = runWorkload({
      clock,
      rng: createRng(1),
      device: dev,
      jobs: [{ name: "j", rw: "read", size: "1m", continue_on_error: "io" }],
    });
    const j = r.jobs[0]!;
    expect(j.error).toBe(0);
    // Every 64th sector (32 KiB) fails: 32 of the 256 reads.
    expect(j.errors.count).toBe(32);
    expect(j.read.errors).toBe(32);
    expect(j.read.ios).toBe(224);
    expect(j.errors.first?.errno).toBe(67);
  });

  it("bad options throw a typed error listing them", () => {
    const { clock, dev } = setup();
    expect(() =>
      runWorkload({ clock, rng: createRng(1), device: dev, jobs: [{ name: "j", bs: "7" }] }),
    ).toThrow(WorkloadOptionsError);
  });

  it("I/O that never completes: the run is abandoned and reports it as hung", () => {
    const { clock, dev } = setup();
    dev.hold = (bio) => bio.sector === 16;
    const r = runWorkload({
      clock,
      rng: createRng(1),
      device: dev,
      jobs: [{ name: "j", rw: "read", size: "64k", iodepth: 2 }],
    });
    expect(r.complete).toBe(false);
    expect(r.hungIos).toBe(1);
    expect(r.jobs[0]!.inflight).toBe(1);
  });

  it("a runtime job with hung I/O gives up at limitNs", () => {
    const { clock, dev } = setup();
    dev.hold = (bio) => bio.sector === 8;
    const r = runWorkload({
      clock,
      rng: createRng(1),
      device: dev,
      jobs: [{ name: "j", rw: "read", size: "64k", iodepth: 4 }],
      limitNs: 5e9,
    });
    expect(r.complete).toBe(false);
    expect(r.endNs).toBeLessThanOrEqual(5e9);
  });
});

describe("determinism", () => {
  const jobs: JobOptions[] = [
    {
      name: "a",
      rw: "randrw",
      bssplit: "4k/60:64k/40",
      iodepth: 8,
      numjobs: 2,
      runtime: "200ms",
      time_based: 1,
    },
  ];
  const once = (seed: number) => {
    const clock = new VirtualClock();
    const model = new QueueingResource(
      "lun",
      { queueDepth: 8, service: { kind: "lognormal", meanNs: 80_000, stddevNs: 30_000 } },
      createRng(seed),
    );
    const dev = new RamBlockDevice(clock, { sizeBytes: 64 * MIB, model, store: false });
    return formatReportJson(runWorkload({ clock, rng: createRng(seed), device: dev, jobs }));
  };

  it("the same seed gives the same report, byte for byte", () => {
    expect(once(5)).toBe(once(5));
  });

  it("another seed gives another run", () => {
    expect(once(5)).not.toBe(once(6));
  });

  it("randseed fixes a job's streams whatever the world's seed", () => {
    const offs = (worldSeed: number) =>
      run([{ name: "j", rw: "randread", size: "1m", randseed: 1234 }], { seed: worldSeed }).log.map(
        (e) => e.offset,
      );
    expect(offs(1)).toEqual(offs(2));
    expect(run([{ name: "j", rw: "randread", size: "1m" }], { seed: 1 }).log).not.toEqual(
      run([{ name: "j", rw: "randread", size: "1m" }], { seed: 2 }).log,
    );
  });
});

describe("bios: each unit keeps one across its I/Os", () => {
  /** Checks every bio arrives as a fresh one would, then dirties the fields a lower layer may write. */
  class Dirtying extends ForwardingBlockDevice {
    readonly seen = new Set<Bio>();
    stale = 0;
    submit(bio: Bio): void {
      this.seen.add(bio);
      if (bio.status !== 0 || bio.driverData !== null || bio.cpu !== 0 || bio.ioprioClass !== 2) this.stale++;
      bio.driverData = this;
      bio.cpu = 3;
      bio.ioprioClass = 1;
      this.inner.submit(bio);
    }
  }

  it("goes down clean every time, one bio per unit, all back in the run's pool at the end", () => {
    const { clock, dev } = setup();
    const top = new Dirtying(dev);
    const pool = new BioPool();
    const report = runWorkload({
      clock,
      rng: createRng(3),
      device: top,
      pool,
      jobs: [{ name: "j", rw: "randrw", bs: "4k", iodepth: 8, size: "4m" }],
    });
    expect(report.jobs[0]!.read.ios + report.jobs[0]!.write.ios).toBe(1024);
    expect(top.stale).toBe(0);
    expect(top.seen.size).toBe(8);
    expect(pool.size).toBe(8);
  });
});
