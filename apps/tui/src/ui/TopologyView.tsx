/**
 * The selected map's topology, drawn as `multipath -ll` draws it, with live per-path IOPS and
 * latency sparklines beside each path and the selected path's details (selector counters,
 * route, checker) underneath.
 */
import { Box } from "ink";
import { memo, type ReactElement } from "react";
import type { MapView, PathView } from "../source/model.js";
import type { ListState } from "../state/dashboard.js";
import { formatCount, formatLatency, padStart, sparkline } from "../state/format.js";
import type { TopoLine } from "../state/topology.js";
import { BlankLine, Line, type Segment } from "./segments.js";
import { mapColor, mapMarker, pathIsDown, stateColor } from "./tables.js";

/** Props of {@link TopologyView}. */
export interface TopologyViewProps {
  readonly map: MapView | undefined;
  readonly lines: readonly TopoLine[];
  readonly list: ListState;
  readonly listRows: number;
  readonly detailRows: number;
  readonly width: number;
  readonly selected: PathView | undefined;
}

/** The selector's counters as `in-flight 4096 · rel-tput 1`. */
export function selectorText(p: PathView): string {
  return p.selector.map((c) => `${c.name} ${c.value}`).join(" · ");
}

/** Scales of the sparklines: the largest sample among the map's paths, so paths compare. */
export interface SparkScale {
  readonly iops: number;
  readonly latency: number;
}

/** The scale over the paths of a topology. */
export function sparkScale(lines: readonly TopoLine[]): SparkScale {
  let iops = 0;
  let latency = 0;
  for (const l of lines) {
    if (l.kind !== "path") continue;
    for (const v of l.path.iopsHistory) if (v > iops) iops = v;
    for (const v of l.path.latencyHistory) if (v > latency) latency = v;
  }
  return { iops, latency };
}

/** The live part of a path line, fitted to `avail` characters. */
export function liveColumns(p: PathView, avail: number, scale?: SparkScale): Segment[] {
  // A source without per-path I/O (a daemon on another host) has nothing to draw here.
  if (p.iops === null && p.iopsHistory.length === 0) return [];
  const iops = padStart(formatCount(p.iops), 5);
  const lat = padStart(formatLatency(p.latencyUs), 6);
  if (avail < 8) return [];
  if (avail < 20) return [{ text: ` ${iops}` }];
  const sel = selectorText(p);
  const withSel = sel !== "" && avail >= 64;
  const fixed = 5 + 1 + 6 + 3 + (withSel ? sel.length + 3 : 0);
  const spark = Math.max(4, Math.min(24, Math.floor((avail - fixed - 2) / 2)));
  const segs: Segment[] = [
    { text: " " },
    { text: sparkline(p.iopsHistory, spark, scale?.iops), color: "green" },
    { text: ` ${iops} ` },
    { text: sparkline(p.latencyHistory, spark, scale?.latency), color: "magenta" },
    { text: ` ${lat}` },
  ];
  if (withSel) segs.push({ text: `  ${sel}`, dim: true });
  return segs;
}

function groupColor(status: string): string | undefined {
  return status === "active"
    ? "green"
    : status === "enabled"
      ? "cyan"
      : status === "disabled"
        ? "yellow"
        : undefined;
}

/** The topology view. */
export const TopologyView = memo(function TopologyView(p: TopologyViewProps): ReactElement {
  if (!p.map) {
    const blank: ReactElement[] = [
      <Line
        key="none"
        segments={[{ text: "  no map selected (choose one in :maps)", dim: true }]}
        width={p.width}
      />,
    ];
    for (let i = 1; i < p.listRows + p.detailRows; i++) blank.push(<BlankLine key={`b${i}`} />);
    return <Box flexDirection="column">{blank}</Box>;
  }
  const map = p.map;
  let left = 0;
  for (const l of p.lines) if (l.kind === "path") left = Math.max(left, l.prefix.length + l.text.length);
  const avail = p.width - left;
  const scale = sparkScale(p.lines);
  const visible = p.lines.slice(p.list.top, p.list.top + p.listRows);
  const rows: ReactElement[] = visible.map((l, i) => {
    const idx = p.list.top + i;
    switch (l.kind) {
      case "name": {
        const color = mapColor(map);
        const marker = mapMarker(map).trim();
        return (
          <Line
            key="name"
            segments={[
              { text: l.text, bold: true },
              ...(marker
                ? [
                    {
                      text: `  ${marker} ${map.queueingIo ? "queueing I/O" : map.degraded ? "degraded" : "suspended"}`,
                      bold: true,
                      ...(color ? { color } : {}),
                    },
                  ]
                : []),
            ]}
            width={p.width}
          />
        );
      }
      case "props":
        return <Line key="props" segments={[{ text: l.text }]} width={p.width} />;
      case "group":
        return (
          <Line
            key={`g${l.group.index}`}
            segments={[
              { text: l.prefix, dim: true },
              { text: `policy='${l.group.policy}' prio=${l.group.priority} status=` },
              {
                text: l.group.status,
                bold: true,
                ...(groupColor(l.group.status) ? { color: groupColor(l.group.status)! } : {}),
              },
            ]}
            width={p.width}
          />
        );
      case "path": {
        const down = pathIsDown(l.path);
        const segs: Segment[] = [{ text: l.prefix, dim: true }];
        l.cells.forEach((c, j) => {
          if (j > 0) segs.push({ text: " " });
          const color = j >= 3 ? stateColor(c.trim()) : undefined;
          segs.push({
            text: c,
            ...(color ? { color } : {}),
            ...(j === 1 && down ? { color: "red", bold: true } : {}),
          });
        });
        const pad = left - (l.prefix.length + l.text.length);
        if (pad > 0) segs.push({ text: " ".repeat(pad) });
        segs.push(...liveColumns(l.path, avail, scale));
        return (
          <Line key={`p${l.path.key}`} segments={segs} selected={idx === p.list.cursor} width={p.width} pad />
        );
      }
      default: {
        const never: never = l;
        throw new Error(`unknown line ${JSON.stringify(never)}`);
      }
    }
  });
  for (let i = rows.length; i < p.listRows; i++) rows.push(<BlankLine key={`blank${i}`} />);
  return (
    <Box flexDirection="column">
      {rows}
      {p.detailRows > 0 ? <PathDetail path={p.selected} width={p.width} rows={p.detailRows} /> : null}
    </Box>
  );
});

/** Props of {@link PathDetail}. */
export interface PathDetailProps {
  readonly path: PathView | undefined;
  readonly width: number;
  readonly rows: number;
}

/** The selected path's details under the topology. */
export function PathDetail({ path, width, rows }: PathDetailProps): ReactElement {
  const lines: ReactElement[] = [
    <Line key="sep" segments={[{ text: "─".repeat(width), dim: true }]} width={width} />,
  ];
  if (path) {
    const next = path.nextCheck ? `${path.nextCheck.tick}/${path.nextCheck.interval}s` : "-";
    lines.push(
      <Line
        key="d1"
        segments={[
          { text: path.dev, bold: true, ...(pathIsDown(path) ? { color: "red" } : {}) },
          {
            text: `  ${path.hctl}  prio ${path.priority}  checker ${path.checker} ${path.checkerState} next ${next}`,
          },
          {
            text: `  failures ${path.failures}${path.dmFailCount !== null ? ` (kernel ${path.dmFailCount})` : ""}`,
          },
          ...(path.marginal ? [{ text: "  marginal", color: "yellow" }] : []),
        ]}
        width={width}
      />,
    );
    const sel = selectorText(path);
    lines.push(
      <Line
        key="d2"
        segments={[
          { text: path.route ? `${path.route}` : "route: -", dim: !path.route },
          { text: `  in-flight ${path.inFlight ?? "-"}` },
          { text: `  selector: ${sel === "" ? "no per-path counters" : sel}` },
        ]}
        width={width}
      />,
    );
  }
  while (lines.length < rows) lines.push(<BlankLine key={`b${lines.length}`} />);
  return <Box flexDirection="column">{lines.slice(0, rows)}</Box>;
}
