import { describe, expect, it } from "vitest";
import { fitSegments, mergeSegments } from "./segments.js";

describe("segments", () => {
  it("joins neighbours of the same style and drops empty ones", () => {
    expect(
      mergeSegments([
        { text: "a" },
        { text: "" },
        { text: "b" },
        { text: "c", color: "red" },
        { text: "d", color: "red" },
      ]),
    ).toEqual([{ text: "ab" }, { text: "cd", color: "red" }]);
  });

  it("cuts a line to the screen's width with an ellipsis, across segments", () => {
    expect(fitSegments([{ text: "abc" }, { text: "def", bold: true }], 5)).toEqual([
      { text: "abc" },
      { text: "d", bold: true },
      { text: "…", dim: true },
    ]);
    expect(fitSegments([{ text: "abc" }], 3)).toEqual([{ text: "abc" }]);
    expect(fitSegments([{ text: "µs→é" }], 3)).toEqual([{ text: "µs" }, { text: "…", dim: true }]);
  });
});
