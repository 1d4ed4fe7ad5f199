import { describe, expect, it } from "vitest";
import { testContext } from "../../test/support/context.js";
import { lookupWwid, rememberWwid, removeWwid, replaceWwids, WWIDS_FILE_HEADER } from "./wwids.js";

const WWIDS = "/etc/multipath/wwids";

describe("wwids file", () => {
  it("is created with its header on first use and lists WWIDs as /wwid/", () => {
    const { world, ctx, logs } = testContext();
    expect(rememberWwid(ctx, "3600a")).toBe(1);
    expect(rememberWwid(ctx, "3600a")).toBe(0);
    expect(world.host.files.read(WWIDS)).toBe(`${WWIDS_FILE_HEADER}/3600a/\n`);
    expect(logs.map((l) => l.message)).toEqual(
      expect.arrayContaining([
        "Initialized new file [/etc/multipath/wwids]",
        "wrote wwid 3600a to wwids file",
        "wwid 3600a already in wwids file",
      ]),
    );
  });

  it("lookup matches whole /wwid/ entries at the start of a line only", () => {
    const text = "# comment /3600a/\n/3600ab/\n/3600b/ trailing words\n 3600c\n";
    expect(lookupWwid(text, "3600a")).toBe(false);
    expect(lookupWwid(text, "3600ab")).toBe(true);
    expect(lookupWwid(text, "3600b")).toBe(true);
    expect(lookupWwid(text, "3600c")).toBe(false);
  });

  it("remove comments the line out (multipath -w), and says when the WWID is absent", () => {
    const { world, ctx } = testContext();
    rememberWwid(ctx, "3600a");
    rememberWwid(ctx, "3600b");
    expect(removeWwid(ctx, "3600a")).toBe(0);
    expect(world.host.files.read(WWIDS)).toBe(`${WWIDS_FILE_HEADER}#3600a/\n/3600b/\n`);
    expect(removeWwid(ctx, "3600a")).toBe(1);
  });

  it("replace rewrites the list to exactly the given maps (multipath -W)", () => {
    const { world, ctx } = testContext();
    rememberWwid(ctx, "old");
    expect(replaceWwids(ctx, [{ wwid: "3600x" }, { wwid: "3600y" }])).toBe(0);
    expect(world.host.files.read(WWIDS)).toBe(`${WWIDS_FILE_HEADER}/3600x/\n/3600y/\n`);
  });
});
