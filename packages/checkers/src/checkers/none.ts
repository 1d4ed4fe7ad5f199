import { type CheckerClass, defineChecker } from "../checker.js";
import { PathState } from "../path-state.js";

/**
 * The `none` checker: no I/O; `checker_check` answers the state it was given (multipathd passes
 * the path's current state). Used for NVMe native paths in the built-in hardware table.
 */
export function createNoneChecker(): CheckerClass {
  return defineChecker({
    name: "none",
    msgtable: [],
    // checker_check answers before the context is consulted; this is never called.
    init: () => ({ check: () => PathState.UNCHECKED, free: () => {} }),
  });
}
