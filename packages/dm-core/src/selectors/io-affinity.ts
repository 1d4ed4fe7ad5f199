import { CpuMask, cpumaskFormat, cpumaskParse } from "./cpumask.js";
import {
  type AddPathResult,
  type CreateSelectorResult,
  type DmPath,
  definePathSelector,
  type PathSelector,
  type PathSelectorEnv,
  type StatusType,
} from "./path-selector.js";
import { assertNever } from "./ps-util.js";

const PREFIX = "device-mapper: multipath io-affinity: ";

/** Per-path state: the mask as given (re-emitted in TABLE) and the failed flag. */
class IoaPathInfo {
  failed = false;

  constructor(
    readonly path: DmPath,
    readonly cpumask: CpuMask,
  ) {}
}

/**
 * io-affinity (dm-ps-io-affinity.c): each CPU is mapped to one path by the table's cpumasks
 * (first path to claim a CPU keeps it). An I/O goes to its CPU's path; if that is unmapped
 * (`map_misses` counts it) or failed, to the first usable path of a CPU on the same NUMA node,
 * then of any mapped CPU, in CPU order.
 */
class IoAffinity implements PathSelector {
  readonly #env: PathSelectorEnv;
  readonly #nrCpus: number;
  readonly #pathMap: Array<IoaPathInfo | null>;
  readonly #pathMask: CpuMask;
  /** CPUs of each NUMA node, ascending (`cpumask_of_node`), fixed at create. */
  readonly #nodeCpus = new Map<number, number[]>();
  /** Mapped CPUs in ascending order (iteration order of `path_mask`). */
  #mapped: number[] = [];
  #mapMisses = 0;

  constructor(env: PathSelectorEnv) {
    this.#env = env;
    this.#nrCpus = env.nrCpus;
    this.#pathMap = new Array<IoaPathInfo | null>(this.#nrCpus).fill(null);
    this.#pathMask = new CpuMask(this.#nrCpus);
    for (let cpu = 0; cpu < this.#nrCpus; cpu++) {
      const node = env.cpuToNode(cpu);
      let list = this.#nodeCpus.get(node);
      if (!list) this.#nodeCpus.set(node, (list = []));
      list.push(cpu);
    }
  }

  addPath(path: DmPath, args: readonly string[]): AddPathResult {
    if (args.length !== 1) return { ok: false, error: "io-affinity ps: invalid number of arguments" };
    const mask = cpumaskParse(args[0]!, this.#nrCpus);
    if (typeof mask === "number") return { ok: false, error: "io-affinity ps: invalid cpumask" };
    const pi = new IoaPathInfo(path, mask);
    path.pscontext = pi;
    let mappedNow = 0;
    for (const cpu of mask.cpus()) {
      // Unreachable while the mask is nr_cpu_ids wide, as on 6.1; kept as the kernel has it.
      if (cpu >= this.#nrCpus) {
        this.#env.warnRatelimited(
          "ioa_add_path",
          `${PREFIX}Ignoring mapping for CPU ${cpu}. Max CPU is ${this.#nrCpus}`,
        );
        break;
      }
      if (this.#pathMap[cpu]) {
        this.#env.warn(`${PREFIX}CPU mapping for ${cpu} exists. Ignoring.`);
        continue;
      }
      this.#pathMask.set(cpu);
      this.#pathMap[cpu] = pi;
      mappedNow++;
    }
    if (mappedNow === 0) return { ok: false, error: "io-affinity ps: No new/valid CPU mapping found" };
    this.#mapped = this.#pathMask.cpus();
    return { ok: true };
  }

  failPath(path: DmPath): void {
    (path.pscontext as IoaPathInfo).failed = true;
  }

  reinstatePath(path: DmPath): number {
    (path.pscontext as IoaPathInfo).failed = false;
    return 0;
  }

  select(_nrBytes: number, cpu: number): DmPath | null {
    const own = cpu >= 0 && cpu < this.#nrCpus ? this.#pathMap[cpu]! : null;
    if (own && !own.failed) return own.path;
    if (!own) this.#mapMisses = (this.#mapMisses + 1) | 0;
    const local = this.#nodeCpus.get(this.#env.cpuToNode(cpu));
    if (local) {
      for (let i = 0; i < local.length; i++) {
        const pi = this.#pathMap[local[i]!];
        if (pi && !pi.failed) return pi.path;
      }
    }
    const mapped = this.#mapped;
    for (let i = 0; i < mapped.length; i++) {
      const pi = this.#pathMap[mapped[i]!];
      if (pi && !pi.failed) return pi.path;
    }
    return null;
  }

  status(path: DmPath | null, type: StatusType): string {
    if (path === null) return "0";
    switch (type) {
      case "info":
        return String(this.#mapMisses);
      case "table":
        return cpumaskFormat((path.pscontext as IoaPathInfo).cpumask);
      case "ima":
        return "";
      default:
        return assertNever(type);
    }
  }

  destroy(): void {
    this.#pathMap.fill(null);
    this.#mapped = [];
  }
}

/** The `io-affinity` path selector (module `dm-io-affinity`; 6.1 gives it no version string). */
export const ioAffinitySelector = definePathSelector({
  name: "io-affinity",
  version: [0, 0, 0],
  tableArgs: 1,
  infoArgs: 1,
  create(_args: readonly string[], env: PathSelectorEnv): CreateSelectorResult {
    return { ok: true, selector: new IoAffinity(env) };
  },
});
