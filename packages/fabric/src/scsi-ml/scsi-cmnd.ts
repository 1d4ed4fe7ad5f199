import type { Bio, ScsiResult } from "@mp/dm-core";
import type { Link } from "../hardware/fabric.js";
import { SCSI_SENSE_BUFFERSIZE } from "../scsi/sense.js";
import type { TargetIo } from "../target/target-io.js";
import type { SimScsiDevice } from "./scsi-device.js";

/** Who sent a command and where its outcome goes. */
export const CmdKind = {
  /** A block-layer request (`sd`): completes a bio. */
  BLOCK: 0,
  /** `scsi_execute` / SG_IO: completes a callback with a {@link ScsiResult}. */
  PASSTHROUGH: 1,
} as const;

/**
 * `struct scsi_cmnd` + its request: one command in flight, pooled so that normal I/O allocates
 * nothing. The target fills the result fields through the {@link TargetIo} view.
 */
export class ScsiCmnd implements TargetIo {
  readonly cdb: Uint8Array;
  /** The CDB's bytes as eight words, to clear it in eight stores (`fill` is a builtin call). */
  readonly #cdbWords: Uint32Array;
  cdbLen = 0;
  dataOut: Uint8Array | null = null;
  dataOutLen = 0;
  dataIn: Uint8Array | null = null;
  dataInLen = 0;
  status = 0;
  hostByte = 0;
  /** scsi-ml byte (SCSIML_STAT_*) set by the disposition logic. */
  mlByte = 0;
  readonly sense = new Uint8Array(SCSI_SENSE_BUFFERSIZE);
  senseLen = 0;
  resid = 0;
  extraDelayNs = 0;
  noResponse = false;

  kind: number = CmdKind.BLOCK;
  sdev: SimScsiDevice | null = null;
  bio: Bio | null = null;
  /** Passthrough completion. */
  done: ((r: ScsiResult) => void) | null = null;
  /** REQ_FAILFAST_* flags of the request. */
  reqFlags = 0;
  /** RQF_QUIET: no error messages. */
  quiet = false;
  retries = 0;
  allowed = 0;
  timeoutNs = 30_000_000_000;
  /** `jiffies_at_alloc`: for the runtime cap `(allowed + 1) * timeout`. */
  allocNs = 0;
  /** When the command was last dispatched. */
  dispatchNs = 0;
  /** Pending clock timer and what it is. */
  timer = 0;
  timerKind = 0;
  /** The link it travels (in-flight list membership). */
  link: Link | null = null;
  prev: ScsiCmnd | null = null;
  next: ScsiCmnd | null = null;
  /** Request tag (per host). */
  tag = -1;
  /** Set when the EH aborted it (timeout): its late answer is dropped. */
  aborted = false;
  /** Counts against the device's queue depth (budget taken). */
  budget = false;
  /** Rebuild the CDB before the next dispatch (REPREP). */
  rebuild = false;

  constructor() {
    const cdb = new ArrayBuffer(32);
    this.cdb = new Uint8Array(cdb);
    this.#cdbWords = new Uint32Array(cdb);
  }

  /** Zeroes all 32 bytes of the CDB. */
  clearCdb(): void {
    const w = this.#cdbWords;
    w[0] = 0;
    w[1] = 0;
    w[2] = 0;
    w[3] = 0;
    w[4] = 0;
    w[5] = 0;
    w[6] = 0;
    w[7] = 0;
  }

  /** Resets every field for reuse. */
  reset(): void {
    this.clearCdb();
    this.cdbLen = 0;
    this.dataOut = null;
    this.dataOutLen = 0;
    this.dataIn = null;
    this.dataInLen = 0;
    this.clearResult();
    this.kind = CmdKind.BLOCK;
    this.sdev = null;
    this.bio = null;
    this.done = null;
    this.reqFlags = 0;
    this.quiet = false;
    this.retries = 0;
    this.allowed = 0;
    this.timeoutNs = 30_000_000_000;
    this.allocNs = 0;
    this.dispatchNs = 0;
    this.timer = 0;
    this.timerKind = 0;
    this.link = null;
    this.prev = null;
    this.next = null;
    this.tag = -1;
    this.aborted = false;
    this.budget = false;
    this.rebuild = false;
  }

  /** Clears the outcome before a (re)dispatch. */
  clearResult(): void {
    this.status = 0;
    this.hostByte = 0;
    this.mlByte = 0;
    this.senseLen = 0;
    this.resid = 0;
    this.extraDelayNs = 0;
    this.noResponse = false;
  }

  setCdb(bytes: ArrayLike<number>): void {
    this.clearCdb();
    const n = Math.min(bytes.length, 32);
    for (let i = 0; i < n; i++) this.cdb[i] = bytes[i]!;
    this.cdbLen = n;
  }

  /** `cmd->result` as the kernel packs it: ml byte << 8... host << 16 | status. */
  get result(): number {
    return ((this.hostByte & 0xff) << 16) | ((this.mlByte & 0xff) << 8) | (this.status & 0xff);
  }
}

/** A free list of commands. */
export class ScsiCmndPool {
  readonly #free: ScsiCmnd[] = [];

  get(): ScsiCmnd {
    return this.#free.pop() ?? new ScsiCmnd();
  }

  put(c: ScsiCmnd): void {
    c.reset();
    this.#free.push(c);
  }
}

/** An intrusive FIFO of commands (in-flight lists, device requeue lists). */
export class CmndList {
  head: ScsiCmnd | null = null;
  tail: ScsiCmnd | null = null;
  size = 0;

  push(c: ScsiCmnd): void {
    c.prev = this.tail;
    c.next = null;
    if (this.tail) this.tail.next = c;
    else this.head = c;
    this.tail = c;
    this.size++;
  }

  unshift(c: ScsiCmnd): void {
    c.next = this.head;
    c.prev = null;
    if (this.head) this.head.prev = c;
    else this.tail = c;
    this.head = c;
    this.size++;
  }

  remove(c: ScsiCmnd): void {
    if (c.prev) c.prev.next = c.next;
    else this.head = c.next;
    if (c.next) c.next.prev = c.prev;
    else this.tail = c.prev;
    c.prev = null;
    c.next = null;
    this.size--;
  }

  shift(): ScsiCmnd | null {
    const c = this.head;
    if (c) this.remove(c);
    return c;
  }
}
