import { describe, expect, it } from "vitest";
import { keyName } from "../state/keymap.js";
import { keyNames, splitKeys } from "./hooks.js";

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

  it("splits a chunk with control keys and escape sequences the way the terminal sent them", () => {
    expect(keyNames(":step 3\r", {})).toEqual([":", "s", "t", "e", "p", "space", "3", "enter"]);
    expect(splitKeys("\x1b[B\x1b[Bf")).toEqual(["down", "down", "f"]);
    expect(splitKeys("ab\x7f\x1b")).toEqual(["a", "b", "backspace", "escape"]);
    expect(splitKeys("\x1b[5~\x1b[6~\x1b[Z\t\x03")).toEqual([
      "pageup",
      "pagedown",
      "shift-tab",
      "tab",
      "ctrl-c",
    ]);
    expect(splitKeys("é😀")).toEqual(["é", "😀"]);
  });
});
