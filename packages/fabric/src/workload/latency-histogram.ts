/**
 * fio's latency histogram ("plat"): log-linear buckets. Values below 2·2^BITS are counted
 * exactly; above, each power of two is split into 2^BITS equal buckets, so a bucket's width is at
 * most 1/2^BITS of its values (1.6% with BITS = 6) and its midpoint is within 0.8%. Percentiles
 * come from the bucket counts — no sample is kept — and min/max/mean/stddev are exact.
 *
 * fio stops at 2^34 ns (~17 s); a multipath I/O queued with no path can wait much longer, so the
 * range here goes to 2^46 ns (~19.5 hours); larger values land in the last bucket (max stays exact).
 */
export const PLAT_BITS = 6;
/** Buckets per power of two. */
export const PLAT_VAL = 1 << PLAT_BITS;
/** Highest power of two with its own buckets. */
const PLAT_MAX_MSB = 45;
/** Number of buckets. */
export const PLAT_NR = (PLAT_MAX_MSB - PLAT_BITS + 1) * PLAT_VAL + PLAT_VAL;

/** fio's default `percentile_list`. */
export const FIO_DEFAULT_PERCENTILES: readonly number[] = [
  1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99,
];

/** Bucket index of a latency (integer ns >= 0). */
export function platValToIdx(v: number): number {
  if (v < 2 * PLAT_VAL) return v < 0 ? 0 : Math.floor(v);
  const msb = v < 4294967296 ? 31 - Math.clz32(v) : Math.floor(Math.log2(v));
  if (msb > PLAT_MAX_MSB) return PLAT_NR - 1;
  const errorBits = msb - PLAT_BITS;
  const base = (errorBits + 1) << PLAT_BITS;
  const offset =
    v < 4294967296 ? (v >>> errorBits) & (PLAT_VAL - 1) : Math.floor(v / 2 ** errorBits) % PLAT_VAL;
  return base + offset;
}

/** The value a bucket stands for: its midpoint (its value, for the exact buckets). */
export function platIdxToVal(idx: number): number {
  if (idx < 2 * PLAT_VAL) return idx;
  const errorBits = (idx >> PLAT_BITS) - 1;
  const base = 2 ** (errorBits + PLAT_BITS);
  const k = idx % PLAT_VAL;
  return base + (k + 0.5) * 2 ** errorBits;
}

/** Lower bound (inclusive) of a bucket. */
function platIdxLow(idx: number): number {
  if (idx < 2 * PLAT_VAL) return idx;
  const errorBits = (idx >> PLAT_BITS) - 1;
  return 2 ** (errorBits + PLAT_BITS) + (idx % PLAT_VAL) * 2 ** errorBits;
}

/** One percentile of a histogram. */
export interface PercentileValue {
  /** The percentile (e.g. 99.9). */
  readonly p: number;
  /** Its value in ns (a bucket midpoint). */
  readonly ns: number;
}

/**
 * Completion latencies of a stream of I/O: exact count, min, max, mean and standard deviation
 * (Welford), and fio's bucket counts for percentiles. Recording allocates nothing.
 */
export class LatencyHistogram {
  readonly #counts = new Float64Array(PLAT_NR);
  #n = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;
  #mean = 0;
  #m2 = 0;

  /** Adds one latency (ns). */
  add(ns: number): void {
    const v = Math.max(ns, 0);
    this.#counts[platValToIdx(v)]!++;
    const n = ++this.#n;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
    const d = v - this.#mean;
    this.#mean += d / n;
    this.#m2 += d * (v - this.#mean);
  }

  /** Number of samples. */
  get count(): number {
    return this.#n;
  }
  /** Smallest sample (0 when empty). */
  get min(): number {
    return this.#n === 0 ? 0 : this.#min;
  }
  /** Largest sample (0 when empty). */
  get max(): number {
    return this.#max;
  }
  /** Mean (0 when empty). */
  get mean(): number {
    return this.#mean;
  }
  /** Sample standard deviation, n−1 in the denominator as fio prints it (0 below two samples). */
  get stddev(): number {
    return this.#n > 1 ? Math.sqrt(this.#m2 / (this.#n - 1)) : 0;
  }
  /** Sum of all samples. */
  get sum(): number {
    return this.#mean * this.#n;
  }

  /** Count in bucket `idx`. */
  bucket(idx: number): number {
    return this.#counts[idx] ?? 0;
  }

  /**
   * Percentiles as fio computes them: for each `p`, the first bucket at which the cumulative
   * count reaches `p/100 · N`, reported as that bucket's value. Empty histogram → all 0.
   */
  percentiles(list: readonly number[] = FIO_DEFAULT_PERCENTILES): PercentileValue[] {
    const out: PercentileValue[] = [];
    const sorted = [...list].sort((a, b) => a - b);
    const n = this.#n;
    let idx = 0;
    let cum = 0;
    for (const p of sorted) {
      if (n === 0) {
        out.push({ p, ns: 0 });
        continue;
      }
      const target = (p / 100) * n;
      // Stop in the bucket where the cumulative count reaches the target (a non-empty one).
      while (idx < PLAT_NR && (cum < target || cum === 0)) cum += this.#counts[idx++]!;
      out.push({ p, ns: platIdxToVal(idx - 1) });
    }
    return out;
  }

  /** Forgets every sample. */
  reset(): void {
    this.#counts.fill(0);
    this.#n = 0;
    this.#min = Number.POSITIVE_INFINITY;
    this.#max = 0;
    this.#mean = 0;
    this.#m2 = 0;
  }

  /** Makes this an exact copy of `other`. */
  copyFrom(other: LatencyHistogram): this {
    this.#counts.set(other.#counts);
    this.#n = other.#n;
    this.#min = other.#min;
    this.#max = other.#max;
    this.#mean = other.#mean;
    this.#m2 = other.#m2;
    return this;
  }

  /** Adds every sample of `other` (Chan's parallel combination for the moments). */
  merge(other: LatencyHistogram): this {
    if (other.#n === 0) return this;
    for (let i = 0; i < PLAT_NR; i++) this.#counts[i]! += other.#counts[i]!;
    const n = this.#n + other.#n;
    const d = other.#mean - this.#mean;
    this.#m2 += other.#m2 + (d * d * this.#n * other.#n) / n;
    this.#mean += (d * other.#n) / n;
    this.#n = n;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
    return this;
  }

  /**
   * The samples of `later` that are not in `earlier` (an earlier snapshot of the same stream):
   * counts and moments are exact; min and max are bucket bounds (a snapshot does not know which
   * sample was the extreme one).
   */
  static difference(later: LatencyHistogram, earlier: LatencyHistogram): LatencyHistogram {
    const h = new LatencyHistogram();
    const n = later.#n - earlier.#n;
    if (n <= 0) return h;
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < PLAT_NR; i++) {
      const c = later.#counts[i]! - earlier.#counts[i]!;
      h.#counts[i] = c;
      if (c > 0) {
        if (lo < 0) lo = i;
        hi = i;
      }
    }
    h.#n = n;
    const mean = (later.#mean * later.#n - earlier.#mean * earlier.#n) / n;
    const d = mean - earlier.#mean;
    h.#mean = mean;
    h.#m2 = Math.max(0, later.#m2 - earlier.#m2 - (d * d * earlier.#n * n) / later.#n);
    h.#min = lo < 0 ? 0 : Math.max(later.#min, platIdxLow(lo));
    h.#max = hi < 0 ? 0 : Math.min(later.#max, platIdxLow(hi + 1) - 1);
    return h;
  }
}
