/**
 * Path grouping policies (libmultipath/pgpolicies.c, 0.9.4: failover, multibus,
 * group_by_serial, group_by_prio, group_by_node_name — `group_by_tpg` came in 0.9.6) and
 * `group_paths`: the map's paths split into priority groups by its policy, marginal paths
 * grouped separately when `marginal_pathgroups` is on, then the groups sorted.
 */
import type { PgPolicyName } from "../../config/structs.js";
import { PgPolicy } from "../../structs/structs.js";
import { pathGroupsInOrder } from "../../structs/structs-vec.js";
import type { MpMap, MpPath, MpPathGroup } from "../structs.js";
import { groupFailover } from "./failover.js";
import { groupByNodeName } from "./group-by-node-name.js";
import { groupByPrio } from "./group-by-prio.js";
import { groupBySerial } from "./group-by-serial.js";
import { groupMultibus } from "./multibus.js";

export { groupByMatch, type PathMatch } from "./group-by-match.js";
export { groupByNodeName, groupByPrio, groupBySerial, groupFailover, groupMultibus };

/** A grouping policy: appends groups for `paths` to `mpp.pg`. */
export type PgPolicyFn = (mpp: MpMap, paths: readonly MpPath[]) => void;

/** The policy function of a `PgPolicy` value (`mpp->pgpolicyfn`), or undefined for UNDEF. */
export function pgPolicyFn(policy: number): PgPolicyFn | undefined {
  switch (policy) {
    case PgPolicy.FAILOVER:
      return groupFailover;
    case PgPolicy.MULTIBUS:
      return groupMultibus;
    case PgPolicy.GROUP_BY_SERIAL:
      return groupBySerial;
    case PgPolicy.GROUP_BY_PRIO:
      return groupByPrio;
    case PgPolicy.GROUP_BY_NODE_NAME:
      return groupByNodeName;
    default:
      return undefined;
  }
}

/** `get_pgpolicy_id`: by name prefix, as the C `strncmp` does; UNDEF when unknown. */
export function pgPolicyId(name: string): number {
  if (name.startsWith("failover")) return PgPolicy.FAILOVER;
  if (name.startsWith("multibus")) return PgPolicy.MULTIBUS;
  if (name.startsWith("group_by_serial")) return PgPolicy.GROUP_BY_SERIAL;
  if (name.startsWith("group_by_prio")) return PgPolicy.GROUP_BY_PRIO;
  if (name.startsWith("group_by_node_name")) return PgPolicy.GROUP_BY_NODE_NAME;
  return PgPolicy.UNDEF;
}

/** `get_pgpolicy_name`. */
export function pgPolicyName(id: number): PgPolicyName | "undefined" {
  switch (id) {
    case PgPolicy.FAILOVER:
      return "failover";
    case PgPolicy.MULTIBUS:
      return "multibus";
    case PgPolicy.GROUP_BY_SERIAL:
      return "group_by_serial";
    case PgPolicy.GROUP_BY_PRIO:
      return "group_by_prio";
    case PgPolicy.GROUP_BY_NODE_NAME:
      return "group_by_node_name";
    default:
      return "undefined";
  }
}

/** `sort_pathgroups`: in place (priorities refreshed as a side effect). */
export function sortPathgroups(mpp: MpMap): void {
  mpp.pg = pathGroupsInOrder(mpp.pg) as MpPathGroup[];
}

/**
 * `group_paths`: replaces `mpp.pg` with groups of `mpp.paths` by the map's policy, then empties
 * `mpp.paths` (as upstream frees the vector; `update_mpp_paths` rebuilds it from the groups).
 * Returns false when the map has paths but no policy.
 */
export function groupPaths(mpp: MpMap, marginalPathgroups: boolean): boolean {
  mpp.pg = [];
  const paths = mpp.paths;
  if (paths.length > 0) {
    const fn = pgPolicyFn(mpp.pgpolicy);
    if (fn === undefined) return false;
    const normal = paths.filter((pp) => !pp.marginal);
    const marginal = paths.filter((pp) => pp.marginal);
    if (!marginalPathgroups || normal.length === 0 || marginal.length === 0) fn(mpp, paths);
    else {
      fn(mpp, normal);
      fn(mpp, marginal);
    }
    sortPathgroups(mpp);
  }
  mpp.paths = [];
  return true;
}
