import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../src/scenario/parse.js";
import { runScenario } from "../src/scenario/run.js";
import { formatDiagnostic } from "../src/scenario/yaml-reader.js";

async function runExample(name: string, jobOptions: Record<string, string> = {}) {
  const file = fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));
  const p = parseScenario(readFileSync(file, "utf8"), name);
  if (!p.ok) throw new Error(p.diagnostics.map(formatDiagnostic).join("\n"));
  const spec = {
    ...p.spec,
    workloads: p.spec.workloads.map((w) => ({ ...w, options: { ...w.options, ...jobOptions } })),
  };
  return runScenario(spec);
}

const failures = (r: Awaited<ReturnType<typeof runExample>>) =>
  r.cells.flatMap((c) =>
    c.expectations.filter((e) => !e.ok).map((e) => `${c.label}: ${e.text} → ${e.actual}`),
  );

describe("the published-result examples hold their expectations", () => {
  it("HST experiment: the depth-1 shares within ±0.02 of the posting", async () => {
    const r = await runExample("hst-slow-path.yaml");
    expect(failures(r)).toEqual([]);
    const hst1 = r.cells.find(
      (c) => c.cell.get("selector") === "historical-service-time 0" && c.cell.get("workload.iodepth") === "1",
    )!;
    const shares = hst1.maps[0]!.paths.map((p) => p.share);
    [0.294, 0.297, 0.296, 0.112].forEach((want, i) => {
      expect(Math.abs(shares[i]! - want)).toBeLessThanOrEqual(0.02);
    });
  });

  it("fio matrix: 40 runs (its wall time is a benchmark: pnpm bench, virtual-time)", async () => {
    const r = await runExample("fio-matrix.yaml");
    expect(r.cells).toHaveLength(40);
    expect(failures(r)).toEqual([]);
  });

  it("failover drill (active/passive LIO): the standby B paths take over after fast_io_fail_tmo and the STPG", async () => {
    const r = await runExample("failover-drill.yaml", { rate_iops: "400" });
    expect(failures(r)).toEqual([]);
    const c = r.cells[0]!;
    // Controller A fails at 20 s: 5 s of fast_io_fail_tmo, then the STPG (50 ms transition).
    const first = c.recoveries[0]!;
    expect(first.recoveredNs).toBeGreaterThan(5e9);
    expect(first.recoveredNs).toBeLessThan(5.2e9);
    // The standby paths carried the I/O meanwhile, with no error and their full size.
    const b = c.maps[0]!.paths.filter((p) => p.path.includes(":B"));
    expect(b.every((p) => p.ios > 0 && p.errors === 0)).toBe(true);
    expect(c.kernelLog.some((l) => /beyond end of device/.test(l))).toBe(false);
  });

  it("NVMe iopolicies keep the published order numa < round-robin < queue-depth", async () => {
    const r = await runExample("nvme-iopolicy.yaml");
    expect(failures(r)).toEqual([]);
    const bw = (policy: string) => {
      const j = r.cells.find((c) => c.cell.get("iopolicy") === policy)!.report!.jobs[0]!;
      return j.read.bwBytesPerSec;
    };
    expect(bw("numa")).toBeLessThan(bw("round-robin"));
    expect(bw("round-robin")).toBeLessThan(bw("queue-depth"));
  });
});
