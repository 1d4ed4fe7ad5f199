import { describe, expect, it } from "vitest";
import { PathState } from "../structs/path-state.js";
import {
  createMultipath,
  createPath,
  InitState,
  NvmeProtocol,
  ScsiProtocol,
  SysfsBus,
} from "../structs/structs.js";
import { twoPathWorld } from "./__fixtures__/scsi-debug.js";
import { LayoutReset, multipathLayout, pathLayout, StrBuf, snprintMultipath, snprintPath } from "./format.js";
import { snprintMultipathMapJson, snprintMultipathTopologyJson } from "./json.js";
import { EMPTY_PRINT_ENV, type PrintEnv } from "./print-env.js";
import { showMaps, showPaths } from "./show.js";
import { snprintDaemon, snprintStatus } from "./status.js";

const env = EMPTY_PRINT_ENV;

function pathLine(format: string, pp = twoPathWorld().paths[0]!, e: PrintEnv = env): string {
  const buf = new StrBuf();
  snprintPath(buf, pp, format, null, e);
  return buf.toString();
}

describe("format strings", () => {
  it("copies literal text, drops unknown wildcards with their letter, and ends the line", () => {
    expect(pathLine("[%d]")).toBe("[sda]\n");
    expect(pathLine("%d %% %d")).toBe("sda  sda\n");
    expect(pathLine("%q%d")).toBe("sda\n");
    expect(pathLine("%d %")).toBe("sda \n");
    expect(pathLine("")).toBe("\n");
    expect(pathLine("%é%d")).toBe("sda\n");
  });

  it("pads every column to the widest value or header, in bytes", () => {
    const { paths } = twoPathWorld();
    paths[0]!.dev = "sdé";
    const out = showPaths(paths, "%d|%D", true, env);
    expect(out.text).toBe("dev |dev_t\nsdé|8:0  \nsdb |8:16 \n");
  });

  it("caps a column width at 255", () => {
    const { paths } = twoPathWorld();
    paths[0]!.serial = "s".repeat(300);
    const widths = pathLayout(paths, LayoutReset.ZERO, env);
    const buf = new StrBuf();
    snprintPath(buf, paths[1]!, "%z|", widths, env);
    expect(buf.toString()).toBe(`2000${" ".repeat(251)}|\n`);
  });

  it("raw output is not padded and has no header", () => {
    expect(showPaths(twoPathWorld().paths, "%d %D|", false, env).text).toBe("sda 8:0|\nsdb 8:16|\n");
  });

  it("an empty path or map list prints nothing, not even the header", () => {
    expect(showPaths([], "%d", true, env)).toEqual({ ok: true, text: "" });
    expect(showMaps([], "%n", true, env, () => true)).toEqual({ ok: true, text: "" });
  });

  it("maps whose refresh fails are skipped, widths still count them", () => {
    const { maps } = twoPathWorld();
    const other = createMultipath({ wwid: "w2", alias: "a_much_longer_name", dmi: { minor: 7 } });
    const out = showMaps([maps[0]!, other], "%n|%d", true, env, (m) => m !== other);
    expect(out.text).toBe("name              |sysfs\nmpatha            |dm-0 \n");
  });

  it("the progress quirk prints nothing but pads one column less", () => {
    const { paths } = twoPathWorld({ tick: 12, checkint: 10 });
    paths[1]!.tick = 2;
    const out = showPaths(paths, "%C|", true, env);
    expect(out.text).toBe(`next_check     |\n${" ".repeat(14)}|\nXX........ 2/10|\n`);
  });

  it("a failing field stops the command, keeping the output before it", () => {
    const { paths } = twoPathWorld();
    paths[1]!.tick = -5;
    const out = showPaths(paths, "%d %C", true, env);
    expect(out.ok).toBe(false);
    expect(out.text).toBe("dev next_check    \nsda XXXXX..... 2/4\nsdb ");
  });
});

describe("path wildcards", () => {
  it("prints placeholders for an undiscovered path", () => {
    const pp = createPath();
    expect(pathLine("%d|%D|%i|%L|%o|%T|%t|%C|%m|%c|%p|%P|%I|%w|%n|%g", pp)).toBe(
      "-|#:#|#:#:#:#|0xffffffffffffffff|unknown|undef|undef|orphan|[orphan]|(null)|-1|undef|new||[undef]|[undef]\n",
    );
  });

  it("prints the map name, or [unknown] when the map has no alias", () => {
    const { paths, maps } = twoPathWorld();
    expect(pathLine("%m", paths[0]!)).toBe("mpatha\n");
    maps[0]!.alias = null;
    expect(pathLine("%m", paths[0]!)).toBe("[unknown]\n");
  });

  it("prints the LUN in SAM order", () => {
    const pp = createPath({ sgId: { hostNo: 2, channel: 0, scsiId: 1, lun: 0x4001n } });
    expect(pathLine("%i %L", pp)).toBe("2:0:1:16385 0x4001000000000000\n");
    pp.sgId.lun = 0x0001_0002_0003_0004n;
    expect(pathLine("%L", pp)).toBe("0x0004000300020001\n");
  });

  it("names every checker state", () => {
    const { paths } = twoPathWorld();
    const pp = paths[0]!;
    const names: [PathState, string][] = [
      [PathState.WILD, "undef"],
      [PathState.UNCHECKED, "undef"],
      [PathState.DOWN, "faulty"],
      [PathState.UP, "ready"],
      [PathState.SHAKY, "shaky"],
      [PathState.GHOST, "ghost"],
      [PathState.PENDING, "i/o pending"],
      [PathState.TIMEOUT, "i/o timeout"],
      [PathState.REMOVED, "undef"],
      [PathState.DELAYED, "delayed"],
    ];
    for (const [s, name] of names) {
      pp.state = s;
      expect(pathLine("%T", pp)).toBe(`${name}\n`);
    }
  });

  it("names init states and protocols", () => {
    const pp = createPath();
    const inits = ["new", "failed", "udev-missing", "udev-requested", "ok", "removed", "partial", "undef"];
    inits.forEach((name, i) => {
      pp.initialized = i as InitState;
      expect(pathLine("%I", pp)).toBe(`${name}\n`);
    });
    pp.initialized = InitState.OK;
    pp.bus = SysfsBus.SCSI;
    pp.sgId.protoId = ScsiProtocol.FCP;
    expect(pathLine("%P", pp)).toBe("scsi:fcp\n");
    pp.sgId.protoId = ScsiProtocol.ISCSI;
    expect(pathLine("%P", pp)).toBe("scsi:iscsi\n");
    pp.sgId.protoId = 0xb;
    expect(pathLine("%P", pp)).toBe("undef\n");
    pp.bus = SysfsBus.NVME;
    pp.sgId.protoId = NvmeProtocol.TCP;
    expect(pathLine("%P", pp)).toBe("nvme:tcp\n");
    pp.bus = SysfsBus.CCW;
    expect(pathLine("%P", pp)).toBe("ccw\n");
  });

  it("reads FC WWNs and the adapter from the print environment for FC paths only", () => {
    const fc: PrintEnv = {
      fcHostAttr: (h, a) => (h === 3 && a === "node_name" ? "0x20000000c9aabbcc" : null),
      fcRemotePortName: (h, c, t) => (h === 3 && c === 0 && t === 2 ? "0x500a0981" : null),
      hostAdapterName: () => "0000:3b:00.0",
    };
    const pp = createPath({
      bus: SysfsBus.SCSI,
      sgId: { hostNo: 3, channel: 0, scsiId: 0, lun: 0n, protoId: ScsiProtocol.FCP, transportId: 2 },
    });
    expect(pathLine("%N|%R|%r|%a", pp, fc)).toBe("0x20000000c9aabbcc|[unknown]|0x500a0981|0000:3b:00.0\n");
    pp.sgId.protoId = ScsiProtocol.SAS;
    expect(pathLine("%N|%R|%r|%a", pp, fc)).toBe("[undef]|[undef]|[undef]|0000:3b:00.0\n");
    pp.sgId.protoId = ScsiProtocol.UNSPEC;
    expect(pathLine("%a", pp, fc)).toBe("[undef]\n");
  });
});

describe("map wildcards", () => {
  function mapLine(format: string, mpp = twoPathWorld().maps[0]!): string {
    const buf = new StrBuf();
    snprintMultipath(buf, mpp, format, null, env);
    return buf.toString();
  }

  it("prints placeholders for a map with no kernel device and no paths", () => {
    const m = createMultipath({ wwid: "3600a0b80" });
    expect(mapLine("%n|%d|%r|%t|%s|%v|%p|%e|%g|%A|%N|%S", m)).toBe(
      "3600a0b80|undef|undef|undef|##,##|##|##|##|[undef]||0|0.0K\n",
    );
  });

  it("prints ro for a read-only map", () => {
    const { maps } = twoPathWorld();
    maps[0]!.dmi!.readOnly = true;
    expect(mapLine("%r", maps[0]!)).toBe("ro\n");
  });

  it("widths include headers when the layout is reset to headers", () => {
    const widths = multipathLayout(twoPathWorld().maps, LayoutReset.HEADER, env);
    const buf = new StrBuf();
    snprintMultipath(buf, twoPathWorld().maps[0]!, "%N|%x|", widths, env);
    expect(buf.toString()).toBe("2    |0       |\n");
  });
});

describe("json", () => {
  it("an empty map list is an empty array", () => {
    const buf = new StrBuf();
    snprintMultipathTopologyJson(buf, [], env);
    expect(buf.toString()).toBe('{\n   "major_version": 0,\n   "minor_version": 1,\n   "maps": []\n}\n');
  });

  it("a map without groups has an empty path_groups array and values are not escaped", () => {
    const m = createMultipath({ wwid: 'a"b', alias: "x", dmi: { minor: 3 }, features: "0", hwhandler: "0" });
    const buf = new StrBuf();
    snprintMultipathMapJson(buf, m, env);
    const text = buf.toString();
    expect(text).toContain('      "uuid" : "a"b",\n');
    expect(text).toContain('      "q_timeouts" : 0,\n      "path_groups": []\n   }\n}\n');
  });
});

describe("show status / show daemon", () => {
  it("counts paths per checker state in enum order, then monitored paths and uevent backlog", () => {
    const { paths } = twoPathWorld();
    const extra = createPath({ state: PathState.PENDING, monitored: false });
    const down = createPath({ state: PathState.DOWN, monitored: true });
    expect(snprintStatus([...paths, extra, down], true)).toBe(
      "path checker states:\ndown                1\nup                  2\npending             1\n\npaths: 3\nbusy: True\n",
    );
    expect(snprintStatus([], false)).toBe("path checker states:\n\npaths: 0\nbusy: False\n");
  });

  it("prints pid and state", () => {
    expect(snprintDaemon(212, "idle")).toBe("pid 212 idle\n");
    expect(snprintDaemon(1, "configure")).toBe("pid 1 configure\n");
  });
});
