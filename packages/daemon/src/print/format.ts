/**
 * The format engine of libmultipath/print.c: column layouts (`get_path_layout`,
 * `get_multipath_layout`), header lines and item lines for a format string with `%X` wildcards.
 *
 * Format rules kept from upstream: text between wildcards is copied; a `%` followed by a letter
 * that is not a wildcard of the table drops both characters (so `%%` prints nothing); a `%` at the
 * very end is dropped; every line ends with `\n`. Padding is by bytes up to the column width.
 */
import type { Multipath, Path, PathGroup } from "../structs/structs.js";
import type { PrintEnv } from "./print-env.js";
import { byteLength, type FieldValue, MAX_FIELD_WIDTH } from "./print-util.js";
import {
  MULTIPATH_WILDCARDS,
  PATH_WILDCARDS,
  PATHGROUP_WILDCARDS,
  type Wildcard,
  wildcardIndex,
} from "./wildcards.js";

/** Column widths, one per entry of a wildcard table (`fieldwidth_t[]`). */
export type FieldWidths = number[];

/** `enum layout_reset`: how a layout pass starts from the widths it is given. */
export const LayoutReset = {
  /** Keep the widths (accumulate over several calls). */
  NOT: 0,
  /** Start from zero: no header will be printed. */
  ZERO: 1,
  /** Start from the header lengths. */
  HEADER: 2,
} as const;
/** One of {@link LayoutReset}'s values. */
export type LayoutReset = (typeof LayoutReset)[keyof typeof LayoutReset];

/** An output buffer: printing appends to it, so a failing print keeps what came before. */
export class StrBuf {
  #parts: string[] = [];
  #bytes = 0;

  /** Appends `s`. */
  append(s: string): void {
    if (s.length === 0) return;
    this.#parts.push(s);
    this.#bytes += byteLength(s);
  }

  /** Length in bytes. */
  get byteLength(): number {
    return this.#bytes;
  }

  /** Drops everything. */
  clear(): void {
    this.#parts = [];
    this.#bytes = 0;
  }

  toString(): string {
    const s = this.#parts.join("");
    this.#parts = [s];
    return s;
  }
}

function valueText(v: FieldValue): string {
  return typeof v === "string" ? v : v.text;
}

function valueRc(v: FieldValue): number {
  return typeof v === "string" ? byteLength(v) : v.rc;
}

function resetWidths<T>(table: readonly Wildcard<T>[], reset: LayoutReset, widths: FieldWidths): void {
  for (let j = 0; j < table.length; j++) {
    if (reset === LayoutReset.HEADER) widths[j] = byteLength(table[j]!.header);
    else if (reset === LayoutReset.ZERO) widths[j] = 0;
    else widths[j] ??= 0;
  }
}

function layout<T>(
  table: readonly Wildcard<T>[],
  items: readonly T[],
  reset: LayoutReset,
  widths: FieldWidths,
  env: PrintEnv,
): FieldWidths {
  resetWidths(table, reset, widths);
  for (let j = 0; j < table.length; j++) {
    const w = table[j]!;
    for (const item of items) {
      let len: number;
      try {
        len = byteLength(valueText(w.print(item, env)));
      } catch {
        // The C layout pass ignores printing errors; whatever was printed was truncated away.
        len = 0;
      }
      widths[j] = Math.max(widths[j]!, Math.min(len, MAX_FIELD_WIDTH));
    }
  }
  return widths;
}

/** `_get_path_layout()`: widens `widths` (a fresh array by default) to fit every path. */
export function pathLayout(
  paths: readonly Path[],
  reset: LayoutReset,
  env: PrintEnv,
  widths: FieldWidths = [],
): FieldWidths {
  return layout(PATH_WILDCARDS, paths, reset, widths, env);
}

/** `_get_multipath_layout()`: widens `widths` (a fresh array by default) to fit every map. */
export function multipathLayout(
  maps: readonly Multipath[],
  reset: LayoutReset,
  env: PrintEnv,
  widths: FieldWidths = [],
): FieldWidths {
  return layout(MULTIPATH_WILDCARDS, maps, reset, widths, env);
}

/** All-zero widths for a table (`calloc`ed layouts: no padding). */
export function zeroWidths(kind: "path" | "multipath"): FieldWidths {
  return new Array<number>(kind === "path" ? PATH_WILDCARDS.length : MULTIPATH_WILDCARDS.length).fill(0);
}

/**
 * Walks `format`, copying literal text and calling `onWildcard(index)` for each known wildcard of
 * `table`; unknown wildcards (and a trailing `%`) are dropped. Ends the line with `\n`.
 */
function walkFormat<T>(
  buf: StrBuf,
  format: string,
  table: readonly Wildcard<T>[],
  onWildcard: (index: number, wildcard: Wildcard<T>) => void,
): void {
  let pos = 0;
  for (;;) {
    const f = format.indexOf("%", pos);
    if (f < 0) break;
    buf.append(format.slice(pos, f));
    if (f + 1 >= format.length) {
      pos = format.length;
      break;
    }
    const cp = format.codePointAt(f + 1)!;
    const ch = String.fromCodePoint(cp);
    pos = f + 1 + ch.length;
    const i = wildcardIndex(table, ch);
    if (i >= 0) onWildcard(i, table[i]!);
  }
  buf.append(`${format.slice(pos)}\n`);
}

function pad(buf: StrBuf, rc: number, width: number | undefined): void {
  if (width !== undefined && rc < width) buf.append(" ".repeat(width - rc));
}

function snprintHeader<T>(
  buf: StrBuf,
  format: string,
  table: readonly Wildcard<T>[],
  widths: FieldWidths,
): void {
  walkFormat(buf, format, table, (i, w) => {
    buf.append(w.header);
    pad(buf, byteLength(w.header), widths[i]);
  });
}

function snprintItem<T>(
  buf: StrBuf,
  item: T,
  format: string,
  table: readonly Wildcard<T>[],
  widths: FieldWidths | null,
  env: PrintEnv,
): void {
  walkFormat(buf, format, table, (i, w) => {
    const v = w.print(item, env);
    buf.append(valueText(v));
    if (widths !== null) pad(buf, valueRc(v), widths[i]);
  });
}

/** `snprint_path_header()`. */
export function snprintPathHeader(buf: StrBuf, format: string, widths: FieldWidths): void {
  snprintHeader(buf, format, PATH_WILDCARDS, widths);
}

/** `snprint_multipath_header()`. */
export function snprintMultipathHeader(buf: StrBuf, format: string, widths: FieldWidths): void {
  snprintHeader(buf, format, MULTIPATH_WILDCARDS, widths);
}

/** `snprint_path()`: one line for `pp`; `widths` null means raw (no padding). Throws PrintAbort mid-line. */
export function snprintPath(
  buf: StrBuf,
  pp: Path,
  format: string,
  widths: FieldWidths | null,
  env: PrintEnv,
): void {
  snprintItem(buf, pp, format, PATH_WILDCARDS, widths, env);
}

/** `snprint_multipath()`: one line for `mpp`; `widths` null means raw. Throws PrintAbort mid-line. */
export function snprintMultipath(
  buf: StrBuf,
  mpp: Multipath,
  format: string,
  widths: FieldWidths | null,
  env: PrintEnv,
): void {
  snprintItem(buf, mpp, format, MULTIPATH_WILDCARDS, widths, env);
}

/** `snprint_pathgroup()`: one line for a group (never padded). */
export function snprintPathgroup(buf: StrBuf, pg: PathGroup, format: string, env: PrintEnv): void {
  snprintItem(buf, pg, format, PATHGROUP_WILDCARDS, null, env);
}
