import { describe, expect, it } from "vitest";
import type { PathSelector } from "./path-selector.js";
import { roundRobinSelector } from "./round-robin.js";
import { FakeSelectorEnv, fakePath, names } from "./testing/fake-selector-env.js";

function make(env = new FakeSelectorEnv()): PathSelector {
  const r = roundRobinSelector.create([], env);
  if (!r.ok) throw new Error("create failed");
  return r.selector;
}

describe("round-robin", () => {
  it("rotates through the valid paths in table order", () => {
    const ps = make();
    const p = [fakePath(0), fakePath(1), fakePath(2)];
    for (const x of p) expect(ps.addPath(x, ["1"])).toEqual({ ok: true });
    expect(names([1, 2, 3, 4, 5, 6].map(() => ps.select(4096, 0)))).toEqual([
      "7:0",
      "7:1",
      "7:2",
      "7:0",
      "7:1",
      "7:2",
    ]);
  });

  it("skips a failed path and returns nothing once all failed", () => {
    const ps = make();
    const p = [fakePath(0), fakePath(1)];
    for (const x of p) ps.addPath(x, []);
    ps.failPath(p[0]!);
    expect(names([ps.select(0, 0), ps.select(0, 0)])).toEqual(["7:1", "7:1"]);
    ps.failPath(p[1]!);
    expect(ps.select(0, 0)).toBeNull();
  });

  it("puts a reinstated path at the head of the valid list, so it is chosen next", () => {
    const ps = make();
    const p = [fakePath(0), fakePath(1), fakePath(2)];
    for (const x of p) ps.addPath(x, []);
    ps.failPath(p[2]!);
    expect(names([ps.select(0, 0)])).toEqual(["7:0"]); // list now 7:1 7:0
    ps.reinstatePath(p[2]!); // list now 7:2 7:1 7:0
    expect(names([ps.select(0, 0), ps.select(0, 0), ps.select(0, 0)])).toEqual(["7:2", "7:1", "7:0"]);
  });

  it("clamps repeat_count > 1 to 1 with the rate-limited deprecation warning, keeps 0", () => {
    const env = new FakeSelectorEnv();
    const ps = make(env);
    const a = fakePath(0);
    const b = fakePath(1);
    ps.addPath(a, ["1000"]);
    ps.addPath(b, ["0"]);
    expect(env.limited).toEqual([
      {
        callsite: "rr_add_path",
        text: "device-mapper: multipath round-robin: repeat_count > 1 is deprecated, using 1 instead",
      },
    ]);
    expect(ps.status(a, "table")).toBe("1");
    expect(ps.status(b, "table")).toBe("0");
  });

  it("rejects bad per-path arguments with the kernel's ti->error text", () => {
    const ps = make();
    expect(ps.addPath(fakePath(0), ["1", "1"])).toEqual({
      ok: false,
      error: "round-robin ps: incorrect number of arguments",
    });
    for (const bad of ["x", "-1", "1x", "0x10", ""])
      expect(ps.addPath(fakePath(0), [bad])).toEqual({
        ok: false,
        error: "round-robin ps: invalid repeat count",
      });
  });

  it("prints 0 as group status, nothing per path in INFO and IMA, the repeat count in TABLE", () => {
    const ps = make();
    const a = fakePath(0);
    ps.addPath(a, []);
    expect(ps.status(null, "info")).toBe("0");
    expect(ps.status(null, "table")).toBe("0");
    expect(ps.status(a, "info")).toBe("");
    expect(ps.status(a, "ima")).toBe("");
    expect(ps.status(a, "table")).toBe("1");
    expect(roundRobinSelector.tableArgs).toBe(1);
    expect(roundRobinSelector.infoArgs).toBe(0);
  });
});
