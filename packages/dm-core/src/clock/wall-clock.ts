/**
 * Real time, for composition roots only: the dashboard's pacer, the socket client's timeouts and
 * a real host's daemon. Everything below the apps takes a `Clock` and never reads these itself;
 * they live here beside the virtual clock so that every app uses the same one.
 */
import { performance } from "node:perf_hooks";
import type { Clock, TimerCallback } from "./clock.js";
import type { WallClock } from "./real-time.js";

/** A {@link Clock} on real time: monotonic nanoseconds since it was made, timers on the event loop. */
export function realTimeClock(): Clock {
  const t0 = performance.now();
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;
  return {
    now: () => Math.round((performance.now() - t0) * 1e6),
    schedule<T>(delayNs: number, fn: TimerCallback<T>, arg: T): number {
      const h = next++;
      const t = setTimeout(
        () => {
          timers.delete(h);
          fn(arg);
        },
        Math.max(0, delayNs / 1e6),
      );
      timers.set(h, t);
      return h;
    },
    cancel(handle: number): boolean {
      const t = timers.get(handle);
      if (t === undefined) return false;
      clearTimeout(t);
      timers.delete(handle);
      return true;
    },
  };
}

/** The real {@link WallClock}: `performance.now()` and `setInterval`. */
export const realWallClock: WallClock = {
  nowMs: () => performance.now(),
  every(ms, fn) {
    const h = setInterval(fn, ms);
    return () => clearInterval(h);
  },
};
