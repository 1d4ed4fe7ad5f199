/**
 * The kernel aggregate: one simulated Linux 6.1 kernel — its log, uevent socket, block layer,
 * modules, plugin registries, device-mapper and loop driver — built by {@link createKernel}.
 * Nothing takes effect before its module is loaded (`modprobe`, or the kernel's own
 * `request_module` autoload), as on a fresh machine.
 */

import { BlockLayer } from "../block/block-layer.js";
import { type LoopDevice, LoopDriver } from "../block/loop.js";
import { PageCache } from "../block/page-cache.js";
import { Errno } from "../block/status.js";
import type { Clock } from "../clock/clock.js";
import { DeviceMapper } from "../dm/device-mapper.js";
import type { DmTargetType } from "../dm/target.js";
import type { ScsiDeviceHandlerType } from "../handlers/handler.js";
import { Registry } from "../registry.js";
import type { PathSelectorType } from "../selectors/path-selector.js";
import { builtinModules, type KernelConfig } from "./builtin-modules.js";
import { KernelLog } from "./log.js";
import { type KernelModule, ModuleRegistry } from "./modules.js";
import { UeventBus } from "./uevent.js";

export type { KernelConfig } from "./builtin-modules.js";

/** Options of {@link createKernel}. */
export interface KernelOptions {
  /** The world's clock. */
  readonly clock: Clock;
  /** `nr_cpu_ids` (default 2). */
  readonly nrCpus?: number;
  /** `uname -r` (default `6.1.0-mp`). */
  readonly release?: string;
  /**
   * Kernel config. The selectors historical-service-time and io-affinity exist only when
   * enabled; Debian's 6.1 has both off (the conformance transcripts use `{false, false}`).
   * Default: both on.
   */
  readonly config?: Partial<KernelConfig>;
  /** Extra modules to offer to modprobe (the fabric's `scsi_debug`, plugins). */
  readonly modules?: readonly KernelModule[];
  /** Fixed service time of each loop device I/O (default 20 µs). */
  readonly loopServiceTimeNs?: number;
  /** Copy bandwidth of a loop device's worker, bytes/s (default 2 GB/s; Infinity: none). */
  readonly loopBandwidthBytesPerSec?: number;
  /** Kernel log capacity in lines (default 100 000). */
  readonly logCapacity?: number;
}

/** One simulated kernel. */
export interface Kernel {
  readonly clock: Clock;
  readonly log: KernelLog;
  readonly uevents: UeventBus;
  readonly block: BlockLayer;
  readonly modules: ModuleRegistry;
  readonly targets: Registry<DmTargetType>;
  readonly selectors: Registry<PathSelectorType>;
  readonly handlers: Registry<ScsiDeviceHandlerType>;
  /** device-mapper; implements `DmControl` (what `/dev/mapper/control` offers user space). */
  readonly dm: DeviceMapper;
  /** Buffered I/O on block devices (opens without O_DIRECT). */
  readonly pageCache: PageCache;
  readonly loop: LoopDriver;
  readonly nrCpus: number;
  readonly release: string;
  readonly config: KernelConfig;
  /** The kernel's disk sequence numbers (`inc_diskseq`): drivers of new disks take the next one. */
  readonly diskSeq: DiskSeq;
  /**
   * `losetup /dev/loopN FILE` with a fresh `truncate -s SIZE` file (the conformance `@loop`
   * directive): loads `loop` if needed. `dev` is `loopN` or `/dev/loopN`.
   */
  losetup(
    dev: string,
    sizeBytes: number,
    options?: { readonly readOnly?: boolean },
  ): { readonly ok: true; readonly dev: LoopDevice } | { readonly ok: false; readonly errno: number };
}

/** `diskseq`: one kernel-wide counter; every gendisk (sd, dm, loop) and media change takes the next. */
export class DiskSeq {
  #last = 0;

  next(): number {
    return ++this.#last;
  }

  get last(): number {
    return this.#last;
  }
}

/** Builds a kernel: nothing loaded, no devices, every module offered. */
export function createKernel(options: KernelOptions): Kernel {
  const clock = options.clock;
  const nrCpus = options.nrCpus ?? 2;
  const release = options.release ?? "6.1.0-mp";
  const config: KernelConfig = Object.freeze({
    DM_MULTIPATH_HST: options.config?.DM_MULTIPATH_HST ?? true,
    DM_MULTIPATH_IOA: options.config?.DM_MULTIPATH_IOA ?? true,
  });
  const log = new KernelLog(clock, options.logCapacity);
  const uevents = new UeventBus();
  const block = new BlockLayer(log);
  const modules = new ModuleRegistry();
  const targets = new Registry<DmTargetType>("target type");
  const selectors = new Registry<PathSelectorType>("path selector");
  const handlers = new Registry<ScsiDeviceHandlerType>("device handler");
  const diskSeq = new DiskSeq();
  const nextDiskSeq = (): number => diskSeq.next();
  const loop = new LoopDriver({
    clock,
    nextDiskSeq,
    log,
    block,
    uevents,
    ...(options.loopServiceTimeNs !== undefined ? { serviceTimeNs: options.loopServiceTimeNs } : {}),
    ...(options.loopBandwidthBytesPerSec !== undefined
      ? { bandwidthBytesPerSec: options.loopBandwidthBytesPerSec }
      : {}),
  });
  const dm = new DeviceMapper({
    clock,
    log,
    block,
    uevents,
    modules,
    targets,
    selectors,
    handlers,
    nrCpus,
    nextDiskSeq,
  });
  for (const m of builtinModules({ log, targets, selectors, handlers, loop, config })) modules.offer(m);
  for (const m of options.modules ?? []) modules.offer(m);
  const pageCache = new PageCache(block, clock, log);

  return {
    clock,
    log,
    uevents,
    block,
    modules,
    targets,
    selectors,
    handlers,
    dm,
    pageCache,
    loop,
    nrCpus,
    release,
    config,
    diskSeq,
    losetup(dev, sizeBytes, opts = {}) {
      const m = /^(?:\/dev\/)?loop(\d+)$/.exec(dev);
      if (!m) return { ok: false, errno: Errno.ENOENT };
      if (!modules.isLoaded("loop")) {
        const r = modules.load("loop");
        if (!r.ok) return { ok: false, errno: r.errno };
      }
      return loop.attach(Number(m[1]), sizeBytes, opts);
    },
  };
}
