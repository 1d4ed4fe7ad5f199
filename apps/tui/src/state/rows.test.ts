import { describe, expect, it } from "vitest";
import { fakeTopology } from "../source/fake-source.js";
import { filterPaths, naturalCompare, sortMaps, sortPaths } from "./rows.js";

describe("naturalCompare", () => {
  it("orders kernel and friendly names as Linux allocates them", () => {
    const names = ["sdaa", "sdb", "sda", "sdz", "sdab"];
    expect([...names].sort(naturalCompare)).toEqual(["sda", "sdb", "sdz", "sdaa", "sdab"]);
    expect(["mpathaa", "mpathz", "mpatha"].sort(naturalCompare)).toEqual(["mpatha", "mpathz", "mpathaa"]);
    expect(["dm-10", "dm-2", "dm-1"].sort(naturalCompare)).toEqual(["dm-1", "dm-2", "dm-10"]);
  });
});

describe("sorting and filtering", () => {
  const { maps, paths } = fakeTopology({ maps: 30 });

  it("the default path order is map, group, name", () => {
    const sorted = sortPaths([...paths].reverse(), { key: "map", descending: false });
    expect(sorted.slice(0, 5).map((p) => `${p.mapName}/${p.group}/${p.dev}`)).toEqual([
      "mpatha/1/sda",
      "mpatha/1/sdb",
      "mpatha/2/sdc",
      "mpatha/2/sdd",
      "mpathb/1/sde",
    ]);
    // mpathz (26th) comes before mpathaa (27th).
    const order = [...new Set(sorted.map((p) => p.mapName))];
    expect(order.indexOf("mpathz")).toBeLessThan(order.indexOf("mpathaa"));
  });

  it("descending reverses the key but not the tie-break", () => {
    const sorted = sortPaths(paths, { key: "prio", descending: true });
    expect(sorted[0]!.priority).toBe(50);
    expect(sorted.slice(0, 2).map((p) => p.dev)).toEqual(["sda", "sdb"]);
  });

  it("maps sort by IOPS, the busiest first", () => {
    const sorted = sortMaps(maps, { key: "iops", descending: true });
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i - 1]!.iops!).toBeGreaterThanOrEqual(sorted[i]!.iops!);
  });

  it("filter words match any field, case-insensitively, all of them", () => {
    expect(filterPaths(paths, "MPATHB pg2").map((p) => p.dev)).toEqual(["sdg", "sdh"]);
    expect(filterPaths(paths, "")).toBe(paths);
    expect(filterPaths(paths, "nosuch")).toEqual([]);
  });
});
