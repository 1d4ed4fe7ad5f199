/**
 * The embedded simulator: a simulated host (hardware, kernel, udev) with multipathd running on
 * it and a fio-like workload flowing through every map, paced to the wall clock. Snapshots come
 * from the daemon's own printers (`show maps json`, raw formats) over its live structures, the
 * kernel's dm status (path and group states, selector counters) and sysfs `stat` (per-path
 * IOPS and latency); events from multipathd's typed event stream, the kernel log and the
 * hardware. Operator actions go through multipathd's command dispatcher as a root client would
 * send them; faults are injected into the hardware.
 */

import { readFileSync } from "node:fs";
import { createMultipathd, type Multipathd, showMaps, showMapsJson, showPaths } from "@mp/daemon";
import { NSEC_PER_SEC, realWallClock, settle, type WallClock } from "@mp/dm-core";
import {
  buildScenarioWorld,
  cellLabel,
  expandMatrix,
  formatDiagnostic,
  type JobOptions,
  parseScenario,
  type ScenarioSpec,
  type ScenarioWorld,
  type SimWorld,
  startWorkload,
  type WorkloadRun,
} from "@mp/fabric";
import { ScenarioLoadError } from "../../errors.js";
import { parseMultipathStatus, selectorCounters } from "../dm-status.js";
import { EventLog, type NewEvent } from "../event-log.js";
import { IoSampler } from "../io-sampler.js";
import {
  computeMeters,
  type DashboardSnapshot,
  emptySnapshot,
  type GroupStatusName,
  type GroupView,
  indexPaths,
  type MapView,
  type PathView,
} from "../model.js";
import { MAPS_RAW_FIELDS, modelFromShow, PATHS_RAW_FIELDS } from "../show.js";
import {
  type ActionReply,
  type DashboardSource,
  type FaultIntent,
  type OperatorIntent,
  operatorCommand,
  type SnapshotListener,
  type SourceInfo,
  type TimeControl,
} from "../source.js";
import { buildDefaultWorld, DEFAULT_MULTIPATH_CONF } from "./default-world.js";
import { SimDriver } from "./driver.js";
import { daemonEventEntry, fabricEventEntry, kernelLogEntry } from "./events.js";
import { FaultInjector, pathHardware, routeOf } from "./hardware.js";

/** Options of {@link createSimulatorSource}. */
export interface SimulatorSourceOptions {
  /** Seed of the world (default 1). */
  readonly seed?: number | string;
  /** A scenario file of @mp/fabric instead of the default host. */
  readonly scenario?: string;
  /** Virtual seconds per wall second (default 1). */
  readonly speed?: number;
  /** Start with virtual time paused (tests step it). */
  readonly paused?: boolean;
  /** Wall clock for pacing (default: real time). */
  readonly wall?: WallClock;
  /** Run the background workload (default true). */
  readonly workload?: boolean;
  /** LUNs of the default array (default 8). */
  readonly luns?: number;
  /** Add the EMC CLARiiON to the default host (default true). */
  readonly emc?: boolean;
  /** Builds the world instead of the default host (tests). */
  readonly world?: () => Promise<SimWorld>;
  /** multipathd's pid (default 1234). */
  readonly pid?: number;
}

/**
 * Per-map I/O rate of the background workload: a mix of busy and quiet maps, low enough that
 * virtual time can run at 100× on one core.
 */
const MAP_RATES = [120, 80, 50, 100, 30, 60, 110, 20];

/** The simulator source. */
export class SimulatorSource implements DashboardSource {
  readonly #o: SimulatorSourceOptions;
  readonly #listeners = new Set<SnapshotListener>();
  readonly #log = new EventLog();
  #info: SourceInfo;
  #world: SimWorld | null = null;
  #daemon: Multipathd | null = null;
  #driver: SimDriver | null = null;
  #faults: FaultInjector | null = null;
  #sampler: IoSampler | null = null;
  #workload: WorkloadRun | null = null;
  #snapshot: DashboardSnapshot;
  #seq = 0;
  #unsubs: (() => void)[] = [];
  #scenario: LoadedScenario | null = null;
  #fatal: string | null = null;
  readonly #kernelSeen = new Map<string, { activeGroup: number; queueing: boolean }>();
  #started: Promise<void> | null = null;
  #stopped = false;
  readonly #routes = new Map<string, string>();
  readonly #lastChecker = new Map<string, string>();
  readonly time: TimeControl;

  constructor(o: SimulatorSourceOptions = {}) {
    this.#o = o;
    this.#info = { kind: "simulator", label: `simulator seed=${o.seed ?? 1}`, readOnly: false };
    this.#snapshot = emptySnapshot("starting the simulated host …");
    const self = this;
    this.time = {
      get paused() {
        return self.#driver?.paused ?? o.paused ?? false;
      },
      get speed() {
        return self.#driver?.speed ?? o.speed ?? 1;
      },
      get effectiveSpeed() {
        return self.#driver?.effectiveSpeed ?? 0;
      },
      setPaused(p: boolean) {
        self.#driver?.setPaused(p);
      },
      setSpeed(s: number) {
        self.#driver?.setSpeed(s);
      },
      async step(ns: number) {
        await self.#driver?.step(ns);
        await self.refresh();
      },
    };
  }

  get info(): SourceInfo {
    return this.#info;
  }

  /** The simulated world (after {@link start}). */
  get world(): SimWorld | null {
    return this.#world;
  }

  /** The pacing driver (after {@link start}), for diagnostics. */
  get driver(): SimDriver | null {
    return this.#driver;
  }

  /** The embedded multipathd (after {@link start}). */
  get daemon(): Multipathd | null {
    return this.#daemon;
  }

  current(): DashboardSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: SnapshotListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  start(): Promise<void> {
    this.#started ??= this.#boot();
    return this.#started;
  }

  async #boot(): Promise<void> {
    const o = this.#o;
    let w: SimWorld;
    if (o.scenario !== undefined) {
      const sc = await loadScenarioWorld(o.scenario, o.seed);
      this.#scenario = sc;
      w = sc.sw.world;
      this.#info = { kind: "simulator", label: sc.label, readOnly: false };
    } else
      w =
        o.world !== undefined
          ? await o.world()
          : await buildDefaultWorld({
              seed: o.seed ?? 1,
              ...(o.luns !== undefined ? { luns: o.luns } : {}),
              ...(o.emc !== undefined ? { emc: o.emc } : {}),
            });
    this.#world = w;
    this.#push({
      timeNs: w.clock.now(),
      source: "dashboard",
      level: "info",
      category: "other",
      text: `simulated host up: ${describeWorld(w)}`,
    });

    this.#unsubs.push(w.kernel.log.subscribe((l) => this.#pushOrNull(kernelLogEntry(l))));
    this.#unsubs.push(w.fabric.events.subscribe((e) => this.#pushOrNull(fabricEventEntry(e, w.clock.now()))));

    if (this.#scenario) {
      const sc = this.#scenario;
      if (sc.spec.multipathConf === null) {
        // A scenario of dm tables (its `maps:`, with checker stand-ins): the dashboard's daemon
        // builds the maps itself, from the same LUNs, with the default configuration.
        for (const m of sc.sw.maps) if (!m.single) w.kernel.dm.remove(m.name);
        this.#push({
          timeNs: w.clock.now(),
          source: "dashboard",
          level: "warn",
          category: "other",
          text: `scenario ${sc.spec.name} has no multipath_conf: multipathd builds its maps from the same LUNs with the dashboard's defaults`,
        });
      }
      // As multipathd's seam in `mp sim`: the configuration, then udev coldplugs the disks.
      w.host.files.write("/etc/multipath.conf", sc.spec.multipathConf ?? DEFAULT_MULTIPATH_CONF);
      w.host.startUdev();
      const settled = await settle(w.clock, w.host.udev.whenSettled(), 120 * NSEC_PER_SEC);
      if (!settled.settled) throw new Error("udev did not settle within 120 s of virtual time");
    }
    const d = createMultipathd({ host: w.host, pid: o.pid ?? 1234 });
    this.#daemon = d;
    this.#unsubs.push(
      d.events.subscribe((e) => {
        if (e.kind === "checker-result") {
          // Every check reports; the log keeps the ones that change a verdict it already knew.
          const last = this.#lastChecker.get(e.dev);
          this.#lastChecker.set(e.dev, e.state);
          if (last === undefined || last === e.state) return;
        }
        this.#pushOrNull(daemonEventEntry(e));
      }),
    );
    const r = await settle(w.clock, d.start(), 120 * NSEC_PER_SEC);
    if (!r.settled) throw new Error("multipathd did not start within 120 s of virtual time");

    this.#sampler = new IoSampler((dev) => w.host.sysfs.read(`/sys/block/${dev}/stat`));
    this.#faults = new FaultInjector(w, (map) => {
      const m = d.maps().find((x) => x.alias === map || x.wwid === map);
      return m?.pg.flatMap((g) => g.paths)[0]?.dev;
    });
    this.#unsubs.push(w.kernel.dm.onEvent(() => this.#watchKernel()));
    if (this.#scenario) this.#startScenario(this.#scenario);
    else if (o.workload ?? true) this.#startWorkload();

    this.#driver = new SimDriver(w.clock, o.wall ?? realWallClock, {
      speed: o.speed ?? 1,
      paused: o.paused ?? false,
      onError: (e) => {
        // A model bug below us: the world's state is no longer trustworthy, so time stops here
        // and the dashboard says why (and keeps showing the last state).
        this.#fatal = `the simulation stopped: ${e instanceof Error ? e.message : String(e)}`;
        this.#push({
          timeNs: w.clock.now(),
          source: "dashboard",
          level: "error",
          category: "other",
          text: this.#fatal,
        });
        void this.refresh();
      },
    });
    if (!this.#stopped) this.#driver.start();
    await this.refresh();
  }

  /** Starts the scenario's fault timeline and workloads on the daemon's maps. */
  #startScenario(sc: LoadedScenario): void {
    const w = this.#world!;
    const d = this.#daemon!;
    const targets = new Map(sc.sw.targets);
    const dmOf = (m: (typeof maps)[number]) =>
      m.dmi ? w.kernel.block.byName(`dm-${m.dmi.minor}`) : undefined;
    const maps = d.maps();
    // The scenario's own map names lead to the daemon's map over the same paths.
    for (const bm of sc.sw.maps) {
      const devts = new Set(bm.paths.map((p) => p.devt));
      const m = maps.find((x) => x.pg.some((g) => g.paths.some((p) => devts.has(p.devT))));
      const dev = m ? dmOf(m) : undefined;
      if (dev) targets.set(bm.name, dev);
    }
    for (const m of maps) {
      const dev = dmOf(m);
      if (dev && m.alias) targets.set(m.alias, dev);
      if (dev) targets.set(dev.name, dev);
    }
    const first = sc.sw.maps[0] ? targets.get(sc.sw.maps[0].name) : undefined;
    const fallback = first ?? (maps[0] ? dmOf(maps[0]) : undefined);
    const jobs: JobOptions[] = [];
    const devices = new Set<NonNullable<typeof fallback>>();
    for (const wl of sc.spec.workloads) {
      const target = wl.target === null ? fallback : targets.get(wl.target);
      if (!target) {
        this.#push({
          timeNs: w.clock.now(),
          source: "dashboard",
          level: "warn",
          category: "other",
          text: `workload ${wl.name}: no target "${wl.target ?? "(default)"}" (known: ${[...targets.keys()].join(", ")})`,
        });
        continue;
      }
      devices.add(target);
      jobs.push({ ...wl.options, name: wl.name, filename: target.name });
    }
    sc.sw.timeline.start();
    this.#push({
      timeNs: w.clock.now(),
      source: "dashboard",
      level: "info",
      category: "other",
      text: `scenario ${sc.spec.name}: ${plural(sc.spec.faults.length, "timed fault")}, ${plural(jobs.length, "workload")}`,
    });
    if (jobs.length === 0) return;
    try {
      const devs = [...devices];
      this.#workload = startWorkload({
        clock: w.clock,
        rng: w.rng.fork("workload"),
        device: devs[0]!,
        devices: devs.slice(1),
        jobs,
      });
    } catch (e) {
      this.#push({
        timeNs: w.clock.now(),
        source: "dashboard",
        level: "error",
        category: "other",
        text: `scenario workloads: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }

  #startWorkload(): void {
    const w = this.#world!;
    const d = this.#daemon!;
    const devices = d
      .maps()
      .map((m) => (m.dmi ? w.kernel.block.byName(`dm-${m.dmi.minor}`) : undefined))
      .filter((x) => x !== undefined);
    if (devices.length === 0) return;
    try {
      this.#workload = startWorkload({
        clock: w.clock,
        rng: w.rng.fork("dashboard-workload"),
        device: devices[0]!,
        devices,
        jobs: devices.map((dev, i) => ({
          name: `io-${dev.name}`,
          filename: dev.name,
          rw: "randrw",
          rwmixread: 70,
          bs: "4k",
          iodepth: 4,
          rate_iops: MAP_RATES[i % MAP_RATES.length]!,
          time_based: 1,
          runtime: "1000000s",
          continue_on_error: "all",
        })),
      });
      this.#push({
        timeNs: w.clock.now(),
        source: "dashboard",
        level: "info",
        category: "other",
        text: `workload: random 4k read/write (70/30) on ${devices.length} maps`,
      });
    } catch (e) {
      this.#push({
        timeNs: w.clock.now(),
        source: "dashboard",
        level: "warn",
        category: "other",
        text: `no background workload: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#started?.catch(() => {});
    await this.#driver?.stop();
    this.#workload?.stop();
    this.#scenario?.sw.timeline.stop();
    for (const u of this.#unsubs.splice(0)) u();
    this.#listeners.clear();
  }

  async refresh(): Promise<DashboardSnapshot> {
    if (!this.#world || !this.#daemon) return this.#snapshot;
    let snap: DashboardSnapshot;
    try {
      snap = this.#build();
    } catch (e) {
      snap = {
        ...this.#snapshot,
        seq: ++this.#seq,
        notice: `snapshot failed: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    this.#snapshot = snap;
    for (const l of this.#listeners) l(snap);
    return snap;
  }

  async act(intent: OperatorIntent): Promise<ActionReply> {
    const request = operatorCommand(intent);
    const d = this.#daemon;
    const w = this.#world;
    if (!d || !w) return { ok: false, request, reply: "the simulator is not running" };
    // The command is handled under the daemon's lock, which may wait for work in progress on the
    // virtual clock; the pacer keeps time moving (and a paused world is stepped through it).
    const reply = await this.#withTime(d.dispatch(request, { isRoot: true }, { aborted: false }));
    const text = reply === null ? "timeout" : reply.replace(/\n$/, "");
    const map = "map" in intent ? intent.map : this.#snapshot.pathIndex.get(intent.path)?.mapName;
    this.#push({
      timeNs: w.clock.now(),
      source: "operator",
      level: text === "ok" ? "info" : "warn",
      category: "action",
      text: `multipathd -k'${request}' → ${text === "" ? "(no reply)" : text}`,
      ...(map !== undefined ? { map } : {}),
      ...("path" in intent ? { path: intent.path } : {}),
    });
    return { ok: text === "ok", request, reply: text };
  }

  readonly inject = async (fault: FaultIntent): Promise<ActionReply> => {
    const w = this.#world;
    if (!w || !this.#faults) return { ok: false, request: fault.kind, reply: "the simulator is not running" };
    const r = this.#faults.inject(fault);
    this.#push({
      timeNs: w.clock.now(),
      source: "operator",
      level: r.ok ? "warn" : "error",
      category: "fault",
      text: `inject: ${r.request} → ${r.reply}`,
    });
    return r;
  };

  /**
   * Waits for `p` while virtual time moves: when the world is paused (or the pacer is stopped),
   * time is stepped here so that a command waiting on the clock still completes.
   */
  async #withTime<T>(p: Promise<T>): Promise<T | null> {
    const w = this.#world!;
    const driver = this.#driver;
    if (driver && !driver.paused && !this.#stopped) return p;
    const r = await settle(w.clock, p, 30 * NSEC_PER_SEC);
    return r.settled ? r.value : null;
  }

  /**
   * The kernel switches path groups and starts queueing on its own (no log line says so): the
   * dashboard notes each change it sees, on every dm event and every snapshot.
   */
  #noteKernelMap(map: string, activeGroup: number, queueing: boolean): void {
    const w = this.#world!;
    const prev = this.#kernelSeen.get(map);
    // Between a table load and the first I/O no group is active yet: remember the last one that was.
    this.#kernelSeen.set(map, {
      activeGroup: activeGroup > 0 ? activeGroup : (prev?.activeGroup ?? 0),
      queueing,
    });
    if (!prev) return;
    const t = w.clock.now();
    if (activeGroup > 0 && activeGroup !== prev.activeGroup)
      this.#push({
        timeNs: t,
        source: "kernel",
        level: "info",
        category: "group-switch",
        text: `${map}: path group ${activeGroup} active${prev.activeGroup > 0 ? ` (was ${prev.activeGroup})` : ""}`,
        map,
      });
    if (queueing !== prev.queueing)
      this.#push({
        timeNs: t,
        source: "kernel",
        level: queueing ? "error" : "info",
        category: "queueing",
        text: queueing ? `${map}: no usable path, queueing I/O` : `${map}: I/O flows again`,
        map,
      });
  }

  /** Reads the kernel's state of every map the daemon knows (after a dm event). */
  #watchKernel(): void {
    const w = this.#world;
    const d = this.#daemon;
    if (!w || !d) return;
    for (const m of d.maps()) {
      const name = m.alias ?? m.wwid;
      const st = w.host.dm.status(name, { kind: "info" });
      if (!st.ok) continue;
      const line = st.value.lines.find((l) => l.type === "multipath");
      const parsed = line ? parseMultipathStatus(line.params) : null;
      if (!parsed) continue;
      const active = parsed.groups.findIndex((g) => g.state === "A") + 1;
      const usable = parsed.groups.reduce((n, g) => n + g.paths.filter((p) => p.active).length, 0);
      this.#noteKernelMap(name, active, usable === 0 && /\bqueue_if_no_path\b/.test(m.features));
    }
  }

  #push(e: NewEvent): void {
    this.#log.push(e);
  }

  #pushOrNull(e: NewEvent | null): void {
    if (e) this.#log.push(e);
  }

  #route(dev: string): string {
    let r = this.#routes.get(dev);
    if (r === undefined) {
      const h = pathHardware(this.#world!, dev);
      r = h ? routeOf(h) : "";
      this.#routes.set(dev, r);
    }
    return r;
  }

  #build(): DashboardSnapshot {
    const w = this.#world!;
    const d = this.#daemon!;
    const now = w.clock.now();
    const env = d.daemon.ctx.printEnv;
    const maps = d.maps();
    const paths = d.paths();
    const model = modelFromShow({
      mapsJson: showMapsJson(maps, env, () => true).text,
      mapsRaw: showMaps(maps, MAPS_RAW_FIELDS.join("|"), false, env, () => true).text,
      pathsRaw: showPaths(paths, PATHS_RAW_FIELDS.join("|"), false, env).text,
    });
    const sampler = this.#sampler!;
    sampler.sample(
      now,
      model.paths.map((p) => p.dev),
    );

    // The kernel's live view (what `multipath -ll` reads): path and group states, selector counters.
    const kernelPath = new Map<
      string,
      { active: boolean; failCount: number; counters: PathView["selector"] }
    >();
    const kernelGroups = new Map<string, GroupStatusName[]>();
    const kernelQueueing = new Map<string, boolean>();
    for (const m of model.maps) {
      const st = w.host.dm.status(m.name, { kind: "info" });
      if (!st.ok) continue;
      const line = st.value.lines.find((l) => l.type === "multipath");
      const parsed = line ? parseMultipathStatus(line.params) : null;
      if (!parsed) continue;
      const states: GroupStatusName[] = [];
      let usable = 0;
      parsed.groups.forEach((g, gi) => {
        states.push(g.state === "A" ? "active" : g.state === "E" ? "enabled" : "disabled");
        const policy = m.groups[gi]?.policy ?? "";
        for (const p of g.paths) {
          if (p.active) usable++;
          kernelPath.set(`${m.key} ${p.devT}`, {
            active: p.active,
            failCount: p.failCount,
            counters: selectorCounters(policy, p.args),
          });
        }
      });
      kernelGroups.set(m.key, states);
      kernelQueueing.set(m.key, usable === 0 && /\bqueue_if_no_path\b/.test(m.features));
      this.#noteKernelMap(m.name, states.indexOf("active") + 1, kernelQueueing.get(m.key)!);
    }

    const outPaths: PathView[] = model.paths.map((p) => {
      const k = p.mapKey === null ? undefined : kernelPath.get(`${p.mapKey} ${p.devT}`);
      const r = sampler.rates(p.dev);
      return {
        ...p,
        ...(k
          ? {
              dmState: k.active ? ("active" as const) : ("failed" as const),
              dmFailCount: k.failCount,
              selector: k.counters,
            }
          : {}),
        ...(r
          ? {
              iops: r.iops,
              latencyUs: r.latencyUs,
              inFlight: r.inFlight,
              iopsHistory: r.iopsHistory,
              latencyHistory: r.latencyHistory,
            }
          : {}),
        route: this.#route(p.dev),
      };
    });
    const byKey = indexPaths(outPaths);
    const outMaps: MapView[] = model.maps.map((m) => {
      const states = kernelGroups.get(m.key);
      const groups: readonly GroupView[] = states
        ? m.groups.map((g, i) => ({ ...g, status: states[i] ?? g.status }))
        : m.groups;
      let iops: number | null = null;
      let bps: number | null = null;
      for (const g of m.groups)
        for (const k of g.paths) {
          const p = byKey.get(k);
          const r = p ? sampler.rates(p.dev) : undefined;
          if (r) {
            iops = (iops ?? 0) + r.iops;
            bps = (bps ?? 0) + r.bytesPerSec;
          }
        }
      return {
        ...m,
        groups,
        queueingIo: kernelQueueing.get(m.key) ?? m.queueingIo,
        iops,
        bytesPerSec: bps,
      };
    });
    return {
      seq: ++this.#seq,
      timeNs: now,
      maps: outMaps,
      paths: outPaths,
      pathIndex: byKey,
      meters: computeMeters(outMaps, outPaths, d.state()),
      events: this.#log.list(),
      notice: this.#fatal,
    };
  }
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** A scenario file, read and built into a world. */
interface LoadedScenario {
  readonly spec: ScenarioSpec;
  readonly sw: ScenarioWorld;
  readonly label: string;
}

/**
 * Reads a scenario of @mp/fabric and builds its world (the first cell of its matrix): hardware,
 * kernel, dm-table maps and the fault timeline. multipathd then runs on it.
 */
async function loadScenarioWorld(file: string, seed: number | string | undefined): Promise<LoadedScenario> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioLoadError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const parsed = parseScenario(text, file);
  if (!parsed.ok) throw new ScenarioLoadError(parsed.diagnostics.map(formatDiagnostic).join("\n"));
  const spec = parsed.spec;
  const cells = expandMatrix(spec);
  const cell = cells[0]!;
  const sw = buildScenarioWorld(spec, cell, seed !== undefined ? { seed } : {});
  const cellText = cells.length > 1 ? ` [${cellLabel(cell)}, 1 of ${cells.length} cells]` : "";
  return { spec, sw, label: `scenario ${spec.name}${cellText} seed=${seed ?? spec.seed}` };
}

function describeWorld(w: SimWorld): string {
  const arrays = w.fabric.arrays.map((a) => `${a.name} (${a.lus.length} LUNs, ${a.ports.length} ports)`);
  return `${w.fabric.hbas.length} HBAs, ${arrays.join(", ")}`;
}

/** The embedded simulator source; call `start()` to boot it. */
export function createSimulatorSource(o: SimulatorSourceOptions = {}): SimulatorSource {
  return new SimulatorSource(o);
}
