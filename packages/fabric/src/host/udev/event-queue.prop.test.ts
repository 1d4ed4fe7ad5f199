import type { Uevent } from "@mp/dm-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue, eventsRelated, type QueuedEvent } from "./event-queue.js";

/**
 * The queue as first written: on every pump, each queued event is compared with every running
 * one and every earlier queued one (`event_is_blocked`), and the unblocked ones start in order.
 * The indexed queue must start the same events in the same order for any arrivals and finishes.
 */
class ScanReference {
  readonly queue: Uevent[] = [];
  readonly running: Uevent[] = [];
  pump(cap: number): Uevent[] {
    const started: Uevent[] = [];
    for (let i = 0; i < this.queue.length && this.running.length < cap; i++) {
      const e = this.queue[i]!;
      let blocked = this.running.some((r) => eventsRelated(r, e));
      for (let j = 0; !blocked && j < i; j++) if (eventsRelated(this.queue[j]!, e)) blocked = true;
      if (blocked) continue;
      this.queue.splice(i, 1);
      i--;
      this.running.push(e);
      started.push(e);
    }
    return started;
  }
}

type Step =
  | { kind: "add"; path: readonly string[]; devnum: number | null; block: boolean }
  | { kind: "finish"; pick: number };

/** Devpaths from a small tree, so parents, children and equal paths are common. */
const path = fc.array(fc.constantFrom("a", "b", "c", ""), { minLength: 0, maxLength: 4 });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("add" as const),
      path,
      devnum: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
      block: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("finish" as const), pick: fc.nat(1000) }) },
);

function uevent(seqnum: number, s: Extract<Step, { kind: "add" }>): Uevent {
  const env: Array<readonly [string, string]> = [];
  if (s.devnum !== null) env.push(["MAJOR", "8"], ["MINOR", String(s.devnum)]);
  return {
    seqnum,
    action: "add",
    devpath: `/devices/${s.path.join("/")}`,
    subsystem: s.block ? "block" : "scsi",
    env,
  };
}

describe("udevd's event queue", () => {
  it("starts the events a full comparison would, in the same order, for any arrivals and finishes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(step, { maxLength: 300 }), (cap, steps) => {
        const ref = new ScanReference();
        const q = new EventQueue();
        const running: QueuedEvent[] = [];
        const pump = (): Uevent[] => {
          const out: Uevent[] = [];
          while (running.length < cap) {
            const e = q.takeReady();
            if (!e) break;
            running.push(e);
            out.push(e.event);
          }
          return out;
        };
        let seq = 0;
        for (const s of steps) {
          if (s.kind === "add") {
            const e = uevent(++seq, s);
            ref.queue.push(e);
            q.add(e);
          } else {
            if (running.length === 0) continue;
            const i = s.pick % running.length;
            const done = running.splice(i, 1)[0]!;
            ref.running.splice(ref.running.indexOf(done.event), 1);
            q.finish(done);
          }
          expect(pump().map((e) => e.seqnum)).toEqual(ref.pump(cap).map((e) => e.seqnum));
          expect(q.size).toBe(ref.queue.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("holds a child behind its parent and a device number behind its owner until they finish", () => {
    const q = new EventQueue();
    const ev = (seqnum: number, devpath: string, minor?: number): Uevent => ({
      seqnum,
      action: "add",
      devpath,
      subsystem: "block",
      env:
        minor === undefined
          ? []
          : [
              ["MAJOR", "8"],
              ["MINOR", String(minor)],
            ],
    });
    q.add(ev(1, "/devices/host0"));
    q.add(ev(2, "/devices/host0/target0:0:0"));
    q.add(ev(3, "/devices/virtual/block/dm-0", 0));
    q.add(ev(4, "/devices/host1/block/sda", 0));
    q.add(ev(5, "/devices/host10"));
    const first = [q.takeReady(), q.takeReady(), q.takeReady()];
    expect(first.map((e) => e?.event.seqnum)).toEqual([1, 3, 5]);
    expect(q.takeReady()).toBeNull();
    q.finish(first[0]!);
    expect(q.takeReady()?.event.seqnum).toBe(2);
    q.finish(first[1]!);
    expect(q.takeReady()?.event.seqnum).toBe(4);
    expect(q.size).toBe(0);
  });
});
