/**
 * The dm `multipath` target's INFO status line (`dmsetup status`), Linux 6.1:
 *
 * ```
 * 2 <queue_io> <pg_init_count> 0 <#groups> <next group>
 *   { <A|E|D> <#ps group args> <args…> <#paths> <#ps path args>
 *     { <dev> <A|F> <fail_count> <ps path args…> } }
 * ```
 * The selector's per-path counters are named after the selector that printed them.
 */
import type { SelectorCounter } from "./model.js";

/** One path in the status. */
export interface StatusPath {
  /** `major:minor`. */
  readonly devT: string;
  readonly active: boolean;
  readonly failCount: number;
  readonly args: readonly number[];
}

/** One priority group in the status. */
export interface StatusGroup {
  /** `A` active, `E` enabled, `D` disabled (bypassed). */
  readonly state: "A" | "E" | "D";
  readonly paths: readonly StatusPath[];
}

/** A parsed multipath status. */
export interface MultipathStatus {
  /** The target is holding I/O (MPATHF_QUEUE_IO). */
  readonly queueIo: boolean;
  readonly pgInitCount: number;
  readonly nextGroup: number;
  readonly groups: readonly StatusGroup[];
}

/** Parses the INFO status of a multipath target; null when it does not read as one. */
export function parseMultipathStatus(params: string): MultipathStatus | null {
  const w = params.trim().split(/\s+/);
  let i = 0;
  const next = (): string | undefined => w[i++];
  const int = (): number => {
    const t = next();
    const n = t === undefined ? Number.NaN : Number(t);
    if (!Number.isInteger(n)) throw new Error("bad number");
    return n;
  };
  try {
    const nfeat = int();
    const feats: number[] = [];
    for (let k = 0; k < nfeat; k++) feats.push(int());
    const nhw = int();
    i += nhw;
    const ngroups = int();
    const nextGroup = int();
    const groups: StatusGroup[] = [];
    for (let g = 0; g < ngroups; g++) {
      const state = next();
      if (state !== "A" && state !== "E" && state !== "D") return null;
      const nps = int();
      i += nps;
      const npaths = int();
      const nargs = int();
      const paths: StatusPath[] = [];
      for (let p = 0; p < npaths; p++) {
        const devT = next();
        const af = next();
        if (devT === undefined || (af !== "A" && af !== "F")) return null;
        const failCount = int();
        const args: number[] = [];
        for (let a = 0; a < nargs; a++) args.push(int());
        paths.push({ devT, active: af === "A", failCount, args });
      }
      groups.push({ state, paths });
    }
    return { queueIo: feats[0] === 1, pgInitCount: feats[1] ?? 0, nextGroup, groups };
  } catch {
    return null;
  }
}

/** Names of the per-path INFO counters each selector prints (dm-ps-*.c, 6.1). */
export const SELECTOR_COUNTER_NAMES: Readonly<Record<string, readonly string[]>> = {
  "round-robin": [],
  "queue-length": ["in-flight"],
  "service-time": ["in-flight-size", "rel-tput"],
  "historical-service-time": ["hst", "outstanding", "stale-after"],
  "io-affinity": ["map-misses"],
};

/** The counters of a path, named after the group's selector (`service-time 0` → service-time). */
export function selectorCounters(policy: string, args: readonly number[]): SelectorCounter[] {
  const names = SELECTOR_COUNTER_NAMES[policy.split(/\s+/)[0] ?? ""] ?? [];
  return args.map((value, k) => ({ name: names[k] ?? `arg${k + 1}`, value }));
}
