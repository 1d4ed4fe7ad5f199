/**
 * Should a block device be claimed as a multipath path? (libmultipath/valid.c `is_path_valid`,
 * sysfs.c `sysfs_is_multipathed`; what `multipath -u` / `multipath -c` answer for udev's
 * 56-multipath.rules.)
 */

import type { LibmpContext } from "./context.js";
import { DI, PathinfoResult } from "./defaults.js";
import { dmMapPresent } from "./devmapper.js";
import { pathinfoNoIo } from "./discovery.js";
import { openFile } from "./file.js";
import { setPathWwid } from "./path-index.js";
import { allocPath, type MpPath } from "./structs.js";
import { isFailedWwid, lookupWwid, WWIDS_FILE_HEADER, WwidFailed } from "./wwids.js";

/** `enum is_path_valid_result`. */
export const PathValid = {
  ERROR: -1,
  NOT_VALID: 0,
  VALID: 1,
  VALID_NO_CHECK: 2,
  MAYBE_VALID: 3,
} as const;
export type PathValid = (typeof PathValid)[keyof typeof PathValid];

/** `sysfs_is_multipathed`: a holder of the device is an `mpath-` dm map; sets the WWID from it. */
export function sysfsIsMultipathed(ctx: LibmpContext, pp: MpPath, setWwid: boolean): boolean {
  const holders = ctx.host.sysfs.list(`/sys/block/${pp.dev}/holders`);
  if (holders === null) return false;
  for (const h of holders.filter((n) => n.startsWith("dm-")).sort()) {
    const uuid = ctx.host.sysfs.read(`/sys/block/${pp.dev}/holders/${h}/dm/uuid`);
    if (uuid === null) {
      ctx.log.log(1, `sysfs_is_multipathed: error opening /sys/block/${pp.dev}/holders/${h}/dm/uuid`);
      continue;
    }
    const u = uuid.replace(/\n$/, "");
    if (u.length > 6 && u.startsWith("mpath-")) {
      if (setWwid) setPathWwid(ctx.pathIndex, pp, u.slice(6));
      return true;
    }
  }
  return false;
}

/**
 * `is_path_valid`. `multipathdRunning` answers `__mpath_connect` (null: do not ask, as
 * `multipath -c` without -i does not).
 */
export function isPathValid(
  ctx: LibmpContext,
  name: string,
  pp: MpPath,
  multipathdRunning: (() => boolean) | null,
): PathValid {
  const conf = ctx.config;
  pp.dev = name;
  if (sysfsIsMultipathed(ctx, pp, true)) return pp.wwid === "" ? PathValid.ERROR : PathValid.VALID_NO_CHECK;
  if (multipathdRunning !== null && !multipathdRunning()) {
    ctx.log.log(3, "multipathd not running or enabled");
    return PathValid.NOT_VALID;
  }
  pp.udev = ctx.host.udev.device("block", name);
  if (pp.udev === null) return PathValid.ERROR;
  const r = pathinfoNoIo(ctx, pp, DI.SYSFS | DI.WWID | DI.BLACKLIST);
  if (r === PathinfoResult.SKIPPED) return PathValid.NOT_VALID;
  if (r !== PathinfoResult.OK) return PathValid.ERROR;
  if (pp.wwid === "") return PathValid.NOT_VALID;
  const failed = isFailedWwid(ctx, pp.wwid);
  if (failed !== WwidFailed.IS_NOT_FAILED)
    return failed === WwidFailed.IS_FAILED ? PathValid.NOT_VALID : PathValid.ERROR;
  if (conf.findMultipaths === "greedy") return PathValid.VALID;
  const f = openFile(ctx, conf.wwidsFile, WWIDS_FILE_HEADER);
  if (f !== null && lookupWwid(f.text, pp.wwid, ctx.fileCache.wwids)) return PathValid.VALID_NO_CHECK;
  if (ctx.host.dm.info({ uuid: `mpath-${pp.wwid}` }).ok) return PathValid.VALID;
  if (conf.findMultipaths !== "smart") return PathValid.NOT_VALID;
  return PathValid.MAYBE_VALID;
}

/** `multipath -u` for a device: 0 (not a path), 1 (a path), 2 (maybe: find_multipaths smart). */
export function multipathU(
  ctx: LibmpContext,
  name: string,
  multipathdRunning: () => boolean,
): "0" | "1" | "2" {
  const pp = allocPath();
  const r = isPathValid(ctx, name, pp, multipathdRunning);
  switch (r) {
    case PathValid.VALID:
    case PathValid.VALID_NO_CHECK:
      return "1";
    case PathValid.MAYBE_VALID:
      return "2";
    default:
      return "0";
  }
}

export { dmMapPresent };
