/**
 * Small formatting primitives of libmultipath/print.c: sizes, the progress bar, C integer
 * conversions, and byte widths (the C code pads by bytes, so a width is a UTF-8 byte count).
 */

/** PROGRESS_LEN: characters in the next_check / failback bar. */
export const PROGRESS_LEN = 10;

/** MAX_FIELD_WIDTH (UCHAR_MAX): columns are never padded wider than this. */
export const MAX_FIELD_WIDTH = 255;

/** Length of `s` in UTF-8 bytes, as `strlen()` would count it. */
export function byteLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      // A surrogate pair is 2 UTF-16 units and 4 bytes.
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

/** `%i` of a C int. */
export function cIntString(v: number): string {
  return String(v | 0);
}

/** `%u` of a C unsigned int. */
export function cUintString(v: number): string {
  return String(v >>> 0);
}

/**
 * `snprint_size()`: sectors → `16M`, `8.0M`, `5.0G`. Upstream halves the sector count into KiB,
 * converts to a C `float`, divides by 1024 (in float) up to P, and prints with `%.*f` using one
 * decimal below 10 and none from 10 up — glibc rounding the exact binary value half-to-even.
 */
export function formatSize(sectors: number): string {
  const units = "KMGTP";
  let s = Math.fround(Math.floor(sectors / 2));
  let u = 0;
  while (s >= 1024 && u < units.length - 1) {
    s = Math.fround(s / 1024);
    u++;
  }
  return formatFixedHalfEven(s, s < 10 ? 1 : 0) + units[u];
}

/**
 * `printf("%.*f", decimals, x)` for a float-exact `x` and 0 or 1 decimals: the scaled value is
 * exact in a double (24-bit mantissa times 10), so ties are detected exactly and go to even.
 */
function formatFixedHalfEven(x: number, decimals: 0 | 1): string {
  const scale = decimals === 1 ? 10 : 1;
  const scaled = x * scale;
  let n = Math.floor(scaled);
  const frac = scaled - n;
  if (frac > 0.5 || (frac === 0.5 && n % 2 === 1)) n++;
  if (decimals === 0) return String(n);
  return `${Math.floor(n / 10)}.${n % 10}`;
}

/**
 * What a field printer produced: usually its text; for upstream's error quirks, the text that
 * stays in the buffer plus the byte count the C function claimed (`rc`), which drives padding.
 */
export type FieldValue = string | FieldQuirk;

/** A field whose C printer returned a count different from what it left in the buffer. */
export interface FieldQuirk {
  readonly text: string;
  readonly rc: number;
}

/**
 * Thrown by a field printer where the C printer returned an error: the whole line (and the
 * command printing it) stops there, keeping what was already printed.
 */
export class PrintAbort extends Error {
  readonly code = "MP_PRINT_ABORT";
}

/**
 * `snprint_progress()`: a 10-character bar of `X` (done) and `.` (to do), then ` cur/total`.
 * With a non-positive total only ` cur/total` is printed. Upstream quirks kept: when `cur` exceeds
 * `total` the `.` fill fails, the bar is dropped and the function claims 1 byte (an operator
 * precedence slip in print.c); a negative `cur` makes the `X` fill fail, which aborts the line.
 */
export function formatProgress(cur: number, total: number): FieldValue {
  const c = cur | 0;
  const t = total | 0;
  if (t > 0) {
    // C int arithmetic: PROGRESS_LEN * cur / total, truncated toward zero.
    const i = Math.trunc((PROGRESS_LEN * c) / t);
    const j = PROGRESS_LEN - i;
    if (i < 0) throw new PrintAbort("progress bar with a negative count");
    if (j < 0) return { text: "", rc: 1 };
    return `${"X".repeat(i)}${".".repeat(j)} ${c}/${t}`;
  }
  return ` ${c}/${t}`;
}
