import { describe, expect, it } from "vitest";
import { NSEC_PER_MSEC } from "./clock.js";
import { realTimeClock, realWallClock } from "./wall-clock.js";

describe("realTimeClock", () => {
  it("runs timers in real time with their argument, and a cancelled one never", async () => {
    const clock = realTimeClock();
    const seen: string[] = [];
    const t0 = clock.now();
    clock.schedule(5 * NSEC_PER_MSEC, (a: string) => seen.push(a), "late");
    clock.schedule(0, (a: string) => seen.push(a), "first");
    const cancelled = clock.schedule(1 * NSEC_PER_MSEC, (a: string) => seen.push(a), "cancelled");
    expect(clock.cancel(cancelled)).toBe(true);
    expect(clock.cancel(cancelled)).toBe(false);
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(["first", "late"]);
    expect(clock.now()).toBeGreaterThan(t0);
    expect(Number.isInteger(clock.now())).toBe(true);
  });
});

describe("realWallClock", () => {
  it("ticks until stopped", async () => {
    let ticks = 0;
    const stop = realWallClock.every(1, () => ticks++);
    await new Promise((r) => setTimeout(r, 30));
    stop();
    const at = ticks;
    await new Promise((r) => setTimeout(r, 20));
    expect(at).toBeGreaterThan(0);
    expect(ticks).toBe(at);
  });
});
