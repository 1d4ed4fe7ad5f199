import { definePathSelector, type PathSelectorType } from "@mp/dm-core";

/** True for a value shaped like a `PathSelectorType` (what `definePathSelector` returns). */
function isSelectorType(v: unknown): v is PathSelectorType {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Partial<PathSelectorType>;
  return typeof o.name === "string" && typeof o.create === "function" && Array.isArray(o.version);
}

/**
 * The path selectors a plugin module exports (its default export, a `selectors` list, or any
 * named export shaped like a `PathSelectorType`), each checked with `definePathSelector`.
 * Throws `PluginError` for a malformed one; returns [] when the module exports none.
 */
export function selectorsFromModule(mod: Record<string, unknown>): PathSelectorType[] {
  const found: PathSelectorType[] = [];
  const add = (v: unknown) => {
    if (isSelectorType(v) && !found.some((f) => f.name === v.name)) found.push(definePathSelector(v));
  };
  add(mod.default);
  if (Array.isArray(mod.selectors)) for (const s of mod.selectors) add(s);
  for (const [k, v] of Object.entries(mod)) if (k !== "default" && k !== "selectors") add(v);
  return found;
}
