import { describe, expect, it } from "vitest";
import { mkdev } from "../block/devt.js";
import { Errno } from "../block/status.js";
import type { Uevent } from "../kernel/uevent.js";
import type { DmInfo, DmResult } from "./ioctl.js";
import { DmTargetFeature } from "./target.js";
import { FakeControl, fakeTargetType } from "./testing/fake-target.js";
import { dmesg, testKernel } from "./testing/harness.js";

function setup() {
  const ctl = new FakeControl();
  const { clock, k } = testKernel({
    targets: [
      fakeTargetType("fake", ctl, { queueType: "bio" }),
      fakeTargetType("fakerq", ctl, {
        queueType: "request",
        features: DmTargetFeature.SINGLETON | DmTargetFeature.IMMUTABLE,
      }),
    ],
  });
  const uevents: Uevent[] = [];
  k.uevents.subscribe((e) => uevents.push(e));
  return { clock, k, ctl, uevents };
}

const linear = (dev = "7:0", len = 16384) => [{ start: 0, length: len, type: "linear", params: `${dev} 0` }];

function create(k: ReturnType<typeof setup>["k"], name: string, table = linear(), uuid?: string): DmInfo {
  const c = k.dm.create(name, uuid ? { uuid } : {});
  if (!c.ok) throw new Error(`create ${name}: ${c.errno}`);
  const l = k.dm.load(name, table);
  if (!l.ok) throw new Error(`load ${name}: ${l.errno}`);
  const r = k.dm.resume(name);
  if (!r.ok) throw new Error(`resume ${name}: ${r.errno}`);
  return r.value;
}

function value<T>(r: DmResult<T>): T {
  if (!r.ok) throw new Error(`errno ${r.errno}`);
  return r.value;
}

describe("create", () => {
  it("allocates the lowest free minor; a removed device frees its minor", () => {
    const { k } = setup();
    expect(value(k.dm.create("a")).devt).toBe(mkdev(254, 0));
    expect(value(k.dm.create("b")).devt).toBe(mkdev(254, 1));
    expect(value(k.dm.create("c")).devt).toBe(mkdev(254, 2));
    expect(k.dm.remove("b").ok).toBe(true);
    expect(value(k.dm.create("d")).devt).toBe(mkdev(254, 1));
    expect(value(k.dm.create("e")).devt).toBe(mkdev(254, 3));
  });

  it("a duplicate name or uuid is EBUSY and takes no minor", () => {
    const { k } = setup();
    k.dm.create("a", { uuid: "u1" });
    expect(k.dm.create("a")).toEqual({ ok: false, errno: Errno.EBUSY });
    expect(k.dm.create("b", { uuid: "u1" })).toEqual({ ok: false, errno: Errno.EBUSY });
    expect(value(k.dm.create("b")).devt).toBe(mkdev(254, 1));
  });

  it("names: empty and '/' are refused with the kernel's lines", () => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(k.dm.create("")).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(k.dm.create("a/b")).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: ioctl: name not supplied when creating device",
      "device-mapper: ioctl: invalid device name",
    ]);
  });

  it("a new device has no table, no disk and no uevent", () => {
    const { k, uevents } = setup();
    const info = value(k.dm.create("a", { uuid: "mpath-x" }));
    expect(info).toEqual({
      name: "a",
      uuid: "mpath-x",
      devt: mkdev(254, 0),
      suspended: false,
      readOnly: false,
      liveTable: false,
      inactiveTable: false,
      openCount: 0,
      eventNr: 0,
      targetCount: 0,
      deferredRemove: false,
      internalSuspend: false,
    });
    expect(k.block.get(mkdev(254, 0))).toBeUndefined();
    expect(uevents).toEqual([]);
  });
});

describe("load, clear, resume", () => {
  it("load fills the inactive slot; the disk appears at the first load; resume swaps", () => {
    const { k } = setup();
    k.dm.create("a");
    const l = value(k.dm.load("a", linear()));
    expect(l).toMatchObject({ liveTable: false, inactiveTable: true, targetCount: 0 });
    expect(k.block.get(mkdev(254, 0))?.name).toBe("dm-0");
    expect(k.block.get(mkdev(254, 0))?.sizeSectors()).toBe(0);
    const r = value(k.dm.resume("a"));
    expect(r).toMatchObject({ liveTable: true, inactiveTable: false, targetCount: 1, suspended: false });
    expect(k.block.get(mkdev(254, 0))?.sizeSectors()).toBe(16384);
  });

  it("table --inactive and status --inactive read the inactive table; clear drops it", () => {
    const { k } = setup();
    create(k, "a");
    k.dm.load("a", linear("7:1", 8));
    expect(value(k.dm.status("a", { kind: "table" })).lines[0]!.params).toBe("7:0 0");
    const inactive = value(k.dm.status("a", { kind: "table", inactive: true }));
    expect(inactive.lines).toEqual([{ start: 0, length: 8, type: "linear", params: "7:1 0" }]);
    expect(inactive.info).toMatchObject({ inactiveTable: true, targetCount: 1 });
    expect(value(k.dm.deps("a", { inactive: true })).deps).toEqual([mkdev(7, 1)]);
    expect(k.block.openCount(mkdev(7, 1))).toBe(1);
    expect(value(k.dm.clear("a"))).toMatchObject({ inactiveTable: false, liveTable: true });
    expect(value(k.dm.status("a", { kind: "table", inactive: true })).lines).toEqual([]);
    expect(k.block.openCount(mkdev(7, 1))).toBe(0);
  });

  it("a failed load leaves the inactive slot as it was", () => {
    const { k } = setup();
    create(k, "a");
    k.dm.load("a", linear("7:1", 8));
    expect(k.dm.load("a", linear("9:9")).ok).toBe(false);
    expect(value(k.dm.status("a", { kind: "table", inactive: true })).lines[0]!.params).toBe("7:1 0");
  });

  it("a second load replaces (and destroys) the previous inactive table", () => {
    const { k, ctl } = setup();
    create(k, "a", [{ start: 0, length: 8, type: "fake", params: "7:0" }]);
    k.dm.load("a", [{ start: 0, length: 8, type: "fake", params: "7:1" }]);
    expect(ctl.alive).toBe(2);
    k.dm.load("a", [{ start: 0, length: 8, type: "fake", params: "7:0" }]);
    expect(ctl.alive).toBe(2);
    expect(ctl.count("dtr")).toBe(1);
    expect(k.block.openCount(mkdev(7, 1))).toBe(0);
  });

  it("resume emits a change uevent with DM_COOKIE, and RESIZE=1 when a non-zero size changes", () => {
    const { k, uevents } = setup();
    k.dm.create("a");
    k.dm.load("a", linear());
    // add_disk at the first load.
    expect(uevents.at(-1)).toMatchObject({ action: "add", devpath: "/devices/virtual/block/dm-0" });
    k.dm.resume("a", { cookie: 0xd4d1234 });
    const seq = String(k.dm.device(mkdev(254, 0))!.diskseq);
    expect(uevents.at(-1)?.env).toEqual([
      ["ACTION", "change"],
      ["DEVPATH", "/devices/virtual/block/dm-0"],
      ["SUBSYSTEM", "block"],
      ["DM_COOKIE", String(0xd4d1234)],
      ["MAJOR", "254"],
      ["MINOR", "0"],
      ["DEVNAME", "dm-0"],
      ["DEVTYPE", "disk"],
      ["DISKSEQ", seq],
      ["SEQNUM", String(uevents.at(-1)!.seqnum)],
    ]);
    k.dm.load("a", linear("7:0", 8192));
    k.dm.resume("a");
    expect(uevents.at(-1)?.env.slice(3, 4)).toEqual([["RESIZE", "1"]]);
  });

  it("resume of a device that is not suspended and has no new table is a status call", () => {
    const { k, uevents } = setup();
    create(k, "a");
    const n = uevents.length;
    expect(k.dm.resume("a").ok).toBe(true);
    expect(uevents.length).toBe(n);
  });

  it("resume without any table fails with EINVAL (and the device stays suspended)", () => {
    const { k } = setup();
    k.dm.create("a");
    expect(k.dm.suspend("a").ok).toBe(true);
    expect(k.dm.resume("a")).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(value(k.dm.info("a")).suspended).toBe(true);
  });

  it("a failing preresume aborts the resume with the kernel's line", () => {
    const { k, ctl } = setup();
    create(k, "a", [{ start: 0, length: 8, type: "fake", params: "7:0" }]);
    k.dm.suspend("a");
    ctl.preresumeError = -Errno.EIO;
    const cur = k.log.cursor();
    expect(k.dm.resume("a")).toEqual({ ok: false, errno: Errno.EIO });
    expect(dmesg(k, cur)).toEqual(["device-mapper: table: 254:0: fake: preresume failed, error = -5"]);
    expect(value(k.dm.info("a")).suspended).toBe(true);
  });

  it("a read-only load makes the disk read-only once live", () => {
    const { k } = setup();
    k.dm.create("a");
    k.dm.load("a", linear(), { readOnly: true });
    expect(value(k.dm.status("a", { inactive: true })).info.readOnly).toBe(true);
    expect(value(k.dm.resume("a")).readOnly).toBe(true);
    expect(k.block.get(mkdev(254, 0))!.readOnly()).toBe(true);
  });
});

describe("suspend", () => {
  it("calls presuspend then postsuspend; suspending twice is a no-op; resume calls preresume and resume", () => {
    const { k, ctl } = setup();
    create(k, "a", [{ start: 0, length: 8, type: "fake", params: "7:0" }]);
    ctl.calls.length = 0;
    expect(value(k.dm.suspend("a", { noflush: true })).suspended).toBe(true);
    expect(k.dm.suspend("a").ok).toBe(true);
    expect(ctl.calls).toEqual(["presuspend:true", "postsuspend"]);
    expect(value(k.dm.resume("a")).suspended).toBe(false);
    expect(k.dm.resume("a").ok).toBe(true);
    expect(ctl.calls).toEqual(["presuspend:true", "postsuspend", "preresume", "resume"]);
  });

  it("dm_suspended / dm_noflush_suspending as targets see them", () => {
    const { k, ctl } = setup();
    create(k, "a", [{ start: 0, length: 8, type: "fake", params: "7:0" }]);
    const env = ctl.env!;
    expect(env.suspended()).toBe(false);
    k.dm.suspend("a", { noflush: true });
    expect(env.suspended()).toBe(true);
    // Nothing in flight: the noflush window closed when the suspend returned.
    expect(env.noflushSuspending()).toBe(false);
  });

  it("a reload of a live device suspends it with the resume's flush mode", () => {
    const { k, ctl } = setup();
    create(k, "a", [{ start: 0, length: 8, type: "fake", params: "7:0" }]);
    k.dm.load("a", [{ start: 0, length: 8, type: "fake", params: "7:1" }]);
    ctl.calls.length = 0;
    k.dm.resume("a", { noflush: true });
    expect(ctl.calls).toEqual(["presuspend:true", "postsuspend", "preresume", "resume", "dtr"]);
  });
});

describe("remove", () => {
  it("EBUSY while open; ENXIO when missing; the remove uevent carries DM_COOKIE", () => {
    const { k, uevents } = setup();
    create(k, "a");
    const dev = k.block.open(mkdev(254, 0))!;
    expect(dev.name).toBe("dm-0");
    expect(value(k.dm.info("a")).openCount).toBe(1);
    expect(k.dm.remove("a")).toEqual({ ok: false, errno: Errno.EBUSY });
    k.block.close(mkdev(254, 0));
    expect(k.dm.remove("a", { cookie: 42 }).ok).toBe(true);
    // dev_remove's own uevent with the cookie, then del_gendisk's.
    expect(uevents.at(-2)?.env.slice(0, 4)).toEqual([
      ["ACTION", "remove"],
      ["DEVPATH", "/devices/virtual/block/dm-0"],
      ["SUBSYSTEM", "block"],
      ["DM_COOKIE", "42"],
    ]);
    expect(uevents.at(-1)?.env.slice(0, 4)).toEqual([
      ["ACTION", "remove"],
      ["DEVPATH", "/devices/virtual/block/dm-0"],
      ["SUBSYSTEM", "block"],
      ["MAJOR", "254"],
    ]);
    expect(k.block.get(mkdev(254, 0))).toBeUndefined();
    expect(k.block.openCount(mkdev(7, 0))).toBe(0);
    expect(k.dm.remove("a")).toEqual({ ok: false, errno: Errno.ENXIO });
    expect(k.dm.info("a")).toEqual({ ok: false, errno: Errno.ENXIO });
  });

  it("deferred remove: flagged while open, cancelled by @cancel_deferred_remove, done at the last close", () => {
    const { clock, k } = setup();
    create(k, "a");
    k.block.open(mkdev(254, 0));
    expect(value(k.dm.remove("a", { deferred: true })).deferredRemove).toBe(true);
    expect(value(k.dm.info("a")).deferredRemove).toBe(true);
    expect(k.dm.message("a", 0, "@cancel_deferred_remove")).toEqual({ ok: true, value: "" });
    expect(value(k.dm.info("a")).deferredRemove).toBe(false);
    k.dm.remove("a", { deferred: true });
    expect(k.dm.list().map((e) => e.name)).toEqual(["a"]);
    k.block.close(mkdev(254, 0));
    clock.runUntilIdle();
    expect(k.dm.list()).toEqual([]);
    expect(k.block.get(mkdev(254, 0))).toBeUndefined();
  });

  it("a removed device refuses new opens while being torn down", () => {
    const { k } = setup();
    create(k, "a");
    const md = k.dm.device(mkdev(254, 0))!;
    k.dm.remove("a");
    expect(md.open()).toBe(Errno.ENXIO);
  });

  it("remove fires a table event (waiters wake) and destroys both tables", () => {
    const { clock, k, ctl } = setup();
    create(k, "a", [{ start: 0, length: 8, type: "fake", params: "7:0" }]);
    k.dm.load("a", [{ start: 0, length: 8, type: "fake", params: "7:1" }]);
    const got: Array<DmResult<DmInfo>> = [];
    k.dm.waitEvent("a", 0, (r) => got.push(r));
    expect(k.dm.remove("a").ok).toBe(true);
    clock.runUntilIdle();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ ok: true, value: { eventNr: 1 } });
    expect(ctl.alive).toBe(0);
  });
});

describe("rename", () => {
  it("renames, bumps the event number, emits a change uevent; lookups follow", () => {
    const { k, uevents } = setup();
    create(k, "a");
    create(k, "b", linear("7:1"));
    expect(k.dm.rename("b", "a")).toEqual({ ok: false, errno: Errno.EBUSY });
    const cur = k.log.cursor();
    expect(k.dm.rename("zz", "q")).toEqual({ ok: false, errno: Errno.ENXIO });
    expect(dmesg(k, cur)).toEqual(["device-mapper: ioctl: Unable to rename non-existent device, zz to q"]);
    const n = uevents.length;
    expect(value(k.dm.rename("b", "c", { cookie: 7 }))).toMatchObject({ name: "c", eventNr: 1 });
    expect(uevents.length).toBe(n + 1);
    expect(uevents.at(-1)?.env[3]).toEqual(["DM_COOKIE", "7"]);
    expect(k.dm.list().map((e) => e.name)).toEqual(["a", "c"]);
    expect(k.dm.info("b").ok).toBe(false);
  });

  it("sets a uuid once", () => {
    const { k } = setup();
    create(k, "a");
    expect(value(k.dm.rename("a", "u-1", { setUuid: true })).uuid).toBe("u-1");
    expect(value(k.dm.info({ uuid: "u-1" })).name).toBe("a");
    expect(k.dm.rename("a", "u-2", { setUuid: true })).toEqual({ ok: false, errno: Errno.EINVAL });
  });
});

describe("lookups and listings", () => {
  it("by name, uuid and dev_t; list in name order with event numbers", () => {
    const { k } = setup();
    create(k, "zeta");
    create(k, "alpha", linear("7:1"), "mpath-1");
    expect(value(k.dm.info({ devt: mkdev(254, 1) })).name).toBe("alpha");
    expect(value(k.dm.info({ uuid: "mpath-1" })).name).toBe("alpha");
    expect(k.dm.info({ devt: mkdev(253, 1) }).ok).toBe(false);
    expect(k.dm.info({ uuid: "" }).ok).toBe(false);
    expect(k.dm.list()).toEqual([
      { name: "alpha", devt: mkdev(254, 1), eventNr: 0, uuid: "mpath-1" },
      { name: "zeta", devt: mkdev(254, 0), eventNr: 0, uuid: "" },
    ]);
    expect(k.dm.version()).toEqual([4, 47, 0]);
  });
});

describe("messages", () => {
  it("dm core's checks: empty, @-messages, sector outside, unsupported", () => {
    const { k, ctl } = setup();
    create(k, "a", [
      { start: 0, length: 8, type: "fake", params: "7:0" },
      { start: 8, length: 8, type: "linear", params: "7:1 0" },
    ]);
    const cur = k.log.cursor();
    expect(k.dm.message("a", 0, "  ")).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(k.dm.message("a", 16, "x")).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(k.dm.message("a", 8, "x")).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(k.dm.message("a", 0, "@cancel_deferred_remove x")).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(k.dm.message("a", 0, "@stats_frob")).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: ioctl: Empty message received.",
      "device-mapper: ioctl: Target message sector outside device.",
      "device-mapper: ioctl: Target type does not support messages",
      "device-mapper: ioctl: Invalid arguments for @cancel_deferred_remove",
      "device-mapper: ioctl: Unsupported message sent to DM core: @stats_frob",
    ]);
    expect(k.dm.message("a", 7, "hello  world")).toEqual({ ok: true, value: "" });
    expect(ctl.calls.at(-1)).toBe("message:hello world");
    expect(k.dm.message("a", 0, "bad")).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(k.dm.message("nosuch", 0, "x")).toEqual({ ok: false, errno: Errno.ENXIO });
  });

  it("a message to a device without a live table succeeds silently", () => {
    const { k } = setup();
    k.dm.create("a");
    expect(k.dm.message("a", 0, "x")).toEqual({ ok: true, value: "" });
  });
});

describe("events", () => {
  it("dm_table_event bumps the event number, sends queued path uevents newest first, wakes waiters", () => {
    const { clock, k, ctl, uevents } = setup();
    create(k, "a", [{ start: 0, length: 8, type: "fake", params: "7:0" }], "uuid-a");
    const env = ctl.env!;
    const woke: number[] = [];
    k.dm.waitEvent("a", 0, (r) => woke.push(r.ok ? r.value.eventNr : -1));
    let polled = 0;
    k.dm.onEvent(() => polled++);
    env.pathUevent("PATH_FAILED", "7:0", 1);
    env.queueUevent([
      ["DM_TARGET", "fake"],
      ["DM_ACTION", "PATH_FAILED"],
      ["DM_PATH", "7:1"],
      ["DM_NR_VALID_PATHS", "0"],
    ]);
    expect(woke).toEqual([]);
    const n = uevents.length;
    env.tableEvent();
    expect(value(k.dm.info("a")).eventNr).toBe(1);
    const sent = uevents.slice(n);
    expect(sent.map((e) => e.env.slice(3, 10))).toEqual([
      [
        ["DM_TARGET", "fake"],
        ["DM_ACTION", "PATH_FAILED"],
        ["DM_SEQNUM", "2"],
        ["DM_PATH", "7:1"],
        ["DM_NR_VALID_PATHS", "0"],
        ["DM_NAME", "a"],
        ["DM_UUID", "uuid-a"],
      ],
      [
        ["DM_TARGET", "fake"],
        ["DM_ACTION", "PATH_FAILED"],
        ["DM_SEQNUM", "1"],
        ["DM_PATH", "7:0"],
        ["DM_NR_VALID_PATHS", "1"],
        ["DM_NAME", "a"],
        ["DM_UUID", "uuid-a"],
      ],
    ]);
    clock.runUntilIdle();
    expect(woke).toEqual([1]);
    expect(polled).toBe(1);
  });

  it("waitEvent returns at once when the event number already differs, and can be cancelled", () => {
    const { clock, k, ctl } = setup();
    create(k, "a", [{ start: 0, length: 8, type: "fake", params: "7:0" }]);
    const got: number[] = [];
    k.dm.waitEvent("a", 5, (r) => got.push(r.ok ? r.value.eventNr : -1));
    expect(got).toEqual([0]);
    const cancel = k.dm.waitEvent("a", 0, (r) => got.push(r.ok ? r.value.eventNr : -1));
    cancel();
    ctl.env!.tableEvent();
    clock.runUntilIdle();
    expect(got).toEqual([0]);
  });

  it("an inactive table's events do not reach the device", () => {
    const { k, ctl } = setup();
    create(k, "a", [{ start: 0, length: 8, type: "fake", params: "7:0" }]);
    k.dm.load("a", [{ start: 0, length: 8, type: "fake", params: "7:1" }]);
    ctl.env!.tableEvent();
    expect(value(k.dm.info("a")).eventNr).toBe(0);
  });

  it("create, remove and rename wake pollers", () => {
    const { clock, k } = setup();
    let polled = 0;
    k.dm.onEvent(() => polled++);
    k.dm.create("a");
    clock.runUntilIdle();
    k.dm.rename("a", "b");
    clock.runUntilIdle();
    k.dm.remove("b");
    clock.runUntilIdle();
    expect(polled).toBe(3);
  });
});
