import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { sharedPath } from "@mp/tooling/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quoteWords, splitWords } from "./words.js";

describe("splitWords laws", () => {
  it("split(quote(words)) == words", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary-ascii" }).filter((s) => !s.includes("\0"))), (ws) => {
        const r = splitWords(quoteWords(ws));
        expect(r).toEqual({ ok: true, words: ws });
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on any input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary-ascii" }), (s) => {
        const r = splitWords(s);
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });
});

// The lab's own splitter (guest/scn.sh's scn_split, in bash) is the reference implementation.
const SCN_SH = sharedPath("lab/kernel/guest/scn.sh");
const haveBash = spawnSync("bash", ["-c", "true"]).status === 0;

describe.skipIf(!existsSync(SCN_SH) || !haveBash)("splitWords agrees with the lab's scn_split", () => {
  it("on random command lines", () => {
    const alphabet = fc.constantFrom(..." \t'\"\\$`|&;<>()*?[]ab7:-=#~".split(""));
    const samples = fc.sample(fc.string({ unit: alphabet, maxLength: 24 }), { numRuns: 400, seed: 42 });
    samples.push("a'b c'd", '"x \\" y"', "a\\", "'", '"', "$ x", "a\\ b");
    // One bash run splits every sample: prints OK and the words, or ERR and the message.
    const script = `SCN_LIB_ONLY=1 . "${SCN_SH}"
while IFS= read -r -d '' s; do
  if scn_split "$s"; then printf 'OK'; for w in "\${SCN_WORDS[@]}"; do printf '\\x1f%s' "$w"; done; printf '\\x1e'
  else printf 'ERR\\x1f%s\\x1e' "$SCN_ERR"; fi
done`;
    const r = spawnSync("bash", ["-c", script], {
      input: samples.map((s) => `${s}\0`).join(""),
      encoding: "latin1",
    });
    expect(r.status).toBe(0);
    const results = r.stdout.split("\x1e").slice(0, -1);
    expect(results).toHaveLength(samples.length);
    samples.forEach((s, i) => {
      const [kind, ...rest] = results[i]!.split("\x1f");
      const mine = splitWords(s);
      if (kind === "OK") expect({ s, r: mine }).toEqual({ s, r: { ok: true, words: rest } });
      else expect({ s, r: mine }).toEqual({ s, r: { ok: false, message: rest[0] } });
    });
  });
});
