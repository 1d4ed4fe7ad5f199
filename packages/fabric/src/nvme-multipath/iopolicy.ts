import { AnaState } from "../nvme/ana.js";

/**
 * The I/O policies of native NVMe multipath (drivers/nvme/host/multipath.c): `numa` and
 * `round-robin` as in Linux 6.1, and `queue-depth` as added in 6.11. Pure path choice over the
 * head's sibling list, allocating nothing; the head keeps the per-node current path.
 */
export type IoPolicy = "numa" | "round-robin" | "queue-depth";

export const IO_POLICIES: readonly IoPolicy[] = ["numa", "round-robin", "queue-depth"];

/** `NUMA_NO_NODE`. */
export const NUMA_NO_NODE = -1;
/** `LOCAL_DISTANCE` / `REMOTE_DISTANCE` of the default SLIT. */
export const LOCAL_DISTANCE = 10;
export const REMOTE_DISTANCE = 20;

/** What a policy needs to know about one path (`struct nvme_ns` + its controller). */
export interface PolicyPath {
  /** `nvme_path_is_disabled()`: controller not LIVE/DELETING, ANA re-read pending, or not ready. */
  disabled(): boolean;
  /** ANA state as the host last read it. */
  readonly anaState: AnaState;
  /** Controller state is LIVE (for `nvme_path_is_optimized`). */
  live(): boolean;
  /** NUMA node of the controller, or {@link NUMA_NO_NODE}. */
  readonly numaNode: number;
  /** The controller's `nr_active` (requests in flight, counted under queue-depth only). */
  nrActive(): number;
}

function nodeDistance(a: number, b: number): number {
  return a === b ? LOCAL_DISTANCE : REMOTE_DISTANCE;
}

/**
 * `__nvme_find_path()`: the closest optimized path (distance counts only under `numa` and for
 * controllers with a node), else the closest non-optimized one; ties go to the earlier path in
 * the sibling list. Returns the index, or -1.
 */
export function findPathIndex(paths: readonly PolicyPath[], node: number, policy: IoPolicy): number {
  let found = -1;
  let fallback = -1;
  let foundD = Number.MAX_SAFE_INTEGER;
  let fallbackD = Number.MAX_SAFE_INTEGER;
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i]!;
    if (p.disabled()) continue;
    const d =
      p.numaNode !== NUMA_NO_NODE && policy === "numa" ? nodeDistance(node, p.numaNode) : LOCAL_DISTANCE;
    if (p.anaState === AnaState.OPTIMIZED) {
      if (d < foundD) {
        foundD = d;
        found = i;
      }
    } else if (p.anaState === AnaState.NON_OPTIMIZED) {
      if (d < fallbackD) {
        fallbackD = d;
        fallback = i;
      }
    }
  }
  return found >= 0 ? found : fallback;
}

/**
 * `nvme_round_robin_path()`: starting after the current path, the first optimized path; else the
 * last non-optimized one seen; the current path is kept when it is optimized and no other
 * optimized path exists (or it is the only usable one). Returns the index, or -1.
 */
export function roundRobinIndex(paths: readonly PolicyPath[], old: number): number {
  const n = paths.length;
  const cur = paths[old]!;
  if (n === 1) return cur.disabled() ? -1 : old;
  let found = -1;
  for (let k = 1; k < n; k++) {
    const i = (old + k) % n;
    const p = paths[i]!;
    if (p.disabled()) continue;
    if (p.anaState === AnaState.OPTIMIZED) return i;
    if (p.anaState === AnaState.NON_OPTIMIZED) found = i;
  }
  if (
    !cur.disabled() &&
    (cur.anaState === AnaState.OPTIMIZED || (found < 0 && cur.anaState === AnaState.NON_OPTIMIZED))
  )
    return old;
  return found;
}

/**
 * `nvme_queue_depth_path()` (6.11): the usable path whose controller has the fewest requests in
 * flight, optimized paths first; an idle optimized path wins at once. Returns the index, or -1.
 */
export function queueDepthIndex(paths: readonly PolicyPath[]): number {
  let bestOpt = -1;
  let bestNonOpt = -1;
  let minOpt = Number.MAX_SAFE_INTEGER;
  let minNonOpt = Number.MAX_SAFE_INTEGER;
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i]!;
    if (p.disabled()) continue;
    const depth = p.nrActive();
    if (p.anaState === AnaState.OPTIMIZED) {
      if (depth < minOpt) {
        minOpt = depth;
        bestOpt = i;
      }
    } else if (p.anaState === AnaState.NON_OPTIMIZED) {
      if (depth < minNonOpt) {
        minNonOpt = depth;
        bestNonOpt = i;
      }
    } else continue;
    if (minOpt === 0) return bestOpt;
  }
  return bestOpt >= 0 ? bestOpt : bestNonOpt;
}
