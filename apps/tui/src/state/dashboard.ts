/**
 * The dashboard's state machine: `transition(state, action) → [state, effects]`. Keys arrive as
 * names and become intents through the keymap; snapshots arrive from the source; effects (send a
 * multipathd command, inject a fault, move time, quit) are returned for the app to run. Nothing
 * here renders or touches a timer, so every behaviour is tested on plain values.
 */
import {
  type DashboardSnapshot,
  type EventEntry,
  emptySnapshot,
  type MapView,
  type PathView,
} from "../source/model.js";
import type { ActionReply, FaultIntent, OperatorIntent } from "../source/source.js";
import { FAULT_MENU } from "./fault-menu.js";
import { formatSpeed } from "./format.js";
import { helpLines } from "./help.js";
import { type Capabilities, type Intent, intentFor, KEYMAP } from "./keymap.js";
import { computeLayout, type Layout, type TermSize } from "./layout.js";
import {
  filterEvents,
  filterMaps,
  filterPaths,
  MAP_SORT_KEYS,
  type MapSortKey,
  PATH_SORT_KEYS,
  type PathSortKey,
  type SortState,
  sortMaps,
  sortPaths,
} from "./rows.js";
import { type TopoLine, topologyLines } from "./topology.js";
import { VIEW_ALIASES, VIEWS, type ViewName } from "./views.js";

/** Refresh rates the dashboard allows (Hz). */
export const MIN_REFRESH_HZ = 1;
export const MAX_REFRESH_HZ = 20;
/** What `[` and `]` step through. */
export const REFRESH_LADDER: readonly number[] = [1, 2, 3, 5, 10, 15, 20];
/** What `+` and `-` step through. */
export const SPEED_LADDER: readonly number[] = [1, 10, 100];
/** What `.` steps by. */
export const STEP_NS = 1_000_000_000;

/** Clamps a refresh rate to what the dashboard allows. */
export function clampRefreshHz(hz: number): number {
  if (!Number.isFinite(hz)) return MIN_REFRESH_HZ;
  return Math.min(MAX_REFRESH_HZ, Math.max(MIN_REFRESH_HZ, hz));
}

/** A list's cursor (selected row) and scroll position (first visible row). */
export interface ListState {
  readonly cursor: number;
  readonly top: number;
}

/** A line of text being typed after `:` or `/`. */
export interface Prompt {
  readonly kind: "command" | "filter";
  readonly text: string;
  /** The filter before the prompt opened (restored on Esc). */
  readonly previous: string;
}

/** The status line. */
export interface Message {
  readonly text: string;
  readonly level: "info" | "ok" | "warn" | "error";
}

/** Views that filter. */
export type FilteredView = "maps" | "paths" | "events";

/** Virtual time as the header shows it. */
export interface TimeStatus {
  readonly paused: boolean;
  readonly speed: number;
  readonly effectiveSpeed: number;
}

/** Everything the dashboard shows, besides the snapshot's own data. */
export interface DashboardState {
  readonly size: TermSize;
  readonly layout: Layout;
  readonly caps: Capabilities;
  readonly label: string;
  readonly readOnlyReason: string | null;
  readonly view: ViewName;
  readonly overlay: "none" | "help" | "faults";
  readonly helpTop: number;
  readonly prompt: Prompt | null;
  readonly filters: Readonly<Record<FilteredView, string>>;
  readonly sort: { readonly maps: SortState<MapSortKey>; readonly paths: SortState<PathSortKey> };
  /** Selected map (key), path in the paths view (key), path in the topology view (key). */
  readonly selected: {
    readonly map: string | null;
    readonly path: string | null;
    readonly topoPath: string | null;
  };
  readonly lists: Readonly<Record<ViewName, ListState>>;
  /** The events view sticks to the newest event until the user scrolls up. */
  readonly followEvents: boolean;
  readonly refreshHz: number;
  readonly message: Message | null;
  readonly time: TimeStatus | null;
  readonly snapshot: DashboardSnapshot;
  readonly rows: {
    readonly maps: readonly MapView[];
    readonly paths: readonly PathView[];
    readonly events: readonly EventEntry[];
    readonly topology: readonly TopoLine[];
  };
  readonly quit: boolean;
}

/** Something the app must do for the reducer. */
export type Effect =
  | { readonly kind: "act"; readonly intent: OperatorIntent }
  | { readonly kind: "inject"; readonly fault: FaultIntent }
  | { readonly kind: "pause"; readonly paused: boolean }
  | { readonly kind: "step"; readonly ns: number }
  | { readonly kind: "speed"; readonly speed: number }
  | { readonly kind: "refresh-rate"; readonly hz: number }
  | { readonly kind: "quit" };

/** What happens to the dashboard. */
export type DashboardAction =
  | { readonly type: "key"; readonly name: string }
  | { readonly type: "snapshot"; readonly snapshot: DashboardSnapshot }
  | { readonly type: "resize"; readonly size: TermSize }
  | { readonly type: "reply"; readonly reply: ActionReply }
  | { readonly type: "message"; readonly message: Message }
  | { readonly type: "time"; readonly time: TimeStatus | null }
  | {
      readonly type: "caps";
      readonly caps: Capabilities;
      readonly readOnlyReason: string | null;
      /** The source's label, when it changed (a scenario names itself once loaded). */
      readonly label?: string;
    };

/** Options of {@link initialState}. */
export interface InitialStateOptions {
  readonly size: TermSize;
  readonly caps: Capabilities;
  readonly label?: string;
  readonly readOnlyReason?: string | null;
  readonly view?: ViewName;
  readonly refreshHz?: number;
  readonly snapshot?: DashboardSnapshot;
  readonly time?: TimeStatus | null;
}

const LIST0: ListState = { cursor: 0, top: 0 };

/** The state before the first key. */
export function initialState(o: InitialStateOptions): DashboardState {
  const view = o.view ?? "maps";
  const s: DashboardState = {
    size: o.size,
    layout: computeLayout(o.size, view, o.caps),
    caps: o.caps,
    label: o.label ?? "",
    readOnlyReason: o.readOnlyReason ?? null,
    view,
    overlay: "none",
    helpTop: 0,
    prompt: null,
    filters: { maps: "", paths: "", events: "" },
    sort: { maps: { key: "name", descending: false }, paths: { key: "map", descending: false } },
    selected: { map: null, path: null, topoPath: null },
    lists: { maps: LIST0, paths: LIST0, topology: LIST0, events: LIST0 },
    followEvents: true,
    refreshHz: clampRefreshHz(o.refreshHz ?? 2),
    message: null,
    time: o.time ?? null,
    snapshot: o.snapshot ?? emptySnapshot(),
    rows: { maps: [], paths: [], events: [], topology: [] },
    quit: false,
  };
  return derive(s);
}

/** The reducer. */
export function transition(state: DashboardState, action: DashboardAction): [DashboardState, Effect[]] {
  switch (action.type) {
    case "key":
      return onKey(state, action.name);
    case "snapshot":
      return [derive({ ...state, snapshot: action.snapshot }), []];
    case "resize":
      return [derive({ ...state, size: action.size }), []];
    case "reply": {
      const r = action.reply;
      return [
        {
          ...state,
          message: {
            text: `${r.request}: ${r.reply === "" ? "(no reply)" : r.reply}`,
            level: r.ok ? "ok" : "error",
          },
        },
        [],
      ];
    }
    case "message":
      return [{ ...state, message: action.message }, []];
    case "time":
      return [{ ...state, time: action.time }, []];
    case "caps":
      return [
        derive({
          ...state,
          caps: action.caps,
          readOnlyReason: action.readOnlyReason,
          ...(action.label !== undefined ? { label: action.label } : {}),
        }),
        [],
      ];
    default: {
      const never: never = action;
      throw new Error(`unknown action ${JSON.stringify(never)}`);
    }
  }
}

// ---- derived rows and selection ----

/** Recomputes layout, rows and selections after the snapshot, size, view, filter or sort changed. */
export function derive(s: DashboardState): DashboardState {
  const layout = computeLayout(s.size, s.view, s.caps);
  const snap = s.snapshot;
  const maps = sortMaps(filterMaps(snap.maps, s.filters.maps), s.sort.maps);
  const paths = sortPaths(filterPaths(snap.paths, s.filters.paths), s.sort.paths);
  const events = filterEvents(snap.events, s.filters.events);

  // Maps: keep the selected map when it is still listed, else the row under the cursor.
  const mapIdx = reconcile(
    maps.map((m) => m.key),
    s.selected.map,
    s.lists.maps.cursor,
  );
  // The topology shows the selected map even when the maps filter hides it.
  let selectedMap = mapIdx >= 0 ? maps[mapIdx]!.key : null;
  if (s.view === "topology" && s.selected.map !== null && snap.maps.some((m) => m.key === s.selected.map))
    selectedMap = s.selected.map;
  const map = selectedMap === null ? undefined : snap.maps.find((m) => m.key === selectedMap);
  const topology = map ? topologyLines(map, snap.pathIndex) : [];
  const topoPathKeys = topology.map((l) => (l.kind === "path" ? l.path.key : null));
  const topoIdx = reconcileLines(topoPathKeys, s.selected.topoPath, s.lists.topology.cursor);

  const pathIdx = reconcile(
    paths.map((p) => p.key),
    s.selected.path,
    s.lists.paths.cursor,
  );

  const rows = layout.listRows;
  const lists: Record<ViewName, ListState> = {
    maps: scrollTo(s.lists.maps.top, Math.max(0, mapIdx), maps.length, rows),
    paths: scrollTo(s.lists.paths.top, Math.max(0, pathIdx), paths.length, rows),
    topology: scrollTo(
      s.lists.topology.top,
      Math.max(0, topoIdx),
      topology.length,
      rows,
      topoIdx >= 0 ? 1 : 0,
    ),
    events: s.followEvents
      ? { cursor: Math.max(0, events.length - 1), top: Math.max(0, events.length - rows) }
      : {
          cursor: Math.min(s.lists.events.cursor, Math.max(0, events.length - 1)),
          top: Math.max(0, Math.min(s.lists.events.top, events.length - rows)),
        },
  };
  return {
    ...s,
    layout,
    rows: { maps, paths, events, topology },
    selected: {
      map: selectedMap,
      path: pathIdx >= 0 ? paths[pathIdx]!.key : null,
      topoPath: topoIdx >= 0 ? (topoPathKeys[topoIdx] ?? null) : null,
    },
    lists,
  };
}

/** Index of `key` in `keys`, or the clamped `cursor` when it is gone; -1 for an empty list. */
function reconcile(keys: readonly string[], key: string | null, cursor: number): number {
  if (keys.length === 0) return -1;
  if (key !== null) {
    const i = keys.indexOf(key);
    if (i >= 0) return i;
  }
  return Math.min(Math.max(0, cursor), keys.length - 1);
}

/** Like {@link reconcile} over lines where only some (non-null) are selectable. */
function reconcileLines(keys: readonly (string | null)[], key: string | null, cursor: number): number {
  if (key !== null) {
    const i = keys.indexOf(key);
    if (i >= 0) return i;
  }
  const start = Math.min(Math.max(0, cursor), keys.length - 1);
  for (let i = start; i < keys.length; i++) if (keys[i] !== null) return i;
  for (let i = start; i >= 0; i--) if (keys[i] !== null) return i;
  return -1;
}

/**
 * Moves the window so that `cursor` is visible, keeping `context` rows above it when it can
 * (the topology keeps the group line of the first path in view).
 */
function scrollTo(top: number, cursor: number, length: number, rows: number, context = 0): ListState {
  let t = top;
  if (cursor - context < t) t = Math.max(0, cursor - context);
  if (cursor >= t + rows) t = cursor - rows + 1;
  t = Math.max(0, Math.min(t, Math.max(0, length - rows)));
  return { cursor, top: t };
}

// ---- keys ----

function onKey(s: DashboardState, name: string): [DashboardState, Effect[]] {
  if (name === "ctrl-c") return quit(s);
  if (s.prompt) return onPromptKey(s, s.prompt, name);
  if (s.overlay === "help") return onHelpKey(s, name);
  if (s.overlay === "faults") return onFaultKey(s, name);
  const intent = intentFor(name, s.view, s.caps);
  if (intent === null) return [unavailable(s, name), []];
  return onIntent(s, intent);
}

/** Explains why a key does nothing here (read-only, not a simulator, wrong view). */
function unavailable(s: DashboardState, name: string): DashboardState {
  const b = KEYMAP.find((k) => k.keys.includes(name));
  if (!b) return s;
  if (b.views && !b.views.includes(s.view))
    return { ...s, message: { text: `${b.label}: not in the ${s.view} view`, level: "warn" } };
  if (b.needs === "write")
    return {
      ...s,
      message: { text: `${b.label}: read-only (${s.readOnlyReason ?? "refused"})`, level: "warn" },
    };
  if (b.needs === "inject" || b.needs === "time")
    return { ...s, message: { text: `${b.label}: only in the simulator`, level: "warn" } };
  return s;
}

function quit(s: DashboardState): [DashboardState, Effect[]] {
  return [{ ...s, quit: true }, [{ kind: "quit" }]];
}

/** Runs one intent. */
export function onIntent(s: DashboardState, intent: Intent): [DashboardState, Effect[]] {
  switch (intent) {
    case "quit":
      return quit(s);
    case "help":
      return [{ ...s, overlay: "help", helpTop: 0 }, []];
    case "command":
      return [{ ...s, prompt: { kind: "command", text: "", previous: "" } }, []];
    case "filter": {
      const v = s.view as FilteredView;
      return [{ ...s, prompt: { kind: "filter", text: s.filters[v], previous: s.filters[v] } }, []];
    }
    case "next-view":
    case "prev-view": {
      const i = VIEWS.indexOf(s.view);
      const n = VIEWS.length;
      return [switchView(s, VIEWS[(i + (intent === "next-view" ? 1 : n - 1)) % n]!), []];
    }
    case "up":
      return [move(s, -1), []];
    case "down":
      return [move(s, 1), []];
    case "page-up":
      return [move(s, -Math.max(1, s.layout.listRows - 1)), []];
    case "page-down":
      return [move(s, Math.max(1, s.layout.listRows - 1)), []];
    case "home":
      return [move(s, -Number.MAX_SAFE_INTEGER), []];
    case "end":
      return [move(s, Number.MAX_SAFE_INTEGER), []];
    case "open":
      return [open(s), []];
    case "back":
      return [back(s), []];
    case "sort-next":
    case "sort-reverse":
      return [sortIntent(s, intent === "sort-reverse"), []];
    case "fail-path":
    case "reinstate-path":
      return pathAction(s, intent);
    case "switch-group":
      return switchGroup(s);
    case "suspend-map":
    case "resume-map":
    case "disable-queueing":
    case "restore-queueing":
      return mapAction(s, intent);
    case "fault-menu":
      return [{ ...s, overlay: "faults" }, []];
    case "pause": {
      const paused = !(s.time?.paused ?? false);
      return [
        {
          ...s,
          time: s.time ? { ...s.time, paused } : s.time,
          message: { text: paused ? "virtual time paused" : "virtual time running", level: "info" },
        },
        [{ kind: "pause", paused }],
      ];
    }
    case "step":
      return [
        { ...s, message: { text: "stepping 1 s of virtual time", level: "info" } },
        [{ kind: "step", ns: STEP_NS }],
      ];
    case "faster":
    case "slower": {
      const cur = s.time?.speed ?? 1;
      const speed = ladderStep(SPEED_LADDER, cur, intent === "faster" ? 1 : -1);
      return [
        {
          ...s,
          time: s.time ? { ...s.time, speed } : s.time,
          message: { text: `speed ${formatSpeed(speed)}`, level: "info" },
        },
        [{ kind: "speed", speed }],
      ];
    }
    case "refresh-faster":
    case "refresh-slower": {
      const hz = ladderStep(REFRESH_LADDER, s.refreshHz, intent === "refresh-faster" ? 1 : -1);
      return setRefresh(s, hz);
    }
    default: {
      const never: never = intent;
      throw new Error(`unknown intent ${String(never)}`);
    }
  }
}

/** The next value of a ladder above (dir 1) or below (dir -1) `cur`, clamped to its ends. */
export function ladderStep(ladder: readonly number[], cur: number, dir: 1 | -1): number {
  if (dir > 0) return ladder.find((v) => v > cur) ?? ladder[ladder.length - 1]!;
  for (let i = ladder.length - 1; i >= 0; i--) if (ladder[i]! < cur) return ladder[i]!;
  return ladder[0]!;
}

function setRefresh(s: DashboardState, requested: number): [DashboardState, Effect[]] {
  const hz = clampRefreshHz(requested);
  const clamped = hz !== requested ? ` (clamped to ${MIN_REFRESH_HZ}–${MAX_REFRESH_HZ})` : "";
  return [
    {
      ...s,
      refreshHz: hz,
      message: { text: `refresh ${hz} Hz${clamped}`, level: clamped ? "warn" : "info" },
    },
    [{ kind: "refresh-rate", hz }],
  ];
}

function switchView(s: DashboardState, view: ViewName): DashboardState {
  if (view === s.view) return s;
  return derive({ ...s, view, message: null });
}

function move(s: DashboardState, delta: number): DashboardState {
  const rows = s.layout.listRows;
  switch (s.view) {
    case "maps": {
      const n = s.rows.maps.length;
      if (n === 0) return s;
      const i = clamp(s.lists.maps.cursor + delta, 0, n - 1);
      return derive({ ...s, selected: { ...s.selected, map: s.rows.maps[i]!.key } });
    }
    case "paths": {
      const n = s.rows.paths.length;
      if (n === 0) return s;
      const i = clamp(s.lists.paths.cursor + delta, 0, n - 1);
      return derive({ ...s, selected: { ...s.selected, path: s.rows.paths[i]!.key } });
    }
    case "topology": {
      const pathLines = s.rows.topology.flatMap((l, i) => (l.kind === "path" ? [i] : []));
      if (pathLines.length === 0) return s;
      const at = Math.max(0, pathLines.indexOf(s.lists.topology.cursor));
      const j = clamp(at + delta, 0, pathLines.length - 1);
      const line = s.rows.topology[pathLines[j]!]!;
      const next = derive({
        ...s,
        selected: { ...s.selected, topoPath: line.kind === "path" ? line.path.key : null },
      });
      // Show the map's name lines again when moving to the first path.
      if (j === 0) return { ...next, lists: { ...next.lists, topology: { ...next.lists.topology, top: 0 } } };
      return next;
    }
    case "events": {
      const n = s.rows.events.length;
      const maxTop = Math.max(0, n - rows);
      const top = clamp(s.lists.events.top + delta, 0, maxTop);
      return { ...s, followEvents: top >= maxTop, lists: { ...s.lists, events: { cursor: top, top } } };
    }
    default: {
      const never: never = s.view;
      throw new Error(`unknown view ${String(never)}`);
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function open(s: DashboardState): DashboardState {
  if (s.view === "maps") {
    if (s.selected.map === null) return s;
    return derive({
      ...s,
      view: "topology",
      selected: { ...s.selected, topoPath: null },
      lists: { ...s.lists, topology: LIST0 },
    });
  }
  if (s.view === "paths") {
    const p = selectedPath(s);
    if (!p || p.mapKey === null)
      return { ...s, message: { text: "this path belongs to no map", level: "warn" } };
    return derive({
      ...s,
      view: "topology",
      selected: { ...s.selected, map: p.mapKey, topoPath: p.key },
      lists: { ...s.lists, topology: LIST0 },
    });
  }
  return s;
}

function back(s: DashboardState): DashboardState {
  if (s.view !== "topology") {
    const v = s.view as FilteredView;
    if (s.filters[v] !== "") return derive({ ...s, filters: { ...s.filters, [v]: "" }, message: null });
  }
  if (s.view !== "maps") return switchView(s, "maps");
  return s.message ? { ...s, message: null } : s;
}

function sortIntent(s: DashboardState, reverse: boolean): DashboardState {
  if (s.view === "maps") {
    const cur = s.sort.maps;
    const next: SortState<MapSortKey> = reverse
      ? { key: cur.key, descending: !cur.descending }
      : { key: cycle(MAP_SORT_KEYS, cur.key), descending: defaultDescending(cycle(MAP_SORT_KEYS, cur.key)) };
    return derive({ ...s, sort: { ...s.sort, maps: next }, message: sortMessage(next) });
  }
  if (s.view === "paths") {
    const cur = s.sort.paths;
    const key = cycle(PATH_SORT_KEYS, cur.key);
    const next: SortState<PathSortKey> = reverse
      ? { key: cur.key, descending: !cur.descending }
      : { key, descending: defaultDescending(key) };
    return derive({ ...s, sort: { ...s.sort, paths: next }, message: sortMessage(next) });
  }
  return s;
}

/** Columns where the biggest (or worst) first is what one wants to see. */
function defaultDescending(key: string): boolean {
  return ["iops", "latency", "failures", "checker", "dm", "paths", "queueing", "size", "prio"].includes(key);
}

function sortMessage(sort: SortState<string>): Message {
  return { text: `sorted by ${sort.key} ${sort.descending ? "↓" : "↑"}`, level: "info" };
}

function cycle<K extends string>(keys: readonly K[], cur: K): K {
  return keys[(keys.indexOf(cur) + 1) % keys.length]!;
}

// ---- selection and actions ----

/** The path the operator points at: the topology's cursor, or the paths view's. */
export function selectedPath(s: DashboardState): PathView | undefined {
  const key = s.view === "topology" ? s.selected.topoPath : s.view === "paths" ? s.selected.path : null;
  return key === null ? undefined : s.snapshot.pathIndex.get(key);
}

/** The map the operator points at: the selected map, or the selected path's map. */
export function selectedMap(s: DashboardState): MapView | undefined {
  const key = s.view === "paths" ? (selectedPath(s)?.mapKey ?? null) : s.selected.map;
  return key === null ? undefined : s.snapshot.maps.find((m) => m.key === key);
}

function pending(s: DashboardState, text: string): DashboardState {
  return { ...s, message: { text: `${text} …`, level: "info" } };
}

function pathAction(s: DashboardState, intent: "fail-path" | "reinstate-path"): [DashboardState, Effect[]] {
  const p = selectedPath(s);
  if (!p) return [{ ...s, message: { text: "no path selected", level: "warn" } }, []];
  const action: OperatorIntent = { kind: intent, path: p.dev };
  return [
    pending(s, intent === "fail-path" ? `fail path ${p.dev}` : `reinstate path ${p.dev}`),
    [{ kind: "act", intent: action }],
  ];
}

function mapAction(
  s: DashboardState,
  intent: "suspend-map" | "resume-map" | "disable-queueing" | "restore-queueing",
): [DashboardState, Effect[]] {
  const m = selectedMap(s);
  if (!m) return [{ ...s, message: { text: "no map selected", level: "warn" } }, []];
  return [
    pending(s, `${intent.replace("-", " ")} ${m.name}`),
    [{ kind: "act", intent: { kind: intent, map: m.name } }],
  ];
}

function switchGroup(s: DashboardState): [DashboardState, Effect[]] {
  const m = selectedMap(s);
  if (!m) return [{ ...s, message: { text: "no map selected", level: "warn" } }, []];
  if (m.groups.length === 0)
    return [{ ...s, message: { text: `${m.name} has no path groups`, level: "warn" } }, []];
  let group: number;
  const p = selectedPath(s);
  if (p && p.mapKey === m.key && p.group > 0) group = p.group;
  else {
    const active = m.groups.findIndex((g) => g.status === "active");
    group = m.groups[(active + 1) % m.groups.length]!.index;
  }
  return [
    pending(s, `switch ${m.name} to group ${group}`),
    [{ kind: "act", intent: { kind: "switch-group", map: m.name, group } }],
  ];
}

// ---- overlays and prompts ----

function onHelpKey(s: DashboardState, name: string): [DashboardState, Effect[]] {
  const total = helpLines(s.caps).length;
  const rows = s.layout.bodyRows;
  const maxTop = Math.max(0, total - rows);
  const scroll = (d: number): [DashboardState, Effect[]] => [
    { ...s, helpTop: clamp(s.helpTop + d, 0, maxTop) },
    [],
  ];
  switch (name) {
    case "down":
    case "j":
      return scroll(1);
    case "up":
    case "k":
      return scroll(-1);
    case "pagedown":
    case "space":
      return scroll(rows - 1);
    case "pageup":
      return scroll(-(rows - 1));
    default:
      // Any other key closes the help, as in htop.
      return [{ ...s, overlay: "none" }, []];
  }
}

function onFaultKey(s: DashboardState, name: string): [DashboardState, Effect[]] {
  if (name === "escape" || name === "x" || name === "q") return [{ ...s, overlay: "none" }, []];
  const entry = FAULT_MENU.find((f) => f.key === name);
  if (!entry) return [{ ...s, message: { text: "choose a fault by its key, or esc", level: "warn" } }, []];
  if (entry.target === "path") {
    const p = selectedPath(s);
    if (!p)
      return [
        {
          ...s,
          overlay: "none",
          message: { text: "select a path first (:topology or :paths)", level: "warn" },
        },
        [],
      ];
    const fault = entry.build(p.dev);
    return [
      { ...s, overlay: "none", message: { text: `injecting: ${entry.label} on ${p.dev} …`, level: "info" } },
      [{ kind: "inject", fault }],
    ];
  }
  const m = selectedMap(s);
  if (!m) return [{ ...s, overlay: "none", message: { text: "select a map first", level: "warn" } }, []];
  return [
    { ...s, overlay: "none", message: { text: `injecting: ${entry.label} (${m.name}) …`, level: "info" } },
    [{ kind: "inject", fault: entry.build(m.name) }],
  ];
}

function onPromptKey(s: DashboardState, p: Prompt, name: string): [DashboardState, Effect[]] {
  const live = (text: string): DashboardState => {
    const next = { ...s, prompt: { ...p, text } };
    if (p.kind !== "filter") return next;
    const v = s.view as FilteredView;
    return derive({ ...next, filters: { ...s.filters, [v]: text } });
  };
  switch (name) {
    case "escape": {
      if (p.kind === "filter") {
        const v = s.view as FilteredView;
        return [derive({ ...s, prompt: null, filters: { ...s.filters, [v]: p.previous } }), []];
      }
      return [{ ...s, prompt: null }, []];
    }
    case "enter":
      if (p.kind === "filter") {
        const text = p.text.trim();
        const st = live(text);
        return [
          { ...st, prompt: null, message: text ? { text: `filter: ${text}`, level: "info" } : null },
          [],
        ];
      }
      return runCommand({ ...s, prompt: null }, p.text.trim());
    case "backspace":
      if (p.text.length === 0) return [live(""), []];
      return [live(p.text.slice(0, -1)), []];
    case "space":
      return [live(`${p.text} `), []];
    default:
      // Printable characters (a paste arrives as one string) extend the line; other keys do nothing.
      if ([...name].every((c) => c >= " " && c !== "\x7f") && !isNamedKey(name))
        return [live(p.text + name), []];
      return [s, []];
  }
}

const NAMED_KEYS = new Set([
  "up",
  "down",
  "left",
  "right",
  "pageup",
  "pagedown",
  "home",
  "end",
  "tab",
  "shift-tab",
]);

function isNamedKey(name: string): boolean {
  return NAMED_KEYS.has(name) || name.startsWith("ctrl-");
}

/** Runs a `:` command line. */
export function runCommand(s: DashboardState, line: string): [DashboardState, Effect[]] {
  const [word = "", ...args] = line.split(/\s+/).filter((w) => w.length > 0);
  const cmd = word.toLowerCase();
  if (cmd === "") return [s, []];
  if (cmd === "q" || cmd === "q!" || cmd === "quit" || cmd === "exit") return quit(s);
  if (cmd === "help" || cmd === "h") return [{ ...s, overlay: "help", helpTop: 0 }, []];
  const view = VIEW_ALIASES.get(cmd);
  if (view) {
    if (view === "topology" && args[0] !== undefined) {
      const name = args[0];
      const m = s.snapshot.maps.find((x) => x.name === name || x.wwid === name || x.dmDev === name);
      if (!m) return [{ ...s, message: { text: `no map ${name}`, level: "error" } }, []];
      return [
        derive({
          ...s,
          view,
          selected: { ...s.selected, map: m.key, topoPath: null },
          lists: { ...s.lists, topology: LIST0 },
        }),
        [],
      ];
    }
    return [switchView(s, view), []];
  }
  const num = args[0] === undefined ? Number.NaN : Number(args[0]);
  switch (cmd) {
    case "rate":
    case "hz":
    case "refresh":
      if (!Number.isFinite(num))
        return [{ ...s, message: { text: `usage: :${cmd} HZ (1–20)`, level: "error" } }, []];
      return setRefresh(s, num);
    case "speed":
      if (!s.caps.time)
        return [{ ...s, message: { text: "speed: only in the simulator", level: "warn" } }, []];
      if (!(num > 0))
        return [{ ...s, message: { text: "usage: :speed N (e.g. 1, 10, 100)", level: "error" } }, []];
      return [
        {
          ...s,
          time: s.time ? { ...s.time, speed: num } : s.time,
          message: { text: `speed ${formatSpeed(num)}`, level: "info" },
        },
        [{ kind: "speed", speed: num }],
      ];
    case "step": {
      if (!s.caps.time)
        return [{ ...s, message: { text: "step: only in the simulator", level: "warn" } }, []];
      const secs = args[0] === undefined ? 1 : num;
      if (!(secs > 0)) return [{ ...s, message: { text: "usage: :step [SECONDS]", level: "error" } }, []];
      return [
        { ...s, message: { text: `stepping ${secs} s of virtual time`, level: "info" } },
        [{ kind: "step", ns: Math.round(secs * 1e9) }],
      ];
    }
    case "pause":
    case "resume":
      if (!s.caps.time)
        return [{ ...s, message: { text: `${cmd}: only in the simulator`, level: "warn" } }, []];
      return onIntent({ ...s, time: s.time ? { ...s.time, paused: cmd === "resume" } : s.time }, "pause");
    default:
      return [
        {
          ...s,
          message: {
            text: `unknown command :${line} — try :maps :topology :paths :events :rate N :speed N :q`,
            level: "error",
          },
        },
        [],
      ];
  }
}
