import { formatReportJson } from "../workload/report-json.js";
import { formatReportText } from "../workload/report-text.js";
import type { CellResult, MapResult, ScenarioResult } from "./run.js";

/** Durations for people: `5.020 s`, `12.500 ms`, `340.0 µs`. */
export function formatNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${Math.round(ns)} ns`;
}

/** Left/right-aligned plain text table. */
export function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[] = [],
): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (right[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join("  ")
      .trimEnd();
  return [line(head), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n");
}

function pathTable(m: MapResult): string {
  const rows = m.paths.map((p) => [
    p.path,
    p.disk,
    p.devt,
    p.share.toFixed(3),
    String(p.ios),
    (p.bytes / 1048576).toFixed(1),
    String(p.errors),
    p.meanLatencyNs > 0 ? formatNs(p.meanLatencyNs) : "-",
  ]);
  return table(["path", "disk", "dev_t", "share", "I/Os", "MiB", "errors", "mean lat"], rows, [
    false,
    false,
    false,
    true,
    true,
    true,
    true,
    true,
  ]);
}

function mapHeader(m: MapResult): string {
  switch (m.kind) {
    case "single":
      return `${m.name} (${m.device}): no multipath, one path`;
    case "nvme":
      return `${m.name}: native NVMe multipath, iopolicy ${m.policy}`;
    default:
      return `${m.name} (${m.device}): ${m.grouping}, ${m.policy}; table: ${m.table}`;
  }
}

/** The full text of one cell: fio's report, per-path shares, faults, checker actions, expectations. */
export function formatCellText(c: CellResult): string {
  const out: string[] = [];
  if (c.report) out.push(formatReportText(c.report).trimEnd());
  else out.push("(no workload)");
  for (const m of c.maps) {
    out.push("");
    out.push(`Paths of ${mapHeader(m)}`);
    out.push(pathTable(m));
    const facts: string[] = [`active paths at the end: ${m.activePathsAtEnd}`];
    if (m.kind === "dm") facts.push(`group in use: ${m.groupAtEnd}`);
    if (m.noPathTotalNs > 0)
      facts.push(`without a path: ${formatNs(m.noPathTotalNs)} (longest ${formatNs(m.noPathMaxNs)})`);
    out.push(`  ${facts.join("; ")}`);
  }
  if (c.timeline.length > 0) {
    out.push("");
    out.push("Faults:");
    for (const e of c.timeline)
      out.push(
        `  ${formatNs(e.tNs).padStart(11)}  ${e.phase.padEnd(9)} ${e.text}${e.error ? `  (not applied: ${e.error})` : ""}`,
      );
  }
  if (c.recoveries.length > 0) {
    out.push("");
    out.push("I/O after each fault (first success of an I/O submitted after it):");
    for (const r of c.recoveries)
      out.push(
        `  ${formatNs(r.tNs).padStart(11)}  ${r.text}: ${r.recoveredNs === null ? "never" : `after ${formatNs(r.recoveredNs)}`}`,
      );
    out.push(`  longest stall: ${formatNs(c.maxStallNs)}`);
  }
  const checker = c.maps.flatMap((m) => m.checkerEvents.map((e) => ({ ...e, map: m.name })));
  if (checker.length > 0) {
    out.push("");
    out.push("Path checker (multipathd stand-in):");
    for (const e of checker) out.push(`  ${formatNs(e.tNs).padStart(11)}  ${e.map}: ${e.message}`);
  }
  if (c.crash) {
    out.push("");
    out.push(`MODEL INVARIANT BROKEN: ${c.crash}`);
  }
  if (c.expectations.length > 0) {
    out.push("");
    out.push("Expectations:");
    for (const e of c.expectations)
      out.push(`  ${e.ok ? "PASS" : "FAIL"}  ${e.text}  →  ${e.actual}  (line ${e.pos.line})`);
  }
  return out.join("\n");
}

/** Throughput and latency of a cell's workloads, summed over jobs. */
export function cellNumbers(c: CellResult): {
  iops: number;
  bwBytes: number;
  meanNs: number;
  p99Ns: number;
  errors: number;
} {
  const jobs = c.report?.jobs ?? [];
  let iops = 0;
  let bw = 0;
  let n = 0;
  let sum = 0;
  let p99 = 0;
  let errors = 0;
  for (const j of jobs) {
    errors += j.errors.count;
    for (const d of [j.read, j.write]) {
      iops += d.iops;
      bw += d.bwBytesPerSec;
      if (d.clat.count > 0) {
        sum += d.clat.mean * d.clat.count;
        n += d.clat.count;
        p99 = Math.max(p99, d.clat.percentiles.find((p) => p.p === 99)?.ns ?? d.clat.max);
      }
    }
  }
  return { iops, bwBytes: bw, meanNs: n > 0 ? sum / n : 0, p99Ns: p99, errors };
}

/** One line per cell: the numbers that matter side by side. */
export function formatSummary(r: ScenarioResult): string {
  const paths = new Map<string, string[]>();
  for (const c of r.cells)
    for (const m of c.maps) {
      const key = m.name;
      const list = paths.get(key) ?? [];
      for (const p of m.paths) if (!list.includes(p.path)) list.push(p.path);
      paths.set(key, list);
    }
  const shareCols: { map: string; path: string; head: string }[] = [];
  for (const [map, ps] of paths)
    for (const [i, p] of ps.entries())
      shareCols.push({ map, path: p, head: paths.size > 1 ? `${map}#${i}` : `p${i}` });
  const rows = r.cells.map((c) => {
    const n = cellNumbers(c);
    const shares = shareCols.map((col) => {
      const m = c.maps.find((x) => x.name === col.map);
      const p = m?.paths.find((x) => x.path === col.path);
      return p ? p.share.toFixed(3) : "-";
    });
    const exp = c.expectations;
    const verdict = c.crash
      ? "CRASH"
      : exp.length === 0
        ? "-"
        : exp.every((e) => e.ok)
          ? "ok"
          : `${exp.filter((e) => !e.ok).length} FAIL`;
    return [
      c.label,
      n.iops.toFixed(0),
      (n.bwBytes / 1048576).toFixed(1),
      n.meanNs > 0 ? formatNs(n.meanNs) : "-",
      n.p99Ns > 0 ? formatNs(n.p99Ns) : "-",
      String(n.errors),
      ...shares,
      verdict,
    ];
  });
  const head = [
    "run",
    "IOPS",
    "MiB/s",
    "clat mean",
    "clat p99",
    "errors",
    ...shareCols.map((c) => c.head),
    "expect",
  ];
  const right = head.map((_, i) => i > 0 && i < head.length - 1);
  const legend = shareCols
    .map((c) => `  ${c.head} = ${paths.size > 1 ? `${c.map} ` : ""}${c.path}`)
    .join("\n");
  return `${table(head, rows, right)}${shareCols.length > 0 ? `\nPath shares (fraction of each map's I/Os):\n${legend}` : ""}`;
}

/** `mp sim run` text: every cell in full, then the summary when there are several. */
export function formatScenarioText(r: ScenarioResult): string {
  const out: string[] = [];
  out.push(
    `Scenario ${r.name} (${r.file}), seed ${r.seed}, ${r.cells.length} run${r.cells.length === 1 ? "" : "s"}`,
  );
  for (const c of r.cells) {
    out.push("");
    out.push(`=== ${c.label} ===`);
    out.push(formatCellText(c));
  }
  if (r.cells.length > 1) {
    out.push("");
    out.push("=== Summary ===");
    out.push(formatSummary(r));
  }
  out.push("");
  out.push(r.ok ? "All expectations held." : "Some expectations FAILED.");
  return `${out.join("\n")}\n`;
}

/**
 * `mp sim compare`: one column per selector, the same rows for each — throughput, latency,
 * errors, per-path shares, expectations. Cells that differ in other axes get one table each.
 */
export function formatCompare(r: ScenarioResult): string {
  const groups = new Map<string, CellResult[]>();
  for (const c of r.cells) {
    const rest = [...c.cell.entries()]
      .filter(([k]) => k !== "selector")
      .map(([k, v]) => `${k.replace(/^workload\./, "")}=${v}`);
    const key = rest.join(" ");
    const list = groups.get(key) ?? [];
    list.push(c);
    groups.set(key, list);
  }
  const out: string[] = [`Scenario ${r.name} (${r.file}), seed ${r.seed}`];
  for (const [key, cells] of groups) {
    out.push("");
    if (key) out.push(`--- ${key} ---`);
    const head = ["", ...cells.map((c) => c.cell.get("selector") ?? c.maps[0]?.policy ?? "-")];
    const nums = cells.map(cellNumbers);
    const rows: string[][] = [
      ["IOPS", ...nums.map((n) => n.iops.toFixed(0))],
      ["MiB/s", ...nums.map((n) => (n.bwBytes / 1048576).toFixed(1))],
      ["clat mean", ...nums.map((n) => (n.meanNs > 0 ? formatNs(n.meanNs) : "-"))],
      ["clat p99", ...nums.map((n) => (n.p99Ns > 0 ? formatNs(n.p99Ns) : "-"))],
      ["errors", ...nums.map((n) => String(n.errors))],
      ["longest stall", ...cells.map((c) => formatNs(c.maxStallNs))],
    ];
    const pathNames: string[] = [];
    for (const c of cells)
      for (const m of c.maps)
        for (const p of m.paths)
          if (!pathNames.includes(`${m.name} ${p.path}`)) pathNames.push(`${m.name} ${p.path}`);
    for (const pn of pathNames)
      rows.push([
        `share ${pn}`,
        ...cells.map((c) => {
          for (const m of c.maps)
            for (const p of m.paths) if (`${m.name} ${p.path}` === pn) return p.share.toFixed(3);
          return "-";
        }),
      ]);
    rows.push([
      "expectations",
      ...cells.map((c) =>
        c.crash
          ? "CRASH"
          : c.expectations.length === 0
            ? "-"
            : c.expectations.every((e) => e.ok)
              ? "ok"
              : `${c.expectations.filter((e) => !e.ok).length} failed`,
      ),
    ]);
    out.push(
      table(
        head,
        rows,
        head.map((_, i) => i > 0),
      ),
    );
  }
  return `${out.join("\n")}\n`;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The whole result as JSON (stable key order; only virtual time, so a seed replays byte for byte). */
export function scenarioResultJson(r: ScenarioResult): Json {
  return {
    scenario: r.name,
    file: r.file,
    seed: r.seed,
    ok: r.ok,
    axes: [...r.axes],
    cells: r.cells.map((c) => ({
      cell: Object.fromEntries(c.cell),
      label: c.label,
      end_ns: c.endNs,
      crash: c.crash,
      fio: c.report ? (JSON.parse(formatReportJson(c.report)) as Json) : null,
      maps: c.maps.map((m) => ({
        name: m.name,
        device: m.device,
        kind: m.kind,
        policy: m.policy,
        grouping: m.grouping,
        table: m.table,
        no_path_max_ns: m.noPathMaxNs,
        no_path_total_ns: m.noPathTotalNs,
        active_paths_at_end: m.activePathsAtEnd,
        group_at_end: m.groupAtEnd,
        paths: m.paths.map((p) => ({
          path: p.path,
          disk: p.disk,
          devt: p.devt,
          share: p.share,
          ios: p.ios,
          bytes: p.bytes,
          errors: p.errors,
          mean_latency_ns: p.meanLatencyNs,
        })),
        checker: m.checkerEvents.map((e) => ({ t_ns: e.tNs, message: e.message })),
      })),
      timeline: c.timeline.map((e) => ({ t_ns: e.tNs, phase: e.phase, fault: e.text, error: e.error })),
      recoveries: c.recoveries.map((x) => ({ t_ns: x.tNs, fault: x.text, recovered_ns: x.recoveredNs })),
      max_stall_ns: c.maxStallNs,
      expectations: c.expectations.map((e) => ({
        expectation: e.text,
        line: e.pos.line,
        ok: e.ok,
        actual: e.actual,
      })),
      kernel_log: [...c.kernelLog],
    })),
  };
}

/** `--json` output. */
export function formatScenarioJson(r: ScenarioResult): string {
  return `${JSON.stringify(scenarioResultJson(r), null, 2)}\n`;
}
