import { createRng, VirtualClock } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { QueueingResource } from "../timing/queueing-resource.js";
import type { JobOptions } from "./job-options.js";
import { RamBlockDevice } from "./ram-device.js";
import { formatReportText } from "./report-text.js";
import { runWorkload } from "./runner.js";
import { formatVerifyFailure, Verifier } from "./verify.js";

const MIB = 2 ** 20;

function world(seed = 1, jitter = false) {
  const clock = new VirtualClock();
  const model = jitter
    ? new QueueingResource(
        "lun",
        { queueDepth: 16, service: { kind: "lognormal", meanNs: 50_000, stddevNs: 40_000 } },
        createRng(seed),
      )
    : undefined;
  const dev = new RamBlockDevice(clock, {
    name: "sdv",
    sizeBytes: 16 * MIB,
    delayNs: 20_000,
    ...(model ? { model } : {}),
  });
  return { clock, dev };
}

describe("verify chunks", () => {
  it("a chunk written by fill passes check; any flipped byte fails it", () => {
    for (const kind of ["md5", "crc32c"] as const) {
      const v = new Verifier(kind, 4096);
      const ab = new ArrayBuffer(8192);
      const buf = new Uint8Array(ab);
      v.fill(buf, new Uint32Array(ab), 4096, 1_048_576, 0x1234, 1);
      expect(v.check(buf, 4096, 1_048_576, 0x1234, 1_048_576, 4096)).toBeNull();
      const rng = createRng(9);
      for (let i = 0; i < 200; i++) {
        const pos = 4096 + Math.floor(rng.float() * 4096);
        buf[pos]! ^= 1 << (i % 8);
        const f = v.check(buf, 4096, 1_048_576, 0x1234, 1_048_576, 4096);
        expect(f).not.toBeNull();
        buf[pos]! ^= 1 << (i % 8);
      }
      expect(v.check(buf, 4096, 1_048_576, 0x1234, 1_048_576, 4096)).toBeNull();
      // A good chunk at the wrong place, or an older write, are caught by the header.
      expect(v.check(buf, 4096, 1_052_672, 0x1234, 1_052_672, 4096)?.kind).toBe("wrong-offset");
      expect(v.check(buf, 4096, 1_048_576, 0x9999, 1_048_576, 4096)?.kind).toBe("stale-data");
      expect(v.check(new Uint8Array(4096), 0, 0, 1, 0, 4096)?.kind).toBe("bad-magic");
    }
  });
});

describe("verify in workloads", () => {
  it("catches a corrupted block on read-back and reports its offset (md5 and crc32c)", () => {
    for (const verify of ["md5", "crc32c"] as const) {
      const { clock, dev } = world();
      dev.onRead = (bio) => {
        const off = bio.sector * 512;
        // Flip one byte of the payload of the chunk at 3 MiB + 8 KiB.
        const target = 3 * MIB + 8192 + 1000;
        if (target >= off && target < off + bio.bytes) bio.data![target - off]! ^= 0x40;
      };
      const r = runWorkload({
        clock,
        rng: createRng(1),
        device: dev,
        jobs: [
          { name: "w", rw: "randwrite", bs: "16k", size: "8m", verify, verify_interval: "4k", iodepth: 8 },
        ],
      });
      const j = r.jobs[0]!;
      expect(j.verify?.failures).toBe(1);
      expect(j.verify?.details[0]).toMatchObject({
        kind: "checksum",
        offset: 3 * MIB + 8192,
        length: 4096,
        checksum: verify,
      });
      expect(j.error).toBe(84);
      const text = formatReportText(r);
      expect(text).toContain(
        `${verify}: verify failed at file /dev/sdv offset ${3 * MIB + 8192}, length 4096`,
      );
      expect(text).toContain("err=84 (error=Invalid or incomplete multibyte or wide character)");
    }
  });

  it("continue_on_error=verify keeps checking and counts every failure", () => {
    const { clock, dev } = world();
    dev.onRead = (bio) => {
      if ((bio.sector * 512) % MIB === 0) bio.data![100]! ^= 1;
    };
    const r = runWorkload({
      clock,
      rng: createRng(1),
      device: dev,
      jobs: [
        { name: "w", rw: "write", bs: "64k", size: "8m", verify: "crc32c", continue_on_error: "verify" },
      ],
    });
    // verify_interval defaults to the block size: 128 chunks of 64 KiB, one in 16 corrupted.
    expect(r.jobs[0]!.verify?.failures).toBe(8);
    expect(r.jobs[0]!.verify?.checked).toBe(128);
    expect(r.jobs[0]!.error).toBe(0);
  });

  it("catches a lost write (stale data) and a misdirected write", () => {
    {
      const { clock, dev } = world();
      let writes = 0;
      // The second write to offset 0 is silently dropped: the first one's data stays.
      dev.onWrite = (bio) => (bio.sector === 0 && ++writes === 2 ? -1 : bio.sector * 512);
      const r = runWorkload({
        clock,
        rng: createRng(1),
        device: dev,
        jobs: [{ name: "w", rw: "write", bs: "4k", size: "64k", loops: 2, verify: "md5" }],
      });
      expect(r.jobs[0]!.verify?.details[0]).toMatchObject({ kind: "stale-data", offset: 0 });
    }
    {
      const { clock, dev } = world();
      dev.onWrite = (bio) => (bio.sector === 64 ? 96 * 512 : bio.sector * 512);
      const r = runWorkload({
        clock,
        rng: createRng(1),
        device: dev,
        jobs: [{ name: "w", rw: "write", bs: "16k", size: "1m", verify: "md5", continue_on_error: "verify" }],
      });
      const kinds = r.jobs[0]!.verify!.details.map((f) => [f.kind, f.offset]);
      // 32 KiB never got its data (zeros: bad magic); 48 KiB received 32 KiB's data, then its own
      // write overwrote it — so only the chunk at 32 KiB (verify_interval = bs = 16 KiB) fails.
      expect(kinds[0]).toEqual(["bad-magic", 32768]);
      expect(formatVerifyFailure(r.jobs[0]!.verify!.details[0]!, "/dev/sdv")).toBe(
        "verify: bad magic header 0000, wanted acca at file /dev/sdv offset 32768, length 16384 (requested block: offset=32768, length=16384)",
      );
    }
  });

  it("a read job verifies what an earlier write job wrote (stonewall)", () => {
    const { clock, dev } = world();
    const r = runWorkload({
      clock,
      rng: createRng(2),
      device: dev,
      jobs: [
        { name: "w", rw: "randwrite", bs: "8k", size: "4m", verify: "crc32c", do_verify: 0, iodepth: 4 },
        { name: "r", rw: "randread", bs: "8k", size: "4m", verify: "crc32c", stonewall: 1, iodepth: 4 },
      ],
    });
    expect(r.jobs[0]!.verify?.checked).toBe(0);
    expect(r.jobs[1]!.verify).toMatchObject({ checked: 512, failures: 0 });
  });

  it("never false-alarms: overlapping writers and readers at depth, random latencies, shared region", () => {
    const jobs: JobOptions[] = [
      {
        name: "mix",
        rw: "randrw",
        bssplit: "4k/40:16k/40:64k/20",
        verify: "md5",
        verify_interval: "4k",
        size: "2m",
        iodepth: 16,
        numjobs: 3,
        runtime: "40ms",
        time_based: 1,
        norandommap: 1,
      },
      {
        name: "seq",
        rw: "rw",
        bs: "32k",
        verify: "md5",
        verify_interval: "4k",
        size: "2m",
        iodepth: 8,
        runtime: "40ms",
        time_based: 1,
      },
      {
        name: "plain",
        rw: "randwrite",
        bs: "4k",
        size: "1m",
        offset: "1m",
        iodepth: 4,
        runtime: "40ms",
        time_based: 1,
        mp_buffers: 1,
      },
      {
        name: "check",
        rw: "randread",
        bs: "4k",
        verify: "md5",
        verify_interval: "4k",
        size: "2m",
        stonewall: 1,
        iodepth: 32,
      },
    ];
    for (const seed of [1, 2, 3]) {
      const { clock, dev } = world(seed, true);
      const r = runWorkload({ clock, rng: createRng(seed), device: dev, jobs });
      expect(r.complete).toBe(true);
      let checked = 0;
      for (const j of r.jobs) {
        if (!j.verify) continue;
        expect(j.verify.failures).toBe(0);
        expect(j.error).toBe(0);
        checked += j.verify.checked;
      }
      expect(checked).toBeGreaterThan(1000);
    }
  }, 60_000);
});
