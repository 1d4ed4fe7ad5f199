import { formatDevT, strerror } from "@mp/dm-core";
import { diffIoStats, type IoStatsSnapshot } from "./io-stats.js";
import type { JobDiagnostic, ResolvedJob, VerifyKind } from "./job-options.js";
import {
  DEPTH_LABELS,
  type DirStats,
  type IoErrorRecord,
  type JobThread,
  LAT_BUCKETS,
} from "./job-thread.js";
import { LatencyHistogram, type PercentileValue } from "./latency-histogram.js";
import type { WorkloadRun } from "./runner.js";
import type { VerifyFailure } from "./verify.js";

/** Latency statistics (ns). */
export interface LatencyReport {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  readonly percentiles: readonly PercentileValue[];
}

/** Statistics of periodic samples (fio's `bw (KiB/s)` and `iops` lines). */
export interface SampleReport {
  readonly samples: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
}

/** One direction (read or write) of a job. */
export interface DirectionReport {
  /** Bytes transferred (successful I/O, measured window). */
  readonly ioBytes: number;
  /** I/Os completed successfully in the measured window. */
  readonly ios: number;
  /** Failed I/Os in the measured window. */
  readonly errors: number;
  /** Measured runtime (ns). */
  readonly runtimeNs: number;
  /** Bytes per second over the runtime. */
  readonly bwBytesPerSec: number;
  readonly iops: number;
  /** Completion latency (submit to completion). */
  readonly clat: LatencyReport;
  /** Bandwidth samples in KiB/s, one per 500 ms window. */
  readonly bw: SampleReport;
  /** This job's share of its group's bandwidth, percent (fio's `per=`). */
  readonly bwSharePct: number;
  /** IOPS samples, one per 500 ms window. */
  readonly iopsSamples: SampleReport;
}

/** Verification results of a job. */
export interface VerifyReport {
  readonly kind: VerifyKind;
  /** Chunks checked. */
  readonly checked: number;
  /** Chunks read but not checkable (never written in this run, or racing a write). */
  readonly skipped: number;
  /** Chunks that failed. */
  readonly failures: number;
  /** The first failures, in detail. */
  readonly details: readonly VerifyFailure[];
}

/** One job (a clone, or a whole group with `group_reporting`). */
export interface JobReport {
  readonly name: string;
  readonly groupId: number;
  /** Clones reported here (1, or the group's size with group_reporting). */
  readonly jobs: number;
  /** Target device name. */
  readonly device: string;
  /** errno the job ended with (fio's `err=`); 0 = fine. */
  readonly error: number;
  readonly errorText: string;
  /** Options as given (fio's "job options"). */
  readonly options: Readonly<Record<string, string>>;
  readonly rw: string;
  readonly iodepth: number;
  /** Smallest and largest block size per direction. */
  readonly bsRange: { readonly read: readonly [number, number]; readonly write: readonly [number, number] };
  readonly read: DirectionReport;
  readonly write: DirectionReport;
  /** Percent of completions per latency bucket: 10 nsec, 10 usec and 12 msec buckets (fio's `lat (…)` lines). */
  readonly latencyDistribution: {
    readonly nsec: readonly number[];
    readonly usec: readonly number[];
    readonly msec: readonly number[];
  };
  /** Percent of submissions per in-flight depth bucket (1, 2, 4, 8, 16, 32, >=64). */
  readonly ioDepths: readonly number[];
  /** I/Os issued ("issued rwts"). */
  readonly issued: { readonly read: number; readonly write: number };
  /** Failed I/Os in the whole run (measured or not) and the first one. */
  readonly errors: { readonly count: number; readonly first: IoErrorRecord | null };
  readonly verify: VerifyReport | null;
  /** Measured runtime (ns): from the end of ramp_time to the end of the job. */
  readonly runtimeNs: number;
  /** I/Os still in flight when the report was made (hung I/O of an abandoned run). */
  readonly inflight: number;
  /** True when the job(s) finished. */
  readonly done: boolean;
}

/** One direction of a group ("Run status group N"). */
export interface GroupDirectionReport {
  readonly ioBytes: number;
  /** Group bytes over the group's longest runtime. */
  readonly aggBwBytesPerSec: number;
  readonly minBwBytesPerSec: number;
  readonly maxBwBytesPerSec: number;
  readonly minRunNs: number;
  readonly maxRunNs: number;
}

/** A reporting group. */
export interface GroupReport {
  readonly id: number;
  readonly read: GroupDirectionReport;
  readonly write: GroupDirectionReport;
}

/** Per-path share and latency, from the path devices' counters over the run. */
export interface PathReport {
  readonly name: string;
  readonly devt: string;
  readonly readIos: number;
  readonly writeIos: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly errors: number;
  /** This path's fraction of all paths' I/Os, percent. */
  readonly sharePct: number;
  readonly latency: LatencyReport;
  /** In flight at the end. */
  readonly inflight: number;
}

/** Everything a workload run produced. */
export interface WorkloadReport {
  readonly jobs: readonly JobReport[];
  readonly groups: readonly GroupReport[];
  readonly paths: readonly PathReport[];
  /** Option warnings (errors would have stopped the run). */
  readonly diagnostics: readonly JobDiagnostic[];
  readonly startNs: number;
  readonly endNs: number;
  /** True when every job finished; false for an abandoned run or a report taken mid-run. */
  readonly complete: boolean;
  /** I/Os in flight when the report was made. */
  readonly hungIos: number;
  /** Total I/Os issued by all jobs. */
  readonly issuedIos: number;
  /** Total I/Os completed (any status), for every job. */
  readonly completedIos: number;
}

function sampleStats(xs: readonly number[]): SampleReport {
  const n = xs.length;
  if (n === 0) return { samples: 0, min: 0, max: 0, mean: 0, stddev: 0 };
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let mean = 0;
  let m2 = 0;
  xs.forEach((x, i) => {
    if (x < min) min = x;
    if (x > max) max = x;
    const d = x - mean;
    mean += d / (i + 1);
    m2 += d * (x - mean);
  });
  return { samples: n, min, max, mean, stddev: n > 1 ? Math.sqrt(m2 / (n - 1)) : 0 };
}

function latencyReport(h: LatencyHistogram, percentiles: readonly number[]): LatencyReport {
  return {
    count: h.count,
    min: h.min,
    max: h.max,
    mean: h.mean,
    stddev: h.stddev,
    percentiles: h.percentiles(percentiles),
  };
}

/** Element-wise sum of sample series that started together (truncated to the shortest). */
function sumSeries(series: readonly (readonly number[])[]): number[] {
  if (series.length === 0) return [];
  const n = Math.min(...series.map((s) => s.length));
  const out = new Array<number>(n).fill(0);
  for (const s of series) for (let i = 0; i < n; i++) out[i]! += s[i]!;
  return out;
}

interface Merged {
  threads: JobThread[];
  job: ResolvedJob;
}

function runtimeOf(t: JobThread, now: number): number {
  const end = t.phase === "done" ? t.endNs : now;
  return Math.max(0, end - t.measureStartNs);
}

function directionReport(
  threads: readonly JobThread[],
  d: 0 | 1,
  runtimeNs: number,
  percentiles: readonly number[],
): Omit<DirectionReport, "bwSharePct"> {
  const stats: DirStats[] = threads.map((t) => t.stats[d]);
  const h = new LatencyHistogram();
  let ios = 0;
  let bytes = 0;
  let errors = 0;
  for (const s of stats) {
    h.merge(s.clat);
    ios += s.ios;
    bytes += s.bytes;
    errors += s.errors;
  }
  const secs = runtimeNs / 1e9;
  return {
    ioBytes: bytes,
    ios,
    errors,
    runtimeNs,
    bwBytesPerSec: secs > 0 ? bytes / secs : 0,
    iops: secs > 0 ? ios / secs : 0,
    clat: latencyReport(h, percentiles),
    bw: sampleStats(sumSeries(stats.map((s) => s.bwSamples))),
    iopsSamples: sampleStats(sumSeries(stats.map((s) => s.iopsSamples))),
  };
}

function bsRange(job: ResolvedJob, d: 0 | 1): [number, number] {
  const sizes = job.bssplit[d].filter((e) => e.percent > 0).map((e) => e.bs);
  return sizes.length ? [Math.min(...sizes), Math.max(...sizes)] : [job.minBs, job.maxBs];
}

/** Builds the report of a run, with path counters from `pathStart` to `pathEnd`. */
export function buildReport(
  run: WorkloadRun,
  pathStart: readonly IoStatsSnapshot[],
  pathEnd: readonly IoStatsSnapshot[],
): WorkloadReport {
  const now = run.done ? run.endNs : run.clock.now();
  // Group threads into report entries: one per thread, or one per group with group_reporting.
  const entries: Merged[] = [];
  const byGroup = new Map<number, Merged>();
  for (const t of run.threads) {
    if (t.job.groupReporting) {
      const m = byGroup.get(t.job.groupId);
      if (m) {
        m.threads.push(t);
        continue;
      }
      const e = { threads: [t], job: t.job };
      byGroup.set(t.job.groupId, e);
      entries.push(e);
    } else entries.push({ threads: [t], job: t.job });
  }

  const raw = entries.map(({ threads, job }) => {
    const runtimeNs = Math.max(0, ...threads.map((t) => runtimeOf(t, now)));
    const read = directionReport(threads, 0, runtimeNs, job.percentiles);
    const write = directionReport(threads, 1, runtimeNs, job.percentiles);
    const lat = new Float64Array(LAT_BUCKETS);
    const depth = new Float64Array(DEPTH_LABELS.length);
    let issuedR = 0;
    let issuedW = 0;
    let errCount = 0;
    let first: IoErrorRecord | null = null;
    let err = 0;
    let checked = 0;
    let skipped = 0;
    let failures = 0;
    const details: VerifyFailure[] = [];
    let inflight = 0;
    for (const t of threads) {
      for (let i = 0; i < LAT_BUCKETS; i++) lat[i]! += t.latBuckets[i]!;
      for (let i = 0; i < depth.length; i++) depth[i]! += t.depthBuckets[i]!;
      issuedR += t.issued[0];
      issuedW += t.issued[1];
      errCount += t.errorCount;
      if (t.firstError && (!first || t.firstError.timeNs < first.timeNs)) first = t.firstError;
      if (err === 0) err = t.err;
      checked += t.verifyChecked;
      skipped += t.verifySkipped;
      failures += t.verifyFailureCount;
      details.push(...t.verifyFailures);
      inflight += t.inflight;
    }
    const latTotal = lat.reduce((a, b) => a + b, 0);
    const depthTotal = depth.reduce((a, b) => a + b, 0);
    const pct = (v: number, total: number) => (total > 0 ? (v * 100) / total : 0);
    const latPct = Array.from(lat, (v) => pct(v, latTotal));
    return {
      name: job.name,
      groupId: job.groupId,
      jobs: threads.length,
      device: threads[0]!.device.name,
      error: err,
      errorText: err ? strerror(err) : "",
      options: job.given,
      rw: job.given.rw ?? "read",
      iodepth: job.iodepth,
      bsRange: { read: bsRange(job, 0), write: bsRange(job, 1) },
      read,
      write,
      latencyDistribution: { nsec: latPct.slice(0, 10), usec: latPct.slice(10, 20), msec: latPct.slice(20) },
      ioDepths: Array.from(depth, (v) => pct(v, depthTotal)),
      issued: { read: issuedR, write: issuedW },
      errors: { count: errCount, first },
      verify: job.verify
        ? { kind: job.verify, checked, skipped, failures, details: details.slice(0, 16) }
        : null,
      runtimeNs,
      inflight,
      done: threads.every((t) => t.phase === "done"),
    };
  });

  // Groups.
  const groupIds = [...new Set(raw.map((j) => j.groupId))].sort((a, b) => a - b);
  const groups: GroupReport[] = groupIds.map((id) => {
    const members = raw.filter((j) => j.groupId === id);
    const dir = (d: "read" | "write"): GroupDirectionReport => {
      const active = members.filter((m) => m[d].ioBytes > 0);
      const ioBytes = members.reduce((s, m) => s + m[d].ioBytes, 0);
      const runs = active.map((m) => m.runtimeNs);
      const maxRun = runs.length ? Math.max(...runs) : 0;
      const bws = active.map((m) => m[d].bwBytesPerSec);
      return {
        ioBytes,
        aggBwBytesPerSec: maxRun > 0 ? ioBytes / (maxRun / 1e9) : 0,
        minBwBytesPerSec: bws.length ? Math.min(...bws) : 0,
        maxBwBytesPerSec: bws.length ? Math.max(...bws) : 0,
        minRunNs: runs.length ? Math.min(...runs) : 0,
        maxRunNs: maxRun,
      };
    };
    return { id, read: dir("read"), write: dir("write") };
  });

  const jobs: JobReport[] = raw.map((j) => {
    const g = groups.find((x) => x.id === j.groupId)!;
    const share = (d: "read" | "write") => {
      const agg = g[d].aggBwBytesPerSec / 1024;
      return agg > 0 ? (j[d].bw.mean * 100) / agg : 0;
    };
    return {
      ...j,
      read: { ...j.read, bwSharePct: share("read") },
      write: { ...j.write, bwSharePct: share("write") },
    };
  });

  // Paths.
  const diffs = run.pathDevices.map((_, i) => diffIoStats(pathEnd[i]!, pathStart[i]!));
  const totalIos = diffs.reduce((s, d) => s + d.readIos + d.writeIos, 0);
  const percentiles = run.jobs[0]?.percentiles;
  const paths: PathReport[] = run.pathDevices.map((dev, i) => {
    const d = diffs[i]!;
    return {
      name: dev.name,
      devt: formatDevT(dev.devt),
      readIos: d.readIos,
      writeIos: d.writeIos,
      readBytes: d.readBytes,
      writeBytes: d.writeBytes,
      errors: d.errors,
      sharePct: totalIos > 0 ? ((d.readIos + d.writeIos) * 100) / totalIos : 0,
      latency: latencyReport(d.latency, percentiles ?? [50, 90, 99, 99.9]),
      inflight: d.inFlight,
    };
  });

  const hung = run.threads.reduce((s, t) => s + t.inflight, 0);
  return {
    jobs,
    groups,
    paths,
    diagnostics: run.diagnostics,
    startNs: run.startNs,
    endNs: now,
    complete: run.done && !run.abandoned,
    hungIos: hung,
    issuedIos: run.threads.reduce((s, t) => s + t.issued[0] + t.issued[1], 0),
    completedIos: run.threads.reduce((s, t) => s + t.completed, 0),
  };
}
