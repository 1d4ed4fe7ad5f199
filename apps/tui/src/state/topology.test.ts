import { describe, expect, it } from "vitest";
import { fakeTopology } from "../source/fake-source.js";
import { indexPaths } from "../source/model.js";
import { topologyLines, topologyText } from "./topology.js";

describe("topology", () => {
  it("draws the map as multipath -ll does, path columns padded to the widest value", () => {
    const { maps, paths } = fakeTopology({ maps: 1, pathsPerMap: 4 });
    paths[1] = { ...paths[1]!, devT: "65:160" };
    paths[2] = { ...paths[2]!, dmState: "failed", checkerState: "faulty" };
    const m = maps[0]!;
    expect(topologyText(m, { pathIndex: indexPaths(paths) })).toBe(
      [
        `mpatha (${m.wwid}) dm-0 LIO-ORG,disk`,
        "size=1.0G features='1 queue_if_no_path' hwhandler='1 alua' wp=rw",
        "|-+- policy='service-time 0' prio=50 status=active",
        "| |- 1:0:0:0 sda 8:0    active ready  running",
        "| `- 2:0:0:0 sdb 65:160 active ready  running",
        "`-+- policy='service-time 0' prio=10 status=enabled",
        "  |- 1:0:1:0 sdc 8:32   failed faulty running",
        "  `- 2:0:1:0 sdd 8:48   active ready  running",
        "",
      ].join("\n"),
    );
  });

  it("a map named by its WWID prints no (wwid)", () => {
    const { maps, paths } = fakeTopology({ maps: 1 });
    const m = { ...maps[0]!, name: maps[0]!.wwid };
    expect(topologyText(m, { pathIndex: indexPaths(paths) }).split("\n")[0]).toBe(
      `${m.wwid} dm-0 LIO-ORG,disk`,
    );
  });

  it("path lines know their path and group; paths missing from the snapshot are left out", () => {
    const { maps, paths } = fakeTopology({ maps: 1 });
    const lines = topologyLines(maps[0]!, indexPaths(paths.filter((p) => p.dev !== "sdb")));
    const pl = lines.filter((l) => l.kind === "path");
    expect(pl.map((l) => (l.kind === "path" ? `${l.group}:${l.path.dev}` : ""))).toEqual([
      "1:sda",
      "2:sdc",
      "2:sdd",
    ]);
    // The group's only remaining path is its last one.
    expect(pl[0]!.kind === "path" && pl[0]!.prefix).toBe("| `- ");
  });
});
