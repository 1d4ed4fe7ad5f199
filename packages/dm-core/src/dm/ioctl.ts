import type { DevT } from "../block/devt.js";

/** Result of a dm ioctl: a value, or the negative-errno failure the ioctl returned (as positive errno). */
export type DmResult<T> = { ok: true; value: T } | { ok: false; errno: number };

/** How a command names its device: by name (the usual case), uuid or dev_t. */
export type DmRef = string | { readonly uuid: string } | { readonly devt: DevT };

/** `struct dm_ioctl` as returned by DM_DEV_STATUS & co. (what `dmsetup info` prints). */
export interface DmInfo {
  readonly name: string;
  /** Empty string when unset. */
  readonly uuid: string;
  readonly devt: DevT;
  readonly suspended: boolean;
  readonly readOnly: boolean;
  readonly liveTable: boolean;
  readonly inactiveTable: boolean;
  readonly openCount: number;
  readonly eventNr: number;
  /** Targets in the live table. */
  readonly targetCount: number;
  readonly deferredRemove: boolean;
  readonly internalSuspend: boolean;
}

/** One line of `dmsetup table` / `dmsetup status`: `<start> <length> <type> <params>`. */
export interface DmStatusLine {
  readonly start: number;
  readonly length: number;
  readonly type: string;
  /** The target's string exactly as the kernel returns it (multipath's ends with a space). */
  readonly params: string;
}

/** One target line for DM_TABLE_LOAD. */
export interface DmTableLine {
  readonly start: number;
  readonly length: number;
  readonly type: string;
  readonly params: string;
}

/** An entry of DM_LIST_DEVICES. */
export interface DmListEntry {
  readonly name: string;
  readonly devt: DevT;
  readonly eventNr: number;
  readonly uuid: string;
}

/** An entry of DM_LIST_VERSIONS (`dmsetup targets`). */
export interface DmTargetVersion {
  readonly name: string;
  readonly version: readonly [number, number, number];
}

/** Options of a suspend. */
export interface DmSuspendOptions {
  /** `--noflush`: keep queued I/O (multipath keeps queue_if_no_path). */
  readonly noflush?: boolean;
  /** `--nolockfs`. */
  readonly skipLockfs?: boolean;
}

/**
 * The device-mapper control interface (`/dev/mapper/control` ioctls), as user space uses it
 * through libdevmapper. Implemented by dm-core's `DeviceMapper`; the daemon and tools use only this.
 * Every call is synchronous, as the ioctls are from the caller's point of view.
 */
export interface DmControl {
  /** DM_VERSION: the ioctl interface version, e.g. `[4, 47, 0]`. */
  version(): readonly [number, number, number];
  /** DM_LIST_VERSIONS. */
  targets(): DmTargetVersion[];
  /** DM_LIST_DEVICES, in name order. */
  list(): DmListEntry[];
  /** DM_DEV_CREATE. */
  create(name: string, options?: { readonly uuid?: string; readonly readOnly?: boolean }): DmResult<DmInfo>;
  /** DM_TABLE_LOAD into the inactive slot. */
  load(
    ref: DmRef,
    table: readonly DmTableLine[],
    options?: { readonly readOnly?: boolean },
  ): DmResult<DmInfo>;
  /** DM_TABLE_CLEAR. */
  clear(ref: DmRef): DmResult<DmInfo>;
  /**
   * DM_DEV_SUSPEND without the suspend flag: resume (swapping in an inactive table). `noflush`
   * and `skipLockfs` apply to the implicit suspend when a new table is swapped in on a live
   * device (libdevmapper's `dm_task_no_flush`, as multipathd's reload uses). `cookie` becomes
   * `DM_COOKIE` of the change uevent.
   */
  resume(
    ref: DmRef,
    options?: { readonly cookie?: number; readonly noflush?: boolean; readonly skipLockfs?: boolean },
  ): DmResult<DmInfo>;
  /** DM_DEV_SUSPEND. */
  suspend(ref: DmRef, options?: DmSuspendOptions): DmResult<DmInfo>;
  /** DM_DEV_REMOVE. */
  remove(ref: DmRef, options?: { readonly deferred?: boolean; readonly cookie?: number }): DmResult<DmInfo>;
  /** DM_DEV_RENAME (name or, with `setUuid`, the uuid). */
  rename(
    ref: DmRef,
    newName: string,
    options?: { readonly setUuid?: boolean; readonly cookie?: number },
  ): DmResult<DmInfo>;
  /** DM_TARGET_MSG. Returns the target's reply text (empty for multipath). */
  message(ref: DmRef, sector: number, message: string): DmResult<string>;
  /** DM_TABLE_STATUS: INFO (`status`), TABLE (`table`) or IMA, of the live or inactive table. */
  status(
    ref: DmRef,
    options?: { readonly kind?: "info" | "table" | "ima"; readonly inactive?: boolean },
  ): DmResult<{ info: DmInfo; lines: DmStatusLine[] }>;
  /** DM_DEV_STATUS. */
  info(ref: DmRef): DmResult<DmInfo>;
  /** DM_TABLE_DEPS: devices the table holds, most recently first-referenced first. */
  deps(ref: DmRef, options?: { readonly inactive?: boolean }): DmResult<{ info: DmInfo; deps: DevT[] }>;
  /**
   * DM_DEV_WAIT: calls `done` once the device's event number differs from `eventNr` (at once if
   * it already does). Returns a function that cancels the wait.
   */
  waitEvent(ref: DmRef, eventNr: number, done: (r: DmResult<DmInfo>) => void): () => void;
  /**
   * DM_DEV_ARM_POLL + poll: `fn` runs after any device's event number changes or any device is
   * created, removed or renamed. Returns the unsubscribe function.
   */
  onEvent(fn: () => void): () => void;
}
