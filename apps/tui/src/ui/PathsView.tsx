/** The paths table: every path, sortable and filterable. */
import { Box } from "ink";
import { memo, type ReactElement, useMemo } from "react";
import type { PathView } from "../source/model.js";
import { fitColumns, headerLine, rowCells } from "../state/columns.js";
import type { ListState } from "../state/dashboard.js";
import { BlankLine, Line, type Segment } from "./segments.js";
import { PATH_COLUMNS, PATH_SORT_COLUMN, pathIsDown, stateColor } from "./tables.js";

/** Props of {@link PathsView}. */
export interface PathsViewProps {
  readonly paths: readonly PathView[];
  readonly list: ListState;
  readonly listRows: number;
  readonly width: number;
  readonly sortKey: string;
  readonly descending: boolean;
  readonly totalPaths: number;
}

const STATE_COLUMNS = new Set(["dm", "checker", "devst"]);

/** The paths view. */
export const PathsView = memo(function PathsView(p: PathsViewProps): ReactElement {
  const placed = useMemo(() => fitColumns(PATH_COLUMNS, p.width), [p.width]);
  const sortCol = PATH_SORT_COLUMN[p.sortKey];
  const header = useMemo(
    () => headerLine(placed, { column: sortCol, descending: p.descending }),
    [placed, sortCol, p.descending],
  );
  const visible = p.paths.slice(p.list.top, p.list.top + p.listRows);
  const rows: ReactElement[] = visible.map((path, i) => {
    const cells = rowCells(placed, path);
    const down = pathIsDown(path);
    const segs: Segment[] = cells.map((text, c) => {
      const id = placed[c]!.column.id;
      const color = STATE_COLUMNS.has(id)
        ? stateColor(text.trim())
        : id === "marker" && down
          ? "red"
          : undefined;
      return {
        text: c === 0 ? text : ` ${text}`,
        ...(color ? { color } : {}),
        ...(id === "marker" ? { bold: true } : {}),
      };
    });
    return (
      <Line key={path.key} segments={segs} selected={p.list.top + i === p.list.cursor} width={p.width} pad />
    );
  });
  for (let i = rows.length; i < p.listRows; i++)
    rows.push(
      i === 0 && p.paths.length === 0 ? (
        <Line
          key="empty"
          segments={[{ text: p.totalPaths === 0 ? "  no paths" : "  no path matches the filter", dim: true }]}
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
    </Box>
  );
});
