import { Bio, BlkStatus, type BlockHandle, blkStatusToErrno, type Clock, ReqOp } from "@mp/dm-core";
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
import { PathState } from "../path-state.js";

/**
 * The `directio` checker: an O_DIRECT read of one block at offset 0 through Linux AIO. Requests
 * of all directio checkers share AIO contexts of 1024 (`aio_group`): waiting for one path's
 * completion reaps every completion of its group, and a path whose checker was freed while its
 * read was in flight leaves an orphan that is reaped later. Asynchronously a check waits 1 µs
 * for events (so a read slower than that reports PENDING and is collected by a later check);
 * synchronously it waits up to the checker timeout. A timed-out read cannot be cancelled (block
 * devices do not support `io_cancel`), so the path reports DOWN until the read returns.
 */

export const DirectioMsgId = {
  UNKNOWN: CHECKER_FIRST_MSGID,
  PENDING: CHECKER_FIRST_MSGID + 1,
  BLOCKSIZE: CHECKER_FIRST_MSGID + 2,
} as const;

export const DIRECTIO_MSGTABLE: readonly string[] = [
  " is not available",
  " is waiting on aio",
  " cannot get blocksize, set default",
];

const AIO_GROUP_SIZE = 1024;
const ASYNC_WAIT_NS = 1_000;

/**
 * `BLKBSZGET`: the block device's soft block size as `set_init_blocksize` picks it: from the
 * logical block size, doubled up to a page while the capacity has no set bit at that size.
 */
export function bdevBlockSize(logicalBlockSize: number, sizeBytes: number): number {
  let bsize = logicalBlockSize;
  while (bsize < 4096) {
    if (Math.floor(sizeBytes / bsize) % 2 === 1) break;
    bsize *= 2;
  }
  return bsize;
}

/** One path's AIO request (`struct async_req`). */
interface AsyncReq {
  readonly blksize: number;
  /** PENDING while in flight and not reaped, then UP/DOWN; REMOVED marks an orphan. */
  state: PathState;
  /** The kernel completed it (its event waits in the group's queue). */
  completed: boolean;
  res: number;
  readonly bio: Bio;
  readonly handle: BlockHandle;
  readonly group: AioGroup;
}

/** `struct aio_group`: a shared AIO context and the completions waiting in it. */
class AioGroup {
  holders = 0;
  readonly events: AsyncReq[] = [];
  readonly #waiters = new Set<() => void>();

  /** The kernel finished `req`: queue its event and wake the waiters. */
  post(req: AsyncReq): void {
    this.events.push(req);
    const ws = [...this.#waiters];
    this.#waiters.clear();
    for (const w of ws) w();
  }

  /** Waits for an event: `fn` runs on the next completion unless {@link AioGroup.cancelWait}ed. */
  onEvent(fn: () => void): void {
    this.#waiters.add(fn);
  }

  cancelWait(fn: (() => void) | null): void {
    if (fn) this.#waiters.delete(fn);
  }

  /** `get_events` without waiting: reaps every queued event; true when there was one. */
  reap(log: (prio: number, msg: string) => void): boolean {
    if (this.events.length === 0) return false;
    for (const req of this.events.splice(0)) {
      log(3, `directio: io finished ${BigInt.asUintN(64, BigInt(req.res))}/0`);
      if (req.state === PathState.REMOVED) {
        this.holders--;
        req.handle.close();
      } else {
        req.state = req.res === req.blksize ? PathState.UP : PathState.DOWN;
      }
    }
    return true;
  }
}

class DirectioContext implements CheckerContext {
  running = 0;
  readonly #req: AsyncReq;
  readonly #clock: Clock;
  readonly #log: (prio: number, msg: string) => void;
  #timer = 0;
  #waiter: (() => void) | null = null;

  constructor(req: AsyncReq, clock: Clock, log: (prio: number, msg: string) => void) {
    this.#req = req;
    this.#clock = clock;
    this.#log = log;
  }

  check(c: CheckerHandle): PathState | CheckerWait {
    const req = this.#req;
    const sync = c.sync;
    const log = this.#log;
    if (sync) log(4, "directio: called in synchronous mode");
    if (this.running) {
      if (req.state !== PathState.PENDING) {
        this.running = 0;
        return this.#answer(c, req.state);
      }
    } else {
      log(3, "directio: starting new request");
      req.state = PathState.PENDING;
      req.completed = false;
      const bio = req.bio;
      bio.reset();
      bio.op = ReqOp.READ;
      bio.sector = 0;
      bio.bytes = req.blksize;
      bio.data = new Uint8Array(req.blksize);
      bio.private = req;
      bio.endIo = ioDone;
      try {
        req.handle.submit(bio);
      } catch {
        log(3, "directio: io_submit error 5");
        return this.#answer(c, PathState.UNCHECKED);
      }
    }
    this.running++;
    const timeoutNs = sync ? c.timeout * 1_000_000_000 : ASYNC_WAIT_NS;
    const endNs = this.#clock.now() + timeoutNs;
    // get_events loop: reap what is there, else wait up to the time left for a completion
    const loop = (remaining: number): PathState | CheckerWait => {
      for (;;) {
        const got = req.group.reap(log);
        if (req.state !== PathState.PENDING) {
          this.running = 0;
          return req.state;
        }
        if (!got) break;
        if (remaining <= 0) return this.#giveUp(c);
        remaining = Math.max(0, endNs - this.#clock.now());
      }
      if (remaining <= 0) return this.#giveUp(c);
      const waiter = (): void => {
        this.#waiter = null;
        if (this.#timer) this.#clock.cancel(this.#timer);
        this.#timer = 0;
        this.#resume(c, loop(Math.max(0, endNs - this.#clock.now())));
      };
      this.#waiter = waiter;
      req.group.onEvent(waiter);
      this.#timer = this.#clock.schedule(
        remaining,
        () => {
          this.#timer = 0;
          req.group.cancelWait(this.#waiter);
          this.#waiter = null;
          this.#resume(c, this.#giveUp(c));
        },
        null,
      );
      return CHECKER_WAIT;
    };
    const r = loop(timeoutNs);
    return r === CHECKER_WAIT ? r : this.#answer(c, r);
  }

  #resume(c: CheckerHandle, r: PathState | CheckerWait): void {
    if (r === CHECKER_WAIT) return;
    c.complete(this.#answer(c, r));
  }

  /** After the wait: a timeout (or any synchronous wait) gives DOWN, else PENDING. */
  #giveUp(c: CheckerHandle): PathState {
    if (this.running > c.timeout || c.sync) {
      this.#log(3, "directio: abort check on timeout");
      // io_cancel fails for block devices: running stays set and the read is still collected later
      return PathState.DOWN;
    }
    this.#log(3, "directio: async io pending");
    return PathState.PENDING;
  }

  #answer(c: CheckerHandle, state: PathState): PathState {
    switch (state) {
      case PathState.UNCHECKED:
        c.msgid = DirectioMsgId.UNKNOWN;
        break;
      case PathState.DOWN:
        c.msgid = CheckerMsgId.DOWN;
        break;
      case PathState.UP:
        c.msgid = CheckerMsgId.UP;
        break;
      case PathState.PENDING:
        c.msgid = DirectioMsgId.PENDING;
        break;
      default:
        break;
    }
    return state;
  }

  free(): void {
    const req = this.#req;
    if (this.#timer) this.#clock.cancel(this.#timer);
    req.group.cancelWait(this.#waiter);
    this.#waiter = null;
    if (this.running && req.state === PathState.PENDING && !req.completed) {
      req.state = PathState.REMOVED; // an orphan: reaped (and its handle closed) later
    } else {
      req.group.holders--;
      req.handle.close();
    }
  }
}

function ioDone(bio: Bio): void {
  const req = bio.private as AsyncReq;
  req.completed = true;
  req.res = bio.status === BlkStatus.OK ? req.blksize : -blkStatusToErrno(bio.status);
  bio.data = null;
  req.group.post(req);
}

/** The `directio` checker class; its AIO groups belong to the class instance (one per daemon). */
export function createDirectioChecker(): CheckerClass {
  const groups: AioGroup[] = [];
  const setAioGroup = (): AioGroup => {
    let g = groups.find((x) => x.holders < AIO_GROUP_SIZE);
    if (!g) {
      g = new AioGroup();
      groups.push(g);
    }
    g.holders++;
    return g;
  };
  return defineChecker({
    name: "directio",
    msgtable: DIRECTIO_MSGTABLE,
    init(c) {
      const h = c.env.host.openBlock(c.path.dev);
      if ("errno" in h) return null;
      const blksize = Math.min(4096, bdevBlockSize(h.logicalBlockSize, h.sizeSectors() * 512));
      if (!blksize) {
        h.close();
        return null;
      }
      const group = setAioGroup();
      const req: AsyncReq = {
        blksize,
        state: PathState.UNCHECKED,
        completed: false,
        res: 0,
        bio: new Bio(),
        handle: h,
        group,
      };
      return new DirectioContext(req, c.env.host.clock, c.env.log);
    },
  });
}
