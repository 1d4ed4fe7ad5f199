import { HostStatus, makeSense, mkdev, NSEC_PER_MSEC, NSEC_PER_SEC, SenseKey } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { CHECKER_WAIT, type Checker, CheckerMsgId, createChecker } from "../checker.js";
import { PathState } from "../path-state.js";
import { sgHdrFromResult } from "../sg-io.js";
import { collectLog, FakeHost, type FakeSgReply } from "../testing/fake-host.js";
import { createTurChecker, TurMsgId, turInitial, turTransition, turVerdict } from "./tur.js";

function hdr(r: FakeSgReply) {
  if ("errno" in r) {
    return {
      ...sgHdrFromResult(
        { status: 0, hostStatus: 0, sense: null, data: null, resid: 0 },
        { cdb: new Uint8Array(6), direction: "none", dxferLen: 0, mxSbLen: 32, timeoutMs: 0 },
      ),
      errno: r.errno,
    };
  }
  if ("hang" in r) throw new Error("no header for a hang");
  return sgHdrFromResult(
    {
      status: r.status ?? (r.sense ? 2 : 0),
      hostStatus: r.hostStatus ?? 0,
      sense: r.sense ?? null,
      data: null,
      resid: 0,
    },
    { cdb: new Uint8Array(6), direction: "none", dxferLen: 0, mxSbLen: 32, timeoutMs: 0 },
  );
}

describe("tur_check verdicts (0.9.4)", () => {
  const v = (r: FakeSgReply) => turVerdict(hdr(r), { left: 5 });
  it("maps ioctl failures, reservation conflicts and success", () => {
    expect(v({ errno: 25 })).toEqual({
      retry: false,
      state: PathState.WILD,
      msgid: CheckerMsgId.UNSUPPORTED,
    });
    expect(v({ errno: 6 })).toEqual({ retry: false, state: PathState.DOWN, msgid: CheckerMsgId.DOWN });
    expect(v({ status: 0x18 })).toEqual({ retry: false, state: PathState.UP, msgid: CheckerMsgId.UP });
    expect(v({})).toEqual({ retry: false, state: PathState.UP, msgid: CheckerMsgId.UP });
  });

  it("reports ALUA standby as GHOST, but transitioning (and unavailable) as DOWN", () => {
    expect(v({ sense: makeSense(SenseKey.NOT_READY, 0x04, 0x0b) })).toMatchObject({ state: PathState.GHOST });
    expect(v({ sense: makeSense(SenseKey.NOT_READY, 0x04, 0x0b, true) })).toMatchObject({
      state: PathState.GHOST,
    });
    expect(v({ sense: makeSense(SenseKey.NOT_READY, 0x04, 0x0a) })).toMatchObject({ state: PathState.DOWN });
    expect(v({ sense: makeSense(SenseKey.NOT_READY, 0x04, 0x0c) })).toMatchObject({ state: PathState.DOWN });
    expect(v({ sense: makeSense(SenseKey.ILLEGAL_REQUEST, 0x25, 0x00) })).toMatchObject({
      state: PathState.DOWN,
    });
  });

  it("retries UNIT ATTENTION and driver errors from one budget of five tries, not for NO_CONNECT", () => {
    expect(v({ sense: makeSense(SenseKey.UNIT_ATTENTION, 0x29, 0) })).toEqual({ retry: true });
    expect(v({ hostStatus: HostStatus.DID_ERROR })).toEqual({ retry: true });
    expect(v({ hostStatus: HostStatus.DID_NO_CONNECT })).toMatchObject({ state: PathState.DOWN });
    const tries = { left: 5 };
    const ua = hdr({ sense: makeSense(SenseKey.UNIT_ATTENTION, 0x29, 0) });
    const seq = [1, 2, 3, 4, 5].map(() => turVerdict(ua, tries));
    expect(seq.map((x) => x.retry)).toEqual([true, true, true, true, false]);
    expect(seq[4]).toMatchObject({ state: PathState.DOWN });
  });
});

function setup(reply: () => FakeSgReply, latencyNs = 100_000) {
  const host = new FakeHost();
  const { log, lines } = collectLog();
  host.addScsi("sda", () => reply(), latencyNs);
  const c = createChecker(createTurChecker(), { dev: "sda", devt: mkdev(8, 0) }, { host, log })!;
  return { host, c, lines };
}

function runCheck(_host: FakeHost, c: Checker, pathState: PathState = PathState.UP) {
  const box: { state: PathState | null; immediate: boolean } = { state: null, immediate: false };
  const r = c.check(
    pathState,
    (b: typeof box, s) => {
      b.state = s;
    },
    box,
  );
  if (r !== CHECKER_WAIT) {
    box.state = r;
    box.immediate = true;
  }
  return box;
}

describe("tur checker, synchronous", () => {
  it("waits for the TUR and reports its state and message", () => {
    const { host, c } = setup(() => ({}), 3 * NSEC_PER_MSEC);
    c.sync = true;
    const box = runCheck(host, c);
    expect(box.state).toBeNull();
    host.clock.advance(3 * NSEC_PER_MSEC);
    expect(box.state).toBe(PathState.UP);
    expect(c.message()).toBe(" reports path is up");
  });
});

describe("tur checker, asynchronous", () => {
  it("collects a TUR that answers within 1 ms in the same check", () => {
    const { host, c } = setup(() => ({ sense: makeSense(SenseKey.NOT_READY, 4, 0x0b) }), 200_000);
    const box = runCheck(host, c);
    expect(box.state).toBeNull();
    host.clock.advance(200_000);
    expect(box.state).toBe(PathState.GHOST);
    expect(c.message()).toBe(" reports path is ghost");
  });

  it("reports PENDING after 1 ms for a slower TUR and gives its result to the next check", () => {
    const { host, c, lines } = setup(() => ({}), 4 * NSEC_PER_MSEC);
    const box = runCheck(host, c);
    host.clock.advance(NSEC_PER_MSEC);
    expect(box.state).toBe(PathState.PENDING);
    expect(c.message()).toBe("");
    expect(lines).toContainEqual([4, "8:0 : tur checker still running"]);
    host.clock.advance(NSEC_PER_SEC);
    const next = runCheck(host, c);
    expect(next).toEqual({ state: PathState.UP, immediate: true });
    expect(c.message()).toBe(" reports path is up");
  });

  it("answers PENDING at once while the TUR runs, TIMEOUT once the deadline second has passed", () => {
    const { host, c, lines } = setup(() => ({ hang: true }));
    c.timeout = 5;
    runCheck(host, c);
    host.clock.advance(NSEC_PER_MSEC);
    const states: Array<PathState | null> = [];
    for (let t = 1; t <= 6; t++) {
      host.clock.runUntil(t * NSEC_PER_SEC);
      const b = runCheck(host, c);
      expect(b.immediate).toBe(true);
      states.push(b.state);
    }
    expect(states).toEqual([
      PathState.PENDING,
      PathState.PENDING,
      PathState.PENDING,
      PathState.PENDING,
      PathState.PENDING,
      PathState.TIMEOUT,
    ]);
    expect(c.message()).toBe(" timed out");
    expect(lines).toContainEqual([3, "8:0 : tur checker timeout"]);
  });

  it("starts one new thread beside a stalled one, then reports TIMEOUT without starting more", () => {
    const { host, c, lines } = setup(() => ({ hang: true }));
    c.timeout = 2;
    const at = (s: number) => {
      host.clock.runUntil(s * NSEC_PER_SEC);
      const b = runCheck(host, c);
      host.clock.advance(NSEC_PER_MSEC);
      return b.state;
    };
    expect(at(0)).toBe(PathState.PENDING);
    expect(at(3)).toBe(PathState.TIMEOUT);
    // the cancelled thread is still in its SG_IO: a fresh context and thread are made
    expect(at(4)).toBe(PathState.PENDING);
    expect(lines).toContainEqual([3, "8:0 : tur thread not responding"]);
    expect(host.sent("sda")).toHaveLength(2);
    expect(at(7)).toBe(PathState.TIMEOUT);
    expect(at(8)).toBe(PathState.TIMEOUT);
    expect(lines).toContainEqual([2, "8:0 : waiting for stalled tur thread to finish"]);
    expect(at(9)).toBe(PathState.TIMEOUT);
    // no third thread; the first thread's SG_IO timed out at 7 s (the kernel's minimum) and
    // DID_TIME_OUT is one of the host errors tur_check retries
    expect(host.sent("sda")).toHaveLength(3);
  });
});

describe("tur state machine (pure)", () => {
  it("ignores the late answer of a thread whose context was replaced", () => {
    let m = turInitial("8:0");
    [m] = turTransition(m, { type: "check", nowSec: 0, timeout: 1 });
    const first = m.ctx.thread;
    [m] = turTransition(m, { type: "grace-expired" });
    [m] = turTransition(m, { type: "check", nowSec: 2, timeout: 1 });
    expect(m.ctx.thread).toBe(0);
    let fx: ReturnType<typeof turTransition>[1];
    [m, fx] = turTransition(m, { type: "check", nowSec: 3, timeout: 1 });
    expect(fx.map((f) => f.type)).toEqual(["log", "start-io", "arm-grace"]);
    const ctxId = m.ctx.id;
    [m, fx] = turTransition(m, { type: "io-done", thread: first, state: PathState.UP, msgid: 4 });
    expect(fx).toEqual([]);
    expect(m.ctx.id).toBe(ctxId);
    expect(m.ctx.state).toBe(PathState.PENDING);
  });

  it("a finished thread's result waits for the next check when no check is waiting", () => {
    let m = turInitial("8:16");
    [m] = turTransition(m, { type: "check", nowSec: 10, timeout: 30 });
    [m] = turTransition(m, { type: "grace-expired" });
    const t = m.ctx.thread;
    let fx: ReturnType<typeof turTransition>[1];
    [m, fx] = turTransition(m, {
      type: "io-done",
      thread: t,
      state: PathState.DOWN,
      msgid: CheckerMsgId.DOWN,
    });
    expect(fx.filter((f) => f.type === "reply")).toEqual([]);
    [m, fx] = turTransition(m, { type: "check", nowSec: 11, timeout: 30 });
    expect(fx).toEqual([{ type: "reply", state: PathState.DOWN, msgid: CheckerMsgId.DOWN }]);
    expect(m.ctx.thread).toBe(0);
    expect(m.ctx.holders).toBe(1);
  });

  it("the msgid of TIMEOUT names the tur message table's ' timed out'", () => {
    expect(TurMsgId.TIMEOUT).toBe(101);
  });
});
