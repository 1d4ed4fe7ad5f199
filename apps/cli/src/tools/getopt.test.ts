import { describe, expect, it } from "vitest";
import { getoptLong } from "./getopt.js";

const longs = [
  { name: "table", hasArg: true },
  { name: "tree", hasArg: false },
  { name: "target", hasArg: true },
  { name: "noflush", hasArg: false },
  { name: "nolockfs", hasArg: false },
];
const parse = (args: string[]) => getoptLong("prog", args, "cj:o:v", longs);

describe("getoptLong (glibc getopt_long with permutation)", () => {
  it("permutes operands after the options, keeping their order", () => {
    expect(parse(["create", "x", "--table", "0 1 error", "-v", "y"])).toEqual({
      ok: true,
      options: [
        { key: "table", long: true, arg: "0 1 error" },
        { key: "v", long: false, arg: undefined },
      ],
      operands: ["create", "x", "y"],
    });
  });

  it("takes an option argument from the next word even when it starts with -", () => {
    expect(parse(["-o", "-x", "--table", "--tree"])).toMatchObject({
      ok: true,
      options: [
        { key: "o", arg: "-x" },
        { key: "table", arg: "--tree" },
      ],
    });
  });

  it("clusters short options and takes an attached argument", () => {
    expect(parse(["-vcj254", "-ofoo"])).toMatchObject({
      options: [{ key: "v" }, { key: "c" }, { key: "j", arg: "254" }, { key: "o", arg: "foo" }],
    });
  });

  it("accepts --name=value and unique abbreviations; an exact name wins", () => {
    expect(parse(["--tab=x", "--tre"])).toMatchObject({
      options: [
        { key: "table", arg: "x" },
        { key: "tree", arg: undefined },
      ],
    });
  });

  it("stops at -- and keeps - as an operand", () => {
    expect(parse(["a", "--", "-v", "-"])).toMatchObject({ operands: ["a", "-v", "-"], options: [] });
    expect(parse(["-"])).toMatchObject({ operands: ["-"] });
  });

  it("prints glibc's messages", () => {
    expect(parse(["-x"])).toEqual({ ok: false, message: "prog: invalid option -- 'x'" });
    expect(parse(["-1"])).toEqual({ ok: false, message: "prog: invalid option -- '1'" });
    expect(parse(["-o"])).toEqual({ ok: false, message: "prog: option requires an argument -- 'o'" });
    expect(parse(["--table"])).toEqual({ ok: false, message: "prog: option '--table' requires an argument" });
    expect(parse(["--tree=1"])).toEqual({
      ok: false,
      message: "prog: option '--tree' doesn't allow an argument",
    });
    expect(parse(["--foo=1"])).toEqual({ ok: false, message: "prog: unrecognized option '--foo=1'" });
    expect(parse(["--t"])).toEqual({
      ok: false,
      message: "prog: option '--t' is ambiguous; possibilities: '--table' '--tree' '--target'",
    });
    expect(parse(["--no=2"])).toEqual({
      ok: false,
      message: "prog: option '--no=2' is ambiguous; possibilities: '--noflush' '--nolockfs'",
    });
  });
});
