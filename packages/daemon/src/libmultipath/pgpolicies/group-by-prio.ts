/** `group_by_prio`: one group per priority value. */
import type { MpMap, MpPath } from "../structs.js";
import { groupByMatch } from "./group-by-match.js";

export function groupByPrio(mpp: MpMap, paths: readonly MpPath[]): void {
  groupByMatch(mpp, paths, (a, b) => a.priority === b.priority);
}
