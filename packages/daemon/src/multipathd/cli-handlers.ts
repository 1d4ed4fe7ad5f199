/**
 * The CLI commands with effects (multipathd/cli_handlers.c, 0.9.4): path and map add/remove,
 * fail/reinstate, group switching, suspend/resume, queueing, reconfigure, shutdown, persistent
 * reservation keys, marginal paths, and the configuration views. The read-only `show` commands
 * are the printers' handlers over {@link createShowSource}.
 */

import type { EffectHandlers, HandlerResult, ShowSource } from "../cli/handlers.js";
import { findMpe } from "../config/config.js";
import { printBlacklistReport, printConfig, printDevices } from "../config/print-config.js";
import { selectNoPathRetry, selectReservationKey } from "../config/propsel.js";
import { noPathRetryCode } from "../config/structs.js";
import { coalescePaths, domap, getRefwwid, setupMap } from "../libmultipath/configure.js";
import {
  DI,
  Domap,
  ForceReload,
  MpathCmd,
  PathinfoResult,
  RemovePath,
  Ynu,
} from "../libmultipath/defaults.js";
import {
  DmTask,
  dmFailPath,
  dmFlushMaps,
  dmGetInfo,
  dmGetMajorMinor,
  dmMapname,
  dmReinstatePath,
  dmSimplecmd,
  dmSwitchgroup,
} from "../libmultipath/devmapper.js";
import {
  getUid,
  pathinfo,
  storePathinfo,
  sysfsGetTimeout,
  udevDeviceByDevt,
} from "../libmultipath/discovery.js";
import { setPathWwid } from "../libmultipath/path-index.js";
import { getPrkey, parsePrkeyFlags, setPrkey } from "../libmultipath/prkey.js";
import { type MpMap, type MpPath, mapName } from "../libmultipath/structs.js";
import { getUsedHwes, setNoPathRetry, syncMapState, updateMppPaths } from "../libmultipath/structs-vec.js";
import { sysfsGetSize } from "../libmultipath/sysfs.js";
import { PathState } from "../structs/path-state.js";
import { InitState, MapAction, NoPathRetry, WWID_SIZE } from "../structs/structs.js";
import {
  cAtoi,
  convertDev,
  countActivePaths,
  findMpByAlias,
  findMpByMinor,
  findMpByStr,
  findPathByDev,
  findPathByDevt,
  scanDmMinor,
} from "../structs/structs-vec.js";
import type { MultipathDaemon } from "./main.js";

const OK: HandlerResult = { ok: true };
const FAIL: HandlerResult = { ok: false };
const r = (rc: number): HandlerResult => (rc === 0 ? OK : FAIL);

/** What the show handlers read of a daemon. */
export function createShowSource(d: MultipathDaemon): ShowSource {
  return {
    paths: () => d.vecs.pathvec,
    maps: () => d.vecs.mpvec,
    refreshMap: (mpp) => d.updateMultipath(mapName(mpp), false) === 0,
    daemonPid: () => d.pid,
    daemonState: () => d.daemonState(),
    ueventBusy: () => d.ueventBusy(),
    get printEnv() {
      return d.ctx.printEnv;
    },
  };
}

/** `find_mp_by_minor` for `dm-N`, else by alias (the handlers that do not use `find_mp_by_str`). */
function findMapMinorOrAlias(d: MultipathDaemon, name: string): MpMap | null {
  const minor = scanDmMinor(name);
  return (
    minor !== null ? findMpByMinor(d.vecs.mpvec, minor) : findMpByAlias(d.vecs.mpvec, name)
  ) as MpMap | null;
}

function findPathArg(d: MultipathDaemon, param: string): MpPath | null {
  const dev = convertDev(param, true);
  return (findPathByDev(d.vecs.pathvec, dev) ?? findPathByDevt(d.vecs.pathvec, dev)) as MpPath | null;
}

/** The effect handlers over a daemon. */
export function createEffectHandlers(d: MultipathDaemon): EffectHandlers {
  const log = (level: 0 | 1 | 2 | 3, msg: string) => d.log.log(level, msg);

  const addPartialPath = async (pp: MpPath): Promise<number> => {
    const ud = udevDeviceByDevt(d.ctx, pp.devT);
    if (ud === null) return 0;
    const wwid = pp.wwid;
    if ((await getUid(d.ctx, pp, pp.state, ud, false)) !== 0) {
      setPathWwid(d.ctx.pathIndex, pp, wwid);
      return 0;
    }
    if (wwid.length > 0 && wwid.slice(0, WWID_SIZE) !== pp.wwid.slice(0, WWID_SIZE)) {
      log(0, `${pp.dev}: path wwid changed from '${wwid}' to '${pp.wwid}'. removing`);
      await d.evRemovePath(pp, true);
      return -1;
    }
    pp.udev = ud;
    return d.finishPathInit(pp);
  };

  const blacklisted = (param: string): HandlerResult => {
    log(2, `${param}: path blacklisted`);
    return { ok: true, output: "blacklisted\n" };
  };

  const restoreQueueing = (mpp: MpMap): void => {
    mpp.disableQueueing = false;
    const s = selectNoPathRetry({
      config: d.config,
      hwe: mpp.hwe,
      mpe: mpp.mpe,
      alias: mapName(mpp),
      wwid: mpp.wwid,
      log: d.ctx.configLog,
    });
    if (s.value !== undefined) mpp.noPathRetry = noPathRetryCode(s.value);
    // Not for "fail": restorequeueing never disabled queueing.
    if (mpp.noPathRetry !== NoPathRetry.UNDEF && mpp.noPathRetry !== NoPathRetry.FAIL)
      setNoPathRetry(d.ctx, mpp);
  };

  const disableQueueing = (mpp: MpMap): void => {
    if (countActivePaths(mpp) === 0) mpp.statMapFailures++;
    mpp.retryTick = 0;
    mpp.noPathRetry = NoPathRetry.FAIL;
    mpp.disableQueueing = true;
    setNoPathRetry(d.ctx, mpp);
  };

  const setMarginal = async (param: string, marginal: boolean): Promise<HandlerResult> => {
    const pp = findPathArg(d, param);
    if (pp === null || pp.mpp === null) return FAIL;
    log(2, `${mapName(pp.mpp)}: ${marginal ? "set" : "unset"} marginal path ${pp.devT} (operator)`);
    if (pp.mpp.waitForUdev) {
      log(2, `${mapName(pp.mpp)}: device not fully created, failing ${marginal ? "set" : "unset"} marginal`);
      return FAIL;
    }
    pp.marginal = marginal;
    return r(await d.reloadAndSyncMap(pp.mpp, false));
  };

  return {
    listConfig: () => {
      log(3, "list config (operator)");
      return { ok: true, output: printConfig(d.config) };
    },
    listConfigLocal: () => {
      log(3, "list config local (operator)");
      return {
        ok: true,
        output: printConfig(d.config, {
          hwtable: getUsedHwes(d.vecs.pathvec),
          maps: d.vecs.mpvec.map((m) => ({ wwid: m.wwid, alias: mapName(m) })),
        }),
      };
    },
    listBlacklist: () => {
      log(3, "list blacklist (operator)");
      return { ok: true, output: printBlacklistReport(d.config) };
    },
    listDevices: () => {
      log(3, "list devices (operator)");
      const devices = d.host.udev.enumerate({ subsystem: "block" }).map((ud) => ({
        syspath: ud.syspath,
        sysname: ud.sysname,
        monitored: findPathByDev(d.vecs.pathvec, ud.sysname) !== null,
        hidden: d.host.sysfs.read(`${ud.syspath}/hidden`)?.trim() === "1",
      }));
      return { ok: true, output: printDevices(d.config, devices) };
    },
    addPath: async (c) => {
      const ctx = d.ctx;
      const param = convertDev(c.path, true);
      log(2, `${param}: add path (operator)`);
      if (d.devnodeBlacklisted(param)) return blacklisted(param);
      let pp = findPathByDev(d.vecs.pathvec, param) as MpPath | null;
      if (pp !== null && pp.initialized !== InitState.REMOVED) {
        log(2, `${param}: path already in pathvec`);
        if (pp.initialized === InitState.PARTIAL) {
          if ((await addPartialPath(pp)) < 0) return FAIL;
        } else if (pp.recheckWwid === Ynu.ON && (await d.checkPathWwidChange(pp))) {
          log(0, `${pp.dev}: wwid changed. Removing device`);
          await d.handlePathWwidChange(pp);
          return FAIL;
        }
        if (pp.mpp !== null) return OK;
      } else if (pp !== null) {
        const prev = pp.mpp;
        if (prev === null)
          log(0, `Bug: ${pp.dev} was in INIT_REMOVED state without being a multipath member`);
        pp.mpp = null;
        pp.initialized = InitState.NEW;
        setPathWwid(d.ctx.pathIndex, pp, "");
        const rc = await pathinfo(ctx, pp, DI.ALL | DI.BLACKLIST);
        if (prev !== null) {
          pp.mpp = prev;
          if (rc === PathinfoResult.OK && prev.wwid.slice(0, WWID_SIZE) === pp.wwid.slice(0, WWID_SIZE)) {
            log(2, `${pp.dev}: path re-added to ${mapName(pp.mpp)}`);
            pp.tick = 1;
            return OK;
          } else if ((await d.evRemovePath(pp, true)) & RemovePath.SUCCESS) pp = null;
          else {
            pp.dmstate = 1;
            dmFailPath(ctx, mapName(pp.mpp!), pp.devT);
            log(1, `${pp.dev}: failed to re-add path still mapped in ${mapName(pp.mpp!)}`);
            return FAIL;
          }
        } else if (rc === PathinfoResult.SKIPPED) return blacklisted(param);
        else if (rc !== PathinfoResult.OK) {
          log(0, `${param}: failed to get pathinfo`);
          return FAIL;
        }
      }
      if (pp === null) {
        const ud = d.host.udev.device("block", param);
        if (ud === null) {
          log(0, `${param}: can't find path`);
          return FAIL;
        }
        const got = await storePathinfo(ctx, d.vecs.pathvec, ud, DI.ALL | DI.BLACKLIST);
        if (got.pp === null) {
          if (got.result === PathinfoResult.SKIPPED) return blacklisted(param);
          log(0, `${param}: failed to store path info`);
          return FAIL;
        }
        pp = got.pp;
      }
      return r(await d.evAddPath(pp, true));
    },
    delPath: async (c) => {
      const param = convertDev(c.path, true);
      log(2, `${param}: remove path (operator)`);
      const pp = findPathByDev(d.vecs.pathvec, param) as MpPath | null;
      if (pp === null) {
        log(0, `${param}: path already removed`);
        return FAIL;
      }
      const ret = await d.evRemovePath(pp, true);
      if (ret === RemovePath.DELAY) return { ok: true, output: "delayed\n" };
      if (ret === RemovePath.MAP_ERROR) return { ok: true, output: "map reload error. removed\n" };
      return ret === RemovePath.FAILURE ? FAIL : OK;
    },
    addMap: async (c) => {
      const ctx = d.ctx;
      const param = convertDev(c.map, false);
      log(2, `${param}: add map (operator)`);
      if (d.wwidBlacklisted(param)) {
        log(2, `${param}: map blacklisted`);
        return { ok: false, output: "blacklisted\n" };
      }
      let alias: string | null = null;
      let devPath = "";
      for (let count = 0; alias === null && count < 2; count++) {
        const mm = dmGetMajorMinor(ctx, param);
        if (mm === null) log(count ? 2 : 3, `${param}: not a device mapper table`);
        else {
          devPath = `dm-${mm.minor}`;
          alias = dmMapname(ctx, mm.major, mm.minor);
        }
        if (alias === null && count === 0) {
          log(3, `${param}: mapname not found for ${mm?.major ?? -1}:${mm?.minor ?? -1}`);
          const ref = await getRefwwid(ctx, MpathCmd.NONE, param, "devmap", d.vecs.pathvec);
          if (ref.wwid !== null) {
            if (
              (await coalescePaths(ctx, d.vecs, d.vecs.mpvec, ref.wwid, ForceReload.NONE, MpathCmd.NONE)) !==
              0
            )
              log(2, `${param}: coalesce_paths failed`);
          }
        }
      }
      if (alias === null) {
        log(2, `${param}: add map failed`);
        return FAIL;
      }
      return r(await d.evAddMap(devPath, alias));
    },
    delMap: async (c) => {
      const ctx = d.ctx;
      const param = convertDev(c.map, false);
      log(2, `${param}: remove map (operator)`);
      const mm = dmGetMajorMinor(ctx, param);
      if (mm === null) {
        log(2, `${param}: not a device mapper table`);
        return FAIL;
      }
      const alias = dmMapname(ctx, mm.major, mm.minor);
      if (alias === null) {
        log(2, `${param}: mapname not found for ${mm.major}:${mm.minor}`);
        return FAIL;
      }
      const rc = await d.evRemoveMap(param, alias, mm.minor);
      if (rc === 2) return { ok: false, output: "delayed" };
      return r(rc);
    },
    delMaps: async () => {
      log(2, "remove maps (operator)");
      let ret = 0;
      for (const mpp of [...d.vecs.mpvec]) if (await d.flushMap(mpp, false)) ret++;
      ret |= await dmFlushMaps(d.ctx, false, 0);
      return r(ret);
    },
    switchGroup: (c) => {
      const mapname = convertDev(c.map, false);
      const group = cAtoi(c.group);
      log(2, `${mapname}: switch to path group #${group} (operator)`);
      const rc = dmSwitchgroup(d.ctx, mapname, group);
      if (rc === 0 && d.events.active)
        d.events.emit({
          kind: "group-switch",
          timeNs: d.clock.now(),
          map: mapname,
          group,
          reason: "operator",
        });
      return r(rc);
    },
    reconfigure: () => {
      log(2, "reconfigure (operator)");
      d.scheduleReconfigure(ForceReload.WEAK);
      return OK;
    },
    reconfigureAll: () => {
      log(2, "reconfigure all (operator)");
      d.scheduleReconfigure(ForceReload.YES);
      return OK;
    },
    suspend: async (c) => {
      const param = convertDev(c.map, false);
      const mpp = findMpByAlias(d.vecs.mpvec, param) as MpMap | null;
      if (mpp === null) return FAIL;
      if (mpp.waitForUdev) {
        log(2, `${mapName(mpp)}: device not fully created, failing suspend`);
        return FAIL;
      }
      const ok = await dmSimplecmd(d.ctx, DmTask.SUSPEND, param, true, true, 0);
      log(2, `${param}: suspend (operator)`);
      if (!ok) return FAIL;
      mpp.dmi = dmGetInfo(d.ctx, param) ?? mpp.dmi;
      return OK;
    },
    resume: async (c) => {
      const param = convertDev(c.map, false);
      const mpp = findMpByAlias(d.vecs.mpvec, param) as MpMap | null;
      if (mpp === null) return FAIL;
      const udevFlags = mpp.skipKpartx ? 0x0200 : 0;
      if (mpp.waitForUdev) {
        log(2, `${mapName(mpp)}: device not fully created, failing resume`);
        return FAIL;
      }
      const ok = await dmSimplecmd(d.ctx, DmTask.RESUME, param, true, true, udevFlags);
      log(2, `${param}: resume (operator)`);
      if (!ok) return FAIL;
      mpp.dmi = dmGetInfo(d.ctx, param) ?? mpp.dmi;
      return OK;
    },
    resize: async (c) => {
      const mapname = convertDev(c.map, false);
      log(2, `${mapname}: resize map (operator)`);
      const mpp = findMapMinorOrAlias(d, mapname);
      if (mpp === null) {
        log(0, `${mapname}: invalid map name. cannot resize`);
        return FAIL;
      }
      if (mpp.waitForUdev) {
        log(2, `${mapName(mpp)}: device not fully created, failing resize`);
        return FAIL;
      }
      const pg = mpp.pg[0];
      if (pg === undefined) {
        log(0, `${mapname}: couldn't get path group. cannot resize`);
        return FAIL;
      }
      const pp = pg.paths[0];
      if (pp === undefined) {
        log(0, `${mapname}: couldn't get path. cannot resize`);
        return FAIL;
      }
      const size = pp.udev === null ? null : sysfsGetSize(d.host, pp.dev);
      if (size === null) {
        log(0, `${mapname}: couldn't get size for sysfs. cannot resize`);
        return FAIL;
      }
      if (size === mpp.size) {
        log(0, `${mapname}: map is still the same size (${mpp.size})`);
        return OK;
      }
      log(3, `${mapname} old size is ${mpp.size}, new size is ${size}`);
      const orig = mpp.size;
      mpp.size = size;
      updateMppPaths(mpp, d.vecs.pathvec, (devt) => d.ctx.pathIndex.byDevt(d.vecs.pathvec, devt));
      const params = await setupMap(d.ctx, mpp, d.vecs);
      if (params === null) {
        log(0, `${mapName(mpp)}: failed to setup map for resize : Invalid argument`);
        mpp.size = orig;
        return FAIL;
      }
      mpp.action = MapAction.RESIZE;
      mpp.forceUdevReload = true;
      if ((await domap(d.ctx, mpp, params, true)) === Domap.FAIL) {
        log(0, `${mapName(mpp)}: failed to resize map : Invalid argument`);
        mpp.size = orig;
        return FAIL;
      }
      if (d.setupMultipath(mpp) !== 0) return FAIL;
      syncMapState(d.ctx, mpp);
      return OK;
    },
    reload: async (c) => {
      const mapname = convertDev(c.map, false);
      log(2, `${mapname}: reload map (operator)`);
      const mpp = findMapMinorOrAlias(d, mapname);
      if (mpp === null) {
        log(0, `${mapname}: invalid map name. cannot reload`);
        return FAIL;
      }
      if (mpp.waitForUdev) {
        log(2, `${mapName(mpp)}: device not fully created, failing reload`);
        return FAIL;
      }
      return r(await d.reloadAndSyncMap(mpp, false));
    },
    reassign: (c) => {
      const param = convertDev(c.map, false);
      const mpp = findMpByAlias(d.vecs.mpvec, param) as MpMap | null;
      if (mpp === null) return FAIL;
      if (mpp.waitForUdev) {
        log(2, `${mapName(mpp)}: device not fully created, failing reassign`);
        return FAIL;
      }
      log(3, `${param}: reset devices (operator)`);
      return OK;
    },
    reinstate: (c) => {
      const pp = findPathArg(d, c.path);
      if (pp === null || pp.mpp === null) return FAIL;
      log(2, `${mapName(pp.mpp)}: reinstate path ${pp.devT} (operator)`);
      pp.checker.disabled = false;
      if (pp.chk) pp.chk.disabled = false;
      return r(dmReinstatePath(d.ctx, mapName(pp.mpp), pp.devT));
    },
    fail: (c) => {
      const pp = findPathArg(d, c.path);
      if (pp === null || pp.mpp === null) return FAIL;
      log(2, `${mapName(pp.mpp)}: fail path ${pp.devT} (operator)`);
      const rc = dmFailPath(d.ctx, mapName(pp.mpp), pp.devT);
      // Checking is suspended so that the checker does not reinstate the path at once.
      if (rc === 0) {
        pp.checker.disabled = true;
        if (pp.chk) pp.chk.disabled = true;
      }
      return r(rc);
    },
    disableQueueing: (c) => {
      const mapname = convertDev(c.map, false);
      log(2, `${mapname}: disable map queueing (operator)`);
      const mpp = findMapMinorOrAlias(d, mapname);
      if (mpp === null) {
        log(0, `${mapname}: invalid map name, cannot disable queueing`);
        return FAIL;
      }
      disableQueueing(mpp);
      return OK;
    },
    restoreQueueing: (c) => {
      const mapname = convertDev(c.map, false);
      log(2, `${mapname}: restore map queueing (operator)`);
      const mpp = findMapMinorOrAlias(d, mapname);
      if (mpp === null) {
        log(0, `${mapname}: invalid map name, cannot restore queueing`);
        return FAIL;
      }
      restoreQueueing(mpp);
      return OK;
    },
    disableAllQueueing: () => {
      log(2, "disable queueing (operator)");
      for (const mpp of d.vecs.mpvec) disableQueueing(mpp);
      return OK;
    },
    restoreAllQueueing: () => {
      log(2, "restore queueing (operator)");
      for (const mpp of d.vecs.mpvec) restoreQueueing(mpp);
      return OK;
    },
    shutdown: () => {
      log(3, "shutdown (operator)");
      d.exitDaemon();
      return OK;
    },
    forceNoDaemonQ: () => {
      log(2, "force queue_without_daemon (operator)");
      if (d.config.queueWithoutDaemon === "no") d.queueWithoutDaemonForced = true;
      return OK;
    },
    restoreNoDaemonQ: () => {
      log(2, "restore queue_without_daemon (operator)");
      d.queueWithoutDaemonForced = false;
      return OK;
    },
    setPrKey: (c) => {
      const mapname = convertDev(c.map, false);
      log(3, `${mapname}: set persistent reservation key (operator)`);
      const mpp = findMpByStr(d.vecs.mpvec, mapname) as MpMap | null;
      if (mpp === null) return FAIL;
      const parsed = parsePrkeyFlags(c.key);
      if (parsed === null) {
        log(0, `${mapname}: invalid prkey : '${c.key}'`);
        return FAIL;
      }
      return r(applyPrkey(d, mpp, parsed.key, parsed.flags));
    },
    unsetPrKey: (c) => {
      const mapname = convertDev(c.map, false);
      log(3, `${mapname}: unset persistent reservation key (operator)`);
      const mpp = findMpByStr(d.vecs.mpvec, mapname) as MpMap | null;
      if (mpp === null) return FAIL;
      return r(applyPrkey(d, mpp, 0n, 0));
    },
    setMarginal: (c) => setMarginal(c.path, true),
    unsetMarginal: (c) => setMarginal(c.path, false),
    unsetAllMarginal: async (c) => {
      const mapname = convertDev(c.map, false);
      log(2, `${mapname}: unset all marginal paths (operator)`);
      const mpp = findMapMinorOrAlias(d, mapname);
      if (mpp === null) {
        log(0, `${mapname}: invalid map name. cannot unset marginal paths`);
        return FAIL;
      }
      if (mpp.waitForUdev) {
        log(2, `${mapName(mpp)}: device not fully created, failing unset all marginal`);
        return FAIL;
      }
      for (const pg of mpp.pg) for (const pp of pg.paths) pp.marginal = false;
      return r(await d.reloadAndSyncMap(mpp, false));
    },
  };
}

/** `set_prkey` followed by `select_reservation_key`: 0 when the map now has `key`. */
function applyPrkey(d: MultipathDaemon, mpp: MpMap, key: bigint, flags: number): number {
  const ctx = d.ctx;
  let ret = setPrkey(ctx, mpp.wwid, key, flags);
  if (ret === 0) {
    const sel = selectReservationKey(
      {
        config: ctx.config,
        hwe: mpp.hwe,
        mpe: findMpe(ctx.config, mpp.wwid),
        alias: mapName(mpp),
        wwid: mpp.wwid,
        log: ctx.configLog,
      },
      () => getPrkey(ctx, mpp.wwid),
    );
    if (sel === undefined) {
      mpp.reservationKey = 0n;
      mpp.prkeySource = 0;
    } else if (sel.value.source === "conf") {
      mpp.reservationKey = sel.value.key;
      mpp.saFlags = sel.value.aptpl ? 1 : 0;
      mpp.prkeySource = 1;
    } else {
      mpp.reservationKey = sel.fileKey?.key ?? 0n;
      mpp.saFlags = sel.fileKey?.aptpl ? 1 : 0;
      mpp.prkeySource = 2;
    }
  }
  if (mpp.reservationKey !== key) ret = 1;
  return ret;
}

export { PathState, sysfsGetTimeout };
