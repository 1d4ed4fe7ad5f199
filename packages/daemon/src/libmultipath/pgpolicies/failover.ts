/** `one_path_per_group` (failover): every path in a group of its own, in path order. */
import { addMpPathGroup, type MpMap, type MpPath } from "../structs.js";

export function groupFailover(mpp: MpMap, paths: readonly MpPath[]): void {
  for (const pp of paths) addMpPathGroup(mpp).paths.push(pp);
}
