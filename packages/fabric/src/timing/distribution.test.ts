import { createRng } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { createDistribution, type DistributionSpec, distributionProblems } from "./distribution.js";
import { TimingSpecError } from "./errors.js";

const N = 200_000;

function moments(
  spec: DistributionSpec,
  seed = 42,
): { mean: number; sd: number; min: number; xs: Float64Array } {
  const d = createDistribution(spec, createRng(seed));
  const xs = new Float64Array(N);
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < N; i++) {
    const x = d.sample();
    xs[i] = x;
    sum += x;
    if (x < min) min = x;
  }
  const mean = sum / N;
  let ss = 0;
  for (let i = 0; i < N; i++) ss += (xs[i]! - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / (N - 1)), min, xs };
}

/** Sample mean within 5 standard errors, sample sd within 3%, and the model's own moments agree. */
function expectMoments(spec: DistributionSpec, mean: number, sd: number): void {
  const d = createDistribution(spec, createRng(1));
  expect(d.mean).toBeCloseTo(mean, 0);
  expect(d.stddev).toBeCloseTo(sd, 0);
  const m = moments(spec);
  expect(Math.abs(m.mean - mean)).toBeLessThanOrEqual(5 * (sd / Math.sqrt(N)) + 1e-9);
  if (sd === 0) expect(m.sd).toBe(0);
  else expect(Math.abs(m.sd - sd) / sd).toBeLessThan(0.03);
  expect(m.min).toBeGreaterThanOrEqual(0);
}

describe("service-time distributions", () => {
  it("fixed always returns its value", () => {
    expectMoments({ kind: "fixed", ns: 1234 }, 1234, 0);
  });

  it("uniform has mean (a+b)/2 and sd (b-a)/sqrt(12), within its bounds", () => {
    expectMoments({ kind: "uniform", minNs: 100, maxNs: 900 }, 500, 800 / Math.sqrt(12));
    const m = moments({ kind: "uniform", minNs: 100, maxNs: 900 });
    expect(m.min).toBeGreaterThanOrEqual(100);
    expect(m.xs.reduce((a, b) => Math.max(a, b), 0)).toBeLessThan(900);
  });

  it("normal far from 0 has its nominal moments", () => {
    expectMoments({ kind: "normal", meanNs: 10_000, stddevNs: 1_000 }, 10_000, 1_000);
  });

  it("normal is truncated at 0 by rejection: the moments of the conditioned distribution, no spike at 0", () => {
    // N(0, 1000) conditioned on X >= 0 is the half-normal: mean sd·sqrt(2/pi), sd sd·sqrt(1 - 2/pi).
    const sd = 1000;
    expectMoments(
      { kind: "normal", meanNs: 0, stddevNs: sd },
      sd * Math.sqrt(2 / Math.PI),
      sd * Math.sqrt(1 - 2 / Math.PI),
    );
    const m = moments({ kind: "normal", meanNs: 0, stddevNs: sd });
    const atZero = m.xs.filter((x) => x === 0).length;
    expect(atZero).toBeLessThan(5);
  });

  it("lognormal by mean/stddev reproduces that mean and stddev", () => {
    expectMoments({ kind: "lognormal", meanNs: 90_000, stddevNs: 20_000 }, 90_000, 20_000);
    // With sd = 3·mean the tail is too heavy for sample moments to settle; check ln X instead.
    const s2 = Math.log(1 + 9);
    const mu = Math.log(1_000) - s2 / 2;
    const d = createDistribution({ kind: "lognormal", meanNs: 1_000, stddevNs: 3_000 }, createRng(1));
    expect(d.mean).toBeCloseTo(1_000, 6);
    expect(d.stddev).toBeCloseTo(3_000, 6);
    const logs = Array.from(moments({ kind: "lognormal", meanNs: 1_000, stddevNs: 3_000 }).xs, Math.log);
    const lm = logs.reduce((a, b) => a + b, 0) / N;
    const lsd = Math.sqrt(logs.reduce((a, b) => a + (b - lm) ** 2, 0) / (N - 1));
    expect(Math.abs(lm - mu)).toBeLessThan(5 * (Math.sqrt(s2) / Math.sqrt(N)));
    expect(Math.abs(lsd - Math.sqrt(s2)) / Math.sqrt(s2)).toBeLessThan(0.01);
  });

  it("lognormal by mu/sigma has mean exp(mu+s²/2) and median exp(mu)", () => {
    const mu = Math.log(50_000);
    const sigma = 0.4;
    const mean = Math.exp(mu + (sigma * sigma) / 2);
    const sd = mean * Math.sqrt(Math.expm1(sigma * sigma));
    expectMoments({ kind: "lognormal", mu, sigma }, mean, sd);
    const xs = Array.from(moments({ kind: "lognormal", mu, sigma }).xs).sort((a, b) => a - b);
    expect(Math.abs(xs[N / 2]! - 50_000) / 50_000).toBeLessThan(0.01);
  });

  it("empirical percentile table: draws hit the table's percentiles and its exact moments", () => {
    const percentiles = [
      { p: 0, ns: 100 },
      { p: 50, ns: 200 },
      { p: 90, ns: 400 },
      { p: 99, ns: 1000 },
      { p: 100, ns: 5000 },
    ];
    const spec: DistributionSpec = { kind: "empirical", percentiles };
    const d = createDistribution(spec, createRng(3));
    // Mean of the piecewise-linear quantile function, by hand.
    const mean = 0.5 * 150 + 0.4 * 300 + 0.09 * 700 + 0.01 * 3000;
    expect(d.mean).toBeCloseTo(mean, 6);
    expectMoments(spec, mean, d.stddev);
    const xs = Array.from(moments(spec).xs).sort((a, b) => a - b);
    for (const { p, ns } of percentiles.slice(1, -1)) {
      const below = xs.filter((x) => x <= ns).length / N;
      expect(Math.abs(below - p / 100)).toBeLessThan(0.005);
    }
  });

  it("empirical table without 0/100 points is flat beyond its ends", () => {
    const spec: DistributionSpec = {
      kind: "empirical",
      percentiles: [
        { p: 10, ns: 50 },
        { p: 90, ns: 150 },
      ],
    };
    const m = moments(spec);
    expect(m.min).toBe(50);
    expect(m.xs.reduce((a, b) => Math.max(a, b), 0)).toBe(150);
    expect(m.xs.filter((x) => x === 50).length / N).toBeCloseTo(0.1, 2);
  });

  it("empirical samples: a bootstrap of the given samples", () => {
    const samplesNs = [10, 20, 20, 50];
    const mean = 25;
    const sd = Math.sqrt((15 ** 2 + 5 ** 2 + 5 ** 2 + 25 ** 2) / 4);
    const d = createDistribution({ kind: "empirical", samplesNs }, createRng(9));
    expect(d.mean).toBe(mean);
    expect(d.stddev).toBeCloseTo(sd, 9);
    const m = moments({ kind: "empirical", samplesNs });
    expect(new Set(m.xs)).toEqual(new Set([10, 20, 50]));
    expect(Math.abs(m.mean - mean)).toBeLessThan(5 * (sd / Math.sqrt(N)));
  });

  it("the same seed gives the same draws; a fork is independent of its parent's use", () => {
    const spec: DistributionSpec = { kind: "lognormal", meanNs: 100, stddevNs: 30 };
    const a = createDistribution(spec, createRng(7).fork("lun0"));
    const parent = createRng(7);
    const other = createDistribution(spec, parent.fork("lun1"));
    for (let i = 0; i < 100; i++) other.sample();
    const b = createDistribution(spec, parent.fork("lun0"));
    for (let i = 0; i < 100; i++) expect(b.sample()).toBe(a.sample());
  });

  it("rejects bad specs with every problem named", () => {
    expect(distributionProblems({ kind: "uniform", minNs: 5, maxNs: 1 })).toEqual([
      "maxNs (1) must be >= minNs (5)",
    ]);
    expect(distributionProblems({ kind: "normal", meanNs: -1, stddevNs: Number.NaN })).toEqual([
      "meanNs must be >= 0 (got -1)",
      "stddevNs must be a finite number",
    ]);
    expect(
      distributionProblems({
        kind: "empirical",
        percentiles: [
          { p: 50, ns: 10 },
          { p: 40, ns: 5 },
        ],
      }),
    ).toEqual([
      "percentiles[1].p (40) must be greater than percentiles[0].p (50)",
      "percentiles[1].ns (5) must be >= percentiles[0].ns (10)",
    ]);
    expect(() => createDistribution({ kind: "fixed", ns: -3 }, createRng(1))).toThrow(TimingSpecError);
    try {
      createDistribution({ kind: "empirical", samplesNs: [] }, createRng(1));
    } catch (e) {
      expect((e as TimingSpecError).code).toBe("MP_TIMING_SPEC");
      expect((e as TimingSpecError).problems).toEqual(["samplesNs must hold at least one sample"]);
    }
  });
});
