import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteInterner } from "./scsi-subsystem.js";

describe("ByteInterner", () => {
  it("gives back the bytes it was given, one array for every equal content", () => {
    const bytes = fc.uint8Array({ maxLength: 6 }).map((b) => b.map((x) => x & 3));
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 40 }), (list) => {
        const interner = new ByteInterner();
        const kept: Uint8Array[] = [];
        for (const b of list) {
          const copy = b.slice();
          const got = interner.intern(copy);
          expect([...got]).toEqual([...b]);
          const earlier = kept.find((k) => k.length === b.length && k.every((x, i) => x === b[i]));
          if (earlier) expect(got).toBe(earlier);
          else {
            expect(got).toBe(copy);
            kept.push(got);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
