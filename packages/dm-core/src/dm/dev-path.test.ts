import { describe, expect, it } from "vitest";
import { mkdev } from "../block/devt.js";
import { Errno } from "../block/status.js";
import { type DevNamespace, dmDevtFromPath, nameToDevT } from "./dev-path.js";

const ns: DevNamespace = {
  nodeDevt: (p) => ({ "/dev/loop0": mkdev(7, 0), "/dev/mapper/mpatha": mkdev(254, 3) })[p],
  diskDevt: (n) => ({ loop0: mkdev(7, 0), sda: mkdev(8, 0), "cciss!c0d0": mkdev(104, 0) })[n],
};

describe("dm_get_device path resolution (Linux 6.1)", () => {
  it.each([
    ["7:0", mkdev(7, 0)],
    ["255:255", mkdev(255, 255)],
    ["007:00", mkdev(7, 0)],
    ["/dev/loop0", mkdev(7, 0)],
    ["/dev/mapper/mpatha", mkdev(254, 3)],
    // name_to_dev_t: maj:min:offset is the boot-time syntax for a device
    ["7:0:1", mkdev(7, 0)],
    ["7:0:1:", mkdev(7, 0)],
    // name_to_dev_t: a bare hex number is an old-style (16-bit) dev_t: 0x801 is 8:1, "7" is 0:7
    ["801", mkdev(8, 1)],
    ["0x801", mkdev(8, 1)],
    ["7", mkdev(0, 7)],
    // /dev/<disk> by kernel name, '/' spelled '!'
    ["/dev/sda", mkdev(8, 0)],
    ["/dev/cciss/c0d0", mkdev(104, 0)],
  ])("%s → dev_t", (path, devt) => {
    expect(dmDevtFromPath(path, ns)).toEqual({ ok: true, devt });
  });

  it.each([
    ["foo", -Errno.ENODEV],
    ["loop0", -Errno.ENODEV],
    ["/dev/nonexistent", -Errno.ENODEV],
    ["7:0x", -Errno.ENODEV],
    ["7:0:1:x", -Errno.ENODEV],
    ["-7:0", -Errno.ENODEV],
    ["", -Errno.ENODEV],
    ["4096:0", -Errno.EOVERFLOW],
    ["7:1048576", -Errno.EOVERFLOW],
  ])("%s → %d", (path, errno) => {
    expect(dmDevtFromPath(path, ns)).toEqual({ ok: false, errno });
  });

  it("name_to_dev_t refuses special names and over-long /dev names", () => {
    expect(nameToDevT("/dev/nfs", ns)).toBe(0);
    expect(nameToDevT(`/dev/${"a".repeat(32)}`, ns)).toBe(0);
    expect(nameToDevT("PARTUUID=1234", ns)).toBe(0);
  });
});
