import {
  accessStateName,
  Errno,
  formatDevT,
  scsiDhShowState,
  scsiDhStoreState,
  scsiVpdLunId,
} from "@mp/dm-core";
import { bytesToBinaryString } from "../scsi/bytes.js";
import { gfixed, gro, parseSynthUevent, parseUint, sys } from "../sysfs/attrs.js";
import { type AttrDef, AttrGroup, relativeLink, type SysfsDir, type SysfsTree } from "../sysfs/tree.js";
import type { SimScsiDevice } from "./scsi-device.js";
import { HZ } from "./scsi-device.js";
import type { ScsiHost, ScsiTarget } from "./scsi-host.js";
import type { ScsiSubsystem } from "./scsi-subsystem.js";
import type { SdDisk } from "./sd.js";
import { SDEV_STATE_NAMES } from "./sdev-state.js";

const VPD_ATTRS: ReadonlyArray<readonly [number, string]> = [
  [0x00, "vpd_pg0"],
  [0x80, "vpd_pg80"],
  [0x83, "vpd_pg83"],
  [0x89, "vpd_pg89"],
  [0xb0, "vpd_pgb0"],
  [0xb1, "vpd_pgb1"],
  [0xb2, "vpd_pgb2"],
];

/** `0x%llx` of a 64-bit name. */
function wwn(v: bigint): string {
  return `0x${v.toString(16).padStart(16, "0")}`;
}

/** A `uevent` attribute's text: one `KEY=value` line per variable. */
function ueventText(vars: ReadonlyArray<readonly [string, string]>): string {
  let out = "";
  for (const [k, v] of vars) out += `${k}=${v}\n`;
  return out;
}

const NO_VARS: ReadonlyArray<readonly [string, string]> = [];
const HOST_VARS: ReadonlyArray<readonly [string, string]> = [["DEVTYPE", "scsi_host"]];
const TARGET_VARS: ReadonlyArray<readonly [string, string]> = [["DEVTYPE", "scsi_target"]];

/** `cache_type` of a disk's geometry (`sd_cache_types`). */
function cacheType(x: { readonly wce: boolean; readonly rcd: boolean } | undefined): string {
  if (!x) return "write through";
  return x.wce ? (x.rcd ? "write back, no read (daft)" : "write back") : x.rcd ? "none" : "write through";
}

/** A `vpd_pgNN` attribute: the cached page as `cat` prints it. */
function vpdAttr(page: number): AttrDef<SimScsiDevice> {
  return { show: (d) => bytesToBinaryString(d.vpd.get(page) ?? new Uint8Array(0)) };
}

/**
 * The SCSI subsystem's sysfs objects, attribute for attribute as 6.1 shows them: hosts
 * (`scsi_host`, `fc_host`), FC remote ports, targets, devices (with the writable `state`,
 * `timeout`, `queue_depth`, `rescan`, `delete`, `dh_state`, `uevent`), the generic and bsg
 * nodes, `scsi_disk` and the `sd` block devices with their queue attributes. Each kind of
 * directory's attributes are declared once, as attribute groups the kernel's are (a show and
 * store taking the object), so a device costs the tree its directories and links only.
 */
export class ScsiSysfs {
  readonly #sub: ScsiSubsystem;
  /** The device groups per set of VPD pages the device had when added (`is_visible`). */
  readonly #sdevGroups = new Map<number, AttrGroup<SimScsiDevice>>();

  constructor(sub: ScsiSubsystem) {
    this.#sub = sub;
  }

  get #t() {
    return this.#sub.sysfs;
  }

  /** A device's `uevent` attribute: reads its variables, a write synthesizes an event. */
  #uevent<T>(
    devpath: (o: T) => string,
    subsystem: string,
    vars: (o: T) => ReadonlyArray<readonly [string, string]>,
  ): AttrDef<T> {
    return {
      show: (o) => ueventText(vars(o)),
      store: (o, v) => {
        const r = parseSynthUevent(v);
        if ("errno" in r) return r.errno;
        this.#sub.emit(r.action as "add", devpath(o), subsystem, [...r.env, ...vars(o)]);
        return 0;
      },
    };
  }

  // ---- hosts ------------------------------------------------------------------------------

  readonly #hostDev = new AttrGroup<ScsiHost>({
    uevent: this.#uevent(
      (h) => h.devpath,
      "scsi",
      () => HOST_VARS,
    ),
  });

  readonly #scsiHost = new AttrGroup<ScsiHost>({
    active_mode: gfixed("Initiator\n"),
    can_queue: gro((h) => h.canQueue),
    cmd_per_lun: gro((h) => h.cmdPerLun),
    eh_deadline: gfixed("off\n"),
    host_busy: gro((h) => h.busy),
    host_reset: { store: () => Errno.EINVAL },
    nr_hw_queues: gfixed("1\n"),
    proc_name: gro((h) => h.template.procName),
    prot_capabilities: gfixed("0\n"),
    prot_guard_type: gfixed("1\n"),
    scan: { store: (h, v) => this.#storeScan(h, v) },
    sg_prot_tablesize: gfixed("0\n"),
    sg_tablesize: gro((h) => h.template.sgTablesize),
    state: gro((h) => (h.removed ? "del" : "running")),
    supported_mode: gfixed("Initiator\n"),
    uevent: this.#uevent(
      (h) => `${h.devpath}/scsi_host/host${h.hostNo}`,
      "scsi_host",
      () => NO_VARS,
    ),
    unique_id: gro((h) => (h.template.uniqueIdIsHostNo ? h.hostNo : 0)),
    use_blk_mq: gfixed("1\n"),
  });

  readonly #fcHost = new AttrGroup<ScsiHost>({
    dev_loss_tmo: gro(() => this.#sub.fcDevLossTmo),
    fabric_name: gro(() => wwn(0x1000000000000001n)),
    issue_lip: { store: () => 0 },
    node_name: gro((h) => wwn(h.hba.wwnn)),
    port_id: gro((h) => `0x${(0x010000 + h.hba.id * 0x100).toString(16).padStart(6, "0")}`),
    port_name: gro((h) => wwn(h.hba.wwpn)),
    port_state: gro((h) => (h.hba.present && h.hba.links.some((l) => l.up) ? "Online" : "Linkdown")),
    port_type: gfixed("NPort (fabric via point-to-point)\n"),
    speed: gfixed("16 Gbit\n"),
    supported_classes: gfixed("Class 3\n"),
    supported_speeds: gfixed("4 Gbit, 8 Gbit, 16 Gbit\n"),
    symbolic_name: gro((h) => `${h.template.procName} ${h.hba.name}`),
    tgtid_bind_type: gfixed("wwpn (World Wide Port Name)\n"),
    uevent: gfixed(""),
  });

  addHost(h: ScsiHost): void {
    const t = this.#t;
    const p = sys(h.devpath);
    const pd = t.dir(p);
    t.emptyDir(pd, "power");
    t.group(pd, this.#hostDev, h);
    t.classLinkAt(pd, "subsystem", "/sys/bus/scsi");
    const name = `host${h.hostNo}`;
    const cd = t.sub(t.sub(pd, "scsi_host"), name);
    t.emptyDir(cd, "power");
    t.group(cd, this.#scsiHost, h);
    t.symlinkTo(cd, "device", pd);
    t.classLinkAt(cd, "subsystem", "/sys/class/scsi_host");
    t.symlinkTo(t.dir("/sys/class/scsi_host"), name, cd);
    t.symlinkTo(t.dir("/sys/bus/scsi/devices"), name, pd);
    if (h.isFc) {
      const fd = t.sub(t.sub(pd, "fc_host"), name);
      t.group(fd, this.#fcHost, h);
      t.symlinkTo(fd, "device", pd);
      t.classLinkAt(fd, "subsystem", "/sys/class/fc_host");
      t.symlinkTo(t.dir("/sys/class/fc_host"), name, fd);
    }
  }

  removeHost(h: ScsiHost): void {
    const t = this.#t;
    t.remove(`/sys/class/scsi_host/host${h.hostNo}`);
    t.remove(`/sys/class/fc_host/host${h.hostNo}`);
    t.remove(`/sys/bus/scsi/devices/host${h.hostNo}`);
    t.remove(sys(h.devpath));
  }

  /** `store_scan`: `CHANNEL ID LUN` (each a number or `-`), as `scsi_scan_host_selected`. */
  #storeScan(h: ScsiHost, v: string): number {
    const m = /^\s*(\d+|-)\s+(\d+|-)\s+(\d+|-)\s*$/.exec(v);
    if (!m) return Errno.EINVAL;
    const [chan, id, lun] = [m[1]!, m[2]!, m[3]!].map((x) => (x === "-" ? -1 : Number(x)));
    if (chan! > 0) return Errno.EINVAL;
    h.hba.links.forEach((l, i) => {
      const tid = this.#sub.targetIdOf(h, l, i);
      if (id! >= 0 && tid !== id) return;
      if (!l.usable) return;
      this.#sub.scanLink(h, l, tid, lun! >= 0 ? [lun!] : undefined);
    });
    return 0;
  }

  // ---- FC remote ports --------------------------------------------------------------------

  rportPath(tg: ScsiTarget): string {
    const r = tg.rport!;
    return sys(`${tg.shost.devpath}/rport-${tg.shost.hostNo}:${tg.channel}-${r.number}`);
  }

  readonly #rport = new AttrGroup<ScsiTarget>({
    dev_loss_tmo: {
      show: (tg) => `${tg.rport!.devLossTmo}\n`,
      store: (tg, v) => {
        const r = tg.rport!;
        if (r.state !== "online") return Errno.EBUSY;
        const n = parseUint(v);
        if (n === null) return Errno.EINVAL;
        if (r.fastIoFailTmo === -1 && n > 600) return Errno.EINVAL;
        r.devLossTmo = n;
        return 0;
      },
    },
    fast_io_fail_tmo: {
      show: (tg) => (tg.rport!.fastIoFailTmo === -1 ? "off\n" : `${tg.rport!.fastIoFailTmo}\n`),
      store: (tg, v) => {
        const r = tg.rport!;
        if (r.state !== "online") return Errno.EBUSY;
        if (v.startsWith("off")) {
          r.fastIoFailTmo = -1;
          return 0;
        }
        const n = parseUint(v);
        if (n === null || n >= r.devLossTmo || n > 600) return Errno.EINVAL;
        r.fastIoFailTmo = n;
        return 0;
      },
    },
    maxframe_size: gfixed("2048 bytes\n"),
    node_name: gro((tg) => wwn(tg.link.port.array.deviceId || tg.link.port.wwpn)),
    port_id: gro((tg) => `0x${(0x020000 + tg.link.port.relPortId * 0x100).toString(16).padStart(6, "0")}`),
    port_name: gro((tg) => wwn(tg.link.port.wwpn)),
    port_state: gro((tg) => {
      const st = tg.rport!.state;
      return st === "online" ? "Online" : st === "blocked" ? "Blocked" : "Not Present";
    }),
    roles: gfixed("FCP Target\n"),
    scsi_target_id: gro((tg) => (tg.rport!.state === "deleted" ? -1 : tg.id)),
    supported_classes: gfixed("Class 3\n"),
    uevent: gfixed(""),
  });

  addRport(tg: ScsiTarget): void {
    const t = this.#t;
    const r = tg.rport!;
    const name = `rport-${tg.shost.hostNo}:${tg.channel}-${r.number}`;
    const pd = t.dir(this.rportPath(tg));
    t.emptyDir(pd, "power");
    const cd = t.sub(t.sub(pd, "fc_remote_ports"), name);
    t.group(cd, this.#rport, tg);
    t.symlinkTo(cd, "device", pd);
    t.classLinkAt(cd, "subsystem", "/sys/class/fc_remote_ports");
    t.symlinkTo(t.dir("/sys/class/fc_remote_ports"), name, cd);
  }

  removeRport(tg: ScsiTarget): void {
    const r = tg.rport!;
    this.#t.remove(`/sys/class/fc_remote_ports/rport-${tg.shost.hostNo}:${tg.channel}-${r.number}`);
    this.#t.remove(this.rportPath(tg));
  }

  // ---- targets ----------------------------------------------------------------------------

  readonly #target = new AttrGroup<ScsiTarget>({
    uevent: this.#uevent(
      (tg) => tg.devpath,
      "scsi",
      () => TARGET_VARS,
    ),
  });

  addTarget(tg: ScsiTarget): void {
    const t = this.#t;
    const pd = t.dir(sys(tg.devpath));
    t.emptyDir(pd, "power");
    t.group(pd, this.#target, tg);
    t.classLinkAt(pd, "subsystem", "/sys/bus/scsi");
    t.symlinkTo(t.dir("/sys/bus/scsi/devices"), tg.name, pd);
  }

  removeTarget(tg: ScsiTarget): void {
    this.#t.remove(`/sys/bus/scsi/devices/${tg.name}`);
    this.#t.remove(sys(tg.devpath));
  }

  // ---- SCSI devices -----------------------------------------------------------------------

  /** The attributes every SCSI device has (`scsi_sdev_attr_groups`), the VPD pages apart. */
  #sdevAttrs(): Record<string, AttrDef<SimScsiDevice>> {
    const sub = this.#sub;
    const evt = gro<SimScsiDevice>(() => 0);
    const counter = (f: (d: SimScsiDevice) => number) =>
      gro<SimScsiDevice>((d) => `0x${(f(d) >>> 0).toString(16)}`);
    return {
      access_state: {
        show: (d) => {
          if (!d.handler) return { errno: Errno.EINVAL };
          return `${accessStateName(d.accessState & 0x0f) ?? "unknown"}\n`;
        },
      },
      blacklist: gfixed(""),
      delete: {
        store: (d) => {
          sub.clock.schedule(0, (x: SimScsiDevice) => sub.removeDevice(x), d);
          return 0;
        },
      },
      device_blocked: gro(() => 0),
      device_busy: gro((d) => d.busy),
      dh_state: {
        show: (d) => scsiDhShowState(d),
        store: (d, v) => {
          const rc = scsiDhStoreState(d, v, sub.kernel.handlers, sub.dhEnv, sub.kernel.modules);
          return rc < 0 ? -rc : 0;
        },
      },
      eh_timeout: {
        show: (d) => `${d.ehTimeoutSecs}\n`,
        store: (d, v) => {
          const n = parseUint(v);
          if (n === null) return Errno.EINVAL;
          d.ehTimeoutSecs = n;
          return 0;
        },
      },
      evt_capacity_change_reported: evt,
      evt_inquiry_change_reported: evt,
      evt_lun_change_reported: evt,
      evt_media_change: evt,
      evt_mode_parameter_change_reported: evt,
      evt_soft_threshold_reached: evt,
      inquiry: { show: (d) => bytesToBinaryString(d.inquiry) },
      iocounterbits: gfixed("32\n"),
      iodone_cnt: counter((d) => d.iodoneCnt),
      ioerr_cnt: counter((d) => d.ioerrCnt),
      iorequest_cnt: counter((d) => d.iorequestCnt),
      iotmo_cnt: counter((d) => d.iotmoCnt),
      modalias: gro((d) => `scsi:t-0x${d.type.toString(16).padStart(2, "0")}`),
      model: gro((d) => d.model),
      preferred_path: {
        show: (d) => (d.handler ? `${d.accessState & 0x80 ? 1 : 0}\n` : { errno: Errno.EINVAL }),
      },
      queue_depth: {
        show: (d) => `${d.queueDepth}\n`,
        store: (d, v) => {
          const n = parseSimpleUl(v);
          if (n < 1 || n > d.shost.canQueue) return Errno.EINVAL;
          d.queueDepth = n;
          d.runQueue();
          return 0;
        },
      },
      queue_ramp_up_period: {
        show: (d) => `${d.queueRampUpPeriodMs}\n`,
        store: (d, v) => {
          const n = parseUint(v);
          if (n === null) return Errno.EINVAL;
          d.queueRampUpPeriodMs = n;
          return 0;
        },
      },
      queue_type: { show: () => "simple\n", store: () => 0 },
      rescan: {
        store: (d) => {
          sub.rescanDevice(d);
          return 0;
        },
      },
      rev: gro((d) => d.rev),
      scsi_level: gro((d) => d.scsiLevel),
      state: {
        show: (d) => `${d.state}\n`,
        store: (d, v) => this.#storeState(d, v),
      },
      timeout: {
        show: (d) => `${Math.floor(d.rqTimeoutJiffies / HZ)}\n`,
        store: (d, v) => {
          // sscanf("%d") into an uninitialised int: garbage (0 here) when nothing parses.
          const m = /^\s*([+-]?\d+)/.exec(v);
          const secs = m ? Number(m[1]) | 0 : 0;
          d.rqTimeoutJiffies = (Math.imul(secs, HZ) >>> 0) % 0x100000000;
          return 0;
        },
      },
      type: gro((d) => d.type),
      uevent: this.#uevent(
        (d) => d.devpath,
        "scsi",
        (d) => sub.sdevUeventVars(d),
      ),
      vendor: gro((d) => d.vendor),
      wwid: {
        show: (d) => {
          if (!d.vpdPg83) return { errno: Errno.ENXIO };
          const id = scsiVpdLunId(d);
          return id === null ? { errno: Errno.EINVAL } : `${id}\n`;
        },
      },
    };
  }

  /**
   * The group of a device that had the VPD pages of `mask` (bit i: `VPD_ATTRS[i]`) when it was
   * added: the `vpd_pg*` files are decided then, as `is_visible` decides them at group creation.
   */
  #sdevGroup(mask: number): AttrGroup<SimScsiDevice> {
    let g = this.#sdevGroups.get(mask);
    if (!g) {
      const defs = this.#sdevAttrs();
      VPD_ATTRS.forEach(([page, name], i) => {
        if (mask & (1 << i)) defs[name] = vpdAttr(page);
      });
      this.#sdevGroups.set(mask, (g = new AttrGroup(defs)));
    }
    return g;
  }

  readonly #emptyUevent = new AttrGroup<unknown>({ uevent: gfixed("") });

  addSdev(d: SimScsiDevice): void {
    const t = this.#t;
    const p = sys(d.devpath);
    const pd = t.dir(p);
    t.emptyDir(pd, "power");
    t.sub(pd, "block");
    let mask = 0;
    VPD_ATTRS.forEach(([page], i) => {
      if (d.vpd.has(page)) mask |= 1 << i;
    });
    t.group(pd, this.#sdevGroup(mask), d);
    t.classLinkAt(pd, "subsystem", "/sys/bus/scsi");
    const hctl = d.hctl;
    t.symlinkTo(t.dir("/sys/bus/scsi/devices"), hctl, pd);
    const cd = t.sub(t.sub(pd, "scsi_device"), hctl);
    t.emptyDir(cd, "power");
    t.group(cd, this.#emptyUevent, null);
    t.symlinkTo(cd, "device", pd);
    t.classLinkAt(cd, "subsystem", "/sys/class/scsi_device");
    t.symlinkTo(t.dir("/sys/class/scsi_device"), hctl, cd);
  }

  removeSdev(d: SimScsiDevice): void {
    const t = this.#t;
    t.remove(`/sys/class/scsi_device/${d.hctl}`);
    t.remove(`/sys/bus/scsi/devices/${d.hctl}`);
    t.remove(sys(d.devpath));
  }

  /** `store_state_field`: `running` or `offline` followed by a newline; only from those states. */
  #storeState(d: SimScsiDevice, v: string): number {
    let to: (typeof SDEV_STATE_NAMES)[number] | null = null;
    for (const name of SDEV_STATE_NAMES) {
      if (v.startsWith(name) && v[name.length] === "\n") {
        to = name;
        break;
      }
    }
    if (to !== "running" && to !== "offline") return Errno.EINVAL;
    if (d.state !== "running" && d.state !== "offline") return Errno.EINVAL;
    if (d.state === "running" && to === "running") return 0;
    if (d.setState(to) !== 0) return Errno.EINVAL;
    if (to === "running") {
      d.runQueue();
      this.#sub.rescanDevice(d);
    }
    return 0;
  }

  // The generic node's numbers are the device's while the node exists (set before it is added,
  // cleared after it is removed).
  readonly #sg = new AttrGroup<SimScsiDevice>({
    dev: gro((d) => `21:${d.sgMinor}`),
    uevent: { show: (d) => `MAJOR=21\nMINOR=${d.sgMinor}\nDEVNAME=sg${d.sgMinor}\n` },
  });

  /**
   * A class device of the SCSI device `d` (`device_add` with a class): `DEVPATH/CLASS/NAME` with
   * `power/`, the class's attributes, `device` and `subsystem` links, and its entry in
   * `/sys/class/CLASS`. Returns the SCSI device's directory and the new one.
   */
  #addClassDevice(
    d: SimScsiDevice,
    cls: string,
    name: string,
    group: AttrGroup<SimScsiDevice>,
  ): { dd: SysfsDir; pd: SysfsDir } {
    const t = this.#t;
    const dd = t.dir(sys(d.devpath));
    const pd = t.sub(t.sub(dd, cls), name);
    t.emptyDir(pd, "power");
    t.group(pd, group, d);
    t.symlinkTo(pd, "device", dd);
    t.classLinkAt(pd, "subsystem", `/sys/class/${cls}`);
    t.symlinkTo(t.dir(`/sys/class/${cls}`), name, pd);
    return { dd, pd };
  }

  addSg(d: SimScsiDevice): void {
    const { dd, pd } = this.#addClassDevice(d, "scsi_generic", `sg${d.sgMinor}`, this.#sg);
    this.#t.symlinkTo(dd, "generic", pd);
  }

  removeSg(d: SimScsiDevice): void {
    const name = `sg${d.sgMinor}`;
    this.#t.remove(`/sys/class/scsi_generic/${name}`);
    this.#t.remove(`${sys(d.devpath)}/generic`);
    this.#t.remove(`${sys(d.devpath)}/scsi_generic`);
  }

  readonly #bsg = new AttrGroup<SimScsiDevice>({
    dev: gro((d) => `${this.#sub.bsgMajor}:${d.bsgMinor}`),
    uevent: {
      show: (d) => `MAJOR=${this.#sub.bsgMajor}\nMINOR=${d.bsgMinor}\nDEVNAME=bsg/${d.hctl}\n`,
    },
  });

  addBsg(d: SimScsiDevice): void {
    this.#addClassDevice(d, "bsg", d.hctl, this.#bsg);
  }

  removeBsg(d: SimScsiDevice): void {
    this.#t.remove(`/sys/class/bsg/${d.hctl}`);
    this.#t.remove(`${sys(d.devpath)}/bsg`);
  }

  readonly #scsiDisk = new AttrGroup<SimScsiDevice>({
    FUA: gro((d) => (d.sd?.geometry?.dpofua ? 1 : 0)),
    allow_restart: gro((d) => (d.allowRestart ? 1 : 0)),
    app_tag_own: gfixed("0\n"),
    cache_type: gro((d) => cacheType(d.sd?.geometry)),
    manage_runtime_start_stop: gfixed("0\n"),
    manage_shutdown: gfixed("0\n"),
    manage_start_stop: gfixed("0\n"),
    manage_system_start_stop: gfixed("0\n"),
    max_medium_access_timeouts: gfixed("2\n"),
    max_retries: gfixed("5\n"),
    max_write_same_blocks: gfixed("65535\n"),
    protection_mode: gfixed("none\n"),
    protection_type: gfixed("0\n"),
    provisioning_mode: gfixed("full\n"),
    thin_provisioning: gfixed("0\n"),
    uevent: gfixed(""),
    zeroing_mode: gfixed("writesame\n"),
    zoned_cap: gfixed("none\n"),
  });

  addScsiDisk(d: SimScsiDevice): void {
    const { dd } = this.#addClassDevice(d, "scsi_disk", d.hctl, this.#scsiDisk);
    this.#t.classLinkAt(dd, "driver", "/sys/bus/scsi/drivers/sd");
  }

  removeScsiDisk(d: SimScsiDevice): void {
    this.#t.remove(`/sys/class/scsi_disk/${d.hctl}`);
    this.#t.remove(`${sys(d.devpath)}/scsi_disk`);
    this.#t.remove(`${sys(d.devpath)}/driver`);
  }

  // ---- sd block devices -------------------------------------------------------------------

  diskDevpath(disk: SdDisk): string {
    return `${disk.scsi.devpath}/block/${disk.name}`;
  }

  diskUeventVars(disk: SdDisk): Array<readonly [string, string]> {
    const [maj, min] = formatDevT(disk.devt).split(":");
    return [
      ["MAJOR", maj!],
      ["MINOR", min!],
      ["DEVNAME", disk.name],
      ["DEVTYPE", "disk"],
      ["DISKSEQ", String(disk.diskseq)],
    ];
  }

  readonly #disk = new AttrGroup<SdDisk>({
    alignment_offset: gfixed("0\n"),
    capability: gfixed("0\n"),
    dev: gro((disk) => formatDevT(disk.devt)),
    discard_alignment: gfixed("0\n"),
    diskseq: gro((disk) => disk.diskseq),
    events: gfixed("\n"),
    events_async: gfixed("\n"),
    events_poll_msecs: { show: () => "-1\n", store: () => 0 },
    ext_range: gfixed("256\n"),
    hidden: gfixed("0\n"),
    inflight: gro(
      (disk) => `${String(disk.inflight.read).padStart(8)} ${String(disk.inflight.write).padStart(8)}`,
    ),
    range: gfixed("16\n"),
    removable: gro((disk) => (disk.scsi.removable ? 1 : 0)),
    // get_disk_ro: the disk's flag or BLKROSET on the whole-disk block_device.
    ro: gro((disk) => (disk.readOnly() || disk.bdevReadOnly ? 1 : 0)),
    size: gro((disk) => disk.sizeSectors()),
    stat: gro((disk) => disk.statLine()),
    uevent: this.#uevent(
      (disk) => this.diskDevpath(disk),
      "block",
      (disk) => this.diskUeventVars(disk),
    ),
  });

  addDisk(disk: SdDisk): void {
    const t = this.#t;
    const sub = this.#sub;
    const p = sys(this.diskDevpath(disk));
    const devt = formatDevT(disk.devt);
    const pd = t.dir(p);
    for (const d of ["power", "trace", "integrity", "mq"]) t.emptyDir(pd, d);
    t.group(pd, this.#disk, disk);
    const holders = `${p}/holders`;
    t.dynamicLinks(holders, () => blockLinks(t, holders, sub.block.holders(disk.devt), sub));
    t.dynamicLinks(`${p}/slaves`, () => []);
    t.symlinkTo(pd, "device", t.dir(sys(disk.scsi.devpath)));
    t.classLinkAt(pd, "subsystem", "/sys/class/block");
    t.symlinkAbsAt(pd, "bdi", `/sys/devices/virtual/bdi/${devt}`);
    t.group(t.sub(pd, "queue"), this.#queue, disk);
    t.symlinkTo(t.dir("/sys/block"), disk.name, pd);
    t.symlinkTo(t.dir("/sys/class/block"), disk.name, pd);
    t.symlinkTo(t.dir("/sys/dev/block"), devt, pd);
    t.mkdir(`/sys/devices/virtual/bdi/${devt}`);
  }

  removeDisk(disk: SdDisk): void {
    const t = this.#t;
    const devt = formatDevT(disk.devt);
    t.remove(`/sys/block/${disk.name}`);
    t.remove(`/sys/class/block/${disk.name}`);
    t.remove(`/sys/dev/block/${devt}`);
    t.remove(`/sys/devices/virtual/bdi/${devt}`);
    t.remove(`${sys(disk.scsi.devpath)}/block/${disk.name}`);
  }

  readonly #queue = new AttrGroup<SdDisk>({
    add_random: gfixed("0\n"),
    chunk_sectors: gfixed("0\n"),
    dax: gfixed("0\n"),
    discard_granularity: gfixed("0\n"),
    discard_max_bytes: gfixed("0\n"),
    discard_max_hw_bytes: gfixed("0\n"),
    discard_zeroes_data: gfixed("0\n"),
    dma_alignment: gfixed("3\n"),
    fua: gro((disk) => (disk.geometry.dpofua ? 1 : 0)),
    hw_sector_size: gro((disk) => disk.logicalBlockSize),
    io_poll: gfixed("0\n"),
    io_poll_delay: gfixed("-1\n"),
    io_timeout: gro((disk) => Math.floor((disk.scsi.rqTimeoutJiffies * 1000) / HZ)),
    iostats: gfixed("1\n"),
    logical_block_size: gro((disk) => disk.logicalBlockSize),
    max_discard_segments: gfixed("1\n"),
    max_hw_sectors_kb: gfixed("2147483647\n"),
    max_integrity_segments: gfixed("0\n"),
    max_sectors_kb: {
      show: (disk) => `${disk.maxSectorsKb}\n`,
      store: (disk, v) => {
        const n = parseUint(v);
        if (n === null || n < (disk.logicalBlockSize >> 10 || 1) || n > 2147483647) return Errno.EINVAL;
        disk.maxSectorsKb = n;
        return 0;
      },
    },
    max_segment_size: gfixed("4294967295\n"),
    max_segments: gro((disk) => disk.scsi.shost.template.sgTablesize),
    minimum_io_size: gro((disk) =>
      Math.max(disk.logicalBlockSize, disk.geometry.minXferBlocks * disk.logicalBlockSize),
    ),
    nomerges: { show: () => "0\n", store: () => 0 },
    nr_requests: gfixed("256\n"),
    nr_zones: gfixed("0\n"),
    optimal_io_size: gro((disk) => disk.geometry.optXferBlocks * disk.logicalBlockSize),
    physical_block_size: gro((disk) => disk.logicalBlockSize),
    read_ahead_kb: {
      show: (disk) => `${disk.readAheadKb}\n`,
      store: (disk, buf) => {
        const v = parseUint(buf);
        if (v === null) return Errno.EINVAL;
        disk.readAheadKb = v;
        return 0;
      },
    },
    rotational: gfixed("0\n"),
    rq_affinity: gfixed("1\n"),
    scheduler: { show: () => "[mq-deadline] none\n", store: () => 0 },
    stable_writes: gfixed("0\n"),
    virt_boundary_mask: gfixed("0\n"),
    wbt_lat_usec: gfixed("2000\n"),
    write_cache: gro((disk) => (disk.geometry.wce ? "write back" : "write through")),
    write_same_max_bytes: gfixed("0\n"),
    write_zeroes_max_bytes: gro((disk) => 65535 * disk.logicalBlockSize),
    zone_append_max_bytes: gfixed("0\n"),
    zone_write_granularity: gfixed("0\n"),
    zoned: gfixed("none\n"),
  });
}

/** Symlinks to the sysfs directories of block devices (`holders/`, `slaves/` entries). */
export function blockLinks(
  t: SysfsTree,
  dir: string,
  devts: readonly number[],
  sub: { readonly block: { get(d: number): { readonly name: string } | undefined } },
): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const d of devts) {
    const dev = sub.block.get(d);
    const real = t.realpath(`/sys/dev/block/${formatDevT(d)}`);
    if (dev && real) out.push([dev.name, relativeLink(dir, real)]);
  }
  return out;
}

/** `simple_strtoul(buf, NULL, 0)`: leading number in base 0, 0 when none. */
function parseSimpleUl(v: string): number {
  const m = /^\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(v);
  if (!m) return 0;
  const s = m[1]!;
  if (/^0[xX]/.test(s)) return Number.parseInt(s.slice(2), 16);
  if (s.length > 1 && s.startsWith("0")) return Number.parseInt(s.slice(1), 8);
  return Number(s);
}
