/**
 * multipathd over a simulated scsi_debug pair (two hosts, one LUN, implicit ALUA with host 0's
 * port group preferred) in virtual time: discovery and map creation, failover when the active
 * path goes offline, recovery, and the failback policies.
 */
import type { SimWorld } from "@mp/fabric";
import { describe, expect, it } from "vitest";
import type { DaemonEvent } from "../src/libmultipath/events.js";
import type { Multipathd } from "../src/multipathd/multipathd.js";
import {
  config,
  directRead,
  dm,
  echo,
  mpd,
  pathStates,
  scsiDebugWorld,
  settleUdev,
  sleep,
  startDaemon,
  until,
} from "./support/sim.js";

async function setup(extra = ""): Promise<{ w: SimWorld; d: Multipathd; events: DaemonEvent[] }> {
  const w = await scsiDebugWorld({ config: config(extra) });
  const d = await startDaemon(w);
  const events: DaemonEvent[] = [];
  d.events.subscribe((e) => events.push(e));
  // let the first checks and udev settle, as the scenarios' `@idle` does
  await sleep(w, 3);
  await settleUdev(w);
  return { w, d, events };
}

/** Group states and path states from the kernel's status line, e.g. `A:A E:A`. */
function groupsOf(w: SimWorld): string {
  const words = dm(w, "mpatha", "info").split(/\s+/).slice(3);
  let i = 0;
  const next = () => words[i++]!;
  const skip = (n: number) => {
    i += n;
  };
  skip(Number(next()));
  skip(Number(next()));
  const npg = Number(next());
  next();
  const out: string[] = [];
  for (let g = 0; g < npg; g++) {
    const st = next();
    skip(Number(next()));
    const np = Number(next());
    const na = Number(next());
    const paths: string[] = [];
    for (let p = 0; p < np; p++) {
      next();
      paths.push(next());
      next();
      skip(na);
    }
    out.push(`${st}:${paths.join("")}`);
  }
  return out.join(" ");
}

describe("multipathd: discovery and the map it creates", () => {
  it("creates mpatha over sda and sdb with 0.9.4's table, bindings and wwids", async () => {
    const { w, d } = await setup();
    expect(d.maps().map((m) => m.alias)).toEqual(["mpatha"]);
    expect(dm(w, "mpatha")).toBe(
      "0 32768 multipath 0 1 alua 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1 ",
    );
    expect(w.host.files.read("/etc/multipath/bindings")).toMatch(/\nmpatha 333333330000007d0\n$/);
    expect(w.host.files.read("/etc/multipath/wwids")).toMatch(/\n\/333333330000007d0\/\n$/);
    expect(await pathStates(w, d)).toEqual({ sda: "active ready running", sdb: "active ready running" });
    const top = await mpd(w, d, "show", "topology");
    expect(top.out).toBe(
      "create: mpatha (333333330000007d0) dm-0 Linux,scsi_debug\n" +
        "size=16M features='0' hwhandler='1 alua' wp=rw\n" +
        "|-+- policy='service-time 0' prio=50 status=active\n" +
        "| `- 0:0:0:0 sda 8:0  active ready running\n" +
        "`-+- policy='service-time 0' prio=10 status=enabled\n" +
        "  `- 1:0:0:0 sdb 8:16 active ready running\n",
    );
  });
});

describe("multipathd: failover and failback", () => {
  it("fails the offline active path within a polling interval; I/O continues on the other group", async () => {
    const { w, d, events } = await setup();
    echo(w, "/sys/block/sda/device/state", "offline");
    const failed = await until(w, 5, async () => (await pathStates(w, d)).sda === "failed faulty offline");
    expect(failed).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ kind: "path-dm", dev: "sda", action: "fail" }));
    expect(await directRead(w, "/dev/mapper/mpatha")).toBe(0);
    expect(groupsOf(w)).toBe("E:F A:A");
    const st = await mpd(w, d, "show", "maps", "format", "%n %N %0");
    expect(st.out).toBe("name   paths path_faults\nmpatha 1     1          \n");
  });

  it("failback manual (the default): a recovered path is reinstated but its group stays passive", async () => {
    const { w, d, events } = await setup();
    echo(w, "/sys/block/sda/device/state", "offline");
    await until(w, 5, async () => (await pathStates(w, d)).sda?.startsWith("failed") ?? false);
    await directRead(w, "/dev/mapper/mpatha");
    echo(w, "/sys/block/sda/device/state", "running");
    const back = await until(w, 6, async () => (await pathStates(w, d)).sda === "active ready running");
    expect(back).toBe(true);
    await sleep(w, 10);
    await directRead(w, "/dev/mapper/mpatha");
    expect(groupsOf(w)).toBe("E:A A:A");
    expect(events.filter((e) => e.kind === "group-switch")).toEqual([]);
  });

  it("failback immediate: the better group is switched back as soon as its path is up", async () => {
    const { w, d, events } = await setup("failback immediate");
    echo(w, "/sys/block/sda/device/state", "offline");
    await until(w, 5, async () => (await pathStates(w, d)).sda?.startsWith("failed") ?? false);
    await directRead(w, "/dev/mapper/mpatha");
    expect(groupsOf(w)).toBe("E:F A:A");
    echo(w, "/sys/block/sda/device/state", "running");
    await until(w, 6, async () => (await pathStates(w, d)).sda === "active ready running");
    await directRead(w, "/dev/mapper/mpatha");
    expect(groupsOf(w)).toBe("A:A E:A");
    expect(events).toContainEqual(
      expect.objectContaining({ kind: "group-switch", map: "mpatha", group: 1, reason: "failback" }),
    );
  });

  it("deferred failback N: the switch back waits N seconds after the path returns", async () => {
    const { w, d, events } = await setup("failback 6");
    echo(w, "/sys/block/sda/device/state", "offline");
    await until(w, 5, async () => (await pathStates(w, d)).sda?.startsWith("failed") ?? false);
    await directRead(w, "/dev/mapper/mpatha");
    echo(w, "/sys/block/sda/device/state", "running");
    await until(w, 6, async () => (await pathStates(w, d)).sda === "active ready running");
    const upAt = w.clock.now();
    await until(w, 12, () => events.some((e) => e.kind === "group-switch"));
    const sw = events.find((e) => e.kind === "group-switch")!;
    const waited = (sw.timeNs - upAt) / 1e9;
    expect(waited).toBeGreaterThanOrEqual(4);
    expect(waited).toBeLessThanOrEqual(8);
    await directRead(w, "/dev/mapper/mpatha");
    expect(groupsOf(w)).toBe("A:A E:A");
  });

  it("a path the kernel failed on an I/O error is marked failed from the dm event, then reinstated by its checker", async () => {
    const { w, d, events } = await setup();
    // sda drops one I/O and is back before any check: only the kernel saw it fail.
    echo(w, "/sys/block/sda/device/state", "offline");
    const from = d.journal.records().length;
    expect(await directRead(w, "/dev/mapper/mpatha")).toBe(0);
    echo(w, "/sys/block/sda/device/state", "running");
    expect(groupsOf(w)).toBe("E:F A:A");
    const states = await pathStates(w, d);
    expect(states.sda?.split(" ").slice(0, 2)).toEqual(["failed", "faulty"]);
    const journal = d.journal
      .records()
      .slice(from)
      .map((r) => r.message);
    expect(journal).toContain("sda: mark as failed");
    // the daemon did not fail it itself
    expect(events.some((e) => e.kind === "path-dm" && e.dev === "sda" && e.action === "fail")).toBe(false);
    const back = await until(w, 8, async () => (await pathStates(w, d)).sda === "active ready running");
    expect(back).toBe(true);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: "path-dm", dev: "sda", action: "reinstate" }),
    );
  });
});
