/**
 * The rows each list shows: filtered and sorted from a snapshot. Pure and computed once per
 * snapshot (or per filter/sort change), so that rendering only slices the visible window.
 */
import type { EventEntry, MapView, PathView } from "../source/model.js";
import { formatClock } from "./format.js";

/** Sort columns of the paths view, in the order `o` cycles through them. */
export const PATH_SORT_KEYS = [
  "map",
  "dev",
  "hctl",
  "dm",
  "checker",
  "prio",
  "next",
  "failures",
  "iops",
  "latency",
] as const;
export type PathSortKey = (typeof PATH_SORT_KEYS)[number];

/** Sort columns of the maps view. */
export const MAP_SORT_KEYS = ["name", "dm", "paths", "queueing", "iops", "size"] as const;
export type MapSortKey = (typeof MAP_SORT_KEYS)[number];

/** A sort: column and direction. */
export interface SortState<K extends string> {
  readonly key: K;
  readonly descending: boolean;
}

/** Kernel names whose letter suffix counts up like a number (`sdz` → `sdaa`). */
const LETTER_COUNTED = /^(sd|vd|xvd|hd|mpath)([a-z]+)$/;

/** Names in natural order: `sdb` < `sdaa`, `mpathz` < `mpathaa`, `dm-2` < `dm-10`. */
export function naturalCompare(a: string, b: string): number {
  const la = LETTER_COUNTED.exec(a);
  const lb = LETTER_COUNTED.exec(b);
  if (la && lb && la[1] === lb[1]) {
    const d = la[2]!.length - lb[2]!.length;
    if (d !== 0) return d;
  }
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

function compareHctl(a: string, b: string): number {
  const pa = a.split(":").map(Number);
  const pb = b.split(":").map(Number);
  for (let i = 0; i < 4; i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0 && Number.isFinite(d)) return d;
  }
  return 0;
}

/** Rank of a checker state: the worst first when sorting descending. */
function checkerRank(s: string): number {
  switch (s) {
    case "faulty":
      return 5;
    case "i/o timeout":
      return 4;
    case "shaky":
      return 3;
    case "delayed":
      return 3;
    case "i/o pending":
      return 2;
    case "ghost":
      return 1;
    case "ready":
      return 0;
    default:
      return 2;
  }
}

function nullLast(a: number | null, b: number | null): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/** The default order of paths: by map, group, then name (orphans last). */
function comparePathsByMap(a: PathView, b: PathView): number {
  if (a.mapKey === null && b.mapKey !== null) return 1;
  if (b.mapKey === null && a.mapKey !== null) return -1;
  return naturalCompare(a.mapName, b.mapName) || a.group - b.group || naturalCompare(a.dev, b.dev);
}

function comparePaths(key: PathSortKey, a: PathView, b: PathView): number {
  switch (key) {
    case "map":
      return comparePathsByMap(a, b);
    case "dev":
      return naturalCompare(a.dev, b.dev);
    case "hctl":
      return compareHctl(a.hctl, b.hctl);
    case "dm":
      return (a.dmState === "failed" ? 1 : 0) - (b.dmState === "failed" ? 1 : 0);
    case "checker":
      return checkerRank(a.checkerState) - checkerRank(b.checkerState);
    case "prio":
      return a.priority - b.priority;
    case "next":
      return nullLast(a.nextCheck?.tick ?? null, b.nextCheck?.tick ?? null);
    case "failures":
      return a.failures - b.failures;
    case "iops":
      return nullLast(a.iops, b.iops);
    case "latency":
      return nullLast(a.latencyUs, b.latencyUs);
    default: {
      const never: never = key;
      throw new Error(`unknown sort key ${String(never)}`);
    }
  }
}

function queueRank(m: MapView): number {
  if (m.queueingIo) return 3;
  if (m.queueing.kind === "retry") return 2;
  if (m.queueing.kind === "on") return 1;
  return 0;
}

function compareMaps(key: MapSortKey, a: MapView, b: MapView): number {
  switch (key) {
    case "name":
      return naturalCompare(a.name, b.name);
    case "dm":
      return naturalCompare(a.dmDev, b.dmDev);
    case "paths":
      return a.activePaths - a.totalPaths - (b.activePaths - b.totalPaths) || a.totalPaths - b.totalPaths;
    case "queueing":
      return queueRank(a) - queueRank(b);
    case "iops":
      return nullLast(a.iops, b.iops);
    case "size":
      return a.sizeSectors - b.sizeSectors;
    default: {
      const never: never = key;
      throw new Error(`unknown sort key ${String(never)}`);
    }
  }
}

/**
 * A stable sort by `key` (ties keep the natural order), `descending` reversing only the key's
 * comparison, never the tie-break, so that equal rows do not swap places on every refresh.
 */
export function sortPaths(paths: readonly PathView[], sort: SortState<PathSortKey>): PathView[] {
  const dir = sort.descending ? -1 : 1;
  return [...paths].sort((a, b) => dir * comparePaths(sort.key, a, b) || comparePathsByMap(a, b));
}

/** Maps sorted by `sort` (ties by name). */
export function sortMaps(maps: readonly MapView[], sort: SortState<MapSortKey>): MapView[] {
  const dir = sort.descending ? -1 : 1;
  return [...maps].sort((a, b) => dir * compareMaps(sort.key, a, b) || naturalCompare(a.name, b.name));
}

/** Filter words: every word must occur (case-insensitively) in the row's text. */
export function filterWords(filter: string): string[] {
  return filter
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

function matchesAll(haystack: string, words: readonly string[]): boolean {
  for (const w of words) if (!haystack.includes(w)) return false;
  return true;
}

/** The text a path filter searches. */
export function pathSearchText(p: PathView): string {
  return [
    p.dev,
    p.devT,
    p.hctl,
    p.mapName,
    p.dmState,
    p.checkerState,
    p.deviceState,
    p.checker,
    `prio=${p.priority}`,
    `pg${p.group}`,
    p.route,
    p.marginal ? "marginal" : "",
  ]
    .join(" ")
    .toLowerCase();
}

/** The text a map filter searches. */
export function mapSearchText(m: MapView): string {
  return [
    m.name,
    m.wwid,
    m.dmDev,
    m.vendor,
    m.product,
    m.features,
    m.hwhandler,
    m.dmState,
    m.degraded ? "degraded" : "",
    m.queueingIo ? "queueing" : "",
    m.queueing.kind === "off"
      ? "off"
      : m.queueing.kind === "on"
        ? "on"
        : m.queueing.kind === "retry"
          ? m.queueing.text
          : "",
  ]
    .join(" ")
    .toLowerCase();
}

/** The text an event filter searches. */
export function eventSearchText(e: EventEntry): string {
  return `${formatClock(e.timeNs)} ${e.source} ${e.category} ${e.text} ${e.map ?? ""} ${e.path ?? ""}`.toLowerCase();
}

/** Paths matching the filter. */
export function filterPaths(paths: readonly PathView[], filter: string): readonly PathView[] {
  const words = filterWords(filter);
  return words.length === 0 ? paths : paths.filter((p) => matchesAll(pathSearchText(p), words));
}

/** Maps matching the filter. */
export function filterMaps(maps: readonly MapView[], filter: string): readonly MapView[] {
  const words = filterWords(filter);
  return words.length === 0 ? maps : maps.filter((m) => matchesAll(mapSearchText(m), words));
}

/** Events matching the filter. */
export function filterEvents(events: readonly EventEntry[], filter: string): readonly EventEntry[] {
  const words = filterWords(filter);
  return words.length === 0 ? events : events.filter((e) => matchesAll(eventSearchText(e), words));
}
