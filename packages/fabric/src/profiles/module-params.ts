import type { KernelLog } from "@mp/dm-core";

/** Types of module parameters (`module_param(name, type, perm)`). */
export type ParamType = "int" | "uint" | "bool" | "charp";

/** A module's parameter table. */
export type ParamTable = Record<string, ParamType>;

/** `kstrtoint(s, 0)`: decimal, `0x` hex or leading-`0` octal, optional sign; null when invalid. */
export function kstrtoint(s: string, unsigned = false): number | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\n?$/.exec(s);
  if (!m) return null;
  if (unsigned && m[1] === "-") return null;
  const body = m[2]!;
  let v: number;
  if (/^0[xX]/.test(body)) v = Number.parseInt(body.slice(2), 16);
  else if (body.length > 1 && body.startsWith("0")) v = Number.parseInt(body.slice(1), 8);
  else v = Number(body);
  if (m[1] === "-") v = -v;
  if (unsigned ? v > 0xffffffff : v > 0x7fffffff || v < -0x80000000) return null;
  return v;
}

/** `strtobool`: y/Y/1/on → true, n/N/0/off → false, an empty value is true for a bool. */
export function strtobool(s: string): boolean | null {
  if (s === "") return true;
  const c = s[0]!;
  if (c === "y" || c === "Y" || c === "1") return true;
  if (c === "n" || c === "N" || c === "0") return false;
  if (s.startsWith("on")) return true;
  if (s.startsWith("of")) return false;
  return null;
}

/**
 * `parse_args()` for `modprobe MODULE key=value…`: unknown keys are logged and ignored, a bad
 * value fails the load with -EINVAL after logging `` `VALUE' invalid for parameter `KEY' ``.
 * `-` and `_` are equivalent in keys.
 */
export function parseModuleParams(
  log: KernelLog,
  module: string,
  params: ReadonlyMap<string, string>,
  table: ParamTable,
): Map<string, number | boolean | string> | { errno: number } {
  const out = new Map<string, number | boolean | string>();
  for (const [rawKey, value] of params) {
    const key = rawKey.replace(/-/g, "_");
    const type = table[key];
    if (!type) {
      log.warn(`${module}: unknown parameter '${rawKey}' ignored`);
      continue;
    }
    let v: number | boolean | string | null;
    switch (type) {
      case "int":
        v = kstrtoint(value);
        break;
      case "uint":
        v = kstrtoint(value, true);
        break;
      case "bool":
        v = strtobool(value);
        break;
      case "charp":
        v = value;
        break;
    }
    if (v === null) {
      log.err(`${module}: \`${value}' invalid for parameter \`${key}'`);
      return { errno: 22 };
    }
    out.set(key, v);
  }
  return out;
}
