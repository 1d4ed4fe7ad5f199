// --- timing + workload (H5b) ---
export type { DiskMechanicsSpec, SeekSpec } from "./timing/disk-mechanics.js";
export { DiskMechanics, diskMechanicsProblems } from "./timing/disk-mechanics.js";
export type { Distribution, DistributionSpec, PercentilePoint } from "./timing/distribution.js";
export { createDistribution, distributionProblems } from "./timing/distribution.js";
export { TimingSpecError } from "./timing/errors.js";
export type { DeviceProfileName, PortProfileName } from "./timing/profiles.js";
export { deviceProfiles, portProfiles } from "./timing/profiles.js";
export type { QueueingResourceOptions, RateCap, ResourceSpec } from "./timing/queueing-resource.js";
export { MAX_QUEUE_DEPTH, QueueingResource, resourceProblems } from "./timing/queueing-resource.js";
export type { ServiceModel } from "./timing/service-model.js";
export { TandemModel, tandem } from "./timing/tandem.js";
export { crc32c } from "./workload/crc32c.js";
export type { IoStats, IoStatsSnapshot, IoStatsSource } from "./workload/io-stats.js";
export {
  diffIoStats,
  IoCounters,
  ioStatsOf,
  StatsBlockDevice,
  snapshotIoStats,
} from "./workload/io-stats.js";
export type { FioArgsResult, JobFileResult } from "./workload/job-file.js";
export { formatJobFile, parseFioArgs, parseJobFile } from "./workload/job-file.js";
export type {
  BsSplitEntry,
  ContinueOnError,
  DeviceInfo,
  JobDiagnostic,
  JobOptions,
  ResolvedJob,
  ResolveResult,
  RwMode,
  VerifyKind,
} from "./workload/job-options.js";
export { JOB_OPTION_NAMES, parseBsSplit, resolveJobs } from "./workload/job-options.js";
export type { IoErrorRecord } from "./workload/job-thread.js";
export type { PercentileValue } from "./workload/latency-histogram.js";
export { FIO_DEFAULT_PERCENTILES, LatencyHistogram } from "./workload/latency-histogram.js";
export { Md5 } from "./workload/md5.js";
export type { RamBlockDeviceOptions, RamLogEntry } from "./workload/ram-device.js";
export { RamBlockDevice } from "./workload/ram-device.js";
export type {
  DirectionReport,
  GroupDirectionReport,
  GroupReport,
  JobReport,
  LatencyReport,
  PathReport,
  SampleReport,
  VerifyReport,
  WorkloadReport,
} from "./workload/report.js";
export { formatReportJson } from "./workload/report-json.js";
export { formatReportText } from "./workload/report-text.js";
export type { RunWorkloadOptions, WorkloadOptions } from "./workload/runner.js";
export {
  DEFAULT_WORKLOAD_LIMIT_NS,
  PathStatsError,
  runWorkload,
  startWorkload,
  WorkloadOptionsError,
  WorkloadRun,
} from "./workload/runner.js";
export { parseSize, parseTime } from "./workload/units.js";
export type { VerifyFailure, VerifyFailureKind } from "./workload/verify.js";
export { formatVerifyFailure } from "./workload/verify.js";
// --- end timing + workload ---

// --- hardware + SimHost (H4) ---
export { machineFabric, scenarioPlugin } from "./conformance-plugin.js";
export type {
  AasSupport,
  AluaEffect,
  AluaEvent,
  AluaStateName,
  TpgState,
  TpgStatus,
} from "./hardware/alua.js";
export { Aas, aasFromName, aasName, aluaTransition } from "./hardware/alua.js";
export type {
  AluaDomainOptions,
  AluaMode,
  InitiatorRef,
  LogicalUnitOptions,
  LuIdentity,
  StorageArrayOptions,
} from "./hardware/array.js";
export { AluaDomain, LogicalUnit, StorageArray, TargetPort, TargetPortGroup } from "./hardware/array.js";
export { DataStore } from "./hardware/data-store.js";
export type { FabricEvent } from "./hardware/events.js";
export type { HbaOptions, LinkOptions, TransportKind } from "./hardware/fabric.js";
export { Fabric, Hba, Link } from "./hardware/fabric.js";
export type { FaultAction, FaultMatch, FaultSpec, InstalledFault } from "./hardware/fault.js";
export { FaultList } from "./hardware/fault.js";
export type { FixedServiceOptions } from "./hardware/fixed-service.js";
export { FixedServiceModel } from "./hardware/fixed-service.js";
export { Ua } from "./hardware/unit-attention.js";
export { MemFileStore } from "./host/file-store.js";
export { MULTIPATH_HOST_MODULES } from "./host/host-modules.js";
export type { BlkIoctl, DevNodeResolution, SimHostOptions } from "./host/sim-host.js";
export { ENOTTY, SimHost } from "./host/sim-host.js";
export { SimSysfs } from "./host/sim-sysfs.js";
export type { MultipathU, UdevRule, UdevRuleContext } from "./host/udev/rules.js";
export { blockRules, defaultRules, multipathRules } from "./host/udev/rules.js";
export { scsiIdExport } from "./host/udev/scsi-id.js";
export type { UdevRecord } from "./host/udev/udev.js";
export { SimUdev } from "./host/udev/udev.js";
export type { ArrayProfileOptions, BuiltArray, LunSpec } from "./profiles/array-builder.js";
export { buildTwoControllerArray, naa6FromSerial } from "./profiles/array-builder.js";
export type { EmcClariionOptions } from "./profiles/emc-clariion.js";
export { EmcClariionPersonality, emcClariionArray } from "./profiles/emc-clariion.js";
export type { HpSwOptions } from "./profiles/hp-sw.js";
export { HpSwPersonality, hpSwArray } from "./profiles/hp-sw.js";
export type { LioArrayOptions } from "./profiles/lio.js";
export { LioPersonality, lioArray } from "./profiles/lio.js";
export { parseModuleParams } from "./profiles/module-params.js";
export type { NetappRdacOptions } from "./profiles/netapp-rdac.js";
export { NetappRdacPersonality, netappRdacArray } from "./profiles/netapp-rdac.js";
export type {
  BuiltNvmeArray,
  NvmeArrayMode,
  NvmeArrayOptions,
  NvmeNamespaceSpec,
} from "./profiles/nvme-array.js";
export { nvmeArray } from "./profiles/nvme-array.js";
export type { ScsiDebugConfig, ScsiDebugInstance, ScsiDebugModule } from "./profiles/scsi-debug.js";
export { createScsiDebugModule, SDEBUG_VERSION } from "./profiles/scsi-debug.js";
export { ScsiDebugPersonality } from "./profiles/scsi-debug-personality.js";
export type { SenseSpec } from "./scsi/sense.js";
export { FabricAsc, sense, senseBuffer } from "./scsi/sense.js";
export { SimScsiDevice } from "./scsi-ml/scsi-device.js";
export { FcRport, ScsiHost, ScsiTarget } from "./scsi-ml/scsi-host.js";
export { scsiResultToBlkStatus } from "./scsi-ml/scsi-lib.js";
export { ASYNC_SCAN_NS, ScsiSubsystem, SD_PROBE_TAIL_NS } from "./scsi-ml/scsi-subsystem.js";
export { SdDisk, sdDevt, sdDiskName, sdMajor } from "./scsi-ml/sd.js";
export { SDEV_STATE_NAMES } from "./scsi-ml/sdev-state.js";
export { relativeLink, SysfsTree } from "./sysfs/tree.js";
export type { Personality, TargetContext } from "./target/personality.js";
export { SpcPersonality } from "./target/personality.js";
export { executeTargetCommand } from "./target/scsi-target.js";
export type { TargetIo } from "./target/target-io.js";
export { blockdevMain } from "./tools/blockdev.js";
export type { SgTursEnv } from "./tools/sg-turs.js";
export { sgTursMain } from "./tools/sg-turs.js";
export type { ToolIo } from "./tools/tool-io.js";
export { formatUdevadmAll, udevadmMain } from "./tools/udevadm.js";
export type { AttachFabricOptions, FabricAttachment, SimWorld, SimWorldOptions } from "./world.js";
export { attachFabric, createSimWorld, FC_HBA_DRIVERS } from "./world.js";
// --- end hardware + SimHost ---

// --- scenarios, fault timeline, NVMe multipath (H9) ---
export type {
  FaultWorld,
  InjectLabel,
  TimelineAction,
  TimelineEvent,
  TimelineLogEntry,
  TimelineTarget,
} from "./faults/timeline.js";
export {
  FaultTimeline,
  NAMED_HOST_BYTE,
  NAMED_SENSE,
  NAMED_STATUS,
  Resolver,
  UnresolvedReference,
} from "./faults/timeline.js";
export type {
  NvmeTransport,
  NvmetNamespaceOptions,
  NvmetPortChange,
  NvmetPortOptions,
  NvmetSubsystemOptions,
} from "./hardware/nvme-target.js";
export { NVMET_MAX_ANAGRPS, NvmetNamespace, NvmetPort, NvmetSubsystem } from "./hardware/nvme-target.js";
export type { AnaStateName } from "./nvme/ana.js";
export {
  ANA_STATE_NAMES,
  AnaState,
  anaStateFromName,
  anaStateIsLive,
  anaStateName,
  isAnaError,
  isPathError,
  NvmePathStatus,
  NvmeStatusBits,
} from "./nvme/ana.js";
export type { NvmeAdminCommand, NvmeAdminResult } from "./nvme/nvme-admin.js";
export { NvmeAdminOpcode, NvmeCns, NvmeLogId } from "./nvme/nvme-admin.js";
export type { NvmeConnectOptions, NvmeCoreOptions, NvmeHolderCheck } from "./nvme/nvme-core.js";
export { BLOCK_EXT_MAJOR, NvmeCore, NvmeSubsys } from "./nvme/nvme-core.js";
export type { NvmeCtrlOptions, NvmeCtrlState } from "./nvme/nvme-ctrl.js";
export { NvmeCtrl, nvmeErrorStatus } from "./nvme/nvme-ctrl.js";
export { NvmeNs } from "./nvme/nvme-ns.js";
export { formatUuidBytes, nvmeWwid } from "./nvme/nvme-sysfs.js";
export type { IoPolicy, PolicyPath } from "./nvme-multipath/iopolicy.js";
export { findPathIndex, IO_POLICIES, queueDepthIndex, roundRobinIndex } from "./nvme-multipath/iopolicy.js";
export { NvmeNsHead } from "./nvme-multipath/nvme-ns-head.js";
export { ScenarioError, ScenarioSetupError } from "./scenario/errors.js";
export type { ExpectationResult } from "./scenario/expect.js";
export type { ScenarioParseResult } from "./scenario/parse.js";
export { normalizeSelector, parseScenario } from "./scenario/parse.js";
export type {
  CheckedPath,
  CheckerEvent,
  MpathStatus,
  MpathStatusGroup,
  MpathStatusPath,
  TurState,
} from "./scenario/path-checker.js";
export { PathChecker, parseMpathStatus, turState } from "./scenario/path-checker.js";
export { selectorsFromModule } from "./scenario/plugins.js";
export type { Recovery } from "./scenario/probe.js";
export { CompletionProbe } from "./scenario/probe.js";
export {
  formatCellText,
  formatCompare,
  formatScenarioJson,
  formatScenarioText,
  formatSummary,
  scenarioResultJson,
} from "./scenario/report.js";
export type {
  CellResult,
  MapResult,
  PathShare,
  RunScenarioOptions,
  ScenarioDaemon,
  ScenarioResult,
} from "./scenario/run.js";
export { cellLabel, expandMatrix, runCell, runScenario } from "./scenario/run.js";
export type {
  ExpectationSpec,
  MapSpec,
  MatrixAxis,
  MatrixCell,
  ScenarioSpec,
  ServiceSpec,
  TopologySpec,
  WorkloadSpec,
} from "./scenario/spec.js";
export type { BuildOptions, BuiltHead, BuiltMap, BuiltPath, ScenarioWorld } from "./scenario/world.js";
export { buildScenarioWorld, ScenarioWorldError } from "./scenario/world.js";
export type { Pos, ScenarioDiagnostic } from "./scenario/yaml-reader.js";
export { formatDiagnostic } from "./scenario/yaml-reader.js";
// --- end scenarios ---
