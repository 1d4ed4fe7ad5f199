/**
 * A scriptable source for tests and demos: a deterministic topology of N maps × M paths that a
 * test changes at will, recording every action and fault it receives.
 */
import {
  computeMeters,
  type DashboardSnapshot,
  type EventEntry,
  type GroupView,
  indexPaths,
  type MapView,
  type PathView,
} from "./model.js";
import {
  type ActionReply,
  type DashboardSource,
  describeFault,
  type FaultIntent,
  type OperatorIntent,
  operatorCommand,
  type SnapshotListener,
  type SourceInfo,
  type TimeControl,
} from "./source.js";

/** Options of {@link fakeTopology}. */
export interface FakeTopologyOptions {
  readonly maps: number;
  /** Paths per map (split over two groups). Default 4. */
  readonly pathsPerMap?: number;
}

/** sd names as Linux allocates them: sda … sdz, sdaa … */
export function sdName(i: number): string {
  let n = i;
  let s = "";
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return `sd${s}`;
}

/** The dev_t of the i-th sd disk (8:0, 8:16 … 65:0 …). */
export function sdDevT(i: number): string {
  const majors = [8, 65, 66, 67, 68, 69, 70, 71, 128, 129, 130, 131, 132, 133, 134, 135];
  const major = majors[Math.floor(i / 16) % majors.length]!;
  return `${major}:${(i % 16) * 16}`;
}

/** Friendly names as multipathd allocates them: mpatha … mpathz, mpathaa … */
export function mpathName(i: number): string {
  return `mpath${sdName(i).slice(2)}`;
}

/** A healthy path record. */
export function fakePath(i: number, mapKey: string | null, mapName: string, group: number): PathView {
  const dev = sdName(i);
  return {
    key: dev,
    dev,
    devT: sdDevT(i),
    hctl: `${1 + (i % 2)}:0:${Math.floor(i / 2) % 4}:${Math.floor(i / 8)}`,
    mapKey,
    mapName,
    group,
    dmState: "active",
    checkerState: "ready",
    deviceState: "running",
    priority: group === 1 ? 50 : 10,
    checker: "tur",
    nextCheck: { tick: 1 + (i % 5), interval: 5 },
    failures: 0,
    dmFailCount: 0,
    marginal: false,
    iops: group === 1 ? 100 + (i % 7) * 10 : 0,
    latencyUs: group === 1 ? 250 + (i % 5) * 20 : null,
    iopsHistory: [],
    latencyHistory: [],
    inFlight: group === 1 ? 1 : 0,
    selector: [
      { name: "in-flight", value: group === 1 ? 4096 : 0 },
      { name: "rel-tput", value: 1 },
    ],
    route: `hba${i % 2} → array0:${i % 4 < 2 ? "A" : "B"}${i % 2}`,
  };
}

/** A deterministic topology: maps `mpatha…` with WWIDs `3600…`, each with two groups of paths. */
export function fakeTopology(o: FakeTopologyOptions): { maps: MapView[]; paths: PathView[] } {
  const per = o.pathsPerMap ?? 4;
  const maps: MapView[] = [];
  const paths: PathView[] = [];
  for (let m = 0; m < o.maps; m++) {
    const wwid = `36001405${m.toString(16).padStart(8, "0")}00000000000000000`.slice(0, 33);
    const name = mpathName(m);
    const groups: GroupView[] = [];
    const half = Math.ceil(per / 2);
    for (let g = 0; g < (per > 1 ? 2 : 1); g++) {
      const keys: string[] = [];
      const lo = g === 0 ? 0 : half;
      const hi = g === 0 ? half : per;
      for (let p = lo; p < hi; p++) {
        const path = fakePath(m * per + p, wwid, name, g + 1);
        paths.push(path);
        keys.push(path.key);
      }
      groups.push({
        index: g + 1,
        policy: "service-time 0",
        priority: g === 0 ? 50 : 10,
        status: g === 0 ? "active" : "enabled",
        marginal: false,
        paths: keys,
      });
    }
    maps.push(
      mapFromGroups(
        {
          key: wwid,
          name,
          wwid,
          dmDev: `dm-${m}`,
          vendor: "LIO-ORG",
          product: "disk",
          revision: "4.0",
          sizeSectors: 2097152,
          size: "1.0G",
          features: "1 queue_if_no_path",
          hwhandler: "1 alua",
          writeProt: "rw",
          dmState: "active",
          failback: "immediate",
          queueing: { kind: "retry", secondsLeft: null, text: "12 chk" },
          activePaths: 0,
          totalPaths: 0,
          degraded: false,
          queueingIo: false,
          pathFaults: 0,
          switchGroups: 0,
          iops: 0,
          bytesPerSec: 0,
          groups,
        },
        paths,
      ),
    );
  }
  return { maps, paths };
}

/**
 * Recomputes a map's derived fields (path counts, degraded, queueing, IOPS) from its paths
 * (`paths`: a list, or an index already built).
 */
export function mapFromGroups(
  map: MapView,
  paths: readonly PathView[] | ReadonlyMap<string, PathView>,
): MapView {
  const byKey = "get" in paths ? paths : indexPaths(paths);
  let active = 0;
  let total = 0;
  let iops: number | null = null;
  for (const g of map.groups)
    for (const k of g.paths) {
      const p = byKey.get(k);
      if (!p) continue;
      total++;
      if (p.dmState === "active" && (p.checkerState === "ready" || p.checkerState === "ghost")) active++;
      if (p.iops !== null) iops = (iops ?? 0) + p.iops;
    }
  const queueIfNoPath = /\bqueue_if_no_path\b/.test(map.features);
  return {
    ...map,
    activePaths: active,
    totalPaths: total,
    degraded: active < total,
    queueingIo: active === 0 && total > 0 && queueIfNoPath,
    iops,
    bytesPerSec: iops === null ? null : iops * 4096,
  };
}

/** Options of {@link FakeSource}. */
export interface FakeSourceOptions {
  readonly maps?: readonly MapView[];
  readonly paths?: readonly PathView[];
  readonly events?: readonly EventEntry[];
  readonly readOnly?: boolean;
  readonly label?: string;
  /** Offer virtual time control (records what it is asked). Default true. */
  readonly time?: boolean;
  /** Offer fault injection. Default true. */
  readonly inject?: boolean;
  /** The daemon's reply to an action; default `ok`. */
  readonly reply?: (command: string, intent: OperatorIntent) => string;
}

/** A source whose world a test scripts. */
export class FakeSource implements DashboardSource {
  readonly info: SourceInfo;
  /** Every action received, in order. */
  readonly actions: OperatorIntent[] = [];
  /** Every fault received, in order. */
  readonly faults: FaultIntent[] = [];
  /** Steps asked for (ns). */
  readonly steps: number[] = [];
  /** Times {@link refresh} was called. */
  refreshes = 0;
  readonly time: (TimeControl & { readonly log: string[] }) | undefined;
  readonly inject: ((fault: FaultIntent) => Promise<ActionReply>) | undefined;
  #maps: readonly MapView[];
  #paths: readonly PathView[];
  #events: EventEntry[];
  #seq = 0;
  #timeNs = 0;
  #notice: string | null = null;
  #snapshot: DashboardSnapshot;
  readonly #listeners = new Set<SnapshotListener>();
  readonly #reply: (command: string, intent: OperatorIntent) => string;

  constructor(o: FakeSourceOptions = {}) {
    this.info = {
      kind: "fake",
      label: o.label ?? "fake",
      readOnly: o.readOnly ?? false,
      ...(o.readOnly ? { readOnlyReason: "read-only" } : {}),
    };
    this.#maps = o.maps ?? [];
    this.#paths = o.paths ?? [];
    this.#events = [...(o.events ?? [])];
    this.#reply = o.reply ?? (() => "ok\n");
    this.#snapshot = this.#build();
    if (o.time ?? true) {
      const self = this;
      let paused = false;
      let speed = 1;
      const log: string[] = [];
      this.time = {
        log,
        get paused() {
          return paused;
        },
        get speed() {
          return speed;
        },
        get effectiveSpeed() {
          return paused ? 0 : speed;
        },
        setPaused(p: boolean) {
          paused = p;
          log.push(p ? "pause" : "resume");
        },
        setSpeed(s: number) {
          speed = s;
          log.push(`speed ${s}`);
        },
        async step(ns: number) {
          self.steps.push(ns);
          self.#timeNs += ns;
          log.push(`step ${ns}`);
          await self.refresh();
        },
      };
    } else this.time = undefined;
    this.inject =
      (o.inject ?? true)
        ? async (fault: FaultIntent) => {
            this.faults.push(fault);
            return { ok: true, request: describeFault(fault), reply: "injected" };
          }
        : undefined;
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

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.#listeners.clear();
  }

  async refresh(): Promise<DashboardSnapshot> {
    this.refreshes++;
    this.#snapshot = this.#build();
    for (const l of this.#listeners) l(this.#snapshot);
    return this.#snapshot;
  }

  async act(intent: OperatorIntent): Promise<ActionReply> {
    this.actions.push(intent);
    const request = operatorCommand(intent);
    const reply = this.info.readOnly ? "permission deny: need to be root\n" : this.#reply(request, intent);
    return { ok: reply.startsWith("ok"), request, reply: reply.replace(/\n$/, "") };
  }

  /** Replaces maps and paths (derived map fields are recomputed), then publishes a snapshot. */
  set(maps: readonly MapView[], paths: readonly PathView[]): Promise<DashboardSnapshot> {
    this.#paths = paths;
    const index = indexPaths(paths);
    this.#maps = maps.map((m) => mapFromGroups(m, index));
    return this.refresh();
  }

  /** Changes one path, then publishes a snapshot. */
  updatePath(key: string, change: Partial<PathView>): Promise<DashboardSnapshot> {
    return this.set(
      this.#maps,
      this.#paths.map((p) => (p.key === key ? { ...p, ...change } : p)),
    );
  }

  /** Changes one map (by key), then publishes a snapshot. */
  updateMap(key: string, change: Partial<MapView>): Promise<DashboardSnapshot> {
    return this.set(
      this.#maps.map((m) => (m.key === key ? { ...m, ...change } : m)),
      this.#paths,
    );
  }

  /** Appends an event (published with the next snapshot). */
  pushEvent(e: Omit<EventEntry, "seq" | "timeNs"> & { timeNs?: number }): void {
    this.#events.push({ ...e, seq: this.#events.length + 1, timeNs: e.timeNs ?? this.#timeNs });
  }

  /** Moves the fake's clock. */
  setTime(ns: number): void {
    this.#timeNs = ns;
  }

  setNotice(notice: string | null): void {
    this.#notice = notice;
  }

  get maps(): readonly MapView[] {
    return this.#maps;
  }

  get paths(): readonly PathView[] {
    return this.#paths;
  }

  #indexOf: { paths: readonly PathView[]; index: ReadonlyMap<string, PathView> } | null = null;

  #index(): ReadonlyMap<string, PathView> {
    if (this.#indexOf?.paths !== this.#paths)
      this.#indexOf = { paths: this.#paths, index: indexPaths(this.#paths) };
    return this.#indexOf.index;
  }

  #build(): DashboardSnapshot {
    return {
      seq: ++this.#seq,
      timeNs: this.#timeNs,
      maps: this.#maps,
      paths: this.#paths,
      pathIndex: this.#index(),
      meters: computeMeters(this.#maps, this.#paths, "running"),
      events: this.#events.slice(-1000),
      notice: this.#notice,
    };
  }
}
