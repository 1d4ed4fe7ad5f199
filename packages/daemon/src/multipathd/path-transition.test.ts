import { describe, expect, it } from "vitest";
import { DmPathState, PathState } from "../structs/path-state.js";
import { type PathCheckInput, pathCheckTransition } from "./path-transition.js";

const base: PathCheckInput = {
  newstate: PathState.UP,
  state: PathState.UP,
  chkrstate: PathState.UP,
  dmstate: DmPathState.ACTIVE,
  checkint: 5,
  tick: 5,
  pollingInterval: 5,
  maxPollingInterval: 20,
  disableReinstate: false,
  logCheckerErrOnce: false,
  prflag: false,
};

const kinds = (fx: readonly { kind: string }[]) => fx.map((e) => e.kind);

describe("pathCheckTransition (check_path's state machine)", () => {
  it("a path going down is failed in dm, counted, and the check stops before prio/failback", () => {
    const [out, fx] = pathCheckTransition({ ...base, newstate: PathState.DOWN, checkint: 20 }, "8:0");
    expect(out.state).toBe(PathState.DOWN);
    expect(out.chkrstate).toBe(PathState.DOWN);
    expect(out.stop).toBe(true);
    expect(out.checkint).toBe(5); // back to polling_interval
    expect(fx).toContainEqual({ kind: "fail-path", delActive: true });
    expect(kinds(fx)).toContain("path-failure");
    expect(kinds(fx)).not.toContain("reinstate-path");
  });

  it("a path already down that goes faulty again does not count as an active path lost", () => {
    const [, fx] = pathCheckTransition(
      { ...base, state: PathState.DOWN, chkrstate: PathState.DOWN, newstate: PathState.SHAKY },
      "8:0",
    );
    expect(fx).toContainEqual({ kind: "fail-path", delActive: false });
  });

  it("a path coming back is reinstated, its group enabled, and counts as a new path up", () => {
    const [out, fx] = pathCheckTransition(
      { ...base, state: PathState.DOWN, chkrstate: PathState.DOWN, dmstate: DmPathState.FAILED },
      "8:0",
    );
    expect(out.state).toBe(PathState.UP);
    expect(out.newPathUp).toBe(true);
    expect(out.chkrNewPathUp).toBe(true);
    expect(out.stop).toBe(false);
    expect(kinds(fx)).toEqual(expect.arrayContaining(["reinstate-path", "enable-group"]));
  });

  it("an implicit-ALUA standby path of a map without active paths is not reinstated", () => {
    const [out, fx] = pathCheckTransition(
      {
        ...base,
        newstate: PathState.GHOST,
        state: PathState.DOWN,
        chkrstate: PathState.DOWN,
        disableReinstate: true,
      },
      "8:0",
    );
    expect(out.state).toBe(PathState.GHOST);
    expect(kinds(fx)).not.toContain("reinstate-path");
    // GHOST is not UP: the group is not re-enabled either.
    expect(kinds(fx)).not.toContain("enable-group");
  });

  it("a steady good path that dm still has failed is reinstated without touching the interval", () => {
    const [out, fx] = pathCheckTransition({ ...base, dmstate: DmPathState.FAILED, checkint: 10 }, "8:0");
    expect(kinds(fx)).toContain("reinstate-path");
    expect(out.checkint).toBe(10);
    expect(out.newPathUp).toBe(false);
  });

  it("a steady good path doubles its interval up to max_polling_interval", () => {
    let input = { ...base };
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [out] = pathCheckTransition(input, "8:0");
      seen.push(out.checkint);
      expect(out.tick).toBe(out.checkint);
      input = { ...input, checkint: out.checkint, tick: out.tick };
    }
    expect(seen).toEqual([10, 20, 20, 20, 20]);
  });

  it("an interval above half the maximum jumps straight to the maximum", () => {
    const [out] = pathCheckTransition({ ...base, checkint: 12, maxPollingInterval: 20 }, "8:0");
    expect(out.checkint).toBe(20);
  });

  it("a steady bad path dm still uses is failed again in dm", () => {
    const [out, fx] = pathCheckTransition(
      { ...base, newstate: PathState.DOWN, state: PathState.DOWN, chkrstate: PathState.DOWN },
      "8:0",
    );
    expect(out.state).toBe(PathState.DOWN);
    expect(kinds(fx)).toContain("fail-path");
  });

  it("a persistent reservation is checked when a path comes back on a map with prkeys", () => {
    const [, fx] = pathCheckTransition({ ...base, state: PathState.DOWN, prflag: true }, "8:0");
    expect(kinds(fx)).toContain("pr-check");
  });
});
