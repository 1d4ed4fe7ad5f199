import { describe, expect, it } from "vitest";
import { ReqFlag } from "../block/bio.js";
import { mkdev } from "../block/devt.js";
import { BlkStatus } from "../block/status.js";
import { NSEC_PER_MSEC, NSEC_PER_USEC } from "../clock/clock.js";
import { DmEndio, DmMapio } from "./target.js";
import { FakeControl, fakeTargetType } from "./testing/fake-target.js";
import { dmesg, IoRecorder, testKernel } from "./testing/harness.js";

function setup() {
  const ctl = new FakeControl();
  const { clock, k } = testKernel({ targets: [fakeTargetType("fake", ctl, { queueType: "bio" })] });
  const io = new IoRecorder(clock);
  return { clock, k, ctl, io };
}

function create(
  k: ReturnType<typeof setup>["k"],
  name: string,
  lines: Array<[number, number, string, string]>,
) {
  k.dm.create(name);
  const l = k.dm.load(
    name,
    lines.map(([start, length, type, params]) => ({ start, length, type, params })),
  );
  if (!l.ok) throw new Error(`load: ${l.errno}`);
  const r = k.dm.resume(name);
  if (!r.ok) throw new Error(`resume: ${r.errno}`);
  return k.block.get(r.value.devt)!;
}

describe("bio-based I/O through linear", () => {
  it("reads back what was written, across a table of two linear targets on two devices", () => {
    const { clock, k, io } = setup();
    const dm0 = create(k, "a", [
      [0, 8, "linear", "7:0 100"],
      [8, 8, "linear", "7:1 0"],
    ]);
    const w = io.submit(dm0, "write", 4, 4096, 0xab);
    expect(w.completions).toBe(0);
    clock.runUntilIdle();
    expect(w).toMatchObject({ completions: 1, status: BlkStatus.OK, doneAt: 20 * NSEC_PER_USEC });
    // The halves landed on loop0 at 104.. and loop1 at 0..
    const l0 = io.submit(k.block.get(mkdev(7, 0))!, "read", 104, 2048);
    const l1 = io.submit(k.block.get(mkdev(7, 1))!, "read", 0, 2048);
    const r = io.submit(dm0, "read", 0, 8192);
    clock.runUntilIdle();
    expect([...l0.bio.data!].every((b) => b === 0xab)).toBe(true);
    expect([...l1.bio.data!].every((b) => b === 0xab)).toBe(true);
    const d = r.bio.data!;
    expect(d.subarray(0, 2048).every((b) => b === 0)).toBe(true);
    expect(d.subarray(2048, 6144).every((b) => b === 0xab)).toBe(true);
    expect(d.subarray(6144).every((b) => b === 0)).toBe(true);
  });

  it("I/O past the end of the device fails", () => {
    const { clock, k, io } = setup();
    const dm0 = create(k, "a", [[0, 8, "linear", "7:0 0"]]);
    const r = io.submit(dm0, "read", 8, 512);
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.IOERR });
  });
});

describe("the error target, bio-based", () => {
  it("fails reads and writes with IOERR, completes on the clock, prints no I/O error line", () => {
    const { clock, k, io } = setup();
    const dm0 = create(k, "e", [[0, 16384, "error", ""]]);
    const cur = k.log.cursor();
    const r = io.submit(dm0, "read", 0, 4096);
    const w = io.submit(dm0, "write", 8, 4096, 1);
    expect(r.completions + w.completions).toBe(0);
    clock.runUntilIdle();
    expect([r.status, w.status]).toEqual([BlkStatus.IOERR, BlkStatus.IOERR]);
    expect(r.doneAt).toBe(0);
    expect(dmesg(k, cur)).toEqual([]);
  });

  it("an empty flush succeeds: the error target takes no flush bios", () => {
    const { clock, k, io } = setup();
    const dm0 = create(k, "e", [[0, 16384, "error", ""]]);
    const f = io.submit(dm0, "flush", 0, 0);
    clock.runUntilIdle();
    expect(f).toMatchObject({ completions: 1, status: BlkStatus.OK });
  });

  it("a flush with data is flushed, then written", () => {
    const { clock, k, io } = setup();
    const dm0 = create(k, "a", [[0, 16384, "linear", "7:0 0"]]);
    const f = io.submit(dm0, "flush", 0, 4096, 9);
    clock.runUntilIdle();
    expect(f).toMatchObject({ completions: 1, status: BlkStatus.OK, doneAt: 40 * NSEC_PER_USEC });
    const r = io.submit(k.block.get(mkdev(7, 0))!, "read", 0, 512);
    clock.runUntilIdle();
    expect(r.bio.data![0]).toBe(9);
  });
});

describe("no live table", () => {
  it("I/O to a loaded but never resumed device fails with the kernel's line", () => {
    const { clock, k, io } = setup();
    k.dm.create("a");
    k.dm.load("a", [{ start: 0, length: 8, type: "linear", params: "7:0 0" }]);
    const cur = k.log.cursor();
    const r = io.submit(k.block.get(mkdev(254, 0))!, "read", 0, 512);
    clock.runUntilIdle();
    expect(r.status).toBe(BlkStatus.IOERR);
    expect(dmesg(k, cur)).toEqual(["device-mapper: core: 254:0: mapping table unavailable, erroring io"]);
  });
});

describe("suspend holds bios", () => {
  it("bios submitted while suspended wait until resume", () => {
    const { clock, k, io } = setup();
    const dm0 = create(k, "a", [[0, 16384, "linear", "7:0 0"]]);
    k.dm.suspend("a");
    const r = io.submit(dm0, "read", 0, 4096);
    clock.advance(10_000 * NSEC_PER_MSEC);
    expect(r.completions).toBe(0);
    k.dm.resume("a");
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.OK });
  });

  it("REQUEUE during a noflush suspend pushes the bio back until resume; it is then mapped by the new table", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "a", [[0, 16384, "fake", "7:0"]]);
    ctl.mapVerdict = DmMapio.SUBMITTED;
    const r = io.submit(dm0, "read", 0, 4096);
    expect(ctl.held).toHaveLength(1);
    k.dm.load("a", [{ start: 0, length: 16384, type: "linear", params: "7:1 0" }]);
    k.dm.suspend("a", { noflush: true });
    const held = ctl.held.pop()!;
    expect(held.env.noflushSuspending()).toBe(true);
    ctl.endIoVerdict = DmEndio.REQUEUE;
    held.env.endBio(held.clone, BlkStatus.TRANSPORT);
    clock.runUntilIdle();
    expect(r.completions).toBe(0);
    expect(held.env.noflushSuspending()).toBe(false);
    expect(ctl.alive).toBe(1);
    k.dm.resume("a");
    // The old table went away once its last bio was back.
    expect(ctl.alive).toBe(0);
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.OK });
  });

  it("REQUEUE outside a noflush suspend fails the bio with IOERR", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "a", [[0, 16384, "fake", "7:0"]]);
    ctl.mapVerdict = DmMapio.REQUEUE;
    const r = io.submit(dm0, "read", 0, 4096);
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.IOERR });
    ctl.mapVerdict = DmMapio.SUBMITTED;
    const r2 = io.submit(dm0, "read", 0, 4096);
    k.dm.suspend("a");
    const held = ctl.held.pop()!;
    ctl.endIoVerdict = DmEndio.REQUEUE;
    held.env.endBio(held.clone, BlkStatus.TRANSPORT);
    clock.runUntilIdle();
    expect(r2).toMatchObject({ completions: 1, status: BlkStatus.IOERR });
  });

  it("NOWAIT bios fail with AGAIN and readahead with IOERR while suspended", () => {
    const { clock, k, io } = setup();
    const dm0 = create(k, "a", [[0, 16384, "linear", "7:0 0"]]);
    k.dm.suspend("a");
    const a = io.submit(dm0, "read", 0, 512, undefined, ReqFlag.NOWAIT);
    const b = io.submit(dm0, "read", 0, 512, undefined, ReqFlag.RAHEAD);
    clock.runUntilIdle();
    expect([a.status, b.status]).toEqual([BlkStatus.AGAIN, BlkStatus.IOERR]);
  });
});

describe("targets that keep clones", () => {
  it("end_io INCOMPLETE: the target retries the clone itself with env.submitBio", () => {
    const { clock, k, ctl, io } = setup();
    k.losetup("loop2", 0);
    k.loop.detach(2);
    const dm0 = create(k, "a", [[0, 8, "fake", "7:2"]]);
    ctl.endIoVerdict = DmEndio.INCOMPLETE;
    const r = io.submit(dm0, "read", 0, 512);
    clock.runUntilIdle();
    expect(r.completions).toBe(0);
    const held = ctl.held.pop()!;
    held.clone.dev = k.block.get(mkdev(7, 0))!;
    held.env.submitBio(held.clone);
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.OK });
  });

  it("env.endBio completes on the clock, never inside the call", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "a", [[0, 8, "fake", "7:0"]]);
    ctl.mapVerdict = DmMapio.SUBMITTED;
    const r = io.submit(dm0, "read", 0, 512);
    const held = ctl.held.pop()!;
    held.env.endBio(held.clone, BlkStatus.OK);
    expect(r.completions).toBe(0);
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.OK });
  });

  it("an unknown map verdict fails the bio with DMCRIT", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "a", [[0, 8, "fake", "7:0"]]);
    ctl.mapVerdict = DmMapio.DELAY_REQUEUE;
    const cur = k.log.cursor();
    const r = io.submit(dm0, "read", 0, 512);
    clock.runUntilIdle();
    expect(r.status).toBe(BlkStatus.IOERR);
    expect(dmesg(k, cur)).toEqual(["device-mapper: core: unimplemented target map return value: 1025"]);
  });
});

describe("tables and devices going away under I/O", () => {
  it("a swapped-out table is destroyed only after its in-flight bios completed", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "a", [[0, 16384, "fake", "7:0"]]);
    const r = io.submit(dm0, "read", 0, 4096);
    k.dm.load("a", [{ start: 0, length: 16384, type: "linear", params: "7:1 0" }]);
    k.dm.resume("a");
    expect(ctl.alive).toBe(1);
    expect(k.block.openCount(mkdev(7, 0))).toBe(1);
    clock.runUntilIdle();
    expect(r.status).toBe(BlkStatus.OK);
    expect(ctl.alive).toBe(0);
    expect(k.block.openCount(mkdev(7, 0))).toBe(0);
  });

  it("bios held by a suspended device fail when it is removed", () => {
    const { clock, k, io } = setup();
    const dm0 = create(k, "a", [[0, 16384, "linear", "7:0 0"]]);
    k.dm.suspend("a");
    const r = io.submit(dm0, "read", 0, 512);
    expect(k.dm.remove("a").ok).toBe(true);
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.IOERR });
  });
});
