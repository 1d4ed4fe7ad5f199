import { Errno } from "../block/status.js";
import { parseKernelUint } from "../dm/dm-args.js";
import { ListHead, ListNode } from "./path-list.js";
import {
  type AddPathResult,
  type CreateSelectorResult,
  type DmPath,
  definePathSelector,
  type PathSelector,
  type PathSelectorEnv,
  type StatusType,
} from "./path-selector.js";
import { assertNever } from "./ps-util.js";

/** 10 fractional bits: 1.0 is 1024. */
export const HST_FIXED_SHIFT = 10;
export const HST_FIXED_1 = 1 << HST_FIXED_SHIFT;
/** ≈ 0.95, the default base weight. */
export const HST_FIXED_95 = 972;
/** `ULLONG_MAX >> HST_FIXED_SHIFT` = 2^54 − 1 (not an exact double: only used through {@link minFixedMax}). */
const HST_FIXED_MAX_BIG = (1n << 54n) - 1n;
const HST_MAX_INFLIGHT = HST_FIXED_1;
/** Buckets of 2^24 ns (≈ 16.8 ms). */
const HST_BUCKET_SHIFT = 24;
export const HST_WEIGHT_COUNT = 64;
const EXACT = 2 ** 53;
const TWO_POW_BUCKET = 2 ** HST_BUCKET_SHIFT;

/**
 * `fixed_power(x, frac_bits, n)`: x^n in fixed point by repeated squaring, rounding after every
 * multiply exactly as the kernel does (so weights match it bit for bit).
 */
export function fixedPower(x: number, fracBits: number, n: number): number {
  const one = 2 ** fracBits;
  const half = one / 2;
  let result = one;
  let base = x;
  let e = n;
  if (e) {
    for (;;) {
      if (e & 1) result = Math.floor((result * base + half) / one);
      e >>>= 1;
      if (!e) break;
      base = Math.floor((base * base + half) / one);
    }
  }
  return result;
}

/** `hst_set_weights`: weights[n] = base^(n+1), the last one 0. */
export function hstWeights(base: number): number[] {
  const w = new Array<number>(HST_WEIGHT_COUNT);
  for (let i = 0; i < HST_WEIGHT_COUNT - 1; i++) w[i] = fixedPower(base, HST_FIXED_SHIFT, i + 1);
  w[HST_WEIGHT_COUNT - 1] = 0;
  return w;
}

/**
 * `fixed_ema(last, next, weight)`: (last·w + next·(1024 − w) + 512) >> 10 in u64. `last` and
 * `next` are at most 2^54 − 1, so the sum never wraps; doubles are used while exact.
 */
export function fixedEma(last: number, next: number, weight: number): number {
  const a = last * weight;
  const b = next * (HST_FIXED_1 - weight);
  if (a < EXACT && b < EXACT && a + b + 512 < EXACT) return Math.floor((a + b + 512) / HST_FIXED_1);
  const big = BigInt(last) * BigInt(weight) + BigInt(next) * BigInt(HST_FIXED_1 - weight) + 512n;
  return Number(big >> BigInt(HST_FIXED_SHIFT));
}

/** The new estimate at end_io for a service time `st` (ns), exactly, however large the terms. */
function emaOf(old: number, st: number, weights: Int32Array): number {
  const bucket = Math.min(Math.floor(st / TWO_POW_BUCKET), HST_WEIGHT_COUNT - 1);
  return fixedEma(old, minFixedMax(st), weights[bucket]!);
}

/** `last_finish + valid_count × (hst >> 10)` in u64, exactly. */
function staleAfterOf(lastFinish: number, valid: number, hst: number): number {
  const per = Math.floor(hst / HST_FIXED_1);
  const add = valid * per;
  const stale = lastFinish + add;
  return valid >= 0 && add < EXACT && stale < EXACT
    ? stale
    : Number(BigInt.asUintN(64, BigInt(lastFinish) + BigInt(valid) * BigInt(per)));
}

/** `min(st * HST_FIXED_1, HST_FIXED_MAX)` for a service time `st` in ns. */
function minFixedMax(st: number): number {
  const v = st * HST_FIXED_1;
  if (v < EXACT) return v;
  const big = BigInt(st) * BigInt(HST_FIXED_1);
  return Number(big < HST_FIXED_MAX_BIG ? big : HST_FIXED_MAX_BIG);
}

/** u64 product `a * b` compared with `c * d`, exactly (C: `a * b > c * d`, both wrapping at 2^64). */
function mulGreaterU64(a: number, b: number, c: number, d: number): boolean {
  const x = a * b;
  const y = c * d;
  if (a >= 0 && b >= 0 && c >= 0 && d >= 0 && x < EXACT && y < EXACT) return x > y;
  return BigInt.asUintN(64, BigInt(a) * BigInt(b)) > BigInt.asUintN(64, BigInt(c) * BigInt(d));
}

/** u64 `x > thr * y`. */
function greaterThanScaled(x: number, thr: number, y: number): boolean {
  const p = thr * y;
  if (p < EXACT) return x > p;
  return BigInt(x) > BigInt.asUintN(64, BigInt(thr) * BigInt(y));
}

/**
 * The first value of the number fields that hold doubles: a field V8 first sees holding a small
 * integer is kept as one, and turning it into a double field later costs a map change (and,
 * until then, a check and conversion on every store); this value is never a small integer.
 */
const DOUBLE_FIELD = 0.5;

/** Per-path state (`struct path_info`). Values are u64 in the kernel; here exact doubles (see README note on range). */
class HstPathInfo extends ListNode {
  historicalServiceTime = DOUBLE_FIELD;
  /** Signed here: the kernel's u64 goes "negative" (wraps) only on an unbalanced end_io. */
  outstanding = 0;
  staleAfter = DOUBLE_FIELD;
  lastFinish = DOUBLE_FIELD;
  /**
   * What select compares, kept up to date whenever the fields above change (start_io, end_io)
   * instead of derived on every comparison: `(1 + outstanding) × historicalServiceTime` when the
   * fast comparison is exact for this path, else −1 (the full {@link hstCompare} is used).
   */
  score = DOUBLE_FIELD;
  /** `threshold_multiplier × historicalServiceTime` (exact whenever `score` ≥ 0). */
  scaled = DOUBLE_FIELD;

  constructor(
    readonly path: DmPath,
    readonly repeatCount: number,
    threshold: number,
  ) {
    super();
    this.historicalServiceTime = 1024;
    this.staleAfter = 0;
    this.lastFinish = 0;
    this.rescore(threshold);
  }

  /**
   * Recomputes {@link score} and {@link scaled}. The fast comparison in select needs every
   * product the kernel forms to be exact in a double and none of the kernel's special cases:
   * a non-zero estimate (with no threshold multiplier, two such paths always differ beyond it),
   * 0 ≤ outstanding < 1024 (no fraction dropped, no wrapped counter), (1 + outstanding) × estimate,
   * threshold × estimate and stale_after below 2^53.
   */
  rescore(threshold: number): void {
    const hst = this.historicalServiceTime;
    const out = this.outstanding;
    const score = (1 + out) * hst;
    const scaled = threshold * hst;
    this.scaled = scaled;
    // Literals, not the module's constants: V8 reads a module-level const from its context on
    // every use, with a type check (and divides by it); a literal folds into the code.
    this.score =
      hst > 0 &&
      out >= 0 &&
      out < 1024 &&
      score < 9007199254740992 &&
      scaled < 9007199254740992 &&
      this.staleAfter < 9007199254740992
        ? score
        : -1;
  }
}

/**
 * `hst_compare(pi1, pi2, time_now)` on the two paths' snapshots (historical service time,
 * outstanding, stale_after): < 0 when path 1 is better, > 0 when path 2 is, 0 for no difference.
 * The kernel's signed 64-bit result is returned as a number (only its sign is used).
 */
export function hstCompare(
  hst1In: number,
  out1: number,
  stale1: number,
  hst2In: number,
  out2: number,
  stale2: number,
  now: number,
  threshold: number,
): number {
  let hst1 = hst1In;
  let hst2 = hst2In;

  // Estimates too similar: compare outstanding only (an idle path wins).
  const overThreshold =
    hst1 > hst2 ? greaterThanScaled(hst1, threshold, hst2) : greaterThanScaled(hst2, threshold, hst1);
  if (!overThreshold) return out1 - out2;

  // An idle stale path gets a probe; of two idle paths, the most stale wins.
  if ((out1 === 0 && stale1 < now) || (out2 === 0 && stale2 < now) || (out1 === 0 && out2 === 0))
    return (out2 === 0 ? stale1 : 0) - (out1 === 0 ? stale2 : 0);

  let pi2Better: boolean;
  if (out1 === out2) {
    pi2Better = hst1 > hst2;
  } else {
    // Above 1023 in flight the products could overflow: drop the fraction first.
    if (out1 >= HST_MAX_INFLIGHT || out2 >= HST_MAX_INFLIGHT) {
      hst1 = Math.floor(hst1 / HST_FIXED_1);
      hst2 = Math.floor(hst2 / HST_FIXED_1);
    }
    pi2Better = mulGreaterU64(1 + out1, hst1, 1 + out2, hst2);
  }

  // A stale winner is limited to equal usage.
  if (pi2Better) return stale2 < now ? out1 - out2 : 1;
  return stale1 < now ? out1 - out2 : -1;
}

/** {@link hstCompare} of two paths' current values (select's slow case: kept out of its code). */
function comparePaths(pi1: HstPathInfo, pi2: HstPathInfo, now: number, threshold: number): number {
  return hstCompare(
    pi1.historicalServiceTime,
    pi1.outstanding,
    pi1.staleAfter,
    pi2.historicalServiceTime,
    pi2.outstanding,
    pi2.staleAfter,
    now,
    threshold,
  );
}

/**
 * historical-service-time 0.1.1 (dm-ps-historical-service-time.c): a time-weighted EWMA of each
 * path's service time, times (1 + outstanding), picks the path; stale paths get probes.
 */
class HistoricalServiceTime implements PathSelector {
  readonly #valid = new ListHead();
  readonly #failed = new ListHead();
  readonly #env: PathSelectorEnv;
  #validCount = 0;
  readonly weights: readonly number[];
  /** {@link weights} as end_io reads them. */
  readonly #weights: Int32Array;
  readonly thresholdMultiplier: number;

  constructor(env: PathSelectorEnv, baseWeight: number, thresholdMultiplier: number) {
    this.#env = env;
    this.weights = hstWeights(baseWeight);
    this.#weights = Int32Array.from(this.weights);
    this.thresholdMultiplier = thresholdMultiplier;
  }

  addPath(path: DmPath, args: readonly string[]): AddPathResult {
    if (args.length > 1)
      return { ok: false, error: "historical-service-time ps: incorrect number of arguments" };
    let repeatCount = 1;
    if (args.length > 0) {
      const v = parseKernelUint(args[0]!);
      if (v === null) return { ok: false, error: "historical-service-time ps: invalid repeat count" };
      repeatCount = v;
    }
    const pi = new HstPathInfo(path, repeatCount, this.thresholdMultiplier);
    path.pscontext = pi;
    this.#valid.addTail(pi);
    this.#validCount++;
    return { ok: true };
  }

  failPath(path: DmPath): void {
    this.#failed.move(path.pscontext as HstPathInfo);
    this.#validCount--;
  }

  reinstatePath(path: DmPath): number {
    this.#valid.moveTail(path.pscontext as HstPathInfo);
    this.#validCount++;
    return 0;
  }

  select(_nrBytes: number, _cpu: number): DmPath | null {
    const head = this.#valid;
    let best = head.next as HstPathInfo;
    if ((best as ListNode) === head) return null;
    const now = this.#env.now();
    const thr = this.thresholdMultiplier;
    const noThreshold = thr === 0;
    // The best path's snapshot stays in locals: each path's fields are read at most once per
    // select, its stale_after only where hst_compare looks at it.
    let bHst = best.historicalServiceTime;
    let bOut = best.outstanding;
    let bStale = best.staleAfter;
    let bScore = best.score;
    for (let n = best.next; n !== head; n = n.next) {
      const pi = n as HstPathInfo;
      const hst = pi.historicalServiceTime;
      const out = pi.outstanding;
      const score = pi.score;
      let cmp: number;
      if (score >= 0 && bScore >= 0) {
        // hst_compare(pi, best) with every product exact (see HstPathInfo.rescore): the same
        // decisions in the same order, on values kept up to date by start_io and end_io.
        // Without a threshold multiplier, non-zero estimates always differ beyond it.
        if (!noThreshold && !(hst > bHst ? hst > best.scaled : bHst > pi.scaled)) cmp = out - bOut;
        // (out = 0 ∧ stale < now) ∨ (bOut = 0 ∧ bStale < now) ∨ (out = 0 ∧ bOut = 0), one test less.
        else if ((out === 0 && (pi.staleAfter < now || bOut === 0)) || (bOut === 0 && bStale < now))
          cmp = (bOut === 0 ? pi.staleAfter : 0) - (out === 0 ? bStale : 0);
        else if (score > bScore) cmp = bStale < now ? out - bOut : 1;
        else cmp = pi.staleAfter < now ? out - bOut : -1;
      } else {
        cmp = comparePaths(pi, best, now, thr);
      }
      if (cmp < 0) {
        best = pi;
        bHst = hst;
        bOut = out;
        bStale = pi.staleAfter;
        bScore = score;
      }
    }
    head.moveTail(best);
    return best.path;
  }

  startIo(path: DmPath, _nrBytes: number): void {
    const pi = path.pscontext as HstPathInfo;
    const out = ++pi.outstanding;
    // One more in flight adds one estimate to (1 + outstanding) × estimate: exact while the sum
    // stays below 2^53 (else, or from a path not on the fast comparison, recomputed in full).
    const score = pi.score + pi.historicalServiceTime;
    if (pi.score >= 0 && out < 1024 && score < 9007199254740992) pi.score = score;
    else pi.rescore(this.thresholdMultiplier);
  }

  endIo(path: DmPath, _nrBytes: number, startNs: number): void {
    const pi = path.pscontext as HstPathInfo;
    const now = this.#env.now();
    // A request that finished after this one was sent: pretend they were served one after the other.
    const last = pi.lastFinish;
    const start = Math.max(last, startNs);
    pi.lastFinish = now;
    const out = --pi.outstanding;
    const st = now - start;
    // The common case inline, kept small enough for V8 to inline end_io into its caller:
    // fixed_ema with every term exact in a double (st << 10 < 2^40 below the last weight
    // bucket), and every product select compares exact (see HstPathInfo.rescore). Literal
    // constants (see rescore): 63 · 2^24 ns starts the last bucket, 2^-24 and 2^-10 multiply
    // exactly where the kernel shifts right, 2^53 bounds exact doubles.
    const valid = this.#validCount;
    if (st >= 0 && st < 1056964608 && out < 1024 && valid >= 0) {
      const w = this.#weights[(st * 5.9604644775390625e-8) | 0]!;
      const sum = pi.historicalServiceTime * w + st * 1024 * (1024 - w) + 512;
      const hst = Math.floor(sum * 0.0009765625);
      // Fresh again: stale once no request finished within (paths × estimate).
      // hst >> 10 as (sum >> 10) >> 10 = sum >> 20: not waiting for hst.
      const stale = now + valid * Math.floor(sum * 9.5367431640625e-7);
      const score = (1 + out) * hst;
      const scaled = this.thresholdMultiplier * hst;
      // score > 0: outstanding ≥ 0 and a non-zero estimate (see HstPathInfo.rescore); then all
      // four are ≥ 0, so a rounded sum below 2^53 bounds each of them.
      if (score > 0 && sum + stale + score + scaled < 9007199254740992) {
        pi.historicalServiceTime = hst;
        pi.staleAfter = stale;
        pi.score = score;
        pi.scaled = scaled;
        return;
      }
    }
    this.#endIoSlow(pi, now, st);
  }

  /**
   * The rest of end_io, exactly, for any values (see {@link endIo}); `st` is `now − start`, which
   * the kernel takes as 0 when negative.
   */
  #endIoSlow(pi: HstPathInfo, now: number, st: number): void {
    const hst = emaOf(pi.historicalServiceTime, Math.max(st, 0), this.#weights);
    pi.historicalServiceTime = hst;
    const valid = this.#validCount;
    pi.staleAfter = staleAfterOf(now, valid, hst);
    pi.rescore(this.thresholdMultiplier);
  }

  status(path: DmPath | null, type: StatusType): string {
    if (path === null) return `2 ${this.weights[0]} ${this.thresholdMultiplier}`;
    const pi = path.pscontext as HstPathInfo;
    switch (type) {
      case "info":
        return `${u64(pi.historicalServiceTime)} ${u64(pi.outstanding)} ${u64(pi.staleAfter)}`;
      case "table":
        return "0";
      case "ima":
        return "";
      default:
        return assertNever(type);
    }
  }

  destroy(): void {
    for (const head of [this.#valid, this.#failed]) while (!head.empty()) ListHead.del(head.next);
  }
}

/** `%llu` of a value that may be a small negative number standing for a wrapped u64. */
function u64(v: number): string {
  return v >= 0 ? String(v) : BigInt.asUintN(64, BigInt(v)).toString();
}

/** The `historical-service-time` path selector (module `dm-historical-service-time`). */
export const historicalServiceTimeSelector = definePathSelector({
  name: "historical-service-time",
  version: [0, 1, 1],
  tableArgs: 1,
  infoArgs: 3,
  useHrTimer: true,
  create(args: readonly string[], env: PathSelectorEnv): CreateSelectorResult {
    if (args.length > 2) return { ok: false, errno: -Errno.EINVAL };
    let base = HST_FIXED_95;
    if (args.length > 0) {
      const v = parseKernelUint(args[0]!);
      if (v === null || v >= HST_FIXED_1) return { ok: false, errno: -Errno.EINVAL };
      base = v;
    }
    let threshold = 0;
    if (args.length > 1) {
      const v = parseKernelUint(args[1]!);
      if (v === null) return { ok: false, errno: -Errno.EINVAL };
      threshold = v;
    }
    return { ok: true, selector: new HistoricalServiceTime(env, base, threshold) };
  },
});
