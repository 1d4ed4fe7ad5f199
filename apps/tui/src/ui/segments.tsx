/** One line of styled text, as a list of segments: the views build these, `<Line>` draws them. */
import { Text } from "ink";
import type { ReactElement } from "react";

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
  /** Pad the line to this width, so an inverted row spans the screen. */
  readonly width?: number;
}

/** One terminal line; never wraps (long lines are cut). */
export function Line({ segments, selected = false, width }: LineProps): ReactElement {
  let used = 0;
  for (const s of segments) used += [...s.text].length;
  const pad = width !== undefined && used < width ? " ".repeat(width - used) : "";
  return (
    <Text wrap="truncate-end" inverse={selected}>
      {segments.map((s, i) => (
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
      {pad}
    </Text>
  );
}

/** An empty line that keeps the layout's height. */
export function BlankLine(): ReactElement {
  return <Text> </Text>;
}
