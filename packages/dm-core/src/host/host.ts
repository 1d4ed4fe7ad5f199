import type { Bio } from "../block/bio.js";
import type { DevT } from "../block/devt.js";
import type { Clock } from "../clock/clock.js";
import type { DmControl } from "../dm/ioctl.js";
import type { KernelLogLine } from "../kernel/log.js";
import type { ScsiCommand, ScsiResult } from "../scsi/scsi-device.js";

/**
 * sysfs as user space reads it. Paths are absolute (`/sys/block/sda/device/state`); attribute
 * contents are returned exactly as `cat` prints them, trailing newline included.
 */
export interface SysfsView {
  /** Attribute contents, or null when the file does not exist. */
  read(path: string): string | null;
  /**
   * A read with its failure, as `read(2)` reports it: the contents, or a positive errno (ENOENT,
   * EISDIR, EACCES for a write-only attribute, or the attribute's own, e.g. EINVAL from
   * `access_state` without a device handler). Optional: a view without it only knows "absent".
   */
  readResult?(path: string): string | { readonly errno: number };
  /** Writes an attribute (`echo VALUE > PATH` writes `VALUE\n`): 0, or a positive errno (EINVAL, EACCES, ENOENT). */
  write(path: string, value: string): number;
  /** Entries of a directory, sorted, or null when it does not exist. */
  list(dir: string): string[] | null;
  /** Target of a symlink (e.g. `/sys/block/sda` → `../devices/…/block/sda`), or null. */
  readlink(path: string): string | null;
}

/** A device in the udev database, after rules ran. */
export interface UdevDevice {
  /** `/sys/devices/…` path. */
  readonly syspath: string;
  /** Kernel name (`sda`, `dm-0`). */
  readonly sysname: string;
  readonly subsystem: string;
  /** `disk`, `partition`, … */
  readonly devtype: string | undefined;
  /** `/dev/sda`, or undefined for devices without a node. */
  readonly devnode: string | undefined;
  readonly devnum: DevT | undefined;
  /** udev properties (`ID_SERIAL`, `ID_WWN`, `DM_NAME`, …) in the database's order. */
  readonly properties: ReadonlyMap<string, string>;
  /** Symlinks udev created (`/dev/disk/by-id/…`, `/dev/mapper/mpatha`). */
  readonly devlinks: readonly string[];
}

/** A processed udev event (what `udevadm monitor --udev` shows, and what libudev monitors get). */
export interface UdevEvent {
  readonly action: "add" | "remove" | "change" | "move" | "online" | "offline" | "bind" | "unbind";
  readonly seqnum: number;
  readonly device: UdevDevice;
}

/** The udev database and monitor. */
export interface UdevView {
  /** Devices of a subsystem (and optionally devtype), in sysname order. */
  enumerate(filter: { readonly subsystem: string; readonly devtype?: string }): UdevDevice[];
  /** One device by subsystem and kernel name, or null. */
  device(subsystem: string, sysname: string): UdevDevice | null;
  /** Subscribes to processed events. Returns the unsubscribe function. */
  subscribe(fn: (e: UdevEvent) => void): () => void;
  /** True when no event is being processed (`udevadm settle` would return). */
  settled(): boolean;
}

/** A block device opened with O_DIRECT: what the directio checker and path_latency prio read through. */
export interface BlockHandle {
  readonly devt: DevT;
  readonly logicalBlockSize: number;
  sizeSectors(): number;
  /** Submits a bio; completion through `bio.endIo`, later on the clock. */
  submit(bio: Bio): void;
  close(): void;
}

/**
 * A small file store for the daemon's state files and config (`/etc/multipath.conf`,
 * `/etc/multipath/bindings`, `/etc/multipath/wwids`): in memory on the simulator, real files with
 * atomic replace on a real host.
 */
export interface FileStore {
  /** Contents, or null when the file does not exist. */
  read(path: string): string | null;
  /** Replaces the file atomically. Returns 0 or a positive errno. */
  write(path: string, contents: string): number;
  /** Removes the file; 0 or a positive errno. */
  remove(path: string): number;
  /** Names in a directory, sorted, or null. */
  list(dir: string): string[] | null;
}

/**
 * Userspace's whole view of a kernel: sysfs, udev, the dm ioctls, SCSI passthrough, direct block
 * I/O, the kernel log and state files. multipathd and the checkers see the world only through
 * this. Implemented by the fabric's SimHost and by a real-Linux backend.
 */
export interface Host {
  readonly clock: Clock;
  readonly sysfs: SysfsView;
  readonly udev: UdevView;
  readonly dm: DmControl;
  readonly files: FileStore;
  /** `uname -r`, e.g. `6.1.0-mp`; multipath-tools compares kernel versions. */
  readonly kernelRelease: string;
  /**
   * SG_IO on a device node (`sda`, `/dev/sda` or a dev_t). `done` runs later on the clock with the
   * result, or with a positive errno when the ioctl itself fails (ENOTTY for a non-SCSI device,
   * ENXIO/ENODEV for a device that is gone).
   */
  sgIo(
    dev: string | DevT,
    cmd: ScsiCommand,
    done: (r: ScsiResult | { readonly errno: number }) => void,
  ): void;
  /** Opens a block device for direct I/O, or returns a positive errno. */
  openBlock(dev: string | DevT): BlockHandle | { readonly errno: number };
  /** Kernel log lines at or after `cursor` (`dmesg`); `cursor()` gives the next one. */
  kernelLog(cursor: number): KernelLogLine[];
  kernelLogCursor(): number;
}
