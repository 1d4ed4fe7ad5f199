/**
 * fio's value syntax: sizes with unit suffixes, times, booleans, comma-separated per-direction
 * values. Parsers return a value or an error message (never throw).
 */

/** A parse result. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

const PREFIX_POWER: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

/**
 * A size in bytes: `4096`, `0x1000`, `4k`, `4K`, `4kb`, `1m`, `2g`, `4KiB`.
 *
 * fio's `kb_base` decides the prefixes: with the default 1024 ("compatibility mode") `k`, `kb`
 * and `KB` are powers of 1024 and — fio's own quirk — the IEC forms `KiB`, `MiB` are powers of
 * 1000; with `kb_base=1000` it is the other way round (SI `kB` = 1000, IEC `KiB` = 1024).
 * A bare number is bytes. Fractions are allowed with a suffix (`1.5m`); the result is rounded down.
 */
export function parseSize(text: string, kbBase: 1000 | 1024 = 1024): Parsed<number> {
  const s = text.trim();
  if (s === "") return fail("empty size");
  if (/^0x[0-9a-f]+$/i.test(s)) return ok(Number.parseInt(s.slice(2), 16));
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp])?(i)?(b)?$/i.exec(s);
  if (!m) return fail(`invalid size "${text}"`);
  const num = Number(m[1]);
  const prefix = m[2]?.toLowerCase();
  const iec = m[3] !== undefined;
  if (!prefix) {
    if (iec) return fail(`invalid size "${text}"`);
    if (!Number.isInteger(num)) return fail(`invalid size "${text}": a byte count must be an integer`);
    return ok(num);
  }
  const power = PREFIX_POWER[prefix]!;
  const base = kbBase === 1024 ? (iec ? 1000 : 1024) : iec ? 1024 : 1000;
  const v = Math.floor(num * base ** power);
  if (!Number.isSafeInteger(v)) return fail(`size "${text}" is too large`);
  return ok(v);
}

/** A size or a percentage of something (`50%`): `{ bytes }` or `{ percent }`. */
export type SizeOrPercent = { readonly bytes: number } | { readonly percent: number };

/** `parseSize`, or a percentage (`size=50%`, `offset=10%`) in (0, 100]. */
export function parseSizeOrPercent(text: string, kbBase: 1000 | 1024 = 1024): Parsed<SizeOrPercent> {
  const s = text.trim();
  const m = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (m) {
    const p = Number(m[1]);
    if (p > 100) return fail(`invalid percentage "${text}": must be at most 100%`);
    return ok({ percent: p });
  }
  const r = parseSize(s, kbBase);
  return r.ok ? ok({ bytes: r.value }) : r;
}

const TIME_UNITS: Record<string, number> = {
  ns: 1,
  nsec: 1,
  us: 1e3,
  usec: 1e3,
  ms: 1e6,
  msec: 1e6,
  s: 1e9,
  sec: 1e9,
  m: 60e9,
  min: 60e9,
  h: 3600e9,
  hour: 3600e9,
  d: 86400e9,
  day: 86400e9,
};

/**
 * A duration in integer ns: `10` (in `defaultUnitNs`, seconds for runtime and ramp_time),
 * `500ms`, `2s`, `1m`, `1h`, `100us`.
 */
export function parseTime(text: string, defaultUnitNs = 1e9): Parsed<number> {
  const s = text.trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(s);
  if (!m) return fail(`invalid time "${text}"`);
  const unit = m[2] === "" ? defaultUnitNs : TIME_UNITS[m[2]!];
  if (unit === undefined) return fail(`invalid time "${text}": unknown unit "${m[2]}"`);
  const v = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(v)) return fail(`time "${text}" is too large`);
  return ok(v);
}

/** A non-negative integer (`iodepth`, `numjobs`, `rwmixread`). */
export function parseInteger(text: string): Parsed<number> {
  const s = text.trim();
  if (!/^\d+$/.test(s)) return fail(`invalid integer "${text}"`);
  const v = Number(s);
  if (!Number.isSafeInteger(v)) return fail(`integer "${text}" is too large`);
  return ok(v);
}

/** A boolean as fio accepts it: 1/0, true/false, yes/no, on/off (an empty value means true). */
export function parseBool(text: string): Parsed<boolean> {
  const s = text.trim().toLowerCase();
  if (s === "" || s === "1" || s === "true" || s === "yes" || s === "on") return ok(true);
  if (s === "0" || s === "false" || s === "no" || s === "off") return ok(false);
  return fail(`invalid boolean "${text}"`);
}

/**
 * fio's per-direction values, `read[,write[,trim]]`: one value applies to every direction; an
 * empty field leaves that direction unset (`rate_iops=,500` caps writes only).
 */
export function splitDirections(text: string): { read: string | undefined; write: string | undefined } {
  const parts = text.split(",");
  if (parts.length === 1) return { read: parts[0], write: parts[0] };
  const f = (s: string | undefined) => (s === undefined || s.trim() === "" ? undefined : s);
  return { read: f(parts[0]), write: f(parts[1]) };
}

/**
 * fio's `num2str`: a number in at most `maxLen` characters (digits and the point), scaled by
 * `base` with the given unit names, keeping as many decimals as fit. E.g. with maxLen 4 and
 * base 1024: 4096 → "4096", 65536 → "64.0Ki", 187695104 → "179Mi".
 */
export function num2str(value: number, maxLen: number, base: 1000 | 1024, units: readonly string[]): string {
  let v = value;
  let u = 0;
  while (u < units.length - 1 && Math.round(v).toString().length > maxLen) {
    v /= base;
    u++;
  }
  const intLen = Math.floor(v).toString().length;
  const decimals = Math.max(0, maxLen - intLen - 1);
  if (u === 0 && Number.isInteger(v)) return `${v}${units[0]}`;
  let s = decimals > 0 ? v.toFixed(decimals) : Math.round(v).toString();
  if (s.replace(".", "").length > maxLen && decimals > 0) s = v.toFixed(decimals - 1);
  if (s.endsWith(".")) s = s.slice(0, -1);
  return `${s}${units[u]}`;
}

/** Bytes as fio prints sizes and bandwidths in binary units: "4096B", "64.0KiB", "179MiB". */
export function fmtBytesIec(n: number, maxLen = 4): string {
  return num2str(n, maxLen, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]);
}

/** Bytes in decimal units, fio's parenthesized twin: "4096B", "65.5kB", "188MB". */
export function fmtBytesSi(n: number, maxLen = 4): string {
  return num2str(n, maxLen, 1000, ["B", "kB", "MB", "GB", "TB", "PB", "EB"]);
}

/** A count as fio prints IOPS: "1999", "12.3k", "1312k". */
export function fmtCount(n: number, maxLen = 4): string {
  return num2str(n, maxLen, 1000, ["", "k", "M", "G", "T", "P", "E"]);
}
