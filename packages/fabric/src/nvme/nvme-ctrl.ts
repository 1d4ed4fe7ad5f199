import { type Bio, BlkStatus, bioEndio, ReqOp } from "@mp/dm-core";
import type { NvmetNamespace, NvmetPort, NvmetPortChange } from "../hardware/nvme-target.js";
import type { ServiceModel } from "../timing/service-model.js";
import { AnaState, anaStateIsLive, isAnaError, isPathError, NvmePathStatus, NvmeStatusBits } from "./ana.js";
import type { NvmeCore, NvmeSubsys } from "./nvme-core.js";
import { NvmeNs } from "./nvme-ns.js";

/** `enum nvme_ctrl_state`, as sysfs `state` names them. */
export type NvmeCtrlState =
  | "new"
  | "live"
  | "resetting"
  | "connecting"
  | "deleting"
  | "deleting (no IO)"
  | "dead";

/** Options of a fabrics controller (`nvme connect` options, and the path's timing). */
export interface NvmeCtrlOptions {
  /** Name in scenarios and reports (default: the target port's name). */
  readonly name?: string;
  /** NUMA node of the controller (`numa_node`), or -1. */
  readonly numaNode?: number;
  /** Time added to every command on this path (the fabric's round trip, tc netem delay), ns. */
  readonly latencyNs?: number;
  /** Queueing in this connection (its queue pairs, the host's NIC), or null. */
  readonly service?: ServiceModel | null;
  /** `keep_alive_tmo` (NVME_DEFAULT_KATO: 5 s), ns. */
  readonly katoNs?: number;
  /** `reconnect_delay` (10 s), ns. */
  readonly reconnectDelayNs?: number;
  /** `ctrl_loss_tmo` (600 s; negative: reconnect forever), ns. */
  readonly ctrlLossTmoNs?: number;
  /** `fast_io_fail_tmo` (off: -1), ns. */
  readonly fastIoFailTmoNs?: number;
  /** `nvme_core.io_timeout` (30 s), ns. */
  readonly ioTimeoutNs?: number;
  /** Time from an ANA change on the target to the host's ANA log read (the AEN), ns. */
  readonly aenNs?: number;
}

/** Initial SYN and its retransmissions (`tcp_syn_retries` 6, RTO from 1 s): the times a connect tries, s. */
const SYN_TIMES_S = [0, 1, 3, 7, 15, 31, 63] as const;
/** When a connect to a port that never answers gives up (ETIMEDOUT), s. */
const SYN_GIVE_UP_S = 127;

/** One request in flight (pooled). */
export class NvmeRequest {
  bio: Bio | null = null;
  ns: NvmeNs | null = null;
  /** REQ_NVME_MPATH: the bio came from a native multipath head. */
  mpath = false;
  /** Counted in the controller's `nr_active` (queue-depth iopolicy). */
  counted = false;
  retries = 0;
  timer = 0;
  /** Index in the controller's in-flight list, or -1. */
  slot = -1;
  /** The connection it was sent on. */
  gen = 0;
  sentNs = 0;
  /** When the bio came in (latency of a direct bio). */
  submitNs = 0;
  /** Sent but never answered (the port was dark). */
  lost = false;
}

/**
 * A fabrics host controller (`struct nvme_ctrl` of nvme-tcp and its cousins): the association
 * with the target through one port, its state machine (LIVE → RESETTING → CONNECTING → LIVE, or
 * → DELETING → DEAD once `ctrl_loss_tmo` runs out), the keep-alive that notices a dark port, the
 * reconnect attempts, `fast_io_fail_tmo`, namespace scanning, the ANA log (native multipath
 * only), and the I/O path with the core's disposition (retry, fail over, complete).
 */
export class NvmeCtrl {
  readonly core: NvmeCore;
  /** `nvme<instance>`. */
  readonly instance: number;
  readonly port: NvmetPort;
  readonly name: string;
  readonly numaNode: number;
  latencyNs: number;
  service: ServiceModel | null;
  readonly katoNs: number;
  readonly reconnectDelayNs: number;
  readonly ctrlLossTmoNs: number;
  fastIoFailTmoNs: number;
  readonly ioTimeoutNs: number;
  readonly aenNs: number;
  subsys!: NvmeSubsys;
  /** Controller id the target gave this association (`cntlid`). */
  cntlid = 0;
  /** `/sys/class/nvme/nvme<N>/hwmon<M>`. */
  hwmon = -1;
  #state: NvmeCtrlState = "new";
  /** `nr_active` (requests in flight, counted under the queue-depth iopolicy). */
  nrActive = 0;
  nrReconnects = 0;
  /** NVME_CTRL_FAILFAST_EXPIRED. */
  failfastExpired = false;
  /** Namespaces seen through this controller, by NSID. */
  readonly namespaces: NvmeNs[] = [];
  readonly inflight: NvmeRequest[] = [];
  readonly #waiting: NvmeRequest[] = [];
  readonly #pool: NvmeRequest[] = [];
  #gen = 1;
  #liveSince = 0;
  #kaTimer = 0;
  #detectTimer = 0;
  #reconnectTimer = 0;
  #failfastTimer = 0;
  #anaTimer = 0;
  #anattTimer = 0;
  #unsubscribe: (() => void) | null = null;
  readonly #onDone = (req: NvmeRequest): void => this.#done(req);
  readonly #onFailNow = (req: NvmeRequest): void => {
    req.timer = 0;
    this.#complete(req, NvmePathStatus.HOST_PATH_ERROR, true);
  };

  constructor(core: NvmeCore, instance: number, port: NvmetPort, o: NvmeCtrlOptions) {
    this.core = core;
    this.instance = instance;
    this.port = port;
    this.name = o.name ?? port.name;
    this.numaNode = o.numaNode ?? -1;
    this.latencyNs = o.latencyNs ?? 0;
    this.service = o.service ?? null;
    this.katoNs = o.katoNs ?? 5e9;
    this.reconnectDelayNs = o.reconnectDelayNs ?? 10e9;
    this.ctrlLossTmoNs = o.ctrlLossTmoNs ?? 600e9;
    this.fastIoFailTmoNs = o.fastIoFailTmoNs ?? -1;
    this.ioTimeoutNs = o.ioTimeoutNs ?? 30e9;
    this.aenNs = o.aenNs ?? 1e6;
  }

  /** `nvme<N>`. */
  get devName(): string {
    return `nvme${this.instance}`;
  }

  get state(): NvmeCtrlState {
    return this.#state;
  }

  get clock() {
    return this.core.clock;
  }

  /** `dev_info(ctrl->device, …)`. */
  #info(text: string): void {
    this.core.log.info(`nvme ${this.devName}: ${text}`);
  }

  #warn(text: string): void {
    this.core.log.warn(`nvme ${this.devName}: ${text}`);
  }

  #err(text: string): void {
    this.core.log.err(`nvme ${this.devName}: ${text}`);
  }

  #setState(s: NvmeCtrlState): void {
    if (s === this.#state) return;
    const old = this.#state;
    this.#state = s;
    this.port.subsys.events.emit({
      kind: "nvme-ctrl",
      ctrl: this.devName,
      subsystem: this.port.subsys.name,
      port: this.port.name,
      state: s,
    });
    if (s === "live") {
      if (old === "connecting") this.#stopFailfast();
      this.#kickWaiting();
      if (this.core.multipath) this.subsys.kickRequeue();
    } else if (s === "connecting" && old === "resetting") this.#startFailfast();
  }

  /** `address` attribute: the transport address of the association. */
  get address(): string {
    const p = this.port;
    switch (p.trtype) {
      case "tcp":
        return `traddr=${p.traddr},trsvcid=${p.trsvcid},src_addr=${hostAddr(p.traddr)}`;
      case "rdma":
        return `traddr=${p.traddr},trsvcid=${p.trsvcid}`;
      case "fc":
        return `traddr=${p.traddr},host_traddr=nn-0x20000090fa000001:pn-0x10000090fa000001`;
      default:
        return "";
    }
  }

  /** I/O queues the transport creates (one per CPU). */
  get nrIoQueues(): number {
    return this.core.cpus;
  }

  /** First association: the controller's and (for a new one) the subsystem's devices, then start. */
  attach(subsys: NvmeSubsys, freshSubsys: boolean): void {
    this.subsys = subsys;
    subsys.ctrls.push(this);
    this.#setState("connecting");
    this.cntlid = this.port.subsys.allocCntlid();
    this.core.attrs.addCtrl(this);
    if (freshSubsys) this.core.attrs.addSubsys(subsys);
    this.core.attrs.linkCtrl(subsys, this);
    this.#unsubscribe = this.port.onChange((c) => this.#portChanged(c));
    this.#queuesCreated();
    this.#setState("live");
    this.#liveSince = this.clock.now();
    this.#info(`new ctrl: NQN "${subsys.nqn}", addr ${addrShort(this.port)}`);
    this.#start();
  }

  #queuesCreated(): void {
    this.#info(`creating ${this.nrIoQueues} I/O queues.`);
    this.#info(`mapped ${this.nrIoQueues}/0/0 default/read/poll queues.`);
  }

  /** `nvme_start_ctrl()`: keep-alive, the ANA log, the namespace scan, `NVME_EVENT=connected`. */
  #start(): void {
    this.#startKeepAlive();
    if (this.core.multipath) this.#readAnaLog();
    this.#scan();
    this.core.attrs.changeCtrl(this, [["NVME_EVENT", "connected"]]);
  }

  // ---- namespaces ---------------------------------------------------------------------------

  /** `nvme_scan_work()`: new namespaces get a disk, vanished ones lose theirs. */
  #scan(): void {
    const target = this.port.subsys;
    for (const ns of [...this.namespaces])
      if (!target.namespaces.includes(ns.target)) this.#removeNs(ns, false);
    for (const tns of target.namespaces)
      if (!this.namespaces.some((n) => n.target === tns)) this.#allocNs(tns);
  }

  /** `nvme_alloc_ns()`. */
  #allocNs(tns: NvmetNamespace): void {
    const { head } = this.subsys.headFor(tns);
    if (!this.core.multipath && head.paths.length > 0) {
      this.#warn(`Found shared namespace ${tns.nsid}, but multipathing not supported.`);
      if (!this.core.sharedWarned) {
        this.core.sharedWarned = true;
        this.#warn(
          "Support for shared namespaces without CONFIG_NVME_MULTIPATH is deprecated and will be removed in Linux 6.0.",
        );
      }
    }
    const ns = new NvmeNs(this, tns, head);
    this.namespaces.push(ns);
    this.namespaces.sort((a, b) => a.nsid - b.nsid);
    head.addPath(ns);
    ns.anaState = this.port.anaOf(tns.anaGroup);
    this.core.attrs.addNs(ns);
    if (this.core.multipath && anaStateIsLive(ns.anaState)) head.setLive();
  }

  /** `nvme_ns_remove()`: the queue dies first (waiting I/O fails, still logged as the disk's). */
  #removeNs(ns: NvmeNs, ctrlGone: boolean): void {
    const i = this.namespaces.indexOf(ns);
    if (i >= 0) this.namespaces.splice(i, 1);
    for (const req of this.#waiting.filter((r) => r.ns === ns)) {
      this.#waiting.splice(this.#waiting.indexOf(req), 1);
      this.#complete(req, NvmePathStatus.HOST_PATH_ERROR, true);
    }
    ns.remove(ctrlGone);
  }

  // ---- the port and the connection ----------------------------------------------------------

  #portChanged(c: NvmetPortChange): void {
    switch (c.kind) {
      case "enabled":
        // nvmet tears the association down: the host sees its connection reset at once.
        if (!c.enabled && this.#state === "live") this.#errorRecovery();
        return;
      case "reachable":
        if (!c.up && this.#state === "live") this.#armKeepAliveLoss();
        return;
      case "ana":
        // An ANA change notice; only native multipath reads the ANA log (nvme_handle_aen_notice).
        if (this.core.multipath && this.#state === "live" && this.port.reachable) this.#scheduleAnaRead();
        return;
      default: {
        const never: never = c;
        throw new Error(`unhandled ${String(never)}`);
      }
    }
  }

  #startKeepAlive(): void {
    if (this.#kaTimer) this.clock.cancel(this.#kaTimer);
    this.#kaTimer = 0;
    if (!this.port.up) this.#armKeepAliveLoss();
  }

  /**
   * A dark port: the next keep-alive (they go every `kato/2` from the association) gets no
   * answer and times out `kato` later, unless a lost command's own timeout comes first.
   */
  #armKeepAliveLoss(): void {
    if (this.#kaTimer) return;
    const half = Math.max(1, Math.floor(this.katoNs / 2));
    const now = this.clock.now();
    const since = now - this.#liveSince;
    const next = this.#liveSince + Math.ceil(since / half) * half;
    this.#kaTimer = this.clock.schedule(
      next - now,
      () => {
        this.#kaTimer = 0;
        if (this.#state !== "live") return;
        if (this.port.up) return; // back before a keep-alive was lost
        this.#armDetect(this.clock.now() + this.katoNs, "queue 0: timeout request 0x0 type 4");
      },
      undefined,
    );
  }

  /** Error recovery at `atNs` (the earliest timeout of something lost), with the timeout's line. */
  #armDetect(atNs: number, line: string): void {
    const now = this.clock.now();
    if (this.#detectTimer) {
      if (this.#detectAt <= atNs) return;
      this.clock.cancel(this.#detectTimer);
    }
    this.#detectAt = atNs;
    this.#detectTimer = this.clock.schedule(
      Math.max(0, atNs - now),
      () => {
        this.#detectTimer = 0;
        if (this.#state !== "live") return;
        this.#warn(line);
        this.#errorRecovery();
      },
      undefined,
    );
  }
  #detectAt = 0;

  /** `nvme_tcp_error_recovery_work()`: teardown (requests aborted), then reconnect or remove. */
  #errorRecovery(): void {
    if (this.#state !== "live") return;
    this.#warn("starting error recovery");
    this.#setState("resetting");
    this.#teardown();
    this.#setState("connecting");
    this.#reconnectOrRemove();
  }

  /** The association goes: keep-alive stops, in-flight requests are aborted (HOST_ABORTED_CMD). */
  #teardown(): void {
    this.#gen++;
    for (const t of [this.#kaTimer, this.#detectTimer, this.#anaTimer, this.#anattTimer])
      if (t) this.clock.cancel(t);
    this.#kaTimer = this.#detectTimer = this.#anaTimer = this.#anattTimer = 0;
    for (const ns of this.namespaces) if (this.core.multipath) ns.head.clearCurrentPath(ns);
    this.port.subsys.freeCntlid(this.cntlid);
    const reqs = this.inflight.splice(0);
    for (const r of reqs) {
      r.slot = -1;
      if (r.timer) this.clock.cancel(r.timer);
      r.timer = 0;
      this.#complete(r, NvmePathStatus.HOST_ABORTED_CMD, false);
    }
    this.service?.reset(this.clock.now());
  }

  /** `nvmf_should_reconnect()`. */
  #shouldReconnect(): boolean {
    if (this.ctrlLossTmoNs < 0) return true;
    const max = Math.ceil(this.ctrlLossTmoNs / this.reconnectDelayNs);
    return this.nrReconnects < max;
  }

  /** `nvme_tcp_reconnect_or_remove()`. */
  #reconnectOrRemove(): void {
    if (this.#state !== "connecting") return;
    if (this.#shouldReconnect()) {
      this.#info(`Reconnecting in ${Math.round(this.reconnectDelayNs / 1e9)} seconds...`);
      this.#reconnectTimer = this.clock.schedule(
        this.reconnectDelayNs,
        () => this.#reconnectWork(),
        undefined,
      );
    } else {
      this.#info("Removing controller...");
      this.delete(false);
    }
  }

  /** `nvme_tcp_reconnect_ctrl_work()`: one attempt, which a dark port makes last. */
  #reconnectWork(): void {
    this.#reconnectTimer = 0;
    if (this.#state !== "connecting") return;
    this.nrReconnects++;
    this.#tryConnect(0, (ok, errno) => {
      if (ok) {
        this.#info(`Successfully reconnected (${this.nrReconnects} attempt)`);
        this.nrReconnects = 0;
        return;
      }
      this.#err(`failed to connect socket: -${errno}`);
      this.#info(`Failed reconnect attempt ${this.nrReconnects}`);
      this.#reconnectOrRemove();
    });
  }

  /**
   * A TCP connect and the association: refused at once by a port without the subsystem
   * (ECONNREFUSED), retried by SYN retransmissions towards a dark port until it answers or
   * `tcp_syn_retries` run out (ETIMEDOUT after 127 s).
   */
  #tryConnect(attempt: number, done: (ok: boolean, errno: number) => void): void {
    const p = this.port;
    if (p.reachable) {
      this.cntlid = p.subsys.allocCntlid();
      this.#queuesCreated();
      this.#liveSince = this.clock.now();
      done(true, 0);
      this.#setState("live");
      this.#start();
      return;
    }
    if (!p.enabled) {
      done(false, 111);
      return;
    }
    const next = SYN_TIMES_S[attempt + 1];
    const wait = (next === undefined ? SYN_GIVE_UP_S : next) - SYN_TIMES_S[attempt]!;
    this.#reconnectTimer = this.clock.schedule(
      wait * 1e9,
      () => {
        this.#reconnectTimer = 0;
        if (this.#state !== "connecting") return;
        if (next === undefined) done(false, 110);
        else this.#tryConnect(attempt + 1, done);
      },
      undefined,
    );
  }

  #startFailfast(): void {
    if (this.fastIoFailTmoNs < 0) return;
    this.#failfastTimer = this.clock.schedule(
      this.fastIoFailTmoNs,
      () => {
        this.#failfastTimer = 0;
        if (this.#state !== "connecting") return;
        this.failfastExpired = true;
        this.#info("failfast expired");
        for (const r of this.#waiting.splice(0)) this.#complete(r, NvmePathStatus.HOST_PATH_ERROR, true);
        if (this.core.multipath) this.subsys.kickRequeue();
      },
      undefined,
    );
  }

  #stopFailfast(): void {
    if (this.#failfastTimer) this.clock.cancel(this.#failfastTimer);
    this.#failfastTimer = 0;
    this.failfastExpired = false;
  }

  /**
   * `nvme_delete_ctrl()` (`delete_controller`, or `ctrl_loss_tmo` run out): the namespaces go
   * (waiting I/O fails with a host path error), then the controller. `clean`: the association
   * is up and is shut down properly; otherwise the shutdown's property write fails.
   */
  delete(clean = this.#state === "live" && this.port.reachable): void {
    if (this.#state === "deleting" || this.#state === "dead") return;
    this.#setState("deleting");
    this.#info(`Removing ctrl: NQN "${this.subsys.nqn}"`);
    for (const t of [this.#reconnectTimer, this.#failfastTimer]) if (t) this.clock.cancel(t);
    this.#reconnectTimer = this.#failfastTimer = 0;
    if (clean) this.#teardown();
    for (const ns of [...this.namespaces]) this.#removeNs(ns, true);
    for (const r of this.#waiting.splice(0)) this.#complete(r, NvmePathStatus.HOST_PATH_ERROR, true);
    if (!clean) this.#err(`Property Set error: ${NvmePathStatus.HOST_PATH_ERROR}, offset 0x14`);
    else this.#teardown();
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#setState("dead");
    const i = this.subsys.ctrls.indexOf(this);
    if (i >= 0) this.subsys.ctrls.splice(i, 1);
    this.core.attrs.removeCtrl(this);
    if (this.subsys.ctrls.length === 0) {
      this.core.attrs.removeSubsys(this.subsys);
      const j = this.core.subsystems.indexOf(this.subsys);
      if (j >= 0) this.core.subsystems.splice(j, 1);
    }
    this.core.releaseCtrl(this);
    if (this.core.multipath) this.subsys.kickRequeue();
  }

  /** `reset_controller`: teardown and a new association at once. */
  reset(): void {
    if (this.#state !== "live") return;
    this.#setState("resetting");
    this.#teardown();
    this.#setState("connecting");
    this.#tryConnect(0, (ok) => {
      if (ok) return;
      this.nrReconnects++;
      this.#reconnectOrRemove();
    });
  }

  // ---- ANA (native multipath) ---------------------------------------------------------------

  #scheduleAnaRead(): void {
    if (this.#anaTimer) return;
    this.#anaTimer = this.clock.schedule(
      this.aenNs,
      () => {
        this.#anaTimer = 0;
        if (this.#state !== "live" || !this.port.reachable) return;
        this.#readAnaLog();
        this.subsys.kickRequeue();
      },
      undefined,
    );
  }

  /** `nvme_read_ana_log()`: every path of this controller learns its group's state; the ANATT timer. */
  #readAnaLog(): void {
    let changing = 0;
    const seen = new Set<number>();
    for (const ns of this.namespaces) {
      const s = this.port.anaOf(ns.target.anaGroup);
      if (s === AnaState.CHANGE && !seen.has(ns.target.anaGroup)) changing++;
      seen.add(ns.target.anaGroup);
      if (s !== ns.anaState) ns.head.clearCurrentPath(ns);
      ns.anaState = s;
      ns.anaPending = false;
      if (anaStateIsLive(s) && this.#state === "live") ns.head.setLive();
    }
    if (changing > 0) {
      if (this.#anattTimer) this.clock.cancel(this.#anattTimer);
      // ANATT doubled for the transport's and the AEN's slack, as multipath.c does.
      this.#anattTimer = this.clock.schedule(
        this.port.subsys.anattSecs * 2e9,
        () => {
          this.#anattTimer = 0;
          this.#info("ANATT timeout, resetting controller.");
          this.reset();
        },
        undefined,
      );
    } else if (this.#anattTimer) {
      this.clock.cancel(this.#anattTimer);
      this.#anattTimer = 0;
    }
  }

  /** An ANA error on a path: its state is stale until the log is read again (NVME_NS_ANA_PENDING). */
  #anaError(ns: NvmeNs): void {
    ns.anaPending = true;
    this.#scheduleAnaRead();
  }

  // ---- I/O ----------------------------------------------------------------------------------

  /**
   * Queues a bio for `ns`: sent at once on a live controller; while it reconnects a multipath
   * bio fails over at once (host path error) and any other waits (or fails once
   * `fast_io_fail_tmo` expired); a deleted controller fails it.
   */
  submit(ns: NvmeNs, bio: Bio, mpath: boolean, countActive: boolean): void {
    const req = this.#pool.pop() ?? new NvmeRequest();
    req.bio = bio;
    req.ns = ns;
    req.mpath = mpath;
    req.counted = countActive;
    req.retries = 0;
    req.submitNs = this.clock.now();
    if (countActive) this.nrActive++;
    if (!mpath) ns.ioStats.submitted();
    bio.driverData = req;
    this.#queueRq(req);
  }

  #queueRq(req: NvmeRequest): void {
    switch (this.#state) {
      case "live":
        this.#dispatch(req);
        return;
      case "new":
      case "resetting":
      case "connecting":
        // nvme_fail_nonready_command(): multipath requests fail over, the others wait.
        if (req.mpath || this.failfastExpired) req.timer = this.clock.schedule(0, this.#onFailNow, req);
        else this.#waiting.push(req);
        return;
      default:
        req.timer = this.clock.schedule(0, this.#onFailNow, req);
    }
  }

  #dispatch(req: NvmeRequest): void {
    const bio = req.bio!;
    const now = this.clock.now();
    req.gen = this.#gen;
    req.sentNs = now;
    req.lost = false;
    req.slot = this.inflight.length;
    this.inflight.push(req);
    if (!this.port.up) {
      this.#lose(req);
      return;
    }
    const op = bio.op === ReqOp.READ ? ReqOp.READ : ReqOp.WRITE;
    let t = this.service ? this.service.serviceNs(op, bio.bytes, bio.sector, now) : 0;
    t += this.port.subsys.serviceNs(this.port, req.ns!.target, op, bio.bytes, bio.sector, now + t);
    req.timer = this.clock.schedule(t + this.latencyNs, this.#onDone, req);
  }

  /** A command the dark port swallowed: its timeout (or the keep-alive's) ends the association. */
  #lose(req: NvmeRequest): void {
    req.lost = true;
    req.timer = 0;
    const bio = req.bio!;
    const tag = req.slot.toString(16);
    this.#armDetect(
      req.sentNs + this.ioTimeoutNs,
      `queue ${(bio.cpu % this.nrIoQueues) + 1}: timeout request 0x${tag} type 4`,
    );
  }

  /** The answer arrives (or does not: a port gone dark meanwhile swallowed the command). */
  #done(req: NvmeRequest): void {
    req.timer = 0;
    if (req.gen !== this.#gen) return;
    if (!this.port.up) {
      this.#lose(req);
      return;
    }
    const bio = req.bio!;
    const ns = req.ns!;
    let status = 0;
    if (bio.op === ReqOp.READ || bio.op === ReqOp.WRITE) {
      const off = bio.sector * 512;
      status = this.port.subsys.execute(
        this.port,
        ns.target,
        bio.op === ReqOp.WRITE,
        off,
        bio.bytes,
        bio.data,
      );
    }
    this.#unlink(req);
    this.#complete(req, status, false);
  }

  #unlink(req: NvmeRequest): void {
    if (req.slot < 0) return;
    const last = this.inflight.pop()!;
    if (last !== req) {
      this.inflight[req.slot] = last;
      last.slot = req.slot;
    }
    req.slot = -1;
  }

  /**
   * `nvme_complete_rq()`: complete, retry, or fail over. `dying`: the queue is going away (a
   * non-multipath request completes with its error at once).
   */
  #complete(req: NvmeRequest, status: number, dying: boolean): void {
    const ns = req.ns!;
    if (status !== 0) {
      const noRetry =
        (status & NvmeStatusBits.DNR) !== 0 || req.retries >= this.core.maxRetries || (dying && !req.mpath);
      if (!noRetry) {
        if (req.mpath && (isPathError(status) || dying)) {
          if (isAnaError(status) && this.core.multipath) this.#anaError(ns);
          this.#end(req, BlkStatus.TRANSPORT, 0, true);
          return;
        }
        req.retries++;
        this.#queueRq(req);
        return;
      }
    }
    this.#end(req, nvmeErrorStatus(status), status, false);
  }

  /** `nvme_end_req()`: the error line, then the block layer's. */
  #end(req: NvmeRequest, blk: BlkStatus, status: number, failover: boolean): void {
    const bio = req.bio!;
    const ns = req.ns!;
    if (req.counted) this.nrActive--;
    // A direct bio counts here; the native multipath head counts its own per path.
    if (!req.mpath) ns.ioStats.completed(bio.op, bio.bytes, blk, this.clock.now() - req.submitNs);
    req.bio = null;
    req.ns = null;
    req.counted = false;
    this.#pool.push(req);
    bio.driverData = null;
    if (status !== 0 && !failover) {
      const lbs = ns.logicalBlockSize;
      const opcode = bio.op === ReqOp.WRITE ? 1 : bio.op === ReqOp.READ ? 2 : 0;
      this.core.errRatelimited(
        `${ns.name}: I/O Cmd(0x${opcode.toString(16)}) @ LBA ${Math.floor((bio.sector * 512) / lbs)}, ${Math.floor(bio.bytes / lbs)} blocks, I/O Error (sct 0x${((status >> 8) & 7).toString(16)} / sc 0x${(status & 0xff).toString(16)}) ${status & NvmeStatusBits.MORE ? "MORE " : ""}${status & NvmeStatusBits.DNR ? "DNR " : ""}`,
      );
      if (!req.mpath && !ns.removedDisk) this.core.kernel.block.printReqError(ns, bio, blk);
    }
    bioEndio(bio, blk);
  }

  /** Waiting requests go again once the controller is live. */
  #kickWaiting(): void {
    for (const r of this.#waiting.splice(0)) this.#queueRq(r);
  }

  /** Requests waiting for the controller (not sent). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Cancels the controller's timers (world teardown). */
  stop(): void {
    for (const t of [
      this.#kaTimer,
      this.#detectTimer,
      this.#reconnectTimer,
      this.#failfastTimer,
      this.#anaTimer,
      this.#anattTimer,
    ])
      if (t) this.clock.cancel(t);
    this.#kaTimer = this.#detectTimer = this.#reconnectTimer = this.#failfastTimer = this.#anaTimer = 0;
    this.#anattTimer = 0;
  }
}

/** `nvme_error_status()`: the block status of an NVMe status. */
export function nvmeErrorStatus(status: number): BlkStatus {
  switch (status & 0x7ff) {
    case 0:
      return BlkStatus.OK;
    case 0x80: // LBA out of range
    case 0x82: // namespace not ready
      return BlkStatus.TARGET;
    case 0x01: // invalid opcode
    case 0x02: // invalid field
    case 0x0b: // invalid namespace
      return BlkStatus.NOTSUPP;
    case 0x280: // write fault
    case 0x281: // unrecovered read error
      return BlkStatus.MEDIUM;
    case NvmePathStatus.HOST_PATH_ERROR:
      return BlkStatus.TRANSPORT;
    default:
      return BlkStatus.IOERR;
  }
}

/** `%pISp` of the port's address (`127.0.0.1:4420`). */
function addrShort(p: NvmetPort): string {
  if (p.trtype === "tcp" || p.trtype === "rdma") return `${p.traddr}:${p.trsvcid}`;
  return p.traddr;
}

/** The host's source address towards `traddr` (same /24, host .254; loopback to itself). */
function hostAddr(traddr: string): string {
  if (traddr.startsWith("127.")) return traddr;
  const m = /^(\d+\.\d+\.\d+)\.\d+$/.exec(traddr);
  return m ? `${m[1]}.254` : traddr;
}
