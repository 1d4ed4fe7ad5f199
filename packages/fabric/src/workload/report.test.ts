import { createRng, VirtualClock } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { RamBlockDevice } from "./ram-device.js";
import { formatReportJson } from "./report-json.js";
import { formatReportText } from "./report-text.js";
import { runWorkload } from "./runner.js";

function fixedRun() {
  const clock = new VirtualClock();
  const dev = new RamBlockDevice(clock, {
    name: "sdb",
    sizeBytes: 64 * 2 ** 20,
    delayNs: 100_000,
    store: false,
  });
  return runWorkload({
    clock,
    rng: createRng(1),
    device: dev,
    jobs: [
      { name: "rr", rw: "randread", bs: "4k", iodepth: 1, runtime: 2, time_based: 1, ioengine: "libaio" },
    ],
  });
}

describe("fio-style reports", () => {
  it("text: fio's normal layout, with its number formatting", () => {
    const lines = formatReportText(fixedRun()).split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "rr: (g=0): rw=randread, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=libaio, iodepth=1",
      "mp fio engine (virtual time)",
      "Starting 1 process",
      "",
    ]);
    expect(lines.slice(4, 24)).toEqual([
      "rr: (groupid=0, jobs=1): err= 0",
      "  read: IOPS=10.0k, BW=39.1MiB/s (41.0MB/s)(78.1MiB/2000msec)",
      "    clat (usec): min=100, max=100, avg=100.00, stdev=0.00",
      "     lat (usec): min=100, max=100, avg=100.00, stdev=0.00",
      "    clat percentiles (nsec):",
      "     |  1.00th=[99840],  5.00th=[99840], 10.00th=[99840], 20.00th=[99840],",
      "     | 30.00th=[99840], 40.00th=[99840], 50.00th=[99840], 60.00th=[99840],",
      "     | 70.00th=[99840], 80.00th=[99840], 90.00th=[99840], 95.00th=[99840],",
      "     | 99.00th=[99840], 99.50th=[99840], 99.90th=[99840], 99.95th=[99840],",
      "     | 99.99th=[99840]",
      // The completion due exactly at a window's end falls into the next window (the sample timer
      // was scheduled first), so the first window is one I/O short.
      "   bw (  KiB/s): min=39992, max=40000, per=100.00%, avg=39998.00, stdev= 4.00, samples=4",
      "   iops        : min= 9998, max=10000, avg=9999.50, stdev= 1.00, samples=4",
      "  lat (usec)   : 250=100.00%",
      "  IO depths    : 1=100.0%, 2=0.0%, 4=0.0%, 8=0.0%, 16=0.0%, 32=0.0%, >=64=0.0%",
      "     issued rwts: total=20000,0,0,0 short=0,0,0,0 dropped=0,0,0,0",
      "     latency   : target=0, window=0, percentile=100.00%, depth=1",
      "",
      "Run status group 0 (all jobs):",
      "   READ: bw=39.1MiB/s (41.0MB/s), 39.1MiB/s-39.1MiB/s (41.0MB/s-41.0MB/s), io=78.1MiB (81.9MB), run=2000-2000msec",
      "",
    ]);
  });

  it('json: fio\'s keys and shapes, `"key" : value` spacing', () => {
    const text = formatReportJson(fixedRun());
    expect(text).toContain('"jobname" : "rr"');
    const j = JSON.parse(text);
    const job = j.jobs[0];
    expect(job["job options"]).toEqual({
      name: "rr",
      rw: "randread",
      bs: "4k",
      iodepth: "1",
      runtime: "2",
      time_based: "1",
      ioengine: "libaio",
    });
    expect(job.read).toMatchObject({
      io_bytes: 81920000,
      io_kbytes: 80000,
      bw_bytes: 40960000,
      bw: 40000,
      iops: 10000,
      runtime: 2000,
      total_ios: 20000,
    });
    expect(job.read.clat_ns).toMatchObject({ min: 100000, max: 100000, mean: 100000, stddev: 0, N: 20000 });
    expect(Object.keys(job.read.clat_ns.percentile)).toEqual([
      "1.000000",
      "5.000000",
      "10.000000",
      "20.000000",
      "30.000000",
      "40.000000",
      "50.000000",
      "60.000000",
      "70.000000",
      "80.000000",
      "90.000000",
      "95.000000",
      "99.000000",
      "99.500000",
      "99.900000",
      "99.950000",
      "99.990000",
    ]);
    expect(job.read.clat_ns.percentile["99.000000"]).toBe(99840);
    expect(job.read).toMatchObject({
      bw_min: 39992,
      bw_max: 40000,
      bw_samples: 4,
      iops_mean: 9999.5,
      iops_samples: 4,
    });
    expect(job.write.total_ios).toBe(0);
    expect(job.latency_us["250"]).toBe(100);
    expect(job.latency_ms[">=2000"]).toBe(0);
    expect(job.iodepth_level["1"]).toBe(100);
    expect(job.mp).toMatchObject({
      device: "sdb",
      issued: { read: 20000, write: 0 },
      errors: { count: 0, first: null },
      verify: null,
    });
    expect(j.complete).toBe(true);
  });

  it("percentile_list picks the percentiles reported", () => {
    const clock = new VirtualClock();
    const dev = new RamBlockDevice(clock, { sizeBytes: 2 ** 20, delayNs: 1000, store: false });
    const r = runWorkload({
      clock,
      rng: createRng(1),
      device: dev,
      jobs: [{ name: "j", percentile_list: "50:99.9" }],
    });
    expect(r.jobs[0]!.read.clat.percentiles.map((p) => p.p)).toEqual([50, 99.9]);
    // 1000 ns lies in the 8 ns wide bucket [1000, 1008): reported as its midpoint, as fio does.
    expect(formatReportText(r)).toContain("     | 50.00th=[ 1004], 99.90th=[ 1004]\n");
  });
});
