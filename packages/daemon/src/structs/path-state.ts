/**
 * Userspace path states: what a checker (and the daemon's checker loop) concludes about a path.
 * Numbering is multipath-tools 0.9.4's `enum path_check_state` (libmultipath/checkers.h); the number
 * is significant because `show status` walks the states in this order.
 *
 * TODO(align): @mp/checkers (H3) owns the checker-side enum; once it exports one, re-export it here
 * instead of defining it twice. Values and names below are 0.9.4's and must not change.
 */
export const PathState = {
  /** Checker could not run (no fd, device unsupported by this checker). */
  WILD: 0,
  /** Checker disabled or could not check (`fail path` disables the checker: it reports this). */
  UNCHECKED: 1,
  /** Path is down. */
  DOWN: 2,
  /** Path is up. */
  UP: 3,
  /** emc_clariion: LUN not available for normal operations. */
  SHAKY: 4,
  /** Passive/standby path (ALUA standby, hp_sw, rdac). Counts as usable. */
  GHOST: 5,
  /** An asynchronous check is in flight. */
  PENDING: 6,
  /** The check timed out (tur). */
  TIMEOUT: 7,
  /** The device went away from sysfs. */
  REMOVED: 8,
  /** Daemon-imposed delay before reintegration (san_path_err / marginal). */
  DELAYED: 9,
} as const;
/** One of {@link PathState}'s values. */
export type PathState = (typeof PathState)[keyof typeof PathState];

/** PATH_MAX_STATE: number of path states. */
export const PATH_MAX_STATE = 10;

const CHECKER_STATE_NAMES: readonly string[] = [
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

/** `checker_state_name()`: the state's name as `show status` prints it; `invalid` when out of range. */
export function checkerStateName(state: number): string {
  return CHECKER_STATE_NAMES[state] ?? "invalid";
}

/** True for the states that carry I/O: PATH_UP and PATH_GHOST (`count_active_paths`). */
export function isActivePathState(state: number): boolean {
  return state === PathState.UP || state === PathState.GHOST;
}

/**
 * The path's state in the kernel's map (`enum pathstates`), read from the `A`/`F` letters of the dm
 * status line. UNDEF when the path is not (yet) in a map the daemon has read back.
 */
export const DmPathState = {
  UNDEF: 0,
  FAILED: 1,
  ACTIVE: 2,
} as const;
/** One of {@link DmPathState}'s values. */
export type DmPathState = (typeof DmPathState)[keyof typeof DmPathState];
