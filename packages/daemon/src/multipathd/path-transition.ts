/**
 * The heart of multipathd's `check_path` (main.c, 0.9.4) as a pure transition: given the
 * checker's new verdict for a path that belongs to a map, the path's new state and polling
 * interval, and what must happen in the kernel.
 *
 * - A change to a bad state fails the path in dm (counting it as lost when it was usable),
 *   cancels a pending deferred failback and counts a path failure; prio refresh is skipped.
 * - A change to a good state reinstates the path (unless it is an implicit-ALUA standby path of
 *   a map without active paths), and re-enables its group if that group was disabled.
 * - An unchanged good state reinstates a path dm still has failed; otherwise the polling
 *   interval doubles up to max_polling_interval.
 * - An unchanged bad state fails the path in dm if dm still uses it.
 */
import { DmPathState, PathState } from "../structs/path-state.js";

/** What the transition reads. */
export interface PathCheckInput {
  /** The checker's verdict (not PENDING, WILD, UNCHECKED or REMOVED: those are handled before). */
  readonly newstate: PathState;
  /** `pp->state`: the previous verdict after the daemon's adjustments. */
  readonly state: PathState;
  /** `pp->chkrstate` before this check. */
  readonly chkrstate: PathState;
  readonly dmstate: DmPathState;
  readonly checkint: number;
  readonly tick: number;
  /** `conf->checkint` (polling_interval). */
  readonly pollingInterval: number;
  /** `conf->max_checkint` (max_polling_interval). */
  readonly maxPollingInterval: number;
  /** GHOST path, no active path in the map, implicit-only ALUA: do not reinstate. */
  readonly disableReinstate: boolean;
  /** `log_checker_err once`. */
  readonly logCheckerErrOnce: boolean;
  /** The map has a persistent reservation registration to check. */
  readonly prflag: boolean;
}

/** What the runner must do, in order. */
export type PathCheckEffect =
  /** `LOG_MSG(level, pp)`: the checker's message (or "path offline"). */
  | { readonly kind: "log-msg"; readonly level: 1 | 2 | 3 | 4 }
  /** `fail_path(pp, del_active)`: fail in dm; with `delActive` update the map's queueing. */
  | { readonly kind: "fail-path"; readonly delActive: boolean }
  /** `mpp->failback_tick = 0; mpp->stat_path_failures++`. */
  | { readonly kind: "path-failure" }
  /** `reinstate_path(pp)`: reinstate in dm and update the map's queueing. */
  | { readonly kind: "reinstate-path" }
  /** `enable_group(pp)`. */
  | { readonly kind: "enable-group" }
  /** `mpath_pr_event_handle(pp)`. */
  | { readonly kind: "pr-check" }
  /** A plain log line. */
  | { readonly kind: "log"; readonly level: 2 | 3 | 4; readonly message: string };

/** The path's fields after the check. */
export interface PathCheckOutput {
  readonly state: PathState;
  readonly chkrstate: PathState;
  readonly checkint: number;
  readonly tick: number;
  /** A path came back up (prio of every path refreshed, failback considered). */
  readonly newPathUp: boolean;
  /** The checker itself says the path just came back (followover failback). */
  readonly chkrNewPathUp: boolean;
  /** `check_path` returns here: no prio refresh, no failback decision. */
  readonly stop: boolean;
}

function good(s: PathState): boolean {
  return s === PathState.UP || s === PathState.GHOST;
}

/** The pure transition. `dev`/`devT` only appear in log messages. */
export function pathCheckTransition(
  input: PathCheckInput,
  devT: string,
): [PathCheckOutput, PathCheckEffect[]] {
  const fx: PathCheckEffect[] = [];
  const { newstate } = input;
  let checkint = input.checkint;
  let tick = input.tick;
  let newPathUp = false;
  let chkrNewPathUp = false;
  if (newstate !== input.state) {
    fx.push({ kind: "log-msg", level: 1 });
    checkint = input.pollingInterval;
    if (!good(newstate)) {
      fx.push({ kind: "fail-path", delActive: good(input.state) });
      fx.push({ kind: "path-failure" });
      return [
        { state: newstate, chkrstate: newstate, checkint, tick, newPathUp, chkrNewPathUp, stop: true },
        fx,
      ];
    }
    if (input.prflag) fx.push({ kind: "pr-check" });
    if (!input.disableReinstate) fx.push({ kind: "reinstate-path" });
    newPathUp = true;
    if (!good(input.chkrstate)) chkrNewPathUp = true;
    if (newstate === PathState.UP) fx.push({ kind: "enable-group" });
  } else if (good(newstate)) {
    if (
      (input.dmstate === DmPathState.FAILED || input.dmstate === DmPathState.UNDEF) &&
      !input.disableReinstate
    )
      fx.push({ kind: "reinstate-path" });
    else {
      fx.push({ kind: "log-msg", level: 4 });
      if (checkint !== input.maxPollingInterval) {
        checkint =
          checkint < Math.floor(input.maxPollingInterval / 2) ? 2 * checkint : input.maxPollingInterval;
        fx.push({ kind: "log", level: 4, message: `${devT}: delay next check ${checkint}s` });
      }
      tick = checkint;
    }
  } else {
    if (input.dmstate === DmPathState.ACTIVE || input.dmstate === DmPathState.UNDEF)
      fx.push({ kind: "fail-path", delActive: false });
    if (newstate === PathState.DOWN) fx.push({ kind: "log-msg", level: input.logCheckerErrOnce ? 3 : 2 });
  }
  return [
    { state: newstate, chkrstate: newstate, checkint, tick, newPathUp, chkrNewPathUp, stop: false },
    fx,
  ];
}
