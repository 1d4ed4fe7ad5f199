/**
 * multipathd's checker loop (main.c `checkerloop`, `check_path`, `update_prio`,
 * `need_switch_pathgroup`, the per-second `*_tick` functions; 0.9.4, before the 0.11
 * start/collect split): once a second, every path whose countdown reached zero is checked in
 * turn — sysfs state first, then the checker — and the result drives the path state machine
 * ({@link pathCheckTransition}), priorities, failback and the map ticks (deferred failback,
 * no_path_retry countdown, missing creation uevents, ghost_delay, partial paths).
 */
import { NSEC_PER_SEC } from "@mp/dm-core";
import { marginalCheckEnabled } from "../libmultipath/configure.js";
import { confCheckint, confMaxCheckint } from "../libmultipath/context.js";
import { spendCpu } from "../libmultipath/cpu.js";
import { DI, Dmp, MAPGCINT, PathinfoResult } from "../libmultipath/defaults.js";
import { freePath, getState, pathGetTpgs, pathinfo, pathOffline } from "../libmultipath/discovery.js";
import { type MpMap, type MpPath, mapName } from "../libmultipath/structs.js";
import {
  runQueueing,
  setNoPathRetry,
  syncMapState,
  updateMultipathStrings,
} from "../libmultipath/structs-vec.js";
import { checkerStateName, PathState } from "../structs/path-state.js";
import { CHECKINT_UNDEF, FailbackMode, InitState, PgPolicy } from "../structs/structs.js";
import { countActivePaths, selectPathGroup, updatePathGroupPrios } from "../structs/structs-vec.js";
import type { MultipathDaemon } from "./main.js";
import { pathCheckTransition } from "./path-transition.js";

const TPGS_IMPLICIT = 1;

/** `LOG_MSG(level, pp)`: the checker's message for a path of a map. */
export function logMsg(d: MultipathDaemon, pp: MpPath, level: number): void {
  if (pp.mpp === null || pp.chk === null || level > d.log.verbosity) return;
  if (pp.offline) d.log.log(level as 0, `${mapName(pp.mpp)}: ${pp.dev} - path offline`);
  else {
    const m = pp.chk.message();
    if (m.length > 0) d.log.log(level as 0, `${mapName(pp.mpp)}: ${pp.dev} - ${pp.chk.name} checker${m}`);
  }
}

function monotonicSec(d: MultipathDaemon): number {
  return Math.floor(d.clock.now() / NSEC_PER_SEC);
}

/** `san_path_check_enabled`. */
function sanPathCheckEnabled(mpp: MpMap): boolean {
  return mpp.sanPathErrThreshold > 0 && mpp.sanPathErrForgetRate > 0 && mpp.sanPathErrRecoveryTime > 0;
}

/** `check_path_reinstate_state`: true while a flaky path's reinstatement is delayed (san_path_err). */
function checkPathReinstateState(d: MultipathDaemon, pp: MpPath): boolean {
  const mpp = pp.mpp!;
  if (!sanPathCheckEnabled(mpp)) return false;
  const reinstate = (): boolean => {
    pp.pathFailures = 0;
    pp.disableReinstate = false;
    pp.sanPathErrForgetRate = 0;
    return false;
  };
  if (pp.disableReinstate) {
    if (countActivePaths(mpp) === 0) {
      d.log.log(2, `${pp.dev} : reinstating path early`);
      return reinstate();
    }
    const now = monotonicSec(d);
    if (pp.state !== PathState.UP && pp.state !== PathState.GHOST && pp.state !== PathState.DELAYED) {
      pp.sanPathErrForgetRate = mpp.sanPathErrForgetRate;
      pp.disReinstateTime = now;
    }
    if (now - pp.disReinstateTime > mpp.sanPathErrRecoveryTime) {
      d.log.log(2, `${pp.dev} : reinstate the path after err recovery time`);
      return reinstate();
    }
    return true;
  }
  if ((pp.state === PathState.UP || pp.state === PathState.GHOST) && pp.pathFailures > 0) {
    if (pp.sanPathErrForgetRate > 0) pp.sanPathErrForgetRate--;
    else {
      pp.pathFailures--;
      pp.sanPathErrForgetRate = mpp.sanPathErrForgetRate;
    }
    return false;
  }
  if (pp.state !== PathState.DOWN && pp.state !== PathState.SHAKY && pp.state !== PathState.TIMEOUT)
    return false;
  if (pp.pathFailures === 0) pp.sanPathErrForgetRate = mpp.sanPathErrForgetRate;
  pp.pathFailures++;
  if (pp.pathFailures > mpp.sanPathErrThreshold) {
    d.log.log(2, `${pp.dev} : hit error threshold. Delaying path reinstatement`);
    pp.disReinstateTime = monotonicSec(d);
    pp.disableReinstate = true;
    return true;
  }
  return false;
}

/** `should_skip_path`. */
function shouldSkipPath(d: MultipathDaemon, pp: MpPath): boolean {
  const mpp = pp.mpp!;
  if (marginalCheckEnabled(mpp)) return pp.ioErrDisableReinstate && d.ioErrCheckNeeded(pp);
  if (sanPathCheckEnabled(mpp)) return checkPathReinstateState(d, pp);
  return false;
}

/** `update_prio`: refresh the path's priority (every path of its map when `refreshAll`); true when one changed. */
async function updatePrio(d: MultipathDaemon, pp: MpPath, refreshAll: boolean): Promise<boolean> {
  const ctx = d.ctx;
  const mpp = pp.mpp!;
  if (refreshAll) {
    let changed = false;
    for (const pg of mpp.pg) {
      for (const pp1 of pg.paths) {
        const old = pp1.priority;
        await pathinfo(ctx, pp1, DI.PRIO);
        if (pp1.priority !== old) changed = true;
      }
    }
    return changed;
  }
  const old = pp.priority;
  if (pp.state !== PathState.DOWN) await pathinfo(ctx, pp, DI.PRIO);
  return pp.priority !== old;
}

/** `need_switch_pathgroup`: the best group differs from the kernel's (never with failback manual). */
export async function needSwitchPathgroup(
  d: MultipathDaemon,
  mpp: MpMap,
  refresh: boolean,
): Promise<boolean> {
  if (refresh) for (const pg of mpp.pg) for (const pp of pg.paths) await pathinfo(d.ctx, pp, DI.PRIO);
  if (mpp.pg.length === 0 || mpp.paths.length === 0) return false;
  // select_path_group refreshes every group's priority as it goes.
  updatePathGroupPrios(mpp);
  const bestpg = selectPathGroup(mpp);
  if (mpp.pgfailback === -FailbackMode.MANUAL) return false;
  mpp.bestpg = bestpg;
  return mpp.bestpg !== mpp.nextpg;
}

/** `followover_should_failback`: the path is the first of the best group to come back. */
function followoverShouldFailback(pp: MpPath): boolean {
  const mpp = pp.mpp!;
  if (
    mpp.pgfailback !== -FailbackMode.FOLLOWOVER ||
    mpp.pg.length === 0 ||
    !pp.pgindex ||
    pp.pgindex !== mpp.bestpg
  )
    return false;
  const pg = mpp.pg[pp.pgindex - 1]!;
  for (const pp1 of pg.paths) {
    if (pp1 === pp) continue;
    if (pp1.chkrstate !== PathState.DOWN && pp1.chkrstate !== PathState.SHAKY) return false;
  }
  return true;
}

/**
 * `check_path`: 1 when the path was checked, 0 when not (not due yet, pending, orphan), -1 when
 * it turned out blacklisted (the caller drops it).
 */
export async function checkPath(d: MultipathDaemon, pp: MpPath, ticks: number): Promise<number> {
  if (!checkPathDue(pp, ticks)) return 0;
  return checkDuePath(d, pp);
}

/**
 * The start of `check_path`: skips paths that are not checked and counts the path's ticks down;
 * true when the check is due. Synchronous, so that the checker loop pays for an `await` only
 * for the paths it checks (most paths wait out their interval on most ticks).
 */
function checkPathDue(pp: MpPath, ticks: number): boolean {
  if (
    ((pp.initialized === InitState.OK ||
      pp.initialized === InitState.PARTIAL ||
      pp.initialized === InitState.REQUESTED_UDEV) &&
      pp.mpp === null) ||
    pp.initialized === InitState.REMOVED
  )
    return false;
  if (pp.tick) pp.tick -= Math.min(ticks, pp.tick);
  return !pp.tick;
}

/** The rest of `check_path`, for a path whose check is due. */
async function checkDuePath(d: MultipathDaemon, pp: MpPath): Promise<number> {
  const ctx = d.ctx;
  const conf = ctx.config;
  const checkint = confCheckint(ctx);
  const maxCheckint = confMaxCheckint(ctx);
  const marginalPathgroups = conf.marginalPathgroups === "on";
  if (pp.checkint === CHECKINT_UNDEF) {
    d.log.log(0, `${pp.dev}: BUG: checkint is not set`);
    pp.checkint = checkint;
  }
  if (pp.mpp === null && pp.initialized === InitState.MISSING_UDEV) {
    if (pp.retriggers < conf.retriggerTries) {
      d.log.log(2, `${pp.dev}: triggering change event to reinitialize`);
      pp.initialized = InitState.REQUESTED_UDEV;
      pp.retriggers++;
      if (pp.udev === null || d.host.sysfs.write(`${pp.udev.syspath}/uevent`, "change") !== 0)
        d.log.log(1, `${pp.dev}: failed to trigger change event`);
      return 0;
    }
    d.log.log(1, `${pp.dev}: not initialized after ${conf.retriggerTries} udev retriggers`);
    pp.initialized = InitState.FAILED;
    return 0;
  }
  // Provision the next check, in case of an early return.
  pp.tick = checkint;
  let newstate = pathOffline(ctx, pp);
  if (newstate === PathState.UP) newstate = await getState(ctx, pp, true, newstate);
  else {
    pp.chk?.clearMessage();
    d.log.log(3, `${pp.dev}: state ${checkerStateName(newstate)}, checker not called`);
  }
  if (pp.chk !== null && d.events.active)
    d.events.emit({
      kind: "checker-result",
      timeNs: d.clock.now(),
      dev: pp.dev,
      checker: pp.chk.name,
      state: checkerStateName(newstate),
      message: pp.chk.message(),
    });
  // Wait for the remove uevent: some drivers keep gone paths without telling.
  if (newstate === PathState.REMOVED) newstate = PathState.DOWN;
  if (newstate === PathState.WILD || newstate === PathState.UNCHECKED) {
    d.log.log(2, `${pp.dev}: unusable path (${checkerStateName(newstate)}) - checker failed`);
    logMsg(d, pp, 2);
    await pathinfo(ctx, pp, 0);
    return 1;
  }
  if (
    newstate !== PathState.UP &&
    newstate !== PathState.GHOST &&
    newstate !== PathState.PENDING &&
    pp.state === PathState.DELAYED
  ) {
    pp.state = newstate;
    pp.checkint = checkint;
    return 1;
  }
  if (pp.mpp === null) {
    if (
      pp.wwid.length === 0 &&
      (pp.initialized === InitState.FAILED || pp.initialized === InitState.NEW) &&
      (newstate === PathState.UP || newstate === PathState.GHOST)
    ) {
      d.log.log(2, `${pp.dev}: add missing path`);
      const ret = await pathinfo(ctx, pp, DI.ALL | DI.BLACKLIST);
      if ((pp.initialized as number) === InitState.OK) {
        await d.evAddPath(pp, true);
        pp.tick = 1;
      } else {
        if (ret === PathinfoResult.SKIPPED) return -1;
        pp.checkint = maxCheckint;
      }
    }
    return 0;
  }
  if (newstate === PathState.PENDING) {
    pp.tick = 1;
    return 0;
  }
  const mpp = pp.mpp;
  const r = updateMultipathStrings(ctx, mpp, d.vecs.pathvec);
  if (r !== Dmp.OK) {
    if (r === Dmp.NOT_FOUND) {
      d.log.log(1, `${pp.dev}: multipath device '${mapName(mpp)}' not found`);
      return 0;
    }
    d.log.log(1, `${pp.dev}: Couldn't synchronize with kernel state`);
    pp.dmstate = 0;
  }
  if (pp.mpp === null) return 0;
  setNoPathRetry(ctx, pp.mpp);
  if (
    pp.recheckWwid === 2 &&
    (newstate === PathState.UP || newstate === PathState.GHOST) &&
    ((pp.state !== PathState.UP && pp.state !== PathState.GHOST) || pp.dmstate === 1) &&
    (await d.checkPathWwidChange(pp))
  ) {
    d.log.log(0, `${pp.dev}: path wwid change detected. Removing`);
    await d.handlePathWwidChange(pp);
    return 0;
  }
  let marginalChanged = false;
  if (
    (newstate === PathState.UP || newstate === PathState.GHOST) &&
    (sanPathCheckEnabled(pp.mpp) || marginalCheckEnabled(pp.mpp))
  ) {
    if (shouldSkipPath(d, pp)) {
      if (!pp.marginal && pp.state !== PathState.DELAYED) d.log.log(2, `${pp.dev}: path is now marginal`);
      if (!marginalPathgroups) {
        if (marginalCheckEnabled(pp.mpp)) pp.tick = 1;
        pp.state = PathState.DELAYED;
        return 1;
      }
      if (!pp.marginal) {
        pp.marginal = true;
        marginalChanged = true;
      }
    } else {
      if (pp.marginal || pp.state === PathState.DELAYED)
        d.log.log(2, `${pp.dev}: path is no longer marginal`);
      if (marginalPathgroups && pp.marginal) {
        pp.marginal = false;
        marginalChanged = true;
      }
    }
  }
  const disableReinstate =
    newstate === PathState.GHOST &&
    countActivePaths(pp.mpp) === 0 &&
    (await pathGetTpgs(ctx, pp)) === TPGS_IMPLICIT;
  const oldstate = pp.state;
  const [out, fx] = pathCheckTransition(
    {
      newstate,
      state: pp.state,
      chkrstate: pp.chkrstate,
      dmstate: pp.dmstate,
      checkint: pp.checkint,
      tick: pp.tick,
      pollingInterval: checkint,
      maxPollingInterval: maxCheckint,
      disableReinstate,
      logCheckerErrOnce: conf.logCheckerErr === "once",
      prflag: pp.mpp.prflag,
    },
    pp.devT,
  );
  pp.chkrstate = out.chkrstate;
  pp.state = out.state;
  pp.checkint = out.checkint;
  pp.tick = out.tick;
  if (oldstate !== out.state) d.emitPathState(pp, oldstate, out.state);
  for (const e of fx) {
    switch (e.kind) {
      case "log-msg":
        logMsg(d, pp, e.level);
        break;
      case "fail-path":
        d.failPath(pp, e.delActive);
        break;
      case "path-failure":
        if (pp.mpp) {
          pp.mpp.failbackTick = 0;
          pp.mpp.statPathFailures++;
        }
        break;
      case "reinstate-path":
        d.reinstatePath(pp);
        break;
      case "enable-group":
        d.enableGroup(pp);
        break;
      case "pr-check":
        d.log.log(2, `${pp.dev}: checking persistent reservation registration`);
        break;
      case "log":
        d.log.log(e.level, e.message);
        break;
      default: {
        const never: never = e;
        void never;
      }
    }
  }
  if (out.stop) return 1;
  const m = pp.mpp;
  if (m === null || m.waitForUdev) return 1;
  d.log.log(4, "path prio refresh");
  if (marginalChanged) await d.reloadAndSyncMap(m, true);
  else if (
    (await updatePrio(d, pp, out.newPathUp)) &&
    m.pgpolicy === PgPolicy.GROUP_BY_PRIO &&
    m.pgfailback === -FailbackMode.IMMEDIATE
  ) {
    d.log.log(2, `${mapName(m)}: path priorities changed. reloading`);
    await d.reloadAndSyncMap(m, !out.newPathUp);
  } else if (await needSwitchPathgroup(d, m, false)) {
    if (m.pgfailback > 0 && (out.newPathUp || m.failbackTick <= 0)) m.failbackTick = m.pgfailback + 1;
    else if (m.pgfailback === -FailbackMode.IMMEDIATE || (out.chkrNewPathUp && followoverShouldFailback(pp)))
      d.switchPathgroup(m);
  }
  return 1;
}

/** `deferred_failback_tick`. */
async function deferredFailbackTick(d: MultipathDaemon): Promise<void> {
  for (const mpp of [...d.vecs.mpvec]) {
    if (mpp.pgfailback > 0 && mpp.failbackTick > 0) {
      mpp.failbackTick--;
      if (!mpp.failbackTick && (await needSwitchPathgroup(d, mpp, true))) d.switchPathgroup(mpp);
    }
  }
}

/** `retry_count_tick`. */
function retryCountTick(d: MultipathDaemon): void {
  for (const mpp of d.vecs.mpvec) if (mpp.retryTick > 0) runQueueing(d.ctx, mpp, { kind: "tick" });
}

/** `missing_uev_wait_tick`: maps whose creation uevent never came stop waiting for it. */
async function missingUevWaitTick(d: MultipathDaemon): Promise<void> {
  let timedOut = false;
  for (const mpp of [...d.vecs.mpvec]) {
    if (mpp.waitForUdev && --mpp.uevWaitTick <= 0) {
      timedOut = true;
      d.log.log(0, `${mapName(mpp)}: timeout waiting on creation uevent. enabling reloads`);
      if (mpp.waitForUdev > 1 && (await d.updateMap(mpp, false))) continue;
      mpp.waitForUdev = 0;
    }
  }
  if (timedOut && !d.needToDelayReconfig()) d.unblockReconfigure();
}

/** `ghost_delay_tick`. */
async function ghostDelayTick(d: MultipathDaemon): Promise<void> {
  for (const mpp of [...d.vecs.mpvec]) {
    if (mpp.ghostDelayTick <= 0) continue;
    if (--mpp.ghostDelayTick <= 0) {
      d.log.log(0, `${mapName(mpp)}: timed out waiting for active path`);
      mpp.forceUdevReload = true;
      await d.updateMap(mpp, false);
    }
  }
}

/** `partial_retrigger_tick`: partial paths get another uevent. */
function partialRetriggerTick(d: MultipathDaemon): void {
  for (const pp of d.vecs.pathvec) {
    if (
      pp.initialized === InitState.PARTIAL &&
      pp.udev !== null &&
      pp.partialRetriggerDelay > 0 &&
      --pp.partialRetriggerDelay === 0
    ) {
      if (d.host.sysfs.write(`${pp.udev.syspath}/uevent`, "change") !== 0)
        d.log.log(2, `${pp.dev}: failed to trigger change event`);
    }
  }
}

/** The checker loop: runs until the daemon shuts down. */
export async function checkerloop(d: MultipathDaemon): Promise<void> {
  let lastTime = d.clock.now() - NSEC_PER_SEC;
  let count = 0;
  for (;;) {
    if ((await d.enterRunning()) !== "running") break;
    const start = d.clock.now();
    const ticks = Math.floor((start - lastTime) / NSEC_PER_SEC);
    d.log.log(4, `tick (${((start - lastTime) / NSEC_PER_SEC).toFixed(6)} secs)`);
    lastTime = start;
    let numPaths = 0;
    let finished = false;
    let first = true;
    let i = 0;
    while (!finished) {
      const got = d.lock.acquire();
      const release = typeof got === "function" ? got : await got;
      try {
        const chkStart = d.clock.now();
        const pathvec = d.vecs.pathvec;
        if (first) {
          for (const pp of pathvec) pp.isChecked = false;
          i = 0;
          first = false;
        } else {
          // Paths may have gone while the lock was dropped; resume after the last checked one.
          if (i >= pathvec.length) i = pathvec.length - 1;
          while (i >= 0 && !pathvec[i]!.isChecked) i--;
          i++;
        }
        let checked = 0;
        let spent = 0;
        let yielded = false;
        for (; i < d.vecs.pathvec.length; i++) {
          const pp = d.vecs.pathvec[i]!;
          pp.isChecked = true;
          const rc = checkPathDue(pp, ticks) ? await checkDuePath(d, pp) : 0;
          if (rc < 0) {
            d.log.log(1, `${pp.dev}: check_path() failed, removing`);
            const at = d.vecs.pathvec.indexOf(pp);
            if (at >= 0) d.vecs.pathvec.splice(at, 1);
            freePath(pp);
            i--;
          } else {
            numPaths += rc;
            spent += rc;
          }
          if (++checked % 128 === 0 && d.lock.hasWaiters && d.clock.now() - chkStart >= NSEC_PER_SEC) {
            yielded = true;
            break;
          }
        }
        if (!yielded) finished = true;
        await spendCpu(d.clock, spent * d.ctx.cpu.checkPath);
      } finally {
        release();
      }
      if (!finished) await d.sleep(10_000);
    }
    await d.lock.run(async () => {
      await deferredFailbackTick(d);
      retryCountTick(d);
      await missingUevWaitTick(d);
      await ghostDelayTick(d);
      partialRetriggerTick(d);
    });
    if (count) count--;
    else {
      await d.lock.run(() => {
        d.log.log(4, "map garbage collection");
        d.mpvecGarbageCollector();
      });
      count = MAPGCINT;
    }
    const took = d.clock.now() - start;
    if (numPaths) {
      d.log.log(
        4,
        `checked ${numPaths} path${numPaths > 1 ? "s" : ""} in ${(took / NSEC_PER_SEC).toFixed(6)} secs`,
      );
      const secs = Math.floor(took / NSEC_PER_SEC);
      if (secs > confMaxCheckint(d.ctx))
        d.log.log(
          1,
          `path checkers took longer than ${secs} seconds, consider increasing max_polling_interval`,
        );
    }
    if (d.daemonState() === "shutdown") break;
    d.postConfigState("idle");
    if (!d.ctx.config.strictTiming) await d.sleep(NSEC_PER_SEC);
    else {
      const rest = NSEC_PER_SEC - (took % NSEC_PER_SEC);
      d.log.log(3, `waiting for ${(rest / NSEC_PER_SEC).toFixed(6)} secs`);
      await d.sleep(rest);
    }
    if (d.daemonState() === "shutdown") break;
  }
}

export { syncMapState };
