// The SCSI device handlers (drivers/scsi/device_handler/scsi_dh_*.c) and the scsi_dh core.
// Handler types keep per-kernel state (ALUA port groups, RDAC controllers and their work queue,
// EMC's trespass pages), so each kernel creates its own with these factories.

export {
  scsiDhActivate,
  scsiDhAddDevice,
  scsiDhAttach,
  scsiDhAttachedHandlerName,
  scsiDhAttachFailed,
  scsiDhFindDriver,
  scsiDhLookup,
  scsiDhModule,
  scsiDhReleaseDevice,
  scsiDhSetParams,
  scsiDhShowState,
  scsiDhStoreState,
  scsiRegisterDeviceHandler,
  scsiUnregisterDeviceHandler,
} from "./scsi-dh.js";
export type { AluaHandlerType, AluaModuleParams, AluaPortGroupInfo } from "./scsi-dh-alua.js";
export { createAluaHandlerType } from "./scsi-dh-alua.js";
export type { EmcHandlerType } from "./scsi-dh-emc.js";
export { createEmcHandlerType } from "./scsi-dh-emc.js";
export type { HpSwHandlerType } from "./scsi-dh-hp-sw.js";
export { createHpSwHandlerType } from "./scsi-dh-hp-sw.js";
export type { RdacHandlerType, RdacModuleParams } from "./scsi-dh-rdac.js";
export { createRdacHandlerType } from "./scsi-dh-rdac.js";
