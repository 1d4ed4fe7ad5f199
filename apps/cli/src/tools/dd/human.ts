/**
 * gnulib's `human_readable` with the options dd uses (autoscale, round to nearest, SI prefixes,
 * a space before the unit, a `B` suffix), and C's `%g`: what dd's transfer statistics print.
 */

const POWER_LETTERS = ["", "K", "M", "G", "T", "P", "E", "Z", "Y"];
const EXPONENT_MAX = POWER_LETTERS.length - 1;

function suffix(exponent: number, base1024: boolean): string {
  // SI kilo is a lower-case k.
  const letter = exponent === 0 ? "" : !base1024 && exponent === 1 ? "k" : POWER_LETTERS[exponent]!;
  return ` ${letter}${base1024 && exponent ? "i" : ""}B`;
}

/** A byte count, autoscaled: `8192` → `8.2 kB` (SI) or `8.0 KiB` (base 1024); `999` → `999 B`. */
export function humanBytes(n: number, base1024: boolean): string {
  const base = base1024 ? 1024 : 1000;
  let amt = Math.floor(n);
  let tenths = 0;
  let rounding = 0;
  let exponent = 0;
  let frac = "";
  if (base <= amt) {
    do {
      const r10 = (amt % base) * 10 + tenths;
      const r2 = (r10 % base) * 2 + (rounding >> 1);
      amt = Math.floor(amt / base);
      tenths = Math.floor(r10 / base);
      rounding = r2 < base ? (r2 + rounding !== 0 ? 1 : 0) : 2 + (base < r2 + rounding ? 1 : 0);
      exponent++;
    } while (base <= amt && exponent < EXPONENT_MAX);
    if (amt < 10) {
      if (2 < rounding + (tenths & 1)) {
        tenths++;
        rounding = 0;
        if (tenths === 10) {
          amt++;
          tenths = 0;
        }
      }
      if (amt < 10) {
        frac = `.${tenths}`;
        tenths = 0;
        rounding = 0;
      }
    }
  }
  if (5 < tenths + (0 < rounding + (amt & 1) ? 1 : 0)) {
    amt++;
    if (amt === base && exponent < EXPONENT_MAX) {
      exponent++;
      frac = ".0";
      amt = 1;
    }
  }
  return `${amt}${frac}${suffix(exponent, base1024)}`;
}

/** A rate in bytes per second from `bytes` over `ns` nanoseconds, SI-autoscaled: `257 MB`. */
export function humanRate(bytes: number, ns: number): string {
  const base = 1000;
  let damt = (bytes * 1e9) / ns;
  let e = 1;
  let exponent = 0;
  do {
    e *= base;
    exponent++;
  } while (e * base <= damt && exponent < EXPONENT_MAX);
  damt /= e;
  let s = damt.toFixed(1);
  // More than one digit before the point: no tenths (as "%.0f" of the rounded value).
  if (1 + 2 + 1 < s.length) s = (Math.round(damt * 10) / 10).toFixed(0);
  return `${s}${suffix(exponent, false)}`;
}

/** C's `%g` for a non-negative double (6 significant digits, trailing zeros removed). */
export function formatG(v: number): string {
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const [mant, expText] = v.toExponential(5).split("e") as [string, string];
  const x = Number(expText);
  const strip = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (x < -4 || x >= 6) {
    const sign = x < 0 ? "-" : "+";
    return `${strip(mant)}e${sign}${String(Math.abs(x)).padStart(2, "0")}`;
  }
  return strip(v.toFixed(5 - x));
}

/** True when an autoscaled size has no prefix (`1000 B`): `abbreviation_lacks_prefix`. */
export function lacksPrefix(s: string): boolean {
  return s[s.length - 2] === " ";
}
