import { Errno, type KernelModule, mkdev } from "@mp/dm-core";
import type { NvmeTransport, NvmetNamespace, NvmetPort, NvmetSubsystem } from "../hardware/nvme-target.js";
import { type FabricKernel, Ida } from "../kernel-env.js";
import type { IoPolicy } from "../nvme-multipath/iopolicy.js";
import { NvmeNsHead } from "../nvme-multipath/nvme-ns-head.js";
import type { SysfsTree } from "../sysfs/tree.js";
import { NvmeCtrl, type NvmeCtrlOptions } from "./nvme-ctrl.js";
import type { NvmeNs } from "./nvme-ns.js";
import { NvmeSysfs } from "./nvme-sysfs.js";

/** Major of NVMe disks (`blkext`, dynamic; 259 on every machine that has one). */
export const BLOCK_EXT_MAJOR = 259;
/** Char majors the lab's 6.1 gave `nvme` controllers and `nvme-generic` namespaces (dynamic). */
export const NVME_CHAR_MAJOR = 246;
export const NVME_GENERIC_MAJOR = 245;
/** `nvme_max_retries` (module parameter of nvme_core). */
export const NVME_MAX_RETRIES = 5;

/** Whether something still holds a removed namespace disk open (a dm table, a handle). */
export type NvmeHolderCheck = (ns: NvmeNs) => boolean;

/**
 * The host's view of one NVMe subsystem (`struct nvme_subsystem`): identity from the first
 * controller's Identify, `nvme-subsys<N>` numbered after that controller, its controllers,
 * the namespace heads (`struct nvme_ns_head`: the shared identity of a namespace, and with
 * native multipath its `nvme<S>n<N>` disk) and the I/O policy.
 */
export class NvmeSubsys {
  readonly core: NvmeCore;
  readonly target: NvmetSubsystem;
  /** `nvme-subsys<instance>` (the first controller's instance). */
  readonly instance: number;
  readonly ctrls: NvmeCtrl[] = [];
  /** Heads by NSID. */
  readonly heads = new Map<number, NvmeNsHead>();
  readonly #nsIda = new Ida();
  #iopolicy: IoPolicy;

  constructor(core: NvmeCore, target: NvmetSubsystem, instance: number) {
    this.core = core;
    this.target = target;
    this.instance = instance;
    this.#iopolicy = core.iopolicy;
  }

  get name(): string {
    return `nvme-subsys${this.instance}`;
  }

  get nqn(): string {
    return this.target.nqn;
  }

  get iopolicy(): IoPolicy {
    return this.#iopolicy;
  }

  /** CPU → NUMA node of the host. */
  get cpuToNode(): (cpu: number) => number {
    return this.core.cpuToNode;
  }

  get clock() {
    return this.core.kernel.clock;
  }

  get log() {
    return this.core.kernel.log;
  }

  /**
   * Writes `iopolicy` (sysfs `nvme-subsys<N>/iopolicy`): clears every head's current paths and,
   * as 6.11 does, the controllers' `nr_active` counts.
   */
  setIopolicy(p: IoPolicy): void {
    const old = this.#iopolicy;
    if (p === old) return;
    this.#iopolicy = p;
    for (const c of this.ctrls) c.nrActive = 0;
    for (const h of this.heads.values()) h.clearAllCurrentPaths();
    this.log.notice(`nvme-subsys${this.instance}: changed from ${old} to ${p}`);
  }

  /** `nvme_find_ns_head()` / `nvme_alloc_ns_head()`: the head of `nsid`, made on first sight. */
  headFor(ns: NvmetNamespace): { head: NvmeNsHead; created: boolean } {
    const h = this.heads.get(ns.nsid);
    if (h) return { head: h, created: false };
    // ns_ida starts at 1 (`ida_alloc_min(&subsys->ns_ida, 1, …)`).
    const head = new NvmeNsHead(this, ns, this.#nsIda.alloc() + 1);
    this.heads.set(ns.nsid, head);
    return { head, created: true };
  }

  /** The last path left a head: its instance is free again. */
  dropHead(head: NvmeNsHead): void {
    if (this.heads.get(head.nsid) !== head) return;
    this.heads.delete(head.nsid);
    this.#nsIda.free(head.instance - 1);
  }

  /** `nvme_kick_requeue_lists()` for every head. */
  kickRequeue(): void {
    for (const h of this.heads.values()) h.kickRequeue();
  }
}

/** Options of {@link NvmeCore}. */
export interface NvmeCoreOptions {
  readonly kernel: FabricKernel;
  readonly sysfs: SysfsTree;
  /** CPUs of the host: the I/O queues a fabrics controller creates (default 2, as the lab). */
  readonly cpus?: number;
  /** CPU → NUMA node (default: every CPU on node 0). */
  readonly cpuToNode?: (cpu: number) => number;
  /** `/etc/nvme/hostnqn` (default a uuid-based one, as nvme-cli generates). */
  readonly hostnqn?: string;
  /** `/etc/nvme/hostid`. */
  readonly hostid?: string;
}

/** What `nvme connect` (a write to `/dev/nvme-fabrics`) takes. */
export interface NvmeConnectOptions extends NvmeCtrlOptions {
  readonly port: NvmetPort;
}

/**
 * The host's NVMe driver (`nvme_core`, `nvme_fabrics` and the fabrics transports): controller,
 * subsystem and namespace instances, `multipath` (native multipath on: one `nvme<S>n<N>` head
 * disk per namespace over hidden per-controller paths; off: one `nvme<C>n<N>` disk per
 * controller and namespace, the way dm-multipath sees NVMe), the module parameters, sysfs and
 * uevents, and `connect` as `/dev/nvme-fabrics` takes it.
 */
export class NvmeCore {
  readonly kernel: FabricKernel;
  readonly sysfs: SysfsTree;
  readonly cpus: number;
  readonly cpuToNode: (cpu: number) => number;
  readonly hostnqn: string;
  readonly hostid: string;
  readonly attrs: NvmeSysfs;
  readonly ctrls: NvmeCtrl[] = [];
  readonly subsystems: NvmeSubsys[] = [];
  /** `nvme_core.multipath` (Debian's 6.1: Y). Read when a subsystem is first seen. */
  multipath = true;
  /** `nvme_core.iopolicy`: the policy new subsystems start with. */
  iopolicy: IoPolicy = "numa";
  /** `nvme_core.max_retries`. */
  maxRetries = NVME_MAX_RETRIES;
  /**
   * Keep `ana_state`/`ana_grpid` on the per-controller disks when multipath is off. 6.1 shows
   * them only on the hidden paths of native multipath (the ANA log is not even read without
   * it); multipath-tools' `ana` prioritizer asks the controller itself (admin passthrough, see
   * `SimHost.nvmeAdmin`). On by default so that a reader of sysfs can see the state; a
   * documented deviation.
   */
  anaAttrsWithoutMultipath = true;
  coreLoaded = false;
  fabricsLoaded = false;
  readonly transports = new Set<NvmeTransport>();
  readonly #instanceIda = new Ida();
  readonly #minorIda = new Ida();
  readonly #genericIda = new Ida();
  readonly #hwmonIda = new Ida();
  /** `dev_warn_once` of the shared-namespace deprecation. */
  sharedWarned = false;
  readonly #holderChecks: NvmeHolderCheck[] = [];
  /** Removed namespace disks still held open: their minor (and their controller) stay taken. */
  readonly #held = new Set<NvmeNs>();
  /** Deleted controllers a held disk pins (their instance is not free yet). */
  readonly #heldCtrls = new Set<NvmeCtrl>();
  #rlStart = -1;
  #rlCount = 0;

  constructor(o: NvmeCoreOptions) {
    this.kernel = o.kernel;
    this.sysfs = o.sysfs;
    this.cpus = o.cpus ?? 2;
    this.cpuToNode = o.cpuToNode ?? (() => 0);
    this.hostnqn = o.hostnqn ?? "nqn.2014-08.org.nvmexpress:uuid:5b3f2a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
    this.hostid = o.hostid ?? "5b3f2a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
    this.attrs = new NvmeSysfs(this);
  }

  get clock() {
    return this.kernel.clock;
  }

  get log() {
    return this.kernel.log;
  }

  /** The modules: `nvme_core` (`multipath=`, `iopolicy=`, `max_retries=`), `nvme_fabrics`, the transports. */
  modules(): KernelModule[] {
    const core: KernelModule = {
      name: "nvme_core",
      aliases: ["nvme-core"],
      init: (params) => {
        const mp = params.get("multipath");
        if (mp !== undefined) {
          const v = parseBool(mp);
          if (v === null) return -Errno.EINVAL;
          this.multipath = v;
        }
        const pol = params.get("iopolicy");
        if (pol !== undefined) {
          if (pol !== "numa" && pol !== "round-robin" && pol !== "queue-depth") return -Errno.EINVAL;
          this.iopolicy = pol;
        }
        const mr = params.get("max_retries");
        if (mr !== undefined) {
          const n = Number(mr);
          if (!(Number.isInteger(n) && n >= 0 && n <= 255)) return -Errno.EINVAL;
          this.maxRetries = n;
        }
        this.coreLoaded = true;
        this.attrs.addCore();
        return 0;
      },
    };
    const fabrics: KernelModule = {
      name: "nvme_fabrics",
      aliases: ["nvme-fabrics"],
      depends: ["nvme_core"],
      init: () => {
        this.fabricsLoaded = true;
        this.attrs.addFabrics();
        return 0;
      },
    };
    const transport = (t: NvmeTransport): KernelModule => ({
      name: `nvme_${t}`,
      aliases: [`nvme-${t}`],
      depends: ["nvme_fabrics"],
      init: () => {
        this.transports.add(t);
        return 0;
      },
    });
    return [core, fabrics, transport("tcp"), transport("rdma"), transport("fc"), transport("loop")];
  }

  /**
   * `nvme connect` (`/dev/nvme-fabrics`): creates a controller to the subsystem behind `port`.
   * The connection is set up at once; ENOENT when the fabrics module or the transport is not
   * loaded, ECONNREFUSED when the port does not have the subsystem, EHOSTUNREACH when the port
   * is dark.
   */
  connect(o: NvmeConnectOptions): NvmeCtrl | { readonly errno: number; readonly message: string } {
    if (!this.fabricsLoaded || !this.transports.has(o.port.trtype))
      return { errno: Errno.ENOENT, message: `no nvme-${o.port.trtype} transport` };
    const port = o.port;
    if (!port.reachable) {
      const errno = port.enabled ? Errno.EHOSTUNREACH : Errno.ECONNREFUSED;
      this.log.err(`nvme nvme${this.#peekInstance()}: failed to connect socket: -${errno}`);
      return { errno, message: `failed to connect socket: -${errno}` };
    }
    const instance = this.#instanceIda.alloc();
    const ctrl = new NvmeCtrl(this, instance, port, o);
    this.ctrls.push(ctrl);
    let subsys = this.subsystems.find((s) => s.target === port.subsys);
    const fresh = !subsys;
    if (!subsys) {
      subsys = new NvmeSubsys(this, port.subsys, instance);
      this.subsystems.push(subsys);
    }
    ctrl.attach(subsys, fresh);
    return ctrl;
  }

  #peekInstance(): number {
    const i = this.#instanceIda.alloc();
    this.#instanceIda.free(i);
    return i;
  }

  controller(name: string): NvmeCtrl | undefined {
    return this.ctrls.find((c) => c.devName === name);
  }

  /** A `blkext` dev_t (259:N, lowest free minor). */
  allocDisk(): number {
    this.#releaseUnheld();
    return mkdev(BLOCK_EXT_MAJOR, this.#minorIda.alloc());
  }

  freeDisk(devt: number): void {
    this.#minorIda.free(devt & 0xfffff);
  }

  allocGeneric(): number {
    return this.#genericIda.alloc();
  }

  freeGeneric(minor: number): void {
    this.#genericIda.free(minor);
  }

  allocHwmon(): number {
    return this.#hwmonIda.alloc();
  }

  freeHwmon(n: number): void {
    this.#hwmonIda.free(n);
  }

  /** A deleted controller goes; its instance is free once no held disk pins it. */
  releaseCtrl(ctrl: NvmeCtrl): void {
    const i = this.ctrls.indexOf(ctrl);
    if (i >= 0) this.ctrls.splice(i, 1);
    for (const ns of this.#held)
      if (ns.ctrl === ctrl) {
        this.#heldCtrls.add(ctrl);
        return;
      }
    this.#instanceIda.free(ctrl.instance);
  }

  /** Registers a way to tell whether a removed namespace disk is still open. */
  addHolderCheck(check: NvmeHolderCheck): void {
    this.#holderChecks.push(check);
  }

  /** A removed disk something still had open: its minor stays taken until it is let go. */
  holdDisk(ns: NvmeNs): void {
    this.#held.add(ns);
  }

  #releaseUnheld(): void {
    if (this.#held.size === 0) return;
    for (const ns of [...this.#held])
      if (!this.#holderChecks.some((c) => c(ns))) {
        this.#held.delete(ns);
        this.freeDisk(ns.devt);
      }
    for (const c of [...this.#heldCtrls])
      if (![...this.#held].some((ns) => ns.ctrl === c)) {
        this.#heldCtrls.delete(c);
        this.#instanceIda.free(c.instance);
      }
  }

  /** Controller instance for a new controller (after letting go of unheld disks). */
  subsystem(nqnOrName: string): NvmeSubsys | undefined {
    return this.subsystems.find((s) => s.nqn === nqnOrName || s.target.name === nqnOrName);
  }

  /** `pr_err_ratelimited` (10 lines per 5 s). */
  errRatelimited(text: string): void {
    const now = this.clock.now();
    if (this.#rlStart < 0 || now - this.#rlStart >= 5e9) {
      this.#rlStart = now;
      this.#rlCount = 0;
    }
    if (this.#rlCount++ < 10) this.log.err(text);
  }

  /** Cancels every timer (world teardown). */
  stop(): void {
    for (const c of this.ctrls) c.stop();
    for (const s of this.subsystems) for (const h of s.heads.values()) h.stop();
  }
}

function parseBool(v: string): boolean | null {
  if (/^(y|Y|1|on|true)$/.test(v) || v === "") return true;
  if (/^(n|N|0|off|false)$/.test(v)) return false;
  return null;
}
