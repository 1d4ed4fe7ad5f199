import { describe, expect, it } from "vitest";
import { mkdev } from "../block/devt.js";
import { BlkStatus } from "../block/status.js";
import { NSEC_PER_SEC } from "../clock/clock.js";
import { createAluaHandlerType } from "../handlers/scsi-dh-alua.js";
import { AccessState } from "../scsi/scsi-device.js";
import { FakeAluaArray } from "../scsi/testing/fake-alua-array.js";
import { FakeKernel } from "./testing/fake-dm.js";

/** Two paths to one LUN: sda in port group 1 (active/optimized), sdb in group 2 (standby). */
function aluaWorld() {
  const alua = createAluaHandlerType();
  const k = new FakeKernel({ handlers: [alua] });
  k.modules.load("scsi_dh_alua");
  const array = new FakeAluaArray(k.clock, {
    groups: [
      { id: 1, state: AccessState.OPTIMAL, pref: true },
      { id: 2, state: AccessState.STANDBY },
    ],
  });
  const sdevs = [array.device(1, 1), array.device(2, 2)];
  k.addDisk({ devt: mkdev(8, 0), name: "sda", sizeSectors: 32768, scsi: sdevs[0]! });
  k.addDisk({ devt: mkdev(8, 16), name: "sdb", sizeSectors: 32768, scsi: sdevs[1]! });
  // the SCSI core attaches alua at scan to TPGS devices
  for (const s of sdevs) {
    const h = alua.attach(s, { clock: k.clock, log: k.log });
    if (typeof h === "number") throw new Error(`alua attach: ${h}`);
    s.handler = h;
  }
  k.clock.advance(NSEC_PER_SEC);
  return { k, array };
}

const TABLE = "0 32768 multipath 0 1 alua 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1";

describe("multipath with the ALUA device handler", () => {
  it("initialises the active/optimized group with RTPG before the first I/O goes down", () => {
    const { k, array } = aluaWorld();
    const r = k.create("mpatha", TABLE);
    if (!r.ok) throw new Error(r.error);
    const m = r.map;
    expect(m.status("table")).toBe(`${TABLE} `);
    const h = m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    expect(h.status).toBe(BlkStatus.OK);
    // the multipathd transcripts' steady state after the first I/O
    expect(m.status()).toBe("0 32768 multipath 2 0 1 0 2 1 A 0 1 2 8:0 A 0 0 1 E 0 1 2 8:16 A 0 0 1 ");
    expect(array.stpgs).toEqual([]);
  });

  it("switches to the standby group when the active path fails, activating it with STPG", () => {
    const { k, array } = aluaWorld();
    const r = k.create("mpatha", TABLE);
    if (!r.ok) throw new Error(r.error);
    const m = r.map;
    m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    expect(m.message("fail_path 8:0")).toBe(0);
    const h = m.read(8);
    k.clock.advance(5 * NSEC_PER_SEC);
    expect(h.status).toBe(BlkStatus.OK);
    expect(array.stpgs.length).toBeGreaterThanOrEqual(1);
    expect(array.group(2).state).toBe(AccessState.OPTIMAL);
    expect(m.status()).toBe("0 32768 multipath 2 0 1 0 2 2 E 0 1 2 8:0 F 1 0 1 A 0 1 2 8:16 A 0 0 1 ");
  });
});
