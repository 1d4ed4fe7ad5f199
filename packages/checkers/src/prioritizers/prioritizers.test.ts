import {
  buildRtpg,
  buildStandardInquiry,
  buildVpd83,
  buildVpdPage,
  createRng,
  makeSense,
  naaDesignator,
  relativeTargetPortDesignator,
  type ScsiCommand,
  SenseKey,
  targetPortGroupDesignator,
} from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { createDefaultPrioritizers } from "../defaults.js";
import {
  createPrioritizerRegistry,
  definePrioritizer,
  PRIO_UNDEF,
  type PrioEnv,
  type PrioPath,
  type Prioritizer,
  prioAfterError,
  prioGetprio,
  prioLookup,
} from "../prio.js";
import { collectLog, FakeHost, type FakeSgReply, udevBlock } from "../testing/fake-host.js";
import { cExp, parsePathLatencyArgs } from "./path-latency.js";

function path(over: Partial<PrioPath> = {}): PrioPath {
  return {
    dev: "sda",
    bus: "scsi",
    sgId: { hostNo: 2, channel: 0, scsiId: 1, lun: 3, protoId: 0, transportId: 5 },
    serial: "SER123",
    tgtNodeName: "",
    fdValid: true,
    ...over,
  };
}

function world(responder?: (cmd: ScsiCommand) => FakeSgReply) {
  const host = new FakeHost();
  const { log, lines } = collectLog();
  if (responder) host.addScsi("sda", responder);
  const env: PrioEnv = { host, log, rng: createRng(7) };
  const prio = (name: string, args = "", pp: PrioPath = path(), timeout = 0): number | null => {
    const p = createDefaultPrioritizers().get(name)!;
    let r: number | null = null;
    p.getprio(pp, args, timeout, env, (v) => {
      r = v;
    });
    host.clock.runUntilIdle(100_000);
    return r;
  };
  return { host, env, lines, prio };
}

const isVpd = (cmd: ScsiCommand, pg: number) =>
  cmd.cdb[0] === 0x12 && (cmd.cdb[1]! & 1) === 1 && cmd.cdb[2] === pg;

function aluaTarget(
  state: number,
  pref: boolean,
  opts: { tpgs?: number; tpg?: number | null; reportGroup?: number } = {},
) {
  return (cmd: ScsiCommand): FakeSgReply => {
    if (cmd.cdb[0] === 0x12 && !(cmd.cdb[1]! & 1))
      return {
        data: buildStandardInquiry({ vendor: "X", product: "Y", revision: "1", tpgs: opts.tpgs ?? 1 }),
      };
    if (isVpd(cmd, 0x83)) {
      const ds = [naaDesignator("600140500000000000000000000000a1"), relativeTargetPortDesignator(1)];
      if (opts.tpg !== null) ds.push(targetPortGroupDesignator(opts.tpg ?? 1));
      return { data: buildVpd83(ds) };
    }
    if (cmd.cdb[0] === 0xa3) {
      return {
        data: buildRtpg([
          {
            state,
            pref,
            supported: 0x8f,
            groupId: opts.reportGroup ?? 1,
            status: 0,
            vendorUnique: 0,
            ports: [1],
          },
          { state: 2, pref: false, supported: 0x8f, groupId: 9, status: 0, vendorUnique: 0, ports: [2] },
        ]),
      };
    }
    return {};
  };
}

describe("alua prioritizer", () => {
  it("maps the access state and PREF bit to 50/10/5/1/0 (+80), pref on A/O only with exclusive_pref_bit", () => {
    const table: Array<[number, boolean, string, number]> = [
      [0, false, "", 50],
      [0, true, "", 50],
      [0, true, "exclusive_pref_bit", 130],
      [1, false, "", 10],
      [1, true, "", 90],
      [4, false, "", 5],
      [2, false, "", 1],
      [2, true, "", 81],
      [3, false, "", 0],
      [0xe, true, "", 80],
      [0xf, false, "", 0],
    ];
    for (const [state, pref, args, want] of table) {
      expect(world(aluaTarget(state, pref)).prio("alua", args)).toBe(want);
    }
  });

  it("reads VPD 0x83 from sysfs when the SCSI device has it, and sends RTPG without the extended header", () => {
    const w = world(aluaTarget(1, false));
    w.host.setAttr("/sys/block/sda/device/vpd_pg83", buildVpd83([targetPortGroupDesignator(1)]));
    expect(w.prio("alua")).toBe(10);
    expect(w.host.sent("sda").map((c) => [c.cdb[0], c.cdb[1]])).toEqual([[0xa3, 0x0a]]);
    expect(w.lines).toContainEqual([3, "sda: reported target port group is 1"]);
    expect(w.lines).toContainEqual([3, "sda: aas = 01 [active/non-optimized]"]);
  });

  it("returns the alua error numbers with multipathd's messages", () => {
    const none = world(aluaTarget(0, false, { tpg: null, tpgs: 0 }));
    expect(none.prio("alua")).toBe(-1);
    expect(none.lines).toContainEqual([0, "sda: alua not supported"]);
    const noTpg = world(aluaTarget(0, false, { tpg: null }));
    expect(noTpg.prio("alua")).toBe(-2);
    expect(noTpg.lines).toContainEqual([0, "sda: couldn't get target port group"]);
    const notFound = world(aluaTarget(0, false, { reportGroup: 5 }));
    expect(notFound.prio("alua")).toBe(-3);
    expect(notFound.lines).toContainEqual([2, "get_asymmetric_access_state: port group 1 not found"]);
    const dead = world(() => ({ errno: 6 }));
    expect(dead.prio("alua")).toBe(-4);
    expect(dead.lines).toContainEqual([3, "sda: couldn't get supported alua states"]);
    expect(world(aluaTarget(0, false)).prio("alua", "", path({ fdValid: false }))).toBe(-5);
  });

  it("retries RTPG on UNIT ATTENTION up to three times", () => {
    let n = 0;
    const base = aluaTarget(0, false);
    const w = world((cmd) =>
      cmd.cdb[0] === 0xa3 && n++ < 3 ? { sense: makeSense(SenseKey.UNIT_ATTENTION, 0x2a, 6) } : base(cmd),
    );
    expect(w.prio("alua")).toBe(50);
    expect(w.host.sent("sda").filter((c) => c.cdb[0] === 0xa3)).toHaveLength(4);
  });
});

describe("sysfs prioritizer", () => {
  it("reads access_state and preferred_path as the kernel publishes them", () => {
    const table: Array<[string, string | null, string, number]> = [
      ["active/optimized\n", "0\n", "", 50],
      ["active/optimized\n", "1\n", "", 50],
      ["active/optimized\n", "1\n", "exclusive_pref_bit", 130],
      ["active/non-optimized\n", "1\n", "", 90],
      ["lba-dependent\n", null, "", 5],
      ["standby\n", "0\n", "", 1],
      ["unavailable\n", "1\n", "", 80],
      ["transitioning\n", "x\n", "", 0],
    ];
    for (const [state, pref, args, want] of table) {
      const w = world();
      w.host.setAttr("/sys/block/sda/device/access_state", state);
      w.host.setAttr("/sys/block/sda/device/preferred_path", pref);
      expect(w.prio("sysfs", args)).toBe(want);
    }
    expect(world().prio("sysfs")).toBe(PRIO_UNDEF);
  });
});

describe("const, random, ana", () => {
  it("const is 1; random is 1..10 from the seeded generator", () => {
    expect(world().prio("const")).toBe(1);
    const a = Array.from({ length: 20 }, () => 0);
    const w = world();
    for (let i = 0; i < 20; i++) a[i] = w.prio("random")!;
    expect(a.every((v) => v >= 1 && v <= 10)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(3);
  });

  it("ana maps the NVMe ANA state of the path and reports what is missing", () => {
    const nv = path({ dev: "nvme0n1", bus: "nvme" });
    for (const [s, want] of [
      ["optimized", 50],
      ["non-optimized", 10],
      ["inaccessible", 1],
      ["change", 1],
      ["persistent-loss", 0],
    ] as const) {
      const w = world();
      w.host.setAttr("/sys/block/nvme0n1/ana_state", `${s}\n`);
      expect(w.prio("ana", "", nv)).toBe(want);
    }
    const missing = world();
    expect(missing.prio("ana", "", nv)).toBe(-1);
    expect(missing.lines).toContainEqual([2, "nvme0n1: ANA error: ANA not supported"]);
    const scsi = world();
    expect(scsi.prio("ana")).toBe(-1);
    expect(scsi.lines).toContainEqual([2, "sda: ANA error: couldn't get ctrl info"]);
  });
});

function c0(o: { lunState: number; defaultSp: number; currentSp: number; mode?: number; ndu?: number }) {
  const b = new Uint8Array(128);
  b[1] = 0xc0;
  b[4] = o.lunState;
  b[5] = o.defaultSp;
  b[8] = o.currentSp;
  b[27] = 3;
  b[28] = o.mode ?? 4;
  b[30] = 4;
  b[48] = o.ndu ?? 0;
  return b;
}

describe("emc, hds, hp_sw, rdac prioritizers", () => {
  it("emc: LUN state plus 2 on the default SP; errors are PRIO_UNDEF", () => {
    expect(
      world((c) => (isVpd(c, 0xc0) ? { data: c0({ lunState: 2, defaultSp: 0, currentSp: 0 }) } : {})).prio(
        "emc",
      ),
    ).toBe(4);
    expect(
      world((c) => (isVpd(c, 0xc0) ? { data: c0({ lunState: 1, defaultSp: 0, currentSp: 1 }) } : {})).prio(
        "emc",
      ),
    ).toBe(1);
    const bad = world((c) =>
      isVpd(c, 0xc0) ? { data: c0({ lunState: 1, defaultSp: 0, currentSp: 1, mode: 2 }) } : {},
    );
    expect(bad.prio("emc")).toBe(PRIO_UNDEF);
    expect(bad.lines).toContainEqual([0, "sda: emc prio: path not correctly configured for failover"]);
  });

  it("hds: even/odd controller and LDEV", () => {
    const inq = (ldev: string, ctrl: string) => {
      const b = buildStandardInquiry({ vendor: "HITACHI", product: "DF600F", revision: "0000", length: 255 });
      b.set(
        [...`0105${ldev}`].map((c) => c.charCodeAt(0)),
        40,
      );
      b[49] = ctrl.charCodeAt(0);
      b[50] = 0x41;
      return b;
    };
    const hds = (ldev: string, ctrl: string) => world(() => ({ data: inq(ldev, ctrl) })).prio("hds");
    expect(hds("00C6", "0")).toBe(1);
    expect(hds("00C7", "0")).toBe(0);
    expect(hds("00C6", "1")).toBe(0);
    expect(hds("00CB", "1")).toBe(1);
    expect(hds("00CZ", "1")).toBe(-1);
    expect(world(() => ({ errno: 25 })).prio("hds")).toBe(-1);
  });

  it("hp_sw: 4 active, 2 standby, 0 failed, resets retried", () => {
    expect(world(() => ({})).prio("hp_sw")).toBe(4);
    expect(world(() => ({ sense: makeSense(SenseKey.NOT_READY, 4, 2) })).prio("hp_sw")).toBe(2);
    expect(world(() => ({ sense: makeSense(SenseKey.RECOVERED_ERROR, 0, 0) })).prio("hp_sw")).toBe(4);
    expect(world(() => ({ sense: makeSense(SenseKey.NOT_READY, 4, 3) })).prio("hp_sw")).toBe(0);
    let n = 0;
    const w = world(() => (n++ < 2 ? { sense: makeSense(SenseKey.UNIT_ATTENTION, 0x29, 0) } : {}));
    expect(w.prio("hp_sw")).toBe(4);
    expect(w.host.sent("sda")).toHaveLength(3);
  });

  it("rdac: owner 0x02, preferred 0x04 or secondary 0x01, IOSHIP 0x08", () => {
    const vac = (avt: number, ppp: number) => {
      const p = new Uint8Array(0x2c);
      p.set([0x76, 0x61, 0x63, 0x31], 0);
      p[4] = avt;
      p[5] = ppp;
      return buildVpdPage(0xc9, p);
    };
    const rdac = (avt: number, ppp: number) =>
      world((c) => (isVpd(c, 0xc9) ? { data: vac(avt, ppp) } : {})).prio("rdac");
    expect(rdac(0x01, 0x01)).toBe(6);
    expect(rdac(0x00, 0x02)).toBe(1);
    expect(rdac(0x21, 0x01)).toBe(14);
    expect(rdac(0x00, 0x00)).toBe(0);
    const bad = world((c) => (isVpd(c, 0xc9) ? { data: buildVpdPage(0xc9, new Uint8Array(0x2c)) } : {}));
    expect(bad.prio("rdac")).toBe(0);
    expect(bad.lines).toContainEqual([0, "sda: rdac prio: volume access control page in unknown format"]);
  });
});

describe("ontap prioritizer", () => {
  const gva = (kind: string | null) => {
    const r = new Uint8Array(256);
    r[3] = kind === null ? 8 : 40;
    r.set([0x0a, 0x98, 0x0a, 0x01], 4);
    r[8] = 0x41;
    if (kind)
      r.set(
        [...kind].map((c) => c.charCodeAt(0)),
        12,
      );
    return r;
  };
  const proxyPage = (proxy: boolean) => {
    const r = new Uint8Array(256);
    r[1] = 0xc1;
    r.set([0x0a, 0x98, 0x0a, 0x00, 0xc1, 0x00], 8);
    r[19] = proxy ? 0x02 : 0;
    return r;
  };
  const ontap = (kind: string | null, proxy: boolean) =>
    world((c) =>
      c.cdb[0] === 0xc0 ? { data: gva(kind) } : isVpd(c, 0xc1) ? { data: proxyPage(proxy) } : {},
    ).prio("ontap");

  it("iSCSI hardware 3, software 2, FC proxy 1, FC direct 4, GVA failure 0", () => {
    expect(ontap("ism_sn", false)).toBe(3);
    expect(ontap("ism_sw", false)).toBe(2);
    expect(ontap("iswt", false)).toBe(2);
    expect(ontap(null, true)).toBe(1);
    expect(ontap("fcp", false)).toBe(4);
    const w = world((c) =>
      c.cdb[0] === 0xc0 ? { sense: makeSense(SenseKey.ILLEGAL_REQUEST, 0x20, 0) } : {},
    );
    expect(w.prio("ontap")).toBe(0);
    expect(w.lines.slice(0, 3)).toEqual([
      [0, "sda: ontap prio: SCSI error"],
      [0, "- SCSI CDB: "],
      [0, "0xc0 0x00 0x01 0x0a 0x98 0x0a 0x41 0x80 0x00 0x00 "],
    ]);
  });
});

describe("datacore, iet, weightedpath", () => {
  const sds = (name: string) => {
    const b = new Uint8Array(255);
    b.set(
      [...name].map((c) => c.charCodeAt(0)),
      112,
    );
    return b;
  };

  it("datacore: preferredsds and timeout in either order; problems give 0", () => {
    const w = () => world(() => ({ data: sds("DC-SDS-EAST") }));
    expect(w().prio("datacore", "preferredsds=EAST")).toBe(1);
    expect(w().prio("datacore", "timeout=1000 preferredsds=EAST")).toBe(1);
    expect(w().prio("datacore", "preferredsds=WEST timeout=1000")).toBe(0);
    const short = w();
    expect(short.prio("datacore", "preferredsds=E")).toBe(0);
    expect(short.lines).toContainEqual([
      0,
      "sda: datacore prio: prio args: preferredsds too short (1 character min)",
    ]);
    const tmo = w();
    expect(tmo.prio("datacore", "preferredsds=EAST timeout=100")).toBe(0);
    expect(tmo.lines).toContainEqual([0, "sda: datacore prio: prio args: timeout out of bounds [500:20000]"]);
    const fmt = w();
    expect(fmt.prio("datacore", "")).toBe(0);
    expect(fmt.lines).toContainEqual([0, "sda: datacore prio: unexpected prio_args format"]);
    expect(w().host.sent("sda")).toHaveLength(0);
  });

  it("iet: 20 when a by-path link of the device has the preferred IP, else 10", () => {
    const w = world();
    w.host.udevDevices.push(
      udevBlock("sda", [
        "/dev/disk/by-id/wwn-0x1",
        "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.2003-01.org:t1-lun-0",
      ]),
      udevBlock("sdb", ["/dev/disk/by-path/ip-10.0.0.6:3260-iscsi-iqn.2003-01.org:t1-lun-0"]),
    );
    expect(w.prio("iet", "preferredip=10.0.0.5")).toBe(20);
    expect(w.prio("iet", "preferredip=10.0.0.6")).toBe(10);
    expect(w.prio("iet", "preferredip=10.0.0.6", path({ dev: "sdb" }))).toBe(20);
    expect(w.prio("iet", "preferredip=1.2.3")).toBe(0);
    expect(w.lines).toContainEqual([0, "sda: iet prio: prio args: preferredip too short"]);
  });

  it("weightedpath: the first matching regular expression of the mode's string gives the priority", () => {
    const w = world();
    expect(w.prio("weightedpath", "hbtl 1:.:.:. 2 2:.:.:3 4")).toBe(4);
    expect(w.prio("weightedpath", "devname sdb 10 sd[a-c] 20")).toBe(20);
    expect(w.prio("weightedpath", "serial ^SER 7x")).toBe(7);
    expect(w.prio("weightedpath", "devname ( 5 sda 6")).toBe(6);
    expect(w.prio("weightedpath", "devname nomatch 5")).toBe(0);
    expect(w.prio("weightedpath", "devname sda")).toBe(0);
    expect(w.prio("weightedpath", "")).toBe(0);
    expect(w.prio("weightedpath", "bogus .* 5")).toBe(0);
    expect(w.lines).toContainEqual([0, "sda: weightedpath - Invalid arguments"]);
    w.host.setAttr("/sys/class/fc_host/host2/node_name", "0x20000000c9000001\n");
    w.host.setAttr("/sys/class/fc_host/host2/port_name", "0x10000000c9000001\n");
    w.host.setAttr("/sys/class/fc_remote_ports/rport-2:0-5/port_name", "0x50060160bb200001\n");
    const fc = path({ tgtNodeName: "0x50060160bb200000" });
    expect(
      w.prio(
        "weightedpath",
        "wwn 0x20000000c9000001:0x10000000c9000001:0x50060160bb200000:0x50060160bb200001 9",
        fc,
      ),
    ).toBe(9);
    expect(
      w.prio(
        "weightedpath",
        "wwn ^\\[undef\\]:\\[undef\\]:\\[undef\\]:\\[undef\\]$ 3",
        path({ bus: "nvme" }),
      ),
    ).toBe(3);
  });
});

describe("path_latency prioritizer", () => {
  it("parses io_num and base_num (both, any order, in range) and reports bad ones", () => {
    const { log, lines } = collectLog();
    expect(parsePathLatencyArgs("io_num=20 base_num=10", log)).toEqual({ ioNum: 20, baseNum: 10 });
    expect(parsePathLatencyArgs("base_num=1.5 io_num=200", log)).toEqual({ ioNum: 200, baseNum: 1.5 });
    expect(parsePathLatencyArgs("io_num=20", log)).toBeNull();
    expect(parsePathLatencyArgs("io_num=10 base_num=10", log)).toBeNull();
    expect(parsePathLatencyArgs("io_num=20 base_num=11", log)).toBeNull();
    expect(lines).toEqual([
      [0, "path_latency prio: args io_num is outside the valid range"],
      [0, "path_latency prio: args base_num is outside the valid range"],
    ]);
    expect(cExp(1234.5, 2)).toBe("1.23e+03");
    expect(cExp(0.000123, 2)).toBe("1.23e-04");
  });

  it("turns the mean log latency into buckets: base 10, 1 ms per read gives 8 - 3 = 5", () => {
    const w = world();
    w.host.addBlock("sda", { latencyNs: 1_000_000 });
    expect(w.prio("path_latency", "io_num=20 base_num=10")).toBe(5);
    expect(w.host.block("sda")!.reads).toBe(20);
    expect(w.lines).toContainEqual([
      3,
      "path_latency prio: sda: latency avg=1.00e+03 uncertainty=1.0 prio=5\n",
    ]);
  });

  it("uses the defaults (with a message) for bad args, -1 when a read fails, 0 beyond 100 s", () => {
    const w = world();
    w.host.addBlock("sda", { latencyNs: 10_000 });
    // 10 µs is one decade above 1 µs: 4 steps below 32, but DEF_BASE_NUM is a hair above
    // 10^(1/4), so 28·(1-ε) truncates to 27
    expect(w.prio("path_latency", "")).toBe(27);
    expect(w.lines).toContainEqual([
      0,
      "path_latency prio: sda: fails to get path_latency args, set default:io_num=100 base_num=1.778",
    ]);
    const f = world();
    f.host.addBlock("sda", { status: (i) => (i === 3 ? 10 : 0) });
    expect(f.prio("path_latency", "io_num=20 base_num=10")).toBe(-1);
    expect(f.lines).toContainEqual([0, "path_latency prio: sda: path down"]);
    const slow = world();
    slow.host.addBlock("sda", { latencyNs: 200 * 1_000_000_000 });
    expect(slow.prio("path_latency", "io_num=20 base_num=10")).toBe(0);
  });
});

describe("prioritizer plugins", () => {
  it("a custom prioritizer registered by name is found and called like the built-in ones", async () => {
    const reg = createPrioritizerRegistry([...createDefaultPrioritizers().values()]);
    const mine: Prioritizer = definePrioritizer({
      name: "by_lun",
      getprio: (pp, args, _t, _env, done) => done(pp.sgId.lun * 10 + Number(args || 0)),
    });
    reg.register(mine);
    const w = world();
    const p = prioLookup(reg, "by_lun");
    expect(p).toBe(mine);
    expect(await prioGetprio(p!, path(), "2", 0, w.env)).toBe(32);
    const { log, lines } = collectLog();
    expect(prioLookup(reg, "nosuch", log)).toBeUndefined();
    expect(lines).toEqual([[0, "Prioritizer 'nosuch' not found in /lib/multipath"]]);
    expect(() => definePrioritizer({ name: "bad name", getprio: () => {} })).toThrow(
      /invalid prioritizer name/,
    );
  });

  it("after a prioritizer error multipathd keeps the old value only for a down or pending path", () => {
    expect(prioAfterError(50, "down")).toBe(50);
    expect(prioAfterError(50, "pending")).toBe(50);
    expect(prioAfterError(50, "up")).toBe(PRIO_UNDEF);
  });
});
