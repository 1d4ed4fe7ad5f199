// ---- data model, printers, CLI grammar, socket (structs/ print/ cli/ uxsock/) ----

export type { ClientOutcome, MultipathdInvocation } from "./cli/client.js";
export {
  CLIENT_CMDSIZE,
  joinClientCommand,
  parseMultipathdArgs,
  renderClientOutcome,
  runMultipathdClient,
} from "./cli/client.js";
export type { Command, CommandKind, CommandOfKind, CommandParams, CommandSpec } from "./cli/commands.js";
export { COMMAND_SPECS, fingerprint, specForFingerprint, specForKind } from "./cli/commands.js";
export type { DispatchContext, Dispatcher, DispatchSignal, ReleaseLock, StateLock } from "./cli/dispatch.js";
export { createDispatcher, dispatchCommand, handlerReply, parseErrorReply, Reply } from "./cli/dispatch.js";
export type {
  CommandHandlers,
  EffectCommandKind,
  EffectHandlers,
  HandlerResult,
  MapStateCommandKind,
  MapStateSource,
  MaybePromise,
  ShowCommandKind,
  ShowSource,
} from "./cli/handlers.js";
export {
  createMapStateHandlers,
  createShowHandlers,
  MAP_STATE_COMMAND_KINDS,
  SHOW_COMMAND_KINDS,
} from "./cli/handlers.js";
export { genhelp, MULTIPATH_TOOLS_VERSION } from "./cli/help.js";
export type { Keyword } from "./cli/keywords.js";
export { findKey, KEYWORDS, KeyCode } from "./cli/keywords.js";
export type {
  CliErrno,
  CliParseError,
  CliParseErrorReason,
  CommandParseResult,
  ParsedKey,
} from "./cli/parse.js";
export { COMMAND_KINDS, formatCommand, parseCommand, parseKeys, quoteParam } from "./cli/parse.js";
export type { Token } from "./cli/tokenize.js";
export { tokenizeCommand } from "./cli/tokenize.js";
export type { FieldWidths } from "./print/format.js";
export {
  LayoutReset,
  multipathLayout,
  pathLayout,
  StrBuf,
  snprintMultipath,
  snprintMultipathHeader,
  snprintPath,
  snprintPathgroup,
  snprintPathHeader,
  zeroWidths,
} from "./print/format.js";
export {
  JSON_MAJOR_VERSION,
  JSON_MINOR_VERSION,
  snprintMultipathMapJson,
  snprintMultipathTopologyJson,
} from "./print/json.js";
export type { PrintEnv } from "./print/print-env.js";
export { EMPTY_PRINT_ENV } from "./print/print-env.js";
export type { FieldQuirk, FieldValue } from "./print/print-util.js";
export { byteLength, formatProgress, formatSize, PrintAbort } from "./print/print-util.js";
export type { RefreshMap, ShowOutput } from "./print/show.js";
export {
  showMapFormat,
  showMapJson,
  showMaps,
  showMapsJson,
  showMapsTopology,
  showMapTopology,
  showPath,
  showPaths,
} from "./print/show.js";
export type { DaemonRunState } from "./print/status.js";
export {
  formatAllPaths,
  PRINT_MAP_NAMES,
  PRINT_MAP_STATS,
  PRINT_MAP_STATUS,
  PRINT_PATH_CHECKER,
  PRINT_PATH_LONG,
  snprintDaemon,
  snprintStatus,
} from "./print/status.js";
export type { TopologyOptions } from "./print/topology.js";
export {
  formatMultipathTopology,
  mapPathWidths,
  multipathStyle,
  PRINT_MAP_PROPS,
  PRINT_PATH_INDENT,
  PRINT_PG_INDENT,
  snprintMultipathTopology,
} from "./print/topology.js";
export type { Wildcard } from "./print/wildcards.js";
export {
  MULTIPATH_WILDCARDS,
  PATH_WILDCARDS,
  PATHGROUP_WILDCARDS,
  snprintWildcards,
} from "./print/wildcards.js";
export {
  checkerStateName,
  DmPathState,
  isActivePathState,
  PATH_MAX_STATE,
  PathState,
} from "./structs/path-state.js";
export type {
  MapDmInfo,
  Multipath,
  MultipathInit,
  Path,
  PathCheckerRef,
  PathGroup,
  PathGroupInit,
  PathInit,
  PathPrioRef,
  SgId,
} from "./structs/structs.js";
export {
  addPathGroup,
  CHECKINT_UNDEF,
  createMapDmInfo,
  createMultipath,
  createPath,
  FailbackMode,
  InitState,
  MapAction,
  MPATH_F_APTPL_MASK,
  NoPathRetry,
  NvmeProtocol,
  PgPolicy,
  PgState,
  PRIO_UNDEF,
  PROTOCOL_UNSET,
  RrWeight,
  SCSI_INVALID_LUN,
  SCSI_PROTOCOL_END,
  ScsiProtocol,
  SysfsBus,
  TPGS_UNDEF,
  WWID_SIZE,
} from "./structs/structs.js";
export type { Failback, NoPathRetrySetting, PathGroupPrio } from "./structs/structs-vec.js";
export {
  busProtocolId,
  cAtoi,
  convertDev,
  countActivePaths,
  countActivePendingPaths,
  decodeFailback,
  decodeNoPathRetry,
  encodeFailback,
  encodeNoPathRetry,
  findMpByAlias,
  findMpByMinor,
  findMpByStr,
  findMpByWwid,
  findPathByDev,
  findPathByDevt,
  firstPath,
  hasDmInfo,
  pathcount,
  pathGroupPrio,
  pathGroupsInOrder,
  pathProtocolName,
  resetStats,
  scanDmMinor,
  selectPathGroup,
  updatePathGroupPrio,
  updatePathGroupPrios,
} from "./structs/structs-vec.js";
export type { Endianness, FrameEvent } from "./uxsock/framing.js";
export {
  acceptCommandLength,
  acceptReplyLength,
  bodyToString,
  DEFAULT_SOCKET,
  DEFAULT_UXSOCK_TIMEOUT_MS,
  encodeFrame,
  encodeLength,
  FrameReader,
  MAX_CMD_LEN,
  MAX_REPLY_LEN,
  nativeEndianness,
  SIZE_T_BYTES,
} from "./uxsock/framing.js";
export type { MpathChannel, OpenChannelOptions } from "./uxsock/mpath-channel.js";
export { multipathdRequest, openMpathChannel } from "./uxsock/mpath-channel.js";
export type { MpathConnectionOptions } from "./uxsock/mpath-cmd.js";
export { ClientErrno, DEFAULT_ADDRESS, MpathConnection } from "./uxsock/mpath-cmd.js";
export {
  findMultipathdClient,
  MultipathdClientChannel,
  nodePadsAbstractNames,
  parseMultipathdClientOutput,
} from "./uxsock/multipathd-client.js";
export type {
  PeerCredentials,
  PeerCredentialsProvider,
  UxAddress,
  UxClientInfo,
  UxDispatch,
  UxListenerOptions,
  UxLog,
  UxServerOptions,
  UxTransport,
} from "./uxsock/uxlsnr.js";
export { fixedPeerCredentials, netAddress, UxClientSession, UxServer } from "./uxsock/uxlsnr.js";
// ---- end data model, printers, CLI grammar, socket ----

// ---- multipath.conf: parser, keywords, hwtable, propsel, blacklist, config dumps (config/) ----
export type { MatchResult, PathIdentity } from "./config/blacklist.js";
export {
  DEFAULT_DEVNODE_BLACKLIST,
  DEFAULT_PROPERTY_EXCEPTION,
  filterDevice,
  filterDevnode,
  filterMessage,
  filterPath,
  filterProperty,
  filterProtocol,
  filterWwid,
  isBlacklisted,
  Match,
} from "./config/blacklist.js";
export type {
  LoadConfigOptions,
  LoadConfigResult,
  Reconciled,
} from "./config/config.js";
export {
  addFeature,
  DEFAULT_CONFIG_DIR,
  DEFAULT_CONFIGFILE,
  DEFAULT_NR_OPEN,
  findHwe,
  findMpe,
  getMpeWwid,
  HwMatcher,
  initialConfig,
  loadConfig,
  multipathToolConfig,
  parseConfig,
  reconcileFeaturesWithOptions,
  removeFeature,
  usedHwEntries,
  visibleDiagnostics,
} from "./config/config.js";
export type { UserLookup, WarnOnce } from "./config/dict.js";
export { DEFAULTS as CONFIG_DEFAULTS, parseReservationKey, pgPolicyId } from "./config/dict.js";
export { BUILTIN_HWTABLE } from "./config/hwtable.js";
export type { ConfigDiagnostic, LogLevel as ConfigLogLevel } from "./config/log.js";
export { ConfigLog, formatDiagnostics, formatLogTimestamp } from "./config/log.js";
export type { BlockDeviceEntry, ConfigMapRef, PrintConfigOptions } from "./config/print-config.js";
export { printBlacklistReport, printConfig, printDevices } from "./config/print-config.js";
export type {
  AliasBindings,
  HwhandlerPathInfo,
  KernelVersions,
  MapSelectContext,
  MapSettings,
  MapSetupInputs,
  MarginalSettings,
  OriginText,
  PathBus,
  PathProbes,
  PathSelectContext,
  QueueMode,
  ScsiTmoPlan,
  Selected,
  SelectedChecker,
  SelectedFeatures,
  SelectedPrio,
  Version3,
} from "./config/propsel.js";
export {
  checkRdac,
  DEF_TIMEOUT,
  detectPrio,
  hasUidFallback,
  marginalPathCheckEnabled,
  Origin,
  parseKernelRelease,
  planScsiTimeouts,
  selectAlias,
  selectAliasPrefix,
  selectAllTgPt,
  selectAttr,
  selectChecker,
  selectDeferredRemove,
  selectDetectChecker,
  selectDetectPrio,
  selectDevLoss,
  selectEhDeadline,
  selectFastIoFail,
  selectFeatures,
  selectFindMultipathsTimeout,
  selectFlushOnLastDel,
  selectGetuid,
  selectGhostDelay,
  selectHwhandler,
  selectMapSettings,
  selectMarginalSettings,
  selectMaxSectorsKb,
  selectMinio,
  selectNoPathRetry,
  selectPgfailback,
  selectPgpolicy,
  selectPrio,
  selectRecheckWwid,
  selectReservationKey,
  selectRetainHwhandler,
  selectRrWeight,
  selectSelector,
  selectSkipKpartx,
  selectUserFriendlyNames,
  selectVpdVendorId,
  Tpgs,
} from "./config/propsel.js";
export type { EreError, EreResult } from "./config/regex.js";
export { compileEre, ereTest } from "./config/regex.js";
export type {
  BlacklistDeviceEntry,
  BlacklistEntry,
  BlacklistOrigin,
  BlacklistRegex,
  BlacklistRules,
  Config,
  FailbackValue,
  FindMultipaths,
  HwEntry,
  LogCheckerErr,
  MapAttrs,
  MarginalPathgroups,
  MpEntry,
  NoOrNumber,
  NoPathRetryValue,
  OffOrNumber,
  Overrides,
  PathAttrs,
  PcEntry,
  PgPolicyName,
  ProtocolName,
  QueueWithoutDaemon,
  ReservationKey,
  RrWeightName,
  VpdVendor,
} from "./config/structs.js";
export {
  ATTR_GID,
  ATTR_MODE,
  ATTR_UID,
  failbackCode,
  MAX_DEV_LOSS_TMO,
  noPathRetryCode,
  PROTOCOL_NAMES,
  pgPolicyCode,
  rrWeightCode,
} from "./config/structs.js";

// ---- end multipath.conf ----

export {
  BINDINGS_FILE_HEADER,
  checkAliasSettings,
  formatDevname,
  getUserFriendlyAlias,
  scanDevname,
} from "./libmultipath/alias.js";
export { aluaProbes, checkerFactory, prioritizerFactory } from "./libmultipath/checkers.js";
export { coalescePaths, domap, selectAction, setupMap } from "./libmultipath/configure.js";
export type { LibmpContext, LibmpContextOptions } from "./libmultipath/context.js";
export { createLibmpContext } from "./libmultipath/context.js";
export type { CpuCosts, CpuProfile } from "./libmultipath/cpu.js";
export { cpuCosts, LAB_CPU_COSTS, NATIVE_CPU_COSTS, NO_CPU_COSTS } from "./libmultipath/cpu.js";
export { DI, Domap, ForceReload, MpathCmd, PathinfoResult } from "./libmultipath/defaults.js";
export { LibmpExit } from "./libmultipath/devmapper.js";
export { pathDiscovery, pathinfo, pathOffline } from "./libmultipath/discovery.js";
export { assembleMap, disassembleMap, disassembleStatus } from "./libmultipath/dmparser.js";
// ---- daemon core, libmultipath, the multipath tool, scenario plugin (libmultipath/ multipathd/ multipath-tool/) ----
export type { DaemonEvent, DaemonEventListener } from "./libmultipath/events.js";
export { EventHub } from "./libmultipath/events.js";
export type { LogRecord, LogSink } from "./libmultipath/log.js";
export { Logger, LogRing, stderrWithTimeSink } from "./libmultipath/log.js";
export type { QueueingEffect, QueueingEvent, QueueingState } from "./libmultipath/no-path-retry.js";
export { queueingTransition } from "./libmultipath/no-path-retry.js";
/** The state files on a real host: real files, replaced atomically. */
export { NodeFileStore } from "./libmultipath/node-file-store.js";
export { groupPaths, pgPolicyFn, pgPolicyName } from "./libmultipath/pgpolicies/index.js";
export type {
  AluaProbes,
  CheckerFactory,
  CheckerTarget,
  PathChecker,
  Prioritizer as DaemonPrioritizer,
  PrioritizerFactory,
  PrioTarget,
} from "./libmultipath/plugins.js";
export type { MpMap, MpPath, MpPathGroup } from "./libmultipath/structs.js";
export { allocMultipath, allocPath } from "./libmultipath/structs.js";
export { isPathValid, multipathU, PathValid } from "./libmultipath/valid.js";
export {
  lookupWwid,
  rememberWwid,
  removeWwid,
  shouldMultipath,
  WWIDS_FILE_HEADER,
} from "./libmultipath/wwids.js";
export type { MultipathToolEnv, ToolIo as MultipathToolIo } from "./multipath-tool/main.js";
export { multipathUsage, runMultipath } from "./multipath-tool/main.js";
export type { RunEffect, RunEvent, RunState } from "./multipathd/daemon-state.js";
export { INITIAL_RUN_STATE, runStateTransition } from "./multipathd/daemon-state.js";
export type { MultipathDaemonOptions } from "./multipathd/main.js";
export { MULTIPATHD_VERSION, MultipathDaemon } from "./multipathd/main.js";
export type { CreateMultipathdOptions, Multipathd } from "./multipathd/multipathd.js";
export { createMultipathd } from "./multipathd/multipathd.js";
export type { PathCheckEffect, PathCheckInput, PathCheckOutput } from "./multipathd/path-transition.js";
export { pathCheckTransition } from "./multipathd/path-transition.js";
export { machineMultipathd, scenarioPlugin } from "./scenario-plugin.js";
// ---- end daemon core ----
