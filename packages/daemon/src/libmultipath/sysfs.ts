/**
 * sysfs access as libmultipath does it through libudev (sysfs.c, the `sysfs_get_*` helpers of
 * discovery.c): attributes of a device and of its parents, found by walking up the device's
 * `/sys/devices/...` path.
 */
import type { Host, SysfsView, UdevDevice } from "@mp/dm-core";

const HCTL = /^(\d+):(\d+):(\d+):(\d+)$/;

/** A sysfs device directory and what is known of it. */
export interface SysDir {
  /** `/sys/devices/...`. */
  readonly path: string;
  /** Kernel name: the last path component. */
  readonly sysname: string;
}

function basename(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? p : p.slice(i + 1);
}

function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

const DEVICES = "/sys/devices/";

/**
 * The closest ancestor of `syspath` whose name `re` matches (`parentsOf(syspath).find(…)`
 * without building the chain: a checker pass asks this of every path, and the parent sought
 * is one or two levels up).
 */
export function ancestorMatching(syspath: string, re: RegExp): SysDir | null {
  if (!syspath.startsWith(DEVICES)) return null;
  // `end` is where the ancestor's path ends: dirname() of what it ended before.
  let end = syspath.lastIndexOf("/");
  while (end > DEVICES.length) {
    const slash = syspath.lastIndexOf("/", end - 1);
    const sysname = syspath.slice(slash + 1, end);
    if (re.test(sysname)) return { path: syspath.slice(0, end), sysname };
    end = slash;
  }
  return null;
}

/** The device's ancestors (closest first), stopping at `/sys/devices`. */
export function parentsOf(syspath: string): SysDir[] {
  const out: SysDir[] = [];
  let p = dirname(syspath);
  while (p.startsWith("/sys/devices/") && p.length > "/sys/devices/".length) {
    out.push({ path: p, sysname: basename(p) });
    p = dirname(p);
  }
  return out;
}

/** The subsystem of a sysfs device directory (`basename(readlink(dir/subsystem))`), or null. */
export function subsystemOf(sysfs: SysfsView, dir: string): string | null {
  const l = sysfs.readlink(`${dir}/subsystem`);
  return l === null ? null : basename(l);
}

/** An attribute's value without its trailing newline, or null. */
export function readAttr(sysfs: SysfsView, dir: string, attr: string): string | null {
  const v = sysfs.read(`${dir}/${attr}`);
  if (v === null) return null;
  return v.endsWith("\n") ? v.slice(0, -1) : v;
}

/** The parsed H:C:T:L of a SCSI device directory name, or null. */
export function parseHctl(name: string): { h: number; c: number; t: number; l: bigint } | null {
  const m = HCTL.exec(name);
  if (!m) return null;
  return { h: Number(m[1]), c: Number(m[2]), t: Number(m[3]), l: BigInt(m[4]!) };
}

/**
 * The `scsi_device` parent of a block device: the first ancestor whose name is `H:C:T:L`
 * (what `udev_device_get_parent_with_subsystem_devtype(ud, "scsi", "scsi_device")` finds).
 * Falls back to the `/sys/block/<dev>/device` link when the syspath has no such component.
 */
export function scsiDeviceParent(host: Host, ud: UdevDevice): SysDir | null {
  const p = ancestorMatching(ud.syspath, HCTL);
  if (p !== null) return p;
  const link = host.sysfs.readlink(`/sys/block/${ud.sysname}/device`);
  if (link !== null && HCTL.test(basename(link))) {
    return { path: `/sys/block/${ud.sysname}/device`, sysname: basename(link) };
  }
  return null;
}

/** The `scsi_target` parent (`targetH:C:T`), or null. */
export function scsiTargetParent(ud: UdevDevice): SysDir | null {
  return ancestorMatching(ud.syspath, SCSI_TARGET);
}

/** A `scsi_target`'s name (`targetH:C:T`). */
export const SCSI_TARGET = /^target\d+:\d+:\d+$/;

/** Reads a block device attribute (`/sys/block/<dev>/<attr>`, newline stripped). */
export function blockAttr(host: Host, dev: string, attr: string): string | null {
  return readAttr(host.sysfs, `/sys/block/${dev}`, attr);
}

/** The bytes of a binary sysfs attribute (VPD pages), read as one char per byte. */
export function readBinaryAttr(sysfs: SysfsView, dir: string, attr: string): Uint8Array | null {
  const v = sysfs.read(`${dir}/${attr}`);
  if (v === null) return null;
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v.charCodeAt(i) & 0xff;
  return out;
}

/** `sysfs_get_size`: the block device's size in 512-byte sectors, or null. */
export function sysfsGetSize(host: Host, dev: string): number | null {
  const v = blockAttr(host, dev, "size");
  if (v === null) return null;
  const n = Number.parseInt(v.trim(), 10);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** `sysfs_get_ro`: 0, 1, or -1 when unreadable. */
export function sysfsGetRo(host: Host, dev: string): number {
  const v = blockAttr(host, dev, "ro");
  if (v === null) return -1;
  const n = Number.parseInt(v, 10);
  return n === 0 || n === 1 ? n : -1;
}

/** C `strtoul(s, &end, 0)` for the timeout attribute: the number, or null when nothing parsed. */
export function cStrtoul(s: string): number | null {
  // Sysfs numbers are plain decimals: no regex for them (what the general parse gives them).
  const n = s.length;
  if (n > 0 && n < 16) {
    let c = s.charCodeAt(0);
    if (c >= 0x31 && c <= 0x39) {
      let v = c - 0x30;
      let i = 1;
      for (; i < n; i++) {
        c = s.charCodeAt(i);
        if (c < 0x30 || c > 0x39) break;
        v = v * 10 + (c - 0x30);
      }
      if (i === n) return v;
    }
  }
  const m = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return null;
  const t = m[1]!;
  if (/^0[xX]/.test(t)) return Number.parseInt(t.slice(2), 16);
  if (t.length > 1 && t[0] === "0") return Number.parseInt(t, 8);
  return Number.parseInt(t, 10);
}
