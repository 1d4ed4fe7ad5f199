import { describe, expect, it } from "vitest";
import { Bio } from "../block/bio.js";
import { BlkStatus, Errno } from "../block/status.js";
import { NSEC_PER_SEC } from "../clock/clock.js";
import { VirtualClock } from "../clock/virtual-clock.js";
import { KernelLog } from "../kernel/log.js";
import { buildSupportedVpdPages, buildVpdPage, ScsiOp } from "../scsi/cdb.js";
import { AccessState, type ScsiCommand, SenseKey } from "../scsi/scsi-device.js";
import { makeSense } from "../scsi/sense.js";
import { FakeScsiDevice, opIs, vpdIs } from "../scsi/testing/fake-scsi-device.js";
import { type ScsiDhInstance, ScsiDhResult, ScsiDisposition } from "./handler.js";
import { createEmcHandlerType } from "./scsi-dh-emc.js";

/** Standard INQUIRY of a CLARiiON with the extended section the handler parses for the SP model. */
function clariionInquiry(model: string): Uint8Array {
  const b = new Uint8Array(200);
  b[2] = 4; // SPC-2: VPD pages may be asked for
  b[4] = 195; // length 200
  b.set(
    [..."DGC     "].map((c) => c.charCodeAt(0)),
    8,
  );
  b.set(
    [..."RAID 5          "].map((c) => c.charCodeAt(0)),
    16,
  );
  const serial = "APM00123456";
  b[160] = serial.length;
  b.set(
    [...serial].map((c) => c.charCodeAt(0)),
    161,
  );
  b[99] = model.length + 2; // trailing blanks are stripped
  b.set(
    [...`${model}  `].map((c) => c.charCodeAt(0)),
    161 + serial.length,
  );
  return b;
}

interface EmcArray {
  owner: number;
  defaultSp: number;
  failoverMode: number;
  ndu: boolean;
}

/** VPD 0xC0 of a path to SP `sp`, port `port`. */
function pageC0(a: EmcArray, sp: number, port: number): Uint8Array {
  const p = new Uint8Array(0xf8);
  p[0] = a.owner === sp ? 2 : 1; // byte 4: LUN state
  p[1] = a.defaultSp;
  p[3] = port;
  p[4] = sp; // byte 8: current SP
  p[23] = 0x03;
  p[24] = a.failoverMode;
  p[26] = 0x04;
  p[44] = a.ndu ? 1 : 0;
  return buildVpdPage(0xc0, p);
}

function world(init: Partial<EmcArray> = {}, model = "CX4-240") {
  const clock = new VirtualClock();
  const log = new KernelLog(clock);
  const env = { clock, log };
  const emc = createEmcHandlerType();
  const array: EmcArray = { owner: 0, defaultSp: 0, failoverMode: 4, ndu: false, ...init };
  const path = (sp: number, port: number) => {
    const dev = new FakeScsiDevice(clock, {
      host: sp,
      vendor: "DGC     ",
      model: "RAID 5          ",
      inquiry: clariionInquiry(model),
      responder: (cmd: ScsiCommand) => {
        if (cmd.cdb[0] === ScsiOp.INQUIRY && cmd.cdb[2] === 0x00)
          return { data: buildSupportedVpdPages([0x80, 0x83, 0xc0]) };
        if (cmd.cdb[0] === ScsiOp.INQUIRY && cmd.cdb[2] === 0xc0) return { data: pageC0(array, sp, port) };
        if (cmd.cdb[0] === ScsiOp.MODE_SELECT || cmd.cdb[0] === ScsiOp.MODE_SELECT_10) array.owner = sp;
        return {};
      },
    });
    return dev;
  };
  return { clock, log, env, emc, array, path, lines: () => log.since(0).map((l) => l.text) };
}

function attach(w: ReturnType<typeof world>, dev: FakeScsiDevice): ScsiDhInstance {
  const r = w.emc.attach(dev, w.env);
  if (typeof r === "number") throw new Error(`attach ${r}`);
  dev.handler = r;
  w.clock.advance(NSEC_PER_SEC);
  return r;
}

function activate(w: ReturnType<typeof world>, h: ScsiDhInstance): ScsiDhResult | null {
  let res: ScsiDhResult | null = null;
  h.activate((r) => {
    res = r;
  });
  w.clock.advance(NSEC_PER_SEC);
  return res;
}

describe("scsi_dh_emc attach", () => {
  it("detects the SP model from INQUIRY, reads VPD 0xC0 and logs where the path is connected", () => {
    const w = world({ owner: 0, defaultSp: 0 });
    const dev = w.path(0, 0);
    attach(w, dev);
    expect(w.lines()).toEqual([
      "sd 0:0:0:0: emc: detected Clariion CX4-240, flags 0",
      "sd 0:0:0:0: emc: connected to SP A Port 0 (owned, default SP A)",
    ]);
    expect(dev.accessState).toBe(AccessState.OPTIMAL | AccessState.PREFERRED);
    // scsi_get_vpd_page: supported pages, the page header, then the page
    expect(dev.sentOps(ScsiOp.INQUIRY).map((c) => [c.cdb[2], c.cdb[4]])).toEqual([
      [0x00, 36],
      [0xc0, 4],
      [0xc0, 0xfc],
    ]);
  });

  it("uses short trespass for FC models and for old FC arrays without the extended section", () => {
    const w = world({}, "FC4700");
    attach(w, w.path(0, 0));
    expect(w.lines()[0]).toBe("sd 0:0:0:0: emc: detected Clariion FC4700, flags 1");
    const w2 = world();
    const dev = w2.path(0, 0);
    dev.inquiry = clariionInquiry("x").slice(0, 36);
    dev.inquiry[4] = 31;
    attach(w2, dev);
    expect(w2.lines().slice(0, 2)).toEqual([
      "sd 0:0:0:0: emc: Invalid information section length 36",
      "sd 0:0:0:0: emc: detected Clariion FC (Legacy), flags 1",
    ]);
  });

  it("refuses a device that is no CLARiiON with -ENODEV", () => {
    const w = world();
    const dev = w.path(0, 0);
    dev.inquiry = new Uint8Array(36);
    dev.inquiry[4] = 31;
    expect(w.emc.attach(dev, w.env)).toBe(-Errno.ENODEV);
  });

  it("undoes the attach when VPD 0xC0 cannot be read, as a failed attach, and activations get NOSYS", () => {
    const w = world();
    const dev = w.path(0, 0);
    dev.inject(vpdIs(0xc0), { sense: makeSense(SenseKey.ILLEGAL_REQUEST, 0x24, 0) }, 10);
    const r = w.emc.attach(dev, w.env);
    if (typeof r === "number") throw new Error("sync failure");
    dev.handler = r;
    let res: ScsiDhResult | null = null;
    r.activate((x) => {
      res = x;
    });
    w.clock.advance(NSEC_PER_SEC);
    expect(dev.handler).toBeNull();
    expect(res).toBe(ScsiDhResult.NOSYS);
    expect(w.lines()).toContain("sd 0:0:0:0: emc: Attach failed (8)");
  });

  it("rejects a failover mode other than 4 or 6 with NOSYS and announces ALUA mode", () => {
    const w = world({ failoverMode: 1 });
    const dev = w.path(0, 0);
    w.emc.attach(dev, w.env);
    w.clock.advance(NSEC_PER_SEC);
    expect(w.lines()).toContain("sd 0:0:0:0: emc: Invalid failover mode 1");
    expect(w.lines()).not.toContain("sd 0:0:0:0: emc: Attach failed (16)");
    const w2 = world({ failoverMode: 6 });
    attach(w2, w2.path(0, 0));
    expect(w2.lines()).toContain("sd 0:0:0:0: emc: ALUA failover mode detected");
  });
});

describe("scsi_dh_emc activate", () => {
  it("trespasses a LUN owned by the other SP with the long page, then re-reads the ownership", () => {
    const w = world({ owner: 0, defaultSp: 0 });
    const dev = w.path(1, 2);
    const h = attach(w, dev);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.IOERR);
    expect(dev.accessState).toBe(AccessState.STANDBY);
    expect(activate(w, h)).toBe(ScsiDhResult.OK);
    const ms = dev.sentOps(ScsiOp.MODE_SELECT_10)[0]!;
    expect([...ms.cdb]).toEqual([0x55, 0, 0, 0, 0, 0, 0, 0, 19, 0]);
    expect([...ms.dataOut!]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0x22, 0x09, 0x81, 0xff, 0xff, 0, 0, 0, 0, 0, 0,
    ]);
    expect(w.lines().slice(-2)).toEqual([
      "sd 1:0:0:0: emc: long trespass command sent",
      "sd 1:0:0:0: emc: at SP B Port 2 (owned, default SP A)",
    ]);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.OK);
    expect(dev.accessState).toBe(AccessState.OPTIMAL);
  });

  it("does nothing but report when the path's SP already owns the LUN", () => {
    const w = world({ owner: 1, defaultSp: 1 });
    const dev = w.path(1, 0);
    const h = attach(w, dev);
    expect(activate(w, h)).toBe(ScsiDhResult.OK);
    expect(dev.sentOps(ScsiOp.MODE_SELECT_10)).toHaveLength(0);
    expect(w.lines().at(-1)).toBe("sd 1:0:0:0: emc: at SP B Port 0 (owned, default SP B)");
  });

  it("maps trespass sense: array copy and NDU are temporarily busy, anything else a device failure", () => {
    for (const [key, asc, ascq, want, extra] of [
      [
        5,
        4,
        0,
        ScsiDhResult.DEV_TEMP_BUSY,
        "emc: Array Based Copy in progress while sending CLARiiON trespass command.",
      ],
      [
        2,
        4,
        3,
        ScsiDhResult.DEV_TEMP_BUSY,
        "emc: Detected in-progress ucode upgrade NDU operation while sending CLARiiON trespass command.",
      ],
      [4, 0x44, 0, ScsiDhResult.DEV_FAILED, null],
    ] as const) {
      const w = world({ owner: 0 });
      const dev = w.path(1, 0);
      const h = attach(w, dev);
      dev.inject(opIs(ScsiOp.MODE_SELECT_10), { sense: makeSense(key, asc, ascq) });
      expect(activate(w, h)).toBe(want);
      const hex = (v: number) => v.toString(16).padStart(2, " ");
      expect(w.lines()).toContain(
        `sd 1:0:0:0: emc: Found valid sense data 0x${hex(key)}, 0x${hex(asc)}, 0x${hex(ascq)} while sending CLARiiON trespass command.`,
      );
      if (extra) expect(w.lines()).toContain(`sd 1:0:0:0: ${extra}`);
    }
  });

  it("reports an NDU in progress in VPD 0xC0 as temporarily busy", () => {
    const w = world({ owner: 0 });
    const dev = w.path(1, 0);
    const h = attach(w, dev);
    w.array.ndu = true;
    expect(activate(w, h)).toBe(ScsiDhResult.DEV_TEMP_BUSY);
  });

  it("set_params '1 0' switches to the short trespass page via MODE SELECT(6)", () => {
    const w = world({ owner: 0 });
    const dev = w.path(1, 0);
    const h = attach(w, dev);
    expect(h.setParams(["1", "0"])).toBe(0);
    expect(activate(w, h)).toBe(ScsiDhResult.OK);
    const ms = dev.sentOps(ScsiOp.MODE_SELECT)[0]!;
    expect([...ms.cdb]).toEqual([0x15, 0x10, 0, 0, 8, 0]);
    expect([...ms.dataOut!]).toEqual([0, 0, 0, 0, 0x22, 0x02, 0x81, 0xff]);
    expect(w.lines()).toContain("sd 1:0:0:0: emc: short trespass command sent");
  });

  it("set_params wants two 0/1 values", () => {
    const w = world();
    const h = attach(w, w.path(0, 0));
    expect(h.setParams(["1"])).toBe(-Errno.EINVAL);
    expect(h.setParams(["2", "0"])).toBe(-Errno.EINVAL);
    expect(h.setParams(["0", "x"])).toBe(-Errno.EINVAL);
    expect(h.setParams(["0", "1"])).toBe(0);
  });

  it("check_sense: passive-path and snapshot sense complete the command, a reset is retried", () => {
    const w = world();
    const h = attach(w, w.path(0, 0));
    expect(h.checkSense(makeSense(SenseKey.NOT_READY, 4, 3))).toBe(ScsiDisposition.SUCCESS);
    expect(h.checkSense(makeSense(SenseKey.ILLEGAL_REQUEST, 0x25, 1))).toBe(ScsiDisposition.SUCCESS);
    expect(h.checkSense(makeSense(SenseKey.UNIT_ATTENTION, 0x29, 0))).toBe(ScsiDisposition.ADD_TO_MLQUEUE);
    expect(h.checkSense(makeSense(SenseKey.UNIT_ATTENTION, 0x2a, 6))).toBe(
      ScsiDisposition.SCSI_RETURN_NOT_HANDLED,
    );
  });
});
