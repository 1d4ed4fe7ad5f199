import {
  type Bio,
  type BlockDevice,
  type BlockHandle,
  type Clock,
  type DevT,
  type DmControl,
  Errno,
  type Host,
  type KernelLogLine,
  type ScsiCommand,
  type ScsiResult,
} from "@mp/dm-core";
import type { FabricKernel } from "../kernel-env.js";
import {
  ADMIN_NOT_LIVE,
  executeAdmin,
  type NvmeAdminCommand,
  type NvmeAdminResult,
} from "../nvme/nvme-admin.js";
import type { NvmeCore } from "../nvme/nvme-core.js";
import type { NvmeCtrl } from "../nvme/nvme-ctrl.js";
import { NvmeNs } from "../nvme/nvme-ns.js";
import { NvmeNsHead } from "../nvme-multipath/nvme-ns-head.js";
import type { SimScsiDevice } from "../scsi-ml/scsi-device.js";
import type { ScsiSubsystem } from "../scsi-ml/scsi-subsystem.js";
import { SdDisk } from "../scsi-ml/sd.js";
import type { SysfsTree } from "../sysfs/tree.js";
import { MemFileStore } from "./file-store.js";
import { SimSysfs } from "./sim-sysfs.js";
import { defaultRules, type MultipathU, type UdevRule } from "./udev/rules.js";
import { SimUdev } from "./udev/udev.js";
import { ownsSysfs, VirtualBlockSysfs } from "./virtual-block.js";

/** Time a controller takes to answer an admin command (besides the round trip), ns. */
const ADMIN_SERVICE_NS = 20_000;

/** `ENOTTY`: SG_IO on a device that is not SCSI (kept as an export; it is `Errno.ENOTTY`). */
export const ENOTTY = Errno.ENOTTY;

/** The kernel a SimHost runs on (a @mp/dm-core `Kernel` has all of it). */
export interface SimHostKernel extends FabricKernel {
  readonly dm: DmControl;
  readonly release?: string;
}

/** Options of {@link SimHost}. */
export interface SimHostOptions {
  readonly kernel: SimHostKernel;
  readonly sysfs: SysfsTree;
  readonly scsi: ScsiSubsystem;
  /** The NVMe host driver (admin passthrough, held namespace disks). */
  readonly nvme?: NvmeCore;
  /** Time udevd spends per event, ns (default 1 ms). */
  readonly udevEventNs?: number;
  /** `multipath -u` for 56-multipath.rules (default: never a multipath path). */
  readonly multipathU?: MultipathU;
  /** Extra udev rules. */
  readonly rules?: readonly UdevRule[];
}

/** The block ioctls `blockdev` uses (BLK*). */
export type BlkIoctl =
  | "BLKROSET"
  | "BLKROGET"
  | "BLKSSZGET"
  | "BLKBSZGET"
  | "BLKBSZSET"
  | "BLKGETSIZE64"
  | "BLKRAGET"
  | "BLKRASET"
  | "BLKFLSBUF"
  | "BLKRRPART";

/** Per-block_device soft state of a device that is not an sd disk (dm, loop). */
interface BdevSoft {
  readOnly: boolean;
  readAheadKb: number;
}

/** The `/dev` node a name resolves to. */
export type DevNodeResolution =
  | { readonly devt: DevT; readonly dev: BlockDevice }
  | { readonly errno: number };

/**
 * `Host` over the simulated kernel and fabric: sysfs, the udev database and monitor (started by
 * {@link SimHost.startUdev}), the dm ioctls, SG_IO to SCSI disks, direct block I/O, the kernel
 * log and an in-memory `/etc`. multipathd, the checkers and the tools see the world only
 * through it.
 */
export class SimHost implements Host {
  readonly clock: Clock;
  readonly sysfs: SimSysfs;
  readonly udev: SimUdev;
  readonly dm: DmControl;
  readonly files = new MemFileStore();
  readonly kernelRelease: string;
  readonly kernel: SimHostKernel;
  readonly scsi: ScsiSubsystem;
  readonly nvme: NvmeCore | null;
  readonly virtualBlocks: VirtualBlockSysfs;
  /** Devices the kernel announced (for coldplug). */
  readonly #present = new Map<string, string>();
  readonly #bdevSoft = new Map<DevT, BdevSoft>();
  /** Block handles user space has open, per device (they keep a removed disk alive). */
  readonly #handles = new Map<BlockDevice, number>();

  constructor(o: SimHostOptions) {
    this.kernel = o.kernel;
    this.clock = o.kernel.clock;
    this.dm = o.kernel.dm;
    this.scsi = o.scsi;
    this.nvme = o.nvme ?? null;
    this.kernelRelease = o.kernel.release ?? "6.1.0-mp";
    this.sysfs = new SimSysfs(o.sysfs);
    this.files.mkdir("/etc/multipath");
    this.virtualBlocks = new VirtualBlockSysfs({
      block: o.kernel.block,
      dm: o.kernel.dm,
      sysfs: o.sysfs,
      emit: (action, devpath, subsystem, env) =>
        o.kernel.uevents.emit({ action: action as "change", devpath, subsystem, env }),
      readAheadKb: (devt) => this.readAheadKb(devt),
      bdevReadOnly: (devt) => this.#bdevSoft.get(devt)?.readOnly ?? false,
    });
    o.kernel.uevents.subscribe((e) => {
      if (e.action === "add") this.#present.set(e.devpath, e.subsystem);
      else if (e.action === "remove") this.#present.delete(e.devpath);
    });
    for (const d of o.kernel.block.all())
      if (!ownsSysfs(d)) this.#present.set(VirtualBlockSysfs.devpath(d), "block");
    o.kernel.block.subscribe((e) => {
      if (ownsSysfs(e.dev)) return;
      const p = VirtualBlockSysfs.devpath(e.dev);
      if (e.action === "add") this.#present.set(p, "block");
      else this.#present.delete(p);
    });
    o.scsi.addHolderCheck((disk) => this.#holdsDisk(disk));
    o.nvme?.addHolderCheck((ns) => this.#holdsDisk(ns));
    this.udev = new SimUdev({
      clock: this.clock,
      uevents: o.kernel.uevents,
      sysfs: this.sysfs,
      dm: this.dm,
      rules: [...defaultRules(o.multipathU), ...(o.rules ?? [])],
      ...(o.udevEventNs !== undefined ? { eventNs: o.udevEventNs } : {}),
      block: o.kernel.block,
      log: o.kernel.log,
      quiet: (bio) => o.scsi.quietBios.has(bio),
      present: () => this.#coldplugList(),
    });
  }

  /**
   * Whether a removed disk is still open: a device-mapper table (live or inactive) names its
   * dev_t, or a block handle from {@link openBlock} is still open on it.
   */
  #holdsDisk(disk: BlockDevice): boolean {
    if ((this.#handles.get(disk) ?? 0) > 0) return true;
    for (const e of this.dm.list())
      for (const inactive of [false, true]) {
        const r = this.dm.deps(e.name, { inactive });
        if (r.ok && r.value.deps.includes(disk.devt)) return true;
      }
    return false;
  }

  /** Starts systemd-udevd with coldplug (`udevadm trigger`); call `udev.whenSettled()` to wait. */
  startUdev(): void {
    this.udev.start();
  }

  #coldplugList(): Array<{ devpath: string; subsystem: string; env: Array<readonly [string, string]> }> {
    const entries = [...this.#present.entries()];
    const rank = (p: string) => (p.startsWith("/devices/") ? 1 : 0);
    entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    return entries.map(([devpath, subsystem]) => ({ devpath, subsystem, env: this.#ueventVars(devpath) }));
  }

  #ueventVars(devpath: string): Array<readonly [string, string]> {
    const text = this.sysfs.read(`/sys${devpath}/uevent`) ?? "";
    const out: Array<readonly [string, string]> = [];
    for (const line of text.split("\n")) {
      const i = line.indexOf("=");
      if (i > 0) out.push([line.slice(0, i), line.slice(i + 1)]);
    }
    return out;
  }

  /** Adds a udev rules file (e.g. multipath-tools' rules with the daemon's `multipath -u`). */
  addUdevRule(rule: UdevRule): void {
    this.udev.addRule(rule);
  }

  /** Resolves `sda`, `/dev/sda`, `/dev/dm-0`, `/dev/mapper/NAME`, `/dev/disk/by-id/…` or a dev_t. */
  resolve(dev: string | DevT): DevNodeResolution {
    const block = this.kernel.block;
    if (typeof dev === "number") {
      const d = block.get(dev);
      return d ? { devt: d.devt, dev: d } : { errno: Errno.ENXIO };
    }
    const name = dev.startsWith("/dev/") ? dev.slice(5) : dev;
    if (!name.includes("/")) {
      const d = block.byName(name);
      if (d) return { devt: d.devt, dev: d };
    }
    if (name.startsWith("mapper/")) {
      const mapped = name.slice(7);
      if (!this.udev.running) {
        const info = this.dm.info(mapped);
        if (info.ok) {
          const d = block.get(info.value.devt);
          if (d) return { devt: d.devt, dev: d };
        }
        return { errno: Errno.ENOENT };
      }
    }
    if (this.udev.running) {
      const r = this.udev.lookup(`/dev/${name}`);
      if (r?.devnum !== undefined) {
        const d = block.get(r.devnum);
        if (d) return { devt: d.devt, dev: d };
      }
    }
    return { errno: Errno.ENOENT };
  }

  /** The SCSI device behind a name (`sda`, `sg0`), or null. */
  scsiDevice(dev: string | DevT): SimScsiDevice | null {
    if (typeof dev === "string") {
      const byName = this.scsi.deviceByName(dev);
      if (byName) return byName;
    }
    const r = this.resolve(dev);
    if ("errno" in r) return null;
    return r.dev instanceof SdDisk ? r.dev.scsi : null;
  }

  /**
   * The errno an `open()` of the node fails with, or 0: ENOENT for no node, ENXIO for an offline
   * or dying SCSI disk (`sd_open`).
   */
  openErrno(dev: string | DevT): number {
    if (typeof dev === "string" && /^(\/dev\/)?sg\d+$/.test(dev)) {
      const s = this.scsi.deviceByName(dev);
      if (!s) return Errno.ENOENT;
      return s.state === "deleted" || s.state === "cancel" ? Errno.ENXIO : 0;
    }
    const r = this.resolve(dev);
    if ("errno" in r) return r.errno;
    if (r.dev instanceof SdDisk && (!r.dev.scsi.online || r.dev.dying())) return Errno.ENXIO;
    if (r.dev.dying()) return Errno.ENXIO;
    return 0;
  }

  sgIo(
    dev: string | DevT,
    cmd: ScsiCommand,
    done: (r: ScsiResult | { readonly errno: number }) => void,
  ): void {
    const isSg = typeof dev === "string" && /^(\/dev\/)?sg\d+$/.test(dev);
    const r = isSg ? null : this.resolve(dev);
    const sdev = r && "errno" in r ? null : isSg ? this.scsi.deviceByName(dev as string) : sdevOf(r);
    let errno = 0;
    if (r && "errno" in r) errno = r.errno;
    // A non-SCSI disk: the loop driver refuses unknown ioctls with EINVAL, others with ENOTTY.
    else if (!sdev) errno = isSg ? Errno.ENOENT : r?.dev.name.startsWith("loop") ? Errno.EINVAL : ENOTTY;
    else if (sdev.state === "deleted" || sdev.state === "cancel") errno = Errno.ENXIO;
    // scsi_block_when_processing_errors() refuses an offline device: sd_ioctl with ENODEV,
    // sg's SG_IO with ENXIO.
    else if (!sdev.online) errno = isSg ? Errno.ENXIO : Errno.ENODEV;
    else if (cmd.cdb.length < 6 || cmd.cdb.length > 16) errno = Errno.EINVAL;
    if (errno !== 0 || !sdev) {
      this.clock.schedule(0, done, { errno });
      return;
    }
    sdev.execute(cmd, done);
  }

  openBlock(dev: string | DevT): BlockHandle | { readonly errno: number } {
    const err = this.openErrno(dev);
    if (err) return { errno: err };
    const r = this.resolve(dev);
    if ("errno" in r) return r;
    const block = this.kernel.block;
    const d = block.open(r.devt);
    if (!d) return { errno: Errno.ENXIO };
    this.#handles.set(d, (this.#handles.get(d) ?? 0) + 1);
    let open = true;
    return {
      devt: d.devt,
      logicalBlockSize: d.logicalBlockSize,
      sizeSectors: () => d.sizeSectors(),
      submit: (bio: Bio) => {
        bio.dev = d;
        d.submit(bio);
      },
      close: () => {
        if (!open) return;
        open = false;
        const n = (this.#handles.get(d) ?? 1) - 1;
        if (n > 0) this.#handles.set(d, n);
        else this.#handles.delete(d);
        // A disk removed meanwhile is no longer registered: the close only drops our reference.
        if (block.get(d.devt) === d) block.close(d.devt);
      },
    };
  }

  /**
   * A block ioctl on an opened node, as `blockdev` issues them: returns the value (getters) or 0,
   * or `{ errno }` — ENOENT/ENXIO from the open, EPERM for a SCSI generic (character) node,
   * EINVAL for BLKRRPART on a disk without partition scanning or a bad block size, EBUSY for
   * BLKBSZSET on a claimed device.
   */
  blockIoctl(
    path: string,
    ioc: BlkIoctl,
    arg = 0,
  ): { readonly value: number } | { readonly errno: number; readonly inOpen?: true } {
    if (/^(\/dev\/)?sg\d+$/.test(path)) {
      const s = this.scsi.deviceByName(path);
      if (!s) return { errno: Errno.ENOENT, inOpen: true };
      return { errno: Errno.EPERM };
    }
    const err = this.openErrno(path);
    if (err) return { errno: err, inOpen: true };
    const r = this.resolve(path);
    if ("errno" in r) return { errno: r.errno, inOpen: true };
    const d = r.dev;
    const sd = d instanceof SdDisk ? d : null;
    let soft = this.#bdevSoft.get(d.devt);
    if (!sd && !soft) {
      soft = { readOnly: false, readAheadKb: 128 };
      this.#bdevSoft.set(d.devt, soft);
    }
    const st = (sd ?? soft) as { readAheadKb: number };
    const lbs = d.logicalBlockSize;
    const bytes = d.sizeSectors() * 512;
    switch (ioc) {
      case "BLKROSET":
        if (sd) sd.bdevReadOnly = arg !== 0;
        else soft!.readOnly = arg !== 0;
        return { value: 0 };
      case "BLKROGET":
        return { value: (sd ? sd.bdevReadOnly : soft!.readOnly) || d.readOnly() ? 1 : 0 };
      case "BLKSSZGET":
        return { value: lbs };
      case "BLKBSZGET": {
        // set_init_blocksize at open: the largest power of two up to the page size dividing
        // the size (a BLKBSZSET does not outlive the last close, so this is what a new opener sees).
        let bsize = lbs;
        while (bsize < 4096 && bytes % (bsize * 2) === 0) bsize *= 2;
        return { value: bsize };
      }
      case "BLKBSZSET":
        if (this.kernel.block.holders(d.devt).length > 0) return { errno: Errno.EBUSY };
        if (arg < 512 || arg > 4096 || (arg & (arg - 1)) !== 0 || arg < lbs) return { errno: Errno.EINVAL };
        return { value: 0 };
      case "BLKGETSIZE64":
        return { value: bytes };
      case "BLKRAGET":
        return { value: st.readAheadKb * 2 };
      case "BLKRASET":
        st.readAheadKb = Math.floor(arg / 2);
        return { value: 0 };
      case "BLKFLSBUF":
        return { value: 0 };
      case "BLKRRPART":
        // Only sd disks scan partitions here (dm and loop without LO_FLAGS_PARTSCAN do not).
        return sd ? { value: 0 } : { errno: Errno.EINVAL };
    }
  }

  /** `queue/read_ahead_kb` of a dm or loop device (BLKRASET changes it). */
  readAheadKb(devt: DevT): number {
    return this.#bdevSoft.get(devt)?.readAheadKb ?? 128;
  }

  /**
   * The NVMe controller behind a node: `nvme0` (`/dev/nvme0`), a namespace disk `nvme0n1` (its
   * controller), or a native multipath head (the controller of its first live path), or null.
   */
  nvmeController(dev: string | DevT): NvmeCtrl | null {
    if (!this.nvme) return null;
    if (typeof dev === "string") {
      const n = dev.replace(/^\/dev\//, "");
      const c = this.nvme.controller(n);
      if (c) return c;
    }
    const r = this.resolve(dev);
    if ("errno" in r) return null;
    const d = r.dev;
    if (d instanceof NvmeNs) return d.ctrl;
    if (d instanceof NvmeNsHead) return d.paths.find((p) => p.live())?.ctrl ?? d.paths[0]?.ctrl ?? null;
    return null;
  }

  /** `NVME_IOCTL_ID` on a namespace node: its NSID, or `{ errno }` (ENOTTY for anything else). */
  nvmeNsid(dev: string | DevT): number | { readonly errno: number } {
    const r = this.resolve(dev);
    if ("errno" in r) return r;
    if (r.dev instanceof NvmeNs || r.dev instanceof NvmeNsHead) return r.dev.target.nsid;
    return { errno: Errno.ENOTTY };
  }

  /**
   * `NVME_IOCTL_ADMIN_CMD` on a controller or namespace node (what multipath-tools' `ana`
   * prioritizer sends): Identify and the ANA log page, answered by the target through the
   * controller after a round trip. A controller that is not live answers with a host path error
   * (nvme-cli's commands are marked failfast); ENOTTY for a node that is not NVMe.
   */
  nvmeAdmin(
    dev: string | DevT,
    cmd: NvmeAdminCommand,
    done: (r: NvmeAdminResult | { readonly errno: number }) => void,
  ): void {
    const ctrl = this.nvmeController(dev);
    if (!ctrl) {
      const r = this.resolve(dev);
      this.clock.schedule(0, done, { errno: "errno" in r ? r.errno : Errno.ENOTTY });
      return;
    }
    if (ctrl.state !== "live") {
      this.clock.schedule(0, done, {
        status: ADMIN_NOT_LIVE,
        result: 0,
        data: new Uint8Array(cmd.dataLength),
      });
      return;
    }
    const port = ctrl.port;
    // A dark port swallows the command: the admin timeout (60 s) ends the ioctl.
    if (!port.up) {
      this.clock.schedule(60e9, done, { errno: Errno.EINTR });
      return;
    }
    this.#adminChanges++;
    const r = executeAdmin(ctrl, cmd, this.#adminChanges);
    this.clock.schedule(ctrl.latencyNs + ADMIN_SERVICE_NS, done, r);
  }
  #adminChanges = 0;

  kernelLog(cursor: number): KernelLogLine[] {
    return this.kernel.log.since(cursor);
  }

  kernelLogCursor(): number {
    return this.kernel.log.cursor();
  }
}

function sdevOf(r: DevNodeResolution | null): SimScsiDevice | null {
  return r && !("errno" in r) && r.dev instanceof SdDisk ? r.dev.scsi : null;
}
