import { describe, expect, it } from "vitest";
import { type Column, fitColumns, headerLine } from "./columns.js";

const col = (id: string, width: number, priority: number, maxWidth?: number): Column<string> => ({
  id,
  title: id.toUpperCase(),
  width,
  align: "left",
  priority,
  value: (r) => r,
  ...(maxWidth !== undefined ? { maxWidth } : {}),
});

describe("fitColumns", () => {
  const cols = [col("a", 10, 0, 20), col("b", 10, 2), col("c", 10, 1, 14)];

  it("drops the least important columns first and keeps the declared order", () => {
    expect(fitColumns(cols, 21).map((p) => p.column.id)).toEqual(["a", "c"]);
    expect(fitColumns(cols, 32).map((p) => p.column.id)).toEqual(["a", "b", "c"]);
    expect(fitColumns(cols, 5).map((p) => p.column.id)).toEqual(["a"]);
  });

  it("gives spare width to the growable columns, evenly, up to their maximum", () => {
    const placed = fitColumns(cols, 40);
    expect(placed.map((p) => p.width)).toEqual([14, 10, 14]);
    expect(fitColumns(cols, 100).map((p) => p.width)).toEqual([20, 10, 14]);
  });

  it("the header is as wide as the columns and gaps", () => {
    expect(headerLine(fitColumns(cols, 40))).toHaveLength(40);
  });
});
