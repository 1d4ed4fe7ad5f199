/**
 * The daemon's data model: libmultipath's `struct path`, `struct pathgroup` and `struct multipath`
 * (0.9.4, libmultipath/structs.h) as TypeScript records, with the enums and value encodings the
 * printers and the daemon core share.
 *
 * These are mutable records on purpose: the daemon core owns one `Path` per discovered device and
 * one `Multipath` per map and updates them in place as discovery, the checker loop and dm events
 * run, exactly as multipathd does; the printers only read them. Cross references are object
 * references (`path.mpp`, `group.mpp`), like the C pointers.
 *
 * Encodings that upstream folds into one integer (failback, no_path_retry) are kept as that
 * integer so that printing stays byte-identical; typed decoders live in `structs-vec.ts`.
 */
import { DmPathState, PathState } from "./path-state.js";

/** `enum pgstates`: a path group's state in the kernel map, from the dm status line. */
export const PgState = {
  UNDEF: 0,
  ENABLED: 1,
  DISABLED: 2,
  ACTIVE: 3,
} as const;
/** One of {@link PgState}'s values. */
export type PgState = (typeof PgState)[keyof typeof PgState];

/** `enum initialized_states`: how far path discovery got. */
export const InitState = {
  NEW: 0,
  FAILED: 1,
  MISSING_UDEV: 2,
  REQUESTED_UDEV: 3,
  OK: 4,
  /** Removed from the path list, but still in a kernel map because a reload failed. */
  REMOVED: 5,
  /** Added from a dm table read-back; finished when its add/change uevent arrives. */
  PARTIAL: 6,
} as const;
/** One of {@link InitState}'s values. */
export type InitState = (typeof InitState)[keyof typeof InitState];

/** `enum scsi_protocol`: SCSI transport, as the SCSI transport classes report it. */
export const ScsiProtocol = {
  FCP: 0,
  SPI: 1,
  SSA: 2,
  SBP: 3,
  SRP: 4,
  ISCSI: 5,
  SAS: 6,
  ADT: 7,
  ATA: 8,
  USB: 9,
  UNSPEC: 0xa,
} as const;
/** SCSI_PROTOCOL_END: offset of the NVMe bus in the linear bus/protocol numbering. */
export const SCSI_PROTOCOL_END = 0xb;

/** `enum nvme_protocol`: NVMe transport. */
export const NvmeProtocol = {
  PCIE: 0,
  RDMA: 1,
  FC: 2,
  TCP: 3,
  LOOP: 4,
  APPLE_NVME: 5,
  UNSPEC: 6,
} as const;

/** PROTOCOL_UNSET: `sg_id.proto_id` before discovery sets it. */
export const PROTOCOL_UNSET = -1;

/** `enum sysfs_buses`. */
export const SysfsBus = {
  UNDEF: 0,
  CCW: 1,
  CCISS: 2,
  SCSI: 3,
  NVME: 3 + SCSI_PROTOCOL_END,
} as const;
/** One of {@link SysfsBus}'s values. */
export type SysfsBus = (typeof SysfsBus)[keyof typeof SysfsBus];

/** `enum failback_mode`. In `Multipath.pgfailback` a mode is stored negated (see {@link Multipath.pgfailback}). */
export const FailbackMode = {
  UNDEF: 0,
  MANUAL: 1,
  IMMEDIATE: 2,
  FOLLOWOVER: 3,
} as const;

/** `no_path_retry` special values; a positive value is a number of checker intervals. */
export const NoPathRetry = {
  UNDEF: 0,
  FAIL: -1,
  QUEUE: -2,
} as const;

/** `enum actions` (libmultipath/configure.h): what the last coalesce/domap did to a map. */
export const MapAction = {
  UNDEF: 0,
  NOTHING: 1,
  REJECT: 2,
  RELOAD: 3,
  SWITCHPG: 4,
  RENAME: 5,
  CREATE: 6,
  RESIZE: 7,
  FORCERENAME: 8,
  DRY_RUN: 9,
  IMPOSSIBLE: 10,
} as const;
/** One of {@link MapAction}'s values. */
export type MapAction = (typeof MapAction)[keyof typeof MapAction];

/** `enum rr_weight_mode`. */
export const RrWeight = {
  UNDEF: 0,
  NONE: 1,
  PRIO: 2,
} as const;

/** `enum iopolicies`: path grouping policies of 0.9.4. */
export const PgPolicy = {
  UNDEF: 0,
  FAILOVER: 1,
  MULTIBUS: 2,
  GROUP_BY_SERIAL: 3,
  GROUP_BY_PRIO: 4,
  GROUP_BY_NODE_NAME: 5,
} as const;
/** One of {@link PgPolicy}'s values. */
export type PgPolicy = (typeof PgPolicy)[keyof typeof PgPolicy];

/** PRIO_UNDEF: `Path.priority` before a prioritizer ran. Printed as `-1`. */
export const PRIO_UNDEF = -1;
/** CHECKINT_UNDEF (UINT_MAX): `Path.checkint` before the checker loop set it. */
export const CHECKINT_UNDEF = 0xffff_ffff;
/** TPGS_UNDEF: `Path.tpgs` before ALUA support was probed. */
export const TPGS_UNDEF = -1;
/** SCSI_INVALID_LUN (~0ULL). */
export const SCSI_INVALID_LUN = 0xffff_ffff_ffff_ffffn;
/** WWID_SIZE: the daemon compares WWIDs and aliases over at most this many bytes. */
export const WWID_SIZE = 128;
/** MPATH_F_APTPL_MASK: the APTPL bit of `Multipath.saFlags` (`getprkey` prints `:aptpl`). */
export const MPATH_F_APTPL_MASK = 0x01;

/** `struct sg_id`: the SCSI address and transport of a path. */
export interface SgId {
  /** SCSI host number; -1 until discovery (then `%i` prints `#:#:#:#`). */
  hostNo: number;
  /** SCSI channel (bus); -1 until discovery. */
  channel: number;
  /** SCSI target id; -1 until discovery. */
  scsiId: number;
  /** LUN (u64); {@link SCSI_INVALID_LUN} until discovery. */
  lun: bigint;
  /** Transport: a {@link ScsiProtocol} (SCSI bus) or {@link NvmeProtocol} (NVMe bus); {@link PROTOCOL_UNSET} before discovery. */
  protoId: number;
  /** FC remote-port number (rport-H:C-T), used for the target WWPN lookup. */
  transportId: number;
}

/** The path's checker as the structs see it (the live checker instance belongs to the daemon core). */
export interface PathCheckerRef {
  /** Checker name (`tur`, `directio`, ...); null before one was selected (`%c` prints `(null)`). */
  name: string | null;
  /** `checker_disable()`: set by `fail path`, cleared by `reinstate path`; a disabled checker reports UNCHECKED. */
  disabled: boolean;
  /** Checker timeout in seconds (from sysfs or checker_timeout). */
  timeoutSec: number;
}

/** The path's prioritizer as selected by propsel. */
export interface PathPrioRef {
  /** Prioritizer name (`alua`, `const`, `sysfs`, ...); null before selection. */
  name: string | null;
  /** Its argument string (`prio_args`). */
  args: string;
}

/** `struct path`: one block device that is (or may become) a path of a map. */
export interface Path {
  /** Kernel name (`sda`); `""` while unknown (`%d` prints `-`, `%D` prints `#:#`). */
  dev: string;
  /** `major:minor` as a string, as upstream keeps it (`"8:0"`). */
  devT: string;
  /** SCSI address and transport. */
  sgId: SgId;
  /** The WWID (uid) as read from udev / VPD; `""` until known. */
  wwid: string;
  /** INQUIRY vendor, trimmed (`Linux`). */
  vendorId: string;
  /** INQUIRY product, trimmed (`scsi_debug`). */
  productId: string;
  /** INQUIRY revision (`0191`). */
  rev: string;
  /** Unit serial number, VPD 0x80 (`2000`). */
  serial: string;
  /** Target node name (FC WWNN, iSCSI target name); `""` when none (`%n` prints `[undef]`). */
  tgtNodeName: string;
  /** Vendor-specific VPD data (vpd_vendor_id), or null (`%g` prints `[undef]`). */
  vpdData: string | null;
  /** Size in 512-byte sectors. */
  size: number;
  /** Current checker interval in seconds (the `%C` bar's denominator); {@link CHECKINT_UNDEF} before the loop. */
  checkint: number;
  /** Seconds until the next check (the `%C` bar's numerator). */
  tick: number;
  /** A {@link SysfsBus} value. */
  bus: number;
  /** True when sysfs says the device is offline (`%o` prints `offline`, else `running`). */
  offline: boolean;
  /** The daemon's view of the path: the last checker verdict after the daemon's adjustments. */
  state: PathState;
  /** The path's state in the kernel map (from dm status). */
  dmstate: DmPathState;
  /** The checker's own last verdict, before the daemon's adjustments. */
  chkrstate: PathState;
  /** Failures counted by the checker loop (`%0`). */
  failcount: number;
  /** Priority from the prioritizer; {@link PRIO_UNDEF} until it ran. */
  priority: number;
  /** 1-based index of the path group the path is in (0 when none). */
  pgindex: number;
  /** detect_prio setting selected for the path (YNU: 0 undef, 1 no, 2 yes). */
  detectPrio: number;
  /** detect_checker setting selected for the path (YNU). */
  detectChecker: number;
  /** ALUA support (TPGS bits); {@link TPGS_UNDEF} until probed. */
  tpgs: number;
  /** udev property the WWID came from (`ID_SERIAL`), or null. */
  uidAttribute: string | null;
  /** The selected prioritizer. */
  prio: PathPrioRef;
  /** The selected checker. */
  checker: PathCheckerRef;
  /** The map this path belongs to, or null for an orphan. */
  mpp: Multipath | null;
  /** True while the daemon holds the device open (upstream `fd >= 0`); `show status` counts these as `paths:`. */
  monitored: boolean;
  /** An {@link InitState} value (`%I`). */
  initialized: number;
  /** uevent retriggers done for a missing WWID. */
  retriggers: number;
  /** Delay before retriggering a partial path. */
  partialRetriggerDelay: number;
  /** Path failures seen by san_path_err accounting. */
  pathFailures: number;
  /** Time (s) reinstatement was disabled at (san_path_err). */
  disReinstateTime: number;
  /** Reinstatement disabled by san_path_err accounting. */
  disableReinstate: boolean;
  /** san_path_err forget-rate countdown. */
  sanPathErrForgetRate: number;
  /** Time (s) reinstatement was disabled at by marginal-path I/O error checking. */
  ioErrDisReinstateTime: number;
  /** Reinstatement disabled by marginal-path I/O error checking. */
  ioErrDisableReinstate: boolean;
  /** Failed I/Os counted by the marginal-path checker. */
  ioErrPathfailCnt: number;
  /** When the marginal-path checker started counting. */
  ioErrPathfailStarttime: number;
  /** find_multipaths_timeout selected for the path. */
  findMultipathsTimeout: number;
  /** Marginal flag (operator `setmarginal` or marginal-path detection); `%M`. */
  marginal: boolean;
  /** vpd_vendor_id selected for the path. */
  vpdVendorId: number;
  /** recheck_wwid setting (YNU). */
  recheckWwid: number;
  /** fast_io_fail_tmo selected for the path (UOZ encoding: 0 unset, -1 off, -2 zero). */
  fastIoFail: number;
  /** dev_loss_tmo selected for the path. */
  devLoss: number;
  /** eh_deadline selected for the path (UOZ encoding). */
  ehDeadline: number;
  /** Set when this checker pass already checked the path. */
  isChecked: boolean;
}

/** `struct pathgroup`: one priority group of a map, in kernel order. */
export interface PathGroup {
  /** Group id (upstream uses it to match groups across reloads). */
  id: number;
  /** A {@link PgState} value, from dm status. */
  status: PgState;
  /** Integer average priority of the group's UP/GHOST paths (`path_group_prio_update`). */
  priority: number;
  /** Number of UP/GHOST paths at the last priority update. */
  enabledPaths: number;
  /** True when every path of the group is marginal. */
  marginal: boolean;
  /** The group's paths, in table order. */
  paths: Path[];
  /** The map the group belongs to. */
  mpp: Multipath;
}

/** `struct dm_info` as far as the daemon uses it: present when the map exists in the kernel (`has_dm_info`). */
export interface MapDmInfo {
  /** dm minor (`%d` prints `dm-<minor>`). */
  minor: number;
  /** dm major. */
  major: number;
  /** The map is read-only (`%r` prints `ro`). */
  readOnly: boolean;
  /** The map is suspended (`%t` prints `suspend`). */
  suspended: boolean;
  /** Open count. */
  openCount: number;
  /** Event counter. */
  eventNr: number;
  /** Number of targets in the live table. */
  targetCount: number;
  /** A live table is loaded. */
  liveTable: boolean;
  /** An inactive table is loaded. */
  inactiveTable: boolean;
  /** A deferred remove is pending. */
  deferredRemove: boolean;
}

/** `struct multipath`: one multipath map (existing, or being assembled). */
export interface Multipath {
  /** The map's WWID (the dm uuid without its `mpath-` prefix). */
  wwid: string;
  /** Previous alias, kept across a rename. */
  aliasOld: string;
  /** Map name (alias, user-friendly name or the WWID itself); null while unset (`%n` prints the WWID). */
  alias: string | null;
  /** Alias prefix selected for the map (`mpath`). */
  aliasPrefix: string | null;
  /** A {@link PgPolicy} value. */
  pgpolicy: number;
  /** 1-based group the next `switch_group` should pick. */
  nextpg: number;
  /** 1-based best group (`select_path_group`); starts at 1. */
  bestpg: number;
  /** Set while the map queues I/O with no usable path. */
  queuedio: boolean;
  /** A {@link MapAction} value: what the last configuration pass did (`%A`, the topology prefix). */
  action: MapAction;
  /** Set while waiting for udev to finish creating the device. */
  waitForUdev: number;
  /** Ticks left waiting for that uevent. */
  uevWaitTick: number;
  /**
   * failback setting, upstream's encoding: `-FailbackMode.MANUAL` (-1), `-FailbackMode.IMMEDIATE`
   * (-2), `-FailbackMode.FOLLOWOVER` (-3), `FailbackMode.UNDEF` (0), or a positive number of seconds
   * of deferred failback.
   */
  pgfailback: number;
  /** Seconds left before a deferred failback (`%F` prints a bar while > 0). */
  failbackTick: number;
  /** An {@link RrWeight} value. */
  rrWeight: number;
  /** no_path_retry: {@link NoPathRetry}`.UNDEF` (0), `.FAIL` (-1), `.QUEUE` (-2), or a positive retry count. */
  noPathRetry: number;
  /** Retries (checker intervals, seconds in practice) left before queueing is disabled (`%Q` prints `N sec`). */
  retryTick: number;
  /** Queueing disabled by the operator (`disablequeueing`). */
  disableQueueing: boolean;
  /** rr_min_io / rr_min_io_rq selected for the map. */
  minio: number;
  /** flush_on_last_del (YNU). */
  flushOnLastDel: number;
  /** retain_attached_hw_handler (YNU). */
  retainHwhandler: number;
  /** deferred_remove (YNU, or 3 = in progress). */
  deferredRemove: number;
  /** Set while a no_path_retry countdown is running. */
  inRecovery: boolean;
  /** Set when the map must be reloaded at the next opportunity. */
  needReload: boolean;
  /** san_path_err_threshold. */
  sanPathErrThreshold: number;
  /** san_path_err_forget_rate. */
  sanPathErrForgetRate: number;
  /** san_path_err_recovery_time. */
  sanPathErrRecoveryTime: number;
  /** marginal_path_err_sample_time. */
  marginalPathErrSampleTime: number;
  /** marginal_path_err_rate_threshold. */
  marginalPathErrRateThreshold: number;
  /** marginal_path_err_recheck_gap_time. */
  marginalPathErrRecheckGapTime: number;
  /** marginal_path_double_failed_time. */
  marginalPathDoubleFailedTime: number;
  /** skip_kpartx (YNU). */
  skipKpartx: number;
  /** max_sectors_kb (0 = undef). */
  maxSectorsKb: number;
  /** Create the map read-only. */
  forceReadonly: boolean;
  /** Force a udev reload on the next domap. */
  forceUdevReload: boolean;
  /** Paths need a change uevent after the next domap. */
  needsPathsUevent: boolean;
  /** ghost_delay (-1 off, 0 undef, > 0 seconds). */
  ghostDelay: number;
  /** Ticks left of ghost_delay. */
  ghostDelayTick: number;
  /** queue_mode (0 undef, 1 bio, 2 rq). */
  queueMode: number;
  /** Map size in 512-byte sectors (`%S`). */
  size: number;
  /** All paths of the map, flat (upstream `mpp->paths`). */
  paths: Path[];
  /** Path groups in kernel order (group numbers are index + 1). */
  pg: PathGroup[];
  /** Kernel info of the map; null when the map does not exist in the kernel (`has_dm_info` false). */
  dmi: MapDmInfo | null;
  /** Path selector with its arguments (`service-time 0`); null before selection (`%s` of a group prints ``). */
  selector: string | null;
  /** Features string as in the table (`0`, `1 queue_if_no_path`). */
  features: string;
  /** Hardware handler string as in the table (`1 alua`, `0`). */
  hwhandler: string;
  /** `stat_switchgroup`: group switches (`%1`). */
  statSwitchgroup: number;
  /** `stat_path_failures`: path failures seen (`%0`). */
  statPathFailures: number;
  /** `stat_map_loads`: table loads (`%2`). */
  statMapLoads: number;
  /** `stat_total_queueing_time`: seconds spent queueing (`%3`). */
  statTotalQueueingTime: number;
  /** `stat_queueing_timeouts`: no_path_retry expiries (`%4`). */
  statQueueingTimeouts: number;
  /** `stat_map_failures`: times the map lost its last path (`%x`). */
  statMapFailures: number;
  /** Where the PR key came from (0 none, 1 config, 2 prkeys file). */
  prkeySource: number;
  /** Persistent reservation key (u64, 0 = none). */
  reservationKey: bigint;
  /** PR service-action flags (APTPL = {@link MPATH_F_APTPL_MASK}). */
  saFlags: number;
  /** PR registration flag for mpathpersist (`getprstatus`). */
  prflag: boolean;
  /** all_tg_pt (YNU). */
  allTgPt: number;
  /** An FPIN notification requires a reload. */
  fpinMustReload: boolean;
}

/** Fields a caller may set when creating a path; the rest get `alloc_path()`'s defaults. */
export type PathInit = Partial<Omit<Path, "sgId" | "prio" | "checker">> & {
  sgId?: Partial<SgId>;
  prio?: Partial<PathPrioRef>;
  checker?: Partial<PathCheckerRef>;
};

/** `alloc_path()`: a fresh path with upstream's initial values, overridden by `init`. */
export function createPath(init: PathInit = {}): Path {
  const { sgId, prio, checker, ...rest } = init;
  return {
    dev: "",
    devT: "",
    wwid: "",
    vendorId: "",
    productId: "",
    rev: "",
    serial: "",
    tgtNodeName: "",
    vpdData: null,
    size: 0,
    checkint: CHECKINT_UNDEF,
    tick: 0,
    bus: SysfsBus.UNDEF,
    offline: false,
    state: PathState.WILD,
    dmstate: DmPathState.UNDEF,
    chkrstate: PathState.WILD,
    failcount: 0,
    priority: PRIO_UNDEF,
    pgindex: 0,
    detectPrio: 0,
    detectChecker: 0,
    tpgs: TPGS_UNDEF,
    uidAttribute: null,
    mpp: null,
    monitored: false,
    initialized: InitState.NEW,
    retriggers: 0,
    partialRetriggerDelay: 0,
    pathFailures: 0,
    disReinstateTime: 0,
    disableReinstate: false,
    sanPathErrForgetRate: 0,
    ioErrDisReinstateTime: 0,
    ioErrDisableReinstate: false,
    ioErrPathfailCnt: 0,
    ioErrPathfailStarttime: 0,
    findMultipathsTimeout: 0,
    marginal: false,
    vpdVendorId: 0,
    recheckWwid: 0,
    fastIoFail: 0,
    devLoss: 0,
    ehDeadline: 0,
    isChecked: false,
    ...rest,
    sgId: {
      hostNo: -1,
      channel: -1,
      scsiId: -1,
      lun: SCSI_INVALID_LUN,
      protoId: PROTOCOL_UNSET,
      transportId: 0,
      ...sgId,
    },
    prio: { name: null, args: "", ...prio },
    checker: { name: null, disabled: false, timeoutSec: 0, ...checker },
  };
}

/** Fields a caller may set when creating a map; the rest get `alloc_multipath()`'s defaults. */
export type MultipathInit = Partial<Omit<Multipath, "dmi">> & { dmi?: Partial<MapDmInfo> | null };

/** `alloc_multipath()`: a fresh map with upstream's initial values, overridden by `init`. */
export function createMultipath(init: MultipathInit = {}): Multipath {
  const { dmi, ...rest } = init;
  return {
    wwid: "",
    aliasOld: "",
    alias: null,
    aliasPrefix: null,
    pgpolicy: PgPolicy.UNDEF,
    nextpg: 0,
    bestpg: 1,
    queuedio: false,
    action: MapAction.UNDEF,
    waitForUdev: 0,
    uevWaitTick: 0,
    pgfailback: 0,
    failbackTick: 0,
    rrWeight: RrWeight.UNDEF,
    noPathRetry: NoPathRetry.UNDEF,
    retryTick: 0,
    disableQueueing: false,
    minio: 0,
    flushOnLastDel: 0,
    retainHwhandler: 0,
    deferredRemove: 0,
    inRecovery: false,
    needReload: false,
    sanPathErrThreshold: 0,
    sanPathErrForgetRate: 0,
    sanPathErrRecoveryTime: 0,
    marginalPathErrSampleTime: 0,
    marginalPathErrRateThreshold: 0,
    marginalPathErrRecheckGapTime: 0,
    marginalPathDoubleFailedTime: 0,
    skipKpartx: 0,
    maxSectorsKb: 0,
    forceReadonly: false,
    forceUdevReload: false,
    needsPathsUevent: false,
    ghostDelay: 0,
    ghostDelayTick: 0,
    queueMode: 0,
    size: 0,
    paths: [],
    pg: [],
    selector: null,
    features: "",
    hwhandler: "",
    statSwitchgroup: 0,
    statPathFailures: 0,
    statMapLoads: 0,
    statTotalQueueingTime: 0,
    statQueueingTimeouts: 0,
    statMapFailures: 0,
    prkeySource: 0,
    reservationKey: 0n,
    saFlags: 0,
    prflag: false,
    allTgPt: 0,
    fpinMustReload: false,
    ...rest,
    dmi: dmi === undefined || dmi === null ? null : createMapDmInfo(dmi),
  };
}

/** A `MapDmInfo` with zero/false defaults. */
export function createMapDmInfo(init: Partial<MapDmInfo> = {}): MapDmInfo {
  return {
    minor: 0,
    major: 254,
    readOnly: false,
    suspended: false,
    openCount: 0,
    eventNr: 0,
    targetCount: 1,
    liveTable: true,
    inactiveTable: false,
    deferredRemove: false,
    ...init,
  };
}

/** Fields a caller may set when creating a group. */
export type PathGroupInit = Partial<Omit<PathGroup, "mpp">>;

/**
 * `alloc_pathgroup()` + `add_pathgroup()`: a new group appended to `mpp.pg`. Its paths get
 * `pgindex` = the new group number; `mpp` of the paths is left to the caller (adoption is the
 * daemon core's decision).
 */
export function addPathGroup(mpp: Multipath, init: PathGroupInit = {}): PathGroup {
  const pg: PathGroup = {
    id: 0,
    status: PgState.UNDEF,
    priority: 0,
    enabledPaths: 0,
    marginal: false,
    paths: [],
    ...init,
    mpp,
  };
  mpp.pg.push(pg);
  const index = mpp.pg.length;
  for (const pp of pg.paths) pp.pgindex = index;
  return pg;
}
