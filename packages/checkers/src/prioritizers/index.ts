export { aasPrintString, aluaPrioOf, createAluaPrioritizer, getExclusivePrefArg } from "./alua.js";
export {
  aluaScsiError,
  doInquiry,
  doRtpg,
  getAsymmetricAccessState,
  getTargetPortGroup,
  getTargetPortGroupSupport,
  RtpgError,
  Tpgs,
} from "./alua-rtpg.js";
export { createAnaPrioritizer, NvmeAna, nvmeAnaSupported } from "./ana.js";
export { createConstPrioritizer } from "./const.js";
export { createDatacorePrioritizer, parseDatacoreArgs } from "./datacore.js";
export { createEmcPrioritizer } from "./emc.js";
export { createHdsPrioritizer } from "./hds.js";
export { createHpSwPrioritizer } from "./hp-sw.js";
export { createIetPrioritizer } from "./iet.js";
export { createOntapPrioritizer } from "./ontap.js";
export { calcPrio, cExp, createPathLatencyPrioritizer, parsePathLatencyArgs } from "./path-latency.js";
export { createRandomPrioritizer } from "./random.js";
export { createRdacPrioritizer } from "./rdac.js";
export { createSysfsPrioritizer } from "./sysfs.js";
export { createWeightedPathPrioritizer, weightedPathString } from "./weightedpath.js";
