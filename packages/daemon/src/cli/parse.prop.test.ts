import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMMAND_SPECS, type Command, type CommandParams } from "./commands.js";
import { findKey, KEYWORDS } from "./keywords.js";
import { formatCommand, parseCommand, quoteParam } from "./parse.js";
import { tokenizeCommand } from "./tokenize.js";

/** Any text a parameter can hold: non-empty, no NUL, any Unicode. */
const paramText = fc.string({ unit: "binary", minLength: 1, maxLength: 20 }).filter((s) => !s.includes("\0"));

const command: fc.Arbitrary<Command> = fc
  .tuple(
    fc.constantFrom(...COMMAND_SPECS),
    fc.record({ path: paramText, map: paramText, format: paramText, group: paramText, key: paramText }),
  )
  .map(([spec, p]) => spec.build(p as CommandParams) as Command);

describe("command line laws", () => {
  it("parse(format(c)) = c for every command and parameter text", () => {
    fc.assert(
      fc.property(command, (c) => {
        const r = parseCommand(formatCommand(c));
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.command).toEqual(c);
      }),
      { numRuns: 2000 },
    );
  });

  it("a quoted parameter tokenizes back to itself", () => {
    fc.assert(
      fc.property(paramText, (s) => {
        const words = tokenizeCommand(`x ${quoteParam(s)}`)!.filter((t) => t.kind === "word");
        expect(words.map((t) => (t.kind === "word" ? t.text : ""))).toEqual(["x", s]);
      }),
    );
  });

  it("the tokenizer and the parser never throw on any input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
        tokenizeCommand(s);
        parseCommand(s);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('"', "{", "}", "#", "!", " ", "a", "show", "\n", "map"), { maxLength: 12 }),
        (parts) => {
          parseCommand(parts.join(""));
        },
      ),
    );
  });

  it("every keyword resolves to itself, and every prefix to a keyword it begins or to nothing", () => {
    for (const kw of KEYWORDS) {
      expect(findKey(kw.str)).toBe(kw);
      for (let n = 1; n < kw.str.length; n++) {
        const p = kw.str.slice(0, n);
        const found = findKey(p);
        if (found !== null) expect(found.str.startsWith(p)).toBe(true);
        const matches = KEYWORDS.filter((k) => k.str.startsWith(p));
        if (matches.length === 1) expect(found).toBe(matches[0]);
      }
    }
  });
});
