export { createCcissTurChecker } from "./cciss-tur.js";
export { bdevBlockSize, createDirectioChecker, DIRECTIO_MSGTABLE, DirectioMsgId } from "./directio.js";
export type { EmcLuContext } from "./emc-clariion.js";
export { createEmcClariionChecker, EMC_CLARIION_MSGTABLE, EmcMsgId } from "./emc-clariion.js";
export { createHpSwChecker } from "./hp-sw.js";
export { sgRead } from "./libsg.js";
export { createNoneChecker } from "./none.js";
export { createRdacChecker, RDAC_MSGTABLE, RdacMsgId, rdacDownMessage, rdacStateOf } from "./rdac.js";
export { createReadsector0Checker } from "./readsector0.js";
export type { TurContextState, TurEffect, TurEvent, TurMachine, TurThread, TurVerdict } from "./tur.js";
export {
  createTurChecker,
  TUR_GRACE_NS,
  TUR_MSGTABLE,
  TurMsgId,
  turCheck,
  turInitial,
  turTransition,
  turVerdict,
} from "./tur.js";
