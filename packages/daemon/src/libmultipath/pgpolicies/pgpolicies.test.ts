import { describe, expect, it } from "vitest";
import { PathState } from "../../structs/path-state.js";
import { PgPolicy } from "../../structs/structs.js";
import { allocMultipath, allocPath, type MpMap } from "../structs.js";
import { groupPaths, pgPolicyId, pgPolicyName } from "./index.js";

interface P {
  dev: string;
  prio: number;
  serial?: string;
  node?: string;
  marginal?: boolean;
}

function mapWith(policy: number, paths: P[]): MpMap {
  const mpp = allocMultipath();
  mpp.pgpolicy = policy as MpMap["pgpolicy"];
  for (const p of paths) {
    const pp = allocPath();
    pp.dev = p.dev;
    pp.priority = p.prio;
    pp.state = PathState.UP;
    pp.serial = p.serial ?? "";
    pp.tgtNodeName = p.node ?? "";
    pp.marginal = p.marginal ?? false;
    mpp.paths.push(pp);
  }
  return mpp;
}

const groups = (mpp: MpMap) => mpp.pg.map((g) => g.paths.map((p) => p.dev));

const FOUR: P[] = [
  { dev: "sda", prio: 10, serial: "A", node: "n1" },
  { dev: "sdb", prio: 50, serial: "B", node: "n2" },
  { dev: "sdc", prio: 10, serial: "A", node: "n2" },
  { dev: "sdd", prio: 50, serial: "B", node: "n1" },
];

describe("path grouping policies", () => {
  it("failover: one path per group, best priority first (stable among equals)", () => {
    const mpp = mapWith(PgPolicy.FAILOVER, FOUR);
    expect(groupPaths(mpp, false)).toBe(true);
    expect(groups(mpp)).toEqual([["sdb"], ["sdd"], ["sda"], ["sdc"]]);
    expect(mpp.paths).toEqual([]);
  });

  it("multibus: every path in one group", () => {
    const mpp = mapWith(PgPolicy.MULTIBUS, FOUR);
    groupPaths(mpp, false);
    expect(groups(mpp)).toEqual([["sda", "sdb", "sdc", "sdd"]]);
  });

  it("group_by_prio: one group per priority, highest first", () => {
    const mpp = mapWith(PgPolicy.GROUP_BY_PRIO, FOUR);
    groupPaths(mpp, false);
    expect(groups(mpp)).toEqual([
      ["sdb", "sdd"],
      ["sda", "sdc"],
    ]);
    expect(mpp.pg.map((g) => g.priority)).toEqual([50, 10]);
  });

  it("group_by_serial and group_by_node_name group by what they say", () => {
    const s = mapWith(PgPolicy.GROUP_BY_SERIAL, FOUR);
    groupPaths(s, false);
    expect(groups(s)).toEqual([
      ["sdb", "sdd"],
      ["sda", "sdc"],
    ]);
    const n = mapWith(PgPolicy.GROUP_BY_NODE_NAME, FOUR);
    groupPaths(n, false);
    // both groups average 30: the first formed stays first
    expect(groups(n)).toEqual([
      ["sda", "sdd"],
      ["sdb", "sdc"],
    ]);
  });

  it("marginal_pathgroups on: marginal paths are grouped apart and sorted last", () => {
    const paths: P[] = [
      { dev: "sda", prio: 50, marginal: true },
      { dev: "sdb", prio: 10 },
      { dev: "sdc", prio: 50 },
    ];
    const mpp = mapWith(PgPolicy.MULTIBUS, paths);
    groupPaths(mpp, true);
    expect(groups(mpp)).toEqual([["sdb", "sdc"], ["sda"]]);
    expect(mpp.pg.map((g) => g.marginal)).toEqual([false, true]);
    const off = mapWith(PgPolicy.MULTIBUS, paths);
    groupPaths(off, false);
    expect(groups(off)).toEqual([["sda", "sdb", "sdc"]]);
  });

  it("a map without a policy cannot be grouped", () => {
    expect(groupPaths(mapWith(PgPolicy.UNDEF, FOUR), false)).toBe(false);
  });

  it("names and ids map both ways", () => {
    for (const name of [
      "failover",
      "multibus",
      "group_by_serial",
      "group_by_prio",
      "group_by_node_name",
    ] as const)
      expect(pgPolicyName(pgPolicyId(name))).toBe(name);
    expect(pgPolicyId("group_by_tpg")).toBe(0);
  });
});
