import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BlkStatus } from "../block/status.js";
import { NSEC_PER_USEC } from "../clock/clock.js";
import { DmEndio, DmMapio, DmTargetFeature } from "./target.js";
import { FakeControl, fakeTargetType } from "./testing/fake-target.js";
import { IoRecorder, testKernel } from "./testing/harness.js";

type Op =
  | { readonly t: "io"; readonly write: boolean; readonly sector: number; readonly sectors: number }
  | { readonly t: "suspend"; readonly noflush: boolean }
  | { readonly t: "resume" }
  | { readonly t: "recreate" }
  | { readonly t: "suspend-release"; readonly status: BlkStatus }
  | { readonly t: "swap"; readonly table: number; readonly noflush: boolean }
  | { readonly t: "verdict"; readonly map: DmMapio; readonly end: DmEndio }
  | { readonly t: "release"; readonly status: BlkStatus }
  | { readonly t: "busy"; readonly on: boolean }
  | { readonly t: "advance"; readonly us: number };

const opArb = (rq: boolean): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        t: fc.constant("io" as const),
        write: fc.boolean(),
        sector: fc.integer({ min: 0, max: 16383 }),
        sectors: fc.integer({ min: 1, max: 64 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ t: fc.constant("suspend" as const), noflush: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("resume" as const) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("recreate" as const) }) },
    // A suspend, a handed-back clone and some time, in a row: the push-back window.
    {
      weight: rq ? 0 : 3,
      arbitrary: fc.record({
        t: fc.constant("suspend-release" as const),
        status: fc.constantFrom(BlkStatus.OK, BlkStatus.TRANSPORT),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant("swap" as const),
        table: fc.integer({ min: 0, max: 3 }),
        noflush: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant("verdict" as const),
        map: fc.constantFrom(
          ...(rq
            ? [DmMapio.REMAPPED, DmMapio.REMAPPED, DmMapio.KILL, DmMapio.REQUEUE, DmMapio.DELAY_REQUEUE]
            : [DmMapio.REMAPPED, DmMapio.SUBMITTED, DmMapio.KILL, DmMapio.REQUEUE, DmMapio.SUBMITTED]),
        ),
        end: fc.constantFrom(
          ...(rq
            ? [DmEndio.DONE, DmEndio.REQUEUE, DmEndio.DELAY_REQUEUE]
            : [DmEndio.DONE, DmEndio.REQUEUE, DmEndio.REQUEUE, DmEndio.INCOMPLETE]),
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant("release" as const),
        status: fc.constantFrom(BlkStatus.OK, BlkStatus.TRANSPORT, BlkStatus.IOERR),
      }),
    },
    { weight: rq ? 1 : 0, arbitrary: fc.record({ t: fc.constant("busy" as const), on: fc.boolean() }) },
    {
      weight: 3,
      arbitrary: fc.record({ t: fc.constant("advance" as const), us: fc.integer({ min: 0, max: 200_000 }) }),
    },
  );

function run(rq: boolean, ops: readonly Op[]): void {
  const ctl = new FakeControl();
  const type = rq ? "fakerq" : "fake";
  const { clock, k } = testKernel({
    loops: 3,
    targets: [
      fakeTargetType(type, ctl, {
        queueType: rq ? "request" : "bio",
        features: rq ? DmTargetFeature.SINGLETON | DmTargetFeature.IMMUTABLE : 0,
      }),
    ],
  });
  // Path 7:2 fails every I/O (unbound), so end_io verdicts get exercised.
  k.loop.detach(2);
  const tables = [
    [{ start: 0, length: 16384, type, params: "7:0" }],
    [{ start: 0, length: 16384, type, params: "7:2" }],
    [{ start: 0, length: 16384, type: "error", params: "" }],
    rq
      ? [{ start: 0, length: 16384, type, params: "7:1" }]
      : [
          { start: 0, length: 8000, type: "linear", params: "7:1 0" },
          { start: 8000, length: 8384, type, params: "7:0" },
        ],
  ];
  k.dm.create("p");
  expect(k.dm.load("p", tables[0]!).ok).toBe(true);
  expect(k.dm.resume("p").ok).toBe(true);
  let dev = k.dm.device(k.dm.list()[0]!.devt)!;
  const io = new IoRecorder(clock);
  for (const op of ops) {
    switch (op.t) {
      case "io": {
        const sectors = Math.min(op.sectors, 16384 - op.sector);
        io.submit(dev, op.write ? "write" : "read", op.sector, sectors * 512, op.write ? 1 : undefined);
        break;
      }
      case "suspend":
        expect(k.dm.suspend("p", { noflush: op.noflush }).ok).toBe(true);
        break;
      case "resume":
        k.dm.resume("p");
        break;
      case "recreate":
        // Removal with I/O in flight or held: everything of the old device must still end.
        expect(k.dm.remove("p").ok).toBe(true);
        k.dm.create("p");
        expect(k.dm.load("p", tables[0]!).ok).toBe(true);
        expect(k.dm.resume("p").ok).toBe(true);
        dev = k.dm.device(k.dm.list()[0]!.devt)!;
        break;
      case "suspend-release": {
        k.dm.suspend("p", { noflush: true });
        const h = ctl.held.shift();
        if (h) h.env.endBio(h.clone, op.status);
        clock.advance(100 * NSEC_PER_USEC);
        break;
      }
      case "swap":
        if (k.dm.load("p", tables[op.table]!).ok) k.dm.resume("p", { noflush: op.noflush });
        break;
      case "verdict":
        ctl.mapVerdict = op.map;
        ctl.endIoVerdict = op.end;
        break;
      case "release": {
        const h = ctl.held.shift();
        if (h) h.env.endBio(h.clone, op.status);
        break;
      }
      case "busy":
        ctl.busy = op.on;
        break;
      case "advance":
        clock.advance(op.us * NSEC_PER_USEC);
        break;
    }
    expect(io.doubles()).toEqual([]);
  }
  // Quiesce the world: benign verdicts, a healthy table, hand back every held clone.
  ctl.mapVerdict = DmMapio.REMAPPED;
  ctl.endIoVerdict = DmEndio.DONE;
  ctl.busy = false;
  k.dm.load("p", tables[0]!);
  k.dm.resume("p");
  for (let round = 0; round < 50 && (io.pending().length > 0 || ctl.held.length > 0); round++) {
    while (ctl.held.length > 0) {
      const h = ctl.held.shift()!;
      h.env.endBio(h.clone, BlkStatus.OK);
    }
    clock.runUntilIdle(1_000_000);
  }
  expect(io.doubles()).toEqual([]);
  expect(io.pending().map((r) => r.id)).toEqual([]);
  expect(dev.pendingIo).toBe(0);
  // Only the live table's target is left alive.
  expect(ctl.alive).toBe(1);
  // Removal leaves nothing open behind.
  expect(k.dm.remove("p").ok).toBe(true);
  clock.runUntilIdle(1_000_000);
  expect(ctl.alive).toBe(0);
  for (const d of k.block.all()) expect(k.block.openCount(d.devt)).toBe(0);
}

describe("no I/O is lost or completed twice", () => {
  it("bio-based: under random submits, suspends, resumes, table swaps and target verdicts", () => {
    fc.assert(
      fc.property(fc.array(opArb(false), { maxLength: 80 }), (ops) => run(false, ops)),
      { numRuns: 400 },
    );
  });

  it("request-based: under random submits, suspends, resumes, table swaps, requeues and busy", () => {
    fc.assert(
      fc.property(fc.array(opArb(true), { maxLength: 80 }), (ops) => run(true, ops)),
      { numRuns: 400 },
    );
  });
});

describe("replays", () => {
  it("a clone requeued by end_io during a noflush suspend is pushed back, not lost", () => {
    run(false, [
      { t: "verdict", map: DmMapio.SUBMITTED, end: DmEndio.REQUEUE },
      { t: "io", write: false, sector: 0, sectors: 8 },
      { t: "suspend", noflush: true },
      { t: "release", status: BlkStatus.TRANSPORT },
      { t: "advance", us: 10 },
    ]);
  });
});
