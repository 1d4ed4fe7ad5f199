/**
 * Path states of multipath-tools 0.9.4 (`enum path_check_state`): the number is the index, and
 * multipathd prints the names (`checker_state_name`) in `show paths` and its logs.
 */
export const PathState = {
  /** The checker could not run (no fd, a device this checker does not support). */
  WILD: 0,
  /** The checker is disabled or could not check (`fail path` makes it report this). */
  UNCHECKED: 1,
  /** The path is down. */
  DOWN: 2,
  /** The path is up. */
  UP: 3,
  /** emc_clariion: the LUN is not available for normal operations. */
  SHAKY: 4,
  /** A passive/standby path (ALUA standby, hp_sw, rdac); counts as usable. */
  GHOST: 5,
  /** An asynchronous check is in flight. */
  PENDING: 6,
  /** The check timed out (tur). */
  TIMEOUT: 7,
  /** The device went away from sysfs. */
  REMOVED: 8,
  /** The daemon holds the path back before reinstating it (san_path_err, marginal). */
  DELAYED: 9,
} as const;
export type PathState = (typeof PathState)[keyof typeof PathState];

/** `PATH_MAX_STATE`: the number of states. */
export const PATH_MAX_STATE = 10;

const NAMES = [
  "wild",
  "unchecked",
  "down",
  "up",
  "shaky",
  "ghost",
  "pending",
  "timeout",
  "removed",
  "delayed",
];

/**
 * `checker_state_name(i)`: the state's name, or `invalid` for a number outside the enum (the C
 * function also logs `invalid state index = %d` at verbosity 2; pass `log` to get that line).
 */
export function checkerStateName(i: number, log?: (prio: number, msg: string) => void): string {
  const n = Number.isInteger(i) ? NAMES[i] : undefined;
  if (n === undefined) {
    log?.(2, `invalid state index = ${i}`);
    return "invalid";
  }
  return n;
}

/** True for a number that is one of {@link PathState}. */
export function isPathState(i: number): i is PathState {
  return Number.isInteger(i) && i >= 0 && i < PATH_MAX_STATE;
}
