import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatJobFile, parseJobFile } from "./job-file.js";
import type { JobOptions } from "./job-options.js";

const value = fc.stringMatching(/^[a-z0-9.:%/,]{1,12}$/);
const job = fc.record(
  {
    name: fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/).filter((n) => n !== "global"),
    rw: fc.constantFrom("read", "write", "randread", "randwrite", "rw", "randrw"),
    bs: value,
    bssplit: value,
    iodepth: fc.integer({ min: 1, max: 256 }).map(String),
    size: value,
    runtime: value,
    rate_iops: value,
    verify: fc.constantFrom("md5", "crc32c"),
    norandommap: fc.constantFrom("0", "1"),
  },
  { requiredKeys: ["name"] },
) as fc.Arbitrary<JobOptions>;

describe("job file round trip", () => {
  it("parse(format(jobs)) gives the jobs back", () => {
    fc.assert(
      fc.property(fc.array(job, { minLength: 1, maxLength: 5 }), (jobs) => {
        const r = parseJobFile(formatJobFile(jobs));
        expect(r.ok).toBe(true);
        expect(r.jobs).toEqual(jobs);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
