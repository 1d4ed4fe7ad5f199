/** One line of styled text, as a list of segments: the views build these, `<Line>` draws them. */
import { Text } from "ink";
import { memo, type ReactElement } from "react";

/** A run of text in one style. */
export interface Segment {
  readonly text: string;
  readonly color?: string;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
}

/** Props of {@link Line}. */
export interface LineProps {
  readonly segments: readonly Segment[];
  /** Draw the whole line inverted (the selected row). */
  readonly selected?: boolean;
  /** The screen's width: longer lines are cut here (with `…`), so Ink never has to wrap them. */
  readonly width: number;
  /** Pad the line to the width (an inverted row spans the screen). */
  readonly pad?: boolean;
}

function sameStyle(a: Segment, b: Segment): boolean {
  return a.color === b.color && !a.bold === !b.bold && !a.dim === !b.dim && !a.inverse === !b.inverse;
}

/** Adjacent segments of one style joined: fewer text nodes for React and Ink to lay out. */
export function mergeSegments(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    if (s.text === "") continue;
    const last = out[out.length - 1];
    if (last && sameStyle(last, s)) out[out.length - 1] = { ...last, text: last.text + s.text };
    else out.push(s);
  }
  return out;
}

function sameSegments(a: readonly Segment[], b: readonly Segment[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.text !== y.text || !sameStyle(x, y)) return false;
  }
  return true;
}

/** The segments cut to `width` characters, the last one ending in `…` when something was cut. */
export function fitSegments(segments: readonly Segment[], width: number): Segment[] {
  let total = 0;
  for (const s of segments) total += [...s.text].length;
  if (total <= width) return [...segments];
  const out: Segment[] = [];
  let left = Math.max(0, width - 1);
  for (const s of segments) {
    if (left <= 0) break;
    const chars = [...s.text];
    out.push(chars.length <= left ? s : { ...s, text: chars.slice(0, left).join("") });
    left -= Math.min(left, chars.length);
  }
  if (width > 0) out.push({ text: "…", dim: true });
  return out;
}

function LineImpl({ segments, selected = false, width, pad = false }: LineProps): ReactElement {
  const merged = mergeSegments(fitSegments(segments, width));
  let used = 0;
  for (const s of merged) used += [...s.text].length;
  const fill = pad && used < width ? " ".repeat(width - used) : "";
  return (
    <Text wrap="truncate-end" inverse={selected}>
      {merged.map((s, i) => (
        <Text
          // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional
          key={i}
          {...(s.color !== undefined ? { color: s.color } : {})}
          bold={s.bold ?? false}
          dimColor={s.dim ?? false}
          inverse={s.inverse ?? false}
        >
          {s.text}
        </Text>
      ))}
      {fill}
    </Text>
  );
}

/**
 * One terminal line; never wraps (long lines are cut). A line whose text and styles did not
 * change since the last frame is not rendered again.
 */
export const Line = memo(
  LineImpl,
  (a, b) =>
    a.selected === b.selected &&
    a.width === b.width &&
    a.pad === b.pad &&
    sameSegments(a.segments, b.segments),
);

/** An empty line that keeps the layout's height. */
export function BlankLine(): ReactElement {
  return <Text> </Text>;
}
