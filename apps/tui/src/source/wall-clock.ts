/**
 * Wall time for the app layer (the only layer allowed real timers): a `Clock` in real
 * nanoseconds for the socket client's timeouts, and the `WallClock` the real-time pacer reads.
 */
import { performance } from "node:perf_hooks";
import type { Clock, TimerCallback, WallClock } from "@mp/dm-core";

/** A {@link Clock} on real time (monotonic, ns since it was made). */
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

/** The real {@link WallClock}. */
export const realWallClock: WallClock = {
  nowMs: () => performance.now(),
  every(ms, fn) {
    const h = setInterval(fn, ms);
    return () => clearInterval(h);
  },
};
