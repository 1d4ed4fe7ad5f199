/**
 * The kernel modules dm-core offers, and the one place that wires the plugin implementations
 * (multipath target, path selectors, device handlers) into them. The barrels are read through
 * namespace imports so that an implementation that is not there yet only leaves its module out.
 */

import type { LoopDriver } from "../block/loop.js";
import type { DmTargetType } from "../dm/target.js";
import { errorTargetType } from "../dm/targets/error.js";
import { linearTargetType } from "../dm/targets/linear.js";
import { stripedTargetType } from "../dm/targets/striped.js";
import type { ScsiDeviceHandlerType } from "../handlers/handler.js";
import * as handlersBarrel from "../handlers/index.js";
import * as multipathBarrel from "../multipath/index.js";
import type { Registry } from "../registry.js";
import * as selectorsBarrel from "../selectors/index.js";
import type { PathSelectorType } from "../selectors/path-selector.js";
import type { KernelLog } from "./log.js";
import type { KernelModule } from "./modules.js";

/** Kernel configuration switches that decide which modules exist. */
export interface KernelConfig {
  /** `CONFIG_DM_MULTIPATH_HST` (historical-service-time selector). Off on Debian 6.1. */
  readonly DM_MULTIPATH_HST: boolean;
  /** `CONFIG_DM_MULTIPATH_IOA` (io-affinity selector). Off on Debian 6.1. */
  readonly DM_MULTIPATH_IOA: boolean;
}

/** What the built-in modules register into. */
export interface BuiltinModuleEnv {
  readonly log: KernelLog;
  readonly targets: Registry<DmTargetType>;
  readonly selectors: Registry<PathSelectorType>;
  readonly handlers: Registry<ScsiDeviceHandlerType>;
  readonly loop: LoopDriver;
  readonly config: KernelConfig;
}

type MultipathExports = {
  readonly multipathTargetType?: DmTargetType;
  readonly createMultipathTargetType?: (options?: {
    params?: { readonly queueIfNoPathTimeoutSecs: number };
  }) => DmTargetType;
};
type SelectorExports = Partial<
  Record<
    | "roundRobinSelector"
    | "queueLengthSelector"
    | "serviceTimeSelector"
    | "historicalServiceTimeSelector"
    | "ioAffinitySelector",
    PathSelectorType
  >
>;
type HandlerExports = Partial<
  Record<"aluaHandler" | "emcHandler" | "rdacHandler" | "hpSwHandler", ScsiDeviceHandlerType>
> & {
  readonly createAluaHandlerType?: (params?: { optimizeStpg?: number }) => ScsiDeviceHandlerType;
  readonly createEmcHandlerType?: () => ScsiDeviceHandlerType;
  readonly createRdacHandlerType?: (params?: { rdacLogging?: number }) => ScsiDeviceHandlerType;
  readonly createHpSwHandlerType?: () => ScsiDeviceHandlerType;
  readonly scsiRegisterDeviceHandler?: (
    registry: Registry<ScsiDeviceHandlerType>,
    type: ScsiDeviceHandlerType,
    env: { readonly log: KernelLog },
  ) => number;
  readonly scsiUnregisterDeviceHandler?: (
    registry: Registry<ScsiDeviceHandlerType>,
    type: ScsiDeviceHandlerType,
    env: { readonly log: KernelLog },
  ) => number;
};

const EINVAL = 22;

/** A module parameter: its parser (null → invalid value). */
type ParamSpec = Record<string, (v: string) => unknown>;

/**
 * `parse_args` for a module's `key=value` parameters: unknown keys are logged and ignored, an
 * invalid value fails the load with -EINVAL.
 */
function parseParams(
  log: KernelLog,
  module: string,
  params: ReadonlyMap<string, string>,
  spec: ParamSpec,
): Map<string, unknown> | number {
  const out = new Map<string, unknown>();
  const modname = module.replace(/-/g, "_");
  for (const [rawKey, value] of params) {
    const key = rawKey.replace(/-/g, "_");
    const parse = spec[key];
    if (!parse) {
      log.warn(`${modname}: unknown parameter '${rawKey}' ignored`);
      continue;
    }
    const v = parse(value);
    if (v === null) {
      log.err(`${modname}: \`${value}' invalid for parameter \`${key}'`);
      return -EINVAL;
    }
    out.set(key, v);
  }
  return out;
}

function ulong(v: string): number | null {
  const m = /^\s*(0x[0-9a-fA-F]+|0[0-7]*|[1-9]\d*)\s*$/.exec(v);
  if (!m) return null;
  const n = Number(
    m[1]!.startsWith("0x") ? m[1] : m[1]!.startsWith("0") && m[1]!.length > 1 ? `0o${m[1]!.slice(1)}` : m[1],
  );
  return Number.isSafeInteger(n) ? n : null;
}

function anything(v: string): string {
  return v;
}

function registerOnce<T extends { readonly name: string }>(reg: Registry<T>, item: T): void {
  if (!reg.has(item.name)) reg.register(item);
}

/** Builds the modules of dm-core: `dm_mod`, `dm-multipath`, the selectors, the handlers, `loop`. */
export function builtinModules(env: BuiltinModuleEnv): KernelModule[] {
  const { log, targets, selectors, handlers, loop, config } = env;
  const mods: KernelModule[] = [];

  mods.push({
    name: "dm_mod",
    aliases: ["dm-mod", "devname:mapper/control"],
    init(params) {
      const p = parseParams(log, "dm_mod", params, {
        major: ulong,
        reserved_bio_based_ios: ulong,
        dm_numa_node: anything,
        swap_bios: anything,
        reserved_rq_based_ios: ulong,
        use_blk_mq: anything,
        dm_mq_nr_hw_queues: ulong,
        dm_mq_queue_depth: ulong,
        stats_current_allocated_bytes: anything,
      });
      if (typeof p === "number") return p;
      log.info("device-mapper: uevent: version 1.0.3");
      // dm_mod's init order: dm_target_init (error), dm_linear_init, dm_stripe_init. Each
      // registration goes to the head of the list, so `dmsetup targets` shows them reversed.
      registerOnce(targets, errorTargetType);
      registerOnce(targets, linearTargetType);
      registerOnce(targets, stripedTargetType);
      log.info("device-mapper: ioctl: 4.47.0-ioctl (2022-07-28) initialised: dm-devel@redhat.com");
      return 0;
    },
    exit() {
      targets.unregister(stripedTargetType.name);
      targets.unregister(linearTargetType.name);
      targets.unregister(errorTargetType.name);
    },
  });

  const mp = multipathBarrel as unknown as MultipathExports;
  if (mp.multipathTargetType || mp.createMultipathTargetType) {
    let registered: DmTargetType | null = null;
    mods.push({
      name: "dm-multipath",
      aliases: ["dm-mpath"],
      depends: ["dm_mod"],
      init(params) {
        const p = parseParams(log, "dm-multipath", params, { queue_if_no_path_timeout_secs: ulong });
        if (typeof p === "number") return p;
        const secs = p.get("queue_if_no_path_timeout_secs") as number | undefined;
        const type =
          secs !== undefined && mp.createMultipathTargetType
            ? mp.createMultipathTargetType({ params: { queueIfNoPathTimeoutSecs: secs } })
            : (mp.multipathTargetType ?? mp.createMultipathTargetType!());
        registerOnce(targets, type);
        registered = type;
        return 0;
      },
      exit() {
        if (registered) targets.unregister(registered.name);
        registered = null;
      },
    });
  }

  const ps = selectorsBarrel as unknown as SelectorExports;
  const selectorModules: Array<[string, PathSelectorType | undefined, string | null, boolean]> = [
    ["dm-round-robin", ps.roundRobinSelector, "multipath round-robin: version 1.2.0 loaded", true],
    ["dm-queue-length", ps.queueLengthSelector, "multipath queue-length: version 0.2.0 loaded", true],
    ["dm-service-time", ps.serviceTimeSelector, "multipath service-time: version 0.3.0 loaded", true],
    [
      "dm-historical-service-time",
      ps.historicalServiceTimeSelector,
      "multipath historical-service-time: version 0.1.1 loaded",
      config.DM_MULTIPATH_HST,
    ],
    ["dm-io-affinity", ps.ioAffinitySelector, null, config.DM_MULTIPATH_IOA],
  ];
  for (const [name, type, banner, enabled] of selectorModules) {
    if (!type || !enabled) continue;
    mods.push({
      name,
      depends: ["dm-multipath"],
      init() {
        registerOnce(selectors, type);
        if (banner) log.info(`device-mapper: ${banner}`);
        return 0;
      },
      exit() {
        selectors.unregister(type.name);
      },
    });
  }

  const dh = handlersBarrel as unknown as HandlerExports;
  // Handler types keep per-kernel state: a fresh one is made at every module load.
  const handlerModules: Array<
    [string, ((p: Map<string, unknown>) => ScsiDeviceHandlerType) | null, ParamSpec]
  > = [
    [
      "scsi_dh_alua",
      dh.createAluaHandlerType
        ? (p) =>
            dh.createAluaHandlerType!({ optimizeStpg: (p.get("optimize_stpg") as number | undefined) ?? 0 })
        : dh.aluaHandler
          ? () => dh.aluaHandler!
          : null,
      { optimize_stpg: ulong },
    ],
    ["scsi_dh_emc", dh.createEmcHandlerType ?? (dh.emcHandler ? () => dh.emcHandler! : null), {}],
    [
      "scsi_dh_rdac",
      dh.createRdacHandlerType
        ? (p) =>
            dh.createRdacHandlerType!({ rdacLogging: (p.get("rdac_logging") as number | undefined) ?? 1 })
        : dh.rdacHandler
          ? () => dh.rdacHandler!
          : null,
      { rdac_logging: ulong },
    ],
    ["scsi_dh_hp_sw", dh.createHpSwHandlerType ?? (dh.hpSwHandler ? () => dh.hpSwHandler! : null), {}],
  ];
  for (const [name, make, spec] of handlerModules) {
    if (!make) continue;
    let registered: ScsiDeviceHandlerType | null = null;
    mods.push({
      name,
      init(params) {
        const p = parseParams(log, name, params, spec);
        if (typeof p === "number") return p;
        const type = make(p);
        if (dh.scsiRegisterDeviceHandler) {
          const r = dh.scsiRegisterDeviceHandler(handlers, type, { log });
          if (r !== 0) return r;
        } else registerOnce(handlers, type);
        registered = type;
        return 0;
      },
      exit() {
        if (!registered) return;
        if (dh.scsiUnregisterDeviceHandler) dh.scsiUnregisterDeviceHandler(handlers, registered, { log });
        else handlers.unregister(registered.name);
        registered = null;
      },
    });
  }

  mods.push({
    name: "loop",
    aliases: ["block-major-7", "devname:loop-control"],
    init(params) {
      const p = parseParams(log, "loop", params, { max_loop: ulong, max_part: ulong, hw_queue_depth: ulong });
      if (typeof p === "number") return p;
      return loop.init();
    },
  });

  return mods;
}
