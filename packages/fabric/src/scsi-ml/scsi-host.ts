import { HostStatus, type LogLevel, ReqOp } from "@mp/dm-core";
import type { Hba, Link } from "../hardware/fabric.js";
import { MEDIA_NONE, MEDIA_WRITE, mediaBlocks, mediaDirection, mediaLba } from "../target/media-access.js";
import { executeTargetCommand } from "../target/scsi-target.js";
import { type CmndList, CmndList as List, type ScsiCmnd } from "./scsi-cmnd.js";
import type { SimScsiDevice } from "./scsi-device.js";
import type { HostDriver, ScsiSubsystem } from "./scsi-subsystem.js";

/** What a command timer is waiting for. */
const T_COMPLETE = 1;
const T_TIMEOUT = 2;
const T_DELIVER = 5;
const T_FAILNOW = 6;

/**
 * How long the target takes to answer `cmd` on its path (wire latency aside): the time the
 * personality decides, else for a media command the port's then the LU's service model, else
 * the array's control-command time.
 */
function serviceNs(cmd: ScsiCmnd, sdev: SimScsiDevice, link: Link): number {
  // The time is read here rather than passed in: a time (past 2^31 ns) passed to a call that is
  // not inlined is boxed, one number allocated per command.
  const now = sdev.shost.sub.clock.now();
  const ctx = sdev.ctx;
  const lu = sdev.lookupLu();
  const cdb = cmd.cdb;
  const decided = ctx.array.personality.serviceNs(ctx, cdb);
  if (decided !== null) return decided;
  const dir = mediaDirection(cdb);
  if (dir === MEDIA_NONE || !lu) return ctx.array.controlCommandNs;
  const op = dir === MEDIA_WRITE ? ReqOp.WRITE : ReqOp.READ;
  const bytes = mediaBlocks(cdb) * lu.blockSize;
  const sector = (mediaLba(cdb) * lu.blockSize) / 512;
  const port = link.port.service;
  const onPort = port == null ? 0 : (port.serviceNs(op, bytes, sector, now) ?? 0);
  const model = lu.service;
  return onPort + (model == null ? 0 : (model.serviceNs(op, bytes, sector, now + onPort) ?? 0));
}

/** FC remote port state (`fc_rport->port_state` and the flags that matter). */
export type RportState = "online" | "blocked" | "deleted";

/** `struct fc_rport` of one target port seen from one FC host port. */
export class FcRport {
  readonly number: number;
  state: RportState = "online";
  fastFailTimedOut = false;
  /** `fast_io_fail_tmo`, seconds, or -1 for `off`. */
  fastIoFailTmo = -1;
  /** `dev_loss_tmo`, seconds. */
  devLossTmo = 60;
  fastFailTimer = 0;
  devLossTimer = 0;

  constructor(number: number, devLossTmo: number) {
    this.number = number;
    this.devLossTmo = devLossTmo;
  }
}

/** `struct scsi_target`: the devices behind one link (a remote port / a scsi_debug target). */
export class ScsiTarget {
  readonly shost: ScsiHost;
  readonly channel: number;
  readonly id: number;
  readonly link: Link;
  readonly devices = new Map<number, SimScsiDevice>();
  /** Commands on the wire to this target. */
  readonly inflight: CmndList = new List();
  expectingLunChange = false;
  /** FC remote port, for FC hosts. */
  readonly rport: FcRport | null;
  /** `/devices/...` path of the target directory. */
  readonly devpath: string;

  constructor(shost: ScsiHost, channel: number, id: number, link: Link, rport: FcRport | null) {
    this.shost = shost;
    this.channel = channel;
    this.id = id;
    this.link = link;
    this.rport = rport;
    const parent = rport
      ? `${shost.devpath}/rport-${shost.hostNo}:${channel}-${rport.number}`
      : shost.devpath;
    this.devpath = `${parent}/target${shost.hostNo}:${channel}:${id}`;
  }

  get name(): string {
    return `target${this.shost.hostNo}:${this.channel}:${this.id}`;
  }
}

/** Template values of a SCSI host (`struct scsi_host_template` + `Scsi_Host`). */
export interface ScsiHostTemplate {
  readonly procName: string;
  readonly canQueue: number;
  readonly cmdPerLun: number;
  readonly sgTablesize: number;
  /** `this_id` (the initiator's own id on a parallel bus); scsi_debug uses 7. */
  readonly thisId: number;
  /** Devices per target the scan probes (scsi_debug: `max_luns`). */
  readonly maxLun: number;
  /** FC drivers (qla2xxx, lpfc) set `shost->unique_id` to the host number; scsi_debug leaves 0. */
  readonly uniqueIdIsHostNo?: boolean;
  /**
   * `max_cmd_len`: the longest CDB the LLD takes (`scsi_host_alloc` default 12; qla2xxx and lpfc
   * 16, scsi_debug 32). `sd` sends READ CAPACITY(16) first only when it is at least 16.
   */
  readonly maxCmdLen?: number;
}

function runStarved(h: ScsiHost): void {
  h._runStarved();
}

/**
 * When the block layer's timeout timer finds a request dispatched at `dispatchNs` expired: its
 * deadline rounded up to a whole second (`round_jiffies_up` of the queue timer), so a 30 s
 * timeout fires 30 to 31 s after dispatch and a 0 s one at the next second.
 */
export function timeoutExpiryNs(dispatchNs: number, timeoutNs: number): number {
  return Math.ceil((dispatchNs + timeoutNs) / 1_000_000_000) * 1_000_000_000;
}

/**
 * `struct Scsi_Host` over one HBA: host number, the targets reachable through its links, the
 * host-wide queue (`can_queue`, tags) and the LLD's `queuecommand` — which here sends the
 * command over the link to the target port and completes it on the clock after the service
 * time — plus the transport class (none for scsi_debug, FC remote ports for FC HBAs).
 */
export class ScsiHost {
  readonly sub: ScsiSubsystem;
  readonly hba: Hba;
  readonly hostNo: number;
  readonly template: ScsiHostTemplate;
  readonly driver: HostDriver;
  readonly targets: ScsiTarget[] = [];
  /** `/devices/...` path of the host (`…/host0`). */
  readonly devpath: string;
  busy = 0;
  removed = false;
  /** Next FC rport number / SCSI target id the transport assigns. */
  nextRport = 0;
  readonly #tags: Uint8Array;
  /** Every tag below it is in use: the lowest free tag is found from here. */
  #tagHint = 0;
  readonly #onTimer = (cmd: ScsiCmnd) => this.#timer(cmd);
  /**
   * Devices that had a command refused because the host was full (`shost->starved_list`), in
   * that order: whatever completes on the host lets them run again, even a device with nothing
   * of its own in flight (whose queue no completion of its own would restart).
   */
  readonly #starved: SimScsiDevice[] = [];
  /** The pending run of the starved devices (a kblockd work item), or 0. */
  #starvedRun = 0;

  constructor(
    sub: ScsiSubsystem,
    hba: Hba,
    hostNo: number,
    template: ScsiHostTemplate,
    parentPath: string,
    driver: HostDriver,
  ) {
    this.sub = sub;
    this.hba = hba;
    this.hostNo = hostNo;
    this.template = template;
    this.driver = driver;
    this.devpath = `${parentPath}/host${hostNo}`;
    this.#tags = new Uint8Array(Math.max(1, template.canQueue));
  }

  get canQueue(): number {
    return this.template.canQueue;
  }

  get cmdPerLun(): number {
    return this.template.cmdPerLun;
  }

  get isFc(): boolean {
    return this.hba.transport === "fc";
  }

  target(channel: number, id: number): ScsiTarget | undefined {
    return this.targets.find((t) => t.channel === channel && t.id === id);
  }

  /** The lowest free tag (blk-mq's sbitmap hands out the lowest free bit here), or -1. */
  #allocTag(): number {
    const t = this.#tags;
    for (let i = this.#tagHint; i < t.length; i++)
      if (t[i] === 0) {
        t[i] = 1;
        this.#tagHint = i + 1;
        return i;
      }
    this.#tagHint = t.length;
    return -1;
  }

  #freeTag(cmd: ScsiCmnd): void {
    const tag = cmd.tag;
    if (tag >= 0) {
      this.#tags[tag] = 0;
      if (tag < this.#tagHint) this.#tagHint = tag;
    }
    cmd.tag = -1;
  }

  /** A command of `sdev` found the host full: it waits on the starved list (once). */
  starve(sdev: SimScsiDevice): void {
    if (sdev.starved) return;
    sdev.starved = true;
    this.#starved.push(sdev);
  }

  /** `sdev` leaves the starved list (it is going away). */
  unstarve(sdev: SimScsiDevice): void {
    if (!sdev.starved) return;
    sdev.starved = false;
    this.#starved.splice(this.#starved.indexOf(sdev), 1);
  }

  /**
   * A host slot came free: when devices are starved, `scsi_run_queue_async()` has kblockd run
   * them (one pending run per host).
   */
  kickStarved(): void {
    if (this.#starved.length === 0 || this.#starvedRun !== 0) return;
    this.#starvedRun = this.sub.clock.schedule(0, runStarved, this);
  }

  /**
   * `scsi_starved_list_run()`: the starved devices' queues run in order while the host takes
   * commands; a device refused again goes to the back, the ones not reached stay in front.
   */
  _runStarved(): void {
    this.#starvedRun = 0;
    const list = this.#starved.splice(0);
    let i = 0;
    for (; i < list.length; i++) {
      if (this.busy >= this.canQueue) break;
      const sdev = list[i]!;
      sdev.starved = false;
      sdev.runQueue();
    }
    if (i < list.length) this.#starved.unshift(...list.slice(i));
  }

  /** `fc_remote_port_chkready()` (0 = go) for FC; link state for the rest. */
  chkready(t: ScsiTarget): number {
    const r = t.rport;
    if (r) {
      switch (r.state) {
        case "online":
          return t.link.usable ? 0 : HostStatus.DID_IMM_RETRY;
        case "blocked":
          return r.fastFailTimedOut ? HostStatus.DID_TRANSPORT_FAILFAST : HostStatus.DID_IMM_RETRY;
        default:
          return HostStatus.DID_NO_CONNECT;
      }
    }
    return t.link.usable ? 0 : HostStatus.DID_NO_CONNECT;
  }

  /** `scsi_dispatch_cmd()` → the LLD's `queuecommand`. */
  dispatch(cmd: ScsiCmnd): void {
    const clock = this.sub.clock;
    const sdev = cmd.sdev!;
    const t = sdev.starget;
    cmd.tag = this.#allocTag();
    const now = clock.now();
    cmd.dispatchNs = now;
    const ready = this.removed ? HostStatus.DID_NO_CONNECT : this.chkready(t);
    if (ready !== 0) {
      cmd.hostByte = ready;
      cmd.timerKind = T_FAILNOW;
      cmd.timer = clock.schedule(0, this.#onTimer, cmd);
      return;
    }
    const link = t.link;
    const total = 2 * link.latencyNs + serviceNs(cmd, sdev, link);
    cmd.link = link;
    t.inflight.push(cmd);
    // The deadline (dispatch + timeout, rounded up to a whole second) is never earlier than
    // dispatch + timeout: an answer due within the timeout needs no deadline computed.
    if (total <= cmd.timeoutNs) {
      cmd.timerKind = T_COMPLETE;
      cmd.timer = clock.schedule(total, this.#onTimer, cmd);
      return;
    }
    const expiry = timeoutExpiryNs(now, cmd.timeoutNs);
    if (now + total > expiry) {
      cmd.timerKind = T_TIMEOUT;
      cmd.timer = clock.schedule(expiry - now, this.#onTimer, cmd);
    } else {
      cmd.timerKind = T_COMPLETE;
      cmd.timer = clock.schedule(total, this.#onTimer, cmd);
    }
  }

  #timer(cmd: ScsiCmnd): void {
    const kind = cmd.timerKind;
    cmd.timerKind = 0;
    cmd.timer = 0;
    const sdev = cmd.sdev!;
    // The answer of almost every command: the target executes it and it is delivered now.
    if (kind === T_COMPLETE) {
      sdev.lookupLu();
      executeTargetCommand(sdev.ctx, cmd);
      if (!cmd.noResponse && cmd.extraDelayNs === 0) this.#deliver(cmd);
      else this.#lateAnswer(cmd);
      return;
    }
    switch (kind) {
      case T_DELIVER:
        this.#deliver(cmd);
        return;
      case T_TIMEOUT:
        this.#unlink(cmd);
        this.#freeTag(cmd);
        sdev.timedOut(cmd);
        return;
      case T_FAILNOW:
        this.#freeTag(cmd);
        sdev.complete(cmd);
        return;
      default:
        return;
    }
  }

  /** The target answered with an extra delay, or will never answer: a later delivery or the timeout. */
  #lateAnswer(cmd: ScsiCmnd): void {
    const clock = this.sub.clock;
    const deadline = timeoutExpiryNs(cmd.dispatchNs, cmd.timeoutNs);
    if (cmd.noResponse || (cmd.extraDelayNs > 0 && clock.now() + cmd.extraDelayNs > deadline)) {
      cmd.timerKind = T_TIMEOUT;
      cmd.timer = clock.schedule(Math.max(0, deadline - clock.now()), this.#onTimer, cmd);
      return;
    }
    if (cmd.extraDelayNs > 0) {
      cmd.timerKind = T_DELIVER;
      cmd.timer = clock.schedule(cmd.extraDelayNs, this.#onTimer, cmd);
      return;
    }
    this.#deliver(cmd);
  }

  #unlink(cmd: ScsiCmnd): void {
    if (cmd.link) {
      cmd.sdev!.starget.inflight.remove(cmd);
      cmd.link = null;
    }
  }

  #deliver(cmd: ScsiCmnd): void {
    this.#unlink(cmd);
    this.#freeTag(cmd);
    cmd.sdev!.complete(cmd);
  }

  /**
   * The LLD gives up the commands on the wire to a target (link loss, rport termination, host
   * removal): each completes now with `hostByte`.
   */
  abortInflight(t: ScsiTarget, hostByte: number): void {
    const clock = this.sub.clock;
    for (let c = t.inflight.head; c; c = t.inflight.head) {
      t.inflight.remove(c);
      c.link = null;
      if (c.timer !== 0) clock.cancel(c.timer);
      c.status = 0;
      c.senseLen = 0;
      c.resid = c.dataInLen;
      c.hostByte = hostByte;
      c.timerKind = T_FAILNOW;
      c.timer = clock.schedule(0, this.#onTimer, c);
    }
  }

  /** Logs a `scsi hostN: …` line. */
  printk(level: number, text: string): void {
    this.sub.log.printk(level as LogLevel, `scsi host${this.hostNo}: ${text}`);
  }
}
