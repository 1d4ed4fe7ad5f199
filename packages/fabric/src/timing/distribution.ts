import type { Rng } from "@mp/dm-core";
import { TimingSpecError } from "./errors.js";

/** One point of an empirical distribution's percentile table: `p` percent of draws are <= `ns`. */
export interface PercentilePoint {
  readonly p: number;
  readonly ns: number;
}

/**
 * A service-time distribution, as data (so profiles and scenario files can hold it). Every value
 * is in nanoseconds.
 *
 * - `fixed`: always `ns`.
 * - `uniform`: uniform on [`minNs`, `maxNs`].
 * - `normal`: normal with `meanNs`/`stddevNs`, truncated at 0 (rejection, not clamping, so there is
 *   no spike at 0); `meanNs` must be >= 0 so that at least half the draws are accepted.
 * - `lognormal`: either by the moments of the result (`meanNs`, `stddevNs`) or by the parameters of
 *   the underlying normal (`mu`, `sigma`, in ln-nanoseconds). Service times of flash and of
 *   networks are well described by it: positive, right-skewed, a long tail.
 * - `empirical`: a measured distribution, as a percentile table (piecewise-linear inverse CDF
 *   between the points, flat beyond the first and last) or as raw samples (bootstrap: each draw is
 *   one of the samples, uniformly).
 */
export type DistributionSpec =
  | { readonly kind: "fixed"; readonly ns: number }
  | { readonly kind: "uniform"; readonly minNs: number; readonly maxNs: number }
  | { readonly kind: "normal"; readonly meanNs: number; readonly stddevNs: number }
  | { readonly kind: "lognormal"; readonly meanNs: number; readonly stddevNs: number }
  | { readonly kind: "lognormal"; readonly mu: number; readonly sigma: number }
  | { readonly kind: "empirical"; readonly percentiles: readonly PercentilePoint[] }
  | { readonly kind: "empirical"; readonly samplesNs: readonly number[] };

/** A distribution ready to draw from. Drawing allocates nothing. */
export interface Distribution {
  /** The spec it was built from. */
  readonly spec: DistributionSpec;
  /** The distribution's exact mean (ns), as the spec defines it. */
  readonly mean: number;
  /** The distribution's exact standard deviation (ns). */
  readonly stddev: number;
  /** One draw, >= 0 (not rounded). */
  sample(): number;
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Every problem with `spec`, each naming the field; empty when the spec is valid. */
export function distributionProblems(spec: DistributionSpec): string[] {
  const out: string[] = [];
  const need = (name: string, v: unknown, min = 0): void => {
    if (!isNum(v)) out.push(`${name} must be a finite number`);
    else if (v < min) out.push(`${name} must be >= ${min} (got ${v})`);
  };
  switch (spec.kind) {
    case "fixed":
      need("ns", spec.ns);
      break;
    case "uniform":
      need("minNs", spec.minNs);
      need("maxNs", spec.maxNs);
      if (isNum(spec.minNs) && isNum(spec.maxNs) && spec.maxNs < spec.minNs)
        out.push(`maxNs (${spec.maxNs}) must be >= minNs (${spec.minNs})`);
      break;
    case "normal":
      need("meanNs", spec.meanNs);
      need("stddevNs", spec.stddevNs);
      break;
    case "lognormal":
      if ("mu" in spec) {
        if (!isNum(spec.mu)) out.push("mu must be a finite number");
        need("sigma", spec.sigma);
      } else {
        need("meanNs", spec.meanNs);
        need("stddevNs", spec.stddevNs);
        if (isNum(spec.meanNs) && spec.meanNs === 0 && spec.stddevNs !== 0)
          out.push("a lognormal with meanNs 0 must have stddevNs 0");
      }
      break;
    case "empirical":
      if ("percentiles" in spec) {
        const pts = spec.percentiles;
        if (!Array.isArray(pts) || pts.length === 0) {
          out.push("percentiles must list at least one point");
          break;
        }
        pts.forEach((pt, i) => {
          if (!isNum(pt.p) || pt.p < 0 || pt.p > 100) out.push(`percentiles[${i}].p must be in [0, 100]`);
          need(`percentiles[${i}].ns`, pt.ns);
          const prev = pts[i - 1];
          if (prev && isNum(pt.p) && isNum(prev.p) && pt.p <= prev.p)
            out.push(
              `percentiles[${i}].p (${pt.p}) must be greater than percentiles[${i - 1}].p (${prev.p})`,
            );
          if (prev && isNum(pt.ns) && isNum(prev.ns) && pt.ns < prev.ns)
            out.push(`percentiles[${i}].ns (${pt.ns}) must be >= percentiles[${i - 1}].ns (${prev.ns})`);
        });
      } else {
        const s = spec.samplesNs;
        if (!Array.isArray(s) || s.length === 0) out.push("samplesNs must hold at least one sample");
        else for (let i = 0; i < s.length; i++) need(`samplesNs[${i}]`, s[i]);
      }
      break;
    default: {
      const bad: never = spec;
      out.push(`unknown distribution kind ${JSON.stringify((bad as { kind?: unknown }).kind)}`);
    }
  }
  return out;
}

/**
 * Builds a distribution drawing from `rng` (give each resource its own `rng.fork(...)`).
 * Throws {@link TimingSpecError} listing every problem of an invalid spec.
 */
export function createDistribution(spec: DistributionSpec, rng: Rng): Distribution {
  const problems = distributionProblems(spec);
  if (problems.length > 0) throw new TimingSpecError(`${spec.kind} distribution`, problems);
  switch (spec.kind) {
    case "fixed":
      return new Fixed(spec, spec.ns);
    case "uniform":
      return new Uniform(spec, spec.minNs, spec.maxNs, rng);
    case "normal":
      return new TruncatedNormal(spec, spec.meanNs, spec.stddevNs, rng);
    case "lognormal": {
      if ("mu" in spec) return new LogNormal(spec, spec.mu, spec.sigma, rng);
      if (spec.meanNs === 0) return new Fixed(spec, 0);
      const s2 = Math.log1p((spec.stddevNs * spec.stddevNs) / (spec.meanNs * spec.meanNs));
      return new LogNormal(spec, Math.log(spec.meanNs) - s2 / 2, Math.sqrt(s2), rng);
    }
    case "empirical":
      if ("percentiles" in spec) return new EmpiricalTable(spec, spec.percentiles, rng);
      return new EmpiricalSamples(spec, spec.samplesNs, rng);
  }
}

class Fixed implements Distribution {
  readonly stddev = 0;
  constructor(
    readonly spec: DistributionSpec,
    readonly mean: number,
  ) {}
  sample(): number {
    return this.mean;
  }
}

class Uniform implements Distribution {
  readonly mean: number;
  readonly stddev: number;
  readonly #lo: number;
  readonly #span: number;
  readonly #rng: Rng;
  constructor(
    readonly spec: DistributionSpec,
    lo: number,
    hi: number,
    rng: Rng,
  ) {
    this.#lo = lo;
    this.#span = hi - lo;
    this.#rng = rng;
    this.mean = (lo + hi) / 2;
    this.stddev = this.#span / Math.sqrt(12);
  }
  sample(): number {
    return this.#lo + this.#span * this.#rng.float();
  }
}

/** Standard normal density and upper tail, for the truncated normal's exact moments. */
function phi(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}
function upperTail(x: number): number {
  return 0.5 * erfc(x / Math.SQRT2);
}
/** erfc with ~1e-7 relative error (Numerical Recipes' Chebyshev fit), enough for reporting moments. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

class TruncatedNormal implements Distribution {
  readonly mean: number;
  readonly stddev: number;
  readonly #mu: number;
  readonly #sd: number;
  readonly #rng: Rng;
  constructor(
    readonly spec: DistributionSpec,
    mu: number,
    sd: number,
    rng: Rng,
  ) {
    this.#mu = mu;
    this.#sd = sd;
    this.#rng = rng;
    if (sd === 0) {
      this.mean = mu;
      this.stddev = 0;
    } else {
      // Moments of N(mu, sd) conditioned on X >= 0.
      const a = -mu / sd;
      const lambda = phi(a) / upperTail(a);
      this.mean = mu + sd * lambda;
      this.stddev = sd * Math.sqrt(Math.max(0, 1 + a * lambda - lambda * lambda));
    }
  }
  sample(): number {
    if (this.#sd === 0) return this.#mu;
    // mean >= 0 bounds the rejection rate by 1/2; the cap only guards against a broken rng.
    for (let i = 0; i < 64; i++) {
      const x = this.#mu + this.#sd * this.#rng.normal();
      if (x >= 0) return x;
    }
    return this.#mu;
  }
}

class LogNormal implements Distribution {
  readonly mean: number;
  readonly stddev: number;
  readonly #mu: number;
  readonly #sigma: number;
  readonly #rng: Rng;
  constructor(
    readonly spec: DistributionSpec,
    mu: number,
    sigma: number,
    rng: Rng,
  ) {
    this.#mu = mu;
    this.#sigma = sigma;
    this.#rng = rng;
    const s2 = sigma * sigma;
    this.mean = Math.exp(mu + s2 / 2);
    this.stddev = this.mean * Math.sqrt(Math.expm1(s2));
  }
  sample(): number {
    return Math.exp(this.#mu + this.#sigma * this.#rng.normal());
  }
}

class EmpiricalTable implements Distribution {
  readonly mean: number;
  readonly stddev: number;
  /** Cumulative probabilities in [0, 1] and the values at them. */
  readonly #p: Float64Array;
  readonly #v: Float64Array;
  readonly #rng: Rng;
  constructor(
    readonly spec: DistributionSpec,
    points: readonly PercentilePoint[],
    rng: Rng,
  ) {
    this.#rng = rng;
    this.#p = Float64Array.from(points, (pt) => pt.p / 100);
    this.#v = Float64Array.from(points, (pt) => pt.ns);
    const n = points.length;
    // Moments of the piecewise-linear quantile function, flat before the first and after the last point.
    const v0 = this.#v[0]!;
    const vn = this.#v[n - 1]!;
    let m1 = this.#p[0]! * v0 + (1 - this.#p[n - 1]!) * vn;
    let m2 = this.#p[0]! * v0 * v0 + (1 - this.#p[n - 1]!) * vn * vn;
    for (let i = 0; i + 1 < n; i++) {
      const w = this.#p[i + 1]! - this.#p[i]!;
      const a = this.#v[i]!;
      const b = this.#v[i + 1]!;
      m1 += (w * (a + b)) / 2;
      m2 += (w * (a * a + a * b + b * b)) / 3;
    }
    this.mean = m1;
    this.stddev = Math.sqrt(Math.max(0, m2 - m1 * m1));
  }
  sample(): number {
    const u = this.#rng.float();
    const p = this.#p;
    const v = this.#v;
    const n = p.length;
    if (u <= p[0]!) return v[0]!;
    if (u >= p[n - 1]!) return v[n - 1]!;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (p[mid]! <= u) lo = mid;
      else hi = mid;
    }
    const f = (u - p[lo]!) / (p[hi]! - p[lo]!);
    return v[lo]! + f * (v[hi]! - v[lo]!);
  }
}

class EmpiricalSamples implements Distribution {
  readonly mean: number;
  readonly stddev: number;
  readonly #s: Float64Array;
  readonly #rng: Rng;
  constructor(
    readonly spec: DistributionSpec,
    samples: readonly number[],
    rng: Rng,
  ) {
    this.#s = Float64Array.from(samples);
    this.#rng = rng;
    let mean = 0;
    let m2 = 0;
    for (let i = 0; i < this.#s.length; i++) {
      const x = this.#s[i]!;
      const d = x - mean;
      mean += d / (i + 1);
      m2 += d * (x - mean);
    }
    this.mean = mean;
    this.stddev = Math.sqrt(m2 / this.#s.length);
  }
  sample(): number {
    const n = this.#s.length;
    return this.#s[Math.min(n - 1, Math.floor(this.#rng.float() * n))]!;
  }
}
