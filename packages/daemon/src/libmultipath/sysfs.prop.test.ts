import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ancestorMatching, cStrtoul, parentsOf } from "./sysfs.js";

/** `cStrtoul` as the general parse alone does it (the fast path for decimals bypasses this). */
function strtoulByRegex(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return null;
  const t = m[1]!;
  if (/^0[xX]/.test(t)) return Number.parseInt(t.slice(2), 16);
  if (t.length > 1 && t[0] === "0") return Number.parseInt(t, 8);
  return Number.parseInt(t, 10);
}

const component = fc.oneof(
  fc.constantFrom("0:0:0:1", "target0:0:0", "rport-0:0-1", "host0", "block", "sda", "0000:00:02.0", "", "."),
  fc.stringMatching(/^[a-z0-9:.-]{0,8}$/),
);
const syspath = fc.oneof(
  { weight: 4, arbitrary: fc.array(component, { maxLength: 8 }).map((c) => `/sys/devices/${c.join("/")}`) },
  { weight: 1, arbitrary: fc.array(component, { maxLength: 6 }).map((c) => `/${c.join("/")}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const pattern = fc.constantFrom(/^(\d+):(\d+):(\d+):(\d+)$/, /^target\d+:\d+:\d+$/, /^rport-/, /^$/, /./);

describe("sysfs helpers", () => {
  it("ancestorMatching finds the ancestor parentsOf(…).find finds, for any path", () => {
    fc.assert(
      fc.property(syspath, pattern, (p, re) => {
        expect(ancestorMatching(p, re)).toEqual(parentsOf(p).find((d) => re.test(d.sysname)) ?? null);
      }),
      { numRuns: 3000 },
    );
  });

  it("cStrtoul reads every string as C's strtoul(s, &end, 0) does", () => {
    const text = fc.oneof(
      fc.nat().map(String),
      fc.stringMatching(/^[ +0-9xXa-f\n]{0,18}$/),
      fc.constantFrom("30", "0", "010", "0x1e", "007", "9007199254740993", "123456789012345", "1 ", "-1"),
    );
    fc.assert(
      fc.property(text, (s) => {
        expect(cStrtoul(s)).toBe(strtoulByRegex(s));
      }),
      { numRuns: 3000 },
    );
  });
});
