/**
 * The topology view of `multipath -ll` and `multipathd show topology` (print.c
 * `_snprint_multipath_topology`):
 *
 * ```
 * create: mpatha (333333330000007d0) dm-0 Linux,scsi_debug
 * size=16M features='0' hwhandler='1 alua' wp=rw
 * |-+- policy='service-time 0' prio=50 status=active
 * | `- 0:0:0:0 sda 8:0  active ready running
 * `-+- policy='service-time 0' prio=10 status=enabled
 *   `- 1:0:0:0 sdb 8:16 active ready running
 * ```
 */
import { MapAction, type Multipath, WWID_SIZE } from "../structs/structs.js";
import {
  type FieldWidths,
  LayoutReset,
  pathLayout,
  StrBuf,
  snprintMultipath,
  snprintPath,
  snprintPathgroup,
  zeroWidths,
} from "./format.js";
import type { PrintEnv } from "./print-env.js";
import { PrintAbort } from "./print-util.js";

/** PRINT_MAP_PROPS: the second line of a topology. */
export const PRINT_MAP_PROPS = "size=%S features='%f' hwhandler='%h' wp=%r";
/** PRINT_PG_INDENT: a path group line. */
export const PRINT_PG_INDENT = "policy='%s' prio=%p status=%t";
/** PRINT_PATH_INDENT: a path line. */
export const PRINT_PATH_INDENT = "%i %d %D %t %T %o";

/** How a topology is printed. */
export interface TopologyOptions {
  /** Wrap the header line in bold escapes, as upstream does when stdout is a terminal. */
  readonly tty?: boolean;
}

/** The first `WWID_SIZE` bytes compare as `strncmp` does (byte-wise = UTF-16-unit-wise for ASCII). */
function sameUpTo(a: string, b: string, n: number): boolean {
  return a.slice(0, n) === b.slice(0, n);
}

/**
 * `snprint_multipath_style()`: the header line's format — `%A: ` when the last configuration
 * pass did something (verbosity > 1), `%n`, ` (%w)` unless the name is the WWID, then ` %d %s`.
 * A map without an alias prints its WWID as name, so no `(wwid)` follows it.
 */
export function multipathStyle(mpp: Multipath, verbosity: number): string {
  const needAction =
    verbosity > 1 &&
    mpp.action !== MapAction.NOTHING &&
    mpp.action !== MapAction.UNDEF &&
    mpp.action !== MapAction.IMPOSSIBLE;
  const needWwid = !sameUpTo(mpp.alias ?? mpp.wwid, mpp.wwid, WWID_SIZE);
  return `${needAction ? "%A: " : ""}%n${needWwid ? " (%w)" : ""} %d %s`;
}

/**
 * `_snprint_multipath_topology()`: nothing at verbosity <= 0, the name at 1, the full tree from 2.
 * `pathWidths` are the path column widths (upstream: over every path the daemon knows for
 * `show topology`, over the map's own paths for `multipath -ll`). Throws PrintAbort mid-way
 * (with `buf` holding what was printed) where upstream's printing fails.
 */
export function snprintMultipathTopology(
  buf: StrBuf,
  mpp: Multipath,
  verbosity: number,
  pathWidths: FieldWidths,
  env: PrintEnv,
  options: TopologyOptions = {},
): void {
  if (verbosity <= 0) return;
  const mapWidths = zeroWidths("multipath");
  if (verbosity === 1) {
    snprintMultipath(buf, mpp, "%n", mapWidths, env);
    return;
  }
  let style = multipathStyle(mpp, verbosity);
  if (options.tty) style = `\x1b[1m${style}\x1b[0m`;
  snprintMultipath(buf, mpp, style, mapWidths, env);
  snprintMultipath(buf, mpp, PRINT_MAP_PROPS, mapWidths, env);
  const groups = mpp.pg;
  groups.forEach((pg, j) => {
    const lastGroup = j + 1 === groups.length;
    buf.append(`${lastGroup ? "`" : "|"}-+- `);
    snprintPathgroup(buf, pg, PRINT_PG_INDENT, env);
    pg.paths.forEach((pp, i) => {
      buf.append(`${lastGroup ? " " : "|"} ${i + 1 === pg.paths.length ? "`" : "|"}- `);
      snprintPath(buf, pp, PRINT_PATH_INDENT, pathWidths, env);
    });
  });
}

/** Path widths over the map's own paths (what `print_multipath_topology` uses). */
export function mapPathWidths(mpp: Multipath, env: PrintEnv): FieldWidths {
  const widths = zeroWidths("path");
  for (const pg of mpp.pg) pathLayout(pg.paths, LayoutReset.NOT, env, widths);
  return widths;
}

/**
 * `print_multipath_topology()`: the topology of one map as the `multipath` tool prints it
 * (`multipath -ll`, the `create:` lines of `multipath`), columns sized over the map's own paths.
 */
export function formatMultipathTopology(
  mpp: Multipath,
  verbosity: number,
  env: PrintEnv,
  options: TopologyOptions = {},
): string {
  const buf = new StrBuf();
  try {
    snprintMultipathTopology(buf, mpp, verbosity, mapPathWidths(mpp, env), env, options);
  } catch (e) {
    // Upstream ignores the failure and prints whatever was formatted up to it.
    if (!(e instanceof PrintAbort)) throw e;
  }
  return buf.toString();
}
