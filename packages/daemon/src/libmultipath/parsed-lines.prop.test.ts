import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fileLines, ParsedLines } from "./file.js";

describe("ParsedLines", () => {
  it("gives what parsing every line of the text gives, through appends, rewrites and truncations", () => {
    const line = fc.constantFrom("a", "b c", "", "# x", "/w1/", "/w2/");
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("append" as const),
        lines: fc.array(line, { maxLength: 4 }),
        announce: fc.boolean(),
      }),
      fc.record({ kind: fc.constant("rewrite" as const), lines: fc.array(line, { maxLength: 6 }) }),
      fc.record({ kind: fc.constant("tail" as const), text: fc.constantFrom("x", "y\n", "\n", "") }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.constantFrom("a", "/w1/", ""), (steps, probe) => {
        let parses = 0;
        const cache = new ParsedLines((l: string) => {
          parses++;
          return l.toUpperCase();
        });
        let text = "";
        for (const s of steps) {
          if (s.kind === "append") {
            const added = s.lines.map((l) => `${l}\n`).join("");
            const before = text;
            text += added;
            // Appends are announced (as the daemon's own are), or not (another writer).
            if (s.announce) cache.appended(before, added, text);
          } else if (s.kind === "rewrite") text = s.lines.map((l) => `${l}\n`).join("");
          else text += s.text;
          const want = fileLines(text).map((l) => l.toUpperCase());
          expect(cache.of(text)).toEqual(want);
          expect(cache.has(text, probe.toUpperCase())).toBe(want.includes(probe.toUpperCase()));
        }
        void parses;
      }),
      { numRuns: 500 },
    );
  });

  it("parses only the appended lines when the text grew by whole lines", () => {
    const seen: string[] = [];
    const cache = new ParsedLines((l: string) => {
      seen.push(l);
      return l;
    });
    cache.of("a\nb\n");
    cache.of("a\nb\nc\n");
    expect(seen).toEqual(["a", "b", "c"]);
  });
});
