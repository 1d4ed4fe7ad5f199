import { unifiedDiff } from "./diff.js";
import { collectMasks, MaskSet } from "./mask.js";

/** Result of comparing a transcript with a golden one. */
export type Comparison =
  | { readonly ok: true }
  | { readonly ok: false; readonly diff: string }
  | { readonly ok: false; readonly usageError: string };

/**
 * Compares an actual transcript with the expected one after the scenario's masks, as the lab's
 * `compare-scn` does.
 */
export function compareTranscripts(scnText: string, expected: string, actual: string): Comparison {
  const c = collectMasks(scnText);
  if (!c.ok) return { ok: false, usageError: `line ${c.line}: ${c.message}` };
  let masks: MaskSet;
  try {
    masks = new MaskSet(c.masks);
  } catch (e) {
    return { ok: false, usageError: `bad @mask regex: ${e instanceof Error ? e.message : String(e)}` };
  }
  const exp = masks.apply(expected);
  const act = masks.apply(actual);
  if (exp === act) return { ok: true };
  return { ok: false, diff: unifiedDiff(exp, act) };
}
