import { describe, expect, it } from "vitest";
import { ConfigLog } from "./log.js";
import { allocStrvec, type Keyword, processConfigText, QUOTE, readConfigLines, setValue } from "./parser.js";

const Q = QUOTE;
const toks = (line: string) => allocStrvec(line)?.tokens ?? null;

describe("allocStrvec (the line tokeniser)", () => {
  it("splits bare words on blanks and returns null for blank and comment lines", () => {
    expect(toks("\tpolling_interval   10 ")).toEqual(["polling_interval", "10"]);
    expect(toks("   \t ")).toBeNull();
    expect(toks("# a comment")).toBeNull();
    expect(toks("  ! also a comment")).toBeNull();
  });

  it("gives a quoted string as QUOTE, content, QUOTE, keeping blanks, # and ! inside", () => {
    expect(toks('prio_args "a b # c ! d"')).toEqual(["prio_args", Q, "a b # c ! d", Q]);
  });

  it('reads "" inside a string as one quote and "" alone as the empty string', () => {
    expect(toks('alias "2.5"" SSD"')).toEqual(["alias", Q, '2.5" SSD', Q]);
    expect(toks('alias """"')).toEqual(["alias", Q, '"', Q]);
    expect(toks('prio_args ""')).toEqual(["prio_args", Q, Q]);
  });

  it("ends the line at # or ! outside quotes, even without a blank before it", () => {
    expect(toks("failback immediate# note")).toEqual(["failback", "immediate"]);
    expect(toks('failback "immediate"! note')).toEqual(["failback", Q, "immediate", Q]);
  });

  it("makes { and } tokens of their own outside quotes, and keeps them inside", () => {
    expect(toks("defaults{verbosity 3}")).toEqual(["defaults", "{", "verbosity", "3", "}"]);
    expect(toks('x "{}"')).toEqual(["x", Q, "{}", Q]);
  });

  it("joins a word and a following quote without a blank into separate tokens", () => {
    expect(toks('failback "imm"ediate')).toEqual(["failback", Q, "imm", Q, "ediate"]);
    expect(toks('find_multipaths"yes"')).toEqual(["find_multipaths", Q, "yes", Q]);
  });

  it("keeps an unterminated string to the end of the line", () => {
    expect(toks('enable_foreign "unterminated value')).toEqual(["enable_foreign", Q, "unterminated value"]);
    expect(toks('uid_attribute "')).toEqual(["uid_attribute", Q]);
  });

  it("treats non-ASCII characters as blanks outside quotes and keeps them inside", () => {
    expect(toks("alias_prefix été")).toEqual(["alias_prefix", "t"]);
    expect(toks('prio_args "été"')).toEqual(["prio_args", Q, "été", Q]);
  });

  it("records the 1-based column of each token", () => {
    expect(allocStrvec('\tfoo "bar"')?.columns).toEqual([2, 6, 7, 10]);
  });
});

describe("setValue", () => {
  it("takes the word after the keyword, unquoted, and '' for empty quotes or a lone quote", () => {
    expect(setValue(allocStrvec("k v extra")!)).toBe("v");
    expect(setValue(allocStrvec('k "a b"')!)).toBe("a b");
    expect(setValue(allocStrvec('k ""')!)).toBe("");
    expect(setValue(allocStrvec('k "')!)).toBe("");
    expect(setValue(allocStrvec("k")!)).toBeUndefined();
  });
});

describe("readConfigLines (fgets with a 1024-byte buffer)", () => {
  it("splits on newlines and keeps a last line without newline; strtok leaves a bare newline alone", () => {
    expect(readConfigLines("a\nb\n\nc").map((l) => l.text)).toEqual(["a", "b", "\n", "c"]);
  });

  it("reads a line longer than 1023 bytes as several lines", () => {
    const long = `${"x".repeat(1500)}\nnext\n`;
    const lines = readConfigLines(long).map((l) => l.text);
    expect(lines.length).toBe(3);
    expect(lines[0]!.length).toBe(1023);
    expect(lines[1]!.length).toBe(477);
    expect(lines[2]).toBe("next");
  });

  it("cuts a line at a CR or a NUL", () => {
    expect(readConfigLines("verbosity 3\r\nfailback\rimmediate\nab\0cd\n").map((l) => l.text)).toEqual([
      "verbosity 3",
      "failback",
      "ab",
    ]);
  });
});

describe("processConfigText (sections, checks and messages)", () => {
  interface Ctx {
    seen: string[];
  }
  const leaf = (name: string, ret = 0): Keyword<Ctx> => ({
    name,
    unique: true,
    handler: (ctx, v) => {
      ctx.seen.push(`${name}=${setValue(v)}`);
      return ret;
    },
  });
  const grammar: Keyword<Ctx>[] = [
    { name: "defaults", unique: true, sub: [leaf("verbosity"), leaf("broken", 1)] },
    {
      name: "devices",
      unique: true,
      sub: [{ name: "device", unique: false, handler: () => 0, sub: [leaf("vendor")] }],
    },
    { name: "overrides", unique: true, handler: () => 0, sub: [leaf("verbosity")] },
  ];
  const run = (text: string) => {
    const log = new ConfigLog();
    const ctx: Ctx = { seen: [] };
    const r = processConfigText(ctx, grammar, text, "/etc/multipath.conf", log);
    return { r, seen: ctx.seen, msgs: log.entries.map((d) => `${d.level}: ${d.message}`) };
  };

  it("names the section of an unknown keyword, or none at top level", () => {
    const { msgs } = run("foo 1\ndefaults {\n\tbar 2\n}\n");
    expect(msgs).toEqual([
      "1: /etc/multipath.conf line 1, invalid keyword: foo",
      "1: /etc/multipath.conf line 3, invalid keyword in the defaults section: bar",
    ]);
  });

  it("warns about a repeated unique keyword but still applies it", () => {
    const { msgs, seen } = run("defaults {\n\tverbosity 1\n\tverbosity 2\n}\n");
    expect(msgs).toEqual(["1: /etc/multipath.conf line 3, duplicate keyword: verbosity"]);
    expect(seen).toEqual(["verbosity=1", "verbosity=2"]);
  });

  it("reports an unmatched } and then an invalid keyword }", () => {
    expect(run("}\n").msgs).toEqual([
      "0: unmatched '}' at line 1 of /etc/multipath.conf",
      "1: /etc/multipath.conf line 1, invalid keyword: }",
    ]);
  });

  it("opens a section keyword without { with a warning; a later { line is an invalid keyword", () => {
    const { msgs, seen } = run("defaults\n{\n\tverbosity 4\n}\n");
    expect(msgs).toEqual([
      "0: missing '{' on line 1 of /etc/multipath.conf",
      "0: invalid keyword '{' on line 2 of /etc/multipath.conf",
    ]);
    expect(seen).toEqual(["verbosity=4"]);
  });

  it("ignores what follows { on a section line", () => {
    const { msgs, seen } = run("defaults { verbosity 3 }\n\tverbosity 5\n}\n");
    expect(msgs).toEqual([
      "0: ignoring extra data starting with 'verbosity' on line 1 of /etc/multipath.conf",
    ]);
    expect(seen).toEqual(["verbosity=5"]);
  });

  it("drops overrides without { as a keyword missing its value (overrides is not a sublevel keyword)", () => {
    const { msgs } = run("overrides\n\tverbosity 1\n}\n");
    expect(msgs).toEqual([
      "0: missing value for option 'overrides' on line 1 of /etc/multipath.conf",
      "1: /etc/multipath.conf line 2, invalid keyword: verbosity",
      "0: unmatched '}' at line 3 of /etc/multipath.conf",
      "1: /etc/multipath.conf line 3, invalid keyword: }",
    ]);
  });

  it("checks a line (quotes, extra data) before the duplicate check", () => {
    const { msgs } = run('defaults {\n\tverbosity "3\n\tverbosity "3" x\n}\n');
    expect(msgs).toEqual([
      "0: missing closing quotes on line 2 of /etc/multipath.conf",
      "0: ignoring extra data starting with 'x' on line 3 of /etc/multipath.conf",
      "1: /etc/multipath.conf line 3, duplicate keyword: verbosity",
    ]);
  });

  it("logs a handler failure with the raw line and counts it", () => {
    const { r, msgs } = run("defaults {\n\tbroken   it\n}\n");
    expect(r).toBe(1);
    expect(msgs).toEqual(["1: /etc/multipath.conf line 2, parsing failed: \tbroken   it"]);
  });

  it("reports a missing } once at the end of the file", () => {
    expect(run("devices {\n\tdevice {\n\t\tvendor X\n").msgs).toEqual([
      "1: missing '}' at end of /etc/multipath.conf",
    ]);
  });

  it("counts lines as fgets reads them (a long line counts twice)", () => {
    const { msgs } = run(`${"x".repeat(1030)}\nfoo 1\n`);
    expect(msgs.at(-1)).toBe("1: /etc/multipath.conf line 3, invalid keyword: foo");
  });
});
