import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mkdev } from "../../block/devt.js";
import { BlkStatus } from "../../block/status.js";
import { IoRecorder, testKernel } from "../testing/harness.js";

/**
 * The striping law: map sector s lies in chunk c = ⌊s / chunk⌋ on stripe c mod n, at
 * ⌊c / n⌋ · chunk + s mod chunk past the stripe's offset; what a write puts there, a read returns.
 */
describe("striped (property)", () => {
  it("every written sector lands where the chunk arithmetic says, and reads back", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 32 }), { minLength: 4, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        (n, chunk, rounds, offsets, a, b) => {
          const { clock, k } = testKernel({ loops: 4 });
          const io = new IoRecorder(clock);
          const len = n * chunk * rounds;
          const params = [n, chunk, ...offsets.slice(0, n).flatMap((o, i) => [`7:${i}`, o])].join(" ");
          k.dm.create("s");
          expect(k.dm.load("s", [{ start: 0, length: len, type: "striped", params }]).ok).toBe(true);
          const r = k.dm.resume("s");
          if (!r.ok) throw new Error("resume");
          const dev = k.block.get(r.value.devt)!;
          const start = a % len;
          const count = 1 + (b % (len - start));
          const w = io.submit(dev, "write", start, count * 512);
          for (let i = 0; i < count; i++) w.bio.data!.fill(((start + i) % 250) + 1, i * 512, (i + 1) * 512);
          clock.runUntilIdle();
          expect(w.status).toBe(BlkStatus.OK);
          const back = io.submit(dev, "read", 0, len * 512);
          const raw = [0, 1, 2, 3].map((i) => io.submit(k.block.get(mkdev(7, i))!, "read", 0, 128 * 512));
          clock.runUntilIdle();
          for (let s = start; s < start + count; s++) {
            const c = Math.floor(s / chunk);
            const stripe = c % n;
            const at = offsets[stripe]! + Math.floor(c / n) * chunk + (s % chunk);
            expect(raw[stripe]!.bio.data![at * 512]).toBe((s % 250) + 1);
            expect(back.bio.data![s * 512]).toBe((s % 250) + 1);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
