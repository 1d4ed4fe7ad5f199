import { createRng } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import {
  FIO_DEFAULT_PERCENTILES,
  LatencyHistogram,
  PLAT_NR,
  PLAT_VAL,
  platIdxToVal,
  platValToIdx,
} from "./latency-histogram.js";

/** fio's percentile by brute force: the sample at rank ceil(p/100·n). */
function exactPercentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

function sample(seed: number, n: number): number[] {
  const rng = createRng(seed);
  // Lognormal latencies around 100 µs with a heavy tail, plus a few tiny and huge ones.
  const xs = Array.from({ length: n }, () => Math.round(Math.exp(Math.log(100_000) + 0.8 * rng.normal())));
  xs.push(0, 1, 127, 128, 2 ** 33, 3 * 2 ** 40);
  return xs;
}

describe("fio's log-linear latency histogram", () => {
  it("values below 128 ns have exact buckets; above, buckets are 1/64 of a power of two wide", () => {
    for (let v = 0; v < 2 * PLAT_VAL; v++) expect(platIdxToVal(platValToIdx(v))).toBe(v);
    let prev = -1;
    for (let v = 128; v < 1e12; v = Math.ceil(v * 1.003) + 1) {
      const idx = platValToIdx(v);
      expect(idx).toBeGreaterThanOrEqual(prev);
      prev = idx;
      const mid = platIdxToVal(idx);
      expect(Math.abs(mid - v) / v).toBeLessThanOrEqual(1 / 128 + 1e-12);
    }
    expect(platValToIdx(2 ** 60)).toBe(PLAT_NR - 1);
  });

  it("matches fio's reported bucket values (e.g. 141, 2416, 99840 ns)", () => {
    expect(platIdxToVal(platValToIdx(140))).toBe(141);
    expect(platIdxToVal(platValToIdx(2400))).toBe(2416);
    expect(platIdxToVal(platValToIdx(100_000))).toBe(99_840);
  });

  it("percentiles agree with a brute-force computation within the bucket resolution", () => {
    const xs = sample(7, 100_000);
    const h = new LatencyHistogram();
    for (const x of xs) h.add(x);
    const sorted = [...xs].sort((a, b) => a - b);
    const ps = [...FIO_DEFAULT_PERCENTILES, 0.01, 100];
    for (const { p, ns } of h.percentiles(ps)) {
      const exact = exactPercentile(sorted, p);
      // The reported value is the midpoint of the exact sample's bucket.
      expect(ns).toBe(platIdxToVal(platValToIdx(exact)));
      expect(Math.abs(ns - exact)).toBeLessThanOrEqual(exact / 128 + 1);
    }
  });

  it("min, max, mean and stddev are exact (n−1 stddev, as fio)", () => {
    const xs = sample(3, 10_000);
    const h = new LatencyHistogram();
    for (const x of xs) h.add(x);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    expect(h.count).toBe(xs.length);
    expect(h.min).toBe(0);
    expect(h.max).toBe(3 * 2 ** 40);
    expect(h.mean / mean).toBeCloseTo(1, 9);
    expect(h.stddev / sd).toBeCloseTo(1, 9);
  });

  it("merge equals recording everything into one; difference recovers the later samples", () => {
    const a = sample(1, 5_000);
    const b = sample(2, 7_000);
    const ha = new LatencyHistogram();
    const hb = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (const x of a) {
      ha.add(x);
      all.add(x);
    }
    for (const x of b) {
      hb.add(x);
      all.add(x);
    }
    const merged = new LatencyHistogram().copyFrom(ha).merge(hb);
    expect(merged.count).toBe(all.count);
    expect(merged.mean / all.mean).toBeCloseTo(1, 9);
    expect(merged.stddev / all.stddev).toBeCloseTo(1, 9);
    expect(merged.percentiles()).toEqual(all.percentiles());
    const diff = LatencyHistogram.difference(all, ha);
    expect(diff.count).toBe(hb.count);
    expect(diff.mean / hb.mean).toBeCloseTo(1, 6);
    expect(diff.stddev / hb.stddev).toBeCloseTo(1, 6);
    expect(diff.percentiles()).toEqual(hb.percentiles());
    expect(diff.max).toBeLessThanOrEqual(hb.max);
    expect(diff.max).toBeGreaterThanOrEqual(hb.max * (1 - 1 / 64));
  });

  it("an empty histogram reports zeros", () => {
    const h = new LatencyHistogram();
    expect([h.count, h.min, h.max, h.mean, h.stddev]).toEqual([0, 0, 0, 0, 0]);
    expect(h.percentiles([50, 99]).map((p) => p.ns)).toEqual([0, 0]);
  });
});
