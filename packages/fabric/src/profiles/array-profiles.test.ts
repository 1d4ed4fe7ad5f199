import { BlkStatus } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { blockIo, cdb, fcWorld, outcome, rw10, sgIo } from "../../test/fc-world.js";

const TUR = { cdb: cdb(0, 0, 0, 0, 0, 0), direction: "none" as const, timeoutMs: 30_000 };
const read = {
  cdb: rw10(false, 0, 1),
  direction: "from-device" as const,
  allocationLength: 512,
  timeoutMs: 30_000,
};
const vpd = (page: number) => ({
  cdb: cdb(0x12, 1, page, 0, 255, 0),
  direction: "from-device" as const,
  allocationLength: 255,
  timeoutMs: 30_000,
});

/** `echo activate > dh_state` and wait for the handler's activation to finish. */
function activate(w: ReturnType<typeof fcWorld>, dev: string): Promise<number> {
  return new Promise((resolve) => {
    w.host.scsiDevice(dev)!.handler!.activate((r) => resolve(r));
    w.clock.advance(5e9);
  });
}

const text = (b: Uint8Array, from: number, n: number) => new TextDecoder().decode(b.subarray(from, from + n));

describe("array profiles with their Linux device handlers", () => {
  it("EMC CLARiiON: emc attaches; the non-owner SP answers 02/04/03; a trespass moves the LUN", async () => {
    const w = fcWorld("emc");
    expect(w.host.sysfs.read("/sys/block/sda/device/vendor")).toBe("DGC     \n");
    expect(w.host.sysfs.read("/sys/block/sda/device/dh_state")).toBe("emc\n");
    for (const d of ["sda", "sdb"]) await sgIo(w, d, TUR);
    expect(outcome(await sgIo(w, "sda", TUR))).toBe("good");
    expect(outcome(await sgIo(w, "sdb", TUR))).toBe("2/04/03");
    const c0 = await sgIo(w, "sdb", vpd(0xc0));
    if ("errno" in c0) throw new Error("sgio");
    expect(c0.data![4]).toBe(1); // LUN bound but not owned by this SP
    expect(c0.data![8]).toBe(0); // current owner: SP A
    expect(await activate(w, "sdb")).toBe(0);
    expect(w.built.array.lus[0]!.owner).toBe(1);
    expect(outcome(await sgIo(w, "sdb", read))).toBe("good");
    // The other host's path to SP B still has the handler's passive state: emc's prep_fn
    // refuses its I/O until that path is activated too.
    expect((await blockIo(w, "sdd", "read", 0, new Uint8Array(4096))).status).toBe(BlkStatus.IOERR);
    expect(await activate(w, "sdd")).toBe(0);
    expect((await blockIo(w, "sdd", "read", 0, new Uint8Array(4096))).status).toBe(BlkStatus.OK);
  });

  it("NetApp E-Series (RDAC): rdac attaches with the LUN's ownership; the alternate refuses I/O 05/94/01", async () => {
    const w = fcWorld("rdac");
    expect(w.host.sysfs.read("/sys/block/sda/device/model")).toBe("INF-01-00       \n");
    expect(w.host.sysfs.read("/sys/block/sda/device/dh_state")).toBe("rdac\n");
    const log = w.kernel.log.since(0).map((l) => l.text);
    expect(log).toContain("sd 0:0:0:0: rdac: LUN 0 (RDAC) (owned)");
    expect(log).toContain("sd 0:0:1:0: rdac: LUN 0 (RDAC) (unowned)");
    expect(w.host.sysfs.read("/sys/block/sda/device/access_state")).toBe("active/optimized\n");
    expect(w.host.sysfs.read("/sys/block/sdb/device/access_state")).toBe("standby\n");
    for (const d of ["sda", "sdb"]) await sgIo(w, d, TUR);
    expect(outcome(await sgIo(w, "sdb", TUR))).toBe("good");
    expect(outcome(await sgIo(w, "sdb", read))).toBe("5/94/01");
    const c4 = await sgIo(w, "sdb", vpd(0xc4));
    if ("errno" in c4) throw new Error("sgio");
    expect(text(c4.data!, 4, 4)).toBe("subs");
    expect(c4.data![29]).toBe(0x32); // slot "02": controller B
    expect(await activate(w, "sdb")).toBe(0);
    expect(w.built.array.lus[0]!.owner).toBe(1);
    expect(outcome(await sgIo(w, "sdb", read))).toBe("good");
    expect(outcome(await sgIo(w, "sda", read))).toBe("5/94/01");
  });

  it("HP (hp_sw): the passive controller answers TUR 02/04/02; START STOP UNIT makes it active", async () => {
    const w = fcWorld("hp");
    expect(w.host.sysfs.read("/sys/block/sda/device/vendor")).toBe("HP      \n");
    expect(w.host.sysfs.read("/sys/block/sda/device/dh_state")).toBe("hp_sw\n");
    for (const d of ["sda", "sdb"]) await sgIo(w, d, TUR);
    expect(outcome(await sgIo(w, "sdb", TUR))).toBe("2/04/02");
    expect(await activate(w, "sdb")).toBe(0);
    expect(w.built.array.lus[0]!.owner).toBe(1);
    expect(outcome(await sgIo(w, "sdb", TUR))).toBe("good");
    expect(outcome(await sgIo(w, "sda", TUR))).toBe("2/04/02");
  });

  it("LIO: alua attaches and ALUA states reach sysfs", () => {
    const w = fcWorld("lio-ap");
    expect(w.host.sysfs.read("/sys/block/sda/device/vendor")).toBe("LIO-ORG \n");
    expect(w.host.sysfs.read("/sys/block/sdb/device/access_state")).toBe("standby\n");
    expect(w.host.sysfs.read("/sys/block/sda/device/preferred_path")).toBe("0\n");
  });
});
