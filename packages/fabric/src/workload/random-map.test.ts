import { createRng } from "@mp/dm-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomMap } from "./random-map.js";

describe("random map (fio's axmap)", () => {
  it("nextFree finds the first free block at or after a position, wrapping, and -1 when full", () => {
    const m = new RandomMap(100);
    expect(m.nextFree(0)).toBe(0);
    for (const b of [0, 1, 2, 50, 99]) m.set(b);
    expect(m.nextFree(0)).toBe(3);
    expect(m.nextFree(50)).toBe(51);
    expect(m.nextFree(99)).toBe(3);
    expect(m.used).toBe(5);
    for (let b = 0; b < 100; b++) m.set(b);
    expect(m.full).toBe(true);
    expect(m.nextFree(10)).toBe(-1);
    m.clear();
    expect(m.used).toBe(0);
    expect(m.nextFree(42)).toBe(42);
  });

  it("agrees with a brute-force search on random fills, across summary levels", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70_000 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (blocks, seed) => {
          const rng = createRng(seed);
          const m = new RandomMap(blocks);
          const set = new Uint8Array(blocks);
          // Fill densely so that summary words become full.
          const n = Math.floor(blocks * rng.float());
          for (let i = 0; i < n; i++) {
            const b = Math.floor(rng.float() * blocks);
            m.set(b);
            set[b] = 1;
          }
          for (let lo = 0, run = 0; lo < blocks && run < blocks; lo++, run += 2) {
            if (set[lo]) continue;
            m.set(lo);
            set[lo] = 1;
            if (run > blocks * 0.9) break;
          }
          for (let q = 0; q < 20; q++) {
            const from = Math.floor(rng.float() * blocks);
            let want = -1;
            for (let k = 0; k < blocks; k++) {
              const b = (from + k) % blocks;
              if (!set[b]) {
                want = b;
                break;
              }
            }
            expect(m.nextFree(from)).toBe(want);
          }
          expect(m.used).toBe(set.reduce((a, b) => a + b, 0));
        },
      ),
      { numRuns: 60, seed: 1 },
    );
  });

  it("freeRun measures contiguous free blocks", () => {
    const m = new RandomMap(64);
    m.set(10);
    expect(m.freeRun(5, 16)).toBe(5);
    expect(m.freeRun(11, 100)).toBe(53);
  });
});
