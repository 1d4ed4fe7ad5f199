import {
  type BlockDevice,
  type BlockLayer,
  type DevT,
  type DmControl,
  devMajor,
  formatDevT,
} from "@mp/dm-core";
import { blockLinks } from "../scsi-ml/scsi-sysfs.js";
import { SdDisk } from "../scsi-ml/sd.js";
import { fixed, link, parseSynthUevent, ro } from "../sysfs/attrs.js";
import type { SysfsTree } from "../sysfs/tree.js";

/** What the virtual block devices' sysfs needs from the kernel. */
export interface VirtualBlockEnv {
  readonly block: BlockLayer;
  readonly dm: DmControl;
  readonly sysfs: SysfsTree;
  /** Emits a kernel uevent (for writes to `uevent`). */
  emit(action: string, devpath: string, subsystem: string, env: Array<readonly [string, string]>): void;
  /** `queue/read_ahead_kb` (BLKRASET changes it; default 128). */
  readAheadKb?(devt: DevT): number;
  /** BLKROSET on the device (`ro` shows it too). */
  bdevReadOnly?(devt: DevT): boolean;
}

/**
 * sysfs of the block devices that live under `/devices/virtual/block` (device-mapper and loop
 * disks), built from the block layer's add/remove events: `dev`, `size`, `ro`, `holders/`,
 * `slaves/`, `queue/`, and `dm/{name,uuid,suspended,…}` read live from the dm ioctls.
 */
export class VirtualBlockSysfs {
  readonly #env: VirtualBlockEnv;

  constructor(env: VirtualBlockEnv) {
    this.#env = env;
    for (const d of env.block.all()) this.#add(d);
    env.block.subscribe((e) => (e.action === "add" ? this.#add(e.dev) : this.#remove(e.dev)));
  }

  /** `disk->diskseq` of a virtual disk (dm and loop disks carry theirs). */
  static diskseq(dev: BlockDevice): number | undefined {
    const s = (dev as { readonly diskseq?: unknown }).diskseq;
    return typeof s === "number" ? s : undefined;
  }

  static devpath(dev: BlockDevice): string {
    return `/devices/virtual/block/${dev.name}`;
  }

  /** `uevent` variables of a virtual disk, in the kernel's order. */
  ueventVars(dev: BlockDevice): Array<readonly [string, string]> {
    const [maj, min] = formatDevT(dev.devt).split(":");
    const vars: Array<readonly [string, string]> = [
      ["MAJOR", maj!],
      ["MINOR", min!],
      ["DEVNAME", dev.name],
      ["DEVTYPE", "disk"],
    ];
    const seq = VirtualBlockSysfs.diskseq(dev);
    if (seq !== undefined) vars.push(["DISKSEQ", String(seq)]);
    return vars;
  }

  #add(dev: BlockDevice): void {
    if (ownsSysfs(dev)) return;
    const env = this.#env;
    const t = env.sysfs;
    const devpath = VirtualBlockSysfs.devpath(dev);
    const p = `/sys${devpath}`;
    const devt = formatDevT(dev.devt);
    for (const d of ["power", "trace", "integrity", "mq"]) t.mkdir(`${p}/${d}`);
    t.attrs(p, {
      alignment_offset: fixed("0\n"),
      capability: fixed("0\n"),
      dev: fixed(`${devt}\n`),
      discard_alignment: fixed("0\n"),
      diskseq: ro(() => VirtualBlockSysfs.diskseq(dev) ?? 0),
      events: fixed("\n"),
      events_async: fixed("\n"),
      events_poll_msecs: fixed("-1\n"),
      ext_range: fixed(dev.name.startsWith("dm-") ? "1\n" : "256\n"),
      hidden: fixed("0\n"),
      inflight: fixed("       0        0\n"),
      range: fixed(dev.name.startsWith("dm-") ? "1\n" : "1\n"),
      removable: fixed("0\n"),
      ro: ro(() => (dev.readOnly() || env.bdevReadOnly?.(dev.devt) ? 1 : 0)),
      size: ro(() => dev.sizeSectors()),
      stat: fixed(`${Array.from({ length: 17 }, () => "       0").join(" ")}\n`),
      uevent: {
        show: () =>
          this.ueventVars(dev)
            .map(([k, v]) => `${k}=${v}\n`)
            .join(""),
        store: (v) => {
          const r = parseSynthUevent(v);
          if ("errno" in r) return r.errno;
          env.emit(r.action, devpath, "block", [...r.env, ...this.ueventVars(dev)]);
          return 0;
        },
      },
    });
    t.dynamicLinks(`${p}/holders`, () => blockLinks(t, `${p}/holders`, env.block.holders(dev.devt), env));
    t.dynamicLinks(`${p}/slaves`, () => blockLinks(t, `${p}/slaves`, env.block.slaves(dev.devt), env));
    link(t, `${p}/subsystem`, "/sys/class/block");
    link(t, `${p}/bdi`, `/sys/devices/virtual/bdi/${devt}`);
    t.attrs(`${p}/queue`, {
      hw_sector_size: ro(() => dev.logicalBlockSize),
      logical_block_size: ro(() => dev.logicalBlockSize),
      physical_block_size: ro(() => dev.logicalBlockSize),
      minimum_io_size: ro(() => dev.logicalBlockSize),
      max_sectors_kb: fixed("1280\n"),
      max_hw_sectors_kb: fixed("2147483647\n"),
      optimal_io_size: fixed("0\n"),
      rotational: fixed("0\n"),
      scheduler: fixed(dev.requestStackable ? "[mq-deadline] none\n" : "none\n"),
      nr_requests: fixed("256\n"),
      read_ahead_kb: ro(() => env.readAheadKb?.(dev.devt) ?? 128),
      write_cache: fixed("write through\n"),
      zoned: fixed("none\n"),
    });
    if (devMajor(dev.devt) === (env.dm as { major?: number }).major || dev.name.startsWith("dm-")) {
      const dmRef = { devt: dev.devt };
      t.attrs(`${p}/dm`, {
        name: ro(() => {
          const r = env.dm.info(dmRef);
          return r.ok ? r.value.name : "";
        }),
        uuid: ro(() => {
          const r = env.dm.info(dmRef);
          return r.ok ? r.value.uuid : "";
        }),
        suspended: ro(() => {
          const r = env.dm.info(dmRef);
          return r.ok && r.value.suspended ? 1 : 0;
        }),
        use_blk_mq: ro(() => (dev.requestStackable ? 1 : 0)),
        rq_based_seq_io_merge_deadline: { show: () => "0\n", store: () => 0 },
      });
    }
    link(t, `/sys/block/${dev.name}`, p);
    link(t, `/sys/class/block/${dev.name}`, p);
    link(t, `/sys/dev/block/${devt}`, p);
    t.mkdir(`/sys/devices/virtual/bdi/${devt}`);
  }

  #remove(dev: BlockDevice): void {
    if (ownsSysfs(dev)) return;
    const t = this.#env.sysfs;
    const devt = formatDevT(dev.devt);
    t.remove(`/sys/block/${dev.name}`);
    t.remove(`/sys/class/block/${dev.name}`);
    t.remove(`/sys/dev/block/${devt}`);
    t.remove(`/sys/devices/virtual/bdi/${devt}`);
    t.remove(`/sys${VirtualBlockSysfs.devpath(dev)}`);
  }
}

/**
 * True for disks whose driver makes their sysfs itself (`sd`, NVMe namespaces and heads), as
 * opposed to the `/devices/virtual/block` disks (dm, loop).
 */
export function ownsSysfs(dev: BlockDevice): boolean {
  return dev instanceof SdDisk || (dev as { readonly ownSysfs?: unknown }).ownSysfs === true;
}
