/**
 * Keeping the path list and the map list in step with each other and with the kernel
 * (libmultipath/structs_vec.c, 0.9.4): `update_mpp_paths`, `adopt_paths`, `orphan_path`,
 * `remove_map`, `update_multipath_table` / `_strings` (read the table and status back and
 * reconcile unknown or wrong paths), `sync_map_state` (make the kernel's path states follow the
 * checker's), queueing (`set_no_path_retry` & co. through {@link queueingTransition}),
 * `add_map_with_path` and `verify_paths`.
 */

import { findMpe, usedHwEntries } from "../config/config.js";
import { selectAlias } from "../config/propsel.js";
import type { HwEntry } from "../config/structs.js";
import { DmPathState, PathState } from "../structs/path-state.js";
import { InitState, WWID_SIZE } from "../structs/structs.js";
import {
  countActivePaths,
  findMpByWwid,
  findPathByDevt,
  pathcount,
  updatePathGroupPrio,
  wwidEqual,
} from "../structs/structs-vec.js";
import { aliasBindings } from "./alias.js";
import { confCheckint, type LibmpContext } from "./context.js";
import { DI, Dmp, PathinfoResult } from "./defaults.js";
import { dmFailPath, dmGetMap, dmGetStatus, dmQueueIfNoPath, dmReinstatePath } from "./devmapper.js";
import { freePath, pathInSysfs, pathinfo, pathinfoNoIo, udevDeviceByDevt } from "./discovery.js";
import { DmStringsMemo, disassembleMapMemo, disassembleStatusMemo } from "./dmparser.js";
import { type QueueingEvent, queueingTransition } from "./no-path-retry.js";
import { setPathWwid } from "./path-index.js";
import { allocMultipath, type MpMap, type MpPath, mapName } from "./structs.js";

/** `update_mpp_paths`: rebuilds `mpp.paths` from the groups (removed paths are not re-added). */
export function updateMppPaths(
  mpp: MpMap,
  pathvec: readonly MpPath[],
  find: (devt: string) => MpPath | null = (devt) => findPathByDevt(pathvec, devt) as MpPath | null,
): void {
  const paths = mpp.paths;
  // Maps have a handful of paths: a scan of them beats building a set per table re-read.
  if (paths.length > 32) {
    updateMppPathsWithSet(mpp, find);
    return;
  }
  for (const pg of mpp.pg) {
    for (const pp of pg.paths) {
      const devT = pp.devT;
      let seen = false;
      for (let i = 0; i < paths.length; i++) {
        if (paths[i]!.devT === devT) {
          seen = true;
          break;
        }
      }
      if (seen) continue;
      if (find(devT) !== null && pp.initialized !== InitState.REMOVED) paths.push(pp);
    }
  }
}

/** {@link updateMppPaths} for a map with many paths. */
function updateMppPathsWithSet(mpp: MpMap, find: (devt: string) => MpPath | null): void {
  const seen = new Set<string>();
  for (const pp of mpp.paths) seen.add(pp.devT);
  for (const pg of mpp.pg) {
    for (const pp of pg.paths) {
      if (seen.has(pp.devT)) continue;
      if (find(pp.devT) !== null && pp.initialized !== InitState.REMOVED) {
        mpp.paths.push(pp);
        seen.add(pp.devT);
      }
    }
  }
}

/** `uninitialize_path`: forgets the checker, prioritizer, fd and dm state. */
export function uninitializePath(pp: MpPath): void {
  pp.dmstate = DmPathState.UNDEF;
  pp.uidAttribute = null;
  pp.chk?.free();
  pp.chk = null;
  pp.checker.name = null;
  pp.prioImpl = null;
  pp.prio.name = null;
  pp.monitored = false;
}

/** `orphan_path`. */
export function orphanPath(ctx: LibmpContext, pp: MpPath, reason: string): void {
  ctx.log.log(3, `${pp.dev}: orphan path, ${reason}`);
  pp.mpp = null;
  uninitializePath(pp);
}

/** `orphan_paths`: every path of `mpp`; removed/partial ones are dropped from `pathvec`. */
function orphanPaths(ctx: LibmpContext, pathvec: MpPath[], mpp: MpMap, reason: string): void {
  for (let i = 0; i < pathvec.length; i++) {
    const pp = pathvec[i]!;
    if (pp.mpp !== mpp) continue;
    if (pp.initialized === InitState.REMOVED || pp.initialized === InitState.PARTIAL) {
      ctx.log.log(
        3,
        `${pp.dev}: freeing path in ${pp.initialized === InitState.REMOVED ? "removed" : "partial"} state`,
      );
      pathvec.splice(i--, 1);
      freePath(pp);
    } else orphanPath(ctx, pp, reason);
  }
}

/** `set_path_removed`: orphaned, but still linked to its map until the map is reloaded. */
export function setPathRemoved(ctx: LibmpContext, pp: MpPath): void {
  const mpp = pp.mpp;
  orphanPath(ctx, pp, "removed");
  if (mpp === null) ctx.log.log(0, `${pp.dev}: internal error: mpp == NULL`);
  pp.mpp = mpp;
  pp.initialized = InitState.REMOVED;
  ctx.limboPaths = true;
}

/** Called when a map goes away (multipathd unblocks a delayed reconfigure). */
export type RemoveMapCallback = (mpp: MpMap) => void;

/** `remove_map`: drops the map from `mpvec` (when given) and orphans its paths. */
export function removeMap(
  ctx: LibmpContext,
  mpp: MpMap,
  pathvec: MpPath[],
  mpvec: MpMap[] | null,
  onRemove?: RemoveMapCallback,
): void {
  onRemove?.(mpp);
  mpp.paths = [];
  mpp.pg = [];
  orphanPaths(ctx, pathvec, mpp, "map removed internally");
  if (mpvec !== null) {
    const i = mpvec.indexOf(mpp);
    if (i >= 0) mpvec.splice(i, 1);
  }
}

/** `set_mpp_hwe`. */
function setMppHwe(mpp: MpMap, pp: MpPath): void {
  if (mpp.hweSet) return;
  mpp.hwe = [...pp.hwe];
  mpp.hweSet = true;
}

/** `extract_hwe_from_path`: the map's hwtable entries from an up path (or any path). */
export function extractHweFromPath(ctx: LibmpContext, mpp: MpMap): void {
  if (mpp.hweSet || mpp.paths.length === 0) return;
  ctx.log.log(4, `${mapName(mpp)}: searching paths for valid hwe`);
  let found: MpPath | undefined = mpp.paths.find(
    (pp) =>
      pp.state === PathState.UP &&
      pp.initialized !== InitState.PARTIAL &&
      pp.initialized !== InitState.REMOVED,
  );
  found ??= mpp.paths.find(
    (pp) =>
      (pp.state !== PathState.UP || pp.initialized === InitState.PARTIAL) &&
      pp.initialized !== InitState.REMOVED,
  );
  if (found) setMppHwe(mpp, found);
  if (mpp.hweSet) ctx.log.log(3, `${mapName(mpp)}: got hwe from path ${found!.dev}`);
  else ctx.log.log(2, `${mapName(mpp)}: no hwe found`);
}

/** `guess_mpp_wwid`: the map's WWID from its dm uuid, or from an initialised member path. */
function guessMppWwid(ctx: LibmpContext, mpp: MpMap): boolean {
  if (mpp.wwid.length > 0 || mpp.pg.length === 0) return true;
  for (const pg of mpp.pg)
    for (const pp of pg.paths)
      if (pp.initialized === InitState.OK && pp.wwid.length > 0) {
        mpp.wwid = pp.wwid;
        ctx.log.log(2, `${mapName(mpp)}: guessed WWID ${mpp.wwid} from path ${pp.dev}`);
        return true;
      }
  ctx.log.log(1, `${mapName(mpp)}: unable to guess WWID`);
  return false;
}

/**
 * `update_pathvec_from_dm`: after `disassemble_map`, adopt or drop the paths the table named.
 * Paths already known that need I/O-bound pathinfo (`flags` beyond DI_NOIO) are returned for the
 * caller to refresh. Returns whether an immediate reload is desirable and those paths.
 */
function updatePathvecFromDm(
  ctx: LibmpContext,
  pathvec: MpPath[],
  mpp: MpMap,
  flags: number,
): { mustReload: boolean; refresh: MpPath[] } {
  const refresh: MpPath[] = [];
  let mustReload = false;
  if (mpp.pg.length === 0) return { mustReload, refresh };
  const hasWwid = guessMppWwid(ctx, mpp);
  for (let i = 0; i < mpp.pg.length; i++) {
    const pg = mpp.pg[i]!;
    for (let j = 0; j < pg.paths.length; j++) {
      const pp = pg.paths[j]!;
      if (pp.mpp !== null && pp.mpp !== mpp) {
        ctx.log.log(0, `BUG: ${mapName(mpp)}: found path ${pp.dev} which is already in ${mapName(pp.mpp)}`);
        mustReload = true;
        dmFailPath(ctx, mapName(mpp), pp.devT);
        pg.paths.splice(j--, 1);
        continue;
      }
      pp.mpp = mpp;
      if (pp.udev !== null) {
        if (flags & ~DI.NOIO) refresh.push(pp);
      } else {
        const ud = udevDeviceByDevt(ctx, pp.devT);
        if (ud === null) {
          ctx.log.log(2, `${mapName(mpp)}: discarding non-existing path ${pp.devT}`);
          pg.paths.splice(j--, 1);
          freePath(pp);
          mustReload = true;
          continue;
        }
        pp.udev = ud;
        pp.dev = ud.sysname;
        pp.checkint = confCheckint(ctx);
        const rc = pathinfoNoIo(
          ctx,
          pp,
          DI.SYSFS | DI.WWID | DI.BLACKLIST | DI.NOFALLBACK | (flags & DI.NOIO),
        );
        if (rc !== PathinfoResult.OK) {
          ctx.log.log(1, `${pp.dev}: error ${rc} in pathinfo, discarding path`);
          pg.paths.splice(j--, 1);
          freePath(pp);
          mustReload = true;
          continue;
        }
        if (flags & ~DI.NOIO) refresh.push(pp);
        ctx.log.log(2, `${mapName(mpp)}: adding new path ${pp.dev}`);
        pp.initialized = InitState.PARTIAL;
        ctx.limboPaths = true;
        pp.partialRetriggerDelay = 180;
        pathvec.push(pp);
        pp.tick = 1;
      }
      if (!hasWwid) continue;
      if (pp.wwid.length > 0 && mpp.wwid !== pp.wwid) {
        ctx.log.log(0, `${mpp.wwid}: path ${pp.devT} WWID ${pp.wwid} doesn't match, removing from map`);
        dmFailPath(ctx, mapName(mpp), pp.devT);
        pg.paths.splice(j--, 1);
        orphanPath(ctx, pp, "WWID mismatch");
        pp.tick = 1;
        mustReload = true;
      } else if (pp.wwid.length === 0) {
        ctx.log.log(3, `${pp.dev}: setting wwid from map: ${mpp.wwid}`);
        setPathWwid(ctx.pathIndex, pp, mpp.wwid);
      }
    }
    if (pg.paths.length !== 0) continue;
    ctx.log.log(2, `${mapName(mpp)}: removing empty pathgroup ${i}`);
    mpp.pg.splice(i--, 1);
    mustReload = true;
  }
  mpp.needReload = mpp.needReload || mustReload;
  return { mustReload, refresh };
}

/** The table and status read back into `mpp` (groups replaced); the paths to refresh with I/O. */
function readTableAndStatus(
  ctx: LibmpContext,
  mpp: MpMap,
  pathvec: MpPath[],
  flags: number,
): { r: number; refresh: MpPath[] } {
  const alias = mapName(mpp);
  const m = dmGetMap(ctx, alias);
  if (m.r !== Dmp.OK) {
    ctx.log.log(2, `${alias}: ${m.r === Dmp.ERR ? "error getting table" : "map not present"}`);
    return { r: m.r, refresh: [] };
  }
  mpp.size = m.size;
  const memo = mpp.dmStrings ?? (mpp.dmStrings = new DmStringsMemo());
  const find = (devt: string) => ctx.pathIndex.byDevt(pathvec, devt);
  if (!disassembleMapMemo(memo, pathvec, m.params, mpp, find)) {
    ctx.log.log(2, `${alias}: cannot disassemble map`);
    return { r: Dmp.ERR, refresh: [] };
  }
  const st = dmGetStatus(ctx, alias);
  if (st.r !== Dmp.OK)
    ctx.log.log(2, `${alias}: ${st.r === Dmp.ERR ? "error getting status" : "map not present"}`);
  else if (!disassembleStatusMemo(memo, st.status, mpp))
    ctx.log.log(2, `${alias}: cannot disassemble status`);
  const { refresh } = updatePathvecFromDm(ctx, pathvec, mpp, flags);
  return { r: Dmp.OK, refresh };
}

/** `update_multipath_table` without I/O-bound pathinfo (flags 0 or DI_NOIO). */
export function updateMultipathTableSync(
  ctx: LibmpContext,
  mpp: MpMap,
  pathvec: MpPath[],
  flags = 0,
): number {
  return readTableAndStatus(ctx, mpp, pathvec, flags & DI.NOIO).r;
}

/** `update_multipath_table` (the `multipath -ll` / `-l` flavour: paths refreshed with `flags`). */
export async function updateMultipathTable(
  ctx: LibmpContext,
  mpp: MpMap,
  pathvec: MpPath[],
  flags: number,
): Promise<number> {
  const { r, refresh } = readTableAndStatus(ctx, mpp, pathvec, flags);
  for (const pp of refresh) {
    if ((await pathinfo(ctx, pp, flags)) !== PathinfoResult.OK)
      ctx.log.log(
        2,
        `update_pathvec_from_dm: pathinfo failed for existing path ${pp.dev} (flags=0x${flags.toString(16)})`,
      );
  }
  return r;
}

/** `check_removed_paths`: frees removed/partial paths the kernel map no longer has. */
function checkRemovedPaths(ctx: LibmpContext, mpp: MpMap, pathvec: MpPath[]): void {
  // Called for every path check: skip the walk over every path unless one may be in limbo.
  if (!ctx.limboPaths) return;
  let limbo = false;
  for (let i = 0; i < pathvec.length; i++) {
    const pp = pathvec[i]!;
    if (pp.initialized !== InitState.REMOVED && pp.initialized !== InitState.PARTIAL) continue;
    limbo = true;
    if (pp.mpp === mpp && !mpp.pg.some((pg) => pg.paths.some((p) => p.devT === pp.devT))) {
      ctx.log.log(
        2,
        `check_removed_paths: ${pp.dev}: freeing path in ${pp.initialized === InitState.REMOVED ? "removed" : "partial"} state`,
      );
      pathvec.splice(i--, 1);
      freePath(pp);
    }
  }
  if (!limbo) ctx.limboPaths = false;
}

/** `sync_paths`: paths that left the kernel map are orphaned; `mpp.paths` rebuilt. */
export function syncPaths(ctx: LibmpContext, mpp: MpMap, pathvec: MpPath[]): void {
  for (let i = 0; i < mpp.paths.length; i++) {
    const pp = mpp.paths[i]!;
    if (!mpp.pg.some((pg) => pg.paths.includes(pp))) {
      ctx.log.log(3, `${mapName(mpp)} dropped path ${pp.dev}`);
      mpp.paths.splice(i--, 1);
      orphanPath(ctx, pp, "path removed externally");
    }
  }
  checkRemovedPaths(ctx, mpp, pathvec);
  updateMppPaths(mpp, pathvec, (devt) => ctx.pathIndex.byDevt(pathvec, devt));
  for (const pp of mpp.paths) pp.mpp = mpp;
}

/** `update_multipath_strings`: re-reads the map from the kernel and refreshes group priorities. */
export function updateMultipathStrings(ctx: LibmpContext, mpp: MpMap, pathvec: MpPath[]): number {
  updateMppPaths(mpp, pathvec, (devt) => ctx.pathIndex.byDevt(pathvec, devt));
  if (ctx.log.enabled(4)) ctx.log.log(4, `${mapName(mpp)}: update_multipath_strings`);
  mpp.selector = null;
  mpp.features = "";
  mpp.hwhandler = "";
  mpp.pg = [];
  const r = updateMultipathTableSync(ctx, mpp, pathvec, 0);
  if (r !== Dmp.OK) return r;
  syncPaths(ctx, mpp, pathvec);
  for (const pg of mpp.pg) updatePathGroupPrio(pg);
  return Dmp.OK;
}

/** Runs one queueing transition on the map and executes its effects. */
export function runQueueing(ctx: LibmpContext, mpp: MpMap, event: QueueingEvent): void {
  const alias = mapName(mpp);
  const [s, fx] = queueingTransition(alias, mpp, event);
  mpp.inRecovery = s.inRecovery;
  mpp.retryTick = s.retryTick;
  mpp.statQueueingTimeouts = s.statQueueingTimeouts;
  mpp.statMapFailures = s.statMapFailures;
  mpp.statTotalQueueingTime = s.statTotalQueueingTime;
  for (const e of fx) {
    switch (e.kind) {
      case "queue-if-no-path":
        dmQueueIfNoPath(ctx, alias, e.enable);
        if (ctx.events.active)
          ctx.events.emit({
            kind: "queueing",
            timeNs: ctx.clock.now(),
            map: alias,
            enabled: e.enable,
            reason: e.reason,
          });
        break;
      case "log":
        ctx.log.log(e.level, e.message);
        break;
      case "recovery":
        if (ctx.events.active)
          ctx.events.emit({
            kind: "recovery",
            timeNs: ctx.clock.now(),
            map: alias,
            entered: e.entered,
            retryTick: e.retryTick,
          });
        break;
      default: {
        const never: never = e;
        void never;
      }
    }
  }
}

/** `set_no_path_retry`. */
export function setNoPathRetry(ctx: LibmpContext, mpp: MpMap): void {
  runQueueing(ctx, mpp, {
    kind: "sync",
    features: mpp.features === "" ? null : mpp.features,
    activePaths: countActivePaths(mpp),
    pendingPaths: pathcount(mpp, PathState.PENDING),
    checkint: confCheckint(ctx),
  });
}

/** `update_queue_mode_del_path`. */
export function updateQueueModeDelPath(ctx: LibmpContext, mpp: MpMap): void {
  runQueueing(ctx, mpp, {
    kind: "path-lost",
    activePaths: countActivePaths(mpp),
    checkint: confCheckint(ctx),
  });
}

/** `update_queue_mode_add_path`. */
export function updateQueueModeAddPath(ctx: LibmpContext, mpp: MpMap): void {
  runQueueing(ctx, mpp, { kind: "path-back", activePaths: countActivePaths(mpp) });
}

/** `sync_map_state`: fail/reinstate paths in the kernel so it agrees with the checker. */
export function syncMapState(ctx: LibmpContext, mpp: MpMap): void {
  const alias = mapName(mpp);
  for (const pg of mpp.pg) {
    for (const pp of pg.paths) {
      if (pp.state === PathState.UNCHECKED || pp.state === PathState.WILD || pp.state === PathState.DELAYED)
        continue;
      if (mpp.ghostDelayTick > 0) continue;
      if (
        (pp.dmstate === DmPathState.FAILED || pp.dmstate === DmPathState.UNDEF) &&
        (pp.state === PathState.UP || pp.state === PathState.GHOST)
      )
        dmReinstatePath(ctx, alias, pp.devT);
      else if (
        (pp.dmstate === DmPathState.ACTIVE || pp.dmstate === DmPathState.UNDEF) &&
        (pp.state === PathState.DOWN || pp.state === PathState.SHAKY)
      ) {
        ctx.log.log(2, `sync_map_state: failing ${pp.dev} state ${pp.state} dmstate ${pp.dmstate}`);
        dmFailPath(ctx, alias, pp.devT);
      }
    }
  }
}

/**
 * `adopt_paths`: every path with the map's WWID (and a matching size) gets pathinfo
 * (prio + checker) and joins the map. False on failure.
 */
export async function adoptPaths(ctx: LibmpContext, pathvec: MpPath[], mpp: MpMap | null): Promise<boolean> {
  if (mpp === null) return true;
  updateMppPaths(mpp, pathvec, (devt) => ctx.pathIndex.byDevt(pathvec, devt));
  // The paths of the map's WWID, then each (still of it) in turn: pathinfo may wait, and the
  // vector may change meanwhile.
  const wwid = mpp.wwid;
  const mine = ctx.pathIndex.byWwid(pathvec, wwid);
  for (const pp of mine) {
    if (!wwidEqual(pp.wwid, wwid)) continue;
    if (pp.size !== 0 && mpp.size !== 0 && pp.size !== mpp.size) {
      ctx.log.log(3, `${pp.dev}: size mismatch for ${mapName(mpp)}, not adding path`);
      continue;
    }
    if (pp.initialized === InitState.REMOVED) continue;
    if ((await pathinfo(ctx, pp, DI.PRIO | DI.CHECKER)) !== PathinfoResult.OK) {
      ctx.log.log(3, `adopt_paths: pathinfo failed for ${pp.dev}`);
      continue;
    }
    if (findPathByDevt(mpp.paths, pp.devT) === null) mpp.paths.push(pp);
    pp.mpp = mpp;
    ctx.log.log(3, `${pp.dev}: ownership set to ${mapName(mpp)}`);
  }
  return true;
}

/** `find_existing_alias`: the name of a running map with the same WWID, for `select_alias`. */
function findExistingAlias(mpp: MpMap, mpvec: readonly MpMap[]): void {
  const key = mpp.wwid;
  for (const mp of mpvec)
    if (prefixEqual(mp.wwid, key, WWID_SIZE - 1)) {
      mpp.aliasOld = mapName(mp);
      return;
    }
}

/**
 * `a.slice(0, n) === b.slice(0, n)` without making the slices (find_existing_alias runs over
 * every map for each new one: with thousands of maps the slices were most of its cost).
 */
export function prefixEqual(a: string, b: string, n: number): boolean {
  const la = Math.min(a.length, n);
  const lb = Math.min(b.length, n);
  if (la !== lb) return false;
  if (la === a.length && lb === b.length) return a === b;
  for (let i = 0; i < la; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/**
 * `add_map_with_path`: a new map for the path's WWID — multipaths entry, hwtable entries, alias —
 * adopting every path with that WWID. Appended to `mpvec` when `addVec`. Null on failure.
 */
export async function addMapWithPath(
  ctx: LibmpContext,
  vecs: { pathvec: MpPath[]; mpvec: MpMap[] },
  pp: MpPath,
  addVec: boolean,
): Promise<MpMap | null> {
  if (pp.wwid.length === 0) return null;
  const mpp = allocMultipath();
  mpp.mpe = findMpe(ctx.config, pp.wwid);
  setMppHwe(mpp, pp);
  mpp.wwid = pp.wwid;
  findExistingAlias(mpp, vecs.mpvec);
  const sel = selectAlias(
    { config: ctx.config, hwe: mpp.hwe, mpe: mpp.mpe, alias: mpp.wwid, wwid: mpp.wwid, log: ctx.configLog },
    aliasBindings(ctx, mpp.aliasOld),
  );
  mpp.alias = sel.value;
  mpp.size = pp.size;
  if (!(await adoptPaths(ctx, vecs.pathvec, mpp)) || pp.mpp !== mpp || !mpp.paths.includes(pp)) {
    removeMap(ctx, mpp, vecs.pathvec, vecs.mpvec);
    return null;
  }
  if (addVec) vecs.mpvec.push(mpp);
  return mpp;
}

/**
 * `verify_paths`: paths of the map that left sysfs are taken out of `mpp.paths` and marked
 * removed (they leave the path list once the map no longer has them). Returns how many.
 */
export function verifyPaths(ctx: LibmpContext, mpp: MpMap | null): number {
  if (mpp === null) return 0;
  let count = 0;
  for (let i = 0; i < mpp.paths.length; i++) {
    const pp = mpp.paths[i]!;
    if (!pathInSysfs(ctx, pp)) {
      if (pp.state !== PathState.DOWN)
        ctx.log.log(1, `${mapName(mpp)}: removing valid path ${pp.dev} in state ${pp.state}`);
      else ctx.log.log(2, `${mapName(mpp)}: failed to access path ${pp.dev}`);
      count++;
      mpp.paths.splice(i--, 1);
      setPathRemoved(ctx, pp);
    } else ctx.log.log(4, `${mapName(mpp)}: verified path ${pp.dev} dev_t ${pp.devT}`);
  }
  return count;
}

/** `get_used_hwes`: the hwtable entries in use by any path (for `show config local`). */
export function getUsedHwes(pathvec: readonly MpPath[]): HwEntry[] {
  return usedHwEntries(pathvec.map((pp) => pp.hwe));
}

export { findMpByWwid };
