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
import { gfixed, gro, parseSynthUevent } from "../sysfs/attrs.js";
import { AttrGroup, type SysfsTree } from "../sysfs/tree.js";

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

  // Each kind of directory's attributes, declared once (the device is the object shown).
  readonly #disk = new AttrGroup<BlockDevice>({
    alignment_offset: gfixed("0\n"),
    capability: gfixed("0\n"),
    dev: gro((dev) => formatDevT(dev.devt)),
    discard_alignment: gfixed("0\n"),
    diskseq: gro((dev) => VirtualBlockSysfs.diskseq(dev) ?? 0),
    events: gfixed("\n"),
    events_async: gfixed("\n"),
    events_poll_msecs: gfixed("-1\n"),
    ext_range: { show: (dev) => (dev.name.startsWith("dm-") ? "1\n" : "256\n") },
    hidden: gfixed("0\n"),
    inflight: gfixed("       0        0\n"),
    range: gfixed("1\n"),
    removable: gfixed("0\n"),
    ro: gro((dev) => (dev.readOnly() || this.#env.bdevReadOnly?.(dev.devt) ? 1 : 0)),
    size: gro((dev) => dev.sizeSectors()),
    stat: gfixed(`${Array.from({ length: 17 }, () => "       0").join(" ")}\n`),
    uevent: {
      show: (dev) =>
        this.ueventVars(dev)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(""),
      store: (dev, v) => {
        const r = parseSynthUevent(v);
        if ("errno" in r) return r.errno;
        this.#env.emit(r.action, VirtualBlockSysfs.devpath(dev), "block", [
          ...r.env,
          ...this.ueventVars(dev),
        ]);
        return 0;
      },
    },
  });

  /** `queue/` of a device that was request-stackable when added, and of one that was not. */
  readonly #queue = [false, true].map(
    (stackable) =>
      new AttrGroup<BlockDevice>({
        hw_sector_size: gro((dev) => dev.logicalBlockSize),
        logical_block_size: gro((dev) => dev.logicalBlockSize),
        physical_block_size: gro((dev) => dev.logicalBlockSize),
        minimum_io_size: gro((dev) => dev.logicalBlockSize),
        max_sectors_kb: gfixed("1280\n"),
        max_hw_sectors_kb: gfixed("2147483647\n"),
        optimal_io_size: gfixed("0\n"),
        rotational: gfixed("0\n"),
        scheduler: gfixed(stackable ? "[mq-deadline] none\n" : "none\n"),
        nr_requests: gfixed("256\n"),
        read_ahead_kb: gro((dev) => this.#env.readAheadKb?.(dev.devt) ?? 128),
        write_cache: gfixed("write through\n"),
        zoned: gfixed("none\n"),
      }),
  );

  readonly #dm = new AttrGroup<BlockDevice>({
    name: gro((dev) => {
      const r = this.#env.dm.info({ devt: dev.devt });
      return r.ok ? r.value.name : "";
    }),
    uuid: gro((dev) => {
      const r = this.#env.dm.info({ devt: dev.devt });
      return r.ok ? r.value.uuid : "";
    }),
    suspended: gro((dev) => {
      const r = this.#env.dm.info({ devt: dev.devt });
      return r.ok && r.value.suspended ? 1 : 0;
    }),
    use_blk_mq: gro((dev) => (dev.requestStackable ? 1 : 0)),
    rq_based_seq_io_merge_deadline: { show: () => "0\n", store: () => 0 },
  });

  #add(dev: BlockDevice): void {
    if (ownsSysfs(dev)) return;
    const env = this.#env;
    const t = env.sysfs;
    const devpath = VirtualBlockSysfs.devpath(dev);
    const p = `/sys${devpath}`;
    const devt = formatDevT(dev.devt);
    const pd = t.dir(p);
    for (const d of ["power", "trace", "integrity", "mq"]) t.emptyDir(pd, d);
    t.group(pd, this.#disk, dev);
    t.dynamicLinks(`${p}/holders`, () => blockLinks(t, `${p}/holders`, env.block.holders(dev.devt), env));
    t.dynamicLinks(`${p}/slaves`, () => blockLinks(t, `${p}/slaves`, env.block.slaves(dev.devt), env));
    t.classLinkAt(pd, "subsystem", "/sys/class/block");
    t.symlinkAbsAt(pd, "bdi", `/sys/devices/virtual/bdi/${devt}`);
    t.group(t.sub(pd, "queue"), this.#queue[dev.requestStackable ? 1 : 0]!, dev);
    if (devMajor(dev.devt) === (env.dm as { major?: number }).major || dev.name.startsWith("dm-"))
      t.group(t.sub(pd, "dm"), this.#dm, dev);
    t.symlinkTo(t.dir("/sys/block"), dev.name, pd);
    t.symlinkTo(t.dir("/sys/class/block"), dev.name, pd);
    t.symlinkTo(t.dir("/sys/dev/block"), devt, pd);
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
