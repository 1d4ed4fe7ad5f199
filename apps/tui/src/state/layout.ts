/**
 * Screen geometry, shared by the reducer (page sizes, scrolling) and the components (what to
 * draw where), so both agree on how many rows each part has.
 *
 * ```
 * header      2 rows   host meters, time, speed, refresh
 * tabs        1 row    views, filter, sort
 * body        rest     the view (maps view: + event tail when tall)
 * status      1 row    last reply / message
 * footer      n rows   every key of the view, wrapped
 * ```
 * One row is left free at the bottom: Ink clears the whole screen on every frame when the
 * output is as tall as the terminal, which flickers.
 */
import { type Capabilities, footerBindings, type KeyBinding } from "./keymap.js";
import type { ViewName } from "./views.js";

/** Terminal size in cells. */
export interface TermSize {
  readonly columns: number;
  readonly rows: number;
}

/** The smallest terminal the dashboard lays out for (smaller ones are drawn clipped). */
export const MIN_SIZE: TermSize = { columns: 60, rows: 16 };

/** Row counts of each part of the screen. */
export interface Layout {
  readonly width: number;
  /** Rows the dashboard draws (terminal rows - 1). */
  readonly height: number;
  readonly headerRows: number;
  readonly tabRows: number;
  readonly statusRows: number;
  readonly footer: readonly FooterItem[][];
  readonly bodyRows: number;
  /** Rows of the main list of the view (body minus table header and extra panes). */
  readonly listRows: number;
  /** Rows of the event tail under the maps list (0 when the terminal is short). */
  readonly tailRows: number;
  /** Rows of the selected-path detail under the topology. */
  readonly detailRows: number;
}

/** One key in the footer. */
export interface FooterItem {
  readonly key: string;
  readonly label: string;
}

/** The footer's items, wrapped into lines of `width`. */
export function footerLines(bindings: readonly KeyBinding[], width: number): FooterItem[][] {
  const lines: FooterItem[][] = [[]];
  let used = 0;
  for (const b of bindings) {
    const item = { key: b.keyLabel ?? b.keys[0]!, label: b.label };
    const w = item.key.length + 1 + item.label.length;
    const line = lines[lines.length - 1]!;
    const need = line.length === 0 ? w + 1 : w + 2;
    if (line.length > 0 && used + need > width) {
      lines.push([item]);
      used = w + 1;
    } else {
      line.push(item);
      used += need;
    }
  }
  return lines;
}

/** The layout of `view` on a terminal of `size`. */
export function computeLayout(size: TermSize, view: ViewName, caps: Capabilities): Layout {
  const width = Math.max(MIN_SIZE.columns, size.columns);
  const height = Math.max(MIN_SIZE.rows, size.rows) - 1;
  const footer = footerLines(footerBindings(view, caps), width);
  const headerRows = 2;
  const tabRows = 1;
  const statusRows = 1;
  const bodyRows = Math.max(3, height - headerRows - tabRows - statusRows - footer.length);
  let listRows = bodyRows;
  let tailRows = 0;
  let detailRows = 0;
  switch (view) {
    case "maps":
      // A tall terminal also shows the latest events under the maps.
      if (bodyRows >= 22) tailRows = Math.floor(bodyRows / 3);
      listRows = bodyRows - 1 - tailRows;
      break;
    case "paths":
      listRows = bodyRows - 1;
      break;
    case "topology":
      detailRows = bodyRows >= 12 ? 3 : 0;
      listRows = bodyRows - detailRows;
      break;
    case "events":
      listRows = bodyRows;
      break;
  }
  return {
    width,
    height,
    headerRows,
    tabRows,
    statusRows,
    footer,
    bodyRows,
    listRows: Math.max(1, listRows),
    tailRows,
    detailRows,
  };
}
