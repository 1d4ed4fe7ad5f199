export type { ParsedMultipath } from "./ctr.js";
export type { MpathEffect, MpathEvent, MpathState, MpathTopology, PathState } from "./mpath-state.js";
export {
  initialState,
  MpathFlag,
  msecsToJiffiesNs,
  PG_INIT_DELAY_DEFAULT,
  PG_INIT_DELAY_MSECS,
  transition,
} from "./mpath-state.js";
export type { MultipathModuleParams, MultipathSnapshot, MultipathTargetOptions } from "./multipath.js";
export { createMultipathTargetType, MultipathTarget, multipathTargetType } from "./multipath.js";
