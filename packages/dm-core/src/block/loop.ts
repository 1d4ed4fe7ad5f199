/**
 * The loop driver (drivers/block/loop.c) over RAM: `loopN` (7:N) disks that `losetup` binds to a
 * sparse backing store. Unbound devices have size 0 and fail I/O. blk-mq (request-stackable),
 * 512-byte logical blocks. An I/O takes a fixed service time plus the time its data takes to
 * copy: the copy is the device's one worker (loop serves a cgroup's requests one at a time from
 * a single work item, copying through the backing file's page cache), so copies queue behind
 * each other while the fixed part overlaps.
 */

import type { Clock } from "../clock/clock.js";
import { NSEC_PER_USEC } from "../clock/clock.js";
import type { KernelLog } from "../kernel/log.js";
import type { UeventBus } from "../kernel/uevent.js";
import { type Bio, FAILFAST_MASK, ReqFlag, ReqOp } from "./bio.js";
import type { BlockDevice } from "./block-device.js";
import type { BlockLayer } from "./block-layer.js";
import { type DevT, LOOP_MAJOR, mkdev } from "./devt.js";
import { BlkStatus, Errno } from "./status.js";

/** Default copy bandwidth of a loop device: 2 GB/s (a 4 KiB I/O copies in 2 µs, 1 MiB in 524 µs). */
export const LOOP_DEFAULT_BANDWIDTH = 2_000_000_000;

/** Bytes per chunk of the sparse store. */
const CHUNK = 64 * 1024;

/** Options of {@link LoopDriver}. */
export interface LoopDriverOptions {
  readonly clock: Clock;
  readonly log: KernelLog;
  readonly block: BlockLayer;
  readonly uevents: UeventBus;
  /** `inc_diskseq()` of the kernel; a private counter when absent. */
  readonly nextDiskSeq?: () => number;
  /** Fixed service time of every I/O (default 20 µs). */
  readonly serviceTimeNs?: number;
  /**
   * Copy bandwidth of a device's worker in bytes/s (default {@link LOOP_DEFAULT_BANDWIDTH}, a
   * memcpy through the page cache); `Infinity` makes every I/O take the fixed time only.
   */
  readonly bandwidthBytesPerSec?: number;
  /** Devices created at module load (`CONFIG_BLK_DEV_LOOP_MIN_COUNT`, default 8). */
  readonly minCount?: number;
}

/** Result of a loop operation: 0 or a positive errno, as `losetup` reports it. */
export type LoopResult =
  | { readonly ok: true; readonly dev: LoopDevice }
  | { readonly ok: false; readonly errno: number };

/** RAM-backed sparse data: reads of never-written ranges return zeros. Copies allocate nothing. */
class SparseStore {
  readonly #chunks = new Map<number, Uint8Array>();

  /** Copies `len` bytes at `offset` into `out` (from index 0). */
  read(offset: number, out: Uint8Array, len: number): void {
    let done = 0;
    while (done < len) {
      const pos = offset + done;
      const idx = Math.floor(pos / CHUNK);
      const within = pos - idx * CHUNK;
      const n = Math.min(CHUNK - within, len - done);
      const c = this.#chunks.get(idx);
      if (c) for (let i = 0; i < n; i++) out[done + i] = c[within + i]!;
      else out.fill(0, done, done + n);
      done += n;
    }
  }

  /** Stores `len` bytes of `data` (from index 0) at `offset`. */
  write(offset: number, data: Uint8Array, len: number): void {
    let done = 0;
    while (done < len) {
      const pos = offset + done;
      const idx = Math.floor(pos / CHUNK);
      const within = pos - idx * CHUNK;
      const n = Math.min(CHUNK - within, len - done);
      let c = this.#chunks.get(idx);
      if (!c) this.#chunks.set(idx, (c = new Uint8Array(CHUNK)));
      for (let i = 0; i < n; i++) c[within + i] = data[done + i]!;
      done += n;
    }
  }

  zero(offset: number, bytes: number): void {
    let done = 0;
    while (done < bytes) {
      const pos = offset + done;
      const idx = Math.floor(pos / CHUNK);
      const within = pos - idx * CHUNK;
      const n = Math.min(CHUNK - within, bytes - done);
      const c = this.#chunks.get(idx);
      if (c) {
        if (within === 0 && n === CHUNK) this.#chunks.delete(idx);
        else c.fill(0, within, within + n);
      }
      done += n;
    }
  }
}

/** `struct loop_device`: one `loopN` disk. */
export class LoopDevice implements BlockDevice {
  readonly devt: DevT;
  readonly name: string;
  readonly number: number;
  readonly logicalBlockSize = 512;
  readonly requestStackable = true;
  readonly partition = false;
  readonly scsi = undefined;
  #store: SparseStore | null = null;
  #sectors = 0;
  #readOnly = false;
  /** `LO_FLAGS_AUTOCLEAR` set by a detach while open: unbind at the last close. */
  #autoclear = false;
  /** `disk->diskseq`: new at allocation and at every media change (bind, unbind). */
  diskseq: number;
  readonly #driver: LoopDriver;
  readonly #clock: Clock;
  readonly #complete = (bio: Bio): void => this.#finish(bio);
  /** When the worker's last queued copy ends (ns). */
  #copyBusyUntil = 0;

  constructor(driver: LoopDriver, n: number, clock: Clock) {
    this.#driver = driver;
    this.number = n;
    this.devt = mkdev(LOOP_MAJOR, n);
    this.name = `loop${n}`;
    this.#clock = clock;
    this.diskseq = driver.nextDiskSeq();
  }

  /** Bound to a backing store (`Lo_bound`). */
  get bound(): boolean {
    return this.#store !== null;
  }

  sizeSectors(): number {
    return this.#sectors;
  }

  readOnly(): boolean {
    return this.#readOnly;
  }

  dying(): boolean {
    return false;
  }

  release(): void {
    if (this.#autoclear && this.#driver.block.openCount(this.devt) === 0) {
      this.#autoclear = false;
      this.unbind();
    }
  }

  /** `loop_configure`: a media change (new diskseq), then one change uevent. */
  bind(sizeBytes: number, readOnly: boolean): void {
    this.diskseq = this.#driver.nextDiskSeq();
    this.#store = new SparseStore();
    this.#sectors = Math.floor(sizeBytes / 512);
    this.#readOnly = readOnly;
    this.#autoclear = false;
    this.#driver.uevent(this, "change", []);
  }

  /** `__loop_clr_fd`: a change uevent, then the media-change one (and a new diskseq). */
  unbind(): void {
    this.#store = null;
    this.#sectors = 0;
    this.#readOnly = false;
    this.#driver.uevent(this, "change", []);
    this.#driver.uevent(this, "change", [["DISK_MEDIA_CHANGE", "1"]]);
    this.diskseq = this.#driver.nextDiskSeq();
  }

  /** `LOOP_CLR_FD`: with other openers the unbind waits for the last close. */
  detach(): number {
    if (!this.#store) return Errno.ENXIO;
    if (this.#driver.block.openCount(this.devt) > 0) {
      this.#autoclear = true;
      return 0;
    }
    this.unbind();
    return 0;
  }

  submit(bio: Bio): void {
    // blk_mq_bio_to_request: a readahead request must fail fast rather than be retried.
    if (bio.flags & ReqFlag.RAHEAD) bio.flags |= FAILFAST_MASK;
    const driver = this.#driver;
    const now = this.#clock.now();
    let delay = driver.serviceTimeNs;
    const bw = driver.bandwidthBytesPerSec;
    if (bio.bytes > 0 && bw < Number.POSITIVE_INFINITY) {
      const start = Math.max(this.#copyBusyUntil, now);
      const end = start + Math.ceil((bio.bytes * 1e9) / bw);
      this.#copyBusyUntil = end;
      delay += end - now;
    }
    // The transfer happens at completion time, as the worker would do it.
    this.#clock.schedule(delay, this.#complete, bio);
  }

  #finish(bio: Bio): void {
    const status = this.#transfer(bio);
    if (status !== BlkStatus.OK) this.#driver.block.printReqError(this, bio, status);
    bio.status = status;
    const fn = bio.endIo;
    if (fn) fn(bio);
  }

  #transfer(bio: Bio): BlkStatus {
    const store = this.#store;
    if (!store) return BlkStatus.IOERR;
    const op = bio.op;
    if (op === ReqOp.FLUSH) return BlkStatus.OK;
    const end = bio.sector + (bio.bytes >>> 9);
    if (bio.sector < 0 || end > this.#sectors) return BlkStatus.IOERR;
    const offset = bio.sector * 512;
    switch (op) {
      case ReqOp.READ:
        if (bio.data) store.read(offset, bio.data, Math.min(bio.bytes, bio.data.length));
        return BlkStatus.OK;
      case ReqOp.WRITE:
        if (this.#readOnly) return BlkStatus.IOERR;
        if (bio.data) store.write(offset, bio.data, Math.min(bio.bytes, bio.data.length));
        return BlkStatus.OK;
      case ReqOp.DISCARD:
      case ReqOp.WRITE_ZEROES:
        if (this.#readOnly) return BlkStatus.IOERR;
        store.zero(offset, bio.bytes);
        return BlkStatus.OK;
      default:
        return BlkStatus.NOTSUPP;
    }
  }
}

/**
 * The loop driver: `loop` module load creates `loop0`..`loop7`; `attach` is `losetup
 * /dev/loopN FILE` with a fresh file of the given size.
 */
export class LoopDriver {
  readonly block: BlockLayer;
  readonly #clock: Clock;
  readonly #log: KernelLog;
  readonly #uevents: UeventBus;
  readonly #minCount: number;
  readonly #devices = new Map<number, LoopDevice>();
  #loaded = false;
  /** Fixed service time of every I/O, in ns. */
  serviceTimeNs: number;
  /** Copy bandwidth of each device's worker, bytes/s (Infinity: no copy time). */
  bandwidthBytesPerSec: number;
  /** `inc_diskseq()`. */
  readonly nextDiskSeq: () => number;
  #diskseq = 0;

  constructor(options: LoopDriverOptions) {
    this.block = options.block;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#uevents = options.uevents;
    this.serviceTimeNs = options.serviceTimeNs ?? 20 * NSEC_PER_USEC;
    this.bandwidthBytesPerSec = options.bandwidthBytesPerSec ?? LOOP_DEFAULT_BANDWIDTH;
    this.#minCount = options.minCount ?? 8;
    this.nextDiskSeq = options.nextDiskSeq ?? (() => ++this.#diskseq);
  }

  /** The module is loaded. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Module init (`loop_init`): registers the first devices. */
  init(): number {
    if (this.#loaded) return 0;
    this.#loaded = true;
    for (let i = 0; i < this.#minCount; i++) this.#add(i);
    this.#log.info("loop: module loaded");
    return 0;
  }

  /** `loop_add`: creates `loopN` if it does not exist. */
  #add(n: number): LoopDevice {
    let dev = this.#devices.get(n);
    if (!dev) {
      dev = new LoopDevice(this, n, this.#clock);
      this.#devices.set(n, dev);
      this.block.register(dev);
      this.uevent(dev, "add", []);
    }
    return dev;
  }

  /** `loopN`, if it exists. */
  get(n: number): LoopDevice | undefined {
    return this.#devices.get(n);
  }

  /** Every loop device, by number. */
  all(): LoopDevice[] {
    return [...this.#devices.values()].sort((a, b) => a.number - b.number);
  }

  /**
   * `losetup /dev/loopN FILE` for a new zero-filled file of `sizeBytes`: creates `loopN` if
   * needed and binds it. EBUSY when it is bound already; ENXIO before the module is loaded.
   */
  attach(n: number, sizeBytes: number, options: { readonly readOnly?: boolean } = {}): LoopResult {
    if (!this.#loaded) return { ok: false, errno: Errno.ENXIO };
    if (!Number.isInteger(n) || n < 0 || n >= 1 << 20) return { ok: false, errno: Errno.EINVAL };
    if (!Number.isFinite(sizeBytes) || sizeBytes < 0) return { ok: false, errno: Errno.EINVAL };
    const dev = this.#add(n);
    if (dev.bound) return { ok: false, errno: Errno.EBUSY };
    dev.bind(sizeBytes, options.readOnly ?? false);
    return { ok: true, dev };
  }

  /** `losetup -d /dev/loopN`. 0 or a positive errno (ENXIO: not bound / no such device). */
  detach(n: number): number {
    const dev = this.#devices.get(n);
    if (!dev) return Errno.ENXIO;
    return dev.detach();
  }

  /** `kobject_uevent_env` on a loop disk. */
  uevent(dev: LoopDevice, action: "add" | "change", ext: ReadonlyArray<readonly [string, string]>): void {
    this.#uevents.emit({
      action,
      devpath: `/devices/virtual/block/${dev.name}`,
      subsystem: "block",
      env: [
        ...ext,
        ["MAJOR", String(LOOP_MAJOR)],
        ["MINOR", String(dev.number)],
        ["DEVNAME", dev.name],
        ["DEVTYPE", "disk"],
        ["DISKSEQ", String(dev.diskseq)],
      ],
    });
  }
}
