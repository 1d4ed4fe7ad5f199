import {
  type Bio,
  BioPool,
  BlkStatus,
  type BlockDevice,
  bioEndio,
  createRng,
  mkdev,
  ReqOp,
  VirtualClock,
} from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { QueueingResource } from "../timing/queueing-resource.js";
import { diffIoStats, ioStatsOf, StatsBlockDevice, snapshotIoStats } from "./io-stats.js";
import { RamBlockDevice } from "./ram-device.js";
import { formatReportJson } from "./report-json.js";
import { formatReportText } from "./report-text.js";
import { PathStatsError, runWorkload } from "./runner.js";

const MIB = 2 ** 20;

/** A toy multipath: sends every `n`th I/O to path 0, the rest round-robin, cloning like dm does. */
class Splitter implements BlockDevice {
  readonly devt = mkdev(254, 0);
  readonly name = "dm-0";
  readonly logicalBlockSize = 512;
  readonly requestStackable = false;
  readonly partition = false;
  readonly #pool = new BioPool();
  #next = 0;
  readonly #done = (clone: Bio) => {
    const orig = clone.private as Bio;
    const s = clone.status;
    this.#pool.put(clone);
    bioEndio(orig, s);
  };
  constructor(
    readonly paths: BlockDevice[],
    readonly weights: number[],
  ) {}
  sizeSectors() {
    return this.paths[0]!.sizeSectors();
  }
  readOnly() {
    return false;
  }
  dying() {
    return false;
  }
  submit(bio: Bio): void {
    const total = this.weights.reduce((a, b) => a + b, 0);
    let k = this.#next++ % total;
    let i = 0;
    while (k >= this.weights[i]!) k -= this.weights[i++]!;
    const clone = this.#pool.get().copyFrom(bio);
    clone.private = bio;
    clone.endIo = this.#done;
    this.paths[i]!.submit(clone);
  }
}

describe("IoStats and StatsBlockDevice", () => {
  it("counts completed I/O by direction, bytes of successful I/O, errors and latency; passes status through", () => {
    const clock = new VirtualClock();
    const inner = new RamBlockDevice(clock, { name: "sdb", sizeBytes: MIB, delayNs: 5_000, store: false });
    inner.failWith = (bio) => (bio.sector === 8 ? BlkStatus.MEDIUM : BlkStatus.OK);
    const dev = new StatsBlockDevice(inner, clock);
    expect([dev.name, dev.devt, dev.sizeSectors()]).toEqual(["sdb", inner.devt, 2048]);
    const before = snapshotIoStats(dev.ioStats);
    const statuses: BlkStatus[] = [];
    const pool = new BioPool();
    for (const [op, sector] of [
      [ReqOp.READ, 0],
      [ReqOp.WRITE, 8],
      [ReqOp.WRITE, 16],
    ] as const) {
      const b = pool.get();
      b.op = op;
      b.sector = sector;
      b.bytes = 4096;
      b.endIo = (x) => statuses.push(x.status);
      dev.submit(b);
    }
    expect(dev.ioStats.inFlight).toBe(3);
    clock.runUntilIdle();
    expect(statuses).toEqual([BlkStatus.OK, BlkStatus.MEDIUM, BlkStatus.OK]);
    const d = diffIoStats(snapshotIoStats(dev.ioStats), before);
    expect(d).toMatchObject({
      readIos: 1,
      writeIos: 2,
      readBytes: 4096,
      writeBytes: 4096,
      errors: 1,
      inFlight: 0,
    });
    expect(d.latency.count).toBe(3);
    expect(d.latency.mean).toBe(5_000);
    expect(ioStatsOf(dev)).toBe(dev.ioStats);
    expect(ioStatsOf(inner)).toBeUndefined();
  });

  it("per-path shares and latency come from the path devices' counters", () => {
    const clock = new VirtualClock();
    const rng = createRng(4);
    const fast = new QueueingResource("fast", { service: { kind: "fixed", ns: 100_000 } }, rng);
    const slow = new QueueingResource("slow", { service: { kind: "fixed", ns: 400_000 } }, rng);
    const sdb = new StatsBlockDevice(
      new RamBlockDevice(clock, {
        name: "sdb",
        devt: mkdev(8, 16),
        sizeBytes: 64 * MIB,
        model: fast,
        store: false,
      }),
      clock,
    );
    const sdc = new StatsBlockDevice(
      new RamBlockDevice(clock, {
        name: "sdc",
        devt: mkdev(8, 32),
        sizeBytes: 64 * MIB,
        model: slow,
        store: false,
      }),
      clock,
    );
    const map = new Splitter([sdb, sdc], [3, 1]);
    const r = runWorkload({
      clock,
      rng: createRng(1),
      device: map,
      pathDevices: [sdb, sdc],
      jobs: [
        {
          name: "j",
          rw: "randread",
          size: "16m",
          iodepth: 8,
          ramp_time: "10ms",
          runtime: "1s",
          time_based: 1,
        },
      ],
    });
    const [pb, pc] = r.paths;
    expect(pb).toMatchObject({ name: "sdb", devt: "8:16", errors: 0, writeIos: 0 });
    expect(pb!.sharePct).toBeCloseTo(75, 1);
    expect(pc!.sharePct).toBeCloseTo(25, 1);
    expect(pb!.latency.mean).toBe(100_000);
    expect(pc!.latency.mean).toBe(400_000);
    // The measured window is the jobs' (after the ramp): path I/Os match the job's, give or take
    // the I/O in flight at the window's edges.
    expect(Math.abs(pb!.readIos + pc!.readIos - r.jobs[0]!.read.ios)).toBeLessThanOrEqual(8);
    const text = formatReportText(r);
    expect(text).toMatch(
      /\n {2}sdb: ios=\d+\/0, share=75\.\d\d%, io=[\d.]+MiB\/0B, errors=0, lat \(usec\): avg=100\.00, p50=100, p99=100, p99\.9=100\n/,
    );
    const json = JSON.parse(formatReportJson(r));
    expect(json.path_stats[1]).toMatchObject({ name: "sdc", devt: "8:32", write_ios: 0 });
    expect(json.path_stats[1].lat_ns.mean).toBe(400_000);
  });

  it("a path device without counters is refused", () => {
    const clock = new VirtualClock();
    const dev = new RamBlockDevice(clock, { sizeBytes: MIB });
    expect(() =>
      runWorkload({ clock, rng: createRng(1), device: dev, pathDevices: [dev], jobs: [{ name: "j" }] }),
    ).toThrow(PathStatsError);
  });
});
