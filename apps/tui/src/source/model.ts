/**
 * What the dashboard shows, independent of where it comes from: a snapshot of the maps, their
 * priority groups and paths, host-wide meters and the event log, as plain immutable records.
 * Every source (the embedded simulator, a daemon socket, the test fake) produces these.
 */

/** dm's view of a path in the map (`dm_st`): `active`, `failed`, or `undef` when unknown. */
export type DmPathStateName = "active" | "failed" | "undef";

/** A priority group's state in the kernel map (`status=` in `multipath -ll`). */
export type GroupStatusName = "active" | "enabled" | "disabled" | "undef";

/**
 * A map's queueing, as multipathd's `%Q` says it: `off` (fail when no path is left), `on`
 * (queue forever), `retry` (no_path_retry: `N chk` while armed with `secondsLeft` null, `N sec`
 * while the countdown runs), or anything else multipathd printed (`-`).
 */
export type QueueingMode =
  | { readonly kind: "off" }
  | { readonly kind: "on" }
  | { readonly kind: "retry"; readonly secondsLeft: number | null; readonly text: string }
  | { readonly kind: "unknown"; readonly text: string };

/** Reads multipathd's `%Q` text. */
export function parseQueueing(text: string): QueueingMode {
  const t = text.trim();
  if (t === "off") return { kind: "off" };
  if (t === "on") return { kind: "on" };
  const sec = /^(-?\d+) sec$/.exec(t);
  if (sec) return { kind: "retry", secondsLeft: Number(sec[1]), text: t };
  if (/^\d+ chk$/.test(t)) return { kind: "retry", secondsLeft: null, text: t };
  return { kind: "unknown", text: t === "" ? "-" : t };
}

/** One selector counter of a path (`in-flight 3`), from the dm status line. */
export interface SelectorCounter {
  readonly name: string;
  readonly value: number;
}

/** One path of a map (or an orphan path). */
export interface PathView {
  /** Stable identity across snapshots: the kernel name (`sda`). */
  readonly key: string;
  /** Kernel name (`sda`), `-` when unknown. */
  readonly dev: string;
  /** `major:minor`. */
  readonly devT: string;
  /** SCSI address `H:C:T:L`. */
  readonly hctl: string;
  /** Key of the map the path belongs to (the WWID), or null for an orphan. */
  readonly mapKey: string | null;
  /** Name of that map (alias), `[orphan]` for an orphan. */
  readonly mapName: string;
  /** 1-based priority group index, 0 when none. */
  readonly group: number;
  readonly dmState: DmPathStateName;
  /** multipathd's checker state (`ready`, `faulty`, `ghost`, `shaky`, `i/o pending`, `undef`…). */
  readonly checkerState: string;
  /** Device state from sysfs (`running`, `offline`, `transport-offline`…). */
  readonly deviceState: string;
  /** Priority from the prioritizer (-1 when undefined). */
  readonly priority: number;
  /** Checker name (`tur`, `directio`…). */
  readonly checker: string;
  /** Seconds until the next check and the checker interval, or null (orphans, unknown). */
  readonly nextCheck: { readonly tick: number; readonly interval: number } | null;
  /** Path failures counted by multipathd (`%0`). */
  readonly failures: number;
  /** Failures counted by the kernel target (dm status `fail_count`), or null when unknown. */
  readonly dmFailCount: number | null;
  /** Marginal path. */
  readonly marginal: boolean;
  /** Completed I/Os per second over the last sample (null when the source cannot tell). */
  readonly iops: number | null;
  /** Average completion latency in microseconds over the last sample (null when unknown or idle). */
  readonly latencyUs: number | null;
  /** Recent IOPS samples, oldest first. */
  readonly iopsHistory: readonly number[];
  /** Recent latency samples (µs), oldest first. */
  readonly latencyHistory: readonly number[];
  /** Requests in flight on the device (sysfs `inflight`), or null. */
  readonly inFlight: number | null;
  /** The path selector's per-path counters (dm status), empty when unknown. */
  readonly selector: readonly SelectorCounter[];
  /** Where the path goes in the fabric (`hba0 → array0:A0`), or "" when unknown. */
  readonly route: string;
}

/** One priority group of a map, in kernel order. */
export interface GroupView {
  /** 1-based index. */
  readonly index: number;
  /** Path selector with its arguments (`service-time 0`). */
  readonly policy: string;
  readonly priority: number;
  readonly status: GroupStatusName;
  readonly marginal: boolean;
  /** Keys of the group's paths, in table order. */
  readonly paths: readonly string[];
}

/** One multipath map. */
export interface MapView {
  /** Stable identity: the WWID. */
  readonly key: string;
  /** Map name: the alias, or the WWID when it has none. */
  readonly name: string;
  readonly wwid: string;
  /** dm device (`dm-0`). */
  readonly dmDev: string;
  readonly vendor: string;
  readonly product: string;
  readonly revision: string;
  /** Size in 512-byte sectors. */
  readonly sizeSectors: number;
  /** Size as multipath prints it (`1.0G`). */
  readonly size: string;
  /** Kernel features (`1 queue_if_no_path`). */
  readonly features: string;
  /** Hardware handler (`1 alua`). */
  readonly hwhandler: string;
  /** `rw` or `ro`. */
  readonly writeProt: string;
  /** dm state: `active` or `suspend`. */
  readonly dmState: string;
  /** Failback setting as `%F` prints it (`immediate`, `manual`, `-`). */
  readonly failback: string;
  readonly queueing: QueueingMode;
  /** Paths the daemon counts as usable (up or ghost). */
  readonly activePaths: number;
  readonly totalPaths: number;
  /** The map is degraded: fewer usable paths than paths. */
  readonly degraded: boolean;
  /** The map is holding I/O right now: no usable path and queue_if_no_path set. */
  readonly queueingIo: boolean;
  /** Path faults counted by multipathd (`path_faults`). */
  readonly pathFaults: number;
  /** Group switches counted by multipathd (`switch_grp`). */
  readonly switchGroups: number;
  /** I/O per second through the map's paths over the last sample, or null. */
  readonly iops: number | null;
  /** Bytes per second through the map's paths, or null. */
  readonly bytesPerSec: number | null;
  readonly groups: readonly GroupView[];
}

/** Where an event came from. */
export type EventSource = "kernel" | "daemon" | "fabric" | "operator" | "dashboard";

/** How an event reads. */
export type EventLevel = "info" | "warn" | "error";

/** What kind of thing an event is about (for colour and filtering). */
export type EventCategory =
  | "path-fail"
  | "path-reinstate"
  | "group-switch"
  | "queueing"
  | "checker"
  | "map"
  | "fault"
  | "action"
  | "kernel"
  | "other";

/** One line of the event log. */
export interface EventEntry {
  /** Monotonic sequence number within the source. */
  readonly seq: number;
  /** Virtual time of the event, ns since the source's world started. */
  readonly timeNs: number;
  readonly source: EventSource;
  readonly level: EventLevel;
  readonly category: EventCategory;
  readonly text: string;
  /** The map and path it concerns, when it concerns one. */
  readonly map?: string;
  readonly path?: string;
}

/** Host-wide meters (the header). */
export interface HostMeters {
  readonly maps: number;
  readonly degraded: number;
  readonly queueing: number;
  readonly paths: number;
  readonly failedPaths: number;
  /** Sum of the maps' IOPS, or null when unknown. */
  readonly totalIops: number | null;
  /** The daemon's state (`running`, `idle`, `-`). */
  readonly daemon: string;
}

/** Everything the dashboard shows at one refresh. */
export interface DashboardSnapshot {
  /** Increases with every snapshot. */
  readonly seq: number;
  /** Virtual time, ns. */
  readonly timeNs: number;
  readonly maps: readonly MapView[];
  /** Every path, those of maps and orphans. */
  readonly paths: readonly PathView[];
  /** Paths by key. */
  readonly pathIndex: ReadonlyMap<string, PathView>;
  readonly meters: HostMeters;
  /** The most recent events, oldest first (bounded). */
  readonly events: readonly EventEntry[];
  /** A problem the source wants the user to see (attach failed, feature missing), or null. */
  readonly notice: string | null;
}

/** An empty snapshot (before the first refresh). */
export function emptySnapshot(notice: string | null = null): DashboardSnapshot {
  return {
    seq: 0,
    timeNs: 0,
    maps: [],
    paths: [],
    pathIndex: new Map(),
    meters: { maps: 0, degraded: 0, queueing: 0, paths: 0, failedPaths: 0, totalIops: null, daemon: "-" },
    events: [],
    notice,
  };
}

/** Meters computed from maps and paths. */
export function computeMeters(
  maps: readonly MapView[],
  paths: readonly PathView[],
  daemon: string,
): HostMeters {
  let degraded = 0;
  let queueing = 0;
  let iops: number | null = null;
  for (const m of maps) {
    if (m.degraded) degraded++;
    if (m.queueingIo) queueing++;
    if (m.iops !== null) iops = (iops ?? 0) + m.iops;
  }
  let failed = 0;
  for (const p of paths)
    if (p.mapKey !== null && (p.dmState === "failed" || isDownState(p.checkerState))) failed++;
  return {
    maps: maps.length,
    degraded,
    queueing,
    paths: paths.length,
    failedPaths: failed,
    totalIops: iops,
    daemon,
  };
}

/** Checker states that mean the path cannot carry I/O. */
export function isDownState(checkerState: string): boolean {
  return (
    checkerState === "faulty" ||
    checkerState === "shaky" ||
    checkerState === "i/o timeout" ||
    checkerState === "removed" ||
    checkerState === "delayed"
  );
}

/** Builds the path index of a snapshot. */
export function indexPaths(paths: readonly PathView[]): Map<string, PathView> {
  const m = new Map<string, PathView>();
  for (const p of paths) m.set(p.key, p);
  return m;
}
