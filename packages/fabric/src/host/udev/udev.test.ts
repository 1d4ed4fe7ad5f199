import { readFileSync } from "node:fs";
import { sharedPath } from "@mp/tooling/shared";
import { describe, expect, it } from "vitest";
import { createSimWorld, type SimWorld } from "../../world.js";

const golden = readFileSync(sharedPath("lab/kernel/golden/multipathd.out"), "utf8");

/** The `udevadm info --query=property … | grep -E … | sort` blocks of the golden transcript. */
function goldenProps(dev: string): string[] {
  const head = `$ udevadm info --query=property --name=/dev/${dev} | grep`;
  const start = golden.indexOf(head);
  const body = golden.slice(golden.indexOf("\n", start) + 1, golden.indexOf("[rc=", start));
  return body.split("\n").filter((l) => l !== "");
}

const GREP =
  /^(ID_SERIAL|ID_WWN|ID_VENDOR|ID_MODEL|ID_SCSI|DM_MULTIPATH|ID_PATH|DEVTYPE|MAJOR|MINOR|SYSTEMD_READY|FIND_MULTIPATHS)/;

function world(): SimWorld {
  const w = createSimWorld({ seed: 3 });
  for (const m of ["sd_mod", "sg", "scsi_dh_alua", "dm-multipath", "dm-service-time"])
    expect(w.modprobe(m).ok).toBe(true);
  w.host.startUdev();
  w.clock.advance(1e9);
  expect(
    w.modprobe("scsi_debug", "add_host=2", "num_tgts=1", "max_luns=1", "vpd_use_hostno=0", "dev_size_mb=16")
      .ok,
  ).toBe(true);
  w.clock.advance(1e9);
  return w;
}

/** libdevmapper's cookie for a resume: flags in the upper 16 bits (PRIMARY_SOURCE 0x40, no fallback 0x20). */
const COOKIE = ((0x40 | 0x20) << 16) | 0x1234;

describe("udev over the fabric", () => {
  it("derives the golden properties of scsi_debug disks (60-persistent-storage, scsi_id)", () => {
    const w = world();
    for (const dev of ["sda", "sdb"]) {
      const rec = w.host.udev.lookup(`/dev/${dev}`)!;
      const props = [...rec.properties]
        .map(([k, v]) => `${k}=${v}`)
        .filter((l) => GREP.test(l))
        .sort();
      expect(props).toEqual(goldenProps(dev));
    }
  });

  it("keeps the database empty until started, then coldplugs what exists", () => {
    const w = createSimWorld({ seed: 3 });
    for (const m of ["sd_mod", "sg"]) w.modprobe(m);
    w.modprobe("scsi_debug", "add_host=1", "dev_size_mb=8");
    w.clock.advance(1e9);
    expect(w.host.udev.lookup("/dev/sda")).toBeNull();
    w.host.startUdev();
    expect(w.host.udev.settled()).toBe(false);
    w.clock.advance(1e9);
    expect(w.host.udev.settled()).toBe(true);
    expect(w.host.udev.lookup("/dev/sda")?.properties.get("ID_SERIAL")).toBe("333333330000007d0");
    expect(w.host.udev.lookup("/dev/disk/by-id/scsi-333333330000007d0")?.sysname).toBe("sda");
  });

  it("processes events after the kernel's, in order per device, on the clock", () => {
    const w = world();
    const seen: string[] = [];
    w.kernel.uevents.subscribe((e) => seen.push(`K ${e.action} ${e.devpath.split("/").pop()}`));
    w.host.udev.subscribe((e) => seen.push(`U ${e.action} ${e.device.sysname}`));
    expect(w.host.sysfs.write("/sys/block/sda/device/delete", "1\n")).toBe(0);
    const kernelFirst = seen.findIndex((s) => s.startsWith("U"));
    expect(kernelFirst).toBe(-1);
    w.clock.advance(1e9);
    const k = seen.filter((s) => s.startsWith("K ")).map((s) => s.slice(2));
    const u = seen.filter((s) => s.startsWith("U ")).map((s) => s.slice(2));
    expect(k).toContain("remove sda");
    expect(u).toContain("remove sda");
    expect(seen.indexOf("U remove sda")).toBeGreaterThan(seen.indexOf("K remove sda"));
    expect(w.host.udev.lookup("/dev/sda")).toBeNull();
    // The by-id link falls back to the other path's disk.
    expect(w.host.udev.lookup("/dev/disk/by-id/scsi-333333330000007d0")?.sysname).toBe("sdb");
  });

  it("runs blkid on new disks: reads at the md superblock place and the start", () => {
    const w = createSimWorld({ seed: 3 });
    for (const m of ["sd_mod", "sg"]) w.modprobe(m);
    w.host.startUdev();
    w.clock.advance(1e9);
    w.modprobe("scsi_debug", "add_host=1", "dev_size_mb=16");
    const sd = w.scsi.deviceByName("sda")!.sd!;
    expect(sd.stats.rIos).toBe(0);
    w.clock.advance(1e9);
    // Twice: for the disk's add, and for the change 60-block.rules forwards from the power-on
    // unit attention of the SCSI device.
    expect(sd.stats.rIos).toBe(4);
    expect(sd.stats.rSectors).toBe(2 * (128 + 256));
  });

  it("makes libdm's maps visible: /dev/mapper link, DM_* properties, scan I/O through the map", () => {
    const w = world();
    const dm = w.kernel.dm;
    expect(dm.create("mp0", { uuid: "mpath-333333330000007d0" }).ok).toBe(true);
    const params = "0 1 alua 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1";
    expect(dm.load("mp0", [{ start: 0, length: 32768, type: "multipath", params }]).ok).toBe(true);
    const before = w.scsi.deviceByName("sda")!.sd!.stats.rIos;
    expect(dm.resume("mp0", { cookie: COOKIE }).ok).toBe(true);
    w.clock.advance(2e9);
    const rec = w.host.udev.lookup("/dev/mapper/mp0")!;
    expect(rec.sysname).toBe("dm-0");
    expect(rec.properties.get("DM_NAME")).toBe("mp0");
    expect(rec.properties.get("DM_UUID")).toBe("mpath-333333330000007d0");
    expect(rec.properties.get("DM_UDEV_PRIMARY_SOURCE_FLAG")).toBe("1");
    expect(rec.properties.get("DM_ACTIVATION")).toBe("1");
    expect(rec.properties.get("MPATH_DEVICE_READY")).toBe("1");
    expect(rec.linkPriority).toBe(50);
    // 11-dm-mpath makes the map own the path's by-id link (priority 50 over 0).
    expect(w.host.udev.lookup("/dev/disk/by-id/scsi-333333330000007d0")?.sysname).toBe("dm-0");
    // 13-dm-disk's blkid read through the map: the first path group did the I/O.
    expect(w.scsi.deviceByName("sda")!.sd!.stats.rIos).toBeGreaterThan(before);
    const st = dm.status("mp0");
    expect(st.ok && st.value.lines[0]!.params.startsWith("2 0 1 0 2 1 A ")).toBe(true);
  });

  it("passes the kernel's DM_COOKIE on the processed event but keeps it out of the database", () => {
    const w = world();
    const dm = w.kernel.dm;
    const seen: Array<string | undefined> = [];
    w.host.udev.subscribe((e) => {
      if (e.device.sysname === "dm-0") seen.push(`${e.action} ${e.device.properties.get("DM_COOKIE")}`);
    });
    dm.create("mp0", { uuid: "mpath-333333330000007d0" });
    const params = "0 1 alua 1 1 service-time 0 1 2 8:0 1 1";
    dm.load("mp0", [{ start: 0, length: 32768, type: "multipath", params }]);
    dm.resume("mp0", { cookie: COOKIE });
    w.clock.advance(2e9);
    expect(seen).toEqual(["add undefined", `change ${COOKIE >>> 0}`]);
    const rec = w.host.udev.lookup("/dev/dm-0")!;
    expect(rec.properties.has("DM_COOKIE")).toBe(false);
    expect(rec.properties.get("DM_NAME")).toBe("mp0");
  });

  it("without libdm's primary-source flag a map's add only disables the other rules (no scan)", () => {
    const w = world();
    const dm = w.kernel.dm;
    dm.create("mp1", { uuid: "mpath-x" });
    dm.load("mp1", [
      { start: 0, length: 32768, type: "multipath", params: "0 0 1 1 service-time 0 1 2 8:0 1 1" },
    ]);
    const before = w.scsi.deviceByName("sda")!.sd!.stats.rIos;
    dm.resume("mp1");
    w.clock.advance(2e9);
    expect(w.scsi.deviceByName("sda")!.sd!.stats.rIos).toBe(before);
  });
});
