import { BlkStatus, createRng, VirtualClock } from "@mp/dm-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QueueingResource } from "../timing/queueing-resource.js";
import type { JobOptions } from "./job-options.js";
import { RamBlockDevice } from "./ram-device.js";
import { runWorkload } from "./runner.js";

const jobArb: fc.Arbitrary<Omit<JobOptions, "name">> = fc.record(
  {
    rw: fc.constantFrom("read", "write", "randread", "randwrite", "rw", "randrw"),
    rwmixread: fc.integer({ min: 0, max: 100 }),
    bssplit: fc.constantFrom("4k", "512/30:4k/70", "4k/50:64k/50", "8k/20:16k/:32k/"),
    iodepth: fc.integer({ min: 1, max: 48 }),
    numjobs: fc.integer({ min: 1, max: 3 }),
    size: fc.constantFrom("64k", "256k", "1m"),
    offset: fc.constantFrom("0", "512k", "25%"),
    runtime: fc.constantFrom("2ms", "20ms"),
    time_based: fc.boolean(),
    ramp_time: fc.constantFrom("0", "1ms"),
    rate_iops: fc.constantFrom("0", "5000", "2000,1000"),
    norandommap: fc.boolean(),
    verify: fc.constantFrom("0", "crc32c", "md5"),
    continue_on_error: fc.constantFrom("none", "io", "all"),
    stonewall: fc.boolean(),
  },
  { requiredKeys: ["rw", "runtime"] },
);

describe("runner laws", () => {
  it("every submitted I/O completes exactly once, and the run accounts for each", () => {
    fc.assert(
      fc.property(
        fc.array(jobArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        (jobs, seed, errorRate) => {
          const clock = new VirtualClock();
          const model = new QueueingResource(
            "lun",
            { queueDepth: 8, service: { kind: "lognormal", meanNs: 30_000, stddevNs: 25_000 } },
            createRng(seed),
          );
          // RamBlockDevice throws on a double completion or a resubmission of a bio in flight.
          const dev = new RamBlockDevice(clock, { sizeBytes: 4 * 2 ** 20, model });
          const faults = createRng(seed ^ 0x5a5a);
          dev.failWith = () => (faults.float() < errorRate ? BlkStatus.IOERR : BlkStatus.OK);
          const r = runWorkload({
            clock,
            rng: createRng(seed),
            device: dev,
            jobs: jobs.map((j, i) => ({ name: `j${i}`, verify_interval: "512", ...j })),
          });
          expect(r.complete).toBe(true);
          expect(r.hungIos).toBe(0);
          expect(dev.submitted).toBe(r.issuedIos);
          expect(dev.completed).toBe(dev.submitted);
          expect(r.completedIos).toBe(r.issuedIos);
          for (const j of r.jobs) {
            // Measured I/Os never exceed the issued ones.
            expect(j.read.ios + j.read.errors).toBeLessThanOrEqual(j.issued.read);
            expect(j.write.ios + j.write.errors).toBeLessThanOrEqual(j.issued.write);
            if (j.verify && errorRate === 0) expect(j.verify.failures).toBe(0);
          }
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  }, 120_000);
});
