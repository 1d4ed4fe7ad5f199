import { describe, expect, it } from "vitest";
import type { DmPath, PathSelector } from "./path-selector.js";
import { queueLengthSelector } from "./queue-length.js";
import { FakeSelectorEnv, fakePath, names } from "./testing/fake-selector-env.js";

function make(n: number, env = new FakeSelectorEnv()): { ps: PathSelector; p: DmPath[] } {
  const r = queueLengthSelector.create(["ignored"], env);
  if (!r.ok) throw new Error("create failed");
  const p = Array.from({ length: n }, (_, i) => fakePath(i));
  for (const x of p) r.selector.addPath(x, []);
  return { ps: r.selector, p };
}

describe("queue-length", () => {
  it("picks the path with the fewest in-flight I/Os", () => {
    const { ps, p } = make(3);
    ps.startIo!(p[0]!, 4096);
    ps.startIo!(p[0]!, 4096);
    ps.startIo!(p[1]!, 4096);
    ps.startIo!(p[2]!, 4096);
    ps.startIo!(p[2]!, 4096);
    expect(names([ps.select(4096, 0)])).toEqual(["7:1"]);
  });

  it("stops at the first idle path and moves the chosen path to the tail (idle paths rotate)", () => {
    const { ps } = make(3);
    expect(names([ps.select(0, 0), ps.select(0, 0), ps.select(0, 0), ps.select(0, 0)])).toEqual([
      "7:0",
      "7:1",
      "7:2",
      "7:0",
    ]);
  });

  it("breaks ties between busy paths in favour of the earlier one in the list", () => {
    const { ps, p } = make(3);
    for (const x of p) ps.startIo!(x, 512);
    ps.startIo!(p[0]!, 512);
    // 7:1 and 7:2 both have 1 in flight: 7:1 comes first.
    expect(names([ps.select(0, 0)])).toEqual(["7:1"]);
    // now the list is 7:0 7:2 7:1: 7:2 is the first with 1.
    expect(names([ps.select(0, 0)])).toEqual(["7:2"]);
  });

  it("counts start and end of I/O in INFO status, signed, and keeps the repeat count in TABLE", () => {
    const { ps, p } = make(2);
    ps.startIo!(p[0]!, 4096);
    ps.startIo!(p[0]!, 4096);
    ps.endIo!(p[0]!, 4096, 0);
    expect(ps.status(p[0]!, "info")).toBe("1");
    ps.endIo!(p[1]!, 4096, 0);
    expect(ps.status(p[1]!, "info")).toBe("-1");
    expect(ps.status(p[1]!, "table")).toBe("1");
    expect(ps.status(null, "info")).toBe("0");
    expect(ps.status(p[0]!, "ima")).toBe("");
  });

  it("appends a reinstated path to the tail; a failed path is not selected", () => {
    const { ps, p } = make(3);
    ps.failPath(p[0]!);
    ps.reinstatePath(p[0]!); // list 7:1 7:2 7:0
    expect(names([ps.select(0, 0), ps.select(0, 0), ps.select(0, 0)])).toEqual(["7:1", "7:2", "7:0"]);
    ps.failPath(p[1]!);
    ps.failPath(p[2]!);
    ps.failPath(p[0]!);
    expect(ps.select(0, 0)).toBeNull();
  });

  it("rejects bad arguments and warns on repeat_count > 1", () => {
    const env = new FakeSelectorEnv();
    const { ps } = make(0, env);
    expect(ps.addPath(fakePath(0), ["1", "1"])).toEqual({
      ok: false,
      error: "queue-length ps: incorrect number of arguments",
    });
    expect(ps.addPath(fakePath(0), ["x"])).toEqual({
      ok: false,
      error: "queue-length ps: invalid repeat count",
    });
    const q = fakePath(3);
    expect(ps.addPath(q, ["7"])).toEqual({ ok: true });
    expect(ps.status(q, "table")).toBe("1");
    expect(env.limited.map((l) => l.text)).toEqual([
      "device-mapper: multipath queue-length: repeat_count > 1 is deprecated, using 1 instead",
    ]);
  });
});
