/**
 * The bodies of multipathd's read-only `show` handlers (multipathd/cli_handlers.c `show_paths`,
 * `show_maps`, `show_map`, `show_maps_topology`, `show_map_topology`, `show_maps_json`,
 * `show_map_json`, `show_path`), over plain arrays. Each returns the reply text and whether the
 * handler succeeded; a failed handler keeps what it printed before failing (and multipathd sends
 * that text instead of `fail`).
 */
import type { Multipath, Path } from "../structs/structs.js";
import {
  type FieldWidths,
  LayoutReset,
  multipathLayout,
  pathLayout,
  StrBuf,
  snprintMultipath,
  snprintMultipathHeader,
  snprintPath,
  snprintPathHeader,
} from "./format.js";
import { snprintMultipathMapJson, snprintMultipathTopologyJson } from "./json.js";
import type { PrintEnv } from "./print-env.js";
import { PrintAbort } from "./print-util.js";
import { snprintMultipathTopology } from "./topology.js";

/** A show handler's result: `ok` false is a handler failure (rc 1). */
export interface ShowOutput {
  readonly ok: boolean;
  readonly text: string;
}

/**
 * `update_multipath(vecs, alias, 0)`: re-reads one map from the kernel before it is shown. Returns
 * false when the map is gone (upstream then drops it from the map list and skips it).
 */
export type RefreshMap = (mpp: Multipath) => boolean;

function run(body: (buf: StrBuf) => boolean | undefined): ShowOutput {
  const buf = new StrBuf();
  try {
    const ok = body(buf) ?? true;
    return { ok, text: buf.toString() };
  } catch (e) {
    if (e instanceof PrintAbort) return { ok: false, text: buf.toString() };
    throw e;
  }
}

/**
 * `show_paths()`: `pretty` adds the header and pads columns (sized over every path, header
 * included); an empty list prints nothing (not even the header).
 */
export function showPaths(
  paths: readonly Path[],
  format: string,
  pretty: boolean,
  env: PrintEnv,
): ShowOutput {
  return run((buf) => {
    let widths: FieldWidths | null = null;
    let hdrLen = 0;
    if (pretty) {
      widths = pathLayout(paths, LayoutReset.HEADER, env);
      snprintPathHeader(buf, format, widths);
      hdrLen = buf.byteLength;
    }
    for (const pp of paths) snprintPath(buf, pp, format, widths, env);
    if (pretty && buf.byteLength === hdrLen) buf.clear();
    return true;
  });
}

/** `show_path()`: one path, unpadded (`show path P` uses `%o`). */
export function showPath(pp: Path, format: string, env: PrintEnv): ShowOutput {
  return run((buf) => {
    snprintPath(buf, pp, format, null, env);
    return true;
  });
}

/**
 * `show_maps()`: like {@link showPaths} for maps. Widths are computed before the maps are
 * refreshed, as upstream does; a map whose refresh fails is skipped.
 */
export function showMaps(
  maps: readonly Multipath[],
  format: string,
  pretty: boolean,
  env: PrintEnv,
  refresh: RefreshMap,
): ShowOutput {
  return run((buf) => {
    let widths: FieldWidths | null = null;
    let hdrLen = 0;
    if (pretty) {
      widths = multipathLayout(maps, LayoutReset.HEADER, env);
      snprintMultipathHeader(buf, format, widths);
      hdrLen = buf.byteLength;
    }
    for (const mpp of [...maps]) {
      if (!refresh(mpp)) continue;
      snprintMultipath(buf, mpp, format, widths, env);
    }
    if (pretty && buf.byteLength === hdrLen) buf.clear();
    return true;
  });
}

/**
 * `cli_list_map_fmt()`: one map with the given format, no header but padded to the widths of all
 * maps *with* headers (so `show map M format %N` pads to `paths`). `raw format` does the same.
 * No refresh, as upstream.
 */
export function showMapFormat(
  maps: readonly Multipath[],
  mpp: Multipath,
  format: string,
  env: PrintEnv,
): ShowOutput {
  return run((buf) => {
    const widths = multipathLayout(maps, LayoutReset.HEADER, env);
    snprintMultipath(buf, mpp, format, widths, env);
    return true;
  });
}

/**
 * `show_maps_topology()`: every map's topology, path columns sized over every known path (not
 * only the map's own). Maps whose refresh fails are skipped.
 */
export function showMapsTopology(
  paths: readonly Path[],
  maps: readonly Multipath[],
  env: PrintEnv,
  refresh: RefreshMap,
): ShowOutput {
  return run((buf) => {
    const widths = pathLayout(paths, LayoutReset.ZERO, env);
    for (const mpp of [...maps]) {
      if (!refresh(mpp)) continue;
      snprintMultipathTopology(buf, mpp, 2, widths, env);
    }
    return true;
  });
}

/** `cli_list_map_topology()`: one map's topology; fails when its refresh fails. */
export function showMapTopology(
  paths: readonly Path[],
  mpp: Multipath,
  env: PrintEnv,
  refresh: RefreshMap,
): ShowOutput {
  return run((buf) => {
    const widths = pathLayout(paths, LayoutReset.ZERO, env);
    if (!refresh(mpp)) return false;
    snprintMultipathTopology(buf, mpp, 2, widths, env);
    return true;
  });
}

/** `show_maps_json()`: every map is refreshed first; any failure fails the command with no output. */
export function showMapsJson(maps: readonly Multipath[], env: PrintEnv, refresh: RefreshMap): ShowOutput {
  return run((buf) => {
    for (const mpp of [...maps]) if (!refresh(mpp)) return false;
    snprintMultipathTopologyJson(buf, maps, env);
    return true;
  });
}

/** `show_map_json()`. */
export function showMapJson(mpp: Multipath, env: PrintEnv, refresh: RefreshMap): ShowOutput {
  return run((buf) => {
    if (!refresh(mpp)) return false;
    snprintMultipathMapJson(buf, mpp, env);
    return true;
  });
}
