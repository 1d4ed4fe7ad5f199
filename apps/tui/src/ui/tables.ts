/** Columns of the maps and paths tables, and the markers and colours their rows use. */
import { isDownState, type MapView, type PathView, type QueueingMode } from "../source/model.js";
import type { Column } from "../state/columns.js";
import { formatCount, formatLatency, formatRate } from "../state/format.js";

/** The queueing column: multipathd's `%Q` words. */
export function queueingText(q: QueueingMode): string {
  switch (q.kind) {
    case "off":
      return "off";
    case "on":
      return "on";
    case "retry":
      return q.text;
    case "unknown":
      return q.text;
    default: {
      const never: never = q;
      throw new Error(`unknown queueing ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A map's marker, readable without colour: `Q` queueing I/O, `!` degraded, `S` suspended,
 * space when healthy.
 */
export function mapMarker(m: MapView): string {
  if (m.queueingIo) return "Q";
  if (m.degraded) return "!";
  if (m.dmState === "suspend") return "S";
  return " ";
}

/** The colour of a map's row. */
export function mapColor(m: MapView): string | undefined {
  if (m.queueingIo) return "red";
  if (m.degraded) return "yellow";
  if (m.dmState === "suspend") return "magenta";
  return undefined;
}

/** True when the path cannot carry I/O (failed in the map, or its checker says down). */
export function pathIsDown(p: PathView): boolean {
  return p.dmState === "failed" || isDownState(p.checkerState);
}

/** A path's marker: `×` down, `~` ghost/pending/marginal, space when up. */
export function pathMarker(p: PathView): string {
  if (pathIsDown(p)) return "×";
  if (p.checkerState === "ghost" || p.checkerState === "i/o pending" || p.marginal) return "~";
  return " ";
}

/** The colour of a path state word. */
export function stateColor(word: string): string | undefined {
  switch (word) {
    case "failed":
    case "faulty":
    case "offline":
    case "i/o timeout":
    case "transport-offline":
    case "blocked":
      return "red";
    case "shaky":
    case "delayed":
    case "i/o pending":
    case "undef":
    case "ghost":
      return "yellow";
    case "active":
    case "ready":
    case "running":
      return "green";
    case "enabled":
      return "cyan";
    case "disabled":
      return "yellow";
    default:
      return undefined;
  }
}

/** The maps table. */
export const MAP_COLUMNS: readonly Column<MapView>[] = [
  { id: "marker", title: " ", width: 1, align: "left", priority: 0, value: mapMarker },
  { id: "name", title: "NAME", width: 8, maxWidth: 20, align: "left", priority: 0, value: (m) => m.name },
  { id: "dm", title: "DM", width: 6, align: "left", priority: 0, value: (m) => m.dmDev },
  {
    id: "paths",
    title: "PATHS",
    width: 5,
    align: "right",
    priority: 0,
    value: (m) => `${m.activePaths}/${m.totalPaths}`,
  },
  {
    id: "queueing",
    title: "QUEUEING",
    width: 8,
    align: "left",
    priority: 0,
    value: (m) => queueingText(m.queueing),
  },
  { id: "iops", title: "IOPS", width: 6, align: "right", priority: 0, value: (m) => formatCount(m.iops) },
  {
    id: "vendor",
    title: "VENDOR,PRODUCT",
    width: 14,
    maxWidth: 26,
    align: "left",
    priority: 1,
    value: (m) => `${m.vendor},${m.product}`,
  },
  { id: "size", title: "SIZE", width: 6, align: "right", priority: 1, value: (m) => m.size },
  {
    id: "hwhandler",
    title: "HWHANDLER",
    width: 9,
    maxWidth: 14,
    align: "left",
    priority: 2,
    value: (m) => m.hwhandler,
  },
  {
    id: "tput",
    title: "THRUPUT",
    width: 8,
    align: "right",
    priority: 3,
    value: (m) => formatRate(m.bytesPerSec),
  },
  { id: "wwid", title: "WWID", width: 20, maxWidth: 36, align: "left", priority: 3, value: (m) => m.wwid },
  {
    id: "features",
    title: "FEATURES",
    width: 18,
    maxWidth: 40,
    align: "left",
    priority: 4,
    value: (m) => m.features,
  },
  {
    id: "faults",
    title: "FAULTS",
    width: 6,
    align: "right",
    priority: 5,
    value: (m) => String(m.pathFaults),
  },
  {
    id: "switch",
    title: "SWITCH",
    width: 6,
    align: "right",
    priority: 5,
    value: (m) => String(m.switchGroups),
  },
  { id: "state", title: "DM_ST", width: 7, align: "left", priority: 5, value: (m) => m.dmState },
];

/** The paths table. */
export const PATH_COLUMNS: readonly Column<PathView>[] = [
  { id: "marker", title: " ", width: 1, align: "left", priority: 0, value: pathMarker },
  { id: "dev", title: "DEV", width: 5, maxWidth: 8, align: "left", priority: 0, value: (p) => p.dev },
  { id: "hctl", title: "HCTL", width: 8, maxWidth: 12, align: "left", priority: 1, value: (p) => p.hctl },
  { id: "devt", title: "DEV_T", width: 6, align: "left", priority: 2, value: (p) => p.devT },
  { id: "map", title: "MAP", width: 8, maxWidth: 18, align: "left", priority: 0, value: (p) => p.mapName },
  {
    id: "pg",
    title: "PG",
    width: 2,
    align: "right",
    priority: 3,
    value: (p) => (p.group > 0 ? String(p.group) : "-"),
  },
  { id: "dm", title: "DM_ST", width: 6, align: "left", priority: 0, value: (p) => p.dmState },
  {
    id: "checker",
    title: "CHK_ST",
    width: 8,
    maxWidth: 11,
    align: "left",
    priority: 0,
    value: (p) => p.checkerState,
  },
  {
    id: "devst",
    title: "DEV_ST",
    width: 7,
    maxWidth: 9,
    align: "left",
    priority: 2,
    value: (p) => p.deviceState,
  },
  { id: "prio", title: "PRIO", width: 4, align: "right", priority: 0, value: (p) => String(p.priority) },
  {
    id: "next",
    title: "NEXT",
    width: 5,
    align: "right",
    priority: 0,
    value: (p) => (p.nextCheck ? `${p.nextCheck.tick}/${p.nextCheck.interval}` : "-"),
  },
  { id: "failures", title: "FAIL", width: 4, align: "right", priority: 0, value: (p) => String(p.failures) },
  { id: "iops", title: "IOPS", width: 6, align: "right", priority: 0, value: (p) => formatCount(p.iops) },
  {
    id: "latency",
    title: "LAT",
    width: 6,
    align: "right",
    priority: 1,
    value: (p) => formatLatency(p.latencyUs),
  },
  {
    id: "inflight",
    title: "INFL",
    width: 4,
    align: "right",
    priority: 4,
    value: (p) => (p.inFlight === null ? "-" : String(p.inFlight)),
  },
  { id: "checkername", title: "CHECKER", width: 8, align: "left", priority: 4, value: (p) => p.checker },
  { id: "route", title: "ROUTE", width: 22, maxWidth: 32, align: "left", priority: 3, value: (p) => p.route },
];

/** Which sort key each column header stands for (to mark the sorted column). */
export const PATH_SORT_COLUMN: Readonly<Record<string, string>> = {
  map: "map",
  dev: "dev",
  hctl: "hctl",
  dm: "dm",
  checker: "checker",
  prio: "prio",
  next: "next",
  failures: "failures",
  iops: "iops",
  latency: "latency",
};

/** Which map column each map sort key marks. */
export const MAP_SORT_COLUMN: Readonly<Record<string, string>> = {
  name: "name",
  dm: "dm",
  paths: "paths",
  queueing: "queueing",
  iops: "iops",
  size: "size",
};
