import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findMpByWwid } from "../structs/structs-vec.js";
import { MapIndex } from "./path-index.js";

type M = { wwid: string };
type Edit =
  | { kind: "push"; w: number }
  | { kind: "splice"; at: number }
  | { kind: "replace"; at: number; w: number }
  | { kind: "rewwid"; at: number; w: number }
  | { kind: "find"; w: number };

const w = fc.integer({ min: 0, max: 4 });
const at = fc.nat(32);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("push" as const), w }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("splice" as const), at }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("replace" as const), at, w }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("rewwid" as const), at, w }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("find" as const), w }) },
);
const wwid = (n: number) => (n === 4 ? "" : `3600a${n}`);

describe("MapIndex", () => {
  it("finds what find_mp_by_wwid's scan finds, through any edit of the vector or of a WWID (none announced)", () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 120 }), (edits) => {
        const idx = new MapIndex<M>();
        const maps: M[] = [];
        for (const e of edits) {
          const i = maps.length === 0 ? 0 : ((e as { at?: number }).at ?? 0) % maps.length;
          if (e.kind === "push") maps.push({ wwid: wwid(e.w) });
          else if (e.kind === "splice") maps.splice(i, 1);
          else if (e.kind === "replace") {
            if (maps.length > 0) maps[i] = { wwid: wwid(e.w) };
          } else if (e.kind === "rewwid") {
            if (maps.length > 0) maps[i]!.wwid = wwid(e.w);
          } else expect(idx.byWwid(maps, wwid(e.w))).toBe(findMpByWwid(maps as never, wwid(e.w)));
        }
      }),
      { numRuns: 500 },
    );
  });
});
