/** The footer: every key of the current view, from the keymap, wrapped to the width. */
import { Box } from "ink";
import type { ReactElement } from "react";
import type { FooterItem } from "../state/layout.js";
import { Line, type Segment } from "./segments.js";

/** Props of {@link Footer}. */
export interface FooterProps {
  readonly lines: readonly (readonly FooterItem[])[];
  readonly width: number;
}

/** The footer. */
export function Footer({ lines, width }: FooterProps): ReactElement {
  return (
    <Box flexDirection="column">
      {lines.map((items, i) => {
        const segs: Segment[] = [];
        items.forEach((it, j) => {
          segs.push({ text: j === 0 ? "" : "  " });
          segs.push({ text: it.key, bold: true, color: "cyan" }, { text: ` ${it.label}` });
        });
        // biome-ignore lint/suspicious/noArrayIndexKey: footer lines are positional
        return <Line key={i} segments={segs} width={width} />;
      })}
    </Box>
  );
}
