/** The view bar: the four views (current one highlighted), the active filter and sort. */
import type { ReactElement } from "react";
import type { ViewName } from "../state/views.js";
import { VIEW_TITLES, VIEWS } from "../state/views.js";
import { Line, type Segment } from "./segments.js";

/** Props of {@link Tabs}. */
export interface TabsProps {
  readonly view: ViewName;
  readonly filter: string;
  readonly sort: string;
  /** What the topology view shows (the map's name). */
  readonly mapName: string | null;
  readonly width: number;
}

/** The tab bar. */
export function Tabs({ view, filter, sort, mapName, width }: TabsProps): ReactElement {
  const segs: Segment[] = [];
  VIEWS.forEach((v, i) => {
    if (i > 0) segs.push({ text: " " });
    const title = v === "topology" && mapName ? `${VIEW_TITLES[v]}:${mapName}` : VIEW_TITLES[v];
    segs.push(
      v === view
        ? { text: ` ${title} `, inverse: true, bold: true, color: "cyan" }
        : { text: ` ${title} `, dim: true },
    );
  });
  if (sort) segs.push({ text: "   sort ", dim: true }, { text: sort });
  if (filter) segs.push({ text: "   filter ", dim: true }, { text: `/${filter}`, color: "yellow" });
  return <Line segments={segs} width={width} />;
}
