/**
 * How dm core turns a table's device argument into a dev_t (`dm_get_device` → `dm_get_dev_t` →
 * `lookup_bdev` / `name_to_dev_t`), with the quirks of Linux 6.1 that show in transcripts:
 * `7:0:1` is loop0 (the `maj:min:offset` boot syntax), `7` is hex `0x7` = dev 0:7 (ENXIO when
 * opened), `foo` and `/dev/nonexistent` do not resolve (ENODEV).
 */

import { type DevT, MINORBITS, mkdev } from "../block/devt.js";
import { Errno } from "../block/status.js";
import { isKernelSpace } from "./dm-args.js";

/** Result of a device lookup: a dev_t, or a negative errno as the kernel returns it. */
export type DevLookup =
  | { readonly ok: true; readonly devt: DevT }
  | { readonly ok: false; readonly errno: number };

/**
 * What the resolver can ask of the system: the dev_t of a device node path (`lookup_bdev`, e.g.
 * `/dev/loop0`, `/dev/mapper/x`) and of a kernel disk name (`blk_lookup_devt`, e.g. `loop0`).
 */
export interface DevNamespace {
  /** The dev_t of the block device node at `path`, or undefined when there is none. */
  nodeDevt(path: string): DevT | undefined;
  /** The dev_t of the disk called `name` (`/` already mapped to `!`), or undefined. */
  diskDevt(name: string): DevT | undefined;
}

const MAX_MAJOR = (1 << (32 - MINORBITS)) - 1;
const MAX_MINOR = (1 << MINORBITS) - 1;

interface Scan {
  readonly value: number;
  readonly next: number;
}

/** The kernel's `%u` conversion at `i`: skips blanks, then decimal digits, truncated to 32 bits. */
function scanU32(s: string, i: number): Scan | null {
  while (i < s.length && isKernelSpace(s[i]!)) i++;
  const start = i;
  let v = 0n;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = (v * 10n + BigInt(c - 48)) & 0xffff_ffff_ffff_ffffn;
    i++;
  }
  if (i === start) return null;
  return { value: Number(v & 0xffff_ffffn), next: i };
}

/** `sscanf(s, "%u:%u%c", &maj, &min, &c)`: the count of conversions, the two numbers. */
function scanMajMin(s: string): { count: number; maj: number; min: number; next: number } {
  const a = scanU32(s, 0);
  if (!a) return { count: 0, maj: 0, min: 0, next: 0 };
  if (s[a.next] !== ":") return { count: 1, maj: a.value, min: 0, next: a.next };
  const b = scanU32(s, a.next + 1);
  if (!b) return { count: 1, maj: a.value, min: 0, next: a.next + 1 };
  return { count: b.next < s.length ? 3 : 2, maj: a.value, min: b.value, next: b.next };
}

/** `new_decode_dev()`: the 32-bit userspace dev_t encoding. */
function newDecodeDev(dev: number): DevT {
  const maj = (dev & 0xfff00) >>> 8;
  const min = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
  return mkdev(maj, min);
}

/** `simple_strtoul(s, &end, 16)`: value (32 low bits) and where parsing stopped. */
function strtoulHex(s: string): { value: number; end: number } {
  let i = 0;
  if (s[0] === "0" && (s[1] === "x" || s[1] === "X")) i = 2;
  let v = 0n;
  for (; i < s.length; i++) {
    const d = Number.parseInt(s[i]!, 16);
    if (Number.isNaN(d)) break;
    v = (v * 16n + BigInt(d)) & 0xffff_ffff_ffff_ffffn;
  }
  return { value: Number(v & 0xffff_ffffn), end: i };
}

/** `name_to_dev_t()` of Linux 6.1 (init/do_mounts.c): 0 when the name means nothing. */
export function nameToDevT(name: string, ns: DevNamespace): DevT {
  if (name.startsWith("PARTUUID=") || name.startsWith("PARTLABEL=")) return 0;
  if (!name.startsWith("/dev/")) {
    const mm = scanMajMin(name);
    // sscanf(name, "%u:%u:%u:%c") == 3: maj:min:offset, optionally followed by a lone ':'.
    let threeField = false;
    if (mm.count === 3 && name[mm.next] === ":") {
      const off = scanU32(name, mm.next + 1);
      threeField = off !== null && !(name[off.next] === ":" && off.next + 1 < name.length);
    }
    if (mm.count === 2 || threeField) {
      if (mm.maj > MAX_MAJOR || mm.min > MAX_MINOR) return 0;
      return mkdev(mm.maj, mm.min);
    }
    const h = strtoulHex(name);
    if (h.end !== name.length) return 0;
    return newDecodeDev(h.value);
  }
  const rest = name.slice(5);
  if (rest === "nfs" || rest === "cifs" || rest === "ram") return 0;
  if (rest.length > 31) return 0;
  const s = rest.replace(/\//g, "!");
  return ns.diskDevt(s) ?? 0;
}

/**
 * `dm_get_device()`'s resolution of `path` to a dev_t: `major:minor` (both must fit, else
 * -EOVERFLOW), else `lookup_bdev(path)`, else `name_to_dev_t(path)` (0 → -ENODEV).
 */
export function dmDevtFromPath(path: string, ns: DevNamespace): DevLookup {
  const mm = scanMajMin(path);
  if (mm.count === 2) {
    if (mm.maj > MAX_MAJOR || mm.min > MAX_MINOR) return { ok: false, errno: -Errno.EOVERFLOW };
    return { ok: true, devt: mkdev(mm.maj, mm.min) };
  }
  const node = ns.nodeDevt(path);
  if (node !== undefined) return { ok: true, devt: node };
  const dev = nameToDevT(path, ns);
  if (!dev) return { ok: false, errno: -Errno.ENODEV };
  return { ok: true, devt: dev };
}
