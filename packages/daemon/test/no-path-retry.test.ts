/**
 * no_path_retry with every path down, in virtual time: `queue` holds I/O until a path returns,
 * `fail` errors it at once, and N queues for N polling intervals before giving up.
 */
import type { SimWorld } from "@mp/fabric";
import { describe, expect, it } from "vitest";
import type { DaemonEvent } from "../src/libmultipath/events.js";
import type { Multipathd } from "../src/multipathd/multipathd.js";
import {
  config,
  dm,
  echo,
  mpd,
  scsiDebugWorld,
  settleUdev,
  sleep,
  startDaemon,
  startRead,
  until,
} from "./support/sim.js";

async function setup(noPathRetry: string): Promise<{ w: SimWorld; d: Multipathd; events: DaemonEvent[] }> {
  const w = await scsiDebugWorld({ config: config(`no_path_retry ${noPathRetry}`) });
  const d = await startDaemon(w);
  const events: DaemonEvent[] = [];
  d.events.subscribe((e) => events.push(e));
  await sleep(w, 3);
  await settleUdev(w);
  return { w, d, events };
}

async function queueing(w: SimWorld, d: Multipathd): Promise<string> {
  const r = await mpd(w, d, "show", "maps", "raw", "format", "%Q|%N");
  return r.out.trim();
}

async function allPathsDown(w: SimWorld, d: Multipathd): Promise<void> {
  echo(w, "/sys/block/sda/device/state", "offline");
  echo(w, "/sys/block/sdb/device/state", "offline");
  const down = await until(w, 10, async () => (await queueing(w, d)).endsWith("|0"));
  expect(down).toBe(true);
}

async function pathsBack(w: SimWorld, d: Multipathd): Promise<void> {
  echo(w, "/sys/block/sda/device/state", "running");
  echo(w, "/sys/block/sdb/device/state", "running");
  const up = await until(w, 12, async () => (await queueing(w, d)).endsWith("|2"));
  expect(up).toBe(true);
}

/** Watches a read: `done` is set when it completes. */
function watch(p: Promise<number>): { done: boolean; status: number | null } {
  const s = { done: false, status: null as number | null };
  void p.then((st) => {
    s.done = true;
    s.status = st;
  });
  return s;
}

describe("no_path_retry", () => {
  it("queue: I/O waits while every path is down and completes when one returns", async () => {
    const { w, d } = await setup("queue");
    expect(dm(w, "mpatha")).toContain("multipath 1 queue_if_no_path 1 alua");
    await allPathsDown(w, d);
    expect(await queueing(w, d)).toBe("on|0");
    const read = watch(startRead(w, "/dev/mapper/mpatha"));
    await sleep(w, 20);
    expect(read.done).toBe(false);
    expect(await queueing(w, d)).toBe("on|0");
    await pathsBack(w, d);
    await until(w, 5, () => read.done);
    expect(read.status).toBe(0);
  });

  it("fail: queueing is off and I/O with no path fails at once", async () => {
    const { w, d } = await setup("fail");
    expect(dm(w, "mpatha")).toContain("multipath 0 1 alua");
    await allPathsDown(w, d);
    expect(await queueing(w, d)).toBe("off|0");
    const read = watch(startRead(w, "/dev/mapper/mpatha"));
    await sleep(w, 1);
    expect(read.done).toBe(true);
    expect(read.status).not.toBe(0);
  });

  it("N: queues for N × polling_interval seconds, then disables queueing and fails the queued I/O", async () => {
    const { w, d, events } = await setup("3");
    await allPathsDown(w, d);
    const read = watch(startRead(w, "/dev/mapper/mpatha"));
    const entered = events.find((e) => e.kind === "recovery" && e.entered);
    expect(entered).toMatchObject({ map: "mpatha", retryTick: 7 });
    expect(d.journal.records().map((r) => r.message)).toContain(
      "mpatha: Entering recovery mode: max_retries=3",
    );
    // while recovering, %Q shows the seconds of queueing left
    expect(await queueing(w, d)).toMatch(/^\d+ sec\|0$/);
    await until(w, 15, () => read.done);
    expect(read.status).not.toBe(0);
    const off = events.find((e) => e.kind === "queueing" && !e.enabled && e.reason === "timeout");
    expect(off).toBeDefined();
    // 3 × 2 s + 1 one-second ticks of the checker loop
    const after = (off!.timeNs - entered!.timeNs) / 1e9;
    expect(after).toBeGreaterThanOrEqual(6);
    expect(after).toBeLessThanOrEqual(7.5);
    expect(d.journal.records().map((r) => r.message)).toContain("mpatha: Disable queueing");
    expect(await queueing(w, d)).toBe("off|0");
    expect(dm(w, "mpatha")).toContain("multipath 0 1 alua");
    await pathsBack(w, d);
    // a path back re-enables queueing
    await until(w, 5, async () => dm(w, "mpatha").includes("queue_if_no_path"));
    expect(dm(w, "mpatha")).toContain("multipath 1 queue_if_no_path 1 alua");
    expect(await queueing(w, d)).toBe("3 chk|2");
  });
});
