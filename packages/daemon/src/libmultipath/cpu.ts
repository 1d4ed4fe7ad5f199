/**
 * The time a multipath-tools process spends computing, in virtual time.
 *
 * Everything the simulated kernel does takes virtual time (a SCSI command on scsi_debug takes a
 * jiffy), but user space would take none: a whole `configure()` over a hundred paths would happen
 * in one instant, and an asynchronous TUR started during discovery would still be pending when
 * `adopt_paths` looks at it a moment later. On a real machine that gap is filled by sysfs reads,
 * udev database lookups, file locking and the like. The daemon and the tool therefore pay a cost
 * at a few points that stand for such work, chosen so the order of events matches a real run.
 *
 * Costs are per process (one {@link CpuCosts} per daemon or tool run) and charged by awaiting
 * {@link spendCpu}, so they need an async caller; all of them happen where 0.9.4 does blocking
 * work anyway.
 */
import type { Clock } from "@mp/dm-core";

/** Virtual nanoseconds charged for each kind of work. */
export interface CpuCosts {
  /** One `pathinfo` with sysfs/udev attribute reads (`DI_SYSFS`…): per path discovered. */
  readonly pathinfo: number;
  /** One `setup_map` (the `select_*` walk over the config, alias lookup, table assembly). */
  readonly setupMap: number;
  /** One device-mapper ioctl round trip (libdevmapper task create/run/destroy). */
  readonly dmIoctl: number;
  /** One path in the checker loop (`check_path` bookkeeping outside the checker itself). */
  readonly checkPath: number;
  /** One uevent taken off the queue (`uevent_dispatch` → `uev_trigger`). */
  readonly uevent: number;
  /** One CLI request in the daemon (parse, lock, answer). */
  readonly cliRequest: number;
  /** A client process (`multipathd -k…`, `multipath`) from exec to its first real work. */
  readonly processStart: number;
  /** A client process from its last output to its exit. */
  readonly processExit: number;
  /**
   * The `multipath` tool's start beyond {@link processStart}: the configuration, the checker
   * and prioritizer libraries, `dm_prereq`, and printing its topology.
   */
  readonly toolInit: number;
}

const MS = 1_000_000;

/**
 * Calibrated on the kernel lab (qemu TCG, the machine every conformance transcript was recorded
 * on): `multipath -v3 -d`'s timestamps give ~30 ms per discovered path and ~10 ms from one map's
 * first selector line to its table; ten `multipathd show daemon` calls move the checker countdown
 * by two seconds, ten `multipath -ll` by seven (a `multipath` run is process start, tool
 * start, ~30 ms per path and the exit).
 */
export const LAB_CPU_COSTS: CpuCosts = {
  pathinfo: 30 * MS,
  setupMap: 10 * MS,
  dmIoctl: 2 * MS,
  checkPath: 1 * MS,
  uevent: 5 * MS,
  cliRequest: 2 * MS,
  processStart: 150 * MS,
  processExit: 50 * MS,
  toolInit: 400 * MS,
};

/** A native machine: two orders of magnitude faster than the emulated lab. */
export const NATIVE_CPU_COSTS: CpuCosts = {
  pathinfo: 300_000,
  setupMap: 100_000,
  dmIoctl: 20_000,
  checkPath: 10_000,
  uevent: 50_000,
  cliRequest: 20_000,
  processStart: 1_500_000,
  processExit: 500_000,
  toolInit: 4_000_000,
};

/** No cost at all: user space is infinitely fast (unit tests of pure ordering). */
export const NO_CPU_COSTS: CpuCosts = {
  pathinfo: 0,
  setupMap: 0,
  dmIoctl: 0,
  checkPath: 0,
  uevent: 0,
  cliRequest: 0,
  processStart: 0,
  processExit: 0,
  toolInit: 0,
};

/** A named cost profile or explicit costs. */
export type CpuProfile = "lab" | "native" | "none" | CpuCosts;

/** The costs a profile stands for. */
export function cpuCosts(p: CpuProfile | undefined): CpuCosts {
  if (p === undefined || p === "lab") return LAB_CPU_COSTS;
  if (p === "native") return NATIVE_CPU_COSTS;
  if (p === "none") return NO_CPU_COSTS;
  return p;
}

/** Lets `ns` of virtual time pass (nothing when 0, so a zero profile changes no ordering). */
export function spendCpu(clock: Clock, ns: number): Promise<void> | undefined {
  if (ns <= 0) return undefined;
  return new Promise((resolve) => {
    clock.schedule(ns, resolve, undefined);
  });
}
