/**
 * The simulated I/O path, end to end: the workload engine issues 4 KiB random reads to a dm
 * multipath map (request-based, one group of four paths, service-time), the target maps each
 * request to an sd disk, the SCSI midlayer sends the READ through an FC HBA and a link to a LIO
 * array's LUN, and the completion comes back up the same stack on the virtual clock. The figure
 * is simulated I/Os per CPU-second of this process (every thread counted).
 *
 * "With verify": a sequential write job with `verify=crc32c` fills the region first (not
 * measured), then the random-read job checks every block it reads against what was written.
 *
 * The layers, for the gap analysis (iodepth 32, no verify, each in its own process): the
 * workload engine alone on a timed RAM disk, then the engine over a dm multipath map of four
 * RAM disks. What the full stack costs beyond them is the SCSI midlayer, transport and target.
 */
import {
  type BlockDevice,
  type Clock,
  createKernel,
  createRng,
  formatDevT,
  mkdev,
  type Rng,
  VirtualClock,
} from "@mp/dm-core";
import { type JobOptions, RamBlockDevice, runWorkload, type SimWorld, startWorkload } from "@mp/fabric";
import { type BenchContext, type BenchResult, cpuMs, unitsPerCpuSecond } from "../harness.js";
import { buildSan, createMultibusMap } from "../worlds.js";

const FAMILY = "io-path";

/**
 * Virtual time the world starts at. V8 keeps small integers (< 2^30) apart from doubles; the
 * first time the clock passes 2^30 ns (~1.07 s), every object holding a timestamp changes shape
 * and the optimised code is thrown away and rebuilt. Any run longer than a second of virtual time
 * pays that once; starting at 10 s keeps the one-off out of the steady state measured here.
 */
const START_NS = 10_000_000_000;

/** The map every case runs on: 4 paths to one LUN. */
export function ioPathWorld(): { world: SimWorld; map: BlockDevice } {
  const san = buildSan({ luns: 1, lunMb: 1024, world: { startNs: START_NS } });
  const [paths] = san.pathsByLun();
  if (paths?.length !== 4) throw new Error(`expected 4 paths, got ${paths?.length ?? 0}`);
  const map = createMultibusMap(san.world, "mpatha", paths, "service-time");
  return { world: san.world, map };
}

/** A world to run workloads in: its clock and randomness. */
interface WorkloadWorld {
  readonly clock: VirtualClock;
  readonly rng: Rng;
}

/** One iteration without verify: `size` of random 4 KiB reads. Returns the I/Os completed. */
function readsOnce(
  world: WorkloadWorld,
  map: BlockDevice,
  iodepth: number,
  size: string,
  seq: number,
): number {
  const report = runWorkload({
    clock: world.clock,
    rng: world.rng.fork(`io-path:${seq}`),
    device: map,
    jobs: [{ name: "randread", rw: "randread", bs: "4k", iodepth, size }],
  });
  const job = report.jobs[0]!;
  if (job.error !== 0 || job.read.errors > 0) throw new Error(`randread failed: ${job.errorText}`);
  return job.read.ios;
}

/**
 * The lower layers replaced by timed RAM disks (100 µs, like the array's LUN): four of them under
 * a dm multipath map, or (`dm` false) one used directly.
 */
function ramWorld(dm: boolean): { world: WorkloadWorld; dev: BlockDevice } {
  const clock = new VirtualClock(START_NS);
  const world = { clock, rng: createRng("mp-bench") };
  const rams = [0, 1, 2, 3].map(
    (i) =>
      new RamBlockDevice(clock as Clock, {
        name: `ram${i}`,
        devt: mkdev(1, i),
        sizeBytes: 2 ** 30,
        delayNs: 100_000,
        store: false,
      }),
  );
  if (!dm) return { world, dev: rams[0]! };
  const k = createKernel({ clock });
  for (const r of rams) k.block.register(r);
  for (const m of ["dm_mod", "dm-multipath", "dm-service-time"]) {
    const r = k.modules.load(m);
    if (!r.ok) throw new Error(`modprobe ${m}: errno ${r.errno}`);
  }
  const params = `0 0 1 1 service-time 0 4 2 ${rams.map((r) => `${formatDevT(r.devt)} 1 1`).join(" ")}`;
  const c = k.dm.create("mpatha");
  if (!c.ok) throw new Error(`dm create: errno ${c.errno}`);
  const l = k.dm.load("mpatha", [{ start: 0, length: 2 ** 21, type: "multipath", params }]);
  if (!l.ok) throw new Error(`dm load: errno ${l.errno}`);
  const r = k.dm.resume("mpatha");
  if (!r.ok) throw new Error(`dm resume: errno ${r.errno}`);
  return { world, dev: k.block.get(c.value.devt)! };
}

/** One iteration with verify; times only the read phase. */
function verifiedReadsOnce(
  world: SimWorld,
  map: BlockDevice,
  iodepth: number,
  size: string,
  seq: number,
): { units: number; cpuMs: number } {
  const jobs: JobOptions[] = [
    { name: "fill", rw: "write", bs: "4k", iodepth: 32, size, verify: "crc32c", do_verify: 0 },
    { name: "check", rw: "randread", bs: "4k", iodepth, size, verify: "crc32c", stonewall: 1 },
  ];
  const clock = world.clock;
  const run = startWorkload({ clock, rng: world.rng.fork(`io-path-verify:${seq}`), device: map, jobs });
  const reader = run.threads[1]!;
  while (reader.phase === "idle" && clock.runNext()) {}
  const c0 = cpuMs();
  while (!run.done && clock.runNext()) {}
  const c1 = cpuMs();
  const report = run.report();
  const check = report.jobs[1]!;
  const v = check.verify;
  if (!run.done || check.error !== 0 || !v || v.failures > 0 || v.checked !== check.read.ios)
    throw new Error(
      `verify run broken: done=${run.done} err=${check.errorText} checked=${v?.checked} ios=${check.read.ios}`,
    );
  return { units: check.read.ios, cpuMs: c1 - c0 };
}

/** Runs the family (or the case `ctx.caseName` of it). */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  // 256 MiB of 4 KiB blocks per iteration (65,536 I/Os); a smoke run does 1 MiB.
  const size = ctx.smoke ? "1m" : "256m";
  const out: BenchResult[] = [];
  let seq = 0;
  if (ctx.caseName === "layers") {
    for (const dm of [false, true]) {
      const { world, dev } = ramWorld(dm);
      const id = `layers/${dm ? "engine+dm" : "engine"}/randread-4k/qd32`;
      ctx.log(id);
      out.push(
        await unitsPerCpuSecond(ctx, {
          family: FAMILY,
          id,
          name: dm
            ? "layers: workload engine + dm multipath over 4 RAM disks, iodepth 32"
            : "layers: workload engine alone, one RAM disk, iodepth 32",
          unit: "IO/CPU-s",
          fn: () => readsOnce(world, dev, 32, size, seq++),
          it: { iterations: 10, timeMs: 1000, warmupIterations: 3 },
        }),
      );
    }
    return out;
  }
  const { world, map } = ioPathWorld();
  // "full": the plain random reads; "verify": the same with verify=crc32c (a process of its own,
  // see families/index.ts); "" (a direct call): both.
  const verifies = ctx.caseName === "full" ? [false] : ctx.caseName === "verify" ? [true] : [false, true];
  for (const verify of verifies) {
    for (const iodepth of [1, 32]) {
      const id = `randread-4k/qd${iodepth}${verify ? "/verify" : ""}`;
      ctx.log(id);
      out.push(
        await unitsPerCpuSecond(ctx, {
          family: FAMILY,
          id,
          name: `4 KiB random reads, iodepth ${iodepth}, 4 paths${verify ? ", verify crc32c" : ""}`,
          unit: "IO/CPU-s",
          fn: () =>
            verify
              ? verifiedReadsOnce(world, map, iodepth, size, seq++)
              : readsOnce(world, map, iodepth, size, seq++),
          // Eight warm-up passes (0.5 M I/Os): after the iodepth-1 case, V8 takes about six
          // passes at iodepth 32 to re-optimise for 32 in flight (the passes climb from 0.6 to
          // 1.6 M IO/CPU-s); with three, slow passes were sampled and pulled the median down.
          it: { iterations: verify ? 6 : 10, timeMs: 1000, warmupIterations: verify ? 3 : 8 },
        }),
      );
    }
  }
  return out;
}
