import { describe, expect, it } from "vitest";
import { parseScenario } from "./parse.js";
import { runScenario } from "./run.js";
import { formatDiagnostic } from "./yaml-reader.js";

/** A dm-multipath map over two NVMe/TCP controllers (native multipath off), verified random I/O. */
const scenario = (faults: string, extra = ""): string => `seed: 7
topology:
  nvme_multipath: false
  nvme:
    - name: subsys0
      namespaces: [{ nsid: 1, size: 64m }]
      fast_io_fail_tmo: 2s
      reconnect_delay: 2s
      controllers:
        - { name: c0, latency: 50us }
        - { name: c1, latency: 50us, ana: non-optimized }
maps:
  - name: mpatha
    lun: subsys0:1
    features: [queue_if_no_path, queue_mode bio]
    grouping: group_by_tpg
    checker: { interval: 1s, failback: immediate }${extra}
workloads:
  - { name: w, rw: randrw, bs: 4k, iodepth: 4, size: 64m, runtime: 10s, time_based: 1, rate_iops: 500, verify: md5 }
faults:
${faults}
expect:
  - no_io_errors
  - no_io_lost
  - verify_clean
`;

async function run(faults: string) {
  const text = scenario(faults);
  const p = parseScenario(text, "nvme-dm.yaml");
  if (!p.ok) throw new Error(p.diagnostics.map(formatDiagnostic).join("\n"));
  const r = await runScenario(p.spec);
  const c = r.cells[0]!;
  if (c.crash) throw new Error(c.crash);
  return c;
}

describe("scenarios: dm-multipath over NVMe (topology.nvme_multipath: false)", () => {
  it("groups the controllers' nvmeXn1 disks by ANA state; an inaccessible group moves I/O to the other, and back", async () => {
    const c = await run(
      "  - { at: 3s, ana: { subsystem: subsys0, group: 1, state: inaccessible, controllers: [c0] }, for: 4s }",
    );
    const m = c.maps[0]!;
    expect(m.table).toBe(
      "3 queue_if_no_path queue_mode bio 0 2 1 service-time 0 1 1 259:0 1 service-time 0 1 1 259:1 1",
    );
    expect(m.paths.map((p) => `${p.path} ${p.disk}`)).toEqual(["subsys0:c0 nvme0n1", "subsys0:c1 nvme1n1"]);
    expect(c.expectations.every((e) => e.ok)).toBe(true);
    expect(c.kernelLog.some((l) => /Failing path 259:0\./.test(l))).toBe(true);
    // The checker (none, controller state live) reinstates it and fails back at once.
    expect(m.checkerEvents.some((e) => /259:0: reinstated/.test(e.message))).toBe(true);
    expect(m.paths[1]!.ios).toBeGreaterThan(0);
    expect(m.groupAtEnd).toBe(1);
  });

  it("a dark port: keep-alive notices, fast_io_fail_tmo fails the waiting I/O over, the controller reconnects", async () => {
    const c = await run("  - { at: 2s, port_down: subsys0:c0, for: 4s }");
    expect(c.expectations.every((e) => e.ok)).toBe(true);
    const log = c.kernelLog.join("\n");
    expect(log).toMatch(/nvme nvme0: starting error recovery/);
    expect(log).toMatch(/nvme nvme0: failfast expired/);
    expect(log).toMatch(/Failing path 259:0\./);
    expect(log).toMatch(/nvme nvme0: Successfully reconnected/);
  });

  it("port_disable (nvmet unlinks the subsystem): error recovery at once, refused reconnects, then back", async () => {
    const c = await run("  - { at: 2s, port_disable: subsys0:c0, for: 5s }");
    expect(c.expectations.every((e) => e.ok)).toBe(true);
    const nvme0 = c.kernelLog.filter((l) => /nvme nvme0:/.test(l)).map((l) => l.replace(/^\[[^\]]*\] /, ""));
    expect(nvme0.slice(nvme0.indexOf("nvme nvme0: starting error recovery"))).toEqual([
      "nvme nvme0: starting error recovery",
      "nvme nvme0: Reconnecting in 2 seconds...",
      // fast_io_fail_tmo and reconnect_delay (both 2 s) run out together; failfast was armed first.
      "nvme nvme0: failfast expired",
      "nvme nvme0: failed to connect socket: -111",
      "nvme nvme0: Failed reconnect attempt 1",
      "nvme nvme0: Reconnecting in 2 seconds...",
      "nvme nvme0: failed to connect socket: -111",
      "nvme nvme0: Failed reconnect attempt 2",
      "nvme nvme0: Reconnecting in 2 seconds...",
      "nvme nvme0: creating 2 I/O queues.",
      "nvme nvme0: mapped 2/0/0 default/read/poll queues.",
      "nvme nvme0: Successfully reconnected (3 attempt)",
    ]);
  });

  it("a map over an NVMe namespace needs nvme_multipath: false", () => {
    const p = parseScenario(
      scenario("  []").replace("nvme_multipath: false", "nvme_multipath: true"),
      "x.yaml",
    );
    expect(p.ok).toBe(false);
    if (!p.ok)
      expect(p.diagnostics.map((d) => d.message)).toContain(
        "map mpatha: subsys0:1 is an NVMe namespace; dm-multipath needs its per-controller disks: set topology.nvme_multipath: false",
      );
  });
});
