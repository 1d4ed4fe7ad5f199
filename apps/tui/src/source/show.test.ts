import { describe, expect, it } from "vitest";
import { ShowParseError } from "../errors.js";
import { parseQueueing } from "./model.js";
import { modelFromShow, parseMapsJson, parseNextCheck, parseRaw, sizeToSectors } from "./show.js";

/** `show maps json` as multipathd 0.9.4 prints it (two maps, the second with a failed path). */
const MAPS_JSON = `{
   "major_version": 0,
   "minor_version": 1,
   "maps": [{
      "name" : "mpatha",
      "uuid" : "333333330000007d0",
      "sysfs" : "dm-0",
      "failback" : "immediate",
      "queueing" : "12 chk",
      "paths" : 2,
      "write_prot" : "rw",
      "dm_st" : "active",
      "features" : "1 queue_if_no_path",
      "hwhandler" : "1 alua",
      "action" : "",
      "path_faults" : 0,
      "vend" : "Linux",
      "prod" : "scsi_debug",
      "rev" : "0191",
      "switch_grp" : 0,
      "map_loads" : 1,
      "total_q_time" : 0,
      "q_timeouts" : 0,
      "path_groups": [{
         "selector" : "service-time 0",
         "pri" : 50,
         "dm_st" : "active",
         "marginal_st" : "normal",
         "group" : 1,
         "paths": [{
            "dev" : "sda",
            "dev_t" : "8:0",
            "dm_st" : "active",
            "dev_st" : "running",
            "chk_st" : "ready",
            "checker" : "tur",
            "pri" : 50,
            "host_wwnn" : "[undef]",
            "target_wwnn" : "[undef]",
            "host_wwpn" : "[undef]",
            "target_wwpn" : "[undef]",
            "host_adapter" : "[undef]",
            "lun_hex" : "0x0000000000000000",
            "marginal_st" : "normal"
         }]
      },{
         "selector" : "service-time 0",
         "pri" : 10,
         "dm_st" : "enabled",
         "marginal_st" : "normal",
         "group" : 2,
         "paths": [{
            "dev" : "sdb",
            "dev_t" : "8:16",
            "dm_st" : "active",
            "dev_st" : "running",
            "chk_st" : "ready",
            "checker" : "tur",
            "pri" : 10,
            "host_wwnn" : "[undef]",
            "target_wwnn" : "[undef]",
            "host_wwpn" : "[undef]",
            "target_wwpn" : "[undef]",
            "host_adapter" : "[undef]",
            "lun_hex" : "0x0000000000000000",
            "marginal_st" : "normal"
         }]
      }]
   },{
      "name" : "mpathb",
      "uuid" : "333333330000007d1",
      "sysfs" : "dm-1",
      "failback" : "immediate",
      "queueing" : "-",
      "paths" : 0,
      "write_prot" : "rw",
      "dm_st" : "suspend",
      "features" : "1 queue_if_no_path",
      "hwhandler" : "0",
      "action" : "",
      "path_faults" : 3,
      "vend" : "Linux",
      "prod" : "scsi_debug",
      "rev" : "0191",
      "switch_grp" : 1,
      "map_loads" : 1,
      "total_q_time" : 0,
      "q_timeouts" : 0,
      "path_groups": [{
         "selector" : "round-robin 0",
         "pri" : 1,
         "dm_st" : "enabled",
         "marginal_st" : "normal",
         "group" : 1,
         "paths": [{
            "dev" : "sdc",
            "dev_t" : "8:32",
            "dm_st" : "failed",
            "dev_st" : "running",
            "chk_st" : "faulty",
            "checker" : "tur",
            "pri" : 1,
            "host_wwnn" : "[undef]",
            "target_wwnn" : "[undef]",
            "host_wwpn" : "[undef]",
            "target_wwpn" : "[undef]",
            "host_adapter" : "[undef]",
            "lun_hex" : "0x0000000000000001",
            "marginal_st" : "normal"
         }]
      }]
   }]
}
`;

const MAPS_RAW = "333333330000007d0|16M\n333333330000007d1|1.0G\n";
const PATHS_RAW = [
  "sda|8:0|0:0:0:0|active|ready|running|50|0|mpatha|tur|normal|XXXXXX.... 3/5",
  "sdb|8:16|1:0:0:0|active|ready|running|10|0|mpatha|tur|normal|XXXXXX.... 3/5",
  "sdc|8:32|2:0:0:1|failed|faulty|running|1|4|mpathb|tur|normal|.......... 0/5",
  "sdd|8:48|3:0:0:0|undef|undef|running|-1|0|[orphan]|tur|normal|orphan",
  "",
].join("\n");

describe("modelFromShow", () => {
  const m = modelFromShow({ mapsJson: MAPS_JSON, mapsRaw: MAPS_RAW, pathsRaw: PATHS_RAW });

  it("reads maps with their groups, sizes and queueing", () => {
    expect(m.maps.map((x) => x.name)).toEqual(["mpatha", "mpathb"]);
    const a = m.maps[0]!;
    expect(a).toMatchObject({
      key: "333333330000007d0",
      dmDev: "dm-0",
      vendor: "Linux",
      product: "scsi_debug",
      size: "16M",
      sizeSectors: 32768,
      features: "1 queue_if_no_path",
      hwhandler: "1 alua",
      activePaths: 2,
      totalPaths: 2,
      degraded: false,
      queueingIo: false,
      queueing: { kind: "retry", secondsLeft: null, text: "12 chk" },
    });
    expect(a.groups.map((g) => [g.index, g.policy, g.priority, g.status, g.paths])).toEqual([
      [1, "service-time 0", 50, "active", ["sda"]],
      [2, "service-time 0", 10, "enabled", ["sdb"]],
    ]);
  });

  it("a map without usable paths and queue_if_no_path is queueing I/O, and degraded", () => {
    const b = m.maps[1]!;
    expect(b).toMatchObject({
      activePaths: 0,
      totalPaths: 1,
      degraded: true,
      queueingIo: true,
      dmState: "suspend",
    });
    expect(b.pathFaults).toBe(3);
    expect(b.switchGroups).toBe(1);
  });

  it("paths take the SCSI address, checker countdown and failures from the raw format", () => {
    const c = m.paths.find((p) => p.dev === "sdc")!;
    expect(c).toMatchObject({
      hctl: "2:0:0:1",
      mapKey: "333333330000007d1",
      mapName: "mpathb",
      group: 1,
      dmState: "failed",
      checkerState: "faulty",
      failures: 4,
      nextCheck: { tick: 0, interval: 5 },
      iops: null,
    });
  });

  it("paths no map uses are orphans", () => {
    const d = m.paths.find((p) => p.dev === "sdd")!;
    expect(d).toMatchObject({ mapKey: null, mapName: "[orphan]", group: 0, nextCheck: null, priority: -1 });
  });

  it("bad JSON is a ShowParseError that names the command", () => {
    expect(() => parseMapsJson("fail\n")).toThrow(ShowParseError);
    expect(() => parseMapsJson("fail\n")).toThrow(/^show maps json: not JSON/);
    expect(() => parseMapsJson('{"major_version": 1, "maps": []}')).toThrow(
      /unsupported JSON major version 1/,
    );
    expect(() => parseMapsJson('{"major_version": 0, "maps": [{"name": "x"}]}')).toThrow(
      /field "uuid" missing/,
    );
  });

  it("a value with a backslash (printed unescaped by multipathd) still parses", () => {
    const text = MAPS_JSON.replace('"prod" : "scsi_debug"', '"prod" : "a\\b"');
    expect(parseMapsJson(text)[0]!.prod).toBe("a\\b");
  });
});

describe("raw formats", () => {
  it("keeps extra separators in the last field and rejects short lines", () => {
    expect(parseRaw("a|b|c|d\n", 3, "x")).toEqual([["a", "b", "c|d"]]);
    expect(() => parseRaw("a|b\n", 3, "show paths raw format")).toThrow(/expected 3 fields: a\|b/);
  });

  it("reads the %C next-check bar", () => {
    expect(parseNextCheck("XXXXXXXX.. 16/20")).toEqual({ tick: 16, interval: 20 });
    expect(parseNextCheck(" 0/0")).toEqual({ tick: 0, interval: 0 });
    expect(parseNextCheck("orphan")).toBeNull();
  });

  it("sizes as multipath prints them", () => {
    expect(sizeToSectors("1.0G")).toBe(2097152);
    expect(sizeToSectors("512M")).toBe(1048576);
    expect(sizeToSectors("weird")).toBe(0);
  });

  it("queueing words of %Q", () => {
    expect(parseQueueing("off")).toEqual({ kind: "off" });
    expect(parseQueueing("on")).toEqual({ kind: "on" });
    expect(parseQueueing("7 sec")).toEqual({ kind: "retry", secondsLeft: 7, text: "7 sec" });
    expect(parseQueueing("12 chk")).toEqual({ kind: "retry", secondsLeft: null, text: "12 chk" });
    expect(parseQueueing("-")).toEqual({ kind: "unknown", text: "-" });
    expect(parseQueueing("")).toEqual({ kind: "unknown", text: "-" });
  });
});
