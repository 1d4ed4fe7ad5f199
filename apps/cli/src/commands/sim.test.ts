import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SimExit, type SimIo, simCompare, simRun } from "./sim.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/sim/${name}`, import.meta.url));
const plugin = fileURLToPath(new URL("../../../../examples/plugins/least-latency/index.js", import.meta.url));

function capture(tty = false): SimIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    tty,
    stdout(s: string) {
      io.out += s;
    },
    stderr(s: string) {
      io.err += s;
    },
    now: () => 0,
  };
  return io;
}

describe("mp sim run", () => {
  it("prints the fio-like report, per-path shares and the expectations, and exits 0 when they hold", async () => {
    const io = capture();
    const rc = await simRun(fixture("small.yaml"), {}, io);
    expect(io.err).toBe("");
    expect(rc).toBe(SimExit.OK);
    expect(io.out).toContain("w: (groupid=0, jobs=1)");
    expect(io.out).toMatch(/Paths of mpatha \(dm-0\): multibus, round-robin 0/);
    expect(io.out).toMatch(/hba0->array0:A0\s+sda\s+8:0\s+0\.500/);
    expect(io.out).toContain("PASS  no_io_errors");
    expect(io.out).toContain("All expectations held.");
  });

  it("exits 1 when an expectation fails, naming it with its line", async () => {
    const io = capture();
    const rc = await simRun(fixture("failing.yaml"), {}, io);
    expect(rc).toBe(SimExit.EXPECTATION_FAILED);
    expect(io.out).toMatch(/FAIL {2}iops 100000000 {2}→ {2}\d+ {2}\(line 12\)/);
  });

  it("reports a bad file as file:line:col: message, exit 2, no stack trace", async () => {
    const io = capture();
    const rc = await simRun(fixture("bad.yaml"), {}, io);
    expect(rc).toBe(SimExit.USAGE);
    expect(io.out).toBe("");
    expect(io.err).toContain(
      `${fixture("bad.yaml")}:6:11: link: array array0 has no port "Z9" (ports: A0, A1, B0, B1)`,
    );
    expect(io.err).toContain(
      `${fixture("bad.yaml")}:8:46: grouping: "multibuss" is not one of single, failover, multibus, group_by_tpg (did you mean "multibus"?)`,
    );
    expect(io.err).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("--json gives the same bytes for the same seed, and --seed changes the run", async () => {
    const a = capture();
    const b = capture();
    const c = capture();
    await simRun(fixture("small.yaml"), { json: true }, a);
    await simRun(fixture("small.yaml"), { json: true }, b);
    await simRun(fixture("small.yaml"), { json: true, seed: "8" }, c);
    expect(a.out).toBe(b.out);
    const j = JSON.parse(a.out) as {
      seed: number;
      ok: boolean;
      cells: { maps: { paths: { share: number }[] }[] }[];
    };
    expect(j.seed).toBe(7);
    expect(j.ok).toBe(true);
    expect(j.cells[0]!.maps[0]!.paths.map((p) => p.share)).toEqual([0.5, 0.5]);
    expect((JSON.parse(c.out) as { seed: number }).seed).toBe(8);
  });

  it("draws a progress bar on a terminal and erases it, and none otherwise", async () => {
    const tty = capture(true);
    await simRun(fixture("small.yaml"), {}, tty);
    expect(tty.err).toContain("100%  run 1/1");
    expect(tty.err.endsWith("\r\u001b[K")).toBe(true);
    const pipe = capture(false);
    await simRun(fixture("small.yaml"), {}, pipe);
    expect(pipe.err).toBe("");
  });

  it("says so when the file cannot be read", async () => {
    const io = capture();
    expect(await simRun("/nonexistent/x.yaml", {}, io)).toBe(SimExit.USAGE);
    expect(io.err).toMatch(/^mp sim run: cannot read \/nonexistent\/x\.yaml/);
  });
});

describe("mp sim compare", () => {
  it("runs the same workload under each selector, a plugin's included, in one table", async () => {
    const io = capture();
    const rc = await simCompare(
      fixture("small.yaml"),
      { selectors: "round-robin,service-time,least-latency", plugin: [plugin] },
      io,
    );
    expect(io.err).toBe("");
    expect(rc).toBe(SimExit.OK);
    const lines = io.out.split("\n");
    const head = lines.find((l) => l.includes("round-robin 0"))!;
    expect(head).toMatch(/round-robin 0\s+service-time 0\s+least-latency 0/);
    const share = lines.find((l) => l.startsWith("share mpatha hba0->array0:B0"))!;
    const [rr, st, ll] = share.trim().split(/\s+/).slice(-3).map(Number);
    // Round-robin ignores the slow path's speed; the latency-aware selectors send it less.
    expect(rr).toBe(0.5);
    expect(st!).toBeLessThan(0.5);
    expect(ll!).toBeLessThan(0.35);
  });

  it("rejects a plugin that exports no selector", async () => {
    const io = capture();
    const rc = await simCompare(
      fixture("small.yaml"),
      { selectors: "x", plugin: [fixture("small.yaml")] },
      io,
    );
    expect(rc).toBe(SimExit.USAGE);
    expect(io.err).toMatch(/mp sim compare: cannot load plugin|exports no path selector/);
  });
});

describe("mp sim with multipathd", () => {
  it("builds the maps from multipath_conf: with the daemon and runs the workload on them", async () => {
    const { multipathdSeam } = await import("./sim.js");
    const io = capture();
    const rc = await simRun(fixture("daemon.yaml"), {}, io, multipathdSeam);
    expect(io.err).toBe("");
    expect(io.out).toMatch(/Paths of mpatha \(dm-0\): multipathd/);
    expect(io.out).toMatch(/hba0->array0:A0\s+sda/);
    expect(rc).toBe(SimExit.OK);
  }, 60_000);

  it("examples/multipathd-drill.yaml: multipathd fails over, queues with no path, fails back, loses nothing", async () => {
    const { multipathdSeam } = await import("./sim.js");
    const io = capture();
    const file = fileURLToPath(new URL("../../../../examples/multipathd-drill.yaml", import.meta.url));
    const rc = await simRun(file, { json: true }, io, multipathdSeam);
    expect(io.err).toBe("");
    const cell = JSON.parse(io.out).cells[0];
    expect(cell.expectations.filter((e: { ok: boolean }) => !e.ok)).toEqual([]);
    const [down, up, both] = cell.recoveries as Array<{ fault: string; recovered_ns: number }>;
    // fast_io_fail_tmo (5 s), then group 2; failback without a stall; the double outage
    // (10 s) queued by no_path_retry and ended by the next check after 80 s (polling 5 s).
    expect(down!.recovered_ns).toBeGreaterThanOrEqual(5e9);
    expect(down!.recovered_ns).toBeLessThan(5.5e9);
    expect(up!.recovered_ns).toBeLessThan(1e6);
    expect(both!.recovered_ns).toBeGreaterThanOrEqual(10e9);
    expect(both!.recovered_ns).toBeLessThanOrEqual(15e9);
    expect(rc).toBe(SimExit.OK);
  }, 120_000);

  it("without a daemon, a multipath_conf-only scenario says what is missing", async () => {
    const io = capture();
    expect(await simRun(fixture("daemon.yaml"), {}, io)).toBe(SimExit.SETUP);
    expect(io.err).toMatch(/multipath_conf: but no maps:.*no multipathd/);
  });
});
