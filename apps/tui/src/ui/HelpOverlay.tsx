/** The help overlay: every key from the keymap, grouped, scrollable. */
import { Box } from "ink";
import type { ReactElement } from "react";
import { padEnd } from "../state/format.js";
import type { HelpLine } from "../state/help.js";
import { BlankLine, Line } from "./segments.js";

/** Props of {@link HelpOverlay}. */
export interface HelpOverlayProps {
  readonly lines: readonly HelpLine[];
  readonly top: number;
  readonly rows: number;
  readonly width: number;
}

/** The help overlay (replaces the view while open). */
export function HelpOverlay({ lines, top, rows, width }: HelpOverlayProps): ReactElement {
  const more = lines.length > top + rows - 1;
  const shown = lines.slice(top, top + rows - 1);
  const out: ReactElement[] = shown.map((l, i) => {
    const key = `h${top + i}`;
    switch (l.kind) {
      case "title":
        return <Line key={key} segments={[{ text: l.text, bold: true, color: "cyan" }]} width={width} />;
      case "key":
        return (
          <Line
            key={key}
            segments={[
              { text: `  ${padEnd(l.keys, 14)}`, bold: true, ...(l.available ? {} : { dim: true }) },
              { text: l.text, ...(l.available ? {} : { dim: true }) },
              ...(l.available ? [] : [{ text: "  (not available here)", dim: true }]),
            ]}
            width={width}
          />
        );
      case "text":
        return <Line key={key} segments={[{ text: `  ${l.text}` }]} width={width} />;
      case "blank":
        return <BlankLine key={key} />;
      default: {
        const never: never = l;
        throw new Error(`unknown help line ${JSON.stringify(never)}`);
      }
    }
  });
  while (out.length < rows - 1) out.push(<BlankLine key={`b${out.length}`} />);
  out.push(
    <Line
      key="hint"
      segments={[
        {
          text:
            more || top > 0
              ? "↑↓ PgUp PgDn scroll · any other key closes the help"
              : "any key closes the help",
          dim: true,
        },
      ]}
      width={width}
    />,
  );
  return <Box flexDirection="column">{out}</Box>;
}
