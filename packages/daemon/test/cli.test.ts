/**
 * The daemon's CLI effect commands against a running daemon, as the lab's long run
 * (shared/lab/kernel/golden/multipathd.out) shows them: `fail path` keeps the path failed,
 * `add path` leaves the new path's first check pending, unknown paths fail, and shutdown turns
 * queueing off.
 */
import { describe, expect, it } from "vitest";
import {
  config,
  dm,
  mpd,
  pathStates,
  scsiDebugWorld,
  settleUdev,
  sleep,
  startDaemon,
  until,
} from "./support/sim.js";

async function setup(extra = "") {
  const w = await scsiDebugWorld({ config: config(extra) });
  const d = await startDaemon(w);
  await sleep(w, 3);
  await settleUdev(w);
  return { w, d };
}

describe("multipathd CLI effects", () => {
  it("fail path: the path stays failed — its checker is suspended — until reinstated", async () => {
    const { w, d } = await setup();
    expect(await mpd(w, d, "fail", "path", "sda")).toEqual({ out: "ok\n", rc: 0 });
    expect((await pathStates(w, d)).sda).toBe("failed faulty running");
    await sleep(w, 15);
    expect((await pathStates(w, d)).sda).toBe("failed faulty running");
    expect(dm(w, "mpatha", "info")).toContain("8:0 F 1");
    expect(await mpd(w, d, "reinstate", "path", "sda")).toEqual({ out: "ok\n", rc: 0 });
    expect(dm(w, "mpatha", "info")).toContain("8:0 A 1");
    const back = await until(w, 8, async () => (await pathStates(w, d)).sda === "active ready running");
    expect(back).toBe(true);
  });

  it("del path / add path: the path leaves the table and comes back with its check pending", async () => {
    const { w, d } = await setup();
    expect(await mpd(w, d, "del", "path", "sdb")).toEqual({ out: "ok\n", rc: 0 });
    expect(dm(w, "mpatha")).toBe("0 32768 multipath 0 1 alua 1 1 service-time 0 1 2 8:0 1 1 ");
    expect(Object.keys(await pathStates(w, d))).toEqual(["sda"]);
    expect(await mpd(w, d, "add", "path", "sdb")).toEqual({ out: "ok\n", rc: 0 });
    expect((await pathStates(w, d)).sdb).toBe("active i/o pending running");
    const ready = await until(w, 4, async () => (await pathStates(w, d)).sdb === "active ready running");
    expect(ready).toBe(true);
  });

  it("commands on unknown paths and maps fail with exit status 1", async () => {
    const { w, d } = await setup();
    expect(await mpd(w, d, "fail", "path", "sdzz")).toEqual({ out: "fail\n", rc: 1 });
    expect(await mpd(w, d, "reinstate", "path", "sdzz")).toEqual({ out: "fail\n", rc: 1 });
    expect((await mpd(w, d, "switchgroup", "map", "mpathz", "group", "1")).rc).toBe(1);
  });

  it("switchgroup, disablequeueing and restorequeueing act on the kernel map", async () => {
    const { w, d } = await setup("no_path_retry queue");
    expect(await mpd(w, d, "switchgroup", "map", "mpatha", "group", "2")).toEqual({ out: "ok\n", rc: 0 });
    expect(await mpd(w, d, "disablequeueing", "map", "mpatha")).toEqual({ out: "ok\n", rc: 0 });
    expect(dm(w, "mpatha")).toContain("multipath 0 1 alua");
    expect((await mpd(w, d, "show", "maps", "raw", "format", "%Q")).out).toBe("off\n");
    expect(await mpd(w, d, "restorequeueing", "map", "mpatha")).toEqual({ out: "ok\n", rc: 0 });
    expect(dm(w, "mpatha")).toContain("multipath 1 queue_if_no_path 1 alua");
  });

  it("reconfigure rebuilds the same map without loading it again", async () => {
    const { w, d } = await setup();
    const before = dm(w, "mpatha");
    expect(await mpd(w, d, "reconfigure")).toEqual({ out: "ok\n", rc: 0 });
    await until(w, 10, () => d.state() === "idle");
    expect(dm(w, "mpatha")).toBe(before);
    expect((await mpd(w, d, "show", "maps", "raw", "format", "%n %2")).out).toBe("mpatha 0\n");
  });

  it("shutdown turns queueing off (queue_without_daemon no) and the daemon exits 0", async () => {
    const { w, d } = await setup("no_path_retry queue");
    expect(dm(w, "mpatha")).toContain("queue_if_no_path");
    expect(await mpd(w, d, "shutdown")).toEqual({ out: "ok\n", rc: 0 });
    await sleep(w, 1);
    expect(d.state()).toBe("shutdown");
    expect(await d.exited).toBe(0);
    expect(dm(w, "mpatha")).toContain("multipath 0 1 alua");
    const after = await mpd(w, d, "show", "daemon");
    expect(after.rc).not.toBe(0);
  });
});

describe("stopping the daemon", () => {
  it("stop() (a signal) ends it as `shutdown` does", async () => {
    const { w, d } = await setup("no_path_retry queue");
    const { settle, NSEC_PER_SEC } = await import("@mp/dm-core");
    const r = await settle(w.clock, d.stop(), 10 * NSEC_PER_SEC);
    expect(r).toEqual({ settled: true, value: 0 });
    expect(d.state()).toBe("shutdown");
    expect(dm(w, "mpatha")).toContain("multipath 0 1 alua");
  });
});
