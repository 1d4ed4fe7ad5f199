/**
 * Virtual-time experiments: the wall time of the seed's fio matrix example (`@mp/fabric`'s
 * examples, H10) run end to end by `mp sim run`, as a user runs it.
 */
import { type BenchContext, type BenchResult, type Family, skipped } from "../harness.js";

const FAMILY = "virtual-time";

export const virtualTimeFamily: Family = {
  id: FAMILY,
  title: "Virtual-time experiments: the seed's fio matrix, wall time",
  async run(_ctx: BenchContext): Promise<BenchResult[]> {
    return [
      skipped(
        FAMILY,
        "fio-matrix",
        "seed's fio matrix example, end to end",
        "s",
        "the fio matrix example does not exist yet (H10 in progress)",
        { cmp: "<", limit: 10 },
      ),
    ];
  },
};
