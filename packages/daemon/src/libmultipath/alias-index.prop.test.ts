import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findMpByAlias } from "../structs/structs-vec.js";
import { AliasIndex } from "./path-index.js";

type M = { alias: string | null };
type Edit =
  | { kind: "push"; a: number }
  | { kind: "splice"; at: number }
  | { kind: "replace"; at: number; a: number }
  | { kind: "rename"; at: number; a: number }
  | { kind: "rebuild-string"; at: number }
  | { kind: "find"; a: number };

const a = fc.integer({ min: 0, max: 5 });
const at = fc.nat(32);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("push" as const), a }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("splice" as const), at }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("replace" as const), at, a }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("rename" as const), at, a }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("rebuild-string" as const), at }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("find" as const), a }) },
);
/** Aliases, duplicates allowed; 4 is the empty alias, 5 none. */
const alias = (n: number) => (n === 5 ? null : n === 4 ? "" : `mpath${String.fromCharCode(97 + n)}`);

describe("AliasIndex", () => {
  it("finds what find_mp_by_alias's scan finds, through any edit of the vector or of an alias (none announced)", () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 120 }), (edits) => {
        const idx = new AliasIndex<M>();
        const maps: M[] = [];
        for (const e of edits) {
          const i = maps.length === 0 ? 0 : ((e as { at?: number }).at ?? 0) % maps.length;
          if (e.kind === "push") maps.push({ alias: alias(e.a) });
          else if (e.kind === "splice") maps.splice(i, 1);
          else if (e.kind === "replace") {
            if (maps.length > 0) maps[i] = { alias: alias(e.a) };
          } else if (e.kind === "rename") {
            if (maps.length > 0) maps[i]!.alias = alias(e.a);
          } else if (e.kind === "rebuild-string") {
            // The same alias as a new string object.
            if (maps.length > 0 && maps[i]!.alias !== null)
              maps[i]!.alias = `${maps[i]!.alias}x`.slice(0, -1);
          } else {
            const name = alias(e.a) ?? "";
            expect(idx.byAlias(maps, name)).toBe(findMpByAlias(maps as never, name));
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
