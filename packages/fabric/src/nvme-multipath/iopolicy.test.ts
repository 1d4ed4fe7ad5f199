import { describe, expect, it } from "vitest";
import { AnaState } from "../nvme/ana.js";
import {
  findPathIndex,
  NUMA_NO_NODE,
  type PolicyPath,
  queueDepthIndex,
  roundRobinIndex,
} from "./iopolicy.js";

function path(
  ana: AnaState,
  o: { disabled?: boolean; node?: number; active?: number; live?: boolean } = {},
): PolicyPath {
  return {
    anaState: ana,
    numaNode: o.node ?? NUMA_NO_NODE,
    disabled: () => o.disabled ?? false,
    live: () => o.live ?? true,
    nrActive: () => o.active ?? 0,
  };
}
const OPT = AnaState.OPTIMIZED;
const NON = AnaState.NON_OPTIMIZED;
const INA = AnaState.INACCESSIBLE;

describe("NVMe iopolicies (multipath.c)", () => {
  it("numa: the closest optimized path; without NUMA nodes the first optimized one", () => {
    expect(findPathIndex([path(NON), path(OPT), path(OPT)], 0, "numa")).toBe(1);
    expect(findPathIndex([path(OPT, { node: 1 }), path(OPT, { node: 0 })], 0, "numa")).toBe(1);
    // Distance counts only under numa.
    expect(findPathIndex([path(OPT, { node: 1 }), path(OPT, { node: 0 })], 0, "round-robin")).toBe(0);
  });

  it("numa: non-optimized only as a fallback; inaccessible and disabled paths never", () => {
    expect(findPathIndex([path(INA), path(NON), path(OPT, { disabled: true })], 0, "numa")).toBe(1);
    expect(findPathIndex([path(INA), path(OPT, { disabled: true })], 0, "numa")).toBe(-1);
  });

  it("round-robin: the next optimized path after the current one, wrapping", () => {
    const ps = [path(OPT), path(OPT), path(NON), path(OPT)];
    expect(roundRobinIndex(ps, 0)).toBe(1);
    expect(roundRobinIndex(ps, 1)).toBe(3);
    expect(roundRobinIndex(ps, 3)).toBe(0);
  });

  it("round-robin: keeps an optimized current path when the others are not optimized", () => {
    expect(roundRobinIndex([path(OPT), path(NON), path(INA)], 0)).toBe(0);
    // A non-optimized current path is kept only when nothing else is usable.
    expect(roundRobinIndex([path(NON), path(NON)], 0)).toBe(1);
    expect(roundRobinIndex([path(NON), path(INA)], 0)).toBe(0);
    expect(roundRobinIndex([path(NON, { disabled: true })], 0)).toBe(-1);
  });

  it("queue-depth: fewest requests in flight, optimized first, an idle optimized path wins at once", () => {
    expect(
      queueDepthIndex([path(OPT, { active: 5 }), path(OPT, { active: 2 }), path(OPT, { active: 3 })]),
    ).toBe(1);
    expect(queueDepthIndex([path(NON, { active: 0 }), path(OPT, { active: 9 })])).toBe(1);
    expect(queueDepthIndex([path(OPT, { active: 0 }), path(OPT, { active: 0 })])).toBe(0);
    expect(queueDepthIndex([path(NON, { active: 4 }), path(NON, { active: 1 }), path(INA)])).toBe(1);
    expect(queueDepthIndex([path(OPT, { disabled: true })])).toBe(-1);
  });
});
