import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createSimWorld, type SimWorld } from "../world.js";

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/lab/${name}`, import.meta.url), "utf8");

/** The conformance setup: handlers and dm loaded, udev running, then scsi_debug. */
function conformanceWorld(
  params = "add_host=2 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=16",
): SimWorld {
  const w = createSimWorld({ seed: 1 });
  for (const m of ["sd_mod", "sg", "scsi_dh_alua", "scsi_dh_emc", "scsi_dh_rdac", "dm-multipath"])
    expect(w.modprobe(m).ok).toBe(true);
  w.host.startUdev();
  w.clock.advance(1e9);
  const r = w.modprobe("scsi_debug", ...params.split(" "));
  expect(r.ok).toBe(true);
  w.clock.advance(2e9);
  return w;
}

describe("scsi_debug as the conformance loads it", () => {
  it("makes sda 8:0 and sdb 8:16, one per host, with the real module's identity", () => {
    const w = conformanceWorld();
    const s = w.host.sysfs;
    expect(s.read("/sys/block/sda/dev")).toBe("8:0\n");
    expect(s.read("/sys/block/sdb/dev")).toBe("8:16\n");
    expect(s.read("/sys/block/sdc/dev")).toBeNull();
    expect(s.read("/sys/block/sda/size")).toBe("32768\n");
    expect(s.read("/sys/block/sda/device/vendor")).toBe("Linux   \n");
    expect(s.read("/sys/block/sda/device/model")).toBe("scsi_debug      \n");
    expect(s.read("/sys/block/sda/device/rev")).toBe("0191\n");
    expect(s.read("/sys/block/sda/device/wwid")).toBe("naa.33333330000007d0\n");
    expect(s.read("/sys/block/sdb/device/wwid")).toBe("naa.33333330000007d0\n");
    expect(s.realpath("/sys/block/sda/device")).toBe(
      "/sys/devices/pseudo_0/adapter0/host0/target0:0:0/0:0:0:0",
    );
    expect(s.realpath("/sys/block/sdb/device")).toBe(
      "/sys/devices/pseudo_0/adapter1/host1/target1:0:0/1:0:0:0",
    );
  });

  it("reports host_no % 3 as the ALUA state of each host's port group, none preferred", () => {
    const w = conformanceWorld("add_host=4 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=8");
    const states = ["sda", "sdb", "sdc", "sdd"].map((d) =>
      w.host.sysfs.read(`/sys/block/${d}/device/access_state`),
    );
    expect(states).toEqual([
      "active/optimized\n",
      "active/non-optimized\n",
      "standby\n",
      "active/optimized\n",
    ]);
    expect(w.host.sysfs.read("/sys/block/sdc/device/preferred_path")).toBe("0\n");
    expect(w.host.sysfs.read("/sys/block/sda/device/dh_state")).toBe("alua\n");
  });

  it("gives one WWID per LUN with vpd_use_hostno=0 and one per host and LUN otherwise", () => {
    const w = conformanceWorld("add_host=2 num_tgts=1 max_luns=2 vpd_use_hostno=0 dev_size_mb=8");
    const wwid = (d: string) => w.host.sysfs.read(`/sys/block/${d}/device/wwid`);
    expect([wwid("sda"), wwid("sdb"), wwid("sdc"), wwid("sdd")]).toEqual([
      "naa.33333330000007d0\n",
      "naa.33333330000007d1\n",
      "naa.33333330000007d0\n",
      "naa.33333330000007d1\n",
    ]);
    const v = conformanceWorld("add_host=2 num_tgts=1 max_luns=1 vpd_use_hostno=1 dev_size_mb=8");
    expect(v.host.sysfs.read("/sys/block/sda/device/wwid")).not.toBe(
      v.host.sysfs.read("/sys/block/sdb/device/wwid"),
    );
  });

  it("rejects bad parameters like the real module (modprobe's EINVAL)", () => {
    const w = createSimWorld({ seed: 1 });
    const r = w.modprobe("scsi_debug", "dev_size_mb=bogus");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe("modprobe: ERROR: could not insert 'scsi_debug': Invalid argument");
    const log = w.kernel.log.since(0).map((l) => l.text);
    expect(log).toContain("scsi_debug: `bogus' invalid for parameter `dev_size_mb'");
  });

  it("logs the scan as the lab's kernel does (same lines; per device in the same order)", () => {
    const w = createSimWorld({ seed: 1 });
    expect(w.modprobe("scsi_mod", "scan=manual").ok).toBe(true);
    for (const m of ["sd_mod", "sg", "scsi_dh_alua", "scsi_dh_emc", "scsi_dh_rdac", "dm-mod", "dm-multipath"])
      expect(w.modprobe(m).ok).toBe(true);
    w.host.startUdev();
    w.clock.advance(1e9);
    const cursor = w.kernel.log.cursor();
    expect(
      w.modprobe("scsi_debug", "add_host=3", "num_tgts=1", "max_luns=2", "vpd_use_hostno=0", "dev_size_mb=16")
        .ok,
    ).toBe(true);
    for (const h of [0, 1, 2])
      for (const l of [0, 1]) {
        expect(w.host.sysfs.write(`/sys/class/scsi_host/host${h}/scan`, `0 0 ${l}\n`)).toBe(0);
        w.clock.advance(200e6);
      }
    w.clock.advance(2e9);
    const model = w.kernel.log.since(cursor).map((l) => l.text);
    const real = fixture("dmesg-modprobe.txt")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.replace(/^\[[ 0-9.]+\] ?/, ""));
    // Races of the real kernel: the alua handler's messages come from a workqueue, and sg
    // attaches while sd binds asynchronously (its prefix is "sd" or "scsi" by who wins).
    const norm = (ls: string[]) => ls.map((l) => l.replace(/^scsi (\S+: Attached scsi generic)/, "sd $1"));
    expect(norm(model).sort()).toEqual(norm(real).sort());
    const notAlua = (ls: string[]) =>
      norm(ls).filter((l) => !l.includes(": alua: ") && !l.includes("Attached scsi generic"));
    expect(notAlua(model)).toEqual(notAlua(real));
  });
});
