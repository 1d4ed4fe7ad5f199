import { describe, expect, it } from "vitest";
import { quoteWord, quoteWords, splitWords } from "./words.js";

const words = (s: string) => {
  const r = splitWords(s);
  if (!r.ok) throw new Error(r.message);
  return r.words;
};
const error = (s: string) => {
  const r = splitWords(s);
  return r.ok ? null : r.message;
};

describe("splitWords (POSIX simple-command splitting, no expansion)", () => {
  it("separates words by spaces and tabs, collapsing runs", () => {
    expect(words("dmsetup  status\tmm ")).toEqual(["dmsetup", "status", "mm"]);
    expect(words("")).toEqual([]);
    expect(words("  \t ")).toEqual([]);
  });

  it("keeps single-quoted text literally", () => {
    expect(words("create x --table '0 16384 multipath $x \\n \"q\"'")).toEqual([
      "create",
      "x",
      "--table",
      '0 16384 multipath $x \\n "q"',
    ]);
  });

  it('escapes only " \\ $ ` inside double quotes; other backslashes stay', () => {
    expect(words('"a \\" \\\\ \\$ \\` \\n \\x"')).toEqual(['a " \\ $ ` \\n \\x']);
  });

  it("makes the next character literal after a backslash outside quotes", () => {
    expect(words("a\\ b \\| \\'c")).toEqual(["a b", "|", "'c"]);
  });

  it("drops a trailing backslash outside quotes", () => {
    expect(words("ab\\")).toEqual(["ab"]);
    expect(words("\\")).toEqual([]);
  });

  it("joins adjacent quoted and unquoted parts into one word", () => {
    expect(words("a'b c'd")).toEqual(["ab cd"]);
    expect(words(`x"y z"'w'v`)).toEqual(["xy zwv"]);
  });

  it("gives an empty word for '' and \"\"", () => {
    expect(words("a '' \"\" b")).toEqual(["a", "", "", "b"]);
  });

  it("does not treat # ~ = { } ! as special", () => {
    expect(words("#x ~ a=b {c} !d")).toEqual(["#x", "~", "a=b", "{c}", "!d"]);
  });

  it.each(["|", "&", ";", "<", ">", "(", ")", "$", "`", "*", "?", "[", "]"])(
    "refuses the unquoted metacharacter %s",
    (c) => {
      expect(error(`a ${c} b`)).toBe(`unquoted shell metacharacter '${c}'`);
      expect(error(`a${c}b`)).toBe(`unquoted shell metacharacter '${c}'`);
      expect(words(`'a${c}b'`)).toEqual([`a${c}b`]);
    },
  );

  it("refuses an unescaped $ or ` inside double quotes", () => {
    expect(error('"a $b"')).toBe("unescaped $ inside double quotes");
    expect(error('"a `b`"')).toBe("unescaped ` inside double quotes");
    expect(words('"a \\$b"')).toEqual(["a $b"]);
  });

  it("refuses unterminated quotes", () => {
    expect(error("'abc")).toBe("unterminated ' quote");
    expect(error('"abc')).toBe('unterminated " quote');
    expect(error('"abc\\"')).toBe('unterminated " quote');
  });

  it("reports the first error in the line", () => {
    expect(error("a | 'b")).toBe("unquoted shell metacharacter '|'");
  });
});

describe("quoteWord", () => {
  it("leaves safe words bare and quotes the rest", () => {
    expect(quoteWord("dmsetup")).toBe("dmsetup");
    expect(quoteWord("7:0")).toBe("7:0");
    expect(quoteWord("")).toBe("''");
    expect(quoteWord("a b")).toBe("'a b'");
    expect(quoteWord("it's")).toBe("'it'\\''s'");
    expect(quoteWords(["a", "b c", "$"])).toBe("a 'b c' '$'");
  });
});
