/**
 * libmultipath/devmapper.c over the host's `DmControl`: creating, reloading, renaming and
 * flushing multipath maps (`mpath-<wwid>` uuids, the udev cookie flags), messages to the
 * target (`fail_path`, `reinstate_path`, `switch_group`, `queue_if_no_path` …), and reading maps
 * back (`dm_get_map`, `dm_get_status`, `dm_is_mpath`, `dm_get_maps`).
 */

import {
  type DmControl,
  type DmInfo,
  type DmRef,
  type DmResult,
  devMajor,
  devMinor,
  Errno,
  mkdev,
  strerror,
} from "@mp/dm-core";
import { createMapDmInfo, type MapDmInfo, WWID_SIZE } from "../structs/structs.js";
import { countActivePendingPaths } from "../structs/structs-vec.js";
import { initVersions, type LibmpContext } from "./context.js";
import { spendCpu } from "./cpu.js";
import {
  DEFERRED_REMOVE_IN_PROGRESS,
  DM_UDEV_FLAGS_SHIFT,
  Dmp,
  DmUdevFlag,
  UUID_PREFIX,
  Ynu,
} from "./defaults.js";
import { allocMultipath, type MpMap } from "./structs.js";
import { markFailedWwid, unmarkFailedWwid, WwidFailed } from "./wwids.js";

const EROFS = 30;

/** `TGT_MPATH`. */
export const TGT_MPATH = "multipath";

/** libdevmapper task numbers, as `dm_log_error` prints them. */
export const DmTask = {
  CREATE: 0,
  RELOAD: 1,
  REMOVE: 2,
  SUSPEND: 4,
  RESUME: 5,
  INFO: 6,
  RENAME: 8,
  STATUS: 10,
  TABLE: 11,
  LIST: 13,
  TARGET_MSG: 17,
} as const;

function logError(ctx: LibmpContext, level: 0 | 1 | 2 | 3, func: string, task: number, errno: number): void {
  ctx.log.log(level, `${func}: libdm task=${task} error: ${strerror(errno)}`);
}

/** A DM cookie carrying udev flags (`dm_task_set_cookie`). */
function cookie(ctx: LibmpContext, udevFlags: number): number {
  ctx.cookieSeq = (ctx.cookieSeq + 1) & 0xffff;
  // dm_task_set_cookie marks every event libdevmapper causes as its own (the primary source).
  const flags = (udevFlags | DmUdevFlag.PRIMARY_SOURCE) & 0xffff;
  return flags * 2 ** DM_UDEV_FLAGS_SHIFT + (0xd4d0 | (ctx.cookieSeq & 0xf));
}

/** A process ends the way `exit(status)` would (libmultipath gives up on the dm library). */
export class LibmpExit extends Error {
  constructor(readonly status: number) {
    super(`exit(${status})`);
  }
}

/**
 * `libmp_dm_task_create`'s one-time `libmp_dm_init`: the versions are read (and logged), and a
 * missing or too old multipath target ends the process ({@link LibmpExit}, as upstream's
 * `exit(1)`). Every later call just returns the dm control.
 */
export function libmpDm(ctx: LibmpContext): DmControl {
  if (!ctx.dmInitDone) {
    ctx.dmInitDone = true;
    const v = initVersions(ctx);
    if (v.mpath === undefined) throw new LibmpExit(1);
    const minv = [1, 0, 3] as const;
    const ge =
      v.mpath[0] !== minv[0]
        ? v.mpath[0] > minv[0]
        : v.mpath[1] !== minv[1]
          ? v.mpath[1] > minv[1]
          : v.mpath[2] >= minv[2];
    if (!ge) {
      ctx.log.log(0, `DM multipath kernel driver must be >= v${minv.join(".")}`);
      throw new LibmpExit(1);
    }
  }
  return ctx.host.dm;
}

/** `struct dm_info` → the daemon's `MapDmInfo`. */
export function toMapDmInfo(i: DmInfo): MapDmInfo {
  return createMapDmInfo({
    minor: devMinor(i.devt),
    major: devMajor(i.devt),
    readOnly: i.readOnly,
    suspended: i.suspended,
    openCount: i.openCount,
    eventNr: i.eventNr,
    targetCount: i.targetCount,
    liveTable: i.liveTable,
    inactiveTable: i.inactiveTable,
    deferredRemove: i.deferredRemove,
  });
}

function majorMinor(devt: number): { major: number; minor: number } {
  return { major: devMajor(devt), minor: devMinor(devt) };
}

/** `dm_get_info`: the map's info, or null when it does not exist. */
export function dmGetInfo(ctx: LibmpContext, name: string): MapDmInfo | null {
  const r = libmpDm(ctx).info(name);
  if (!r.ok) {
    logError(ctx, 3, "dm_get_info", DmTask.INFO, r.errno);
    return null;
  }
  const { major, minor } = majorMinor(r.value.devt);
  const info = toMapDmInfo(r.value);
  info.major = major;
  info.minor = minor;
  return info;
}

/** `dm_map_present`. */
export function dmMapPresent(ctx: LibmpContext, name: string): boolean {
  return libmpDm(ctx).info(name).ok;
}

/** `dm_get_prefixed_uuid`: the full dm uuid ("" when unset), or null when the map is missing. */
export function dmGetPrefixedUuid(ctx: LibmpContext, name: string): string | null {
  const r = libmpDm(ctx).info(name);
  if (!r.ok) {
    logError(ctx, 3, "dm_get_prefixed_uuid", DmTask.INFO, r.errno);
    return null;
  }
  return r.value.uuid;
}

/** `dm_get_uuid`: the WWID part of an `mpath-` uuid ("" for other uuids), or null. */
export function dmGetUuid(ctx: LibmpContext, name: string): string | null {
  const u = dmGetPrefixedUuid(ctx, name);
  if (u === null) return null;
  return u.startsWith(UUID_PREFIX) ? u.slice(UUID_PREFIX.length).slice(0, WWID_SIZE - 1) : "";
}

/** `dm_get_map`: the single target's length and params. */
export function dmGetMap(
  ctx: LibmpContext,
  name: string,
): { r: typeof Dmp.OK; size: number; params: string } | { r: typeof Dmp.ERR | typeof Dmp.NOT_FOUND } {
  const s = libmpDm(ctx).status(name, { kind: "table" });
  if (!s.ok) {
    logError(ctx, 3, "dm_get_map", DmTask.TABLE, s.errno);
    return { r: s.errno === Errno.ENXIO ? Dmp.NOT_FOUND : Dmp.ERR };
  }
  if (s.value.lines.length !== 1) return { r: Dmp.NOT_FOUND };
  const line = s.value.lines[0]!;
  return { r: Dmp.OK, size: line.length, params: line.params };
}

/** `dm_get_status`: the multipath target's status string. */
export function dmGetStatus(
  ctx: LibmpContext,
  name: string,
): { r: typeof Dmp.OK; status: string } | { r: typeof Dmp.ERR | typeof Dmp.NOT_FOUND } {
  const s = libmpDm(ctx).status(name, { kind: "info" });
  let r: typeof Dmp.ERR | typeof Dmp.NOT_FOUND = Dmp.ERR;
  if (!s.ok) {
    logError(ctx, 3, "dm_get_status", DmTask.STATUS, s.errno);
    if (s.errno === Errno.ENXIO) r = Dmp.NOT_FOUND;
  } else {
    r = Dmp.NOT_FOUND;
    if (s.value.lines.length === 1 && s.value.lines[0]!.type === TGT_MPATH)
      return { r: Dmp.OK, status: s.value.lines[0]!.params };
  }
  ctx.log.log(0, `${name}: error getting map status string`);
  return { r };
}

/** `dm_type`: 1 when the map is one target of `type`, 0 when not, -1 when empty/several. */
export function dmType(ctx: LibmpContext, name: string, type: string): number {
  const s = libmpDm(ctx).status(name, { kind: "table" });
  if (!s.ok) return 0;
  if (s.value.lines.length !== 1) return -1;
  return s.value.lines[0]!.type === type ? 1 : 0;
}

/** `dm_is_mpath`: 1 for a single-target multipath map with an `mpath-` uuid, 0 when not, -1 on error. */
export function dmIsMpath(ctx: LibmpContext, name: string): number {
  const s = libmpDm(ctx).status(name, { kind: "table" });
  if (!s.ok) {
    logError(ctx, 3, "dm_is_mpath", DmTask.TABLE, s.errno);
    ctx.log.log(3, `${name}: dm command failed in dm_is_mpath: ${strerror(s.errno)}`);
    return -1;
  }
  if (!s.value.info.uuid.startsWith(UUID_PREFIX)) return 0;
  if (s.value.lines.length !== 1 || s.value.lines[0]!.type !== TGT_MPATH) return 0;
  return 1;
}

/** `dm_get_opencount`. */
export function dmGetOpencount(ctx: LibmpContext, name: string): number {
  const r = libmpDm(ctx).info(name);
  return r.ok ? r.value.openCount : -1;
}

/** `dm_get_major_minor`. */
export function dmGetMajorMinor(ctx: LibmpContext, name: string): { major: number; minor: number } | null {
  const r = libmpDm(ctx).info(name);
  return r.ok ? majorMinor(r.value.devt) : null;
}

/** `dm_mapname(major, minor)`: the map's name, or null. */
export function dmMapname(ctx: LibmpContext, major: number, minor: number): string | null {
  const devt = mkdev(major, minor);
  const r = libmpDm(ctx).info({ devt });
  if (!r.ok) {
    logError(ctx, 2, "dm_mapname", DmTask.STATUS, r.errno);
    ctx.log.log(0, `${major}:${minor}: error fetching map name`);
    return null;
  }
  return r.value.name.length > 0 ? r.value.name : null;
}

/** `dm_is_suspended`. */
export function dmIsSuspended(ctx: LibmpContext, name: string): boolean {
  const r = libmpDm(ctx).info(name);
  return r.ok && r.value.suspended;
}

/** `dm_message`: 0 on success, 1 on failure (logged). */
export function dmMessage(ctx: LibmpContext, name: string, message: string): number {
  const r = libmpDm(ctx).message(name, 0, message);
  if (!r.ok) {
    logError(ctx, 2, "dm_message", DmTask.TARGET_MSG, r.errno);
    ctx.log.log(0, `DM message failed [${message}]`);
    return 1;
  }
  return 0;
}

/** `dm_fail_path`. */
export function dmFailPath(ctx: LibmpContext, name: string, devt: string): number {
  return dmMessage(ctx, name, `fail_path ${devt}`);
}

/** `dm_reinstate_path`. */
export function dmReinstatePath(ctx: LibmpContext, name: string, devt: string): number {
  return dmMessage(ctx, name, `reinstate_path ${devt}`);
}

/** `dm_queue_if_no_path`. */
export function dmQueueIfNoPath(ctx: LibmpContext, name: string, enable: boolean): number {
  return dmMessage(ctx, name, enable ? "queue_if_no_path" : "fail_if_no_path");
}

/** `dm_switchgroup`. */
export function dmSwitchgroup(ctx: LibmpContext, name: string, index: number): number {
  return dmMessage(ctx, name, `switch_group ${index | 0}`);
}

/** `dm_enablegroup`. */
export function dmEnablegroup(ctx: LibmpContext, name: string, index: number): number {
  return dmMessage(ctx, name, `enable_group ${index | 0}`);
}

/** `dm_disablegroup`. */
export function dmDisablegroup(ctx: LibmpContext, name: string, index: number): number {
  return dmMessage(ctx, name, `disable_group ${index | 0}`);
}

/**
 * `libmp_udev_wait(cookie)`: libdevmapper blocks until udev has run the rules for the uevent the
 * cookie went with (10-dm.rules' `dmsetup udevcomplete`). Modelled as waiting until udev has
 * processed an event at least as recent as the last one the kernel sent (the ioctl's), or has
 * nothing left to do; at once when udev is idle.
 */
export async function libmpUdevWait(ctx: LibmpContext): Promise<void> {
  const udev = ctx.host.udev;
  if (udev.settled()) return;
  const target = Number.parseInt(ctx.host.sysfs.read("/sys/kernel/uevent_seqnum") ?? "0", 10) || 0;
  await new Promise<void>((resolve) => {
    let timer = 0;
    const unsubscribe = udev.subscribe((e) => {
      if (e.seqnum < target && !udev.settled()) return;
      unsubscribe();
      ctx.clock.cancel(timer);
      resolve();
    });
    timer = ctx.clock.schedule(
      UDEV_WAIT_LIMIT_NS,
      () => {
        unsubscribe();
        resolve();
      },
      undefined,
    );
  });
}

/** The semaphore wait gives up (udev killed, rules stuck) after this long. */
const UDEV_WAIT_LIMIT_NS = 60_000_000_000;

/** `dm_simplecmd` for SUSPEND / RESUME / REMOVE; true on success. */
export async function dmSimplecmd(
  ctx: LibmpContext,
  task: typeof DmTask.SUSPEND | typeof DmTask.RESUME | typeof DmTask.REMOVE,
  name: string,
  noFlush: boolean,
  needSync: boolean,
  udevFlags: number,
  deferredRemove = 0,
): Promise<boolean> {
  await spendCpu(ctx.clock, ctx.cpu.dmIoctl);
  const udevWait = (needSync || udevFlags !== 0) && (task === DmTask.RESUME || task === DmTask.REMOVE);
  const ck = udevWait ? cookie(ctx, DmUdevFlag.DISABLE_LIBRARY_FALLBACK | udevFlags) : undefined;
  let r: DmResult<DmInfo>;
  const ref: DmRef = name;
  switch (task) {
    case DmTask.SUSPEND:
      r = libmpDm(ctx).suspend(ref, { noflush: noFlush, skipLockfs: true });
      break;
    case DmTask.RESUME:
      r = libmpDm(ctx).resume(ref, {
        noflush: noFlush,
        skipLockfs: true,
        ...(ck === undefined ? {} : { cookie: ck }),
      });
      break;
    default: {
      const deferred = deferredRemove === Ynu.ON || deferredRemove === DEFERRED_REMOVE_IN_PROGRESS;
      r = libmpDm(ctx).remove(ref, { deferred, ...(ck === undefined ? {} : { cookie: ck }) });
      break;
    }
  }
  if (!r.ok) logError(ctx, 2, "dm_simplecmd", task, r.errno);
  if (udevWait) await libmpUdevWait(ctx);
  return r.ok;
}

/** `build_udev_flags`. */
function buildUdevFlags(mpp: MpMap, reload: boolean): number {
  return (
    (mpp.skipKpartx === Ynu.ON ? DmUdevFlag.MPATH_NO_KPARTX : 0) |
    (countActivePendingPaths(mpp) === 0 || mpp.ghostDelayTick > 0 ? DmUdevFlag.MPATH_NO_PATHS : 0) |
    (reload && !mpp.forceUdevReload ? DmUdevFlag.MPATH_RELOAD : 0)
  );
}

function mapAlias(mpp: MpMap): string {
  return mpp.alias ?? mpp.wwid;
}

/** `dm_addmap` for CREATE (create + load + resume) or RELOAD (load only). */
async function dmAddmap(
  ctx: LibmpContext,
  task: typeof DmTask.CREATE | typeof DmTask.RELOAD,
  mpp: MpMap,
  params: string,
  ro: boolean,
  udevFlags: number,
): Promise<{ ok: boolean; errno: number }> {
  await spendCpu(ctx.clock, ctx.cpu.dmIoctl);
  const alias = mapAlias(mpp);
  if (task === DmTask.CREATE && mpp.wwid.length === 0) {
    ctx.log.log(1, `${alias}: refusing to create map with empty WWID`);
    return { ok: false, errno: Errno.EINVAL };
  }
  ctx.log.log(
    2,
    `${alias}: ${task === DmTask.RELOAD ? "reload" : "addmap"} [0 ${mpp.size} ${TGT_MPATH} ${params}]`,
  );
  const dm = libmpDm(ctx);
  const table = [{ start: 0, length: mpp.size, type: TGT_MPATH, params }];
  let errno = 0;
  if (task === DmTask.CREATE) {
    const c = dm.create(alias, { uuid: UUID_PREFIX + mpp.wwid, readOnly: ro });
    if (!c.ok) errno = c.errno;
    else {
      const l = dm.load(alias, table, { readOnly: ro });
      if (!l.ok) {
        errno = l.errno;
        dm.remove(alias);
      } else {
        const ck = cookie(ctx, udevFlags | DmUdevFlag.DISABLE_LIBRARY_FALLBACK);
        const r = dm.resume(alias, { cookie: ck, noflush: true, skipLockfs: true });
        if (!r.ok) {
          errno = r.errno;
          dm.remove(alias);
        }
        await libmpUdevWait(ctx);
      }
    }
  } else {
    const l = dm.load(alias, table, { readOnly: ro });
    if (!l.ok) errno = l.errno;
  }
  if (errno !== 0) {
    logError(ctx, 2, "dm_addmap", task, errno);
    return { ok: false, errno };
  }
  mpp.needReload = false;
  return { ok: true, errno: 0 };
}

/** `dm_addmap_create`: true on success; retries read-only when the kernel says EROFS. */
export async function dmAddmapCreate(ctx: LibmpContext, mpp: MpMap, params: string): Promise<boolean> {
  const udevFlags = buildUdevFlags(mpp, false);
  for (let ro = mpp.forceReadonly ? 1 : 0; ro <= 1; ro++) {
    const r = await dmAddmap(ctx, DmTask.CREATE, mpp, params, ro === 1, udevFlags);
    if (r.ok) {
      if (unmarkFailedWwid(ctx, mpp.wwid) === WwidFailed.CHANGED) mpp.needsPathsUevent = true;
      return true;
    }
    if (dmMapPresent(ctx, mapAlias(mpp))) {
      ctx.log.log(3, `${mapAlias(mpp)}: failed to load map (a path might be in use)`);
      await dmFlushMapNosync(ctx, mapAlias(mpp));
    }
    if (r.errno !== EROFS) {
      ctx.log.log(3, `${mapAlias(mpp)}: failed to load map, error ${r.errno}`);
      break;
    }
  }
  if (markFailedWwid(ctx, mpp.wwid) === WwidFailed.CHANGED) mpp.needsPathsUevent = true;
  return false;
}

/** `dm_addmap_reload`: load the new table and resume (noflush unless `flush`). */
export async function dmAddmapReload(
  ctx: LibmpContext,
  mpp: MpMap,
  params: string,
  flush: boolean,
): Promise<boolean> {
  const udevFlags = buildUdevFlags(mpp, true);
  const alias = mapAlias(mpp);
  let r = { ok: false, errno: 0 };
  if (!mpp.forceReadonly) r = await dmAddmap(ctx, DmTask.RELOAD, mpp, params, false, 0);
  if (!r.ok) {
    if (!mpp.forceReadonly && r.errno !== EROFS) return false;
    r = await dmAddmap(ctx, DmTask.RELOAD, mpp, params, true, 0);
  }
  let ok = r.ok;
  if (ok) ok = await dmSimplecmd(ctx, DmTask.RESUME, alias, !flush, true, udevFlags);
  if (ok) return true;
  if (dmIsSuspended(ctx, alias)) await dmSimplecmd(ctx, DmTask.RESUME, alias, !flush, true, udevFlags);
  return false;
}

/** `dm_rename`: renames the map (and its partition maps). */
export async function dmRename(
  ctx: LibmpContext,
  oldName: string,
  newName: string,
  delim: string | undefined,
  skipKpartx: number,
): Promise<boolean> {
  await spendCpu(ctx.clock, ctx.cpu.dmIoctl);
  if (!(await dmRenamePartmaps(ctx, oldName, newName, delim))) return false;
  const flags =
    DmUdevFlag.DISABLE_LIBRARY_FALLBACK | (skipKpartx === Ynu.ON ? DmUdevFlag.MPATH_NO_KPARTX : 0);
  const r = libmpDm(ctx).rename(oldName, newName, { cookie: cookie(ctx, flags) });
  if (!r.ok) logError(ctx, 2, "dm_rename", DmTask.RENAME, r.errno);
  await libmpUdevWait(ctx);
  return r.ok;
}

/* ------------------------------------------------------------------------------------------------
 * Partition maps (kpartx's `partN-mpath-<wwid>` linear maps over a multipath map)
 */

function isMpathPart(ctx: LibmpContext, partName: string, mapName: string): boolean {
  const part = dmGetPrefixedUuid(ctx, partName);
  const map = dmGetPrefixedUuid(ctx, mapName);
  if (part === null || map === null || !part.startsWith("part")) return false;
  const at = part.indexOf(UUID_PREFIX);
  return at >= 0 && part.slice(at) === map;
}

/** `do_foreach_partmaps`'s selection: the partition maps over `mapName` (empty when it has none). */
function listPartmaps(ctx: LibmpContext, mapName: string): string[] {
  const info = libmpDm(ctx).info(mapName);
  if (!info.ok) return [];
  const { major, minor } = majorMinor(info.value.devt);
  const devt = `${major}:${minor}`;
  const out: string[] = [];
  for (const e of libmpDm(ctx).list()) {
    if (dmType(ctx, e.name, "linear") !== 1 || !isMpathPart(ctx, e.name, mapName)) continue;
    const m = dmGetMap(ctx, e.name);
    if (m.r !== Dmp.OK) continue;
    const at = m.params.indexOf(devt);
    if (at < 0 || /[0-9]/.test(m.params[at + devt.length] ?? "")) continue;
    out.push(e.name);
  }
  return out;
}

/** `do_foreach_partmaps`: `fn` for every partition map over `mapName`; false when `fn` failed. */
async function forEachPartmap(
  ctx: LibmpContext,
  mapName: string,
  fn: (name: string) => boolean | Promise<boolean>,
): Promise<boolean> {
  for (const p of listPartmaps(ctx, mapName)) if (!(await fn(p))) return false;
  return true;
}

async function partmapInUse(ctx: LibmpContext, name: string, count?: { n: number }): Promise<boolean> {
  const open = dmGetOpencount(ctx, name);
  if (count) count.n++;
  if (open) {
    const parts = { n: 0 };
    if (!(await forEachPartmap(ctx, name, async (p) => !(await partmapInUse(ctx, p, parts))))) return true;
    if (open !== parts.n) {
      ctx.log.log(2, `${name}: map in use`);
      return true;
    }
  }
  return false;
}

function dmRemovePartmaps(
  ctx: LibmpContext,
  name: string,
  needSync: boolean,
  deferred: number,
): Promise<boolean> {
  return forEachPartmap(ctx, name, async (p) => {
    if (dmGetOpencount(ctx, p)) {
      await dmRemovePartmaps(ctx, p, needSync, deferred);
      if (!isDeferred(deferred) && dmGetOpencount(ctx, p)) {
        ctx.log.log(2, `${p}: map in use`);
        return false;
      }
    }
    ctx.log.log(4, `partition map ${p} removed`);
    await dmSimplecmd(ctx, DmTask.REMOVE, p, false, needSync, 0, deferred);
    return true;
  });
}

function dmRenamePartmaps(
  ctx: LibmpContext,
  oldName: string,
  newName: string,
  delim: string | undefined,
): Promise<boolean> {
  const d = delim ?? (/[0-9]$/.test(newName) ? "p" : "");
  return forEachPartmap(ctx, oldName, async (p) => {
    if (!p.startsWith(oldName)) return true;
    let off = oldName.length;
    while (off < p.length && !/[0-9]/.test(p[off]!)) off++;
    await dmRename(ctx, p, `${newName}${d}${p.slice(off)}`, d, Ynu.OFF);
    ctx.log.log(4, `partition map ${p} renamed`);
    return true;
  });
}

function isDeferred(d: number): boolean {
  return d === Ynu.ON || d === DEFERRED_REMOVE_IN_PROGRESS;
}

/**
 * `_dm_flush_map`: removes a multipath map (0), or reports it in use / failed (1), or a deferred
 * removal pending (2). With `needSuspend` queueing is turned off and the map suspended first.
 */
export async function dmFlushMapGeneric(
  ctx: LibmpContext,
  name: string,
  needSync: boolean,
  deferred: number,
  needSuspend: boolean,
  retries: number,
): Promise<0 | 1 | 2> {
  if (dmIsMpath(ctx, name) !== 1) return 0;
  let udevFlags = 0;
  let hasPart = false;
  await forEachPartmap(ctx, name, () => {
    hasPart = true;
    return false;
  });
  if (!hasPart) udevFlags |= DmUdevFlag.MPATH_NO_KPARTX;
  if (!isDeferred(deferred) && (await partmapInUse(ctx, name))) return 1;
  let queueIfNoPath = 0;
  if (needSuspend) {
    const m = dmGetMap(ctx, name);
    if (m.r === Dmp.OK && m.params.includes("queue_if_no_path"))
      queueIfNoPath = dmQueueIfNoPath(ctx, name, false) === 0 ? 1 : -1;
  }
  if (!(await dmRemovePartmaps(ctx, name, needSync, deferred))) return 1;
  if (!isDeferred(deferred) && dmGetOpencount(ctx, name)) {
    ctx.log.log(2, `${name}: map in use`);
    return 1;
  }
  let left = retries;
  do {
    if (needSuspend && queueIfNoPath !== -1) await dmSimplecmd(ctx, DmTask.SUSPEND, name, false, true, 0);
    if (await dmSimplecmd(ctx, DmTask.REMOVE, name, false, needSync, 0, deferred)) {
      if (isDeferred(deferred) && dmMapPresent(ctx, name)) {
        ctx.log.log(4, `multipath map ${name} remove deferred`);
        return 2;
      }
      ctx.log.log(4, `multipath map ${name} removed`);
      return 0;
    }
    if (dmIsMpath(ctx, name) !== 1) {
      ctx.log.log(4, `multipath map ${name} removed externally`);
      return 0;
    }
    ctx.log.log(2, `failed to remove multipath map ${name}`);
    if (needSuspend && queueIfNoPath !== -1)
      await dmSimplecmd(ctx, DmTask.RESUME, name, true, true, udevFlags);
  } while (left-- > 0);
  if (queueIfNoPath === 1) dmQueueIfNoPath(ctx, name, true);
  return 1;
}

/** `dm_flush_map`. */
export function dmFlushMap(ctx: LibmpContext, name: string): Promise<0 | 1 | 2> {
  return dmFlushMapGeneric(ctx, name, true, 0, false, 0);
}

/** `dm_flush_map_nosync`. */
export function dmFlushMapNosync(ctx: LibmpContext, name: string): Promise<0 | 1 | 2> {
  return dmFlushMapGeneric(ctx, name, false, 0, false, 0);
}

/** `dm_flush_map_nopaths`. */
export function dmFlushMapNopaths(ctx: LibmpContext, name: string, deferred: number): Promise<0 | 1 | 2> {
  return dmFlushMapGeneric(ctx, name, true, deferred, false, 0);
}

/** `dm_suspend_and_flush_map`. */
export function dmSuspendAndFlushMap(ctx: LibmpContext, name: string, retries: number): Promise<0 | 1 | 2> {
  return dmFlushMapGeneric(ctx, name, true, 0, true, retries);
}

/** `dm_flush_maps`: every multipath map; non-zero when one could not be removed. */
export async function dmFlushMaps(ctx: LibmpContext, needSuspend: boolean, retries: number): Promise<number> {
  let r = 0;
  for (const e of libmpDm(ctx).list())
    r |= needSuspend ? await dmSuspendAndFlushMap(ctx, e.name, retries) : await dmFlushMap(ctx, e.name);
  return r;
}

/** `dm_get_multipath`: a map record filled from the kernel (name, size, WWID, info). */
export function dmGetMultipath(ctx: LibmpContext, name: string): MpMap | null {
  const mpp = allocMultipath({ alias: name });
  const m = dmGetMap(ctx, name);
  if (m.r !== Dmp.OK) return null;
  mpp.size = m.size;
  const wwid = dmGetUuid(ctx, name);
  if (wwid === null) ctx.log.log(2, `dm_get_multipath: failed to get uuid for ${name}`);
  else mpp.wwid = wwid;
  const info = dmGetInfo(ctx, name);
  if (info === null) ctx.log.log(2, `dm_get_multipath: failed to get info for ${name}`);
  mpp.dmi = info;
  return mpp;
}

/** `dm_get_maps`: every multipath map in name order. */
export function dmGetMaps(ctx: LibmpContext): MpMap[] {
  const out: MpMap[] = [];
  for (const e of libmpDm(ctx).list()) {
    if (dmIsMpath(ctx, e.name) !== 1) continue;
    const mpp = dmGetMultipath(ctx, e.name);
    if (mpp !== null) out.push(mpp);
  }
  return out;
}

/** `dm_cancel_deferred_remove`. */
export function dmCancelDeferredRemove(ctx: LibmpContext, mpp: MpMap): number {
  const alias = mapAlias(mpp);
  const info = libmpDm(ctx).info(alias);
  if (!info.ok || !info.value.deferredRemove) return 0;
  if (mpp.deferredRemove === DEFERRED_REMOVE_IN_PROGRESS) mpp.deferredRemove = Ynu.ON;
  for (const p of listPartmaps(ctx, alias)) dmMessage(ctx, p, "@cancel_deferred_remove");
  const r = dmMessage(ctx, alias, "@cancel_deferred_remove");
  if (r) ctx.log.log(0, `${alias}: can't cancel deferred remove: Invalid argument`);
  else ctx.log.log(2, `${alias}: canceled deferred remove`);
  return r;
}

/** `dm_dev_t` of a map, `major:minor`. */
export function dmDevT(ctx: LibmpContext, name: string): string | null {
  const mm = dmGetMajorMinor(ctx, name);
  return mm === null ? null : `${mm.major}:${mm.minor}`;
}
