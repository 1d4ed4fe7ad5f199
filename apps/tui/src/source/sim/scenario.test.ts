import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createSimulatorSource } from "./simulator-source.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../../test/fixtures/${name}`, import.meta.url));
const S = 1_000_000_000;

describe("mp tui --scenario", () => {
  it("runs a scenario's world under multipathd: its maps, its workload, its fault timeline", async () => {
    const s = createSimulatorSource({ scenario: fixture("port-flap.yaml"), paused: true });
    await s.start();
    try {
      expect(s.info.label).toBe("scenario port-flap seed=7");
      await s.time.step(5 * S);
      let snap = s.current();
      expect(snap.maps.map((m) => `${m.name} ${m.activePaths}/${m.totalPaths}`)).toEqual(["mpatha 4/4"]);
      expect(snap.maps[0]!.iops).toBeGreaterThan(100);
      expect(snap.events.some((e) => e.text === "scenario port-flap: 1 timed fault, 1 workload")).toBe(true);
      // The timeline takes array0:A0 down at 10 s (virtual, from the start of the scenario).
      await s.time.step(10 * S);
      snap = s.current();
      expect(snap.events.some((e) => e.source === "fabric" && e.text === "array0:A0: target port down")).toBe(
        true,
      );
      const onA0 = snap.paths.find((p) => p.route.includes("array0:A0"))!;
      expect(onA0).toMatchObject({ dmState: "failed" });
      expect(snap.meters.degraded).toBe(1);
      // …and brings it back at 20 s.
      for (let i = 0; i < 30 && s.current().meters.degraded > 0; i++) await s.time.step(S);
      snap = s.current();
      expect(snap.events.some((e) => e.source === "fabric" && e.text === "array0:A0: target port up")).toBe(
        true,
      );
      expect(snap.meters.degraded).toBe(0);
    } finally {
      await s.stop();
    }
  }, 60_000);

  it("a scenario that does not read is an error with its position", async () => {
    const s = createSimulatorSource({ scenario: fixture("bad.yaml") });
    await expect(s.start()).rejects.toThrow(/bad\.yaml:\d+:\d+: .*no-such-profile/);
    const missing = createSimulatorSource({ scenario: "/nonexistent/x.yaml" });
    await expect(missing.start()).rejects.toThrow("cannot read /nonexistent/x.yaml: ENOENT");
  });
});
