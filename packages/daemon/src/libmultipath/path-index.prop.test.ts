import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PathIndex, setPathWwid } from "./path-index.js";
import { allocPath, type MpPath } from "./structs.js";

type Edit =
  | { kind: "push"; devT: number }
  | { kind: "splice"; at: number }
  | { kind: "replace"; at: number; devT: number }
  | { kind: "retag"; at: number; devT: number }
  | { kind: "retagNew"; devT: number }
  | { kind: "rewwid"; at: number; devT: number }
  | { kind: "findWwid"; devT: number }
  | { kind: "find"; devT: number }
  | { kind: "findDev"; devT: number };

// Few dev_ts, so duplicates (where "first" matters) are common.
const devT = fc.integer({ min: 0, max: 4 });
const at = fc.nat(64);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("push" as const), devT }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("splice" as const), at }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("replace" as const), at, devT }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retag" as const), at, devT }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retagNew" as const), devT }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("rewwid" as const), at, devT }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("findWwid" as const), devT }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("find" as const), devT }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("findDev" as const), devT }) },
);

function path(n: number): MpPath {
  const pp = allocPath();
  pp.devT = `8:${n * 16}`;
  // Names repeat too (a removed path's name given to a new one), and never change.
  pp.dev = `sd${"abcde"[n]}`;
  pp.wwid = `3600a${n % 3}`;
  return pp;
}

describe("PathIndex", () => {
  it("finds what a linear search finds, through pushes, removals and announced edits in place (dev_t changes in and out of the vector)", () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 200, size: "max" }), (edits) => {
        const idx = new PathIndex();
        const vec: MpPath[] = [];
        for (const e of edits) {
          const i = vec.length === 0 ? 0 : (e as { at?: number }).at! % vec.length;
          switch (e.kind) {
            case "push":
              vec.push(path(e.devT));
              break;
            case "splice":
              if (vec.length > 0) vec.splice(i, 1);
              break;
            // Edits in place are announced (pathinfo does when a dev_t changes).
            case "replace":
              if (vec.length > 0) vec[i] = path(e.devT);
              idx.invalidate();
              break;
            case "retag":
              if (vec.length > 0) {
                const old = vec[i]!.devT;
                vec[i]!.devT = `8:${e.devT * 16}`;
                idx.devtChanged(vec[i]!, old);
              }
              break;
            case "retagNew": {
              // pathinfo of a path not in the vector yet; it joins it later.
              const pp = path(e.devT);
              const old = pp.devT;
              pp.devT = `8:${((e.devT + 1) % 5) * 16}`;
              idx.devtChanged(pp, old);
              vec.push(pp);
              break;
            }
            case "rewwid":
              if (vec.length > 0) setPathWwid(idx, vec[i]!, `3600a${e.devT % 3}`);
              break;
            case "findWwid": {
              const want = `3600a${e.devT % 3}`;
              expect(idx.byWwid(vec, want)).toEqual(vec.filter((p) => p.wwid === want));
              break;
            }
            case "find": {
              const want = `8:${e.devT * 16}`;
              expect(idx.byDevt(vec, want)).toBe(vec.find((p) => p.devT === want) ?? null);
              break;
            }
            case "findDev": {
              const want = `sd${"abcde"[e.devT]}`;
              expect(idx.byDev(vec, want)).toBe(vec.find((p) => p.dev === want) ?? null);
              break;
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
