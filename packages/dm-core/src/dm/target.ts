import type { Bio } from "../block/bio.js";
import type { BlockDevice } from "../block/block-device.js";
import type { BlockLayer } from "../block/block-layer.js";
import type { DevT } from "../block/devt.js";
import type { BlkStatus } from "../block/status.js";
import type { Clock } from "../clock/clock.js";
import type { ScsiDeviceHandlerType } from "../handlers/handler.js";
import type { KernelLog } from "../kernel/log.js";
import type { ModuleRegistry } from "../kernel/modules.js";
import type { Registry } from "../registry.js";
import type { PathSelectorType } from "../selectors/path-selector.js";

/** `DM_MAPIO_*`: what a target's map / clone_and_map_rq returns. */
export const DmMapio = {
  /** The target took the I/O and will submit or complete it itself. */
  SUBMITTED: 0,
  /** The clone was remapped (its `dev` set): dm core dispatches it. */
  REMAPPED: 1,
  /** Fail the original I/O with BLK_STS_IOERR. */
  KILL: 4,
  /** Put the original back on the queue at once. */
  REQUEUE: 0x400,
  /** Put it back after 100 ms (`DM_MAPIO_DELAY_REQUEUE`). */
  DELAY_REQUEUE: 0x401,
} as const;
export type DmMapio = (typeof DmMapio)[keyof typeof DmMapio];

/** `DM_ENDIO_*`: what a target's end_io / rq_end_io returns. */
export const DmEndio = {
  /** Complete the original with the (possibly changed) status. */
  DONE: 0,
  /** The target took the I/O back (it requeued it internally). */
  INCOMPLETE: 1,
  REQUEUE: 0x400,
  DELAY_REQUEUE: 0x401,
} as const;
export type DmEndio = (typeof DmEndio)[keyof typeof DmEndio];

/** Target-type feature flags (`DM_TARGET_*`). */
export const DmTargetFeature = {
  SINGLETON: 0x1,
  ALWAYS_WRITEABLE: 0x2,
  IMMUTABLE: 0x4,
  WILDCARD: 0x8,
  INTEGRITY: 0x10,
  PASSES_INTEGRITY: 0x20,
  ZONED_HM: 0x40,
  NOWAIT: 0x80,
  PASSES_CRYPTO: 0x100,
} as const;

/** The queue type of a table (`enum dm_queue_mode`, minus the historical ones). */
export type DmQueueType = "bio" | "request";

/** A device a table holds open (`struct dm_dev`). */
export interface DmDev {
  readonly devt: DevT;
  /** `major:minor` — dm always prints paths this way. */
  readonly name: string;
  readonly bdev: BlockDevice;
}

/** Identity of the mapped device a target belongs to. */
export interface DmMappedDeviceRef {
  /** dm name (`mpatha`). */
  readonly name: string;
  readonly uuid: string;
  readonly devt: DevT;
  /** Disk name (`dm-0`). */
  readonly diskName: string;
}

/**
 * Everything dm core offers a target (`struct dm_target` plus the dm core API a target may
 * call). Given to the constructor; the target keeps it for its lifetime.
 */
export interface DmTargetEnv {
  /** First sector of the target in the mapped device. */
  readonly begin: number;
  /** Length in sectors. */
  readonly len: number;
  readonly md: DmMappedDeviceRef;
  /** True when the table is loaded read-only. */
  readonly readOnly: boolean;
  /** `ti->error`: set it before the constructor fails. */
  error: string | undefined;

  readonly clock: Clock;
  readonly log: KernelLog;
  readonly block: BlockLayer;
  readonly modules: ModuleRegistry;
  readonly selectors: Registry<PathSelectorType>;
  readonly handlers: Registry<ScsiDeviceHandlerType>;
  /** Number of CPUs of the machine model (`nr_cpu_ids`). */
  readonly nrCpus: number;

  /**
   * `dm_get_device(ti, path, mode, &dev)`: `path` is `major:minor` or a device path
   * (`/dev/loop0`). Opens it for the table (deps, holders, open counts). Returns a negative errno
   * on failure (e.g. -ENXIO for an unknown device).
   */
  getDevice(path: string): { ok: true; dev: DmDev } | { ok: false; errno: number };
  /** `dm_put_device`. */
  putDevice(dev: DmDev): void;
  /** `lookup_bdev()`: resolves `major:minor` or a path without opening it (for messages). */
  lookupDevice(path: string): { ok: true; devt: DevT } | { ok: false; errno: number };
  /** `dm_table_set_type()`: multipath fixes its table's queue type from `queue_mode`. */
  setType(type: DmQueueType): void;

  /** `dm_table_event()`: bump the device's event number, send queued uevents, wake waiters. */
  tableEvent(): void;
  /**
   * Queue a KOBJ_CHANGE uevent with these variables, sent at the next
   * {@link DmTargetEnv.tableEvent}; dm core appends `DM_NAME` and `DM_UUID`, and inserts
   * `DM_SEQNUM` after `DM_ACTION` when the target did not supply it.
   */
  queueUevent(vars: ReadonlyArray<readonly [string, string]>): void;
  /** `dm_noflush_suspending(ti)`. */
  noflushSuspending(): boolean;
  /** `dm_suspended(ti)`: the mapped device is suspended (multipath refuses messages then: -EBUSY). */
  suspended(): boolean;
  /** `dm_post_suspending(ti)`: the device is between suspend and its targets' postsuspend. */
  postSuspending(): boolean;
  /**
   * `dm_path_uevent(type, ti, path, nr_valid_paths)`: queue a KOBJ_CHANGE uevent with
   * `DM_TARGET`, `DM_ACTION`, `DM_SEQNUM` (dm core's per-device counter), `DM_PATH` and
   * `DM_NR_VALID_PATHS`; dm core adds `DM_NAME`/`DM_UUID` and sends it at the next
   * {@link DmTargetEnv.tableEvent}. Prefer this over {@link DmTargetEnv.queueUevent}.
   */
  pathUevent(action: "PATH_FAILED" | "PATH_REINSTATED", path: string, nrValidPaths: number): void;
  /**
   * `dm_table_run_md_queue_async()` + `dm_mq_kick_requeue_list()`: re-run the request queue
   * (asynchronously, on the clock) so requeued requests map again. A no-op for bio-based tables.
   */
  runQueue(): void;
  /** Bio mode: `submit_bio_noacct(clone)` of a clone the target remapped itself. */
  submitBio(clone: Bio): void;
  /**
   * `bio_endio(clone)` with a status — goes through dm core's clone completion (and the target's
   * endIo / rqEndIo). Runs on the clock (at the current time), never inside the call.
   */
  endBio(clone: Bio, status: BlkStatus): void;
}

/**
 * Per-I/O data dm core keeps for a target (`map_info` / `dm_per_bio_data`). Pooled by dm core;
 * a target stores its own (pooled) context in {@link DmPerIo.ctx}.
 */
export interface DmPerIo {
  ctx: unknown;
  /**
   * `dm_bio_get_target_bio_nr()`: which of the target's duplicate clones this is (0 ..
   * `numFlushBios - 1` for an empty flush, 0 .. `numDiscardBios - 1` for a discard); 0 otherwise.
   */
  readonly targetBioNr?: number;
}

/** A constructed target instance (`ti->private` plus the type's callbacks bound to it). */
export interface DmTarget {
  /** The table type this target needs; undefined for targets that fit either (error: hybrid). */
  readonly queueType: DmQueueType | undefined;
  /**
   * `ti->num_flush_bios`: how many clones of an empty flush this target gets (default 1;
   * the error target has 0, so flushes of an error-mapped device succeed).
   */
  readonly numFlushBios?: number;
  /**
   * `ti->num_discard_bios` / `num_secure_erase_bios` / `num_write_zeroes_bios`: clones of such a
   * bio per target (each with its {@link DmPerIo.targetBioNr}); 0 fails it with
   * BLK_STS_NOTSUPP. Undefined: 1.
   */
  readonly numDiscardBios?: number;
  readonly numSecureEraseBios?: number;
  readonly numWriteZeroesBios?: number;
  /**
   * `ti->max_io_len` (`dm_set_target_max_io_len`), in sectors: dm core splits reads and writes so
   * that no clone crosses a multiple of it within the target (striped: the chunk size).
   */
  readonly maxIoLen?: number;

  /** Bio-based map of a clone (its sector already adjusted for `begin`). */
  map?(clone: Bio, io: DmPerIo): DmMapio;
  /** Bio-based completion of a clone: may change `clone.status`; returns {@link DmEndio}. */
  endIo?(clone: Bio, io: DmPerIo): DmEndio;

  /**
   * Request-based map: `rq` is the original request, `clone` a fresh bio from dm core's pool to
   * fill (`copyFrom(rq)`, set `dev`). Returns {@link DmMapio}; on REMAPPED dm core dispatches the clone.
   */
  cloneAndMap?(rq: Bio, io: DmPerIo, clone: Bio): DmMapio;
  /** Request-based: the clone could not be dispatched (or was never) and is given back. */
  releaseClone?(clone: Bio, io: DmPerIo): void;
  /** Request-based completion of a clone with `status`. */
  rqEndIo?(clone: Bio, io: DmPerIo, status: BlkStatus): DmEndio;

  /** `presuspend(ti)`; `noflush` for `dmsetup suspend --noflush`. */
  presuspend?(noflush: boolean): void;
  /** `presuspend_undo`. */
  presuspendUndo?(): void;
  /** `postsuspend`. */
  postsuspend?(): void;
  /** `preresume`: 0 or a negative errno that aborts the resume. */
  preresume?(): number;
  /** `resume`. */
  resume?(): void;
  /** `status(ti, type)` without the `<start> <len> <type> ` prefix; dm core prints it verbatim. */
  status(type: "info" | "table" | "ima"): string;
  /** `message(ti, argc, argv)`: 0 or a negative errno. */
  message?(argv: readonly string[]): number;
  /** `busy(ti)`: request-based congestion hint. */
  busy?(): boolean;
  /**
   * `io_hints`: the target's own minimum and optimal I/O sizes in bytes (`blk_limits_io_min`,
   * `blk_limits_io_opt`), which replace what its devices stacked (striped: chunk, chunk × stripes).
   */
  ioHints?(): { readonly ioMin?: number; readonly ioOpt?: number };
  /** `iterate_devices`: every device with the (begin, len) area the target maps onto it. */
  iterateDevices(fn: (dev: DmDev, start: number, len: number) => void): void;
  /** `dtr`. */
  dtr(): void;
}

/** Result of a constructor. */
export type DmCtrResult = { ok: true; target: DmTarget } | { ok: false; errno: number };

/** A target type (`struct target_type`): a plugin registered by name. */
export interface DmTargetType {
  readonly name: string;
  readonly version: readonly [number, number, number];
  /** OR of {@link DmTargetFeature}. */
  readonly features: number;
  /** Kernel module that provides it (`dm-multipath`), or undefined when built into dm-mod. */
  readonly module?: string;
  /** `ctr(ti, argc, argv)`: on failure set `env.error` and return `{ ok: false, errno }`. */
  ctr(env: DmTargetEnv, argv: readonly string[]): DmCtrResult;
}

/** Helper for plugin authors. */
export function defineTarget(type: DmTargetType): DmTargetType {
  if (!/^[A-Za-z0-9_-]+$/.test(type.name)) throw new TypeError(`invalid target name: ${type.name}`);
  return type;
}
