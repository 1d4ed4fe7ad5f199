import {
  createKernel,
  createRng,
  type Kernel,
  type KernelConfig,
  type KernelModule,
  type Rng,
  VirtualClock,
} from "@mp/dm-core";
import { Fabric } from "./hardware/fabric.js";
import { SimHost } from "./host/sim-host.js";
import type { MultipathU, UdevRule } from "./host/udev/rules.js";
import { NvmeCore } from "./nvme/nvme-core.js";
import { createScsiDebugModule, type ScsiDebugModule } from "./profiles/scsi-debug.js";
import { hbaDriverModule, scsiCoreModules } from "./scsi-ml/modules.js";
import { ScsiSubsystem } from "./scsi-ml/scsi-subsystem.js";
import { SysfsTree } from "./sysfs/tree.js";

/** FC HBA drivers the fabric offers (each binds the fabric HBAs that name it). */
export const FC_HBA_DRIVERS = ["qla2xxx", "lpfc"] as const;

/** The fabric's side of a world: everything it adds to a kernel. */
export interface FabricAttachment {
  readonly fabric: Fabric;
  readonly scsi: ScsiSubsystem;
  readonly sysfs: SysfsTree;
  readonly host: SimHost;
  readonly scsiDebug: ScsiDebugModule;
  /** The NVMe host driver (`nvme_core`, `nvme_fabrics`, the transports). */
  readonly nvme: NvmeCore;
}

/** Options of {@link attachFabric}. */
export interface AttachFabricOptions {
  readonly kernel: Kernel;
  readonly rng: Rng;
  /** Time udevd spends per event, ns (default 1 ms). */
  readonly udevEventNs?: number;
  /** `multipath -u` for 56-multipath.rules (the daemon provides it). */
  readonly multipathU?: MultipathU;
  readonly udevRules?: readonly UdevRule[];
}

/**
 * Adds the fabric to an existing kernel: the SCSI subsystem and its modules (`scsi_mod`,
 * `sd_mod`, `sg`, `scsi_transport_fc`, `scsi_debug`, the FC HBA drivers), the NVMe host driver
 * (`nvme_core`, `nvme_fabrics`, `nvme_tcp` …) offered to modprobe, sysfs, and the SimHost. Used by {@link createSimWorld} and by composition roots that already
 * made the kernel (the conformance machine).
 */
export function attachFabric(o: AttachFabricOptions): FabricAttachment {
  const { kernel } = o;
  const sysfs = new SysfsTree();
  const scsi = new ScsiSubsystem({ kernel, sysfs });
  const fabric = new Fabric(kernel.clock, o.rng.fork("fabric"));
  for (const m of scsiCoreModules(scsi)) kernel.modules.offer(m);
  const scsiDebug = createScsiDebugModule({ sub: scsi, fabric });
  kernel.modules.offer(scsiDebug.module);
  for (const name of FC_HBA_DRIVERS)
    kernel.modules.offer(hbaDriverModule(scsi, fabric, { name, transport: "fc" }));
  const nvme = new NvmeCore({ kernel, sysfs });
  for (const m of nvme.modules()) kernel.modules.offer(m);
  sysfs.mkdir("/sys/block");
  sysfs.mkdir("/sys/class/block");
  sysfs.mkdir("/sys/dev/block");
  sysfs.mkdir("/sys/bus/scsi/devices");
  sysfs.mkdir("/sys/bus/scsi/drivers/sd");
  sysfs.mkdir("/sys/class/scsi_host");
  sysfs.mkdir("/sys/class/scsi_device");
  sysfs.mkdir("/sys/class/scsi_disk");
  sysfs.mkdir("/sys/devices/virtual/block");
  sysfs.attr("/sys/kernel/uevent_seqnum", { show: () => `${kernel.uevents.seqnum}\n` });
  const host = new SimHost({
    kernel,
    sysfs,
    scsi,
    nvme,
    ...(o.udevEventNs !== undefined ? { udevEventNs: o.udevEventNs } : {}),
    ...(o.multipathU ? { multipathU: o.multipathU } : {}),
    ...(o.udevRules ? { rules: o.udevRules } : {}),
  });
  return { fabric, scsi, sysfs, host, scsiDebug, nvme };
}

/** Options of {@link createSimWorld}. */
export interface SimWorldOptions {
  /** Seed of every random choice in the world (string seeds are hashed). */
  readonly seed: number | string;
  /** Kernel config (Debian's 6.1 has both extra selectors off). */
  readonly kernelConfig?: Partial<KernelConfig>;
  /** Extra modules to offer to modprobe. */
  readonly modules?: readonly KernelModule[];
  readonly udevEventNs?: number;
  readonly multipathU?: MultipathU;
  readonly udevRules?: readonly UdevRule[];
  /** Start time of the clock, ns. */
  readonly startNs?: number;
}

/** A simulated machine: clock, randomness, kernel, hardware and the userspace view of it all. */
export interface SimWorld extends FabricAttachment {
  readonly clock: VirtualClock;
  readonly rng: Rng;
  readonly kernel: Kernel;
  /**
   * `modprobe NAME params…` with Linux's result; for the conformance `@modprobe` and tests.
   * Params as `key=value` strings.
   */
  modprobe(name: string, ...params: string[]): ReturnType<Kernel["modules"]["load"]>;
}

/**
 * The composition root of a simulated world: a fresh virtual clock, a seeded RNG, a kernel
 * (nothing loaded, as on a fresh machine) with the fabric's modules offered, an empty fabric to
 * build hardware in, and the SimHost user space runs on.
 */
export function createSimWorld(o: SimWorldOptions): SimWorld {
  const clock = new VirtualClock(o.startNs ?? 0);
  const rng = createRng(o.seed);
  const kernel = createKernel({
    clock,
    ...(o.kernelConfig ? { config: o.kernelConfig } : {}),
    ...(o.modules ? { modules: o.modules } : {}),
  });
  const att = attachFabric({
    kernel,
    rng,
    ...(o.udevEventNs !== undefined ? { udevEventNs: o.udevEventNs } : {}),
    ...(o.multipathU ? { multipathU: o.multipathU } : {}),
    ...(o.udevRules ? { udevRules: o.udevRules } : {}),
  });
  return {
    ...att,
    clock,
    rng,
    kernel,
    modprobe(name, ...params) {
      const m = new Map<string, string>();
      for (const p of params) {
        const i = p.indexOf("=");
        m.set(i < 0 ? p : p.slice(0, i), i < 0 ? "" : p.slice(i + 1));
      }
      return kernel.modules.load(name, m);
    },
  };
}
