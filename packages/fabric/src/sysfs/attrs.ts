import { Errno } from "@mp/dm-core";
import type { AttrDef, SysfsTree } from "./tree.js";

/** `/sys` + a `/devices/...` path. */
export function sys(devpath: string): string {
  return `/sys${devpath}`;
}

/** Creates the symlink `path` → `target` (both absolute), relative as kernfs writes it. */
export function link(tree: SysfsTree, path: string, target: string): void {
  tree.symlinkAbs(path, target);
}

/** A read-only attribute printing `value()` plus a newline. */
export function ro(value: () => string | number): { show: () => string } {
  return { show: () => `${value()}\n` };
}

/** A constant attribute (`text` printed as is). */
export function fixed(text: string): { show: () => string } {
  return { show: () => text };
}

/** A group attribute printing `value(obj)` plus a newline. */
export function gro<T>(value: (obj: T) => string | number): AttrDef<T> {
  return { show: (o) => `${value(o)}\n` };
}

/** A group attribute with the same text for every object. */
export function gfixed<T>(text: string): AttrDef<T> {
  return { show: () => text };
}

/** A write-only attribute. */
export function wo(store: (v: string) => number): { store: (v: string) => number } {
  return { store };
}

/** Actions a write to a `uevent` attribute may synthesize (`kobject_synth_uevent`). */
const SYNTH_ACTIONS = new Set(["add", "remove", "change", "move", "online", "offline", "bind", "unbind"]);

/**
 * Parses a write to a `uevent` attribute: `ACTION [UUID [KEY=VALUE ...]]`. Returns the action
 * and the variables to add, or EINVAL.
 */
export function parseSynthUevent(
  buf: string,
): { action: string; env: Array<readonly [string, string]> } | { errno: number } {
  const words = buf
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const action = words[0];
  if (!action || !SYNTH_ACTIONS.has(action)) return { errno: Errno.EINVAL };
  const uuid = words[1];
  if (
    uuid !== undefined &&
    !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(uuid)
  )
    return { errno: Errno.EINVAL };
  const env: Array<readonly [string, string]> = [["SYNTH_UUID", uuid ?? "0"]];
  for (const kv of words.slice(2)) {
    const m = /^([A-Za-z0-9_]+)=(.*)$/.exec(kv);
    if (!m) return { errno: Errno.EINVAL };
    env.push([`SYNTH_ARG_${m[1]}`, m[2]!]);
  }
  return { action, env };
}

/** `kstrtouint`-style parse of a sysfs write (decimal, optional trailing newline). */
export function parseUint(buf: string): number | null {
  const m = /^\s*\+?(\d+)\n?$/.exec(buf);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n <= 0xffffffff ? n : null;
}
