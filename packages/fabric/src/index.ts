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
