/**
 * `multipath -ll` / `-l` / `-v1` / dry-run topologies and the `-v3` path list, against the
 * transcripts (the `multipath` tool sizes columns per map, over the map's own paths).
 */
import { describe, expect, it } from "vitest";
import { DmPathState, PathState } from "../structs/path-state.js";
import { InitState, MapAction, type Multipath, PgState } from "../structs/structs.js";
import { sdMap, sdPath, twoPathWorld } from "./__fixtures__/scsi-debug.js";
import { transcriptOutput } from "./__fixtures__/transcripts.js";
import { EMPTY_PRINT_ENV } from "./print-env.js";
import { formatAllPaths } from "./status.js";
import { formatMultipathTopology, multipathStyle } from "./topology.js";

const env = EMPTY_PRINT_ENV;
const ll = (maps: Multipath[], verbosity = 2) =>
  maps.map((m) => formatMultipathTopology(m, verbosity, env)).join("");

/** The map as `multipath -ll` reads it back from the kernel: no action. */
function llWorld() {
  const w = twoPathWorld();
  w.maps[0]!.action = MapAction.UNDEF;
  return w;
}

describe("multipath -ll", () => {
  it("basic-two-paths: -ll, -ll -v2, -ll mpatha and -v1", () => {
    const f = "conformance/multipathd/basic-two-paths.out";
    const { maps } = llWorld();
    expect(ll(maps)).toBe(transcriptOutput(f, "multipath -ll"));
    expect(ll(maps)).toBe(transcriptOutput(f, "multipath -ll -v2"));
    expect(ll(maps)).toBe(transcriptOutput(f, "multipath -ll mpatha"));
    expect(ll(maps, 1)).toBe(transcriptOutput(f, "multipath -ll -v1"));
    expect(ll(maps, 0)).toBe("");
  });

  it("basic-two-paths: -l prints prio 0 and chk_st undef (no checker run)", () => {
    const { maps, paths } = llWorld();
    for (const pp of paths) pp.state = PathState.WILD;
    for (const pg of maps[0]!.pg) pg.priority = 0;
    expect(ll(maps)).toBe(transcriptOutput("conformance/multipathd/basic-two-paths.out", "multipath -l"));
  });

  it("pg-policies multibus: one group of two paths, prio 30 (integer average)", () => {
    const sda = sdPath({ dev: "sda", devT: "8:0", host: 0, prio: 50 });
    const sdb = sdPath({ dev: "sdb", devT: "8:16", host: 1, prio: 10 });
    const m = sdMap({
      alias: "mpatha",
      minor: 0,
      action: MapAction.UNDEF,
      groups: [{ paths: [sda, sdb], status: PgState.ACTIVE }],
    });
    expect(m.pg[0]!.priority).toBe(30);
    expect(ll([m])).toBe(transcriptOutput("conformance/multipathd/pg-policies.out", "multipath -ll", 3));
  });

  it("blacklist: a one-path map has no dev_t padding", () => {
    const sda = sdPath({ dev: "sda", devT: "8:0", host: 0, prio: 50 });
    const m = sdMap({
      alias: "mpatha",
      minor: 0,
      action: MapAction.UNDEF,
      groups: [{ paths: [sda], status: PgState.ACTIVE }],
    });
    expect(ll([m])).toBe(transcriptOutput("conformance/multipathd/blacklist.out", "multipath -ll", 1));
  });

  it("failback-manual: chk_st column padded to 'faulty' across the map's paths", () => {
    const { maps, paths } = llWorld();
    const [sda] = paths;
    sda!.state = PathState.DOWN;
    sda!.dmstate = DmPathState.FAILED;
    sda!.offline = true;
    maps[0]!.pg[0]!.status = PgState.ENABLED;
    maps[0]!.pg[0]!.priority = 0;
    maps[0]!.pg[1]!.status = PgState.ACTIVE;
    expect(ll(maps)).toBe(transcriptOutput("conformance/multipathd/failback-manual.out", "multipath -ll", 2));
  });

  it("two-luns: each map sized on its own paths", () => {
    const mk = (dev: string, devT: string, host: number, lun: number) =>
      sdPath({ dev, devT, host, lun, prio: host === 0 ? 50 : 10, sectors: 16384 });
    const a = sdMap({
      alias: "mpatha",
      minor: 0,
      sectors: 16384,
      action: MapAction.UNDEF,
      groups: [
        { paths: [mk("sda", "8:0", 0, 0)], status: PgState.ACTIVE },
        { paths: [mk("sdc", "8:32", 1, 0)], status: PgState.ENABLED },
      ],
    });
    const b = sdMap({
      alias: "mpathb",
      wwid: "333333330000007d1",
      minor: 1,
      sectors: 16384,
      action: MapAction.UNDEF,
      groups: [
        { paths: [mk("sdb", "8:16", 0, 1)], status: PgState.ACTIVE },
        { paths: [mk("sdd", "8:48", 1, 1)], status: PgState.ENABLED },
      ],
    });
    const f = "conformance/multipathd/two-luns.out";
    expect(ll([a, b])).toBe(transcriptOutput(f, "multipath -ll"));
    expect(ll([a, b], 1)).toBe(transcriptOutput(f, "multipath -ll -v1"));
  });

  it("names-alias: an alias prints '(wwid)', a WWID name does not", () => {
    const { maps } = llWorld();
    maps[0]!.alias = "lab_disk";
    expect(ll(maps)).toBe(transcriptOutput("conformance/multipathd/names-alias.out", "multipath -ll"));
    maps[0]!.alias = maps[0]!.wwid;
    expect(ll(maps, 1)).toBe(transcriptOutput("conformance/multipathd/names-alias.out", "multipath -ll -v1"));
    expect(multipathStyle(maps[0]!, 2)).toBe("%n %d %s");
  });

  it("no-path-retry: features '1 queue_if_no_path'", () => {
    const { maps } = llWorld();
    maps[0]!.features = "1 queue_if_no_path";
    expect(ll(maps)).toBe(
      transcriptOutput("conformance/multipathd/no-path-retry-queue.out", "multipath -ll", 1),
    );
  });

  it("the action prefix appears only from verbosity 2 and only for real actions", () => {
    const { maps } = twoPathWorld();
    const m = maps[0]!;
    expect(formatMultipathTopology(m, 2, env).split("\n")[0]).toBe(
      "create: mpatha (333333330000007d0) dm-0 Linux,scsi_debug",
    );
    for (const [action, prefix] of [
      [MapAction.RELOAD, "reload: "],
      [MapAction.SWITCHPG, "switchpg: "],
      [MapAction.RENAME, "rename: "],
      [MapAction.REJECT, "reject: "],
      // Actions without a name still get the prefix, with an empty name.
      [MapAction.RESIZE, ": "],
      [MapAction.DRY_RUN, ": "],
      [MapAction.NOTHING, ""],
      [MapAction.UNDEF, ""],
      [MapAction.IMPOSSIBLE, ""],
    ] as const) {
      m.action = action;
      expect(formatMultipathTopology(m, 2, env).split("\n")[0]).toBe(
        `${prefix}mpatha (333333330000007d0) dm-0 Linux,scsi_debug`,
      );
    }
  });

  it("wraps the header in bold escapes for a terminal", () => {
    const { maps } = llWorld();
    expect(formatMultipathTopology(maps[0]!, 2, env, { tty: true }).split("\n")[0]).toBe(
      "\x1b[1mmpatha (333333330000007d0) dm-0 Linux,scsi_debug\x1b[0m",
    );
  });
});

describe("multipath -v3 -d (golden lab)", () => {
  it("prints the paths list and the dry-run topology of a map not yet in the kernel", () => {
    const { maps, paths } = twoPathWorld();
    const m = maps[0]!;
    // Before the paths are adopted: no map, no checker verdict in the list.
    for (const pp of paths) {
      pp.mpp = null;
      pp.dmstate = DmPathState.UNDEF;
      pp.initialized = InitState.OK;
    }
    const list = formatAllPaths(paths, true, env);
    for (const pp of paths) pp.mpp = m;
    m.dmi = null;
    m.action = MapAction.DRY_RUN;
    for (const pg of m.pg) pg.status = PgState.UNDEF;
    const topo = formatMultipathTopology(m, 2, env);
    const golden = transcriptOutput("lab/kernel/golden/multipathd.out", "multipath -v3 -d");
    expect(golden.endsWith(list + topo)).toBe(true);
  });

  it("prints the no-paths banner for an empty list", () => {
    expect(formatAllPaths([], true, env)).toBe("===== no paths =====\n");
    expect(formatAllPaths([], false, env)).toBe("");
  });
});
