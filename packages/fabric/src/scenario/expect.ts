import { normalizeSelector } from "./parse.js";
import type { CellResult, MapResult, PathShare } from "./run.js";
import type { ExpectationSpec, ScenarioSpec } from "./spec.js";
import type { Pos } from "./yaml-reader.js";

/** One expectation checked against one cell. */
export interface ExpectationResult {
  /** The expectation as written (`path_share path=… below=0.1`). */
  readonly text: string;
  readonly pos: Pos;
  readonly ok: boolean;
  /** What was measured, in words (`0.112`, `3 errors`, `recovered after 5.02 s`). */
  readonly actual: string;
}

/** Does an expectation's `when:` select this cell? */
function applies(e: ExpectationSpec, spec: ScenarioSpec, r: Omit<CellResult, "expectations">): boolean {
  for (const [k, v] of e.when) {
    let have = r.cell.get(k);
    if (have === undefined && k === "selector") have = r.maps.find((m) => m.kind === "dm")?.policy;
    if (have === undefined && k === "iopolicy") have = r.maps.find((m) => m.kind === "nvme")?.policy;
    if (have === undefined) return false;
    if (k === "selector" ? normalizeSelector(have) !== normalizeSelector(v) : have !== v) return false;
  }
  void spec;
  return true;
}

function fmtNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${Math.round(ns)} ns`;
}

function findPath(maps: readonly MapResult[], path: string, map: string | null): PathShare | null {
  for (const m of maps) {
    if (map !== null && m.name !== map) continue;
    const p = m.paths.find((x) => x.path === path || x.disk === path || x.devt === path);
    if (p) return p;
  }
  return null;
}

/** Checks the scenario's expectations that apply to a cell. */
export function evaluateExpectations(
  spec: ScenarioSpec,
  r: Omit<CellResult, "expectations">,
): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const rep = r.report;
  const jobs = rep?.jobs ?? [];
  for (const e of spec.expect) {
    if (!applies(e, spec, r)) continue;
    const res = (ok: boolean, actual: string) => out.push({ text: e.text, pos: e.pos, ok, actual });
    switch (e.kind) {
      case "no_io_errors": {
        const n = jobs.reduce((s, j) => s + j.errors.count, 0);
        const first = jobs.find((j) => j.errors.first)?.errors.first;
        res(
          n === 0,
          n === 0
            ? "no errors"
            : `${n} I/O errors (first: ${first?.op} at offset ${first?.offset}, errno ${first?.errno})`,
        );
        break;
      }
      case "no_io_lost": {
        if (!rep) {
          res(false, "no workload ran");
          break;
        }
        const ok = rep.hungIos === 0 && rep.completedIos === rep.issuedIos;
        res(
          ok,
          ok
            ? `${rep.completedIos} of ${rep.issuedIos} I/Os completed`
            : `${rep.hungIos} I/Os never completed (${rep.completedIos} of ${rep.issuedIos})`,
        );
        break;
      }
      case "verify_clean": {
        const v = jobs.filter((j) => j.verify !== null);
        if (v.length === 0) {
          res(false, "no workload verifies (set verify: md5 or crc32c)");
          break;
        }
        const failures = v.reduce((s, j) => s + (j.verify?.failures ?? 0), 0);
        const checked = v.reduce((s, j) => s + (j.verify?.checked ?? 0), 0);
        res(
          failures === 0 && checked > 0,
          failures === 0 ? `${checked} blocks verified` : `${failures} verify failures`,
        );
        break;
      }
      case "path_share": {
        const p = findPath(r.maps, e.path, e.map);
        if (!p) {
          res(false, `no path ${e.path}`);
          break;
        }
        const ok = (e.below === null || p.share <= e.below) && (e.above === null || p.share >= e.above);
        res(ok, p.share.toFixed(3));
        break;
      }
      case "failover_within": {
        if (r.recoveries.length === 0) {
          res(true, "no disruptive fault");
          break;
        }
        const never = r.recoveries.find((x) => x.recoveredNs === null);
        if (never) {
          res(false, `I/O never resumed after ${never.text} at ${fmtNs(never.tNs)}`);
          break;
        }
        const worst = r.recoveries.reduce((a, b) => (b.recoveredNs! > a.recoveredNs! ? b : a));
        res(worst.recoveredNs! <= e.ns, `${fmtNs(worst.recoveredNs!)} after ${worst.text}`);
        break;
      }
      case "iops":
      case "bandwidth":
      case "latency": {
        const sel = e.job === null ? jobs : jobs.filter((j) => j.name === e.job);
        if (sel.length === 0) {
          res(false, "no workload report");
          break;
        }
        if (e.kind === "iops") {
          const v = sel.reduce((s, j) => s + j.read.iops + j.write.iops, 0);
          res(v >= e.atLeast, v.toFixed(0));
        } else if (e.kind === "bandwidth") {
          const v = sel.reduce((s, j) => s + j.read.bwBytesPerSec + j.write.bwBytesPerSec, 0);
          res(v >= e.atLeast, `${(v / 1048576).toFixed(1)} MiB/s`);
        } else {
          let worst = 0;
          for (const j of sel)
            for (const d of [j.read, j.write]) {
              if (d.clat.count === 0) continue;
              const v =
                e.stat === "mean"
                  ? d.clat.mean
                  : e.stat === "max"
                    ? d.clat.max
                    : (d.clat.percentiles.find((p) => p.p === 99)?.ns ?? d.clat.max);
              worst = Math.max(worst, v);
            }
          res(worst <= e.atMostNs, fmtNs(worst));
        }
        break;
      }
      case "queueing_held": {
        const ms = r.maps.filter((m) => m.kind === "dm" && (e.map === null || m.name === e.map));
        const v = Math.max(0, ...ms.map((m) => m.noPathMaxNs));
        res(v <= e.atMostNs, v === 0 ? "never without a path" : `${fmtNs(v)} without a path`);
        break;
      }
      case "paths_active": {
        const m = e.map === null ? r.maps[0] : r.maps.find((x) => x.name === e.map);
        if (!m) {
          res(false, "no map");
          break;
        }
        res(m.activePathsAtEnd === e.count, `${m.activePathsAtEnd} active at the end`);
        break;
      }
      case "active_group": {
        const m = e.map === null ? r.maps.find((x) => x.kind === "dm") : r.maps.find((x) => x.name === e.map);
        if (m?.kind !== "dm") {
          res(false, "no dm map");
          break;
        }
        res(m.groupAtEnd === e.group, `group ${m.groupAtEnd} in use at the end`);
        break;
      }
      default: {
        const never: never = e;
        throw new Error(`unhandled ${String(never)}`);
      }
    }
  }
  return out;
}
