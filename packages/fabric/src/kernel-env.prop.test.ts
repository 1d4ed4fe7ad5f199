import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Ida } from "./kernel-env.js";

describe("Ida", () => {
  it("always hands out the smallest id not in use, for any allocs and frees", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(-1), fc.nat(40)), { maxLength: 300 }), (steps) => {
        const ida = new Ida();
        const used = new Set<number>();
        for (const s of steps) {
          if (s === -1) {
            let want = 0;
            while (used.has(want)) want++;
            expect(ida.alloc()).toBe(want);
            used.add(want);
          } else {
            ida.free(s);
            used.delete(s);
          }
          for (let i = 0; i <= 41; i++) expect(ida.has(i)).toBe(used.has(i));
        }
      }),
    );
  });
});
