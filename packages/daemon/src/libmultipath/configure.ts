/**
 * Building and loading maps (libmultipath/configure.c, 0.9.4): `setup_map` (select every map
 * setting, group the paths, pick the best group, assemble the table), `select_action` (what to do
 * compared with the map in the kernel), `domap` (create / reload / rename / switch group through
 * device-mapper), `coalesce_paths` (one map per WWID over the path list) and `get_refwwid` (what
 * a device argument of the `multipath` tool refers to).
 */

import { filterDevnode, filterPath, filterProperty, filterWwid } from "../config/blacklist.js";
import { getMpeWwid, removeFeature } from "../config/config.js";
import {
  type MapSelectContext,
  marginalPathCheckEnabled,
  type QueueMode as QueueModeName,
  selectDeferredRemove,
  selectFeatures,
  selectFlushOnLastDel,
  selectGhostDelay,
  selectHwhandler,
  selectMarginalSettings,
  selectMaxSectorsKb,
  selectMinio,
  selectNoPathRetry,
  selectPgfailback,
  selectPgpolicy,
  selectReservationKey,
  selectRetainHwhandler,
  selectRrWeight,
  selectSelector,
  selectSkipKpartx,
} from "../config/propsel.js";
import {
  failbackCode,
  type NoOrNumber,
  type NoPathRetryValue,
  noPathRetryCode,
  pgPolicyCode,
  rrWeightCode,
} from "../config/structs.js";
import { formatMultipathTopology } from "../print/topology.js";
import { PathState } from "../structs/path-state.js";
import {
  MapAction,
  NoPathRetry,
  NvmeProtocol,
  PgState,
  ScsiProtocol,
  SysfsBus,
  WWID_SIZE,
} from "../structs/structs.js";
import {
  countActivePaths,
  findMpByAlias,
  findMpByWwid,
  findPathByDev,
  findPathByDevt,
  pathcount,
  selectPathGroup,
  updatePathGroupPrios,
} from "../structs/structs-vec.js";
import { getUserFriendlyWwid } from "./alias.js";
import { confCheckint, kernelVersions, type LibmpContext } from "./context.js";
import { spendCpu } from "./cpu.js";
import {
  CoalesceResult,
  DI,
  Domap,
  ForceReload,
  MpathCmd,
  PathinfoResult,
  QueueMode,
  Ynu,
} from "./defaults.js";
import {
  dmAddmapCreate,
  dmAddmapReload,
  dmGetUuid,
  dmMapPresent,
  dmQueueIfNoPath,
  dmReinstatePath,
  dmRename,
  dmSwitchgroup,
  TGT_MPATH,
} from "./devmapper.js";
import {
  pathGetTpgs,
  pathProtocolNameOf,
  storePathinfo,
  udevBlockDevice,
  udevDeviceByDevt,
} from "./discovery.js";
import { assembleMap } from "./dmparser.js";
import { groupPaths } from "./pgpolicies/index.js";
import { getPrkey } from "./prkey.js";
import { sysfsSetScsiTmo } from "./scsi-tmo.js";
import { type MpMap, type MpPath, type MpPathGroup, mapName } from "./structs.js";
import { addMapWithPath, extractHweFromPath, orphanPath, removeMap, verifyPaths } from "./structs-vec.js";
import { readAttr, scsiDeviceParent } from "./sysfs.js";
import { rememberWwid, shouldMultipath } from "./wwids.js";

/** The path and map lists libmultipath works on (`struct vectors`). */
export interface Vectors {
  pathvec: MpPath[];
  mpvec: MpMap[];
}

function mapSelectContext(ctx: LibmpContext, mpp: MpMap): MapSelectContext {
  return {
    config: ctx.config,
    hwe: mpp.hwe,
    mpe: mpp.mpe,
    alias: mapName(mpp),
    wwid: mpp.wwid,
    log: ctx.configLog,
  };
}

/** `no_path_retry` as propsel's value type. */
export function noPathRetryValue(n: number): NoPathRetryValue | undefined {
  if (n === NoPathRetry.UNDEF) return undefined;
  if (n === NoPathRetry.FAIL) return "fail";
  if (n === NoPathRetry.QUEUE) return "queue";
  return n;
}

function nuCode(v: NoOrNumber): number {
  return v === "no" ? -1 : v;
}

function queueModeName(q: number): QueueModeName {
  return q === QueueMode.BIO ? "bio" : q === QueueMode.RQ ? "rq" : "undef";
}

function queueModeCode(q: QueueModeName): number {
  return q === "bio" ? QueueMode.BIO : q === "rq" ? QueueMode.RQ : QueueMode.UNDEF;
}

/**
 * Upstream's group id is the XOR of the member `struct path` pointers, so two groups have equal
 * ids exactly when they hold the same paths: compared here as sets.
 */
function samePgid(pg: MpPathGroup, cpg: MpPathGroup): boolean {
  if (pg.paths.length !== cpg.paths.length) return false;
  for (const pp of cpg.paths) if (!pg.paths.includes(pp)) return false;
  return true;
}

/** `dh_state` of the path's SCSI device (what `select_hwhandler` retains). */
function dhState(ctx: LibmpContext, pp: MpPath): string | undefined {
  if (pp.udev === null) return undefined;
  const parent = scsiDeviceParent(ctx.host, pp.udev);
  if (parent === null) return undefined;
  const v = readAttr(ctx.host.sysfs, parent.path, "dh_state");
  return v === null ? undefined : v.replace(/[ \t\n]+$/, "");
}

/**
 * `setup_map`: selects the map's settings (in upstream's order), sets transport timeouts, groups
 * the paths, picks the best group and assembles the table. Returns the table parameters, or null
 * (logged) when the map cannot be set up.
 */
export async function setupMap(ctx: LibmpContext, mpp: MpMap, _vecs: Vectors): Promise<string | null> {
  await spendCpu(ctx.clock, ctx.cpu.setupMap);
  const alias = mapName(mpp);
  if (mpp.size <= 0) {
    ctx.log.log(3, `${alias}: devmap size is unknown`);
    return null;
  }
  if (mpp.disableQueueing && mpp.paths.length !== 0) mpp.disableQueueing = false;
  for (const pp of mpp.paths)
    if (pp.bus === SysfsBus.NVME && pp.sgId.protoId === NvmeProtocol.TCP) {
      mpp.queueMode = QueueMode.BIO;
      break;
    }
  if (!mpp.hweSet) extractHweFromPath(ctx, mpp);
  // select_hwhandler asks every path for its TPGS support (detected once, cached).
  for (const pp of mpp.paths) await pathGetTpgs(ctx, pp);

  const mctx = mapSelectContext(ctx, mpp);
  mpp.pgfailback = failbackCode(selectPgfailback(mctx).value);
  mpp.pgpolicy = pgPolicyCode(selectPgpolicy(mctx, ctx.pgpolicyFlag).value);
  mpp.selector = selectSelector(mctx).value;
  const npr = selectNoPathRetry(mctx, mpp.disableQueueing);
  if (npr.value !== undefined) mpp.noPathRetry = noPathRetryCode(npr.value);
  const versions = kernelVersions(ctx);
  let retain = selectRetainHwhandler(mctx, versions).value;
  const features = selectFeatures(mctx, {
    noPathRetry: noPathRetryValue(mpp.noPathRetry),
    retainAttachedHwHandler: retain,
    queueMode: queueModeName(mpp.queueMode),
  });
  mpp.features = features.value;
  if (features.noPathRetry !== noPathRetryValue(mpp.noPathRetry))
    mpp.noPathRetry = noPathRetryCode(features.noPathRetry);
  retain = features.retainAttachedHwHandler;
  mpp.retainHwhandler = retain ? Ynu.ON : Ynu.OFF;
  mpp.queueMode = queueModeCode(features.queueMode);
  mpp.hwhandler = selectHwhandler(
    mctx,
    retain,
    mpp.paths.map((pp) => ({ tpgs: pp.tpgs, dhState: dhState(ctx, pp) })),
  ).value;
  mpp.rrWeight = rrWeightCode(selectRrWeight(mctx).value);
  mpp.minio = selectMinio(mctx, versions.dmMpath).value;
  const key = selectReservationKey(mctx, () => getPrkey(ctx, mpp.wwid));
  if (key !== undefined) {
    if (key.value.source === "conf") {
      mpp.reservationKey = key.value.key;
      mpp.saFlags = key.value.aptpl ? 1 : 0;
      mpp.prkeySource = 1;
    } else {
      mpp.reservationKey = key.fileKey?.key ?? 0n;
      mpp.saFlags = key.fileKey?.aptpl ? 1 : 0;
      mpp.prkeySource = 2;
    }
  }
  const dr = selectDeferredRemove(mctx, mpp.deferredRemove === 3);
  if (dr !== undefined) mpp.deferredRemove = dr.value ? Ynu.ON : Ynu.OFF;
  const m = selectMarginalSettings(mctx, ctx.once);
  mpp.marginalPathErrSampleTime = nuCode(m.marginalPathErrSampleTime.value);
  mpp.marginalPathErrRateThreshold = nuCode(m.marginalPathErrRateThreshold.value);
  mpp.marginalPathErrRecheckGapTime = nuCode(m.marginalPathErrRecheckGapTime.value);
  mpp.marginalPathDoubleFailedTime = nuCode(m.marginalPathDoubleFailedTime.value);
  mpp.sanPathErrThreshold = nuCode(m.sanPathErrThreshold.value);
  mpp.sanPathErrForgetRate = nuCode(m.sanPathErrForgetRate.value);
  mpp.sanPathErrRecoveryTime = nuCode(m.sanPathErrRecoveryTime.value);
  mpp.skipKpartx = selectSkipKpartx(mctx).value ? Ynu.ON : Ynu.OFF;
  mpp.maxSectorsKb = selectMaxSectorsKb(mctx)?.value ?? 0;
  mpp.ghostDelay = nuCode(selectGhostDelay(mctx).value);
  mpp.flushOnLastDel = selectFlushOnLastDel(mctx).value ? Ynu.ON : Ynu.OFF;

  sysfsSetScsiTmo(ctx, mpp);

  if (!groupPaths(mpp, ctx.config.marginalPathgroups === "on")) return null;
  updatePathGroupPrios(mpp);
  mpp.bestpg = selectPathGroup(mpp);
  if (mpp.selector.startsWith("round-robin")) {
    for (const pg of mpp.pg) {
      if (pg.paths.length <= 2) continue;
      rrOptimizePathOrder(ctx, pg);
    }
  }
  const kernel = versions.kernel;
  const before43 = kernel[0] < 4 || (kernel[0] === 4 && kernel[1] < 3);
  const params = assembleMap(mpp, before43, (msg) => ctx.log.log(0, msg));
  if (params === null) {
    ctx.log.log(0, `${alias}: problem assembling map`);
    return null;
  }
  ctx.log.log(4, `${alias}: assembled map [${params}]`);
  return params;
}

/** Whether upstream's io_err_stat (marginal path checking) is on for the map. */
export function marginalCheckEnabled(mpp: MpMap): boolean {
  const v = (n: number): NoOrNumber => (n < 0 ? "no" : n);
  return marginalPathCheckEnabled({
    marginalPathErrSampleTime: v(mpp.marginalPathErrSampleTime),
    marginalPathErrRateThreshold: v(mpp.marginalPathErrRateThreshold),
    marginalPathErrRecheckGapTime: v(mpp.marginalPathErrRecheckGapTime),
    marginalPathDoubleFailedTime: v(mpp.marginalPathDoubleFailedTime),
  });
}

/**
 * `rr_optimize_path_order`: for FC/SAS/iSCSI/SRP groups of round-robin maps, the paths reordered
 * to alternate between host adapters and, within an adapter, between host ports.
 */
function rrOptimizePathOrder(ctx: LibmpContext, pg: MpPathGroup): void {
  for (const pp of pg.paths) {
    const p = pp.sgId.protoId;
    if (
      pp.bus !== SysfsBus.SCSI ||
      (p !== ScsiProtocol.FCP && p !== ScsiProtocol.SAS && p !== ScsiProtocol.ISCSI && p !== ScsiProtocol.SRP)
    )
      return;
  }
  const adapterOf = (pp: MpPath): string | null => {
    if (pp.udev === null) return null;
    const host = pp.udev.syspath.split("/").find((c) => /^host\d+$/.test(c));
    if (host === undefined) return null;
    const i = pp.udev.syspath.indexOf(`/${host}/`);
    const before = pp.udev.syspath.slice(0, i).split("/");
    return before[before.length - 1] ?? null;
  };
  type HostGroup = { hostNo: number; paths: MpPath[] };
  type AdapterGroup = { name: string; hosts: HostGroup[]; next: number };
  const adapters: AdapterGroup[] = [];
  for (const pp of pg.paths) {
    const name = adapterOf(pp);
    if (name === null) return;
    let ag = adapters.find((a) => a.name === name);
    if (!ag) adapters.push((ag = { name, hosts: [], next: 0 }));
    let hg = ag.hosts.find((h) => h.hostNo === pp.sgId.hostNo);
    if (!hg) ag.hosts.push((hg = { hostNo: pp.sgId.hostNo, paths: [] }));
    hg.paths.push(pp);
  }
  const out: MpPath[] = [];
  let total = pg.paths.length;
  let a = 0;
  while (total > 0) {
    const ag = adapters[a]!;
    const hg = ag.hosts[ag.next]!;
    ag.next = (ag.next + 1) % ag.hosts.length;
    a = (a + 1) % adapters.length;
    const pp = hg.paths.shift();
    if (pp === undefined) continue;
    out.push(pp);
    total--;
  }
  pg.paths = out;
  ctx.log.log(4, "rr_optimize_path_order: paths reordered by adapter");
}

/** `pathcmp`: how many paths of `pg` the other group lacks. */
function pathcmp(pg: MpPathGroup, cpg: MpPathGroup): number {
  let missing = 0;
  for (const pp of pg.paths) if (!cpg.paths.includes(pp)) missing++;
  return missing;
}

/** `pgcmp`: non-zero when some group of `mpp` has no identical group in `cmpp`. */
function pgcmp(mpp: MpMap, cmpp: MpMap): number {
  let r = 0;
  for (const pg of mpp.pg) {
    for (const cpg of cmpp.pg) {
      if (samePgid(pg, cpg) && pathcmp(pg, cpg) === 0) {
        r = 0;
        break;
      }
      r++;
    }
    if (r) return r;
  }
  return r;
}

/** `is_udev_ready`: the dm device's udev record says `MPATH_DEVICE_READY=1` (or has none). */
function isUdevReady(ctx: LibmpContext, cmpp: MpMap): boolean {
  if (cmpp.dmi === null) {
    ctx.log.log(1, "get_udev_for_mpp called with empty mpp");
    return true;
  }
  const ud = udevBlockDevice(ctx, `dm-${cmpp.dmi.minor}`);
  if (ud === null) {
    ctx.log.log(1, `failed to get udev device for ${mapName(cmpp)}`);
    return true;
  }
  const env = ud.properties.get("MPATH_DEVICE_READY");
  const rc = env === "1";
  ctx.log.log(4, `is_udev_ready: ${mapName(cmpp)}: "${env ?? ""}" -> ${rc ? 1 : 0}\n`);
  return rc;
}

function selectReloadAction(ctx: LibmpContext, mpp: MpMap, reason: string): void {
  mpp.action = MapAction.RELOAD;
  ctx.log.log(3, `${mapName(mpp)}: set ACT_RELOAD (${reason})`);
}

/** `select_action`: what `domap` must do, compared with `curmp` (the maps in the kernel). */
export function selectAction(
  ctx: LibmpContext,
  mpp: MpMap,
  curmp: readonly MpMap[],
  forceReload: boolean,
): void {
  const alias = mapName(mpp);
  const cmpp = findMpByWwid(curmp, mpp.wwid) as MpMap | null;
  const cmppByName = findMpByAlias(curmp, alias) as MpMap | null;
  if (mpp.needReload || cmpp?.needReload) forceReload = true;
  if (cmppByName === null) {
    if (cmpp !== null) {
      ctx.log.log(2, `${mpp.wwid}: rename ${mapName(cmpp)} to ${alias}`);
      mpp.aliasOld = mapName(cmpp).slice(0, WWID_SIZE - 1);
      mpp.action = MapAction.RENAME;
      if (forceReload) {
        mpp.forceUdevReload = true;
        mpp.action = MapAction.FORCERENAME;
      }
      return;
    }
    mpp.action = MapAction.CREATE;
    ctx.log.log(3, `${alias}: set ACT_CREATE (map does not exist)`);
    return;
  }
  if (cmpp === null) {
    ctx.log.log(
      1,
      `${mpp.wwid}: can't use alias "${alias}" used by ${cmppByName.wwid}, falling back to WWID`,
    );
    mpp.alias = mpp.wwid;
    mpp.action = MapAction.CREATE;
    ctx.log.log(3, `${mpp.alias}: set ACT_CREATE (map does not exist, name changed)`);
    return;
  }
  if (cmpp !== cmppByName) {
    ctx.log.log(
      2,
      `${mpp.wwid}: unable to rename ${mapName(cmpp)} to ${alias} (${alias} is used by ${cmppByName.wwid})`,
    );
    mpp.alias = mapName(cmpp);
    mpp.action = MapAction.IMPOSSIBLE;
    return;
  }
  if (forceReload) {
    mpp.forceUdevReload = true;
    mpp.action = MapAction.RELOAD;
    ctx.log.log(3, `${alias}: set ACT_RELOAD (forced by user)`);
    return;
  }
  if (cmpp.size !== mpp.size) {
    mpp.forceUdevReload = true;
    mpp.action = MapAction.RESIZE;
    ctx.log.log(3, `${alias}: set ACT_RESIZE (size change)`);
    return;
  }
  if (!isUdevReady(ctx, cmpp) && countActivePaths(mpp) > 0) {
    mpp.forceUdevReload = true;
    mpp.action = MapAction.RELOAD;
    ctx.log.log(3, `${alias}: set ACT_RELOAD (udev incomplete)`);
    return;
  }
  if (
    mpp.noPathRetry !== NoPathRetry.UNDEF &&
    mpp.features.includes("queue_if_no_path") !== cmpp.features.includes("queue_if_no_path")
  ) {
    selectReloadAction(ctx, mpp, "no_path_retry change");
    return;
  }
  if (
    (mpp.retainHwhandler !== Ynu.ON || cmpp.hwhandler === "0") &&
    (cmpp.hwhandler.length !== mpp.hwhandler.length || !cmpp.hwhandler.startsWith(mpp.hwhandler))
  ) {
    selectReloadAction(ctx, mpp, "hwhandler change");
    return;
  }
  const v = kernelVersions(ctx).kernel;
  if (
    mpp.retainHwhandler !== Ynu.UNDEF &&
    mpp.features.includes("retain_attached_hw_handler") !==
      cmpp.features.includes("retain_attached_hw_handler") &&
    (v[0] < 4 || (v[0] === 4 && v[1] < 3))
  ) {
    selectReloadAction(ctx, mpp, "retain_hwhandler change");
    return;
  }
  const strip = (f: string) =>
    removeFeature(removeFeature(f, "queue_if_no_path"), "retain_attached_hw_handler");
  if (strip(mpp.features) !== strip(cmpp.features)) {
    selectReloadAction(ctx, mpp, "features change");
    return;
  }
  if (cmpp.selector === null || !cmpp.selector.startsWith(mpp.selector ?? "")) {
    selectReloadAction(ctx, mpp, "selector change");
    return;
  }
  if (cmpp.minio !== mpp.minio) {
    selectReloadAction(ctx, mpp, "minio change");
    return;
  }
  if (cmpp.pg.length !== mpp.pg.length) {
    selectReloadAction(ctx, mpp, "path group number change");
    return;
  }
  if (pgcmp(mpp, cmpp)) {
    selectReloadAction(ctx, mpp, "path group topology change");
    return;
  }
  if (cmpp.nextpg !== mpp.bestpg) {
    mpp.action = MapAction.SWITCHPG;
    ctx.log.log(3, `${alias}: set ACT_SWITCHPG (next path group change)`);
    return;
  }
  mpp.action = MapAction.NOTHING;
  ctx.log.log(3, `${alias}: set ACT_NOTHING (map unchanged)`);
}

/** `reinstate_paths`: paths failed in the kernel that are up again (outside active/disabled groups). */
export function reinstatePaths(ctx: LibmpContext, mpp: MpMap): void {
  for (const pg of mpp.pg) {
    for (const pp of pg.paths) {
      if (pp.state !== PathState.UP && (pg.status === PgState.DISABLED || pg.status === PgState.ACTIVE))
        continue;
      if (pp.dmstate === 1 /* PSTATE_FAILED */ && dmReinstatePath(ctx, mapName(mpp), pp.devT))
        ctx.log.log(0, `${pp.dev}: error reinstating`);
    }
  }
}

/** `trigger_path_udev_change`: a synthetic `change` (or `add`) uevent for a path whose status changed. */
export function triggerPathUdevChange(ctx: LibmpContext, pp: MpPath, isMpath: boolean): void {
  const action = isMpath ? "change" : "add";
  if (pp.udev === null) return;
  const env = pp.udev.properties.get("DM_MULTIPATH_DEVICE_PATH");
  if (isMpath && env === "1") {
    const wait = pp.udev.properties.get("FIND_MULTIPATHS_WAIT_UNTIL");
    if (wait === undefined || wait === "0") return;
  } else if (!isMpath && (env === undefined || env === "0")) return;
  ctx.log.log(3, `triggering ${action} uevent for ${pp.dev} (is ${isMpath ? "" : "no "}multipath member)`);
  if (ctx.host.sysfs.write(`${pp.udev.syspath}/uevent`, action) !== 0)
    ctx.log.log(2, `${pp.dev}: failed to trigger ${action} uevent`);
}

/** `trigger_paths_udev_change` for every path of the map. */
export function triggerPathsUdevChange(ctx: LibmpContext, mpp: MpMap, isMpath: boolean): void {
  for (const pg of mpp.pg) for (const pp of pg.paths) triggerPathUdevChange(ctx, pp, isMpath);
  mpp.needsPathsUevent = false;
}

function emitMap(
  ctx: LibmpContext,
  mpp: MpMap,
  action: "create" | "reload" | "resize" | "rename" | "switchpg",
  params?: string,
): void {
  if (!ctx.events.active) return;
  ctx.events.emit({
    kind: "map",
    timeNs: ctx.clock.now(),
    action,
    map: mapName(mpp),
    wwid: mpp.wwid,
    ...(params === undefined ? {} : { params }),
    ...(action === "rename" ? { from: mpp.aliasOld } : {}),
  });
}

/** `domap`: carries out `mpp.action` in device-mapper. */
export async function domap(
  ctx: LibmpContext,
  mpp: MpMap,
  params: string,
  isDaemon: boolean,
): Promise<number> {
  const alias = mapName(mpp);
  if (mpp.action === MapAction.DRY_RUN) {
    ctx.stdout?.(formatMultipathTopology(mpp, ctx.log.verbosity, ctx.printEnv));
    return Domap.DRY;
  }
  if (mpp.action === MapAction.CREATE && dmMapPresent(ctx, alias)) {
    const wwid = dmGetUuid(ctx, alias);
    if (wwid !== null) {
      if (wwid === mpp.wwid.slice(0, WWID_SIZE)) {
        ctx.log.log(3, `${alias}: map already present`);
        mpp.action = MapAction.RELOAD;
      } else {
        ctx.log.log(0, `${mpp.wwid}: map "${alias}" already present with WWID ${wwid}, skipping`);
        ctx.log.log(0, "please check alias settings in config and bindings file");
        mpp.action = MapAction.REJECT;
      }
    }
  }
  let ok = false;
  switch (mpp.action) {
    case MapAction.REJECT:
    case MapAction.NOTHING:
    case MapAction.IMPOSSIBLE:
      return Domap.EXIST;
    case MapAction.SWITCHPG:
      dmSwitchgroup(ctx, alias, mpp.bestpg);
      emitMap(ctx, mpp, "switchpg");
      // Paths skipped in an active or disabled group may be reinstated now.
      reinstatePaths(ctx, mpp);
      return Domap.EXIST;
    case MapAction.CREATE:
      if (isDaemon && mpp.ghostDelay > 0 && countActivePaths(mpp) && pathcount(mpp, PathState.UP) === 0)
        mpp.ghostDelayTick = mpp.ghostDelay;
      ok = await dmAddmapCreate(ctx, mpp, params);
      if (ok) emitMap(ctx, mpp, "create", params);
      break;
    case MapAction.RELOAD:
    case MapAction.RESIZE:
      if (mpp.ghostDelayTick > 0 && pathcount(mpp, PathState.UP)) mpp.ghostDelayTick = 0;
      ok = await dmAddmapReload(ctx, mpp, params, mpp.action === MapAction.RESIZE);
      if (ok) emitMap(ctx, mpp, mpp.action === MapAction.RESIZE ? "resize" : "reload", params);
      break;
    case MapAction.RENAME:
      ok = await dmRename(ctx, mpp.aliasOld, alias, ctx.config.partitionDelimiter, mpp.skipKpartx);
      if (ok) emitMap(ctx, mpp, "rename");
      break;
    case MapAction.FORCERENAME:
      ok = await dmRename(ctx, mpp.aliasOld, alias, ctx.config.partitionDelimiter, mpp.skipKpartx);
      if (ok) {
        emitMap(ctx, mpp, "rename");
        if (mpp.ghostDelayTick > 0 && pathcount(mpp, PathState.UP)) mpp.ghostDelayTick = 0;
        ok = await dmAddmapReload(ctx, mpp, params, false);
        if (ok) emitMap(ctx, mpp, "reload", params);
      }
      break;
    default:
      break;
  }
  if (ok) {
    mpp.forceUdevReload = false;
    if (mpp.action === MapAction.CREATE && (rememberWwid(ctx, mpp.wwid) === 1 || mpp.needsPathsUevent))
      triggerPathsUdevChange(ctx, mpp, true);
    if (!isDaemon) dmSwitchgroup(ctx, alias, mpp.bestpg);
    else {
      mpp.statMapLoads++;
      ctx.log.log(4, `${alias}: load table [0 ${mpp.size} ${TGT_MPATH} ${params}]`);
      // The daemon keeps ACT_CREATE: its callers use it to start watching the new map.
      if (mpp.action !== MapAction.CREATE) mpp.action = MapAction.NOTHING;
      else {
        mpp.waitForUdev = 1;
        mpp.uevWaitTick = ctx.config.missingUevWaitTimeout;
      }
    }
    return Domap.OK;
  }
  if (mpp.action === MapAction.CREATE && mpp.needsPathsUevent) triggerPathsUdevChange(ctx, mpp, false);
  return Domap.FAIL;
}

/** `check_daemon`: a multipathd answers `show daemon` and is not shutting down. */
export type CheckDaemon = () => Promise<boolean>;

/**
 * `coalesce_paths`: one map per WWID over the path list (only `refwwid`'s when given): set up,
 * compared with the kernel (`select_action`) and loaded (`domap`). New maps are appended to
 * `newmp`. With `cmd` other than NONE this is the `multipath` tool (it prints what it did).
 */
export async function coalescePaths(
  ctx: LibmpContext,
  vecs: Vectors,
  newmp: MpMap[],
  refwwid: string | null,
  forceReload: ForceReload,
  cmd: MpathCmd,
  checkDaemon?: CheckDaemon,
): Promise<CoalesceResult> {
  const isDaemon = cmd === MpathCmd.NONE;
  const curmp = vecs.mpvec;
  const pathvec = vecs.pathvec;
  if (refwwid !== null && refwwid.length === 0) refwwid = null;
  if (forceReload !== ForceReload.NONE) for (const pp of pathvec) pp.mpp = null;
  if (pathvec.length === 0) return CoalesceResult.OK;
  const sizeMismatch = new Set<MpPath>();
  for (let k = 0; k < pathvec.length; k++) {
    const pp1 = pathvec[k]!;
    if (pp1.wwid.length === 0) {
      orphanPath(ctx, pp1, "no WWID");
      continue;
    }
    if (filterPath(ctx.config, pathIdentity(pp1), ctx.configLog) > 0) {
      orphanPath(ctx, pp1, "blacklisted");
      continue;
    }
    if (pp1.mpp !== null || sizeMismatch.has(pp1)) continue;
    if (pp1.state === PathState.REMOVED) {
      orphanPath(ctx, pp1, "path removed");
      continue;
    }
    if (refwwid !== null && pp1.wwid.slice(0, WWID_SIZE - 1) !== refwwid.slice(0, WWID_SIZE - 1)) continue;
    if (refwwid === null && !shouldMultipath(ctx, pp1, pathvec, curmp)) {
      orphanPath(ctx, pp1, "only one path");
      continue;
    }
    const cmpp = findMpByWwid(curmp, pp1.wwid) as MpMap | null;
    if (
      cmpp !== null &&
      cmpp.queueMode === QueueMode.RQ &&
      pp1.bus === SysfsBus.NVME &&
      pp1.sgId.protoId === NvmeProtocol.TCP
    ) {
      orphanPath(ctx, pp1, "nvme:tcp path not allowed with request queue_mode multipath device");
      continue;
    }
    // The refwwid, alias and bindings work before the map's paths are adopted.
    await spendCpu(ctx.clock, ctx.cpu.setupMap);
    const mpp = await addMapWithPath(ctx, vecs, pp1, false);
    if (mpp === null) {
      orphanPath(ctx, pp1, "failed to create multipath device");
      continue;
    }
    if (mpp.paths.length === 0) {
      ctx.log.log(0, `${mapName(mpp)}: skip coalesce (no paths)`);
      removeMap(ctx, mpp, pathvec, null);
      continue;
    }
    for (let i = k + 1; i < pathvec.length; i++) {
      const pp2 = pathvec[i]!;
      if (pp1.wwid !== pp2.wwid) continue;
      if (!mpp.size && pp2.size) mpp.size = pp2.size;
      if (mpp.size && pp2.size && pp2.size !== mpp.size) {
        ctx.log.log(0, `${pp2.dev}: size ${pp2.size}, expected ${mpp.size}. Discard`);
        mpp.action = MapAction.REJECT;
        sizeMismatch.add(pp2);
      }
    }
    verifyPaths(ctx, mpp);
    if (cmpp !== null) mpp.queueMode = cmpp.queueMode;
    const params = await setupMap(ctx, mpp, vecs);
    if (params === null) {
      removeMap(ctx, mpp, pathvec, null);
      continue;
    }
    if (cmd === MpathCmd.DRY_RUN) mpp.action = MapAction.DRY_RUN;
    if (mpp.action === MapAction.UNDEF) selectAction(ctx, mpp, curmp, forceReload === ForceReload.YES);
    const r = await domap(ctx, mpp, params, isDaemon);
    if (r === Domap.FAIL || r === Domap.RETRY) {
      ctx.log.log(3, `${mapName(mpp)}: domap (${r}) failure for create/reload map`);
      if (r === Domap.FAIL || isDaemon) {
        ctx.log.log(2, `${mapName(mpp)}: ${mpp.action === MapAction.CREATE ? "ignoring" : "removing"} map`);
        removeMap(ctx, mpp, pathvec, null);
        continue;
      }
      return CoalesceResult.RETRY;
    }
    if (r === Domap.DRY) {
      newmp.push(mpp);
      continue;
    }
    if (!isDaemon && !ctx.allowQueueing && checkDaemon !== undefined && !(await checkDaemon())) {
      if (mpp.noPathRetry !== NoPathRetry.UNDEF && mpp.noPathRetry !== NoPathRetry.FAIL)
        ctx.log.log(3, `${mapName(mpp)}: multipathd not running, unset queue_if_no_path feature`);
      if (!dmQueueIfNoPath(ctx, mapName(mpp), false))
        mpp.features = removeFeature(mpp.features, "queue_if_no_path");
    }
    if (!isDaemon && mpp.action !== MapAction.NOTHING)
      ctx.stdout?.(formatMultipathTopology(mpp, ctx.log.verbosity, ctx.printEnv));
    if (mpp.action !== MapAction.REJECT) newmp.push(mpp);
    else removeMap(ctx, mpp, pathvec, null);
  }
  return CoalesceResult.OK;
}

/** The blacklist view of a path (`filter_path`). */
export function pathIdentity(pp: MpPath) {
  return {
    dev: pp.dev,
    properties: pp.udev === null ? undefined : pp.udev.properties.keys(),
    uidAttribute: pp.uidAttribute ?? undefined,
    vendor: pp.vendorId === "" ? undefined : pp.vendorId,
    product: pp.productId === "" ? undefined : pp.productId,
    protocol: pathProtocolNameOf(pp),
    wwid: pp.wwid === "" ? undefined : pp.wwid,
  };
}

/** How a device argument of the `multipath` tool is given (`enum devtypes`). */
export type DevType = "none" | "devnode" | "devmap" | "devt" | "uevent";

/**
 * `get_refwwid`: the WWID a device argument refers to — a path (by node or dev_t: its WWID, after
 * pathinfo), or a map (by name, bindings alias, multipaths alias, or a WWID itself).
 */
export async function getRefwwid(
  ctx: LibmpContext,
  cmd: MpathCmd,
  dev: string,
  devType: DevType,
  pathvec: MpPath[],
): Promise<{ result: PathinfoResult; wwid: string | null }> {
  const conf = ctx.config;
  let flags = DI.SYSFS | DI.WWID;
  if (cmd !== MpathCmd.REMOVE_WWID) flags |= DI.BLACKLIST;
  let refwwid: string | null = null;
  switch (devType) {
    case "devnode":
    case "devt":
    case "uevent": {
      let name = dev;
      let pp: MpPath | null = null;
      if (devType === "devnode") {
        name = dev.slice(dev.lastIndexOf("/") + 1);
        if (name === "") {
          ctx.log.log(1, `basename failed for '${dev}' (${name})`);
          return { result: PathinfoResult.FAILED, wwid: null };
        }
        pp = findPathByDev(pathvec, name) as MpPath | null;
      } else if (devType === "devt") pp = findPathByDevt(pathvec, dev) as MpPath | null;
      else name = "environment";
      if (pp === null) {
        const ud =
          devType === "devt"
            ? udevDeviceByDevt(ctx, dev)
            : devType === "devnode"
              ? udevBlockDevice(ctx, name)
              : null;
        if (ud === null) {
          ctx.log.log(
            2,
            `get_udev_device: failed to look up ${name} with type ${devType === "devt" ? 2 : devType === "uevent" ? 3 : 0}`,
          );
          ctx.log.log(0, `${name}: cannot find block device`);
          return { result: PathinfoResult.FAILED, wwid: null };
        }
        const r = await storePathinfo(ctx, pathvec, ud, flags);
        if (r.pp === null) {
          if (r.result === PathinfoResult.FAILED) ctx.log.log(0, `${name}: can't store path info`);
          return { result: r.result, wwid: null };
        }
        pp = r.pp;
      }
      if (
        flags & DI.BLACKLIST &&
        filterProperty(
          conf,
          pp.dev,
          pp.udev === null ? undefined : pp.udev.properties.keys(),
          pp.uidAttribute ?? undefined,
          3,
          ctx.configLog,
        ) > 0
      )
        return { result: PathinfoResult.SKIPPED, wwid: null };
      refwwid = pp.wwid;
      break;
    }
    case "devmap": {
      const uuid = dmGetUuid(ctx, dev);
      if (uuid !== null && uuid.length > 0) refwwid = uuid;
      else {
        const bound = getUserFriendlyWwid(ctx, dev);
        if (bound !== null) refwwid = bound;
        else refwwid = getMpeWwid(conf, dev) ?? dev;
      }
      if (
        flags & DI.BLACKLIST &&
        refwwid.length > 0 &&
        filterWwid(conf, refwwid, undefined, ctx.configLog) > 0
      )
        return { result: PathinfoResult.SKIPPED, wwid: null };
      break;
    }
    default:
      break;
  }
  if (refwwid !== null && refwwid.length > 0) return { result: PathinfoResult.OK, wwid: refwwid };
  return { result: PathinfoResult.FAILED, wwid: null };
}

export { confCheckint, filterDevnode };
