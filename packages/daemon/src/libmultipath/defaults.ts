/**
 * libmultipath's numeric constants the core passes around (discovery.h, configure.h,
 * devmapper.h, structs.h): pathinfo masks and results, domap results, reload types.
 */

/** `pathinfo()` masks (`DI_*`). */
export const DI = {
  SYSFS: 1 << 0,
  SERIAL: 1 << 1,
  CHECKER: 1 << 2,
  PRIO: 1 << 3,
  WWID: 1 << 4,
  BLACKLIST: 1 << 5,
  NOIO: 1 << 6,
  NOFALLBACK: 1 << 7,
  ALL: (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4),
} as const;

/** `pathinfo()` results. */
export const PathinfoResult = {
  OK: 0,
  FAILED: 1,
  SKIPPED: 2,
} as const;
export type PathinfoResult = (typeof PathinfoResult)[keyof typeof PathinfoResult];

/** `domap()` results. */
export const Domap = {
  FAIL: 0,
  OK: 1,
  RETRY: 2,
  EXIST: 3,
  DRY: 4,
} as const;
export type Domap = (typeof Domap)[keyof typeof Domap];

/** `coalesce_paths()` results. */
export const CoalesceResult = {
  OK: 0,
  FAIL: 1,
  RETRY: 2,
} as const;
export type CoalesceResult = (typeof CoalesceResult)[keyof typeof CoalesceResult];

/** `enum force_reload_types`. */
export const ForceReload = {
  NONE: 0,
  WEAK: 1,
  YES: 2,
} as const;
export type ForceReload = (typeof ForceReload)[keyof typeof ForceReload];

/** `enum mpath_cmds` of the `multipath` tool (CMD_NONE is multipathd). */
export const MpathCmd = {
  NONE: 0,
  CREATE: 1,
  DRY_RUN: 2,
  LIST_SHORT: 3,
  LIST_LONG: 4,
  VALID_PATH: 5,
  REMOVE_WWID: 6,
  RESET_WWIDS: 7,
  ADD_WWID: 8,
  USABLE_PATHS: 9,
  DUMP_CONFIG: 10,
  FLUSH_ONE: 11,
  FLUSH_ALL: 12,
} as const;
export type MpathCmd = (typeof MpathCmd)[keyof typeof MpathCmd];

/** `dm_get_map()` / `update_multipath_table()` results. */
export const Dmp = {
  ERR: 0,
  OK: 1,
  NOT_FOUND: 2,
} as const;
export type Dmp = (typeof Dmp)[keyof typeof Dmp];

/** `ev_remove_path()` results (bit 0 = the path is gone). */
export const RemovePath = {
  FAILURE: 0,
  SUCCESS: 1,
  DELAY: 2,
  MAP_ERROR: 5,
} as const;

/** YNU tri-states as libmultipath stores them. */
export const Ynu = { UNDEF: 0, OFF: 1, ON: 2 } as const;

/** `enum queue_mode_states`. */
export const QueueMode = { UNDEF: 0, BIO: 1, RQ: 2 } as const;

/** `enum deferred_remove_states`: ON/OFF/UNDEF as YNU, plus "in progress". */
export const DEFERRED_REMOVE_IN_PROGRESS = 3;

/** `UUID_PREFIX`: multipath maps' dm uuid is `mpath-<wwid>`. */
export const UUID_PREFIX = "mpath-";

/** `MAPGCINT`: checker passes between map garbage collections. */
export const MAPGCINT = 5;

/** dm udev flags multipath passes in the cookie (libdevmapper + multipath's own). */
export const DmUdevFlag = {
  DISABLE_LIBRARY_FALLBACK: 0x0020,
  /** DM_UDEV_PRIMARY_SOURCE_FLAG: libdevmapper adds it to every cookie it sets. */
  PRIMARY_SOURCE: 0x0040,
  /** MPATH_UDEV_RELOAD_FLAG = DM_SUBSYSTEM_UDEV_FLAG0. */
  MPATH_RELOAD: 0x0100,
  /** MPATH_UDEV_NO_KPARTX_FLAG = DM_SUBSYSTEM_UDEV_FLAG1. */
  MPATH_NO_KPARTX: 0x0200,
  /** MPATH_UDEV_NO_PATHS_FLAG = DM_SUBSYSTEM_UDEV_FLAG2. */
  MPATH_NO_PATHS: 0x0400,
} as const;

/** Bit position of the udev flags in a DM cookie (`DM_UDEV_FLAGS_SHIFT`). */
export const DM_UDEV_FLAGS_SHIFT = 16;
