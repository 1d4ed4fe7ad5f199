/**
 * Pure helpers over the structs: counting, priority groups, lookups by name, and typed views of
 * the integer encodings (libmultipath structs.c, switchgroup.c, pgpolicies.c `sort_pathgroups`,
 * util.c `convert_dev`).
 */
import { isActivePathState, PathState } from "./path-state.js";
import {
  FailbackMode,
  type Multipath,
  NoPathRetry,
  NvmeProtocol,
  type Path,
  type PathGroup,
  ScsiProtocol,
  SysfsBus,
  WWID_SIZE,
} from "./structs.js";

/** `has_dm_info()`: the map exists in the kernel as far as the daemon knows. */
export function hasDmInfo(mpp: Multipath | null | undefined): boolean {
  return mpp !== null && mpp !== undefined && mpp.dmi !== null;
}

/** `count_active_paths()`: paths of the map's groups in state UP or GHOST. */
export function countActivePaths(mpp: Multipath): number {
  let n = 0;
  for (const pg of mpp.pg) for (const pp of pg.paths) if (isActivePathState(pp.state)) n++;
  return n;
}

/** `count_active_pending_paths()`: UP, GHOST or PENDING. */
export function countActivePendingPaths(mpp: Multipath): number {
  let n = 0;
  for (const pg of mpp.pg)
    for (const pp of pg.paths) if (isActivePathState(pp.state) || pp.state === PathState.PENDING) n++;
  return n;
}

/** `pathcount()`: paths of the map's groups in `state`. */
export function pathcount(mpp: Multipath, state: PathState): number {
  let n = 0;
  for (const pg of mpp.pg) for (const pp of pg.paths) if (pp.state === state) n++;
  return n;
}

/** `first_path()`: the first path of the first group, or null. */
export function firstPath(mpp: Multipath): Path | null {
  return mpp.pg[0]?.paths[0] ?? null;
}

/** The result of `path_group_prio_update()` for one group. */
export interface PathGroupPrio {
  /** Sum of the UP/GHOST paths' priorities divided by their number (C integer division), 0 when none. */
  readonly priority: number;
  /** Number of UP/GHOST paths. */
  readonly enabledPaths: number;
  /** Marginal after the update: upstream only ever sets it (when every path is marginal), never clears it. */
  readonly marginal: boolean;
}

/** `path_group_prio_update()` computed without writing it back. */
export function pathGroupPrio(pg: PathGroup): PathGroupPrio {
  let sum = 0;
  let enabled = 0;
  let marginal = 0;
  for (const pp of pg.paths) {
    if (pp.marginal) marginal++;
    if (isActivePathState(pp.state)) {
      sum += pp.priority;
      enabled++;
    }
  }
  return {
    priority: enabled > 0 ? Math.trunc(sum / enabled) | 0 : 0,
    enabledPaths: enabled,
    marginal: pg.marginal || (marginal > 0 && marginal === pg.paths.length),
  };
}

/** `path_group_prio_update()`: refreshes the group's priority, enabled path count and marginal flag. */
export function updatePathGroupPrio(pg: PathGroup): void {
  const p = pathGroupPrio(pg);
  pg.priority = p.priority;
  pg.enabledPaths = p.enabledPaths;
  pg.marginal = p.marginal;
}

/** Runs {@link updatePathGroupPrio} on every group of the map. */
export function updatePathGroupPrios(mpp: Multipath): void {
  for (const pg of mpp.pg) updatePathGroupPrio(pg);
}

/**
 * `select_path_group()`: the 1-based number of the best group — the first non-marginal group with
 * usable paths, then higher priority, then (at equal priority) more usable paths. 1 when no group
 * qualifies. Pure: upstream also stores each group's refreshed priority as a side effect; call
 * {@link updatePathGroupPrios} to get that.
 */
export function selectPathGroup(mpp: Multipath): number {
  let normalPgp = false;
  let maxPriority = 0;
  let bestpg = 1;
  let maxEnabledPaths = 1;
  mpp.pg.forEach((pg, i) => {
    const p = pathGroupPrio(pg);
    if (p.marginal && normalPgp) return;
    if (p.enabledPaths === 0) return;
    if (!p.marginal && !normalPgp) {
      normalPgp = true;
      maxPriority = p.priority;
      maxEnabledPaths = p.enabledPaths;
      bestpg = i + 1;
    } else if (p.priority > maxPriority) {
      maxPriority = p.priority;
      maxEnabledPaths = p.enabledPaths;
      bestpg = i + 1;
    } else if (p.priority === maxPriority && p.enabledPaths > maxEnabledPaths) {
      maxEnabledPaths = p.enabledPaths;
      bestpg = i + 1;
    }
  });
  return bestpg;
}

/**
 * `sort_pathgroups()`: the groups in the order the kernel table lists them — non-marginal first,
 * then by priority (descending), then by usable paths (descending); equal groups keep their order.
 * Upstream's insertion sort, reproduced step by step so ties come out identically. Priorities are
 * refreshed as upstream does (the groups are updated in place); the input array is not reordered.
 */
export function pathGroupsInOrder(groups: readonly PathGroup[]): PathGroup[] {
  const v = [...groups];
  for (let i = 0; i < v.length; i++) {
    const pgp1 = v[i]!;
    updatePathGroupPrio(pgp1);
    let j = i - 1;
    for (; j >= 0; j--) {
      const pgp2 = v[j]!;
      const m1 = pgp1.marginal ? 1 : 0;
      const m2 = pgp2.marginal ? 1 : 0;
      if (
        m2 < m1 ||
        (m2 === m1 &&
          (pgp2.priority > pgp1.priority ||
            (pgp2.priority === pgp1.priority && pgp2.enabledPaths >= pgp1.enabledPaths)))
      ) {
        moveUp(v, i, j + 1);
        break;
      }
    }
    if (j < 0 && i !== 0) moveUp(v, i, 0);
  }
  return v;
}

/** `vector_move_up(v, src, dest)`: move the element at `src` to `dest` (< src), shifting the rest up. */
function moveUp<T>(v: T[], src: number, dest: number): void {
  const [item] = v.splice(src, 1);
  v.splice(dest, 0, item!);
}

/**
 * `strncmp(a, b, WWID_SIZE) == 0`: WWIDs compared over at most {@link WWID_SIZE} characters
 * (without cutting copies when both are shorter, as they almost always are).
 */
export function wwidEqual(a: string, b: string): boolean {
  if (a.length <= WWID_SIZE && b.length <= WWID_SIZE) return a === b;
  return a.slice(0, WWID_SIZE) === b.slice(0, WWID_SIZE);
}

/** `find_mp_by_wwid()`: compares at most {@link WWID_SIZE} bytes, like upstream. */
export function findMpByWwid(maps: readonly Multipath[], wwid: string): Multipath | null {
  for (const mpp of maps) if (wwidEqual(mpp.wwid, wwid)) return mpp;
  return null;
}

/** `find_mp_by_alias()`: exact alias match; never matches the empty string. */
export function findMpByAlias(maps: readonly Multipath[], alias: string): Multipath | null {
  if (alias.length === 0) return null;
  for (const mpp of maps) if (mpp.alias !== null && mpp.alias === alias) return mpp;
  return null;
}

/** `find_mp_by_minor()`: the map whose kernel minor is `minor`. */
export function findMpByMinor(maps: readonly Multipath[], minor: number): Multipath | null {
  for (const mpp of maps) if (mpp.dmi !== null && mpp.dmi.minor === minor) return mpp;
  return null;
}

/** `find_mp_by_str()`: `dm-N` selects by minor, anything else by alias. */
export function findMpByStr(maps: readonly Multipath[], str: string): Multipath | null {
  const minor = scanDmMinor(str);
  return minor === null ? findMpByAlias(maps, str) : findMpByMinor(maps, minor);
}

/** `find_path_by_dev()`. */
export function findPathByDev(paths: readonly Path[], dev: string): Path | null {
  for (const pp of paths) if (pp.dev === dev) return pp;
  return null;
}

/** `find_path_by_devt()`. */
export function findPathByDevt(paths: readonly Path[], devT: string): Path | null {
  for (const pp of paths) if (pp.devT === devT) return pp;
  return null;
}

/**
 * `sscanf(str, "dm-%d", &minor) == 1`: the minor when `str` starts with `dm-` followed by an
 * integer (leading blanks and a sign allowed, trailing text ignored), else null. Out-of-range
 * values wrap to 32 bits as glibc's conversion to int does in practice.
 */
export function scanDmMinor(str: string): number | null {
  const m = /^dm-[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(str);
  if (!m) return null;
  return cInt(m[1]!);
}

/**
 * C `atoi()` as multipathd applies it to a group number: leading blanks, optional sign, digits;
 * anything else ends the number; no digits gives 0.
 */
export function cAtoi(str: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(str);
  return m ? cInt(m[1]!) : 0;
}

function cInt(digits: string): number {
  return Number(BigInt.asIntN(32, BigInt(digits)));
}

/**
 * `convert_dev()`: strips a leading `/dev/` (when something follows it) from a device argument;
 * for path devices `cciss/x` becomes `cciss!x` as in sysfs names.
 */
export function convertDev(name: string, isPathDevice: boolean): string {
  let s = name;
  if (isPathDevice) {
    const at = s.indexOf("cciss/");
    if (at >= 0) s = s.slice(0, at + 5) + "!" + s.slice(at + 6);
  }
  return s.startsWith("/dev/") && s.length > 5 ? s.slice(5) : s;
}

/** `reset_stats()`: zeroes the map's counters (`reset map M stats`). */
export function resetStats(mpp: Multipath): void {
  mpp.statSwitchgroup = 0;
  mpp.statPathFailures = 0;
  mpp.statMapLoads = 0;
  mpp.statTotalQueueingTime = 0;
  mpp.statQueueingTimeouts = 0;
  mpp.statMapFailures = 0;
}

const PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [SysfsBus.UNDEF, "undef"],
  [SysfsBus.CCW, "ccw"],
  [SysfsBus.CCISS, "cciss"],
  [SysfsBus.SCSI + ScsiProtocol.FCP, "scsi:fcp"],
  [SysfsBus.SCSI + ScsiProtocol.SPI, "scsi:spi"],
  [SysfsBus.SCSI + ScsiProtocol.SSA, "scsi:ssa"],
  [SysfsBus.SCSI + ScsiProtocol.SBP, "scsi:sbp"],
  [SysfsBus.SCSI + ScsiProtocol.SRP, "scsi:srp"],
  [SysfsBus.SCSI + ScsiProtocol.ISCSI, "scsi:iscsi"],
  [SysfsBus.SCSI + ScsiProtocol.SAS, "scsi:sas"],
  [SysfsBus.SCSI + ScsiProtocol.ADT, "scsi:adt"],
  [SysfsBus.SCSI + ScsiProtocol.ATA, "scsi:ata"],
  [SysfsBus.SCSI + ScsiProtocol.USB, "scsi:usb"],
  [SysfsBus.SCSI + ScsiProtocol.UNSPEC, "scsi:unspec"],
  [SysfsBus.NVME + NvmeProtocol.PCIE, "nvme:pcie"],
  [SysfsBus.NVME + NvmeProtocol.RDMA, "nvme:rdma"],
  [SysfsBus.NVME + NvmeProtocol.FC, "nvme:fc"],
  [SysfsBus.NVME + NvmeProtocol.TCP, "nvme:tcp"],
  [SysfsBus.NVME + NvmeProtocol.LOOP, "nvme:loop"],
  [SysfsBus.NVME + NvmeProtocol.APPLE_NVME, "nvme:apple-nvme"],
  [SysfsBus.NVME + NvmeProtocol.UNSPEC, "nvme:unspec"],
]);

/** `bus_protocol_id()`: the linear bus/protocol number of a path. */
export function busProtocolId(pp: Path): number {
  const { bus } = pp;
  const proto = pp.sgId.protoId;
  if (bus < 0 || bus > SysfsBus.NVME) return SysfsBus.UNDEF;
  if (bus !== SysfsBus.SCSI && bus !== SysfsBus.NVME) return bus;
  if (proto < 0) return SysfsBus.UNDEF;
  if (bus === SysfsBus.SCSI && proto > ScsiProtocol.UNSPEC) return SysfsBus.UNDEF;
  if (bus === SysfsBus.NVME && proto > NvmeProtocol.UNSPEC) return SysfsBus.UNDEF;
  return bus + proto;
}

/** `protocol_name[bus_protocol_id(pp)]` (`%P`): `scsi:unspec`, `nvme:tcp`, ... */
export function pathProtocolName(pp: Path): string {
  // Ids between the defined ones (e.g. bus 4..13) have no name upstream and would assert.
  return PROTOCOL_NAMES.get(busProtocolId(pp)) ?? "undef";
}

/** A map's failback setting, decoded from `Multipath.pgfailback`. */
export type Failback =
  | { readonly mode: "undef" }
  | { readonly mode: "manual" }
  | { readonly mode: "immediate" }
  | { readonly mode: "followover" }
  | { readonly mode: "deferred"; readonly seconds: number };

/** Decodes upstream's `pgfailback` integer. Negative values other than the three modes read as manual. */
export function decodeFailback(pgfailback: number): Failback {
  if (pgfailback > 0) return { mode: "deferred", seconds: pgfailback };
  switch (pgfailback) {
    case 0:
      return { mode: "undef" };
    case -FailbackMode.IMMEDIATE:
      return { mode: "immediate" };
    case -FailbackMode.FOLLOWOVER:
      return { mode: "followover" };
    default:
      return { mode: "manual" };
  }
}

/** Encodes a {@link Failback} as upstream's `pgfailback` integer. */
export function encodeFailback(f: Failback): number {
  switch (f.mode) {
    case "undef":
      return FailbackMode.UNDEF;
    case "manual":
      return -FailbackMode.MANUAL;
    case "immediate":
      return -FailbackMode.IMMEDIATE;
    case "followover":
      return -FailbackMode.FOLLOWOVER;
    case "deferred":
      return f.seconds;
    default: {
      const never: never = f;
      return never;
    }
  }
}

/** A map's no_path_retry setting, decoded from `Multipath.noPathRetry`. */
export type NoPathRetrySetting =
  | { readonly kind: "undef" }
  | { readonly kind: "fail" }
  | { readonly kind: "queue" }
  | { readonly kind: "retries"; readonly count: number }
  | { readonly kind: "invalid"; readonly raw: number };

/** Decodes upstream's `no_path_retry` integer. */
export function decodeNoPathRetry(n: number): NoPathRetrySetting {
  if (n > 0) return { kind: "retries", count: n };
  switch (n) {
    case NoPathRetry.UNDEF:
      return { kind: "undef" };
    case NoPathRetry.FAIL:
      return { kind: "fail" };
    case NoPathRetry.QUEUE:
      return { kind: "queue" };
    default:
      return { kind: "invalid", raw: n };
  }
}

/** Encodes a {@link NoPathRetrySetting} as upstream's integer. */
export function encodeNoPathRetry(s: NoPathRetrySetting): number {
  switch (s.kind) {
    case "undef":
      return NoPathRetry.UNDEF;
    case "fail":
      return NoPathRetry.FAIL;
    case "queue":
      return NoPathRetry.QUEUE;
    case "retries":
      return s.count;
    case "invalid":
      return s.raw;
    default: {
      const never: never = s;
      return never;
    }
  }
}
