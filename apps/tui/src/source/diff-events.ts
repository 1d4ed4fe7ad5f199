/**
 * Events a dashboard can infer by comparing two polls of the daemon, for sources that have no
 * event stream (a daemon over its socket): paths failing and coming back, checker verdicts,
 * group switches, queueing switching on and off, maps and paths appearing and disappearing.
 */

import type { NewEvent } from "./event-log.js";
import type { GroupView, MapView, PathView } from "./model.js";

/** Maps and paths of one poll. */
export interface PolledModel {
  readonly maps: readonly MapView[];
  readonly paths: readonly PathView[];
}

function activeGroup(m: MapView): GroupView | undefined {
  return m.groups.find((g) => g.status === "active");
}

/** What changed from `prev` to `next`, as events at `timeNs`. */
export function diffEvents(prev: PolledModel, next: PolledModel, timeNs: number): NewEvent[] {
  const out: NewEvent[] = [];
  const prevMaps = new Map(prev.maps.map((m) => [m.key, m]));
  const nextMaps = new Map(next.maps.map((m) => [m.key, m]));
  const prevPaths = new Map(prev.paths.map((p) => [p.key, p]));
  const nextPaths = new Map(next.paths.map((p) => [p.key, p]));

  for (const m of next.maps) {
    const was = prevMaps.get(m.key);
    if (!was) {
      out.push({
        timeNs,
        source: "daemon",
        level: "info",
        category: "map",
        text: `${m.name}: map created (${m.dmDev}, ${m.totalPaths} paths)`,
        map: m.name,
      });
      continue;
    }
    const ga = activeGroup(was);
    const gb = activeGroup(m);
    if (gb && ga?.index !== gb.index)
      out.push({
        timeNs,
        source: "daemon",
        level: "info",
        category: "group-switch",
        text: `${m.name}: path group ${gb.index} active${ga ? ` (was ${ga.index})` : ""}`,
        map: m.name,
      });
    if (m.queueingIo !== was.queueingIo)
      out.push(
        m.queueingIo
          ? {
              timeNs,
              source: "daemon",
              level: "error",
              category: "queueing",
              text: `${m.name}: no usable path, queueing I/O`,
              map: m.name,
            }
          : {
              timeNs,
              source: "daemon",
              level: "info",
              category: "queueing",
              text: `${m.name}: I/O flows again (${m.activePaths}/${m.totalPaths} paths)`,
              map: m.name,
            },
      );
    const qa = /\bqueue_if_no_path\b/.test(was.features);
    const qb = /\bqueue_if_no_path\b/.test(m.features);
    if (qa !== qb)
      out.push({
        timeNs,
        source: "daemon",
        level: qb ? "info" : "warn",
        category: "queueing",
        text: `${m.name}: queue_if_no_path ${qb ? "on" : "off"}`,
        map: m.name,
      });
    if (
      m.queueing.kind === "retry" &&
      m.queueing.secondsLeft !== null &&
      (was.queueing.kind !== "retry" || was.queueing.secondsLeft === null)
    )
      out.push({
        timeNs,
        source: "daemon",
        level: "warn",
        category: "queueing",
        text: `${m.name}: no_path_retry countdown (${m.queueing.text})`,
        map: m.name,
      });
    if (m.degraded !== was.degraded && !m.queueingIo && !was.queueingIo)
      out.push({
        timeNs,
        source: "daemon",
        level: m.degraded ? "warn" : "info",
        category: "map",
        text: `${m.name}: ${m.degraded ? "degraded" : "all paths up"} (${m.activePaths}/${m.totalPaths})`,
        map: m.name,
      });
    if (m.dmState !== was.dmState)
      out.push({
        timeNs,
        source: "daemon",
        level: "info",
        category: "map",
        text: `${m.name}: ${m.dmState === "suspend" ? "suspended" : "resumed"}`,
        map: m.name,
      });
  }
  for (const m of prev.maps)
    if (!nextMaps.has(m.key))
      out.push({
        timeNs,
        source: "daemon",
        level: "warn",
        category: "map",
        text: `${m.name}: map removed`,
        map: m.name,
      });

  for (const p of next.paths) {
    const was = prevPaths.get(p.key);
    const where = p.mapKey === null ? "" : ` (${p.mapName})`;
    if (!was) {
      if (prev.paths.length > 0)
        out.push({
          timeNs,
          source: "daemon",
          level: "info",
          category: "other",
          text: `${p.dev}: path added${where}`,
          path: p.dev,
          map: p.mapName,
        });
      continue;
    }
    if (p.dmState !== was.dmState && p.dmState !== "undef")
      out.push({
        timeNs,
        source: "kernel",
        level: p.dmState === "failed" ? "error" : "info",
        category: p.dmState === "failed" ? "path-fail" : "path-reinstate",
        text: `${p.dev}${where}: ${p.dmState === "failed" ? "failed in the map" : "reinstated"}`,
        path: p.dev,
        map: p.mapName,
      });
    if (p.checkerState !== was.checkerState)
      out.push({
        timeNs,
        source: "daemon",
        level: p.checkerState === "faulty" || p.checkerState === "i/o timeout" ? "warn" : "info",
        category: "checker",
        text: `${p.dev}${where}: checker ${was.checkerState} → ${p.checkerState}`,
        path: p.dev,
        map: p.mapName,
      });
  }
  for (const p of prev.paths)
    if (!nextPaths.has(p.key))
      out.push({
        timeNs,
        source: "daemon",
        level: "warn",
        category: "other",
        text: `${p.dev}: path removed`,
        path: p.dev,
      });
  return out;
}
