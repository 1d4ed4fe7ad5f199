import type { Host } from "@mp/dm-core";

/**
 * sysfs reads as libmultipath does them (`sysfs_attr_get_value`): text attributes lose their
 * trailing white space (`strchop`); binary ones (`inquiry`, `vpd_pg83`) are bytes, which the
 * host's `SysfsView` returns as a string with one character (code 0-255) per byte.
 */

/** The directory of a block device's SCSI device (its `device` link). */
export function scsiDeviceDir(dev: string): string {
  return `/sys/block/${dev}/device`;
}

/** A text attribute with trailing white space removed, or null when it cannot be read. */
export function sysfsAttr(host: Host, path: string): string | null {
  const v = host.sysfs.read(path);
  return v === null ? null : v.replace(/[ \t\n\r\f\v]+$/, "");
}

/** A binary attribute's first `maxLen` bytes, or null when it cannot be read. */
export function sysfsBinAttr(host: Host, path: string, maxLen: number): Uint8Array | null {
  const v = host.sysfs.read(path);
  if (v === null) return null;
  const n = Math.min(v.length, maxLen);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = v.charCodeAt(i) & 0xff;
  return out;
}

/**
 * `sysfs_get_asymmetric_access_state`: the SCSI device's `access_state` text and whether
 * `preferred_path` is set: `rc` is -1 when `access_state` cannot be read, 0 when not preferred
 * (or `preferred_path` is unreadable or not a number), 1 when preferred.
 */
export function sysfsGetAsymmetricAccessState(host: Host, dev: string): { rc: number; state: string } {
  const state = sysfsAttr(host, `${scsiDeviceDir(dev)}/access_state`);
  if (state === null) return { rc: -1, state: "" };
  const pref = sysfsAttr(host, `${scsiDeviceDir(dev)}/preferred_path`);
  if (pref === null) return { rc: 0, state };
  const n = strtoul(pref);
  return { rc: n === null ? 0 : n !== 0 ? 1 : 0, state };
}

/**
 * C `strtoul(s, &end, base)` for base 0 (0x hex, leading-0 octal, else decimal) or 10: the value
 * of the digits read (negated after a `-`, which the caller treats as out of range), or null when
 * no digit could be read.
 */
export function strtoul(s: string, base: 0 | 10 = 0): number | null {
  let i = 0;
  while (i < s.length && " \t\n\v\f\r".includes(s[i]!)) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  let radix = 10;
  if (base === 0 && s[i] === "0") {
    if ((s[i + 1] === "x" || s[i + 1] === "X") && /[0-9a-fA-F]/.test(s[i + 2] ?? "")) {
      radix = 16;
      i += 2;
    } else radix = 8;
  }
  const digit = radix === 16 ? /[0-9a-fA-F]/ : radix === 8 ? /[0-7]/ : /[0-9]/;
  const start = i;
  while (i < s.length && digit.test(s[i]!)) i++;
  if (i === start) return null;
  const v = Number.parseInt(s.slice(start, i), radix);
  return neg ? -v : v;
}

/**
 * `sysfs_get_timeout`: the SCSI device's `timeout` attribute in seconds, or null when it is
 * missing or unparsable (the caller then uses the default, 30 s).
 */
export function sysfsGetTimeout(host: Host, dev: string): number | null {
  const v = sysfsAttr(host, `${scsiDeviceDir(dev)}/timeout`);
  if (v === null) return null;
  const t = strtoul(v);
  if (t === null || t < 0 || t > 0xffffffff) return null;
  return t;
}
