import {
  type Bio,
  Bio as BioCtor,
  BlkStatus,
  type Clock,
  formatDevT,
  getBe16,
  getBe32,
  LogLevel,
  putBe32,
  ReqOp,
  type ScsiDhEnv,
  scsiDhAddDevice,
  scsiDhReleaseDevice,
} from "@mp/dm-core";
import type { Hba, Link } from "../hardware/fabric.js";
import { type FabricKernel, Ida } from "../kernel-env.js";
import { Op } from "../scsi/opcodes.js";
import type { SysfsTree } from "../sysfs/tree.js";
import { ScsiCmndPool } from "./scsi-cmnd.js";
import { SimScsiDevice, type SyncResult } from "./scsi-device.js";
import { scsiReportSense } from "./scsi-error.js";
import { FcRport, ScsiHost, type ScsiHostTemplate, ScsiTarget } from "./scsi-host.js";
import { ScsiSysfs } from "./scsi-sysfs.js";
import { SdDisk } from "./sd.js";

/** `scsi_device_types[]` as scan messages print them (17 columns). */
const DEVICE_TYPES = [
  "Direct-Access    ",
  "Sequential-Access",
  "Printer          ",
  "Processor        ",
  "WORM             ",
  "CD-ROM           ",
  "Scanner          ",
  "Optical Device   ",
  "Medium Changer   ",
  "Communications   ",
  "ASC IT8          ",
  "ASC IT8          ",
  "RAID             ",
  "Enclosure        ",
  "Direct-Access-RBC",
  "Optical card     ",
  "Bridge controller",
  "Object storage   ",
  "Automation/Drive ",
  "Security Manager ",
  "Direct-Access-ZBC",
];

/** Options of the SCSI subsystem. */
export interface ScsiSubsystemOptions {
  readonly kernel: FabricKernel;
  readonly sysfs: SysfsTree;
  /** `bsg` character major (dynamic; 248 on the reference machine). */
  readonly bsgMajor?: number;
}

/** How a host driver places and describes its hosts. */
export interface HostDriver {
  /** Parent `/devices/...` directory of a new host (e.g. `/devices/pseudo_0/adapter0`). */
  parentPath(hba: Hba): string;
  template(hba: Hba): ScsiHostTemplate;
  /** SCSI target id of a link (scsi_debug: its target number; FC: the rport number). */
  targetId?(hba: Hba, link: Link, index: number): number;
}

/** True while something still has a removed disk open. */
export type DiskHolderCheck = (disk: SdDisk) => boolean;

/** From a disk's registration to the end of its probe (partition scan, "Attached SCSI disk"). */
export const SD_PROBE_TAIL_NS = 20_000_000;

/** How long a background host scan takes until its disks exist (a scsi_debug host: ~0.1 s). */
export const ASYNC_SCAN_NS = 100_000_000;

/**
 * LUNs a host scan probes before it lets other work run (at the same virtual instant): a
 * 16,384-disk scan in one go would hold the event loop for seconds.
 */
export const SCAN_STEP_LUNS = 32;

/**
 * The Linux SCSI subsystem over the fabric: `scsi_mod` (hosts, scanning, devices, the
 * midlayer), `sd_mod` (disks), `sg` (generic devices) and the FC transport class. Creates the
 * sysfs objects and kernel uevents in Linux's order, names disks as `sd` does and attaches
 * device handlers at scan as `scsi_dh` does.
 */
export class ScsiSubsystem {
  readonly kernel: FabricKernel;
  readonly sysfs: SysfsTree;
  readonly pool = new ScsiCmndPool();
  /** Bios that failed quietly (`RQF_QUIET` → `BIO_QUIET`): a handler refused them. */
  readonly quietBios = new WeakSet<Bio>();
  readonly hosts: ScsiHost[] = [];
  readonly #hostIda = new Ida();
  readonly #sdIda = new Ida();
  readonly #sgIda = new Ida();
  readonly #bsgIda = new Ida();
  readonly bsgMajor: number;
  readonly attrs: ScsiSysfs;
  /**
   * `scsi_mod.scan`: `async` (Debian's default: a driver's module init waits for the scan, a
   * host added later is scanned in the background), `sync`, or `manual`.
   */
  scanMode: "sync" | "async" | "manual" = "async";
  sdLoaded = false;
  sgLoaded = false;
  /** FC transport: `dev_loss_tmo` default of new rports (fc_transport module parameter). */
  fcDevLossTmo = 60;
  /**
   * Removed disks something still has open (a dm table, a user-space handle): their
   * `scsi_disk` lives on, and with it the sd index (`scsi_disk_release` frees it) and, through
   * the `scsi_device` it pins, the host number — so a disk scanned meanwhile gets a new name.
   */
  readonly #heldDisks = new Set<SdDisk>();
  /** Removed hosts whose number is still pinned by a held disk. */
  readonly #heldHosts = new Set<ScsiHost>();
  readonly #holderChecks: DiskHolderCheck[] = [];
  /** INQUIRY data and VPD pages the scan kept, one copy of each content. */
  readonly #bytes = new ByteInterner();

  /** The kernel's clock, kept in a field: every command reads it several times. */
  readonly clock: Clock;

  constructor(o: ScsiSubsystemOptions) {
    this.kernel = o.kernel;
    this.clock = o.kernel.clock;
    this.sysfs = o.sysfs;
    this.bsgMajor = o.bsgMajor ?? 248;
    this.attrs = new ScsiSysfs(this);
  }

  get log() {
    return this.kernel.log;
  }

  get block() {
    return this.kernel.block;
  }

  get dhEnv(): ScsiDhEnv {
    return { clock: this.kernel.clock, log: this.kernel.log };
  }

  /** Every SCSI device, in host, channel, target, LUN order. */
  devices(): SimScsiDevice[] {
    const out: SimScsiDevice[] = [];
    for (const h of [...this.hosts].sort((a, b) => a.hostNo - b.hostNo))
      for (const t of [...h.targets].sort((a, b) => a.channel - b.channel || a.id - b.id))
        for (const d of [...t.devices.values()].sort((a, b) => a.lun - b.lun)) out.push(d);
    return out;
  }

  /** The device whose disk or generic node is `name` (`sda`, `sg0`, `/dev/sda`). */
  deviceByName(name: string): SimScsiDevice | null {
    const n = name.replace(/^\/dev\//, "");
    for (const d of this.devices()) {
      if (d.sd?.name === n) return d;
      if (d.sgMinor >= 0 && `sg${d.sgMinor}` === n) return d;
    }
    return null;
  }

  host(hostNo: number): ScsiHost | undefined {
    return this.hosts.find((h) => h.hostNo === hostNo);
  }

  emit(
    action: "add" | "remove" | "change" | "bind" | "unbind",
    devpath: string,
    subsystem: string,
    env: Array<readonly [string, string]> = [],
  ): void {
    this.kernel.uevents.emit({ action, devpath, subsystem, env });
  }

  /** A `change` uevent of a SCSI device (SDEV_UA events, the `uevent` attribute). */
  emitSdevChange(sdev: SimScsiDevice, extra: Array<readonly [string, string]>): void {
    this.emit("change", sdev.devpath, "scsi", [...extra, ...this.sdevUeventVars(sdev)]);
  }

  sdevUeventVars(sdev: SimScsiDevice): Array<readonly [string, string]> {
    const vars: Array<readonly [string, string]> = [["DEVTYPE", "scsi_device"]];
    if (sdev.driver) vars.push(["DRIVER", sdev.driver]);
    vars.push(["MODALIAS", `scsi:t-0x${sdev.type.toString(16).padStart(2, "0")}`]);
    return vars;
  }

  /** `scsi_report_sense()` for probe-path commands. */
  reportSenseSync(sdev: SimScsiDevice, key: number, asc: number, ascq: number): void {
    scsiReportSense(sdev, key, asc, ascq);
  }

  // ---- references to removed disks ---------------------------------------------------------

  /**
   * Registers a way to tell whether a removed disk is still open (the SimHost answers for
   * device-mapper tables and its own block handles).
   */
  addHolderCheck(check: DiskHolderCheck): void {
    this.#holderChecks.push(check);
  }

  /** Removed disks still held open (their names and numbers stay taken). */
  heldDisks(): SdDisk[] {
    this.#releaseUnheld();
    return [...this.#heldDisks];
  }

  /**
   * Drops the references of removed disks nobody holds any more (the last `blkdev_put` →
   * `disk_release` → `scsi_disk_release`): frees their sd index, then the numbers of removed
   * hosts no held disk pins. Run before a name or number is handed out.
   */
  #releaseUnheld(): void {
    if (this.#heldDisks.size === 0 && this.#heldHosts.size === 0) return;
    for (const d of [...this.#heldDisks])
      if (!this.#holderChecks.some((held) => held(d))) {
        this.#heldDisks.delete(d);
        this.#sdIda.free(d.index);
      }
    for (const h of [...this.#heldHosts]) {
      let pinned = false;
      for (const d of this.#heldDisks) if (d.scsi.shost === h) pinned = true;
      if (!pinned) {
        this.#heldHosts.delete(h);
        this.#hostIda.free(h.hostNo);
      }
    }
  }

  // ---- hosts --------------------------------------------------------------------------------

  /** `scsi_host_alloc()` + `scsi_add_host()`: a new host over `hba` (uevents, sysfs). */
  addHost(hba: Hba, driver: HostDriver): ScsiHost {
    this.#releaseUnheld();
    const hostNo = this.#hostIda.alloc();
    hba.hostNo = hostNo;
    const shost = new ScsiHost(this, hba, hostNo, driver.template(hba), driver.parentPath(hba), driver);
    this.hosts.push(shost);
    this.attrs.addHost(shost);
    this.emit("add", shost.devpath, "scsi", [["DEVTYPE", "scsi_host"]]);
    this.emit("add", `${shost.devpath}/scsi_host/host${hostNo}`, "scsi_host");
    if (shost.isFc) this.emit("add", `${shost.devpath}/fc_host/host${hostNo}`, "fc_host");
    for (const link of hba.links) link.onChange((l) => this.#linkChanged(shost, l));
    return shost;
  }

  /** `scsi_remove_host()`: every device goes, then the host. */
  removeHost(shost: ScsiHost): void {
    if (shost.removed) return;
    shost.removed = true;
    for (const t of [...shost.targets]) {
      shost.abortInflight(t, 0x01);
      this.removeTarget(t);
    }
    if (shost.isFc) this.emit("remove", `${shost.devpath}/fc_host/host${shost.hostNo}`, "fc_host");
    this.emit("remove", `${shost.devpath}/scsi_host/host${shost.hostNo}`, "scsi_host");
    this.emit("remove", shost.devpath, "scsi", [["DEVTYPE", "scsi_host"]]);
    this.attrs.removeHost(shost);
    this.hosts.splice(this.hosts.indexOf(shost), 1);
    let pinned = false;
    for (const d of this.#heldDisks) if (d.scsi.shost === shost) pinned = true;
    if (pinned) this.#heldHosts.add(shost);
    else this.#hostIda.free(shost.hostNo);
    shost.hba.hostNo = -1;
  }

  // ---- scanning -----------------------------------------------------------------------------

  /** The SCSI target id of the `index`-th link of a host. */
  targetIdOf(shost: ScsiHost, link: Link, index: number): number {
    const existing = shost.targets.find((t) => t.link === link);
    if (existing) return existing.id;
    if (shost.isFc) return shost.nextRport++;
    return shost.driver.targetId?.(shost.hba, link, index) ?? index;
  }

  /**
   * `scsi_scan_host()` as a driver calls it after adding a host: at once when scanning is
   * synchronous or the driver's module init is running (init waits for async work), else in the
   * background, starting {@link ASYNC_SCAN_NS} later. Either way the scan runs as the kernel's
   * scan thread does, {@link SCAN_STEP_LUNS} LUNs at a time: what is left continues in clock
   * tasks at the same virtual instant, so other work (and whoever drives the clock) runs between
   * the steps of a scan of thousands of LUNs.
   */
  scanNewHost(shost: ScsiHost, inModuleInit: boolean): void {
    if (this.scanMode === "manual") return;
    if (this.scanMode === "sync" || inModuleInit) {
      this.#scanSteps(shost, this.#hostScan(shost));
      return;
    }
    this.clock.schedule(
      ASYNC_SCAN_NS,
      (h: ScsiHost) => {
        if (!h.removed) this.#scanSteps(h, this.#hostScan(h));
      },
      shost,
    );
  }

  /** `scsi_scan_host()` all at once: every target behind every link, every LUN, in order. */
  scanHost(shost: ScsiHost): void {
    for (const _ of this.#hostScan(shost));
  }

  /** Runs a scan for up to {@link SCAN_STEP_LUNS} LUNs, then lets it continue in a clock task. */
  #scanSteps(shost: ScsiHost, scan: Iterator<void>): void {
    for (let n = 0; ; n++) {
      if (shost.removed) return;
      // Each step ends just before a LUN's probe; a scan with nothing left ends here.
      if (n > SCAN_STEP_LUNS) {
        this.clock.schedule(0, (h: ScsiHost) => this.#scanSteps(h, scan), shost);
        return;
      }
      if (scan.next().done) return;
    }
  }

  /** The host scan, stopping before each LUN's probe. */
  *#hostScan(shost: ScsiHost): Generator<void, void, undefined> {
    const links = shost.hba.links;
    for (let i = 0; i < links.length; i++) {
      const link = links[i]!;
      if (!link.usable) continue;
      const t = this.#target(shost, link, this.targetIdOf(shost, link, i));
      for (const lun of this.#reportLuns(t)) {
        yield;
        this.scanLun(t, lun);
      }
    }
  }

  /** Finds or creates the target for a link and scans its LUNs. */
  scanLink(shost: ScsiHost, link: Link, id: number, luns?: readonly number[]): ScsiTarget {
    const t = this.#target(shost, link, id);
    for (const lun of luns ?? this.#reportLuns(t)) this.scanLun(t, lun);
    return t;
  }

  /** The target behind a link, created (with its FC remote port) the first time. */
  #target(shost: ScsiHost, link: Link, id: number): ScsiTarget {
    let t = shost.targets.find((x) => x.link === link);
    if (!t) {
      const rport = shost.isFc ? new FcRport(id, this.fcDevLossTmo) : null;
      t = new ScsiTarget(shost, 0, id, link, rport);
      shost.targets.push(t);
      if (rport) this.attrs.addRport(t);
    }
    return t;
  }

  /**
   * REPORT LUNS through LUN 0 (`scsi_report_lun_scan`), or LUN 0 alone when that fails: room for
   * 511 LUNs first, asked again with the whole list's length when the target has more.
   */
  #reportLuns(t: ScsiTarget): number[] {
    const probe = new SimScsiDevice(t, 0);
    let length = (511 + 1) * 8;
    let r: SyncResult | null;
    for (;;) {
      const cdb = new Uint8Array(12);
      cdb[0] = Op.REPORT_LUNS;
      putBe32(cdb, 6, length);
      r = probe.executeSync(cdb, null, length);
      if (r?.status !== 0 || r.hostByte !== 0 || !r.data || r.data.length < 8) return [0];
      const listed = getBe32(r.data, 0) + 8;
      if (listed <= length) break;
      length = listed;
    }
    const n = Math.min(getBe32(r.data, 0), r.data.length - 8) / 8;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const off = 8 + 8 * i;
      const am = r.data[off]! >> 6;
      const lun = am === 1 ? getBe16(r.data, off) & 0x3fff : r.data[off + 1]!;
      out.push(lun);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * `scsi_probe_and_add_lun()`: INQUIRY; a present LUN becomes a device (VPD cached, handler
   * attached, generic and disk drivers bound). Returns null when nothing is there.
   */
  scanLun(t: ScsiTarget, lun: number): SimScsiDevice | null {
    if (t.devices.has(lun)) return t.devices.get(lun)!;
    const sdev = new SimScsiDevice(t, lun);
    const r = sdev.executeSync([Op.INQUIRY, 0, 0, 0, 36, 0], null, 36);
    if (r?.status !== 0 || r.hostByte !== 0 || !r.data || r.data.length < 5) return null;
    const len = Math.min(255, Math.max(36, r.data[4]! + 5));
    const full = sdev.executeSync([Op.INQUIRY, 0, 0, 0, len, 0], null, len);
    const inq = this.#bytes.intern(
      full?.data && full.data.length >= 36 ? full.data.slice() : padInquiry(r.data),
    );
    const pq = inq[0]! >> 5;
    if (pq !== 0) return null;
    sdev.setInquiry(inq);
    const firstOfTarget = t.devices.size === 0;
    t.devices.set(lun, sdev);
    sdev.setState("running");
    this.log.printk(
      LogLevel.NOTICE,
      `scsi ${sdev.hctl}: ${DEVICE_TYPES[sdev.type] ?? "Unknown          "} ${sdev.vendor} ${sdev.model} ${sdev.rev} PQ: ${pq} ANSI: ${inq[2]! & 0x07}${(inq[3]! & 0x0f) === 1 ? " CCS" : ""}`,
    );
    this.attachVpd(sdev);
    if (firstOfTarget) {
      this.attrs.addTarget(t);
      this.emit("add", t.devpath, "scsi", [["DEVTYPE", "scsi_target"]]);
    }
    this.attrs.addSdev(sdev);
    this.emit("add", sdev.devpath, "scsi", this.sdevUeventVars(sdev));
    scsiDhAddDevice(sdev, this.kernel.handlers, this.dhEnv);
    // sd binds asynchronously while scsi_sysfs_add_sdev goes on; the usual interleaving is sd's
    // first steps (scsi_disk, spin-up) before the class devices, the disk after them.
    const disk = this.sdLoaded && (sdev.type === 0 || sdev.type === 0x0e) ? this.#sdProbeStart(sdev) : null;
    this.emit("add", `${sdev.devpath}/scsi_device/${sdev.hctl}`, "scsi_device");
    if (this.sgLoaded) this.#addSg(sdev);
    this.#addBsg(sdev);
    if (disk) this.#sdProbeFinish(disk);
    return sdev;
  }

  /** `scsi_attach_vpd()`: caches the VPD pages the device lists (0, 0x80, 0x83, 0x89, 0xb0-0xb2). */
  attachVpd(sdev: SimScsiDevice): void {
    if ((sdev.inquiry[2] ?? 0) < 2 && sdev.scsiLevel < 3) return;
    const pg0 = this.#readVpd(sdev, 0x00);
    if (!pg0) return;
    sdev.vpd.set(0x00, pg0);
    const listed = new Set(pg0.subarray(4, 4 + getBe16(pg0, 2)));
    for (const page of [0x80, 0x83, 0x89, 0xb0, 0xb1, 0xb2]) {
      if (!listed.has(page)) {
        sdev.vpd.delete(page);
        continue;
      }
      const p = this.#readVpd(sdev, page);
      if (p) sdev.vpd.set(page, p);
      else sdev.vpd.delete(page);
    }
  }

  #readVpd(sdev: SimScsiDevice, page: number): Uint8Array | null {
    const r = sdev.executeSync([Op.INQUIRY, 1, page, 0x00, 0xff, 0], null, 255);
    if (r?.status !== 0 || r.hostByte !== 0 || !r.data || r.data.length < 4 || r.data[1] !== page)
      return null;
    const len = getBe16(r.data, 2) + 4;
    if (len <= r.data.length) return this.#bytes.intern(r.data.slice(0, len));
    const big = sdev.executeSync([Op.INQUIRY, 1, page, (len >> 8) & 0xff, len & 0xff, 0], null, len);
    return this.#bytes.intern(big?.data ? big.data.slice(0, len) : r.data.slice());
  }

  /** `scsi_rescan_device()`: VPD re-read, handler rescan, disk revalidation. */
  rescanDevice(sdev: SimScsiDevice): void {
    if (sdev.state === "deleted" || sdev.state === "cancel") return;
    this.attachVpd(sdev);
    sdev.handler?.rescan();
    if (sdev.sd) {
      const before = sdev.sd.sizeSectors();
      sdev.sd.revalidate(false);
      const after = sdev.sd.sizeSectors();
      if (before !== after) {
        this.log.info(`${sdev.sd.name}: detected capacity change from ${before} to ${after}`);
        this.emit("change", this.attrs.diskDevpath(sdev.sd), "block", [
          ["RESIZE", "1"],
          ...this.attrs.diskUeventVars(sdev.sd),
        ]);
      }
    }
  }

  // ---- upper-level drivers -----------------------------------------------------------------

  #addSg(sdev: SimScsiDevice): void {
    if (sdev.sgMinor >= 0) return;
    sdev.sgMinor = this.#sgIda.alloc();
    this.attrs.addSg(sdev);
    this.emit("add", `${sdev.devpath}/scsi_generic/sg${sdev.sgMinor}`, "scsi_generic", [
      ["MAJOR", "21"],
      ["MINOR", String(sdev.sgMinor)],
      ["DEVNAME", `sg${sdev.sgMinor}`],
    ]);
    sdev.printk(LogLevel.NOTICE, `Attached scsi generic sg${sdev.sgMinor} type ${sdev.type}`);
  }

  #removeSg(sdev: SimScsiDevice): void {
    if (sdev.sgMinor < 0) return;
    this.emit("remove", `${sdev.devpath}/scsi_generic/sg${sdev.sgMinor}`, "scsi_generic", [
      ["MAJOR", "21"],
      ["MINOR", String(sdev.sgMinor)],
      ["DEVNAME", `sg${sdev.sgMinor}`],
    ]);
    this.attrs.removeSg(sdev);
    this.#sgIda.free(sdev.sgMinor);
    sdev.sgMinor = -1;
  }

  #addBsg(sdev: SimScsiDevice): void {
    sdev.bsgMinor = this.#bsgIda.alloc();
    this.attrs.addBsg(sdev);
    this.emit("add", `${sdev.devpath}/bsg/${sdev.hctl}`, "bsg", [
      ["MAJOR", String(this.bsgMajor)],
      ["MINOR", String(sdev.bsgMinor)],
      ["DEVNAME", `bsg/${sdev.hctl}`],
    ]);
  }

  #removeBsg(sdev: SimScsiDevice): void {
    if (sdev.bsgMinor < 0) return;
    this.emit("remove", `${sdev.devpath}/bsg/${sdev.hctl}`, "bsg", [
      ["MAJOR", String(this.bsgMajor)],
      ["MINOR", String(sdev.bsgMinor)],
      ["DEVNAME", `bsg/${sdev.hctl}`],
    ]);
    this.attrs.removeBsg(sdev);
    this.#bsgIda.free(sdev.bsgMinor);
    sdev.bsgMinor = -1;
  }

  /** `sd_probe()`: names the disk, reads its geometry, registers the block device. */
  sdProbe(sdev: SimScsiDevice): SdDisk {
    if (sdev.sd) return sdev.sd;
    const disk = this.#sdProbeStart(sdev);
    this.#sdProbeFinish(disk);
    return disk;
  }

  /** sd_probe's first part: the scsi_disk device and the spin-up. */
  #sdProbeStart(sdev: SimScsiDevice): SdDisk {
    this.#releaseUnheld();
    const index = this.#sdIda.alloc();
    const disk = new SdDisk(sdev, index, this.kernel.diskSeq.next());
    sdev.sd = disk;
    sdev.driver = "sd";
    this.attrs.addScsiDisk(sdev);
    this.emit("add", `${sdev.devpath}/scsi_disk/${sdev.hctl}`, "scsi_disk");
    disk.spinUp();
    sdev.flushEvents();
    return disk;
  }

  /** The rest: revalidation, the gendisk, the driver bind. */
  #sdProbeFinish(disk: SdDisk): void {
    const sdev = disk.scsi;
    disk.revalidate(true, true);
    this.attrs.addDisk(disk);
    this.emit("add", `/devices/virtual/bdi/${formatDevT(disk.devt)}`, "bdi");
    this.block.register(disk);
    this.emit("add", this.attrs.diskDevpath(disk), "block", this.attrs.diskUeventVars(disk));
    this.emit("bind", sdev.devpath, "scsi", this.sdevUeventVars(sdev));
    // The rest of sd_probe (the partition scan, "Attached") takes the probe's remaining time, by
    // when a device handler has learnt the path's state (ALUA's RTPG runs meanwhile).
    this.clock.schedule(SD_PROBE_TAIL_NS, (d: SdDisk) => this.#finishProbe(d), disk);
  }

  #finishProbe(disk: SdDisk): void {
    if (disk.dead) return;
    this.#scanPartitions(disk);
    disk.scsi.printk(LogLevel.NOTICE, `[${disk.name}] Attached SCSI disk`);
  }

  /**
   * The partition scan of `device_add_disk` (`check_partition`): the parsers read the start of
   * the disk; when that read fails (a passive path the handler refuses I/O to, a dead target)
   * the ldm and amiga parsers and the scan itself say so. A readable disk of zeroes has no
   * partitions and logs nothing.
   */
  #scanPartitions(disk: SdDisk): void {
    if (disk.sizeSectors() === 0) return;
    const sdev = disk.scsi;
    let ok = true;
    if (sdev.handler) {
      const probe = new BioCtor();
      probe.op = ReqOp.READ;
      probe.bytes = 4096;
      probe.dev = disk;
      ok = sdev.handler.prepFn(probe) === BlkStatus.OK;
    }
    if (ok) {
      const r = sdev.executeSync(
        [Op.READ_10, 0, 0, 0, 0, 0, 0, 0, 4096 / disk.logicalBlockSize, 0],
        null,
        4096,
      );
      ok = r !== null && r.status === 0 && r.hostByte === 0;
    }
    if (ok) return;
    this.log.printk(LogLevel.CRIT, "ldm_validate_partition_table(): Disk read failed.");
    this.log.printk(LogLevel.WARNING, `Dev ${disk.name}: unable to read RDB block 0`);
    this.log.printk(LogLevel.INFO, ` ${disk.name}: unable to read partition table`);
  }

  /** `sd_remove()`: flushes the cache, deletes the disk, frees its index. */
  #sdRemove(sdev: SimScsiDevice): void {
    const disk = sdev.sd;
    if (!disk) return;
    if (disk.geometry.wce && sdev.online)
      sdev.printk(LogLevel.NOTICE, `[${disk.name}] Synchronizing SCSI cache`);
    this.emit("remove", `${sdev.devpath}/scsi_disk/${sdev.hctl}`, "scsi_disk");
    disk.kill();
    const devt = disk.devt;
    this.emit("remove", `/devices/virtual/bdi/${formatDevT(devt)}`, "bdi");
    this.emit("remove", this.attrs.diskDevpath(disk), "block", this.attrs.diskUeventVars(disk));
    // del_gendisk() does not end the opens: the disk object lives until the last one goes.
    const open = this.block.openCount(devt) > 0;
    this.block.unregister(devt);
    this.attrs.removeDisk(disk);
    this.attrs.removeScsiDisk(sdev);
    if (open) this.#heldDisks.add(disk);
    else this.#sdIda.free(disk.index);
    sdev.sd = null;
    sdev.driver = null;
    this.emit("unbind", sdev.devpath, "scsi", this.sdevUeventVars(sdev));
  }

  /** `sd_mod` loaded: binds every existing disk-type device. */
  loadSd(): void {
    this.sdLoaded = true;
    for (const d of this.devices()) if (d.type === 0 || d.type === 0x0e) this.sdProbe(d);
  }

  unloadSd(): void {
    for (const d of this.devices()) this.#sdRemove(d);
    this.sdLoaded = false;
  }

  /** `sg` loaded: a generic device for every SCSI device. */
  loadSg(): void {
    this.sgLoaded = true;
    for (const d of this.devices()) this.#addSg(d);
  }

  unloadSg(): void {
    for (const d of this.devices()) this.#removeSg(d);
    this.sgLoaded = false;
  }

  // ---- removal ------------------------------------------------------------------------------

  /** `scsi_remove_device()` (sysfs `delete`, LUN gone, host removal). */
  removeDevice(sdev: SimScsiDevice): void {
    if (sdev.state === "deleted" || sdev.state === "cancel") return;
    sdev.setState("cancel");
    this.#removeBsg(sdev);
    this.#removeSg(sdev);
    this.emit("remove", `${sdev.devpath}/scsi_device/${sdev.hctl}`, "scsi_device");
    this.#sdRemove(sdev);
    scsiDhReleaseDevice(sdev, this.dhEnv);
    sdev.setState("deleted");
    sdev.failQueued();
    this.emit("remove", sdev.devpath, "scsi", this.sdevUeventVars(sdev));
    this.attrs.removeSdev(sdev);
    const t = sdev.starget;
    t.devices.delete(sdev.lun);
    if (t.devices.size === 0) {
      this.emit("remove", t.devpath, "scsi", [["DEVTYPE", "scsi_target"]]);
      this.attrs.removeTarget(t);
    }
  }

  /** `scsi_remove_target()`: every device of the target, then the target. */
  removeTarget(t: ScsiTarget): void {
    for (const d of [...t.devices.values()].sort((a, b) => a.lun - b.lun)) this.removeDevice(d);
    const h = t.shost;
    const i = h.targets.indexOf(t);
    if (i >= 0) h.targets.splice(i, 1);
    if (t.rport) {
      this.#cancelRportTimers(t.rport);
      this.attrs.removeRport(t);
    }
  }

  // ---- transport: what a link state change means ---------------------------------------------

  #linkChanged(shost: ScsiHost, link: Link): void {
    if (shost.removed) return;
    const t = shost.targets.find((x) => x.link === link);
    if (link.usable) {
      if (!t) {
        // A new or returning remote port: the transport scans it (FC rport add).
        if (shost.isFc) this.scanLink(shost, link, shost.nextRport++);
        return;
      }
      if (t.rport && t.rport.state === "blocked") {
        this.#cancelRportTimers(t.rport);
        t.rport.state = "online";
        t.rport.fastFailTimedOut = false;
        for (const d of t.devices.values()) d.unblock("running");
      }
      return;
    }
    if (!t) return;
    if (!t.rport) {
      shost.abortInflight(t, 0x01);
      return;
    }
    const r = t.rport;
    if (r.state !== "online") return;
    r.state = "blocked";
    for (const d of t.devices.values()) d.block();
    shost.abortInflight(t, 0x0e);
    if (r.fastIoFailTmo !== -1 && r.fastIoFailTmo < r.devLossTmo)
      r.fastFailTimer = this.clock.schedule(r.fastIoFailTmo * 1e9, (tt: ScsiTarget) => this.#fastFail(tt), t);
    r.devLossTimer = this.clock.schedule(r.devLossTmo * 1e9, (tt: ScsiTarget) => this.#devLoss(tt), t);
  }

  #cancelRportTimers(r: FcRport): void {
    if (r.fastFailTimer) this.clock.cancel(r.fastFailTimer);
    if (r.devLossTimer) this.clock.cancel(r.devLossTimer);
    r.fastFailTimer = 0;
    r.devLossTimer = 0;
  }

  /** `fc_timeout_fail_rport_io()`: stop waiting, fail the I/O fast. */
  #fastFail(t: ScsiTarget): void {
    const r = t.rport!;
    r.fastFailTimer = 0;
    if (r.state !== "blocked") return;
    r.fastFailTimedOut = true;
    t.shost.abortInflight(t, 0x0f);
    for (const d of t.devices.values()) d.unblock("transport-offline");
  }

  /** `fc_timeout_deleted_rport()`: the remote port is gone for good; its devices are removed. */
  #devLoss(t: ScsiTarget): void {
    const r = t.rport!;
    r.devLossTimer = 0;
    if (r.state !== "blocked") return;
    this.log.err(
      `rport-${t.shost.hostNo}:${t.channel}-${r.number}: blocked FC remote port time out: removing target and saving binding`,
    );
    r.state = "deleted";
    t.shost.abortInflight(t, 0x01);
    for (const d of t.devices.values()) d.unblock("transport-offline");
    this.removeTarget(t);
  }
}

/** Distinct byte strings kept at most (then forgotten all at once). */
const INTERN_MAX = 1 << 14;

/**
 * One array per content for the INQUIRY data and VPD pages devices keep (never written once
 * read): a LUN's paths answer with the same pages but the device identification's port
 * designators, and an array's LUNs with the same standard INQUIRY data and most pages.
 */
export class ByteInterner {
  readonly #byHash = new Map<number, Uint8Array[]>();
  #size = 0;

  intern(b: Uint8Array): Uint8Array {
    let h = 0x811c9dc5 ^ b.length;
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const same = this.#byHash.get(h);
    if (same) {
      for (const x of same) if (sameBytes(x, b)) return x;
      same.push(b);
    } else {
      if (this.#size >= INTERN_MAX) {
        this.#byHash.clear();
        this.#size = 0;
      }
      this.#byHash.set(h, [b]);
    }
    this.#size++;
    return b;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function padInquiry(d: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.max(36, d.length));
  out.set(d);
  return out;
}
