import { afterEach, describe, expect, it } from "vitest";
import { FakeSource, fakeTopology, mpathName } from "../source/fake-source.js";
import { KEYS, type RenderedDashboard, renderDashboard } from "./test-support.js";

function fake(maps = 5, o: { readOnly?: boolean; time?: boolean; inject?: boolean } = {}): FakeSource {
  const t = fakeTopology({ maps });
  return new FakeSource({ maps: t.maps, paths: t.paths, label: "fake host", ...o });
}

let ui: RenderedDashboard | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

function lines(frame: string): string[] {
  return frame.split("\n");
}

describe("the dashboard", () => {
  it("shows the host meters, the views, the maps and every key of the view", async () => {
    ui = renderDashboard(fake(5));
    const f = await ui.waitFor((x) => x.includes("mpathe"), "the maps");
    expect(f).toContain("mp │ fake host │ maps 5  degraded 0  queueing 0 │ paths 20/20 up\n");
    expect(f).toMatch(/IOPS 1\.3k │ time 00:00:00\.000 │ ▶ 1× │ refresh 2 Hz │ multipathd running/);
    expect(f).toMatch(/ maps +topology:mpatha +paths +events/);
    expect(f).toMatch(/NAME↑ +DM +PATHS QUEUEING +IOPS/);
    expect(f).toMatch(/mpatha +dm-0 +4\/4 12 chk/);
    for (const k of [
      "? help",
      "q quit",
      ": view",
      "⇥/⇤ views",
      "/ filter",
      "o/O sort/rev",
      "[/] refresh",
      "↑↓ move",
      "PgUp/Dn page",
      "g/G first/last",
      "⏎ topology",
      "esc back",
      "w switch pg",
      "s/S susp/resume",
      "d/D queue off/on",
      "x fault",
      "␣ pause",
      ". step 1s",
      "+/- speed",
    ])
      expect(f).toContain(k);
  });

  it("fits 80×24: at most 23 lines, none wider than 80 columns", async () => {
    for (const view of ["maps", "topology", "paths", "events"] as const) {
      ui = renderDashboard(fake(40), { size: { columns: 80, rows: 24 }, view });
      const f = await ui.waitFor((x) => x.includes("mp │"), `the ${view} view`);
      const ls = lines(f);
      expect(ls.length).toBeLessThanOrEqual(23);
      for (const l of ls) expect([...l].length, `${view}: ${l}`).toBeLessThanOrEqual(80);
      ui.unmount();
      ui = null;
    }
  });

  it.each([
    { columns: 60, rows: 16 },
    { columns: 80, rows: 24 },
    { columns: 100, rows: 30 },
    { columns: 200, rows: 60 },
  ])("every view and overlay stays inside a $columns×$rows terminal", async (size) => {
    const src = fake(40, {});
    for (let i = 0; i < 80; i++)
      src.pushEvent({
        source: "kernel",
        level: "info",
        category: "kernel",
        text: `event ${i} ${"x".repeat(i * 3)}`,
      });
    await src.refresh();
    for (const view of ["maps", "topology", "paths", "events"] as const)
      for (const overlay of ["", "?", "x"]) {
        if (overlay === "x" && view === "events") continue;
        ui = renderDashboard(src, { size, view });
        await ui.waitFor((x) => x.includes("mp │"), `${view} at ${size.columns}×${size.rows}`);
        if (overlay) ui.press(overlay);
        const f = await ui.waitFor(
          (x) => overlay === "" || x.includes(overlay === "?" ? "General" : "Inject a fault"),
          `${overlay} over ${view}`,
        );
        const ls = lines(f);
        const what = `${view}${overlay} at ${size.columns}×${size.rows}`;
        expect(ls.length, what).toBe(size.rows - 1);
        for (const l of ls) expect([...l].length, `${what}: ${l}`).toBeLessThanOrEqual(size.columns);
        ui.unmount();
        ui = null;
      }
  });

  it("uses a larger terminal: more rows, more columns", async () => {
    ui = renderDashboard(fake(60), { size: { columns: 80, rows: 24 } });
    const small = await ui.waitFor((x) => x.includes("mpatha"));
    ui.unmount();
    ui = renderDashboard(fake(60), { size: { columns: 160, rows: 50 } });
    const big = await ui.waitFor((x) => x.includes("mpatha"));
    const rows = (f: string) => lines(f).filter((l) => /^[ !QS] mpath[a-z]+ +dm-/.test(l)).length;
    expect(rows(big)).toBeGreaterThan(rows(small));
    expect(small).not.toContain("WWID");
    expect(big).toContain("WWID");
    expect(big).toContain("FEATURES");
    // The tall terminal also shows the event tail.
    expect(big).toContain("── events");
  });

  it("Tab and ':' switch views", async () => {
    ui = renderDashboard(fake(3));
    await ui.waitFor((x) => x.includes("mpathc"));
    ui.press(KEYS.tab);
    let f = await ui.waitFor((x) => x.includes("policy='service-time 0'"), "the topology");
    expect(f).toContain("mpatha (36001405");
    expect(f).toContain("size=1.0G features='1 queue_if_no_path' hwhandler='1 alua' wp=rw");
    expect(f).toMatch(/\|-\+- policy='service-time 0' prio=50 status=active/);
    ui.press(":");
    ui.type("paths");
    ui.press(KEYS.enter);
    f = await ui.waitFor((x) => /DEV +HCTL/.test(x), "the paths view");
    expect(f).toMatch(/sda +1:0:0:0/);
    ui.press(":");
    ui.type("events");
    ui.press(KEYS.enter);
    await ui.waitFor((x) => x.includes("no events yet"), "the events view");
    ui.press(":");
    ui.type("maps");
    ui.press(KEYS.enter);
    await ui.waitFor((x) => /NAME↑ +DM/.test(x), "the maps view");
  });

  it("'/' filters the paths", async () => {
    ui = renderDashboard(fake(6), { view: "paths" });
    await ui.waitFor((x) => x.includes("mpathf"));
    ui.press("/");
    ui.type("mpathc");
    const f = await ui.waitFor((x) => !x.includes("mpatha") && x.includes("mpathc"), "the filtered paths");
    expect(f).toContain("/mpathc█");
    expect(lines(f).filter((l) => / mpathc /.test(l))).toHaveLength(4);
    ui.press(KEYS.enter);
    await ui.waitFor((x) => x.includes("filter /mpathc") && x.includes("filter: mpathc"), "the kept filter");
  });

  it("'o' sorts the paths by the next column and marks it", async () => {
    ui = renderDashboard(fake(2), { view: "paths" });
    await ui.waitFor((x) => x.includes("MAP↑"));
    ui.press("o");
    const f = await ui.waitFor((x) => x.includes("DEV↑"), "the sorted header");
    expect(f).toContain("sort dev↑");
    const devs = lines(f)
      .map((l) => /^[ ×~] (sd[a-z]+) /.exec(l)?.[1])
      .filter((d) => d !== undefined);
    expect(devs).toEqual(["sda", "sdb", "sdc", "sdd", "sde", "sdf", "sdg", "sdh"]);
  });

  it("'?' shows the help drawn from the keymap; any key closes it", async () => {
    ui = renderDashboard(fake(2), { size: { columns: 100, rows: 50 } });
    await ui.waitFor((x) => x.includes("mpathb"));
    ui.press("?");
    const f = await ui.waitFor((x) => x.includes("Moving around"), "the help");
    expect(f).toContain("General");
    expect(f).toContain("fail the selected path (multipathd: fail path sdX)");
    expect(f).toContain("Fault menu (x)");
    ui.press("z");
    await ui.waitFor((x) => x.includes("mpathb") && !x.includes("Moving around"), "the help to close");
  });

  it("operator keys send multipathd commands and show the reply", async () => {
    const src = fake(2);
    ui = renderDashboard(src);
    await ui.waitFor((x) => x.includes("mpathb"));
    ui.press(KEYS.enter, KEYS.down, "f");
    await ui.waitFor((x) => x.includes("fail path sdb: ok"), "the reply");
    expect(src.actions).toEqual([{ kind: "fail-path", path: "sdb" }]);
    ui.press("s");
    await ui.waitFor((x) => x.includes("suspend map mpatha: ok"));
    expect(src.actions[1]).toEqual({ kind: "suspend-map", map: "mpatha" });
  });

  it("a read-only source shows READ-ONLY, leaves the operator keys out, and refuses them", async () => {
    const src = fake(2, { readOnly: true, time: false, inject: false });
    ui = renderDashboard(src);
    let f = await ui.waitFor((x) => x.includes("mpathb"));
    expect(f).toContain("READ-ONLY");
    expect(f).not.toContain("w switch pg");
    expect(f).not.toContain("␣ pause");
    ui.press("s");
    f = await ui.waitFor((x) => x.includes("read-only"), "the refusal");
    expect(src.actions).toEqual([]);
  });

  it("the fault menu injects on the selected path", async () => {
    const src = fake(2);
    ui = renderDashboard(src);
    await ui.waitFor((x) => x.includes("mpathb"));
    ui.press(KEYS.enter, "x");
    const f = await ui.waitFor((x) => x.includes("Inject a fault"), "the fault menu");
    expect(f).toContain("path: sda");
    ui.press("1");
    await ui.waitFor((x) => x.includes("target port of sda down: injected"), "the reply");
    expect(src.faults).toEqual([{ kind: "port-down", path: "sda" }]);
  });

  it("refreshes on the ticker, at the rate set with ']'", async () => {
    const src = fake(2);
    ui = renderDashboard(src);
    await ui.waitFor((x) => x.includes("mpathb"));
    expect(ui.ticker.intervals.at(-1)).toBe(500);
    ui.ticker.tick();
    expect(src.refreshes).toBe(1);
    ui.press("]");
    await ui.waitFor((x) => x.includes("refresh 3 Hz"));
    // The ticker is re-armed by an effect that runs right after the frame is committed.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(ui.ticker.intervals.at(-1)).toBe(333);
    expect(ui.ticker.active).toBe(1);
  });

  it("marks degraded and queueing maps with a marker and in the header", async () => {
    const src = fake(3);
    ui = renderDashboard(src);
    await ui.waitFor((x) => x.includes("mpathc"));
    await src.updatePath("sdb", { dmState: "failed", checkerState: "faulty" });
    for (const k of ["sde", "sdf", "sdg", "sdh"])
      await src.updatePath(k, { dmState: "failed", checkerState: "faulty" });
    const f = await ui.waitFor((x) => x.includes("queueing 1"), "the meters");
    expect(f).toContain("degraded 2");
    expect(f).toMatch(/! mpatha +dm-0 +3\/4/);
    expect(f).toMatch(/Q mpathb +dm-1 +0\/4/);
    expect(f).toMatch(/ {2}mpathc +dm-2 +4\/4/);
  });

  it("q quits", async () => {
    ui = renderDashboard(fake(1));
    await ui.waitFor((x) => x.includes("mpatha"));
    ui.press("q");
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(ui.quits()).toBe(1);
  });
});

describe("a big host (256 maps, 1024 paths)", () => {
  it("draws only the visible rows and moves through all of them", async () => {
    const src = fake(256);
    expect(src.paths).toHaveLength(1024);
    ui = renderDashboard(src, { size: { columns: 120, rows: 40 } });
    let f = await ui.waitFor((x) => x.includes("maps 256"));
    const mapRows = (x: string) => lines(x).filter((l) => /^[ !QS] mpath[a-z]+ +dm-\d+/.test(l));
    // 40 rows: 2 header + 1 tabs + status + footer, the list header and the event tail.
    expect(mapRows(f).length).toBeLessThan(40);
    expect(mapRows(f).length).toBeGreaterThan(15);
    ui.press(KEYS.end);
    f = await ui.waitFor((x) => x.includes(`${mpathName(255)} `), "the last map");
    expect(f).not.toMatch(/ mpatha +dm-0 /);
    ui.press(":");
    ui.type("paths");
    ui.press(KEYS.enter, KEYS.end);
    f = await ui.waitFor((x) => /DEV +HCTL/.test(x) && x.includes(mpathName(255)), "the last paths");
    const pathRows = lines(f).filter((l) => /^[ ×~] sd[a-z]+ /.test(l)).length;
    expect(pathRows).toBeLessThan(40);
    expect(pathRows).toBeGreaterThan(25);
  });
});

describe("the header", () => {
  it("shortens a long source label, never the meters", async () => {
    const t = fakeTopology({ maps: 3 });
    const src = new FakeSource({
      ...t,
      label: "scenario a-rather-long-scenario-name [selector=service-time] seed=4",
    });
    ui = renderDashboard(src, { size: { columns: 80, rows: 24 } });
    const f = await ui.waitFor((x) => x.includes("mpathc"));
    const first = f.split("\n")[0]!;
    expect([...first].length).toBeLessThanOrEqual(80);
    expect(first).toMatch(
      /^mp │ scenario a-rather-long.*… │ maps 3 {2}degraded 0 {2}queueing 0 │ paths 12\/12 up$/,
    );
  });
});

describe("a terminal too small", () => {
  it("says what size the dashboard needs instead of drawing garbage", async () => {
    ui = renderDashboard(fake(2), { size: { columns: 50, rows: 12 } });
    const flat = (x: string) => x.replace(/\s+/g, " ");
    const f = await ui.waitFor((x) => flat(x).includes("needs at least 60×16"), "the message");
    expect(flat(f)).toContain("mp: this terminal is 50×12; the dashboard needs at least 60×16 (q quits)");
    ui.press("q");
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(ui.quits()).toBe(1);
  });
});
