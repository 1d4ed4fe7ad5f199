/**
 * The multipath target's state machine (dm-mpath.c, Linux 6.1, target 1.14.0) as a pure function
 * `transition(state, event, topology) → [state, effects]`. Everything that changes the target's
 * state — path failure and reinstatement, priority-group switches and bypass, the queueing flags,
 * suspend/resume and pg_init progress — is an event here; the runner in `multipath.ts` executes
 * the effects (kernel log lines, uevents, dm table events, timers, hardware-handler activation)
 * and feeds results back as events. Selectors keep their own state and are driven by effects.
 */
import { ScsiDhResult } from "../handlers/handler.js";

/** `MPATHF_*` flag bits (`m->flags`). */
export const MpathFlag = {
  /** Must we queue all I/O? Set at construction and on a switch to a group that needs pg_init. */
  QUEUE_IO: 1 << 0,
  /** Queue I/O if the last path fails (`queue_if_no_path`). */
  QUEUE_IF_NO_PATH: 1 << 1,
  /** QUEUE_IF_NO_PATH saved across a suspend. */
  SAVED_QUEUE_IF_NO_PATH: 1 << 2,
  /** Keep a device's already attached hardware handler. */
  RETAIN_ATTACHED_HW_HANDLER: 1 << 3,
  /** No new pg_init round may start (a suspend waits for the running one). */
  PG_INIT_DISABLED: 1 << 4,
  /** pg_init must run before I/O goes to the current group. */
  PG_INIT_REQUIRED: 1 << 5,
  /** Delay the next pg_init round (`pg_init_delay_msecs`). */
  PG_INIT_DELAY_RETRY: 1 << 6,
} as const;

/** `DM_PG_INIT_DELAY_DEFAULT`: no `pg_init_delay_msecs` feature given. */
export const PG_INIT_DELAY_DEFAULT = 0xffff_ffff;
/** `DM_PG_INIT_DELAY_MSECS`: the retry delay used when none was given. */
export const PG_INIT_DELAY_MSECS = 2000;
/** The reference kernel's `HZ` (Debian 12 amd64: CONFIG_HZ_250): delayed work runs on jiffy ticks. */
export const HZ = 250;
const NS_PER_JIFFY = 1_000_000_000 / HZ;

/** `msecs_to_jiffies(ms)` as a delay in ns (rounded up to whole jiffies). */
export function msecsToJiffiesNs(ms: number): number {
  return Math.ceil((ms * HZ) / 1000) * NS_PER_JIFFY;
}

/** The fixed shape of a constructed table, which transitions read but never change. */
export interface MpathTopology {
  /** `dm_table_device_name()`: the mapped device's `major:minor`, the prefix of the target's log lines. */
  readonly dmName: string;
  readonly queueMode: "bio" | "request";
  /** `m->hw_handler_name` after construction (possibly replaced by an attached handler's name). */
  readonly hwHandlerName: string | null;
  readonly pgInitRetries: number;
  /** {@link PG_INIT_DELAY_DEFAULT} when not given. */
  readonly pgInitDelayMsecs: number;
  /** Path indices of each priority group, in table order. */
  readonly groups: ReadonlyArray<readonly number[]>;
  /** Group index of each path. */
  readonly pathGroup: readonly number[];
  /** `major:minor` of each path's device. */
  readonly pathNames: readonly string[];
}

/** One path's state (`struct pgpath`). */
export interface PathState {
  readonly active: boolean;
  /** Cumulative failures, never reset. */
  readonly failCount: number;
  /** Its `activate_path` delayed work is queued. */
  readonly activatePending: boolean;
}

/** The target's state (`struct multipath`). Group and path references are indices; -1 is NULL. */
export interface MpathState {
  /** OR of {@link MpathFlag}. */
  readonly flags: number;
  readonly currentPg: number;
  readonly currentPgpath: number;
  readonly nextPg: number;
  readonly nrValidPaths: number;
  readonly pgInitInProgress: number;
  /** pg_init rounds since the last group switch. */
  readonly pgInitCount: number;
  /** `pg->bypassed` per group. */
  readonly bypassed: readonly boolean[];
  readonly paths: readonly PathState[];
  /** A suspend is waiting for pg_init to drain (it set PG_INIT_DISABLED and clears it when woken). */
  readonly pgInitWaiter: boolean;
}

/** What happens to the target. */
export type MpathEvent =
  /** `fail_path` (message, path I/O error, pg_init failure). */
  | { readonly type: "fail-path"; readonly path: number }
  /** `reinstate_path`, first half: the selector is asked next ({@link MpathEffect} `selector-reinstate`). */
  | { readonly type: "reinstate-path"; readonly path: number }
  /** `reinstate_path`, second half: the selector's answer (0, or an errno that keeps the path failed). */
  | { readonly type: "selector-reinstated"; readonly path: number; readonly result: number }
  /** `bypass_pg` (disable_group / enable_group, or SCSI_DH_DEV_TEMP_BUSY). */
  | { readonly type: "bypass-pg"; readonly pg: number; readonly bypassed: boolean }
  /** `switch_pg_num` (switch_group). */
  | { readonly type: "switch-pg-num"; readonly pg: number }
  /** The `queue_if_no_path` message. */
  | { readonly type: "message-queue-if-no-path" }
  /** The `fail_if_no_path` message. */
  | { readonly type: "message-fail-if-no-path" }
  /** The no-path timer fired. */
  | { readonly type: "nopath-timeout" }
  | { readonly type: "presuspend"; readonly noflush: boolean }
  | { readonly type: "postsuspend" }
  | { readonly type: "resume" }
  /** choose_pgpath found no valid path at all. */
  | { readonly type: "no-valid-paths" }
  /** choose_pgpath consumed `next_pg`. */
  | { readonly type: "take-next-pg" }
  /** choose_path_in_pg picked `path` in a group that is not the current one (`__switch_pg`). */
  | { readonly type: "switch-pg"; readonly pg: number; readonly path: number }
  /** choose_pgpath found a path only in a bypassed group. */
  | { readonly type: "pg-init-delay-retry" }
  /** choose_pgpath found nothing. */
  | { readonly type: "choose-failed" }
  /** `pg_init_all_paths`. */
  | { readonly type: "pg-init-all" }
  /** A path's `activate_path` work runs; `dying` is `blk_queue_dying()` of its queue. */
  | { readonly type: "activate-work"; readonly path: number; readonly dying: boolean }
  /** clone_and_map found the path's queue dying: activate (or offline) it at once. */
  | { readonly type: "activate-now"; readonly path: number; readonly dying: boolean }
  /** `pg_init_done(path, errors)` with a {@link ScsiDhResult}. */
  | { readonly type: "pg-init-done"; readonly path: number; readonly result: number };

/** What the runner must do. */
export type MpathEffect =
  | { readonly kind: "log"; readonly level: "err" | "warn" | "info"; readonly text: string }
  | { readonly kind: "selector-fail"; readonly path: number }
  /** Ask the selector to reinstate; the runner answers with a `selector-reinstated` event. */
  | { readonly kind: "selector-reinstate"; readonly path: number }
  /** `dm_path_uevent`: queued, sent by the next table event. */
  | {
      readonly kind: "uevent";
      readonly action: "PATH_FAILED" | "PATH_REINSTATED";
      readonly path: number;
      readonly nrValidPaths: number;
    }
  /** `schedule_work(&m->trigger_event)` → `dm_table_event()`. */
  | { readonly kind: "trigger-event" }
  /** `enable_nopath_timeout` (armed only if the module parameter is > 0) / `disable_nopath_timeout`. */
  | { readonly kind: "nopath-timer"; readonly arm: boolean }
  /** Queue the path's `activate_path` work after `delayNs`. */
  | { readonly kind: "queue-activate"; readonly path: number; readonly delayNs: number }
  /** `scsi_dh_activate(q, pg_init_done, path)`: the result comes back as `pg-init-done`. */
  | { readonly kind: "scsi-dh-activate"; readonly path: number }
  /** `dm_table_run_md_queue_async` (request-based only). */
  | { readonly kind: "run-md-queue" }
  /** `process_queued_io_list`: kick the requeue list (rq) or the queued-bios worker (bio). */
  | { readonly kind: "process-queued-io" };

/** The state right after construction. */
export function initialState(
  topo: MpathTopology,
  opts: {
    readonly queueIfNoPath: boolean;
    readonly retainAttachedHwHandler: boolean;
    readonly nextPg: number;
  },
): MpathState {
  let flags = MpathFlag.QUEUE_IO;
  if (opts.queueIfNoPath) flags |= MpathFlag.QUEUE_IF_NO_PATH;
  // bio-based multipath only discovers attached handlers, it never manages them.
  if (opts.retainAttachedHwHandler || topo.queueMode === "bio") flags |= MpathFlag.RETAIN_ATTACHED_HW_HANDLER;
  return {
    flags,
    currentPg: -1,
    currentPgpath: -1,
    nextPg: opts.nextPg,
    nrValidPaths: topo.pathNames.length,
    pgInitInProgress: 0,
    pgInitCount: 0,
    bypassed: topo.groups.map(() => false),
    paths: topo.pathNames.map(() => ({ active: true, failCount: 0, activatePending: false })),
    pgInitWaiter: false,
  };
}

const NO_EFFECTS: readonly MpathEffect[] = Object.freeze([]);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A transition in progress: a draft of the new state (arrays copied on first write) and the effects. */
class Tx {
  readonly d: Mutable<MpathState>;
  readonly fx: MpathEffect[] = [];
  #pathsCopied = false;
  #bypassedCopied = false;

  constructor(
    readonly s: MpathState,
    readonly topo: MpathTopology,
  ) {
    this.d = { ...s };
  }

  has(flag: number): boolean {
    return (this.d.flags & flag) !== 0;
  }

  set(flag: number, on = true): void {
    this.d.flags = on ? this.d.flags | flag : this.d.flags & ~flag;
  }

  path(i: number): PathState {
    return this.d.paths[i]!;
  }

  setPath(i: number, patch: Partial<PathState>): void {
    if (!this.#pathsCopied) {
      this.d.paths = this.d.paths.slice();
      this.#pathsCopied = true;
    }
    (this.d.paths as PathState[])[i] = { ...this.d.paths[i]!, ...patch };
  }

  setBypassed(pg: number, b: boolean): void {
    if (this.d.bypassed[pg] === b) return;
    if (!this.#bypassedCopied) {
      this.d.bypassed = this.d.bypassed.slice();
      this.#bypassedCopied = true;
    }
    (this.d.bypassed as boolean[])[pg] = b;
  }

  log(level: "err" | "warn" | "info", text: string): void {
    this.fx.push({ kind: "log", level, text: `device-mapper: multipath: ${text}` });
  }
}

/** Applies one event. Returns the new state (the same object when nothing changed) and the effects in order. */
export function transition(
  state: MpathState,
  event: MpathEvent,
  topo: MpathTopology,
): [MpathState, readonly MpathEffect[]] {
  const t = new Tx(state, topo);
  switch (event.type) {
    case "fail-path":
      failPath(t, event.path);
      break;
    case "reinstate-path":
      if (!t.path(event.path).active) {
        t.log("warn", `${topo.dmName}: Reinstating path ${topo.pathNames[event.path]}.`);
        t.fx.push({ kind: "selector-reinstate", path: event.path });
      } else {
        // The kernel cancels the no-path timer whenever the path ends up active.
        t.fx.push({ kind: "nopath-timer", arm: false });
      }
      break;
    case "selector-reinstated":
      selectorReinstated(t, event.path, event.result);
      break;
    case "bypass-pg":
      bypassPg(t, event.pg, event.bypassed);
      break;
    case "switch-pg-num":
      for (let g = 0; g < topo.groups.length; g++) t.setBypassed(g, false);
      t.d.currentPgpath = -1;
      t.d.currentPg = -1;
      t.d.nextPg = event.pg;
      t.fx.push({ kind: "trigger-event" });
      break;
    case "message-queue-if-no-path":
      queueIfNoPath(t, true, false);
      enableNopathTimeout(t);
      break;
    case "message-fail-if-no-path":
      queueIfNoPath(t, false, false);
      t.fx.push({ kind: "nopath-timer", arm: false });
      break;
    case "nopath-timeout":
      t.log("warn", `queue_if_no_path timeout on ${topo.dmName}, failing queued IO`);
      queueIfNoPath(t, false, false);
      break;
    case "presuspend":
      // A flushing suspend must not wait for I/O that would queue forever; bio mode always errors it.
      if (topo.queueMode === "bio" || !event.noflush) queueIfNoPath(t, false, true);
      break;
    case "postsuspend":
      if (topo.hwHandlerName !== null && t.d.pgInitInProgress > 0 && !t.has(MpathFlag.PG_INIT_DISABLED)) {
        t.set(MpathFlag.PG_INIT_DISABLED);
        t.d.pgInitWaiter = true;
      }
      break;
    case "resume":
      if (t.has(MpathFlag.SAVED_QUEUE_IF_NO_PATH)) {
        t.set(MpathFlag.QUEUE_IF_NO_PATH);
        t.set(MpathFlag.SAVED_QUEUE_IF_NO_PATH, false);
      }
      break;
    case "no-valid-paths":
      t.set(MpathFlag.QUEUE_IO, false);
      t.d.currentPgpath = -1;
      t.d.currentPg = -1;
      break;
    case "take-next-pg":
      t.d.nextPg = -1;
      break;
    case "switch-pg":
      t.d.currentPgpath = event.path;
      switchPg(t, event.pg);
      break;
    case "pg-init-delay-retry":
      t.set(MpathFlag.PG_INIT_DELAY_RETRY);
      break;
    case "choose-failed":
      t.d.currentPgpath = -1;
      t.d.currentPg = -1;
      break;
    case "pg-init-all":
      pgInitAllPaths(t);
      break;
    case "activate-work":
      t.setPath(event.path, { activatePending: false });
      activateOrOffline(t, event.path, event.dying);
      break;
    case "activate-now":
      t.d.pgInitInProgress++;
      activateOrOffline(t, event.path, event.dying);
      break;
    case "pg-init-done":
      pgInitDone(t, event.path, event.result);
      break;
    default:
      return assertNever(event);
  }
  if (t.fx.length === 0 && sameState(state, t.d)) return [state, NO_EFFECTS];
  return [t.d, t.fx];
}

function sameState(a: MpathState, b: MpathState): boolean {
  return (
    a.flags === b.flags &&
    a.currentPg === b.currentPg &&
    a.currentPgpath === b.currentPgpath &&
    a.nextPg === b.nextPg &&
    a.nrValidPaths === b.nrValidPaths &&
    a.pgInitInProgress === b.pgInitInProgress &&
    a.pgInitCount === b.pgInitCount &&
    a.bypassed === b.bypassed &&
    a.paths === b.paths &&
    a.pgInitWaiter === b.pgInitWaiter
  );
}

function assertNever(x: never): never {
  throw new Error(`unhandled multipath event ${JSON.stringify(x)}`);
}

/** `fail_path`: a no-op on a path that is already failed. */
function failPath(t: Tx, p: number): void {
  const ps = t.path(p);
  if (!ps.active) return;
  t.log("warn", `${t.topo.dmName}: Failing path ${t.topo.pathNames[p]}.`);
  t.fx.push({ kind: "selector-fail", path: p });
  t.setPath(p, { active: false, failCount: ps.failCount + 1 });
  t.d.nrValidPaths--;
  if (t.d.currentPgpath === p) t.d.currentPgpath = -1;
  t.fx.push({ kind: "uevent", action: "PATH_FAILED", path: p, nrValidPaths: t.d.nrValidPaths });
  t.fx.push({ kind: "trigger-event" });
  enableNopathTimeout(t);
}

/** `reinstate_path` after the selector answered. */
function selectorReinstated(t: Tx, p: number, result: number): void {
  if (result !== 0 || t.path(p).active) return;
  t.setPath(p, { active: true });
  t.d.nrValidPaths++;
  let runQueue = false;
  if (t.d.nrValidPaths === 1) {
    t.d.currentPgpath = -1;
    runQueue = true;
  } else if (t.topo.hwHandlerName !== null && t.d.currentPg === t.topo.pathGroup[p]) {
    queueActivate(t, p, 0);
  }
  t.fx.push({ kind: "uevent", action: "PATH_REINSTATED", path: p, nrValidPaths: t.d.nrValidPaths });
  t.fx.push({ kind: "trigger-event" });
  if (runQueue) {
    t.fx.push({ kind: "run-md-queue" });
    t.fx.push({ kind: "process-queued-io" });
  }
  t.fx.push({ kind: "nopath-timer", arm: false });
}

/** `bypass_pg`. */
function bypassPg(t: Tx, pg: number, bypassed: boolean): void {
  t.setBypassed(pg, bypassed);
  t.d.currentPgpath = -1;
  t.d.currentPg = -1;
  t.fx.push({ kind: "trigger-event" });
}

/** `__switch_pg`. */
function switchPg(t: Tx, pg: number): void {
  t.d.currentPg = pg;
  // With a hardware handler the group must be initialised first, and I/O queued until it is.
  const needInit = t.topo.hwHandlerName !== null;
  t.set(MpathFlag.PG_INIT_REQUIRED, needInit);
  t.set(MpathFlag.QUEUE_IO, needInit);
  t.d.pgInitCount = 0;
}

/** `queue_if_no_path(m, queue, save_old_value)`. */
function queueIfNoPath(t: Tx, queue: boolean, saveOld: boolean): void {
  const qifnp = t.has(MpathFlag.QUEUE_IF_NO_PATH);
  const saved = t.has(MpathFlag.SAVED_QUEUE_IF_NO_PATH);
  if (saveOld) {
    if (!qifnp && saved)
      t.log(
        "err",
        `${t.topo.dmName}: QIFNP disabled but saved as enabled, saving again loses state, not saving!`,
      );
    else t.set(MpathFlag.SAVED_QUEUE_IF_NO_PATH, qifnp);
  } else if (!queue && saved) {
    // fail_if_no_path must win over a state saved by a suspend.
    t.set(MpathFlag.SAVED_QUEUE_IF_NO_PATH, false);
  }
  t.set(MpathFlag.QUEUE_IF_NO_PATH, queue);
  if (!queue) {
    t.fx.push({ kind: "run-md-queue" });
    t.fx.push({ kind: "process-queued-io" });
  }
}

/** `enable_nopath_timeout`: the runner arms only if the module parameter is non-zero. */
function enableNopathTimeout(t: Tx): void {
  if (t.d.nrValidPaths === 0 && t.has(MpathFlag.QUEUE_IF_NO_PATH))
    t.fx.push({ kind: "nopath-timer", arm: true });
}

/** `queue_delayed_work(kmpath_handlerd, &p->activate_path, delay)`: counted only if not already queued. */
function queueActivate(t: Tx, p: number, delayNs: number): void {
  if (t.path(p).activatePending) return;
  t.setPath(p, { activatePending: true });
  t.d.pgInitInProgress++;
  t.fx.push({ kind: "queue-activate", path: p, delayNs });
}

/** `__pg_init_all_paths`: returns the number of activations in progress afterwards. */
function pgInitAllPaths(t: Tx): number {
  if (t.d.pgInitInProgress > 0 || t.has(MpathFlag.PG_INIT_DISABLED)) return 0;
  t.d.pgInitCount++;
  t.set(MpathFlag.PG_INIT_REQUIRED, false);
  if (t.d.currentPg < 0) return 0;
  let delayNs = 0;
  if (t.has(MpathFlag.PG_INIT_DELAY_RETRY)) {
    const ms =
      t.topo.pgInitDelayMsecs !== PG_INIT_DELAY_DEFAULT ? t.topo.pgInitDelayMsecs : PG_INIT_DELAY_MSECS;
    delayNs = msecsToJiffiesNs(ms);
  }
  for (const p of t.topo.groups[t.d.currentPg]!) {
    if (!t.path(p).active) continue;
    queueActivate(t, p, delayNs);
  }
  return t.d.pgInitInProgress;
}

/** `activate_or_offline_path`. */
function activateOrOffline(t: Tx, p: number, dying: boolean): void {
  if (t.path(p).active && !dying) t.fx.push({ kind: "scsi-dh-activate", path: p });
  else pgInitDone(t, p, ScsiDhResult.DEV_OFFLINED);
}

/** `pg_init_limit_reached`: may pg_init be retried at once? Sets PG_INIT_REQUIRED if so. */
function pgInitLimitReached(t: Tx): boolean {
  if (t.d.pgInitCount <= t.topo.pgInitRetries && !t.has(MpathFlag.PG_INIT_DISABLED)) {
    t.set(MpathFlag.PG_INIT_REQUIRED);
    return false;
  }
  return true;
}

/** `pg_init_done(path, errors)`. */
function pgInitDone(t: Tx, p: number, result: number): void {
  const pg = t.topo.pathGroup[p]!;
  let errors = result;
  let delayRetry = false;
  switch (errors) {
    case ScsiDhResult.OK:
      break;
    case ScsiDhResult.NOSYS:
      if (t.topo.hwHandlerName === null) {
        errors = 0;
        break;
      }
      t.log("err", `Could not failover the device: Handler scsi_dh_${t.topo.hwHandlerName} Error ${errors}.`);
      // Fail the path for now, so it does not ping-pong.
      failPath(t, p);
      break;
    case ScsiDhResult.DEV_TEMP_BUSY:
      // Probably a controller firmware upgrade: try the other groups.
      bypassPg(t, pg, true);
      break;
    case ScsiDhResult.RETRY:
      delayRetry = true;
      if (pgInitLimitReached(t)) failPath(t, p);
      errors = 0;
      break;
    case ScsiDhResult.IMM_RETRY:
    case ScsiDhResult.RES_TEMP_UNAVAIL:
      if (pgInitLimitReached(t)) failPath(t, p);
      errors = 0;
      break;
    default:
      failPath(t, p);
  }

  if (errors) {
    if (p === t.d.currentPgpath) {
      t.log("err", `Could not failover device. Error ${errors}.`);
      t.d.currentPgpath = -1;
      t.d.currentPg = -1;
    }
  } else if (!t.has(MpathFlag.PG_INIT_REQUIRED)) {
    t.setBypassed(pg, false);
  }

  t.d.pgInitInProgress--;
  // Activations of other paths are still going on.
  if (t.d.pgInitInProgress > 0) return;

  if (t.has(MpathFlag.PG_INIT_REQUIRED)) {
    t.set(MpathFlag.PG_INIT_DELAY_RETRY, delayRetry);
    if (pgInitAllPaths(t) > 0) return;
  }
  t.set(MpathFlag.QUEUE_IO, false);
  t.fx.push({ kind: "process-queued-io" });
  // Wake a suspend waiting for pg_init: it re-enables pg_init once woken.
  if (t.d.pgInitWaiter) {
    t.set(MpathFlag.PG_INIT_DISABLED, false);
    t.d.pgInitWaiter = false;
  }
}
