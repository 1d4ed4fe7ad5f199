/**
 * The embedded simulator: a simulated host (hardware, kernel, udev) with multipathd running on
 * it and a fio-like workload flowing through every map, paced to the wall clock. Snapshots come
 * from the daemon's own printers (`show maps json`, raw formats) over its live structures, the
 * kernel's dm status (path and group states, selector counters) and sysfs `stat` (per-path
 * IOPS and latency); events from multipathd's typed event stream, the kernel log and the
 * hardware. Operator actions go through multipathd's command dispatcher as a root client would
 * send them; faults are injected into the hardware.
 */

import { createMultipathd, type Multipathd, showMaps, showMapsJson, showPaths } from "@mp/daemon";
import { NSEC_PER_SEC, settle, type WallClock } from "@mp/dm-core";
import { type SimWorld, startWorkload, type WorkloadRun } from "@mp/fabric";
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
import { realWallClock } from "../wall-clock.js";
import { buildDefaultWorld } from "./default-world.js";
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
    if (o.scenario !== undefined)
      throw new Error(
        `mp tui --scenario: @mp/fabric does not offer a scenario loader for the dashboard yet (${o.scenario}); run without --scenario for the default host`,
      );
    const w = o.world
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
    if (o.workload ?? true) this.#startWorkload();

    this.#driver = new SimDriver(w.clock, o.wall ?? realWallClock, {
      speed: o.speed ?? 1,
      paused: o.paused ?? false,
      onError: (e) =>
        this.#push({
          timeNs: w.clock.now(),
          source: "dashboard",
          level: "error",
          category: "other",
          text: `the simulation stopped: ${e instanceof Error ? e.message : String(e)}`,
        }),
    });
    if (!this.#stopped) this.#driver.start();
    await this.refresh();
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
      notice: null,
    };
  }
}

function describeWorld(w: SimWorld): string {
  const arrays = w.fabric.arrays.map((a) => `${a.name} (${a.lus.length} LUNs, ${a.ports.length} ports)`);
  return `${w.fabric.hbas.length} HBAs, ${arrays.join(", ")}`;
}

/** The embedded simulator source; call `start()` to boot it. */
export function createSimulatorSource(o: SimulatorSourceOptions = {}): SimulatorSource {
  return new SimulatorSource(o);
}
