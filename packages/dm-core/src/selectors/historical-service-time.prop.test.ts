import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fixedEma,
  HST_FIXED_1,
  HST_WEIGHT_COUNT,
  historicalServiceTimeSelector,
  hstCompare,
  hstWeights,
} from "./historical-service-time.js";
import type { DmPath } from "./path-selector.js";
import { FakeSelectorEnv, fakePath } from "./testing/fake-selector-env.js";

/**
 * The selector as the kernel's C reads, written the plain way: every comparison through
 * hst_compare on the paths' fields, every end_io in BigInt u64 arithmetic. The selector keeps
 * derived per-path values and inline fast paths; it must pick the same paths and print the same
 * fields as this for any sequence of I/Os, failures, reinstatements and clock readings.
 */
class ReferenceHst {
  readonly valid: number[] = [];
  readonly failed: number[] = [];
  readonly hst: bigint[] = [];
  readonly out: number[] = [];
  readonly stale: bigint[] = [];
  readonly last: bigint[] = [];
  readonly weights: number[];

  constructor(
    n: number,
    base: number,
    readonly threshold: number,
  ) {
    this.weights = hstWeights(base);
    for (let i = 0; i < n; i++) {
      this.valid.push(i);
      this.hst.push(BigInt(HST_FIXED_1));
      this.out.push(0);
      this.stale.push(0n);
      this.last.push(0n);
    }
  }

  select(now: number): number | null {
    let best = -1;
    for (const i of this.valid) {
      if (best < 0) best = i;
      else if (
        hstCompare(
          Number(this.hst[i]),
          this.out[i]!,
          Number(this.stale[i]),
          Number(this.hst[best]),
          this.out[best]!,
          Number(this.stale[best]),
          now,
          this.threshold,
        ) < 0
      )
        best = i;
    }
    if (best < 0) return null;
    this.valid.splice(this.valid.indexOf(best), 1);
    this.valid.push(best);
    return best;
  }

  endIo(i: number, startNs: number, now: number): void {
    let start = BigInt(startNs);
    if (this.last[i]! > start) start = this.last[i]!;
    this.last[i] = BigInt(now);
    const st = BigInt(now) < start ? 0n : BigInt(now) - start;
    this.out[i]!--;
    const bucket = Math.min(Number(st >> 24n), HST_WEIGHT_COUNT - 1);
    const max = (1n << 54n) - 1n;
    const next = st * 1024n < max ? st * 1024n : max;
    this.hst[i] = BigInt(fixedEma(Number(this.hst[i]), Number(next), this.weights[bucket]!));
    // The model keeps u64 values in doubles: a stale_after past 2^53 is held rounded.
    this.stale[i] = BigInt(
      Number(BigInt.asUintN(64, this.last[i]! + BigInt(this.valid.length) * (this.hst[i]! >> 10n))),
    );
  }

  info(i: number): string {
    const u = (v: bigint | number): string => BigInt.asUintN(64, BigInt(v)).toString();
    return `${u(this.hst[i]!)} ${u(this.out[i]!)} ${u(this.stale[i]!)}`;
  }
}

type Op =
  | { readonly t: "io"; readonly advance: number }
  | { readonly t: "end"; readonly k: number; readonly advance: number }
  | { readonly t: "fail"; readonly k: number }
  | { readonly t: "reinstate"; readonly k: number };

/** Clock steps from nanoseconds to past the last weight bucket (seconds). */
const advanceArb = fc.oneof(
  // Equal steps: paths end up with equal estimates, so ties between them are exercised.
  fc.constant(1000),
  fc.constant(1000),
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: 0, max: 2_000 }),
  fc.integer({ min: 0, max: 50_000_000 }),
  fc.integer({ min: 0, max: 3_000_000_000 }),
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant("io" as const), advance: advanceArb }) },
  {
    weight: 5,
    arbitrary: fc.record({ t: fc.constant("end" as const), k: fc.nat(), advance: advanceArb }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("fail" as const), k: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("reinstate" as const), k: fc.nat() }) },
);

describe("historical-service-time against the plain hst_compare / BigInt model", () => {
  it("selects the same paths and keeps the same per-path fields", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: HST_FIXED_1 - 1 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 }), fc.constant(0xffff_ffff)),
        fc.oneof(fc.constant(0), fc.constant(10_000_000_000), fc.constant(2 ** 52)),
        fc.array(opArb, { minLength: 20, maxLength: 400, size: "max" }),
        (n, base, threshold, t0, ops) => {
          const env = new FakeSelectorEnv();
          env.time = t0;
          const made = historicalServiceTimeSelector.create([String(base), String(threshold)], env);
          if (!made.ok) throw new Error("create failed");
          const ps = made.selector;
          const paths: DmPath[] = [];
          for (let i = 0; i < n; i++) {
            paths.push(fakePath(i));
            ps.addPath(paths[i]!, []);
          }
          const ref = new ReferenceHst(n, base, threshold);
          const inflight: Array<{ i: number; start: number }> = [];
          for (const op of ops) {
            switch (op.t) {
              case "io": {
                env.time += op.advance;
                const got = ps.select(4096, 0);
                const want = ref.select(env.time);
                expect(got === null ? null : paths.indexOf(got)).toBe(want);
                if (want === null) break;
                ps.startIo!(got!, 4096);
                ref.out[want]!++;
                inflight.push({ i: want, start: env.time });
                break;
              }
              case "end": {
                if (inflight.length === 0) break;
                const [io] = inflight.splice(op.k % inflight.length, 1);
                env.time += op.advance;
                ps.endIo!(paths[io!.i]!, 4096, io!.start);
                ref.endIo(io!.i, io!.start, env.time);
                break;
              }
              case "fail": {
                if (ref.valid.length === 0) break;
                const i = ref.valid[op.k % ref.valid.length]!;
                ps.failPath(paths[i]!);
                ref.valid.splice(ref.valid.indexOf(i), 1);
                ref.failed.unshift(i);
                break;
              }
              case "reinstate": {
                if (ref.failed.length === 0) break;
                const i = ref.failed[op.k % ref.failed.length]!;
                ps.reinstatePath(paths[i]!);
                ref.failed.splice(ref.failed.indexOf(i), 1);
                ref.valid.push(i);
                break;
              }
            }
            for (let i = 0; i < n; i++) expect(ps.status(paths[i]!, "info")).toBe(ref.info(i));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("historical-service-time ties", () => {
  it("breaks an exact tie of (1 + outstanding) × estimate as hst_compare does", () => {
    // Samples past the last bucket (weight 0) set each estimate exactly: 4 s and 2 s.
    const env = new FakeSelectorEnv();
    const made = historicalServiceTimeSelector.create([], env);
    if (!made.ok) throw new Error("create failed");
    const ps = made.selector;
    const p = [fakePath(0), fakePath(1)];
    for (const x of p) ps.addPath(x, []);
    const ref = new ReferenceHst(2, 972, 0);
    const io = (i: number): void => {
      ps.startIo!(p[i]!, 4096);
      ref.out[i]!++;
    };
    io(0);
    io(1);
    env.time = 4_000_000_000;
    ps.endIo!(p[0]!, 4096, 0);
    ref.endIo(0, 0, env.time);
    ps.endIo!(p[1]!, 4096, 2_000_000_000);
    ref.endIo(1, 2_000_000_000, env.time);
    // 7:0 with 1 in flight, 7:1 with 3: (1 + 1) × 4 s = (1 + 3) × 2 s.
    io(0);
    for (let k = 0; k < 3; k++) io(1);
    env.time += 1;
    const got = ps.select(4096, 0);
    const want = ref.select(env.time);
    expect(got).toBe(p[want!]);
    // hst_compare(7:1, 7:0): not worse (equal products), and 7:1 is fresh → -1: 7:1.
    expect(got).toBe(p[1]);
  });
});
