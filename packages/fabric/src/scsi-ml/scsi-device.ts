import {
  BlkStatus,
  formatCdb,
  formatExtdSense,
  formatSenseKeyLine,
  HostStatus,
  LogLevel,
  normalizeSense,
  putBe16,
  putBe32,
  putBe64,
  SamStatus,
  type ScsiCommand,
  type ScsiDevice,
  type ScsiDeviceState,
  type ScsiDhInstance,
  ScsiDisposition,
  type ScsiResult,
  scsiSenseValid,
} from "@mp/dm-core";
import type { LogicalUnit, NexusUa, StorageArray } from "../hardware/array.js";
import { asciiText } from "../scsi/bytes.js";
import { Op } from "../scsi/opcodes.js";
import { MediaAccessMemo, type TargetContext } from "../target/personality.js";
import { executeTargetCommand } from "../target/scsi-target.js";
import { hostbyteText } from "./constants.js";
import { CmdKind, CmndList, type ScsiCmnd } from "./scsi-cmnd.js";
import { type SdevEvent, scsiDecideDisposition, scsiNoretryCmd } from "./scsi-error.js";
import type { ScsiHost, ScsiTarget } from "./scsi-host.js";
import {
  ALUA_TRANSITION_REPREP_DELAY_NS,
  IoAction,
  SCSI_QUEUE_DELAY_NS,
  scsiIoCompletionAction,
  scsiResultToBlkStatus,
  scsiStatusIsGood,
} from "./scsi-lib.js";
import type { SdDisk } from "./sd.js";
import { sdevOnline, sdevStateAllowed } from "./sdev-state.js";

/** HZ of the reference kernel (Debian's 6.1 is built with 250). */
export const HZ = 250;
const NS_PER_JIFFY = 1_000_000_000 / HZ;

/** A command's outcome as the probe path returns it (no timing). */
export interface SyncResult {
  readonly status: number;
  readonly hostByte: number;
  readonly sense: Uint8Array | null;
  readonly data: Uint8Array | null;
  readonly resid: number;
}

/** The target-side addressing of one device, reused for every command it sends. */
class DeviceTargetContext implements TargetContext {
  lu: LogicalUnit | null = null;
  /** The array's `mapGeneration` when `lu` was looked up (-1: never). */
  luGeneration = -1;
  /** The target engine's memo of this nexus's unit attentions on `lu`. */
  uaMemo: NexusUa | null = null;
  /** The target engine's memo of the port group's access state for media commands. */
  readonly mediaAccessMemo = new MediaAccessMemo();
  constructor(
    readonly array: StorageArray,
    readonly port: TargetContext["port"],
    readonly lun: number,
    readonly initiator: TargetContext["initiator"],
    readonly nexus: number,
  ) {}
}

/**
 * `struct scsi_device`: one LUN as a SCSI host sees it through one path. Holds the state,
 * what the scan cached (INQUIRY, VPD pages), the attached device handler, the request queue
 * (budget, requeue list) and the midlayer's completion logic (disposition, retries, error
 * handling, the mapping of SCSI outcomes to block status).
 */
export class SimScsiDevice implements ScsiDevice {
  readonly shost: ScsiHost;
  readonly starget: ScsiTarget;
  readonly channel: number;
  readonly target: number;
  readonly lun: number;
  type = 0;
  scsiLevel = 0;
  inquiry: Uint8Array = new Uint8Array(36);
  vendor = "";
  model = "";
  rev = "";
  /** VPD pages cached by `scsi_attach_vpd()` (header included). */
  readonly vpd = new Map<number, Uint8Array>();
  driver: string | null = null;
  accessState = 0;
  handler: ScsiDhInstance | null = null;
  /** `request_queue->rq_timeout` in jiffies (sysfs `timeout` is this / HZ). */
  rqTimeoutJiffies = 30 * HZ;
  ehTimeoutSecs = 10;
  queueDepth: number;
  queueRampUpPeriodMs = 120_000;
  iorequestCnt = 0;
  iodoneCnt = 0;
  ioerrCnt = 0;
  iotmoCnt = 0;
  /** Commands holding a budget (sysfs `device_busy`). */
  busy = 0;
  /** On its host's starved list (`!list_empty(&sdev->starved_entry)`). */
  starved = false;
  removable = false;
  allowRestart = false;
  expectingCcUa = false;
  use10ForRw = true;
  use16ForRw = false;
  /** `try_rc_10_first` (a quirk or a failed READ CAPACITY(16)). */
  tryRc10First = false;
  /** The upper-level disk, when sd bound. */
  sd: SdDisk | null = null;
  /** sg minor and bsg minor once registered. */
  sgMinor = -1;
  bsgMinor = -1;
  /** `/devices/...` path of this device (no `/sys`). */
  readonly devpath: string;
  readonly ctx: DeviceTargetContext;
  #state: ScsiDeviceState = "created";
  #offlineAlready = false;
  readonly #requeue = new CmndList();
  #runTimer = 0;
  readonly #events: SdevEvent[] = [];
  #eventTimer = 0;

  constructor(starget: ScsiTarget, lun: number) {
    this.starget = starget;
    this.shost = starget.shost;
    this.channel = starget.channel;
    this.target = starget.id;
    this.lun = lun;
    this.queueDepth = starget.shost.cmdPerLun;
    this.devpath = `${starget.devpath}/${this.hctl}`;
    const link = starget.link;
    this.ctx = new DeviceTargetContext(
      link.port.array,
      link.port,
      lun,
      link.hba,
      link.port.array.nexus(link.hba, link.port),
    );
  }

  get host(): number {
    return this.shost.hostNo;
  }

  get hctl(): string {
    return `${this.shost.hostNo}:${this.channel}:${this.target}:${this.lun}`;
  }

  get timeoutSecs(): number {
    return Math.floor(this.rqTimeoutJiffies / HZ);
  }

  get vpdPg80(): Uint8Array | null {
    return this.vpd.get(0x80) ?? null;
  }

  get vpdPg83(): Uint8Array | null {
    return this.vpd.get(0x83) ?? null;
  }

  get state(): ScsiDeviceState {
    return this.#state;
  }

  get online(): boolean {
    return sdevOnline(this.#state);
  }

  /** `scsi_device_set_state()`: 0, or -EINVAL for an illegal transition. */
  setState(to: ScsiDeviceState): number {
    if (!sdevStateAllowed(this.#state, to)) return -22;
    if (to === this.#state) return 0;
    this.#offlineAlready = false;
    this.#state = to;
    if (to === "running" || to === "offline" || to === "transport-offline" || to === "deleted")
      this.runQueue();
    return 0;
  }

  /** `scsi_internal_device_block_nowait()`: the transport stops I/O (FC rport blocked). */
  block(): void {
    if (this.#state === "running" || this.#state === "quiesce" || this.#state === "offline")
      this.#state = "blocked";
    else if (this.#state === "created") this.#state = "created-blocked";
  }

  /** `scsi_internal_device_unblock_nowait(new_state)`. */
  unblock(to: ScsiDeviceState): number {
    if (this.#state === "blocked" || this.#state === "transport-offline") this.#state = to;
    else if (this.#state === "created-blocked") {
      this.#state = to === "transport-offline" || to === "offline" ? to : "created";
    } else if (this.#state !== "cancel" && this.#state !== "offline") return -22;
    this.#offlineAlready = false;
    this.runQueue();
    return 0;
  }

  /** `sdev_printk()`: a kernel log line with the device prefix. */
  printk(level: number, text: string): void {
    this.shost.sub.log.printk(level as LogLevel, `${this.driver ?? "scsi"} ${this.hctl}: ${text}`);
  }

  /** `sdev_evt_send()`: the event becomes a `change` uevent from the event work. */
  queueEvent(evt: SdevEvent): void {
    this.#events.push(evt);
    if (this.#eventTimer === 0)
      this.#eventTimer = this.shost.sub.clock.schedule(0, (d: SimScsiDevice) => d.#emitEvents(), this);
  }

  /**
   * Runs the event work now (the probe path: the kernel's event work runs while sd_probe goes
   * on, so a power-on unit attention's `change` comes right after the spin-up).
   */
  flushEvents(): void {
    if (this.#eventTimer === 0) return;
    this.shost.sub.clock.cancel(this.#eventTimer);
    this.#emitEvents();
  }

  #emitEvents(): void {
    this.#eventTimer = 0;
    for (const evt of this.#events.splice(0)) {
      if (this.#state === "deleted") continue;
      if (evt === "INQUIRY_CHANGE_REPORTED") this.shost.sub.rescanDevice(this);
      this.shost.sub.emitSdevChange(this, [["SDEV_UA", sdevUaName(evt)]]);
    }
  }

  /** The LU currently behind this path (lookups follow LUN masking changes). */
  lookupLu(): LogicalUnit | null {
    const ctx = this.ctx;
    const gen = ctx.array.mapGeneration;
    if (ctx.luGeneration !== gen) {
      ctx.lu = ctx.array.lookup(ctx.port, this.lun);
      ctx.luGeneration = gen;
    }
    return ctx.lu;
  }

  /**
   * A command answered at once by the target, without timing: the path scanning and the upper
   * drivers' probes take (the kernel's probe I/O is real I/O; here it costs no virtual time).
   * Returns null when the path is down (the probe sees no device).
   */
  executeSync(cdb: ArrayLike<number>, dataOut: Uint8Array | null, allocLen: number): SyncResult | null {
    const link = this.starget.link;
    if (!link.usable || this.shost.removed) return null;
    const cmd = this.shost.sub.pool.get();
    cmd.setCdb(cdb);
    cmd.dataOut = dataOut;
    cmd.dataOutLen = dataOut?.length ?? 0;
    const buf = allocLen > 0 ? new Uint8Array(allocLen) : null;
    cmd.dataIn = buf;
    cmd.dataInLen = allocLen;
    this.lookupLu();
    executeTargetCommand(this.ctx, cmd);
    const r: SyncResult = cmd.noResponse
      ? { status: 0, hostByte: HostStatus.DID_TIME_OUT, sense: null, data: null, resid: allocLen }
      : {
          status: cmd.status,
          hostByte: cmd.hostByte,
          sense: cmd.senseLen > 0 ? cmd.sense.slice(0, cmd.senseLen) : null,
          data: buf ? buf.subarray(0, allocLen - cmd.resid) : null,
          resid: cmd.resid,
        };
    this.shost.sub.pool.put(cmd);
    return r;
  }

  /**
   * `scsi_execute` / SG_IO: sends a passthrough command through the request queue; `done` runs
   * later on the clock after the midlayer's disposition (the handler's `checkSense`, retries).
   */
  execute(sc: ScsiCommand, done: (result: ScsiResult) => void): void {
    const sub = this.shost.sub;
    const cmd = sub.pool.get();
    cmd.kind = CmdKind.PASSTHROUGH;
    cmd.sdev = this;
    cmd.done = done;
    cmd.setCdb(sc.cdb);
    if (sc.direction === "to-device" && sc.dataOut) {
      cmd.dataOut = sc.dataOut;
      cmd.dataOutLen = sc.dataOut.length;
    }
    if (sc.direction === "from-device") {
      const n = Math.max(0, sc.allocationLength ?? 0);
      cmd.dataIn = new Uint8Array(n);
      cmd.dataInLen = n;
    }
    cmd.allowed = Math.max(0, sc.retries ?? 0);
    cmd.timeoutNs = Math.max(1, Math.round(sc.timeoutMs * 1_000_000));
    cmd.allocNs = sub.clock.now();
    this.queueRq(cmd);
  }

  /** Queues a request: behind waiting ones, else straight to `scsi_queue_rq()`. */
  queueRq(cmd: ScsiCmnd): void {
    if (this.#requeue.size > 0 || !this.#tryQueue(cmd)) this.#requeue.push(cmd);
  }

  /**
   * `scsi_queue_rq()`: state check, the handler's `prep_fn`, the budget, then dispatch to the
   * host. False when the request must wait (blocked device, no budget, handler says later).
   */
  #tryQueue(cmd: ScsiCmnd): boolean {
    const st = this.#state;
    if (st !== "running" && st !== "created") return this.#queueNotRunning(cmd, st);
    if (cmd.kind === CmdKind.BLOCK && this.handler && !cmd.budget) {
      const ret = this.handler.prepFn(cmd.bio!);
      if (ret !== BlkStatus.OK) return this.#prepRefused(cmd, ret);
    }
    if (!cmd.budget) {
      if (this.busy >= this.queueDepth) return false;
      if (this.shost.busy >= this.shost.canQueue) {
        this.shost.starve(this);
        return false;
      }
      cmd.budget = true;
      this.busy++;
      this.shost.busy++;
    }
    if (cmd.kind === CmdKind.BLOCK && cmd.cdbLen === 0 && this.sd) this.sd.setupCmnd(cmd);
    this.iorequestCnt++;
    cmd.clearResult();
    this.shost.dispatch(cmd);
    return true;
  }

  /** `scsi_device_state_check()` of a device that is not running: fail the request now, or wait. */
  #queueNotRunning(cmd: ScsiCmnd, st: ScsiDeviceState): boolean {
    switch (st) {
      case "running":
      case "created":
        throw new Error(`${st} is not a stopped state`);
      case "offline":
      case "transport-offline":
        if (!this.#offlineAlready) {
          this.#offlineAlready = true;
          this.printk(LogLevel.ERR, "rejecting I/O to offline device");
        }
        this.#rejectNow(cmd, BlkStatus.IOERR);
        return true;
      case "deleted":
        this.printk(LogLevel.ERR, "rejecting I/O to dead device");
        this.#rejectNow(cmd, BlkStatus.IOERR);
        return true;
      case "cancel":
        this.#rejectNow(cmd, BlkStatus.OFFLINE);
        return true;
      case "blocked":
      case "created-blocked":
      case "quiesce":
        return false;
      default: {
        const never: never = st;
        throw new Error(`unhandled ${String(never)}`);
      }
    }
  }

  /** The device handler's `prep_fn` refused a request: run again later (resource), or fail it now. */
  #prepRefused(cmd: ScsiCmnd, ret: BlkStatus): boolean {
    if (ret === BlkStatus.RESOURCE || ret === BlkStatus.DEV_RESOURCE) {
      this.#delayRun(SCSI_QUEUE_DELAY_NS);
      return false;
    }
    cmd.quiet = true;
    this.#rejectNow(cmd, ret);
    return true;
  }

  /** A request that fails in `queue_rq` (never reached the LLD): completes on the clock. */
  #rejectNow(cmd: ScsiCmnd, status: BlkStatus): void {
    cmd.hostByte = this.online ? HostStatus.DID_ERROR : HostStatus.DID_NO_CONNECT;
    cmd.status = 0;
    cmd.senseLen = 0;
    cmd.timerKind = 3;
    cmd.mlByte = status;
    cmd.timer = this.shost.sub.clock.schedule(0, rejectLater, cmd);
  }

  /** Runs requeued commands, in order, while the device takes them. */
  runQueue(): void {
    for (let c = this.#requeue.head; c; c = this.#requeue.head) {
      this.#requeue.remove(c);
      if (!this.#tryQueue(c)) {
        this.#requeue.unshift(c);
        return;
      }
    }
  }

  #delayRun(ns: number): void {
    if (this.#runTimer !== 0) return;
    this.#runTimer = this.shost.sub.clock.schedule(
      ns,
      (d: SimScsiDevice) => {
        d.#runTimer = 0;
        d.runQueue();
      },
      this,
    );
  }

  /** Requeued commands (for reports and tests). */
  get queued(): number {
    return this.#requeue.size;
  }

  #releaseBudget(cmd: ScsiCmnd): void {
    if (!cmd.budget) return;
    cmd.budget = false;
    this.busy--;
    this.shost.busy--;
    this.shost.kickStarved();
  }

  /** `scsi_done()` + `scsi_complete()`: the LLD finished the command. */
  complete(cmd: ScsiCmnd): void {
    this.iodoneCnt++;
    // DID_OK and GOOD: scsi_decide_disposition() says SUCCESS whatever the device state.
    if (cmd.hostByte === 0 && cmd.status === SamStatus.GOOD) {
      this.#finish(cmd);
      return;
    }
    if (cmd.hostByte !== 0 || !scsiStatusIsGood(cmd.status)) this.ioerrCnt++;
    let disp = scsiDecideDisposition(cmd, this);
    if (disp !== ScsiDisposition.SUCCESS && this.#runtimeExceeded(cmd)) disp = ScsiDisposition.SUCCESS;
    switch (disp) {
      case ScsiDisposition.SUCCESS:
        this.#finish(cmd);
        return;
      case ScsiDisposition.NEEDS_RETRY:
        this.#retry(cmd, 0);
        return;
      case ScsiDisposition.ADD_TO_MLQUEUE:
        this.#retry(cmd, SCSI_QUEUE_DELAY_NS);
        return;
      default:
        this.#errorHandler(cmd);
    }
  }

  /** The EH's view of a timed-out command: aborted, then retried or finished with DID_TIME_OUT. */
  timedOut(cmd: ScsiCmnd): void {
    this.iotmoCnt++;
    cmd.hostByte = HostStatus.DID_TIME_OUT;
    cmd.status = 0;
    cmd.senseLen = 0;
    if (
      !scsiNoretryCmd(cmd) &&
      (cmd.allowed < 0 || ++cmd.retries <= cmd.allowed) &&
      !this.#runtimeExceeded(cmd)
    ) {
      this.#retry(cmd, 0);
      return;
    }
    this.#finish(cmd);
  }

  /** FAILED disposition: the error handler recovers (abort/reset succeed) and flushes the command. */
  #errorHandler(cmd: ScsiCmnd): void {
    if (
      !scsiNoretryCmd(cmd) &&
      (cmd.allowed < 0 || ++cmd.retries <= cmd.allowed) &&
      !this.#runtimeExceeded(cmd)
    ) {
      this.#retry(cmd, 0);
      return;
    }
    this.#finish(cmd);
  }

  #runtimeExceeded(cmd: ScsiCmnd): boolean {
    if (cmd.allowed < 0) return false;
    const waitFor = (cmd.allowed + 1) * cmd.timeoutNs;
    if (this.shost.sub.clock.now() - cmd.allocNs > waitFor) {
      this.#printCmd(cmd, LogLevel.ERR, `timing out command, waited ${Math.floor(waitFor / 1e9)}s`);
      return true;
    }
    return false;
  }

  #retry(cmd: ScsiCmnd, delayNs: number): void {
    this.#releaseBudget(cmd);
    if (cmd.kind === CmdKind.BLOCK && cmd.rebuild) cmd.cdbLen = 0;
    if (delayNs > 0) {
      cmd.timerKind = 4;
      cmd.timer = this.shost.sub.clock.schedule(delayNs, retryLater, cmd);
      return;
    }
    this.#requeue.unshift(cmd);
    this.runQueue();
  }

  /** Completes a command to its submitter (scsi_finish_command → sd_done / passthrough end). */
  #finish(cmd: ScsiCmnd): void {
    this.#releaseBudget(cmd);
    if (cmd.kind === CmdKind.PASSTHROUGH) this.#finishPassthrough(cmd);
    else this.#finishBlock(cmd);
    if (this.#requeue.size > 0) this.runQueue();
  }

  #finishPassthrough(cmd: ScsiCmnd): void {
    const done = cmd.done!;
    const h = normalizeSense(cmd.sense, cmd.senseLen);
    const result: ScsiResult = {
      status: cmd.status,
      hostStatus: cmd.hostByte,
      sense: scsiSenseValid(h)
        ? { key: h.senseKey, asc: h.asc, ascq: h.ascq, raw: cmd.sense.slice(0, cmd.senseLen) }
        : null,
      data: cmd.dataIn ? cmd.dataIn.subarray(0, Math.max(0, cmd.dataInLen - cmd.resid)) : null,
      resid: cmd.dataIn ? cmd.resid : 0,
    };
    this.shost.sub.pool.put(cmd);
    done(result);
  }

  /** `sd_done()` + `scsi_io_completion()` for a block request. */
  #finishBlock(cmd: ScsiCmnd): void {
    let result = cmd.result;
    const bytes = cmd.bio?.bytes ?? 0;
    let blkStat: BlkStatus = BlkStatus.OK;
    if (result !== 0) {
      const h = normalizeSense(cmd.sense, cmd.senseLen);
      if (bytes === 0) blkStat = scsiResultToBlkStatus(cmd);
      if (scsiSenseValid(h) && h.senseKey === 0x1) {
        if (!cmd.quiet) this.#printSense(cmd);
        result = 0;
        blkStat = BlkStatus.OK;
      }
      if ((result & 0xff) !== 0 && scsiStatusIsGood(result & 0xff) && result >>> 8 === 0) {
        result = 0;
        blkStat = BlkStatus.OK;
      }
    }
    if (result === 0 || (bytes === 0 && blkStat !== BlkStatus.OK && scsiNoretryCmd(cmd))) {
      sdOf(cmd).endRequest(cmd, result === 0 ? BlkStatus.OK : blkStat);
      return;
    }
    const { action, status } = scsiIoCompletionAction(cmd, {
      removable: this.removable,
      use10ForRw: this.use10ForRw,
    });
    let act: IoAction = action;
    if (act !== IoAction.FAIL && this.#runtimeExceeded(cmd)) act = IoAction.FAIL;
    switch (act) {
      case IoAction.FAIL:
        if (!cmd.quiet) {
          this.#printCmd(
            cmd,
            LogLevel.INFO,
            `FAILED Result: hostbyte=${hostbyteText(cmd.hostByte)} driverbyte=DRIVER_OK cmd_age=${Math.floor((this.shost.sub.clock.now() - cmd.allocNs) / 1e9)}s`,
          );
          if (cmd.senseLen > 0) this.#printSense(cmd);
          this.#printCmd(cmd, LogLevel.INFO, `CDB: ${formatCdb(cmd.cdb.subarray(0, cmd.cdbLen))}`);
        }
        sdOf(cmd).endRequest(cmd, status);
        return;
      case IoAction.REPREP:
        if (cmd.cdb[0] === Op.READ_10 || cmd.cdb[0] === Op.WRITE_10) this.use10ForRw = false;
        cmd.rebuild = true;
        this.#retry(cmd, 0);
        return;
      case IoAction.DELAYED_REPREP:
        cmd.rebuild = true;
        this.#retry(cmd, ALUA_TRANSITION_REPREP_DELAY_NS);
        return;
      case IoAction.RETRY:
        this.#retry(cmd, 0);
        return;
      case IoAction.DELAYED_RETRY:
        this.#retry(cmd, SCSI_QUEUE_DELAY_NS);
        return;
    }
  }

  #printCmd(cmd: ScsiCmnd, level: number, text: string): void {
    const name = this.sd ? `[${this.sd.name}] ` : "";
    const tag = cmd.tag >= 0 ? `tag#${cmd.tag} ` : "";
    this.printk(level, `${name}${tag}${text}`);
  }

  #printSense(cmd: ScsiCmnd): void {
    const h = normalizeSense(cmd.sense, cmd.senseLen);
    if (!scsiSenseValid(h)) return;
    this.#printCmd(cmd, LogLevel.INFO, formatSenseKeyLine(h));
    this.#printCmd(cmd, LogLevel.INFO, formatExtdSense(h.asc, h.ascq));
  }

  /** Fails every queued and waiting command (device removal). */
  failQueued(): void {
    this.shost.unstarve(this);
    for (let c = this.#requeue.shift(); c; c = this.#requeue.shift()) {
      this.#releaseBudget(c);
      c.hostByte = HostStatus.DID_NO_CONNECT;
      c.status = 0;
      c.senseLen = 0;
      this.#finish(c);
    }
  }

  /** The cached INQUIRY text fields. */
  setInquiry(inq: Uint8Array): void {
    this.inquiry = inq;
    this.type = (inq[0] ?? 0) & 0x1f;
    this.scsiLevel = (inq[2] ?? 0) & 0x07;
    if (this.scsiLevel !== 0) this.scsiLevel += 1;
    this.vendor = asciiText(inq, 8, 8).padEnd(8, " ");
    this.model = asciiText(inq, 16, 16).padEnd(16, " ");
    this.rev = asciiText(inq, 32, 4).padEnd(4, " ");
    this.removable = ((inq[1] ?? 0) & 0x80) !== 0;
  }
}

/**
 * The disk a block command was issued through: it completes there even when the disk was removed
 * meanwhile (`sdev.sd` is gone; in the kernel the request keeps its queue and disk alive until it
 * ends, and `del_gendisk` waits for it).
 */
function sdOf(cmd: ScsiCmnd): SdDisk {
  return cmd.bio!.dev as SdDisk;
}

function retryLater(cmd: ScsiCmnd): void {
  cmd.timerKind = 0;
  cmd.timer = 0;
  cmd.sdev!.queueRq(cmd);
}

function rejectLater(cmd: ScsiCmnd): void {
  const sdev = cmd.sdev!;
  const status = cmd.mlByte as BlkStatus;
  cmd.mlByte = 0;
  cmd.timerKind = 0;
  cmd.timer = 0;
  if (cmd.kind === CmdKind.PASSTHROUGH) {
    const done = cmd.done!;
    const r: ScsiResult = {
      status: 0,
      hostStatus: cmd.hostByte,
      sense: null,
      data: null,
      resid: cmd.dataInLen,
    };
    sdev.shost.sub.pool.put(cmd);
    done(r);
    return;
  }
  sdOf(cmd).endRequest(cmd, status, true);
}

function sdevUaName(evt: SdevEvent): string {
  switch (evt) {
    case "INQUIRY_CHANGE_REPORTED":
      return "INQUIRY_DATA_HAS_CHANGED";
    case "CAPACITY_CHANGE_REPORTED":
      return "CAPACITY_DATA_HAS_CHANGED";
    case "MODE_PARAMETER_CHANGE_REPORTED":
      return "MODE_PARAMETERS_CHANGED";
    case "LUN_CHANGE_REPORTED":
      return "REPORTED_LUNS_DATA_HAS_CHANGED";
    case "ALUA_STATE_CHANGE_REPORTED":
      return "ASYMMETRIC_ACCESS_STATE_CHANGED";
    case "POWER_ON_RESET_OCCURRED":
      return "POWER_ON_RESET_OCCURRED";
    case "SOFT_THRESHOLD_REACHED_REPORTED":
      return "THIN_PROVISIONING_SOFT_THRESHOLD_REACHED";
  }
}

/** Builds a READ/WRITE CDB as `sd_setup_read_write_cmnd()` picks its size. */
export function buildRwCdb(
  cmd: ScsiCmnd,
  write: boolean,
  lba: number,
  blocks: number,
  fua: boolean,
  use10: boolean,
  use16: boolean,
): void {
  const c = cmd.cdb;
  cmd.clearCdb();
  if (use16 || lba > 0xffffffff || blocks > 0xffff) {
    c[0] = write ? Op.WRITE_16 : Op.READ_16;
    if (fua) c[1] = 0x08;
    putBe64(c, 2, lba);
    putBe32(c, 10, blocks);
    cmd.cdbLen = 16;
  } else if (use10 || lba > 0x1fffff || blocks > 0xff) {
    c[0] = write ? Op.WRITE_10 : Op.READ_10;
    if (fua) c[1] = 0x08;
    putBe32(c, 2, lba);
    putBe16(c, 7, blocks);
    cmd.cdbLen = 10;
  } else {
    c[0] = write ? Op.WRITE_6 : Op.READ_6;
    c[1] = (lba >>> 16) & 0x1f;
    c[2] = (lba >>> 8) & 0xff;
    c[3] = lba & 0xff;
    c[4] = blocks === 256 ? 0 : blocks;
    cmd.cdbLen = 6;
  }
}

export { NS_PER_JIFFY };
