/**
 * The dashboard's view of a real multipathd: the exact commands a SocketSource polls with, as the
 * real multipathd 0.9.4 answered them on a real Linux 6.1 kernel (test/conformance/
 * dashboard-poll.out, captured in the kernel lab; `pnpm conformance` also replays it on the
 * simulator byte for byte), read back into the dashboard's model.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAPS_JSON_COMMAND, MAPS_RAW_COMMAND, modelFromShow, PATHS_RAW_COMMAND } from "./show.js";

const TRANSCRIPT = readFileSync(
  new URL("../../test/conformance/dashboard-poll.out", import.meta.url),
  "utf8",
);

/** Each section's commands and their outputs (without the `[rc=N]` line). */
function sections(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let cur = new Map<string, string>();
  let cmd: string | null = null;
  let buf: string[] = [];
  for (const line of text.split("\n")) {
    const title = /^########## (.*)$/.exec(line);
    if (title) {
      cur = new Map();
      out.set(title[1]!, cur);
      continue;
    }
    if (line.startsWith("$ ")) {
      cmd = line.slice(2);
      buf = [];
      continue;
    }
    if (cmd !== null && /^\[rc=\d+\]$/.test(line)) {
      cur.set(cmd, buf.length > 0 ? `${buf.join("\n")}\n` : "");
      cmd = null;
      continue;
    }
    if (cmd !== null) buf.push(line);
  }
  return out;
}

const bySection = sections(TRANSCRIPT);

function polled(section: string) {
  const s = bySection.get(section);
  if (!s) throw new Error(`no section ${section}`);
  const get = (c: string) => {
    const v = s.get(`multipathd ${c}`);
    if (v === undefined) throw new Error(`${section}: no output of multipathd ${c}`);
    return v;
  };
  return modelFromShow({
    mapsJson: get(MAPS_JSON_COMMAND),
    mapsRaw: get(MAPS_RAW_COMMAND),
    pathsRaw: s.has(`multipathd ${PATHS_RAW_COMMAND}`) ? get(PATHS_RAW_COMMAND) : "",
  });
}

describe("a real multipathd 0.9.4's answers to the dashboard's poll", () => {
  it("the transcript holds the very commands the dashboard sends", () => {
    for (const c of [MAPS_JSON_COMMAND, MAPS_RAW_COMMAND, PATHS_RAW_COMMAND])
      expect(TRANSCRIPT).toContain(`$ multipathd ${c}\n`);
  });

  it("all paths up: two maps of two paths each (paths in map, then group order), nothing degraded", () => {
    const m = polled("all paths up");
    expect(
      m.maps.map((x) => [x.name, x.wwid, x.dmDev, x.size, x.sizeSectors, x.activePaths, x.totalPaths]),
    ).toEqual([
      ["mpatha", "333333330000007d0", "dm-0", "16M", 32768, 2, 2],
      ["mpathb", "333333330000007d1", "dm-1", "16M", 32768, 2, 2],
    ]);
    expect(m.maps.every((x) => !x.degraded && !x.queueingIo)).toBe(true);
    expect(m.maps[0]).toMatchObject({
      vendor: "Linux",
      product: "scsi_debug",
      hwhandler: "1 alua",
      features: "0",
    });
    expect(
      m.paths.map((p) => [p.dev, p.devT, p.hctl, p.mapName, p.group, p.dmState, p.checkerState, p.priority]),
    ).toEqual([
      ["sda", "8:0", "0:0:0:0", "mpatha", 1, "active", "ready", 50],
      ["sdc", "8:32", "1:0:0:0", "mpatha", 2, "active", "ready", 10],
      ["sdb", "8:16", "0:0:0:1", "mpathb", 1, "active", "ready", 50],
      ["sdd", "8:48", "1:0:0:1", "mpathb", 2, "active", "ready", 10],
    ]);
    expect(m.paths.every((p) => p.nextCheck !== null && p.nextCheck.interval === 4)).toBe(true);
  });

  it("a path failed by the operator and one whose device went offline: both maps degraded", () => {
    const m = polled("one path failed by the operator, one by its device");
    expect(m.maps.map((x) => [x.name, x.activePaths, x.totalPaths, x.degraded, x.pathFaults])).toEqual([
      ["mpatha", 1, 2, true, 1],
      ["mpathb", 1, 2, true, 1],
    ]);
    const byDev = new Map(m.paths.map((p) => [p.dev, p]));
    expect(byDev.get("sdb")).toMatchObject({
      dmState: "failed",
      checkerState: "faulty",
      deviceState: "running",
      failures: 1,
    });
    expect(byDev.get("sdc")).toMatchObject({
      dmState: "failed",
      checkerState: "faulty",
      deviceState: "offline",
      failures: 1,
    });
    expect(byDev.get("sda")).toMatchObject({ dmState: "active", checkerState: "ready", failures: 0 });
  });

  it("disablequeueing: the map's queueing reads off", () => {
    const m = polled("no queueing on mpatha");
    expect(m.maps.find((x) => x.name === "mpatha")?.queueing).toEqual({ kind: "off" });
    expect(m.maps.find((x) => x.name === "mpathb")?.queueing).toEqual({ kind: "unknown", text: "-" });
  });
});
