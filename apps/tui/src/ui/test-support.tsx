/**
 * Test support for the dashboard: render it with ink-testing-library on a fixed terminal size
 * and a hand-driven refresh ticker, send keys as a terminal sends them, and wait for the frame
 * that shows what a test expects (never for a fixed time).
 */
import { render } from "ink-testing-library";
import type { DashboardSource } from "../source/source.js";
import type { TermSize } from "../state/layout.js";
import type { ViewName } from "../state/views.js";
import { Dashboard } from "./Dashboard.js";
import type { Ticker } from "./hooks.js";

/** Escape sequences of the keys a test presses. */
export const KEYS = {
  up: "\x1b[A",
  down: "\x1b[B",
  right: "\x1b[C",
  left: "\x1b[D",
  pageUp: "\x1b[5~",
  pageDown: "\x1b[6~",
  home: "\x1b[H",
  end: "\x1b[F",
  enter: "\r",
  escape: "\x1b",
  tab: "\t",
  shiftTab: "\x1b[Z",
  backspace: "\x7f",
  ctrlC: "\x03",
} as const;

/** A ticker the test fires by hand. */
export class ManualTicker implements Ticker {
  readonly #subs = new Set<() => void>();
  /** Intervals asked for, in ms (the refresh rate in force is the last one). */
  readonly intervals: number[] = [];

  every(ms: number, fn: () => void): () => void {
    this.intervals.push(ms);
    this.#subs.add(fn);
    return () => {
      this.#subs.delete(fn);
    };
  }

  tick(): void {
    for (const f of this.#subs) f();
  }

  get active(): number {
    return this.#subs.size;
  }
}

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** A frame without colours. */
export function plain(frame: string | undefined): string {
  return (frame ?? "").replace(ANSI, "");
}

/** What {@link renderDashboard} returns. */
export interface RenderedDashboard {
  /** The last frame, colours removed. */
  frame(): string;
  /** Sends keys (escape sequences or text), one write per key. */
  press(...keys: string[]): void;
  /** Types text, one character per write. */
  type(text: string): void;
  /** Waits for a frame for which `pred` holds; fails with the last frame after `timeoutMs`. */
  waitFor(pred: (frame: string) => boolean, what?: string, timeoutMs?: number): Promise<string>;
  readonly ticker: ManualTicker;
  /** Times onQuit was called. */
  quits(): number;
  unmount(): void;
}

/** Renders the dashboard over `source` on a `size` terminal. */
export function renderDashboard(
  source: DashboardSource,
  o: { size?: TermSize; view?: ViewName; refreshHz?: number } = {},
): RenderedDashboard {
  const ticker = new ManualTicker();
  let quits = 0;
  const r = render(
    <Dashboard
      source={source}
      size={o.size ?? { columns: 100, rows: 30 }}
      ticker={ticker}
      onQuit={() => {
        quits++;
      }}
      {...(o.view ? { view: o.view } : {})}
      {...(o.refreshHz !== undefined ? { refreshHz: o.refreshHz } : {})}
    />,
  );
  const frame = (): string => plain(r.lastFrame());
  const waitFor = (
    pred: (f: string) => boolean,
    what = "the expected frame",
    timeoutMs = 5000,
  ): Promise<string> =>
    new Promise((resolve, reject) => {
      if (pred(frame())) {
        resolve(frame());
        return;
      }
      const stdout = r.stdout as unknown as { write: (s: string) => void };
      const original = stdout.write;
      const timer = setTimeout(() => {
        stdout.write = original;
        reject(new Error(`timed out waiting for ${what}; last frame:\n${frame()}`));
      }, timeoutMs);
      stdout.write = (s: string) => {
        original(s);
        if (pred(frame())) {
          clearTimeout(timer);
          stdout.write = original;
          resolve(frame());
        }
      };
    });
  return {
    frame,
    press: (...keys) => {
      for (const k of keys) r.stdin.write(k);
    },
    type: (text) => {
      for (const c of text) r.stdin.write(c);
    },
    waitFor,
    ticker,
    quits: () => quits,
    unmount: () => r.unmount(),
  };
}
