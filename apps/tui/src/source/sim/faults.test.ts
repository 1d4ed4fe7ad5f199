import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultIntent } from "../source.js";
import { createSimulatorSource, type SimulatorSource } from "./simulator-source.js";

const S = 1_000_000_000;

describe("every fault of the menu, on the default host", () => {
  let s: SimulatorSource;
  beforeAll(async () => {
    s = createSimulatorSource({ seed: 5, paused: true });
    await s.start();
    await s.time.step(2 * S);
  }, 60_000);
  afterAll(() => s.stop());

  /** The first path of map `name`'s first group. */
  const pathOf = (name: string) => {
    const snap = s.current();
    const m = snap.maps.find((x) => x.name === name)!;
    return snap.pathIndex.get(m.groups[0]!.paths[0]!)!;
  };

  /** The paths of every map, by device name. */
  const mapPaths = () =>
    s
      .current()
      .maps.flatMap((m) => m.groups.flatMap((g) => g.paths.map((k) => s.current().pathIndex.get(k)!.dev)));

  it("HBA down removes its SCSI host with I/O in flight: its paths leave the maps; HBA up brings them back", async () => {
    const before = mapPaths();
    const p = pathOf("mpatha");
    const down = await s.inject!({ kind: "hba-down", path: p.dev });
    expect(down).toMatchObject({ ok: true, reply: expect.stringMatching(/^hba\d removed$/) });
    const hba = down.reply.replace(/ removed$/, "");
    await s.time.step(4 * S);
    // The world survived the removal with the workload's commands in flight.
    expect(s.current().notice).toBeNull();
    const after = mapPaths();
    expect(after).not.toContain(p.dev);
    // Half the paths were behind the removed HBA; the maps keep the others.
    expect(after.length).toBe(before.length / 2);
    expect(s.current().maps.every((m) => m.groups.some((g) => g.paths.length > 0))).toBe(true);
    const texts = s.current().events.map((e) => e.text);
    expect(texts).toContain(`${hba}: HBA removed`);

    // Re-inserted through the path it was removed by (its disk is gone now).
    const up = await s.inject!({ kind: "hba-up", path: p.dev });
    expect(up).toMatchObject({ ok: true, reply: `${hba} re-inserted` });
    await s.time.step(10 * S);
    expect(s.current().notice).toBeNull();
    expect(mapPaths().length).toBe(before.length);
    expect(s.current().events.map((e) => e.text)).toContain(`${hba}: HBA inserted`);
  }, 60_000);

  it("the other faults apply, are logged, and the world keeps running", async () => {
    const p = pathOf("mpathe");
    const faults: FaultIntent[] = [
      { kind: "link-flap", path: p.dev, downMs: 3000 },
      { kind: "slow-path", path: p.dev, latencyMs: 50 },
      { kind: "slow-path", path: p.dev, latencyMs: 0 },
      { kind: "alua-state", path: p.dev, state: "standby" },
      { kind: "alua-state", path: p.dev, state: "active/optimized" },
      { kind: "lun-unmap", map: "mpathf" },
      { kind: "lun-map", map: "mpathf" },
    ];
    for (const f of faults) {
      const r = await s.inject!(f);
      expect(r.ok, `${f.kind}: ${r.reply}`).toBe(true);
      const t = s.current().timeNs;
      await s.time.step(4 * S);
      expect(s.current().timeNs).toBe(t + 4 * S);
    }
    const texts = s.current().events.map((e) => e.text);
    expect(texts.some((t) => /link down$/.test(t))).toBe(true);
    expect(texts.some((t) => /link up$/.test(t))).toBe(true);
    expect(texts.some((t) => /latency 50\.005 ms/.test(t))).toBe(true);
    expect(texts.some((t) => /target port group \d → standby/.test(t))).toBe(true);
    expect(texts.some((t) => /array0\/lun\d: unmapped/.test(t))).toBe(true);
    expect(texts.some((t) => /array0\/lun\d: mapped/.test(t))).toBe(true);
  }, 60_000);

  it("a fault on something that is not a simulated path says so", async () => {
    expect(await s.inject!({ kind: "port-down", path: "sdzz" })).toEqual({
      ok: false,
      request: "target port of sdzz down",
      reply: "sdzz is not a simulated SCSI path",
    });
    expect(await s.inject!({ kind: "lun-unmap", map: "nosuch" })).toMatchObject({
      ok: false,
      reply: "no simulated LUN behind nosuch",
    });
  });
});
