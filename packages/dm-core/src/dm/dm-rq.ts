/**
 * The request-based I/O path of dm-rq.c over a model of the blk-mq queue of the dm disk:
 * dispatch list, requeue list with its (re-armable) kick, quiesce/unquiesce across suspend,
 * `dm_mq_queue_rq` → `clone_and_map_rq` → dispatch of the clone, `dm_done` → `rq_end_io`.
 * A request is one bio here (mp does not merge). Per-request data (`dm_rq_target_io`) and
 * clones live with their request (`dm_rq_target_io` comes from a pool; its clone is reset and kept).
 */

import { Bio, FAILFAST_MASK, ReqFlag } from "../block/bio.js";
import { BlkStatus } from "../block/status.js";
import { type Clock, NSEC_PER_MSEC } from "../clock/clock.js";
import { deferEndio } from "./dm-bio.js";
import { DmLog, type RateLimit } from "./dm-log.js";
import type { MappedDevice } from "./mapped-device.js";
import type { DmTable, DmTargetSlot } from "./table.js";
import { DmEndio, DmMapio, type DmPerIo } from "./target.js";

/** `BLK_MQ_RESOURCE_DELAY`: re-run delay after a RESOURCE answer with nothing in flight. */
const RESOURCE_DELAY_NS = 3 * NSEC_PER_MSEC;
/** `dm_requeue_original_request(tio, true)`: 100 ms. */
const DELAY_REQUEUE_MS = 100;

/** `struct dm_rq_target_io`: lives as long as the request. */
class RqTio implements DmPerIo {
  ctx: unknown = null;
  rq: Bio | null = null;
  slot: DmTargetSlot | null = null;
  table: DmTable | null = null;
  /** The clone while one is in use (mapped, on a path), else null. */
  clone: Bio | null = null;
  /**
   * The request's own clone bio, kept with it across reuse (the kernel embeds the clone in the
   * request's pdu): no pool round trip per request. Reset when the request lets it go.
   */
  readonly cloneBio = new Bio();
  /** Between `dm_start_request` and completion / requeue. */
  started = false;
  error: BlkStatus = BlkStatus.OK;
}

const QUEUE_RQ_OK = 0;
const QUEUE_RQ_RESOURCE = 1;

/** dm-rq for one mapped device. */
export class RqEngine {
  readonly #md: MappedDevice;
  readonly #clock: Clock;
  readonly #tios: RqTio[] = [];
  /** `hctx->dispatch` + the software queues, in dispatch order. */
  readonly #dispatch: Bio[] = [];
  /** `q->requeue_list`, in the order the kick re-inserts it. */
  readonly #requeue: Bio[] = [];
  /** Quiesced (`dm_stop_queue`). */
  #stopped = false;
  #running = false;
  /** SCHED_RESTART: re-run when a request completes. */
  #needRestart = false;
  #kickHandle = 0;
  #kickDue = 0;
  #runHandle = 0;
  #delayHandle = 0;
  /** Started requests (`blk_mq_queue_inflight`). */
  inflight = 0;
  readonly #log: DmLog;
  readonly #rlUnavailable: RateLimit;
  readonly #cloneEndio = (clone: Bio): void => this.#onCloneEnd(clone);
  readonly #requeueWork = (): void => {
    this.#kickHandle = 0;
    this.#doRequeueWork();
  };
  readonly #runTask = (): void => {
    this.#runHandle = 0;
    this.run();
  };
  readonly #delayTask = (): void => {
    this.#delayHandle = 0;
    this.run();
  };
  readonly #killTask = (tio: RqTio): void => this.#endRequest(tio, tio.error);

  constructor(md: MappedDevice) {
    this.#md = md;
    this.#clock = md.ctx.clock;
    this.#log = new DmLog(md.ctx.log, "core-rq");
    this.#rlUnavailable = md.ctx.ratelimit("dm_mq_queue_rq");
  }

  /** Requests waiting to be dispatched (queued, requeued or held while suspended). */
  get waiting(): number {
    return this.#dispatch.length + this.#requeue.length;
  }

  /** `blk_mq_submit_bio`: issue directly when the queue is idle, else queue. */
  submit(rq: Bio): void {
    // blk_mq_bio_to_request: a readahead request must fail fast rather than be retried.
    if (rq.flags & ReqFlag.RAHEAD) rq.flags |= FAILFAST_MASK;
    // tio.ctx keeps the target's per-request context from the last use (dm_mq_init_request
    // places it in the pdu once; the target resets it at end_io): nothing to allocate here.
    const tio = this.#tios.pop() ?? new RqTio();
    tio.rq = rq;
    rq.driverData = tio;
    if (!this.#stopped && !this.#running && this.#dispatch.length === 0) {
      this.#running = true;
      const res = this.#queueRq(rq);
      this.#running = false;
      if (res === QUEUE_RQ_RESOURCE) {
        this.#dispatch.push(rq);
        this.#resourceWait();
      }
      return;
    }
    this.#dispatch.push(rq);
    this.run();
  }

  /** `blk_mq_run_hw_queue` (synchronous). */
  run(): void {
    if (this.#stopped || this.#running) return;
    this.#running = true;
    while (this.#dispatch.length > 0 && !this.#stopped) {
      const rq = this.#dispatch[0]!;
      if (this.#queueRq(rq) === QUEUE_RQ_RESOURCE) {
        this.#resourceWait();
        break;
      }
      this.#dispatch.shift();
    }
    this.#running = false;
  }

  #resourceWait(): void {
    this.#needRestart = true;
    if (this.inflight === 0 && !this.#delayHandle)
      this.#delayHandle = this.#clock.schedule(RESOURCE_DELAY_NS, this.#delayTask, null);
  }

  /** `dm_table_run_md_queue_async` + `dm_mq_kick_requeue_list`. */
  runQueueAsync(): void {
    this.#scheduleRun();
    this.#kick(0);
  }

  #scheduleRun(): void {
    if (!this.#runHandle) this.#runHandle = this.#clock.schedule(0, this.#runTask, null);
  }

  /** `blk_mq_delay_kick_requeue_list`: re-arms the one kick timer (mod_delayed_work). */
  #kick(ms: number): void {
    if (this.#kickHandle) this.#clock.cancel(this.#kickHandle);
    this.#kickDue = this.#clock.now() + ms * NSEC_PER_MSEC;
    this.#kickHandle = this.#clock.schedule(ms * NSEC_PER_MSEC, this.#requeueWork, null);
  }

  /** `blk_mq_requeue_work`: requeued requests go to the front of the queue, then run it. */
  #doRequeueWork(): void {
    if (this.#requeue.length > 0) {
      this.#dispatch.unshift(...this.#requeue);
      this.#requeue.length = 0;
    }
    this.run();
  }

  /**
   * At suspend, before dm core blocks I/O: queue work the targets' presuspend asked for (a kick
   * or run due now) wins the race against the quiesce, as it does on Linux.
   */
  runDueWork(): void {
    if (this.#kickHandle && this.#kickDue <= this.#clock.now()) {
      this.#clock.cancel(this.#kickHandle);
      this.#kickHandle = 0;
      this.#doRequeueWork();
    }
    if (this.#runHandle) {
      this.#clock.cancel(this.#runHandle);
      this.#runHandle = 0;
      this.run();
    }
  }

  /** `dm_stop_queue`. */
  stop(): void {
    this.#stopped = true;
  }

  /** `dm_start_queue` at resume: unquiesce (runs the queue) and kick the requeue list. */
  start(): void {
    this.#stopped = false;
    this.#scheduleRun();
    this.#kick(0);
  }

  /** `dm_mq_queue_rq`. */
  #queueRq(rq: Bio): number {
    const md = this.#md;
    const tio = rq.driverData as RqTio;
    if (md.freeing) {
      this.#kill(tio, BlkStatus.IOERR);
      return QUEUE_RQ_OK;
    }
    if (md.blockIo) return QUEUE_RQ_RESOURCE;
    const map = md.live;
    const slot = map ? (map.immutableTarget() ?? map.findTarget(0)) : null;
    if (!map || !slot) {
      if (this.#rlUnavailable.allow(this.#clock.now(), md.ctx.log))
        this.#log.err(`${md.dmName}: mapping table unavailable, erroring io`);
      this.#kill(tio, BlkStatus.IOERR);
      return QUEUE_RQ_OK;
    }
    const t = slot.t;
    if (t.busy?.()) return QUEUE_RQ_RESOURCE;
    // dm_start_request
    tio.started = true;
    tio.slot = slot;
    tio.table = map;
    map.inflight++;
    md.pendingIo++;
    this.inflight++;
    const clone = tio.cloneBio;
    clone.endIo = this.#cloneEndio;
    clone.private = tio;
    clone.startNs = this.#clock.now();
    tio.clone = clone;
    const r = t.cloneAndMap ? t.cloneAndMap(rq, tio, clone) : DmMapio.KILL;
    switch (r) {
      case DmMapio.SUBMITTED:
        break;
      case DmMapio.REMAPPED:
        this.issueClone(clone);
        break;
      case DmMapio.REQUEUE:
        this.#dropClone(tio);
        this.#unstart(tio);
        md.checkDrained();
        return QUEUE_RQ_RESOURCE;
      case DmMapio.DELAY_REQUEUE:
        this.#requeueOriginal(tio, DELAY_REQUEUE_MS);
        break;
      case DmMapio.KILL:
        this.#dropClone(tio);
        this.#kill(tio, BlkStatus.IOERR);
        break;
      default:
        this.#log.crit(`unimplemented target map return value: ${r}`);
        this.#dropClone(tio);
        this.#kill(tio, BlkStatus.IOERR);
    }
    return QUEUE_RQ_OK;
  }

  /** `blk_insert_cloned_request` of a remapped clone. */
  issueClone(clone: Bio): void {
    const dev = clone.dev;
    if (!dev || dev === this.#md) {
      deferEndio(this.#clock, clone, BlkStatus.IOERR);
      return;
    }
    dev.submit(clone);
  }

  #dropClone(tio: RqTio): void {
    const c = tio.clone;
    if (c) {
      tio.clone = null;
      c.reset();
    }
  }

  #unstart(tio: RqTio): void {
    if (!tio.started) return;
    tio.started = false;
    const table = tio.table!;
    tio.table = null;
    tio.slot = null;
    this.inflight--;
    this.#md.pendingIo--;
    this.#md.tableIoDone(table);
  }

  /** `dm_kill_unmapped_request`: completes through softirq, i.e. later on the clock. */
  #kill(tio: RqTio, status: BlkStatus): void {
    tio.error = status;
    this.#clock.schedule(0, this.#killTask, tio);
  }

  /** `dm_done` for a clone completion. */
  #onCloneEnd(clone: Bio): void {
    const tio = clone.private as RqTio;
    const status = clone.status;
    const t = tio.slot!.t;
    const r = t.rqEndIo ? t.rqEndIo(clone, tio, status) : DmEndio.DONE;
    switch (r) {
      case DmEndio.DONE:
        this.#endRequest(tio, status);
        break;
      case DmEndio.INCOMPLETE:
        break;
      case DmEndio.REQUEUE:
        this.#requeueOriginal(tio, 0);
        break;
      case DmEndio.DELAY_REQUEUE:
        this.#requeueOriginal(tio, DELAY_REQUEUE_MS);
        break;
      default:
        this.#log.crit(`unimplemented target endio return value: ${r}`);
        this.#endRequest(tio, BlkStatus.IOERR);
    }
  }

  /** `dm_end_request` / `blk_mq_end_request`: prints the I/O error line and completes. */
  #endRequest(tio: RqTio, status: BlkStatus): void {
    const md = this.#md;
    const rq = tio.rq!;
    this.#dropClone(tio);
    this.#unstart(tio);
    tio.rq = null;
    tio.error = BlkStatus.OK;
    this.#tios.push(tio);
    rq.driverData = null;
    if (status !== BlkStatus.OK && !md.freeing) md.ctx.block.printReqError(md, rq, status);
    rq.status = status;
    const fn = rq.endIo;
    if (fn) fn(rq);
    if (this.#needRestart && this.#dispatch.length > 0) {
      this.#needRestart = false;
      this.#scheduleRun();
    }
    md.checkDrained();
  }

  /** `dm_requeue_original_request`. */
  #requeueOriginal(tio: RqTio, delayMs: number): void {
    this.#dropClone(tio);
    this.#unstart(tio);
    if (this.#md.freeing) {
      // The device is gone: nothing will run its queue again.
      this.#kill(tio, BlkStatus.IOERR);
      this.#md.checkDrained();
      return;
    }
    this.#requeue.push(tio.rq!);
    this.#kick(delayMs);
    this.#md.checkDrained();
  }

  /** The device goes away: requests still queued fail; timers stop. */
  failHeld(): void {
    for (const h of [this.#kickHandle, this.#runHandle, this.#delayHandle]) if (h) this.#clock.cancel(h);
    this.#kickHandle = 0;
    this.#runHandle = 0;
    this.#delayHandle = 0;
    const held = [...this.#requeue.splice(0), ...this.#dispatch.splice(0)];
    for (const rq of held) this.#kill(rq.driverData as RqTio, BlkStatus.IOERR);
  }
}
