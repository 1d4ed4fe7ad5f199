/**
 * The wwids file (libmultipath/wwids.c, 0.9.4): the WWIDs multipath has used, one `/<wwid>/`
 * per line; `find_multipaths` consults it (`should_multipath`), map creation adds to it
 * (`remember_wwid`), `multipath -w` comments a line out and `-W` rewrites the file. Also the
 * "failed WWID" markers under `/run/multipath/failed_wwids`.
 */

import { WWID_SIZE } from "../structs/structs.js";
import { findMpByWwid } from "../structs/structs-vec.js";
import type { LibmpContext } from "./context.js";
import { dmGetUuid } from "./devmapper.js";
import { appendToFile, openFile, type ParsedLines, rewriteFile } from "./file.js";
import type { MpMap, MpPath } from "./structs.js";

/** `WWIDS_FILE_HEADER`. */
export const WWIDS_FILE_HEADER =
  "# Multipath wwids, Version : 1.0\n" +
  "# NOTE: This file is automatically maintained by multipath and multipathd.\n" +
  "# You should not need to edit this file in normal circumstances.\n" +
  "#\n" +
  "# Valid WWIDs:\n";

/** `MULTIPATH_SHM_BASE "failed_wwids"`. */
export const FAILED_WWIDS_DIR = "/run/multipath/failed_wwids";

/**
 * `lookup_wwid`: true when some line starts with `/<wwid>/` (a line not starting with `/` is
 * skipped whole; anything after the closing `/` is ignored).
 */
export function lookupWwid(text: string, wwid: string, cache?: ParsedLines<string | null>): boolean {
  if (cache !== undefined) return cache.has(text, wwid);
  for (const line of text.split("\n")) if (wwidsLine(line) === wwid) return true;
  return false;
}

/** The WWID a wwids file line lists (`/<wwid>/`), or null. */
export function wwidsLine(line: string): string | null {
  if (line[0] !== "/") return null;
  const end = line.indexOf("/", 1);
  if (end < 0) return null;
  const got = line.slice(1, end);
  return got.length >= WWID_SIZE ? null : got;
}

/**
 * `check_wwids_file`: 0 when the WWID is listed, 1 when it was just added (`write`), -1 when it
 * is not listed (or could not be added).
 */
export function checkWwidsFile(ctx: LibmpContext, wwid: string, write: boolean): number {
  const f = openFile(ctx, ctx.config.wwidsFile, WWIDS_FILE_HEADER);
  if (f === null) return -1;
  if (lookupWwid(f.text, wwid, ctx.fileCache.wwids)) return 0;
  if (!write) return -1;
  if (!f.canWrite) {
    ctx.log.log(0, "wwids file is read-only. Can't write wwid");
    return -1;
  }
  if (`/${wwid}/\n`.length >= WWID_SIZE + 3) {
    ctx.log.log(0, "can't format wwid for writing (-1) : Success");
    return -1;
  }
  const before = f.text;
  const line = `/${wwid}/\n`;
  if (!appendToFile(ctx, f, line)) {
    ctx.log.log(0, "cannot write wwid to wwids file : Read-only file system");
    return -1;
  }
  ctx.fileCache.wwids.appended(before, line, f.text);
  return 1;
}

/** `remember_wwid`: adds the WWID; 1 when it is new, 0 when known, -1 on error. */
export function rememberWwid(ctx: LibmpContext, wwid: string): number {
  const r = checkWwidsFile(ctx, wwid, true);
  if (r < 0) {
    ctx.log.log(3, `failed writing wwid ${wwid} to wwids file`);
    return -1;
  }
  if (r === 1) ctx.log.log(3, `wrote wwid ${wwid} to wwids file`);
  else ctx.log.log(4, `wwid ${wwid} already in wwids file`);
  return r;
}

/** `remove_wwid`: comments out the first `/<wwid>/\n` (0), or 1 when absent, -1 on error. */
export function removeWwid(ctx: LibmpContext, wwid: string): number {
  const str = `/${wwid}/\n`;
  ctx.log.log(3, `removing line '${str}' from wwids file`);
  const f = openFile(ctx, ctx.config.wwidsFile, WWIDS_FILE_HEADER);
  if (f === null) return -1;
  if (!f.canWrite) {
    ctx.log.log(0, "cannot remove wwid. wwids file is read-only");
    return -1;
  }
  const at = f.text.indexOf(str);
  if (at < 0) return 1;
  ctx.log.log(3, `found '${str}'`);
  return rewriteFile(ctx, f, `${f.text.slice(0, at)}#${f.text.slice(at + 1)}`) ? 0 : -1;
}

/** `replace_wwids`: the file rewritten to list exactly the maps' WWIDs. */
export function replaceWwids(ctx: LibmpContext, maps: readonly { readonly wwid: string }[]): number {
  const f = openFile(ctx, ctx.config.wwidsFile, WWIDS_FILE_HEADER);
  if (f === null) return -1;
  if (!f.canWrite) {
    ctx.log.log(0, "cannot replace wwids. wwids file is read-only");
    return -1;
  }
  return rewriteFile(ctx, f, WWIDS_FILE_HEADER + maps.map((m) => `/${m.wwid}/\n`).join("")) ? 0 : -1;
}

/**
 * `should_multipath`: with find_multipaths off or greedy always; otherwise when the WWID is
 * already a map or another path shares it (not for `strict`), or it is in the wwids file.
 */
export function shouldMultipath(
  ctx: LibmpContext,
  pp1: MpPath,
  pathvec: readonly MpPath[],
  mpvec: readonly MpMap[],
): boolean {
  const fm = ctx.config.findMultipaths;
  if (fm === "off" || fm === "greedy") return true;
  ctx.log.log(4, `checking if ${pp1.dev} should be multipathed`);
  if (fm !== "strict") {
    const mp = findMpByWwid(mpvec, pp1.wwid);
    if (mp !== null) {
      const uuid = dmGetUuid(ctx, mp.alias ?? mp.wwid);
      if (uuid !== null && uuid.slice(0, WWID_SIZE) === pp1.wwid.slice(0, WWID_SIZE)) {
        ctx.log.log(3, `wwid ${pp1.wwid} is already multipathed, keeping it`);
        return true;
      }
    }
    for (const pp2 of pathvec) {
      if (pp1.dev === pp2.dev) continue;
      if (pp1.wwid.slice(0, WWID_SIZE) === pp2.wwid.slice(0, WWID_SIZE)) {
        ctx.log.log(3, `found multiple paths with wwid ${pp1.wwid}, multipathing ${pp1.dev}`);
        return true;
      }
    }
  }
  if (checkWwidsFile(ctx, pp1.wwid, false) < 0) {
    ctx.log.log(3, `wwid ${pp1.wwid} not in wwids file, skipping ${pp1.dev}`);
    return false;
  }
  ctx.log.log(3, `found wwid ${pp1.wwid} in wwids file, multipathing ${pp1.dev}`);
  return true;
}

/** Results of the failed-WWID marker functions. */
export const WwidFailed = {
  IS_NOT_FAILED: 0,
  IS_FAILED: 1,
  UNCHANGED: 2,
  CHANGED: 3,
  ERROR: -1,
} as const;

/** `is_failed_wwid`. */
export function isFailedWwid(ctx: LibmpContext, wwid: string): number {
  const r =
    ctx.host.files.read(`${FAILED_WWIDS_DIR}/${wwid}`) !== null
      ? WwidFailed.IS_FAILED
      : WwidFailed.IS_NOT_FAILED;
  ctx.log.log(4, `is_failed: ${wwid} is ${r === WwidFailed.IS_FAILED ? "failed" : "good"}`);
  return r;
}

/** `mark_failed_wwid`. */
export function markFailedWwid(ctx: LibmpContext, wwid: string): number {
  const path = `${FAILED_WWIDS_DIR}/${wwid}`;
  if (ctx.host.files.read(path) !== null) return WwidFailed.UNCHANGED;
  if (ctx.host.files.write(path, "") !== 0) {
    ctx.log.log(1, `mark_failed: ${wwid}: Read-only file system`);
    return WwidFailed.ERROR;
  }
  ctx.log.log(3, `mark_failed: ${wwid}`);
  return WwidFailed.CHANGED;
}

/** `unmark_failed_wwid`. */
export function unmarkFailedWwid(ctx: LibmpContext, wwid: string): number {
  const path = `${FAILED_WWIDS_DIR}/${wwid}`;
  if (ctx.host.files.read(path) === null) return WwidFailed.UNCHANGED;
  if (ctx.host.files.remove(path) !== 0) return WwidFailed.ERROR;
  ctx.log.log(3, `unmark_failed: ${wwid}`);
  return WwidFailed.CHANGED;
}
