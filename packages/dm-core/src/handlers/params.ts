/**
 * The kernel's `sscanf(str, "%u", &v)` as handlers' `set_params` use it: leading white space is
 * skipped, then decimal digits are read up to the first non-digit (`"1x"` reads 1); a sign or
 * no digit at all is a failure (null). The value wraps to 32 bits as the kernel's does.
 */
export function kernelScanU(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([0-9]+)/.exec(s);
  if (!m) return null;
  return Number(BigInt(m[1]!) % 4294967296n);
}
