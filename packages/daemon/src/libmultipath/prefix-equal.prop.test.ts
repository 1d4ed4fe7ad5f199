import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prefixEqual } from "./structs-vec.js";

describe("prefixEqual", () => {
  it("is a.slice(0, n) === b.slice(0, n) for any strings and length", () => {
    const s = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("3600a0b8", "3600a0b80", "", "x"));
    fc.assert(
      fc.property(s, s, fc.nat(14), (a, b, n) => {
        expect(prefixEqual(a, b, n)).toBe(a.slice(0, n) === b.slice(0, n));
        expect(prefixEqual(a, `${a}${b}`, n)).toBe(a.slice(0, n) === `${a}${b}`.slice(0, n));
      }),
      { numRuns: 5000 },
    );
  });
});
