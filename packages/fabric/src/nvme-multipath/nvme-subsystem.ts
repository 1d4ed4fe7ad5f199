import {
  type Bio,
  BlkStatus,
  type BlockDevice,
  bioEndio,
  type Clock,
  type DevT,
  type KernelLog,
  mkdev,
  ReqOp,
} from "@mp/dm-core";
import { DataStore } from "../hardware/data-store.js";
import type { ServiceModel } from "../timing/service-model.js";
import { IoCounters, type IoStatsSource } from "../workload/io-stats.js";
import { AnaState, anaIoStatus, anaStateName, isAnaError, NvmePathStatus } from "./ana.js";
import type { IoPolicy, PolicyPath } from "./iopolicy.js";
import { NvmeNsHead } from "./nvme-ns-head.js";

/** `enum nvme_ctrl_state` (the states the host's controller goes through). */
export type NvmeCtrlState = "new" | "live" | "resetting" | "connecting" | "deleting" | "dead";

/** Major of NVMe disks (`blkext`, dynamic; 259 on every machine that has one). */
export const BLOCK_EXT_MAJOR = 259;

/** Options of a controller (one host connection through one target port). */
export interface NvmeControllerOptions {
  /** Name in scenarios and reports (`c0`, `port-a`). */
  readonly name: string;
  /** NUMA node of the controller (`numa_node`), or -1. */
  readonly numaNode?: number;
  /** Time added to every command on this path (fabric round trip, tc netem delay), ns. */
  readonly latencyNs?: number;
  /** Queueing at this controller's port (its own queue pairs and link), or null. */
  readonly service?: ServiceModel | null;
  /** Initial ANA state of every ANA group seen through this controller. */
  readonly anaState?: AnaState;
}

/** Options of a subsystem. */
export interface NvmeSubsystemOptions {
  readonly name: string;
  readonly clock: Clock;
  readonly log: KernelLog;
  readonly iopolicy?: IoPolicy;
  /** Subsystem instance number (`nvme-subsys<N>`, the N of `nvme<N>n1`). */
  readonly instance: number;
  /** Keep-alive timeout: how long a dead connection goes unnoticed, ns (NVME_DEFAULT_KATO, 5 s). */
  readonly katoNs?: number;
  /** `reconnect_delay` (10 s). */
  readonly reconnectDelayNs?: number;
  /** `ctrl_loss_tmo` (600 s): after this long without a connection the controller is deleted. */
  readonly ctrlLossTmoNs?: number;
  /** Time to read the ANA log page after an AEN or an ANA error, ns (default 1 ms). */
  readonly anaLogReadNs?: number;
  /** CPU → NUMA node (default: every CPU on node 0). */
  readonly cpuToNode?: (cpu: number) => number;
  /** Allocates controller instance numbers (`nvme<N>`); shared by the subsystems of a host. */
  readonly nextCtrlInstance: () => number;
  /** Allocates `blkext` minors (259:N) for heads and path disks; shared by the host. */
  readonly nextMinor: () => number;
}

/** A namespace of the subsystem: its data and the shared service of its medium. */
export class NvmeNamespace {
  readonly nsid: number;
  readonly blocks: number;
  readonly blockSize = 512;
  readonly store: DataStore;
  /** The medium's service, shared by every path, or null. */
  service: ServiceModel | null;
  /** ANA group the namespace belongs to (ANAGRPID). */
  readonly anaGroup: number;

  constructor(nsid: number, bytes: number, anaGroup: number, service: ServiceModel | null) {
    this.nsid = nsid;
    this.blocks = Math.floor(bytes / 512);
    this.store = new DataStore(this.blocks * 512);
    this.service = service;
    this.anaGroup = anaGroup;
  }
}

/** One command in flight on a path (pooled). */
class NvmeCmd {
  bio: Bio | null = null;
  path: NvmeNsPath | null = null;
  timer = 0;
  /** Index in the controller's in-flight list. */
  slot = -1;
  /** Counted in the controller's `nr_active`. */
  counted = false;
}

/**
 * A host controller: the connection to the subsystem through one target port, with the
 * controller state machine of the fabrics transports (LIVE → RESETTING → CONNECTING → LIVE, or
 * → DELETING → DEAD after `ctrl_loss_tmo`), the target side's ANA state per group as seen through
 * this port, and the requests in flight.
 */
export class NvmeController {
  readonly subsys: NvmeSubsystem;
  readonly name: string;
  /** `nvme<instance>`. */
  readonly instance: number;
  readonly numaNode: number;
  latencyNs: number;
  service: ServiceModel | null;
  state: NvmeCtrlState = "new";
  /** Requests in flight counted under the queue-depth policy (`nr_active`). */
  nrActive = 0;
  /** The target port behind this controller is reachable. */
  #portUp = true;
  /** Target-side ANA state per group (nvmet's `ana_groups/<id>/ana_state` for this port). */
  readonly targetAna = new Map<number, AnaState>();
  readonly #defaultAna: AnaState;
  readonly paths: NvmeNsPath[] = [];
  readonly inflight: NvmeCmd[] = [];
  #lostAt = -1;
  #detectTimer = 0;
  #reconnectTimer = 0;
  #anaTimer = 0;

  constructor(subsys: NvmeSubsystem, instance: number, o: NvmeControllerOptions) {
    this.subsys = subsys;
    this.instance = instance;
    this.name = o.name;
    this.numaNode = o.numaNode ?? -1;
    this.latencyNs = o.latencyNs ?? 0;
    this.service = o.service ?? null;
    this.#defaultAna = o.anaState ?? AnaState.OPTIMIZED;
  }

  /** `nvme<N>`. */
  get devName(): string {
    return `nvme${this.instance}`;
  }

  get portUp(): boolean {
    return this.#portUp;
  }

  /** The ANA state the target reports for `group` through this controller's port. */
  anaOf(group: number): AnaState {
    return this.targetAna.get(group) ?? this.#defaultAna;
  }

  /** Connects: LIVE, ANA log read, paths ready. */
  connect(): void {
    this.state = "live";
    this.#lostAt = -1;
    this.#readAnaLog();
  }

  /**
   * Fault primitive: the target port goes dark or comes back (nvmet port removal / re-add, a
   * cable pull). A dark port answers nothing; the host notices after the keep-alive timeout.
   */
  setPortUp(up: boolean): void {
    if (up === this.#portUp) return;
    this.#portUp = up;
    const clock = this.subsys.clock;
    if (!up) {
      if (this.state === "live" && this.#detectTimer === 0)
        this.#detectTimer = clock.schedule(
          this.subsys.katoNs,
          (c: NvmeController) => c.#connectionLost(),
          this,
        );
    } else if (this.#detectTimer !== 0) {
      // Back before the host noticed: commands sent meanwhile were lost and time out.
      clock.cancel(this.#detectTimer);
      this.#detectTimer = 0;
      if (this.inflight.length > 0) this.#connectionLost();
    }
  }

  /**
   * Fault primitive: the target changes an ANA group's state for this port (nvmet
   * `ana_groups/<grp>/ana_state`) and sends an ANA change AEN; the host reads the log.
   */
  setAnaState(group: number, state: AnaState): void {
    this.targetAna.set(group, state);
    if (this.state === "live" && this.#portUp) this.#scheduleAnaRead();
  }

  /** `nvme_tcp_error_recovery()`: teardown, requests failed over, then reconnect attempts. */
  #connectionLost(): void {
    this.#detectTimer = 0;
    if (this.state !== "live") return;
    const sub = this.subsys;
    sub.log.warn(`${this.devName}: starting error recovery`);
    this.state = "resetting";
    this.#lostAt = sub.clock.now();
    for (const p of this.paths) p.head.clearCurrentPath(p);
    this.#abortInflight();
    this.state = "connecting";
    sub.kickRequeue();
    this.#reconnectTimer = sub.clock.schedule(
      sub.reconnectDelayNs,
      (c: NvmeController) => c.#reconnect(),
      this,
    );
  }

  #abortInflight(): void {
    const clock = this.subsys.clock;
    while (this.inflight.length > 0) {
      const cmd = this.inflight[this.inflight.length - 1]!;
      clock.cancel(cmd.timer);
      cmd.timer = 0;
      this.#finish(cmd, NvmePathStatus.HOST_ABORTED_CMD);
    }
  }

  /** `nvme_tcp_reconnect_ctrl_work()`. */
  #reconnect(): void {
    this.#reconnectTimer = 0;
    const sub = this.subsys;
    if (this.state !== "connecting") return;
    if (this.#portUp) {
      sub.log.info(`${this.devName}: Successfully reconnected (attempt)`);
      this.connect();
      sub.kickRequeue();
      return;
    }
    if (sub.clock.now() - this.#lostAt + sub.reconnectDelayNs > sub.ctrlLossTmoNs) {
      sub.log.info(`${this.devName}: Removing controller...`);
      this.state = "deleting";
      for (const p of [...this.paths]) p.head.removePath(p);
      this.state = "dead";
      sub.kickRequeue();
      return;
    }
    sub.log.info(`${this.devName}: Failed reconnect attempt`);
    this.#reconnectTimer = sub.clock.schedule(
      sub.reconnectDelayNs,
      (c: NvmeController) => c.#reconnect(),
      this,
    );
  }

  #scheduleAnaRead(): void {
    if (this.#anaTimer !== 0) return;
    this.#anaTimer = this.subsys.clock.schedule(
      this.subsys.anaLogReadNs,
      (c: NvmeController) => c.#anaWork(),
      this,
    );
  }

  /** `nvme_ana_work()`: reads the ANA log and updates every namespace path of this controller. */
  #anaWork(): void {
    this.#anaTimer = 0;
    if (this.state !== "live") return;
    if (!this.#portUp) return;
    this.#readAnaLog();
    this.subsys.kickRequeue();
  }

  #readAnaLog(): void {
    for (const p of this.paths) {
      const s = this.anaOf(p.ns.anaGroup);
      if (s !== p.anaState) p.head.clearCurrentPath(p);
      p.anaState = s;
      p.anaPending = false;
    }
  }

  /** An ANA error came back: the log is stale (NVME_NS_ANA_PENDING until it is read again). */
  anaError(path: NvmeNsPath): void {
    path.anaPending = true;
    this.#scheduleAnaRead();
  }

  // ---- the I/O path ----------------------------------------------------------------------

  readonly #cmdPool: NvmeCmd[] = [];
  readonly #onDone = (cmd: NvmeCmd): void => this.#done(cmd);

  /** Sends a request for `path`; completes the bio later with OK or a path error (TRANSPORT). */
  send(path: NvmeNsPath, bio: Bio, countActive: boolean): void {
    const clock = this.subsys.clock;
    const cmd = this.#cmdPool.pop() ?? new NvmeCmd();
    cmd.bio = bio;
    cmd.path = path;
    cmd.counted = countActive;
    if (countActive) this.nrActive++;
    bio.driverData = cmd;
    if (this.state !== "live") {
      // nvme_fail_nonready_command(): a multipath request fails at once with a host path error.
      cmd.slot = -1;
      cmd.timer = clock.schedule(0, this.#onNonReady, cmd);
      return;
    }
    cmd.slot = this.inflight.length;
    this.inflight.push(cmd);
    if (!this.#portUp) {
      cmd.timer = 0; // nothing will answer; the keep-alive timeout aborts it
      return;
    }
    const now = clock.now();
    const op = bio.op === ReqOp.READ ? ReqOp.READ : ReqOp.WRITE;
    let t = this.service ? this.service.serviceNs(op, bio.bytes, bio.sector, now) : 0;
    const nsSvc = path.ns.service;
    if (nsSvc) t += nsSvc.serviceNs(op, bio.bytes, bio.sector, now + t);
    cmd.timer = clock.schedule(t + this.latencyNs, this.#onDone, cmd);
  }

  readonly #onNonReady = (cmd: NvmeCmd): void => {
    cmd.timer = 0;
    this.#finish(cmd, NvmePathStatus.HOST_PATH_ERROR);
  };

  /** The target executes the command when it arrives (the port may have gone dark meanwhile). */
  #done(cmd: NvmeCmd): void {
    cmd.timer = 0;
    if (!this.#portUp) return; // lost on the wire: aborted at detection
    const bio = cmd.bio!;
    const ns = cmd.path!.ns;
    const status = anaIoStatus(this.anaOf(ns.anaGroup));
    if (status === 0 && bio.data) {
      const off = bio.sector * 512;
      if (off + bio.bytes <= ns.blocks * 512) {
        if (bio.op === ReqOp.WRITE) ns.store.write(off, bio.bytes, bio.data);
        else if (bio.op === ReqOp.READ) ns.store.read(off, bio.bytes, bio.data);
      }
    }
    this.#finish(cmd, status);
  }

  #finish(cmd: NvmeCmd, status: number): void {
    const bio = cmd.bio!;
    if (cmd.slot >= 0) {
      const last = this.inflight.pop()!;
      if (last !== cmd) {
        this.inflight[cmd.slot] = last;
        last.slot = cmd.slot;
      }
      cmd.slot = -1;
    }
    if (cmd.counted) this.nrActive--;
    const path = cmd.path!;
    cmd.bio = null;
    cmd.path = null;
    cmd.counted = false;
    this.#cmdPool.push(cmd);
    bio.driverData = null;
    if (isAnaError(status)) this.anaError(path);
    // Every status a path returns here is a path error: the head fails the request over.
    bioEndio(bio, status === 0 ? BlkStatus.OK : BlkStatus.TRANSPORT);
  }

  /** Cancels the controller's timers (world teardown). */
  stop(): void {
    const clock = this.subsys.clock;
    for (const h of [this.#detectTimer, this.#reconnectTimer, this.#anaTimer]) if (h) clock.cancel(h);
    this.#detectTimer = this.#reconnectTimer = this.#anaTimer = 0;
  }
}

/**
 * The path to one namespace through one controller (`struct nvme_ns`, the hidden
 * `nvme<S>c<C>n<N>` disk): ANA state as the host knows it, the ANA-pending flag, and the
 * per-path I/O counters.
 */
export class NvmeNsPath implements PolicyPath, BlockDevice, IoStatsSource {
  readonly ctrl: NvmeController;
  readonly ns: NvmeNamespace;
  readonly head: NvmeNsHead;
  readonly name: string;
  readonly devt: DevT;
  readonly logicalBlockSize = 512;
  readonly requestStackable = true;
  readonly partition = false;
  /** I/O through this path, counted by the head (per-path shares and latency). */
  readonly ioStats = new IoCounters();
  anaState: AnaState = AnaState.OPTIMIZED;
  anaPending = false;
  /** Cleared when the namespace's capacity no longer matches the head's (NVME_NS_READY). */
  ready = true;

  constructor(ctrl: NvmeController, ns: NvmeNamespace, head: NvmeNsHead, devt: DevT) {
    this.ctrl = ctrl;
    this.ns = ns;
    this.head = head;
    this.devt = devt;
    this.name = `nvme${ctrl.subsys.instance}c${ctrl.instance}n${ns.nsid}`;
  }

  sizeSectors(): number {
    return this.ns.blocks;
  }
  readOnly(): boolean {
    return false;
  }
  dying(): boolean {
    return this.ctrl.state === "dead";
  }

  /** Direct I/O to the hidden path disk (no failover). */
  submit(bio: Bio): void {
    bio.dev = this;
    this.ctrl.send(this, bio, false);
  }

  disabled(): boolean {
    const s = this.ctrl.state;
    if (s !== "live" && s !== "deleting") return true;
    return this.anaPending || !this.ready;
  }

  live(): boolean {
    return this.ctrl.state === "live";
  }

  get numaNode(): number {
    return this.ctrl.numaNode;
  }

  nrActive(): number {
    return this.ctrl.nrActive;
  }

  get anaStateName(): string {
    return anaStateName(this.anaState);
  }
}

/**
 * An NVMe subsystem as one host sees it with native multipath on (`nvme_core.multipath=Y`):
 * controllers (one per target port it connected through), namespaces, one head disk per
 * namespace (`nvme<S>n<N>`) that spreads I/O over the paths by the subsystem's `iopolicy`.
 */
export class NvmeSubsystem {
  readonly name: string;
  readonly clock: Clock;
  readonly log: KernelLog;
  readonly instance: number;
  readonly katoNs: number;
  readonly reconnectDelayNs: number;
  readonly ctrlLossTmoNs: number;
  readonly anaLogReadNs: number;
  readonly cpuToNode: (cpu: number) => number;
  readonly controllers: NvmeController[] = [];
  readonly namespaces: NvmeNamespace[] = [];
  readonly heads: NvmeNsHead[] = [];
  #iopolicy: IoPolicy;
  readonly #nextCtrl: () => number;
  readonly #nextMinor: () => number;

  constructor(o: NvmeSubsystemOptions) {
    this.name = o.name;
    this.clock = o.clock;
    this.log = o.log;
    this.instance = o.instance;
    this.#iopolicy = o.iopolicy ?? "numa";
    this.katoNs = o.katoNs ?? 5e9;
    this.reconnectDelayNs = o.reconnectDelayNs ?? 10e9;
    this.ctrlLossTmoNs = o.ctrlLossTmoNs ?? 600e9;
    this.anaLogReadNs = o.anaLogReadNs ?? 1e6;
    this.cpuToNode = o.cpuToNode ?? (() => 0);
    this.#nextCtrl = o.nextCtrlInstance;
    this.#nextMinor = o.nextMinor;
  }

  get iopolicy(): IoPolicy {
    return this.#iopolicy;
  }

  /**
   * Writes `iopolicy` (sysfs `nvme-subsys<N>/iopolicy`): clears every head's current paths and,
   * as 6.11 does, the controllers' `nr_active` counts.
   */
  setIopolicy(p: IoPolicy): void {
    const old = this.#iopolicy;
    if (p === old) return;
    this.#iopolicy = p;
    for (const c of this.controllers) c.nrActive = 0;
    for (const h of this.heads) h.clearAllCurrentPaths();
    this.log.notice(`nvme-subsys${this.instance}: changed from ${old} to ${p}`);
  }

  addNamespace(nsid: number, bytes: number, service: ServiceModel | null, anaGroup = 1): NvmeNsHead {
    const ns = new NvmeNamespace(nsid, bytes, anaGroup, service);
    this.namespaces.push(ns);
    const head = new NvmeNsHead(this, ns, mkdev(BLOCK_EXT_MAJOR, this.#nextMinor()));
    this.heads.push(head);
    for (const c of this.controllers) this.#attach(c, ns, head);
    return head;
  }

  /** Connects a controller through a new port: paths to every namespace join their heads' lists. */
  addController(o: NvmeControllerOptions): NvmeController {
    if (this.controllers.some((c) => c.name === o.name))
      throw new Error(`${this.name}: duplicate controller name ${o.name}`);
    const c = new NvmeController(this, this.#nextCtrl(), o);
    this.controllers.push(c);
    this.namespaces.forEach((ns, i) => {
      this.#attach(c, ns, this.heads[i]!);
    });
    c.connect();
    return c;
  }

  controller(name: string): NvmeController | undefined {
    return this.controllers.find((c) => c.name === name);
  }

  #attach(c: NvmeController, ns: NvmeNamespace, head: NvmeNsHead): void {
    const p = new NvmeNsPath(c, ns, head, mkdev(BLOCK_EXT_MAJOR, this.#nextMinor()));
    c.paths.push(p);
    head.addPath(p);
  }

  /** `nvme_kick_requeue_lists()` for every head. */
  kickRequeue(): void {
    for (const h of this.heads) h.kickRequeue();
  }

  /**
   * Fault primitive: the ANA state of `group` changes on every controller (or the given ones).
   */
  setAnaState(
    group: number,
    state: AnaState,
    controllers: readonly NvmeController[] = this.controllers,
  ): void {
    for (const c of controllers) c.setAnaState(group, state);
  }

  stop(): void {
    for (const c of this.controllers) c.stop();
    for (const h of this.heads) h.stop();
  }
}
