/** The event log: kernel and daemon events with virtual timestamps, newest at the bottom. */
import { Box } from "ink";
import { memo, type ReactElement } from "react";
import type { EventEntry } from "../source/model.js";
import { formatClock } from "../state/format.js";
import { BlankLine, Line, type Segment } from "./segments.js";

const SOURCE_COLORS: Readonly<Record<EventEntry["source"], string>> = {
  kernel: "blue",
  daemon: "cyan",
  fabric: "magenta",
  operator: "green",
  dashboard: "white",
};

/** The segments of one event line. */
export function eventSegments(e: EventEntry): Segment[] {
  const color = e.level === "error" ? "red" : e.level === "warn" ? "yellow" : undefined;
  return [
    { text: formatClock(e.timeNs), dim: true },
    { text: " " },
    { text: `${e.source.padEnd(9)} `, color: SOURCE_COLORS[e.source] },
    { text: e.text, ...(color ? { color } : {}) },
  ];
}

/** Props of {@link EventsList}. */
export interface EventsListProps {
  readonly events: readonly EventEntry[];
  readonly rows: number;
  readonly width: number;
}

/** `rows` lines of events (padded with blank lines). */
export const EventsList = memo(function EventsList({ events, rows, width }: EventsListProps): ReactElement {
  const lines: ReactElement[] = events
    .slice(0, rows)
    .map((e) => <Line key={e.seq} segments={eventSegments(e)} width={width} />);
  for (let i = lines.length; i < rows; i++) lines.push(<BlankLine key={`blank${i}`} />);
  return <Box flexDirection="column">{lines}</Box>;
});

/** Props of {@link EventsView}. */
export interface EventsViewProps {
  readonly events: readonly EventEntry[];
  readonly top: number;
  readonly rows: number;
  readonly width: number;
  readonly total: number;
}

/** The events view. */
export function EventsView({ events, top, rows, width, total }: EventsViewProps): ReactElement {
  if (events.length === 0)
    return (
      <Box flexDirection="column">
        <Line
          segments={[{ text: total === 0 ? "  no events yet" : "  no event matches the filter", dim: true }]}
          width={width}
        />
        <EventsList events={[]} rows={rows - 1} width={width} />
      </Box>
    );
  return <EventsList events={events.slice(top, top + rows)} rows={rows} width={width} />;
}
