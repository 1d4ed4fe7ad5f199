import type { BlockLayer } from "../block/block-layer.js";
import type { DevT } from "../block/devt.js";
import type { Clock } from "../clock/clock.js";
import type { ScsiDeviceHandlerType } from "../handlers/handler.js";
import type { KernelLog } from "../kernel/log.js";
import type { ModuleRegistry } from "../kernel/modules.js";
import type { UeventBus } from "../kernel/uevent.js";
import type { Registry } from "../registry.js";
import type { PathSelectorType } from "../selectors/path-selector.js";
import type { RateLimit } from "./dm-log.js";
import type { DmTargetType } from "./target.js";

/** The kernel services dm core runs on, shared by every mapped device of one kernel. */
export interface DmContext {
  readonly clock: Clock;
  readonly log: KernelLog;
  readonly block: BlockLayer;
  readonly uevents: UeventBus;
  readonly modules: ModuleRegistry;
  readonly targets: Registry<DmTargetType>;
  readonly selectors: Registry<PathSelectorType>;
  readonly handlers: Registry<ScsiDeviceHandlerType>;
  readonly nrCpus: number;
  /** The block major of device-mapper (254 on the reference kernel). */
  readonly major: number;
  /** `dm_issue_global_event()`: wakes `DM_DEV_ARM_POLL` pollers. */
  issueGlobalEvent(): void;
  /** The dev_t of a device node path (`/dev/loop0`, `/dev/mapper/x`), for `lookup_bdev`. */
  nodeDevt(path: string): DevT | undefined;
  /** Queues `dm_deferred_remove()` (the kdmremove work). */
  queueDeferredRemove(): void;
  /** `inc_diskseq()`: the next disk sequence number of the kernel (every gendisk takes one). */
  nextDiskSeq(): number;
  /** The kernel-wide `printk_ratelimited` state of the call site in function `func`. */
  ratelimit(func: string): RateLimit;
}
