/**
 * The fault menu (simulator only): one table of what can be injected on the selected path or map,
 * shown by the menu and used by the reducer, keyed by a single character.
 */
import type { FaultIntent } from "../source/source.js";

/** What a fault is aimed at. */
export type FaultTarget = "path" | "map";

/** One entry of the fault menu. */
export interface FaultMenuEntry {
  readonly key: string;
  readonly label: string;
  readonly target: FaultTarget;
  /** Builds the intent for the selected path (dev name) or map (name). */
  readonly build: (target: string) => FaultIntent;
}

/** The menu, in display order. */
export const FAULT_MENU: readonly FaultMenuEntry[] = [
  { key: "1", label: "target port down", target: "path", build: (path) => ({ kind: "port-down", path }) },
  { key: "2", label: "target port up", target: "path", build: (path) => ({ kind: "port-up", path }) },
  { key: "3", label: "HBA down (hot-remove)", target: "path", build: (path) => ({ kind: "hba-down", path }) },
  { key: "4", label: "HBA up (re-insert)", target: "path", build: (path) => ({ kind: "hba-up", path }) },
  {
    key: "5",
    label: "flap the link (3 s down)",
    target: "path",
    build: (path) => ({ kind: "link-flap", path, downMs: 3000 }),
  },
  {
    key: "6",
    label: "slow the path (+50 ms)",
    target: "path",
    build: (path) => ({ kind: "slow-path", path, latencyMs: 50 }),
  },
  {
    key: "7",
    label: "restore the path's latency",
    target: "path",
    build: (path) => ({ kind: "slow-path", path, latencyMs: 0 }),
  },
  {
    key: "8",
    label: "ALUA group → standby",
    target: "path",
    build: (path) => ({ kind: "alua-state", path, state: "standby" }),
  },
  {
    key: "9",
    label: "ALUA group → unavailable",
    target: "path",
    build: (path) => ({ kind: "alua-state", path, state: "unavailable" }),
  },
  {
    key: "0",
    label: "ALUA group → active/optimized",
    target: "path",
    build: (path) => ({ kind: "alua-state", path, state: "active/optimized" }),
  },
  { key: "u", label: "unmap the map's LUN", target: "map", build: (map) => ({ kind: "lun-unmap", map }) },
  { key: "m", label: "map the LUN again", target: "map", build: (map) => ({ kind: "lun-map", map }) },
];
