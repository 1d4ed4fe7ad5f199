/**
 * End to end on the embedded simulator, in virtual time: the operator loses a controller's ports,
 * then every path of a map, sees the map degrade and queue; then brings everything back and sees
 * the paths recover and the map fail back to its preferred group. Everything is asserted on the
 * frames the dashboard draws.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulatorSource, type SimulatorSource } from "../source/sim/simulator-source.js";
import { KEYS, type RenderedDashboard, renderDashboard } from "./test-support.js";

/** The topology line of `dev` in a frame. */
function pathLine(frame: string, dev: string): string {
  return frame.split("\n").find((l) => new RegExp(`- \\d+:\\d+:\\d+:\\d+ ${dev} `).test(l)) ?? "";
}

/** The group line of group `n` (1-based) in a topology frame. */
function groupLine(frame: string, n: number): string {
  return frame.split("\n").filter((l) => /-\+- policy=/.test(l))[n - 1] ?? "";
}

describe("the dashboard on the simulator", () => {
  let source: SimulatorSource;
  let ui: RenderedDashboard;

  beforeAll(async () => {
    source = createSimulatorSource({ seed: 1, paused: true });
    ui = renderDashboard(source, { size: { columns: 120, rows: 40 } });
    await source.start();
  }, 60_000);
  afterAll(async () => {
    ui.unmount();
    await source.stop();
  });

  /** Steps virtual time with `:step N`, waiting for the frame that shows the new time. */
  async function step(secs: number): Promise<string> {
    const before = /time (\d\d:\d\d:\d\d\.\d\d\d)/.exec(ui.frame())?.[1];
    ui.press(":");
    ui.type(`step ${secs}`);
    ui.press(KEYS.enter);
    return ui.waitFor(
      (f) => {
        const t = /time (\d\d:\d\d:\d\d\.\d\d\d)/.exec(f)?.[1];
        return t !== undefined && t !== before && f.includes(`stepped ${secs} s of virtual time`);
      },
      `${secs} s to pass`,
      30_000,
    );
  }

  it("shows the simulated host with I/O flowing", async () => {
    const f = await ui.waitFor((x) => x.includes("maps 10") && x.includes("mpathj"), "the host", 30_000);
    expect(f).toContain("simulator seed=1");
    expect(f).toContain("❚❚ paused");
    expect(f).toMatch(/ mpatha +dm-0 +4\/4 12 chk/);
    const g = await step(2);
    expect(g).toMatch(/IOPS \d+(\.\d)?k? │ time 00:00:0\d\.\d{3}/);
  }, 60_000);

  it("failing a controller's ports shows failed paths, a failover and a degraded map", async () => {
    ui.press(KEYS.enter);
    let f = await ui.waitFor(
      (x) => x.includes("topology:mpatha") && x.includes("policy="),
      "mpatha's topology",
    );
    expect(groupLine(f, 1)).toContain("prio=50 status=active");
    // The two paths of the active group: take down their target ports.
    ui.press("x");
    await ui.waitFor((x) => x.includes("Inject a fault"));
    ui.press("1");
    await ui.waitFor(
      (x) => x.includes("target port of sda down: array0:A0 down"),
      "the first port to go down",
    );
    ui.press(KEYS.down, "x");
    await ui.waitFor((x) => x.includes("Inject a fault"));
    ui.press("1");
    await ui.waitFor(
      (x) => x.includes("target port of sds down: array0:A1 down"),
      "the second port to go down",
    );
    f = await step(25);
    expect(pathLine(f, "sda")).toMatch(/sda +8:0 +failed faulty running/);
    expect(pathLine(f, "sds")).toMatch(/sds +65:32 +failed faulty running/);
    expect(pathLine(f, "sdaa")).toMatch(/active ready +running/);
    // LIO moves the LUN to controller B (implicit ALUA failover): multipathd regroups by priority.
    expect(groupLine(f, 1)).toContain("status=active");
    expect(f).toContain("! degraded");
    expect(f).toMatch(/degraded 8/);
  }, 60_000);

  it("failing the remaining paths makes the map queue I/O", async () => {
    ui.press(KEYS.down, "f");
    await ui.waitFor((x) => x.includes("fail path sdaa: ok"), "the daemon's reply");
    ui.press(KEYS.down, "f");
    await ui.waitFor((x) => x.includes("fail path sdi: ok"), "the daemon's reply");
    const f = await step(1);
    expect(pathLine(f, "sdaa")).toContain("failed");
    expect(pathLine(f, "sdi")).toContain("failed");
    expect(f).toContain("Q queueing I/O");
    expect(f).toMatch(/queueing 1/);
    ui.press(":");
    ui.type("maps");
    ui.press(KEYS.enter);
    const m = await ui.waitFor((x) => /NAME↑/.test(x), "the maps view");
    expect(m).toMatch(/Q mpatha +dm-0 +0\/4/);
    expect(m).toMatch(/! mpathb +dm-1 +2\/4/);
  }, 60_000);

  it("the event log tells the story with virtual timestamps", async () => {
    ui.press(":");
    ui.type("events");
    ui.press(KEYS.enter);
    await ui.waitFor((x) => !x.includes("NAME↑") && x.includes("fail path sdi"), "the events view");
    ui.press("/");
    ui.type("failing path 8:0");
    ui.press(KEYS.enter);
    let f = await ui.waitFor((x) => x.includes("filter /failing path 8:0"), "the kernel's line");
    expect(f).toMatch(/\d\d:\d\d:\d\d\.\d\d\d kernel +device-mapper: multipath: \d+:0: Failing path 8:0\./);
    ui.press("/", ...Array.from({ length: 20 }, () => KEYS.backspace));
    ui.type("mpatha");
    ui.press(KEYS.enter);
    f = await ui.waitFor((x) => x.includes("filter /mpatha"), "mpatha's events");
    expect(f).toMatch(/daemon +sda \(mpatha\): path up → down/);
    expect(f).toMatch(/operator +multipathd -k'fail path sdi' → ok/);
    expect(f).toMatch(/daemon +mpatha: no usable path, entering recovery mode \(queueing for 61 s\)/);
    ui.press(KEYS.escape);
    await ui.waitFor((x) => !x.includes("filter /mpatha"), "the filter to clear");
  }, 60_000);

  it("reinstating and bringing the ports back recovers the paths and fails back to group 1", async () => {
    ui.press(":");
    ui.type("topology mpatha");
    ui.press(KEYS.enter);
    await ui.waitFor(
      (x) => x.includes("topology:mpatha") && x.includes("Q queueing I/O"),
      "mpatha's topology",
    );
    // The cursor is on sda: bring both ports back, then reinstate the two paths failed by hand.
    ui.press("x");
    await ui.waitFor((x) => x.includes("Inject a fault"));
    ui.press("2");
    await ui.waitFor((x) => x.includes("target port of sda up: array0:A0 up"));
    ui.press(KEYS.down, "x");
    await ui.waitFor((x) => x.includes("Inject a fault"));
    ui.press("2");
    await ui.waitFor((x) => x.includes("target port of sds up: array0:A1 up"));
    ui.press(KEYS.down, "r");
    await ui.waitFor((x) => x.includes("reinstate path sdaa: ok"));
    ui.press(KEYS.down, "r");
    await ui.waitFor((x) => x.includes("reinstate path sdi: ok"));
    const f = await step(30);
    for (const dev of ["sda", "sds", "sdaa", "sdi"])
      expect(pathLine(f, dev)).toMatch(/active ready +running/);
    // Failback: the optimized paths (controller A) are in the map's first group again, and it is
    // the active one. (Whether the B paths form a second group depends on the ALUA state LIO
    // leaves them in, which is the array's business.)
    const lines = f.split("\n");
    const sdaAt = lines.indexOf(pathLine(f, "sda"));
    const sdsAt = lines.indexOf(pathLine(f, "sds"));
    const g1At = lines.indexOf(groupLine(f, 1));
    expect(groupLine(f, 1)).toContain("prio=50 status=active");
    expect(g1At).toBeLessThan(sdaAt);
    expect(g1At).toBeLessThan(sdsAt);
    const g2 = groupLine(f, 2);
    if (g2 !== "") {
      expect(sdaAt).toBeLessThan(lines.indexOf(g2));
      expect(sdsAt).toBeLessThan(lines.indexOf(g2));
      expect(g2).toContain("status=enabled");
    }
    expect(f).not.toContain("queueing I/O");
    expect(f).toMatch(/queueing 0/);
    ui.press(":");
    ui.type("events");
    ui.press(KEYS.enter);
    ui.press("/");
    ui.type("mpatha");
    ui.press(KEYS.enter);
    const e = await ui.waitFor((x) => x.includes("filter /mpatha"), "mpatha's events");
    expect(e).toMatch(/mpatha: queueing on \(recovered\)/);
    expect(e).toMatch(/mpatha: leaving recovery mode/);
    expect(e).toMatch(/mpatha: reinstate path sds/);
    expect(e).toMatch(/mpatha: reinstate path sda/);
  }, 90_000);
});
