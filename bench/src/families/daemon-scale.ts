/**
 * multipathd at scale (once `@mp/daemon` exports `createMultipathd`): cold start of 1,024 paths
 * (256 LUNs × 4) and 16,384 paths, from the first uevent to every map live; one full checker
 * pass over 4,096 paths; the longest event-loop block during each (monitorEventLoopDelay) and
 * the process's peak RSS. Each case runs in a fresh process.
 */
import * as daemon from "@mp/daemon";
import { type BenchContext, type BenchResult, type Budget, type Family, skipped } from "../harness.js";

const FAMILY = "daemon-scale";

const COLD_1K: Budget = { cmp: "<", limit: 500 };
const COLD_16K: Budget = { cmp: "<", limit: 5000 };
const CHECKER: Budget = { cmp: "<", limit: 50 };

/** True once the daemon package offers what these benchmarks drive. */
export function daemonReady(): boolean {
  return typeof (daemon as Record<string, unknown>).createMultipathd === "function";
}

export const daemonScaleFamily: Family = {
  id: FAMILY,
  title: "multipathd at scale: cold start, checker pass, event-loop blocking, peak RSS",
  cases: () => ["cold-start-1k", "cold-start-16k", "checker-pass-4k"],
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const why = "@mp/daemon does not export createMultipathd yet (H7 in progress)";
    switch (ctx.caseName) {
      case "cold-start-1k":
        return [
          skipped(
            FAMILY,
            "cold-start/1024-paths",
            "cold start, 1,024 paths (256 LUNs × 4)",
            "ms",
            why,
            COLD_1K,
          ),
        ];
      case "cold-start-16k":
        return [
          skipped(
            FAMILY,
            "cold-start/16384-paths",
            "cold start, 16,384 paths (4,096 LUNs × 4)",
            "ms",
            why,
            COLD_16K,
          ),
        ];
      default:
        return [
          skipped(FAMILY, "checker-pass/4096-paths", "one checker pass, 4,096 paths", "ms", why, CHECKER),
        ];
    }
  },
};
