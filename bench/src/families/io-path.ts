/**
 * The simulated I/O path, end to end: the workload engine issues 4 KiB random reads to a dm
 * multipath map (request-based, one group of four paths, service-time), the target maps each
 * request to an sd disk, the SCSI midlayer sends the READ through an FC HBA and a link to a LIO
 * array's LUN, and the completion comes back up the same stack on the virtual clock. The figure
 * is simulated I/Os per CPU-second of this process (every thread counted).
 *
 * "With verify": a sequential write job with `verify=crc32c` fills the region first (not
 * measured), then the random-read job checks every block it reads against what was written.
 */
import type { BlockDevice } from "@mp/dm-core";
import { type JobOptions, runWorkload, type SimWorld, startWorkload } from "@mp/fabric";
import { type BenchContext, type BenchResult, cpuMs, type Family, unitsPerCpuSecond } from "../harness.js";
import { buildSan, createMultibusMap } from "../worlds.js";

const FAMILY = "io-path";

/** The map every case runs on: 4 paths to one LUN. */
export function ioPathWorld(): { world: SimWorld; map: BlockDevice } {
  const san = buildSan({ luns: 1, lunMb: 1024 });
  const [paths] = san.pathsByLun();
  if (paths?.length !== 4) throw new Error(`expected 4 paths, got ${paths?.length ?? 0}`);
  const map = createMultibusMap(san.world, "mpatha", paths, "service-time");
  return { world: san.world, map };
}

/** One iteration without verify: `size` of random 4 KiB reads. Returns the I/Os completed. */
function readsOnce(world: SimWorld, map: BlockDevice, iodepth: number, size: string, seq: number): number {
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

export const ioPathFamily: Family = {
  id: FAMILY,
  title: "I/O path end to end: workload → dm → multipath → selector → sd → FC → LUN → completion",
  pin: true,
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const { world, map } = ioPathWorld();
    // 256 MiB of 4 KiB blocks per iteration (65,536 I/Os); a smoke run does 1 MiB.
    const size = ctx.smoke ? "1m" : "256m";
    const out: BenchResult[] = [];
    let seq = 0;
    for (const iodepth of [1, 32]) {
      for (const verify of [false, true]) {
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
            it: { iterations: verify ? 6 : 10, timeMs: 1000, warmupIterations: 3 },
          }),
        );
      }
    }
    return out;
  },
};
