import type { DmControl, SysfsView } from "@mp/dm-core";
import { binaryStringToBytes } from "../../scsi/bytes.js";
import { nvmePersistentStorage } from "./nvme-id.js";
import { scsiIdExport } from "./scsi-id.js";

/** What a rule sees and changes while one event is processed. */
export interface UdevRuleContext {
  readonly action: string;
  /** `/devices/...` (no `/sys`). */
  readonly devpath: string;
  readonly subsystem: string;
  /** Kernel name (`sda`, `dm-0`, `0:0:0:0`). */
  readonly sysname: string;
  readonly devtype: string | undefined;
  /** The event's kernel variables and the properties rules set so far (insertion order). */
  readonly env: Map<string, string>;
  /** The device's properties from the previous event (`IMPORT{db}`), or null. */
  readonly db: ReadonlyMap<string, string> | null;
  /** Symlinks to create, relative to /dev (`disk/by-id/…`, `mapper/…`). */
  readonly links: string[];
  /** `OPTIONS+="link_priority=N"`. */
  linkPriority: number;
  /** `IMPORT{builtin}="blkid"`: probe the device for signatures (I/O) before the event ends. */
  blkid: boolean;
  readonly sysfs: SysfsView;
  readonly dm: DmControl;
  /** Properties of another device from the udev database (by kernel name), or null. */
  dbOf(sysname: string): ReadonlyMap<string, string> | null;
}

/**
 * One rules file, as a function of the event. Rules run in `order` (the file's number), then
 * name; each sets properties and symlinks on the context. This is the seam through which other
 * packages add their rules (multipath-tools' 56-multipath.rules needs `multipath -u`).
 */
export interface UdevRule {
  readonly name: string;
  readonly order: number;
  apply(ctx: UdevRuleContext): void;
}

function attr(ctx: UdevRuleContext, rel: string): string | null {
  const v = ctx.sysfs.read(`/sys${ctx.devpath}/${rel}`);
  return v === null ? null : v;
}

function attrBytes(ctx: UdevRuleContext, rel: string): Uint8Array | null {
  const v = attr(ctx, rel);
  return v === null ? null : binaryStringToBytes(v);
}

/** `libdevmapper`'s udev flags, carried in the high 16 bits of `DM_COOKIE`. */
const DM_COOKIE_FLAGS: ReadonlyArray<readonly [number, string]> = [
  [0x0001, "DM_UDEV_DISABLE_DM_RULES_FLAG"],
  [0x0002, "DM_UDEV_DISABLE_SUBSYSTEM_RULES_FLAG"],
  [0x0004, "DM_UDEV_DISABLE_DISK_RULES_FLAG"],
  [0x0008, "DM_UDEV_DISABLE_OTHER_RULES_FLAG"],
  [0x0010, "DM_UDEV_LOW_PRIORITY_FLAG"],
  [0x0020, "DM_UDEV_DISABLE_LIBRARY_FALLBACK_FLAG"],
  [0x0040, "DM_UDEV_PRIMARY_SOURCE_FLAG"],
  [0x0100, "DM_SUBSYSTEM_UDEV_FLAG0"],
  [0x0200, "DM_SUBSYSTEM_UDEV_FLAG1"],
  [0x0400, "DM_SUBSYSTEM_UDEV_FLAG2"],
  [0x0800, "DM_SUBSYSTEM_UDEV_FLAG3"],
  [0x1000, "DM_SUBSYSTEM_UDEV_FLAG4"],
  [0x2000, "DM_SUBSYSTEM_UDEV_FLAG5"],
  [0x4000, "DM_SUBSYSTEM_UDEV_FLAG6"],
  [0x8000, "DM_SUBSYSTEM_UDEV_FLAG7"],
];

function isDm(ctx: UdevRuleContext): boolean {
  return ctx.subsystem === "block" && ctx.sysname.startsWith("dm-");
}

/** The flags 10-dm.rules takes from the database when the event's cookie did not set them. */
const DM_DB_FLAGS = [
  "DM_UDEV_DISABLE_DM_RULES_FLAG",
  "DM_UDEV_DISABLE_SUBSYSTEM_RULES_FLAG",
  "DM_UDEV_DISABLE_DISK_RULES_FLAG",
  "DM_UDEV_DISABLE_OTHER_RULES_FLAG",
  "DM_UDEV_LOW_PRIORITY_FLAG",
  "DM_UDEV_DISABLE_LIBRARY_FALLBACK_FLAG",
  "DM_UDEV_PRIMARY_SOURCE_FLAG",
  "DM_UDEV_FLAG7",
  "DM_UDEV_RULES",
  "DM_UDEV_RULES_VSN",
] as const;

/** `dm_disable`: the device is not ready; other rules leave it alone. */
function dmDisable(env: Map<string, string>): void {
  env.set("DM_UDEV_DISABLE_SUBSYSTEM_RULES_FLAG", "1");
  env.set("DM_UDEV_DISABLE_DISK_RULES_FLAG", "1");
  env.set("DM_UDEV_DISABLE_OTHER_RULES_FLAG", "1");
}

/** udev drops a property set to the empty string (`ENV{DM_UUID}=""`). */
function setOrUnset(env: Map<string, string>, key: string, value: string): void {
  if (value === "") env.delete(key);
  else env.set(key, value);
}

/**
 * 10-dm.rules (Debian's 55-dm.rules, device-mapper 1.02.185): the cookie's udev flags (or the
 * database's when the event carries no cookie), `DM_ACTIVATION` for libdm's own (primary source)
 * events, `DM_NAME`/`DM_UUID`/`DM_SUSPENDED` from the `dm/` attributes, the rules version and
 * `/dev/mapper/<name>`. An `add` that libdm did not originate (the kernel's, or coldplug of a
 * device never activated through libdm) only disables the other rules.
 */
export const dmRules: UdevRule = {
  name: "10-dm.rules",
  order: 10,
  apply(ctx) {
    if (!isDm(ctx) || (ctx.action !== "add" && ctx.action !== "change")) return;
    const env = ctx.env;
    const cookie = env.get("DM_COOKIE");
    if (cookie) {
      const flags = (Number(cookie) >>> 16) & 0xffff;
      for (const [bit, name] of DM_COOKIE_FLAGS) if (flags & bit) env.set(name, "1");
    }
    if (env.get("DISK_RO") === "1") {
      dmDisable(env);
      return;
    }
    if (env.get("DM_UDEV_PRIMARY_SOURCE_FLAG") === "1") env.set("DM_ACTIVATION", "1");
    else
      for (const name of DM_DB_FLAGS) {
        const v = ctx.db?.get(name);
        if (v !== undefined) env.set(name, v);
      }
    if (ctx.action === "add") {
      if (env.get("DM_UDEV_PRIMARY_SOURCE_FLAG") !== "1") {
        dmDisable(env);
        return;
      }
      env.set("DM_ACTIVATION", "1");
    }
    const [maj, min] = [env.get("MAJOR"), env.get("MINOR")];
    const info = ctx.dm.info({ devt: Number(maj) * 2 ** 20 + Number(min) });
    if (info.ok) {
      setOrUnset(env, "DM_NAME", info.value.name);
      setOrUnset(env, "DM_UUID", info.value.uuid);
      env.set("DM_SUSPENDED", info.value.suspended ? "1" : "0");
    }
    env.set("DM_UDEV_RULES", "1");
    env.set("DM_UDEV_RULES_VSN", "2");
    const name = env.get("DM_NAME");
    if (name && env.get("DM_UDEV_DISABLE_DM_RULES_FLAG") !== "1") ctx.links.push(`mapper/${name}`);
    if (env.get("DM_SUSPENDED") === "1") env.set("DM_UDEV_DISABLE_OTHER_RULES_FLAG", "1");
  },
};

/** Counts the paths of a multipath status line that are active (`A`). */
function activePaths(params: string): number {
  return [...params.matchAll(/\d+:\d+ A \d+/g)].length;
}

/**
 * multipath-tools 0.9.4's 11-dm-mpath.rules for `mpath-` maps: `MPATH_DEVICE_READY` from the
 * map's state (`multipath -U`: any active path), `kpartx_id`'s `DM_TYPE`/`DM_WWN`/`DM_SERIAL`
 * and their by-id links, link priority 50.
 */
export const dmMpathRules: UdevRule = {
  name: "11-dm-mpath.rules",
  order: 11,
  apply(ctx) {
    if (!isDm(ctx) || (ctx.action !== "add" && ctx.action !== "change")) return;
    const env = ctx.env;
    if (!env.get("DM_UDEV_RULES_VSN")) return;
    const uuid = env.get("DM_UUID") ?? "";
    if (!uuid.startsWith("mpath-") || uuid.length <= 6) return;
    const dbReady = ctx.db?.get("MPATH_DEVICE_READY");
    const fromDm = env.has("DM_COOKIE") || (env.get("DM_ACTION") ?? "").startsWith("PATH_");
    if (fromDm) {
      env.set(".MPATH_DEVICE_READY_OLD", dbReady ?? "");
      let ready: string;
      if (env.get("DM_SUBSYSTEM_UDEV_FLAG2") === "1" || env.get("DM_NR_VALID_PATHS") === "0") ready = "0";
      else {
        env.set("MPATH_SBIN_PATH", "/sbin");
        const st = ctx.dm.status({ uuid }, { kind: "info" });
        const ok = st.ok && st.value.lines.some((l) => l.type === "multipath" && activePaths(l.params) > 0);
        if (!ok) ready = "0";
        else if (env.get("DM_ACTION") === "PATH_FAILED") ready = dbReady ?? "0";
        else ready = "1";
      }
      env.set("MPATH_DEVICE_READY", ready);
      if (
        env.get("DM_SUBSYSTEM_UDEV_FLAG0") === "1" ||
        (env.get("DM_ACTION") ?? "").match(/^PATH_(FAILED|REINSTATED)$/)
      ) {
        env.set("DM_ACTIVATION", "0");
        env.set("MPATH_UNCHANGED", "1");
      }
      if (ready === "0") {
        env.set("DM_NOSCAN", "1");
        env.set("DM_UDEV_DISABLE_OTHER_RULES_FLAG", "1");
      }
    } else {
      if (dbReady !== undefined) env.set("MPATH_DEVICE_READY", dbReady);
      const other = ctx.db?.get("DM_UDEV_DISABLE_OTHER_RULES_FLAG");
      if (other !== undefined) env.set("DM_UDEV_DISABLE_OTHER_RULES_FLAG", other);
    }
    if (env.get("DM_UDEV_LOW_PRIORITY_FLAG") !== "1") ctx.linkPriority = 50;
    // kpartx_id: the map's type from its dependencies, its serial from the uuid.
    const deps = ctx.dm.deps({ uuid });
    const serial = uuid.slice(6);
    if (deps.ok && deps.value.deps.length > 0) {
      env.set("DM_TYPE", "scsi");
      env.set("DM_WWN", `0x${serial.slice(1)}`);
    } else env.set("DM_TYPE", "raid");
    env.set("DM_SERIAL", serial);
    ctx.links.push(`disk/by-id/${env.get("DM_TYPE")}-${serial}`);
    if (env.get("DM_WWN")) ctx.links.push(`disk/by-id/wwn-${env.get("DM_WWN")}`);
  },
};

/** 13-dm-disk.rules: `dm-name-` and `dm-uuid-` links unless disk rules are disabled. */
export const dmDiskRules: UdevRule = {
  name: "13-dm-disk.rules",
  order: 13,
  apply(ctx) {
    if (!isDm(ctx) || (ctx.action !== "add" && ctx.action !== "change")) return;
    const env = ctx.env;
    if (env.get("DM_UDEV_RULES_VSN") !== "2" || env.get("DM_UDEV_DISABLE_DISK_RULES_FLAG") === "1") return;
    const name = env.get("DM_NAME");
    const uuid = env.get("DM_UUID");
    // A suspended or not-to-be-scanned map is not probed (the probe would hang or fail).
    if (env.get("DM_SUSPENDED") !== "1" && env.get("DM_NOSCAN") !== "1") ctx.blkid = true;
    if (name) ctx.links.unshift(`disk/by-id/dm-name-${name}`);
    if (uuid) ctx.links.push(`disk/by-id/dm-uuid-${uuid}`);
  },
};

/** `multipath -u <dev>`: 0 (not a multipath path), 1 (it is), 2 (maybe: find_multipaths smart). */
export type MultipathU = (sysname: string) => "0" | "1" | "2";

/**
 * multipath-tools 0.9.4's 56-multipath.rules for sd/dasd/nvme disks: `MPATH_SBIN_PATH` and
 * `DM_MULTIPATH_DEVICE_PATH` from `multipath -u` (a claimed path gets `ID_FS_TYPE=mpath_member`
 * and `SYSTEMD_READY=0`). The `multipath -u` decision belongs to multipath-tools: pass it in.
 */
export function multipathRules(multipathU: MultipathU): UdevRule {
  return {
    name: "56-multipath.rules",
    order: 56,
    apply(ctx) {
      if (ctx.subsystem !== "block") return;
      if (!/^(sd|dasd|nvme)/.test(ctx.sysname)) return;
      if (ctx.action !== "add" && ctx.action !== "change") return;
      const env = ctx.env;
      if (ctx.devtype === "partition") {
        const parent = ctx.db?.get("DM_MULTIPATH_DEVICE_PATH");
        if (parent === "1") {
          env.set("ID_FS_TYPE", "none");
          env.set("SYSTEMD_READY", "0");
        }
        return;
      }
      env.set("MPATH_SBIN_PATH", "/sbin");
      const v = multipathU(ctx.sysname);
      env.set("DM_MULTIPATH_DEVICE_PATH", v === "2" ? "1" : v);
      if (v === "1" || v === "2") {
        env.set("ID_FS_TYPE", "mpath_member");
        env.set("SYSTEMD_READY", "0");
      }
    },
  };
}

/** path_id's `lun-N` (`format_lun_number`). */
function lunSuffix(lun: number): string {
  return lun < 256 ? `lun-${lun}` : `lun-0x${lun.toString(16).padStart(4, "0")}000000000000`.slice(0, 22);
}

/**
 * path_id (the udev builtin) for the paths the fabric builds: FC disks get
 * `pci-<pci>-fc-<wwpn>-lun-<n>`; scsi_debug's pseudo bus has no persistent path.
 */
export function pathId(devpath: string, sysfs: SysfsView): string | null {
  const parts = devpath.split("/");
  const sdev = parts.find((p) => /^\d+:\d+:\d+:\d+$/.test(p));
  if (!sdev) return null;
  const lun = Number(sdev.split(":")[3]);
  const rportIdx = parts.findIndex((p) => /^rport-\d+:\d+-\d+$/.test(p));
  const pciIdx = parts.findIndex((p) => /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/.test(p));
  if (rportIdx < 0 || pciIdx < 0) return null;
  const rport = parts[rportIdx]!;
  const rportDir = `/sys${parts.slice(0, rportIdx + 1).join("/")}/fc_remote_ports/${rport}`;
  const name = sysfs.read(`${rportDir}/port_name`)?.trim();
  if (!name) return null;
  return `pci-${parts[pciIdx]}-fc-${name}-${lunSuffix(lun)}`;
}

/**
 * systemd 252's 60-persistent-storage.rules for SCSI and NVMe disks: the NVMe identity
 * ({@link nvmePersistentStorage}), the `scsi_id` import, `ID_BUS`, path_id, and the `by-id`,
 * `wwn-`, `by-diskseq` and `by-path` links.
 */
export const persistentStorageRules: UdevRule = {
  name: "60-persistent-storage.rules",
  order: 60,
  apply(ctx) {
    if (ctx.subsystem !== "block" || (ctx.action !== "add" && ctx.action !== "change")) return;
    const env = ctx.env;
    if (!/^(loop|nvme|sd|vd|xvd|nbd)/.test(ctx.sysname)) return;
    nvmePersistentStorage(ctx);
    if (/^sd/.test(ctx.sysname) && ctx.devtype === "disk" && !env.get("ID_SERIAL")) {
      const inq = attrBytes(ctx, "device/inquiry");
      if (inq && inq.length >= 36) {
        for (const [k, v] of scsiIdExport(
          inq,
          attrBytes(ctx, "device/vpd_pg80"),
          attrBytes(ctx, "device/vpd_pg83"),
        ))
          env.set(k, v);
        env.set("ID_BUS", "scsi");
      }
    }
    if (ctx.devtype === "disk" && env.get("ID_SERIAL") && env.get("ID_BUS"))
      ctx.links.push(`disk/by-id/${env.get("ID_BUS")}-${env.get("ID_SERIAL")}`);
    if (ctx.devtype === "disk" && env.get("DISKSEQ")) ctx.links.push(`disk/by-diskseq/${env.get("DISKSEQ")}`);
    if (ctx.devtype === "disk" && env.get("ID_WWN_WITH_EXTENSION"))
      ctx.links.push(`disk/by-id/wwn-${env.get("ID_WWN_WITH_EXTENSION")}`);
    const path = pathId(ctx.devpath, ctx.sysfs);
    if (path) {
      env.set("ID_PATH", path);
      env.set("ID_PATH_TAG", path.replace(/[^A-Za-z0-9]/g, "_"));
      if (ctx.devtype === "disk") ctx.links.push(`disk/by-path/${path}`);
    }
    if (env.get("UDEV_DISABLE_PERSISTENT_STORAGE_BLKID_FLAG") !== "1") ctx.blkid = true;
  },
};

/**
 * systemd 252's 60-block.rules, the part that matters here: a `change` of a SCSI device (a unit
 * attention the midlayer reported, a rescan) is forwarded to its disk by writing `change` to the
 * disk's `uevent` (a synthetic event, `SYNTH_UUID=0`).
 */
export const blockRules: UdevRule = {
  name: "60-block.rules",
  order: 60,
  apply(ctx) {
    if (ctx.action !== "change" || ctx.subsystem !== "scsi" || ctx.env.get("DEVTYPE") !== "scsi_device")
      return;
    for (const d of ctx.sysfs.list(`/sys${ctx.devpath}/block`) ?? [])
      ctx.sysfs.write(`/sys${ctx.devpath}/block/${d}/uevent`, "change");
  },
};

/** The rules a Debian 12 machine with dmsetup and multipath-tools 0.9.4 installed runs. */
export function defaultRules(multipathU: MultipathU = () => "0"): UdevRule[] {
  return [dmRules, dmMpathRules, dmDiskRules, multipathRules(multipathU), blockRules, persistentStorageRules];
}
