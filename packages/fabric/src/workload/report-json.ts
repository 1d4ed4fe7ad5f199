import { DEPTH_LABELS, LAT_MSEC_THRESHOLDS, LAT_THRESHOLDS } from "./job-thread.js";
import type { DirectionReport, JobReport, LatencyReport, WorkloadReport } from "./report.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function stat(l: LatencyReport, percentiles: boolean): { [k: string]: Json } {
  const o: { [k: string]: Json } = {
    min: Math.round(l.min),
    max: Math.round(l.max),
    mean: l.mean,
    stddev: l.stddev,
    N: l.count,
  };
  if (percentiles && l.count > 0) {
    const p: { [k: string]: Json } = {};
    for (const v of l.percentiles) p[v.p.toFixed(6)] = Math.round(v.ns);
    o.percentile = p;
  }
  return o;
}

const zeroStat = { min: 0, max: 0, mean: 0, stddev: 0, N: 0 };

function dir(d: DirectionReport): { [k: string]: Json } {
  return {
    io_bytes: d.ioBytes,
    io_kbytes: Math.floor(d.ioBytes / 1024),
    bw_bytes: Math.round(d.bwBytesPerSec),
    bw: Math.round(d.bwBytesPerSec / 1024),
    iops: d.iops,
    runtime: Math.round(d.runtimeNs / 1e6),
    total_ios: d.ios,
    short_ios: 0,
    drop_ios: 0,
    error_ios: d.errors,
    slat_ns: zeroStat,
    clat_ns: stat(d.clat, true),
    lat_ns: stat(d.clat, false),
    bw_min: Math.round(d.bw.min),
    bw_max: Math.round(d.bw.max),
    bw_agg: d.bwSharePct,
    bw_mean: d.bw.mean,
    bw_dev: d.bw.stddev,
    bw_samples: d.bw.samples,
    iops_min: Math.round(d.iopsSamples.min),
    iops_max: Math.round(d.iopsSamples.max),
    iops_mean: d.iopsSamples.mean,
    iops_stddev: d.iopsSamples.stddev,
    iops_samples: d.iopsSamples.samples,
  };
}

const emptyDir = {
  io_bytes: 0,
  io_kbytes: 0,
  bw_bytes: 0,
  bw: 0,
  iops: 0,
  runtime: 0,
  total_ios: 0,
  short_ios: 0,
  drop_ios: 0,
  slat_ns: zeroStat,
  clat_ns: zeroStat,
  lat_ns: zeroStat,
};

function job(j: JobReport): { [k: string]: Json } {
  const lat = (pcts: readonly number[], labels: readonly string[]) => {
    const o: { [k: string]: Json } = {};
    labels.forEach((l, i) => {
      o[l] = pcts[i] ?? 0;
    });
    return o;
  };
  const depths: { [k: string]: Json } = {};
  DEPTH_LABELS.forEach((l, i) => {
    depths[l] = j.ioDepths[i] ?? 0;
  });
  const first = j.errors.first;
  return {
    jobname: j.name,
    groupid: j.groupId,
    error: j.error,
    eta: 0,
    elapsed: Math.round(j.runtimeNs / 1e9),
    "job options": { ...j.options },
    read: dir(j.read),
    write: dir(j.write),
    trim: emptyDir,
    sync: { total_ios: 0, lat_ns: zeroStat },
    job_runtime: Math.round(j.runtimeNs / 1e6),
    iodepth_level: depths,
    latency_ns: lat(j.latencyDistribution.nsec, LAT_THRESHOLDS.map(String)),
    latency_us: lat(j.latencyDistribution.usec, LAT_THRESHOLDS.map(String)),
    latency_ms: lat(j.latencyDistribution.msec, [...LAT_MSEC_THRESHOLDS.map(String), ">=2000"]),
    latency_depth: j.iodepth,
    latency_target: 0,
    latency_percentile: 100,
    latency_window: 0,
    mp: {
      jobs: j.jobs,
      device: j.device,
      issued: { read: j.issued.read, write: j.issued.write },
      errors: {
        count: j.errors.count,
        first: first
          ? {
              op: first.op,
              offset: first.offset,
              length: first.length,
              status: first.status,
              errno: first.errno,
              time_ns: first.timeNs,
            }
          : null,
      },
      verify: j.verify
        ? {
            kind: j.verify.kind,
            checked: j.verify.checked,
            skipped: j.verify.skipped,
            failures: j.verify.failures,
            details: j.verify.details.map((f) => ({
              kind: f.kind,
              offset: f.offset,
              length: f.length,
              request_offset: f.requestOffset,
              request_length: f.requestLength,
              expected: f.expected,
              received: f.received,
            })),
          }
        : null,
      inflight: j.inflight,
      done: j.done,
    },
  };
}

/**
 * The report as fio's `--output-format=json` lays it out (`jobs[].read.iops`, `.bw` in KiB/s,
 * `.clat_ns.percentile["99.000000"]`, `latency_us`, `iodepth_level` …), with mp's additions under
 * `jobs[].mp` (errors, verify, issued) and `path_stats` in place of fio's `disk_util`. Virtual
 * times replace fio's wall-clock timestamps. Keys and spacing follow fio (`"key" : value`).
 */
export function formatReportJson(r: WorkloadReport): string {
  const doc: { [k: string]: Json } = {
    "fio version": "mp-fio",
    virtual_time_ns: { start: r.startNs, end: r.endNs },
    complete: r.complete,
    hung_ios: r.hungIos,
    jobs: r.jobs.map(job),
    path_stats: r.paths.map((p) => ({
      name: p.name,
      devt: p.devt,
      read_ios: p.readIos,
      write_ios: p.writeIos,
      read_bytes: p.readBytes,
      write_bytes: p.writeBytes,
      errors: p.errors,
      share: p.sharePct,
      lat_ns: stat(p.latency, true),
      inflight: p.inflight,
    })),
  };
  return `${JSON.stringify(doc, null, 2).replace(/^(\s*"(?:[^"\\]|\\.)*"): /gm, "$1 : ")}\n`;
}
