/**
 * The dashboard: CPU share of one core while rendering 256 maps / 1,024 paths at 4 Hz into a
 * fake stdout (apps/tui, H9), measured with process.cpuUsage over a fixed wall window.
 */
import { type BenchContext, type BenchResult, type Family, skipped } from "../harness.js";

const FAMILY = "dashboard";

export const dashboardFamily: Family = {
  id: FAMILY,
  title: "Dashboard: CPU share rendering 256 maps / 1,024 paths at 4 Hz",
  async run(_ctx: BenchContext): Promise<BenchResult[]> {
    return [
      skipped(
        FAMILY,
        "render-256-maps-4hz",
        "render 256 maps / 1,024 paths at 4 Hz",
        "%",
        "apps/tui has no dashboard yet (H9 in progress)",
        { cmp: "<", limit: 30 },
      ),
    ];
  },
};
