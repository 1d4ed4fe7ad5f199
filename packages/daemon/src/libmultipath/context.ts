/**
 * What libmultipath keeps in globals (the config pointer, `udev`, the dm library state, the
 * checker and prioritizer lists, `libmp_verbosity`), as one explicit context per process: one
 * for a multipathd instance, a fresh one for each run of the `multipath` tool.
 */

import type { Clock, Host } from "@mp/dm-core";
import { MULTIPATH_TOOLS_VERSION } from "../cli/help.js";
import { HwMatcher } from "../config/config.js";
import type { ConfigLog } from "../config/log.js";
import { type KernelVersions, parseKernelRelease, type Version3 } from "../config/propsel.js";
import type { Config } from "../config/structs.js";
import type { PrintEnv } from "../print/print-env.js";
import { type BindingLine, bindingLine } from "./alias.js";
import { type CpuCosts, LAB_CPU_COSTS } from "./cpu.js";
import { EventHub } from "./events.js";
import { ParsedLines } from "./file.js";
import type { Logger } from "./log.js";
import { AliasIndex, MapIndex, PathIndex } from "./path-index.js";
import type { AluaProbes, CheckerFactory, PrioritizerFactory } from "./plugins.js";
import { sysfsPrintEnv } from "./print-env.js";
import type { MpMap } from "./structs.js";
import { wwidsLine } from "./wwids.js";

/** One process's libmultipath state. */
export interface LibmpContext {
  readonly host: Host;
  readonly clock: Clock;
  readonly log: Logger;
  /** The configuration in force (`multipath_conf`); replaced on reconfigure. */
  config: Config;
  /** `find_hwe` over `config.hwtable`, compiled once per configuration. */
  hwMatcher: HwMatcher;
  readonly checkers: CheckerFactory;
  readonly prioritizers: PrioritizerFactory;
  /** TPGS / ALUA probing for `detect_alua`. */
  readonly alua: AluaProbes;
  /** `multipath -B` / `multipathd -B`: never write the bindings file. */
  bindingsReadOnly: boolean;
  /** multipathd (true) or the `multipath` tool (false): domap's daemon/client branches. */
  readonly isDaemon: boolean;
  /** `multipath -q`: keep queue_if_no_path without a daemon. */
  allowQueueing: boolean;
  /** `multipath -p`: the path grouping policy forced on every map. */
  pgpolicyFlag?: import("../config/structs.js").PgPolicyName | undefined;
  /** A {@link ConfigLog} writing into {@link log}, for the config module's selectors. */
  readonly configLog: ConfigLog;
  /** Process-wide "warn once" memory of the config module. */
  readonly once: { warned: Set<string> };
  /** Next DM cookie semaphore number (libdevmapper's `dm_udev_create_cookie`). */
  cookieSeq: number;
  /** The typed event stream (maps created, paths failed, queueing switched…). */
  readonly events: EventHub;
  /** Where the `multipath` tool prints topologies (`create: …`, dry runs); unset in the daemon. */
  stdout?: ((text: string) => void) | undefined;
  /** Sysfs lookups for the printers. */
  readonly printEnv: PrintEnv;
  /** Virtual time this process's work costs (see cpu.ts). */
  readonly cpu: CpuCosts;
  /** Set by {@link initVersions}. */
  dmVersions: DmVersions | undefined;
  /** `libmp_dm_init` ran (see devmapper.ts `libmpDm`). */
  dmInitDone: boolean;
  /** dev_t lookups over the path vector. */
  readonly pathIndex: PathIndex;
  /** WWID lookups over the map vector. */
  readonly mapIndex: MapIndex<MpMap>;
  /** Alias lookups over the map vector. */
  readonly aliasIndex: AliasIndex<MpMap>;
  /** The bindings and wwids files' lines, parsed (see {@link ParsedLines}). */
  readonly fileCache: {
    readonly bindings: ParsedLines<BindingLine>;
    readonly wwids: ParsedLines<string | null>;
  };
  /** Some path may be in the removed or partial state (`check_removed_paths` has work). */
  limboPaths: boolean;
}

/** Options of {@link createLibmpContext}. */
export interface LibmpContextOptions {
  readonly host: Host;
  readonly log: Logger;
  readonly config: Config;
  readonly checkers: CheckerFactory;
  readonly prioritizers: PrioritizerFactory;
  readonly alua: AluaProbes;
  readonly isDaemon: boolean;
  readonly bindingsReadOnly?: boolean;
  readonly events?: EventHub;
  /** Default: the kernel lab's costs. */
  readonly cpu?: CpuCosts;
}

/** A fresh context. */
export function createLibmpContext(opts: LibmpContextOptions): LibmpContext {
  return {
    host: opts.host,
    clock: opts.host.clock,
    log: opts.log,
    config: opts.config,
    hwMatcher: new HwMatcher(opts.config.hwtable),
    checkers: opts.checkers,
    prioritizers: opts.prioritizers,
    alua: opts.alua,
    bindingsReadOnly: opts.bindingsReadOnly ?? false,
    isDaemon: opts.isDaemon,
    allowQueueing: false,
    configLog: opts.log.configLog(),
    once: { warned: new Set() },
    cookieSeq: 0,
    events: opts.events ?? new EventHub(),
    printEnv: sysfsPrintEnv(opts.host),
    cpu: opts.cpu ?? LAB_CPU_COSTS,
    dmVersions: undefined,
    dmInitDone: false,
    pathIndex: new PathIndex(),
    mapIndex: new MapIndex<MpMap>(),
    aliasIndex: new AliasIndex<MpMap>(),
    fileCache: { bindings: new ParsedLines(bindingLine), wwids: new ParsedLines(wwidsLine) },
    limboPaths: true,
  };
}

/** Installs a new configuration (reconfigure). */
export function setContextConfig(ctx: LibmpContext, config: Config): void {
  ctx.config = config;
  ctx.hwMatcher = new HwMatcher(config.hwtable);
}

/** `conf->checkint`: polling_interval. */
export function confCheckint(ctx: LibmpContext): number {
  return ctx.config.pollingInterval;
}

/** `conf->max_checkint`: max_polling_interval. */
export function confMaxCheckint(ctx: LibmpContext): number {
  return ctx.config.maxPollingInterval;
}

/** The versions libmultipath reads once per process (`init_versions`). */
export interface DmVersions {
  readonly library: Version3;
  /** The dm ioctl interface (`kernel device mapper v4.47.0`). */
  readonly kernel: Version3;
  /** The `multipath` target; undefined when dm-multipath is not loaded. */
  readonly mpath: Version3 | undefined;
}

/** The libdevmapper the tools link against (Debian 12's device-mapper 1.02.185). */
export const LIBDEVMAPPER_VERSION: Version3 = [1, 2, 185];

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * `init_versions`: reads (and logs at -v3) the tools', libdevmapper's, the dm driver's and the
 * multipath target's versions the first time anything asks; later calls return the same.
 */
export function initVersions(ctx: LibmpContext): DmVersions {
  if (ctx.dmVersions !== undefined) return ctx.dmVersions;
  ctx.log.log(3, MULTIPATH_TOOLS_VERSION);
  const lib = LIBDEVMAPPER_VERSION;
  ctx.log.log(3, `libdevmapper version ${lib[0]}.${pad2(lib[1])}.${pad2(lib[2])}`);
  const kernel = ctx.host.dm.version();
  ctx.log.log(3, `kernel device mapper v${kernel.join(".")}`);
  let mpath: Version3 | undefined;
  for (const t of ctx.host.dm.targets()) if (t.name === "multipath") mpath = t.version;
  if (mpath === undefined) ctx.log.log(0, "DM multipath kernel driver not loaded");
  else ctx.log.log(3, `DM multipath kernel driver v${mpath.join(".")}`);
  ctx.dmVersions = { library: lib, kernel, mpath };
  return ctx.dmVersions;
}

/** The dm `multipath` target's version (`libmp_get_version(DM_MPATH_TARGET_VERSION)`). */
export function dmMpathVersion(ctx: LibmpContext): Version3 | undefined {
  return initVersions(ctx).mpath;
}

/** What `select_retain_hwhandler` and `select_minio` compare. */
export function kernelVersions(ctx: LibmpContext): KernelVersions {
  // A missing target version reads as the 6.1 one: libmultipath loads dm-multipath first.
  return { kernel: parseKernelRelease(ctx.host.kernelRelease), dmMpath: dmMpathVersion(ctx) ?? [1, 14, 0] };
}
