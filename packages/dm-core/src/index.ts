// @mp/dm-core — the kernel half of Linux multipath, modelled.

export type { BioEndIo } from "./block/bio.js";
export { Bio, BioPool, bioEndio, FAILFAST_MASK, ReqFlag, ReqOp, reqOpName } from "./block/bio.js";
export type { BlockDevice } from "./block/block-device.js";
export type { BlockEvent } from "./block/block-layer.js";
export { BlockLayer } from "./block/block-layer.js";
export type { DevT } from "./block/devt.js";
export {
  DM_MAJOR,
  devMajor,
  devMinor,
  formatDevT,
  LOOP_MAJOR,
  MINORBITS,
  mkdev,
  SCSI_DISK0_MAJOR,
} from "./block/devt.js";
// dm core, loop and the kernel aggregate (dm-core engineer's region)
export type { LoopDriverOptions, LoopResult } from "./block/loop.js";
export { LOOP_DEFAULT_BANDWIDTH, LoopDevice, LoopDriver } from "./block/loop.js";
export { BdevFile, initRaSize, nextRaSize, PageCache } from "./block/page-cache.js";
export {
  BlkStatus,
  blkPathError,
  blkStatusName,
  blkStatusText,
  blkStatusToErrno,
  Errno,
  errnoName,
  strerror,
} from "./block/status.js";
export type { Clock, TimerCallback } from "./clock/clock.js";
export { NSEC_PER_MSEC, NSEC_PER_SEC, NSEC_PER_USEC } from "./clock/clock.js";
export type { Flush } from "./clock/drive.js";
export { advanceAsync, defaultFlush, settle } from "./clock/drive.js";
export type { RealTimePacerOptions, WallClock } from "./clock/real-time.js";
export { RealTimePacer } from "./clock/real-time.js";
export { VirtualClock } from "./clock/virtual-clock.js";
export { realTimeClock, realWallClock } from "./clock/wall-clock.js";
export type { DevLookup, DevNamespace } from "./dm/dev-path.js";
export { dmDevtFromPath, nameToDevT } from "./dm/dev-path.js";
export type { DeviceMapperOptions } from "./dm/device-mapper.js";
export { DeviceMapper, DM_IOCTL_VERSION } from "./dm/device-mapper.js";
export type {
  DmControl,
  DmInfo,
  DmListEntry,
  DmRef,
  DmResult,
  DmStatusLine,
  DmSuspendOptions,
  DmTableLine,
  DmTargetVersion,
} from "./dm/ioctl.js";
export { MappedDevice } from "./dm/mapped-device.js";
export type {
  DmCtrResult,
  DmDev,
  DmMappedDeviceRef,
  DmPerIo,
  DmQueueType,
  DmTarget,
  DmTargetEnv,
  DmTargetType,
} from "./dm/target.js";
export { DmEndio, DmMapio, DmTargetFeature, defineTarget } from "./dm/target.js";
export { errorTargetType } from "./dm/targets/error.js";
export { linearTargetType } from "./dm/targets/linear.js";
export { stripedTargetType } from "./dm/targets/striped.js";
export { InvariantError, MpError, PluginError } from "./errors.js";
export type { ScsiDeviceHandlerType, ScsiDhEnv, ScsiDhInstance } from "./handlers/handler.js";
export { defineHardwareHandler, ScsiDhResult, ScsiDisposition } from "./handlers/handler.js";
export type {
  BlockHandle,
  FileStore,
  Host,
  SysfsView,
  UdevDevice,
  UdevEvent,
  UdevView,
} from "./host/host.js";
export type { BuiltinModuleEnv, KernelConfig } from "./kernel/builtin-modules.js";
export { builtinModules } from "./kernel/builtin-modules.js";
export type { Kernel, KernelOptions } from "./kernel/kernel.js";
export { createKernel, DiskSeq } from "./kernel/kernel.js";
export type { KernelLogLine } from "./kernel/log.js";
export { formatDmesgTime, KernelLog, LogLevel } from "./kernel/log.js";
export type { KernelModule, ModprobeResult } from "./kernel/modules.js";
export { ModuleRegistry } from "./kernel/modules.js";
export type { Uevent, UeventInit } from "./kernel/uevent.js";
export { UeventBus, ueventVar } from "./kernel/uevent.js";
// --- multipath target and path selectors (multipath/, selectors/) ---
export type {
  MpathEffect,
  MpathEvent,
  MpathState,
  MpathTopology,
  MultipathModuleParams,
  MultipathSnapshot,
  MultipathTargetOptions,
  PathState,
} from "./multipath/index.js";
export {
  createMultipathTargetType,
  initialState as mpathInitialState,
  MpathFlag,
  MultipathTarget,
  multipathTargetType,
  transition as mpathTransition,
} from "./multipath/index.js";
export { Registry } from "./registry.js";
export type { Rng } from "./rng.js";
export { createRng, hashSeed } from "./rng.js";
export type {
  ScsiCommand,
  ScsiDevice,
  ScsiDeviceState,
  ScsiDirection,
  ScsiResult,
  SenseData,
} from "./scsi/scsi-device.js";
export { AccessState, HostStatus, hctl, SamStatus, SenseKey } from "./scsi/scsi-device.js";
export {
  CpuMask,
  cpumaskFormat,
  cpumaskParse,
  historicalServiceTimeSelector,
  ioAffinitySelector,
  queueLengthSelector,
  roundRobinSelector,
  serviceTimeSelector,
} from "./selectors/index.js";
export type {
  AddPathResult,
  CreateSelectorResult,
  DmPath,
  PathSelector,
  PathSelectorEnv,
  PathSelectorType,
  StatusType,
} from "./selectors/path-selector.js";
export { definePathSelector } from "./selectors/path-selector.js";

// --- end multipath / selectors ---

export type {
  AluaHandlerType,
  AluaModuleParams,
  AluaPortGroupInfo,
  EmcHandlerType,
  HpSwHandlerType,
  RdacHandlerType,
  RdacModuleParams,
} from "./handlers/index.js";
export {
  createAluaHandlerType,
  createEmcHandlerType,
  createHpSwHandlerType,
  createRdacHandlerType,
  scsiDhAddDevice,
  scsiDhAttachFailed,
  scsiDhFindDriver,
  scsiDhModule,
  scsiDhReleaseDevice,
  scsiDhShowState,
  scsiDhStoreState,
  scsiRegisterDeviceHandler,
  scsiUnregisterDeviceHandler,
} from "./handlers/index.js";
// --- SCSI protocol (scsi/cdb, sense, scsi-lib, scsi-logging) and the device handlers ---
export type {
  BuildRtpgOptions,
  DecodedCdb,
  Designator,
  ModePageControl,
  RtpgData,
  StandardInquiry,
  StandardInquiryInit,
  StpgDescriptor,
  TargetPortGroupDescriptor,
} from "./scsi/cdb.js";
export {
  Association,
  accessStateName,
  aluaStateChar,
  aluaSupportedString,
  buildRtpg,
  buildStandardInquiry,
  buildSupportedVpdPages,
  buildVpd80,
  buildVpd83,
  buildVpdPage,
  CodeSet,
  cdbLength,
  DesignatorType,
  decodeCdb,
  formatCdb,
  getBe16,
  getBe32,
  getBe64,
  inquiryCdb,
  inquiryTpgs,
  inquiryVpdCdb,
  MI_EXT_HDR_PARAM_FMT,
  MI_REPORT_TARGET_PGS,
  MO_SET_TARGET_PGS,
  modeSelect6Cdb,
  modeSelect10Cdb,
  modeSense6Cdb,
  modeSense10Cdb,
  naaDesignator,
  opcodeName,
  parseRtpg,
  parseStandardInquiry,
  parseStpgParameterList,
  parseVpd80,
  parseVpd83,
  putBe16,
  putBe32,
  putBe64,
  read10Cdb,
  read16Cdb,
  readCapacity10Cdb,
  readCapacity16Cdb,
  relativeTargetPortDesignator,
  reportTargetPortGroupsCdb,
  SAI_READ_CAPACITY_16,
  ScsiOp,
  setTargetPortGroupsCdb,
  startStopUnitCdb,
  stpgParameterList,
  TpgsMode,
  TpgsSupport,
  t10VendorDesignator,
  targetPortGroupDesignator,
  testUnitReadyCdb,
  vpdPageLength,
  write10Cdb,
  write16Cdb,
} from "./scsi/cdb.js";
export type { ExecResult } from "./scsi/scsi-lib.js";
export {
  hostByte,
  scsiDeviceSupportsVpd,
  scsiExecute,
  scsiGetVpdPage,
  scsiLevel,
  scsiTestUnitReady,
  scsiVpdLunId,
  scsiVpdTpgId,
} from "./scsi/scsi-lib.js";
export { scsiPrintSenseHdr, sdevPrefix, sdevPrintk } from "./scsi/scsi-logging.js";
export type { AscAscq, ScsiSenseHdr } from "./scsi/sense.js";
export {
  Asc,
  buildSenseBuffer,
  formatExtdSense,
  formatSenseKeyLine,
  formatSenseTriple,
  makeSense,
  NO_SENSE_HDR,
  normalizeSense,
  scsiSenseIsDeferred,
  scsiSenseValid,
  senseFromBytes,
  senseHdrOf,
  senseIs,
  senseKeyText,
} from "./scsi/sense.js";
// --- end SCSI / handlers ---
