/** The machine a run measured: what the README's table needs to be read correctly. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

export interface MachineInfo {
  /** `lscpu` "Model name" (or /proc/cpuinfo's, or Node's). */
  readonly cpu: string;
  /** Logical CPUs online. */
  readonly cpus: number;
  /** `lscpu` "Hypervisor vendor", when virtualised. */
  readonly hypervisor: string | null;
  readonly memoryGiB: number;
  readonly node: string;
  readonly v8: string;
  readonly os: string;
  /** `taskset` is present, so pinned families ran on {@link MachineInfo.benchCpu}. */
  readonly taskset: boolean;
  readonly benchCpu: number;
}

function lscpu(): Map<string, string> {
  const r = spawnSync("lscpu", [], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
  const m = new Map<string, string>();
  if (r.status !== 0) return m;
  for (const line of r.stdout.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return m;
}

function cpuinfoModel(): string | null {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    return m ? m[1]!.trim() : null;
  } catch {
    return null;
  }
}

/** True when the `taskset` binary runs. */
export function hasTaskset(): boolean {
  return spawnSync("taskset", ["--version"], { stdio: "ignore" }).status === 0;
}

/** The CPU pinned families run on: the last one (CPU 0 takes most interrupts). */
export function benchCpu(): number {
  return Math.max(0, os.cpus().length - 1);
}

export function machineInfo(): MachineInfo {
  const l = lscpu();
  return {
    cpu: l.get("Model name") ?? cpuinfoModel() ?? os.cpus()[0]?.model ?? "unknown",
    cpus: os.cpus().length,
    hypervisor: l.get("Hypervisor vendor") ?? null,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    taskset: hasTaskset(),
    benchCpu: benchCpu(),
  };
}
