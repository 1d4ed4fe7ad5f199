/** The maps table (and, on a tall terminal, the newest events under it). */
import { Box } from "ink";
import { memo, type ReactElement, useMemo } from "react";
import type { EventEntry, MapView } from "../source/model.js";
import { fitColumns, headerLine, rowCells } from "../state/columns.js";
import type { ListState } from "../state/dashboard.js";
import { EventsList } from "./EventsView.js";
import { BlankLine, Line, type Segment } from "./segments.js";
import { MAP_COLUMNS, MAP_SORT_COLUMN, mapColor } from "./tables.js";

/** Props of {@link MapsView}. */
export interface MapsViewProps {
  readonly maps: readonly MapView[];
  readonly list: ListState;
  readonly listRows: number;
  readonly width: number;
  readonly sortKey: string;
  readonly descending: boolean;
  readonly events: readonly EventEntry[];
  readonly tailRows: number;
  readonly totalMaps: number;
}

/** The maps view. */
export const MapsView = memo(function MapsView(p: MapsViewProps): ReactElement {
  const placed = useMemo(() => fitColumns(MAP_COLUMNS, p.width), [p.width]);
  const sortCol = MAP_SORT_COLUMN[p.sortKey];
  const header = useMemo(
    () => headerLine(placed, { column: sortCol, descending: p.descending }),
    [placed, sortCol, p.descending],
  );
  const visible = p.maps.slice(p.list.top, p.list.top + p.listRows);
  const rows: ReactElement[] = visible.map((m, i) => {
    const idx = p.list.top + i;
    const color = mapColor(m);
    const cells = rowCells(placed, m);
    const segs: Segment[] = cells.map((text, c) => {
      const id = placed[c]!.column.id;
      const colored =
        id === "marker" || id === "name" || id === "paths" || (id === "queueing" && m.queueingIo);
      return {
        text: c === 0 ? text : ` ${text}`,
        ...(colored && color ? { color, bold: id === "marker" } : {}),
      };
    });
    return <Line key={m.key} segments={segs} selected={idx === p.list.cursor} width={p.width} pad />;
  });
  for (let i = rows.length; i < p.listRows; i++)
    rows.push(
      i === 0 && p.maps.length === 0 ? (
        <Line
          key="empty"
          segments={[
            { text: p.totalMaps === 0 ? "  no multipath maps" : "  no map matches the filter", dim: true },
          ]}
          width={p.width}
        />
      ) : (
        <BlankLine key={`blank${i}`} />
      ),
    );
  return (
    <Box flexDirection="column">
      <Line segments={[{ text: header, bold: true }]} width={p.width} />
      {rows}
      {p.tailRows > 0 ? (
        <Box flexDirection="column">
          <Line
            segments={[{ text: `── events ${"─".repeat(Math.max(0, p.width - 10))}`, dim: true }]}
            width={p.width}
          />
          <EventsList events={p.events.slice(-(p.tailRows - 1))} rows={p.tailRows - 1} width={p.width} />
        </Box>
      ) : null}
    </Box>
  );
});
