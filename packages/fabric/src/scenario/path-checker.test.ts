import { describe, expect, it } from "vitest";
import { parseMpathStatus, turState } from "./path-checker.js";

describe("multipath status and the tur checker's reading", () => {
  it("parses an INFO status line: groups, path states, the group in use", () => {
    const s = parseMpathStatus("2 0 0 0 2 2 E 0 2 0 8:0 F 1 8:32 F 1 A 0 2 0 8:16 A 0 8:48 A 0 ");
    expect(s).toEqual({
      queueIo: false,
      pgInitCount: 0,
      currentGroup: 2,
      groups: [
        {
          state: "E",
          paths: [
            { dev: "8:0", active: false, failCount: 1 },
            { dev: "8:32", active: false, failCount: 1 },
          ],
        },
        {
          state: "A",
          paths: [
            { dev: "8:16", active: true, failCount: 0 },
            { dev: "8:48", active: true, failCount: 0 },
          ],
        },
      ],
    });
  });

  it("skips selector fields (service-time: 2 per path, hst: a group field)", () => {
    const s = parseMpathStatus("2 1 1 0 1 1 A 2 972 0 2 3 8:0 A 0 1024 0 0 8:16 F 2 2048 1 5 ");
    expect(s?.queueIo).toBe(true);
    expect(s?.groups[0]?.paths.map((p) => [p.dev, p.active, p.failCount])).toEqual([
      ["8:0", true, 0],
      ["8:16", false, 2],
    ]);
    expect(parseMpathStatus("0 0 0")).toBeNull();
  });

  it("reads TEST UNIT READY as multipath-tools' tur checker does", () => {
    const r = (status: number, host = 0, sense: [number, number, number] | null = null) => ({
      status,
      hostStatus: host,
      sense: sense ? { key: sense[0], asc: sense[1], ascq: sense[2], raw: new Uint8Array(18) } : null,
      data: null,
      resid: 0,
    });
    expect(turState(r(0))).toBe("up");
    expect(turState(r(2, 0, [6, 0x29, 0]))).toBe("up");
    expect(turState(r(2, 0, [2, 4, 0x0b]))).toBe("ghost");
    expect(turState(r(2, 0, [2, 4, 0x0a]))).toBe("down");
    expect(turState(r(0, 1))).toBe("down");
  });
});
