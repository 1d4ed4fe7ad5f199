import { createRng, ReqOp } from "@mp/dm-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FixedServiceModel } from "./fixed-service.js";

/**
 * The model as first written: a scan for the earliest-free server (first of equals). The heap
 * must give the same delays for every call sequence.
 */
class ScanReference {
  readonly #free: Float64Array;
  constructor(
    readonly base: number,
    readonly perByte: number,
    depth: number,
  ) {
    this.#free = new Float64Array(depth);
  }
  serviceNs(bytes: number, nowNs: number, jitter: number): number {
    const t = this.base + bytes * this.perByte + jitter;
    const free = this.#free;
    if (free.length === 0) return Math.round(t);
    let best = 0;
    for (let i = 1; i < free.length; i++) if (free[i]! < free[best]!) best = i;
    const start = Math.max(nowNs, free[best]!);
    free[best] = start + t;
    return Math.round(start + t - nowNs);
  }
  reset(nowNs: number): void {
    this.#free.fill(nowNs);
  }
}

type Step = { kind: "io"; advance: number; bytes: number } | { kind: "reset"; advance: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({
      kind: fc.constant("io" as const),
      advance: fc.integer({ min: 0, max: 400_000 }),
      bytes: fc.integer({ min: 0, max: 1 << 20 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reset" as const), advance: fc.nat(1_000_000) }) },
);

describe("FixedServiceModel", () => {
  it("gives the delays of an earliest-free scan over its servers, for any arrivals and resets", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 0, max: 300_000 }),
        fc.constantFrom(0, 0.25, 1.5),
        fc.constantFrom(0, 12_345),
        fc.array(step, { maxLength: 400 }),
        (depth, base, perByte, jitterNs, steps) => {
          const model = new FixedServiceModel({
            name: "lun",
            serviceNs: base,
            nsPerByte: perByte,
            queueDepth: depth,
            ...(jitterNs > 0 ? { jitterNs, rng: createRng("svc") } : {}),
          });
          const jitter = createRng("svc");
          const ref = new ScanReference(base, perByte, depth);
          let now = 0;
          for (const s of steps) {
            now += s.advance;
            if (s.kind === "reset") {
              model.reset(now);
              ref.reset(now);
              continue;
            }
            const j = jitterNs > 0 ? jitter.float() * jitterNs : 0;
            expect(model.serviceNs(ReqOp.READ, s.bytes, 0, now)).toBe(ref.serviceNs(s.bytes, now, j));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("queues a command behind the earliest-free of its busy servers", () => {
    const m = new FixedServiceModel({ name: "lun", serviceNs: 100, queueDepth: 2 });
    expect(m.serviceNs(ReqOp.READ, 0, 0, 0)).toBe(100);
    expect(m.serviceNs(ReqOp.READ, 0, 0, 10)).toBe(100);
    // Both busy (free at 100 and 110): the third starts at 100.
    expect(m.serviceNs(ReqOp.READ, 0, 0, 20)).toBe(180);
    expect(m.serviceNs(ReqOp.READ, 0, 0, 20)).toBe(190);
  });
});
