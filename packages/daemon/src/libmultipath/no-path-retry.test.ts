import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NoPathRetry } from "../structs/structs.js";
import { type QueueingEffect, type QueueingState, queueingTransition } from "./no-path-retry.js";

const fresh = (noPathRetry: number): QueueingState => ({
  noPathRetry,
  inRecovery: false,
  retryTick: 0,
  statQueueingTimeouts: 0,
  statMapFailures: 0,
  statTotalQueueingTime: 0,
});

const switches = (fx: readonly QueueingEffect[]) =>
  fx
    .filter((e) => e.kind === "queue-if-no-path")
    .map((e) => (e.kind === "queue-if-no-path" ? e.enable : null));
const logs = (fx: readonly QueueingEffect[]) => fx.flatMap((e) => (e.kind === "log" ? [e.message] : []));

describe("queueingTransition (no_path_retry)", () => {
  it("fail: switches queueing off whenever the kernel queues", () => {
    const [, fx] = queueingTransition("mpatha", fresh(NoPathRetry.FAIL), {
      kind: "sync",
      features: "1 queue_if_no_path",
      activePaths: 2,
      pendingPaths: 0,
      checkint: 5,
    });
    expect(switches(fx)).toEqual([false]);
    const [, fx2] = queueingTransition("mpatha", fresh(NoPathRetry.FAIL), {
      kind: "sync",
      features: "0",
      activePaths: 2,
      pendingPaths: 0,
      checkint: 5,
    });
    expect(switches(fx2)).toEqual([]);
  });

  it("queue: switches queueing on when the kernel does not queue, and never enters recovery", () => {
    const [s, fx] = queueingTransition("mpatha", fresh(NoPathRetry.QUEUE), {
      kind: "sync",
      features: "0",
      activePaths: 0,
      pendingPaths: 0,
      checkint: 5,
    });
    expect(switches(fx)).toEqual([true]);
    const [s2] = queueingTransition("mpatha", s, { kind: "path-lost", activePaths: 0, checkint: 5 });
    expect(s2.inRecovery).toBe(false);
    expect(s2.retryTick).toBe(0);
    expect(s2.statMapFailures).toBe(0);
  });

  it("N: the last path lost enters recovery for N × polling_interval + 1 ticks, then disables queueing", () => {
    let [s, fx] = queueingTransition("mpatha", fresh(3), { kind: "path-lost", activePaths: 0, checkint: 2 });
    expect(s.inRecovery).toBe(true);
    expect(s.retryTick).toBe(7);
    expect(logs(fx)).toEqual([
      "mpatha: Entering recovery mode: max_retries=3",
      "mpatha: remaining active paths: 0",
    ]);
    const all: QueueingEffect[] = [];
    for (let i = 0; i < 7; i++) {
      [s, fx] = queueingTransition("mpatha", s, { kind: "tick" });
      all.push(...fx);
    }
    expect(s.retryTick).toBe(0);
    expect(switches(all)).toEqual([false]);
    expect(logs(all)).toContain("mpatha: Disable queueing");
    expect(s.statTotalQueueingTime).toBe(7);
    // one failure when the last path went, one when queueing timed out
    expect(s.statMapFailures).toBe(2);
    // more ticks change nothing
    const [s2, fx2] = queueingTransition("mpatha", s, { kind: "tick" });
    expect(fx2).toEqual([]);
    expect(s2).toEqual(s);
  });

  it("N: a path back during recovery switches queueing on again and leaves recovery", () => {
    const [s] = queueingTransition("mpatha", fresh(3), { kind: "path-lost", activePaths: 0, checkint: 2 });
    const [s2, fx] = queueingTransition("mpatha", s, { kind: "path-back", activePaths: 1 });
    expect(s2.inRecovery).toBe(false);
    expect(s2.retryTick).toBe(0);
    expect(switches(fx)).toEqual([true]);
    expect(logs(fx)).toContain("mpatha: Recovered to normal mode");
  });

  it("N: a sync with no active and no pending path enters recovery; pending paths hold it off", () => {
    const [s] = queueingTransition("mpatha", fresh(2), {
      kind: "sync",
      features: "1 queue_if_no_path",
      activePaths: 0,
      pendingPaths: 1,
      checkint: 5,
    });
    expect(s.inRecovery).toBe(false);
    const [s2] = queueingTransition("mpatha", fresh(2), {
      kind: "sync",
      features: "1 queue_if_no_path",
      activePaths: 0,
      pendingPaths: 0,
      checkint: 5,
    });
    expect(s2.inRecovery).toBe(true);
    expect(s2.retryTick).toBe(11);
  });

  it("law: recovery lasts exactly N × checkint + 1 ticks whatever N and checkint", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 10 }), (n, checkint) => {
        let [s] = queueingTransition("m", fresh(n), { kind: "path-lost", activePaths: 0, checkint });
        let ticks = 0;
        let disabled = false;
        while (!disabled && ticks < 1000) {
          const [s2, fx] = queueingTransition("m", s, { kind: "tick" });
          s = s2;
          ticks++;
          disabled = switches(fx).includes(false);
        }
        return disabled && ticks === n * checkint + 1;
      }),
    );
  });
});
