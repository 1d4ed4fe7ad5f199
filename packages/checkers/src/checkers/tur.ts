import {
  devMajor,
  devMinor,
  type Host,
  HostStatus,
  NSEC_PER_MSEC,
  NSEC_PER_SEC,
  testUnitReadyCdb,
} from "@mp/dm-core";
import {
  CHECKER_FIRST_MSGID,
  CHECKER_WAIT,
  type CheckerClass,
  type CheckerContext,
  type CheckerHandle,
  CheckerMsgId,
  type CheckerWait,
  defineChecker,
} from "../checker.js";
import { ENOTTY } from "../errno.js";
import { checkerStateName, PathState } from "../path-state.js";
import { SG_INFO_OK_MASK, type SgIoHdr, sgIo } from "../sg-io.js";

/**
 * The `tur` checker (default): TEST UNIT READY through SG_IO. Synchronously it is one command
 * (with the checker's retries); asynchronously it is 0.9.4's detached-thread protocol, modelled
 * as the pure state machine {@link turTransition}: a check starts a "thread", waits up to 1 ms
 * for it, and otherwise reports PENDING; later checks collect the result, or report TIMEOUT when
 * the deadline (whole seconds, as `tur_check_async_timeout` compares them) has passed.
 */

export const TurMsgId = {
  RUNNING: CHECKER_FIRST_MSGID,
  TIMEOUT: CHECKER_FIRST_MSGID + 1,
  FAILED: CHECKER_FIRST_MSGID + 2,
} as const;

export const TUR_MSGTABLE: readonly string[] = [" still running", " timed out", " failed to initialize"];

/** `MAX_NR_TIMEOUTS`: stalled threads tolerated before no new one is started. */
const MAX_NR_TIMEOUTS = 1;
/** The `pthread_cond_timedwait` a fresh check waits for its thread. */
export const TUR_GRACE_NS = NSEC_PER_MSEC;

// ---------------------------------------------------------------------------------------------
// tur_check: one synchronous TUR with the checker's retries

/** The outcome of evaluating one TUR: send it again, or a state and message id. */
export type TurVerdict =
  | { readonly retry: true }
  | { readonly retry: false; readonly state: PathState; readonly msgid: number };

const TUR_OK_HOST = new Set<number>([
  HostStatus.DID_OK,
  HostStatus.DID_NO_CONNECT,
  HostStatus.DID_BAD_TARGET,
  HostStatus.DID_ABORT,
  HostStatus.DID_TRANSPORT_FAILFAST,
]);

/**
 * `tur_check`'s evaluation of one SG_IO. `tries` is the shared retry budget (`retry_tur`, 5):
 * a driver error and a UNIT ATTENTION each use one and ask for another TUR while any is left.
 * Note 0.9.4 reports ALUA "transitioning" (02/04/0A) as DOWN; only standby (02/04/0B) is GHOST.
 */
export function turVerdict(h: SgIoHdr, tries: { left: number }): TurVerdict {
  if (h.errno) {
    return h.errno === ENOTTY
      ? { retry: false, state: PathState.WILD, msgid: CheckerMsgId.UNSUPPORTED }
      : { retry: false, state: PathState.DOWN, msgid: CheckerMsgId.DOWN };
  }
  if ((h.status & 0x7e) === 0x18) return { retry: false, state: PathState.UP, msgid: CheckerMsgId.UP };
  if (h.info & SG_INFO_OK_MASK) {
    if (!TUR_OK_HOST.has(h.hostStatus) && --tries.left > 0) return { retry: true };
    let key = 0;
    let asc = 0;
    let ascq = 0;
    const b = h.sbp;
    if (h.sbLenWr > 3) {
      if (b[0] === 0x72 || b[0] === 0x73) {
        key = (b[1] ?? 0) & 0x0f;
        asc = b[2] ?? 0;
        ascq = b[3] ?? 0;
      } else if (h.sbLenWr > 13 && (((b[0] ?? 0) & 0x7f) === 0x70 || ((b[0] ?? 0) & 0x7f) === 0x71)) {
        key = (b[2] ?? 0) & 0x0f;
        asc = b[12] ?? 0;
        ascq = b[13] ?? 0;
      }
    }
    if (key === 0x6) {
      if (--tries.left > 0) return { retry: true };
    } else if (key === 0x2 && asc === 0x04 && ascq === 0x0b) {
      return { retry: false, state: PathState.GHOST, msgid: CheckerMsgId.GHOST };
    }
    return { retry: false, state: PathState.DOWN, msgid: CheckerMsgId.DOWN };
  }
  return { retry: false, state: PathState.UP, msgid: CheckerMsgId.UP };
}

/** `tur_check(fd, timeout)`: sends TUR (timeout in seconds) until {@link turVerdict} settles. */
export function turCheck(
  host: Host,
  dev: string,
  timeoutSec: number,
  done: (state: PathState, msgid: number) => void,
): void {
  const tries = { left: 5 };
  const send = (): void => {
    sgIo(
      host,
      dev,
      { cdb: testUnitReadyCdb(), direction: "none", dxferLen: 0, mxSbLen: 32, timeoutMs: timeoutSec * 1000 },
      (h) => {
        const v = turVerdict(h, tries);
        if (v.retry) send();
        else done(v.state, v.msgid);
      },
    );
  };
  send();
}

// ---------------------------------------------------------------------------------------------
// The asynchronous protocol as a pure state machine

/** One `struct tur_checker_context`. */
export interface TurContextState {
  readonly id: number;
  /** `ct->thread`: the thread whose result is still to be collected, 0 = none. */
  readonly thread: number;
  /** `ct->running`: that thread has not finished (or been cancelled). */
  readonly running: boolean;
  readonly state: PathState;
  readonly msgid: number;
  /** `ct->time`: the deadline, in whole seconds of the monotonic clock. */
  readonly deadlineSec: number;
  /** `ct->holders`: the checker's reference plus one per live thread (cancelled ones included). */
  readonly holders: number;
  readonly nrTimeouts: number;
}

/** A thread (one TUR in flight) and the context it belongs to. */
export interface TurThread {
  readonly ctx: number;
  readonly cancelled: boolean;
}

/** The whole asynchronous state of one path's tur checker. */
export interface TurMachine {
  /** `major:minor` for log lines. */
  readonly devt: string;
  readonly ctx: TurContextState;
  /** Threads whose TUR has not returned, by id. */
  readonly threads: ReadonlyMap<number, TurThread>;
  /** A check is inside its 1 ms wait for the thread it just started. */
  readonly waiting: boolean;
  readonly nextId: number;
}

export type TurEvent =
  /** `libcheck_check` in async mode at `nowSec` (monotonic whole seconds), `c->timeout` seconds. */
  | { readonly type: "check"; readonly nowSec: number; readonly timeout: number }
  /** A thread's TUR returned. */
  | { readonly type: "io-done"; readonly thread: number; readonly state: PathState; readonly msgid: number }
  /** The 1 ms wait of the current check ran out. */
  | { readonly type: "grace-expired" };

export type TurEffect =
  /** Start the thread: one `tur_check` with `timeout` seconds, answering with `io-done`. */
  | { readonly type: "start-io"; readonly thread: number; readonly timeout: number }
  /** Wait {@link TUR_GRACE_NS} for the thread, then send `grace-expired`. */
  | { readonly type: "arm-grace" }
  | { readonly type: "disarm-grace" }
  /** The check returns this state and message id. */
  | { readonly type: "reply"; readonly state: PathState; readonly msgid: number }
  | { readonly type: "log"; readonly prio: number; readonly msg: string };

/** A fresh machine (`libcheck_init`). */
export function turInitial(devt: string): TurMachine {
  return { devt, ctx: freshContext(1, 0), threads: new Map(), waiting: false, nextId: 2 };
}

function freshContext(id: number, nrTimeouts: number): TurContextState {
  return context(id, 0, false, PathState.UNCHECKED, CheckerMsgId.NONE, 0, 1, nrTimeouts);
}

/** A machine with its fields written out (one shape for every state; no spread per event). */
function machine(
  devt: string,
  ctx: TurContextState,
  threads: ReadonlyMap<number, TurThread>,
  waiting: boolean,
  nextId: number,
): TurMachine {
  return { devt, ctx, threads, waiting, nextId };
}

/** A context with its fields written out. */
function context(
  id: number,
  thread: number,
  running: boolean,
  state: PathState,
  msgid: number,
  deadlineSec: number,
  holders: number,
  nrTimeouts: number,
): TurContextState {
  return { id, thread, running, state, msgid, deadlineSec, holders, nrTimeouts };
}

function logFx(fx: TurEffect[], m: TurMachine, prio: number, msg: string): void {
  fx.push({ type: "log", prio, msg: `${m.devt} : ${msg}` });
}

/** The asynchronous tur checker's transition function. */
export function turTransition(m: TurMachine, e: TurEvent): [TurMachine, TurEffect[]] {
  const fx: TurEffect[] = [];
  switch (e.type) {
    case "check": {
      const c = m.ctx;
      if (c.thread !== 0) {
        if (e.nowSec > c.deadlineSec) {
          let threads = m.threads;
          if (c.running) {
            const t = threads.get(c.thread);
            if (t) {
              const copy = new Map(threads);
              copy.set(c.thread, { ctx: t.ctx, cancelled: true });
              threads = copy;
            } else threads = new Map(threads);
            logFx(fx, m, 3, "tur checker timeout");
            fx.push({ type: "reply", state: PathState.TIMEOUT, msgid: TurMsgId.TIMEOUT });
          } else {
            threads = new Map(threads);
            fx.push({ type: "reply", state: c.state, msgid: c.msgid });
          }
          const ctx = context(c.id, 0, false, c.state, c.msgid, c.deadlineSec, c.holders, c.nrTimeouts);
          return [machine(m.devt, ctx, threads, m.waiting, m.nextId), fx];
        }
        if (c.running) {
          logFx(fx, m, 3, "tur checker not finished");
          fx.push({ type: "reply", state: PathState.PENDING, msgid: CheckerMsgId.NONE });
          return [m, fx];
        }
        fx.push({ type: "reply", state: c.state, msgid: c.msgid });
        const ctx = context(c.id, 0, c.running, c.state, c.msgid, c.deadlineSec, c.holders, c.nrTimeouts);
        return [machine(m.devt, ctx, m.threads, m.waiting, m.nextId), fx];
      }
      let nextId = m.nextId;
      // The context the new thread runs in: this one, or a new one beside a stalled thread.
      let id = c.id;
      let holders = c.holders;
      let nr = 0;
      if (c.holders > 1) {
        nr = c.nrTimeouts;
        if (nr === MAX_NR_TIMEOUTS) {
          fx.push({ type: "log", prio: 2, msg: `${m.devt} : waiting for stalled tur thread to finish` });
          nr++;
        }
        if (nr > MAX_NR_TIMEOUTS) {
          fx.push({ type: "reply", state: PathState.TIMEOUT, msgid: TurMsgId.TIMEOUT });
          const ctx = context(c.id, c.thread, c.running, c.state, c.msgid, c.deadlineSec, c.holders, nr);
          return [machine(m.devt, ctx, m.threads, m.waiting, m.nextId), fx];
        }
        nr++;
        logFx(fx, m, 3, "tur thread not responding");
        // A new context for a new thread; the stalled one keeps the old context.
        id = nextId++;
        holders = 1;
      }
      const thread = nextId++;
      const threads = new Map(m.threads);
      threads.set(thread, { ctx: id, cancelled: false });
      const ctx = context(
        id,
        thread,
        true,
        PathState.PENDING,
        CheckerMsgId.NONE,
        e.nowSec + e.timeout,
        holders + 1,
        nr,
      );
      fx.push({ type: "start-io", thread, timeout: e.timeout });
      fx.push({ type: "arm-grace" });
      return [machine(m.devt, ctx, threads, true, nextId), fx];
    }
    case "io-done": {
      const t = m.threads.get(e.thread);
      if (!t) return [m, fx];
      const threads = new Map(m.threads);
      threads.delete(e.thread);
      const c = m.ctx;
      if (t.ctx !== c.id) return [machine(m.devt, c, threads, m.waiting, m.nextId), fx];
      if (t.cancelled) {
        const ctx = context(
          c.id,
          c.thread,
          c.running,
          c.state,
          c.msgid,
          c.deadlineSec,
          c.holders - 1,
          c.nrTimeouts,
        );
        return [machine(m.devt, ctx, threads, m.waiting, m.nextId), fx];
      }
      logFx(fx, m, 4, `tur checker finished, state ${checkerStateName(e.state)}`);
      let thread = c.thread;
      let waiting = m.waiting;
      if (waiting && thread === e.thread) {
        fx.push({ type: "disarm-grace" });
        fx.push({ type: "reply", state: e.state, msgid: e.msgid });
        thread = 0;
        waiting = false;
      }
      const ctx = context(c.id, thread, false, e.state, e.msgid, c.deadlineSec, c.holders - 1, c.nrTimeouts);
      return [machine(m.devt, ctx, threads, waiting, m.nextId), fx];
    }
    case "grace-expired": {
      if (!m.waiting) return [m, fx];
      logFx(fx, m, 4, "tur checker still running");
      fx.push({ type: "reply", state: PathState.PENDING, msgid: CheckerMsgId.NONE });
      return [machine(m.devt, m.ctx, m.threads, false, m.nextId), fx];
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The runner

class TurContext implements CheckerContext {
  #m: TurMachine;
  #handle: CheckerHandle | null = null;
  #grace = 0;
  #freed = false;
  readonly #host: Host;
  readonly #dev: string;
  readonly #log: (prio: number, msg: string) => void;

  constructor(c: CheckerHandle) {
    this.#host = c.env.host;
    this.#log = c.env.log;
    this.#dev = c.path.dev;
    this.#m = turInitial(`${devMajor(c.path.devt)}:${devMinor(c.path.devt)}`);
  }

  check(c: CheckerHandle): PathState | CheckerWait {
    if (c.sync) {
      turCheck(this.#host, this.#dev, c.timeout, (state, msgid) => {
        if (this.#freed) return;
        c.msgid = msgid;
        c.complete(state);
      });
      return CHECKER_WAIT;
    }
    this.#handle = c;
    const reply = this.#step({
      type: "check",
      nowSec: Math.floor(this.#host.clock.now() / NSEC_PER_SEC),
      timeout: c.timeout,
    });
    if (reply) {
      this.#handle = null;
      c.msgid = reply.msgid;
      return reply.state;
    }
    return CHECKER_WAIT;
  }

  /** Applies one event; returns the reply it produced, if any. */
  #step(e: TurEvent): { state: PathState; msgid: number } | null {
    const [m, fx] = turTransition(this.#m, e);
    this.#m = m;
    let reply: { state: PathState; msgid: number } | null = null;
    for (const f of fx) {
      switch (f.type) {
        case "start-io": {
          const thread = f.thread;
          this.#log(4, `${m.devt} : tur checker starting up`);
          turCheck(this.#host, this.#dev, f.timeout, (state, msgid) => this.#ioDone(thread, state, msgid));
          break;
        }
        case "arm-grace":
          this.#grace = this.#host.clock.schedule(TUR_GRACE_NS, graceExpired, this);
          break;
        case "disarm-grace":
          if (this.#grace) this.#host.clock.cancel(this.#grace);
          this.#grace = 0;
          break;
        case "reply":
          reply = { state: f.state, msgid: f.msgid };
          break;
        case "log":
          this.#log(f.prio, f.msg);
          break;
        default: {
          const never: never = f;
          return never;
        }
      }
    }
    return reply;
  }

  #deliver(reply: { state: PathState; msgid: number } | null): void {
    const c = this.#handle;
    if (!reply || !c) return;
    this.#handle = null;
    if (this.#freed) return;
    c.msgid = reply.msgid;
    c.complete(reply.state);
  }

  #ioDone(thread: number, state: PathState, msgid: number): void {
    this.#deliver(this.#step({ type: "io-done", thread, state, msgid }));
  }

  /** @internal the 1 ms wait ran out (see {@link graceExpired}). */
  graceExpired(): void {
    this.#grace = 0;
    this.#deliver(this.#step({ type: "grace-expired" }));
  }

  /** The machine, for inspection (tests, dashboards). */
  get machine(): TurMachine {
    return this.#m;
  }

  free(): void {
    // libcheck_free cancels a running thread; its TUR still returns, into a forgotten context.
    this.#freed = true;
    if (this.#grace) this.#host.clock.cancel(this.#grace);
    this.#grace = 0;
    this.#handle = null;
  }
}

/** The grace timer's callback: the context comes as the timer's argument (no closure per check). */
function graceExpired(c: TurContext): void {
  c.graceExpired();
}

/** The `tur` checker class. */
export function createTurChecker(): CheckerClass {
  return defineChecker({
    name: "tur",
    msgtable: TUR_MSGTABLE,
    init: (c) => new TurContext(c),
  });
}
