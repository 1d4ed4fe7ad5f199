import type { BlockDevice } from "./block-device.js";
import type { BlkStatus } from "./status.js";

/** `REQ_OP_*`: the operation of an I/O, with the kernel's numbers. */
export const ReqOp = {
  READ: 0,
  WRITE: 1,
  FLUSH: 2,
  DISCARD: 3,
  SECURE_ERASE: 5,
  WRITE_ZEROES: 9,
} as const;
export type ReqOp = (typeof ReqOp)[keyof typeof ReqOp];

/** `blk_op_str()`. */
export function reqOpName(op: ReqOp): string {
  switch (op) {
    case ReqOp.READ:
      return "READ";
    case ReqOp.WRITE:
      return "WRITE";
    case ReqOp.FLUSH:
      return "FLUSH";
    case ReqOp.DISCARD:
      return "DISCARD";
    case ReqOp.SECURE_ERASE:
      return "SECURE_ERASE";
    case ReqOp.WRITE_ZEROES:
      return "WRITE_ZEROES";
    default:
      return "UNKNOWN";
  }
}

/** `REQ_*` flag bits (6.1 numbering, shifted above the 8 op bits as the kernel prints them). */
export const ReqFlag = {
  FAILFAST_DEV: 1 << 8,
  FAILFAST_TRANSPORT: 1 << 9,
  FAILFAST_DRIVER: 1 << 10,
  SYNC: 1 << 11,
  META: 1 << 12,
  PRIO: 1 << 13,
  NOMERGE: 1 << 14,
  IDLE: 1 << 15,
  INTEGRITY: 1 << 16,
  FUA: 1 << 17,
  PREFLUSH: 1 << 18,
  RAHEAD: 1 << 19,
  BACKGROUND: 1 << 20,
  NOWAIT: 1 << 21,
} as const;

/** `REQ_FAILFAST_MASK`: blk-mq sets all three on a readahead request. */
export const FAILFAST_MASK = ReqFlag.FAILFAST_DEV | ReqFlag.FAILFAST_TRANSPORT | ReqFlag.FAILFAST_DRIVER;

/** Called once when an I/O completes; `bio.status` holds the result. */
export type BioEndIo = (bio: Bio) => void;

/**
 * One I/O travelling down the stack: the model's `struct bio` / `struct request` (mp does not
 * merge, so one bio is one request). Bios are plain mutable objects meant to be pooled and
 * reused: the I/O path allocates nothing per I/O.
 */
export class Bio {
  /** Operation. */
  op: ReqOp = ReqOp.READ;
  /** REQ_* flags. */
  flags = 0;
  /** Start, in 512-byte sectors. */
  sector = 0;
  /** Length in bytes (a multiple of 512). */
  bytes = 0;
  /**
   * Payload: the data to write, or the buffer a read fills. May be null for I/O that carries no
   * data (benchmarks, flush); devices then only account for it.
   */
  data: Uint8Array | null = null;
  /** Completion status, set just before {@link Bio.endIo} runs. */
  status: BlkStatus = 0;
  /** Completion callback. */
  endIo: BioEndIo | null = null;
  /** The submitter's context (`bi_private`). */
  private: unknown = null;
  /** Clock time (ns) at which the I/O was started at its current layer (selectors read it). */
  startNs = 0;
  /** I/O priority class as the kernel prints it ("prio class 2" = best effort). */
  ioprioClass = 2;
  /** The CPU the I/O was submitted on (io-affinity reads it). */
  cpu = 0;
  /** Opaque field a device may use while the bio is in its hands (e.g. a pool index). */
  driverData: unknown = null;
  /**
   * The device this bio is (to be) submitted to (`bi_bdev`). A stacking driver (dm) sets it on a
   * clone when it remaps the clone to a lower device.
   */
  dev: BlockDevice | null = null;

  /** Copies the request fields (not the completion or private fields) from `src`. */
  copyFrom(src: Bio): this {
    this.op = src.op;
    this.flags = src.flags;
    this.sector = src.sector;
    this.bytes = src.bytes;
    this.data = src.data;
    this.ioprioClass = src.ioprioClass;
    this.cpu = src.cpu;
    return this;
  }

  /** Clears every field so the bio can go back to a pool. */
  reset(): void {
    this.op = ReqOp.READ;
    this.flags = 0;
    this.sector = 0;
    this.bytes = 0;
    this.data = null;
    this.status = 0;
    this.endIo = null;
    this.private = null;
    this.startNs = 0;
    this.ioprioClass = 2;
    this.cpu = 0;
    this.driverData = null;
    this.dev = null;
  }
}

/** `bio_endio()`: sets the status and runs the completion callback. */
export function bioEndio(bio: Bio, status: BlkStatus): void {
  bio.status = status;
  const fn = bio.endIo;
  if (fn) fn(bio);
}

/** A free list of bios, so hot paths reuse them instead of allocating. */
export class BioPool {
  readonly #free: Bio[] = [];

  get(): Bio {
    return this.#free.pop() ?? new Bio();
  }

  put(bio: Bio): void {
    bio.reset();
    this.#free.push(bio);
  }

  /** Bios currently free in the pool. */
  get size(): number {
    return this.#free.length;
  }
}
