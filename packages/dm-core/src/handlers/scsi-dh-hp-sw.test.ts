import { describe, expect, it } from "vitest";
import { Bio } from "../block/bio.js";
import { BlkStatus } from "../block/status.js";
import { NSEC_PER_SEC } from "../clock/clock.js";
import { VirtualClock } from "../clock/virtual-clock.js";
import { KernelLog } from "../kernel/log.js";
import { ScsiOp } from "../scsi/cdb.js";
import { HostStatus, type ScsiCommand, SenseKey } from "../scsi/scsi-device.js";
import { makeSense } from "../scsi/sense.js";
import { FakeScsiDevice, opIs } from "../scsi/testing/fake-scsi-device.js";
import { type ScsiDhInstance, ScsiDhResult, ScsiDisposition } from "./handler.js";
import { createHpSwHandlerType } from "./scsi-dh-hp-sw.js";

function world() {
  const clock = new VirtualClock();
  const log = new KernelLog(clock);
  const env = { clock, log };
  const hp = createHpSwHandlerType();
  const array = { active: 0 };
  const path = (port: number) =>
    new FakeScsiDevice(clock, {
      host: port,
      vendor: "COMPAQ  ",
      model: "MSA1000 VOLUME  ",
      responder: (cmd: ScsiCommand) => {
        if (cmd.cdb[0] === ScsiOp.TEST_UNIT_READY && array.active !== port)
          return { sense: makeSense(SenseKey.NOT_READY, 0x04, 0x02) };
        if (cmd.cdb[0] === ScsiOp.START_STOP) array.active = port;
        return {};
      },
    });
  return { clock, env, hp, array, path, lines: () => log.since(0).map((l) => l.text) };
}

function attach(w: ReturnType<typeof world>, dev: FakeScsiDevice): ScsiDhInstance {
  const r = w.hp.attach(dev, w.env);
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

describe("scsi_dh_hp_sw", () => {
  it("probes with TUR at attach and logs whether the path is active or passive", () => {
    const w = world();
    const a = attach(w, w.path(0));
    const p = attach(w, w.path(1));
    expect(w.lines()).toEqual([
      "sd 0:0:0:0: hp_sw: attached to active path",
      "sd 1:0:0:0: hp_sw: attached to passive path",
    ]);
    expect(a.prepFn(new Bio())).toBe(BlkStatus.OK);
    expect(p.prepFn(new Bio())).toBe(BlkStatus.IOERR);
  });

  it("activates a passive path with START STOP UNIT; its I/O stays refused until the next activation's TUR", () => {
    const w = world();
    const dev = w.path(1);
    const h = attach(w, dev);
    expect(activate(w, h)).toBe(ScsiDhResult.OK);
    expect([...dev.sentOps(ScsiOp.START_STOP)[0]!.cdb]).toEqual([0x1b, 0, 0, 0, 1, 0]);
    expect(w.array.active).toBe(1);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.IOERR);
    expect(activate(w, h)).toBe(ScsiDhResult.OK);
    expect(dev.sentOps(ScsiOp.START_STOP)).toHaveLength(1);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.OK);
  });

  it("retries TUR at once on UNIT ATTENTION", () => {
    const w = world();
    const dev = w.path(0);
    const h = attach(w, dev);
    dev.inject(opIs(ScsiOp.TEST_UNIT_READY), { sense: makeSense(SenseKey.UNIT_ATTENTION, 0x29, 0) }, 2);
    expect(activate(w, h)).toBe(ScsiDhResult.OK);
    expect(dev.sentOps(ScsiOp.TEST_UNIT_READY)).toHaveLength(4);
  });

  it("returns RETRY after three START STOP UNITs answered 'switch-over in progress' (04/03)", () => {
    const w = world();
    const dev = w.path(1);
    const h = attach(w, dev);
    dev.inject(opIs(ScsiOp.START_STOP), { sense: makeSense(SenseKey.NOT_READY, 0x04, 0x03) }, 3);
    expect(activate(w, h)).toBe(ScsiDhResult.RETRY);
    expect(dev.sentOps(ScsiOp.START_STOP)).toHaveLength(3);
  });

  it("fails with IO and a warning on other START STOP UNIT sense, and when no sense came back", () => {
    const w = world();
    const dev = w.path(1);
    const h = attach(w, dev);
    dev.inject(opIs(ScsiOp.START_STOP), { sense: makeSense(SenseKey.HARDWARE_ERROR, 0x44, 0) });
    expect(activate(w, h)).toBe(ScsiDhResult.IO);
    expect(w.lines().at(-1)).toBe("sd 1:0:0:0: hp_sw: sending start_stop_unit failed, sense 4/44/0");
    dev.inject(opIs(ScsiOp.START_STOP), { hostStatus: HostStatus.DID_ERROR });
    expect(activate(w, h)).toBe(ScsiDhResult.IO);
    expect(w.lines().at(-1)).toBe("sd 1:0:0:0: hp_sw: sending start_stop_unit failed, no sense available");
  });

  it("fails the attach when TUR fails, logging both lines, and the instance detaches itself", () => {
    const w = world();
    const dev = w.path(0);
    dev.inject(opIs(ScsiOp.TEST_UNIT_READY), { hostStatus: HostStatus.DID_NO_CONNECT });
    const r = w.hp.attach(dev, w.env);
    if (typeof r === "number") throw new Error("sync");
    dev.handler = r;
    w.clock.advance(NSEC_PER_SEC);
    expect(dev.handler).toBeNull();
    expect(w.lines()).toEqual([
      "sd 0:0:0:0: hp_sw: sending tur failed with 10000",
      "sd 0:0:0:0: hp_sw: Attach failed (8)",
    ]);
  });

  it("has neither check_sense nor set_params", () => {
    const w = world();
    const h = attach(w, w.path(0));
    expect(h.checkSense(makeSense(SenseKey.UNIT_ATTENTION, 0x29, 0))).toBe(
      ScsiDisposition.SCSI_RETURN_NOT_HANDLED,
    );
    expect(h.setParams([])).toBe(-ScsiDhResult.NOSYS);
  });
});
