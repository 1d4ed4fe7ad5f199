/**
 * The configuration's data, as libmultipath's config.h and structs.h hold it. Field names are the
 * multipath.conf keywords in camelCase (`path_grouping_policy` → `pathGroupingPolicy`). An absent
 * optional field is "not set at this level" (libmultipath's 0 / NULL / UNDEF), which is what the
 * precedence rules of propsel test.
 */

/** `path_grouping_policy`. */
export type PgPolicyName =
  | "failover"
  | "multibus"
  | "group_by_serial"
  | "group_by_prio"
  | "group_by_node_name";
/** `failback`: a mode, or a deferral in seconds (> 0). */
export type FailbackValue = "manual" | "immediate" | "followover" | number;
/** `no_path_retry`: fail at once, queue forever, or queue for N polling intervals (N >= 1). */
export type NoPathRetryValue = "fail" | "queue" | number;
export type RrWeightName = "uniform" | "priorities";
/** Options that are "no" or a positive number (`delay_watch_checks`, `san_path_*`, `marginal_path_*`, `ghost_delay`). */
export type NoOrNumber = "no" | number;
/** Options where "off" and 0 are distinct settings (`fast_io_fail_tmo`, `eh_deadline`); numbers are >= 0. */
export type OffOrNumber = "off" | number;
export type FindMultipaths = "off" | "on" | "strict" | "greedy" | "smart";
export type MarginalPathgroups = "off" | "on";
export type LogCheckerErr = "always" | "once";
export type VpdVendor = "hp3par";
export type QueueWithoutDaemon = "no" | "yes" | "forced";

/** `reservation_key`: from the prkeys file, or a 64-bit key with an optional `:aptpl` flag. */
export type ReservationKey =
  | { readonly source: "file" }
  | { readonly source: "conf"; readonly key: bigint; readonly aptpl: boolean };

/** Bus/protocol names, in libmultipath's order (the index is `bus_protocol_id`). */
export const PROTOCOL_NAMES = [
  "undef",
  "ccw",
  "cciss",
  "scsi:fcp",
  "scsi:spi",
  "scsi:ssa",
  "scsi:sbp",
  "scsi:srp",
  "scsi:iscsi",
  "scsi:sas",
  "scsi:adt",
  "scsi:ata",
  "scsi:usb",
  "scsi:unspec",
  "nvme:pcie",
  "nvme:rdma",
  "nvme:fc",
  "nvme:tcp",
  "nvme:loop",
  "nvme:apple-nvme",
  "nvme:unspec",
] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/** `dev_loss_tmo "infinity"` (UINT_MAX). */
export const MAX_DEV_LOSS_TMO = 0xffffffff;

/** Attribute settings shared by `defaults`, `devices/device`, `overrides` and `multipaths/multipath`. */
export interface MapAttrs {
  pathGroupingPolicy?: PgPolicyName;
  pathSelector?: string;
  prio?: string;
  prioArgs?: string;
  features?: string;
  failback?: FailbackValue;
  rrWeight?: RrWeightName;
  noPathRetry?: NoPathRetryValue;
  rrMinIo?: number;
  rrMinIoRq?: number;
  flushOnLastDel?: boolean;
  userFriendlyNames?: boolean;
  deferredRemove?: boolean;
  delayWatchChecks?: NoOrNumber;
  delayWaitChecks?: NoOrNumber;
  sanPathErrThreshold?: NoOrNumber;
  sanPathErrForgetRate?: NoOrNumber;
  sanPathErrRecoveryTime?: NoOrNumber;
  marginalPathErrSampleTime?: NoOrNumber;
  marginalPathErrRateThreshold?: NoOrNumber;
  marginalPathErrRecheckGapTime?: NoOrNumber;
  marginalPathDoubleFailedTime?: NoOrNumber;
  skipKpartx?: boolean;
  maxSectorsKb?: number;
  ghostDelay?: NoOrNumber;
}

/** Path-level settings shared by `defaults`, `devices/device` and `overrides`. */
export interface PathAttrs {
  uidAttribute?: string;
  pathChecker?: string;
  aliasPrefix?: string;
  fastIoFailTmo?: OffOrNumber;
  devLossTmo?: number;
  ehDeadline?: OffOrNumber;
  retainAttachedHwHandler?: boolean;
  detectPrio?: boolean;
  detectChecker?: boolean;
  allTgPt?: boolean;
  recheckWwid?: boolean;
}

/** A `devices { device { ... } }` section or a built-in hwtable entry (`struct hwentry`). */
export interface HwEntry extends MapAttrs, PathAttrs {
  /** POSIX ERE, unanchored. */
  vendor?: string;
  product?: string;
  revision?: string;
  productBlacklist?: string;
  hardwareHandler?: string;
  vpdVendor?: VpdVendor;
}

/** An `overrides { protocol { ... } }` section (`struct pcentry`); `type` is absent until set. */
export interface PcEntry {
  type?: ProtocolName;
  fastIoFailTmo?: OffOrNumber;
  devLossTmo?: number;
  ehDeadline?: OffOrNumber;
}

/** The `overrides` section. */
export interface Overrides extends MapAttrs, PathAttrs {
  protocols: PcEntry[];
}

/** Bits of `attributeFlags`: which of uid, gid and mode were set. */
export const ATTR_UID = 1;
export const ATTR_GID = 2;
export const ATTR_MODE = 4;

/** A `multipaths { multipath { ... } }` section (`struct mpentry`). */
export interface MpEntry extends MapAttrs {
  wwid?: string;
  alias?: string;
  reservationKey?: ReservationKey;
  /** ATTR_* bits; uid/gid/mode count only where their bit is set (and are printed in octal). */
  attributeFlags: number;
  uid: number;
  gid: number;
  mode: number;
}

/** One compiled blacklist regex (`struct blentry`). `str` keeps a leading `!` (inversion). */
export interface BlacklistRegex {
  readonly str: string;
  readonly invert: boolean;
  readonly regex: RegExp;
}

/** Where a blacklist rule came from: `show blacklist` prints "(config file rule)" or "(default rule)". */
export type BlacklistOrigin = "config" | "default";

export interface BlacklistEntry extends BlacklistRegex {
  readonly origin: BlacklistOrigin;
}

/** A `device { vendor ... product ... }` blacklist rule; either part may be missing. */
export interface BlacklistDeviceEntry {
  vendor?: BlacklistRegex;
  product?: BlacklistRegex;
  origin: BlacklistOrigin;
}

/** The rules of `blacklist` or of `blacklist_exceptions`. */
export interface BlacklistRules {
  devnode: BlacklistEntry[];
  wwid: BlacklistEntry[];
  property: BlacklistEntry[];
  protocol: BlacklistEntry[];
  device: BlacklistDeviceEntry[];
}

/**
 * The loaded configuration (`struct config`): the `defaults` values at top level, then the tables.
 * Fields that are not optional always have a value (libmultipath initialises them).
 */
export interface Config extends MapAttrs, PathAttrs {
  verbosity: number;
  /** `polling_interval` in seconds (unsigned 32-bit). */
  pollingInterval: number;
  maxPollingInterval: number;
  reassignMaps: boolean;
  /** `uid_attrs` records, `subsystem:ATTRIBUTE`. */
  uidAttrs: string[];
  /** The number of open files multipathd may use; "max" reads as the system's nr_open. */
  maxFds: number;
  queueWithoutDaemon: QueueWithoutDaemon;
  /** Seconds; 0 = use the SCSI device timeout. */
  checkerTimeout: number;
  allowUsbDevices: boolean;
  attributeFlags: number;
  uid: number;
  gid: number;
  mode: number;
  bindingsFile: string;
  wwidsFile: string;
  prkeysFile: string;
  logCheckerErr: LogCheckerErr;
  reservationKey?: ReservationKey;
  forceSync: boolean;
  strictTiming: boolean;
  partitionDelimiter?: string;
  findMultipaths: FindMultipaths;
  uxsockTimeout: number;
  retriggerTries: number;
  retriggerDelay: number;
  missingUevWaitTimeout: number;
  removeRetries: number;
  findMultipathsTimeout?: number;
  enableForeign?: string;
  marginalPathgroups: MarginalPathgroups;
  ghostDelay: NoOrNumber;
  allTgPt: boolean;
  recheckWwid: boolean;

  /** Built-in entries first, then the user's (a later entry takes precedence when matching). */
  hwtable: HwEntry[];
  overrides?: Overrides;
  /** Sorted by WWID, duplicates merged. */
  mptable: MpEntry[];
  blacklist: BlacklistRules;
  exceptions: BlacklistRules;
}

/*
 * libmultipath's integer encodings, for code that keeps C-style numeric fields (struct multipath).
 */

/** `enum iopolicies`: failover 1 … group_by_node_name 5. */
export function pgPolicyCode(p: PgPolicyName): number {
  return ["failover", "multibus", "group_by_serial", "group_by_prio", "group_by_node_name"].indexOf(p) + 1;
}

/** `pgfailback`: -1 manual, -2 immediate, -3 followover, N > 0 deferred seconds, 0 undefined. */
export function failbackCode(f: FailbackValue | undefined): number {
  if (f === undefined) return 0;
  if (typeof f === "number") return f;
  return f === "manual" ? -1 : f === "immediate" ? -2 : -3;
}

/** `no_path_retry`: -1 fail, -2 queue, N > 0 retries, 0 undefined. */
export function noPathRetryCode(n: NoPathRetryValue | undefined): number {
  if (n === undefined) return 0;
  if (typeof n === "number") return n;
  return n === "fail" ? -1 : -2;
}

/** `rr_weight`: 1 uniform, 2 priorities, 0 undefined. */
export function rrWeightCode(r: RrWeightName | undefined): number {
  return r === undefined ? 0 : r === "uniform" ? 1 : 2;
}
