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
  /** Every id below it is in use (the search for the smallest free one starts here). */
  #hint = 0;

  alloc(): number {
    let i = this.#hint;
    while (this.#used.has(i)) i++;
    this.#used.add(i);
    this.#hint = i + 1;
    return i;
  }

  free(id: number): void {
    if (this.#used.delete(id) && id < this.#hint) this.#hint = id;
  }

  has(id: number): boolean {
    return this.#used.has(id);
  }
}
