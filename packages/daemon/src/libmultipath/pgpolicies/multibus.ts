/** `one_group` (multibus): all paths in one group. */
import { addMpPathGroup, type MpMap, type MpPath } from "../structs.js";

export function groupMultibus(mpp: MpMap, paths: readonly MpPath[]): void {
  const pg = addMpPathGroup(mpp);
  for (const pp of paths) pg.paths.push(pp);
}
