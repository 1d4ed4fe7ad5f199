/**
 * The hooks that connect the pure dashboard state machine to Ink and to a source: state with
 * effects, the refresh ticker, the terminal size and the keyboard.
 */
import { type Key, useInput, useStdout } from "ink";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { DashboardSource } from "../source/source.js";
import {
  type DashboardAction,
  type DashboardState,
  type Effect,
  initialState,
  type TimeStatus,
  transition,
} from "../state/dashboard.js";
import { type Capabilities, keyName } from "../state/keymap.js";
import type { TermSize } from "../state/layout.js";
import type { ViewName } from "../state/views.js";

/** A periodic wall-clock timer (injected so tests can tick by hand). */
export interface Ticker {
  /** Calls `fn` every `ms` milliseconds until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

/** Real timers (the app layer is the only place that uses them). */
export const realTicker: Ticker = {
  every(ms, fn) {
    const h = setInterval(fn, ms);
    return () => clearInterval(h);
  },
};

/** What the source offers, as the keymap needs it. */
export function capabilitiesOf(source: DashboardSource): Capabilities {
  return {
    write: !source.info.readOnly,
    inject: source.inject !== undefined,
    time: source.time !== undefined,
  };
}

function timeOf(source: DashboardSource): TimeStatus | null {
  const t = source.time;
  return t ? { paused: t.paused, speed: t.speed, effectiveSpeed: t.effectiveSpeed } : null;
}

/** Options of {@link useDashboard}. */
export interface UseDashboardOptions {
  readonly size: TermSize;
  readonly view?: ViewName;
  readonly refreshHz?: number;
  readonly onQuit: () => void;
}

/** Connects the state machine to a source: runs effects, feeds snapshots. Plain code, no hooks. */
export interface DashboardController {
  dispatch(action: DashboardAction): void;
  /** Subscribes to the source; returns the unsubscribe function. */
  attach(): () => void;
}

/**
 * A controller over `source`: `get`/`set` read and write the current state (a ref and a
 * React state setter in the app, plain variables in tests), `onQuit` ends the program.
 */
export function createController(
  source: DashboardSource,
  get: () => DashboardState,
  set: (s: DashboardState) => void,
  onQuit: () => void,
): DashboardController {
  const dispatch = (action: DashboardAction): void => {
    const cur = get();
    const [next, effects] = transition(cur, action);
    if (next !== cur) set(next);
    for (const e of effects) runEffect(e);
  };

  const syncCaps = (): void => {
    const caps = capabilitiesOf(source);
    const cur = get();
    if (
      caps.write !== cur.caps.write ||
      caps.inject !== cur.caps.inject ||
      caps.time !== cur.caps.time ||
      source.info.label !== cur.label
    )
      dispatch({
        type: "caps",
        caps,
        readOnlyReason: source.info.readOnlyReason ?? null,
        label: source.info.label,
      });
  };

  const fail = (what: string, e: unknown): void =>
    dispatch({
      type: "message",
      message: { text: `${what}: ${e instanceof Error ? e.message : String(e)}`, level: "error" },
    });

  const runEffect = (e: Effect): void => {
    switch (e.kind) {
      case "act":
        source
          .act(e.intent)
          .then((reply) => {
            dispatch({ type: "reply", reply });
            syncCaps();
            return source.refresh();
          })
          .catch((err: unknown) => fail("action", err));
        break;
      case "inject":
        if (!source.inject) break;
        source
          .inject(e.fault)
          .then((reply) => {
            dispatch({ type: "reply", reply });
            return source.refresh();
          })
          .catch((err: unknown) => fail("fault", err));
        break;
      case "pause":
        source.time?.setPaused(e.paused);
        dispatch({ type: "time", time: timeOf(source) });
        break;
      case "speed":
        source.time?.setSpeed(e.speed);
        dispatch({ type: "time", time: timeOf(source) });
        break;
      case "step":
        source.time
          ?.step(e.ns)
          .then(() => {
            dispatch({ type: "time", time: timeOf(source) });
            dispatch({
              type: "message",
              message: { text: `stepped ${e.ns / 1e9} s of virtual time`, level: "info" },
            });
          })
          .catch((err: unknown) => fail("step", err));
        break;
      case "refresh-rate":
        // The refresh ticker follows state.refreshHz.
        break;
      case "quit":
        onQuit();
        break;
      default: {
        const never: never = e;
        throw new Error(`unknown effect ${JSON.stringify(never)}`);
      }
    }
  };

  const attach = (): (() => void) => {
    const off = source.subscribe((snapshot) => {
      dispatch({ type: "snapshot", snapshot });
      const t = timeOf(source);
      const cur = get().time;
      if (
        t?.paused !== cur?.paused ||
        t?.speed !== cur?.speed ||
        Math.abs((t?.effectiveSpeed ?? 0) - (cur?.effectiveSpeed ?? 0)) > 0.05 * (t?.speed ?? 1)
      )
        dispatch({ type: "time", time: t });
      syncCaps();
    });
    // A snapshot may have arrived between the first render and the subscription.
    if (source.current() !== get().snapshot) dispatch({ type: "snapshot", snapshot: source.current() });
    return off;
  };

  return { dispatch, attach };
}

/**
 * The dashboard's state, fed by the source's snapshots, with a `dispatch` that runs the
 * reducer's effects against the source.
 */
export function useDashboard(
  source: DashboardSource,
  o: UseDashboardOptions,
): [DashboardState, (a: DashboardAction) => void] {
  const [state, setState] = useState<DashboardState>(() =>
    initialState({
      size: o.size,
      caps: capabilitiesOf(source),
      label: source.info.label,
      readOnlyReason: source.info.readOnlyReason ?? null,
      snapshot: source.current(),
      time: timeOf(source),
      ...(o.view ? { view: o.view } : {}),
      ...(o.refreshHz !== undefined ? { refreshHz: o.refreshHz } : {}),
    }),
  );
  const ref = useRef(state);
  const onQuit = useRef(o.onQuit);
  onQuit.current = o.onQuit;
  const controller = useMemo(
    () =>
      createController(
        source,
        () => ref.current,
        (s) => {
          ref.current = s;
          setState(s);
        },
        () => onQuit.current(),
      ),
    [source],
  );
  useEffect(() => controller.attach(), [controller]);
  return [state, controller.dispatch];
}

/**
 * Calls `source.refresh()` `hz` times a second; a refresh still running when the next tick
 * comes is not doubled (a slow daemon slows the dashboard down instead of piling up requests).
 */
export function useRefreshTicker(source: DashboardSource, hz: number, ticker: Ticker): void {
  const busy = useRef(false);
  useEffect(() => {
    const tick = (): void => {
      if (busy.current) return;
      busy.current = true;
      source
        .refresh()
        .catch(() => {})
        .finally(() => {
          busy.current = false;
        });
    };
    return ticker.every(Math.round(1000 / hz), tick);
  }, [source, hz, ticker]);
}

/** The terminal size (or a fixed one), following resizes. */
export function useTerminalSize(fixed?: TermSize): TermSize {
  const { stdout } = useStdout();
  const read = (): TermSize => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState<TermSize>(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = (): void => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}

/** Escape sequences of the keys the keymap knows, by what follows ESC. */
const ESCAPES: Readonly<Record<string, string>> = {
  "[A": "up",
  "[B": "down",
  "[C": "right",
  "[D": "left",
  OA: "up",
  OB: "down",
  OC: "right",
  OD: "left",
  "[5~": "pageup",
  "[6~": "pagedown",
  "[H": "home",
  "[F": "end",
  "[1~": "home",
  "[4~": "end",
  "[7~": "home",
  "[8~": "end",
  OH: "home",
  OF: "end",
  "[Z": "shift-tab",
};

/**
 * Splits raw terminal input into key names: what a terminal sends for several keys at once
 * (keys typed faster than they are read, a paste, `tmux send-keys`) arrives as one chunk.
 */
export function splitKeys(raw: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === "\x1b") {
      const m = /^(\[[0-9;]*[@-~]|O[A-Za-z])/.exec(raw.slice(i + 1));
      if (m) {
        out.push(ESCAPES[m[1]!] ?? `esc${m[1]}`);
        i += 1 + m[1]!.length;
      } else {
        out.push("escape");
        i++;
      }
      continue;
    }
    if (c === "\r" || c === "\n") out.push("enter");
    else if (c === "\t") out.push("tab");
    else if (c === "\x7f" || c === "\b") out.push("backspace");
    else if (c === " ") out.push("space");
    else if (c < " ") out.push(`ctrl-${String.fromCharCode(c.charCodeAt(0) + 96)}`);
    else {
      // A character outside the BMP is one key, not two halves.
      const cp = raw.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      out.push(ch);
      i += ch.length;
      continue;
    }
    i++;
  }
  return out;
}

/** The key names of one input event from Ink. */
export function keyNames(input: string, key: Partial<Key>): string[] {
  const name = keyName(input, key);
  // One key Ink recognised, or a single character.
  if (name !== input || [...input].length <= 1) return [name];
  return splitKeys(input);
}

/** Feeds every key, as a key name, to `dispatch`. */
export function useKeys(dispatch: (a: DashboardAction) => void): void {
  const handler = useCallback(
    (input: string, key: Key) => {
      for (const name of keyNames(input, key)) dispatch({ type: "key", name });
    },
    [dispatch],
  );
  useInput(handler);
}
