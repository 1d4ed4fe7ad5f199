import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.js";
import { IoRecorder } from "../dm/testing/harness.js";
import { createKernel } from "../kernel/kernel.js";
import type { Uevent } from "../kernel/uevent.js";
import { mkdev } from "./devt.js";
import { BlkStatus, Errno } from "./status.js";

function setup(serviceNs?: number) {
  const clock = new VirtualClock();
  const k = createKernel(serviceNs === undefined ? { clock } : { clock, loopServiceTimeNs: serviceNs });
  const uevents: Uevent[] = [];
  k.uevents.subscribe((e) => uevents.push(e));
  return { clock, k, io: new IoRecorder(clock), uevents };
}

describe("loop", () => {
  it("is a request-stackable whole disk with 512-byte blocks", () => {
    const { k } = setup();
    const r = k.losetup("loop0", 1 << 20);
    expect(r.ok).toBe(true);
    const d = k.block.get(mkdev(7, 0))!;
    expect(d).toMatchObject({
      name: "loop0",
      logicalBlockSize: 512,
      requestStackable: true,
      partition: false,
    });
    expect(d.sizeSectors()).toBe(2048);
    expect(d.readOnly()).toBe(false);
  });

  it("reads zeros where nothing was written and the data where it was, after the service time", () => {
    const { clock, k, io } = setup(50_000);
    k.losetup("loop0", 1 << 20);
    const d = k.block.get(mkdev(7, 0))!;
    const w = io.submit(d, "write", 127, 65536 + 1024, 0x5a);
    clock.runUntilIdle();
    // 50 µs fixed + 66 560 bytes copied at 2 GB/s.
    expect(w).toMatchObject({ completions: 1, status: BlkStatus.OK, doneAt: 50_000 + 33_280 });
    const r = io.submit(d, "read", 120, 8192 * 10);
    clock.runUntilIdle();
    const data = r.bio.data!;
    expect(data.subarray(0, 7 * 512).every((b) => b === 0)).toBe(true);
    expect(data.subarray(7 * 512, 7 * 512 + 65536 + 1024).every((b) => b === 0x5a)).toBe(true);
    expect(data.subarray(7 * 512 + 65536 + 1024).every((b) => b === 0)).toBe(true);
  });

  it("takes the fixed time plus the copy: 4 KiB stays fast, 1 MiB runs at the copy bandwidth", () => {
    const { clock, k, io } = setup();
    k.losetup("loop0", 8 << 20);
    const d = k.block.get(mkdev(7, 0))!;
    const small = io.submit(d, "read", 0, 4096);
    clock.runUntilIdle();
    expect(small.doneAt).toBe(20_000 + 2_048);
    const t0 = clock.now();
    const big = io.submit(d, "read", 0, 1 << 20);
    clock.runUntilIdle();
    expect(big.doneAt! - t0).toBe(20_000 + 524_288);
    // dd bs=1M: about 1.9 GB/s, not tens of GB/s.
    expect((1 << 20) / ((big.doneAt! - t0) / 1e9)).toBeLessThan(2e9);
  });

  it("copies one I/O at a time per device (one worker); the fixed part overlaps", () => {
    const { clock, k, io } = setup();
    k.losetup("loop0", 8 << 20);
    k.losetup("loop1", 8 << 20);
    const d0 = k.block.get(mkdev(7, 0))!;
    const d1 = k.block.get(mkdev(7, 1))!;
    const a = io.submit(d0, "read", 0, 1 << 20);
    const b = io.submit(d0, "write", 2048, 4096, 1);
    const c = io.submit(d1, "read", 0, 1 << 20);
    clock.runUntilIdle();
    expect(a.doneAt).toBe(20_000 + 524_288);
    expect(b.doneAt).toBe(20_000 + 524_288 + 2_048);
    // Another device has its own worker.
    expect(c.doneAt).toBe(20_000 + 524_288);
  });

  it("with infinite bandwidth every I/O takes the fixed time only", () => {
    const clock = new VirtualClock();
    const k = createKernel({ clock, loopServiceTimeNs: 7_000, loopBandwidthBytesPerSec: Infinity });
    const io = new IoRecorder(clock);
    k.losetup("loop0", 8 << 20);
    const d = k.block.get(mkdev(7, 0))!;
    const a = io.submit(d, "read", 0, 1 << 20);
    const b = io.submit(d, "read", 0, 1 << 20);
    clock.runUntilIdle();
    expect([a.doneAt, b.doneAt]).toEqual([7_000, 7_000]);
  });

  it("fails I/O beyond the end and on an unbound device, printing the request error", () => {
    const { clock, k, io } = setup();
    k.losetup("loop0", 4096);
    const cur = k.log.cursor();
    const a = io.submit(k.block.get(mkdev(7, 0))!, "read", 8, 512);
    const b = io.submit(k.block.get(mkdev(7, 1))!, "write", 0, 512, 1);
    clock.runUntilIdle();
    expect([a.status, b.status]).toEqual([BlkStatus.IOERR, BlkStatus.IOERR]);
    expect(k.log.since(cur).map((l) => l.text)).toEqual([
      "I/O error, dev loop0, sector 8 op 0x0:(READ) flags 0x800 phys_seg 1 prio class 2",
      "I/O error, dev loop1, sector 0 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 2",
    ]);
  });

  it("a read-only binding refuses writes", () => {
    const { clock, k, io } = setup();
    k.losetup("loop0", 4096, { readOnly: true });
    const w = io.submit(k.block.get(mkdev(7, 0))!, "write", 0, 512, 1);
    clock.runUntilIdle();
    expect(w.status).toBe(BlkStatus.IOERR);
  });

  it("module load adds loop0..loop7; bind and unbind are media changes with their uevents", () => {
    const { k, uevents } = setup();
    k.losetup("loop2", 4096);
    expect(uevents.slice(0, 8).map((e) => `${e.action} ${e.devpath}`)).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `add /devices/virtual/block/loop${i}`),
    );
    expect(uevents.at(-1)).toMatchObject({ action: "change", devpath: "/devices/virtual/block/loop2" });
    // Eight disks took diskseq 1..8; the bind is a media change: 9.
    expect(uevents.at(-1)?.env.at(-2)).toEqual(["DISKSEQ", "9"]);
    const n = uevents.length;
    expect(k.loop.detach(2)).toBe(0);
    expect(uevents.slice(n).map((e) => e.env.slice(3, 4)[0])).toEqual([
      ["MAJOR", "7"],
      ["DISK_MEDIA_CHANGE", "1"],
    ]);
    expect(k.diskSeq.last).toBe(10);
  });

  it("detach while open waits for the last close", () => {
    const { k } = setup();
    k.losetup("loop2", 4096);
    k.block.open(mkdev(7, 2));
    expect(k.loop.detach(2)).toBe(0);
    expect(k.block.get(mkdev(7, 2))!.sizeSectors()).toBe(8);
    k.block.close(mkdev(7, 2));
    expect(k.block.get(mkdev(7, 2))!.sizeSectors()).toBe(0);
    expect(k.loop.detach(2)).toBe(Errno.ENXIO);
    expect(k.loop.detach(9)).toBe(Errno.ENXIO);
  });

  it("losetup creates devices beyond the first eight on demand", () => {
    const { k } = setup();
    expect(k.losetup("loop12", 4096).ok).toBe(true);
    expect(k.block.byName("loop12")?.devt).toBe(mkdev(7, 12));
  });
});
