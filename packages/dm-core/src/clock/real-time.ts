import { NSEC_PER_MSEC } from "./clock.js";
import type { VirtualClock } from "./virtual-clock.js";

/**
 * Wall time and a periodic tick, injected by the app (the only layer allowed to touch real timers).
 * `nowMs` is a monotonic millisecond reading such as `performance.now()`.
 */
export interface WallClock {
  nowMs(): number;
  /** Calls `fn` every `ms` milliseconds until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

/** Options of {@link RealTimePacer}. */
export interface RealTimePacerOptions {
  /** Virtual seconds per wall second (1, 10, 100 …). Default 1. */
  speed?: number;
  /** Wall milliseconds between two advances. Default 20. */
  tickMs?: number;
  /** Called after each advance (e.g. to flush async work). */
  onTick?: () => void;
}

/**
 * Real-time mode: moves a {@link VirtualClock} along with the wall clock, times a speed factor.
 * The world still runs on its virtual clock; only the pace comes from outside, so pausing,
 * stepping and speeding up are exact.
 */
export class RealTimePacer {
  readonly #clock: VirtualClock;
  readonly #wall: WallClock;
  #speed: number;
  readonly #tickMs: number;
  readonly #onTick: (() => void) | undefined;
  #stop: (() => void) | null = null;
  #lastWall = 0;
  #paused = false;

  constructor(clock: VirtualClock, wall: WallClock, options: RealTimePacerOptions = {}) {
    this.#clock = clock;
    this.#wall = wall;
    this.#speed = options.speed ?? 1;
    this.#tickMs = options.tickMs ?? 20;
    this.#onTick = options.onTick;
  }

  get speed(): number {
    return this.#speed;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get running(): boolean {
    return this.#stop !== null;
  }

  /** Starts pacing. Idempotent. */
  start(): void {
    if (this.#stop) return;
    this.#lastWall = this.#wall.nowMs();
    this.#stop = this.#wall.every(this.#tickMs, () => this.#tick());
  }

  /** Stops pacing (time stands still until started again). */
  stop(): void {
    this.#stop?.();
    this.#stop = null;
  }

  setSpeed(speed: number): void {
    this.#speed = Math.max(0, speed);
  }

  /** Pauses or resumes the flow of virtual time. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    this.#lastWall = this.#wall.nowMs();
  }

  /** Moves virtual time by `ns` at once (used for single-stepping while paused). */
  step(ns: number): void {
    this.#clock.advance(ns);
    this.#onTick?.();
  }

  #tick(): void {
    const now = this.#wall.nowMs();
    const elapsed = now - this.#lastWall;
    this.#lastWall = now;
    if (this.#paused || elapsed <= 0) return;
    this.#clock.advance(Math.round(elapsed * this.#speed * NSEC_PER_MSEC));
    this.#onTick?.();
  }
}
