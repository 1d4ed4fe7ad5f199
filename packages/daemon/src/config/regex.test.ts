import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileEre, ereTest } from "./regex.js";

const matches = (re: string, s: string): boolean => {
  const c = compileEre(re);
  if (!c.ok) throw new Error(`${re}: ${c.error.message}`);
  return ereTest(c.regex, s);
};
const errorCode = (re: string): number | undefined => {
  const c = compileEre(re);
  return c.ok ? undefined : c.error.code;
};

describe("compileEre against glibc regcomp/regexec", () => {
  // Random patterns run through glibc 2.36 (REG_EXTENDED | REG_NOSUB, C locale): compile errors
  // with their codes, and match / no match on a fixed set of subjects.
  const fixture = JSON.parse(
    readFileSync(new URL("../../test/config/fixtures/ere-glibc.json", import.meta.url), "utf8"),
  ) as { subjects: string[]; vectors: { p: string; error?: number; match?: string }[] };

  it("agrees on every vector of the fixture", () => {
    const bad: string[] = [];
    for (const v of fixture.vectors) {
      const c = compileEre(v.p);
      if (v.error !== undefined) {
        if (c.ok || c.error.code !== v.error) bad.push(`${JSON.stringify(v.p)}: want E${v.error}`);
        continue;
      }
      if (!c.ok) {
        bad.push(`${JSON.stringify(v.p)}: want OK, got E${c.error.code}`);
        continue;
      }
      const got = fixture.subjects.map((s) => (ereTest(c.regex, s) ? "y" : "n")).join("");
      if (got !== v.match) bad.push(`${JSON.stringify(v.p)}: want ${v.match} got ${got}`);
    }
    expect(bad).toEqual([]);
    expect(fixture.vectors.length).toBeGreaterThan(1000);
  });
});

describe("compileEre semantics", () => {
  it("searches unanchored: HP matches HPE", () => {
    expect(matches("HP", "HPE")).toBe(true);
    expect(matches("^HP$", "HPE")).toBe(false);
  });

  it("reads a stacked quantifier as POSIX does: a+? is (a+)?, not lazy", () => {
    expect(matches("^xa+?$", "x")).toBe(true);
    expect(matches("^a**$", "aaa")).toBe(true);
    expect(matches("^a{1}{2}$", "aa")).toBe(true);
  });

  it("takes {,n} as {0,n}", () => {
    expect(matches("^a{,2}$", "")).toBe(true);
    expect(matches("^a{,2}$", "aaa")).toBe(false);
  });

  it("keeps bracket expressions POSIX: ] first, literal backslash, classes, ranges", () => {
    expect(matches("[]a]", "]")).toBe(true);
    expect(matches("[\\]", "\\")).toBe(true);
    expect(matches("^[[:space:]]+$", " \t")).toBe(true);
    expect(matches("[[:alpha:]-]", "-")).toBe(true);
    expect(matches("^sd[a-z]$", "sdq")).toBe(true);
  });

  it("treats an escaped ordinary character as itself and an unmatched ) as a literal", () => {
    expect(matches("\\d", "d")).toBe(true);
    expect(matches("\\d", "1")).toBe(false);
    expect(matches("a)", "a)")).toBe(true);
  });

  it("supports the GNU operators and back references", () => {
    expect(matches("\\<abc\\>", "x abc y")).toBe(true);
    expect(matches("\\<abc\\>", "xabc")).toBe(false);
    expect(matches("^(a|b)\\1$", "bb")).toBe(true);
    expect(matches("^(a|b)\\1$", "ab")).toBe(false);
  });

  it("rejects what glibc rejects, with its codes", () => {
    expect(errorCode("[")).toBe(2);
    expect(errorCode("[a")).toBe(7);
    expect(errorCode("(a")).toBe(8);
    expect(errorCode("a{1")).toBe(9);
    expect(errorCode("a{x}")).toBe(10);
    expect(errorCode("[z-a]")).toBe(11);
    expect(errorCode("*a")).toBe(13);
    expect(errorCode("a{32768}")).toBe(15);
    expect(errorCode("\\1")).toBe(6);
    expect(errorCode("a\\")).toBe(5);
    expect(errorCode("[[:foo:]]")).toBe(4);
    expect(errorCode("[[.ab.]]")).toBe(3);
    const e = compileEre("(");
    expect(e.ok ? "" : e.error.message).toBe("Unmatched ( or \\(");
  });

  it("compiles every regex of the built-in tables", () => {
    for (const re of [
      "NVM[eE]",
      "^DGC",
      "(NETAPP|LSI|ENGENIO)",
      "!^(sd[a-z]|dasd[a-z]|nvme[0-9])".slice(1),
    ]) {
      expect(compileEre(re).ok).toBe(true);
    }
  });
});
