import { describe, expect, it } from "vitest";
import { diffEvents } from "./diff-events.js";
import { fakeTopology, mapFromGroups } from "./fake-source.js";
import type { MapView, PathView } from "./model.js";

function world(change?: (maps: MapView[], paths: PathView[]) => void) {
  const t = fakeTopology({ maps: 2 });
  change?.(t.maps, t.paths);
  return { maps: t.maps.map((m) => mapFromGroups(m, t.paths)), paths: t.paths };
}

function setPath(paths: PathView[], dev: string, change: Partial<PathView>): void {
  const i = paths.findIndex((p) => p.dev === dev);
  paths[i] = { ...paths[i]!, ...change };
}

describe("diffEvents", () => {
  it("nothing changed, nothing to tell", () => {
    expect(diffEvents(world(), world(), 5)).toEqual([]);
  });

  it("a path failing in the map and its checker turning faulty", () => {
    const next = world((_, p) => setPath(p, "sdb", { dmState: "failed", checkerState: "faulty" }));
    expect(
      diffEvents(world(), next, 7).map((e) => [e.timeNs, e.source, e.level, e.category, e.text]),
    ).toEqual([
      [7, "daemon", "warn", "map", "mpatha: degraded (3/4)"],
      [7, "kernel", "error", "path-fail", "sdb (mpatha): failed in the map"],
      [7, "daemon", "warn", "checker", "sdb (mpatha): checker ready → faulty"],
    ]);
  });

  it("the last path going: queueing starts (and degraded is not repeated)", () => {
    const prev = world((_, p) => {
      for (const d of ["sda", "sdb", "sdc"]) setPath(p, d, { dmState: "failed", checkerState: "faulty" });
    });
    const next = world((_, p) => {
      for (const d of ["sda", "sdb", "sdc", "sdd"])
        setPath(p, d, { dmState: "failed", checkerState: "faulty" });
    });
    const texts = diffEvents(prev, next, 1).map((e) => e.text);
    expect(texts).toContain("mpatha: no usable path, queueing I/O");
    expect(texts.some((t) => t.includes("degraded"))).toBe(false);
    expect(diffEvents(next, prev, 2).map((e) => e.text)).toContain("mpatha: I/O flows again (1/4 paths)");
  });

  it("a group switch, queue_if_no_path turned off, suspend, map and path removal", () => {
    const next = world((m, p) => {
      const g = m[0]!.groups;
      m[0] = {
        ...m[0]!,
        features: "0",
        dmState: "suspend",
        groups: [
          { ...g[0]!, status: "enabled" },
          { ...g[1]!, status: "active" },
        ],
      };
      m.pop();
      p.splice(4);
    });
    const texts = diffEvents(world(), next, 3).map((e) => e.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        "mpatha: path group 2 active (was 1)",
        "mpatha: queue_if_no_path off",
        "mpatha: suspended",
        "mpathb: map removed",
        "sde: path removed",
      ]),
    );
  });
});
