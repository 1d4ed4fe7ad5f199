import { describe, expect, it } from "vitest";
import { keyName } from "../state/keymap.js";
import { keyNames } from "./hooks.js";

describe("key names", () => {
  it("names the special keys Ink reports", () => {
    expect(keyName("", { upArrow: true })).toBe("up");
    expect(keyName("", { pageDown: true })).toBe("pagedown");
    expect(keyName("", { return: true })).toBe("enter");
    expect(keyName("", { tab: true, shift: true })).toBe("shift-tab");
    expect(keyName("", { escape: true })).toBe("escape");
    expect(keyName("c", { ctrl: true })).toBe("ctrl-c");
    expect(keyName(" ", {})).toBe("space");
    expect(keyName("O", { shift: true })).toBe("O");
  });

  it("splits keys that arrived together into one key each", () => {
    expect(keyNames("++", {})).toEqual(["+", "+"]);
    expect(keyNames("ab c", {})).toEqual(["a", "b", "space", "c"]);
    expect(keyNames("q", {})).toEqual(["q"]);
    expect(keyNames("", { downArrow: true })).toEqual(["down"]);
  });
});
