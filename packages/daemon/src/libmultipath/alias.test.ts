import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { testContext } from "../../test/support/context.js";
import {
  BINDINGS_FILE_HEADER,
  checkAliasSettings,
  formatDevname,
  getUserFriendlyAlias,
  getUserFriendlyWwid,
  scanDevname,
  useExistingAlias,
} from "./alias.js";

const BINDINGS = "/etc/multipath/bindings";

describe("format_devname / scan_devname", () => {
  it("counts a, b, … z, aa, ab …", () => {
    expect([1, 2, 26, 27, 28, 52, 53, 702, 703].map(formatDevname)).toEqual([
      "a",
      "b",
      "z",
      "aa",
      "ab",
      "az",
      "ba",
      "zz",
      "aaa",
    ]);
    expect(formatDevname(0)).toBeNull();
  });

  it("reads names back, ignoring what follows a blank, and rejects foreign ones", () => {
    expect(scanDevname("mpathaa", "mpath")).toBe(27);
    expect(scanDevname("mpathb 3600", "mpath")).toBe(2);
    expect(scanDevname("mpath", "mpath")).toBe(-1);
    expect(scanDevname("mpathA", "mpath")).toBe(-1);
    expect(scanDevname("diskb", "mpath")).toBe(-1);
    expect(scanDevname("mpathb", null)).toBe(-1);
  });

  it("law: scan(format(n)) = n", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 2 }), (n) => {
        const s = formatDevname(n)!;
        return s.length > 7 || scanDevname(`mpath${s}`, "mpath") === n;
      }),
    );
  });
});

describe("bindings file", () => {
  it("creates the file with its header and allocates mpatha, mpathb in order", () => {
    const { world, ctx, logs } = testContext();
    expect(getUserFriendlyAlias(ctx, "3600a", "mpath")).toBe("mpatha");
    expect(getUserFriendlyAlias(ctx, "3600b", "mpath")).toBe("mpathb");
    // asking again finds the binding
    expect(getUserFriendlyAlias(ctx, "3600a", "mpath")).toBe("mpatha");
    expect(world.host.files.read(BINDINGS)).toBe(`${BINDINGS_FILE_HEADER}mpatha 3600a\nmpathb 3600b\n`);
    expect(logs.map((l) => l.message)).toContain("Created new binding [mpatha] for WWID [3600a]");
    expect(getUserFriendlyWwid(ctx, "mpathb")).toBe("3600b");
  });

  it("fills the first gap in the sequence", () => {
    const { world, ctx } = testContext();
    world.host.files.write(BINDINGS, `${BINDINGS_FILE_HEADER}mpatha 1\nmpathc 3\n`);
    expect(getUserFriendlyAlias(ctx, "2", "mpath")).toBe("mpathb");
    expect(getUserFriendlyAlias(ctx, "4", "mpath")).toBe("mpathd");
  });

  it("does not write when bindings are read-only (-B)", () => {
    const { world, ctx } = testContext();
    ctx.bindingsReadOnly = true;
    expect(getUserFriendlyAlias(ctx, "3600a", "mpath")).toBeUndefined();
    // the file (header only) exists, no binding was added
    expect(world.host.files.read(BINDINGS) ?? "").not.toContain("3600a");
  });

  it("keeps a running map's name when the file has no binding for it yet", () => {
    const { world, ctx } = testContext();
    world.host.files.write(BINDINGS, BINDINGS_FILE_HEADER);
    expect(useExistingAlias(ctx, "3600z", "mpathq", "mpath")).toBe("mpathq");
    expect(world.host.files.read(BINDINGS)).toContain("mpathq 3600z");
  });

  it("refuses to reuse a name bound to another WWID", () => {
    const { world, ctx, logs } = testContext();
    world.host.files.write(BINDINGS, `${BINDINGS_FILE_HEADER}mpatha other\n`);
    expect(useExistingAlias(ctx, "3600z", "mpatha", "mpath")).toBeUndefined();
    expect(logs.map((l) => l.message)).toContain("alias mpatha already bound to wwid other, cannot reuse");
  });

  it("check_alias_settings drops bindings that clash with multipath.conf aliases", () => {
    const { world, ctx } = testContext({
      config: "multipaths {\n\tmultipath {\n\t\twwid 3600a\n\t\talias mpathb\n\t}\n}\n",
    });
    world.host.files.write(BINDINGS, `${BINDINGS_FILE_HEADER}mpatha 3600x\nmpathb 3600y\n`);
    expect(checkAliasSettings(ctx)).toBe(true);
    const text = world.host.files.read(BINDINGS)!;
    expect(text).toContain("mpatha 3600x");
    expect(text).not.toContain("mpathb 3600y");
  });
});
