/**
 * Test devices for the workload engine's tests and benchmarks (not exported from the package).
 */
import {
  type Bio,
  BlkStatus,
  type BlockDevice,
  bioEndio,
  type Clock,
  type DevT,
  mkdev,
  ReqOp,
} from "@mp/dm-core";
import type { ServiceModel } from "../timing/service-model.js";

/** Options of {@link MemDevice}. */
export interface MemDeviceOptions {
  readonly name?: string;
  readonly devt?: DevT;
  readonly sizeBytes: number;
  readonly logicalBlockSize?: number;
  /** Fixed completion delay (ns) when no model is given. Default 1000. */
  readonly delayNs?: number;
  /** Timing; overrides delayNs. */
  readonly model?: ServiceModel;
  /** Keep data (reads return what was written). Default true. */
  readonly store?: boolean;
}

/**
 * A RAM disk on the clock: completes each bio after a delay (fixed or from a ServiceModel),
 * storing written data when bios carry it. Hooks let tests corrupt data or fail I/O.
 */
export class MemDevice implements BlockDevice {
  readonly devt: DevT;
  readonly name: string;
  readonly logicalBlockSize: number;
  readonly requestStackable = true;
  readonly partition = false;
  readonly data: Uint8Array | null;
  submitted = 0;
  completed = 0;
  inflight = 0;
  maxInflight = 0;
  /** Every submission, when recording is on. */
  log: { op: number; offset: number; bytes: number; flags: number; t: number }[] | null = null;
  /** Bios for which this returns true are never completed (a hung device). */
  hold: ((bio: Bio) => boolean) | null = null;
  /** Called on a write before it is stored (e.g. to drop or misdirect it): return the byte offset to store at, or -1 to drop. */
  onWrite: ((bio: Bio) => number) | null = null;
  /** Set of bios in flight, to catch a double completion in tests. */
  readonly #live = new Set<Bio>();
  /** Called on a completed read before it is returned (e.g. to flip a byte). */
  onRead: ((bio: Bio) => void) | null = null;
  /** Status to fail an I/O with, or OK. */
  failWith: ((bio: Bio) => BlkStatus) | null = null;
  readonly #clock: Clock;
  readonly #size: number;
  readonly #delay: number;
  readonly #model: ServiceModel | null;
  readonly #done: (bio: Bio) => void;

  constructor(clock: Clock, options: MemDeviceOptions) {
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
    return this.#size / 512;
  }
  readOnly(): boolean {
    return false;
  }
  dying(): boolean {
    return false;
  }

  submit(bio: Bio): void {
    this.submitted++;
    this.inflight++;
    if (this.inflight > this.maxInflight) this.maxInflight = this.inflight;
    const now = this.#clock.now();
    this.log?.push({ op: bio.op, offset: bio.sector * 512, bytes: bio.bytes, flags: bio.flags, t: now });
    if (this.#live.has(bio)) throw new Error("bio submitted while in flight");
    this.#live.add(bio);
    if (this.hold?.(bio)) return;
    const delay = this.#model ? this.#model.serviceNs(bio.op, bio.bytes, bio.sector, now) : this.#delay;
    this.#clock.schedule(delay, this.#done, bio);
  }

  #complete(bio: Bio): void {
    if (!this.#live.delete(bio)) throw new Error("bio completed twice");
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
