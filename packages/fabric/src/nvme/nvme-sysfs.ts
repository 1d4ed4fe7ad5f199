import { type BlockDevice, Errno, formatDevT } from "@mp/dm-core";
import type { NvmeNsHead } from "../nvme-multipath/nvme-ns-head.js";
import { blockLinks } from "../scsi-ml/scsi-sysfs.js";
import { fixed, link, parseSynthUevent, ro, sys, wo } from "../sysfs/attrs.js";
import type { SysfsTree } from "../sysfs/tree.js";
import { anaStateName } from "./ana.js";
import { NVME_CHAR_MAJOR, NVME_GENERIC_MAJOR, type NvmeCore, type NvmeSubsys } from "./nvme-core.js";
import type { NvmeCtrl } from "./nvme-ctrl.js";
import type { NvmeNs } from "./nvme-ns.js";

type Env = Array<readonly [string, string]>;

/** `/devices/virtual/nvme-fabrics/ctl`: the parent of every fabrics controller. */
const FABRICS_CTL = "/devices/virtual/nvme-fabrics/ctl";

/**
 * The NVMe driver's sysfs and uevents as Linux 6.1 lays them out for fabrics controllers:
 * `/sys/class/nvme/nvme<C>` (under `nvme-fabrics/ctl`) with its attributes, the
 * `nvme-subsys<S>` device, the namespace disks (`nvme<C>n<N>` without native multipath; the
 * hidden `nvme<S>c<C>n<N>` paths and the `nvme<S>n<N>` heads with it), the `ng` generic nodes,
 * `/sys/block`, `/sys/class/block`, `/sys/dev/block`.
 */
export class NvmeSysfs {
  readonly #core: NvmeCore;

  constructor(core: NvmeCore) {
    this.#core = core;
  }

  get #t(): SysfsTree {
    return this.#core.sysfs;
  }

  #emit(action: "add" | "remove" | "change", devpath: string, subsystem: string, env: Env = []): void {
    this.#core.kernel.uevents.emit({ action, devpath, subsystem, env });
  }

  /** `nvme_core` loaded: the classes exist. */
  addCore(): void {
    for (const c of ["nvme", "nvme-subsystem", "nvme-generic"]) this.#t.mkdir(`/sys/class/${c}`);
  }

  /** `nvme_fabrics` loaded: `/dev/nvme-fabrics` (misc 10:124) and the `ctl` device. */
  addFabrics(): void {
    const t = this.#t;
    const misc = "/devices/virtual/misc/nvme-fabrics";
    t.attrs(sys(misc), {
      dev: fixed("10:124\n"),
      uevent: fixed("MAJOR=10\nMINOR=124\nDEVNAME=nvme-fabrics\n"),
    });
    link(t, `/sys/class/misc/nvme-fabrics`, sys(misc));
    t.mkdir(sys(FABRICS_CTL));
    t.attrs(sys(FABRICS_CTL), { uevent: fixed("") });
    link(t, `/sys/class/nvme-fabrics/ctl`, sys(FABRICS_CTL));
    this.#emit("add", misc, "misc", [
      ["MAJOR", "10"],
      ["MINOR", "124"],
      ["DEVNAME", "nvme-fabrics"],
    ]);
    this.#emit("add", FABRICS_CTL, "nvme-fabrics");
  }

  ctrlDevpath(c: NvmeCtrl): string {
    return `${FABRICS_CTL}/${c.devName}`;
  }

  subsysDevpath(s: NvmeSubsys): string {
    return `/devices/virtual/nvme-subsystem/${s.name}`;
  }

  ctrlUeventVars(c: NvmeCtrl): Env {
    const p = c.port;
    return [
      ["MAJOR", String(NVME_CHAR_MAJOR)],
      ["MINOR", String(c.instance)],
      ["DEVNAME", c.devName],
      ["NVME_TRTYPE", p.trtype],
      ["NVME_TRADDR", p.traddr],
      ["NVME_TRSVCID", p.trtype === "tcp" || p.trtype === "rdma" ? p.trsvcid : "none"],
      ["NVME_HOST_TRADDR", "none"],
      ["NVME_HOST_IFACE", "none"],
    ];
  }

  /** `nvme_init_ctrl()`: the controller's char device, its attributes, its hwmon. */
  addCtrl(c: NvmeCtrl): void {
    const t = this.#t;
    const devpath = this.ctrlDevpath(c);
    const p = sys(devpath);
    const secs = (ns: number) => (ns < 0 ? "off" : String(Math.round(ns / 1e9)));
    const target = c.port.subsys;
    t.mkdir(`${p}/power`);
    t.attrs(p, {
      address: ro(() => c.address),
      cntlid: ro(() => c.cntlid),
      cntrltype: fixed("io\n"),
      ctrl_loss_tmo: ro(() => secs(c.ctrlLossTmoNs)),
      dctype: fixed("none\n"),
      delete_controller: wo(() => {
        c.delete();
        return 0;
      }),
      dev: fixed(`${NVME_CHAR_MAJOR}:${c.instance}\n`),
      fast_io_fail_tmo: ro(() => secs(c.fastIoFailTmoNs)),
      firmware_rev: fixed(`${target.firmwareRev.padEnd(8, " ")}\n`),
      hostid: fixed(`${this.#core.hostid}\n`),
      hostnqn: fixed(`${this.#core.hostnqn}\n`),
      kato: ro(() => Math.round(c.katoNs / 1e9)),
      model: fixed(`${target.model.padEnd(40, " ")}\n`),
      numa_node: ro(() => c.numaNode),
      queue_count: ro(() => c.nrIoQueues + 1),
      reconnect_delay: ro(() => Math.round(c.reconnectDelayNs / 1e9)),
      rescan_controller: wo(() => 0),
      reset_controller: wo(() => {
        if (c.state !== "live") return Errno.EBUSY;
        c.reset();
        return 0;
      }),
      serial: fixed(`${target.serial.padEnd(20, " ")}\n`),
      sqsize: fixed("127\n"),
      state: ro(() => c.state),
      subsysnqn: fixed(`${target.nqn}\n`),
      transport: fixed(`${c.port.trtype}\n`),
      uevent: this.#ueventAttr(devpath, "nvme", () => this.ctrlUeventVars(c)),
    });
    link(t, `${p}/device`, sys(FABRICS_CTL));
    link(t, `${p}/subsystem`, "/sys/class/nvme");
    link(t, `/sys/class/nvme/${c.devName}`, p);
    link(t, `/sys/dev/char/${NVME_CHAR_MAJOR}:${c.instance}`, p);
    this.#emit("add", devpath, "nvme", this.ctrlUeventVars(c));
    c.hwmon = this.#core.allocHwmon();
    const hw = `${devpath}/hwmon${c.hwmon}`;
    t.attrs(sys(hw), { name: fixed("nvme\n"), uevent: fixed("") });
    link(t, `${sys(hw)}/device`, p);
    link(t, `/sys/class/hwmon/hwmon${c.hwmon}`, sys(hw));
    this.#emit("add", hw, "hwmon");
  }

  /** A `change` of the controller (`NVME_EVENT=connected`, AENs). */
  changeCtrl(c: NvmeCtrl, extra: Env): void {
    this.#emit("change", this.ctrlDevpath(c), "nvme", [...extra, ...this.ctrlUeventVars(c)]);
  }

  removeCtrl(c: NvmeCtrl): void {
    const t = this.#t;
    const devpath = this.ctrlDevpath(c);
    if (c.hwmon >= 0) {
      this.#emit("remove", `${devpath}/hwmon${c.hwmon}`, "hwmon");
      t.remove(`/sys/class/hwmon/hwmon${c.hwmon}`);
      this.#core.freeHwmon(c.hwmon);
      c.hwmon = -1;
    }
    this.#emit("remove", devpath, "nvme", this.ctrlUeventVars(c));
    t.remove(`/sys/class/nvme/${c.devName}`);
    t.remove(`/sys/dev/char/${NVME_CHAR_MAJOR}:${c.instance}`);
    t.remove(`${sys(this.subsysDevpath(c.subsys))}/${c.devName}`);
    t.remove(sys(devpath));
  }

  /** `nvme_init_subsystem()`: `nvme-subsys<S>`. */
  addSubsys(s: NvmeSubsys): void {
    const t = this.#t;
    const devpath = this.subsysDevpath(s);
    const p = sys(devpath);
    const target = s.target;
    t.mkdir(`${p}/power`);
    t.attrs(p, {
      firmware_rev: fixed(`${target.firmwareRev.padEnd(8, " ")}\n`),
      iopolicy: {
        show: () => `${s.iopolicy}\n`,
        store: (v) => {
          const x = v.trim();
          if (x !== "numa" && x !== "round-robin" && x !== "queue-depth") return Errno.EINVAL;
          s.setIopolicy(x);
          return 0;
        },
      },
      model: fixed(`${target.model.padEnd(40, " ")}\n`),
      serial: fixed(`${target.serial.padEnd(20, " ")}\n`),
      subsysnqn: fixed(`${target.nqn}\n`),
      subsystype: fixed("nvm\n"),
      uevent: this.#ueventAttr(devpath, "nvme-subsystem", () => []),
    });
    link(t, `${p}/subsystem`, "/sys/class/nvme-subsystem");
    link(t, `/sys/class/nvme-subsystem/${s.name}`, p);
    this.#emit("add", devpath, "nvme-subsystem");
  }

  linkCtrl(s: NvmeSubsys, c: NvmeCtrl): void {
    link(this.#t, `${sys(this.subsysDevpath(s))}/${c.devName}`, sys(this.ctrlDevpath(c)));
  }

  removeSubsys(s: NvmeSubsys): void {
    const devpath = this.subsysDevpath(s);
    this.#emit("remove", devpath, "nvme-subsystem");
    this.#t.remove(`/sys/class/nvme-subsystem/${s.name}`);
    this.#t.remove(sys(devpath));
  }

  // ---- namespaces ---------------------------------------------------------------------------

  nsDevpath(ns: NvmeNs): string {
    return `${this.ctrlDevpath(ns.ctrl)}/${ns.name}`;
  }

  headDevpath(h: NvmeNsHead): string {
    return `${this.subsysDevpath(h.subsys)}/${h.name}`;
  }

  diskUeventVars(
    d: { readonly name: string; readonly devt: number; readonly diskseq: number },
    hidden: boolean,
  ): Env {
    const env: Env = [];
    if (!hidden) {
      const [maj, min] = formatDevT(d.devt).split(":");
      env.push(["MAJOR", maj!], ["MINOR", min!], ["DEVNAME", d.name]);
    }
    env.push(["DEVTYPE", "disk"], ["DISKSEQ", String(d.diskseq)]);
    return env;
  }

  /** A namespace's disk (and its generic node without native multipath): sysfs, then `add`. */
  addNs(ns: NvmeNs): void {
    const devpath = this.nsDevpath(ns);
    const ana = ns.hidden || this.#core.anaAttrsWithoutMultipath;
    this.#disk(devpath, ns, {
      hidden: ns.hidden,
      mq: true,
      device: sys(this.ctrlDevpath(ns.ctrl)),
      ids: ns.head,
      ana: ana
        ? {
            state: () => anaStateName(ns.shownAnaState),
            group: () => ns.target.anaGroup,
          }
        : null,
    });
    if (!ns.hidden) this.#core.kernel.block.register(ns);
    this.#emit("add", devpath, "block", this.diskUeventVars(ns, ns.hidden));
    if (!ns.hidden) this.#addGeneric(`${this.ctrlDevpath(ns.ctrl)}/${ns.genericName}`, ns.genericMinor);
  }

  removeNs(ns: NvmeNs): void {
    const devpath = this.nsDevpath(ns);
    if (!ns.hidden) this.#removeGeneric(`${this.ctrlDevpath(ns.ctrl)}/${ns.genericName}`, ns.genericMinor);
    this.#emit("remove", devpath, "block", this.diskUeventVars(ns, ns.hidden));
    this.#removeDisk(devpath, ns, ns.hidden);
  }

  /** The head disk of native multipath (`nvme_mpath_set_live`): sysfs; `add` follows the register. */
  addHead(h: NvmeNsHead): void {
    this.#disk(this.headDevpath(h), h, {
      hidden: false,
      mq: false,
      device: sys(this.subsysDevpath(h.subsys)),
      ids: h,
      ana: null,
    });
  }

  emitHeadAdd(h: NvmeNsHead): void {
    this.#emit("add", this.headDevpath(h), "block", this.diskUeventVars(h, false));
    h.genericMinor = this.#core.allocGeneric();
    this.#addGeneric(`${this.subsysDevpath(h.subsys)}/ng${h.subsys.instance}n${h.instance}`, h.genericMinor);
  }

  removeHead(h: NvmeNsHead): void {
    const devpath = this.headDevpath(h);
    if (h.genericMinor >= 0) {
      this.#removeGeneric(
        `${this.subsysDevpath(h.subsys)}/ng${h.subsys.instance}n${h.instance}`,
        h.genericMinor,
      );
      this.#core.freeGeneric(h.genericMinor);
      h.genericMinor = -1;
    }
    this.#emit("remove", devpath, "block", this.diskUeventVars(h, false));
    this.#removeDisk(devpath, h, false);
  }

  #addGeneric(devpath: string, minor: number): void {
    const t = this.#t;
    const name = devpath.slice(devpath.lastIndexOf("/") + 1);
    const env: Env = [
      ["MAJOR", String(NVME_GENERIC_MAJOR)],
      ["MINOR", String(minor)],
      ["DEVNAME", name],
    ];
    t.attrs(sys(devpath), {
      dev: fixed(`${NVME_GENERIC_MAJOR}:${minor}\n`),
      uevent: fixed(env.map(([k, v]) => `${k}=${v}\n`).join("")),
    });
    t.mkdir(`${sys(devpath)}/power`);
    link(t, `${sys(devpath)}/subsystem`, "/sys/class/nvme-generic");
    link(t, `/sys/class/nvme-generic/${name}`, sys(devpath));
    link(t, `/sys/dev/char/${NVME_GENERIC_MAJOR}:${minor}`, sys(devpath));
    this.#emit("add", devpath, "nvme-generic", env);
  }

  #removeGeneric(devpath: string, minor: number): void {
    const name = devpath.slice(devpath.lastIndexOf("/") + 1);
    this.#emit("remove", devpath, "nvme-generic", [
      ["MAJOR", String(NVME_GENERIC_MAJOR)],
      ["MINOR", String(minor)],
      ["DEVNAME", name],
    ]);
    this.#t.remove(`/sys/class/nvme-generic/${name}`);
    this.#t.remove(`/sys/dev/char/${NVME_GENERIC_MAJOR}:${minor}`);
    this.#t.remove(sys(devpath));
  }

  /** The attributes of an NVMe gendisk (`nvme_ns_id_attrs` with the block layer's own). */
  #disk(
    devpath: string,
    d: BlockDevice & { readonly diskseq: number; readonly inflight?: { read: number; write: number } },
    o: {
      hidden: boolean;
      mq: boolean;
      device: string;
      ids: NvmeNsHead;
      ana: { state: () => string; group: () => number } | null;
    },
  ): void {
    const t = this.#t;
    const p = sys(devpath);
    const ids = o.ids.target;
    const devt = formatDevT(d.devt);
    for (const dir of ["power", "trace", "integrity", ...(o.mq ? ["mq"] : [])]) t.mkdir(`${p}/${dir}`);
    const lbs = () => d.logicalBlockSize;
    t.attrs(p, {
      alignment_offset: fixed("0\n"),
      capability: fixed(o.hidden ? "2\n" : "0\n"),
      discard_alignment: fixed("0\n"),
      diskseq: ro(() => d.diskseq),
      events: fixed("\n"),
      events_async: fixed("\n"),
      events_poll_msecs: { show: () => "-1\n", store: () => 0 },
      ext_range: fixed("256\n"),
      hidden: fixed(o.hidden ? "1\n" : "0\n"),
      inflight: ro(
        () => `${String(d.inflight?.read ?? 0).padStart(8)} ${String(d.inflight?.write ?? 0).padStart(8)}`,
      ),
      nsid: fixed(`${ids.nsid}\n`),
      range: fixed("0\n"),
      removable: fixed("0\n"),
      ro: fixed("0\n"),
      size: ro(() => d.sizeSectors()),
      stat: ro(() => Array.from({ length: 17 }, () => "       0").join(" ")),
      uevent: this.#ueventAttr(devpath, "block", () => this.diskUeventVars(d, o.hidden)),
      wwid: fixed(`${nvmeWwid(o.ids)}\n`),
    });
    if (!o.hidden) t.attrs(p, { dev: fixed(`${devt}\n`) });
    if (ids.uuid !== null || ids.nguid !== null)
      t.attr(`${p}/uuid`, fixed(`${ids.uuid ?? formatUuidBytes(ids.nguid!)}\n`));
    if (ids.nguid !== null) t.attr(`${p}/nguid`, fixed(`${formatUuidBytes(ids.nguid)}\n`));
    if (ids.eui64 !== null)
      t.attr(`${p}/eui`, fixed(`${[...ids.eui64].map((b) => b.toString(16).padStart(2, "0")).join(" ")}\n`));
    if (o.ana) {
      const ana = o.ana;
      t.attrs(p, { ana_grpid: ro(() => ana.group()), ana_state: ro(() => ana.state()) });
    }
    const block = this.#core.kernel.block;
    t.dynamicLinks(`${p}/holders`, () =>
      o.hidden ? [] : blockLinks(t, `${p}/holders`, block.holders(d.devt), { block }),
    );
    t.dynamicLinks(`${p}/slaves`, () => []);
    link(t, `${p}/device`, o.device);
    link(t, `${p}/subsystem`, "/sys/class/block");
    if (!o.hidden) {
      link(t, `${p}/bdi`, `/sys/devices/virtual/bdi/${devt}`);
      t.mkdir(`/sys/devices/virtual/bdi/${devt}`);
      link(t, `/sys/dev/block/${devt}`, p);
      this.#emit("add", `/devices/virtual/bdi/${devt}`, "bdi");
    }
    t.attrs(`${p}/queue`, {
      hw_sector_size: ro(lbs),
      logical_block_size: ro(lbs),
      physical_block_size: ro(lbs),
      minimum_io_size: ro(lbs),
      optimal_io_size: fixed("0\n"),
      max_hw_sectors_kb: fixed("1280\n"),
      max_sectors_kb: fixed("1280\n"),
      max_segments: fixed("257\n"),
      nr_requests: fixed(o.mq ? "127\n" : "128\n"),
      read_ahead_kb: fixed("128\n"),
      rotational: fixed("0\n"),
      scheduler: fixed(o.mq ? "[none] mq-deadline \n" : "none\n"),
      write_cache: fixed("write through\n"),
      io_timeout: fixed("30000\n"),
      nomerges: fixed("0\n"),
      zoned: fixed("none\n"),
    });
    link(t, `/sys/block/${d.name}`, p);
    link(t, `/sys/class/block/${d.name}`, p);
  }

  #removeDisk(devpath: string, d: BlockDevice, hidden: boolean): void {
    const t = this.#t;
    t.remove(`/sys/block/${d.name}`);
    t.remove(`/sys/class/block/${d.name}`);
    if (!hidden) {
      const devt = formatDevT(d.devt);
      this.#emit("remove", `/devices/virtual/bdi/${devt}`, "bdi");
      t.remove(`/sys/dev/block/${devt}`);
      t.remove(`/sys/devices/virtual/bdi/${devt}`);
    }
    t.remove(sys(devpath));
  }

  /** A device's `uevent` attribute: reads its variables, a write synthesizes an event. */
  #ueventAttr(devpath: string, subsystem: string, vars: () => Env) {
    return {
      show: () =>
        vars()
          .map(([k, v]) => `${k}=${v}\n`)
          .join(""),
      store: (v: string) => {
        const r = parseSynthUevent(v);
        if ("errno" in r) return r.errno;
        this.#core.kernel.uevents.emit({
          action: r.action as "change",
          devpath,
          subsystem,
          env: [...r.env, ...vars()],
        });
        return 0;
      },
    };
  }
}

/** `%pU`: a 16-byte id as 8-4-4-4-12 lowercase hex. */
export function formatUuidBytes(b: Uint8Array): string {
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** `wwid_show()`: `uuid.`, `eui.` (NGUID, then EUI-64), else `nvme.<vid>-<serial>-<model>-<nsid>`. */
export function nvmeWwid(h: NvmeNsHead): string {
  const ns = h.target;
  if (ns.uuid !== null) return `uuid.${ns.uuid.toLowerCase()}`;
  const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  if (ns.nguid?.some((x) => x !== 0)) return `eui.${hex(ns.nguid)}`;
  if (ns.eui64?.some((x) => x !== 0)) return `eui.${hex(ns.eui64)}`;
  const sub = ns.subsys;
  const text = (s: string) => hex(new TextEncoder().encode(s.replace(/[ \0]+$/, "")));
  return `nvme.${sub.vendorId.toString(16).padStart(4, "0")}-${text(sub.serial)}-${text(sub.model)}-${ns.nsid.toString(16).padStart(8, "0")}`;
}
