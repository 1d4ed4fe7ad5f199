import { readFileSync } from "node:fs";
import { mkdev } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { blockIo } from "../../test/fc-world.js";
import { createSimWorld, type SimWorld } from "../world.js";

/**
 * sd names while device-mapper holds a disk that went away, against the kernel lab
 * (`test/fixtures/lab/sd-names.{sh,out}`): the sd index is released only with the last
 * reference to the `scsi_disk` (`scsi_disk_release`), and the host number only with the last
 * reference to the `scsi_device` it pins — so while a dm table holds `sdb` of a removed host, a
 * re-added host is `host2` with `sdc`; once the table is gone the numbers are free again.
 */
const LAB = readFileSync(new URL("../../test/fixtures/lab/sd-names.out", import.meta.url), "utf8");

const LISTING = /^sd[a-z]+ \d+:\d+ \d+:\d+:\d+:\d+$/;
const EVENTS = /Synchronizing SCSI cache|scsi host\d+:|Attached scsi generic|Attached SCSI disk/;

/** Runs of consecutive `disks` lines: one listing each. */
function labListings(): string[][] {
  const out: string[][] = [];
  let cur: string[] | null = null;
  for (const l of LAB.split("\n")) {
    if (LISTING.test(l)) (cur ??= []).push(l);
    else if (cur) {
      out.push(cur);
      cur = null;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** `disks` of the lab script: name, dev_t and H:C:T:L of every sd disk. */
function disks(w: SimWorld): string[] {
  const s = w.host.sysfs;
  return (s.list("/sys/block") ?? [])
    .filter((n) => n.startsWith("sd"))
    .map((n) => {
      const hctl = (s.realpath(`/sys/block/${n}/device`) ?? "").split("/").pop();
      return `${n} ${s.read(`/sys/block/${n}/dev`)!.trim()} ${hctl}`;
    });
}

describe("sd names after a held disk goes away (kernel lab)", () => {
  it("replays the lab: new names while dm holds sdb, the old ones back once it lets go", async () => {
    const w = createSimWorld({ seed: 1 });
    for (const m of ["sd_mod", "sg", "dm-mod"]) expect(w.modprobe(m).ok).toBe(true);
    expect(w.modprobe("scsi_debug", "add_host=2", "num_tgts=1", "max_luns=1", "dev_size_mb=16").ok).toBe(
      true,
    );
    w.clock.advance(2e9);
    const sys = w.host.sysfs;
    const dm = w.kernel.dm;
    const addHost = (n: string) => {
      expect(sys.write("/sys/bus/pseudo/drivers/scsi_debug/add_host", `${n}\n`)).toBe(0);
      w.clock.advance(2e9);
    };
    const table = (name: string, devt: string) => {
      expect(dm.create(name).ok).toBe(true);
      expect(dm.load(name, [{ start: 0, length: 32768, type: "linear", params: `${devt} 0` }]).ok).toBe(true);
      expect(dm.resume(name).ok).toBe(true);
    };
    const listings: string[][] = [];
    listings.push(disks(w));
    const cursor = w.kernel.log.cursor();

    table("holder", "8:16");
    expect(sys.list("/sys/block/sdb/holders")).toEqual(["dm-0"]);
    addHost("-1");
    listings.push(disks(w));
    // The table still names 8:16; I/O through it fails (EIO, and the kernel says nothing).
    const deps = dm.deps("holder");
    expect(deps.ok && deps.value.deps).toEqual([mkdev(8, 16)]);
    const logBefore = w.kernel.log.cursor();
    expect((await blockIo(w, "/dev/mapper/holder", "read", 0, new Uint8Array(4096))).status).not.toBe(0);
    expect(w.kernel.log.since(logBefore)).toEqual([]);
    addHost("1");
    listings.push(disks(w));
    addHost("1");
    listings.push(disks(w));

    expect(dm.remove("holder").ok).toBe(true);
    addHost("-1");
    listings.push(disks(w));
    addHost("1");
    listings.push(disks(w));

    table("holder2", "8:0");
    expect(sys.write("/sys/block/sda/device/delete", "1\n")).toBe(0);
    w.clock.advance(1e9);
    listings.push(disks(w));
    expect(sys.write("/sys/class/scsi_host/host0/scan", "- - -\n")).toBe(0);
    w.clock.advance(2e9);
    listings.push(disks(w));
    expect(dm.remove("holder2").ok).toBe(true);
    expect(sys.write("/sys/block/sdd/device/delete", "1\n")).toBe(0);
    w.clock.advance(1e9);
    expect(sys.write("/sys/class/scsi_host/host0/scan", "- - -\n")).toBe(0);
    w.clock.advance(2e9);
    listings.push(disks(w));

    expect(listings).toEqual(labListings());
    // The kernel's own account of it: which host numbers, sg minors and disk names came.
    const labEvents = LAB.slice(LAB.indexOf("########## dm holds sdb"))
      .split("\n")
      .filter((l) => l.startsWith("dmesg: ") && EVENTS.test(l))
      .map((l) => l.slice(7));
    const modelEvents = w.kernel.log
      .since(cursor)
      .map((l) => l.text)
      .filter((t) => EVENTS.test(t));
    expect(modelEvents).toEqual(labEvents);
  });
});
