/**
 * Userspace path states: what a checker (and the daemon's checker loop) concludes about a path.
 * One enum for both halves: @mp/checkers defines it (multipath-tools 0.9.4's `enum
 * path_check_state`, whose order `show status` walks) and the daemon uses it as is.
 */
import { PathState } from "@mp/checkers";

export { checkerStateName, PATH_MAX_STATE, PathState } from "@mp/checkers";

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
