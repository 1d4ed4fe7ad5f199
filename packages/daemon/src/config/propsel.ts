/**
 * Property selection (libmultipath/propsel.c, 0.9.4): which value a map or path gets for each
 * setting, and where it came from. Layers, most specific first:
 *
 * - map settings: multipaths entry > overrides > matching device entries (first that sets it) >
 *   defaults > built-in default;
 * - path settings: overrides (protocol subsection first, for the timeouts) > device entries >
 *   defaults > built-in; `prio` also looks at the multipaths entry (by WWID).
 *
 * Every `select*` returns `{ value, origin }` with libmultipath's exact origin text, and logs the
 * tool's level-3 line (`mpatha: path_grouping_policy = multibus (setting: ...)`) when given a log.
 * The order in which the daemon calls them matters where one feeds another; `selectMapSettings`
 * runs the map selectors in `setup_map`'s order.
 */

import { addFeature, reconcileFeaturesWithOptions, removeFeature } from "./config.js";
import {
  DEFAULTS,
  printDevLoss,
  printFailback,
  printNoOrNumber,
  printNoPathRetry,
  printOffOrNumber,
  printReservationKey,
} from "./dict.js";
import type { ConfigLog, LogLevel } from "./log.js";
import type {
  Config,
  FailbackValue,
  HwEntry,
  MapAttrs,
  MpEntry,
  NoOrNumber,
  NoPathRetryValue,
  OffOrNumber,
  PathAttrs,
  PgPolicyName,
  ProtocolName,
  ReservationKey,
  RrWeightName,
} from "./structs.js";
import { ATTR_GID, ATTR_MODE, ATTR_UID } from "./structs.js";

/** libmultipath's origin strings. */
export const Origin = {
  default: "(setting: multipath internal)",
  hwe: "(setting: storage device configuration)",
  multipaths: "(setting: multipath.conf multipaths section)",
  conf: "(setting: multipath.conf defaults/devices section)",
  overrides: "(setting: multipath.conf overrides section)",
  overridesProtocol: "(setting: multipath.conf overrides protocol section)",
  cmdline: "(setting: multipath command line [-p] flag)",
  autodetect: "(setting: storage device autodetected)",
  fpinMarginalPath: "(setting: overridden by marginal_path_fpin)",
  marginalPath: "(setting: implied by marginal_path check)",
  delayWatch: "(setting: implied by delay_watch_checks)",
  delayWait: "(setting: implied by delay_wait_checks)",
  uidAttrs: "(setting: multipath.conf defaults section / uid_attrs)",
  kernelSysfs: "(setting: kernel sysfs)",
  retainedByKernel: "(setting: retained by kernel driver)",
  tpgs: "(setting: autodetected from TPGS)",
  impliedKernel43: "(setting: implied in kernel >= 4.3.0)",
  dmTooOld: "(setting: WARNING, requires kernel dm-mpath version >= 1.5.0)",
  aluaFailed: "(setting: emergency fallback - alua failed)",
  unsupportedRecheck: "(setting: unsupported by device type/config)",
  existingAlias: "(setting: using existing alias)",
  userFriendlyName: "(setting: user_friendly_name)",
  defaultToWwid: "(setting: default to WWID)",
  unknownHardware: "(default for unknown hardware)",
} as const;
export type OriginText = (typeof Origin)[keyof typeof Origin];

/** A selected setting and where it came from. */
export interface Selected<T> {
  readonly value: T;
  readonly origin: OriginText;
}

/** TPGS support of a path (`path_get_tpgs`): ALUA as the target reports it. */
export const Tpgs = { UNDEF: -1, NONE: 0, IMPLICIT: 1, EXPLICIT: 2, BOTH: 3 } as const;

/** What every map selector looks at. */
export interface MapSelectContext {
  readonly config: Config;
  /** The map's hwtable matches (its paths' `find_hwe` result), most recent entry first. */
  readonly hwe: readonly HwEntry[];
  /** The map's multipaths entry (`findMpe(config, wwid)`), if any. */
  readonly mpe?: MpEntry | undefined;
  /** The map's name, for the log lines. */
  readonly alias: string;
  readonly wwid: string;
  readonly log?: ConfigLog | undefined;
}

/** A path's bus (`pp->bus`). */
export type PathBus = "undef" | "ccw" | "cciss" | "scsi" | "nvme";

/** What every path selector looks at. */
export interface PathSelectContext {
  readonly config: Config;
  /** The path's hwtable matches, most recent entry first. */
  readonly hwe: readonly HwEntry[];
  /** Kernel name (`sda`), for the log lines and `uid_attrs`. */
  readonly dev: string;
  readonly bus: PathBus;
  /** `bus_protocol_id` as a name (`scsi:fcp`, `nvme:tcp`, `undef`...). */
  readonly protocol: ProtocolName;
  readonly wwid?: string | undefined;
  readonly log?: ConfigLog | undefined;
}

type Key<T> = keyof T & string;

function say(log: ConfigLog | undefined, level: LogLevel, msg: string): void {
  log?.add(level, "propsel", msg);
}

/**
 * The generic cascade: the first layer that has the field set. `layers` pairs a source (or
 * undefined) with its origin.
 */
function cascade<T>(
  field: string,
  layers: readonly (readonly [object | undefined, OriginText])[],
  hwe: readonly HwEntry[] | undefined,
  hweAt: number,
): Selected<T> | undefined {
  for (let i = 0; i < layers.length; i++) {
    if (i === hweAt && hwe !== undefined) {
      for (const h of hwe) {
        const v = (h as Record<string, unknown>)[field];
        if (v !== undefined) return { value: v as T, origin: Origin.hwe };
      }
    }
    const [src, origin] = layers[i]!;
    if (src === undefined) continue;
    const v = (src as Record<string, unknown>)[field];
    if (v !== undefined) return { value: v as T, origin };
  }
  if (layers.length === hweAt && hwe !== undefined) {
    for (const h of hwe) {
      const v = (h as Record<string, unknown>)[field];
      if (v !== undefined) return { value: v as T, origin: Origin.hwe };
    }
  }
  return undefined;
}

/** mpe > overrides > hwe > defaults. */
function mapCascade<T>(ctx: MapSelectContext, field: Key<MapAttrs & PathAttrs>): Selected<T> | undefined {
  return cascade<T>(
    field,
    [
      [ctx.mpe, Origin.multipaths],
      [ctx.config.overrides, Origin.overrides],
      [ctx.config, Origin.conf],
    ],
    ctx.hwe,
    2,
  );
}

/** overrides > hwe > defaults (map settings without a multipaths level). */
function mapCascadeNoMpe<T>(
  ctx: MapSelectContext,
  field: Key<MapAttrs & PathAttrs>,
): Selected<T> | undefined {
  return cascade<T>(
    field,
    [
      [ctx.config.overrides, Origin.overrides],
      [ctx.config, Origin.conf],
    ],
    ctx.hwe,
    1,
  );
}

/** overrides > hwe > defaults. */
function pathCascade<T>(ctx: PathSelectContext, field: Key<PathAttrs & MapAttrs>): Selected<T> | undefined {
  return cascade<T>(
    field,
    [
      [ctx.config.overrides, Origin.overrides],
      [ctx.config, Origin.conf],
    ],
    ctx.hwe,
    1,
  );
}

const dflt = <T>(value: T): Selected<T> => ({ value, origin: Origin.default });
const yn = (v: boolean): string => (v ? "yes" : "no");

/* ------------------------------------------------------------------------------------------------
 * Map settings
 */

export function selectRrWeight(ctx: MapSelectContext): Selected<RrWeightName> {
  const s = mapCascade<RrWeightName>(ctx, "rrWeight") ?? dflt(DEFAULTS.rrWeight);
  say(ctx.log, 3, `${ctx.alias}: rr_weight = "${s.value}" ${s.origin}`);
  return s;
}

export function selectPgfailback(ctx: MapSelectContext): Selected<FailbackValue> {
  const s = mapCascade<FailbackValue>(ctx, "failback") ?? dflt(DEFAULTS.failback);
  say(ctx.log, 3, `${ctx.alias}: failback = ${printFailback(s.value)} ${s.origin}`);
  return s;
}

/** `path_grouping_policy`; `cmdline` is `multipath -p`. */
export function selectPgpolicy(ctx: MapSelectContext, cmdline?: PgPolicyName): Selected<PgPolicyName> {
  const s: Selected<PgPolicyName> =
    cmdline !== undefined
      ? { value: cmdline, origin: Origin.cmdline }
      : (mapCascade<PgPolicyName>(ctx, "pathGroupingPolicy") ?? dflt(DEFAULTS.pathGroupingPolicy));
  say(ctx.log, 3, `${ctx.alias}: path_grouping_policy = ${s.value} ${s.origin}`);
  return s;
}

export function selectSelector(ctx: MapSelectContext): Selected<string> {
  const s = mapCascade<string>(ctx, "pathSelector") ?? dflt(DEFAULTS.pathSelector);
  say(ctx.log, 3, `${ctx.alias}: path_selector = "${s.value}" ${s.origin}`);
  return s;
}

/** `alias_prefix` (no multipaths level); logged under the WWID. */
export function selectAliasPrefix(ctx: MapSelectContext): Selected<string> {
  const s = mapCascadeNoMpe<string>(ctx, "aliasPrefix") ?? dflt(DEFAULTS.aliasPrefix);
  say(ctx.log, 3, `${ctx.wwid}: alias_prefix = ${s.value} ${s.origin}`);
  return s;
}

/** `want_user_friendly_names`; logged under the WWID. */
export function selectUserFriendlyNames(ctx: MapSelectContext): Selected<boolean> {
  const s = mapCascade<boolean>(ctx, "userFriendlyNames") ?? dflt(DEFAULTS.userFriendlyNames);
  say(ctx.log, 3, `${ctx.wwid}: user_friendly_names = ${yn(s.value)} ${s.origin}`);
  return s;
}

/** The bindings-file side of alias selection (libmultipath/alias.c), supplied by the caller. */
export interface AliasBindings {
  /** The map's current name when it already exists (`mp->alias_old`), if any. */
  readonly aliasOld?: string | undefined;
  /** `use_existing_alias`: keep `aliasOld` if the bindings allow it. */
  useExistingAlias(wwid: string, aliasOld: string, prefix: string): string | undefined;
  /** `get_user_friendly_alias`: the bound or a newly allocated `prefixN` name. */
  getUserFriendlyAlias(wwid: string, prefix: string): string | undefined;
}

/** `select_alias`: multipaths alias, else a friendly name when wanted, else the WWID. */
export function selectAlias(ctx: MapSelectContext, bindings: AliasBindings): Selected<string> {
  let alias: string | undefined;
  let origin: OriginText | undefined;
  if (ctx.mpe?.alias !== undefined) {
    alias = ctx.mpe.alias;
    origin = Origin.multipaths;
  } else if (selectUserFriendlyNames(ctx).value) {
    const prefix = selectAliasPrefix(ctx).value;
    if (bindings.aliasOld !== undefined && bindings.aliasOld !== "") {
      alias = bindings.useExistingAlias(ctx.wwid, bindings.aliasOld, prefix);
      origin = Origin.existingAlias;
    }
    if (alias === undefined) {
      alias = bindings.getUserFriendlyAlias(ctx.wwid, prefix);
      origin = Origin.userFriendlyName;
    }
  }
  if (alias === undefined || origin === undefined) {
    alias = ctx.wwid;
    origin = Origin.defaultToWwid;
  }
  say(ctx.log, 3, `${ctx.wwid}: alias = ${alias} ${origin}`);
  return { value: alias, origin };
}

/**
 * `no_path_retry`; undefined value (origin "multipath internal") when nowhere set.
 * `disableQueueing` is the map's `disable_queueing` flag (set by `disablequeueing map`).
 */
export function selectNoPathRetry(
  ctx: MapSelectContext,
  disableQueueing = false,
): Selected<NoPathRetryValue | undefined> & { readonly queueingDisabled?: boolean } {
  if (disableQueueing) {
    say(ctx.log, 0, `${ctx.alias}: queueing disabled`);
    return { value: "fail", origin: Origin.default, queueingDisabled: true };
  }
  const s = mapCascade<NoPathRetryValue>(ctx, "noPathRetry");
  if (s !== undefined) {
    say(ctx.log, 3, `${ctx.alias}: no_path_retry = ${printNoPathRetry(s.value)} ${s.origin}`);
    return s;
  }
  say(ctx.log, 3, `${ctx.alias}: no_path_retry = undef ${Origin.default}`);
  return { value: undefined, origin: Origin.default };
}

/** A kernel or dm target version as three numbers. */
export type Version3 = readonly [number, number, number];

const versionGe = (a: Version3, b: Version3): boolean =>
  a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] >= b[2];

/** Parses `uname -r` (`6.1.0-mp`) into a version triple (missing parts 0). */
export function parseKernelRelease(release: string): Version3 {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(release);
  if (m === null) return [0, 0, 0];
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** The versions `select_retain_hwhandler` and `select_minio` check. */
export interface KernelVersions {
  /** `uname -r` as numbers, e.g. [6, 1, 0]. */
  readonly kernel: Version3;
  /** The dm `multipath` target version, e.g. [1, 14, 0]; undefined when it cannot be read. */
  readonly dmMpath: Version3 | undefined;
}

/** `retain_attached_hw_handler`: forced off before dm-mpath 1.5.0, forced on from kernel 4.3. */
export function selectRetainHwhandler(ctx: MapSelectContext, versions: KernelVersions): Selected<boolean> {
  let s: Selected<boolean>;
  if (versions.dmMpath !== undefined && !versionGe(versions.dmMpath, [1, 5, 0]))
    s = { value: false, origin: Origin.dmTooOld };
  else if (versionGe(versions.kernel, [4, 3, 0])) s = { value: true, origin: Origin.impliedKernel43 };
  else s = mapCascadeNoMpe<boolean>(ctx, "retainAttachedHwHandler") ?? dflt(DEFAULTS.retainAttachedHwHandler);
  say(ctx.log, 3, `${ctx.alias}: retain_attached_hw_handler = ${yn(s.value)} ${s.origin}`);
  return s;
}

/** How the map is queued in dm (`queue_mode`); "bio" for NVMe/TCP paths. */
export type QueueMode = "undef" | "bio" | "rq";

/** The result of {@link selectFeatures}: features plus the settings it may have changed. */
export interface SelectedFeatures extends Selected<string> {
  readonly noPathRetry: NoPathRetryValue | undefined;
  readonly retainAttachedHwHandler: boolean;
  readonly queueMode: QueueMode;
}

/**
 * `features`, then the deprecated `queue_if_no_path` / `retain_attached_hw_handler` features folded
 * into the options, then `queue_mode` reconciled. Call after no_path_retry and retain_hwhandler.
 */
export function selectFeatures(
  ctx: MapSelectContext,
  current: {
    noPathRetry: NoPathRetryValue | undefined;
    retainAttachedHwHandler: boolean;
    queueMode: QueueMode;
  },
): SelectedFeatures {
  const s = mapCascade<string>(ctx, "features") ?? dflt(DEFAULTS.features);
  const log = ctx.log ?? silentLog;
  const r = reconcileFeaturesWithOptions(
    ctx.alias,
    {
      features: s.value,
      noPathRetry: current.noPathRetry,
      retainAttachedHwHandler: current.retainAttachedHwHandler,
    },
    log,
  );
  let features = r.features ?? s.value;
  let queueMode = current.queueMode;
  ({ features, queueMode } = reconcileQueueMode(ctx, features, queueMode));
  say(ctx.log, 3, `${ctx.alias}: features = "${features}" ${s.origin}`);
  return {
    value: features,
    origin: s.origin,
    noPathRetry: r.noPathRetry,
    retainAttachedHwHandler: r.retainAttachedHwHandler ?? current.retainAttachedHwHandler,
    queueMode,
  };
}

const silentLog = { add: () => {} } as unknown as ConfigLog;

function reconcileQueueMode(
  ctx: MapSelectContext,
  features: string,
  queueMode: QueueMode,
): { features: string; queueMode: QueueMode } {
  let modeStr: string | undefined;
  let syncMode = true;
  const at = features.indexOf("queue_mode");
  const m = at > 0 ? /^queue_mode([ \f\n\r\t\v]+)(\S+)/.exec(features.slice(at)) : null;
  if (at > 0 && /\s/.test(features[at - 1]!) && m !== null) {
    modeStr = `queue_mode${m[1]}${m[2]}`;
    const val = m[2]!;
    const fmode: QueueMode = val === "rq" || val === "mq" ? "rq" : val === "bio" ? "bio" : "undef";
    if (fmode === "undef") say(ctx.log, 2, `${ctx.alias}: ignoring invalid feature '${modeStr}'`);
    else {
      if (queueMode === "undef") queueMode = fmode;
      if (queueMode === fmode) syncMode = false;
      else
        say(
          ctx.log,
          2,
          `${ctx.alias}: ignoring feature '${modeStr}' because queue_mode is set to '${queueMode}'`,
        );
    }
  }
  if (syncMode) {
    if (modeStr !== undefined) features = removeFeature(features, modeStr, ctx.log);
    if (queueMode === "bio") features = addFeature(features, "queue_mode bio", ctx.log) ?? features;
  }
  return { features, queueMode };
}

/** A path as `select_hwhandler` sees it. */
export interface HwhandlerPathInfo {
  /** `path_get_tpgs` (Tpgs.*). */
  readonly tpgs: number;
  /** The scsi_device's sysfs `dh_state` (`alua`, `detached`...), or undefined when unreadable. */
  readonly dhState: string | undefined;
}

/**
 * `hardware_handler`: a handler the kernel already attached (unless retain is off), else the
 * device entry's, else "0"; then "1 alua" when every path supports TPGS and nothing else chose, or
 * "0" instead of "1 alua" when not all do.
 */
export function selectHwhandler(
  ctx: MapSelectContext,
  retainAttachedHwHandler: boolean,
  paths: readonly HwhandlerPathInfo[],
): Selected<string> {
  let allTpgs = true;
  let oneTpgs = false;
  for (const p of paths) {
    allTpgs = allTpgs && p.tpgs !== Tpgs.NONE;
    oneTpgs = oneTpgs || (p.tpgs !== Tpgs.NONE && p.tpgs !== Tpgs.UNDEF);
  }
  allTpgs = allTpgs && oneTpgs;
  let s: Selected<string> | undefined;
  if (retainAttachedHwHandler) {
    for (const p of paths) {
      // dh_state is read into a 10-byte buffer: longer values count as unreadable.
      if (
        p.dhState !== undefined &&
        p.dhState.length > 0 &&
        p.dhState.length < 10 &&
        p.dhState !== "detached"
      ) {
        s = { value: `1 ${p.dhState}`, origin: Origin.retainedByKernel };
        break;
      }
    }
  }
  if (s === undefined) {
    for (const h of ctx.hwe) {
      if (h.hardwareHandler !== undefined) {
        s = { value: h.hardwareHandler, origin: Origin.hwe };
        break;
      }
    }
  }
  s ??= dflt("0");
  if (allTpgs && s.value === "0" && s.origin === Origin.default) s = { value: "1 alua", origin: Origin.tpgs };
  else if (!allTpgs && s.value === "1 alua") s = { value: "0", origin: Origin.tpgs };
  say(ctx.log, 3, `${ctx.alias}: hardware_handler = "${s.value}" ${s.origin}`);
  return s;
}

/**
 * `rr_min_io_rq` for request-based dm-mpath (target >= 1.1.0, the 6.1 case) or `rr_min_io` for
 * the old bio-based one.
 */
export function selectMinio(ctx: MapSelectContext, dmMpath: Version3 | undefined): Selected<number> {
  const rq = dmMpath !== undefined && versionGe(dmMpath, [1, 1, 0]);
  const s = rq
    ? (mapCascade<number>(ctx, "rrMinIoRq") ?? dflt(DEFAULTS.rrMinIoRq))
    : (mapCascade<number>(ctx, "rrMinIo") ?? dflt(DEFAULTS.rrMinIo));
  say(ctx.log, 3, `${ctx.alias}: minio = ${s.value} ${s.origin}`);
  return s;
}

/** `mode`, `uid`, `gid` of the map's device node; undefined when not configured. */
export function selectAttr(
  ctx: MapSelectContext,
  which: "mode" | "uid" | "gid",
): Selected<number> | undefined {
  const bit = which === "mode" ? ATTR_MODE : which === "uid" ? ATTR_UID : ATTR_GID;
  let s: Selected<number> | undefined;
  if (ctx.mpe !== undefined && (ctx.mpe.attributeFlags & bit) !== 0)
    s = { value: ctx.mpe[which], origin: Origin.multipaths };
  else if ((ctx.config.attributeFlags & bit) !== 0) s = { value: ctx.config[which], origin: Origin.conf };
  if (s !== undefined) say(ctx.log, 3, `${ctx.alias}: ${which} = 0${s.value.toString(8)} ${s.origin}`);
  return s;
}

/**
 * `reservation_key`: multipaths > defaults; undefined when neither sets one. A `file` key is looked
 * up with `readPrkeysFile` (undefined: no key there, which gives key 0).
 */
export function selectReservationKey(
  ctx: MapSelectContext,
  readPrkeysFile?: () => { key: bigint; aptpl: boolean } | undefined,
): (Selected<ReservationKey> & { readonly fileKey?: { key: bigint; aptpl: boolean } }) | undefined {
  let s: Selected<ReservationKey> | undefined;
  if (ctx.mpe?.reservationKey !== undefined) s = { value: ctx.mpe.reservationKey, origin: Origin.multipaths };
  else if (ctx.config.reservationKey !== undefined)
    s = { value: ctx.config.reservationKey, origin: Origin.conf };
  if (s === undefined) return undefined;
  if (s.value.source === "file") {
    const k = readPrkeysFile?.() ?? { key: 0n, aptpl: false };
    say(
      ctx.log,
      3,
      `${ctx.alias}: reservation_key = ${printReservationKey(s.value)} ${s.origin} (from prkeys file)`,
    );
    return { ...s, fileKey: k };
  }
  say(ctx.log, 3, `${ctx.alias}: reservation_key = ${printReservationKey(s.value)} ${s.origin}`);
  return s;
}

/** `deferred_remove`; `inProgress` keeps a removal that has started (returns undefined). */
export function selectDeferredRemove(
  ctx: MapSelectContext,
  inProgress = false,
): Selected<boolean> | undefined {
  if (inProgress) {
    say(ctx.log, 3, `${ctx.alias}: deferred remove in progress`);
    return undefined;
  }
  const s = mapCascade<boolean>(ctx, "deferredRemove") ?? dflt(DEFAULTS.deferredRemove);
  say(ctx.log, 3, `${ctx.alias}: deferred_remove = ${yn(s.value)} ${s.origin}`);
  return s;
}

type NoOrNumberField =
  | "marginalPathErrSampleTime"
  | "marginalPathErrRateThreshold"
  | "marginalPathErrRecheckGapTime"
  | "marginalPathDoubleFailedTime"
  | "sanPathErrThreshold"
  | "sanPathErrForgetRate"
  | "sanPathErrRecoveryTime";

const KW: Record<NoOrNumberField | "delayWatchChecks" | "delayWaitChecks", string> = {
  marginalPathErrSampleTime: "marginal_path_err_sample_time",
  marginalPathErrRateThreshold: "marginal_path_err_rate_threshold",
  marginalPathErrRecheckGapTime: "marginal_path_err_recheck_gap_time",
  marginalPathDoubleFailedTime: "marginal_path_double_failed_time",
  sanPathErrThreshold: "san_path_err_threshold",
  sanPathErrForgetRate: "san_path_err_forget_rate",
  sanPathErrRecoveryTime: "san_path_err_recovery_time",
  delayWatchChecks: "delay_watch_checks",
  delayWaitChecks: "delay_wait_checks",
};

/** The value as an int the way libmultipath compares it ("no" is -1). */
const nu = (v: NoOrNumber | undefined): number => (v === undefined ? 0 : v === "no" ? -1 : v);

/** The four marginal_path settings and the three (deprecated) san_path ones, as selected. */
export interface MarginalSettings {
  readonly marginalPathErrSampleTime: Selected<NoOrNumber>;
  readonly marginalPathErrRateThreshold: Selected<NoOrNumber>;
  readonly marginalPathErrRecheckGapTime: Selected<NoOrNumber>;
  readonly marginalPathDoubleFailedTime: Selected<NoOrNumber>;
  readonly sanPathErrThreshold: Selected<NoOrNumber>;
  readonly sanPathErrForgetRate: Selected<NoOrNumber>;
  readonly sanPathErrRecoveryTime: Selected<NoOrNumber>;
}

/** True when all marginal_path settings enable io_err_stat (`marginal_path_check_enabled`). */
export function marginalPathCheckEnabled(m: {
  marginalPathErrSampleTime: NoOrNumber;
  marginalPathErrRateThreshold: NoOrNumber;
  marginalPathErrRecheckGapTime: NoOrNumber;
  marginalPathDoubleFailedTime: NoOrNumber;
}): boolean {
  return (
    nu(m.marginalPathDoubleFailedTime) > 0 &&
    nu(m.marginalPathErrSampleTime) > 0 &&
    nu(m.marginalPathErrRecheckGapTime) > 0 &&
    nu(m.marginalPathErrRateThreshold) >= 0
  );
}

/** IOTIMEOUT_SEC: marginal_path_err_sample_time is at least twice this. */
const IOTIMEOUT_SEC = 60;

/**
 * The marginal_path_* and san_path_err_* settings (in `setup_map`'s order), then
 * `select_delay_checks` mapping delay_watch/wait_checks onto san_path_err_*. `once` is the
 * process-wide "deprecated san_path option" warning memory.
 */
export function selectMarginalSettings(
  ctx: MapSelectContext,
  once?: { warned: Set<string> },
): MarginalSettings {
  const pick = (f: NoOrNumberField): Selected<NoOrNumber> =>
    mapCascade<NoOrNumber>(ctx, f) ?? dflt<NoOrNumber>("no");
  const logNu = (f: NoOrNumberField, s: Selected<NoOrNumber>) => {
    if (nu(s.value) !== 0)
      say(ctx.log, 3, `${ctx.alias}: ${KW[f]} = ${printNoOrNumber(s.value)} ${s.origin}`);
  };
  let sample = pick("marginalPathErrSampleTime");
  if (typeof sample.value === "number" && sample.value < 2 * IOTIMEOUT_SEC) {
    say(
      ctx.log,
      2,
      `${ctx.alias}: configuration error: marginal_path_err_sample_time must be >= ${2 * IOTIMEOUT_SEC}`,
    );
    sample = { value: 2 * IOTIMEOUT_SEC, origin: sample.origin };
  }
  logNu("marginalPathErrSampleTime", sample);
  const rate = pick("marginalPathErrRateThreshold");
  logNu("marginalPathErrRateThreshold", rate);
  const gap = pick("marginalPathErrRecheckGapTime");
  logNu("marginalPathErrRecheckGapTime", gap);
  const dbl = pick("marginalPathDoubleFailedTime");
  logNu("marginalPathDoubleFailedTime", dbl);
  const marginal = marginalPathCheckEnabled({
    marginalPathErrSampleTime: sample.value,
    marginalPathErrRateThreshold: rate.value,
    marginalPathErrRecheckGapTime: gap.value,
    marginalPathDoubleFailedTime: dbl.value,
  });
  const san = (f: NoOrNumberField): Selected<NoOrNumber> => {
    const s = marginal ? { value: "no" as NoOrNumber, origin: Origin.marginalPath } : pick(f);
    logNu(f, s);
    if (nu(s.value) > 0 && once !== undefined && !once.warned.has("san_path_deprecated")) {
      once.warned.add("san_path_deprecated");
      say(ctx.log, 1, `WARNING: option ${KW[f]} is deprecated, please use marginal_path options instead`);
    }
    return s;
  };
  let threshold = san("sanPathErrThreshold");
  let forget = san("sanPathErrForgetRate");
  let recovery = san("sanPathErrRecoveryTime");

  // select_delay_checks
  const delay = (f: "delayWatchChecks" | "delayWaitChecks"): number => {
    const s = mapCascade<NoOrNumber>(ctx, f);
    const value = s?.value;
    if (value !== undefined)
      say(ctx.log, 3, `${ctx.alias}: ${KW[f]} = ${printNoOrNumber(value)} ${s!.origin}`);
    return nu(value);
  };
  const watch = delay("delayWatchChecks");
  const wait = delay("delayWaitChecks");
  if (watch > 0 || wait > 0) {
    if (nu(threshold.value) > 0 || nu(forget.value) > 0 || nu(recovery.value) > 0) {
      say(ctx.log, 3, `${ctx.alias}: both marginal_path and delay_checks error detection options selected`);
      say(ctx.log, 3, `${ctx.alias}: ignoring delay_checks options`);
    } else {
      threshold = { value: 1, origin: watch > 0 ? Origin.delayWatch : Origin.delayWait };
      say(ctx.log, 3, `${ctx.alias}: san_path_err_threshold = 1 ${threshold.origin}`);
      if (watch > 0) {
        forget = { value: watch, origin: Origin.delayWatch };
        say(ctx.log, 3, `${ctx.alias}: san_path_err_forget_rate = ${watch} ${Origin.delayWatch}`);
      }
      if (wait > 0) {
        recovery = { value: (wait * ctx.config.maxPollingInterval) | 0, origin: Origin.delayWait };
        say(
          ctx.log,
          3,
          `${ctx.alias}: san_path_err_recovery_time = ${printNoOrNumber(recovery.value)} ${Origin.delayWait}`,
        );
      }
    }
  }
  return {
    marginalPathErrSampleTime: sample,
    marginalPathErrRateThreshold: rate,
    marginalPathErrRecheckGapTime: gap,
    marginalPathDoubleFailedTime: dbl,
    sanPathErrThreshold: threshold,
    sanPathErrForgetRate: forget,
    sanPathErrRecoveryTime: recovery,
  };
}

export function selectSkipKpartx(ctx: MapSelectContext): Selected<boolean> {
  const s = mapCascade<boolean>(ctx, "skipKpartx") ?? dflt(DEFAULTS.skipKpartx);
  say(ctx.log, 3, `${ctx.alias}: skip_kpartx = ${yn(s.value)} ${s.origin}`);
  return s;
}

/** `max_sectors_kb`; undefined (leave sysfs alone) when not configured. */
export function selectMaxSectorsKb(ctx: MapSelectContext): Selected<number> | undefined {
  const s = mapCascade<number>(ctx, "maxSectorsKb");
  if (s !== undefined) say(ctx.log, 3, `${ctx.alias}: max_sectors_kb = ${s.value} ${s.origin}`);
  return s;
}

export function selectGhostDelay(ctx: MapSelectContext): Selected<NoOrNumber> {
  const s = mapCascade<NoOrNumber>(ctx, "ghostDelay") ?? dflt<NoOrNumber>("no");
  say(ctx.log, 3, `${ctx.alias}: ghost_delay = ${printNoOrNumber(s.value)} ${s.origin}`);
  return s;
}

export function selectFlushOnLastDel(ctx: MapSelectContext): Selected<boolean> {
  const s = mapCascade<boolean>(ctx, "flushOnLastDel") ?? dflt(DEFAULTS.flushOnLastDel);
  say(ctx.log, 3, `${ctx.alias}: flush_on_last_del = ${yn(s.value)} ${s.origin}`);
  return s;
}

/** `all_tg_pt` (no multipaths level; the defaults always have a value). */
export function selectAllTgPt(ctx: MapSelectContext): Selected<boolean> {
  const s = mapCascadeNoMpe<boolean>(ctx, "allTgPt") ?? dflt(DEFAULTS.allTgPt);
  say(ctx.log, 3, `${ctx.alias}: all_tg_pt = ${yn(s.value)} ${s.origin}`);
  return s;
}

/** Everything `setup_map` selects, in its order. */
export interface MapSettings {
  readonly failback: Selected<FailbackValue>;
  readonly pathGroupingPolicy: Selected<PgPolicyName>;
  readonly pathSelector: Selected<string>;
  /**
   * When a deprecated `queue_if_no_path` feature supplied it, the origin is that of `features`
   * (libmultipath logs "inherited setting from feature" instead).
   */
  readonly noPathRetry: Selected<NoPathRetryValue | undefined>;
  readonly retainAttachedHwHandler: Selected<boolean>;
  readonly features: SelectedFeatures;
  readonly hardwareHandler: Selected<string>;
  readonly rrWeight: Selected<RrWeightName>;
  readonly minio: Selected<number>;
  readonly mode: Selected<number> | undefined;
  readonly uid: Selected<number> | undefined;
  readonly gid: Selected<number> | undefined;
  readonly reservationKey: Selected<ReservationKey> | undefined;
  readonly deferredRemove: Selected<boolean> | undefined;
  readonly marginal: MarginalSettings;
  readonly skipKpartx: Selected<boolean>;
  readonly maxSectorsKb: Selected<number> | undefined;
  readonly ghostDelay: Selected<NoOrNumber>;
  readonly flushOnLastDel: Selected<boolean>;
}

/** Inputs of {@link selectMapSettings} beyond the configuration. */
export interface MapSetupInputs {
  readonly versions: KernelVersions;
  /** The map's paths for hardware handler selection. */
  readonly paths: readonly HwhandlerPathInfo[];
  /** "bio" when a path is NVMe/TCP (setup_map's rule), else "undef". */
  readonly queueMode?: QueueMode;
  /** `multipath -p`. */
  readonly cmdlinePgpolicy?: PgPolicyName;
  readonly disableQueueing?: boolean;
  readonly deferredRemoveInProgress?: boolean;
  readonly readPrkeysFile?: () => { key: bigint; aptpl: boolean } | undefined;
  readonly once?: { warned: Set<string> };
}

/** `setup_map`'s selections in its order (features after no_path_retry and retain, etc.). */
export function selectMapSettings(ctx: MapSelectContext, inputs: MapSetupInputs): MapSettings {
  const failback = selectPgfailback(ctx);
  const pathGroupingPolicy = selectPgpolicy(ctx, inputs.cmdlinePgpolicy);
  const pathSelector = selectSelector(ctx);
  let noPathRetry: Selected<NoPathRetryValue | undefined> = selectNoPathRetry(ctx, inputs.disableQueueing);
  let retain = selectRetainHwhandler(ctx, inputs.versions);
  const features = selectFeatures(ctx, {
    noPathRetry: noPathRetry.value,
    retainAttachedHwHandler: retain.value,
    queueMode: inputs.queueMode ?? "undef",
  });
  if (features.noPathRetry !== noPathRetry.value)
    noPathRetry = { value: features.noPathRetry, origin: features.origin };
  if (features.retainAttachedHwHandler !== retain.value)
    retain = { value: features.retainAttachedHwHandler, origin: features.origin };
  const hardwareHandler = selectHwhandler(ctx, retain.value, inputs.paths);
  return {
    failback,
    pathGroupingPolicy,
    pathSelector,
    noPathRetry,
    retainAttachedHwHandler: retain,
    features,
    hardwareHandler,
    rrWeight: selectRrWeight(ctx),
    minio: selectMinio(ctx, inputs.versions.dmMpath),
    mode: selectAttr(ctx, "mode"),
    uid: selectAttr(ctx, "uid"),
    gid: selectAttr(ctx, "gid"),
    reservationKey: selectReservationKey(ctx, inputs.readPrkeysFile),
    deferredRemove: selectDeferredRemove(ctx, inputs.deferredRemoveInProgress),
    marginal: selectMarginalSettings(ctx, inputs.once),
    skipKpartx: selectSkipKpartx(ctx),
    maxSectorsKb: selectMaxSectorsKb(ctx),
    ghostDelay: selectGhostDelay(ctx),
    flushOnLastDel: selectFlushOnLastDel(ctx),
  };
}

/* ------------------------------------------------------------------------------------------------
 * Path settings
 */

/** `uid_attribute`: a `uid_attrs` record whose prefix starts the device name wins. */
export function selectGetuid(ctx: PathSelectContext): Selected<string> {
  let s: Selected<string> | undefined;
  for (const att of ctx.config.uidAttrs) {
    const col = att.lastIndexOf(":");
    if (col < 0) continue;
    if (ctx.dev.startsWith(att.slice(0, col))) {
      s = { value: att.slice(col + 1), origin: Origin.uidAttrs };
      break;
    }
  }
  s ??= pathCascade<string>(ctx, "uidAttribute") ?? dflt(DEFAULTS.uidAttribute);
  say(ctx.log, 3, `${ctx.dev}: uid_attribute = ${s.value} ${s.origin}`);
  return s;
}

/** `has_uid_fallback`: may the WWID be read directly when udev has none? */
export function hasUidFallback(bus: PathBus, uidAttribute: string | undefined): boolean {
  if (uidAttribute === undefined) return false;
  return (
    (bus === "scsi" && (uidAttribute === "ID_SERIAL" || uidAttribute === "")) ||
    (bus === "nvme" && (uidAttribute === "ID_WWN" || uidAttribute === "")) ||
    (bus === "ccw" && (uidAttribute === "ID_UID" || uidAttribute === ""))
  );
}

/** `recheck_wwid` (after selectGetuid): only SCSI paths with a uid fallback may recheck. */
export function selectRecheckWwid(
  ctx: PathSelectContext,
  uidAttribute: string | undefined,
): Selected<boolean> {
  let s = pathCascade<boolean>(ctx, "recheckWwid") ?? dflt(DEFAULTS.recheckWwid);
  if (s.value && (ctx.bus !== "scsi" || !hasUidFallback(ctx.bus, uidAttribute)))
    s = { value: false, origin: Origin.unsupportedRecheck };
  // The tool logs the enum value: 1 = no, 2 = yes.
  say(ctx.log, 3, `${ctx.dev}: recheck_wwid = ${s.value ? 2 : 1} ${s.origin}`);
  return s;
}

export function selectDetectPrio(ctx: PathSelectContext): Selected<boolean> {
  const s = pathCascade<boolean>(ctx, "detectPrio") ?? dflt(DEFAULTS.detectPrio);
  say(ctx.log, 3, `${ctx.dev}: detect_prio = ${yn(s.value)} ${s.origin}`);
  return s;
}

export function selectDetectChecker(ctx: PathSelectContext): Selected<boolean> {
  const s = pathCascade<boolean>(ctx, "detectChecker") ?? dflt(DEFAULTS.detectChecker);
  say(ctx.log, 3, `${ctx.dev}: detect_checker = ${yn(s.value)} ${s.origin}`);
  return s;
}

/** Device probes propsel may need (SCSI INQUIRY through the path); called only when needed. */
export interface PathProbes {
  /** `path_get_tpgs` (Tpgs.*). */
  readonly tpgs: () => number;
  /** VPD page 0xC9 is in the device's supported-pages list. */
  readonly vpdC9Supported?: () => boolean;
  /** VPD page 0xC9 reads and bytes 4..7 are "vac1" (an RDAC array). */
  readonly vpdC9IsVac1?: () => boolean;
  /** sysfs `access_state` of the scsi_device can be read. */
  readonly hasAccessState?: () => boolean;
  /** NVMe: the controller supports ANA. */
  readonly nvmeAna?: () => boolean;
}

/** `check_rdac`: is this an RDAC array (and its checker not otherwise configured)? */
export function checkRdac(ctx: PathSelectContext, probes: PathProbes): boolean {
  if (ctx.bus !== "scsi") return false;
  const hweChecker = ctx.hwe.find((h) => h.pathChecker !== undefined)?.pathChecker;
  if (hweChecker === undefined && !(probes.vpdC9Supported?.() ?? false)) return false;
  if (hweChecker !== undefined && hweChecker !== "rdac") return false;
  return probes.vpdC9IsVac1?.() ?? false;
}

/** The default SCSI command timeout the checkers use without other information (DEF_TIMEOUT). */
export const DEF_TIMEOUT = 30;

/** The selected checker and its timeout. */
export interface SelectedChecker extends Selected<string> {
  readonly timeout: Selected<number> & { readonly origin: OriginText };
}

/**
 * `path_checker`: with detect_checker on, "rdac" for RDAC arrays and "tur" for ALUA devices
 * (origin autodetected); else overrides > devices > defaults > "tur". The timeout is
 * `checker_timeout`, else the SCSI device's sysfs timeout (`sysfsTimeout`), else 30 s.
 */
export function selectChecker(
  ctx: PathSelectContext,
  detectChecker: boolean,
  probes: PathProbes,
  sysfsTimeout?: number,
): SelectedChecker {
  let s: Selected<string> | undefined;
  if (detectChecker) {
    if (checkRdac(ctx, probes)) s = { value: "rdac", origin: Origin.autodetect };
    else {
      const t = probes.tpgs();
      if (t !== Tpgs.NONE && t !== Tpgs.UNDEF) s = { value: "tur", origin: Origin.autodetect };
    }
  }
  s ??= pathCascade<string>(ctx, "pathChecker") ?? dflt(DEFAULTS.pathChecker);
  say(ctx.log, 3, `${ctx.dev}: path_checker = ${s.value} ${s.origin}`);
  let timeout: Selected<number>;
  if (ctx.config.checkerTimeout) timeout = { value: ctx.config.checkerTimeout, origin: Origin.conf };
  else if (sysfsTimeout !== undefined && sysfsTimeout > 0)
    timeout = { value: sysfsTimeout, origin: Origin.kernelSysfs };
  else timeout = dflt(DEF_TIMEOUT);
  say(ctx.log, 3, `${ctx.dev}: checker timeout = ${timeout.value} s ${timeout.origin}`);
  return { ...s, timeout };
}

/** `detect_prio`: the prioritizer the device suggests ("ana", "sysfs", "alua"), if any. */
export function detectPrio(ctx: PathSelectContext, probes: PathProbes): string | undefined {
  if (ctx.bus === "nvme") return probes.nvmeAna?.() === true ? "ana" : undefined;
  if (ctx.bus !== "scsi") return undefined;
  const t = probes.tpgs();
  if (t === Tpgs.NONE) return undefined;
  if ((t === Tpgs.EXPLICIT || !checkRdac(ctx, probes)) && (probes.hasAccessState?.() ?? false))
    return "sysfs";
  return "alua";
}

/** The selected prioritizer: name and arguments. */
export interface SelectedPrio extends Selected<string> {
  readonly args: string;
}

/**
 * `prio` and `prio_args`: autodetected when detect_prio is on and the device suggests one; else
 * multipaths (by the path's WWID) > overrides > devices (name and args each from the first entry
 * setting them) > defaults > "const". An "alua" choice on a device without TPGS falls back to
 * "const".
 */
export function selectPrio(ctx: PathSelectContext, detect: boolean, probes: PathProbes): SelectedPrio {
  let name: string | undefined;
  let args = "";
  let origin: OriginText | undefined;
  if (detect) {
    const d = detectPrio(ctx, probes);
    if (d !== undefined) {
      name = d;
      origin = Origin.autodetect;
    }
  }
  if (name === undefined) {
    const mpe =
      ctx.wwid === undefined || ctx.wwid === ""
        ? undefined
        : ctx.config.mptable.find((m) => m.wwid === ctx.wwid);
    const layer = (src: { prio?: string; prioArgs?: string } | undefined, o: OriginText): boolean => {
      if (src?.prio === undefined) return false;
      name = src.prio;
      args = src.prioArgs ?? "";
      origin = o;
      return true;
    };
    if (!layer(mpe, Origin.multipaths) && !layer(ctx.config.overrides, Origin.overrides)) {
      const hName = ctx.hwe.find((h) => h.prio !== undefined)?.prio;
      if (hName !== undefined) {
        name = hName;
        args = ctx.hwe.find((h) => h.prioArgs !== undefined)?.prioArgs ?? "";
        origin = Origin.hwe;
      } else if (!layer(ctx.config, Origin.conf)) {
        name = DEFAULTS.prio;
        args = DEFAULTS.prioArgs;
        origin = Origin.default;
      }
    }
  }
  let level: LogLevel = 3;
  if (name === "alua" && probes.tpgs() === Tpgs.NONE) {
    name = DEFAULTS.prio;
    args = DEFAULTS.prioArgs;
    origin = Origin.aluaFailed;
    level = 1;
  }
  say(ctx.log, level, `${ctx.dev}: prio = ${name} ${origin}`);
  say(ctx.log, 3, `${ctx.dev}: prio args = "${args}" ${origin}`);
  return { value: name!, args, origin: origin! };
}

/** overrides' protocol section for the path, then overrides, devices, defaults. */
function pathTimeoutCascade<T>(ctx: PathSelectContext, field: "fastIoFailTmo" | "devLossTmo" | "ehDeadline") {
  const ovr = ctx.config.overrides;
  if (ovr !== undefined) {
    for (const pce of ovr.protocols) {
      if (pce.type === ctx.protocol && pce[field] !== undefined)
        return { value: pce[field] as T, origin: Origin.overridesProtocol } as Selected<T>;
    }
  }
  return pathCascade<T>(ctx, field);
}

/** `fast_io_fail_tmo` ("off", 0 or seconds; default 5). */
export function selectFastIoFail(ctx: PathSelectContext): Selected<OffOrNumber> {
  const s = pathTimeoutCascade<OffOrNumber>(ctx, "fastIoFailTmo") ?? dflt(DEFAULTS.fastIoFailTmo);
  say(ctx.log, 3, `${ctx.dev}: fast_io_fail_tmo = ${printOffOrNumber(s.value)} ${s.origin}`);
  return s;
}

/** `dev_loss_tmo` in seconds (MAX_DEV_LOSS_TMO = infinity); undefined keeps the kernel's value. */
export function selectDevLoss(ctx: PathSelectContext): Selected<number> | undefined {
  const s = pathTimeoutCascade<number>(ctx, "devLossTmo");
  if (s !== undefined) say(ctx.log, 3, `${ctx.dev}: dev_loss_tmo = ${printDevLoss(s.value)} ${s.origin}`);
  return s;
}

/** `eh_deadline`; undefined keeps the kernel's value. */
export function selectEhDeadline(ctx: PathSelectContext): Selected<OffOrNumber> | undefined {
  const s = pathTimeoutCascade<OffOrNumber>(ctx, "ehDeadline");
  if (s !== undefined) say(ctx.log, 3, `${ctx.dev}: eh_deadline = ${printOffOrNumber(s.value)} ${s.origin}`);
  return s;
}

/**
 * The `find_multipaths "smart"` timeout in seconds: the defaults value (or -10); a negative value
 * means its absolute value for known hardware and 1 s for devices without hwtable entry.
 */
export function selectFindMultipathsTimeout(ctx: PathSelectContext): Selected<number> {
  let s: Selected<number> =
    ctx.config.findMultipathsTimeout !== undefined
      ? { value: ctx.config.findMultipathsTimeout, origin: Origin.conf }
      : dflt(DEFAULTS.findMultipathsTimeout);
  if (s.value < 0) {
    s = { value: -s.value, origin: s.origin };
    if (ctx.hwe.length === 0) s = { value: 1, origin: Origin.unknownHardware };
  }
  say(ctx.log, 3, `${ctx.dev}: timeout for find_multipaths "smart" = ${s.value}s ${s.origin}`);
  return s;
}

/** `vpd_vendor`: the vendor VPD page to read for `%g` (0 = none, 1 = hp3par page 0xc0). */
export function selectVpdVendorId(ctx: PathSelectContext): Selected<number> {
  const h = ctx.hwe.find((x) => x.vpdVendor !== undefined);
  const s: Selected<number> = h !== undefined ? { value: 1, origin: Origin.hwe } : dflt(0);
  say(
    ctx.log,
    3,
    `${ctx.dev}: vpd_vendor_id = ${s.value} "${s.value === 1 ? "hp3par" : "undef"}" ${s.origin}`,
  );
  return s;
}

/* ------------------------------------------------------------------------------------------------
 * SCSI transport timeouts (`sysfs_set_scsi_tmo`, without the sysfs writes)
 */

/** What to write for one path. */
export interface ScsiTmoPlan {
  readonly dev: string;
  readonly fastIoFail: Selected<OffOrNumber>;
  /** Possibly raised to cover no_path_retry; undefined leaves the kernel's value. */
  readonly devLoss: Selected<number> | undefined;
  readonly ehDeadline: Selected<OffOrNumber> | undefined;
  /** Write `eh_deadline` to the scsi_device (SCSI paths with it set). */
  readonly writeEhDeadline: boolean;
  /**
   * Which transport gets fast_io_fail/dev_loss (`sysfs_set_rport_tmo`, `_session_tmo`,
   * `_nexus_loss_tmo`), or undefined when none does.
   */
  readonly transport: "fcp" | "iscsi" | "sas" | undefined;
}

/**
 * `sysfs_set_scsi_tmo` without the sysfs writes: for each path of the map, selects
 * fast_io_fail_tmo, dev_loss_tmo and eh_deadline (logging as the tool does), raises dev_loss_tmo to
 * cover the queueing time (no_path_retry × polling_interval, or infinity with `queue`), turns
 * fast_io_fail off when not smaller than dev_loss_tmo, and notes paths whose bus or transport
 * cannot take the timeouts. The transport writers' own rules (FC limits dev_loss_tmo to 600 s
 * without fast_io_fail unless queueing, and raises it temporarily above fast_io_fail; iSCSI
 * ignores dev_loss_tmo) need the current sysfs values and belong to the caller.
 */
export function planScsiTimeouts(
  map: {
    readonly alias: string;
    readonly config: Pick<Config, "pollingInterval">;
    readonly noPathRetry: NoPathRetryValue | undefined;
  },
  paths: readonly PathSelectContext[],
  log?: ConfigLog,
): ScsiTmoPlan[] {
  const noPathRetry = map.noPathRetry;
  let minDevLoss = 0;
  if (typeof noPathRetry === "number" && noPathRetry > 0) {
    minDevLoss = Math.min(noPathRetry * map.config.pollingInterval, MAX_DEV_LOSS);
  } else if (noPathRetry === "queue") minDevLoss = MAX_DEV_LOSS;
  let warnDevLoss = false;
  let warnFastIo = false;
  const plans: ScsiTmoPlan[] = [];
  for (const p of paths) {
    let fastIoFail = selectFastIoFail(p);
    let devLoss = selectDevLoss(p);
    const ehDeadline = selectEhDeadline(p);
    const plan = {
      dev: p.dev,
      fastIoFail,
      devLoss,
      ehDeadline,
      writeEhDeadline: false,
      transport: undefined,
    };
    const unsupported = () =>
      say(p.log ?? log, 2, `${p.dev}: setting scsi timeouts is unsupported for protocol ${p.protocol}`);
    // fast_io_fail always has a value (default 5), so a path is never skipped as "nothing set".
    if (p.bus !== "scsi") {
      unsupported();
      plans.push(plan);
      continue;
    }
    const writeEhDeadline = ehDeadline !== undefined;
    const transport =
      p.protocol === "scsi:fcp"
        ? "fcp"
        : p.protocol === "scsi:iscsi"
          ? "iscsi"
          : p.protocol === "scsi:sas"
            ? "sas"
            : undefined;
    if (transport === undefined) {
      unsupported();
      plans.push({ ...plan, writeEhDeadline });
      continue;
    }
    if (devLoss !== undefined && devLoss.value < minDevLoss) {
      warnDevLoss = true;
      devLoss = { value: minDevLoss, origin: devLoss.origin };
    }
    if (
      devLoss !== undefined &&
      typeof fastIoFail.value === "number" &&
      fastIoFail.value > 0 &&
      fastIoFail.value >= devLoss.value
    ) {
      warnFastIo = true;
      fastIoFail = { value: "off", origin: fastIoFail.origin };
    }
    plans.push({ dev: p.dev, fastIoFail, devLoss, ehDeadline, writeEhDeadline, transport });
  }
  if (warnDevLoss)
    say(log, 2, `${map.alias}: Raising dev_loss_tmo to ${minDevLoss} because of no_path_retry setting`);
  if (warnFastIo) say(log, 3, `${map.alias}: turning off fast_io_fail (not smaller than dev_loss_tmo)`);
  return plans;
}

const MAX_DEV_LOSS = 0xffffffff;

/** MapAttrs keys, re-exported for callers building contexts. */
export type { MapAttrs, PathAttrs };
