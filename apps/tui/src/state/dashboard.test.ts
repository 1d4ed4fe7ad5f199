import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeSource, fakeTopology } from "../source/fake-source.js";
import type { DashboardSnapshot } from "../source/model.js";
import {
  type DashboardState,
  type Effect,
  initialState,
  MAX_REFRESH_HZ,
  REFRESH_LADDER,
  selectedMap,
  selectedPath,
  transition,
} from "./dashboard.js";
import type { Capabilities } from "./keymap.js";

const ALL: Capabilities = { write: true, inject: true, time: true };

function snapshotOf(maps: number, pathsPerMap = 4): DashboardSnapshot {
  const t = fakeTopology({ maps, pathsPerMap });
  return new FakeSource({ maps: t.maps, paths: t.paths }).current();
}

function start(
  o: { maps?: number; caps?: Capabilities; rows?: number; columns?: number } = {},
): DashboardState {
  return initialState({
    size: { columns: o.columns ?? 100, rows: o.rows ?? 30 },
    caps: o.caps ?? ALL,
    snapshot: snapshotOf(o.maps ?? 5),
    time: { paused: false, speed: 1, effectiveSpeed: 1 },
  });
}

/** Presses keys (names as the keymap knows them) and collects the effects. */
function press(s: DashboardState, ...keys: string[]): [DashboardState, Effect[]] {
  let state = s;
  const effects: Effect[] = [];
  for (const k of keys) {
    const [next, e] = transition(state, { type: "key", name: k });
    state = next;
    effects.push(...e);
  }
  return [state, effects];
}

/** Types text into an open prompt, then presses enter. */
function type(s: DashboardState, text: string, enter = true): [DashboardState, Effect[]] {
  return press(s, ...[...text].map((c) => (c === " " ? "space" : c)), ...(enter ? ["enter"] : []));
}

describe("views", () => {
  it("starts in the maps view with the first map selected", () => {
    const s = start();
    expect(s.view).toBe("maps");
    expect(s.selected.map).toBe(s.snapshot.maps[0]!.key);
  });

  it("tab cycles maps → topology → paths → events → maps; shift-tab goes back", () => {
    let s = start();
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      [s] = press(s, "tab");
      seen.push(s.view);
    }
    expect(seen).toEqual(["topology", "paths", "events", "maps"]);
    [s] = press(s, "shift-tab");
    expect(s.view).toBe("events");
  });

  it("':' jumps to a view by name or short name", () => {
    let s = start();
    [s] = press(s, ":");
    expect(s.prompt?.kind).toBe("command");
    [s] = type(s, "paths");
    expect(s.view).toBe("paths");
    expect(s.prompt).toBeNull();
    [s] = press(s, ":");
    [s] = type(s, "topo");
    expect(s.view).toBe("topology");
    [s] = press(s, ":");
    [s] = type(s, "ev");
    expect(s.view).toBe("events");
  });

  it("':topology NAME' opens that map's topology", () => {
    let s = start();
    [s] = press(s, ":");
    [s] = type(s, "topology mpathc");
    expect(s.view).toBe("topology");
    expect(selectedMap(s)?.name).toBe("mpathc");
    expect(s.rows.topology[0]).toMatchObject({ kind: "name" });
    expect(s.rows.topology.filter((l) => l.kind === "path")).toHaveLength(4);
  });

  it("an unknown ':' command says so and changes nothing else", () => {
    let s = start();
    [s] = press(s, ":");
    [s] = type(s, "frobnicate");
    expect(s.view).toBe("maps");
    expect(s.message).toMatchObject({ level: "error" });
    expect(s.message?.text).toContain("unknown command :frobnicate");
  });

  it("esc cancels the ':' prompt", () => {
    let s = start();
    [s] = press(s, ":", "p", "escape");
    expect(s.prompt).toBeNull();
    expect(s.view).toBe("maps");
  });

  it("enter on a map opens its topology; esc goes back to the maps", () => {
    let s = start();
    [s] = press(s, "down", "down", "enter");
    expect(s.view).toBe("topology");
    expect(selectedMap(s)?.name).toBe("mpathc");
    // The first path of the map is selected.
    expect(selectedPath(s)?.key).toBe(s.snapshot.maps[2]!.groups[0]!.paths[0]);
    [s] = press(s, "escape");
    expect(s.view).toBe("maps");
    expect(selectedMap(s)?.name).toBe("mpathc");
  });

  it("enter on a path opens its map's topology with that path selected", () => {
    let s = start();
    [s] = press(s, "tab", "tab");
    expect(s.view).toBe("paths");
    [s] = press(s, "down", "down", "down", "down", "down");
    const p = selectedPath(s)!;
    [s] = press(s, "enter");
    expect(s.view).toBe("topology");
    expect(selectedPath(s)?.key).toBe(p.key);
    expect(selectedMap(s)?.key).toBe(p.mapKey);
  });
});

describe("selection", () => {
  it("moves and clamps at both ends; home and end jump", () => {
    let s = start({ maps: 5 });
    [s] = press(s, "up");
    expect(s.lists.maps.cursor).toBe(0);
    [s] = press(s, "down", "down", "down", "down", "down", "down");
    expect(s.lists.maps.cursor).toBe(4);
    [s] = press(s, "home");
    expect(s.lists.maps.cursor).toBe(0);
    [s] = press(s, "end");
    expect(s.selected.map).toBe(s.snapshot.maps[4]!.key);
  });

  it("keeps the selected map when a new snapshot reorders the list", () => {
    let s = start({ maps: 5 });
    [s] = press(s, "down", "down");
    const key = s.selected.map;
    // Sort by IOPS, then give the selected map the most I/O: it moves to the top.
    [s] = press(s, "o", "o", "o", "o");
    expect(s.sort.maps.key).toBe("iops");
    const maps = s.snapshot.maps.map((m) => (m.key === key ? { ...m, iops: 1e6 } : m));
    [s] = transition(s, { type: "snapshot", snapshot: { ...s.snapshot, seq: 99, maps } });
    expect(s.selected.map).toBe(key);
    expect(s.lists.maps.cursor).toBe(0);
  });

  it("when the selected map disappears, the row under the cursor is selected", () => {
    let s = start({ maps: 5 });
    [s] = press(s, "down", "down");
    const maps = s.snapshot.maps.filter((_, i) => i !== 2);
    [s] = transition(s, { type: "snapshot", snapshot: { ...s.snapshot, seq: 2, maps } });
    expect(s.lists.maps.cursor).toBe(2);
    expect(s.selected.map).toBe(maps[2]!.key);
  });

  it("the topology cursor only stops on path lines", () => {
    let s = start();
    [s] = press(s, "enter");
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) {
      kinds.push(s.rows.topology[s.lists.topology.cursor]!.kind);
      [s] = press(s, "down");
    }
    expect(new Set(kinds)).toEqual(new Set(["path"]));
    expect(selectedPath(s)?.key).toBe(s.snapshot.maps[0]!.groups[1]!.paths[1]);
  });

  it("the cursor is always inside the visible window (any moves, any list length, any height)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 16, max: 50 }),
        fc.array(fc.constantFrom("up", "down", "pageup", "pagedown", "home", "end", "tab", "shift-tab"), {
          maxLength: 40,
        }),
        (maps, rows, keys) => {
          let s = start({ maps, rows });
          [s] = press(s, ...keys);
          for (const v of ["maps", "paths", "topology"] as const) {
            const l = s.lists[v];
            const n =
              v === "maps"
                ? s.rows.maps.length
                : v === "paths"
                  ? s.rows.paths.length
                  : s.rows.topology.length;
            if (n === 0) continue;
            if (v !== s.view) continue;
            expect(l.cursor).toBeGreaterThanOrEqual(l.top);
            expect(l.cursor).toBeLessThan(l.top + s.layout.listRows);
            expect(l.top).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("filtering", () => {
  it("'/' filters the paths live as the words are typed, enter keeps the filter", () => {
    let s = start({ maps: 12 });
    [s] = press(s, "tab", "tab", "/");
    expect(s.prompt?.kind).toBe("filter");
    [s] = type(s, "mpathb", false);
    expect(s.rows.paths.map((p) => p.mapName)).toEqual(["mpathb", "mpathb", "mpathb", "mpathb"]);
    [s] = press(s, "enter");
    expect(s.prompt).toBeNull();
    expect(s.filters.paths).toBe("mpathb");
    expect(s.rows.paths).toHaveLength(4);
  });

  it("all words must match, in any field", () => {
    let s = start({ maps: 3 });
    const victim = s.snapshot.paths[5]!;
    s = {
      ...s,
      snapshot: {
        ...s.snapshot,
        paths: s.snapshot.paths.map((p) =>
          p.key === victim.key ? { ...p, checkerState: "faulty", dmState: "failed" } : p,
        ),
      },
    };
    [s] = press(s, "tab", "tab", "/");
    [s] = type(s, "faulty failed");
    expect(s.rows.paths.map((p) => p.key)).toEqual([victim.key]);
    [s] = press(s, "/");
    [s] = type(s, `FAULTY ${victim.mapName} nosuchword`);
    expect(s.rows.paths).toHaveLength(0);
  });

  it("esc while typing restores the filter as it was; esc in the view clears it", () => {
    let s = start({ maps: 6 });
    [s] = press(s, "/");
    [s] = type(s, "mpathc");
    expect(s.rows.maps.map((m) => m.name)).toEqual(["mpathc"]);
    [s] = press(s, "/", "backspace", "x", "escape");
    expect(s.filters.maps).toBe("mpathc");
    expect(s.rows.maps).toHaveLength(1);
    [s] = press(s, "escape");
    expect(s.filters.maps).toBe("");
    expect(s.rows.maps).toHaveLength(6);
  });

  it("filters are per view", () => {
    let s = start({ maps: 6 });
    [s] = press(s, "/");
    [s] = type(s, "mpatha");
    [s] = press(s, "tab", "tab");
    expect(s.view).toBe("paths");
    expect(s.rows.paths).toHaveLength(24);
  });

  it("the events view filters too", () => {
    let s = start();
    const events = [
      {
        seq: 1,
        timeNs: 1e9,
        source: "kernel" as const,
        level: "error" as const,
        category: "path-fail" as const,
        text: "device-mapper: multipath: 254:0: Failing path 8:16.",
      },
      {
        seq: 2,
        timeNs: 2e9,
        source: "daemon" as const,
        level: "info" as const,
        category: "checker" as const,
        text: "sdb: tur checker reports path is up",
      },
    ];
    [s] = transition(s, { type: "snapshot", snapshot: { ...s.snapshot, seq: 5, events } });
    [s] = press(s, ":");
    [s] = type(s, "events");
    [s] = press(s, "/");
    [s] = type(s, "failing");
    expect(s.rows.events.map((e) => e.seq)).toEqual([1]);
  });
});

describe("sorting", () => {
  it("'o' cycles the paths' sort column and 'O' reverses it", () => {
    let s = start({ maps: 3 });
    [s] = press(s, "tab", "tab");
    expect(s.sort.paths).toEqual({ key: "map", descending: false });
    [s] = press(s, "o");
    expect(s.sort.paths.key).toBe("dev");
    const names = s.rows.paths.map((p) => p.dev);
    expect(names.slice(0, 3)).toEqual(["sda", "sdb", "sdc"]);
    [s] = press(s, "O");
    expect(s.rows.paths.map((p) => p.dev)).toEqual([...names].reverse());
  });

  it("sorting by checker state puts faulty paths first (descending by default)", () => {
    let s = start({ maps: 4 });
    const bad = s.snapshot.paths[9]!.key;
    s = {
      ...s,
      snapshot: {
        ...s.snapshot,
        paths: s.snapshot.paths.map((p) => (p.key === bad ? { ...p, checkerState: "faulty" } : p)),
      },
    };
    [s] = press(s, "tab", "tab");
    while (s.sort.paths.key !== "checker") [s] = press(s, "o");
    expect(s.sort.paths.descending).toBe(true);
    expect(s.rows.paths[0]!.key).toBe(bad);
    // Ties keep the natural (map, group, name) order.
    expect(s.rows.paths.slice(1, 4).map((p) => p.key)).toEqual(
      s.snapshot.paths
        .filter((p) => p.key !== bad)
        .slice(0, 3)
        .map((p) => p.key),
    );
  });

  it("sort cycles wrap around every column", () => {
    let s = start();
    [s] = press(s, "tab", "tab");
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      seen.add(s.sort.paths.key);
      [s] = press(s, "o");
    }
    expect(seen.size).toBe(10);
    expect(s.sort.paths.key).toBe("map");
  });
});

describe("help", () => {
  it("'?' opens the help; any key but the scroll keys closes it", () => {
    let s = start();
    [s] = press(s, "?");
    expect(s.overlay).toBe("help");
    [s] = press(s, "down");
    expect(s.overlay).toBe("help");
    expect(s.helpTop).toBe(1);
    const [closed, effects] = press(s, "q");
    expect(closed.overlay).toBe("none");
    // q closes the help instead of quitting.
    expect(effects).toEqual([]);
  });

  it("ctrl-c quits even from the help", () => {
    const [s, effects] = press(start(), "?", "ctrl-c");
    expect(s.quit).toBe(true);
    expect(effects).toEqual([{ kind: "quit" }]);
  });
});

describe("operator actions", () => {
  it("'f' and 'r' in the topology fail and reinstate the selected path through the daemon", () => {
    let s = start();
    [s] = press(s, "enter", "down");
    const dev = selectedPath(s)!.dev;
    const [s1, e1] = press(s, "f");
    expect(e1).toEqual([{ kind: "act", intent: { kind: "fail-path", path: dev } }]);
    expect(s1.message?.text).toContain(`fail path ${dev}`);
    const [, e2] = press(s1, "r");
    expect(e2).toEqual([{ kind: "act", intent: { kind: "reinstate-path", path: dev } }]);
  });

  it("'w' switches to the selected path's group in the topology, to the next group in the maps view", () => {
    let s = start();
    const [, e1] = press(s, "w");
    expect(e1).toEqual([{ kind: "act", intent: { kind: "switch-group", map: "mpatha", group: 2 } }]);
    [s] = press(s, "enter", "down", "down");
    const [, e2] = press(s, "w");
    expect(e2).toEqual([{ kind: "act", intent: { kind: "switch-group", map: "mpatha", group: 2 } }]);
    [s] = press(s, "up", "up");
    const [, e3] = press(s, "w");
    expect(e3).toEqual([{ kind: "act", intent: { kind: "switch-group", map: "mpatha", group: 1 } }]);
  });

  it("map actions act on the selected map (or the selected path's map)", () => {
    let s = start();
    [s] = press(s, "down");
    expect(press(s, "s")[1]).toEqual([{ kind: "act", intent: { kind: "suspend-map", map: "mpathb" } }]);
    expect(press(s, "S")[1]).toEqual([{ kind: "act", intent: { kind: "resume-map", map: "mpathb" } }]);
    expect(press(s, "d")[1]).toEqual([{ kind: "act", intent: { kind: "disable-queueing", map: "mpathb" } }]);
    expect(press(s, "D")[1]).toEqual([{ kind: "act", intent: { kind: "restore-queueing", map: "mpathb" } }]);
    [s] = press(s, "tab", "tab", "end");
    expect(press(s, "s")[1]).toEqual([{ kind: "act", intent: { kind: "suspend-map", map: "mpathe" } }]);
  });

  it("path actions in the maps view explain where they work, and send nothing", () => {
    const [s, effects] = press(start(), "f");
    expect(effects).toEqual([]);
    expect(s.message?.text).toBe("fail: not in the maps view");
  });

  it("read-only: operator keys send nothing and say why", () => {
    let s = initialState({
      size: { columns: 100, rows: 30 },
      caps: { write: false, inject: false, time: false },
      readOnlyReason: "--read-only",
      snapshot: snapshotOf(2),
    });
    let effects: Effect[];
    [s, effects] = press(s, "s");
    expect(effects).toEqual([]);
    expect(s.message).toEqual({ text: "susp/resume: read-only (--read-only)", level: "warn" });
    [s, effects] = press(s, "space");
    expect(effects).toEqual([]);
    expect(s.message?.text).toBe("pause: only in the simulator");
  });

  it("a reply becomes the status line, green for ok and red otherwise", () => {
    let s = start();
    [s] = transition(s, { type: "reply", reply: { ok: true, request: "fail path sda", reply: "ok" } });
    expect(s.message).toEqual({ text: "fail path sda: ok", level: "ok" });
    [s] = transition(s, {
      type: "reply",
      reply: { ok: false, request: "suspend map mpatha", reply: "permission deny: need to be root" },
    });
    expect(s.message).toEqual({
      text: "suspend map mpatha: permission deny: need to be root",
      level: "error",
    });
  });
});

describe("fault menu", () => {
  it("'x' then a key injects that fault on the selected path", () => {
    let s = start();
    [s] = press(s, "enter", "down", "x");
    expect(s.overlay).toBe("faults");
    const dev = selectedPath(s)!.dev;
    const [s2, effects] = press(s, "1");
    expect(s2.overlay).toBe("none");
    expect(effects).toEqual([{ kind: "inject", fault: { kind: "port-down", path: dev } }]);
    expect(press(s, "5")[1]).toEqual([
      { kind: "inject", fault: { kind: "link-flap", path: dev, downMs: 3000 } },
    ]);
    expect(press(s, "8")[1]).toEqual([
      { kind: "inject", fault: { kind: "alua-state", path: dev, state: "standby" } },
    ]);
  });

  it("map faults work from the maps view, path faults ask for a path", () => {
    let s = start();
    [s] = press(s, "x");
    expect(press(s, "u")[1]).toEqual([{ kind: "inject", fault: { kind: "lun-unmap", map: "mpatha" } }]);
    const [s2, e2] = press(s, "1");
    expect(e2).toEqual([]);
    expect(s2.message?.text).toContain("select a path first");
  });

  it("esc closes the menu without injecting", () => {
    const [s, effects] = press(start(), "x", "escape");
    expect(s.overlay).toBe("none");
    expect(effects).toEqual([]);
  });
});

describe("time and refresh", () => {
  it("space pauses and resumes, '.' steps one second, +/- walk 1×/10×/100×", () => {
    let s = start();
    let e: Effect[];
    [s, e] = press(s, "space");
    expect(e).toEqual([{ kind: "pause", paused: true }]);
    expect(s.time?.paused).toBe(true);
    [s, e] = press(s, ".");
    expect(e).toEqual([{ kind: "step", ns: 1_000_000_000 }]);
    [s, e] = press(s, "+", "+", "+");
    expect(e).toEqual([
      { kind: "speed", speed: 10 },
      { kind: "speed", speed: 100 },
      { kind: "speed", speed: 100 },
    ]);
    [s, e] = press(s, "-");
    expect(e).toEqual([{ kind: "speed", speed: 10 }]);
  });

  it("'[' and ']' walk the refresh ladder and stop at 1 and 20 Hz", () => {
    let s = start();
    expect(s.refreshHz).toBe(2);
    for (let i = 0; i < 10; i++) [s] = press(s, "]");
    expect(s.refreshHz).toBe(MAX_REFRESH_HZ);
    for (let i = 0; i < 10; i++) [s] = press(s, "[");
    expect(s.refreshHz).toBe(REFRESH_LADDER[0]);
  });

  it("':rate N' sets any rate and clamps out-of-range ones, saying so", () => {
    let s = start();
    let e: Effect[];
    [s] = press(s, ":");
    [s, e] = type(s, "rate 7");
    expect(s.refreshHz).toBe(7);
    expect(e).toEqual([{ kind: "refresh-rate", hz: 7 }]);
    [s] = press(s, ":");
    [s, e] = type(s, "rate 500");
    expect(s.refreshHz).toBe(20);
    expect(s.message).toEqual({ text: "refresh 20 Hz (clamped to 1–20)", level: "warn" });
    [s] = press(s, ":");
    [s] = type(s, "rate 0");
    expect(s.refreshHz).toBe(1);
    [s] = press(s, ":");
    [s] = type(s, "rate fast");
    expect(s.refreshHz).toBe(1);
    expect(s.message?.level).toBe("error");
  });

  it("':step 30' steps thirty seconds", () => {
    let s = start();
    [s] = press(s, ":");
    const [, e] = type(s, "step 30");
    expect(e).toEqual([{ kind: "step", ns: 30_000_000_000 }]);
  });

  it("q and ':q' quit", () => {
    expect(press(start(), "q")[1]).toEqual([{ kind: "quit" }]);
    let s = start();
    [s] = press(s, ":");
    expect(type(s, "q")[1]).toEqual([{ kind: "quit" }]);
  });
});

describe("layout", () => {
  it("an 80×24 terminal gets a 23-row screen whose parts add up", () => {
    const s = start({ columns: 80, rows: 24 });
    const l = s.layout;
    expect(l.height).toBe(23);
    expect(l.headerRows + l.tabRows + l.bodyRows + l.statusRows + l.footer.length).toBe(23);
    for (const line of l.footer) {
      const w = line.reduce((n, it, i) => n + (i > 0 ? 2 : 0) + it.key.length + 1 + it.label.length, 0);
      expect(w).toBeLessThanOrEqual(80);
    }
  });

  it("a taller terminal shows more rows, and the maps view adds the event tail", () => {
    const small = start({ rows: 24 });
    const big = start({ rows: 60 });
    expect(big.layout.listRows).toBeGreaterThan(small.layout.listRows);
    expect(small.layout.tailRows).toBe(0);
    expect(big.layout.tailRows).toBeGreaterThan(0);
  });

  it("a resize keeps the cursor visible", () => {
    let s = start({ maps: 40, rows: 60 });
    [s] = press(s, "end");
    [s] = transition(s, { type: "resize", size: { columns: 80, rows: 24 } });
    expect(s.lists.maps.cursor).toBe(39);
    expect(s.lists.maps.top + s.layout.listRows).toBeGreaterThan(39);
  });
});

describe("the footer", () => {
  it("shows every key: each binding is in it, or the binding just before it shows both", async () => {
    const { footerBindings, KEYMAP, bindingApplies } = await import("./keymap.js");
    for (const view of ["maps", "topology", "paths", "events"] as const) {
      const shown = footerBindings(view, ALL);
      KEYMAP.forEach((b, i) => {
        if (!bindingApplies(b, view, ALL)) return;
        if (shown.includes(b)) return;
        const prev = KEYMAP[i - 1];
        expect(prev && shown.includes(prev), `${b.intent} in ${view}`).toBe(true);
        // A combined label (`s/S`, `↑↓`, `PgUp/Dn`), not just the first key.
        expect([...(prev?.keyLabel ?? "")].length, `${prev?.intent} shows both keys`).toBeGreaterThan(1);
      });
    }
  });
});
