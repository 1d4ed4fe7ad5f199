/**
 * Drives a simulated world's virtual clock from the wall clock. A {@link RealTimePacer} paces a
 * shadow clock at the chosen speed (pause, step and speed changes are exact there); the driver
 * makes the world's clock chase it in fixed virtual slices, letting the daemon's async work run
 * between slices, and never more than a wall-time budget per turn, so the terminal stays
 * responsive. When the CPU cannot keep up, the world falls behind by at most a bounded lag and
 * the achieved speed is reported rather than piling up debt.
 */
import {
  advanceAsync,
  defaultFlush,
  type Flush,
  RealTimePacer,
  VirtualClock,
  type WallClock,
} from "@mp/dm-core";

/** Options of {@link SimDriver}. */
export interface SimDriverOptions {
  /** Virtual seconds per wall second. Default 1. */
  readonly speed?: number;
  /** Start paused. Default false. */
  readonly paused?: boolean;
  /** Virtual time run between two flushes of async work (ns). Default 5 ms. */
  readonly sliceNs?: number;
  /** Wall time one turn may take before yielding (ms). Default 25. */
  readonly budgetMs?: number;
  /** Wall ms between pacer ticks. Default 20. */
  readonly tickMs?: number;
  /** How far (wall seconds of lag, at the current speed) the world may fall behind. Default 0.5. */
  readonly maxLagSecs?: number;
  readonly flush?: Flush;
  /** Called after every turn that moved time. */
  readonly onAdvance?: () => void;
  /** Called when running a slice threw (the world is then stopped). */
  readonly onError?: (e: unknown) => void;
}

/** Paces a world's clock to the wall clock. */
export class SimDriver {
  readonly #world: VirtualClock;
  readonly #wall: WallClock;
  readonly #shadow: VirtualClock;
  readonly #pacer: RealTimePacer;
  readonly #sliceNs: number;
  readonly #budgetMs: number;
  readonly #maxLagSecs: number;
  readonly #flush: Flush;
  readonly #onAdvance: (() => void) | undefined;
  readonly #onError: ((e: unknown) => void) | undefined;
  /** Virtual time the world gave up on catching up with (shadow - offset = target). */
  #offset = 0;
  #running: Promise<void> | null = null;
  #stopped = false;
  #failed = false;
  #stepping = false;
  /** Achieved-speed measurement: world time and wall time at the start of the window. */
  #measure = { wallMs: 0, worldNs: 0 };
  #effective = 0;
  /** Work done so far: turns run, slices run, wall ms spent running the world. */
  readonly stats = { turns: 0, slices: 0, busyMs: 0 };

  constructor(world: VirtualClock, wall: WallClock, o: SimDriverOptions = {}) {
    this.#world = world;
    this.#wall = wall;
    this.#shadow = new VirtualClock(world.now());
    this.#sliceNs = o.sliceNs ?? 5_000_000;
    this.#budgetMs = o.budgetMs ?? 25;
    this.#maxLagSecs = o.maxLagSecs ?? 0.5;
    this.#flush = o.flush ?? defaultFlush;
    this.#onAdvance = o.onAdvance;
    this.#onError = o.onError;
    this.#pacer = new RealTimePacer(this.#shadow, wall, {
      speed: o.speed ?? 1,
      ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
      onTick: () => this.#kick(),
    });
    if (o.paused) this.#pacer.setPaused(true);
    this.#effective = this.#pacer.paused ? 0 : this.#pacer.speed;
  }

  get speed(): number {
    return this.#pacer.speed;
  }

  get paused(): boolean {
    return this.#pacer.paused;
  }

  /** Virtual seconds per wall second over the last second of wall time. */
  get effectiveSpeed(): number {
    return this.#pacer.paused ? 0 : this.#effective;
  }

  /** Starts pacing. */
  start(): void {
    this.#stopped = false;
    this.#measure = { wallMs: this.#wall.nowMs(), worldNs: this.#world.now() };
    this.#pacer.start();
  }

  /** Stops pacing and waits for the current turn to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#pacer.stop();
    await this.#running;
  }

  setSpeed(speed: number): void {
    this.#pacer.setSpeed(speed);
    this.#resync();
  }

  setPaused(paused: boolean): void {
    this.#pacer.setPaused(paused);
    this.#resync();
  }

  /**
   * Moves the world `ns` forward exactly (async work runs between every two timers), whether
   * paused or not.
   */
  async step(ns: number): Promise<void> {
    await this.#running;
    this.#stepping = true;
    if (this.#failed) throw new Error("the simulation has stopped");
    try {
      // The pacer's tick callback sees #stepping and leaves the world alone.
      this.#pacer.step(ns);
      await advanceAsync(this.#world, ns, this.#flush);
    } catch (e) {
      this.#failed = true;
      this.#pacer.stop();
      this.#onError?.(e);
      throw e;
    } finally {
      this.#stepping = false;
    }
    this.#resync();
    this.#onAdvance?.();
  }

  /** Forget any lag: the target becomes the world's time now. */
  #resync(): void {
    this.#offset = this.#shadow.now() - this.#world.now();
    this.#measure = { wallMs: this.#wall.nowMs(), worldNs: this.#world.now() };
    this.#effective = this.#pacer.paused ? 0 : this.#pacer.speed;
  }

  #kick(): void {
    if (this.#running || this.#stopped || this.#failed || this.#stepping) return;
    this.#running = this.#turn().finally(() => {
      this.#running = null;
    });
  }

  async #turn(): Promise<void> {
    const start = this.#wall.nowMs();
    let target = this.#shadow.now() - this.#offset;
    const maxLag = this.#maxLagSecs * this.#pacer.speed * 1e9;
    if (target - this.#world.now() > maxLag) {
      // The CPU cannot keep up: drop the excess instead of running ever further behind.
      this.#offset += target - this.#world.now() - maxLag;
      target = this.#shadow.now() - this.#offset;
    }
    const before = this.#world.now();
    this.stats.turns++;
    try {
      while (!this.#stopped && this.#world.now() < target) {
        const next = Math.min(target, this.#world.now() + this.#sliceNs);
        this.#world.runUntil(next);
        this.stats.slices++;
        await this.#flush();
        if (this.#wall.nowMs() - start > this.#budgetMs) break;
      }
    } catch (e) {
      this.#failed = true;
      this.#pacer.stop();
      this.#onError?.(e);
      return;
    }
    const now = this.#wall.nowMs();
    this.stats.busyMs += now - start;
    const dt = now - this.#measure.wallMs;
    if (dt >= 1000) {
      this.#effective = (this.#world.now() - this.#measure.worldNs) / 1e6 / dt;
      this.#measure = { wallMs: now, worldNs: this.#world.now() };
    }
    if (this.#world.now() !== before) this.#onAdvance?.();
  }
}
