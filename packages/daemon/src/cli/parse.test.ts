/**
 * The command parser against multipath-tools 0.9.4's own CLI test vectors (tests/cli.c): return
 * codes of get_cmdvec, fingerprints, handler presence and parameter values.
 */
import { describe, expect, it } from "vitest";
import { fingerprint, specForFingerprint } from "./commands.js";
import { findKey, KeyCode } from "./keywords.js";
import { parseCommand, parseKeys } from "./parse.js";
import { tokenizeCommand } from "./tokenize.js";

const C = KeyCode;
const Q1 = (c: number) => c << 8;
const Q2 = (c: number) => c << 16;
const Q3 = (c: number) => (c << 24) >>> 0;

/** get_cmdvec's return code (0 when the words are all keywords with their parameters). */
function cmdvec(line: string): {
  r: 0 | "ENOMEM" | "ESRCH" | "ENOENT" | "EINVAL";
  fp: number;
  good: boolean;
} {
  const k = parseKeys(line);
  if (!k.ok) return { r: k.error.errno, fp: 0, good: false };
  const fp = fingerprint(k.keys.map((x) => x.keyword.code));
  return { r: 0, fp, good: specForFingerprint(fp) !== undefined };
}

describe("get_cmdvec vectors (tests/cli.c)", () => {
  const vectors: [string, 0 | "ENOMEM" | "ESRCH" | "ENOENT" | "EINVAL", number, boolean][] = [
    ["", "ENOMEM", 0, false],
    ["bogus", "ESRCH", 0, false],
    ["list", 0, C.LIST, false],
    ["show", 0, C.LIST, false],
    ["s", "ESRCH", 0, false],
    ["sh", "ESRCH", 0, false],
    ["sho", 0, C.LIST, false],
    ["add", 0, C.ADD, false],
    ["resume", 0, C.RESUME, false],
    ["disablequeueing", 0, C.DISABLEQ, false],
    ["disable queueing", "ESRCH", 0, false],
    ["queueing disable", "ENOENT", 0, false],
    ["disable", 0, C.DISABLEQ, false],
    ["setprkey", 0, C.SETPRKEY, false],
    ["quit", 0, C.QUIT, true],
    ["exit", 0, C.QUIT, true],
    ["show maps", 0, C.LIST | Q1(C.MAPS), true],
    ["sh maps", "ENOENT", 0, false],
    ["sho maps", 0, C.LIST | Q1(C.MAPS), true],
    ["sho multipaths", 0, C.LIST | Q1(C.MAPS), true],
    ["show map", "EINVAL", 0, false],
    ["show ma", "ESRCH", 0, false],
    ["show list maps", 0, C.LIST | Q1(C.LIST) | Q2(C.MAPS), false],
    ["show maps list", 0, C.LIST | Q2(C.LIST) | Q1(C.MAPS), false],
    ["maps show ", 0, Q1(C.LIST) | C.MAPS, false],
    ["show maps list json", 0, (C.LIST | Q2(C.LIST) | Q1(C.MAPS) | Q3(C.JSON)) >>> 0, false],
    ["show maps list json raw", 0, 0, false],
    ["show list show list", 0, (C.LIST | Q1(C.LIST) | Q2(C.LIST) | Q3(C.LIST)) >>> 0, false],
    ["show list show list  show", 0, 0, false],
    ["q q q q", 0, (C.QUIT | Q1(C.QUIT) | Q2(C.QUIT) | Q3(C.QUIT)) >>> 0, false],
    ["show path xy", 0, C.LIST | Q1(C.PATH), true],
    ["show map xy", 0, C.LIST | Q1(C.MAP), false],
    ["show map xy bogus", "ESRCH", 0, false],
    ["show map xy form %h raw", 0, (C.LIST | Q1(C.MAP) | Q2(C.FMT) | Q3(C.RAW)) >>> 0, false],
    ["list list path sda", 0, C.LIST | Q1(C.LIST) | Q2(C.PATH), false],
  ];
  for (const [line, r, fp, good] of vectors)
    it(`${JSON.stringify(line)} → ${r === 0 ? `fingerprint 0x${fp.toString(16)}` : r}`, () => {
      const got = cmdvec(line);
      expect(got.r).toBe(r);
      if (r === 0) {
        expect(got.fp).toBe(fp);
        expect(got.good).toBe(good);
      }
    });

  const params: [string, string, string][] = [
    ["show path xy", "listPath", "xy"],
    ['show path "xy"', "listPath", "xy"],
    ['show path "x y"', "listPath", "x y"],
    ['show path "2"""', "listPath", '2"'],
    ['show path "2""', "listPath", '2"'],
    ["list path sda", "listPath", "sda"],
    ["add path sda", "addPath", "sda"],
  ];
  for (const [line, kind, value] of params)
    it(`${JSON.stringify(line)} has parameter ${JSON.stringify(value)}`, () => {
      const r = parseCommand(line);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.command).toEqual({ kind, path: value });
    });

  it("show map xy form %h / raw form %h: map and format parameters", () => {
    expect(parseCommand("show map xy form %h")).toMatchObject({
      ok: true,
      command: { kind: "listMapFmt", map: "xy", format: "%h" },
    });
    expect(parseCommand("show map xy raw form %h")).toMatchObject({
      ok: true,
      command: { kind: "listMapRaw", map: "xy", format: "%h" },
    });
  });
});

describe("parseCommand", () => {
  it("parses what the multipathd client sends (trailing space and newline)", () => {
    expect(parseCommand('show paths format "%d %t" \n')).toMatchObject({
      ok: true,
      command: { kind: "listPathsFmt", format: "%d %t" },
    });
    expect(parseCommand("switchgroup map mpatha group 2 \n")).toMatchObject({
      ok: true,
      command: { kind: "switchGroup", map: "mpatha", group: "2" },
    });
  });

  it("distinguishes `show topology` from `show maps topology`, and `reset map` from `reset map stats`", () => {
    expect(parseCommand("show topology")).toMatchObject({ ok: true, command: { kind: "listTopology" } });
    expect(parseCommand("show maps topology")).toMatchObject({
      ok: true,
      command: { kind: "listMapsTopology" },
    });
    expect(parseCommand("reset map m")).toMatchObject({ ok: true, command: { kind: "reassign", map: "m" } });
    expect(parseCommand("reset map m stats")).toMatchObject({ ok: true, command: { kind: "resetMapStats" } });
    expect(parseCommand("restorequeueing daemon")).toMatchObject({
      ok: true,
      command: { kind: "restoreNoDaemonQ" },
    });
  });

  it("takes the next word as a parameter even when it is a keyword", () => {
    expect(parseCommand("show map maps json")).toMatchObject({
      ok: true,
      command: { kind: "listMapJson", map: "maps" },
    });
  });

  it("reports errors with positions", () => {
    expect(parseCommand("show foo maps")).toMatchObject({
      ok: false,
      error: { errno: "ENOENT", reason: "unknown-keyword", position: 5, word: "foo" },
    });
    expect(parseCommand("show paths format")).toMatchObject({
      ok: false,
      error: { errno: "EINVAL", reason: "missing-argument", position: 17, word: "format" },
    });
    expect(parseCommand("show")).toMatchObject({
      ok: false,
      error: { errno: "EINVAL", reason: "no-handler" },
    });
    expect(parseCommand("  # comment")).toMatchObject({
      ok: false,
      error: { errno: "ENOMEM", reason: "empty" },
    });
  });

  it("stops at a NUL like a C string", () => {
    expect(parseCommand("show maps\0garbage")).toMatchObject({ ok: true, command: { kind: "listMaps" } });
  });

  it("quotes that are empty are skipped, so the parameter is missing", () => {
    expect(parseCommand('show paths format ""')).toMatchObject({ ok: false, error: { errno: "EINVAL" } });
  });

  it("a comment character ends the command outside quotes only", () => {
    expect(parseCommand("show maps #json")).toMatchObject({ ok: true, command: { kind: "listMaps" } });
    expect(parseCommand('show maps format "%n #1"')).toMatchObject({
      ok: true,
      command: { kind: "listMapsFmt", format: "%n #1" },
    });
  });
});

describe("findKey (abbreviations)", () => {
  it("resolves exact words, unique prefixes, and rejects ambiguous ones", () => {
    expect(findKey("multipath")?.code).toBe(C.MAP);
    expect(findKey("multipaths")?.code).toBe(C.MAPS);
    expect(findKey("multi")).toBeNull(); // multipaths and multipath both match
    expect(findKey("map")?.code).toBe(C.MAP);
    expect(findKey("for")).toBeNull(); // forcequeueing / format
    expect(findKey("form")?.code).toBe(C.FMT);
    expect(findKey("re")).toBeNull();
    expect(findKey("wild")?.code).toBe(C.WILDCARDS);
    expect(findKey("multipat")).toBeNull();
    expect(findKey("ma")).toBeNull(); // maps, map
    expect(findKey("SHOW")).toBeNull();
  });
});

describe("tokenizeCommand", () => {
  it("splits braces, drops comments, treats non-ASCII as blanks outside quotes", () => {
    expect(tokenizeCommand("a{b}c")?.map((t) => (t.kind === "word" ? t.text : '"'))).toEqual([
      "a",
      "{",
      "b",
      "}",
      "c",
    ]);
    expect(tokenizeCommand("show\u00e9maps")?.map((t) => (t.kind === "word" ? t.text : '"'))).toEqual([
      "show",
      "maps",
    ]);
    expect(tokenizeCommand('say "h\u00e9 {x}"')?.map((t) => (t.kind === "word" ? t.text : '"'))).toEqual([
      "say",
      '"',
      "h\u00e9 {x}",
      '"',
    ]);
    expect(tokenizeCommand("   ")).toBeNull();
    expect(tokenizeCommand("! x")).toBeNull();
    expect(tokenizeCommand("a b!c")?.map((t) => (t.kind === "word" ? t.text : '"'))).toEqual(["a", "b"]);
  });
});
