import { createRng } from "@mp/dm-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseScenario } from "./parse.js";
import { runScenario } from "./run.js";
import { formatDiagnostic } from "./yaml-reader.js";

/**
 * The headline law of the simulated world: whatever fails in the fabric — ports, controllers,
 * links, latency, errors, BUSY, timeouts, transport errors, ALUA and ANA transitions, LUN
 * masking, HBA hot-plug, operator messages — with verify on, every I/O the workload issued
 * completes exactly once (a double completion breaks an invariant and crashes the run), none is
 * left hanging, and every block read back carries what was written last.
 */
const FAULTS: Record<string, (t: string, d: string) => string> = {
  port: (t, d) => `{ at: ${t}, port_down: array0:A0, for: ${d} }`,
  controller: (t, d) => `{ at: ${t}, controller_down: array0:B, for: ${d} }`,
  link: (t, d) => `{ at: ${t}, link_down: hba0->array0:B0, for: ${d} }`,
  flap: (t, d) => `{ at: ${t}, link_flap: { link: hba0->array0:A0, period: ${d}, duty: 0.3, count: 3 } }`,
  latency: (t, d) => `{ at: ${t}, latency: { link: hba1->array0:A1, add: 20ms }, for: ${d} }`,
  slowdown: (t, d) => `{ at: ${t}, slowdown: { port: array0:B1, factor: 50 }, for: ${d} }`,
  error: (t) => `{ at: ${t}, error: { lun: array0:0, sense: aborted-command, every_nth: 7, count: 20 } }`,
  medium: (t) => `{ at: ${t}, error: { lun: array0:0, op: read, sense: medium-error, count: 3 } }`,
  busy: (t, d) => `{ at: ${t}, busy: { lun: array0:0, status: task-set-full, every_nth: 3 }, for: ${d} }`,
  timeout: (t) => `{ at: ${t}, timeout: { lun: array0:0, count: 2 } }`,
  transport: (t) => `{ at: ${t}, transport_error: { lun: array0:0, host_byte: DID_NO_CONNECT, count: 4 } }`,
  alua: (t, d) => `{ at: ${t}, alua: { lun: array0:0, group: A, state: standby }, for: ${d} }`,
  unmap: (t, d) => `{ at: ${t}, lun_unmap: { lun: array0:0, ports: [array0:B0, array0:B1] }, for: ${d} }`,
  hba: (t, d) => `{ at: ${t}, hba_remove: hba1, for: ${d} }`,
  message: (t) => `{ at: ${t}, message: { map: mpatha, text: "fail_path 8:0" } }`,
  all_paths: (t, d) =>
    `{ at: ${t}, controller_down: array0:A, for: ${d} }\n  - { at: ${t}, controller_down: array0:B, for: ${d} }`,
};

function scsiScenario(seed: number, kind: string): string {
  const r = createRng(seed).fork(kind);
  const t = `${(0.2 + r.float() * 1.5).toFixed(3)}s`;
  const d = `${(0.1 + r.float() * 2).toFixed(3)}s`;
  return `seed: ${seed}
topology:
  fast_io_fail_tmo: ${r.int(0, 2)}
  hbas: [hba0, hba1]
  arrays:
    - name: array0
      ports_per_controller: 2
      transition: ${r.int(1, 30)}ms
      luns: [{ lun: 0, size: 8m, owner: A }]
      service: { queue_depth: 8, time: { lognormal: { mean: 300us, stddev: 150us } } }
  links:
    - { hba: hba0, to: [array0:A0, array0:B0] }
    - { hba: hba1, to: [array0:A1, array0:B1] }
maps:
  - name: mpatha
    lun: array0:0
    features: [queue_if_no_path]
    grouping: ${r.float() < 0.5 ? "multibus" : "group_by_tpg"}
    selector: ${["round-robin", "queue-length", "service-time", "historical-service-time"][r.int(0, 3)]}
    checker: { interval: 1s }
workloads:
  - { name: w, rw: randrw, bs: ${["4k", "8k", "16k"][r.int(0, 2)]}, iodepth: ${r.int(1, 12)}, size: 8m, runtime: 3s, time_based: 1, rate_iops: 600, verify: crc32c, continue_on_error: all }
faults:
  - ${FAULTS[kind]!(t, d)}
`;
}

function nvmeScenario(seed: number, kind: string): string {
  const r = createRng(seed).fork(kind);
  const t = `${(0.2 + r.float() * 1.5).toFixed(3)}s`;
  const d = `${(0.1 + r.float() * 2).toFixed(3)}s`;
  const fault =
    kind === "ana"
      ? `{ at: ${t}, ana: { subsystem: s0, controllers: [c${r.int(0, 1)}], state: ${["inaccessible", "change", "persistent-loss"][r.int(0, 2)]} }, for: ${d} }`
      : `{ at: ${t}, port_down: s0:c${r.int(0, 1)}, for: ${d} }`;
  return `seed: ${seed}
topology:
  nvme:
    - name: s0
      iopolicy: ${["numa", "round-robin", "queue-depth"][r.int(0, 2)]}
      kato: 500ms
      reconnect_delay: 1s
      controllers: [{ name: c0, latency: ${r.int(0, 3)}ms }, { name: c1 }]
workloads:
  - { name: w, target: s0:1, rw: randrw, bs: 4k, iodepth: ${r.int(1, 12)}, size: 8m, runtime: 3s, time_based: 1, rate_iops: 600, verify: crc32c }
faults:
  - ${fault}
`;
}

async function check(text: string): Promise<void> {
  const p = parseScenario(text, "law.yaml");
  if (!p.ok) throw new Error(p.diagnostics.map(formatDiagnostic).join("\n"));
  const c = (await runScenario(p.spec)).cells[0]!;
  expect(c.crash).toBeNull();
  const rep = c.report!;
  expect(rep.hungIos).toBe(0);
  expect(rep.complete).toBe(true);
  expect(rep.completedIos).toBe(rep.issuedIos);
  const v = rep.jobs[0]!.verify!;
  expect(v.failures).toBe(0);
  expect(v.checked).toBeGreaterThan(0);
  expect(c.timeline.every((e) => e.error === null)).toBe(true);
}

describe("no I/O is lost, completed twice or corrupted, under every fault", () => {
  it("SCSI paths under dm-multipath: every fault kind, many seeds", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.constantFrom(...Object.keys(FAULTS)),
        (seed, kind) => check(scsiScenario(seed, kind)),
      ),
      { numRuns: 48, seed: 20240509 },
    );
  }, 60_000);

  it("the check fails when data is corrupted (dm-flakey corrupt_bio_byte), so the law can fail", async () => {
    const text = scsiScenario(1, "port").replace(
      /faults:\n.*\n/,
      "faults:\n  - { at: 0s, corrupt: { lun: array0:0, op: read } }\n",
    );
    await expect(check(text)).rejects.toThrow(/expected \d+ to be \+0/);
  });

  it("NVMe paths under the native head: ANA changes and lost ports, many seeds", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.constantFrom("ana", "port"),
        (seed, kind) => check(nvmeScenario(seed, kind)),
      ),
      { numRuns: 16, seed: 611 },
    );
  }, 60_000);
});
