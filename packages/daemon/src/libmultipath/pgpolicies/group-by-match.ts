/**
 * `group_by_match`: walks the paths in order; each path not yet placed opens a new group that
 * takes every later unplaced path matching it. The policies differ only in what "matching" is.
 */
import { addMpPathGroup, type MpMap, type MpPath } from "../structs.js";

/** Whether two paths belong in the same group. */
export type PathMatch = (a: MpPath, b: MpPath) => boolean;

export function groupByMatch(mpp: MpMap, paths: readonly MpPath[], match: PathMatch): void {
  const placed = new Uint8Array(paths.length);
  for (let i = 0; i < paths.length; i++) {
    if (placed[i]) continue;
    const pp = paths[i]!;
    const pg = addMpPathGroup(mpp);
    pg.paths.push(pp);
    placed[i] = 1;
    for (let j = i + 1; j < paths.length; j++) {
      if (placed[j]) continue;
      const pp2 = paths[j]!;
      if (match(pp, pp2)) {
        pg.paths.push(pp2);
        placed[j] = 1;
      }
    }
  }
}
