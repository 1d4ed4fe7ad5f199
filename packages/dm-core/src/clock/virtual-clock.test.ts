import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "./virtual-clock.js";

describe("VirtualClock", () => {
  it("runs timers in time order, and timers due at the same time in scheduling order", () => {
    const c = new VirtualClock();
    const seen: string[] = [];
    c.schedule(20, (s) => seen.push(s), "b@20");
    c.schedule(10, (s) => seen.push(s), "a@10");
    c.schedule(20, (s) => seen.push(s), "c@20");
    c.schedule(0, (s) => seen.push(s), "now");
    c.runUntilIdle();
    expect(seen).toEqual(["now", "a@10", "b@20", "c@20"]);
    expect(c.now()).toBe(20);
  });

  it("moves time to each timer as it fires, and never backwards", () => {
    const c = new VirtualClock(1000);
    const at: number[] = [];
    c.schedule(5, () => at.push(c.now()), null);
    c.schedule(-3, () => at.push(c.now()), null);
    c.runUntilIdle();
    expect(at).toEqual([1000, 1005]);
    c.runUntil(900);
    expect(c.now()).toBe(1005);
  });

  it("cancel stops a pending timer once, and says so", () => {
    const c = new VirtualClock();
    let ran = 0;
    const h = c.schedule(10, () => ran++, null);
    expect(h).toBeGreaterThan(0);
    expect(c.pending()).toBe(1);
    expect(c.cancel(h)).toBe(true);
    expect(c.cancel(h)).toBe(false);
    expect(c.pending()).toBe(0);
    expect(c.nextTime()).toBeUndefined();
    c.runUntilIdle();
    expect(ran).toBe(0);
  });

  it("cancel of a timer that already ran, or of a handle it never gave, is false", () => {
    const c = new VirtualClock();
    const h = c.schedule(1, () => {}, null);
    c.runUntilIdle();
    expect(c.cancel(h)).toBe(false);
    expect(c.cancel(0)).toBe(false);
    expect(c.cancel(-1)).toBe(false);
    expect(c.cancel(123456789)).toBe(false);
  });

  it("a handle stays dead when its timer's slot is reused by a later timer", () => {
    const c = new VirtualClock();
    const first = c.schedule(1, () => {}, null);
    c.runUntilIdle();
    let ran = false;
    const second = c.schedule(
      1,
      () => {
        ran = true;
      },
      null,
    );
    expect(second).not.toBe(first);
    expect(c.cancel(first)).toBe(false);
    c.runUntilIdle();
    expect(ran).toBe(true);
  });

  it("a timer cannot cancel itself while it runs", () => {
    const c = new VirtualClock();
    const results: boolean[] = [];
    const h: number = c.schedule(1, () => results.push(c.cancel(h)), null);
    c.runUntilIdle();
    expect(results).toEqual([false]);
  });

  it("nextTime skips cancelled timers; runNext(until) leaves later timers pending", () => {
    const c = new VirtualClock();
    const a = c.schedule(5, () => {}, null);
    c.schedule(9, () => {}, null);
    c.cancel(a);
    expect(c.nextTime()).toBe(9);
    expect(c.runNext(8)).toBe(false);
    expect(c.now()).toBe(0);
    expect(c.runNext(9)).toBe(true);
    expect(c.now()).toBe(9);
    expect(c.runNext()).toBe(false);
  });

  it("timers scheduled from a running timer join the same order", () => {
    const c = new VirtualClock();
    const seen: number[] = [];
    c.schedule(
      10,
      () => {
        seen.push(1);
        c.schedule(0, () => seen.push(3), null);
      },
      null,
    );
    c.schedule(10, () => seen.push(2), null);
    c.runUntilIdle();
    expect(seen).toEqual([1, 2, 3]);
  });

  it("orders any mix of schedules and cancels like a stable sort by time (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 50 }), cancel: fc.boolean() }), {
          maxLength: 300,
        }),
        (ops) => {
          const c = new VirtualClock(7);
          const fired: number[] = [];
          const handles = ops.map((o, i) => c.schedule(o.delay, (k) => fired.push(k), i));
          ops.forEach((o, i) => {
            if (o.cancel) expect(c.cancel(handles[i]!)).toBe(true);
          });
          expect(c.pending()).toBe(ops.filter((o) => !o.cancel).length);
          c.runUntilIdle();
          const expected = ops
            .map((o, i) => ({ ...o, i }))
            .filter((o) => !o.cancel)
            .sort((x, y) => x.delay - y.delay || x.i - y.i)
            .map((o) => o.i);
          expect(fired).toEqual(expected);
          expect(c.pending()).toBe(0);
        },
      ),
    );
  });

  it("timers scheduled and cancelled while others run keep (time, scheduling order) (property)", () => {
    // Each fired timer may schedule children (delay 0 included: same instant, while its bucket
    // drains) and cancel an earlier pending timer; a plain list picked by (time, seq) is the model.
    const step = fc.record({
      children: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      cancel: fc.option(fc.nat(), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 20 }),
        fc.array(step, { minLength: 1, maxLength: 200 }),
        (initial, steps) => {
          type M = { time: number; seq: number; id: number; live: boolean; done: boolean };
          const model: M[] = [];
          let seq = 0;
          let nextId = 0;
          const c = new VirtualClock();
          const handles = new Map<number, number>();
          const fired: number[] = [];
          const expected: number[] = [];
          let k = 0;
          const add = (delay: number): void => {
            const id = nextId++;
            model.push({ time: c.now() + delay, seq: seq++, id, live: true, done: false });
            handles.set(id, c.schedule(delay, run, id));
          };
          function run(id: number): void {
            fired.push(id);
            model[id]!.done = true;
            const st = steps[k++ % steps.length]!;
            if (k > 400) return;
            for (const d of st.children) add(d);
            if (st.cancel !== undefined) {
              const pending = model.filter((m) => m.live && !m.done);
              const victim = pending[st.cancel % Math.max(1, pending.length)];
              if (victim) {
                victim.live = false;
                expect(c.cancel(handles.get(victim.id)!)).toBe(true);
              }
            }
          }
          for (const d of initial) add(d);
          c.runUntilIdle();
          // The model: repeatedly the live entry with the least (time, seq).
          const byOrder = [...model].sort((a, b) => a.time - b.time || a.seq - b.seq);
          for (const m of byOrder) if (m.live) expected.push(m.id);
          expect(fired).toEqual(expected);
          expect(c.pending()).toBe(0);
        },
      ),
    );
  });
});
