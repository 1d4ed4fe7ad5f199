import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseScenario } from "./parse.js";
import { formatScenarioJson } from "./report.js";
import { runScenario } from "./run.js";
import type { ScenarioSpec } from "./spec.js";
import { formatDiagnostic } from "./yaml-reader.js";

function example(name: string, shrink: (s: ScenarioSpec) => ScenarioSpec): ScenarioSpec {
  const file = fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url));
  const p = parseScenario(readFileSync(file, "utf8"), name);
  if (!p.ok) throw new Error(p.diagnostics.map(formatDiagnostic).join("\n"));
  return shrink(p.spec);
}

/** The examples with less I/O, so that a test can run each twice. */
const withJobs = (s: ScenarioSpec, o: Record<string, string>): ScenarioSpec => ({
  ...s,
  workloads: s.workloads.map((w) => ({ ...w, options: { ...w.options, ...o } })),
});

describe("a scenario replays bit for bit from its seed", () => {
  it("the failover drill (faults, checker, ALUA, verify): same seed → same JSON report", async () => {
    const spec = example("failover-drill.yaml", (s) => withJobs(s, { rate_iops: "300" }));
    const a = formatScenarioJson(await runScenario(spec));
    const b = formatScenarioJson(await runScenario(spec));
    expect(b).toBe(a);
    const other = formatScenarioJson(await runScenario(spec, { seed: 5 }));
    expect(other).not.toBe(a);
    // Same seed, same everything: the fault log, the failover times and the fio numbers.
    const j = JSON.parse(a) as { ok: boolean; cells: { recoveries: unknown[]; fio: { jobs: unknown[] } }[] };
    expect(j.ok).toBe(true);
    expect(j.cells[0]!.recoveries.length).toBe(4);
  });

  it("a matrix (the HST experiment, smaller): every cell replays", async () => {
    const spec = example("hst-slow-path.yaml", (s) => withJobs(s, { io_size: "4m" }));
    const a = formatScenarioJson(await runScenario(spec));
    expect(formatScenarioJson(await runScenario(spec))).toBe(a);
    expect((JSON.parse(a) as { cells: unknown[] }).cells).toHaveLength(4);
  });

  it("NVMe heads replay too", async () => {
    const spec = example("nvme-iopolicy.yaml", (s) => withJobs(s, { runtime: "500ms" }));
    const a = formatScenarioJson(await runScenario(spec));
    expect(formatScenarioJson(await runScenario(spec))).toBe(a);
  });
});
