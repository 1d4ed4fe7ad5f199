/**
 * The wildcard tables of `show ... format` (libmultipath/print.c `mpd`, `pd`, `pgd`): letter,
 * column header, and how the field prints. Table order matters: it is the order of
 * `show wildcards` and of the layout arrays.
 */
import { DmPathState, PathState } from "../structs/path-state.js";
import {
  FailbackMode,
  InitState,
  MapAction,
  type Multipath,
  NoPathRetry,
  type Path,
  type PathGroup,
  PgState,
  SCSI_INVALID_LUN,
  ScsiProtocol,
  SysfsBus,
} from "../structs/structs.js";
import { countActivePaths, hasDmInfo, pathProtocolName } from "../structs/structs-vec.js";
import type { PrintEnv } from "./print-env.js";
import { cIntString, cUintString, type FieldValue, formatProgress, formatSize } from "./print-util.js";

/** One wildcard: `%<wildcard>` prints `print(item)`; headers print `header`. */
export interface Wildcard<T> {
  readonly wildcard: string;
  readonly header: string;
  readonly print: (item: T, env: PrintEnv) => FieldValue;
}

/** The action names of `%A` (configure.h ACT_*_STR); other actions print nothing. */
function actionName(action: number): string {
  switch (action) {
    case MapAction.REJECT:
      return "reject";
    case MapAction.RENAME:
      return "rename";
    case MapAction.RELOAD:
      return "reload";
    case MapAction.CREATE:
      return "create";
    case MapAction.SWITCHPG:
      return "switchpg";
    default:
      return "";
  }
}

function mapName(mpp: Multipath): string {
  return mpp.alias ?? mpp.wwid;
}

function mapFailback(mpp: Multipath): FieldValue {
  if (mpp.pgfailback === -FailbackMode.IMMEDIATE) return "immediate";
  if (mpp.pgfailback === -FailbackMode.FOLLOWOVER) return "followover";
  if (mpp.failbackTick === 0) return "-";
  return formatProgress(mpp.failbackTick, mpp.pgfailback);
}

function mapQueueing(mpp: Multipath): string {
  const n = mpp.noPathRetry;
  if (n === NoPathRetry.FAIL) return "off";
  if (n === NoPathRetry.QUEUE) return "on";
  if (n === NoPathRetry.UNDEF) return "-";
  if (n > 0) {
    if (mpp.retryTick > 0) return `${cIntString(mpp.retryTick)} sec`;
    if (mpp.retryTick === 0 && countActivePaths(mpp) > 0) return `${cIntString(n)} chk`;
    return "off";
  }
  return "";
}

/** The first path of the map (group order) for which `pick` returns a non-empty string. */
function firstPathValue(mpp: Multipath, pick: (pp: Path) => string | null): string | null {
  for (const pg of mpp.pg)
    for (const pp of pg.paths) {
      const v = pick(pp);
      if (v !== null) return v;
    }
  return null;
}

/** `mpd[]`: map wildcards. */
export const MULTIPATH_WILDCARDS: readonly Wildcard<Multipath>[] = [
  { wildcard: "n", header: "name", print: mapName },
  { wildcard: "w", header: "uuid", print: (m) => m.wwid },
  {
    wildcard: "d",
    header: "sysfs",
    print: (m) => (m.dmi !== null ? `dm-${cIntString(m.dmi.minor)}` : "undef"),
  },
  { wildcard: "F", header: "failback", print: mapFailback },
  { wildcard: "Q", header: "queueing", print: mapQueueing },
  { wildcard: "N", header: "paths", print: (m) => cIntString(countActivePaths(m)) },
  {
    wildcard: "r",
    header: "write_prot",
    print: (m) => (m.dmi === null ? "undef" : m.dmi.readOnly ? "ro" : "rw"),
  },
  {
    wildcard: "t",
    header: "dm-st",
    print: (m) => (!hasDmInfo(m) ? "undef" : m.dmi?.suspended ? "suspend" : "active"),
  },
  { wildcard: "S", header: "size", print: (m) => formatSize(m.size) },
  { wildcard: "f", header: "features", print: (m) => m.features },
  { wildcard: "x", header: "failures", print: (m) => cUintString(m.statMapFailures) },
  { wildcard: "h", header: "hwhandler", print: (m) => m.hwhandler },
  { wildcard: "A", header: "action", print: (m) => actionName(m.action) },
  { wildcard: "0", header: "path_faults", print: (m) => cUintString(m.statPathFailures) },
  { wildcard: "1", header: "switch_grp", print: (m) => cUintString(m.statSwitchgroup) },
  { wildcard: "2", header: "map_loads", print: (m) => cUintString(m.statMapLoads) },
  { wildcard: "3", header: "total_q_time", print: (m) => cUintString(m.statTotalQueueingTime) },
  { wildcard: "4", header: "q_timeouts", print: (m) => cUintString(m.statQueueingTimeouts) },
  {
    wildcard: "s",
    header: "vend/prod/rev",
    print: (m) =>
      firstPathValue(m, (pp) =>
        pp.vendorId.length > 0 && pp.productId.length > 0 ? `${pp.vendorId},${pp.productId}` : null,
      ) ?? "##,##",
  },
  {
    wildcard: "v",
    header: "vend",
    print: (m) => firstPathValue(m, (pp) => (pp.vendorId.length > 0 ? pp.vendorId : null)) ?? "##",
  },
  {
    wildcard: "p",
    header: "prod",
    print: (m) => firstPathValue(m, (pp) => (pp.productId.length > 0 ? pp.productId : null)) ?? "##",
  },
  {
    wildcard: "e",
    header: "rev",
    print: (m) => firstPathValue(m, (pp) => (pp.rev.length > 0 ? pp.rev : null)) ?? "##",
  },
  { wildcard: "G", header: "foreign", print: () => "--" },
  {
    wildcard: "g",
    header: "vpd page data",
    print: (m) => firstPathValue(m, (pp) => pp.vpdData) ?? "[undef]",
  },
];

function hcil(pp: Path): string {
  const s = pp.sgId;
  if (s.hostNo < 0) return "#:#:#:#";
  return `${cIntString(s.hostNo)}:${cIntString(s.channel)}:${cIntString(s.scsiId)}:${BigInt.asUintN(64, s.lun)}`;
}

/** `%L`: the LUN in SAM format (int_to_scsilun: 16-bit words reversed), 16 hex digits. */
function lunHex(pp: Path): string {
  let hex = SCSI_INVALID_LUN;
  if (pp.sgId.hostNo >= 0) {
    const l = BigInt.asUintN(64, pp.sgId.lun);
    const w = 0xffffn;
    hex = ((l & w) << 48n) | (((l >> 16n) & w) << 32n) | (((l >> 32n) & w) << 16n) | ((l >> 48n) & w);
  }
  return `0x${hex.toString(16).padStart(16, "0")}`;
}

function chkState(pp: Path): string {
  if (pp.mpp === null) return "undef";
  switch (pp.state) {
    case PathState.UP:
      return "ready";
    case PathState.DOWN:
      return "faulty";
    case PathState.SHAKY:
      return "shaky";
    case PathState.GHOST:
      return "ghost";
    case PathState.PENDING:
      return "i/o pending";
    case PathState.TIMEOUT:
      return "i/o timeout";
    case PathState.DELAYED:
      return "delayed";
    default:
      return "undef";
  }
}

function dmPathState(pp: Path): string {
  switch (pp.dmstate) {
    case DmPathState.ACTIVE:
      return "active";
    case DmPathState.FAILED:
      return "failed";
    default:
      return "undef";
  }
}

const INIT_STATE_NAMES: readonly string[] = [
  "new",
  "failed",
  "udev-missing",
  "udev-requested",
  "ok",
  "removed",
  "partial",
];

function initState(pp: Path): string {
  return pp.initialized >= InitState.NEW && pp.initialized <= InitState.PARTIAL
    ? INIT_STATE_NAMES[pp.initialized]!
    : "undef";
}

/** Only FC paths on the SCSI bus have fc_host / rport attributes. */
function isFcPath(pp: Path): boolean {
  return pp.bus === SysfsBus.SCSI && pp.sgId.protoId === ScsiProtocol.FCP;
}

function hostAttr(pp: Path, env: PrintEnv, attr: "node_name" | "port_name"): string {
  if (!isFcPath(pp)) return "[undef]";
  return env.fcHostAttr(pp.sgId.hostNo, attr) ?? "[unknown]";
}

function targetWwpn(pp: Path, env: PrintEnv): string {
  if (!isFcPath(pp)) return "[undef]";
  return env.fcRemotePortName(pp.sgId.hostNo, pp.sgId.channel, pp.sgId.transportId) ?? "[unknown]";
}

function hostAdapter(pp: Path, env: PrintEnv): string {
  const p = pp.sgId.protoId;
  if (
    pp.bus !== SysfsBus.SCSI ||
    (p !== ScsiProtocol.FCP && p !== ScsiProtocol.SAS && p !== ScsiProtocol.ISCSI && p !== ScsiProtocol.SRP)
  )
    return "[undef]";
  return env.hostAdapterName(pp) ?? "[undef]";
}

/** `pd[]`: path wildcards. */
export const PATH_WILDCARDS: readonly Wildcard<Path>[] = [
  { wildcard: "w", header: "uuid", print: (pp) => pp.wwid },
  { wildcard: "i", header: "hcil", print: hcil },
  { wildcard: "d", header: "dev", print: (pp) => (pp.dev.length === 0 ? "-" : pp.dev) },
  { wildcard: "D", header: "dev_t", print: (pp) => (pp.dev.length === 0 ? "#:#" : pp.devT) },
  { wildcard: "t", header: "dm_st", print: dmPathState },
  {
    wildcard: "o",
    header: "dev_st",
    print: (pp) => (pp.mpp === null ? "unknown" : pp.offline ? "offline" : "running"),
  },
  { wildcard: "T", header: "chk_st", print: chkState },
  // 0.9.4 prints vendor,product here despite the header (rev was added in 0.9.9).
  { wildcard: "s", header: "vend/prod/rev", print: (pp) => `${pp.vendorId},${pp.productId}` },
  { wildcard: "c", header: "checker", print: (pp) => pp.checker.name ?? "(null)" },
  {
    wildcard: "C",
    header: "next_check",
    print: (pp) => (pp.mpp === null ? "orphan" : formatProgress(pp.tick, pp.checkint)),
  },
  { wildcard: "p", header: "pri", print: (pp) => cIntString(pp.priority) },
  { wildcard: "S", header: "size", print: (pp) => formatSize(pp.size) },
  { wildcard: "z", header: "serial", print: (pp) => pp.serial },
  { wildcard: "M", header: "marginal_st", print: (pp) => (pp.marginal ? "marginal" : "normal") },
  {
    wildcard: "m",
    header: "multipath",
    print: (pp) => (pp.mpp === null ? "[orphan]" : (pp.mpp.alias ?? "[unknown]")),
  },
  { wildcard: "N", header: "host WWNN", print: (pp, env) => hostAttr(pp, env, "node_name") },
  {
    wildcard: "n",
    header: "target WWNN",
    print: (pp) => (pp.tgtNodeName.length === 0 ? "[undef]" : pp.tgtNodeName),
  },
  { wildcard: "R", header: "host WWPN", print: (pp, env) => hostAttr(pp, env, "port_name") },
  { wildcard: "r", header: "target WWPN", print: targetWwpn },
  { wildcard: "a", header: "host adapter", print: hostAdapter },
  { wildcard: "G", header: "foreign", print: () => "--" },
  { wildcard: "g", header: "vpd page data", print: (pp) => pp.vpdData ?? "[undef]" },
  { wildcard: "0", header: "failures", print: (pp) => cIntString(pp.failcount) },
  { wildcard: "P", header: "protocol", print: pathProtocolName },
  { wildcard: "I", header: "init_st", print: initState },
  { wildcard: "L", header: "LUN hex", print: lunHex },
];

function pgState(pg: PathGroup): string {
  switch (pg.status) {
    case PgState.ENABLED:
      return "enabled";
    case PgState.DISABLED:
      return "disabled";
    case PgState.ACTIVE:
      return "active";
    default:
      return "undef";
  }
}

/** `pgd[]`: path group wildcards. */
export const PATHGROUP_WILDCARDS: readonly Wildcard<PathGroup>[] = [
  { wildcard: "s", header: "selector", print: (pg) => pg.mpp.selector ?? "" },
  { wildcard: "p", header: "pri", print: (pg) => cIntString(pg.priority) },
  { wildcard: "t", header: "dm_st", print: pgState },
  { wildcard: "M", header: "marginal_st", print: (pg) => (pg.marginal ? "marginal" : "normal") },
];

/** Index of `wildcard` in `table`, or -1 (an unknown wildcard prints nothing). */
export function wildcardIndex<T>(table: readonly Wildcard<T>[], wildcard: string): number {
  for (let i = 0; i < table.length; i++) if (table[i]!.wildcard === wildcard) return i;
  return -1;
}

/** `snprint_wildcards()`: the text of `show wildcards`. */
export function snprintWildcards(): string {
  const out: string[] = ["multipath format wildcards:\n"];
  for (const w of MULTIPATH_WILDCARDS) out.push(`%${w.wildcard}  ${w.header}\n`);
  out.push("\npath format wildcards:\n");
  for (const w of PATH_WILDCARDS) out.push(`%${w.wildcard}  ${w.header}\n`);
  out.push("\npathgroup format wildcards:\n");
  for (const w of PATHGROUP_WILDCARDS) out.push(`%${w.wildcard}  ${w.header}\n`);
  return out.join("");
}
