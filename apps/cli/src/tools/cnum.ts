/**
 * C library number parsing as the real tools use it (`atoi`, `strtoul`, `strtoull`), so that odd
 * input is accepted or refused exactly as on Linux.
 */

const C_SPACE = " \t\n\v\f\r";

/** `strtoull`/`strtoul`/`strtol` core: value (BigInt, wrapped like C), end index, overflow flag. */
export function cStrto(
  s: string,
  base: number,
  signedMax?: bigint,
): { value: bigint; end: number; overflow: boolean; any: boolean } {
  let i = 0;
  while (i < s.length && C_SPACE.includes(s[i]!)) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  let b = base;
  if (
    (b === 0 || b === 16) &&
    s[i] === "0" &&
    (s[i + 1] === "x" || s[i + 1] === "X") &&
    /[0-9a-fA-F]/.test(s[i + 2] ?? "")
  ) {
    i += 2;
    b = 16;
  } else if (b === 0) {
    b = s[i] === "0" ? 8 : 10;
  }
  const start = i;
  let v = 0n;
  const big = BigInt(b);
  while (i < s.length) {
    const d = Number.parseInt(s[i]!, 36);
    if (Number.isNaN(d) || d >= b) break;
    v = v * big + BigInt(d);
    i++;
  }
  if (i === start) return { value: 0n, end: 0, overflow: false, any: false };
  const max = signedMax ?? 2n ** 64n - 1n;
  let overflow = false;
  if (v > max) {
    overflow = true;
    v = max;
  }
  if (neg) v = signedMax !== undefined ? -v : (2n ** 64n - v) % 2n ** 64n;
  return { value: v, end: i, overflow, any: true };
}

/** `atoi`: leading blanks, sign, digits; anything else ends it; garbage gives 0 (32-bit wrap). */
export function cAtoi(s: string): number {
  const r = cStrto(s, 10, 2n ** 63n - 1n);
  if (!r.any) return 0;
  return Number(BigInt.asIntN(32, r.value));
}

/**
 * `strtoull(s, &end, 10)` with the check dmsetup does (`errno || *end || end == s`): the value,
 * or null when the string is not entirely a number or overflows.
 */
export function cStrtoullStrict(s: string, base = 10): bigint | null {
  const r = cStrto(s, base);
  if (!r.any || r.overflow || r.end !== s.length) return null;
  return r.value;
}
