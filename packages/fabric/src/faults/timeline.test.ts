import { describe, expect, it } from "vitest";
import { parseScenario } from "../scenario/parse.js";
import { type CellResult, runScenario } from "../scenario/run.js";
import { formatDiagnostic } from "../scenario/yaml-reader.js";

/**
 * Each fault kind through a whole scenario: a LIO array, two paths (sda = hba0->A0,
 * sdb = hba0->B0; sdc/sdd through hba1 when `twoHbas`), a round-robin map with queue_if_no_path
 * and a 1 s checker, verified random I/O at 400 IOPS for 6 s.
 */
async function run(
  faults: string,
  o: { workload?: string; twoHbas?: boolean; expect?: string } = {},
): Promise<CellResult> {
  const text = `seed: 3
topology:
  fast_io_fail_tmo: 0
  hbas: [hba0${o.twoHbas ? ", hba1" : ""}]
  arrays:
    - name: array0
      ports_per_controller: 2
      transition: 1ms
      luns: [{ lun: 0, size: 16m, owner: A }]
  links:
    - { hba: hba0, to: [array0:A0, array0:B0] }
${o.twoHbas ? "    - { hba: hba1, to: [array0:A1, array0:B1] }\n" : ""}maps:
  - name: mpatha
    lun: array0:0
    features: [queue_if_no_path]
    selector: round-robin
    checker: { interval: 1s }
workloads:
  - ${o.workload ?? "{ name: w, rw: randrw, bs: 4k, iodepth: 4, size: 16m, runtime: 6s, time_based: 1, rate_iops: 400, verify: md5 }"}
faults:
${faults}
expect:
${o.expect ?? "  - no_io_errors\n  - no_io_lost\n  - verify_clean"}
`;
  const p = parseScenario(text, "fault.yaml");
  if (!p.ok) throw new Error(p.diagnostics.map(formatDiagnostic).join("\n"));
  const r = await runScenario(p.spec);
  const c = r.cells[0]!;
  if (c.crash) throw new Error(c.crash);
  return c;
}

const failed = (c: CellResult, devt: string) => c.kernelLog.some((l) => l.includes(`Failing path ${devt}.`));
const reinstated = (c: CellResult, devt: string) =>
  c.kernelLog.some((l) => l.includes(`Reinstating path ${devt}.`));
const held = (c: CellResult) => c.expectations.every((e) => e.ok);
const shareOf = (c: CellResult, disk: string) => c.maps[0]!.paths.find((p) => p.disk === disk)!;

describe("fault timeline, each kind through a scenario", () => {
  it("port_down/port_up: the path fails, I/O moves to the other path, the checker reinstates it", async () => {
    const c = await run("  - { at: 1s, port_down: array0:A0 }\n  - { at: 3s, port_up: array0:A0 }");
    expect(failed(c, "8:0") && reinstated(c, "8:0")).toBe(true);
    expect(failed(c, "8:16")).toBe(false);
    expect(c.timeline.map((e) => `${e.tNs / 1e9} ${e.phase} ${e.text}`)).toEqual([
      "1 apply port_down array0:A0",
      "3 apply port_up array0:A0",
    ]);
    expect(held(c)).toBe(true);
    expect(c.maps[0]!.activePathsAtEnd).toBe(2);
  });

  it("controller_down with for: takes every port of the controller and brings them back", async () => {
    const c = await run("  - { at: 1s, controller_down: array0:B, for: 2s }");
    expect(failed(c, "8:16") && reinstated(c, "8:16")).toBe(true);
    expect(c.timeline.map((e) => e.phase)).toEqual(["apply", "revert"]);
    expect(held(c)).toBe(true);
  });

  it("link_down / link_up (a cable or a zone)", async () => {
    const c = await run("  - { at: 1s, link_down: hba0->array0:B0, for: 2s }");
    expect(failed(c, "8:16") && reinstated(c, "8:16")).toBe(true);
    expect(held(c)).toBe(true);
  });

  it("link_flap: down (1-duty)·period each period, count times (dm-flakey up/down intervals)", async () => {
    const c = await run(
      "  - { at: 1s, link_flap: { link: hba0->array0:A0, period: 1s, duty: 0.5, count: 3 } }",
    );
    expect(c.timeline.map((e) => `${e.tNs / 1e9} ${e.phase}`)).toEqual([
      "1 flap-down",
      "1 apply",
      "1.5 flap-up",
      "2 flap-down",
      "2.5 flap-up",
      "3 flap-down",
      "3.5 flap-up",
    ]);
    expect(failed(c, "8:0")).toBe(true);
    expect(held(c)).toBe(true);
  });

  it("latency: added delay on one port shows in that path's latency only (dm-delay)", async () => {
    const c = await run("  - { at: 0s, latency: { port: array0:A0, add: 5ms } }");
    const a = shareOf(c, "sda").meanLatencyNs;
    const b = shareOf(c, "sdb").meanLatencyNs;
    expect(a - b).toBeGreaterThan(4.5e6);
    expect(a - b).toBeLessThan(5.5e6);
    expect(held(c)).toBe(true);
  });

  it("slowdown: a LUN's service times multiplied", async () => {
    const base = await run("  - { at: 0s, slowdown: { lun: array0:0, factor: 1 } }");
    const slow = await run("  - { at: 0s, slowdown: { lun: array0:0, factor: 20 } }");
    expect(shareOf(slow, "sda").meanLatencyNs).toBeGreaterThan(10 * shareOf(base, "sda").meanLatencyNs);
  });

  it("error: a medium error on reads reaches the application and fails no path (scsi_debug opts)", async () => {
    const c = await run("  - { at: 1s, error: { lun: array0:0, op: read, sense: medium-error, count: 3 } }", {
      workload:
        "{ name: w, rw: randrw, bs: 4k, iodepth: 4, size: 16m, runtime: 6s, time_based: 1, rate_iops: 400, verify: md5, continue_on_error: all }",
      expect: "  - no_io_lost",
    });
    const job = c.report!.jobs[0]!;
    expect(job.errors.count).toBe(3);
    expect(job.errors.first).toMatchObject({ op: "read" });
    expect(failed(c, "8:0") || failed(c, "8:16")).toBe(false);
    expect(held(c)).toBe(true);
  });

  it("busy: BUSY status is retried by the SCSI midlayer, no error reaches anyone", async () => {
    const c = await run("  - { at: 1s, busy: { lun: array0:0, status: busy, count: 20 } }");
    expect(held(c)).toBe(true);
    expect(failed(c, "8:0") || failed(c, "8:16")).toBe(false);
  });

  it("timeout: an unanswered command times out (30 s), is aborted and retried; nothing is lost", async () => {
    const c = await run("  - { at: 1s, timeout: { lun: array0:0, op: write, count: 1 } }");
    expect(c.endNs).toBeGreaterThan(30e9);
    expect(c.maxStallNs).toBeLessThan(30e9);
    expect(held(c)).toBe(true);
  });

  it("transport_error: DID_NO_CONNECT fails the path; the I/O is retried on the other one", async () => {
    const c = await run(
      "  - { at: 1s, transport_error: { lun: array0:0, ports: [array0:A0], host_byte: DID_NO_CONNECT, count: 2 } }",
    );
    expect(failed(c, "8:0") && reinstated(c, "8:0")).toBe(true);
    expect(held(c)).toBe(true);
  });

  it("corrupt and drop_writes are caught by verify (dm-flakey corrupt_bio_byte, drop_writes)", async () => {
    const opts = {
      expect: "  - verify_clean",
      workload: "{ name: w, rw: write, bs: 4k, iodepth: 4, size: 4m, verify: md5 }",
    };
    const corrupt = await run("  - { at: 0s, corrupt: { lun: array0:0, op: read, count: 5 } }", opts);
    expect(corrupt.report!.jobs[0]!.verify!.failures).toBeGreaterThan(0);
    expect(held(corrupt)).toBe(false);
    const dropped = await run("  - { at: 0s, drop_writes: { lun: array0:0, count: 50 } }", opts);
    expect(dropped.report!.jobs[0]!.verify!.failures).toBeGreaterThan(0);
  });

  it("alua: the B group goes standby; its path fails and comes back as the state returns", async () => {
    const c = await run("  - { at: 1s, alua: { lun: array0:0, group: B, state: standby }, for: 2s }");
    expect(failed(c, "8:16")).toBe(true);
    expect(reinstated(c, "8:16")).toBe(true);
    expect(held(c)).toBe(true);
  });

  it("lun_unmap through one port: that path fails (LOGICAL UNIT NOT SUPPORTED), I/O continues", async () => {
    const c = await run("  - { at: 1s, lun_unmap: { lun: array0:0, ports: [array0:A0] }, for: 2s }");
    expect(failed(c, "8:0") && reinstated(c, "8:0")).toBe(true);
    expect(held(c)).toBe(true);
  });

  it("lun_resize: the array reports CAPACITY DATA HAS CHANGED", async () => {
    const c = await run("  - { at: 1s, lun_resize: { lun: array0:0, size: 32m } }", {
      expect: "  - no_io_lost",
    });
    expect(c.timeline[0]).toMatchObject({ phase: "apply", error: null });
    expect(c.kernelLog.some((l) => /Capacity data has changed/.test(l))).toBe(true);
  });

  it("hba_remove / hba_add: the host goes away with its disks and comes back with new ones", async () => {
    const c = await run("  - { at: 1s, hba_remove: hba1 }\n  - { at: 3s, hba_add: hba1 }", { twoHbas: true });
    expect(failed(c, "8:32") && failed(c, "8:48")).toBe(true);
    // The map still holds sdc and sdd of the removed host1, so their names, numbers and the
    // host number stay taken (scsi_disk_release has not run): the re-added HBA is host2 and its
    // LUNs come back as sde and sdf (multipathd would add them to the map), as in the lab.
    const attached = c.kernelLog
      .filter((l) => /Attached SCSI disk/.test(l))
      .map((l) => l.replace(/^\[[^\]]*\] /, ""));
    expect(attached).toEqual([
      "sd 0:0:0:0: [sda] Attached SCSI disk",
      "sd 0:0:1:0: [sdb] Attached SCSI disk",
      "sd 1:0:0:0: [sdc] Attached SCSI disk",
      "sd 1:0:1:0: [sdd] Attached SCSI disk",
      "sd 2:0:0:0: [sde] Attached SCSI disk",
      "sd 2:0:1:0: [sdf] Attached SCSI disk",
    ]);
    expect(failed(c, "8:64") || failed(c, "8:80")).toBe(false);
    expect(held(c)).toBe(true);
  });

  it("hba_add with to: plugs in a new HBA, scanned at once", async () => {
    const c = await run("  - { at: 1s, hba_add: { name: hba9, to: [array0:A1] } }", {
      expect: "  - no_io_lost",
    });
    expect(c.kernelLog.some((l) => /\[sdc\] Attached SCSI disk/.test(l))).toBe(true);
  });

  it("message: an operator's dmsetup message (fail_path), undone by the checker", async () => {
    const c = await run("  - { at: 1s, message: { map: mpatha, text: fail_path 8:16 } }");
    expect(failed(c, "8:16") && reinstated(c, "8:16")).toBe(true);
    expect(held(c)).toBe(true);
  });

  it("a reference the world does not have is reported at the fault, before the run", async () => {
    await expect(run("  - { at: 1s, port_down: array0:Q7 }")).rejects.toThrow(
      /fault\.yaml:21:5: no port "array0:Q7" \(known: array0:A0, array0:A1, array0:B0, array0:B1\)/,
    );
  });
});

describe("fault timeline on NVMe", () => {
  async function nvme(faults: string): Promise<CellResult> {
    const p = parseScenario(
      `seed: 5
topology:
  nvme:
    - name: s0
      iopolicy: round-robin
      kato: 1s
      reconnect_delay: 1s
      controllers: [{ name: c0 }, { name: c1 }]
workloads:
  - { name: w, target: s0:1, rw: randrw, bs: 4k, iodepth: 4, size: 16m, runtime: 6s, time_based: 1, rate_iops: 400, verify: crc32c }
faults:
${faults}
expect: [no_io_errors, no_io_lost, verify_clean]
`,
      "nvme.yaml",
    );
    if (!p.ok) throw new Error(p.diagnostics.map(formatDiagnostic).join("\n"));
    const c = (await runScenario(p.spec)).cells[0]!;
    if (c.crash) throw new Error(c.crash);
    return c;
  }

  it("ana: an inaccessible group on one controller sends I/O to the other (nvmet ana_state)", async () => {
    const c = await nvme(
      "  - { at: 1s, ana: { subsystem: s0, controllers: [c0], state: inaccessible }, for: 3s }",
    );
    const [c0, c1] = c.maps[0]!.paths;
    expect(c0!.share).toBeLessThan(0.45);
    expect(c1!.share).toBeGreaterThan(0.55);
    expect(held(c)).toBe(true);
  });

  it("port_down on a controller: keep-alive timeout, failover, reconnect", async () => {
    const c = await nvme("  - { at: 1s, port_down: s0:c0, for: 2s }");
    expect(c.kernelLog.some((l) => /nvme0: starting error recovery/.test(l))).toBe(true);
    expect(c.maps[0]!.activePathsAtEnd).toBe(2);
    expect(held(c)).toBe(true);
  });
});
