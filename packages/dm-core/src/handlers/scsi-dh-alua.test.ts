import { describe, expect, it } from "vitest";
import { Bio } from "../block/bio.js";
import { BlkStatus, Errno } from "../block/status.js";
import { NSEC_PER_MSEC, NSEC_PER_SEC } from "../clock/clock.js";
import { VirtualClock } from "../clock/virtual-clock.js";
import { KernelLog } from "../kernel/log.js";
import {
  buildStandardInquiry,
  MI_REPORT_TARGET_PGS,
  MO_SET_TARGET_PGS,
  ScsiOp,
  TpgsSupport,
} from "../scsi/cdb.js";
import { AccessState, HostStatus, SenseKey } from "../scsi/scsi-device.js";
import { makeSense } from "../scsi/sense.js";
import { FakeAluaArray } from "../scsi/testing/fake-alua-array.js";
import { FakeScsiDevice, opIs } from "../scsi/testing/fake-scsi-device.js";
import { type ScsiDhInstance, ScsiDhResult, ScsiDisposition } from "./handler.js";
import { createAluaHandlerType } from "./scsi-dh-alua.js";

const A = AccessState.OPTIMAL;
const N = AccessState.ACTIVE;
const S = AccessState.STANDBY;
const T = AccessState.TRANSITIONING;
const O = AccessState.OFFLINE;

function world() {
  const clock = new VirtualClock();
  const log = new KernelLog(clock);
  const env = { clock, log };
  const alua = createAluaHandlerType();
  const lines = () => log.since(0).map((l) => l.text);
  return { clock, log, env, alua, lines };
}

function attachOk(
  alua: ReturnType<typeof createAluaHandlerType>,
  dev: FakeScsiDevice,
  env: { clock: VirtualClock; log: KernelLog },
): ScsiDhInstance {
  const r = alua.attach(dev, env);
  if (typeof r === "number") throw new Error(`attach failed: ${r}`);
  dev.handler = r;
  return r;
}

function activate(h: ScsiDhInstance): { result: ScsiDhResult | null } {
  const box: { result: ScsiDhResult | null } = { result: null };
  h.activate((r) => {
    box.result = r;
  });
  return box;
}

describe("scsi_dh_alua attach", () => {
  it("refuses a device without TPGS with -ENODEV and logs 'alua: not supported' with the sd prefix", () => {
    const { clock, env, alua, lines } = world();
    const dev = new FakeScsiDevice(clock, { host: 2, lun: 1 });
    expect(alua.attach(dev, env)).toBe(-Errno.ENODEV);
    expect(lines()).toEqual(["sd 2:0:0:1: alua: not supported"]);
  });

  it("uses the bus name as the prefix before a driver is bound, and disables non-disk devices", () => {
    const { clock, env, alua, lines } = world();
    const dev = new FakeScsiDevice(clock, {
      type: 5,
      driver: null,
      inquiry: buildStandardInquiry({ vendor: "X", product: "Y", revision: "1", tpgs: 1, deviceType: 5 }),
    });
    expect(alua.attach(dev, env)).toBe(-Errno.ENODEV);
    expect(lines()).toEqual(["scsi 0:0:0:0: alua: disable for non-disk devices"]);
  });

  it("refuses a TPGS device whose page 0x83 has no target port group", () => {
    const { clock, env, alua, lines } = world();
    const dev = new FakeScsiDevice(clock, {
      inquiry: buildStandardInquiry({ vendor: "X", product: "Y", revision: "1", tpgs: 2 }),
    });
    expect(alua.attach(dev, env)).toBe(-Errno.ENODEV);
    expect(lines()).toEqual([
      "sd 0:0:0:0: alua: supports explicit TPGS",
      "sd 0:0:0:0: alua: No target port descriptors found",
    ]);
  });

  it("logs TPGS, the port group, and after the first RTPG the timeout and the group state", () => {
    const { clock, env, alua, lines } = world();
    const array = new FakeAluaArray(clock, {
      groups: [
        { id: 1, state: A, pref: true },
        { id: 2, state: N },
      ],
    });
    const dev = array.device(1, 1);
    attachOk(alua, dev, env);
    expect(lines()).toEqual([
      "sd 0:0:0:0: alua: supports implicit and explicit TPGS",
      "sd 0:0:0:0: alua: device naa.600140500000000000000000000000a1 port group 1 rel port 1",
    ]);
    // The first RTPG is queued with a 5 ms delay: 2 jiffies at HZ=250.
    clock.advance(7 * NSEC_PER_MSEC);
    expect(dev.sentOps(ScsiOp.MAINTENANCE_IN)).toHaveLength(0);
    clock.advance(2 * NSEC_PER_MSEC);
    expect(dev.sentOps(ScsiOp.MAINTENANCE_IN, MI_REPORT_TARGET_PGS)).toHaveLength(1);
    expect(lines().slice(2)).toEqual([
      "sd 0:0:0:0: alua: transition timeout set to 60 seconds",
      "sd 0:0:0:0: alua: port group 01 state A preferred supports TolUSNA",
    ]);
    expect(dev.accessState).toBe(A | AccessState.PREFERRED);
    // RTPG asked for the extended header with a 128-byte buffer.
    const cdb = dev.sentOps(ScsiOp.MAINTENANCE_IN)[0]!.cdb;
    expect([...cdb]).toEqual([0xa3, 0x2a, 0, 0, 0, 0, 0, 0, 0, 128, 0, 0]);
  });

  it("shares one port group between devices of the same LUN and group, and updates the other group from one RTPG", () => {
    const { clock, env, alua } = world();
    const array = new FakeAluaArray(clock, {
      groups: [
        { id: 1, state: A },
        { id: 2, state: S },
      ],
    });
    const d1 = array.device(1, 1);
    const d2 = array.device(1, 2);
    const d3 = array.device(2, 3);
    attachOk(alua, d1, env);
    attachOk(alua, d2, env);
    attachOk(alua, d3, env);
    clock.advance(NSEC_PER_SEC);
    const pgs = alua.portGroups();
    expect(pgs.map((p) => [p.groupId, p.devices])).toEqual([
      [2, ["2:0:0:0"]],
      [1, ["1:0:0:0", "0:0:0:0"]],
    ]);
    expect(d3.accessState).toBe(S);
    expect(d1.accessState).toBe(A);
    // one RTPG per group, sent through the device that queued it
    expect(d1.sentOps(ScsiOp.MAINTENANCE_IN).length + d2.sentOps(ScsiOp.MAINTENANCE_IN).length).toBe(1);
  });

  it("drops the port group when its last device detaches; a new attach starts from a fresh group", () => {
    const { clock, env, alua } = world();
    const array = new FakeAluaArray(clock, { groups: [{ id: 1, state: N }] });
    const dev = array.device(1, 1);
    const h = attachOk(alua, dev, env);
    clock.advance(NSEC_PER_SEC);
    expect(alua.portGroups()[0]!.state).toBe(N);
    h.detach();
    expect(alua.portGroups()).toEqual([]);
    attachOk(alua, dev, env);
    expect(alua.portGroups()[0]!.state).toBe(A);
  });
});

describe("scsi_dh_alua activate", () => {
  it("on an explicit standby group sends STPG for active/optimized, re-reads RTPG and completes OK", () => {
    const { clock, env, alua, lines } = world();
    const array = new FakeAluaArray(clock, {
      groups: [
        { id: 1, state: A },
        { id: 2, state: S },
      ],
    });
    const d2 = array.device(2, 2);
    const h = attachOk(alua, d2, env);
    clock.advance(NSEC_PER_SEC);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.IOERR);
    const box = activate(h);
    clock.advance(NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.OK);
    expect(array.stpgs).toEqual([[{ groupId: 2, state: A }]]);
    const stpg = d2.sentOps(ScsiOp.MAINTENANCE_OUT, MO_SET_TARGET_PGS)[0]!;
    expect([...stpg.dataOut!]).toEqual([0, 0, 0, 0, 0, 0, 0, 2]);
    expect(d2.accessState).toBe(A);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.OK);
    expect(lines()).toContain("sd 0:0:0:0: alua: port group 02 state A non-preferred supports TolUSNA");
  });

  it("on an active/optimized group completes OK without STPG", () => {
    const { clock, env, alua } = world();
    const array = new FakeAluaArray(clock, { groups: [{ id: 1, state: A }] });
    const d = array.device(1, 1);
    const h = attachOk(alua, d, env);
    clock.advance(NSEC_PER_SEC);
    const box = activate(h);
    clock.advance(NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.OK);
    expect(d.sentOps(ScsiOp.MAINTENANCE_OUT)).toHaveLength(0);
  });

  it("with implicit ALUA only never sends STPG and completes OK after a second RTPG, leaving standby I/O refused", () => {
    const { clock, env, alua } = world();
    const array = new FakeAluaArray(clock, {
      tpgs: 1,
      groups: [
        { id: 1, state: A },
        { id: 2, state: S },
      ],
    });
    const d = array.device(2, 2);
    const h = attachOk(alua, d, env);
    clock.advance(NSEC_PER_SEC);
    const before = d.sentOps(ScsiOp.MAINTENANCE_IN).length;
    const box = activate(h);
    clock.advance(NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.OK);
    expect(d.sentOps(ScsiOp.MAINTENANCE_OUT)).toHaveLength(0);
    expect(d.sentOps(ScsiOp.MAINTENANCE_IN).length - before).toBe(2);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.IOERR);
  });

  it("honours set_params 1 (optimize_stpg): a non-preferred active/non-optimized group with implicit support skips STPG", () => {
    const { clock, env, alua } = world();
    const array = new FakeAluaArray(clock, {
      groups: [
        { id: 1, state: A },
        { id: 2, state: N },
      ],
    });
    const d = array.device(2, 2);
    const h = attachOk(alua, d, env);
    expect(h.setParams(["1"])).toBe(0);
    clock.advance(NSEC_PER_SEC);
    const box = activate(h);
    clock.advance(NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.OK);
    expect(d.sentOps(ScsiOp.MAINTENANCE_OUT)).toHaveLength(0);
    expect(h.setParams(["0"])).toBe(0);
    const box2 = activate(h);
    clock.advance(NSEC_PER_SEC);
    expect(box2.result).toBe(ScsiDhResult.OK);
    expect(d.sentOps(ScsiOp.MAINTENANCE_OUT)).toHaveLength(1);
  });

  it("set_params accepts exactly one 0/1 argument, as the kernel's sscanf('%u') reads it", () => {
    const { clock, env, alua } = world();
    const h = attachOk(alua, new FakeAluaArray(clock, { groups: [{ id: 1, state: A }] }).device(1, 1), env);
    expect(h.setParams([])).toBe(-Errno.EINVAL);
    expect(h.setParams(["1", "0"])).toBe(-Errno.EINVAL);
    expect(h.setParams(["2"])).toBe(-Errno.EINVAL);
    expect(h.setParams(["-1"])).toBe(-Errno.EINVAL);
    expect(h.setParams(["x"])).toBe(-Errno.EINVAL);
    expect(h.setParams([" 1x"])).toBe(0);
    expect(alua.portGroups()[0]!.flags & 1).toBe(1);
  });

  it("keeps polling with TUR every 2 s, without RTPG, while TUR reports the transition (no expiry applies)", () => {
    const { clock, env, alua } = world();
    const array = new FakeAluaArray(clock, { groups: [{ id: 1, state: A }], transitionTime: 5 });
    const d = array.device(1, 1);
    const h = attachOk(alua, d, env);
    clock.advance(NSEC_PER_SEC);
    array.setState(1, T);
    const box = activate(h);
    clock.advance(60 * NSEC_PER_SEC);
    expect(box.result).toBeNull();
    expect(d.sentOps(ScsiOp.MAINTENANCE_IN)).toHaveLength(2);
    // one TUR every 2 s from the first retry (t = 3 s) to t = 59 s
    expect(d.sentOps(ScsiOp.TEST_UNIT_READY).length).toBe(29);
    array.setState(1, A);
    clock.advance(2 * NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.OK);
  });

  it("retries RTPG every 2 s while the group is transitioning, sending TUR first, and completes when it settles", () => {
    const { clock, env, alua, lines } = world();
    const array = new FakeAluaArray(clock, { groups: [{ id: 1, state: T }] });
    const d = array.device(1, 1);
    const h = attachOk(alua, d, env);
    const box = activate(h);
    clock.advance(100 * NSEC_PER_MSEC);
    expect(box.result).toBeNull();
    expect(h.prepFn(new Bio())).toBe(BlkStatus.OK);
    expect(lines()).toContain("sd 0:0:0:0: alua: port group 01 state T non-preferred supports TolUSNA");
    clock.advance(2 * NSEC_PER_SEC);
    expect(d.sentOps(ScsiOp.TEST_UNIT_READY).length).toBeGreaterThan(0);
    expect(box.result).toBeNull();
    array.setState(1, A);
    clock.advance(3 * NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.OK);
    expect(d.accessState).toBe(A);
  });

  it("forces the group to standby with IO when the transition outlasts the transition timeout", () => {
    const { clock, env, alua, lines } = world();
    const array = new FakeAluaArray(clock, { groups: [{ id: 1, state: A }], transitionTime: 5 });
    const d = array.device(1, 1);
    const h = attachOk(alua, d, env);
    clock.advance(NSEC_PER_SEC);
    expect(lines()).toContain("sd 0:0:0:0: alua: transition timeout set to 5 seconds");
    array.setState(1, T);
    // TUR says ready, so each retry re-reads RTPG, which keeps reporting the transition
    d.inject(opIs(ScsiOp.TEST_UNIT_READY), {}, 1000);
    const box = activate(h);
    clock.advance(4 * NSEC_PER_SEC);
    expect(box.result).toBeNull();
    clock.advance(4 * NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.IO);
    expect(alua.portGroups()[0]!.state).toBe(S);
    expect(d.accessState).toBe(S);
  });

  it("reports DEV_OFFLINED for an offline group", () => {
    const { clock, env, alua } = world();
    const array = new FakeAluaArray(clock, {
      groups: [{ id: 1, state: O, supported: TpgsSupport.ALL }],
    });
    const h = attachOk(alua, array.device(1, 1), env);
    const box = activate(h);
    clock.advance(NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.DEV_OFFLINED);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.IOERR);
  });

  it("retries RTPG without the extended header after ILLEGAL REQUEST and remembers it", () => {
    const { clock, env, alua } = world();
    const array = new FakeAluaArray(clock, { extendedHeader: false, groups: [{ id: 1, state: A }] });
    const d = array.device(1, 1);
    attachOk(alua, d, env);
    clock.advance(NSEC_PER_SEC);
    const rtpgs = d.sentOps(ScsiOp.MAINTENANCE_IN).map((c) => c.cdb[1]);
    expect(rtpgs).toEqual([0x2a, 0x0a]);
    expect(alua.portGroups()[0]!.flags & 2).toBe(2);
  });

  it("on a lost connection moves RTPG to another device of the group and logs it", () => {
    const { clock, env, alua, lines } = world();
    const array = new FakeAluaArray(clock, { groups: [{ id: 1, state: A }] });
    const d1 = array.device(1, 1);
    const d2 = array.device(1, 2);
    attachOk(alua, d1, env);
    const h2 = attachOk(alua, d2, env);
    clock.advance(NSEC_PER_SEC);
    d2.inject(opIs(ScsiOp.MAINTENANCE_IN), { hostStatus: HostStatus.DID_NO_CONNECT });
    const box = activate(h2);
    clock.advance(NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.OK);
    expect(lines()).toContain("sd 1:0:0:0: alua: rtpg failed, result 65536");
    expect(lines()).toContain("sd 0:0:0:0: rtpg retry on different device");
  });

  it("ignores RTPG errors of a group that supports only active/optimized", () => {
    const { clock, env, alua, lines } = world();
    const array = new FakeAluaArray(clock, {
      groups: [{ id: 1, state: A, supported: TpgsSupport.OPTIMIZED }],
    });
    const d = array.device(1, 1);
    const h = attachOk(alua, d, env);
    clock.advance(NSEC_PER_SEC);
    d.inject(opIs(ScsiOp.MAINTENANCE_IN), { sense: makeSense(SenseKey.HARDWARE_ERROR, 0x44, 0) });
    const box = activate(h);
    clock.advance(NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.OK);
    expect(lines()).toContain("sd 0:0:0:0: alua: ignoring rtpg result 2");
  });

  it("fails an RTPG with other sense with IO, printing the sense header", () => {
    const { clock, env, alua, lines } = world();
    const array = new FakeAluaArray(clock, { groups: [{ id: 1, state: A }] });
    const d = array.device(1, 1);
    const h = attachOk(alua, d, env);
    clock.advance(NSEC_PER_SEC);
    d.inject(opIs(ScsiOp.MAINTENANCE_IN), { sense: makeSense(SenseKey.HARDWARE_ERROR, 0x44, 0) });
    const box = activate(h);
    clock.advance(NSEC_PER_SEC);
    expect(box.result).toBe(ScsiDhResult.IO);
    expect(lines().slice(-3)).toEqual([
      "sd 0:0:0:0: alua: rtpg failed",
      "sd 0:0:0:0: [alua] Sense Key : Hardware Error [current] ",
      "sd 0:0:0:0: [alua] Add. Sense: Internal target failure",
    ]);
  });

  it("batches activations queued while the group's work runs into one completion round", () => {
    const { clock, env, alua } = world();
    const array = new FakeAluaArray(clock, {
      groups: [
        { id: 1, state: A },
        { id: 2, state: S },
      ],
    });
    const d1 = array.device(2, 1);
    const d2 = array.device(2, 2);
    const h1 = attachOk(alua, d1, env);
    const h2 = attachOk(alua, d2, env);
    clock.advance(NSEC_PER_SEC);
    const b1 = activate(h1);
    const b2 = activate(h2);
    clock.advance(NSEC_PER_SEC);
    expect([b1.result, b2.result]).toEqual([ScsiDhResult.OK, ScsiDhResult.OK]);
    expect(array.stpgs).toHaveLength(1);
  });
});

describe("scsi_dh_alua check_sense and prep_fn", () => {
  it("maps sense as the kernel does and rechecks the group on state-change unit attentions", () => {
    const { clock, env, alua } = world();
    const array = new FakeAluaArray(clock, { groups: [{ id: 1, state: A }] });
    const d = array.device(1, 1);
    const h = attachOk(alua, d, env);
    clock.advance(NSEC_PER_SEC);
    const n = d.sentOps(ScsiOp.MAINTENANCE_IN).length;
    array.setState(1, S);
    expect(h.checkSense(makeSense(SenseKey.UNIT_ATTENTION, 0x2a, 0x06))).toBe(ScsiDisposition.ADD_TO_MLQUEUE);
    clock.advance(NSEC_PER_SEC);
    expect(d.sentOps(ScsiOp.MAINTENANCE_IN).length).toBe(n + 1);
    expect(h.prepFn(new Bio())).toBe(BlkStatus.IOERR);
    expect(h.checkSense(makeSense(SenseKey.UNIT_ATTENTION, 0x29, 0x00))).toBe(ScsiDisposition.ADD_TO_MLQUEUE);
    expect(h.checkSense(makeSense(SenseKey.UNIT_ATTENTION, 0x29, 0x04))).toBe(ScsiDisposition.ADD_TO_MLQUEUE);
    expect(h.checkSense(makeSense(SenseKey.UNIT_ATTENTION, 0x3f, 0x0e))).toBe(ScsiDisposition.ADD_TO_MLQUEUE);
    expect(h.checkSense(makeSense(SenseKey.UNIT_ATTENTION, 0x2a, 0x01))).toBe(ScsiDisposition.ADD_TO_MLQUEUE);
    expect(h.checkSense(makeSense(SenseKey.MEDIUM_ERROR, 0x11, 0x00))).toBe(
      ScsiDisposition.SCSI_RETURN_NOT_HANDLED,
    );
    expect(h.checkSense(makeSense(SenseKey.NOT_READY, 0x04, 0x0a))).toBe(ScsiDisposition.NEEDS_RETRY);
    // 04/0A marks the group transitioning at once: I/O is let through while it settles
    expect(h.prepFn(new Bio())).toBe(BlkStatus.OK);
  });

  it("prep_fn lets through A, N, LBA-dependent and transitioning, and fails standby and unavailable", () => {
    const { clock, env, alua } = world();
    for (const [state, want] of [
      [A, BlkStatus.OK],
      [N, BlkStatus.OK],
      [AccessState.LBA, BlkStatus.OK],
      [S, BlkStatus.IOERR],
      [AccessState.UNAVAILABLE, BlkStatus.IOERR],
    ] as const) {
      const array = new FakeAluaArray(clock, {
        naa: `6001405000000000000000000000${state}0ff`,
        groups: [{ id: 7, state }],
      });
      const h = attachOk(alua, array.device(7, 1), env);
      clock.advance(NSEC_PER_SEC);
      expect(h.prepFn(new Bio())).toBe(want);
    }
  });
});
