import { describe, expect, it } from "vitest";
import { Errno } from "../block/status.js";
import { FakeKernel, type FakeMap } from "./testing/fake-dm.js";

function setup(params = "0 0 2 1 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:1 1"): {
  k: FakeKernel;
  m: FakeMap;
} {
  const k = new FakeKernel();
  k.addLoop(0);
  k.addLoop(1);
  k.addLoop(5, 0);
  const r = k.create("mm", `0 16384 multipath ${params}`);
  if (!r.ok) throw new Error(r.error);
  k.dmesg();
  return { k, m: r.map };
}

const W = "device-mapper: multipath: ";

describe("multipath messages", () => {
  it.each([
    ["fail_path", -Errno.EINVAL, `${W}Invalid multipath message arguments. Expected 2 arguments, got 1.`],
    ["fail_path 9:9", -Errno.ENXIO, `${W}message: error getting device 9:9`],
    ["fail_path 7:5", -Errno.EINVAL, null],
    [
      "fail_path 7:0 7:1",
      -Errno.EINVAL,
      `${W}Invalid multipath message arguments. Expected 2 arguments, got 3.`,
    ],
    ["reinstate_path 9:9", -Errno.ENXIO, `${W}message: error getting device 9:9`],
    ["switch_group", -Errno.EINVAL, `${W}Invalid multipath message arguments. Expected 2 arguments, got 1.`],
    ["switch_group 0", -Errno.EINVAL, `${W}invalid PG number supplied to switch_pg_num`],
    ["switch_group 3", -Errno.EINVAL, `${W}invalid PG number supplied to switch_pg_num`],
    ["switch_group x", -Errno.EINVAL, `${W}invalid PG number supplied to switch_pg_num`],
    ["disable_group 0", -Errno.EINVAL, `${W}invalid PG number supplied to bypass_pg`],
    ["disable_group 3", -Errno.EINVAL, `${W}invalid PG number supplied to bypass_pg`],
    ["enable_group 9", -Errno.EINVAL, `${W}invalid PG number supplied to bypass_pg`],
    ["foo", -Errno.EINVAL, `${W}Invalid multipath message arguments. Expected 2 arguments, got 1.`],
    ["foo bar", -Errno.EINVAL, `${W}Unrecognised multipath message received: foo`],
    ["queue_if_no_path 1", -Errno.EINVAL, `${W}Unrecognised multipath message received: queue_if_no_path`],
    ["fail_if_no_path x", -Errno.EINVAL, `${W}Unrecognised multipath message received: fail_if_no_path`],
    ["fail_path /dev/nonexistent", -Errno.ENODEV, `${W}message: error getting device /dev/nonexistent`],
  ])("'%s' returns %i and logs the kernel's warning (invalid-messages.out)", (msg, errno, line) => {
    const { k, m } = setup();
    const before = m.status();
    expect(m.message(msg)).toBe(errno);
    expect(k.dmesg()).toEqual(line === null ? [] : [line]);
    expect(m.status()).toBe(before);
    expect(m.eventNr).toBe(0);
  });

  it("accepts /dev paths and any case of the verbs", () => {
    const { k, m } = setup();
    expect(m.message("FAIL_PATH /dev/loop0")).toBe(0);
    expect(m.message("Reinstate_Path 7:0")).toBe(0);
    expect(m.message("Queue_If_No_Path")).toBe(0);
    expect(m.status("table")).toContain("1 queue_if_no_path 0 2 1");
    expect(k.dmesg()).toEqual([`${W}254:0: Failing path 7:0.`, `${W}254:0: Reinstating path 7:0.`]);
  });

  it("refuses every message with -EBUSY while suspended, silently", () => {
    const { k, m } = setup();
    m.suspend();
    expect(m.message("fail_path 7:0")).toBe(-Errno.EBUSY);
    expect(m.message("switch_group 2")).toBe(-Errno.EBUSY);
    expect(m.message("queue_if_no_path")).toBe(-Errno.EBUSY);
    expect(k.dmesg()).toEqual([]);
    m.resume();
    expect(m.message("fail_path 7:0")).toBe(0);
  });

  it("acts on every group holding the device (groups-three-reorder.out)", () => {
    const { k, m } = setup(
      "0 0 3 1 round-robin 0 1 1 7:1 1 queue-length 0 1 1 7:0 1 service-time 0 1 2 7:1 1 10",
    );
    expect(m.message("fail_path 7:1")).toBe(0);
    expect(k.dmesg()).toEqual([`${W}254:0: Failing path 7:1.`, `${W}254:0: Failing path 7:1.`]);
    expect(m.status()).toBe(
      "0 16384 multipath 2 1 0 0 3 1 E 0 1 0 7:1 F 1 E 0 1 1 7:0 A 0 0 E 0 1 2 7:1 F 1 0 10 ",
    );
    expect(m.message("reinstate_path 7:1")).toBe(0);
    expect(k.dmesg()).toEqual([`${W}254:0: Reinstating path 7:1.`, `${W}254:0: Reinstating path 7:1.`]);
  });

  it("counts failures cumulatively and ignores a second fail or reinstate", () => {
    const { k, m } = setup();
    m.message("fail_path 7:0");
    m.message("fail_path 7:0");
    m.message("reinstate_path 7:0");
    m.message("reinstate_path 7:0");
    m.message("fail_path 7:0");
    expect(m.status()).toBe("0 16384 multipath 2 1 0 0 2 1 E 0 1 0 7:0 F 2 E 0 1 0 7:1 A 0 ");
    expect(k.dmesg()).toHaveLength(3);
  });

  it("raises a dm event for path state and group changes, not for queueing toggles", () => {
    const { k, m } = setup();
    const ev = (): number => {
      k.settle();
      return m.eventNr;
    };
    m.message("fail_path 7:0");
    expect(ev()).toBe(1);
    m.message("fail_path 7:0");
    expect(ev()).toBe(1);
    m.message("reinstate_path 7:0");
    expect(ev()).toBe(2);
    m.message("switch_group 2");
    expect(ev()).toBe(3);
    m.message("disable_group 1");
    expect(ev()).toBe(4);
    m.message("enable_group 1");
    expect(ev()).toBe(5);
    m.message("queue_if_no_path");
    m.message("fail_if_no_path");
    expect(ev()).toBe(5);
  });

  it("coalesces the event work of one message acting on several groups into one event", () => {
    const { k, m } = setup("0 0 2 1 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:0 1");
    m.message("fail_path 7:0");
    k.settle();
    expect(m.eventNr).toBe(1);
    expect(m.uevents.map((u) => Object.fromEntries(u).DM_NR_VALID_PATHS)).toEqual(["1", "0"]);
  });

  it("queues PATH_FAILED / PATH_REINSTATED uevents with dm's variables", () => {
    const { k, m } = setup();
    m.message("fail_path 7:1");
    m.message("reinstate_path 7:1");
    k.settle();
    expect(m.uevents).toEqual([
      [
        ["DM_TARGET", "multipath"],
        ["DM_ACTION", "PATH_FAILED"],
        ["DM_SEQNUM", "1"],
        ["DM_PATH", "7:1"],
        ["DM_NR_VALID_PATHS", "1"],
        ["DM_NAME", "mm"],
        ["DM_UUID", ""],
      ],
      [
        ["DM_TARGET", "multipath"],
        ["DM_ACTION", "PATH_REINSTATED"],
        ["DM_SEQNUM", "2"],
        ["DM_PATH", "7:1"],
        ["DM_NR_VALID_PATHS", "2"],
        ["DM_NAME", "mm"],
        ["DM_UUID", ""],
      ],
    ]);
  });

  it("switch_group clears every group's bypass and takes effect at the next I/O", () => {
    const { k, m } = setup("0 0 3 1 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:1 1 round-robin 0 1 1 7:0 1");
    m.message("disable_group 1");
    m.message("disable_group 2");
    m.message("switch_group 3");
    expect(m.status()).toBe("0 16384 multipath 2 1 0 0 3 3 E 0 1 0 7:0 A 0 E 0 1 0 7:1 A 0 E 0 1 0 7:0 A 0 ");
    m.read();
    k.settle();
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 3 3 E 0 1 0 7:0 A 0 E 0 1 0 7:1 A 0 A 0 1 0 7:0 A 0 ");
  });

  it("enable_group clears the current group, so the next I/O fails back to the first usable group", () => {
    const { k, m } = setup();
    m.message("switch_group 2");
    m.read();
    k.settle();
    expect(m.status()).toContain(" 2 2 E ");
    m.message("enable_group 2");
    m.read();
    k.settle();
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 1 A 0 1 0 7:0 A 0 E 0 1 0 7:1 A 0 ");
  });
});
