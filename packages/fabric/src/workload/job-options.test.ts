import { describe, expect, it } from "vitest";
import {
  type DeviceInfo,
  type JobOptions,
  parseBsSplit,
  type ResolvedJob,
  resolveJobs,
} from "./job-options.js";

const GIB = 2 ** 30;
const dev: DeviceInfo = { name: "dm-0", bytes: GIB, logicalBlockSize: 512 };
const resolve = (jobs: JobOptions[], d: DeviceInfo = dev) =>
  resolveJobs(jobs, (f) => (f === undefined || f === d.name ? d : undefined));
const one = (o: Omit<JobOptions, "name">): ResolvedJob => {
  const r = resolve([{ name: "j", ...o }]);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.jobs[0]!;
};
const errors = (o: Omit<JobOptions, "name">) => {
  const r = resolve([{ name: "j", ...o }]);
  return r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
};

describe("job options: defaults and parsing", () => {
  it("defaults are fio's: rw=read, bs=4k, iodepth=1, the whole device, size-based", () => {
    const j = one({});
    expect(j).toMatchObject({
      rw: "read",
      random: false,
      readPct: 100,
      minBs: 4096,
      maxBs: 4096,
      blockAlign: 4096,
      iodepth: 1,
      numjobs: 1,
      offset: 0,
      size: GIB,
      ioSize: GIB,
      timeBased: false,
      runtimeNs: Number.POSITIVE_INFINITY,
      rampNs: 0,
      verify: null,
      randomMap: true,
      buffers: false,
    });
  });

  it("rw modes: readwrite is rw; mixes default to 50% and follow rwmixread/rwmixwrite", () => {
    expect(one({ rw: "readwrite" })).toMatchObject({ rw: "rw", random: false, readPct: 50 });
    expect(one({ rw: "randrw", rwmixread: 70 })).toMatchObject({ rw: "randrw", random: true, readPct: 70 });
    expect(one({ rw: "randrw", rwmixwrite: 30 }).readPct).toBe(70);
    expect(one({ rw: "randwrite" })).toMatchObject({ random: true, readPct: 0 });
  });

  it("bs per direction and bssplit with shares of what is left", () => {
    const j = one({ rw: "randrw", bs: "4k,64k" });
    expect(j.bssplit).toEqual([[{ bs: 4096, percent: 100 }], [{ bs: 65536, percent: 100 }]]);
    expect([j.minBs, j.maxBs]).toEqual([4096, 65536]);
    const r = parseBsSplit("4k/50:64k/:1m/", 1024);
    expect(r.ok && r.value).toEqual([
      { bs: 4096, percent: 50 },
      { bs: 65536, percent: 25 },
      { bs: 1048576, percent: 25 },
    ]);
    const s = one({ rw: "randread", bssplit: "4k/50:64k/50" });
    expect(s.bssplit[0]).toEqual([
      { bs: 4096, percent: 50 },
      { bs: 65536, percent: 50 },
    ]);
  });

  it("sizes, offsets and percentages of the device; offset_increment per clone", () => {
    const r = resolve([{ name: "j", size: "50%", offset: "25%", numjobs: 2, offset_increment: "128m" }]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.jobs.map((j) => [j.clone, j.offset, j.size])).toEqual([
      [0, GIB / 4, GIB / 2],
      [1, GIB / 4 + 128 * 2 ** 20, GIB / 2],
    ]);
    // A region running past the end of the device is clipped to it.
    expect(one({ offset: "768m", size: "512m" }).size).toBe(256 * 2 ** 20);
  });

  it("runtime, time_based, ramp_time, rate_iops per direction, loops and io_size", () => {
    const j = one({ runtime: 30, time_based: true, ramp_time: "500ms", rate_iops: ",200" });
    expect([j.runtimeNs, j.timeBased, j.rampNs, j.ioSize]).toEqual([
      30e9,
      true,
      500e6,
      Number.POSITIVE_INFINITY,
    ]);
    expect(j.rateIops).toEqual([0, 200]);
    expect(one({ rate_iops: 1000 }).rateIops).toEqual([1000, 1000]);
    expect(one({ size: "1m", loops: 3 }).ioSize).toBe(3 * 2 ** 20);
    expect(one({ size: "1m", io_size: "10m" }).ioSize).toBe(10 * 2 ** 20);
  });

  it("verify options and continue_on_error", () => {
    const j = one({ rw: "randwrite", verify: "md5", continue_on_error: "verify" });
    expect([j.verify, j.verifyInterval, j.doVerify, j.buffers]).toEqual(["md5", 4096, true, true]);
    expect(j.continueOn).toEqual({ read: false, write: false, verify: true });
    expect(one({ continue_on_error: "io" }).continueOn).toEqual({ read: true, write: true, verify: false });
    expect(one({ verify: "crc32c-intel" }).verify).toBe("crc32c");
    expect(one({ verify: 0 }).verify).toBeNull();
  });

  it("groups: stonewall and new_group start a new group; numjobs expands into clones", () => {
    const r = resolve([
      { name: "a", numjobs: 2 },
      { name: "b" },
      { name: "c", stonewall: 1 },
      { name: "d", new_group: 1 },
    ]);
    expect(r.ok && r.jobs.map((j) => `${j.name}${j.clone}:g${j.groupId}${j.stonewall ? "!" : ""}`)).toEqual([
      "a0:g0",
      "a1:g0",
      "b0:g0",
      "c0:g1!",
      "d0:g2",
    ]);
  });
});

describe("job options: errors and warnings", () => {
  it("names the bad option and value", () => {
    expect(errors({ rw: "foo" as never })).toEqual([
      "failed parsing rw=foo: valid values are read, write, randread, randwrite, rw, readwrite, randrw",
    ]);
    expect(errors({ bs: "4x" })).toEqual(['failed parsing bs=4x: invalid size "4x"']);
    expect(errors({ iodepth: 0 })).toEqual(["iodepth=0 must be in [1, 65536]"]);
    expect(errors({ time_based: 1 })).toEqual(["time_based needs a runtime"]);
    expect(errors({ bogus: 1 } as never)).toEqual(['unknown option "bogus"']);
    expect(errors({ verify: "sha1" })).toEqual([
      "failed parsing verify=sha1: supported values are md5, crc32c, crc32c-intel, null, 0",
    ]);
  });

  it("size smaller than the block size: fio's message", () => {
    expect(errors({ size: "16m", bs: "1g" })).toEqual([
      "size too small, must not be less than minimum block size: 16777216 < 1073741824",
    ]);
  });

  it("direct I/O needs block sizes and offsets in logical blocks", () => {
    expect(errors({ bs: 1000 })).toEqual([
      "block size 1000 is not a multiple of the device's logical block size 512 (direct I/O)",
    ]);
    expect(resolve([{ name: "j", bs: "2k" }], { ...dev, logicalBlockSize: 4096 }).ok).toBe(false);
    expect(errors({ offset: 100 })).toEqual(["offset 100 is not a multiple of the logical block size 512"]);
    expect(errors({ offset: "2g" })).toEqual([
      "offset 2147483648 is beyond the end of dm-0 (1073741824 bytes)",
    ]);
  });

  it("verify chunks must divide the block sizes", () => {
    expect(errors({ verify: "md5", bssplit: "4k/50:6k/50" })).toEqual([
      "block size 6144 is not a multiple of verify_interval 4096",
    ]);
  });

  it("warns, without failing, about direct=0 and odd bssplit sums", () => {
    const r = resolve([{ name: "j", direct: 0, rw: "randread", bssplit: "4k/50:64k/30" }]);
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "bssplit percentages add up to 80; the remaining 20% goes to the last entry, as in fio",
      "buffered I/O is not modelled: the job runs as direct=1",
    ]);
  });

  it("an unknown filename is an error", () => {
    expect(errors({ filename: "sdz" })).toEqual(["no such device: sdz"]);
  });
});
