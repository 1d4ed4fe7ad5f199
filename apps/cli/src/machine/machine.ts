import type {
  BlockHandle,
  BlockLayer,
  Clock,
  DevT,
  DmControl,
  FileStore,
  Host,
  KernelLog,
  ModuleRegistry,
  PageCache,
  SysfsView,
  VirtualClock,
} from "@mp/dm-core";
import type { ScnNode } from "../conformance/ast.js";
import type { MapperNodes } from "../tools/dmsetup/libdm.js";
import type { ProcessIo } from "./process-io.js";

/**
 * The simulated machine a scenario (or an `mp dmsetup` one-shot, or an `mp shell` session) runs
 * on. It is composed by plugins: the dm plugin (this package) brings the dm-core kernel, loop
 * devices, `dmsetup`, `dd` and `blockdev`; the fabric brings SCSI disks, udev and sysfs; the daemon
 * brings `multipathd` and `multipath`. A directive or command nobody registered makes a scenario
 * SKIPPED, naming what is missing and which package is expected to provide it.
 */
export interface ScenarioMachine {
  /** The one clock of this world. */
  readonly clock: VirtualClock;
  /** Shared services, filled in by plugins. */
  readonly services: MachineServices;
  /** Commands a scenario can run, by name (`dmsetup`, `dd`, `multipathd` …). */
  readonly commands: ReadonlyMap<string, CommandSpec>;
  /** Handlers of the directives that need a capability (`@loop`, `@modprobe`, `@udev` …). */
  readonly directives: ReadonlyMap<PluggableDirective, DirectiveHandler>;
  /** Plugins installed, in order. */
  readonly plugins: readonly string[];
}

/** What a plugin receives to extend a machine while it is being composed. */
export interface MachineBuilder extends ScenarioMachine {
  /** Mutable services: a plugin sets what it provides (`services.host = simHost`). */
  readonly services: MachineServices;
  /** Adds or replaces a command. */
  registerCommand(spec: CommandSpec): void;
  /**
   * Adds or replaces a directive handler. The previous handler (if any) is passed to the new one,
   * so a plugin can extend a directive (e.g. the fabric runs udev settle after the dm `@modprobe`).
   */
  registerDirective<K extends PluggableDirective>(
    kind: K,
    make: (previous: DirectiveHandler<K> | undefined) => DirectiveHandler<K>,
  ): void;
}

/** A package's contribution to a machine. */
export interface MachinePlugin {
  /** The providing package (`@mp/fabric`), shown in skip reasons and `mp shell`'s banner. */
  readonly name: string;
  install(machine: MachineBuilder): void | Promise<void>;
}

/** The kernel as the tools see it (dm-core's kernel: log, modules, block layer, dm ioctls). */
export interface SimKernel {
  readonly clock: Clock;
  readonly log: KernelLog;
  readonly modules: ModuleRegistry;
  readonly block: BlockLayer;
  readonly dm: DmControl;
  /** Buffered block-device I/O (the page cache). */
  readonly pageCache: PageCache;
}

/** The loop driver's `losetup`: attach a zero-filled backing file of `sizeBytes` as loopN. */
export interface LoopControl {
  /** Returns 0, or a positive errno (EBUSY when loopN is in use). */
  attach(index: number, sizeBytes: number): number;
}

/** udev as a scenario drives it. */
export interface UdevControl {
  /** `systemd-udevd --daemon`, coldplug (`udevadm trigger`), `udevadm settle`. */
  start(): Promise<void>;
  /** True once started. */
  readonly running: boolean;
  /** `udevadm settle`: resolves when the event queue is empty. */
  settle(): Promise<void>;
}

/** Resolution of `/dev` paths (nodes made by dmsetup before `@udev`, by udev after). */
export interface DeviceNodes {
  /** The device a block node names, or a positive errno (ENOENT when there is no such node). */
  resolve(path: string): { readonly devt: DevT } | { readonly errno: number };
}

/**
 * Services a machine may have. Every field is optional: a plugin provides what it models and a
 * tool or directive that needs a missing one is reported as a missing capability.
 */
export interface MachineServices {
  /** dm-core's kernel (the dm plugin). */
  kernel?: SimKernel;
  /** The loop driver's control (the dm plugin). */
  loop?: LoopControl;
  /** `/dev` node resolution (the dm plugin; the fabric may replace it once udev runs). */
  devices?: DeviceNodes;
  /**
   * The /dev/mapper nodes libdm (dmsetup) makes itself while udev does not run (the dm plugin's
   * {@link DeviceNodes} reads them).
   */
  mapperNodes?: MapperNodes;
  /** Opens a block device for direct I/O (`dd iflag=direct`), as `Host.openBlock`. */
  openBlock?: (dev: string | DevT) => BlockHandle | { readonly errno: number };
  /** Userspace's whole view of the kernel (the fabric's SimHost). */
  host?: Host;
  /** sysfs (the fabric). `cat /sys/…` and `@write` use it. */
  sysfs?: SysfsView;
  /** Files under /etc (the fabric's SimHost store). `@config` and `cat /etc/multipath/…` use it. */
  files?: FileStore;
  /** udev (the fabric). While it runs, dmsetup waits for it and makes no /dev nodes itself. */
  udev?: UdevControl;
}

/** What a command gets besides its argv. */
export interface CommandContext {
  readonly io: ProcessIo;
  readonly machine: ScenarioMachine;
  /** Waits `ns` of virtual time (the scenario runner drives the clock meanwhile). */
  sleep(ns: number): Promise<void>;
  /** stdin's contents (scenarios run commands with stdin from /dev/null: ""). */
  readonly stdin: string;
}

/** A command's program: `argv[0]` is its name, as in C. Returns the exit status (0..255). */
export type CommandFn = (argv: readonly string[], ctx: CommandContext) => Promise<number> | number;

/** Something a scenario needs that the machine lacks, and the package expected to provide it. */
export interface Missing {
  /** What is missing (`scsi_debug`, `multipathd`, `udev`). */
  readonly what: string;
  /** The package that provides it (`@mp/fabric`). */
  readonly provider: string;
}

/** A registered command. */
export interface CommandSpec {
  readonly name: string;
  /** The package that registered it. */
  readonly providedBy: string;
  readonly run: CommandFn;
  /**
   * Static check before a scenario runs: a capability this invocation needs that the machine
   * lacks (e.g. `cat /sys/…` without sysfs), or null.
   */
  missing?(argv: readonly string[], machine: ScenarioMachine): Missing | null;
}

/** Directives whose effect a plugin provides (the rest are the scenario language itself). */
export type PluggableDirective = "loop" | "modprobe" | "udev" | "config" | "write";

/** Services a directive handler can use. */
export interface DirectiveContext {
  readonly machine: ScenarioMachine;
  /** Advances virtual time, letting async work run. */
  advance(ns: number): Promise<void>;
  /** Runs a command as `$` would (120 s limit) and returns its output and status. */
  run(argv: readonly string[]): Promise<CommandResult>;
}

/** A directive handler: returns the text the directive prints (often ""). */
export interface DirectiveHandler<K extends PluggableDirective = PluggableDirective> {
  /** The package that registered it. */
  readonly providedBy: string;
  run(node: Extract<ScnNode, { kind: K }>, ctx: DirectiveContext): Promise<string>;
  /** Static check: what this node needs that the machine lacks (e.g. a module nobody offers). */
  missing?(node: Extract<ScnNode, { kind: K }>, machine: ScenarioMachine): Missing | null;
}

/** A finished (or killed) command. */
export interface CommandResult {
  /** Merged stdout and stderr, as the pipe received them. */
  readonly output: string;
  /** stdout alone. */
  readonly stdout: string;
  /** stderr alone. */
  readonly stderr: string;
  readonly rc: number;
  /** True when the time limit killed it. */
  readonly timedOut: boolean;
}

/**
 * Thrown by a command or directive handler that finds, at run time, that the machine lacks what
 * the scenario needs (e.g. `@modprobe scsi_debug` with no fabric): the scenario is SKIPPED.
 */
export class MissingCapability extends Error {
  readonly code = "MP_MISSING_CAPABILITY";
  readonly missing: Missing;

  constructor(missing: Missing) {
    super(`needs ${missing.what} (${missing.provider})`);
    this.missing = missing;
  }
}

/**
 * Thrown by a directive handler to stop the scenario with a scenario error
 * (`[scn error: line N: MESSAGE]`), as the lab does when `losetup` fails.
 */
export class ScenarioAbort extends Error {
  readonly code = "MP_SCN_ABORT";
}
