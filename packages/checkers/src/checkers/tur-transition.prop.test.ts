import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CheckerMsgId } from "../checker.js";
import { checkerStateName, PathState } from "../path-state.js";
import {
  type TurContextState,
  type TurEffect,
  type TurEvent,
  type TurMachine,
  TurMsgId,
  turInitial,
  turTransition,
} from "./tur.js";

/*
 * The transition as it was first written (objects copied with spreads, a log closure per event),
 * kept as the reference the allocation-lean one must match event for event.
 */
const MAX_NR_TIMEOUTS = 1;

function freshContext(id: number, nrTimeouts: number): TurContextState {
  return {
    id,
    thread: 0,
    running: false,
    state: PathState.UNCHECKED,
    msgid: CheckerMsgId.NONE,
    deadlineSec: 0,
    holders: 1,
    nrTimeouts,
  };
}

function referenceTransition(m: TurMachine, e: TurEvent): [TurMachine, TurEffect[]] {
  const fx: TurEffect[] = [];
  const log = (prio: number, msg: string) => fx.push({ type: "log", prio, msg: `${m.devt} : ${msg}` });
  switch (e.type) {
    case "check": {
      let ctx = m.ctx;
      if (ctx.thread !== 0) {
        if (e.nowSec > ctx.deadlineSec) {
          const threads = new Map(m.threads);
          if (ctx.running) {
            const t = threads.get(ctx.thread);
            if (t) threads.set(ctx.thread, { ...t, cancelled: true });
            log(3, "tur checker timeout");
            fx.push({ type: "reply", state: PathState.TIMEOUT, msgid: TurMsgId.TIMEOUT });
          } else {
            fx.push({ type: "reply", state: ctx.state, msgid: ctx.msgid });
          }
          return [{ ...m, ctx: { ...ctx, thread: 0, running: false }, threads }, fx];
        }
        if (ctx.running) {
          log(3, "tur checker not finished");
          fx.push({ type: "reply", state: PathState.PENDING, msgid: CheckerMsgId.NONE });
          return [m, fx];
        }
        fx.push({ type: "reply", state: ctx.state, msgid: ctx.msgid });
        return [{ ...m, ctx: { ...ctx, thread: 0 } }, fx];
      }
      let nextId = m.nextId;
      if (ctx.holders > 1) {
        let nr = ctx.nrTimeouts;
        if (nr === MAX_NR_TIMEOUTS) {
          fx.push({ type: "log", prio: 2, msg: `${m.devt} : waiting for stalled tur thread to finish` });
          nr++;
        }
        if (nr > MAX_NR_TIMEOUTS) {
          fx.push({ type: "reply", state: PathState.TIMEOUT, msgid: TurMsgId.TIMEOUT });
          return [{ ...m, ctx: { ...ctx, nrTimeouts: nr } }, fx];
        }
        nr++;
        log(3, "tur thread not responding");
        // A new context for a new thread; the stalled one keeps the old context.
        ctx = freshContext(nextId++, nr);
      } else {
        ctx = { ...ctx, nrTimeouts: 0 };
      }
      const thread = nextId++;
      const threads = new Map(m.threads);
      threads.set(thread, { ctx: ctx.id, cancelled: false });
      ctx = {
        ...ctx,
        state: PathState.PENDING,
        msgid: CheckerMsgId.NONE,
        holders: ctx.holders + 1,
        running: true,
        thread,
        deadlineSec: e.nowSec + e.timeout,
      };
      fx.push({ type: "start-io", thread, timeout: e.timeout });
      fx.push({ type: "arm-grace" });
      return [{ ...m, ctx, threads, waiting: true, nextId }, fx];
    }
    case "io-done": {
      const t = m.threads.get(e.thread);
      if (!t) return [m, fx];
      const threads = new Map(m.threads);
      threads.delete(e.thread);
      if (t.ctx !== m.ctx.id) return [{ ...m, threads }, fx];
      if (t.cancelled) return [{ ...m, threads, ctx: { ...m.ctx, holders: m.ctx.holders - 1 } }, fx];
      log(4, `tur checker finished, state ${checkerStateName(e.state)}`);
      let ctx: TurContextState = {
        ...m.ctx,
        state: e.state,
        msgid: e.msgid,
        running: false,
        holders: m.ctx.holders - 1,
      };
      let waiting = m.waiting;
      if (waiting && ctx.thread === e.thread) {
        fx.push({ type: "disarm-grace" });
        fx.push({ type: "reply", state: e.state, msgid: e.msgid });
        ctx = { ...ctx, thread: 0 };
        waiting = false;
      }
      return [{ ...m, ctx, threads, waiting }, fx];
    }
    case "grace-expired": {
      if (!m.waiting) return [m, fx];
      log(4, "tur checker still running");
      fx.push({ type: "reply", state: PathState.PENDING, msgid: CheckerMsgId.NONE });
      return [{ ...m, waiting: false }, fx];
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}

describe("turTransition", () => {
  const event: fc.Arbitrary<(m: TurMachine, now: number) => TurEvent> = fc.oneof(
    fc.record({ dt: fc.integer({ min: 0, max: 4 }), timeout: fc.integer({ min: 1, max: 3 }) }).map(
      ({ timeout }) =>
        (_m: TurMachine, now: number): TurEvent => ({ type: "check", nowSec: now, timeout }),
    ),
    fc
      .record({
        pick: fc.nat(),
        state: fc.constantFrom(PathState.UP, PathState.DOWN, PathState.GHOST, PathState.WILD),
        msgid: fc.constantFrom(CheckerMsgId.UP, CheckerMsgId.DOWN, TurMsgId.FAILED),
      })
      .map(({ pick, state, msgid }) => (m: TurMachine): TurEvent => {
        const ids = [...m.threads.keys(), 999];
        return { type: "io-done", thread: ids[pick % ids.length]!, state, msgid };
      }),
    fc.constant((): TurEvent => ({ type: "grace-expired" })),
  );

  it("moves and answers exactly as the reference transition, over any sequence of events", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(event, fc.integer({ min: 0, max: 3 })), { maxLength: 80 }), (steps) => {
        let a = turInitial("8:16");
        let b = turInitial("8:16");
        let now = 0;
        for (const [mk, dt] of steps) {
          now += dt;
          const e = mk(a, now);
          const [na, fa] = turTransition(a, e);
          const [nb, fb] = referenceTransition(b, e);
          expect(fa).toEqual(fb);
          expect(na).toEqual(nb);
          a = na;
          b = nb;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
