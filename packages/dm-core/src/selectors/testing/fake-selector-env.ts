import type { BlockDevice } from "../../block/block-device.js";
import { mkdev } from "../../block/devt.js";
import type { DmDev } from "../../dm/target.js";
import type { DmPath, PathSelectorEnv } from "../path-selector.js";

/** A PathSelectorEnv for selector unit tests: a settable clock and recorded warnings. */
export class FakeSelectorEnv implements PathSelectorEnv {
  time = 0;
  readonly warnings: string[] = [];
  readonly limited: Array<{ callsite: string; text: string }> = [];
  readonly nrCpus: number;
  readonly #nodes: readonly number[];

  /** @param nodes NUMA node of each CPU (its length is nr_cpu_ids). */
  constructor(nodes: readonly number[] = [0, 0, 0, 0]) {
    this.#nodes = nodes;
    this.nrCpus = nodes.length;
  }

  now(): number {
    return this.time;
  }

  warn(text: string): void {
    this.warnings.push(text);
  }

  warnRatelimited(callsite: string, text: string): void {
    this.limited.push({ callsite, text });
  }

  cpuToNode(cpu: number): number {
    return this.#nodes[cpu] ?? 0;
  }
}

/** A DmPath on device `7:minor` (the block device is never used by selectors). */
export function fakePath(minor: number): DmPath {
  const devt = mkdev(7, minor);
  const dev: DmDev = { devt, name: `7:${minor}`, bdev: {} as BlockDevice };
  return { dev, pscontext: null };
}

/** Device names of paths, for compact assertions. */
export function names(paths: ReadonlyArray<DmPath | null>): string[] {
  return paths.map((p) => (p ? p.dev.name : "-"));
}
