import { Errno } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { cdb, fcWorld, outcome, sgIo } from "../../test/fc-world.js";
import { createSimWorld } from "../world.js";

const TUR = { cdb: cdb(0, 0, 0, 0, 0, 0), direction: "none" as const, timeoutMs: 30_000 };

describe("SimHost: sysfs as multipathd and the checkers use it", () => {
  it("device/state takes the states Linux lets user space set, and refuses the rest", () => {
    const w = fcWorld("lio");
    const s = w.host.sysfs;
    expect(s.write("/sys/block/sda/device/state", "bogus\n")).toBe(Errno.EINVAL);
    expect(s.write("/sys/block/sda/device/state", "created\n")).toBe(Errno.EINVAL);
    expect(s.write("/sys/block/sda/device/state", "offline\n")).toBe(0);
    expect(s.read("/sys/block/sda/device/state")).toBe("offline\n");
    expect(s.write("/sys/block/sda/device/state", "running\n")).toBe(0);
    expect(s.read("/sys/block/sda/device/state")).toBe("running\n");
    expect(s.write("/sys/block/sda/device/vendor", "X\n")).toBe(Errno.EACCES);
  });

  it("timeout, queue_depth and dh_state behave as their store functions", () => {
    const w = fcWorld("lio");
    const s = w.host.sysfs;
    expect(s.write("/sys/block/sda/device/timeout", "45\n")).toBe(0);
    expect(s.read("/sys/block/sda/device/timeout")).toBe("45\n");
    expect(s.write("/sys/block/sda/device/queue_depth", "0\n")).toBe(Errno.EINVAL);
    expect(s.write("/sys/block/sda/device/queue_depth", "8\n")).toBe(0);
    expect(s.read("/sys/block/sda/device/queue_depth")).toBe("8\n");
    // Changing the attached handler is refused; `activate` runs its activation.
    expect(s.write("/sys/block/sda/device/dh_state", "emc\n")).toBe(Errno.EINVAL);
    expect(s.write("/sys/block/sda/device/dh_state", "activate\n")).toBe(0);
  });

  it("access_state and preferred_path exist only with a handler that sets them", () => {
    const w = createSimWorld({ seed: 1 });
    for (const m of ["sd_mod", "sg"]) w.modprobe(m);
    w.modprobe("scsi_debug", "add_host=1", "dev_size_mb=8");
    w.clock.advance(1e9);
    expect(w.host.sysfs.read("/sys/block/sda/device/dh_state")).toBe("detached\n");
    expect(w.host.sysfs.read("/sys/block/sda/device/access_state")).toBeNull();
  });

  it("device/delete removes the disk, the host scan finds it again", () => {
    const w = fcWorld("lio");
    expect(w.host.sysfs.write("/sys/block/sdb/device/delete", "1\n")).toBe(0);
    w.clock.advance(0);
    expect(w.host.sysfs.read("/sys/block/sdb/dev")).toBeNull();
    expect(w.host.sysfs.write("/sys/class/scsi_host/host0/scan", "- - -\n")).toBe(0);
    w.clock.advance(1e9);
    expect(w.host.sysfs.read("/sys/block/sdb/dev")).toBe("8:16\n");
  });

  it("shows holders and dm attributes of device-mapper maps over the paths", () => {
    const w = fcWorld("lio");
    w.modprobe("dm-multipath");
    const dm = w.kernel.dm;
    dm.create("mpatha", { uuid: "mpath-x" });
    dm.load("mpatha", [
      { start: 0, length: 131072, type: "multipath", params: "0 0 1 1 round-robin 0 2 1 8:0 1 8:16 1" },
    ]);
    dm.resume("mpatha");
    const s = w.host.sysfs;
    expect(s.read("/sys/block/dm-0/dm/name")).toBe("mpatha\n");
    expect(s.read("/sys/block/dm-0/dm/uuid")).toBe("mpath-x\n");
    expect(s.read("/sys/block/dm-0/dm/suspended")).toBe("0\n");
    expect(s.list("/sys/block/sda/holders")).toEqual(["dm-0"]);
    expect(s.list("/sys/block/dm-0/slaves")).toEqual(["sda", "sdb"]);
    expect(s.realpath("/sys/block/sda/holders/dm-0")).toBe("/sys/devices/virtual/block/dm-0");
  });
});

describe("SimHost: SG_IO, opens and files", () => {
  it("SG_IO reaches SCSI disks and their sg nodes, not other disks", async () => {
    const w = fcWorld("lio");
    w.modprobe("dm-multipath");
    w.kernel.losetup("loop0", 1 << 20);
    w.kernel.dm.create("m", {});
    w.kernel.dm.load("m", [{ start: 0, length: 8, type: "linear", params: "7:0 0" }]);
    w.kernel.dm.resume("m");
    expect(outcome(await sgIo(w, "sda", TUR))).not.toMatch(/^errno/);
    expect(outcome(await sgIo(w, "/dev/sg1", TUR))).not.toMatch(/^errno/);
    expect(outcome(await sgIo(w, "dm-0", TUR))).toBe("errno 25");
    expect(outcome(await sgIo(w, "loop0", TUR))).toBe(`errno ${Errno.EINVAL}`);
    expect(outcome(await sgIo(w, "sg9", TUR))).toBe(`errno ${Errno.ENOENT}`);
    expect(w.host.sysfs.write("/sys/block/sda/device/state", "offline\n")).toBe(0);
    expect(outcome(await sgIo(w, "sda", TUR))).toBe(`errno ${Errno.ENODEV}`);
    expect(outcome(await sgIo(w, "sg0", TUR))).toBe(`errno ${Errno.ENXIO}`);
  });

  it("opens: ENOENT for no node, ENXIO for an offline disk", () => {
    const w = fcWorld("lio");
    const nope = w.host.openBlock("/dev/sdz");
    expect("errno" in nope && nope.errno).toBe(Errno.ENOENT);
    w.host.sysfs.write("/sys/block/sdc/device/state", "offline\n");
    const off = w.host.openBlock("sdc");
    expect("errno" in off && off.errno).toBe(Errno.ENXIO);
  });

  it("keeps /etc in memory and exposes the kernel log by cursor", () => {
    const w = createSimWorld({ seed: 1 });
    w.host.files.write("/etc/multipath.conf", "defaults {\n}\n");
    expect(w.host.files.read("/etc/multipath.conf")).toBe("defaults {\n}\n");
    const c = w.host.kernelLogCursor();
    w.modprobe("dm-multipath");
    expect(w.host.kernelLog(c).map((l) => l.text)).toContain("device-mapper: uevent: version 1.0.3");
    expect(w.host.kernelLog(w.host.kernelLogCursor())).toEqual([]);
  });
});
