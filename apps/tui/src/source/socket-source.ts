/**
 * Attaches to a running multipathd (`mp multipathd`, or a real multipathd 0.9.4) over its
 * socket (or, for a real multipathd this Node's sockets cannot reach, through the host's
 * `multipathd` client — see `openMpathChannel` in @mp/daemon): each refresh polls `show maps json`, `show maps raw format` and `show paths raw
 * format`, infers events from what changed, and — when the daemon runs on this very host — reads
 * per-path I/O rates from `/sys/block/*\/stat`. Operator actions are sent as multipathd commands;
 * the source turns read-only when asked to, or when the daemon refuses modifying commands.
 */
import { readFileSync } from "node:fs";
import { getuid } from "node:process";
import { DEFAULT_SOCKET, type MpathChannel, openMpathChannel, type UxAddress } from "@mp/daemon";
import type { Clock } from "@mp/dm-core";
import { realTimeClock } from "@mp/dm-core";
import { DaemonUnreachableError } from "../errors.js";
import { diffEvents, type PolledModel } from "./diff-events.js";
import { EventLog } from "./event-log.js";
import { IoSampler } from "./io-sampler.js";
import {
  computeMeters,
  type DashboardSnapshot,
  emptySnapshot,
  indexPaths,
  type MapView,
  type PathView,
} from "./model.js";
import { MAPS_JSON_COMMAND, MAPS_RAW_COMMAND, modelFromShow, PATHS_RAW_COMMAND } from "./show.js";
import {
  type ActionReply,
  type DashboardSource,
  type OperatorIntent,
  operatorCommand,
  type SnapshotListener,
  type SourceInfo,
} from "./source.js";

/** The reply multipathd gives a non-root client for a modifying command. */
export const PERMISSION_DENIED = "permission deny: need to be root";

/** Options of {@link createSocketSource}. */
export interface SocketSourceOptions {
  /**
   * The daemon's socket: `@NAME` for an abstract socket, a path for a socket file; default
   * multipathd's `@/org/kernel/linux/storage/multipathd`.
   */
  readonly socket?: string;
  /** Never send modifying commands. */
  readonly readOnly?: boolean;
  /** Reply timeout (multipathd's uxsock_timeout, default 4000 ms) plus 100 ms, as the client waits. */
  readonly timeoutMs?: number;
  /** Reads `/sys/block/DEV/stat` (default: the real sysfs, used only when the daemon's maps are this host's). */
  readonly readStat?: (dev: string) => string | null;
  /** Reads `/sys/block/DM/dm/uuid` (default: the real sysfs). */
  readonly readDmUuid?: (dm: string) => string | null;
  /** Time source (default: real time). */
  readonly clock?: Clock;
  /** Whether this process runs as root (default: `getuid() === 0`). */
  readonly root?: boolean;
}

/** The socket address a `--socket` value names. */
export function parseSocketAddress(name: string | undefined): UxAddress {
  if (name === undefined || name === "" || name === "@") return { abstract: DEFAULT_SOCKET };
  if (name.startsWith("@")) return { abstract: name.slice(1) };
  if (name.startsWith("/org/kernel/")) return { abstract: name };
  return { path: name };
}

/** How an address reads in the header. */
export function formatSocketAddress(a: UxAddress): string {
  return "abstract" in a ? `@${a.abstract}` : a.path;
}

function readSys(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** A source over a daemon's socket. */
export class SocketSource implements DashboardSource {
  readonly #address: UxAddress;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #readStat: (dev: string) => string | null;
  readonly #readDmUuid: (dm: string) => string | null;
  readonly #listeners = new Set<SnapshotListener>();
  readonly #log = new EventLog();
  readonly #sampler: IoSampler;
  #conn: MpathChannel | null = null;
  #info: SourceInfo;
  #snapshot: DashboardSnapshot;
  #prev: PolledModel | null = null;
  #seq = 0;
  #localStats: boolean | null = null;
  #stopped = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(o: SocketSourceOptions = {}) {
    this.#address = parseSocketAddress(o.socket);
    this.#clock = o.clock ?? realTimeClock();
    this.#timeoutMs = o.timeoutMs ?? 4100;
    this.#readStat = o.readStat ?? ((dev) => readSys(`/sys/block/${dev}/stat`));
    this.#readDmUuid = o.readDmUuid ?? ((dm) => readSys(`/sys/block/${dm}/dm/uuid`));
    this.#sampler = new IoSampler(this.#readStat);
    const root = o.root ?? getuid?.() === 0;
    const label = `socket ${formatSocketAddress(this.#address)}`;
    this.#info = o.readOnly
      ? { kind: "socket", label, readOnly: true, readOnlyReason: "--read-only" }
      : root
        ? { kind: "socket", label, readOnly: false }
        : {
            kind: "socket",
            label,
            readOnly: true,
            readOnlyReason: "not root: multipathd refuses modifying commands",
          };
    this.#snapshot = emptySnapshot(`connecting to multipathd at ${formatSocketAddress(this.#address)} …`);
  }

  get info(): SourceInfo {
    return this.#info;
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

  /** Connects and takes the first snapshot; rejects when no daemon listens. */
  async start(): Promise<void> {
    if (!(await this.#connect()))
      throw new DaemonUnreachableError(
        `cannot connect to multipathd at ${formatSocketAddress(this.#address)} (is it running? start one with: mp multipathd)`,
      );
    await this.refresh();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#conn?.close();
    this.#conn = null;
    this.#listeners.clear();
  }

  refresh(): Promise<DashboardSnapshot> {
    return this.#serial(() => this.#poll());
  }

  act(intent: OperatorIntent): Promise<ActionReply> {
    const request = operatorCommand(intent);
    if (this.#info.readOnly)
      return Promise.resolve({
        ok: false,
        request,
        reply: `not sent: read-only (${this.#info.readOnlyReason ?? ""})`,
      });
    return this.#serial(async () => {
      const r = await this.#request(request);
      if (r === null) return { ok: false, request, reply: "no reply from multipathd" };
      const reply = r.replace(/\n$/, "");
      if (reply.startsWith("permission deny"))
        this.#info = {
          ...this.#info,
          readOnly: true,
          readOnlyReason: "multipathd refuses modifying commands (not root)",
        };
      this.#log.push({
        timeNs: this.#clock.now(),
        source: "operator",
        level: reply === "ok" ? "info" : "warn",
        category: "action",
        text: `${request} → ${reply === "" ? "(no reply)" : reply}`,
      });
      return { ok: reply === "ok", request, reply };
    });
  }

  /** Runs socket conversations one at a time (one connection carries one command at a time). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn, fn);
    this.#queue = p.catch(() => {});
    return p;
  }

  async #connect(): Promise<boolean> {
    if (this.#conn) return true;
    this.#conn = await openMpathChannel(this.#address, { clock: this.#clock });
    // A real multipathd reached through its own client (Node 20 cannot meet its socket) says so.
    const via = this.#conn?.via;
    if (via !== undefined && via !== "socket" && !this.#info.label.endsWith(` via ${via}`))
      this.#info = { ...this.#info, label: `${this.#info.label} via ${via}` };
    return this.#conn !== null;
  }

  async #request(command: string): Promise<string | null> {
    if (this.#stopped || !(await this.#connect())) return null;
    const out = await this.#conn!.process(command, this.#timeoutMs);
    if (out.kind === "reply") return out.text;
    // The connection broke (daemon restarted, timed out): drop it, the next poll reconnects.
    this.#conn?.close();
    this.#conn = null;
    return null;
  }

  async #poll(): Promise<DashboardSnapshot> {
    const timeNs = this.#clock.now();
    const mapsJson = await this.#request(MAPS_JSON_COMMAND);
    const mapsRaw = mapsJson === null ? null : await this.#request(MAPS_RAW_COMMAND);
    const pathsRaw = mapsRaw === null ? null : await this.#request(PATHS_RAW_COMMAND);
    const daemon = pathsRaw === null ? null : await this.#request("show daemon");
    if (mapsJson === null || mapsRaw === null || pathsRaw === null) {
      return this.#publish({
        ...this.#snapshot,
        seq: ++this.#seq,
        timeNs,
        notice: `lost multipathd at ${formatSocketAddress(this.#address)}; retrying…`,
        meters: { ...this.#snapshot.meters, daemon: "unreachable" },
      });
    }
    let model: { maps: MapView[]; paths: PathView[] };
    try {
      model = modelFromShow({ mapsJson, mapsRaw, pathsRaw });
    } catch (e) {
      return this.#publish({
        ...this.#snapshot,
        seq: ++this.#seq,
        timeNs,
        notice: e instanceof Error ? e.message : String(e),
      });
    }
    const withIo = this.#addIo(model, timeNs);
    if (this.#prev) for (const e of diffEvents(this.#prev, withIo, timeNs)) this.#log.push(e);
    this.#prev = withIo;
    const state = /^pid \d+ (\S+)/.exec(daemon ?? "")?.[1] ?? "running";
    return this.#publish({
      seq: ++this.#seq,
      timeNs,
      maps: withIo.maps,
      paths: withIo.paths,
      pathIndex: indexPaths(withIo.paths),
      meters: computeMeters(withIo.maps, withIo.paths, state),
      events: this.#log.list(),
      notice:
        this.#localStats === false
          ? "I/O rates: not this host's devices (per-path IOPS need a local multipathd)"
          : null,
    });
  }

  /** Adds per-path I/O rates when the daemon's devices are this host's. */
  #addIo(model: { maps: MapView[]; paths: PathView[] }, timeNs: number): PolledModel {
    if (this.#localStats === null && model.maps.length > 0) {
      const m = model.maps[0]!;
      this.#localStats = (this.#readDmUuid(m.dmDev) ?? "").trim() === `mpath-${m.wwid}`;
    }
    if (!this.#localStats) return model;
    this.#sampler.sample(
      timeNs,
      model.paths.map((p) => p.dev),
    );
    const paths = model.paths.map((p) => {
      const r = this.#sampler.rates(p.dev);
      return r
        ? {
            ...p,
            iops: r.iops,
            latencyUs: r.latencyUs,
            inFlight: r.inFlight,
            iopsHistory: r.iopsHistory,
            latencyHistory: r.latencyHistory,
          }
        : p;
    });
    const byKey = indexPaths(paths);
    const maps = model.maps.map((m) => {
      let iops: number | null = null;
      let bps: number | null = null;
      for (const g of m.groups)
        for (const k of g.paths) {
          const r = this.#sampler.rates(byKey.get(k)?.dev ?? "");
          if (r) {
            iops = (iops ?? 0) + r.iops;
            bps = (bps ?? 0) + r.bytesPerSec;
          }
        }
      return { ...m, iops, bytesPerSec: bps };
    });
    return { maps, paths };
  }

  #publish(s: DashboardSnapshot): DashboardSnapshot {
    this.#snapshot = s;
    for (const l of this.#listeners) l(s);
    return s;
  }
}

/** A source attached to a daemon's socket. */
export function createSocketSource(o: SocketSourceOptions = {}): SocketSource {
  return new SocketSource(o);
}
