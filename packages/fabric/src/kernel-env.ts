import type {
  BlockLayer,
  Clock,
  KernelLog,
  ModuleRegistry,
  Registry,
  ScsiDeviceHandlerType,
  UeventBus,
} from "@mp/dm-core";

/**
 * The parts of a kernel (`createKernel()` of @mp/dm-core) the fabric's drivers plug into: the
 * log, the uevent socket, the block layer, the module registry and the device-handler registry.
 */
export interface FabricKernel {
  readonly clock: Clock;
  readonly log: KernelLog;
  readonly uevents: UeventBus;
  readonly block: BlockLayer;
  readonly modules: ModuleRegistry;
  readonly handlers: Registry<ScsiDeviceHandlerType>;
  /** `inc_diskseq()`: the kernel-wide disk sequence (sd, dm and loop disks share it). */
  readonly diskSeq: { next(): number };
}

/** The smallest-free-id allocator the kernel uses for host numbers, sd indexes, sg minors (`ida`). */
export class Ida {
  readonly #used = new Set<number>();

  alloc(): number {
    let i = 0;
    while (this.#used.has(i)) i++;
    this.#used.add(i);
    return i;
  }

  free(id: number): void {
    this.#used.delete(id);
  }

  has(id: number): boolean {
    return this.#used.has(id);
  }
}
