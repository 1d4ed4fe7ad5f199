import { compileEre } from "./ere.js";
import { scenarioLines } from "./parser.js";
import { splitWords } from "./words.js";

/** One comparison mask: `sed -E 's/REGEX/REPLACEMENT/g'` with a literal replacement. */
export interface Mask {
  readonly line: number;
  readonly regex: string;
  readonly replacement: string;
}

/** Result of {@link collectMasks}. */
export type MaskCollection =
  | { readonly ok: true; readonly masks: readonly Mask[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

/**
 * Collects the `@mask` lines of a whole scenario file, wherever they are (outside `@config`
 * blocks), as the lab's `compare-scn` does.
 */
export function collectMasks(text: string): MaskCollection {
  const masks: Mask[] = [];
  let inConfig = false;
  const lines = scenarioLines(text);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.replace(/^[ \t\n\v\f\r]+/, "");
    if (inConfig) {
      if (/^@end[ \t\n\v\f\r]*$/.test(t)) inConfig = false;
      continue;
    }
    if (/^@config[ \t\n\v\f\r]*$/.test(t)) {
      inConfig = true;
      continue;
    }
    if (!t.startsWith("@mask ")) continue;
    const rest = t.slice("@mask ".length).replace(/[ \t\n\v\f\r]+$/, "");
    const r = splitWords(rest);
    if (!r.ok || r.words.length !== 2) return { ok: false, line: i + 1, message: "bad @mask line" };
    masks.push({ line: i + 1, regex: r.words[0]!, replacement: r.words[1]! });
  }
  return { ok: true, masks };
}

/** Masks compiled once, to apply to many lines. */
export class MaskSet {
  readonly #compiled: ReadonlyArray<{ re: RegExp; replacement: string }>;

  /** Throws when a mask's regex is invalid (compare-scn's sed would fail). */
  constructor(masks: readonly Mask[]) {
    this.#compiled = masks.map((m) => ({ re: compileEre(m.regex, "g"), replacement: m.replacement }));
  }

  /** Rewrites one line (without its `\n`) by every mask in order. */
  applyLine(line: string): string {
    let s = line;
    for (const m of this.#compiled) s = s.replace(m.re, () => m.replacement);
    return s;
  }

  /** Rewrites every line of a transcript. */
  apply(text: string): string {
    if (this.#compiled.length === 0) return text;
    const trailing = text.endsWith("\n");
    const lines = (trailing ? text.slice(0, -1) : text).split("\n");
    if (text === "") return "";
    return lines.map((l) => this.applyLine(l)).join("\n") + (trailing ? "\n" : "");
  }
}
