import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HwMatcher } from "./config.js";
import { BUILTIN_HWTABLE } from "./hwtable.js";
import { ConfigLog } from "./log.js";
import type { HwEntry } from "./structs.js";

/** Vendors, products and revisions of the built-in table's kind, with a few that collide or vary. */
const field = fc.option(
  fc.oneof(
    fc.constantFrom(
      "LIO-ORG",
      "NETAPP",
      "LUN",
      "HP",
      "HPE",
      "COMPAQ",
      "MSA",
      "DGC",
      "IBM",
      "2145",
      "4.0",
      "",
    ),
    fc.constantFrom("a\u0000", "1:a", "-", "1:", "\u0000"),
    fc.stringMatching(/^[A-Z0-9 -]{0,6}$/),
  ),
  { nil: undefined },
);
const user: fc.Arbitrary<HwEntry[]> = fc.array(
  fc.record({
    vendor: fc.constantFrom("LIO-ORG", "^HP", "NET.*", "("),
    product: fc.constantFrom(".*", "LUN", "MSA", "2145"),
  }) as fc.Arbitrary<HwEntry>,
  { maxLength: 3 },
);

describe("HwMatcher", () => {
  it("answers and logs as a fresh matcher does, however often and in whatever order it is asked", () => {
    fc.assert(
      fc.property(
        user,
        fc.array(fc.tuple(field, field, field, fc.boolean()), { minLength: 1, maxLength: 30 }),
        (extra, asks) => {
          const table = [...BUILTIN_HWTABLE, ...extra] as HwEntry[];
          const kept = new HwMatcher(table);
          for (const [v, p, r, withLog] of asks) {
            const a = new ConfigLog();
            const b = new ConfigLog();
            const got = kept.find(v, p, r, withLog ? a : undefined);
            const want = new HwMatcher(table).find(v, p, r, withLog ? b : undefined);
            expect(got).toEqual(want);
            for (let i = 0; i < got.length; i++) expect(got[i]).toBe(want[i]);
            expect(a.entries).toEqual(b.entries);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives each caller its own list (a caller may change it)", () => {
    const m = new HwMatcher(BUILTIN_HWTABLE as HwEntry[]);
    const first = m.find("NETAPP", "LUN", "1");
    first.length = 0;
    expect(m.find("NETAPP", "LUN", "1").length).toBeGreaterThan(0);
  });
});
