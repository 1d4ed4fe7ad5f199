export { CpuMask, cpumaskFormat, cpumaskParse } from "./cpumask.js";
export {
  fixedEma,
  fixedPower,
  HST_FIXED_1,
  HST_FIXED_95,
  HST_FIXED_SHIFT,
  HST_WEIGHT_COUNT,
  historicalServiceTimeSelector,
  hstCompare,
  hstWeights,
} from "./historical-service-time.js";
export { ioAffinitySelector } from "./io-affinity.js";
export type {
  AddPathResult,
  CreateSelectorResult,
  DmPath,
  PathSelector,
  PathSelectorEnv,
  PathSelectorType,
  StatusType,
} from "./path-selector.js";
export { definePathSelector } from "./path-selector.js";
export { queueLengthSelector } from "./queue-length.js";
export { roundRobinSelector } from "./round-robin.js";
export { serviceTimeSelector, stCompareLoad } from "./service-time.js";
