import type { Bio } from "../block/bio.js";
import type { BlkStatus } from "../block/status.js";
import type { Clock } from "../clock/clock.js";
import type { KernelLog } from "../kernel/log.js";
import type { ScsiDevice, SenseData } from "../scsi/scsi-device.js";

/** `SCSI_DH_*` result codes of an activation, with 6.1's numbers (NOMEM comes before NOSYS). */
export const ScsiDhResult = {
  OK: 0,
  DEV_FAILED: 1,
  DEV_TEMP_BUSY: 2,
  DEV_UNSUPP: 3,
  NOTCONN: 5,
  CONN_FAILURE: 6,
  IO: 8,
  INVALID_IO: 9,
  RETRY: 10,
  IMM_RETRY: 11,
  TIMED_OUT: 12,
  RES_TEMP_UNAVAIL: 13,
  DEV_OFFLINED: 14,
  NOMEM: 15,
  NOSYS: 16,
} as const;
export type ScsiDhResult = (typeof ScsiDhResult)[keyof typeof ScsiDhResult];

/** `enum scsi_disposition`: what the midlayer does with a command after `check_sense`. */
export const ScsiDisposition = {
  NEEDS_RETRY: 0x2001,
  SUCCESS: 0x2002,
  FAILED: 0x2003,
  QUEUED: 0x2004,
  SOFT_ERROR: 0x2005,
  ADD_TO_MLQUEUE: 0x2006,
  TIMEOUT_ERROR: 0x2007,
  SCSI_RETURN_NOT_HANDLED: 0x2008,
  FAST_IO_FAIL: 0x2009,
} as const;
export type ScsiDisposition = (typeof ScsiDisposition)[keyof typeof ScsiDisposition];

/** What a handler may use besides its device: the world's clock and the kernel log. */
export interface ScsiDhEnv {
  readonly clock: Clock;
  readonly log: KernelLog;
}

/**
 * A device handler attached to one SCSI device (`sdev->handler` + `sdev->handler_data`).
 * All methods are called by the SCSI layer model (the fabric's `sd` disk) and by dm-mpath.
 */
export interface ScsiDhInstance {
  /** Handler name (`alua`, `emc`, `rdac`, `hp_sw`), as sysfs `dh_state` prints it. */
  readonly name: string;
  /**
   * `activate`: make this path usable (ALUA: RTPG, STPG when needed; emc: trespass; …).
   * `done` runs exactly once, later on the clock, with a {@link ScsiDhResult}.
   */
  activate(done: (result: ScsiDhResult) => void): void;
  /** `prep_fn`: gate a normal I/O before dispatch; `BlkStatus.OK` lets it through, else it fails with that status. */
  prepFn(bio: Bio): BlkStatus;
  /** `check_sense`: the handler's verdict on sense data of a failed command, or SCSI_RETURN_NOT_HANDLED. */
  checkSense(sense: SenseData): ScsiDisposition;
  /** `set_params` with the arguments after the handler name (`["1"]` for table `2 alua 1`): 0 or -errno. */
  setParams(args: readonly string[]): number;
  /** `rescan`: re-read state after a UNIT ATTENTION / capacity change. */
  rescan(): void;
  /** `detach`. */
  detach(): void;
}

/** A device-handler type (`struct scsi_device_handler`): a plugin registered by name. */
export interface ScsiDeviceHandlerType {
  readonly name: string;
  /**
   * `attach`: returns the instance, or a negative errno when the device is not one this handler
   * drives (e.g. ALUA on a device without TPGS → -ENODEV). Probing I/O the real handler does at
   * attach time is issued asynchronously; the instance is usable at once.
   */
  attach(sdev: ScsiDevice, env: ScsiDhEnv): ScsiDhInstance | number;
}

/** Helper for plugin authors: checks the shape and returns the handler type unchanged. */
export function defineHardwareHandler(type: ScsiDeviceHandlerType): ScsiDeviceHandlerType {
  if (!/^[A-Za-z0-9_]+$/.test(type.name)) throw new TypeError(`invalid hardware handler name: ${type.name}`);
  return type;
}
