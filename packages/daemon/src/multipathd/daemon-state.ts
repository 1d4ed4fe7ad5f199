/**
 * multipathd's run state (main.c `running_state`, `post_config_state`, `schedule_reconfigure`,
 * `set_config_state`, `unblock_reconfigure`) as a pure transition over
 * `{ state, pending reconfigure, delayed reconfigure }`:
 *
 * init → startup → configure → idle ⇄ running, and shutdown from anywhere (final). The checker
 * loop switches idle → running for each pass and back; a reconfigure request moves idle to
 * configure (or is remembered while configuring or running); a reconfigure that must wait for
 * udev is "delayed" until a map's creation uevent arrives.
 */

import { ForceReload } from "../libmultipath/defaults.js";
import type { DaemonRunState } from "../print/status.js";

/** The run state record. */
export interface RunState {
  readonly state: DaemonRunState;
  /** `reconfigure_pending`. */
  readonly pending: ForceReload;
  /** `__delayed_reconfig`. */
  readonly delayed: boolean;
}

/** Inputs. */
export type RunEvent =
  /** `post_config_state(state)`. */
  | { readonly kind: "post"; readonly state: DaemonRunState }
  /** `schedule_reconfigure(type)` (the `reconfigure [all]` commands, SIGHUP). */
  | { readonly kind: "schedule-reconfigure"; readonly type: ForceReload }
  /** The checker loop starting a pass: idle → running (`set_config_state(DAEMON_RUNNING)`). */
  | { readonly kind: "checker-start" }
  /** The main loop taking a pending reconfigure (it is then carried out or delayed). */
  | { readonly kind: "take-reconfigure"; readonly delay: boolean }
  /** `unblock_reconfigure()`: a delayed reconfigure may run now. */
  | { readonly kind: "unblock" };

/** Effects: a state change to announce. */
export type RunEffect = {
  readonly kind: "state-changed";
  readonly from: DaemonRunState;
  readonly to: DaemonRunState;
};

/** The initial record. */
export const INITIAL_RUN_STATE: RunState = { state: "init", pending: ForceReload.NONE, delayed: false };

function post(s: RunState, to: DaemonRunState, fx: RunEffect[]): RunState {
  if (to === s.state || s.state === "shutdown") return s;
  fx.push({ kind: "state-changed", from: s.state, to });
  return { ...s, state: to };
}

/** The pure transition. */
export function runStateTransition(s: RunState, e: RunEvent): [RunState, RunEffect[]] {
  const fx: RunEffect[] = [];
  switch (e.kind) {
    case "post":
      return [post(s, e.state, fx), fx];
    case "schedule-reconfigure": {
      const type =
        s.pending === ForceReload.YES || e.type === ForceReload.YES ? ForceReload.YES : ForceReload.WEAK;
      switch (s.state) {
        case "idle":
          return [post({ ...s, pending: type }, "configure", fx), fx];
        case "configure":
        case "running":
          return [{ ...s, pending: type }, fx];
        default:
          return [s, fx];
      }
    }
    case "checker-start":
      return [s.state === "idle" ? post(s, "running", fx) : s, fx];
    case "take-reconfigure":
      return [e.delay ? { ...s, delayed: true } : { ...s, pending: ForceReload.NONE, delayed: false }, fx];
    case "unblock":
      if (!s.delayed) return [s, fx];
      return [
        s.state === "idle" ? post({ ...s, delayed: false }, "configure", fx) : { ...s, delayed: false },
        fx,
      ];
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Whether the main loop should run (another) configuration pass now. */
export function wantsConfigure(s: RunState): boolean {
  return s.state === "configure" || (s.state !== "shutdown" && s.pending !== ForceReload.NONE && !s.delayed);
}
