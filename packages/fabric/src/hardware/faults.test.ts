import { BlkStatus } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { blockIo, fcWorld } from "../../test/fc-world.js";

const buf = () => new Uint8Array(4096);
const rport = (w: ReturnType<typeof fcWorld>, host: number, n: number, attr: string) =>
  w.host.sysfs.read(`/sys/class/fc_remote_ports/rport-${host}:0-${n}/${attr}`);

describe("fault primitives of the hardware, seen through Linux", () => {
  it("link down (cable pull): the FC rport blocks, I/O waits, and resumes when the link returns", async () => {
    const w = fcWorld("lio");
    const link = w.fabric.hbas[0]!.links[0]!;
    link.setUp(false);
    w.clock.advance(1e6);
    expect(rport(w, 0, 0, "port_state")).toBe("Blocked\n");
    expect(w.host.sysfs.read("/sys/block/sda/device/state")).toBe("blocked\n");
    const io = blockIo(w, "sda", "read", 0, buf());
    w.clock.schedule(10e9, () => link.setUp(true), undefined);
    const r = await io;
    expect(r.status).toBe(BlkStatus.OK);
    expect(r.elapsedNs).toBeGreaterThanOrEqual(10e9 - 2e6);
    expect(w.host.sysfs.read("/sys/block/sda/device/state")).toBe("running\n");
  });

  it("fast_io_fail_tmo fails the blocked I/O; dev_loss_tmo removes the disk", async () => {
    const w = fcWorld("lio");
    expect(w.host.sysfs.write("/sys/class/fc_remote_ports/rport-0:0-0/fast_io_fail_tmo", "5\n")).toBe(0);
    expect(w.host.sysfs.write("/sys/class/fc_remote_ports/rport-0:0-0/dev_loss_tmo", "30\n")).toBe(0);
    w.fabric.hbas[0]!.links[0]!.setUp(false);
    const r = await blockIo(w, "sda", "read", 0, buf());
    // Requests still queued meet scsi_device_state_check's transport-offline refusal: IOERR.
    expect(r.status).toBe(BlkStatus.IOERR);
    expect(r.elapsedNs).toBeGreaterThanOrEqual(5e9 - 2e6);
    expect(w.host.sysfs.read("/sys/block/sda/device/state")).toBe("transport-offline\n");
    w.clock.advance(30e9);
    expect(w.host.sysfs.read("/sys/block/sda/dev")).toBeNull();
    expect(w.host.sysfs.read("/sys/block/sdb/dev")).toBe("8:16\n");
  });

  it("a target port going down affects every path through it", async () => {
    const w = fcWorld("lio");
    w.built.controllers[0]![0]!.setUp(false);
    w.clock.advance(1e6);
    expect(w.host.sysfs.read("/sys/block/sda/device/state")).toBe("blocked\n");
    expect(w.host.sysfs.read("/sys/block/sdc/device/state")).toBe("blocked\n");
    expect(w.host.sysfs.read("/sys/block/sdb/device/state")).toBe("running\n");
    w.built.controllers[0]![0]!.setUp(true);
    w.clock.advance(1e6);
    expect(w.host.sysfs.read("/sys/block/sda/device/state")).toBe("running\n");
  });

  it("link latency adds two propagation delays per command (dm-delay at the wire)", async () => {
    const w = fcWorld("lio");
    await blockIo(w, "sda", "read", 0, buf());
    const base = (await blockIo(w, "sda", "read", 0, buf())).elapsedNs;
    const link = w.fabric.hbas[0]!.links[0]!;
    const before = link.latencyNs;
    link.setLatency(3_000_000);
    const slow = (await blockIo(w, "sda", "read", 0, buf())).elapsedNs;
    expect(slow - base).toBe(2 * (3_000_000 - before));
  });

  it("an injected delay slows only the matching commands", async () => {
    const w = fcWorld("lio");
    const base = (await blockIo(w, "sda", "read", 0, buf())).elapsedNs;
    w.built.array.lus[0]!.injectFault({ direction: "write", action: { kind: "delay", ns: 50e6 } });
    expect((await blockIo(w, "sda", "read", 0, buf())).elapsedNs).toBe(base);
    expect((await blockIo(w, "sda", "write", 0, buf())).elapsedNs).toBeGreaterThanOrEqual(50e6);
  });

  it("drop-writes acknowledges writes it does not store (dm-flakey drop_writes); corrupt flips a byte", async () => {
    const w = fcWorld("lio");
    const lu = w.built.array.lus[0]!;
    const id = lu.injectFault({ action: { kind: "drop-writes" } });
    expect((await blockIo(w, "sda", "write", 8, buf().fill(0x5a))).status).toBe(BlkStatus.OK);
    const back = buf();
    await blockIo(w, "sda", "read", 8, back);
    expect(back.every((b) => b === 0)).toBe(true);
    lu.clearFault(id);
    await blockIo(w, "sda", "write", 8, buf().fill(0x5a));
    lu.injectFault({ direction: "read", action: { kind: "corrupt", byteOffset: 10, value: 0xff } });
    const bad = buf();
    await blockIo(w, "sda", "read", 8, bad);
    expect(bad[10]).toBe(0xff);
    expect(bad[9]).toBe(0x5a);
  });

  it("HBA hot removal removes its host and disks; hot add brings them back", async () => {
    const w = fcWorld("lio");
    const hba = w.hbas[0]!;
    hba.setPresent(false);
    w.clock.advance(1e6);
    expect(w.host.sysfs.read("/sys/class/scsi_host/host0/proc_name")).toBeNull();
    expect(w.host.sysfs.read("/sys/block/sda/dev")).toBeNull();
    expect(w.host.sysfs.read("/sys/block/sdc/dev")).toBe("8:32\n");
    hba.setPresent(true);
    w.clock.advance(1e9);
    // host_index_ida and sd_index_ida hand out the lowest free numbers again.
    expect(w.host.sysfs.read("/sys/class/scsi_host/host0/proc_name")).toBe("qla2xxx\n");
    expect(w.host.sysfs.realpath("/sys/block/sda/device")).toMatch(/\/0:0:0:0$/);
  });

  it("a resized LUN reports CAPACITY DATA HAS CHANGED; a rescan picks up the new size", async () => {
    const w = fcWorld("lio");
    const lu = w.built.array.lus[0]!;
    lu.resize(lu.blocks * 2);
    const events: string[] = [];
    w.kernel.uevents.subscribe((e) => {
      for (const [k, v] of e.env) if (k === "SDEV_UA") events.push(`${e.devpath.split("/").pop()} ${v}`);
    });
    await blockIo(w, "sda", "read", 0, buf());
    w.clock.advance(1e6);
    expect(events).toContain("0:0:0:0 CAPACITY_DATA_HAS_CHANGED");
    expect(w.host.sysfs.read("/sys/block/sda/size")).toBe(`${64 * 2048}\n`);
    expect(w.host.sysfs.write("/sys/block/sda/device/rescan", "1\n")).toBe(0);
    expect(w.host.sysfs.read("/sys/block/sda/size")).toBe(`${128 * 2048}\n`);
  });
});
