import { describe, expect, it } from "vitest";
import { parseMultipathStatus, selectorCounters } from "./dm-status.js";

// Status lines as Linux 6.1 prints them (dmsetup status, after `0 16384 multipath `).
describe("parseMultipathStatus", () => {
  it("reads queue_io, groups and paths of a round-robin map", () => {
    const s = parseMultipathStatus("2 1 0 0 1 1 E 0 2 0 7:0 A 0 7:1 F 1 ");
    expect(s).toEqual({
      queueIo: true,
      pgInitCount: 0,
      nextGroup: 1,
      groups: [
        {
          state: "E",
          paths: [
            { devT: "7:0", active: true, failCount: 0, args: [] },
            { devT: "7:1", active: false, failCount: 1, args: [] },
          ],
        },
      ],
    });
  });

  it("reads the service-time per-path counters of two groups", () => {
    const s = parseMultipathStatus("2 0 3 0 2 2 E 0 1 2 7:1 A 0 0 20 A 0 1 2 7:0 A 2 4096 40 ");
    expect(s?.queueIo).toBe(false);
    expect(s?.pgInitCount).toBe(3);
    expect(s?.nextGroup).toBe(2);
    expect(s?.groups.map((g) => g.state)).toEqual(["E", "A"]);
    expect(s?.groups[1]?.paths[0]).toEqual({ devT: "7:0", active: true, failCount: 2, args: [4096, 40] });
  });

  it("returns null for a line that is not a multipath status", () => {
    expect(parseMultipathStatus("0 8:0 0")).toBeNull();
    expect(parseMultipathStatus("2 0 0 0 1 1 X 0 1 0 8:0 A 0")).toBeNull();
    expect(parseMultipathStatus("")).toBeNull();
  });
});

describe("selectorCounters", () => {
  it("names counters after the group's selector", () => {
    expect(selectorCounters("service-time 0", [4096, 1])).toEqual([
      { name: "in-flight-size", value: 4096 },
      { name: "rel-tput", value: 1 },
    ]);
    expect(selectorCounters("queue-length 0", [3])).toEqual([{ name: "in-flight", value: 3 }]);
    expect(selectorCounters("round-robin 0", [])).toEqual([]);
    expect(selectorCounters("least-latency 0", [7])).toEqual([{ name: "arg1", value: 7 }]);
  });
});
