import { getBe16, getBe32, parseVpd83 } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { cdb, fcWorld, outcome, rw10, sgIo } from "../../test/fc-world.js";

const TUR = cdb(0, 0, 0, 0, 0, 0);
const inquiry = (page = -1, len = 255) =>
  page < 0 ? cdb(0x12, 0, 0, 0, len, 0) : cdb(0x12, 1, page, (len >> 8) & 0xff, len & 0xff, 0);
const RTPG = cdb(0xa3, 0x0a, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0);
const from = (c: Uint8Array, len = 4096) => ({
  cdb: c,
  direction: "from-device" as const,
  allocationLength: len,
  timeoutMs: 30_000,
});
const none = (c: Uint8Array) => ({ cdb: c, direction: "none" as const, timeoutMs: 30_000 });

/** RTPG descriptors: group id → [state, pref]. */
function rtpgStates(data: Uint8Array): Map<number, [number, boolean]> {
  const out = new Map<number, [number, boolean]>();
  const end = getBe32(data, 0) + 4;
  for (let n = 4; n < end; ) {
    out.set(getBe16(data, n + 2), [data[n]! & 0x0f, (data[n]! & 0x80) !== 0]);
    n += 8 + 4 * data[n + 7]!;
  }
  return out;
}

describe("an ALUA array (LIO-like) through the SCSI stack", () => {
  it("identifies itself: TPGS, NAA WWID, relative port and port group per path", async () => {
    const w = fcWorld("lio");
    const std = await sgIo(w, "sda", from(inquiry()));
    if ("errno" in std) throw new Error("sgio");
    expect((std.data![5]! >> 4) & 3).toBe(3);
    expect(new TextDecoder().decode(std.data!.subarray(8, 16))).toBe("LIO-ORG ");
    const ids = [];
    for (const d of ["sda", "sdb"]) {
      const r = await sgIo(w, d, from(inquiry(0x83)));
      if ("errno" in r) throw new Error("sgio");
      const des = parseVpd83(r.data!);
      ids.push({
        naa: des.find((x) => x.type === 3 && x.association === 0)?.identifier,
        rel: des.find((x) => x.type === 4),
        tpg: des.find((x) => x.type === 5),
      });
    }
    expect(ids[0]!.naa).toEqual(ids[1]!.naa);
    expect(ids[0]!.rel?.identifier).not.toEqual(ids[1]!.rel?.identifier);
    expect(ids[0]!.tpg?.identifier).not.toEqual(ids[1]!.tpg?.identifier);
    expect(w.host.sysfs.read("/sys/block/sda/device/wwid")).toBe(
      w.host.sysfs.read("/sys/block/sdd/device/wwid"),
    );
    expect(w.host.sysfs.read("/sys/block/sda/device/dh_state")).toBe("alua\n");
  });

  it("reports the owner's group active/optimized, the other active/non-optimized, none preferred (LIO's default)", async () => {
    const w = fcWorld("lio");
    const r = await sgIo(w, "sdb", from(RTPG));
    if ("errno" in r) throw new Error("sgio");
    expect([...rtpgStates(r.data!)]).toEqual([
      [1, [0, false]],
      [2, [1, false]],
    ]);
    // LIO reports T_SUP O_SUP U_SUP S_SUP AN_SUP AO_SUP, no LBD_SUP, and implicit_trans_secs 0.
    expect(r.data![5]).toBe(0xcf);
    expect(w.host.sysfs.read("/sys/block/sda/device/access_state")).toBe("active/optimized\n");
    expect(w.host.sysfs.read("/sys/block/sdb/device/access_state")).toBe("active/non-optimized\n");
  });

  it("refuses medium access through a standby group with NOT READY 04/0B, and answers INQUIRY", async () => {
    const w = fcWorld("lio-ap");
    expect(outcome(await sgIo(w, "sdb", none(TUR)))).toBe("2/04/0b");
    expect(outcome(await sgIo(w, "sdb", from(rw10(false, 0, 1), 512)))).toBe("2/04/0b");
    expect(outcome(await sgIo(w, "sdb", from(inquiry())))).toBe("good");
    expect(outcome(await sgIo(w, "sda", from(rw10(false, 0, 1), 512)))).toBe("good");
  });

  it("STPG through B (LIO): only group 2 changes; group 1 stays active/optimized", async () => {
    // The kernel lab's LIO (test/fixtures/lab/lio-alua.out, "dm map failover"): after
    // scsi_dh_alua's STPG through the standby port group A keeps its state.
    const w = fcWorld("lio-ap");
    const lu = w.built.array.lus[0]!;
    for (const d of ["sda", "sdb", "sdc", "sdd"]) await sgIo(w, d, none(TUR));
    const param = Uint8Array.of(0, 0, 0, 0, 0x00, 0, 0, 2);
    const stpg = cdb(0xa4, 0x0a, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0);
    const t0 = w.clock.now();
    expect(
      outcome(await sgIo(w, "sdb", { cdb: stpg, direction: "to-device", dataOut: param, timeoutMs: 30_000 })),
    ).toBe("good");
    // LIO sleeps the transition delay inside the STPG: it answers after 50 ms, in the new state.
    expect(w.clock.now() - t0).toBeGreaterThanOrEqual(50_000_000);
    expect(lu.alua!.state(2)).toMatchObject({ aas: 0, status: 1 });
    const rtpg = await sgIo(w, "sdb", from(RTPG));
    if ("errno" in rtpg) throw new Error("sgio");
    expect(rtpgStates(rtpg.data!).get(2)).toEqual([0, false]);
    expect(lu.alua!.state(1)).toMatchObject({ aas: 0, status: 0 });
    // No unit attention: the only nexuses through group 2's port are on the port the STPG came
    // through (LIO spares that port and the initiator that sent it).
    const { array, controllers } = w.built;
    for (const h of w.hbas) for (const c of controllers) expect(lu.pendingUa(array.nexus(h, c[0]!))).toBe(0);
    expect(outcome(await sgIo(w, "sda", from(rw10(false, 0, 1), 512)))).toBe("good");
    expect(outcome(await sgIo(w, "sdb", from(rw10(false, 0, 1), 512)))).toBe("good");
  });

  it("STPG moves the LU (ownership-moving array): transitioning (04/0A) for the transition time, then the new states and 2A/06 elsewhere", async () => {
    const w = fcWorld("ap-moves");
    const lu = w.built.array.lus[0]!;
    // Clear the power-on unit attentions of every nexus first.
    for (const d of ["sda", "sdb", "sdc", "sdd"]) await sgIo(w, d, none(TUR));
    const param = new Uint8Array(8);
    param[4] = 0x00; // active/optimized
    param[7] = 2; // group 2 (controller B)
    const stpg = cdb(0xa4, 0x0a, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0);
    const t0 = w.clock.now();
    const p = new Promise((resolve) =>
      w.host.sgIo("sdb", { cdb: stpg, direction: "to-device", dataOut: param, timeoutMs: 30_000 }, resolve),
    );
    // While the transition runs, medium access anywhere reports transitioning.
    w.clock.advance(5_000_000);
    expect(lu.alua!.state(2).aas).toBe(0x0f);
    expect(outcome(await sgIo(w, "sdd", from(rw10(false, 0, 1), 512)))).toBe("2/04/0a");
    w.clock.advance(100_000_000);
    expect(outcome((await p) as never)).toBe("good");
    expect(w.clock.now() - t0).toBeGreaterThanOrEqual(50_000_000);
    expect(lu.alua!.state(2).aas).toBe(0);
    expect(lu.alua!.state(1).aas).toBe(2);
    // The other I_T nexuses get a unit attention 2A/06; the alua handler's check_sense has the
    // midlayer retry (ADD_TO_MLQUEUE) and re-reads the states, the device reports the event.
    const events: string[] = [];
    w.kernel.uevents.subscribe((e) => {
      for (const [k, v] of e.env) if (k === "SDEV_UA") events.push(`${e.devpath.split("/").pop()} ${v}`);
    });
    expect(outcome(await sgIo(w, "sda", none(TUR)))).toBe("2/04/0b");
    w.clock.advance(1e9);
    expect(events).toContain("0:0:0:0 ASYMMETRIC_ACCESS_STATE_CHANGED");
    expect(w.host.sysfs.read("/sys/block/sda/device/access_state")).toBe("standby\n");
    expect(outcome(await sgIo(w, "sdd", from(rw10(false, 0, 1), 512)))).toBe("good");
  });

  it("an implicit transition to unavailable fails medium access with 04/0C", async () => {
    const w = fcWorld("lio");
    for (const d of ["sda", "sdb"]) await sgIo(w, d, none(TUR));
    const { array, controllers } = w.built;
    array.lus[0]!.alua!.setState(1, "unavailable", 0);
    w.clock.advance(1_000_000);
    // The target holds a unit attention (2A/06) for every I_T nexus through the ports of the
    // group that changed (LIO's core_alua_queue_state_change_ua), none through the others.
    expect(array.lus[0]!.pendingUa(array.nexus(w.hbas[0]!, controllers[0]![0]!))).not.toBe(0);
    expect(array.lus[0]!.pendingUa(array.nexus(w.hbas[1]!, controllers[0]![0]!))).not.toBe(0);
    expect(array.lus[0]!.pendingUa(array.nexus(w.hbas[0]!, controllers[1]![0]!))).toBe(0);
    expect(array.lus[0]!.pendingUa(array.nexus(w.hbas[1]!, controllers[1]![0]!))).toBe(0);
    // The unit attention is retried by the midlayer (alua's check_sense); then 04/0C.
    expect(outcome(await sgIo(w, "sda", none(TUR)))).toBe("2/04/0c");
    expect(outcome(await sgIo(w, "sda", from(rw10(false, 0, 1), 512)))).toBe("2/04/0c");
    w.clock.advance(1e9);
    expect(w.host.sysfs.read("/sys/block/sda/device/access_state")).toBe("unavailable\n");
  });

  it("stores what is written and reads it back through any path", async () => {
    const w = fcWorld("lio");
    const data = new Uint8Array(1024).map((_, i) => (i * 7) & 0xff);
    for (const d of ["sda", "sdc"]) await sgIo(w, d, none(TUR));
    const wr = await sgIo(w, "sda", {
      cdb: rw10(true, 100, 2),
      direction: "to-device",
      dataOut: data,
      timeoutMs: 30_000,
    });
    expect(outcome(wr)).toBe("good");
    const rd = await sgIo(w, "sdc", from(rw10(false, 100, 2), 1024));
    if ("errno" in rd) throw new Error("sgio");
    expect(rd.data).toEqual(data);
    const other = await sgIo(w, "sdc", from(rw10(false, 102, 1), 512));
    if ("errno" in other) throw new Error("sgio");
    expect(other.data!.every((b) => b === 0)).toBe(true);
  });

  it("answers capacity, LUN inventory and unsupported opcodes as SBC/SPC say", async () => {
    const w = fcWorld("lio");
    await sgIo(w, "sda", none(TUR));
    const rc16 = await sgIo(w, "sda", from(cdb(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 32));
    if ("errno" in rc16) throw new Error("sgio");
    expect(getBe32(rc16.data!, 4)).toBe(64 * 2048 - 1);
    expect(getBe32(rc16.data!, 8)).toBe(512);
    const rl = await sgIo(w, "sda", from(cdb(0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), 256));
    if ("errno" in rl) throw new Error("sgio");
    expect(getBe32(rl.data!, 0)).toBe(8);
    expect(outcome(await sgIo(w, "sda", none(cdb(0xc7, 0, 0, 0, 0, 0))))).toBe("5/20/00");
  });

  it("a LUN unmapped from the ports is gone: INQUIRY says no device, I/O is refused", async () => {
    const w = fcWorld("lio");
    const { array } = w.built;
    await sgIo(w, "sda", none(TUR));
    array.setMapped(array.lus[0]!, false);
    const inq = await sgIo(w, "sda", from(inquiry(-1, 36)));
    if ("errno" in inq) throw new Error("sgio");
    expect(inq.data![0]).toBe(0x7f);
    expect(outcome(await sgIo(w, "sda", from(rw10(false, 0, 1), 512)))).toBe("5/25/00");
  });
});
