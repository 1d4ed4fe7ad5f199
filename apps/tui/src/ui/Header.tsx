/** The two header lines: host-wide meters, then time, speed and refresh. */
import { Box } from "ink";
import type { ReactElement } from "react";
import type { HostMeters } from "../source/model.js";
import type { TimeStatus } from "../state/dashboard.js";
import { formatClock, formatCount, formatSpeed, truncate } from "../state/format.js";
import { Line, type Segment } from "./segments.js";

/** Props of {@link Header}. */
export interface HeaderProps {
  readonly label: string;
  readonly meters: HostMeters;
  readonly timeNs: number;
  readonly time: TimeStatus | null;
  readonly refreshHz: number;
  readonly readOnly: boolean;
  readonly width: number;
}

const SEP: Segment = { text: " │ ", dim: true };

/** The header. */
export function Header({
  label,
  meters,
  timeNs,
  time,
  refreshHz,
  readOnly,
  width,
}: HeaderProps): ReactElement {
  const up = meters.paths - meters.failedPaths;
  const tail: Segment[] = [
    SEP,
    { text: "maps " },
    { text: String(meters.maps), bold: true },
    { text: "  degraded " },
    { text: String(meters.degraded), bold: true, ...(meters.degraded > 0 ? { color: "yellow" } : {}) },
    { text: "  queueing " },
    { text: String(meters.queueing), bold: true, ...(meters.queueing > 0 ? { color: "red" } : {}) },
    SEP,
    { text: "paths " },
    { text: `${up}/${meters.paths}`, bold: true, ...(meters.failedPaths > 0 ? { color: "yellow" } : {}) },
    { text: " up" },
  ];
  // The meters always fit; a long source label gives way.
  const fixed = 2 + SEP.text.length + tail.reduce((n, s) => n + [...s.text].length, 0);
  const line1: Segment[] = [
    { text: "mp", bold: true, color: "cyan" },
    SEP,
    { text: truncate(label, Math.max(8, width - fixed)) },
    ...tail,
  ];
  const line2: Segment[] = [
    { text: "IOPS " },
    { text: formatCount(meters.totalIops), bold: true },
    SEP,
    { text: "time " },
    { text: formatClock(timeNs), bold: true },
  ];
  if (time) {
    line2.push(SEP);
    line2.push(
      time.paused
        ? { text: "❚❚ paused", color: "yellow", bold: true }
        : { text: `▶ ${formatSpeed(time.speed)}`, color: "green", bold: true },
    );
    if (!time.paused && time.effectiveSpeed > 0 && time.effectiveSpeed < time.speed * 0.9)
      line2.push({ text: ` (${formatSpeed(time.effectiveSpeed)} achieved)`, color: "yellow" });
    if (time.paused) line2.push({ text: ` ${formatSpeed(time.speed)}`, dim: true });
  }
  if (readOnly) line2.push(SEP, { text: "READ-ONLY", color: "yellow", bold: true });
  line2.push(SEP, { text: `refresh ${refreshHz} Hz` }, SEP, { text: `multipathd ${meters.daemon}` });
  return (
    <Box flexDirection="column" width={width}>
      <Line segments={line1} width={width} />
      <Line segments={line2} width={width} />
    </Box>
  );
}
