/** `group_by_node_name`: one group per target node name (compared over `NODE_NAME_SIZE` bytes). */
import type { MpMap, MpPath } from "../structs.js";
import { groupByMatch } from "./group-by-match.js";

const NODE_NAME_SIZE = 224;

export function groupByNodeName(mpp: MpMap, paths: readonly MpPath[]): void {
  groupByMatch(
    mpp,
    paths,
    (a, b) => a.tgtNodeName.slice(0, NODE_NAME_SIZE) === b.tgtNodeName.slice(0, NODE_NAME_SIZE),
  );
}
