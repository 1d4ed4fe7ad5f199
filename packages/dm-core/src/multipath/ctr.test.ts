import { describe, expect, it } from "vitest";
import { Errno } from "../block/status.js";
import { queueLengthSelector } from "../selectors/queue-length.js";
import { roundRobinSelector } from "../selectors/round-robin.js";
import { serviceTimeSelector } from "../selectors/service-time.js";
import { FakeKernel } from "./testing/fake-dm.js";

/** Debian's 6.1 ships only these three selectors (the transcripts' kernel). */
function debianKernel(): FakeKernel {
  const k = new FakeKernel({ selectors: [roundRobinSelector, queueLengthSelector, serviceTimeSelector] });
  for (const m of ["dm-round-robin", "dm-queue-length", "dm-service-time"]) k.modules.load(m);
  k.addLoop(0);
  k.addLoop(1);
  k.addLoop(5, 0); // an unbound loop device: opens, size 0
  return k;
}

// [table params after "0 16384 multipath ", ti->error, errno] from invalid-tables-header.out
// and invalid-tables-paths.out (the errnos of device lookups are dm core's; see dm tests).
const HEADER_VECTORS: Array<[string, string, number]> = [
  ["", "invalid number of feature args", Errno.EINVAL],
  ["0", "invalid number of hardware handler args", Errno.EINVAL],
  ["0 0", "invalid number of priority groups", Errno.EINVAL],
  ["0 0 1", "invalid initial priority group number", Errno.EINVAL],
  ["0 0 0 1", "invalid initial priority group", Errno.EINVAL],
  ["0 0 2 1 round-robin 0 1 1 7:0 1", "priority group count mismatch", Errno.EINVAL],
  ["0 0 1 1 round-robinx 0 1 1 7:0 1", "unknown path selector type", Errno.EINVAL],
  ["0 0 1 1 nosuch 0 1 1 7:0 1", "unknown path selector type", Errno.EINVAL],
  ["0 0 1 1 historical-service-time 0 1 1 7:0 1", "unknown path selector type", Errno.EINVAL],
  ["0 0 1 1 io-affinity 0 1 1 7:0 1", "unknown path selector type", Errno.EINVAL],
  ["1 foo 0 1 1 round-robin 0 1 1 7:0 1", "Unrecognised multipath feature request", Errno.EINVAL],
  ["1 pg_init_retries 0 1 1 round-robin 0 1 1 7:0 1", "Unrecognised multipath feature request", Errno.EINVAL],
  [
    "2 pg_init_retries 51 0 1 1 round-robin 0 1 1 7:0 1",
    "pg_init_retries must be between 1 and 50",
    Errno.EINVAL,
  ],
  [
    "2 pg_init_retries -1 0 1 1 round-robin 0 1 1 7:0 1",
    "pg_init_retries must be between 1 and 50",
    Errno.EINVAL,
  ],
  [
    "2 pg_init_retries 5x 0 1 1 round-robin 0 1 1 7:0 1",
    "pg_init_retries must be between 1 and 50",
    Errno.EINVAL,
  ],
  [
    "2 pg_init_delay_msecs 60001 0 1 1 round-robin 0 1 1 7:0 1",
    "pg_init_delay_msecs must be between 0 and 60000",
    Errno.EINVAL,
  ],
  [
    "2 pg_init_delay_msecs x 0 1 1 round-robin 0 1 1 7:0 1",
    "pg_init_delay_msecs must be between 0 and 60000",
    Errno.EINVAL,
  ],
  ["2 queue_mode foo 0 1 1 round-robin 0 1 1 7:0 1", "Unknown 'queue_mode' requested", Errno.EINVAL],
  ["1 queue_mode 0 1 1 round-robin 0 1 1 7:0 1", "Unrecognised multipath feature request", Errno.EINVAL],
  [
    "9 queue_if_no_path queue_if_no_path queue_if_no_path queue_if_no_path queue_if_no_path queue_if_no_path queue_if_no_path queue_if_no_path queue_if_no_path 0 1 1 round-robin 0 1 1 7:0 1",
    "invalid number of feature args",
    Errno.EINVAL,
  ],
  ["-1 0 1 1 round-robin 0 1 1 7:0 1", "invalid number of feature args", Errno.EINVAL],
  ["5x 0 1 1 round-robin 0 1 1 7:0 1", "invalid number of feature args", Errno.EINVAL],
  ["0x10 0 1 1 round-robin 0 1 1 7:0 1", "invalid number of feature args", Errno.EINVAL],
  [
    "2 queue_if_no_path 0 1 1 round-robin 0 1 1 7:0 1",
    "Unrecognised multipath feature request",
    Errno.EINVAL,
  ],
  ["0 1 foo 1 1 round-robin 0 1 1 7:0 1", "error attaching hardware handler", Errno.ENODEV],
  ["0 x 1 1 round-robin 0 1 1 7:0 1", "invalid number of hardware handler args", Errno.EINVAL],
  ["0 2 alua 1 1 round-robin 0 1 1 7:0 1", "invalid initial priority group number", Errno.EINVAL],
  ["0 0 x 1 round-robin 0 1 1 7:0 1", "invalid number of priority groups", Errno.EINVAL],
  ["0 0 -1 1 round-robin 0 1 1 7:0 1", "invalid number of priority groups", Errno.EINVAL],
  ["0 0 1 x round-robin 0 1 1 7:0 1", "invalid initial priority group number", Errno.EINVAL],
  ["0 0 1 -1 round-robin 0 1 1 7:0 1", "invalid initial priority group number", Errno.EINVAL],
  ["0 0 1 1 round-robin", "not enough priority group arguments", Errno.EINVAL],
  ["0 0 1 1 round-robin x 1 1 7:0 1", "invalid number of path selector args", Errno.EINVAL],
  ["0 0 1 1 round-robin 1", "invalid number of path selector args", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 1", "invalid number of selector args", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 2 1 7:0 1", "not enough path parameters", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 x 1 7:0 1", "invalid number of paths", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 1 x 7:0 1", "invalid number of selector args", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 1 1", "not enough path parameters", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 0 0", "invalid number of paths", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 1 0 7:0 1", "not enough priority group arguments", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 1 2 7:0 1", "not enough path parameters", Errno.EINVAL],
];

const PATH_VECTORS: Array<[string, string, number]> = [
  ["0 0 1 1 round-robin 0 1 1 255:255 1", "error getting device", Errno.ENXIO],
  ["0 0 1 1 round-robin 0 1 1 8:0 1", "error getting device", Errno.ENXIO],
  ["0 0 1 1 round-robin 0 1 1 /dev/nonexistent 1", "error getting device", Errno.ENODEV],
  ["0 0 1 1 round-robin 0 1 1 7:0 x", "round-robin ps: invalid repeat count", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 1 1 7:0 -1", "round-robin ps: invalid repeat count", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 1 2 7:0 1 1", "round-robin ps: incorrect number of arguments", Errno.EINVAL],
  [
    "0 0 1 1 service-time 0 1 2 7:0 1 101",
    "service-time ps: invalid relative_throughput value",
    Errno.EINVAL,
  ],
  ["0 0 1 1 service-time 0 1 2 7:0 1 -1", "service-time ps: invalid relative_throughput value", Errno.EINVAL],
  ["0 0 1 1 service-time 0 1 2 7:0 1 x", "service-time ps: invalid relative_throughput value", Errno.EINVAL],
  ["0 0 1 1 service-time 0 1 3 7:0 1 1 1", "service-time ps: incorrect number of arguments", Errno.EINVAL],
  ["0 0 1 1 queue-length 0 1 2 7:0 1 1", "queue-length ps: incorrect number of arguments", Errno.EINVAL],
  ["0 0 1 1 queue-length 0 1 1 7:0 x", "queue-length ps: invalid repeat count", Errno.EINVAL],
  ["0 0 1 1 round-robin 0 1 1 7:0 1 extra", "not enough priority group arguments", Errno.EINVAL],
  ["0 0 2 1 round-robin 0 1 1 7:0 1 queue-length 0 1 1 7:1", "not enough path parameters", Errno.EINVAL],
  ["0 0 2 1 round-robin 0 1 1 7:0 1 round-robin 0 2 1 7:1 1", "not enough path parameters", Errno.EINVAL],
  [
    "2 retain_attached_hw_handler 1 0 1 1 round-robin 0 1 1 7:0 1",
    "Unrecognised multipath feature request",
    Errno.EINVAL,
  ],
  [
    "3 pg_init_retries 1 2 0 1 1 round-robin 0 1 1 7:0 1",
    "Unrecognised multipath feature request",
    Errno.EINVAL,
  ],
  ["0 1 alua 1 1 round-robin 0 1 1 7:0 1", "error attaching hardware handler", Errno.ENODEV],
  ["0 1 1 1 1 round-robin 0 1 1 7:0 1", "error attaching hardware handler", Errno.ENODEV],
  ["0 0 1 1 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:1 1", "priority group count mismatch", Errno.EINVAL],
];

describe("multipath constructor", () => {
  it.each([...HEADER_VECTORS, ...PATH_VECTORS])("'%s' fails with '%s'", (params, error, errno) => {
    const k = debianKernel();
    const r = k.create("inv", `0 16384 multipath ${params}`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBe(error);
    expect(r.errno).toBe(errno);
    // Everything the constructor opened is released again.
    for (const n of [0, 1, 5]) expect(k.block.openCount((7 << 20) + n)).toBe(0);
  });

  it("logs the failure as dm core does (vector from invalid-tables-header.out)", () => {
    const k = debianKernel();
    k.dmesg();
    k.create("inv1", "0 16384 multipath");
    expect(k.dmesg()).toEqual([
      "device-mapper: table: 254:0: multipath: invalid number of feature args (-EINVAL)",
      "device-mapper: ioctl: error adding target to table",
    ]);
  });

  it.each([
    ["0 0 1 1 round-robin 0 1 1 7:5 1", "0 0 1 1 round-robin 0 1 1 7:5 1 "],
    ["0 0 1 1 round-robin 0 1 1 7:0 0", "0 0 1 1 round-robin 0 1 1 7:0 0 "],
    ["0 0 1 1 service-time 0 1 2 7:0 0 50", "0 0 1 1 service-time 0 1 2 7:0 0 50 "],
    ["0 0 1 1 queue-length 0 1 1 7:0 0", "0 0 1 1 queue-length 0 1 1 7:0 0 "],
    ["4 queue_mode bio queue_mode rq 0 1 1 round-robin 0 1 1 7:0 1", "0 0 1 1 round-robin 0 1 1 7:0 1 "],
    [
      "2 queue_mode BIO 0 1 1 round-robin 0 1 1 7:0 1",
      "3 retain_attached_hw_handler queue_mode bio 0 1 1 round-robin 0 1 1 7:0 1 ",
    ],
    ["0 0 0 0 ", "0 0 0 0 "],
  ])("accepts '%s' (table '%s')", (params, table) => {
    const k = debianKernel();
    const r = k.create("ok", `0 16384 multipath ${params}`);
    if (!r.ok) throw new Error(r.error);
    expect(r.map.status("table")).toBe(`0 16384 multipath ${table}`);
  });

  it("takes the queue type from queue_mode (request-based by default)", () => {
    const k = debianKernel();
    const a = k.create("a", "0 16384 multipath 0 0 1 1 round-robin 0 1 1 7:0 1");
    const b = k.create("b", "0 16384 multipath 2 queue_mode bio 0 1 1 round-robin 0 1 1 7:0 1");
    expect(a.ok && a.map.queueType).toBe("request");
    expect(b.ok && b.map.queueType).toBe("bio");
    expect(b.ok && b.map.target.queueType).toBe("bio");
  });

  it("logs and ignores hardware handler args in bio mode", () => {
    const k = debianKernel();
    k.dmesg();
    const r = k.create("b", "0 16384 multipath 2 queue_mode bio 2 alua 1 1 1 round-robin 0 1 1 7:0 1");
    expect(r.ok).toBe(true);
    expect(k.dmesg()).toEqual([
      "device-mapper: multipath: bio-based multipath doesn't allow hardware handler args",
    ]);
    expect(r.ok && r.map.status("table")).toBe(
      "0 16384 multipath 3 retain_attached_hw_handler queue_mode bio 0 1 1 round-robin 0 1 1 7:0 1 ",
    );
  });

  it("autoloads the selector module dm-<name> on first use", () => {
    const k = new FakeKernel();
    k.addLoop(0);
    expect(k.selectors.has("queue-length")).toBe(false);
    const r = k.create("a", "0 16384 multipath 0 0 1 1 queue-length 0 1 1 7:0 1");
    expect(r.ok).toBe(true);
    expect(k.modules.isLoaded("dm-queue-length")).toBe(true);
  });

  it("holds each path device open once per path and releases them at dtr", () => {
    const k = debianKernel();
    const r = k.create(
      "a",
      "0 16384 multipath 0 0 2 1 round-robin 0 2 1 7:0 1 7:1 1 round-robin 0 1 1 7:0 1",
    );
    if (!r.ok) throw new Error(r.error);
    expect(k.block.openCount((7 << 20) + 0)).toBe(1);
    r.map.remove();
    expect(k.block.openCount((7 << 20) + 0)).toBe(0);
    expect(k.block.openCount((7 << 20) + 1)).toBe(0);
  });
});
