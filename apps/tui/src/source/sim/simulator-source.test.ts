import { formatMultipathTopology, MapAction } from "@mp/daemon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topologyText } from "../../state/topology.js";
import type { DashboardSnapshot, MapView } from "../model.js";
import { createSimulatorSource, type SimulatorSource } from "./simulator-source.js";

const S = 1_000_000_000;

/** Steps virtual time in 1 s steps until `pred` holds on a snapshot (at most `secs`). */
async function stepUntil(
  s: SimulatorSource,
  secs: number,
  pred: (snap: DashboardSnapshot) => boolean,
): Promise<DashboardSnapshot> {
  for (let i = 0; i < secs; i++) {
    if (pred(s.current())) return s.current();
    await s.time.step(S);
  }
  if (pred(s.current())) return s.current();
  throw new Error(`condition not met after ${secs} s of virtual time`);
}

function mapNamed(snap: DashboardSnapshot, name: string): MapView {
  const m = snap.maps.find((x) => x.name === name);
  if (!m) throw new Error(`no map ${name}`);
  return m;
}

describe("the simulator source (default host, virtual time)", () => {
  let s: SimulatorSource;
  beforeAll(async () => {
    s = createSimulatorSource({ seed: 1, paused: true });
    await s.start();
    await s.time.step(3 * S);
  }, 60_000);
  afterAll(() => s.stop());

  it("boots 8 LIO maps × 4 paths and 2 CLARiiON maps × 2 paths, every path up", () => {
    const snap = s.current();
    expect(
      snap.maps.map((m) => `${m.name} ${m.vendor},${m.product} ${m.activePaths}/${m.totalPaths}`),
    ).toEqual([
      ...["a", "b", "c", "d", "e", "f", "g", "h"].map((x) => `mpath${x} LIO-ORG,disk 4/4`),
      "mpathi DGC,RAID 5 2/2",
      "mpathj DGC,RAID 5 2/2",
    ]);
    expect(snap.meters).toMatchObject({ maps: 10, degraded: 0, queueing: 0, paths: 36, failedPaths: 0 });
    for (const p of snap.paths)
      expect([p.dev, p.dmState, p.checkerState]).toEqual([p.dev, "active", "ready"]);
    // The hwtable's LIO entry: group_by_prio over ALUA, failback immediate, no_path_retry 12.
    expect(mapNamed(snap, "mpatha")).toMatchObject({
      hwhandler: "1 alua",
      features: "1 queue_if_no_path",
      failback: "immediate",
      queueing: { kind: "retry", secondsLeft: null, text: "12 chk" },
    });
    expect(mapNamed(snap, "mpathi").hwhandler).toBe("1 emc");
  });

  it("draws every map's topology exactly as the daemon's multipath -ll printer does", () => {
    const d = s.daemon!;
    const env = d.daemon.ctx.printEnv;
    const snap = s.current();
    for (const mpp of d.maps()) {
      const expected = formatMultipathTopology({ ...mpp, action: MapAction.NOTHING }, 2, env);
      const m = mapNamed(snap, mpp.alias!);
      expect(topologyText(m, snap)).toBe(expected);
    }
  });

  it("I/O flows through the active group only, and each map's IOPS is its paths' sum", () => {
    const snap = s.current();
    for (const m of snap.maps) {
      const [active, ...rest] = m.groups;
      expect(active!.status).toBe("active");
      let sum = 0;
      for (const k of active!.paths) {
        const p = snap.pathIndex.get(k)!;
        expect(p.iops).toBeGreaterThan(0);
        expect(p.latencyUs).toBeGreaterThan(0);
        sum += p.iops!;
      }
      for (const g of rest) for (const k of g.paths) expect(snap.pathIndex.get(k)!.iops).toBe(0);
      expect(m.iops).toBeCloseTo(sum, 6);
    }
    expect(snap.meters.totalIops).toBeGreaterThan(500);
  });

  it("shows the service-time selector's counters and where each path goes", () => {
    const snap = s.current();
    const p = snap.pathIndex.get(mapNamed(snap, "mpatha").groups[0]!.paths[0]!)!;
    expect(p.selector.map((c) => c.name)).toEqual(["in-flight-size", "rel-tput"]);
    expect(p.route).toMatch(/^hba[01] → array0:[AB][01] lun 0$/);
    expect(p.nextCheck).not.toBeNull();
  });

  it("operator commands go through multipathd and come back with its reply", async () => {
    const snap = s.current();
    const dev = snap.pathIndex.get(mapNamed(snap, "mpathb").groups[1]!.paths[0]!)!.dev;
    const r = await s.act({ kind: "fail-path", path: dev });
    expect(r).toEqual({ ok: true, request: `fail path ${dev}`, reply: "ok" });
    let now = await s.refresh();
    expect(now.pathIndex.get(dev)!.dmState).toBe("failed");
    expect(now.events.some((e) => e.category === "action" && e.text.includes(`fail path ${dev}`))).toBe(true);
    expect(now.events.some((e) => e.source === "kernel" && e.category === "path-fail")).toBe(true);
    expect(await s.act({ kind: "reinstate-path", path: dev })).toMatchObject({ ok: true, reply: "ok" });
    now = await s.refresh();
    expect(now.pathIndex.get(dev)!.dmState).toBe("active");
    expect(await s.act({ kind: "fail-path", path: "sdzz" })).toMatchObject({ ok: false });
  });

  it("a target port going down fails its paths and degrades maps; back up, they recover", async () => {
    let snap = s.current();
    const a = mapNamed(snap, "mpatha");
    const victim = snap.pathIndex.get(a.groups[0]!.paths[0]!)!;
    const port = victim.route.split(" ")[2]!;
    const r = await s.inject!({ kind: "port-down", path: victim.dev });
    expect(r.ok).toBe(true);
    const onPortOf = (x: DashboardSnapshot) => x.paths.filter((p) => p.route.split(" ")[2] === port);
    // Paths carrying I/O fail at once; idle ones when their checker next runs (up to 20 s).
    snap = await stepUntil(s, 30, (x) => onPortOf(x).every((p) => p.checkerState === "faulty"));
    const onPort = onPortOf(snap);
    expect(onPort.length).toBe(8);
    for (const p of onPort) expect([p.dev, p.dmState, p.checkerState]).toEqual([p.dev, "failed", "faulty"]);
    expect(mapNamed(snap, "mpatha")).toMatchObject({ degraded: true, activePaths: 3, queueingIo: false });
    expect(snap.meters.degraded).toBe(8);
    expect(snap.events.some((e) => e.source === "fabric" && e.text === `${port}: target port down`)).toBe(
      true,
    );

    await s.inject!({ kind: "port-up", path: victim.dev });
    snap = await stepUntil(s, 60, (x) => x.meters.degraded === 0);
    expect(snap.pathIndex.get(victim.dev)).toMatchObject({ dmState: "active", checkerState: "ready" });
  }, 60_000);

  it("the kernel's own group switches are noted in the event log, failback too", async () => {
    const snap = s.current();
    const c = mapNamed(snap, "mpathc");
    const first = c.groups[0]!.paths.map((k) => snap.pathIndex.get(k)!.dev);
    for (const dev of first)
      expect(await s.act({ kind: "fail-path", path: dev })).toMatchObject({ ok: true });
    await s.time.step(2 * S);
    let texts = s
      .current()
      .events.filter((e) => e.map === "mpathc")
      .map((e) => `${e.source}: ${e.text}`);
    expect(texts).toContain("kernel: mpathc: path group 2 active (was 1)");
    for (const dev of first)
      expect(await s.act({ kind: "reinstate-path", path: dev })).toMatchObject({ ok: true });
    // failback immediate: multipathd switches back once its checker has seen the paths up.
    await stepUntil(s, 30, (x) => mapNamed(x, "mpathc").groups[0]!.status === "active");
    texts = s
      .current()
      .events.filter((e) => e.map === "mpathc")
      .map((e) => `${e.source}: ${e.text}`);
    expect(texts).toContain("kernel: mpathc: path group 1 active (was 2)");
    expect(mapNamed(s.current(), "mpathc").groups[0]!.status).toBe("active");
  });

  it("pausing holds virtual time; a step moves it by exactly that much", async () => {
    const t0 = s.current().timeNs;
    await s.refresh();
    expect(s.current().timeNs).toBe(t0);
    await s.time.step(250_000_000);
    expect(s.current().timeNs).toBe(t0 + 250_000_000);
  });
});
