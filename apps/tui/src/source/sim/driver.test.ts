import { VirtualClock, type WallClock } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { SimDriver } from "./driver.js";

/** A wall clock the test moves by hand. */
class ManualWall implements WallClock {
  ms = 0;
  readonly #subs = new Set<() => void>();
  nowMs(): number {
    return this.ms;
  }
  every(_ms: number, fn: () => void): () => void {
    this.#subs.add(fn);
    return () => this.#subs.delete(fn);
  }
  /** Moves wall time and fires the periodic callbacks. */
  async tick(ms: number): Promise<void> {
    this.ms += ms;
    for (const f of this.#subs) f();
    // Let the driver's turn (async) finish.
    for (let i = 0; i < 50; i++) await new Promise<void>((r) => setImmediate(r));
  }
}

const MS = 1_000_000;

describe("SimDriver", () => {
  it("runs the world at the chosen speed of the wall clock, in order", async () => {
    const world = new VirtualClock();
    const wall = new ManualWall();
    const fired: number[] = [];
    for (let t = 10; t <= 1000; t += 10) world.schedule(t * MS, (x: number) => fired.push(x), t);
    const d = new SimDriver(world, wall, { speed: 10 });
    d.start();
    await wall.tick(20);
    expect(world.now()).toBe(200 * MS);
    expect(fired).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 10));
    d.setSpeed(1);
    await wall.tick(20);
    expect(world.now()).toBe(220 * MS);
    await d.stop();
  });

  it("pausing stops virtual time; a step moves it exactly, paused or not", async () => {
    const world = new VirtualClock();
    const wall = new ManualWall();
    const d = new SimDriver(world, wall, { paused: true });
    d.start();
    await wall.tick(500);
    expect(world.now()).toBe(0);
    expect(d.effectiveSpeed).toBe(0);
    await d.step(1234 * MS);
    expect(world.now()).toBe(1234 * MS);
    d.setPaused(false);
    await wall.tick(20);
    expect(world.now()).toBe(1254 * MS);
    await d.stop();
  });

  it("falls behind by a bounded lag when it cannot keep up, and says what speed it achieved", async () => {
    const world = new VirtualClock();
    const wall = new ManualWall();
    // Every 1 ms of virtual time costs 1 ms of wall time: at most 1× is possible.
    const busy = (): void => {
      wall.ms += 1;
      world.schedule(MS, busy, undefined);
    };
    world.schedule(MS, busy, undefined);
    const d = new SimDriver(world, wall, { speed: 100, budgetMs: 25, maxLagSecs: 0.5 });
    d.start();
    for (let i = 0; i < 100; i++) await wall.tick(20);
    expect(d.effectiveSpeed).toBeGreaterThan(0);
    expect(d.effectiveSpeed).toBeLessThan(5);
    await d.stop();
  });

  it("a model error stops the world and is reported once", async () => {
    const world = new VirtualClock();
    const wall = new ManualWall();
    const errors: unknown[] = [];
    world.schedule(
      5 * MS,
      () => {
        throw new Error("model bug");
      },
      undefined,
    );
    const d = new SimDriver(world, wall, { onError: (e) => errors.push(e) });
    d.start();
    await wall.tick(20);
    await wall.tick(20);
    expect(errors).toHaveLength(1);
    await expect(d.step(MS)).rejects.toThrow("the simulation has stopped");
    await d.stop();
  });
});
