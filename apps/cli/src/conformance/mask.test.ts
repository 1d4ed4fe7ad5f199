import { describe, expect, it } from "vitest";
import { compareTranscripts } from "./compare.js";
import { unifiedDiff } from "./diff.js";
import { EreError, ereToJs, grepE } from "./ere.js";
import { collectMasks, MaskSet } from "./mask.js";

describe("collectMasks (as compare-scn collects them)", () => {
  it("takes every @mask line of the file, wherever it is, in order", () => {
    const c = collectMasks("@echo x\n  @mask 'a+' 'A'\n$ dmsetup ls\n@mask \"b\" B\n");
    expect(c).toEqual({
      ok: true,
      masks: [
        { line: 2, regex: "a+", replacement: "A" },
        { line: 4, regex: "b", replacement: "B" },
      ],
    });
  });

  it("ignores @mask lines inside @config blocks", () => {
    const c = collectMasks("@config\n@mask a b\n@end\n");
    expect(c).toEqual({ ok: true, masks: [] });
  });

  it("refuses a mask without exactly two words", () => {
    expect(collectMasks("@mask a\n")).toEqual({ ok: false, line: 1, message: "bad @mask line" });
  });
});

describe("MaskSet (sed -E 's/RE/REPL/g' per line, literal replacement)", () => {
  it("replaces every match on every line, in mask order", () => {
    const m = new MaskSet([
      { line: 1, regex: "^pid [0-9]+ ", replacement: "pid N " },
      { line: 2, regex: "[X.]{10} +[0-9]+/[0-9]+ *$", replacement: "NEXT_CHECK" },
    ]);
    expect(m.apply("pid 240 idle\nsda XXXXX..... 2/4\n")).toBe("pid N idle\nsda NEXT_CHECK\n");
  });

  it("treats & and \\1 in the replacement literally", () => {
    const m = new MaskSet([{ line: 1, regex: "(a)", replacement: "&\\1$1" }]);
    expect(m.apply("xa\n")).toBe("x&\\1$1\n");
  });

  it("does not touch the empty piece after the final newline", () => {
    const m = new MaskSet([{ line: 1, regex: "^", replacement: ">" }]);
    expect(m.apply("a\nb\n")).toBe(">a\n>b\n");
  });
});

describe("ERE translation", () => {
  it("keeps POSIX bracket rules", () => {
    expect(new RegExp(ereToJs("[]a]")).test("]")).toBe(true);
    expect(new RegExp(ereToJs("[[:space:]]x")).test(" x")).toBe(true);
    expect(new RegExp(ereToJs("[[:digit:]]+")).test("42")).toBe(true);
    expect(new RegExp(ereToJs("[\\]")).test("\\")).toBe(true);
    expect(new RegExp(ereToJs("[a-c]")).test("b")).toBe(true);
  });

  it("refuses an unterminated bracket expression", () => {
    expect(() => ereToJs("[abc")).toThrow(EreError);
  });

  it("grepE matches any line, unanchored, and nothing in empty output", () => {
    expect(grepE("Open count: +1", "Name: x\nOpen count:        1\n")).toBe(true);
    expect(grepE("^1:0:0:0 +10", "0:0:0:0 50\n1:0:0:0 10\n")).toBe(true);
    expect(grepE("^$", "")).toBe(false);
    expect(grepE("x", "a\nb")).toBe(false);
    expect(grepE("[", "[")).toBe(false);
  });
});

describe("compareTranscripts", () => {
  it("matches when the masked texts agree", () => {
    const scn = "@mask '^pid [0-9]+' 'pid N'\n";
    expect(compareTranscripts(scn, "pid 1 idle\n", "pid 240 idle\n")).toEqual({ ok: true });
  });

  it("gives a unified diff of the first differences", () => {
    const r = compareTranscripts("", "a\nb\nc\n", "a\nB\nc\n");
    expect(r).toEqual({
      ok: false,
      diff: "--- expected (masked)\n+++ actual (masked)\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
    });
  });

  it("reports a bad mask line as a usage error", () => {
    expect(compareTranscripts("@mask x\n", "a\n", "a\n")).toEqual({
      ok: false,
      usageError: "line 1: bad @mask line",
    });
  });
});

describe("unifiedDiff", () => {
  it("makes separate hunks for distant changes, with context", () => {
    const a = `${Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n")}\n`;
    const b = a.replace("l2\n", "L2\n").replace("l17\n", "L17\n");
    const d = unifiedDiff(a, b);
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d).toContain("@@ -1,6 +1,6 @@");
    expect(d).toContain("-l17\n+L17\n");
  });

  it("handles additions at the end and empty texts", () => {
    expect(unifiedDiff("", "x\n")).toBe("--- expected (masked)\n+++ actual (masked)\n@@ -0,0 +1,1 @@\n+x\n");
    expect(unifiedDiff("a\n", "a\n")).toBe("");
  });
});
