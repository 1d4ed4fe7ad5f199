import { describe, expect, it } from "vitest";
import type { Bio } from "../block/bio.js";
import type { BlockDevice } from "../block/block-device.js";
import { mkdev } from "../block/devt.js";
import { Errno } from "../block/status.js";
import { DmTargetFeature } from "./target.js";
import { FakeControl, fakeTargetType } from "./testing/fake-target.js";
import { dmesg, testKernel } from "./testing/harness.js";

function setup() {
  const ctl = new FakeControl();
  const types = [
    fakeTargetType("fake", ctl, { queueType: "bio" }),
    fakeTargetType("fakerq", ctl, {
      queueType: "request",
      features: DmTargetFeature.SINGLETON | DmTargetFeature.IMMUTABLE,
    }),
    fakeTargetType("fakeimm", ctl, { queueType: "bio", features: DmTargetFeature.IMMUTABLE }),
    fakeTargetType("fakerw", ctl, { queueType: "bio", features: DmTargetFeature.ALWAYS_WRITEABLE }),
    fakeTargetType("fakerqm", ctl, { queueType: "request" }),
  ];
  const { clock, k } = testKernel({ targets: types });
  return { clock, k, ctl };
}

/** `dmsetup create NAME --table LINE…` as libdevmapper does it: create, load, resume; remove on failure. */
function dmsetupCreate(
  k: ReturnType<typeof testKernel>["k"],
  name: string,
  lines: Array<[number, number, string, string]>,
): number {
  const c = k.dm.create(name);
  if (!c.ok) return c.errno;
  const r = k.dm.load(
    name,
    lines.map(([start, length, type, params]) => ({ start, length, type, params })),
  );
  if (!r.ok) {
    k.dm.remove(name);
    return r.errno;
  }
  const rr = k.dm.resume(name);
  return rr.ok ? 0 : rr.errno;
}

/** A 4096-byte-sector disk, to exercise the alignment checks. */
function bigSectorDisk(devt: number, sectors: number): BlockDevice {
  return {
    devt,
    name: "big0",
    sizeSectors: () => sectors,
    logicalBlockSize: 4096,
    requestStackable: true,
    partition: false,
    readOnly: () => false,
    submit: (_bio: Bio) => {},
    dying: () => false,
  };
}

describe("dm_table_add_target checks", () => {
  it("a zero-length target is refused before the type is looked up", () => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[0, 0, "nosuchtype", ""]])).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: 254:0: zero-length target",
      "device-mapper: ioctl: error adding target to table",
    ]);
  });

  it("an unknown target type is refused after trying to autoload dm-<type>", () => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[0, 8, "multipathx", "x"]])).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: 254:0: multipathx: unknown target type",
      "device-mapper: ioctl: error adding target to table",
    ]);
  });

  it("a target type is autoloaded from its dm-<type> module", () => {
    const { k } = setup();
    expect(k.dm.targets().map((t) => t.name)).toEqual(["striped", "linear", "error"]);
    expect(dmsetupCreate(k, "a", [[0, 8, "fake", "7:0"]])).toBe(0);
    expect(k.modules.isLoaded("dm-fake")).toBe(true);
    expect(k.dm.targets().map((t) => t.name)).toEqual(["fake", "striped", "linear", "error"]);
  });

  it("the first target must start at 0 and later ones must adjoin: Gap in table", () => {
    const { k } = setup();
    let cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[100, 16384, "fake", "7:0"]])).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: 254:0: fake: Gap in table (-EINVAL)",
      "device-mapper: ioctl: error adding target to table",
    ]);
    cur = k.log.cursor();
    expect(
      dmsetupCreate(k, "a", [
        [0, 8, "fake", "7:0"],
        [9, 8, "fake", "7:1"],
      ]),
    ).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: 254:0: fake: Gap in table (-EINVAL)",
      "device-mapper: ioctl: error adding target to table",
    ]);
  });

  it("a constructor failure is logged with ti->error and %pe, and its errno is returned", () => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[0, 8, "fake", "fail -19 error attaching hardware handler"]])).toBe(
      Errno.ENODEV,
    );
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: 254:0: fake: error attaching hardware handler (-ENODEV)",
      "device-mapper: ioctl: error adding target to table",
    ]);
  });

  it("a constructor that sets no error reports 'Unknown error'", () => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[0, 8, "fake", "fail 22"]])).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)[0]).toBe("device-mapper: table: 254:0: fake: Unknown error (-EINVAL)");
  });

  it("a singleton must be alone: before and after another target", () => {
    const { k } = setup();
    let cur = k.log.cursor();
    expect(
      dmsetupCreate(k, "a", [
        [0, 8, "fake", "7:0"],
        [8, 8, "fakerq", "7:1"],
      ]),
    ).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)[0]).toBe(
      "device-mapper: table: 254:0: fakerq: singleton target type must appear alone in table (-EINVAL)",
    );
    cur = k.log.cursor();
    expect(
      dmsetupCreate(k, "a", [
        [0, 8, "fakerq", "7:0"],
        [8, 8, "fake", "7:1"],
      ]),
    ).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: 254:0: target type fakerq must appear alone in table",
      "device-mapper: ioctl: error adding target to table",
    ]);
  });

  it("an immutable target type cannot be mixed with others", () => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(
      dmsetupCreate(k, "a", [
        [0, 8, "fakeimm", "7:0"],
        [8, 8, "fake", "7:1"],
      ]),
    ).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)[0]).toBe(
      "device-mapper: table: 254:0: fake: immutable target type cannot be mixed with other target types (-EINVAL)",
    );
  });

  it("an always-writeable target cannot be in a read-only table", () => {
    const { k } = setup();
    k.dm.create("a");
    const cur = k.log.cursor();
    const r = k.dm.load("a", [{ start: 0, length: 8, type: "fakerw", params: "7:0" }], { readOnly: true });
    expect(r).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(dmesg(k, cur)[0]).toBe(
      "device-mapper: table: 254:0: fakerw: target type may not be included in a read-only table (-EINVAL)",
    );
  });

  it("a load without targets is refused", () => {
    const { k } = setup();
    k.dm.create("a");
    const cur = k.log.cursor();
    expect(k.dm.load("a", [])).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(dmesg(k, cur)).toEqual(["device-mapper: ioctl: populate_table: no targets specified"]);
  });

  it("failed constructors leave no device open and the minor is freed", () => {
    const { k } = setup();
    expect(
      dmsetupCreate(k, "a", [
        [0, 8, "fake", "7:0"],
        [8, 8, "fake", "fail 22 nope"],
      ]),
    ).toBe(Errno.EINVAL);
    expect(k.block.openCount(mkdev(7, 0))).toBe(0);
    expect(k.dm.create("b")).toMatchObject({ ok: true, value: { devt: mkdev(254, 0) } });
  });
});

describe("table type determination (dm_table_determine_type)", () => {
  it("bio and request-based targets cannot be mixed", () => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(
      dmsetupCreate(k, "a", [
        [0, 8, "fake", "7:0"],
        [8, 8, "fakerqm", "7:1"],
      ]),
    ).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: Inconsistent table: different target types can't be mixed up",
      "device-mapper: table: unable to determine table type",
    ]);
  });

  it("request-based tables take one target, and it must be immutable", () => {
    const { k } = setup();
    let cur = k.log.cursor();
    expect(
      dmsetupCreate(k, "a", [
        [0, 8, "fakerqm", "7:0"],
        [8, 8, "fakerqm", "7:1"],
      ]),
    ).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: request-based DM doesn't support multiple targets",
      "device-mapper: table: unable to determine table type",
    ]);
    cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[0, 8, "fakerqm", "7:0"]])).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: table load rejected: immutable target is required",
      "device-mapper: table: unable to determine table type",
    ]);
  });

  it("request-based dm refuses bio-based devices below it", () => {
    const { k } = setup();
    expect(dmsetupCreate(k, "p0", [[0, 16384, "linear", "7:0 0"]])).toBe(0);
    const cur = k.log.cursor();
    expect(dmsetupCreate(k, "mx", [[0, 16384, "fakerq", "254:0"]])).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: table load rejected: including non-request-stackable devices",
      "device-mapper: table: unable to determine table type",
    ]);
    // A request-based dm device is itself request-stackable.
    expect(dmsetupCreate(k, "r1", [[0, 16384, "fakerq", "7:1"]])).toBe(0);
    expect(dmsetupCreate(k, "r2", [[0, 16384, "fakerq", "254:1"]])).toBe(0);
  });

  it("a hybrid-only table takes the live device's type; error over a request-based device stays request-based", () => {
    const { k } = setup();
    expect(dmsetupCreate(k, "r", [[0, 16384, "fakerq", "7:0"]])).toBe(0);
    expect(k.dm.load("r", [{ start: 0, length: 16384, type: "error", params: "" }]).ok).toBe(true);
    expect(k.dm.resume("r").ok).toBe(true);
    expect(k.dm.device(mkdev(254, 0))!.requestStackable).toBe(true);
    expect(dmsetupCreate(k, "e", [[0, 16384, "error", ""]])).toBe(0);
    expect(k.dm.device(mkdev(254, 1))!.requestStackable).toBe(false);
  });

  it("the type cannot change after the first load", () => {
    const { k } = setup();
    expect(dmsetupCreate(k, "a", [[0, 16384, "linear", "7:0 0"]])).toBe(0);
    const cur = k.log.cursor();
    expect(k.dm.load("a", [{ start: 0, length: 16384, type: "fakerq", params: "7:1" }])).toEqual({
      ok: false,
      errno: Errno.EINVAL,
    });
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: ioctl: can't change device type (old=1 vs new=2) after initial table load.",
    ]);
  });

  it("an immutable live target can only be replaced by the same type or a wildcard (error)", () => {
    const { k } = setup();
    expect(dmsetupCreate(k, "a", [[0, 16384, "fakeimm", "7:0"]])).toBe(0);
    const cur = k.log.cursor();
    expect(k.dm.load("a", [{ start: 0, length: 16384, type: "linear", params: "7:1 0" }]).ok).toBe(false);
    expect(dmesg(k, cur)).toEqual(["device-mapper: ioctl: can't replace immutable target type fakeimm"]);
    expect(k.dm.load("a", [{ start: 0, length: 16384, type: "error", params: "" }]).ok).toBe(true);
    expect(k.dm.load("a", [{ start: 0, length: 16384, type: "fakeimm", params: "7:1" }]).ok).toBe(true);
  });
});

describe("device area checks", () => {
  it("at the first load: too small for target, then the queue set-up failure lines", () => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[0, 16385, "linear", "7:0 0"]])).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: 254:0: loop0 too small for target: start=0, len=16385, dev_size=16384",
      "device-mapper: core: Cannot calculate initial queue limits",
      "device-mapper: ioctl: unable to set up device queue for new table.",
    ]);
  });

  it("the offset counts: linear at 8 over 16384 sectors", () => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[0, 16384, "linear", "7:0 8"]])).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)[0]).toBe(
      "device-mapper: table: 254:0: loop0 too small for target: start=8, len=16384, dev_size=16384",
    );
  });

  it("a device of size 0 (unbound loop) is not checked", () => {
    const { k } = setup();
    expect(dmsetupCreate(k, "a", [[0, 16384, "linear", "7:5 0"]])).toBe(0);
  });

  it("on a reload the check happens at resume, which then fails and leaves the device suspended", () => {
    const { k } = setup();
    expect(dmsetupCreate(k, "a", [[0, 16384, "linear", "7:0 0"]])).toBe(0);
    expect(k.dm.load("a", [{ start: 0, length: 32768, type: "linear", params: "7:1 0" }]).ok).toBe(true);
    const cur = k.log.cursor();
    expect(k.dm.resume("a")).toEqual({ ok: false, errno: Errno.EINVAL });
    expect(dmesg(k, cur)).toEqual([
      "device-mapper: table: 254:0: loop1 too small for target: start=0, len=32768, dev_size=16384",
    ]);
    const info = k.dm.info("a");
    expect(info).toMatchObject({
      ok: true,
      value: { suspended: true, inactiveTable: false, liveTable: true },
    });
    expect(k.dm.status("a", { kind: "table" })).toMatchObject({
      ok: true,
      value: { lines: [{ params: "7:0 0" }] },
    });
  });

  it("alignment to the devices' logical block size", () => {
    const { k } = setup();
    k.block.register(bigSectorDisk(mkdev(9, 0), 80));
    let cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[0, 12, "linear", "9:0 4"]])).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)[0]).toBe(
      "device-mapper: table: 254:0: start=4 not aligned to h/w logical block size 4096 of big0",
    );
    cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[0, 12, "linear", "9:0 8"]])).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)[0]).toBe(
      "device-mapper: table: 254:0: len=12 not aligned to h/w logical block size 4096 of big0",
    );
    cur = k.log.cursor();
    expect(
      dmsetupCreate(k, "a", [
        [0, 4, "linear", "7:0 0"],
        [4, 16, "linear", "9:0 8"],
      ]),
    ).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)[0]).toBe(
      "device-mapper: table: 254:0: table line 1 (start sect 4 len 16) not aligned to h/w logical block size 4096",
    );
    expect(dmsetupCreate(k, "a", [[0, 16, "linear", "9:0 8"]])).toBe(0);
    expect(k.block.get(mkdev(254, 0))!.logicalBlockSize).toBe(4096);
  });
});

describe("devices held by tables", () => {
  it("deps list the most recently first-referenced device first, each once", () => {
    const { k } = setup();
    k.losetup("loop2", 8 << 20);
    expect(
      dmsetupCreate(k, "a", [
        [0, 8, "linear", "7:0 0"],
        [8, 8, "linear", "/dev/loop1 0"],
        [16, 8, "linear", "7:0 8"],
        [24, 8, "linear", "7:2 0"],
      ]),
    ).toBe(0);
    const d = k.dm.deps("a");
    expect(d.ok && d.value.deps).toEqual([mkdev(7, 2), mkdev(7, 1), mkdev(7, 0)]);
  });

  it("every mapped device opens a device once, whatever its tables reference; holders link while the disk exists", () => {
    const { k } = setup();
    expect(dmsetupCreate(k, "a", [[0, 8, "linear", "7:0 0"]])).toBe(0);
    expect(k.dm.load("a", [{ start: 0, length: 8, type: "linear", params: "7:0 8" }]).ok).toBe(true);
    expect(k.block.openCount(mkdev(7, 0))).toBe(1);
    expect(k.block.holders(mkdev(7, 0))).toEqual([mkdev(254, 0)]);
    expect(dmsetupCreate(k, "b", [[0, 8, "linear", "7:0 0"]])).toBe(0);
    expect(k.block.openCount(mkdev(7, 0))).toBe(2);
    expect(k.block.holders(mkdev(7, 0))).toEqual([mkdev(254, 0), mkdev(254, 1)]);
    expect(k.dm.remove("a").ok).toBe(true);
    expect(k.block.openCount(mkdev(7, 0))).toBe(1);
    expect(k.block.holders(mkdev(7, 0))).toEqual([mkdev(254, 1)]);
    expect(k.block.slaves(mkdev(254, 1))).toEqual([mkdev(7, 0)]);
  });

  it("a table may not reference its own device", () => {
    const { k } = setup();
    expect(dmsetupCreate(k, "a", [[0, 8, "linear", "7:0 0"]])).toBe(0);
    const cur = k.log.cursor();
    expect(k.dm.load("a", [{ start: 0, length: 8, type: "linear", params: "254:0 0" }])).toEqual({
      ok: false,
      errno: Errno.EINVAL,
    });
    expect(dmesg(k, cur)[0]).toBe("device-mapper: table: 254:0: linear: Device lookup failed (-EINVAL)");
  });
});

describe("linear target constructor", () => {
  it.each([
    ["7:0", "Invalid argument count", Errno.EINVAL],
    ["7:0 0 1", "Invalid argument count", Errno.EINVAL],
    ["7:0 x", "Invalid device sector", Errno.EINVAL],
    ["7:0 -1", "Invalid device sector", Errno.EINVAL],
    ["7:0 1x", "Invalid device sector", Errno.EINVAL],
    ["9:9 0", "Device lookup failed", Errno.ENXIO],
    ["nosuch 0", "Device lookup failed", Errno.ENODEV],
  ])("linear %s → %s", (params, error, errno) => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(dmsetupCreate(k, "a", [[0, 8, "linear", params]])).toBe(errno);
    const name = errno === Errno.EINVAL ? "EINVAL" : errno === Errno.ENXIO ? "ENXIO" : "ENODEV";
    expect(dmesg(k, cur)[0]).toBe(`device-mapper: table: 254:0: linear: ${error} (-${name})`);
  });

  it("table and status strings", () => {
    const { k } = setup();
    expect(dmsetupCreate(k, "a", [[0, 8, "linear", "/dev/loop1 16"]])).toBe(0);
    expect(k.dm.status("a", { kind: "table" })).toMatchObject({
      ok: true,
      value: { lines: [{ start: 0, length: 8, type: "linear", params: "7:1 16" }] },
    });
    expect(k.dm.status("a")).toMatchObject({ ok: true, value: { lines: [{ params: "" }] } });
    expect(k.dm.status("a", { kind: "ima" })).toMatchObject({
      ok: true,
      value: { lines: [{ params: "target_name=linear,target_version=1.4.0,device_name=7:1,start=16;" }] },
    });
  });
});
