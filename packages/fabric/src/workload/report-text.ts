import { blkStatusName, strerror } from "@mp/dm-core";
import { DEPTH_LABELS, LAT_MSEC_THRESHOLDS, LAT_THRESHOLDS } from "./job-thread.js";
import type {
  DirectionReport,
  GroupDirectionReport,
  JobReport,
  LatencyReport,
  PathReport,
  WorkloadReport,
} from "./report.js";
import { fmtBytesIec, fmtBytesSi, fmtCount } from "./units.js";
import { formatVerifyFailure } from "./verify.js";

const UNITS = ["nsec", "usec", "msec", "sec"] as const;

/**
 * The display scale of a latency line, after fio: stay in ns unless every figure is large, then
 * step to usec (and msec) while the minimum stays above 2000 and the maximum above 99999 of the
 * current unit, so numbers keep their precision without growing too wide.
 */
function latScale(min: number, max: number): number {
  let s = 0;
  let lo = min;
  let hi = max;
  while (s < 2 && lo > 2000 && hi > 99_999) {
    lo /= 1000;
    hi /= 1000;
    s++;
  }
  return s;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

function latLine(label: string, l: LatencyReport): string {
  const s = latScale(l.min, l.max);
  const div = 1000 ** s;
  return `${label} (${UNITS[s]}): min=${fmtCount(Math.round(l.min / div), 6)}, max=${fmtCount(Math.round(l.max / div), 6)}, avg=${(l.mean / div).toFixed(2)}, stdev=${(l.stddev / div).toFixed(2)}`;
}

function percentileBlock(label: string, l: LatencyReport): string[] {
  const vals = l.percentiles;
  if (vals.length === 0) return [];
  const lo = vals[0]!.ns;
  const hi = vals[vals.length - 1]!.ns;
  const s = latScale(lo, hi);
  const div = 1000 ** s;
  const out = [`    ${label} percentiles (${UNITS[s]}):`];
  const cells = vals.map((v) => `${v.p.toFixed(2).padStart(5)}th=[${pad(Math.round(v.ns / div), 5)}]`);
  for (let i = 0; i < cells.length; i += 4) {
    const row = cells.slice(i, i + 4).join(", ");
    out.push(`     | ${row}${i + 4 < cells.length ? "," : ""}`);
  }
  return out;
}

function bwUnit(meanKiB: number): { label: string; div: number } {
  return meanKiB >= 1024 * 1024 ? { label: "MiB/s", div: 1024 } : { label: "KiB/s", div: 1 };
}

function dirBlock(name: "read" | "write", d: DirectionReport): string[] {
  const ms = Math.round(d.runtimeNs / 1e6);
  const head = `  ${name}: IOPS=${fmtCount(d.iops)}, BW=${fmtBytesIec(d.bwBytesPerSec)}/s (${fmtBytesSi(d.bwBytesPerSec)}/s)(${fmtBytesIec(d.ioBytes)}/${ms}msec)${name === "write" ? "; 0 zone resets" : ""}`;
  const out = [
    head,
    latLine("    clat", d.clat),
    latLine("     lat", d.clat),
    ...percentileBlock("clat", d.clat),
  ];
  if (d.bw.samples > 0) {
    const u = bwUnit(d.bw.mean);
    out.push(
      `   bw (${u.label.padStart(7)}): min=${pad(Math.round(d.bw.min / u.div), 5)}, max=${pad(Math.round(d.bw.max / u.div), 5)}, per=${d.bwSharePct.toFixed(2)}%, avg=${(d.bw.mean / u.div).toFixed(2).padStart(5)}, stdev=${(d.bw.stddev / u.div).toFixed(2).padStart(5)}, samples=${d.bw.samples}`,
      `   iops        : min=${pad(Math.round(d.iopsSamples.min), 5)}, max=${pad(Math.round(d.iopsSamples.max), 5)}, avg=${d.iopsSamples.mean.toFixed(2).padStart(5)}, stdev=${d.iopsSamples.stddev.toFixed(2).padStart(5)}, samples=${d.iopsSamples.samples}`,
    );
  }
  return out;
}

function latDistLines(j: JobReport): string[] {
  const out: string[] = [];
  const groups: [string, readonly number[], readonly string[]][] = [
    ["nsec", j.latencyDistribution.nsec, LAT_THRESHOLDS.map(String)],
    ["usec", j.latencyDistribution.usec, LAT_THRESHOLDS.map(String)],
    ["msec", j.latencyDistribution.msec, [...LAT_MSEC_THRESHOLDS.map(String), ">=2000"]],
  ];
  for (const [unit, pcts, labels] of groups) {
    const cells: string[] = [];
    pcts.forEach((p, i) => {
      if (p > 0) cells.push(`${labels[i]}=${Math.max(p, 0.01).toFixed(2)}%`);
    });
    for (let i = 0; i < cells.length; i += 5)
      out.push(`  lat (${unit})   : ${cells.slice(i, i + 5).join(", ")}`);
  }
  return out;
}

function rangeIec(r: readonly [number, number]): string {
  return `${fmtBytesIec(r[0])}-${fmtBytesIec(r[1])}`;
}

function jobHeader(j: JobReport): string {
  const engine = j.options.ioengine ?? "mp";
  return `${j.name}: (g=${j.groupId}): rw=${j.rw}, bs=(R) ${rangeIec(j.bsRange.read)}, (W) ${rangeIec(j.bsRange.write)}, (T) ${rangeIec(j.bsRange.write)}, ioengine=${engine}, iodepth=${j.iodepth}`;
}

function jobBlock(j: JobReport): string[] {
  const out: string[] = [];
  const file = `/dev/${j.device}`;
  if (j.errors.first) {
    const e = j.errors.first;
    out.push(
      `fio: io_u error on file ${file}: ${strerror(e.errno)}: ${e.op} offset=${e.offset}, buflen=${e.length} (status ${blkStatusName(e.status)})`,
    );
  }
  if (j.verify) for (const f of j.verify.details) out.push(formatVerifyFailure(f, file));
  const err = j.error ? `${pad(j.error, 2)} (error=${j.errorText})` : pad(0, 2);
  out.push(`${j.name}: (groupid=${j.groupId}, jobs=${j.jobs}): err=${err}`);
  if (j.read.ios > 0 || j.read.errors > 0) out.push(...dirBlock("read", j.read));
  if (j.write.ios > 0 || j.write.errors > 0) out.push(...dirBlock("write", j.write));
  out.push(...latDistLines(j));
  out.push(`  IO depths    : ${j.ioDepths.map((p, i) => `${DEPTH_LABELS[i]}=${p.toFixed(1)}%`).join(", ")}`);
  out.push(
    `     issued rwts: total=${j.issued.read},${j.issued.write},0,0 short=0,0,0,0 dropped=0,0,0,0`,
    `     latency   : target=0, window=0, percentile=100.00%, depth=${j.iodepth}`,
  );
  if (j.errors.count > 0) out.push(`     errors    : total=${j.errors.count}`);
  if (j.verify)
    out.push(
      `     verify    : ${j.verify.kind}, checked=${j.verify.checked}, skipped=${j.verify.skipped}, failures=${j.verify.failures}`,
    );
  if (j.inflight > 0) out.push(`     hung      : ${j.inflight} I/O still in flight`);
  return out;
}

function groupLine(name: string, g: GroupDirectionReport): string {
  const r = (x: number) => Math.round(x / 1e6);
  return `${name.padStart(7)}: bw=${fmtBytesIec(g.aggBwBytesPerSec)}/s (${fmtBytesSi(g.aggBwBytesPerSec)}/s), ${fmtBytesIec(g.minBwBytesPerSec)}/s-${fmtBytesIec(g.maxBwBytesPerSec)}/s (${fmtBytesSi(g.minBwBytesPerSec)}/s-${fmtBytesSi(g.maxBwBytesPerSec)}/s), io=${fmtBytesIec(g.ioBytes)} (${fmtBytesSi(g.ioBytes)}), run=${r(g.minRunNs)}-${r(g.maxRunNs)}msec`;
}

function pathLine(p: PathReport): string {
  const l = p.latency;
  const s = latScale(l.min, l.max);
  const div = 1000 ** s;
  const pct = (q: number) => {
    const v = l.percentiles.find((x) => x.p === q);
    return v ? Math.round(v.ns / div) : 0;
  };
  return `  ${p.name}: ios=${p.readIos}/${p.writeIos}, share=${p.sharePct.toFixed(2)}%, io=${fmtBytesIec(p.readBytes)}/${fmtBytesIec(p.writeBytes)}, errors=${p.errors}, lat (${UNITS[s]}): avg=${(l.mean / div).toFixed(2)}, p50=${pct(50)}, p99=${pct(99)}, p99.9=${pct(99.9)}`;
}

/**
 * The report in fio's normal output layout: job headers, per-job blocks (IOPS/BW, clat/lat,
 * percentiles, bw/iops samples, latency distribution, depths), "Run status group" lines, and — in
 * place of fio's "Disk stats" — per-path shares and latency. Close to fio's, not byte-exact.
 */
export function formatReportText(r: WorkloadReport): string {
  const out: string[] = [];
  const seen = new Set<string>();
  let threads = 0;
  for (const j of r.jobs) {
    threads += j.jobs;
    const key = `${j.name}\0${j.groupId}`;
    if (seen.has(key)) {
      if (!out[out.length - 1]?.startsWith("...")) out.push("...");
      continue;
    }
    seen.add(key);
    out.push(jobHeader(j));
  }
  for (const d of r.diagnostics) out.push(`fio: ${d.job}: ${d.option ? `${d.option}: ` : ""}${d.message}`);
  out.push("mp fio engine (virtual time)", `Starting ${threads} process${threads === 1 ? "" : "es"}`, "");
  for (const j of r.jobs) out.push(...jobBlock(j));
  for (const g of r.groups) {
    out.push("", `Run status group ${g.id} (all jobs):`);
    if (g.read.ioBytes > 0) out.push(groupLine("READ", g.read));
    if (g.write.ioBytes > 0) out.push(groupLine("WRITE", g.write));
  }
  if (r.paths.length > 0) {
    out.push("", "Path stats (read/write):");
    for (const p of r.paths) out.push(pathLine(p));
  }
  if (!r.complete)
    out.push("", `Run incomplete: ${r.hungIos} I/O still in flight at ${(r.endNs / 1e9).toFixed(3)}s`);
  return `${out.join("\n")}\n`;
}
