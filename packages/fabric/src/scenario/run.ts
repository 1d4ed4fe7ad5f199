import {
  type BlockDevice,
  defaultFlush,
  type Flush,
  formatDevT,
  InvariantError,
  MpError,
  type PathSelectorType,
  settle,
} from "@mp/dm-core";
import type { TimelineLogEntry } from "../faults/timeline.js";
import type { Link } from "../hardware/fabric.js";
import type { IoStatsSource } from "../workload/io-stats.js";
import type { JobOptions } from "../workload/job-options.js";
import type { WorkloadReport } from "../workload/report.js";
import { WorkloadOptionsError, WorkloadRun } from "../workload/runner.js";
import type { SimWorld } from "../world.js";
import { ScenarioSetupError } from "./errors.js";
import { type ExpectationResult, evaluateExpectations } from "./expect.js";
import { normalizeSelector } from "./parse.js";
import { parseMpathStatus } from "./path-checker.js";
import { CompletionProbe, type Recovery } from "./probe.js";
import type { MatrixCell, ScenarioSpec } from "./spec.js";
import { type BuiltMap, type BuiltPath, buildScenarioWorld, type ScenarioWorld } from "./world.js";

/**
 * The seam for multipathd: a scenario with `multipath_conf:` gets its maps from a daemon when
 * the caller provides one (the CLI wires `@mp/daemon`'s multipathd here; the fabric does not
 * depend on the daemon). The daemon runs on the world's SimHost.
 */
export interface ScenarioDaemon {
  /** Starts multipathd with this configuration; resolves once its maps are set up. */
  start(world: SimWorld, multipathConf: string): Promise<{ stop(): Promise<void> }>;
}

/** Options of {@link runScenario} and {@link runCell}. */
export interface RunScenarioOptions {
  /** Overrides the file's seed. */
  readonly seed?: number | string;
  /** Path selector plugins (made with `definePathSelector`). */
  readonly selectors?: readonly PathSelectorType[];
  /** Replaces the matrix's selector axis (`mp sim compare --selectors`). */
  readonly compareSelectors?: readonly string[];
  /** Called as the run advances: the cell index, the cell count and the fraction done in it. */
  readonly onProgress?: (cell: number, cells: number, fraction: number) => void;
  /** Lets the caller's event loop run between slices of the run (progress bars, a daemon). */
  readonly flush?: Flush;
  /** multipathd, for scenarios with `multipath_conf:`. */
  readonly daemon?: ScenarioDaemon;
}

/** Per-path share and latency of one map or head. */
export interface PathShare {
  /** Link name (`hba0->array0:A0`) or NVMe path name. */
  readonly path: string;
  /** Kernel name (`sda`, `nvme0c1n1`). */
  readonly disk: string;
  readonly devt: string;
  readonly ios: number;
  readonly bytes: number;
  readonly errors: number;
  /** Fraction of the map's I/Os (0..1). */
  readonly share: number;
  readonly meanLatencyNs: number;
}

/** What happened to one map (or NVMe head) in a run. */
export interface MapResult {
  readonly name: string;
  readonly device: string;
  readonly kind: "dm" | "single" | "nvme";
  /** Selector (dm), iopolicy (NVMe) or `-`. */
  readonly policy: string;
  readonly grouping: string;
  readonly table: string;
  readonly paths: readonly PathShare[];
  /** Longest time the map had no usable path (queue_if_no_path held the I/O), ns. */
  readonly noPathMaxNs: number;
  /** Total time without a usable path, ns. */
  readonly noPathTotalNs: number;
  /** Active paths at the end (dm: `A` in status; NVMe: usable paths). */
  readonly activePathsAtEnd: number;
  /** Group in use at the end (dm). */
  readonly groupAtEnd: number;
  /** The stand-in checker's actions. */
  readonly checkerEvents: readonly { readonly tNs: number; readonly message: string }[];
}

/** The result of one matrix cell. */
export interface CellResult {
  /** Axis → value. */
  readonly cell: ReadonlyMap<string, string>;
  readonly label: string;
  readonly seed: number | string;
  readonly report: WorkloadReport | null;
  readonly maps: readonly MapResult[];
  readonly timeline: readonly TimelineLogEntry[];
  readonly recoveries: readonly Recovery[];
  /** Longest stall of any workload target, ns. */
  readonly maxStallNs: number;
  readonly expectations: readonly ExpectationResult[];
  /** A model invariant broke (a bug, not a scenario failure): the message. */
  readonly crash: string | null;
  /** Kernel log lines of the multipath target and the NVMe host, for the report. */
  readonly kernelLog: readonly string[];
  readonly endNs: number;
}

/** The result of a scenario: one cell per matrix combination. */
export interface ScenarioResult {
  readonly name: string;
  readonly file: string;
  readonly seed: number | string;
  readonly axes: readonly string[];
  readonly cells: readonly CellResult[];
  /** True when every expectation held in every cell and nothing crashed. */
  readonly ok: boolean;
}

/**
 * The cells of a scenario's matrix (one empty cell without a matrix). Where a cell's grouping
 * leaves no choice to a selector (`single`, `failover`), cells that differ only by selector are
 * run once.
 */
export function expandMatrix(spec: ScenarioSpec, compareSelectors?: readonly string[]): MatrixCell[] {
  const axes = spec.matrix.map((a) => ({ name: a.name as string, values: [...a.values] }));
  if (compareSelectors && compareSelectors.length > 0) {
    const sel = axes.find((a) => a.name === "selector");
    const values = compareSelectors.map(normalizeSelector);
    if (sel) sel.values = values;
    else axes.push({ name: "selector", values });
  }
  let cells: Map<string, string>[] = [new Map()];
  for (const a of axes) {
    const next: Map<string, string>[] = [];
    for (const c of cells)
      for (const v of a.values) {
        const m = new Map(c);
        m.set(a.name, v);
        next.push(m);
      }
    cells = next;
  }
  const firstSelector = axes.find((a) => a.name === "selector")?.values[0];
  const out: MatrixCell[] = [];
  const seen = new Set<string>();
  for (const c of cells) {
    const g =
      c.get("grouping") ??
      (spec.maps.length > 0 && spec.maps.every((m) => m.grouping === c.get("grouping") || !c.has("grouping"))
        ? spec.maps[0]!.grouping
        : undefined);
    if ((g === "single" || g === "failover") && firstSelector !== undefined) c.set("selector", firstSelector);
    const key = [...c.entries()].map(([k, v]) => `${k}=${v}`).join("\u0000");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/** A cell's label for tables: `selector=service-time 0, workload.iodepth=64`. */
export function cellLabel(cell: MatrixCell): string {
  if (cell.size === 0) return "(scenario)";
  return [...cell.entries()]
    .map(([k, v]) => {
      if (k === "selector" && (cell.get("grouping") === "single" || cell.get("grouping") === "failover"))
        return null;
      return `${k.replace(/^workload\./, "")}=${v}`;
    })
    .filter((x) => x !== null)
    .join(" ");
}

const SLICE_EVENTS = 20_000;

/** Runs every cell of a scenario. */
export async function runScenario(spec: ScenarioSpec, o: RunScenarioOptions = {}): Promise<ScenarioResult> {
  const cells = expandMatrix(spec, o.compareSelectors);
  const results: CellResult[] = [];
  for (let i = 0; i < cells.length; i++) {
    results.push(
      await runCell(spec, cells[i]!, {
        ...o,
        ...(o.onProgress ? { onProgress: (_c, _n, f) => o.onProgress!(i, cells.length, f) } : {}),
      }),
    );
  }
  const axes = [...new Set(cells.flatMap((c) => [...c.keys()]))];
  return {
    name: spec.name,
    file: spec.file,
    seed: o.seed ?? spec.seed,
    axes,
    cells: results,
    ok: results.every((c) => c.crash === null && c.expectations.every((e) => e.ok)),
  };
}

/** Applies a cell's `workload.<option>` values to every workload. */
function jobsFor(
  spec: ScenarioSpec,
  cell: MatrixCell,
  sw: ScenarioWorld,
  maps: readonly BuiltMap[],
  targets: ReadonlyMap<string, BlockDevice>,
  probes: Map<BlockDevice, CompletionProbe>,
): JobOptions[] {
  const overrides: Record<string, string> = {};
  for (const [k, v] of cell) if (k.startsWith("workload.")) overrides[k.slice(9)] = v;
  const only = cell.get("workload");
  return spec.workloads
    .filter((w) => only === undefined || w.name === only)
    .map((w) => {
      const target = w.target === null ? (maps[0]?.device ?? sw.heads[0]?.head) : targets.get(w.target);
      if (!target)
        throw new ScenarioSetupError(
          `${spec.file}:${w.pos.line}:${w.pos.col}: workload ${w.name}: no target "${w.target ?? "(default)"}" in this world (known: ${[...targets.keys()].join(", ")})`,
        );
      if (!probes.has(target)) probes.set(target, new CompletionProbe(target, sw.world.clock));
      return { ...w.options, ...overrides, name: w.name, filename: target.name } as JobOptions;
    });
}

/** Kinds of timeline steps after which a failover time is measured. */
const DISRUPTIVE = new Set([
  "port",
  "controller",
  "link",
  "link-flap",
  "inject",
  "alua",
  "ana",
  "lun-map",
  "hba",
]);

/** Runs one cell of a scenario in a fresh world. */
export async function runCell(
  spec: ScenarioSpec,
  cell: MatrixCell,
  o: RunScenarioOptions = {},
): Promise<CellResult> {
  const sw = buildScenarioWorld(spec, cell, {
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.selectors ? { selectors: o.selectors } : {}),
  });
  const { world } = sw;
  const clock = world.clock;
  const kernel = world.kernel;
  const logStart = kernel.log.cursor();
  const start = clock.now();
  let daemon: { stop(): Promise<void> } | null = null;
  const flush = o.flush ?? defaultFlush;
  const maps: BuiltMap[] = [...sw.maps];
  const targets = new Map(sw.targets);
  const pathDevices = [...sw.pathDevices];
  if (spec.multipathConf !== null && o.daemon) {
    const started = await settle(clock, o.daemon.start(world, spec.multipathConf), 600e9, flush);
    if (!started.settled)
      throw new ScenarioSetupError(`${spec.file}: multipathd did not start within 600 s of virtual time`);
    daemon = started.value;
    for (const m of daemonMaps(sw, maps)) {
      maps.push(m);
      targets.set(m.name, m.device);
      targets.set(m.device.name, m.device);
      for (const p of m.paths) if (!pathDevices.includes(p.disk)) pathDevices.push(p.disk);
    }
  } else if (spec.multipathConf !== null && spec.maps.length === 0)
    throw new ScenarioSetupError(
      `${spec.file}: this scenario has multipath_conf: but no maps:, and this run has no multipathd to build maps from it; give dm tables under maps: (multipathd plugs in through the daemon seam of runScenario)`,
    );

  // No-path spans of every dm map, followed through dm events.
  const noPath = new Map<string, { since: number; max: number; total: number }>();
  for (const m of maps) if (!m.single) noPath.set(m.name, { since: -1, max: 0, total: 0 });
  const watch = (): void => {
    const now = clock.now();
    for (const m of maps) {
      if (m.single) continue;
      const st = mapStatus(sw, m);
      const np = noPath.get(m.name)!;
      const active = st ? st.active : 0;
      if (active === 0 && np.since < 0) np.since = now;
      else if (active > 0 && np.since >= 0) {
        np.max = Math.max(np.max, now - np.since);
        np.total += now - np.since;
        np.since = -1;
      }
    }
  };
  const unwatch = kernel.dm.onEvent(watch);

  const probes = new Map<BlockDevice, CompletionProbe>();
  let report: WorkloadReport | null = null;
  let crash: string | null = null;
  let run: WorkloadRun | null = null;
  try {
    const jobs = jobsFor(spec, cell, sw, maps, targets, probes);
    const devs = [...probes.values()];
    for (const m of maps) m.checker?.start();
    sw.timeline.start();
    if (jobs.length > 0) {
      run = new WorkloadRun({
        clock,
        rng: world.rng.fork("workload"),
        device: devs[0]!,
        devices: devs.slice(1),
        jobs,
        pathDevices,
      });
      run.start();
    }
    const runFor = start + spec.runForNs;
    const limit = start + spec.limitNs;
    let seenLog = 0;
    let n = 0;
    for (;;) {
      if ((run === null || run.done) && clock.now() >= runFor) break;
      const next = clock.nextTime();
      if (next === undefined) break;
      if (next > limit) {
        clock.runUntil(limit);
        break;
      }
      clock.runNext();
      // multipathd's work is async: its continuations run before the next event.
      if (daemon) await flush();
      const log = sw.timeline.log;
      if (log.length !== seenLog) {
        for (; seenLog < log.length; seenLog++) {
          const e = log[seenLog]!;
          const ev = spec.faults.find((f) => f.index === e.index);
          if (
            e.error === null &&
            ev &&
            DISRUPTIVE.has(ev.action.kind) &&
            (e.phase === "apply" || e.phase === "flap-down")
          )
            for (const p of probes.values()) p.fault(e.text);
        }
      }
      if (++n % SLICE_EVENTS === 0) {
        o.onProgress?.(0, 1, progress(run, clock.now() - start, spec.runForNs));
        if (o.flush) await o.flush();
      }
    }
    if (run && !run.done) run.abandon();
    report = run ? run.report() : null;
  } catch (e) {
    if (e instanceof WorkloadOptionsError || e instanceof ScenarioSetupError) throw e;
    if (e instanceof InvariantError || !(e instanceof MpError))
      crash = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    else throw e;
  } finally {
    watch();
    unwatch();
    for (const p of probes.values()) p.finish();
    sw.stop();
    if (daemon) await settle(clock, daemon.stop(), 60e9, flush);
  }
  const endNs = clock.now();
  for (const np of noPath.values())
    if (np.since >= 0) {
      np.max = Math.max(np.max, endNs - np.since);
      np.total += endNs - np.since;
      np.since = -1;
    }
  o.onProgress?.(0, 1, 1);

  const results: MapResult[] = [];
  for (const m of maps) {
    const st = m.single ? null : mapStatus(sw, m);
    const np = noPath.get(m.name);
    results.push({
      name: m.name,
      device: m.device.name,
      kind: m.single ? "single" : "dm",
      policy: m.single ? "-" : m.selector,
      grouping: m.grouping,
      table: m.table,
      paths: shares(m.paths.map((p) => ({ path: p.name, dev: p.disk, devt: p.devt }))),
      noPathMaxNs: np?.max ?? 0,
      noPathTotalNs: np?.total ?? 0,
      activePathsAtEnd: st ? st.active : m.paths.length,
      groupAtEnd: st ? st.group : 1,
      checkerEvents: m.checker
        ? m.checker.events.map((e) => ({ tNs: e.tNs - start, message: e.message }))
        : [],
    });
  }
  for (const h of sw.heads) {
    results.push({
      name: h.name,
      device: h.head.name,
      kind: "nvme",
      policy: h.head.subsys.iopolicy,
      grouping: "-",
      table: "",
      paths: shares(h.paths.map((p) => ({ path: `${h.subsystem}:${p.ctrl.name}`, dev: p, devt: p.name }))),
      noPathMaxNs: 0,
      noPathTotalNs: 0,
      activePathsAtEnd: h.paths.filter((p) => !p.disabled()).length,
      groupAtEnd: 1,
      checkerEvents: [],
    });
  }
  const recoveries = [...probes.values()].flatMap((p) => p.recoveries);
  const maxStallNs = Math.max(0, ...[...probes.values()].map((p) => p.maxStallNs));
  const kernelLog = kernel.log
    .since(logStart)
    .filter((l) =>
      /multipath|nvme|rport|scsi host|Failing|reinstat|Attached SCSI disk|capacity change|Capacity data/.test(
        l.text,
      ),
    )
    .slice(0, 200)
    .map((l) => `[${(l.timeNs / 1e9).toFixed(6).padStart(12)}] ${l.text}`);
  const partial: Omit<CellResult, "expectations"> = {
    cell,
    label: cellLabel(cell),
    seed: o.seed ?? spec.seed,
    report,
    maps: results,
    timeline: sw.timeline.log,
    recoveries,
    maxStallNs,
    crash,
    kernelLog,
    endNs: endNs - start,
  };
  return { ...partial, expectations: evaluateExpectations(spec, partial) };
}

function progress(run: WorkloadRun | null, elapsedNs: number, runForNs: number): number {
  let f = runForNs > 0 ? Math.min(1, elapsedNs / runForNs) : 0;
  if (!run) return f;
  let sum = 0;
  for (const t of run.threads) {
    const j = t.job;
    if (t.phase === "done") sum += 1;
    else if (Number.isFinite(j.runtimeNs)) sum += Math.min(1, (elapsedNs - j.rampNs) / j.runtimeNs);
    else if (Number.isFinite(j.ioSize) && j.ioSize > 0) sum += Math.min(1, t.issuedBytes / j.ioSize);
  }
  const w = run.threads.length > 0 ? sum / run.threads.length : 1;
  f = runForNs > 0 ? Math.min(f, w) : w;
  return Math.max(0, Math.min(1, f));
}

function mapStatus(sw: ScenarioWorld, m: BuiltMap): { active: number; group: number } | null {
  const r = sw.world.kernel.dm.status(m.name);
  if (!r.ok) return null;
  const line = r.value.lines.find((l) => l.type === "multipath");
  const s = line ? parseMpathStatus(line.params) : null;
  if (!s) return null;
  return {
    active: s.groups.reduce((n, g) => n + g.paths.filter((p) => p.active).length, 0),
    group: s.currentGroup,
  };
}

function shares(
  paths: readonly { path: string; dev: BlockDevice & IoStatsSource; devt: string }[],
): PathShare[] {
  const ios = paths.map((p) => p.dev.ioStats.readIos + p.dev.ioStats.writeIos);
  const total = ios.reduce((a, b) => a + b, 0);
  return paths.map((p, i) => {
    const s = p.dev.ioStats;
    return {
      path: p.path,
      disk: p.dev.name,
      devt: p.devt,
      ios: ios[i]!,
      bytes: s.readBytes + s.writeBytes,
      errors: s.errors,
      share: total > 0 ? ios[i]! / total : 0,
      meanLatencyNs: s.latency.count > 0 ? s.latency.mean : 0,
    };
  });
}

/** The maps multipathd made (every dm multipath device the scenario did not build itself). */
function daemonMaps(sw: ScenarioWorld, known: readonly BuiltMap[]): BuiltMap[] {
  const dm = sw.world.kernel.dm;
  const block = sw.world.kernel.block;
  const out: BuiltMap[] = [];
  for (const e of dm.list()) {
    if (known.some((m) => m.name === e.name)) continue;
    const table = dm.status(e.name, { kind: "table" });
    const deps = dm.deps(e.name);
    const device = block.get(e.devt);
    if (!table.ok || !deps.ok || !device) continue;
    const line = table.value.lines.find((l) => l.type === "multipath");
    if (!line) continue;
    const paths: BuiltPath[] = [];
    for (const devt of [...deps.value.deps].reverse()) {
      const disk = block.get(devt);
      if (!disk) continue;
      const link = (disk.scsi as { starget?: { link?: Link } } | undefined)?.starget?.link ?? null;
      paths.push({ name: link?.name ?? disk.name, link, disk: sw.taps.tap(disk), devt: formatDevT(devt) });
    }
    const sel = /\b(\S+) \d+ (?:\S+ )*?\d+ \d+ \d+:\d+/.exec(line.params);
    out.push({
      spec: {
        name: e.name,
        lun: "",
        table: line.params,
        features: [],
        hardwareHandler: null,
        grouping: "multibus",
        selector: "",
        pathArgs: "",
        paths: null,
        groups: null,
        checker: null,
        pos: { line: 1, col: 1 },
      },
      name: e.name,
      device,
      paths,
      single: false,
      selector: sel ? sel[1]! : "multipathd",
      grouping: "multipathd",
      table: line.params,
      checker: null,
    });
  }
  return out;
}
