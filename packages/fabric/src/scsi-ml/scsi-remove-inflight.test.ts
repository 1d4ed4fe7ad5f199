import { describe, expect, it } from "vitest";
import { parseScenario } from "../scenario/parse.js";
import { runScenario } from "../scenario/run.js";
import { formatDiagnostic } from "../scenario/yaml-reader.js";

/**
 * A host (or a disk) removed with commands in flight: `scsi_remove_host` ends the commands on
 * the wire with DID_NO_CONNECT and the disk goes, yet each command still completes through the
 * sd driver it was issued by (BLK_STS_TRANSPORT, the request is failed); dm-multipath fails the
 * path and retries on another, so the workload sees no error and no I/O is lost or doubled.
 */
function scenario(fault: string, extra = ""): string {
  return `seed: 7
topology:
  hbas: [hba0, hba1]
  arrays:
    - name: array0
      ports_per_controller: 1
      luns: [{ lun: 0, size: 16m, owner: A }]
      service: { queue_depth: 64, time: { lognormal: { mean: 400us, stddev: 100us } } }
  links:
    - { hba: hba0, to: [array0:A0] }
    - { hba: hba1, to: [array0:A0] }
maps:
  - name: mpatha
    lun: array0:0
    grouping: multibus
    selector: round-robin
    checker: { interval: 1s }
workloads:
  - { name: w, rw: randrw, bs: 4k, iodepth: 32, size: 16m, runtime: 1s, time_based: 1, verify: crc32c${extra} }
faults:
  - ${fault}
`;
}

async function run(text: string) {
  const p = parseScenario(text, "remove.yaml");
  if (!p.ok) throw new Error(p.diagnostics.map(formatDiagnostic).join("\n"));
  return (await runScenario(p.spec)).cells[0]!;
}

describe("removal with I/O in flight", () => {
  it("hba_remove mid-run at iodepth 32: no exception, nothing lost or doubled, no error seen", async () => {
    const c = await run(scenario("{ at: 0.3s, hba_remove: hba1 }"));
    expect(c.crash).toBeNull();
    expect(c.timeline.every((e) => e.error === null)).toBe(true);
    const rep = c.report!;
    expect(rep.hungIos).toBe(0);
    expect(rep.complete).toBe(true);
    expect(rep.completedIos).toBe(rep.issuedIos);
    const job = rep.jobs[0]!;
    expect(job.errors.count).toBe(0);
    expect(job.verify!.failures).toBe(0);
    expect(job.verify!.checked).toBeGreaterThan(0);
    // Commands were in flight on the removed host's path: dm-multipath failed it over.
    expect(c.kernelLog.some((l) => /device-mapper: multipath: 254:0: Failing path 8:16\./.test(l))).toBe(
      true,
    );
  }, 30_000);
});
