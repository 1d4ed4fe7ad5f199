import type { ScsiDevice } from "../scsi/scsi-device.js";
import type { Bio } from "./bio.js";
import type { DevT } from "./devt.js";

/**
 * A block device as the block layer sees it: `struct block_device` + its gendisk + queue.
 *
 * Contract of {@link BlockDevice.submit}: the device completes every submitted bio exactly once,
 * through `bioEndio(bio, status)`, and never synchronously inside `submit` (a device that fails at
 * once schedules the completion at the current time on the clock). That keeps stacks of devices
 * (dm over dm over loop) free of re-entrancy and makes completion order a function of the clock.
 */
export interface BlockDevice {
  /** Device number. */
  readonly devt: DevT;
  /** Kernel name: `loop0`, `sda`, `dm-0`. */
  readonly name: string;
  /** Capacity in 512-byte sectors (may change: resize, LUN unmap). */
  sizeSectors(): number;
  /** Logical block size in bytes (512 or 4096). */
  readonly logicalBlockSize: number;
  /**
   * True for a whole blk-mq disk that request-based dm can stack on
   * (`queue_is_mq(q)` and not a partition).
   */
  readonly requestStackable: boolean;
  /** True when this is a partition (`sda1`): never request-stackable. */
  readonly partition: boolean;
  /** Read-only device (`BLKROGET`). */
  readOnly(): boolean;
  /** `queue_io_min()` in bytes (`queue/minimum_io_size`); the logical block size when absent. */
  ioMin?(): number;
  /** `queue_io_opt()` in bytes (`queue/optimal_io_size`); 0 (none) when absent. */
  ioOpt?(): number;
  /** Queues the bio; completion via `bio.endIo`, later on the clock. */
  submit(bio: Bio): void;
  /** The SCSI device behind an `sd` disk, for device handlers and SG_IO; undefined otherwise. */
  readonly scsi?: ScsiDevice | undefined;
  /**
   * True while the queue is dying (device being removed): `blk_queue_dying()`. dm-mpath fails a
   * path whose queue is dying.
   */
  dying(): boolean;
  /**
   * `fops->open`, called by `BlockLayer.open` before it counts the open: 0, or a positive
   * errno to refuse it (dm refuses opens of a device being removed with ENXIO).
   */
  open?(): number;
  /** `fops->release`, called by `BlockLayer.close` after the open count went down. */
  release?(): void;
}
