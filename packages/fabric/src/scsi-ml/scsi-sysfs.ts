import {
  accessStateName,
  Errno,
  formatDevT,
  scsiDhShowState,
  scsiDhStoreState,
  scsiVpdLunId,
} from "@mp/dm-core";
import { bytesToBinaryString } from "../scsi/bytes.js";
import { fixed, link, parseSynthUevent, parseUint, ro, sys, wo } from "../sysfs/attrs.js";
import { relativeLink, type SysfsTree } from "../sysfs/tree.js";
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

/**
 * The SCSI subsystem's sysfs objects, attribute for attribute as 6.1 shows them: hosts
 * (`scsi_host`, `fc_host`), FC remote ports, targets, devices (with the writable `state`,
 * `timeout`, `queue_depth`, `rescan`, `delete`, `dh_state`, `uevent`), the generic and bsg
 * nodes, `scsi_disk` and the `sd` block devices with their queue attributes.
 */
export class ScsiSysfs {
  readonly #sub: ScsiSubsystem;

  constructor(sub: ScsiSubsystem) {
    this.#sub = sub;
  }

  get #t() {
    return this.#sub.sysfs;
  }

  // ---- hosts ------------------------------------------------------------------------------

  addHost(h: ScsiHost): void {
    const t = this.#t;
    const p = sys(h.devpath);
    t.mkdir(`${p}/power`);
    t.attr(
      `${p}/uevent`,
      this.#ueventAttr(h.devpath, "scsi", () => [["DEVTYPE", "scsi_host"]]),
    );
    link(t, `${p}/subsystem`, "/sys/bus/scsi");
    const c = `${p}/scsi_host/host${h.hostNo}`;
    t.mkdir(`${c}/power`);
    t.attrs(c, {
      active_mode: fixed("Initiator\n"),
      can_queue: ro(() => h.canQueue),
      cmd_per_lun: ro(() => h.cmdPerLun),
      eh_deadline: fixed("off\n"),
      host_busy: ro(() => h.busy),
      host_reset: wo(() => Errno.EINVAL),
      nr_hw_queues: fixed("1\n"),
      proc_name: ro(() => h.template.procName),
      prot_capabilities: fixed("0\n"),
      prot_guard_type: fixed("1\n"),
      scan: wo((v) => this.#storeScan(h, v)),
      sg_prot_tablesize: fixed("0\n"),
      sg_tablesize: ro(() => h.template.sgTablesize),
      state: ro(() => (h.removed ? "del" : "running")),
      supported_mode: fixed("Initiator\n"),
      uevent: this.#ueventAttr(`${h.devpath}/scsi_host/host${h.hostNo}`, "scsi_host", () => []),
      unique_id: ro(() => (h.template.uniqueIdIsHostNo ? h.hostNo : 0)),
      use_blk_mq: fixed("1\n"),
    });
    link(t, `${c}/device`, p);
    link(t, `${c}/subsystem`, "/sys/class/scsi_host");
    link(t, `/sys/class/scsi_host/host${h.hostNo}`, c);
    link(t, `/sys/bus/scsi/devices/host${h.hostNo}`, p);
    if (h.isFc) {
      const f = `${p}/fc_host/host${h.hostNo}`;
      const hba = h.hba;
      t.attrs(f, {
        dev_loss_tmo: ro(() => this.#sub.fcDevLossTmo),
        fabric_name: ro(() => wwn(0x1000000000000001n)),
        issue_lip: wo(() => 0),
        node_name: ro(() => wwn(hba.wwnn)),
        port_id: ro(() => `0x${(0x010000 + hba.id * 0x100).toString(16).padStart(6, "0")}`),
        port_name: ro(() => wwn(hba.wwpn)),
        port_state: ro(() => (hba.present && hba.links.some((l) => l.up) ? "Online" : "Linkdown")),
        port_type: fixed("NPort (fabric via point-to-point)\n"),
        speed: fixed("16 Gbit\n"),
        supported_classes: fixed("Class 3\n"),
        supported_speeds: fixed("4 Gbit, 8 Gbit, 16 Gbit\n"),
        symbolic_name: ro(() => `${h.template.procName} ${hba.name}`),
        tgtid_bind_type: fixed("wwpn (World Wide Port Name)\n"),
        uevent: fixed(""),
      });
      link(t, `${f}/device`, p);
      link(t, `${f}/subsystem`, "/sys/class/fc_host");
      link(t, `/sys/class/fc_host/host${h.hostNo}`, f);
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

  addRport(tg: ScsiTarget): void {
    const t = this.#t;
    const r = tg.rport!;
    const name = `rport-${tg.shost.hostNo}:${tg.channel}-${r.number}`;
    const p = this.rportPath(tg);
    t.mkdir(`${p}/power`);
    const c = `${p}/fc_remote_ports/${name}`;
    const port = tg.link.port;
    t.attrs(c, {
      dev_loss_tmo: {
        show: () => `${r.devLossTmo}\n`,
        store: (v) => {
          if (r.state !== "online") return Errno.EBUSY;
          const n = parseUint(v);
          if (n === null) return Errno.EINVAL;
          if (r.fastIoFailTmo === -1 && n > 600) return Errno.EINVAL;
          r.devLossTmo = n;
          return 0;
        },
      },
      fast_io_fail_tmo: {
        show: () => (r.fastIoFailTmo === -1 ? "off\n" : `${r.fastIoFailTmo}\n`),
        store: (v) => {
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
      maxframe_size: fixed("2048 bytes\n"),
      node_name: ro(() => wwn(port.array.deviceId || port.wwpn)),
      port_id: ro(() => `0x${(0x020000 + port.relPortId * 0x100).toString(16).padStart(6, "0")}`),
      port_name: ro(() => wwn(port.wwpn)),
      port_state: ro(() =>
        r.state === "online" ? "Online" : r.state === "blocked" ? "Blocked" : "Not Present",
      ),
      roles: fixed("FCP Target\n"),
      scsi_target_id: ro(() => (r.state === "deleted" ? -1 : tg.id)),
      supported_classes: fixed("Class 3\n"),
      uevent: fixed(""),
    });
    link(t, `${c}/device`, p);
    link(t, `${c}/subsystem`, "/sys/class/fc_remote_ports");
    link(t, `/sys/class/fc_remote_ports/${name}`, c);
  }

  removeRport(tg: ScsiTarget): void {
    const r = tg.rport!;
    this.#t.remove(`/sys/class/fc_remote_ports/rport-${tg.shost.hostNo}:${tg.channel}-${r.number}`);
    this.#t.remove(this.rportPath(tg));
  }

  // ---- targets ----------------------------------------------------------------------------

  addTarget(tg: ScsiTarget): void {
    const t = this.#t;
    const p = sys(tg.devpath);
    t.mkdir(`${p}/power`);
    t.attr(
      `${p}/uevent`,
      this.#ueventAttr(tg.devpath, "scsi", () => [["DEVTYPE", "scsi_target"]]),
    );
    link(t, `${p}/subsystem`, "/sys/bus/scsi");
    link(t, `/sys/bus/scsi/devices/${tg.name}`, p);
  }

  removeTarget(tg: ScsiTarget): void {
    this.#t.remove(`/sys/bus/scsi/devices/${tg.name}`);
    this.#t.remove(sys(tg.devpath));
  }

  // ---- SCSI devices -----------------------------------------------------------------------

  addSdev(d: SimScsiDevice): void {
    const t = this.#t;
    const sub = this.#sub;
    const p = sys(d.devpath);
    t.mkdir(`${p}/power`);
    t.mkdir(`${p}/block`);
    const evt = ro(() => 0);
    t.attrs(p, {
      access_state: {
        show: () => {
          if (!d.handler) return { errno: Errno.EINVAL };
          return `${accessStateName(d.accessState & 0x0f) ?? "unknown"}\n`;
        },
      },
      blacklist: fixed(""),
      delete: wo(() => {
        sub.clock.schedule(0, (x: SimScsiDevice) => sub.removeDevice(x), d);
        return 0;
      }),
      device_blocked: ro(() => 0),
      device_busy: ro(() => d.busy),
      dh_state: {
        show: () => scsiDhShowState(d),
        store: (v) => {
          const rc = scsiDhStoreState(d, v, sub.kernel.handlers, sub.dhEnv, sub.kernel.modules);
          return rc < 0 ? -rc : 0;
        },
      },
      eh_timeout: {
        show: () => `${d.ehTimeoutSecs}\n`,
        store: (v) => {
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
      inquiry: { show: () => bytesToBinaryString(d.inquiry) },
      iocounterbits: fixed("32\n"),
      iodone_cnt: ro(() => `0x${(d.iodoneCnt >>> 0).toString(16)}`),
      ioerr_cnt: ro(() => `0x${(d.ioerrCnt >>> 0).toString(16)}`),
      iorequest_cnt: ro(() => `0x${(d.iorequestCnt >>> 0).toString(16)}`),
      iotmo_cnt: ro(() => `0x${(d.iotmoCnt >>> 0).toString(16)}`),
      modalias: ro(() => `scsi:t-0x${d.type.toString(16).padStart(2, "0")}`),
      model: ro(() => d.model),
      preferred_path: {
        show: () => (d.handler ? `${d.accessState & 0x80 ? 1 : 0}\n` : { errno: Errno.EINVAL }),
      },
      queue_depth: {
        show: () => `${d.queueDepth}\n`,
        store: (v) => {
          const n = parseSimpleUl(v);
          if (n < 1 || n > d.shost.canQueue) return Errno.EINVAL;
          d.queueDepth = n;
          d.runQueue();
          return 0;
        },
      },
      queue_ramp_up_period: {
        show: () => `${d.queueRampUpPeriodMs}\n`,
        store: (v) => {
          const n = parseUint(v);
          if (n === null) return Errno.EINVAL;
          d.queueRampUpPeriodMs = n;
          return 0;
        },
      },
      queue_type: { show: () => "simple\n", store: () => 0 },
      rescan: wo(() => {
        sub.rescanDevice(d);
        return 0;
      }),
      rev: ro(() => d.rev),
      scsi_level: ro(() => d.scsiLevel),
      state: {
        show: () => `${d.state}\n`,
        store: (v) => this.#storeState(d, v),
      },
      timeout: {
        show: () => `${Math.floor(d.rqTimeoutJiffies / HZ)}\n`,
        store: (v) => {
          // sscanf("%d") into an uninitialised int: garbage (0 here) when nothing parses.
          const m = /^\s*([+-]?\d+)/.exec(v);
          const secs = m ? Number(m[1]) | 0 : 0;
          d.rqTimeoutJiffies = (Math.imul(secs, HZ) >>> 0) % 0x100000000;
          return 0;
        },
      },
      type: ro(() => d.type),
      uevent: this.#ueventAttr(d.devpath, "scsi", () => sub.sdevUeventVars(d)),
      vendor: ro(() => d.vendor),
      wwid: {
        show: () => {
          if (!d.vpdPg83) return { errno: Errno.ENXIO };
          const id = scsiVpdLunId(d);
          return id === null ? { errno: Errno.EINVAL } : `${id}\n`;
        },
      },
    });
    for (const [page, name] of VPD_ATTRS)
      if (d.vpd.has(page))
        t.attr(`${p}/${name}`, { show: () => bytesToBinaryString(d.vpd.get(page) ?? new Uint8Array(0)) });
    link(t, `${p}/subsystem`, "/sys/bus/scsi");
    link(t, `/sys/bus/scsi/devices/${d.hctl}`, p);
    const c = `${p}/scsi_device/${d.hctl}`;
    t.mkdir(`${c}/power`);
    t.attr(`${c}/uevent`, fixed(""));
    link(t, `${c}/device`, p);
    link(t, `${c}/subsystem`, "/sys/class/scsi_device");
    link(t, `/sys/class/scsi_device/${d.hctl}`, c);
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

  addSg(d: SimScsiDevice): void {
    const t = this.#t;
    const name = `sg${d.sgMinor}`;
    const p = `${sys(d.devpath)}/scsi_generic/${name}`;
    t.mkdir(`${p}/power`);
    t.attrs(p, {
      dev: ro(() => `21:${d.sgMinor}`),
      uevent: fixed(`MAJOR=21\nMINOR=${d.sgMinor}\nDEVNAME=${name}\n`),
    });
    link(t, `${p}/device`, sys(d.devpath));
    link(t, `${p}/subsystem`, "/sys/class/scsi_generic");
    link(t, `/sys/class/scsi_generic/${name}`, p);
    link(t, `${sys(d.devpath)}/generic`, p);
  }

  removeSg(d: SimScsiDevice): void {
    const name = `sg${d.sgMinor}`;
    this.#t.remove(`/sys/class/scsi_generic/${name}`);
    this.#t.remove(`${sys(d.devpath)}/generic`);
    this.#t.remove(`${sys(d.devpath)}/scsi_generic`);
  }

  addBsg(d: SimScsiDevice): void {
    const t = this.#t;
    const p = `${sys(d.devpath)}/bsg/${d.hctl}`;
    const major = this.#sub.bsgMajor;
    t.mkdir(`${p}/power`);
    t.attrs(p, {
      dev: ro(() => `${major}:${d.bsgMinor}`),
      uevent: fixed(`MAJOR=${major}\nMINOR=${d.bsgMinor}\nDEVNAME=bsg/${d.hctl}\n`),
    });
    link(t, `${p}/device`, sys(d.devpath));
    link(t, `${p}/subsystem`, "/sys/class/bsg");
    link(t, `/sys/class/bsg/${d.hctl}`, p);
  }

  removeBsg(d: SimScsiDevice): void {
    this.#t.remove(`/sys/class/bsg/${d.hctl}`);
    this.#t.remove(`${sys(d.devpath)}/bsg`);
  }

  addScsiDisk(d: SimScsiDevice): void {
    const t = this.#t;
    const p = `${sys(d.devpath)}/scsi_disk/${d.hctl}`;
    const g = () => d.sd?.geometry;
    t.mkdir(`${p}/power`);
    t.attrs(p, {
      FUA: ro(() => (g()?.dpofua ? 1 : 0)),
      allow_restart: ro(() => (d.allowRestart ? 1 : 0)),
      app_tag_own: fixed("0\n"),
      cache_type: ro(() => {
        const x = g();
        if (!x) return "write through";
        return x.wce
          ? x.rcd
            ? "write back, no read (daft)"
            : "write back"
          : x.rcd
            ? "none"
            : "write through";
      }),
      manage_runtime_start_stop: fixed("0\n"),
      manage_shutdown: fixed("0\n"),
      manage_start_stop: fixed("0\n"),
      manage_system_start_stop: fixed("0\n"),
      max_medium_access_timeouts: fixed("2\n"),
      max_retries: fixed("5\n"),
      max_write_same_blocks: fixed("65535\n"),
      protection_mode: fixed("none\n"),
      protection_type: fixed("0\n"),
      provisioning_mode: fixed("full\n"),
      thin_provisioning: fixed("0\n"),
      uevent: fixed(""),
      zeroing_mode: fixed("writesame\n"),
      zoned_cap: fixed("none\n"),
    });
    link(t, `${p}/device`, sys(d.devpath));
    link(t, `${p}/subsystem`, "/sys/class/scsi_disk");
    link(t, `/sys/class/scsi_disk/${d.hctl}`, p);
    link(t, `${sys(d.devpath)}/driver`, "/sys/bus/scsi/drivers/sd");
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

  addDisk(disk: SdDisk): void {
    const t = this.#t;
    const sub = this.#sub;
    const devpath = this.diskDevpath(disk);
    const p = sys(devpath);
    const devt = formatDevT(disk.devt);
    for (const d of ["power", "trace", "integrity", "mq"]) t.mkdir(`${p}/${d}`);
    t.attrs(p, {
      alignment_offset: fixed("0\n"),
      capability: fixed("0\n"),
      dev: fixed(`${devt}\n`),
      discard_alignment: fixed("0\n"),
      diskseq: fixed(`${disk.diskseq}\n`),
      events: fixed("\n"),
      events_async: fixed("\n"),
      events_poll_msecs: { show: () => "-1\n", store: () => 0 },
      ext_range: fixed("256\n"),
      hidden: fixed("0\n"),
      inflight: ro(
        () => `${String(disk.inflight.read).padStart(8)} ${String(disk.inflight.write).padStart(8)}`,
      ),
      range: fixed("16\n"),
      removable: ro(() => (disk.scsi.removable ? 1 : 0)),
      // get_disk_ro: the disk's flag or BLKROSET on the whole-disk block_device.
      ro: ro(() => (disk.readOnly() || disk.bdevReadOnly ? 1 : 0)),
      size: ro(() => disk.sizeSectors()),
      stat: ro(() => disk.statLine()),
      uevent: this.#ueventAttr(devpath, "block", () => this.diskUeventVars(disk)),
    });
    t.dynamicLinks(`${p}/holders`, () => blockLinks(t, `${p}/holders`, sub.block.holders(disk.devt), sub));
    t.dynamicLinks(`${p}/slaves`, () => []);
    link(t, `${p}/device`, sys(disk.scsi.devpath));
    link(t, `${p}/subsystem`, "/sys/class/block");
    link(t, `${p}/bdi`, `/sys/devices/virtual/bdi/${devt}`);
    this.#queue(`${p}/queue`, disk);
    link(t, `/sys/block/${disk.name}`, p);
    link(t, `/sys/class/block/${disk.name}`, p);
    link(t, `/sys/dev/block/${devt}`, p);
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

  #queue(q: string, disk: SdDisk): void {
    const lbs = () => disk.logicalBlockSize;
    const g = () => disk.geometry;
    this.#t.attrs(q, {
      add_random: fixed("0\n"),
      chunk_sectors: fixed("0\n"),
      dax: fixed("0\n"),
      discard_granularity: fixed("0\n"),
      discard_max_bytes: fixed("0\n"),
      discard_max_hw_bytes: fixed("0\n"),
      discard_zeroes_data: fixed("0\n"),
      dma_alignment: fixed("3\n"),
      fua: ro(() => (g().dpofua ? 1 : 0)),
      hw_sector_size: ro(lbs),
      io_poll: fixed("0\n"),
      io_poll_delay: fixed("-1\n"),
      io_timeout: ro(() => Math.floor((disk.scsi.rqTimeoutJiffies * 1000) / HZ)),
      iostats: fixed("1\n"),
      logical_block_size: ro(lbs),
      max_discard_segments: fixed("1\n"),
      max_hw_sectors_kb: fixed("2147483647\n"),
      max_integrity_segments: fixed("0\n"),
      max_sectors_kb: {
        show: () => `${disk.maxSectorsKb}\n`,
        store: (v) => {
          const n = parseUint(v);
          if (n === null || n < (lbs() >> 10 || 1) || n > 2147483647) return Errno.EINVAL;
          disk.maxSectorsKb = n;
          return 0;
        },
      },
      max_segment_size: fixed("4294967295\n"),
      max_segments: ro(() => disk.scsi.shost.template.sgTablesize),
      minimum_io_size: ro(() => Math.max(lbs(), g().minXferBlocks * lbs())),
      nomerges: { show: () => "0\n", store: () => 0 },
      nr_requests: fixed("256\n"),
      nr_zones: fixed("0\n"),
      optimal_io_size: ro(() => g().optXferBlocks * lbs()),
      physical_block_size: ro(lbs),
      read_ahead_kb: {
        show: () => `${disk.readAheadKb}\n`,
        store: (buf) => {
          const v = parseUint(buf);
          if (v === null) return Errno.EINVAL;
          disk.readAheadKb = v;
          return 0;
        },
      },
      rotational: fixed("0\n"),
      rq_affinity: fixed("1\n"),
      scheduler: { show: () => "[mq-deadline] none\n", store: () => 0 },
      stable_writes: fixed("0\n"),
      virt_boundary_mask: fixed("0\n"),
      wbt_lat_usec: fixed("2000\n"),
      write_cache: ro(() => (g().wce ? "write back" : "write through")),
      write_same_max_bytes: fixed("0\n"),
      write_zeroes_max_bytes: ro(() => 65535 * lbs()),
      zone_append_max_bytes: fixed("0\n"),
      zone_write_granularity: fixed("0\n"),
      zoned: fixed("none\n"),
    });
  }

  /** A device's `uevent` attribute: reads its variables, a write synthesizes an event. */
  #ueventAttr(devpath: string, subsystem: string, vars: () => Array<readonly [string, string]>) {
    return {
      show: () =>
        vars()
          .map(([k, v]) => `${k}=${v}\n`)
          .join(""),
      store: (v: string) => {
        const r = parseSynthUevent(v);
        if ("errno" in r) return r.errno;
        this.#sub.emit(r.action as "add", devpath, subsystem, [...r.env, ...vars()]);
        return 0;
      },
    };
  }
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
