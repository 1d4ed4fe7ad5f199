import { describe, expect, it } from "vitest";
import { DmArgSet, dmSplitArgs, parseKernelUint } from "./dm-args.js";

describe("dm_split_args", () => {
  it("splits on any kernel whitespace and drops empty tokens", () => {
    expect(dmSplitArgs("  0 0\t1\n1  round-robin ")).toEqual(["0", "0", "1", "1", "round-robin"]);
    expect(dmSplitArgs("")).toEqual([]);
    expect(dmSplitArgs("   ")).toEqual([]);
  });

  it("removes a backslash and keeps the escaped character literal, spaces included", () => {
    expect(dmSplitArgs("a\\ b c")).toEqual(["a b", "c"]);
    expect(dmSplitArgs("a\\\\b")).toEqual(["a\\b"]);
    expect(dmSplitArgs("trailing\\")).toEqual(["trailing\\"]);
  });
});

describe("kernel %u parsing", () => {
  it("accepts plain decimal and leading whitespace", () => {
    expect(parseKernelUint("0")).toBe(0);
    expect(parseKernelUint("1024")).toBe(1024);
    expect(parseKernelUint(" 7")).toBe(7);
  });

  it("rejects signs, trailing characters, hex and empty strings", () => {
    for (const s of ["-1", "+1", "5x", "0x10", "", "1 ", "1.0"]) expect(parseKernelUint(s)).toBeNull();
  });

  it("truncates to 32 bits as an unsigned int store does", () => {
    expect(parseKernelUint("4294967295")).toBe(4294967295);
    expect(parseKernelUint("4294967296")).toBe(0);
    expect(parseKernelUint("4294967297")).toBe(1);
  });
});

describe("dm_read_arg / dm_read_arg_group", () => {
  const arg = { min: 0, max: 8, error: "invalid number of feature args" };

  it("reads a value in range", () => {
    const as = new DmArgSet(["2", "a", "b"]);
    expect(as.readArgGroup(arg)).toBe(2);
    expect(as.argc).toBe(2);
  });

  it("fails out of range, unparsable, missing, and a group longer than what remains", () => {
    expect(new DmArgSet(["9"]).readArg(arg)).toEqual({ error: arg.error });
    expect(new DmArgSet(["x"]).readArg(arg)).toEqual({ error: arg.error });
    expect(new DmArgSet([]).readArg(arg)).toEqual({ error: arg.error });
    expect(new DmArgSet(["3", "a", "b"]).readArgGroup(arg)).toEqual({ error: arg.error });
    expect(new DmArgSet(["3", "a", "b"]).readArg(arg)).toBe(3);
  });
});
