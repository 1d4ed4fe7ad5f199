/**
 * The bio-based I/O path of dm.c: `dm_submit_bio` → clone per target → `map` → dispatch;
 * `clone_endio` → target `end_io` → `dm_io_dec_pending` → complete or push back (noflush) the
 * original. Bios arriving while the device is suspended wait on `md->deferred` until resume.
 * Per-I/O objects (dm_io, dm_target_io, clone bios) come from pools.
 */

import { type Bio, BioPool, ReqFlag, ReqOp } from "../block/bio.js";
import { BlkStatus } from "../block/status.js";
import type { Clock } from "../clock/clock.js";
import type { DmLog, RateLimit } from "./dm-log.js";
import type { MappedDevice } from "./mapped-device.js";
import type { DmTable, DmTargetSlot } from "./table.js";
import { DmEndio, DmMapio, type DmPerIo } from "./target.js";

function runEndio(bio: Bio): void {
  const fn = bio.endIo;
  if (fn) fn(bio);
}

/** Completes `bio` with `status` on the clock at the current time (never inside the caller). */
export function deferEndio(clock: Clock, bio: Bio, status: BlkStatus): void {
  bio.status = status;
  clock.schedule(0, runEndio, bio);
}

/** `struct dm_io`: one original bio being served. */
class DmIo {
  orig: Bio | null = null;
  table: DmTable | null = null;
  /** References: one for submission plus one per clone still out. */
  count = 0;
  status: BlkStatus = BlkStatus.OK;
}

/** `struct dm_target_io`: one clone; the target's per-bio data lives in {@link DmTio.ctx}. */
class DmTio implements DmPerIo {
  ctx: unknown = null;
  targetBioNr = 0;
  io: DmIo | null = null;
  slot: DmTargetSlot | null = null;
  clone: Bio | null = null;
}

/** dm.c's bio path for one mapped device. */
export class BioEngine {
  readonly #md: MappedDevice;
  readonly #clock: Clock;
  readonly #bios = new BioPool();
  readonly #ios: DmIo[] = [];
  readonly #tios: DmTio[] = [];
  /** `md->deferred`. */
  readonly #deferred: Bio[] = [];
  #workPending = false;
  /** Depth of submissions on the stack: completions then go through the clock. */
  #submitting = 0;
  readonly #log: DmLog;
  readonly #rlUnavailable: RateLimit;
  readonly #cloneEndio = (clone: Bio): void => this.#onCloneEnd(clone);
  readonly #work = (): void => this.#runWork();

  constructor(md: MappedDevice) {
    this.#md = md;
    this.#clock = md.ctx.clock;
    this.#log = md.dmlog;
    this.#rlUnavailable = md.ctx.ratelimit("dm_submit_bio");
  }

  /** Bios held while suspended (tests and status). */
  get deferredCount(): number {
    return this.#deferred.length;
  }

  /** `dm_submit_bio`. */
  submit(bio: Bio): void {
    const md = this.#md;
    const map = md.live;
    if (!map) {
      if (this.#rlUnavailable.allow(this.#clock.now(), md.ctx.log))
        this.#log.err(`${md.dmName}: mapping table unavailable, erroring io`);
      deferEndio(this.#clock, bio, BlkStatus.IOERR);
      return;
    }
    if (md.blockIo) {
      if (bio.flags & ReqFlag.NOWAIT) deferEndio(this.#clock, bio, BlkStatus.AGAIN);
      else if (bio.flags & ReqFlag.RAHEAD) deferEndio(this.#clock, bio, BlkStatus.IOERR);
      else this.#deferred.push(bio);
      return;
    }
    this.#splitAndProcess(map, bio);
  }

  /** `dm_split_and_process_bio`: one clone per target the bio touches. */
  #splitAndProcess(map: DmTable, bio: Bio): void {
    const md = this.#md;
    const io = this.#ios.pop() ?? new DmIo();
    io.orig = bio;
    io.table = map;
    io.count = 1;
    io.status = BlkStatus.OK;
    map.inflight++;
    md.pendingIo++;
    this.#submitting++;
    let error: BlkStatus = BlkStatus.OK;
    if (bio.flags & ReqFlag.PREFLUSH) {
      // __send_empty_flush: the data part (if any) is resubmitted once the flush completed.
      for (const slot of map.targets) {
        const n = slot.t.numFlushBios ?? 1;
        for (let k = 0; k < n; k++) {
          const tio = this.#clone(io, slot, bio, slot.begin, 0, 0);
          tio.targetBioNr = k;
          this.#mapBio(tio);
        }
      }
    } else {
      const total = bio.bytes >>> 9;
      const op = bio.op;
      // is_abnormal_io: these go to each target whole, duplicated per the target's count.
      const abnormal = op === ReqOp.DISCARD || op === ReqOp.SECURE_ERASE || op === ReqOp.WRITE_ZEROES;
      let sector = bio.sector;
      let remaining = total;
      do {
        const slot = map.findTarget(sector);
        if (!slot) {
          error = BlkStatus.IOERR;
          break;
        }
        let len = Math.min(slot.begin + slot.len - sector, remaining);
        const t = slot.t;
        if (abnormal) {
          const n =
            (op === ReqOp.DISCARD
              ? t.numDiscardBios
              : op === ReqOp.SECURE_ERASE
                ? t.numSecureEraseBios
                : t.numWriteZeroesBios) ?? 1;
          if (n === 0) {
            error = BlkStatus.NOTSUPP;
            break;
          }
          for (let k = 0; k < n; k++) {
            const tio = this.#clone(io, slot, bio, sector, len, (total - remaining) << 9);
            tio.targetBioNr = k;
            this.#mapBio(tio);
          }
        } else {
          const chunk = t.maxIoLen;
          // max_io_len: blk_chunk_sectors_left within the target.
          if (chunk) len = Math.min(len, chunk - ((sector - slot.begin) % chunk));
          const tio = this.#clone(io, slot, bio, sector, len, (total - remaining) << 9);
          this.#mapBio(tio);
        }
        sector += len;
        remaining -= len;
      } while (remaining > 0);
    }
    this.#decPending(io, error);
    this.#submitting--;
  }

  #clone(io: DmIo, slot: DmTargetSlot, bio: Bio, sector: number, len: number, offset: number): DmTio {
    const clone = this.#bios.get();
    clone.copyFrom(bio);
    clone.sector = sector - slot.begin;
    const bytes = len << 9;
    clone.bytes = bytes;
    if (bio.data && (offset !== 0 || bytes !== bio.bytes))
      clone.data = bio.data.subarray(offset, offset + bytes);
    else if (bytes === 0) clone.data = null;
    clone.startNs = this.#clock.now();
    clone.endIo = this.#cloneEndio;
    const tio = this.#tios.pop() ?? new DmTio();
    tio.io = io;
    tio.slot = slot;
    tio.clone = clone;
    tio.ctx = null;
    tio.targetBioNr = 0;
    clone.private = tio;
    io.count++;
    return tio;
  }

  /** `__map_bio`. */
  #mapBio(tio: DmTio): void {
    const slot = tio.slot!;
    const clone = tio.clone!;
    const t = slot.t;
    const r = t.map ? t.map(clone, tio) : DmMapio.KILL;
    switch (r) {
      case DmMapio.SUBMITTED:
        break;
      case DmMapio.REMAPPED:
        this.issueClone(clone);
        break;
      case DmMapio.KILL:
        this.#endTio(tio, BlkStatus.IOERR);
        break;
      case DmMapio.REQUEUE:
        this.#endTio(tio, BlkStatus.DM_REQUEUE);
        break;
      default:
        this.#log.crit(`unimplemented target map return value: ${r}`);
        this.#endTio(tio, BlkStatus.IOERR);
    }
  }

  /** `submit_bio_noacct(clone)` of a remapped clone (`dm_submit_bio_remap`). */
  issueClone(clone: Bio): void {
    const dev = clone.dev;
    if (!dev || dev === this.#md) {
      // A target that remaps without choosing a device would loop the bio into itself.
      deferEndio(this.#clock, clone, BlkStatus.IOERR);
      return;
    }
    dev.submit(clone);
  }

  /** `clone_endio`. */
  #onCloneEnd(clone: Bio): void {
    const tio = clone.private as DmTio;
    const t = tio.slot!.t;
    let error = clone.status;
    if (t.endIo) {
      const r = t.endIo(clone, tio);
      error = clone.status;
      switch (r) {
        case DmEndio.DONE:
          break;
        case DmEndio.INCOMPLETE:
          return;
        case DmEndio.REQUEUE:
          error = BlkStatus.DM_REQUEUE;
          break;
        default:
          this.#log.crit(`unimplemented target endio return value: ${r}`);
          error = BlkStatus.IOERR;
      }
    }
    this.#endTio(tio, error);
  }

  #endTio(tio: DmTio, error: BlkStatus): void {
    const io = tio.io!;
    const clone = tio.clone!;
    tio.io = null;
    tio.slot = null;
    tio.clone = null;
    tio.ctx = null;
    this.#tios.push(tio);
    this.#bios.put(clone);
    this.#decPending(io, error);
  }

  /** `dm_io_dec_pending`: a push-back (noflush requeue) wins over errors. */
  #decPending(io: DmIo, error: BlkStatus): void {
    if (error && !(io.status === BlkStatus.DM_REQUEUE && this.#md.noflushSuspendingFlag)) io.status = error;
    if (--io.count === 0) this.#complete(io);
  }

  /** `__dm_io_complete`. */
  #complete(io: DmIo): void {
    const md = this.#md;
    const bio = io.orig!;
    let status = io.status;
    let requeued = false;
    if (status === BlkStatus.DM_REQUEUE) {
      if (md.noflushSuspendingFlag) {
        this.#deferred.unshift(bio);
        requeued = true;
      } else status = BlkStatus.IOERR;
    }
    const table = io.table!;
    io.orig = null;
    io.table = null;
    this.#ios.push(io);
    md.pendingIo--;
    md.tableIoDone(table);
    md.checkDrained();
    if (requeued) {
      this.kick();
      return;
    }
    if (bio.flags & ReqFlag.PREFLUSH && bio.bytes > 0 && status === BlkStatus.OK) {
      // The preflush is done: the data goes down as a plain write.
      bio.flags &= ~ReqFlag.PREFLUSH;
      this.#deferred.push(bio);
      this.kick();
      return;
    }
    if (this.#submitting > 0) deferEndio(this.#clock, bio, status);
    else {
      bio.status = status;
      runEndio(bio);
    }
  }

  /** `queue_work(md->wq, &md->work)`: resubmit deferred bios unless (again) suspended. */
  kick(): void {
    if (this.#workPending || this.#deferred.length === 0) return;
    this.#workPending = true;
    this.#clock.schedule(0, this.#work, null);
  }

  /** `dm_wq_work`. */
  #runWork(): void {
    this.#workPending = false;
    const md = this.#md;
    while (!md.blockIo && this.#deferred.length > 0) {
      const bio = this.#deferred.shift()!;
      md.submit(bio);
    }
  }

  /** The device goes away: bios it still holds fail. */
  failHeld(): void {
    for (const bio of this.#deferred.splice(0)) deferEndio(this.#clock, bio, BlkStatus.IOERR);
  }
}
