/** Text and Markdown renderings of a run: the terminal table and the README's table. */
import type { BenchResult, Budget } from "./harness.js";
import type { RunDocument } from "./run.js";

/** A figure with three significant digits, thousands grouped. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

export function budgetText(b: Budget, unit: string): string {
  const op = b.cmp === "<=" ? "≤" : b.cmp === ">=" ? "≥" : "<";
  return `${op} ${fmt(b.limit)} ${unit}`;
}

function verdict(r: BenchResult): string {
  if (!r.budget) return "";
  if (r.skipped) return "skipped";
  if (r.budget.met === null) return "n/a (smoke)";
  return r.budget.met ? "met" : "MISSED";
}

function valueText(r: BenchResult): string {
  return r.value === null ? "—" : `${fmt(r.value)} ${r.unit}`;
}

function extraText(r: BenchResult): string {
  const e = r.extra;
  if (!e) return "";
  const parts: string[] = [];
  if (e.complete === false && typeof e.mapsLive === "number" && typeof e.maps === "number")
    parts.push(`UNFINISHED: ${e.mapsLive}/${e.maps} maps live`);
  if (typeof e.virtualSec === "number") parts.push(`${fmt(e.virtualSec)} s virtual`);
  if (typeof e.pathsChecked === "number") parts.push(`${e.pathsChecked} paths checked`);
  if (typeof e.cells === "number") parts.push(`${e.cells} cells`);
  if (typeof e.peakRssMb === "number") parts.push(`peak RSS ${fmt(e.peakRssMb)} MB`);
  if (typeof e.maxEventLoopBlockMs === "number") parts.push(`loop block ≤ ${fmt(e.maxEventLoopBlockMs)} ms`);
  if (typeof e.iopsPerCpuSecond === "number") parts.push(`${fmt(e.iopsPerCpuSecond)} IO/CPU-s`);
  if (typeof e.cpuPct === "number") parts.push(`fio CPU ${fmt(e.cpuPct)} %`);
  if (typeof e.ratioToFioWallIops === "number")
    parts.push(`${fmt(e.ratioToFioWallIops)}× of fio's wall-clock IOPS`);
  return parts.join(", ");
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function machineLine(doc: RunDocument): string {
  const m = doc.machine;
  return `${m.cpu}, ${m.cpus} CPUs${m.hypervisor ? ` (${m.hypervisor} guest)` : ""}, ${m.memoryGiB} GiB, Node ${m.node} (V8 ${m.v8}), ${m.os}${m.taskset ? `, pinned families on CPU ${m.benchCpu}` : ""}`;
}

/** The terminal report. */
export function formatReport(doc: RunDocument): string {
  const rows: string[][] = [["benchmark", "value", "±rme", "p75", "p99", "budget", "verdict", "notes"]];
  for (const r of doc.results) {
    const s = r.spread;
    rows.push([
      `${r.family}: ${r.name}`,
      valueText(r),
      s && s.samples > 1 ? `${s.rme.toFixed(1)}%` : "",
      s && s.samples > 1 ? fmt(s.p75) : "",
      s && s.samples > 1 ? fmt(s.p99) : "",
      r.budget ? budgetText(r.budget, r.unit) : "",
      verdict(r),
      r.skipped ? `skipped: ${r.skipped}` : extraText(r),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.min(72, Math.max(...rows.map((row) => row[c]!.length))));
  const lines = rows.map((row) =>
    row
      .map((cell, c) => pad(cell, widths[c]!))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const judged = doc.results.filter((r) => r.budget);
  const met = judged.filter((r) => r.budget!.met === true).length;
  const missed = judged.filter((r) => r.budget!.met === false).length;
  const open = judged.length - met - missed;
  return [
    "",
    `mp bench (${doc.mode}) ${doc.startedAt}, ${doc.durationSec} s`,
    machineLine(doc),
    "",
    ...lines,
    "",
    doc.mode === "smoke"
      ? `smoke run: ${doc.results.length} figures, no budget verdicts${doc.failures.length ? `; FAILED: ${doc.failures.join(", ")}` : ""}`
      : `budgets: ${met} met, ${missed} missed, ${open} not measured${doc.failures.length ? `; FAILED: ${doc.failures.join(", ")}` : ""}`,
    "",
  ].join("\n");
}

/** The README's benchmark table, from a run document. */
export function formatMarkdown(doc: RunDocument): string {
  const out = [
    `Measured ${doc.startedAt.slice(0, 10)} on ${machineLine(doc)}; \`pnpm bench\` took ${doc.durationSec} s.`,
    "",
    "| benchmark | figure | ±rme | budget | verdict |",
    "|---|---:|---:|---|---|",
  ];
  for (const r of doc.results) {
    const s = r.spread;
    const notes = r.skipped ? ` (skipped: ${r.skipped})` : extraText(r) ? ` (${extraText(r)})` : "";
    out.push(
      `| ${r.family}: ${r.name}${notes} | ${valueText(r)} | ${s && s.samples > 1 ? `${s.rme.toFixed(1)} %` : ""} | ${r.budget ? budgetText(r.budget, r.unit) : ""} | ${verdict(r)} |`,
    );
  }
  return `${out.join("\n")}\n`;
}
