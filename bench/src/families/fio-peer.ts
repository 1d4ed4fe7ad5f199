/**
 * The peer: fio's null engine, the same access pattern as the simulated I/O path (4 KiB random
 * reads, iodepth 32), on the same CPU (the runner pins this family's process, and fio inherits
 * the affinity). fio's null engine completes every I/O at once, so its IOPS are what a real
 * I/O engine's bookkeeping costs on this core: the yardstick for the model's I/O path.
 */
import { spawnSync } from "node:child_process";
import { type BenchContext, type BenchResult, skipped, spreadOfSamples } from "../harness.js";

const FAMILY = "fio-peer";

/** The command line of the issue, plus `--size`, which the null engine requires. */
export function fioArgs(runtimeSec: number): string[] {
  return [
    "--ioengine=null",
    "--rw=randread",
    "--bs=4k",
    "--iodepth=32",
    "--time_based",
    `--runtime=${runtimeSec}`,
    "--size=1g",
    "--name=null",
    "--output-format=json",
  ];
}

/** fio's version, or null when it is not installed. */
export function fioVersion(): string | null {
  const r = spawnSync("fio", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Tries Debian's package (root only); returns the version after, or null. */
function installFio(ctx: BenchContext): string | null {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return null;
  ctx.log("fio is missing: apt-get install -y fio");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "fio"], { stdio: "ignore", env, timeout: 180_000 });
  if (r.status !== 0) {
    spawnSync("apt-get", ["update"], { stdio: "ignore", env, timeout: 180_000 });
    r = spawnSync("apt-get", ["install", "-y", "fio"], { stdio: "ignore", env, timeout: 180_000 });
  }
  return fioVersion();
}

interface FioRun {
  readonly iops: number;
  readonly usrPct: number;
  readonly sysPct: number;
}

/** One fio run; throws with fio's own message when it fails. */
function runFio(runtimeSec: number): FioRun {
  const r = spawnSync("fio", fioArgs(runtimeSec), { encoding: "utf8", timeout: (runtimeSec + 30) * 1000 });
  if (r.status !== 0) throw new Error(`fio failed (${r.status}): ${r.stderr || r.stdout}`);
  const doc = JSON.parse(r.stdout) as {
    jobs: { read: { iops: number }; usr_cpu: number; sys_cpu: number }[];
  };
  const job = doc.jobs[0];
  if (!job) throw new Error("fio printed no job");
  return { iops: job.read.iops, usrPct: job.usr_cpu, sysPct: job.sys_cpu };
}

/** Runs the family (or the case `ctx.caseName` of it). */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  let version = fioVersion();
  // A smoke run (CI) never installs anything: it measures fio only where it is present.
  if (!version && !ctx.smoke) version = installFio(ctx);
  if (!version)
    return [
      skipped(
        FAMILY,
        "null/randread-4k/qd32",
        "fio null engine, 4 KiB random reads, iodepth 32",
        "IOPS",
        ctx.smoke
          ? "fio is not installed (a smoke run does not install it)"
          : "fio is not installed and apt-get could not install it",
      ),
    ];
  const runtime = ctx.smoke ? 1 : 5;
  const runs = ctx.smoke ? 1 : 3;
  const results: FioRun[] = [];
  for (let i = 0; i < runs; i++) {
    ctx.log(`${version} run ${i + 1}/${runs} (${runtime} s)`);
    results.push(runFio(runtime));
  }
  const spread = spreadOfSamples(results.map((r) => r.iops));
  const cpuPct = results.reduce((a, r) => a + r.usrPct + r.sysPct, 0) / results.length;
  return [
    {
      id: `${FAMILY}/null/randread-4k/qd32`,
      family: FAMILY,
      name: "fio null engine, 4 KiB random reads, iodepth 32",
      unit: "IOPS",
      value: spread.p50,
      spread,
      extra: {
        fio: version,
        runtimeSec: runtime,
        cpuPct,
        // fio's job thread does not keep its core busy: its IOPS per CPU-second, for reference.
        iopsPerCpuSecond: cpuPct > 0 ? spread.p50 / (cpuPct / 100) : null,
      },
    },
  ];
}
