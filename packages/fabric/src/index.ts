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
// --- end timing + workload ---
