import {
  type Bio,
  BlkStatus,
  type BlockDevice,
  bioEndio,
  type Clock,
  type DevT,
  InvariantError,
  mkdev,
  ReqOp,
} from "@mp/dm-core";
import type { ServiceModel } from "../timing/service-model.js";

/** Options of {@link RamBlockDevice}. */
export interface RamBlockDeviceOptions {
  /** Kernel name. Default `ram0`. */
  readonly name?: string;
  /** Device number. Default 1:0 (the kernel's ram disk major). */
  readonly devt?: DevT;
  readonly sizeBytes: number;
  /** Default 512. */
  readonly logicalBlockSize?: number;
  /** Fixed completion delay (ns) when no model is given. Default 1000. */
  readonly delayNs?: number;
  /** Timing of each I/O; overrides `delayNs`. */
  readonly model?: ServiceModel;
  /** Keep data, so reads return what was written. Default true. */
  readonly store?: boolean;
}

/** One submission, when {@link RamBlockDevice.log} is on. */
export interface RamLogEntry {
  readonly op: ReqOp;
  readonly offset: number;
  readonly bytes: number;
  readonly flags: number;
  /** Clock time of the submission. */
  readonly t: number;
}

/**
 * A RAM disk on the clock (the kernel's `brd`, timed): completes each bio after a fixed delay
 * or a {@link ServiceModel}'s, storing written data when bios carry it. The simplest target for a
 * workload, and a test bed: hooks corrupt, drop, misdirect, fail or hold I/O, and it checks the
 * block-layer contract (a bio is not resubmitted while in flight, nor completed twice).
 */
export class RamBlockDevice implements BlockDevice {
  readonly devt: DevT;
  readonly name: string;
  readonly logicalBlockSize: number;
  readonly requestStackable = true;
  readonly partition = false;
  /** The contents (null with `store: false`). */
  readonly data: Uint8Array | null;
  submitted = 0;
  completed = 0;
  inflight = 0;
  maxInflight = 0;
  /** Set to an array to record every submission. */
  log: RamLogEntry[] | null = null;
  /** Bios for which this returns true are never completed (a hung device). */
  hold: ((bio: Bio) => boolean) | null = null;
  /** Decides where a write lands: its byte offset, another one (misdirected), or -1 (lost). */
  onWrite: ((bio: Bio) => number) | null = null;
  /** Sees a completed read's data before the submitter does (e.g. to flip a byte). */
  onRead: ((bio: Bio) => void) | null = null;
  /** The status to complete an I/O with (default OK). */
  failWith: ((bio: Bio) => BlkStatus) | null = null;
  readonly #clock: Clock;
  readonly #size: number;
  readonly #delay: number;
  readonly #model: ServiceModel | null;
  readonly #done: (bio: Bio) => void;

  constructor(clock: Clock, options: RamBlockDeviceOptions) {
    this.#clock = clock;
    this.name = options.name ?? "ram0";
    this.devt = options.devt ?? mkdev(1, 0);
    this.logicalBlockSize = options.logicalBlockSize ?? 512;
    this.#size = options.sizeBytes;
    this.#delay = options.delayNs ?? 1000;
    this.#model = options.model ?? null;
    this.data = options.store === false ? null : new Uint8Array(options.sizeBytes);
    this.#done = (bio) => this.#complete(bio);
  }

  sizeSectors(): number {
    return Math.floor(this.#size / 512);
  }
  readOnly(): boolean {
    return false;
  }
  dying(): boolean {
    return false;
  }

  submit(bio: Bio): void {
    // driverData is ours while the bio is in our hands: it marks the bio as in flight here.
    if (bio.driverData === this) throw new InvariantError(`${this.name}: bio resubmitted while in flight`);
    bio.driverData = this;
    this.submitted++;
    this.inflight++;
    if (this.inflight > this.maxInflight) this.maxInflight = this.inflight;
    const now = this.#clock.now();
    this.log?.push({ op: bio.op, offset: bio.sector * 512, bytes: bio.bytes, flags: bio.flags, t: now });
    if (this.hold?.(bio)) return;
    const delay = this.#model ? this.#model.serviceNs(bio.op, bio.bytes, bio.sector, now) : this.#delay;
    this.#clock.schedule(delay, this.#done, bio);
  }

  #complete(bio: Bio): void {
    if (bio.driverData !== this) throw new InvariantError(`${this.name}: bio completed twice`);
    bio.driverData = null;
    this.completed++;
    this.inflight--;
    let status: BlkStatus = BlkStatus.OK;
    const off = bio.sector * 512;
    if (off + bio.bytes > this.#size) status = BlkStatus.IOERR;
    else if (this.failWith) status = this.failWith(bio);
    if (status === BlkStatus.OK && this.data && bio.data) {
      if (bio.op === ReqOp.WRITE) {
        const at = this.onWrite ? this.onWrite(bio) : off;
        if (at >= 0) this.data.set(bio.data.subarray(0, bio.bytes), at);
      } else if (bio.op === ReqOp.READ) {
        bio.data.set(this.data.subarray(off, off + bio.bytes));
        this.onRead?.(bio);
      }
    }
    bioEndio(bio, status);
  }
}
