import { describe, expect, it } from "vitest";
import { mkdev } from "../block/devt.js";
import { Errno } from "../block/status.js";
import { VirtualClock } from "../clock/virtual-clock.js";
import { createKernel } from "./kernel.js";

const debian = { DM_MULTIPATH_HST: false, DM_MULTIPATH_IOA: false };

describe("createKernel", () => {
  it("starts with nothing loaded and no devices", () => {
    const k = createKernel({ clock: new VirtualClock() });
    expect(k.modules.loaded()).toEqual([]);
    expect(k.block.all()).toEqual([]);
    expect(k.targets.names()).toEqual([]);
    expect(k.nrCpus).toBe(2);
    expect(k.release).toBe("6.1.0-mp");
    expect(k.config).toEqual({ DM_MULTIPATH_HST: true, DM_MULTIPATH_IOA: true });
  });

  it("using the dm control interface autoloads dm_mod with striped, linear and error", () => {
    const k = createKernel({ clock: new VirtualClock() });
    expect(k.dm.targets()).toEqual([
      { name: "striped", version: [1, 6, 0] },
      { name: "linear", version: [1, 4, 0] },
      { name: "error", version: [1, 5, 0] },
    ]);
    expect(k.modules.loaded()).toEqual(["dm_mod"]);
    expect(k.log.since(0).map((l) => l.text)).toEqual([
      "device-mapper: uevent: version 1.0.3",
      "device-mapper: ioctl: 4.47.0-ioctl (2022-07-28) initialised: dm-devel@redhat.com",
    ]);
  });

  it("dmsetup targets lists multipath only once dm-multipath is loaded, newest first", () => {
    const k = createKernel({ clock: new VirtualClock(), config: debian });
    expect(k.dm.targets().map((t) => t.name)).toEqual(["striped", "linear", "error"]);
    expect(k.modules.load("dm-multipath")).toEqual({ ok: true, alreadyLoaded: false });
    expect(k.dm.targets().map((t) => t.name)).toEqual(["multipath", "striped", "linear", "error"]);
    // Selector modules register path selectors, not targets: the list stays as it is.
    expect(k.modules.load("dm-round-robin").ok).toBe(true);
    expect(k.dm.targets().map((t) => t.name)).toEqual(["multipath", "striped", "linear", "error"]);
    expect(k.dm.targets()[0]!.version).toEqual([1, 14, 0]);
  });

  it("a multipath table autoloads dm-multipath through request_module", () => {
    const k = createKernel({ clock: new VirtualClock(), config: debian });
    k.losetup("loop0", 8 << 20);
    k.dm.create("m");
    const r = k.dm.load("m", [
      { start: 0, length: 16384, type: "multipath", params: "0 0 1 1 round-robin 0 1 1 7:0 1" },
    ]);
    expect(r.ok).toBe(true);
    expect(k.modules.isLoaded("dm-multipath")).toBe(true);
    expect(k.modules.isLoaded("dm-round-robin")).toBe(true);
  });

  it("selector modules log their load banner; hst and io-affinity exist only when configured", () => {
    const k = createKernel({ clock: new VirtualClock(), config: debian });
    const cur = k.log.cursor();
    expect(k.modules.load("dm-round-robin").ok).toBe(true);
    expect(k.modules.load("dm-queue-length").ok).toBe(true);
    expect(k.modules.load("dm-service-time").ok).toBe(true);
    expect(k.log.since(cur).map((l) => l.text)).toEqual([
      "device-mapper: uevent: version 1.0.3",
      "device-mapper: ioctl: 4.47.0-ioctl (2022-07-28) initialised: dm-devel@redhat.com",
      "device-mapper: multipath round-robin: version 1.2.0 loaded",
      "device-mapper: multipath queue-length: version 0.2.0 loaded",
      "device-mapper: multipath service-time: version 0.3.0 loaded",
    ]);
    expect(k.selectors.names()).toEqual(["round-robin", "queue-length", "service-time"]);
    expect(k.modules.load("dm-historical-service-time").ok).toBe(false);
    expect(k.modules.load("dm-io-affinity").ok).toBe(false);

    const all = createKernel({ clock: new VirtualClock() });
    expect(all.modules.load("dm-historical-service-time").ok).toBe(true);
    expect(all.modules.load("dm-io-affinity").ok).toBe(true);
    expect(all.selectors.names()).toEqual(["historical-service-time", "io-affinity"]);
  });

  it("device handler modules register their handlers", () => {
    const k = createKernel({ clock: new VirtualClock() });
    for (const m of ["scsi_dh_alua", "scsi_dh_emc", "scsi_dh_rdac", "scsi_dh_hp_sw"])
      expect(k.modules.load(m).ok).toBe(true);
    expect(k.handlers.names().sort()).toEqual(["alua", "emc", "hp_sw", "rdac"]);
  });

  it("module parameters: unknown ones are ignored with a warning, bad values fail the load", () => {
    const k = createKernel({ clock: new VirtualClock() });
    const cur = k.log.cursor();
    const bad = k.modules.load("dm-multipath", new Map([["queue_if_no_path_timeout_secs", "x"]]));
    expect(bad.ok).toBe(false);
    expect(
      k.modules.load(
        "dm-multipath",
        new Map([
          ["foo", "1"],
          ["queue_if_no_path_timeout_secs", "5"],
        ]),
      ).ok,
    ).toBe(true);
    const lines = k.log.since(cur).map((l) => l.text);
    expect(lines).toContain("dm_multipath: `x' invalid for parameter `queue_if_no_path_timeout_secs'");
    expect(lines).toContain("dm_multipath: unknown parameter 'foo' ignored");
  });

  it("extra modules are offered, not loaded", () => {
    let inits = 0;
    const k = createKernel({
      clock: new VirtualClock(),
      modules: [
        {
          name: "scsi_debug",
          init() {
            inits++;
            return 0;
          },
        },
      ],
    });
    expect(inits).toBe(0);
    expect(k.modules.load("scsi_debug").ok).toBe(true);
    expect(inits).toBe(1);
  });

  it("has() knows offered modules and their aliases, loaded or not, with - and _ alike", () => {
    const k = createKernel({ clock: new VirtualClock() });
    expect(k.modules.has("dm-multipath")).toBe(true);
    expect(k.modules.has("dm_multipath")).toBe(true);
    expect(k.modules.has("dm-mpath")).toBe(true);
    expect(k.modules.isLoaded("dm-multipath")).toBe(false);
    expect(k.modules.has("scsi_debug")).toBe(false);
    expect(k.modules.load("dm-multipath").ok).toBe(true);
    expect(k.modules.has("dm-multipath")).toBe(true);
    expect(k.modules.has("nosuch")).toBe(false);
  });

  it("losetup loads loop (loop0..loop7 appear unbound) and binds the device", () => {
    const k = createKernel({ clock: new VirtualClock() });
    const r = k.losetup("/dev/loop3", 8 << 20);
    expect(r.ok && r.dev.name).toBe("loop3");
    expect(k.block.all().map((d) => d.name)).toEqual([
      "loop0",
      "loop1",
      "loop2",
      "loop3",
      "loop4",
      "loop5",
      "loop6",
      "loop7",
    ]);
    expect(k.block.get(mkdev(7, 3))!.sizeSectors()).toBe(16384);
    expect(k.block.get(mkdev(7, 0))!.sizeSectors()).toBe(0);
    expect(k.losetup("loop3", 1 << 20)).toEqual({ ok: false, errno: Errno.EBUSY });
    expect(k.losetup("sda", 1 << 20)).toEqual({ ok: false, errno: Errno.ENOENT });
  });
});
