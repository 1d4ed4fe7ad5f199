import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BlkStatus } from "../block/status.js";
import { NSEC_PER_MSEC, NSEC_PER_SEC } from "../clock/clock.js";
import type { FakeBlockDevice } from "./testing/fake-block-device.js";
import { FakeKernel, type IoHandle } from "./testing/fake-dm.js";

type Op =
  | { op: "io"; write: boolean; cpu: number }
  | { op: "fail"; path: number }
  | { op: "reinstate"; path: number }
  | { op: "queue" }
  | { op: "noqueue" }
  | { op: "switch"; pg: number }
  | { op: "bypass"; pg: number; on: boolean }
  | { op: "error"; path: number; status: BlkStatus }
  | { op: "hold"; path: number }
  | { op: "release"; path: number }
  | { op: "advance"; ms: number }
  | { op: "suspend"; noflush: boolean };

const statuses = [
  BlkStatus.TRANSPORT,
  BlkStatus.IOERR,
  BlkStatus.TIMEOUT,
  BlkStatus.RESOURCE,
  BlkStatus.MEDIUM,
  BlkStatus.TARGET,
];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("io" as const), write: fc.boolean(), cpu: fc.nat(3) }),
  fc.record({ op: fc.constant("fail" as const), path: fc.nat(2) }),
  fc.record({ op: fc.constant("reinstate" as const), path: fc.nat(2) }),
  fc.record({ op: fc.constant("queue" as const) }),
  fc.record({ op: fc.constant("noqueue" as const) }),
  fc.record({ op: fc.constant("switch" as const), pg: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ op: fc.constant("bypass" as const), pg: fc.integer({ min: 1, max: 2 }), on: fc.boolean() }),
  fc.record({ op: fc.constant("error" as const), path: fc.nat(2), status: fc.constantFrom(...statuses) }),
  fc.record({ op: fc.constant("hold" as const), path: fc.nat(2) }),
  fc.record({ op: fc.constant("release" as const), path: fc.nat(2) }),
  fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ op: fc.constant("suspend" as const), noflush: fc.boolean() }),
);

const TABLES = {
  request: "1 queue_if_no_path 0 2 1 round-robin 0 2 1 7:0 1 7:1 1 queue-length 0 1 1 7:2 1",
  bio: "3 queue_if_no_path queue_mode bio 0 2 1 service-time 0 2 2 7:0 1 1 7:1 1 2 round-robin 0 1 1 7:2 1",
} as const;

function activePaths(status: string): number {
  return (status.match(/ 7:\d A /g) ?? []).length;
}

describe.each(["request", "bio"] as const)("%s-based multipath under random path events", (mode) => {
  it("completes every I/O exactly once, with the path's answer or an error, and never loses one", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const k = new FakeKernel();
        const devs: FakeBlockDevice[] = [0, 1, 2].map((i) => k.addLoop(i));
        const r = k.create("mp", `0 16384 multipath ${TABLES[mode]}`);
        if (!r.ok) throw new Error(r.error);
        const m = r.map;
        const ios: Array<{ h: IoHandle; nonPathError: boolean }> = [];
        let sector = 0;
        for (const o of ops) {
          switch (o.op) {
            case "io": {
              const s = (sector = (sector + 8) % 16384);
              const h = o.write ? m.write(s, 4096, o.cpu) : m.read(s, 4096, o.cpu);
              ios.push({ h, nonPathError: false });
              break;
            }
            case "fail":
              expect(m.message(`fail_path 7:${o.path}`)).toBe(0);
              break;
            case "reinstate":
              expect(m.message(`reinstate_path 7:${o.path}`)).toBe(0);
              break;
            case "queue":
              m.message("queue_if_no_path");
              break;
            case "noqueue":
              m.message("fail_if_no_path");
              break;
            case "switch":
              m.message(`switch_group ${o.pg}`);
              break;
            case "bypass":
              m.message(`${o.on ? "disable" : "enable"}_group ${o.pg}`);
              break;
            case "error":
              devs[o.path]!.script.push(o.status);
              break;
            case "hold":
              devs[o.path]!.hold = true;
              break;
            case "release":
              devs[o.path]!.release();
              break;
            case "advance":
              k.clock.advance(o.ms * NSEC_PER_MSEC);
              break;
            case "suspend":
              m.suspend({ noflush: o.noflush });
              k.clock.advance(10 * NSEC_PER_MSEC);
              m.resume();
              break;
          }
          // Invariants at every step: no double completion; status agrees with itself.
          for (const io of ios) expect(io.h.completions).toBeLessThanOrEqual(1);
          const st = m.status();
          expect(st).toMatch(/^0 16384 multipath 2 [01] \d+ 0 2 [12] /);
          expect(activePaths(st)).toBeLessThanOrEqual(3);
        }
        // Heal the world, stop queueing, and let everything drain.
        for (const d of devs) {
          d.script.length = 0;
          d.release();
        }
        // Errors already scripted into in-flight I/O land first; then every path comes back.
        k.clock.advance(NSEC_PER_SEC);
        for (const p of [0, 1, 2]) m.message(`reinstate_path 7:${p}`);
        m.message("fail_if_no_path");
        k.clock.advance(60 * NSEC_PER_SEC);
        for (const io of ios) {
          expect(io.h.completions).toBe(1);
          expect(io.h.status).not.toBeNull();
        }
        expect(activePaths(m.status())).toBe(3);
        expect(m.inFlight).toBe(0);
        expect(m.waiting).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it("with a healthy path available, an I/O only ever fails with a non-path error", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ path: fc.nat(1), status: fc.constantFrom(...statuses) }), { maxLength: 20 }),
        (errs) => {
          const k = new FakeKernel();
          const devs = [0, 1, 2].map((i) => k.addLoop(i));
          const r = k.create("mp", `0 16384 multipath ${TABLES[mode]}`);
          if (!r.ok) throw new Error(r.error);
          // 7:2 (group 2) stays healthy; errors hit group 1's paths only
          for (const e of errs) devs[e.path]!.script.push(e.status);
          const hs = errs.map((_, i) => r.map.read(i * 8));
          k.clock.advance(30 * NSEC_PER_SEC);
          for (const h of hs) {
            expect(h.completions).toBe(1);
            expect([BlkStatus.OK, BlkStatus.MEDIUM, BlkStatus.TARGET]).toContain(h.status);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
