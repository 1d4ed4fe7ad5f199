/** Nanoseconds in one microsecond, millisecond and second. Time in mp is always integer nanoseconds. */
export const NSEC_PER_USEC = 1_000;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_SEC = 1_000_000_000;

/** A timer callback. The argument is passed back so that hot paths need no closure per timer. */
export type TimerCallback<T> = (arg: T) => void;

/**
 * The only source of time below the apps. One clock per simulated world.
 *
 * `now()` is monotonic nanoseconds since the world started (an integer that stays exact up to
 * 2^53 ns, about 104 days). Timers fire in (time, scheduling order) order, so a run replays exactly.
 */
export interface Clock {
  /** Current time in integer nanoseconds. */
  now(): number;
  /** Runs `fn(arg)` once, `delayNs` (>= 0) after now. Returns a handle (> 0) for {@link Clock.cancel}. */
  schedule<T>(delayNs: number, fn: TimerCallback<T>, arg: T): number;
  /** Cancels a pending timer. Returns false when it already ran or was cancelled. */
  cancel(handle: number): boolean;
}
