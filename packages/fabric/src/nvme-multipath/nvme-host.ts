import type { Clock, KernelLog } from "@mp/dm-core";
import type { IoPolicy } from "./iopolicy.js";
import { NvmeSubsystem, type NvmeSubsystemOptions } from "./nvme-subsystem.js";

/**
 * The host's NVMe driver state (`nvme_core` with `multipath=Y`): the subsystems it connected to,
 * numbered in connection order, and the instance numbers of controllers and `blkext` minors.
 */
export class NvmeHost {
  readonly clock: Clock;
  readonly log: KernelLog;
  readonly subsystems: NvmeSubsystem[] = [];
  /** `nvme_core.iopolicy`: the policy new subsystems start with. */
  defaultIopolicy: IoPolicy = "numa";
  #ctrl = 0;
  #minor = 0;

  constructor(clock: Clock, log: KernelLog) {
    this.clock = clock;
    this.log = log;
  }

  /** Registers a subsystem (the first connect to it): `nvme-subsys<N>`. */
  addSubsystem(
    o: Omit<NvmeSubsystemOptions, "clock" | "log" | "instance" | "nextCtrlInstance" | "nextMinor">,
  ): NvmeSubsystem {
    if (this.subsystems.some((s) => s.name === o.name)) throw new Error(`duplicate NVMe subsystem ${o.name}`);
    const s = new NvmeSubsystem({
      ...o,
      iopolicy: o.iopolicy ?? this.defaultIopolicy,
      clock: this.clock,
      log: this.log,
      instance: this.subsystems.length,
      nextCtrlInstance: () => this.#ctrl++,
      nextMinor: () => this.#minor++,
    });
    this.subsystems.push(s);
    return s;
  }

  subsystem(name: string): NvmeSubsystem | undefined {
    return this.subsystems.find((s) => s.name === name);
  }

  stop(): void {
    for (const s of this.subsystems) s.stop();
  }
}
