import {
  type Bio,
  BlkStatus,
  type BlockDevice,
  bioEndio,
  type DevT,
  Errno,
  FAILFAST_MASK,
  formatExtdSense,
  formatSenseKeyLine,
  getBe16,
  getBe32,
  getBe64,
  LogLevel,
  mkdev,
  normalizeSense,
  putBe16,
  putBe32,
  ReqFlag,
  ReqOp,
  type ScsiSenseHdr,
  scsiSenseValid,
} from "@mp/dm-core";
import { Op } from "../scsi/opcodes.js";
import { hostbyteText } from "./constants.js";
import { CmdKind, type ScsiCmnd } from "./scsi-cmnd.js";
import { buildRwCdb, HZ, type SimScsiDevice, type SyncResult } from "./scsi-device.js";

/** `SD_MAX_RETRIES`. */
export const SD_MAX_RETRIES = 5;
/** `SCSI_DISK1_MAJOR`…`SCSI_DISK7_MAJOR` are 65-71, `SCSI_DISK8_MAJOR`… 128-135. */
const SCSI_DISK1_MAJOR = 65;
const SCSI_DISK8_MAJOR = 128;

/** `sd_format_disk_name("sd", index)`: sda … sdz, sdaa … sdzz, sdaaa … */
export function sdDiskName(index: number): string {
  let s = "";
  let i = index;
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return `sd${s}`;
}

/** `sd_major((index & 0xf0) >> 4)`. */
export function sdMajor(index: number): number {
  const idx = (index & 0xf0) >> 4;
  if (idx === 0) return 8;
  if (idx <= 7) return SCSI_DISK1_MAJOR + idx - 1;
  return SCSI_DISK8_MAJOR + idx - 8;
}

/** The disk's dev_t: 16 minors per disk, 16 disks per major, then wrapping to bits 8+ of the minor. */
export function sdDevt(index: number): DevT {
  return mkdev(sdMajor(index), ((index & 0xf) << 4) | (index & 0xfff00));
}

/** `string_get_size(size, blk_size, units)` ("16.8 MB", "16.0 MiB"). */
export function stringGetSize(size: number, blkSize: number, units: 2 | 10): string {
  const divisor = BigInt(units === 10 ? 1000 : 1024);
  const names =
    units === 10
      ? ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
      : ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
  const rounding = [500n, 50n, 5n];
  let sz = BigInt(size);
  let blk = BigInt(blkSize);
  let i = 0;
  let remainder = 0n;
  let tmp = "";
  if (blk === 0n) sz = 0n;
  if (sz !== 0n) {
    while (blk >> 32n) {
      blk /= divisor;
      i++;
    }
    while (sz >> 32n) {
      sz /= divisor;
      i++;
    }
    sz *= blk;
    while (sz >= divisor) {
      remainder = sz % divisor;
      sz /= divisor;
      i++;
    }
    let sfCap = sz;
    let j = 0;
    for (; sfCap * 10n < 1000n; j++) sfCap *= 10n;
    if (units === 2) remainder = (remainder * 1000n) >> 10n;
    remainder += rounding[j] ?? 0n;
    if (remainder >= 1000n) {
      remainder -= 1000n;
      sz += 1n;
    }
    if (j) tmp = `.${String(remainder).padStart(3, "0")}`.slice(0, j + 1);
  }
  const unit = names[i] ?? "UNK";
  return `${sz}${tmp} ${unit}`;
}

/** What `sd_revalidate_disk()` learned. */
interface SdGeometry {
  capacity: number;
  sectorSize: number;
  writeProt: boolean;
  wce: boolean;
  rcd: boolean;
  dpofua: boolean;
  minXferBlocks: number;
  optXferBlocks: number;
  maxXferBlocks: number;
}

/**
 * The `sd` upper-level driver's disk: a request-based block device whose bios become READ/WRITE
 * CDBs sent through the SCSI device's queue, and whose SCSI outcomes come back as block status
 * the way `sd_done()`/`scsi_io_completion()` map them.
 */
export class SdDisk implements BlockDevice {
  readonly name: string;
  readonly devt: DevT;
  readonly index: number;
  readonly scsi: SimScsiDevice;
  readonly requestStackable = true;
  readonly partition = false;
  /** `diskseq` of the gendisk. */
  readonly diskseq: number;
  #geo: SdGeometry = {
    capacity: 0,
    sectorSize: 512,
    writeProt: false,
    wce: false,
    rcd: false,
    dpofua: false,
    minXferBlocks: 0,
    optXferBlocks: 0,
    maxXferBlocks: 0,
  };
  #dead = false;
  #ro = false;
  /** Requests in flight per direction (sysfs `inflight`). */
  readonly inflight = { read: 0, write: 0 };
  /** `/proc/diskstats` counters: ios, sectors, ticks (ms) per read/write, and busy time. */
  readonly stats = { rIos: 0, rSectors: 0, rTicks: 0, wIos: 0, wSectors: 0, wTicks: 0 };
  /** `queue/max_sectors_kb` (writable). */
  maxSectorsKb = 512;
  /** `queue/read_ahead_kb` (writable; BLKRAGET/BLKRASET in sectors). */
  readAheadKb = 128;
  /** `bd_read_only` of the whole-disk block_device (BLKROSET), not the disk's `ro` attribute. */
  bdevReadOnly = false;

  constructor(sdev: SimScsiDevice, index: number, diskseq: number) {
    this.scsi = sdev;
    this.index = index;
    this.name = sdDiskName(index);
    this.devt = sdDevt(index);
    this.diskseq = diskseq;
  }

  get logicalBlockSize(): number {
    return this.#geo.sectorSize;
  }

  get geometry(): Readonly<SdGeometry> {
    return this.#geo;
  }

  sizeSectors(): number {
    return (this.#geo.capacity * this.#geo.sectorSize) / 512;
  }

  readOnly(): boolean {
    return this.#ro || this.#geo.writeProt;
  }

  /** `BLKROSET`. */
  setReadOnly(ro: boolean): void {
    this.#ro = ro;
  }

  dying(): boolean {
    return this.#dead;
  }

  /** `sd_open`: an offline (or removed) device refuses opens with ENXIO. */
  open(): number {
    return this.#dead || !this.scsi.online ? Errno.ENXIO : 0;
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** `del_gendisk()`: the queue is dying, queued and new I/O fails. */
  kill(): void {
    this.#dead = true;
  }

  /**
   * `sd_revalidate_disk()`: reads capacity, write protect, cache and block limits through the
   * probe path. `first` prints the probe lines as `sd_probe` does.
   */
  revalidate(first: boolean, spunUp = false): void {
    const old = this.#geo.capacity;
    const g = { ...this.#geo };
    if (!spunUp) this.spinUp();
    this.#revalidateRest(first, old, g);
  }

  /**
   * `sd_spinup_disk`: TEST UNIT READY up to three times while it fails (or reports a unit
   * attention); a status without sense is reported once ("Test Unit Ready failed"). A NOT READY
   * for standby, unavailable or manual intervention ends it quietly (no START STOP UNIT).
   */
  spinUp(): void {
    const sdev = this.scsi;
    let last: SyncResult | null = null;
    for (let retries = 0; retries < 3; ) {
      const r = sdev.executeSync([Op.TEST_UNIT_READY, 0, 0, 0, 0, 0], null, 0);
      if (!r) return;
      last = r;
      retries++;
      const cc = (r.status & 0xff) === 0x02;
      const h = cc ? normalizeSense(r.sense) : null;
      if (h && scsiSenseValid(h)) sdev.shost.sub.reportSenseSync(sdev, h.senseKey, h.asc, h.ascq);
      const ua = h !== null && scsiSenseValid(h) && h.senseKey === 0x6;
      if (statusIsGood(r) && !ua) break;
    }
    // No sense: the TUR either passed or failed with a status (a lost path: DID_NO_CONNECT).
    if (last && (last.status & 0xff) !== 0x02 && !statusIsGood(last))
      this.#printResult("Test Unit Ready failed", last);
  }

  /** `sd_print_result()`: `MSG: Result: hostbyte=… driverbyte=DRIVER_OK`. */
  #printResult(msg: string, r: SyncResult): void {
    this.scsi.printk(
      LogLevel.INFO,
      `[${this.name}] ${msg}: Result: hostbyte=${hostbyteText(r.hostByte)} driverbyte=DRIVER_OK`,
    );
  }

  /** `read_capacity_error()`: the sense (or its absence) is logged and the capacity is unknown. */
  #capacityError(g: SdGeometry, r: SyncResult): void {
    const h = normalizeSense(r.sense);
    if (r.status === 0x02 && scsiSenseValid(h)) {
      this.scsi.printk(LogLevel.INFO, `[${this.name}] ${formatSenseKeyLine(h)}`);
      this.scsi.printk(LogLevel.INFO, `[${this.name}] ${formatExtdSense(h.asc, h.ascq)}`);
    } else this.scsi.printk(LogLevel.NOTICE, `[${this.name}] Sense not available.`);
    g.capacity = 0;
  }

  /**
   * `sd_read_capacity()`: READ CAPACITY(16) first when the host takes 16-byte CDBs and the
   * device claims SPC-3 or later (`sd_try_rc16_first`), READ CAPACITY(10) otherwise or when
   * RC16 is refused; each retried three times (ten more for a power-on unit attention). A
   * failure leaves the disk with capacity 0, as the kernel does.
   */
  #readCapacity(g: SdGeometry): void {
    const sdev = this.scsi;
    const rc16First = (sdev.shost.template.maxCmdLen ?? 12) >= 16 && !sdev.tryRc10First && sdev.scsiLevel > 5;
    let ss: number;
    if (rc16First) {
      ss = this.#rc16(g);
      if (ss === RC_NODEV) return;
      if (ss < 0) ss = this.#rc10(g);
      if (ss < 0) return;
    } else {
      ss = this.#rc10(g);
      if (ss < 0) return;
      if (g.capacity > 0xffffffff) {
        const old = ss;
        sdev.printk(LogLevel.NOTICE, `[${this.name}] Very big device. Trying to use READ CAPACITY(16).`);
        ss = this.#rc16(g);
        if (ss < 0) {
          sdev.printk(LogLevel.NOTICE, `[${this.name}] Using 0xffffffff as device size`);
          g.capacity = 0x100000000;
          ss = old;
        } else sdev.tryRc10First = false;
      }
    }
    if (ss === 0) {
      ss = 512;
      sdev.printk(LogLevel.NOTICE, `[${this.name}] Sector size 0 reported, assuming 512.`);
    }
    if (ss !== 512 && ss !== 1024 && ss !== 2048 && ss !== 4096) {
      sdev.printk(LogLevel.NOTICE, `[${this.name}] Unsupported sector size ${ss}.`);
      g.capacity = 0;
      ss = 512;
    }
    g.sectorSize = ss;
    if (g.capacity > 0xffffffff) sdev.use16ForRw = true;
  }

  /** `read_capacity_16()`: the sector size, or a negative code (RC_INVAL: try RC10). */
  #rc16(g: SdGeometry): number {
    const sdev = this.scsi;
    let retries = 3;
    let resetRetries = 10;
    let r: SyncResult | null;
    let failed: boolean;
    do {
      r = sdev.executeSync([0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0], null, 32);
      if (!r) return RC_NODEV;
      const h = normalizeSense(r.sense);
      if (mediaNotPresent(h)) return RC_NODEV;
      failed = r.hostByte !== 0 || r.status !== 0;
      if (failed && r.status === 0x02 && scsiSenseValid(h)) {
        // Invalid opcode or field: silently back to RC10.
        if (h.senseKey === 0x5 && (h.asc === 0x20 || h.asc === 0x24) && h.ascq === 0) return RC_INVAL;
        if (h.senseKey === 0x6 && h.asc === 0x29 && h.ascq === 0 && --resetRetries > 0) continue;
      }
      retries--;
    } while (failed && retries > 0);
    if (failed) {
      this.#printResult("Read Capacity(16) failed", r);
      this.#capacityError(g, r);
      return RC_INVAL;
    }
    const d = r.data;
    if (!d || d.length < 12) {
      g.capacity = 0;
      return RC_INVAL;
    }
    g.capacity = getBe64(d, 0) + 1;
    return getBe32(d, 8);
  }

  /** `read_capacity_10()`: the sector size, or a negative code. */
  #rc10(g: SdGeometry): number {
    const sdev = this.scsi;
    let retries = 3;
    let resetRetries = 10;
    let r: SyncResult | null;
    let failed: boolean;
    do {
      r = sdev.executeSync([Op.READ_CAPACITY_10, 0, 0, 0, 0, 0, 0, 0, 0, 0], null, 8);
      if (!r) return RC_NODEV;
      const h = normalizeSense(r.sense);
      if (mediaNotPresent(h)) return RC_NODEV;
      failed = r.hostByte !== 0 || r.status !== 0;
      if (failed && r.status === 0x02 && scsiSenseValid(h))
        if (h.senseKey === 0x6 && h.asc === 0x29 && h.ascq === 0 && --resetRetries > 0) continue;
      retries--;
    } while (failed && retries > 0);
    if (failed) {
      this.#printResult("Read Capacity(10) failed", r);
      this.#capacityError(g, r);
      return RC_INVAL;
    }
    const d = r.data;
    if (!d || d.length < 8) {
      g.capacity = 0;
      return RC_INVAL;
    }
    g.capacity = getBe32(d, 0) + 1;
    return getBe32(d, 4);
  }

  #revalidateRest(first: boolean, old: number, g: SdGeometry): void {
    const sdev = this.scsi;
    this.#readCapacity(g);
    if (first || old !== g.capacity) {
      sdev.printk(
        LogLevel.NOTICE,
        `[${this.name}] ${g.capacity} ${g.sectorSize}-byte logical blocks: (${stringGetSize(g.capacity, g.sectorSize, 10)}/${stringGetSize(g.capacity, g.sectorSize, 2)})`,
      );
    }
    const ms = sdev.executeSync([Op.MODE_SENSE_6, 0, 0x3f, 0, 192, 0], null, 192);
    if (ms && ms.status === 0 && ms.data && ms.data.length >= 4) {
      g.writeProt = (ms.data[2]! & 0x80) !== 0;
      if (first) {
        sdev.printk(LogLevel.NOTICE, `[${this.name}] Write Protect is ${g.writeProt ? "on" : "off"}`);
        const hdr = [...ms.data.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
        sdev.printk(LogLevel.DEBUG, `[${this.name}] Mode Sense: ${hdr}`);
      }
      g.dpofua = (ms.data[2]! & 0x10) !== 0;
    }
    const cache = sdev.executeSync([Op.MODE_SENSE_6, 0x08, 0x08, 0, 192, 0], null, 192);
    if (cache && cache.status === 0 && cache.data && cache.data.length >= 4 + 3) {
      const off = 4 + cache.data[3]!;
      if (cache.data[off] !== undefined && (cache.data[off]! & 0x3f) === 0x08) {
        g.wce = (cache.data[off + 2]! & 0x04) !== 0;
        g.rcd = (cache.data[off + 2]! & 0x01) !== 0;
      }
      if (first)
        sdev.printk(
          LogLevel.NOTICE,
          `[${this.name}] Write cache: ${g.wce ? "enabled" : "disabled"}, read cache: ${g.rcd ? "disabled" : "enabled"}, ${g.dpofua ? "supports DPO and FUA" : "doesn't support DPO or FUA"}`,
        );
    }
    const b0 = sdev.vpd.get(0xb0);
    if (b0 && b0.length >= 16) {
      g.minXferBlocks = getBe16(b0, 6);
      g.maxXferBlocks = getBe32(b0, 8);
      g.optXferBlocks = getBe32(b0, 12);
      if (first && g.minXferBlocks > 0)
        sdev.printk(
          LogLevel.INFO,
          `[${this.name}] Preferred minimum I/O size ${g.minXferBlocks * g.sectorSize} bytes`,
        );
      if (first && g.optXferBlocks > 0)
        sdev.printk(
          LogLevel.INFO,
          `[${this.name}] Optimal transfer size ${g.optXferBlocks * g.sectorSize} bytes`,
        );
    }
    this.#geo = g;
    // disk_update_readahead: twice the optimal I/O size, at least VM_READAHEAD_PAGES (128 KiB).
    if (first) this.readAheadKb = Math.max(Math.floor((g.optXferBlocks * g.sectorSize * 2) / 1024), 128);
  }

  submit(bio: Bio): void {
    // blk_mq_bio_to_request: a readahead request fails fast instead of being retried.
    if (bio.flags & ReqFlag.RAHEAD) bio.flags |= FAILFAST_MASK;
    const sdev = this.scsi;
    const sub = sdev.shost.sub;
    bio.dev = this;
    if (this.#dead) {
      sub.clock.schedule(0, endLater, { bio, status: BlkStatus.IOERR });
      return;
    }
    const op = bio.op;
    if (op === ReqOp.DISCARD || op === ReqOp.SECURE_ERASE) {
      sub.clock.schedule(0, endLater, { bio, status: BlkStatus.NOTSUPP });
      return;
    }
    const endSector = bio.sector + Math.ceil(bio.bytes / 512);
    if (op !== ReqOp.FLUSH && endSector > this.sizeSectors()) {
      sub.log.info("attempt to access beyond end of device");
      sub.log.info(
        `${this.name}: rw=${bio.op | bio.flags}, sector=${bio.sector}, nr_sectors = ${Math.ceil(bio.bytes / 512)} limit=${this.sizeSectors()}`,
      );
      sub.clock.schedule(0, endLater, { bio, status: BlkStatus.IOERR });
      return;
    }
    if (op === ReqOp.FLUSH && !this.#geo.wce) {
      sub.clock.schedule(0, endLater, { bio, status: BlkStatus.OK });
      return;
    }
    if ((op === ReqOp.WRITE || op === ReqOp.WRITE_ZEROES) && this.readOnly()) {
      sub.clock.schedule(0, endLater, { bio, status: BlkStatus.IOERR });
      return;
    }
    const cmd = sub.pool.get();
    cmd.kind = CmdKind.BLOCK;
    cmd.sdev = sdev;
    cmd.bio = bio;
    cmd.reqFlags = bio.flags;
    cmd.timeoutNs = (sdev.rqTimeoutJiffies * 1_000_000_000) / HZ;
    cmd.allowed = SD_MAX_RETRIES;
    cmd.allocNs = sub.clock.now();
    bio.startNs = cmd.allocNs;
    if (op === ReqOp.WRITE || op === ReqOp.WRITE_ZEROES) this.inflight.write++;
    else this.inflight.read++;
    sdev.queueRq(cmd);
  }

  /** The `stat` attribute (17 fields, `%8lu` each). */
  statLine(): string {
    const s = this.stats;
    const f = [s.rIos, 0, s.rSectors, s.rTicks, s.wIos, 0, s.wSectors, s.wTicks];
    f.push(this.inflight.read + this.inflight.write, s.rTicks + s.wTicks, s.rTicks + s.wTicks);
    for (let i = 0; i < 6; i++) f.push(0);
    return f.map((n) => String(Math.floor(n)).padStart(8)).join(" ");
  }

  /** `sd_init_command()`: the CDB for a bio (called at dispatch, and again after a REPREP). */
  setupCmnd(cmd: ScsiCmnd): void {
    const bio = cmd.bio!;
    const sdev = this.scsi;
    const lbs = this.#geo.sectorSize;
    const lba = Math.floor((bio.sector * 512) / lbs);
    const blocks = Math.ceil(bio.bytes / lbs);
    cmd.rebuild = false;
    switch (bio.op) {
      case ReqOp.READ:
        buildRwCdb(cmd, false, lba, blocks, false, sdev.use10ForRw, sdev.use16ForRw);
        cmd.dataIn = bio.data;
        cmd.dataInLen = bio.data ? Math.min(bio.data.length, bio.bytes) : bio.bytes;
        cmd.dataOut = null;
        cmd.dataOutLen = 0;
        break;
      case ReqOp.WRITE:
        buildRwCdb(
          cmd,
          true,
          lba,
          blocks,
          (bio.flags & ReqFlag.FUA) !== 0 && this.#geo.dpofua,
          sdev.use10ForRw,
          sdev.use16ForRw,
        );
        cmd.dataOut = bio.data;
        cmd.dataOutLen = bio.data ? Math.min(bio.data.length, bio.bytes) : 0;
        cmd.dataIn = null;
        cmd.dataInLen = 0;
        break;
      case ReqOp.FLUSH:
        cmd.setCdb([Op.SYNCHRONIZE_CACHE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        cmd.dataIn = null;
        cmd.dataInLen = 0;
        cmd.timeoutNs *= 2;
        break;
      case ReqOp.WRITE_ZEROES: {
        const c = [Op.WRITE_SAME_10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0];
        cmd.setCdb(c);
        putBe32(cmd.cdb, 2, lba);
        putBe16(cmd.cdb, 7, blocks);
        cmd.dataOut = null;
        cmd.dataOutLen = 0;
        break;
      }
      default:
        cmd.setCdb([Op.TEST_UNIT_READY, 0, 0, 0, 0, 0]);
    }
  }

  /**
   * `blk_mq_end_request()` for a request: logs the block layer's error line unless the request
   * was quiet or never reached the LLD, then completes the bio.
   */
  endRequest(cmd: ScsiCmnd, status: BlkStatus, rejected = false): void {
    const sub = this.scsi.shost.sub;
    const bio = cmd.bio!;
    const quiet = cmd.quiet;
    const ms = (sub.clock.now() - cmd.allocNs) / 1e6;
    if (bio.op === ReqOp.WRITE || bio.op === ReqOp.WRITE_ZEROES) {
      this.inflight.write--;
      if (status === BlkStatus.OK) {
        this.stats.wIos++;
        this.stats.wSectors += bio.bytes / 512;
        this.stats.wTicks += ms;
      }
    } else {
      this.inflight.read--;
      if (status === BlkStatus.OK && bio.op === ReqOp.READ) {
        this.stats.rIos++;
        this.stats.rSectors += bio.bytes / 512;
        this.stats.rTicks += ms;
      }
    }
    sub.pool.put(cmd);
    if (status !== BlkStatus.OK) {
      // BIO_QUIET: the buffer layer will not log "Buffer I/O error" for it either.
      if (quiet) sub.quietBios.add(bio);
      else sub.quietBios.delete(bio);
      if (!quiet && !rejected && !this.#dead) sub.block.printReqError(this, bio, status);
    }
    bioEndio(bio, status);
  }
}

function endLater(a: { bio: Bio; status: BlkStatus }): void {
  bioEndio(a.bio, a.status);
}

/** `read_capacity_*()` results: -ENODEV (stop), -EINVAL (try the other command / give up). */
const RC_NODEV = -19;
const RC_INVAL = -22;

/** `media_not_present()`: NOT READY or UNIT ATTENTION with MEDIUM NOT PRESENT (3A/xx). */
function mediaNotPresent(h: ScsiSenseHdr): boolean {
  return scsiSenseValid(h) && (h.senseKey === 0x2 || h.senseKey === 0x6) && h.asc === 0x3a;
}

/**
 * `scsi_status_is_good()`: the status byte is GOOD, CONDITION MET, an obsolete intermediate or
 * COMMAND TERMINATED, and the host byte is not DID_NO_CONNECT (other host bytes do not count).
 */
function statusIsGood(r: SyncResult): boolean {
  if (r.hostByte === 0x01) return false;
  const st = r.status & 0xfe;
  return st === 0x00 || st === 0x04 || st === 0x10 || st === 0x14 || st === 0x22;
}
