import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PathState } from "./path-state.js";
import {
  addPathGroup,
  CHECKINT_UNDEF,
  createMultipath,
  createPath,
  FailbackMode,
  InitState,
  type Multipath,
  NoPathRetry,
  type Path,
  PRIO_UNDEF,
  SCSI_INVALID_LUN,
} from "./structs.js";
import {
  cAtoi,
  convertDev,
  countActivePaths,
  countActivePendingPaths,
  decodeFailback,
  decodeNoPathRetry,
  encodeFailback,
  encodeNoPathRetry,
  findMpByAlias,
  findMpByStr,
  findMpByWwid,
  findPathByDev,
  findPathByDevt,
  firstPath,
  pathcount,
  pathGroupPrio,
  pathGroupsInOrder,
  resetStats,
  scanDmMinor,
  selectPathGroup,
  updatePathGroupPrios,
} from "./structs-vec.js";

function p(state: PathState, priority: number, marginal = false): Path {
  return createPath({ state, priority, marginal });
}

function mapWith(...groups: Path[][]): Multipath {
  const mpp = createMultipath({ wwid: "w", alias: "m", dmi: { minor: 0 } });
  groups.forEach((paths, i) => {
    addPathGroup(mpp, { id: i + 1, paths });
  });
  return mpp;
}

describe("defaults (alloc_path / alloc_multipath)", () => {
  it("a new path is undiscovered: no SCSI address, undefined prio and interval, not monitored", () => {
    const pp = createPath();
    expect(pp.sgId).toEqual({
      hostNo: -1,
      channel: -1,
      scsiId: -1,
      lun: SCSI_INVALID_LUN,
      protoId: -1,
      transportId: 0,
    });
    expect([pp.priority, pp.checkint, pp.initialized, pp.monitored]).toEqual([
      PRIO_UNDEF,
      CHECKINT_UNDEF,
      InitState.NEW,
      false,
    ]);
  });

  it("a new map starts with bestpg 1, no_path_retry undef, no kernel info", () => {
    const m = createMultipath();
    expect([m.bestpg, m.noPathRetry, m.dmi]).toEqual([1, NoPathRetry.UNDEF, null]);
  });

  it("addPathGroup numbers the group's paths", () => {
    const a = p(PathState.UP, 1);
    const b = p(PathState.UP, 1);
    const m = mapWith([a], [b]);
    expect([a.pgindex, b.pgindex]).toEqual([1, 2]);
    expect(m.pg[1]!.mpp).toBe(m);
  });
});

describe("path group priority (path_group_prio_update)", () => {
  it("is the integer average of the UP and GHOST paths' priorities", () => {
    const m = mapWith([
      p(PathState.UP, 50),
      p(PathState.GHOST, 10),
      p(PathState.DOWN, 1000),
      p(PathState.PENDING, 7),
    ]);
    expect(pathGroupPrio(m.pg[0]!)).toEqual({ priority: 30, enabledPaths: 2, marginal: false });
    const m2 = mapWith([p(PathState.UP, 5), p(PathState.UP, 6)]);
    expect(pathGroupPrio(m2.pg[0]!).priority).toBe(5);
  });

  it("is 0 with no usable path; truncates toward zero like C", () => {
    expect(pathGroupPrio(mapWith([p(PathState.DOWN, 50)]).pg[0]!).priority).toBe(0);
    expect(pathGroupPrio(mapWith([p(PathState.UP, PRIO_UNDEF), p(PathState.UP, 0)]).pg[0]!).priority).toBe(0);
  });

  it("marks the group marginal only when every path is, and never clears it", () => {
    const m = mapWith(
      [p(PathState.UP, 1, true), p(PathState.UP, 1, true)],
      [p(PathState.UP, 1, true), p(PathState.UP, 1)],
    );
    expect(pathGroupPrio(m.pg[0]!).marginal).toBe(true);
    expect(pathGroupPrio(m.pg[1]!).marginal).toBe(false);
    m.pg[1]!.marginal = true;
    expect(pathGroupPrio(m.pg[1]!).marginal).toBe(true);
  });
});

describe("selectPathGroup", () => {
  it("picks the highest priority group with usable paths", () => {
    expect(selectPathGroup(mapWith([p(PathState.UP, 10)], [p(PathState.UP, 50)]))).toBe(2);
    expect(selectPathGroup(mapWith([p(PathState.DOWN, 50)], [p(PathState.UP, 10)]))).toBe(2);
  });

  it("breaks priority ties by the number of usable paths, then by order", () => {
    expect(selectPathGroup(mapWith([p(PathState.UP, 10)], [p(PathState.UP, 10), p(PathState.UP, 10)]))).toBe(
      2,
    );
    expect(selectPathGroup(mapWith([p(PathState.UP, 10)], [p(PathState.UP, 10)]))).toBe(1);
  });

  it("prefers any normal group over marginal ones", () => {
    expect(selectPathGroup(mapWith([p(PathState.UP, 90, true)], [p(PathState.UP, 1)]))).toBe(2);
    expect(selectPathGroup(mapWith([p(PathState.UP, 90, true)], [p(PathState.UP, 95, true)]))).toBe(2);
  });

  it("returns 1 when no group has a usable path", () => {
    expect(selectPathGroup(mapWith([p(PathState.DOWN, 50)], [p(PathState.DOWN, 10)]))).toBe(1);
    expect(selectPathGroup(mapWith())).toBe(1);
  });

  it("does not write priorities back; updatePathGroupPrios does", () => {
    const m = mapWith([p(PathState.UP, 10)]);
    selectPathGroup(m);
    expect(m.pg[0]!.priority).toBe(0);
    updatePathGroupPrios(m);
    expect(m.pg[0]!.priority).toBe(10);
  });
});

describe("pathGroupsInOrder (sort_pathgroups)", () => {
  it("orders by priority, then usable paths, keeping equal groups in place (four-paths order)", () => {
    const m = mapWith(
      [p(PathState.UP, 50)],
      [p(PathState.UP, 10)],
      [p(PathState.UP, 1)],
      [p(PathState.UP, 50)],
    );
    const [a, b, c, d] = m.pg;
    expect(pathGroupsInOrder(m.pg)).toEqual([a, d, b, c]);
    expect(m.pg).toEqual([a, b, c, d]);
  });

  it("puts marginal groups last", () => {
    const m = mapWith([p(PathState.UP, 99, true)], [p(PathState.UP, 1)]);
    const [a, b] = m.pg;
    expect(pathGroupsInOrder(m.pg)).toEqual([b, a]);
  });

  it("is a stable sort by (marginal asc, priority desc, usable paths desc)", () => {
    const arb = fc.array(
      fc.array(
        fc.record({ up: fc.boolean(), prio: fc.integer({ min: 0, max: 3 }), marginal: fc.boolean() }),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      { maxLength: 7 },
    );
    fc.assert(
      fc.property(arb, (spec) => {
        const m = mapWith(
          ...spec.map((g) => g.map((x) => p(x.up ? PathState.UP : PathState.DOWN, x.prio, x.marginal))),
        );
        const sorted = pathGroupsInOrder(m.pg);
        const key = (i: number) => {
          const g = m.pg[i]!;
          return [g.marginal ? 1 : 0, -g.priority, -g.enabledPaths];
        };
        const expected = m.pg
          .map((_, i) => i)
          .sort((x, y) => {
            const kx = key(x);
            const ky = key(y);
            for (let j = 0; j < 3; j++) if (kx[j] !== ky[j]) return kx[j]! - ky[j]!;
            return x - y;
          })
          .map((i) => m.pg[i]);
        expect(sorted).toEqual(expected);
      }),
    );
  });
});

describe("counting", () => {
  it("counts active, active-or-pending and per-state paths over the groups", () => {
    const m = mapWith(
      [p(PathState.UP, 1), p(PathState.GHOST, 1)],
      [p(PathState.PENDING, 1), p(PathState.DOWN, 1)],
    );
    expect(countActivePaths(m)).toBe(2);
    expect(countActivePendingPaths(m)).toBe(3);
    expect(pathcount(m, PathState.DOWN)).toBe(1);
    expect(firstPath(m)).toBe(m.pg[0]!.paths[0]);
    expect(firstPath(mapWith())).toBeNull();
  });

  it("resetStats zeroes every counter", () => {
    const m = createMultipath({ statMapLoads: 3, statPathFailures: 2, statMapFailures: 1 });
    resetStats(m);
    expect([m.statMapLoads, m.statPathFailures, m.statMapFailures]).toEqual([0, 0, 0]);
  });
});

describe("lookups", () => {
  const a = createMultipath({ wwid: "3600a", alias: "mpatha", dmi: { minor: 0 } });
  const b = createMultipath({ wwid: "3600b", alias: "mpathb", dmi: { minor: 3 } });
  const c = createMultipath({ wwid: "3600c", alias: null, dmi: null });
  const maps = [a, b, c];

  it("finds maps by alias, wwid and dm-N", () => {
    expect(findMpByAlias(maps, "mpathb")).toBe(b);
    expect(findMpByAlias(maps, "")).toBeNull();
    expect(findMpByWwid(maps, "3600c")).toBe(c);
    expect(findMpByStr(maps, "dm-3")).toBe(b);
    expect(findMpByStr(maps, "dm-3x")).toBe(b);
    expect(findMpByStr(maps, "dm-1")).toBeNull();
    expect(findMpByStr(maps, "mpatha")).toBe(a);
  });

  it("finds paths by name and dev_t", () => {
    const sda = createPath({ dev: "sda", devT: "8:0" });
    expect(findPathByDev([sda], "sda")).toBe(sda);
    expect(findPathByDevt([sda], "8:0")).toBe(sda);
    expect(findPathByDev([sda], "8:0")).toBeNull();
  });

  it("parses dm-N and group numbers like sscanf and atoi", () => {
    expect(scanDmMinor("dm-12")).toBe(12);
    expect(scanDmMinor("dm- +7")).toBe(7);
    expect(scanDmMinor("dm-")).toBeNull();
    expect(scanDmMinor("xdm-1")).toBeNull();
    expect(cAtoi("2")).toBe(2);
    expect(cAtoi(" -3x")).toBe(-3);
    expect(cAtoi("x")).toBe(0);
    expect(cAtoi("4294967298")).toBe(2);
  });

  it("strips /dev/ and rewrites cciss/ for path devices", () => {
    expect(convertDev("/dev/sda", true)).toBe("sda");
    expect(convertDev("/dev/", true)).toBe("/dev/");
    expect(convertDev("/dev/cciss/c0d0", true)).toBe("cciss!c0d0");
    expect(convertDev("/dev/cciss/c0d0", false)).toBe("cciss/c0d0");
    expect(convertDev("mpatha", false)).toBe("mpatha");
  });
});

describe("encodings", () => {
  it("failback round-trips through upstream's integer", () => {
    const all = [
      { mode: "undef" },
      { mode: "manual" },
      { mode: "immediate" },
      { mode: "followover" },
      { mode: "deferred", seconds: 30 },
    ] as const;
    for (const f of all) expect(decodeFailback(encodeFailback(f))).toEqual(f);
    expect(encodeFailback({ mode: "immediate" })).toBe(-FailbackMode.IMMEDIATE);
  });

  it("no_path_retry round-trips through upstream's integer", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 1000 }), (n) => {
        expect(encodeNoPathRetry(decodeNoPathRetry(n))).toBe(n);
      }),
    );
    expect(decodeNoPathRetry(-2)).toEqual({ kind: "queue" });
    expect(decodeNoPathRetry(5)).toEqual({ kind: "retries", count: 5 });
  });
});
