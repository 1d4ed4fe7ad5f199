import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LAT_BUCKETS, LAT_MSEC_THRESHOLDS, LAT_THRESHOLDS, latBucket } from "./job-thread.js";

/** fio's bucketing as stated: scale ns → µs → ms while ≥ 1000, then the first threshold above. */
function reference(ns: number): number {
  let v = ns;
  for (let unit = 0; unit < 3; unit++) {
    const th = unit === 2 ? LAT_MSEC_THRESHOLDS : LAT_THRESHOLDS;
    if (unit < 2 && v >= 1000) {
      v /= 1000;
      continue;
    }
    for (let i = 0; i < th.length; i++) if (v < th[i]!) return unit * 10 + i;
    return unit * 10 + th.length;
  }
  return LAT_BUCKETS - 1;
}

describe("latBucket", () => {
  it("puts every whole-nanosecond latency where dividing down to its unit would", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (ns) => {
        expect(latBucket(ns)).toBe(reference(ns));
      }),
      { numRuns: 20_000 },
    );
  });

  it("agrees at and around every microsecond threshold", () => {
    for (const t of LAT_THRESHOLDS)
      for (const d of [-1, -0.5, 0, 0.5, 1]) expect(latBucket(t * 1000 + d)).toBe(reference(t * 1000 + d));
    expect(latBucket(999)).toBe(9);
    expect(latBucket(1000)).toBe(10);
    expect(latBucket(249_999)).toBe(16);
    expect(latBucket(250_000)).toBe(17);
    expect(latBucket(999_999)).toBe(19);
    expect(latBucket(1_000_000)).toBe(20);
  });

  it("takes fractional latencies the general way", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e10, noNaN: true }), (ns) => {
        expect(latBucket(ns)).toBe(reference(ns));
      }),
      { numRuns: 5_000 },
    );
  });
});
