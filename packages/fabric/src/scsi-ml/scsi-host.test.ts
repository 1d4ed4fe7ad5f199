import { NSEC_PER_SEC, type ScsiResult } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { createSimWorld } from "../world.js";

type Outcome = ScsiResult | { readonly errno: number };

/** INQUIRY through SG_IO to every disk at once; returns the outcomes as they come. */
function inquireAll(w: ReturnType<typeof createSimWorld>, names: readonly string[]): Map<string, Outcome> {
  const done = new Map<string, Outcome>();
  for (const n of names)
    w.host.sgIo(
      n,
      {
        cdb: Uint8Array.of(0x12, 0, 0, 0, 36, 0),
        direction: "from-device",
        allocationLength: 36,
        timeoutMs: 30_000,
      },
      (r) => done.set(n, r),
    );
  return done;
}

describe("the SCSI host's queue", () => {
  it("runs a device starved by a full host once any command of the host completes", () => {
    const w = createSimWorld({ seed: 1 });
    w.modprobe("sd_mod");
    // One host, can_queue 4, eight LUNs: half the commands find the host full.
    expect(w.modprobe("scsi_debug", "add_host=1", "max_luns=8", "max_queue=4", "dev_size_mb=8").ok).toBe(
      true,
    );
    const names = w.scsi.devices().map((d) => d.sd!.name);
    expect(names).toHaveLength(8);
    const done = inquireAll(w, names);
    const host = w.scsi.hosts[0]!;
    expect(host.busy).toBe(4);
    expect(w.scsi.devices().filter((d) => d.queued > 0 && d.busy === 0)).toHaveLength(4);
    w.clock.advance(NSEC_PER_SEC);
    expect([...done.keys()].sort()).toEqual([...names].sort());
    for (const r of done.values()) expect("errno" in r ? r.errno : r.status).toBe(0);
    expect(host.busy).toBe(0);
    expect(w.scsi.devices().every((d) => d.queued === 0 && !d.starved)).toBe(true);
  });

  it("gives the starved devices the host in the order they were refused", () => {
    const w = createSimWorld({ seed: 1 });
    w.modprobe("sd_mod");
    w.modprobe("scsi_debug", "add_host=1", "max_luns=6", "max_queue=2", "dev_size_mb=8");
    const names = w.scsi.devices().map((d) => d.sd!.name);
    const order: string[] = [];
    for (const n of [...names].reverse())
      w.host.sgIo(n, { cdb: Uint8Array.of(0x00, 0, 0, 0, 0, 0), direction: "none", timeoutMs: 30_000 }, () =>
        order.push(n),
      );
    w.clock.advance(NSEC_PER_SEC);
    expect(order).toEqual([...names].reverse());
  });

  it("forgets a starved device that is removed", () => {
    const w = createSimWorld({ seed: 1 });
    w.modprobe("sd_mod");
    w.modprobe("scsi_debug", "add_host=1", "max_luns=3", "max_queue=1", "dev_size_mb=8");
    const names = w.scsi.devices().map((d) => d.sd!.name);
    const done = inquireAll(w, names);
    const last = w.scsi.devices()[2]!;
    expect(last.starved).toBe(true);
    expect(w.host.sysfs.write(`/sys/block/${last.sd!.name}/device/delete`, "1")).toBe(0);
    w.clock.advance(NSEC_PER_SEC);
    expect(last.state).toBe("deleted");
    expect(last.starved).toBe(false);
    expect(done.size).toBe(3);
    // The queued command fails as the device goes (DID_NO_CONNECT), it does not hang.
    const gone = done.get(names[2]!)!;
    expect("errno" in gone ? gone.errno : gone.hostStatus).toBe(0x01);
  });
});
