/**
 * Queueing with no usable path (libmultipath/structs_vec.c `set_no_path_retry`,
 * `enter_recovery_mode`, `leave_recovery_mode`, `update_queue_mode_del_path`,
 * `update_queue_mode_add_path`; multipathd/main.c `retry_count_tick`) as a pure transition:
 *
 * - `fail`: never queue; `queue`: always queue;
 * - N > 0: queue while paths are up; when the last one goes, enter recovery mode with
 *   `retry_tick = N × polling_interval + 1` seconds, counted down once a second by the checker
 *   loop; at 0 queueing is switched off ("Disable queueing"); a path coming back leaves
 *   recovery and queueing is switched on again ("Recovered to normal mode").
 */
import { NoPathRetry } from "../structs/structs.js";

/** The map fields the transition reads and writes. */
export interface QueueingState {
  readonly noPathRetry: number;
  readonly inRecovery: boolean;
  readonly retryTick: number;
  readonly statQueueingTimeouts: number;
  readonly statMapFailures: number;
  readonly statTotalQueueingTime: number;
}

/** What happened. */
export type QueueingEvent =
  /** `set_no_path_retry`: bring the kernel's queueing in line with the setting. */
  | {
      readonly kind: "sync";
      /** The map's features string as last read from the kernel, or null when unknown. */
      readonly features: string | null;
      readonly activePaths: number;
      readonly pendingPaths: number;
      readonly checkint: number;
    }
  /** `update_queue_mode_del_path`: a path stopped being usable. */
  | { readonly kind: "path-lost"; readonly activePaths: number; readonly checkint: number }
  /** `update_queue_mode_add_path`: a path became usable. */
  | { readonly kind: "path-back"; readonly activePaths: number }
  /** `retry_count_tick`: one second of the checker loop. */
  | { readonly kind: "tick" };

/** What the runner must do. */
export type QueueingEffect =
  | { readonly kind: "queue-if-no-path"; readonly enable: boolean; readonly reason: QueueingReason }
  | { readonly kind: "log"; readonly level: 0 | 1 | 2 | 3 | 4; readonly message: string }
  | { readonly kind: "recovery"; readonly entered: boolean; readonly retryTick: number };

/** Why queueing is switched. */
export type QueueingReason = "no_path_retry" | "recovered" | "timeout";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function enterRecovery(
  alias: string,
  s: Mutable<QueueingState>,
  checkint: number,
  fx: QueueingEffect[],
): void {
  if (s.inRecovery || s.noPathRetry <= 0) return;
  // +1: the checker loop may decrement once before the first retry.
  s.inRecovery = true;
  s.statQueueingTimeouts++;
  s.retryTick = s.noPathRetry * checkint + 1;
  fx.push({
    kind: "log",
    level: 1,
    message: `${alias}: Entering recovery mode: max_retries=${s.noPathRetry}`,
  });
  fx.push({ kind: "recovery", entered: true, retryTick: s.retryTick });
}

function leaveRecovery(alias: string, s: Mutable<QueueingState>, fx: QueueingEffect[]): void {
  const recovery = s.inRecovery;
  s.inRecovery = false;
  s.retryTick = 0;
  // no_path_retry may have changed while recovering: test it again.
  if (recovery && (s.noPathRetry === NoPathRetry.QUEUE || s.noPathRetry > 0)) {
    fx.push({ kind: "queue-if-no-path", enable: true, reason: "recovered" });
    fx.push({ kind: "log", level: 2, message: `${alias}: queue_if_no_path enabled` });
    fx.push({ kind: "log", level: 1, message: `${alias}: Recovered to normal mode` });
    fx.push({ kind: "recovery", entered: false, retryTick: 0 });
  }
}

/** The pure transition. `alias` only names the map in log messages. */
export function queueingTransition(
  alias: string,
  state: QueueingState,
  event: QueueingEvent,
): [QueueingState, QueueingEffect[]] {
  // Only the fields the transition owns: the runner passes the whole map, and copying that for
  // every path check (set_no_path_retry runs in each) cost more than the transition itself.
  const s: Mutable<QueueingState> = {
    noPathRetry: state.noPathRetry,
    inRecovery: state.inRecovery,
    retryTick: state.retryTick,
    statQueueingTimeouts: state.statQueueingTimeouts,
    statMapFailures: state.statMapFailures,
    statTotalQueueingTime: state.statTotalQueueingTime,
  };
  const fx: QueueingEffect[] = [];
  switch (event.kind) {
    case "sync": {
      const queueing = event.features?.includes("queue_if_no_path") === true;
      switch (s.noPathRetry) {
        case NoPathRetry.UNDEF:
          break;
        case NoPathRetry.FAIL:
          if (event.features === null || queueing)
            fx.push({ kind: "queue-if-no-path", enable: false, reason: "no_path_retry" });
          break;
        case NoPathRetry.QUEUE:
          if (event.features === null || !queueing)
            fx.push({ kind: "queue-if-no-path", enable: true, reason: "no_path_retry" });
          break;
        default:
          if (event.activePaths > 0) {
            // When recovering, leaving recovery switches queueing on itself.
            if ((event.features === null || !queueing) && !s.inRecovery)
              fx.push({ kind: "queue-if-no-path", enable: true, reason: "no_path_retry" });
            leaveRecovery(alias, s, fx);
          } else if (event.pendingPaths === 0) enterRecovery(alias, s, event.checkint, fx);
          break;
      }
      break;
    }
    case "path-lost":
      if (event.activePaths === 0) {
        enterRecovery(alias, s, event.checkint, fx);
        if (s.noPathRetry !== NoPathRetry.QUEUE) s.statMapFailures++;
      }
      fx.push({ kind: "log", level: 2, message: `${alias}: remaining active paths: ${event.activePaths}` });
      break;
    case "path-back":
      if (event.activePaths > 0) leaveRecovery(alias, s, fx);
      fx.push({ kind: "log", level: 2, message: `${alias}: remaining active paths: ${event.activePaths}` });
      break;
    case "tick":
      if (s.retryTick > 0) {
        s.statTotalQueueingTime++;
        fx.push({ kind: "log", level: 4, message: `${alias}: Retrying.. No active path` });
        if (--s.retryTick === 0) {
          s.statMapFailures++;
          fx.push({ kind: "queue-if-no-path", enable: false, reason: "timeout" });
          fx.push({ kind: "log", level: 2, message: `${alias}: Disable queueing` });
        }
      }
      break;
    default: {
      const never: never = event;
      return never;
    }
  }
  return [s, fx];
}
