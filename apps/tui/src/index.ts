// @mp/tui — the mp dashboard (Ink): maps, priority groups and paths live, per-path I/O, the
// event log, operator actions and fault injection, over the embedded simulator or a daemon socket.

export { realTimeClock, realWallClock } from "@mp/dm-core";
export {
  DaemonUnreachableError,
  ScenarioLoadError,
  ShowParseError,
  TuiError,
  TuiUsageError,
  WorldBuildError,
} from "./errors.js";
export type { RunDashboardOptions } from "./run.js";
export { runDashboard, sourceFromOptions } from "./run.js";
export type { PolledModel } from "./source/diff-events.js";
export { diffEvents } from "./source/diff-events.js";
export type { MultipathStatus, StatusGroup, StatusPath } from "./source/dm-status.js";
export { parseMultipathStatus, SELECTOR_COUNTER_NAMES, selectorCounters } from "./source/dm-status.js";
export type { NewEvent } from "./source/event-log.js";
export { EventLog } from "./source/event-log.js";
export type { FakeSourceOptions, FakeTopologyOptions } from "./source/fake-source.js";
export {
  FakeSource,
  fakePath,
  fakeTopology,
  mapFromGroups,
  mpathName,
  sdDevT,
  sdName,
} from "./source/fake-source.js";
export type { IoRates, IoSamplerOptions } from "./source/io-sampler.js";
export { IoSampler, parseBlockStat } from "./source/io-sampler.js";
export type {
  DashboardSnapshot,
  DmPathStateName,
  EventCategory,
  EventEntry,
  EventLevel,
  EventSource,
  GroupStatusName,
  GroupView,
  HostMeters,
  MapView,
  PathView,
  QueueingMode,
  SelectorCounter,
} from "./source/model.js";
export { computeMeters, emptySnapshot, indexPaths, isDownState, parseQueueing } from "./source/model.js";
export type { ShowModel, ShowOutputs } from "./source/show.js";
export {
  MAPS_JSON_COMMAND,
  MAPS_RAW_COMMAND,
  modelFromShow,
  PATHS_RAW_COMMAND,
  parseMapsJson,
  parseNextCheck,
} from "./source/show.js";
export type { DefaultWorldOptions } from "./source/sim/default-world.js";
export { buildDefaultWorld, DEFAULT_MULTIPATH_CONF, HOST_MODULES } from "./source/sim/default-world.js";
export type { SimDriverOptions } from "./source/sim/driver.js";
export { SimDriver } from "./source/sim/driver.js";
export type { PathHardware } from "./source/sim/hardware.js";
export { FaultInjector, pathHardware, routeOf } from "./source/sim/hardware.js";
export type { SimulatorSourceOptions } from "./source/sim/simulator-source.js";
export { createSimulatorSource, SimulatorSource } from "./source/sim/simulator-source.js";
export type { SocketSourceOptions } from "./source/socket-source.js";
export {
  createSocketSource,
  formatSocketAddress,
  PERMISSION_DENIED,
  parseSocketAddress,
  SocketSource,
} from "./source/socket-source.js";
export type {
  ActionReply,
  AluaStateIntent,
  DashboardSource,
  FaultIntent,
  OperatorIntent,
  SnapshotListener,
  SourceInfo,
  TimeControl,
} from "./source/source.js";
export { describeFault, operatorCommand, operatorDaemonCommand } from "./source/source.js";
export type {
  DashboardAction,
  DashboardState,
  Effect,
  InitialStateOptions,
  ListState,
  Message,
  Prompt,
  TimeStatus,
} from "./state/dashboard.js";
export { initialState, transition } from "./state/dashboard.js";
export type { Capabilities, Intent, KeyBinding, KeyGroup } from "./state/keymap.js";
export { KEYMAP, keyName } from "./state/keymap.js";
export type { TermSize } from "./state/layout.js";
export { topologyLines, topologyText } from "./state/topology.js";
export type { ViewName } from "./state/views.js";
export type { DashboardProps } from "./ui/Dashboard.js";
export { Dashboard, Screen } from "./ui/Dashboard.js";
export type { Ticker } from "./ui/hooks.js";
export { realTicker } from "./ui/hooks.js";
