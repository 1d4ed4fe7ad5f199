import { describe, expect, it } from "vitest";
import { mkdev } from "../block/devt.js";
import { BlkStatus } from "../block/status.js";
import { NSEC_PER_MSEC, NSEC_PER_USEC } from "../clock/clock.js";
import type { VirtualClock } from "../clock/virtual-clock.js";
import { DmEndio, DmMapio, DmTargetFeature } from "./target.js";
import { FakeControl, fakeTargetType } from "./testing/fake-target.js";
import { dmesg, IoRecorder, testKernel } from "./testing/harness.js";

function setup() {
  const ctl = new FakeControl();
  const { clock, k } = testKernel({
    targets: [
      fakeTargetType("fakerq", ctl, {
        queueType: "request",
        features: DmTargetFeature.SINGLETON | DmTargetFeature.IMMUTABLE,
      }),
    ],
  });
  const io = new IoRecorder(clock);
  return { clock, k, ctl, io };
}

function create(k: ReturnType<typeof setup>["k"], name: string, dev = "7:0", type = "fakerq") {
  k.dm.create(name);
  const l = k.dm.load(name, [{ start: 0, length: 16384, type, params: type === "error" ? "" : dev }]);
  if (!l.ok) throw new Error(`load: ${l.errno}`);
  const r = k.dm.resume(name);
  if (!r.ok) throw new Error(`resume: ${r.errno}`);
  // Let the queue run that the resume started go by.
  (k.clock as VirtualClock).runUntilIdle();
  return k.block.get(r.value.devt)!;
}

describe("request-based I/O", () => {
  it("maps a clone onto the path and completes the request with its status", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "r");
    expect(dm0.requestStackable).toBe(true);
    const w = io.submit(dm0, "write", 16, 4096, 5);
    expect(ctl.calls.at(-1)).toBe("clone_and_map");
    clock.runUntilIdle();
    expect(w).toMatchObject({ completions: 1, status: BlkStatus.OK, doneAt: 20 * NSEC_PER_USEC });
    expect(ctl.calls.at(-1)).toBe("rq_end_io:0");
    const r = io.submit(k.block.get(mkdev(7, 0))!, "read", 16, 512);
    clock.runUntilIdle();
    expect(r.bio.data![0]).toBe(5);
  });

  it("KILL fails the request with IOERR and the block layer's I/O error line for dm-N", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "r");
    ctl.mapVerdict = DmMapio.KILL;
    const cur = k.log.cursor();
    const r = io.submit(dm0, "read", 0, 4096);
    expect(r.completions).toBe(0);
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.IOERR, doneAt: 0 });
    expect(dmesg(k, cur)).toEqual([
      "I/O error, dev dm-0, sector 0 op 0x0:(READ) flags 0x800 phys_seg 1 prio class 2",
    ]);
  });

  it("the error target is hybrid: on a new device it is bio-based and prints nothing", () => {
    const { clock, k, io } = setup();
    const e = create(k, "e", "", "error");
    expect(e.requestStackable).toBe(false);
    const cur = k.log.cursor();
    const r = io.submit(e, "read", 0, 512);
    clock.runUntilIdle();
    expect(r.status).toBe(BlkStatus.IOERR);
    expect(dmesg(k, cur)).toEqual([]);
  });

  it("DELAY_REQUEUE maps the request again 100 ms later", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "r");
    ctl.mapVerdict = DmMapio.DELAY_REQUEUE;
    ctl.calls.length = 0;
    const r = io.submit(dm0, "read", 0, 4096);
    clock.advance(99 * NSEC_PER_MSEC);
    expect(ctl.count("clone_and_map")).toBe(1);
    ctl.mapVerdict = DmMapio.REMAPPED;
    clock.advance(1 * NSEC_PER_MSEC);
    expect(ctl.count("clone_and_map")).toBe(2);
    clock.runUntilIdle();
    expect(r).toMatchObject({
      completions: 1,
      status: BlkStatus.OK,
      doneAt: 100 * NSEC_PER_MSEC + 20 * NSEC_PER_USEC,
    });
  });

  it("REQUEUE (no resources) retries after BLK_MQ_RESOURCE_DELAY when nothing is in flight", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "r");
    ctl.mapVerdict = DmMapio.REQUEUE;
    ctl.calls.length = 0;
    const r = io.submit(dm0, "read", 0, 4096);
    clock.advance(3 * NSEC_PER_MSEC - 1);
    expect(ctl.count("clone_and_map")).toBe(1);
    ctl.mapVerdict = DmMapio.REMAPPED;
    clock.runUntilIdle();
    expect(ctl.count("clone_and_map")).toBe(2);
    expect(r.status).toBe(BlkStatus.OK);
  });

  it("a busy target holds dispatch until a completion restarts the queue", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "r");
    const a = io.submit(dm0, "read", 0, 4096);
    ctl.busy = true;
    const b = io.submit(dm0, "read", 8, 4096);
    expect(ctl.count("clone_and_map")).toBe(1);
    ctl.busy = false;
    clock.runUntilIdle();
    expect([a.status, b.status]).toEqual([BlkStatus.OK, BlkStatus.OK]);
    expect(b.doneAt).toBe(40 * NSEC_PER_USEC);
  });

  it("rq_end_io REQUEUE sends the original back through the target", () => {
    const { clock, k, ctl, io } = setup();
    k.loop.detach(1);
    const dm0 = create(k, "r", "7:1");
    ctl.endIoVerdict = DmEndio.REQUEUE;
    const cur = k.log.cursor();
    const r = io.submit(dm0, "read", 0, 4096);
    clock.advance(20 * NSEC_PER_USEC);
    // The clone failed on the unbound loop device, which prints its own line.
    expect(dmesg(k, cur)).toEqual([
      "I/O error, dev loop1, sector 0 op 0x0:(READ) flags 0x800 phys_seg 1 prio class 2",
    ]);
    expect(r.completions).toBe(0);
    ctl.endIoVerdict = DmEndio.DONE;
    clock.runUntilIdle();
    expect(ctl.count("clone_and_map")).toBe(2);
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.IOERR });
  });
});

describe("request-based suspend and resume", () => {
  it("requests submitted while suspended wait in the stopped queue", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "r");
    k.dm.suspend("r");
    ctl.calls.length = 0;
    const r = io.submit(dm0, "read", 0, 4096);
    clock.advance(1000 * NSEC_PER_MSEC);
    expect(r.completions).toBe(0);
    expect(ctl.count("clone_and_map")).toBe(0);
    k.dm.resume("r");
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.OK });
  });

  it("requeued requests stay queued across a noflush suspend", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "r");
    ctl.mapVerdict = DmMapio.DELAY_REQUEUE;
    const r = io.submit(dm0, "read", 0, 4096);
    clock.advance(250 * NSEC_PER_MSEC);
    k.dm.suspend("r", { noflush: true });
    const n = ctl.count("clone_and_map");
    clock.advance(1000 * NSEC_PER_MSEC);
    expect(ctl.count("clone_and_map")).toBe(n);
    ctl.mapVerdict = DmMapio.REMAPPED;
    k.dm.resume("r");
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.OK });
  });

  it("a flushing suspend whose presuspend re-runs the queue fails queued requests before the queue stops", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "r");
    ctl.mapVerdict = DmMapio.DELAY_REQUEUE;
    const r = io.submit(dm0, "read", 0, 4096);
    clock.advance(150 * NSEC_PER_MSEC);
    ctl.onPresuspend = (env, noflush) => {
      if (noflush) return;
      ctl.mapVerdict = DmMapio.KILL;
      env.runQueue();
    };
    const cur = k.log.cursor();
    expect(k.dm.suspend("r").ok).toBe(true);
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.IOERR });
    expect(k.dm.info("r")).toMatchObject({ ok: true, value: { suspended: true } });
    expect(dmesg(k, cur)).toEqual([
      "I/O error, dev dm-0, sector 0 op 0x0:(READ) flags 0x800 phys_seg 1 prio class 2",
    ]);
  });

  it("I/O before the first resume fails with the kernel's lines", () => {
    const { clock, k, io } = setup();
    k.dm.create("r");
    k.dm.load("r", [{ start: 0, length: 16384, type: "fakerq", params: "7:0" }]);
    const cur = k.log.cursor();
    const r = io.submit(k.block.get(mkdev(254, 0))!, "read", 0, 4096);
    clock.runUntilIdle();
    expect(r.status).toBe(BlkStatus.IOERR);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: core-rq: 254:0: mapping table unavailable, erroring io",
      "I/O error, dev dm-0, sector 0 op 0x0:(READ) flags 0x800 phys_seg 1 prio class 2",
    ]);
  });

  it("requests held when the device is removed fail, without an I/O error line", () => {
    const { clock, k, ctl, io } = setup();
    const dm0 = create(k, "r");
    ctl.mapVerdict = DmMapio.DELAY_REQUEUE;
    const r = io.submit(dm0, "read", 0, 4096);
    const cur = k.log.cursor();
    expect(k.dm.remove("r").ok).toBe(true);
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.IOERR });
    expect(dmesg(k, cur)).toEqual([]);
    expect(ctl.alive).toBe(0);
  });
});

describe("removal under in-flight requests", () => {
  it("a request requeued after its suspended device was removed fails instead of waiting forever", () => {
    const { clock, k, ctl, io } = setup();
    k.loop.detach(1);
    const dm0 = create(k, "r", "7:1");
    ctl.endIoVerdict = DmEndio.REQUEUE;
    const r = io.submit(dm0, "read", 0, 4096);
    k.dm.suspend("r", { noflush: true });
    expect(k.dm.remove("r").ok).toBe(true);
    clock.runUntilIdle();
    expect(r).toMatchObject({ completions: 1, status: BlkStatus.IOERR });
    expect(ctl.alive).toBe(0);
  });
});
