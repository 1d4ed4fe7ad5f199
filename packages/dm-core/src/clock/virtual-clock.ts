import type { Clock, TimerCallback } from "./clock.js";

interface TimerEntry {
  time: number;
  seq: number;
  handle: number;
  fn: TimerCallback<unknown> | null;
  arg: unknown;
}

/**
 * A discrete-event clock: time only moves when {@link VirtualClock.advance} (or a sibling) is called,
 * and timers run in (time, scheduling order). Entries are pooled so the I/O path schedules
 * completions without allocating.
 */
export class VirtualClock implements Clock {
  #now = 0;
  #seq = 0;
  #nextHandle = 1;
  readonly #heap: TimerEntry[] = [];
  readonly #byHandle = new Map<number, TimerEntry>();
  readonly #pool: TimerEntry[] = [];
  #live = 0;

  /** @param startNs initial time (default 0). */
  constructor(startNs = 0) {
    this.#now = startNs;
  }

  now(): number {
    return this.#now;
  }

  schedule<T>(delayNs: number, fn: TimerCallback<T>, arg: T): number {
    const d = delayNs > 0 ? Math.round(delayNs) : 0;
    const e = this.#pool.pop() ?? { time: 0, seq: 0, handle: 0, fn: null, arg: undefined };
    e.time = this.#now + d;
    e.seq = this.#seq++;
    e.handle = this.#nextHandle++;
    e.fn = fn as TimerCallback<unknown>;
    e.arg = arg;
    this.#push(e);
    this.#byHandle.set(e.handle, e);
    this.#live++;
    return e.handle;
  }

  cancel(handle: number): boolean {
    const e = this.#byHandle.get(handle);
    if (!e || e.fn === null) return false;
    e.fn = null;
    e.arg = undefined;
    this.#byHandle.delete(handle);
    this.#live--;
    return true;
  }

  /** Number of timers still pending. */
  pending(): number {
    return this.#live;
  }

  /** Time of the next pending timer, or undefined when none is pending. */
  nextTime(): number | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.time;
  }

  /** Runs the next pending timer (moving time to it). Returns false when nothing is pending. */
  runNext(): boolean {
    this.#dropCancelled();
    const e = this.#heap[0];
    if (!e) return false;
    this.#pop();
    this.#fire(e);
    return true;
  }

  /** Runs every timer due at or before `timeNs`, then sets the time to `timeNs` (never backwards). */
  runUntil(timeNs: number): void {
    for (;;) {
      this.#dropCancelled();
      const e = this.#heap[0];
      if (!e || e.time > timeNs) break;
      this.#pop();
      this.#fire(e);
    }
    if (timeNs > this.#now) this.#now = timeNs;
  }

  /** Advances time by `ns`, running every timer that falls due. */
  advance(ns: number): void {
    this.runUntil(this.#now + Math.max(0, Math.round(ns)));
  }

  /**
   * Runs timers until none is pending or `maxEvents` ran. Returns the number of timers run.
   * A world that requeues forever (queue_if_no_path with no path) never idles: bound it.
   */
  runUntilIdle(maxEvents = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < maxEvents && this.runNext()) n++;
    return n;
  }

  #fire(e: TimerEntry): void {
    const fn = e.fn;
    const arg = e.arg;
    this.#byHandle.delete(e.handle);
    e.fn = null;
    e.arg = undefined;
    this.#pool.push(e);
    if (fn === null) return;
    this.#live--;
    if (e.time > this.#now) this.#now = e.time;
    fn(arg);
  }

  #dropCancelled(): void {
    const h = this.#heap;
    while (h.length > 0 && h[0]!.fn === null) {
      const e = this.#pop();
      this.#pool.push(e);
    }
  }

  #less(a: TimerEntry, b: TimerEntry): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  #push(e: TimerEntry): void {
    const h = this.#heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p]!;
      if (!this.#less(e, pe)) break;
      h[i] = pe;
      i = p;
    }
    h[i] = e;
  }

  #pop(): TimerEntry {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.#less(h[r]!, h[l]!) ? r : l;
        if (!this.#less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
