/** The dashboard: header, view bar, the current view (or an overlay), status line and footer. */
import { Box, Text } from "ink";
import { type ReactElement, useEffect, useMemo } from "react";
import type { DashboardSource } from "../source/source.js";
import { type DashboardState, selectedMap, selectedPath } from "../state/dashboard.js";
import { helpLines } from "../state/help.js";
import { MIN_SIZE, type TermSize } from "../state/layout.js";
import type { ViewName } from "../state/views.js";
import { EventsView } from "./EventsView.js";
import { FaultMenu } from "./FaultMenu.js";
import { Footer } from "./Footer.js";
import { Header } from "./Header.js";
import { HelpOverlay } from "./HelpOverlay.js";
import {
  realTicker,
  type Ticker,
  useDashboard,
  useKeys,
  useRefreshTicker,
  useTerminalSize,
} from "./hooks.js";
import { MapsView } from "./MapsView.js";
import { PathsView } from "./PathsView.js";
import { StatusLine } from "./StatusLine.js";
import { Tabs } from "./Tabs.js";
import { TopologyView } from "./TopologyView.js";

/** Props of {@link Dashboard}. */
export interface DashboardProps {
  readonly source: DashboardSource;
  /** Called when the user quits. */
  readonly onQuit: () => void;
  /** A fixed terminal size (tests); default: the terminal's, following resizes. */
  readonly size?: TermSize;
  /** Periodic timer for refreshes; default: real timers. */
  readonly ticker?: Ticker;
  readonly view?: ViewName;
  readonly refreshHz?: number;
}

/** The dashboard, wired to a source. */
export function Dashboard(props: DashboardProps): ReactElement {
  const size = useTerminalSize(props.size);
  const [state, dispatch] = useDashboard(props.source, {
    size,
    onQuit: props.onQuit,
    ...(props.view ? { view: props.view } : {}),
    ...(props.refreshHz !== undefined ? { refreshHz: props.refreshHz } : {}),
  });
  useEffect(() => {
    if (size.columns !== state.size.columns || size.rows !== state.size.rows)
      dispatch({ type: "resize", size });
  }, [size, state.size, dispatch]);
  useKeys(dispatch);
  useRefreshTicker(props.source, state.refreshHz, props.ticker ?? realTicker);
  return <Screen state={state} />;
}

/** What the operator keys act on in the current view. */
export function targetText(state: DashboardState): string {
  if (state.view === "events") return "";
  const m = selectedMap(state);
  const p = selectedPath(state);
  const parts: string[] = [];
  if (m) parts.push(`map ${m.name} (${m.dmDev})`);
  if (p) parts.push(`path ${p.dev} (${p.hctl})`);
  return parts.join(" · ");
}

/** Props of {@link Screen}. */
export interface ScreenProps {
  readonly state: DashboardState;
}

/** Draws a state (props only: the whole screen is a function of the state). */
export function Screen({ state }: ScreenProps): ReactElement {
  const { layout, snapshot } = state;
  const map = selectedMap(state);
  const help = useMemo(() => helpLines(state.caps), [state.caps]);
  if (state.size.columns < MIN_SIZE.columns || state.size.rows < MIN_SIZE.rows)
    return (
      <Box flexDirection="column" width={Math.max(1, state.size.columns)}>
        <Text wrap="wrap">
          {`mp: this terminal is ${state.size.columns}×${state.size.rows}; the dashboard needs at least ${MIN_SIZE.columns}×${MIN_SIZE.rows} (q quits)`}
        </Text>
      </Box>
    );
  const sortText =
    state.view === "maps"
      ? `${state.sort.maps.key}${state.sort.maps.descending ? "↓" : "↑"}`
      : state.view === "paths"
        ? `${state.sort.paths.key}${state.sort.paths.descending ? "↓" : "↑"}`
        : "";
  const filter = state.view === "topology" ? "" : state.filters[state.view];
  const topoMap = state.view === "topology" ? snapshot.maps.find((m) => m.key === state.selected.map) : map;

  let body: ReactElement;
  if (state.overlay === "help")
    body = <HelpOverlay lines={help} top={state.helpTop} rows={layout.bodyRows} width={layout.width} />;
  else if (state.overlay === "faults")
    body = (
      <FaultMenu
        path={selectedPath(state)?.dev ?? null}
        map={map?.name ?? null}
        rows={layout.bodyRows}
        width={layout.width}
      />
    );
  else
    switch (state.view) {
      case "maps":
        body = (
          <MapsView
            maps={state.rows.maps}
            list={state.lists.maps}
            listRows={layout.listRows}
            width={layout.width}
            sortKey={state.sort.maps.key}
            descending={state.sort.maps.descending}
            events={snapshot.events}
            tailRows={layout.tailRows}
            totalMaps={snapshot.maps.length}
          />
        );
        break;
      case "topology":
        body = (
          <TopologyView
            map={topoMap}
            lines={state.rows.topology}
            list={state.lists.topology}
            listRows={layout.listRows}
            detailRows={layout.detailRows}
            width={layout.width}
            selected={selectedPath(state)}
          />
        );
        break;
      case "paths":
        body = (
          <PathsView
            paths={state.rows.paths}
            list={state.lists.paths}
            listRows={layout.listRows}
            width={layout.width}
            sortKey={state.sort.paths.key}
            descending={state.sort.paths.descending}
            totalPaths={snapshot.paths.length}
          />
        );
        break;
      case "events":
        body = (
          <EventsView
            events={state.rows.events}
            top={state.lists.events.top}
            rows={layout.listRows}
            width={layout.width}
            total={snapshot.events.length}
          />
        );
        break;
      default: {
        const never: never = state.view;
        throw new Error(`unknown view ${String(never)}`);
      }
    }

  return (
    <Box flexDirection="column" width={layout.width} height={layout.height}>
      <Header
        label={state.label}
        meters={snapshot.meters}
        timeNs={snapshot.timeNs}
        time={state.time}
        refreshHz={state.refreshHz}
        readOnly={!state.caps.write}
        width={layout.width}
      />
      <Tabs
        view={state.view}
        filter={filter}
        sort={sortText}
        mapName={topoMap?.name ?? null}
        width={layout.width}
      />
      <Box flexDirection="column" height={layout.bodyRows}>
        {body}
      </Box>
      <StatusLine
        prompt={state.prompt}
        message={state.message}
        notice={snapshot.notice}
        target={targetText(state)}
        width={layout.width}
      />
      <Footer lines={layout.footer} width={layout.width} />
    </Box>
  );
}
