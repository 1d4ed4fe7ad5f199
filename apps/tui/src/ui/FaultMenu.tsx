/** The fault menu (simulator): what can be injected on the selected path or map. */
import { Box } from "ink";
import type { ReactElement } from "react";
import { FAULT_MENU } from "../state/fault-menu.js";
import { BlankLine, Line } from "./segments.js";

/** Props of {@link FaultMenu}. */
export interface FaultMenuProps {
  /** The selected path (dev name), or null. */
  readonly path: string | null;
  /** The selected map (name), or null. */
  readonly map: string | null;
  readonly rows: number;
  readonly width: number;
}

/** The fault menu (replaces the view while open). */
export function FaultMenu({ path, map, rows, width }: FaultMenuProps): ReactElement {
  const out: ReactElement[] = [
    <Line
      key="title"
      segments={[
        { text: "Inject a fault", bold: true, color: "magenta" },
        { text: `  path: ${path ?? "(none: select one in :topology or :paths)"}  map: ${map ?? "(none)"}` },
      ]}
      width={width}
    />,
  ];
  for (const f of FAULT_MENU) {
    const target = f.target === "path" ? path : map;
    out.push(
      <Line
        key={f.key}
        segments={[
          { text: `  ${f.key}  `, bold: true, ...(target ? { color: "magenta" } : { dim: true }) },
          { text: f.label, ...(target ? {} : { dim: true }) },
          { text: target ? `  (${target})` : "", dim: true },
        ]}
        width={width}
      />,
    );
  }
  out.push(<Line key="esc" segments={[{ text: "  esc  close", dim: true }]} width={width} />);
  while (out.length < rows) out.push(<BlankLine key={`b${out.length}`} />);
  return <Box flexDirection="column">{out.slice(0, rows)}</Box>;
}
