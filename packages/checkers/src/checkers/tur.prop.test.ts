import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PathState } from "../path-state.js";
import { type TurEffect, type TurEvent, type TurMachine, turInitial, turTransition } from "./tur.js";

/**
 * Laws of the async tur machine, over random interleavings of checks (each second or so),
 * thread completions and grace expiries, driven the way the runner drives it.
 */
describe("tur state machine laws", () => {
  const step = fc.oneof(
    fc.record({ kind: fc.constant("check" as const), dt: fc.integer({ min: 0, max: 4 }) }),
    fc.record({
      kind: fc.constant("done" as const),
      pick: fc.nat(),
      state: fc.constantFrom(PathState.UP, PathState.DOWN, PathState.GHOST),
    }),
    fc.record({ kind: fc.constant("grace" as const) }),
  );

  it("every check gets exactly one reply, at once or before the next check; holders never drop below one", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (steps, timeout) => {
        let m: TurMachine = turInitial("8:0");
        let now = 0;
        let awaiting = false;
        let armed = false;
        const replies = (fx: TurEffect[]) => fx.filter((f) => f.type === "reply");
        for (const s of steps) {
          let e: TurEvent;
          if (s.kind === "check") {
            if (awaiting) continue; // the daemon never checks a path whose check is waiting
            now += s.dt;
            e = { type: "check", nowSec: now, timeout };
          } else if (s.kind === "done") {
            const ids = [...m.threads.keys()];
            if (ids.length === 0) continue;
            e = { type: "io-done", thread: ids[s.pick % ids.length]!, state: s.state, msgid: 0 };
          } else {
            if (!armed) continue;
            e = { type: "grace-expired" };
          }
          const [next, fx] = turTransition(m, e);
          m = next;
          const r = replies(fx).length;
          if (fx.some((f) => f.type === "arm-grace")) armed = true;
          if (fx.some((f) => f.type === "disarm-grace")) armed = false;
          if (e.type === "grace-expired") armed = false;
          if (e.type === "check") {
            expect(r === 1 || fx.some((f) => f.type === "arm-grace")).toBe(true);
            awaiting = r === 0;
          } else if (r > 0) {
            expect(awaiting).toBe(true);
            expect(r).toBe(1);
            awaiting = false;
          }
          expect(m.ctx.holders).toBeGreaterThanOrEqual(1);
          expect(m.waiting).toBe(awaiting);
        }
      }),
    );
  });
});
