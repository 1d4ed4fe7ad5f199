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

  // Blocked on @mp/fabric: with I/O in flight, removing the HBA crashes the SCSI midlayer
  // (scsi-device.ts #finishBlock completes a command of a disk already removed: `this.sd` is
  // null). The dashboard wires the fault (FaultInjector → Hba.setPresent) and reports the crash
  // ("the simulation stopped: …"); this test is to be written when the fabric survives it.
  it.todo("HBA down removes its SCSI host: its paths leave the maps; HBA up brings them back");

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
