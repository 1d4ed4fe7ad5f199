import type { Clock, TimerCallback } from "./clock.js";

/**
 * Handles encode `gen * SLOTS + slot`: cancel finds its timer by index, with no map to update on
 * every schedule (a Map insert and delete per timer was the clock's main cost on the I/O path).
 */
const SLOTS = 2 ** 24;
/** Generations wrap below 2^29 so that handles stay exact integers (< 2^53). */
const GENS = 2 ** 29;
const INITIAL_CAPACITY = 64;

/**
 * A discrete-event clock: time only moves when {@link VirtualClock.advance} (or a sibling) is called,
 * and timers run in (time, scheduling order).
 *
 * Timers live in slots (callback, argument, generation) reused through a free list, and the
 * queue is a binary heap over parallel typed arrays of (time, sequence, slot): scheduling and
 * firing allocate nothing, and sifting compares numbers in place instead of chasing objects.
 * A cancelled timer stays queued, its slot marked empty, until it reaches the top.
 *
 * Timers due at the same instant share one heap entry (a bucket: a FIFO of slots linked through
 * `#next`): a timer due at the time of the most recently created bucket joins its tail, so the
 * common case on the I/O path — the commands of a queue completing at one virtual instant — is a
 * constant-time append and pop instead of a heap sift each. Order stays (time, scheduling order):
 * a bucket stops taking timers once a later-created one exists, so every timer in it was
 * scheduled before any timer of a later bucket for the same time.
 */
export class VirtualClock implements Clock {
  #now = 0;
  #seq = 0;
  /** Heap of pending entries: time, scheduling sequence and slot, `#size` of them. */
  #hTime = new Float64Array(INITIAL_CAPACITY);
  #hSeq = new Float64Array(INITIAL_CAPACITY);
  #hSlot = new Int32Array(INITIAL_CAPACITY);
  #size = 0;
  /** Per slot: the callback (null once fired or cancelled), its argument, its generation. */
  readonly #fn: (TimerCallback<unknown> | null)[] = [];
  readonly #arg: unknown[] = [];
  readonly #gen: number[] = [];
  /** Slots whose timer left the heap, ready for reuse. */
  readonly #free: number[] = [];
  #live = 0;
  /** Buckets: FIFO of slots per bucket id (heads/tails into one slot-link array). */
  #bHead: number[] = [];
  #bTail: number[] = [];
  #bFree: number[] = [];
  /** Next slot in the same bucket, per slot (-1 = none). */
  #next: number[] = [];
  #lastBucket = -1;
  #lastTime = -1;

  /** @param startNs initial time (default 0). */
  constructor(startNs = 0) {
    this.#now = startNs;
  }

  now(): number {
    return this.#now;
  }

  schedule<T>(delayNs: number, fn: TimerCallback<T>, arg: T): number {
    // The common case stays small (a free slot, the bucket of the last instant scheduled) so that
    // V8 can inline it into its callers: the handle is then no boxed number returned per timer.
    const d = delayNs > 0 ? Math.round(delayNs) : 0;
    const slot = this.#free.length > 0 ? this.#free.pop()! : this.#newSlot();
    const g = this.#gen[slot]! + 1;
    const gen = g < GENS ? g : 1;
    this.#gen[slot] = gen;
    this.#fn[slot] = fn as TimerCallback<unknown>;
    this.#arg[slot] = arg;
    const time = this.#now + d;
    const seq = this.#seq++;
    this.#next[slot] = -1;
    const lb = this.#lastBucket;
    if (lb >= 0 && this.#lastTime === time) {
      this.#next[this.#bTail[lb]!] = slot;
      this.#bTail[lb] = slot;
    } else this.#newBucket(d, seq, slot);
    this.#live++;
    return gen * SLOTS + slot;
  }

  /** A slot never used before. */
  #newSlot(): number {
    const slot = this.#fn.length;
    if (slot >= SLOTS) throw new RangeError(`more than ${SLOTS} timers pending`);
    this.#fn.push(null);
    this.#arg.push(undefined);
    this.#gen.push(0);
    this.#next.push(-1);
    return slot;
  }

  /**
   * A bucket for a time other than the last one scheduled, holding `slot`, queued by (time, seq).
   * Takes the delay, not the time: a time (past 2^31 ns) passed to a call V8 does not inline is
   * boxed, a number allocated per bucket.
   */
  #newBucket(delay: number, seq: number, slot: number): void {
    const time = this.#now + delay;
    let b = this.#bFree.pop();
    if (b === undefined) {
      b = this.#bHead.length;
      this.#bHead.push(-1);
      this.#bTail.push(-1);
    }
    this.#bHead[b] = slot;
    this.#bTail[b] = slot;
    this.#lastBucket = b;
    this.#lastTime = time;
    this.#push(time, seq, b);
  }

  cancel(handle: number): boolean {
    if (!(handle > 0)) return false;
    const slot = handle % SLOTS;
    if (slot >= this.#fn.length || this.#fn[slot] === null || this.#gen[slot] !== Math.floor(handle / SLOTS))
      return false;
    this.#fn[slot] = null;
    this.#arg[slot] = undefined;
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
    return this.#size > 0 ? this.#hTime[0] : undefined;
  }

  /**
   * Runs the next pending timer (moving time to it), if one is due at or before `untilNs`
   * (default: any). Returns false when none is. A driving loop with a time limit needs no
   * {@link VirtualClock.nextTime} per event (whose boxed double return allocates).
   */
  runNext(untilNs = Number.POSITIVE_INFINITY): boolean {
    this.#dropCancelled();
    if (this.#size === 0 || this.#hTime[0]! > untilNs) return false;
    this.#fireTop();
    return true;
  }

  /** Runs every timer due at or before `timeNs`, then sets the time to `timeNs` (never backwards). */
  runUntil(timeNs: number): void {
    for (;;) {
      this.#dropCancelled();
      if (this.#size === 0 || this.#hTime[0]! > timeNs) break;
      this.#fireTop();
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

  /** Takes the first timer of the top bucket (the heap entry goes with the bucket's last one). */
  #takeTop(): number {
    const b = this.#hSlot[0]!;
    const slot = this.#bHead[b]!;
    const nx = this.#next[slot]!;
    if (nx >= 0) this.#bHead[b] = nx;
    else {
      this.#popTop();
      this.#bFree.push(b);
      if (this.#lastBucket === b) this.#lastBucket = -1;
    }
    return slot;
  }

  #fireTop(): void {
    const time = this.#hTime[0]!;
    const slot = this.#takeTop();
    const fn = this.#fn[slot]!;
    const arg = this.#arg[slot];
    this.#fn[slot] = null;
    this.#arg[slot] = undefined;
    this.#free.push(slot);
    this.#live--;
    if (time > this.#now) this.#now = time;
    fn(arg);
  }

  #dropCancelled(): void {
    while (this.#size > 0 && this.#fn[this.#bHead[this.#hSlot[0]!]!] === null)
      this.#free.push(this.#takeTop());
  }

  #grow(): void {
    const cap = this.#hTime.length * 2;
    const t = new Float64Array(cap);
    const q = new Float64Array(cap);
    const s = new Int32Array(cap);
    t.set(this.#hTime);
    q.set(this.#hSeq);
    s.set(this.#hSlot);
    this.#hTime = t;
    this.#hSeq = q;
    this.#hSlot = s;
  }

  #push(time: number, seq: number, slot: number): void {
    if (this.#size === this.#hTime.length) this.#grow();
    const ht = this.#hTime;
    const hq = this.#hSeq;
    const hs = this.#hSlot;
    let i = this.#size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ht[p]!;
      // Earlier time first; equal times in scheduling order.
      if (time > pt || (time === pt && seq > hq[p]!)) break;
      ht[i] = pt;
      hq[i] = hq[p]!;
      hs[i] = hs[p]!;
      i = p;
    }
    ht[i] = time;
    hq[i] = seq;
    hs[i] = slot;
  }

  /** Removes the top entry and returns its slot. */
  #popTop(): number {
    const ht = this.#hTime;
    const hq = this.#hSeq;
    const hs = this.#hSlot;
    const top = hs[0]!;
    const n = --this.#size;
    if (n > 0) {
      const lt = ht[n]!;
      const lq = hq[n]!;
      const ls = hs[n]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        const r = c + 1;
        if (r < n && (ht[r]! < ht[c]! || (ht[r] === ht[c] && hq[r]! < hq[c]!))) c = r;
        const ct = ht[c]!;
        if (ct > lt || (ct === lt && hq[c]! > lq)) break;
        ht[i] = ct;
        hq[i] = hq[c]!;
        hs[i] = hs[c]!;
        i = c;
      }
      ht[i] = lt;
      hq[i] = lq;
      hs[i] = ls;
    }
    return top;
  }
}
