import {
  buildRtpg,
  buildStandardInquiry,
  buildSupportedVpdPages,
  buildVpd83,
  buildVpdPage,
  type ScsiCommand,
  targetPortGroupDesignator,
} from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { checkRdac, detectAlua, fetchVpdPage, pathOffline, pathSysfsState } from "./discovery.js";
import { PathState } from "./path-state.js";
import type { PrioPath } from "./prio.js";
import { Tpgs } from "./prioritizers/alua-rtpg.js";
import {
  aluaFallback,
  CONF_ORIGIN,
  checkRdacRule,
  DEFAULT_ORIGIN,
  detectChecker,
  detectPrio,
  prioTimeoutMs,
  SYSFS_TIMEOUT_ORIGIN,
  selectCheckerTimeout,
} from "./propsel.js";
import { collectLog, FakeHost, type FakeSgReply } from "./testing/fake-host.js";

const vac1 = buildVpdPage(0xc9, Uint8Array.from([0x76, 0x61, 0x63, 0x31, 0, 0, 0, 0]));

describe("detect_prio", () => {
  const scsi = { bus: "scsi" as const, rdac: false, accessStateReadable: true, nvmeAna: false };
  it("picks sysfs when the kernel publishes access_state, alua otherwise, nothing without TPGS", () => {
    expect(detectPrio({ ...scsi, tpgs: Tpgs.IMPLICIT })).toBe("sysfs");
    expect(detectPrio({ ...scsi, tpgs: Tpgs.BOTH, accessStateReadable: false })).toBe("alua");
    expect(detectPrio({ ...scsi, tpgs: Tpgs.NONE })).toBeNull();
    // UNDEF (TPGS not determined) is not NONE
    expect(detectPrio({ ...scsi, tpgs: Tpgs.UNDEF })).toBe("sysfs");
  });

  it("keeps RDAC arrays on alua unless TPGS is explicit only", () => {
    expect(detectPrio({ ...scsi, tpgs: Tpgs.BOTH, rdac: true })).toBe("alua");
    expect(detectPrio({ ...scsi, tpgs: Tpgs.IMPLICIT, rdac: true })).toBe("alua");
    expect(detectPrio({ ...scsi, tpgs: Tpgs.EXPLICIT, rdac: true })).toBe("sysfs");
  });

  it("picks ana for NVMe with ANA, nothing for other buses", () => {
    expect(detectPrio({ ...scsi, bus: "nvme", tpgs: Tpgs.UNDEF, nvmeAna: true })).toBe("ana");
    expect(detectPrio({ ...scsi, bus: "nvme", tpgs: Tpgs.UNDEF, nvmeAna: false })).toBeNull();
    expect(detectPrio({ ...scsi, bus: "ccw", tpgs: Tpgs.BOTH })).toBeNull();
  });

  it("falls back from alua to const on a path without TPGS", () => {
    expect(aluaFallback("alua", Tpgs.NONE)).toBe(true);
    expect(aluaFallback("alua", Tpgs.UNDEF)).toBe(false);
    expect(aluaFallback("sysfs", Tpgs.NONE)).toBe(false);
  });
});

describe("detect_checker and check_rdac", () => {
  it("rdac for RDAC arrays, tur for known TPGS, else the configured checker", () => {
    expect(detectChecker({ rdac: true, tpgs: Tpgs.NONE })).toBe("rdac");
    expect(detectChecker({ rdac: false, tpgs: Tpgs.IMPLICIT })).toBe("tur");
    expect(detectChecker({ rdac: false, tpgs: Tpgs.UNDEF })).toBeNull();
    expect(detectChecker({ rdac: false, tpgs: Tpgs.NONE })).toBeNull();
  });

  it("check_rdac wants 'vac1' in VPD 0xC9, asked only when the hardware entry allows it", () => {
    const base = { bus: "scsi" as const, hweCheckerName: null, vpdC9Supported: true, vpdC9: vac1 };
    expect(checkRdacRule(base)).toBe(true);
    expect(checkRdacRule({ ...base, vpdC9Supported: false })).toBe(false);
    expect(checkRdacRule({ ...base, hweCheckerName: "rdac", vpdC9Supported: false })).toBe(true);
    expect(checkRdacRule({ ...base, hweCheckerName: "tur" })).toBe(false);
    expect(checkRdacRule({ ...base, bus: "nvme" })).toBe(false);
    expect(
      checkRdacRule({ ...base, vpdC9: buildVpdPage(0xc9, Uint8Array.from([0x76, 0x61, 0x63, 0x65])) }),
    ).toBe(false);
  });

  it("check_rdac probes the supported pages, then page 0xC9", () => {
    const host = new FakeHost();
    const responder = (cmd: ScsiCommand): FakeSgReply => {
      if (cmd.cdb[2] === 0x00) return { data: buildSupportedVpdPages([0x80, 0x83, 0xc9]) };
      if (cmd.cdb[2] === 0xc9) return { data: vac1 };
      return {};
    };
    host.addScsi("sda", responder);
    let r: boolean | null = null;
    checkRdac(
      host,
      { dev: "sda", bus: "scsi" },
      null,
      () => {},
      (v) => {
        r = v;
      },
    );
    host.clock.runUntilIdle();
    expect(r).toBe(true);
    expect(host.sent("sda").map((c) => [c.cdb[2], c.cdb[4]])).toEqual([
      [0x00, 254],
      [0xc9, 254],
    ]);
  });
});

describe("checker timeout", () => {
  it("config first, then the SCSI device's sysfs timeout, then 30 s", () => {
    expect(selectCheckerTimeout(10, 60)).toEqual({ timeout: 10, origin: CONF_ORIGIN });
    expect(selectCheckerTimeout(0, 60)).toEqual({ timeout: 60, origin: SYSFS_TIMEOUT_ORIGIN });
    expect(selectCheckerTimeout(0, null)).toEqual({ timeout: 30, origin: DEFAULT_ORIGIN });
    expect(prioTimeoutMs(0, false)).toBe(0);
    expect(prioTimeoutMs(15, false)).toBe(15000);
    expect(prioTimeoutMs(15, true)).toBe(10);
  });
});

describe("path_offline", () => {
  it("maps the SCSI and NVMe device states", () => {
    expect(pathSysfsState("scsi", "running")).toEqual({ state: PathState.UP, offline: false });
    expect(pathSysfsState("scsi", "offline")).toEqual({ state: PathState.DOWN, offline: true });
    expect(pathSysfsState("scsi", "blocked")).toEqual({ state: PathState.PENDING, offline: false });
    expect(pathSysfsState("scsi", "transport-offline").state).toBe(PathState.DOWN);
    expect(pathSysfsState("nvme", "live").state).toBe(PathState.UP);
    expect(pathSysfsState("nvme", "deleting").state).toBe(PathState.PENDING);
    expect(pathSysfsState("nvme", "dead")).toEqual({ state: PathState.DOWN, offline: true });
    expect(pathSysfsState("ccw", null).state).toBe(PathState.UP);
    const host = new FakeHost();
    expect(pathOffline(host, { dev: "sdq", bus: "scsi" }).state).toBe(PathState.REMOVED);
    host.setAttr("/sys/block/sdq/device/state", "quiesce\n");
    expect(pathOffline(host, { dev: "sdq", bus: "scsi" }).state).toBe(PathState.PENDING);
  });
});

describe("detect_alua", () => {
  const pp: PrioPath = {
    dev: "sda",
    bus: "scsi",
    sgId: { hostNo: 0, channel: 0, scsiId: 0, lun: 0, protoId: -1, transportId: -1 },
    serial: "",
    tgtNodeName: "",
    fdValid: true,
  };
  function run(responder: (cmd: ScsiCommand) => FakeSgReply, offline = false) {
    const host = new FakeHost();
    host.addScsi("sda", responder);
    let r: number | null | undefined;
    detectAlua(
      host,
      pp,
      offline,
      () => {},
      (v) => {
        r = v;
      },
    );
    host.clock.runUntilIdle();
    return { r, host };
  }
  const alua =
    (tpgs: number) =>
    (cmd: ScsiCommand): FakeSgReply => {
      if (cmd.cdb[0] === 0x12 && !(cmd.cdb[1]! & 1))
        return { data: buildStandardInquiry({ vendor: "A", product: "B", revision: "1", tpgs }) };
      if (cmd.cdb[0] === 0x12) return { data: buildVpd83([targetPortGroupDesignator(1)]) };
      if (cmd.cdb[0] === 0xa3)
        return {
          data: buildRtpg([
            { state: 0, pref: false, supported: 0x8f, groupId: 1, status: 0, vendorUnique: 0, ports: [] },
          ]),
        };
      return {};
    };

  it("reports the TPGS mode when RTPG works, NONE without TPGS, and leaves it alone when INQUIRY fails", () => {
    expect(run(alua(3)).r).toBe(3);
    expect(run(alua(0)).r).toBe(Tpgs.NONE);
    expect(run(() => ({ errno: 5 })).r).toBeNull();
    expect(run(alua(1), true).r).toBeNull();
  });

  it("uses the sysfs timeout in seconds as milliseconds, as 0.9.4 does", () => {
    const { host } = run(alua(1));
    expect(host.sent("sda")[0]!.timeoutMs).toBe(30);
  });

  it("turns TPGS off when RTPG fails on a path that is up", () => {
    const { r } = run((cmd) =>
      cmd.cdb[0] === 0xa3
        ? {
            sense: {
              key: 5,
              asc: 0x20,
              ascq: 0,
              raw: Uint8Array.from([0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0]),
            },
          }
        : alua(1)(cmd),
    );
    expect(r).toBe(Tpgs.NONE);
  });
});

describe("fetch_vpd_page", () => {
  it("asks 254 bytes, then the page's full length, and checks the page code", () => {
    const host = new FakeHost();
    const big = buildVpdPage(0x83, new Uint8Array(600));
    host.addScsi("sda", (cmd) =>
      cmd.cdb[2] === 0x83 ? { data: big } : { data: buildVpdPage(0x80, new Uint8Array(4)) },
    );
    const { log, lines } = collectLog();
    let len = 0;
    fetchVpdPage(host, "sda", 0x83, 4096, log, (l) => {
      len = l;
    });
    host.clock.runUntilIdle();
    expect(len).toBe(604);
    expect(host.sent("sda").map((c) => (c.cdb[3]! << 8) | c.cdb[4]!)).toEqual([254, 604]);
    fetchVpdPage(host, "sda", 0xc9, 4096, log, (l) => {
      len = l;
    });
    host.clock.runUntilIdle();
    expect(len).toBe(-61);
    expect(lines).toContainEqual([3, "vpd pgc9 error, invalid vpd page 80"]);
  });
});
