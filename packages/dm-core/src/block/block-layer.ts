import type { KernelLog } from "../kernel/log.js";
import { type Bio, reqOpName } from "./bio.js";
import type { BlockDevice } from "./block-device.js";
import { type DevT, formatDevT } from "./devt.js";
import { type BlkStatus, blkStatusText } from "./status.js";

const PAGE_SIZE = 4096;
/** `VM_READAHEAD_PAGES`: 128 KiB. */
const VM_READAHEAD_PAGES = 32;

/** A block device registration event (drives sysfs/udev add and remove uevents upstream). */
export interface BlockEvent {
  readonly action: "add" | "remove";
  readonly dev: BlockDevice;
}

/**
 * The block layer's registry of disks: lookup by dev_t and kernel name, open counts, holder
 * links (`/sys/block/X/holders`, `/slaves`) and the "I/O error" log line.
 */
export class BlockLayer {
  readonly #byDevt = new Map<DevT, BlockDevice>();
  readonly #byName = new Map<string, BlockDevice>();
  readonly #opens = new Map<DevT, number>();
  readonly #holders = new Map<DevT, Set<DevT>>();
  readonly #listeners = new Set<(e: BlockEvent) => void>();
  readonly #closeListeners = new Set<(devt: DevT, remaining: number) => void>();
  /** bdi `ra_pages` set by BLKRASET / `read_ahead_kb`, in KiB; absent: the disk's default. */
  readonly #readAheadKb = new Map<DevT, number>();
  readonly #log: KernelLog;

  constructor(log: KernelLog) {
    this.#log = log;
  }

  /** Adds a disk (`add_disk`). Throws when its dev_t or name is taken: a model bug, not user input. */
  register(dev: BlockDevice): void {
    if (this.#byDevt.has(dev.devt)) throw new Error(`dev_t ${formatDevT(dev.devt)} already registered`);
    if (this.#byName.has(dev.name)) throw new Error(`block device ${dev.name} already registered`);
    this.#byDevt.set(dev.devt, dev);
    this.#byName.set(dev.name, dev);
    for (const l of this.#listeners) l({ action: "add", dev });
  }

  /** Removes a disk (`del_gendisk`). */
  unregister(devt: DevT): void {
    const dev = this.#byDevt.get(devt);
    if (!dev) return;
    this.#byDevt.delete(devt);
    this.#byName.delete(dev.name);
    this.#opens.delete(devt);
    this.#readAheadKb.delete(devt);
    this.#holders.delete(devt);
    for (const set of this.#holders.values()) set.delete(devt);
    for (const l of this.#listeners) l({ action: "remove", dev });
  }

  get(devt: DevT): BlockDevice | undefined {
    return this.#byDevt.get(devt);
  }

  byName(name: string): BlockDevice | undefined {
    return this.#byName.get(name);
  }

  /** Every registered disk, in dev_t order. */
  all(): BlockDevice[] {
    return [...this.#byDevt.values()].sort((a, b) => a.devt - b.devt);
  }

  /** Subscribes to add/remove. Returns the unsubscribe function. */
  subscribe(fn: (e: BlockEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Opens a device (`blkdev_get_by_dev`): counts towards its open count. Undefined when there is
   * no such device or its driver refused the open (`BlockDevice.open`).
   */
  open(devt: DevT): BlockDevice | undefined {
    const dev = this.#byDevt.get(devt);
    if (!dev) return undefined;
    if (dev.open && dev.open() !== 0) return undefined;
    this.#opens.set(devt, (this.#opens.get(devt) ?? 0) + 1);
    return dev;
  }

  /** Releases one open (then calls the driver's `release`). */
  close(devt: DevT): void {
    const n = this.#opens.get(devt) ?? 0;
    if (n === 0) return;
    if (n === 1) this.#opens.delete(devt);
    else this.#opens.set(devt, n - 1);
    this.#byDevt.get(devt)?.release?.();
    for (const l of this.#closeListeners) l(devt, n - 1);
  }

  /**
   * Calls `fn` after every {@link close}, with the opens left (`blkdev_put`: the page cache writes
   * back and drops a device's cache when its last opener goes, whoever that is).
   */
  onClose(fn: (devt: DevT, remaining: number) => void): () => void {
    this.#closeListeners.add(fn);
    return () => this.#closeListeners.delete(fn);
  }

  /** Number of current opens (dm's `Open count`, `bd_openers`). */
  openCount(devt: DevT): number {
    return this.#opens.get(devt) ?? 0;
  }

  /**
   * The disk's read-ahead (`bdi->ra_pages`) in KiB, as `queue/read_ahead_kb` shows it (BLKRAGET
   * reports twice this in sectors). Unless set, `disk_update_readahead`'s value: twice the optimal
   * I/O size, at least `VM_READAHEAD_PAGES` (128 KiB).
   */
  readAheadKb(devt: DevT): number {
    const set = this.#readAheadKb.get(devt);
    if (set !== undefined) return set;
    const ioOpt = this.#byDevt.get(devt)?.ioOpt?.() ?? 0;
    return Math.max(Math.floor((ioOpt * 2) / PAGE_SIZE), VM_READAHEAD_PAGES) * (PAGE_SIZE / 1024);
  }

  /** BLKRASET / a write to `read_ahead_kb`. */
  setReadAheadKb(devt: DevT, kb: number): void {
    this.#readAheadKb.set(devt, kb);
  }

  /** `disk_update_readahead`: back to the default the disk's limits give (dm: at every table swap). */
  updateReadahead(devt: DevT): void {
    this.#readAheadKb.delete(devt);
  }

  /** `bd_link_disk_holder(lower, upper)`: `upper` (e.g. dm-0) holds `lower` (e.g. sda). */
  linkHolder(lower: DevT, upper: DevT): void {
    let set = this.#holders.get(lower);
    if (!set) this.#holders.set(lower, (set = new Set()));
    set.add(upper);
  }

  /** `bd_unlink_disk_holder`. */
  unlinkHolder(lower: DevT, upper: DevT): void {
    this.#holders.get(lower)?.delete(upper);
  }

  /** Devices holding `lower` (its `holders/` directory). */
  holders(lower: DevT): DevT[] {
    return [...(this.#holders.get(lower) ?? [])].sort((a, b) => a - b);
  }

  /** Devices held by `upper` (its `slaves/` directory). */
  slaves(upper: DevT): DevT[] {
    const out: DevT[] = [];
    for (const [lower, set] of this.#holders) if (set.has(upper)) out.push(lower);
    return out.sort((a, b) => a - b);
  }

  /**
   * `blk_print_req_error()`: the line a request-based queue logs when a request fails, e.g.
   * `I/O error, dev dm-0, sector 0 op 0x0:(READ) flags 0x800 phys_seg 1 prio class 2`.
   */
  printReqError(dev: BlockDevice, bio: Bio, status: BlkStatus): void {
    const segs = Math.max(1, Math.ceil(bio.bytes / 4096));
    this.#log.err(
      `${blkStatusText(status)} error, dev ${dev.name}, sector ${bio.sector} op 0x${bio.op.toString(16)}:(${reqOpName(bio.op)}) flags 0x${bio.flags.toString(16)} phys_seg ${segs} prio class ${bio.ioprioClass}`,
    );
  }
}
