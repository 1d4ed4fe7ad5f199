import { describe, expect, it } from "vitest";
import { Bio } from "../block/bio.js";
import { BlkStatus } from "../block/status.js";
import { NSEC_PER_SEC } from "../clock/clock.js";
import { VirtualClock } from "../clock/virtual-clock.js";
import { KernelLog } from "../kernel/log.js";
import { buildStandardInquiry, buildSupportedVpdPages, buildVpdPage, ScsiOp } from "../scsi/cdb.js";
import { AccessState, type ScsiCommand, SenseKey } from "../scsi/scsi-device.js";
import { makeSense } from "../scsi/sense.js";
import { FakeScsiDevice, opIs } from "../scsi/testing/fake-scsi-device.js";
import { type ScsiDhInstance, ScsiDhResult, ScsiDisposition } from "./handler.js";
import { createRdacHandlerType } from "./scsi-dh-rdac.js";

interface RdacArray {
  /** Owning controller per LUN. */
  owner: number[];
  /** Preferred controller per LUN. */
  preferred: number[];
  ioship: boolean;
  maxLun: number;
  label: string;
}

function pageC8(a: RdacArray, lun: number): Uint8Array {
  const p = new Uint8Array(175 - 4);
  p.set([0x65, 0x64, 0x69, 0x64], 0); // "edid"
  p[89 - 4] = 16;
  for (let i = 0; i < 16; i++) p[90 - 4 + i] = 0xa0 + i;
  for (let i = 0; i < a.label.length; i++) p[107 - 4 + 2 * i + 1] = a.label.charCodeAt(i);
  p[174 - 4] = lun;
  return buildVpdPage(0xc8, p);
}

function pageC4(ctlr: number): Uint8Array {
  const p = new Uint8Array(28);
  p.set([0x73, 0x75, 0x62, 0x73], 0); // "subs"
  p[29 - 4] = ctlr === 0 ? 0x31 : 0x32;
  return buildVpdPage(0xc4, p);
}

function pageC9(a: RdacArray, lun: number, ctlr: number): Uint8Array {
  const p = new Uint8Array(44);
  p.set([0x76, 0x61, 0x63, 0x31], 0); // "vac1"
  p[4] = (a.owner[lun] === ctlr ? 0x01 : 0) | (a.ioship ? 0x20 : 0);
  p[5] = a.preferred[lun] === ctlr ? 0x01 : 0x02;
  return buildVpdPage(0xc9, p);
}

function pageC2(a: RdacArray): Uint8Array {
  const p = new Uint8Array(251);
  p[15 - 4] = a.maxLun;
  return buildVpdPage(0xc2, p);
}

function world(init: Partial<RdacArray> = {}) {
  const clock = new VirtualClock();
  const log = new KernelLog(clock);
  const env = { clock, log };
  const rdac = createRdacHandlerType();
  const a: RdacArray = {
    owner: [0, 0],
    preferred: [0, 0],
    ioship: false,
    maxLun: 255,
    label: "ARRAY1",
    ...init,
  };
  const path = (host: number, ctlr: number, lun: number) =>
    new FakeScsiDevice(clock, {
      host,
      lun,
      vendor: "NETAPP  ",
      model: "INF-01-00       ",
      inquiry: buildStandardInquiry({ vendor: "NETAPP", product: "INF-01-00", revision: "0820", version: 5 }),
      responder: (cmd: ScsiCommand) => {
        if (cmd.cdb[0] === ScsiOp.INQUIRY && cmd.cdb[1]! & 1) {
          switch (cmd.cdb[2]) {
            case 0x00:
              return { data: buildSupportedVpdPages([0x80, 0x83, 0xc2, 0xc4, 0xc8, 0xc9]) };
            case 0xc2:
              return { data: pageC2(a) };
            case 0xc4:
              return { data: pageC4(ctlr) };
            case 0xc8:
              return { data: pageC8(a, lun) };
            case 0xc9:
              return { data: pageC9(a, lun, ctlr) };
          }
        }
        if (cmd.cdb[0] === ScsiOp.MODE_SELECT_10 || cmd.cdb[0] === ScsiOp.MODE_SELECT) {
          const table = cmd.dataOut!.subarray(cmd.cdb[0] === ScsiOp.MODE_SELECT_10 ? 50 : 44);
          table.forEach((v, l) => {
            if (v === 0x81) a.owner[l] = ctlr;
          });
        }
        return {};
      },
    });
  return { clock, log, env, rdac, a, path, lines: () => log.since(0).map((l) => l.text) };
}

function attach(w: ReturnType<typeof world>, dev: FakeScsiDevice): ScsiDhInstance {
  const r = w.rdac.attach(dev, w.env);
  if (typeof r === "number") throw new Error(`attach ${r}`);
  dev.handler = r;
  w.clock.advance(NSEC_PER_SEC);
  return r;
}

function activate(_w: ReturnType<typeof world>, h: ScsiDhInstance): { r: ScsiDhResult | null } {
  const box: { r: ScsiDhResult | null } = { r: null };
  h.activate((r) => {
    box.r = r;
  });
  return box;
}

describe("scsi_dh_rdac attach", () => {
  it("reads VPD C8/C4/C9/C2 and logs the LUN's mode and ownership", () => {
    const w = world({ owner: [0, 1] });
    const d0 = w.path(0, 0, 0);
    const d1 = w.path(0, 0, 1);
    attach(w, d0);
    attach(w, d1);
    expect(w.lines()).toEqual([
      "sd 0:0:0:0: rdac: LUN 0 (RDAC) (owned)",
      "sd 0:0:0:1: rdac: LUN 1 (RDAC) (unowned)",
    ]);
    expect(w.rdac.controllers()).toEqual([
      { arrayName: "ARRAY1", index: 0, host: 0, devices: ["0:0:0:1", "0:0:0:0"] },
    ]);
    // the kernel sets the last evaluated state on every device of the controller
    expect(d0.accessState).toBe(AccessState.STANDBY | AccessState.PREFERRED);
  });

  it("marks an unowned LUN in RDAC mode passive: its I/O is refused until activation", () => {
    const w = world({ owner: [1] });
    const h = attach(w, w.path(0, 0, 0));
    expect(h.prepFn(new Bio())).toBe(BlkStatus.IOERR);
  });

  it("undoes the attach when the C8 page is not the 'edid' page", () => {
    const w = world();
    const dev = w.path(0, 0, 0);
    dev.inject(
      (c) => c.cdb[0] === 0x12 && c.cdb[2] === 0xc8,
      { data: buildVpdPage(0xc8, new Uint8Array(171)) },
      2,
    );
    const r = w.rdac.attach(dev, w.env);
    if (typeof r === "number") throw new Error("sync");
    dev.handler = r;
    w.clock.advance(NSEC_PER_SEC);
    expect(dev.handler).toBeNull();
    expect(w.lines()).toEqual([]);
  });
});

describe("scsi_dh_rdac activate", () => {
  it("sends one MODE SELECT(10) of page 0x2C with the LUN marked, and completes OK", () => {
    const w = world({ owner: [1, 1] });
    const dev = w.path(0, 0, 1);
    const h = attach(w, dev);
    const box = activate(w, h);
    w.clock.advance(NSEC_PER_SEC);
    expect(box.r).toBe(ScsiDhResult.OK);
    const ms = dev.sentOps(ScsiOp.MODE_SELECT_10);
    expect(ms).toHaveLength(1);
    expect([...ms[0]!.cdb]).toEqual([0x55, 0, 0, 0, 0, 0, 0, 0x01, 0x34, 0]);
    const data = ms[0]!.dataOut!;
    expect(data.length).toBe(308);
    expect([data[8], data[9], data[10], data[11]]).toEqual([0x6c, 0x01, 0x01, 0x28]);
    expect([data[45], data[48], data[49], data[51]]).toEqual([0x02, 20, 0x02, 0x81]);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.OK);
    expect(w.lines().slice(-2)).toEqual([
      "sd 0:0:0:1: rdac: array ARRAY1, ctlr 0, queueing MODE_SELECT command",
      "sd 0:0:0:1: rdac: array ARRAY1, ctlr 0, MODE_SELECT completed",
    ]);
  });

  it("uses the legacy MODE SELECT(6) page when the array supports fewer than 32 LUNs", () => {
    const w = world({ owner: [1], maxLun: 16 });
    const dev = w.path(0, 0, 0);
    const h = attach(w, dev);
    activate(w, h);
    w.clock.advance(NSEC_PER_SEC);
    const ms = dev.sentOps(ScsiOp.MODE_SELECT)[0]!;
    expect([...ms.cdb]).toEqual([0x15, 0, 0, 0, 110, 0]);
    expect([ms.dataOut![4], ms.dataOut![5], ms.dataOut![44]]).toEqual([0x2c, 0x68, 0x81]);
  });

  it("completes OK at once for an owned LUN, and for an AVT LUN", () => {
    const w = world({ owner: [0] });
    const dev = w.path(0, 0, 0);
    const h = attach(w, dev);
    const box = activate(w, h);
    w.clock.advance(NSEC_PER_SEC);
    expect(box.r).toBe(ScsiDhResult.OK);
    expect(dev.sentOps(ScsiOp.MODE_SELECT_10)).toHaveLength(0);
  });

  it("in IOSHIP mode moves only an unowned LUN on its preferred controller", () => {
    const w = world({ owner: [1, 1], preferred: [0, 1], ioship: true });
    const d0 = w.path(0, 0, 0);
    const d1 = w.path(0, 0, 1);
    const h0 = attach(w, d0);
    const h1 = attach(w, d1);
    expect(w.lines()).toContain("sd 0:0:0:0: rdac: LUN 0 (IOSHIP) (unowned)");
    expect(h0.prepFn(new Bio())).toBe(BlkStatus.OK);
    activate(w, h0);
    activate(w, h1);
    w.clock.advance(NSEC_PER_SEC);
    expect(d0.sentOps(ScsiOp.MODE_SELECT_10)).toHaveLength(1);
    expect(d1.sentOps(ScsiOp.MODE_SELECT_10)).toHaveLength(0);
  });

  it("batches LUNs queued on one controller into one MODE SELECT", () => {
    const w = world({ owner: [1, 1] });
    const d0 = w.path(0, 0, 0);
    const d1 = w.path(0, 0, 1);
    const h0 = attach(w, d0);
    const h1 = attach(w, d1);
    // both activations are queued before the work runs: the first device carries the command
    const b0 = activate(w, h0);
    const b1 = activate(w, h1);
    w.clock.advance(NSEC_PER_SEC);
    expect([b0.r, b1.r]).toEqual([ScsiDhResult.OK, ScsiDhResult.OK]);
    const all = [...d0.sentOps(ScsiOp.MODE_SELECT_10), ...d1.sentOps(ScsiOp.MODE_SELECT_10)];
    expect(all.length).toBeGreaterThanOrEqual(1);
    expect(w.a.owner).toEqual([0, 0]);
  });

  it("retries after a unit attention and, like the kernel, still reports RETRY after the retry succeeded", () => {
    const w = world({ owner: [1] });
    const dev = w.path(0, 0, 0);
    const h = attach(w, dev);
    // (06/29/00 would be requeued by the midlayer through check_sense before the handler sees it)
    dev.inject(opIs(ScsiOp.MODE_SELECT_10), { sense: makeSense(SenseKey.UNIT_ATTENTION, 0x2a, 0x01) });
    const box = activate(w, h);
    w.clock.advance(NSEC_PER_SEC);
    expect(dev.sentOps(ScsiOp.MODE_SELECT_10)).toHaveLength(2);
    expect(box.r).toBe(ScsiDhResult.RETRY);
    expect(w.lines()).toContain(
      "sd 0:0:0:0: rdac: array ARRAY1, ctlr 0, MODE_SELECT returned with sense 06/2a/01",
    );
    expect(w.lines()).toContain("sd 0:0:0:0: rdac: array ARRAY1, ctlr 0, retrying MODE_SELECT command");
  });

  it("gives up with RETRY after five retries, and with IO on other sense", () => {
    const w = world({ owner: [1] });
    const dev = w.path(0, 0, 0);
    const h = attach(w, dev);
    dev.inject(opIs(ScsiOp.MODE_SELECT_10), { sense: makeSense(SenseKey.ABORTED_COMMAND, 0, 0) }, 100);
    const box = activate(w, h);
    w.clock.advance(NSEC_PER_SEC);
    expect(dev.sentOps(ScsiOp.MODE_SELECT_10)).toHaveLength(6);
    expect(box.r).toBe(ScsiDhResult.RETRY);

    const w2 = world({ owner: [1] });
    const dev2 = w2.path(0, 0, 0);
    const h2 = attach(w2, dev2);
    dev2.inject(opIs(ScsiOp.MODE_SELECT_10), { sense: makeSense(SenseKey.HARDWARE_ERROR, 0x44, 0) });
    const box2 = activate(w2, h2);
    w2.clock.advance(NSEC_PER_SEC);
    expect(box2.r).toBe(ScsiDhResult.IO);
  });

  it("retries command-lock contention (05/91/36) without limit", () => {
    const w = world({ owner: [1] });
    const dev = w.path(0, 0, 0);
    const h = attach(w, dev);
    dev.inject(opIs(ScsiOp.MODE_SELECT_10), { sense: makeSense(SenseKey.ILLEGAL_REQUEST, 0x91, 0x36) }, 12);
    const box = activate(w, h);
    w.clock.advance(NSEC_PER_SEC);
    expect(dev.sentOps(ScsiOp.MODE_SELECT_10)).toHaveLength(13);
    expect(box.r).toBe(ScsiDhResult.IMM_RETRY);
  });
});

describe("scsi_dh_rdac check_sense", () => {
  it("marks the path passive on 05/94/01 and retries quiescence and becoming-ready sense", () => {
    const w = world({ owner: [0] });
    const h = attach(w, w.path(0, 0, 0));
    expect(h.prepFn(new Bio())).toBe(BlkStatus.OK);
    expect(h.checkSense(makeSense(SenseKey.ILLEGAL_REQUEST, 0x94, 0x01))).toBe(ScsiDisposition.SUCCESS);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.IOERR);
    expect(h.checkSense(makeSense(SenseKey.NOT_READY, 0x04, 0x01))).toBe(ScsiDisposition.ADD_TO_MLQUEUE);
    expect(h.checkSense(makeSense(SenseKey.NOT_READY, 0x04, 0xa1))).toBe(ScsiDisposition.ADD_TO_MLQUEUE);
    expect(h.checkSense(makeSense(SenseKey.NOT_READY, 0xa1, 0x02))).toBe(ScsiDisposition.ADD_TO_MLQUEUE);
    expect(h.checkSense(makeSense(SenseKey.NOT_READY, 0x04, 0x81))).toBe(ScsiDisposition.SUCCESS);
    expect(h.checkSense(makeSense(SenseKey.UNIT_ATTENTION, 0x8b, 0x02))).toBe(ScsiDisposition.ADD_TO_MLQUEUE);
    expect(h.checkSense(makeSense(SenseKey.UNIT_ATTENTION, 0x2a, 0x06))).toBe(
      ScsiDisposition.SCSI_RETURN_NOT_HANDLED,
    );
    expect(h.setParams(["1"])).toBe(-ScsiDhResult.NOSYS);
  });
});
