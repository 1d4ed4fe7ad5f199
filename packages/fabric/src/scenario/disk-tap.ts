import type { Bio, BlockDevice, Clock, DevT, ScsiDevice } from "@mp/dm-core";
import { StatsBlockDevice } from "../workload/io-stats.js";

/**
 * Per-path I/O accounting without changing the stack: like blktrace on a path disk, the tap sees
 * every bio submitted to the disk and its completion. The disk keeps its identity (dev_t, name,
 * sysfs, the map's table still names it); only its `submit` is routed through a
 * {@link StatsBlockDevice} whose lower device is the disk's own submit.
 *
 * {@link DiskTaps.tap} returns the counting view (its `ioStats` feed per-path shares and latency).
 */
export class DiskTaps {
  readonly #clock: Clock;
  readonly #taps = new Map<BlockDevice, StatsBlockDevice>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The tap of `disk` (made on first use: a disk is tapped once however many maps use it). */
  tap(disk: BlockDevice): StatsBlockDevice {
    const existing = this.#taps.get(disk);
    if (existing) return existing;
    const t = tapDisk(disk, this.#clock);
    this.#taps.set(disk, t);
    return t;
  }

  get(disk: BlockDevice): StatsBlockDevice | undefined {
    return this.#taps.get(disk);
  }
}

function tapDisk(disk: BlockDevice, clock: Clock): StatsBlockDevice {
  const submit = disk.submit.bind(disk);
  const lower: BlockDevice = {
    get devt(): DevT {
      return disk.devt;
    },
    get name(): string {
      return disk.name;
    },
    get logicalBlockSize(): number {
      return disk.logicalBlockSize;
    },
    get requestStackable(): boolean {
      return disk.requestStackable;
    },
    get partition(): boolean {
      return disk.partition;
    },
    get scsi(): ScsiDevice | undefined {
      return disk.scsi;
    },
    sizeSectors: () => disk.sizeSectors(),
    readOnly: () => disk.readOnly(),
    dying: () => disk.dying(),
    submit,
  };
  const stats = new StatsBlockDevice(lower, clock);
  disk.submit = (bio: Bio) => stats.submit(bio);
  return stats;
}
