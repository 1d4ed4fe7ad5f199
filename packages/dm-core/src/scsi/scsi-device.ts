import type { ScsiDhInstance } from "../handlers/handler.js";

/** SAM status codes. */
export const SamStatus = {
  GOOD: 0x00,
  CHECK_CONDITION: 0x02,
  CONDITION_MET: 0x04,
  BUSY: 0x08,
  RESERVATION_CONFLICT: 0x18,
  TASK_SET_FULL: 0x28,
  ACA_ACTIVE: 0x30,
  TASK_ABORTED: 0x40,
} as const;

/** Host byte (`DID_*`) of a SCSI result: what the transport/HBA says. */
export const HostStatus = {
  DID_OK: 0x00,
  DID_NO_CONNECT: 0x01,
  DID_BUS_BUSY: 0x02,
  DID_TIME_OUT: 0x03,
  DID_BAD_TARGET: 0x04,
  DID_ABORT: 0x05,
  DID_PARITY: 0x06,
  DID_ERROR: 0x07,
  DID_RESET: 0x08,
  DID_BAD_INTR: 0x09,
  DID_PASSTHROUGH: 0x0a,
  DID_SOFT_ERROR: 0x0b,
  DID_IMM_RETRY: 0x0c,
  DID_REQUEUE: 0x0d,
  DID_TRANSPORT_DISRUPTED: 0x0e,
  DID_TRANSPORT_FAILFAST: 0x0f,
  DID_TARGET_FAILURE: 0x10,
  DID_NEXUS_FAILURE: 0x11,
  DID_ALLOC_FAILURE: 0x12,
  DID_MEDIUM_ERROR: 0x13,
  DID_TRANSPORT_MARGINAL: 0x14,
} as const;

/** Sense keys. */
export const SenseKey = {
  NO_SENSE: 0x0,
  RECOVERED_ERROR: 0x1,
  NOT_READY: 0x2,
  MEDIUM_ERROR: 0x3,
  HARDWARE_ERROR: 0x4,
  ILLEGAL_REQUEST: 0x5,
  UNIT_ATTENTION: 0x6,
  DATA_PROTECT: 0x7,
  BLANK_CHECK: 0x8,
  COPY_ABORTED: 0xa,
  ABORTED_COMMAND: 0xb,
  VOLUME_OVERFLOW: 0xd,
  MISCOMPARE: 0xe,
} as const;

/** Data transfer direction of a passthrough command (`sg_io_hdr.dxfer_direction`). */
export type ScsiDirection = "none" | "to-device" | "from-device";

/** A SCSI command sent through the passthrough path (SG_IO / `scsi_execute`). */
export interface ScsiCommand {
  /** The CDB bytes (6, 10, 12 or 16). */
  readonly cdb: Uint8Array;
  readonly direction: ScsiDirection;
  /** Data sent to the device (`to-device`). */
  readonly dataOut?: Uint8Array;
  /** Bytes the initiator accepts back (`from-device`); data is truncated to it. */
  readonly allocationLength?: number;
  /** Command timeout in milliseconds; the result is `DID_TIME_OUT` when the device does not answer in time. */
  readonly timeoutMs: number;
  /**
   * `scsi_execute`'s `retries`: how many times the midlayer may resend the command on a retryable
   * outcome (its disposition, including the attached handler's `check_sense`). Absent = 0 (SG_IO).
   */
  readonly retries?: number | undefined;
}

/** Parsed fixed- or descriptor-format sense data (key/ASC/ASCQ), with the raw bytes. */
export interface SenseData {
  readonly key: number;
  readonly asc: number;
  readonly ascq: number;
  /** The raw sense buffer (fixed format 0x70 unless the device uses descriptors). */
  readonly raw: Uint8Array;
}

/** The outcome of a passthrough command (the parts of `sg_io_hdr` a user reads). */
export interface ScsiResult {
  /** SAM status byte. */
  readonly status: number;
  /** Host byte (`DID_*`). */
  readonly hostStatus: number;
  /** Sense data when status is CHECK CONDITION, else null. */
  readonly sense: SenseData | null;
  /** Data-in (already truncated to the allocation length), else null. */
  readonly data: Uint8Array | null;
  /** Bytes not transferred. */
  readonly resid: number;
}

/** `sdev_state`, as sysfs `device/state` prints it. */
export type ScsiDeviceState =
  | "created"
  | "running"
  | "cancel"
  | "deleted"
  | "quiesce"
  | "offline"
  | "transport-offline"
  | "blocked"
  | "created-blocked";

/** ALUA access states (`SCSI_ACCESS_STATE_*`), the low nibble of `sdev->access_state`. */
export const AccessState = {
  OPTIMAL: 0x0,
  ACTIVE: 0x1,
  STANDBY: 0x2,
  UNAVAILABLE: 0x3,
  LBA: 0x4,
  OFFLINE: 0xe,
  TRANSITIONING: 0xf,
  /** Bit 7: preferred port group. */
  PREFERRED: 0x80,
  /** The mask of the state bits. */
  MASK: 0x0f,
} as const;

/**
 * A SCSI device (`struct scsi_device`) as the upper layers see it: its address, state, the
 * attached device handler, and a passthrough path. Implemented by the fabric (simulated LUNs
 * behind ports) and by test fakes.
 */
export interface ScsiDevice {
  /** SCSI host number (`H` of H:C:T:L). */
  readonly host: number;
  readonly channel: number;
  readonly target: number;
  readonly lun: number;
  /** Peripheral device type (0 = disk). */
  readonly type: number;
  /** Current device state. Writing `offline`/`running` through sysfs changes it. */
  readonly state: ScsiDeviceState;
  /** INQUIRY vendor (8 chars, space padded) and model (16 chars) and revision (4 chars). */
  readonly vendor: string;
  readonly model: string;
  readonly rev: string;
  /** Command timeout in seconds (sysfs `device/timeout`), default 30. */
  readonly timeoutSecs: number;
  /**
   * Standard INQUIRY data as the SCSI core caches it at scan (`sdev->inquiry`, sysfs `inquiry`):
   * at least 36 bytes. Byte 5 bits 5:4 are the TPGS field the ALUA handler reads at attach.
   */
  readonly inquiry: Uint8Array;
  /** VPD page 0x80 as cached at scan (`sdev->vpd_pg80`, sysfs `vpd_pg80`), header included, or null. */
  readonly vpdPg80: Uint8Array | null;
  /**
   * VPD page 0x83 as cached at scan (`sdev->vpd_pg83`, sysfs `vpd_pg83`), header included, or null.
   * The ALUA handler reads the target port group and the LUN's identity from it at attach.
   */
  readonly vpdPg83: Uint8Array | null;
  /**
   * Name of the bound upper-level driver (`sd`), or null before one binds. `sdev_printk` prefixes
   * lines with it (`sd 0:0:0:0: `), or with the bus name (`scsi 0:0:0:0: `) while it is null.
   */
  readonly driver: string | null;
  /**
   * `sdev->access_state` (state | PREFERRED), 0 at scan; the alua, emc and rdac handlers write it.
   * sysfs `access_state` prints its name (`scsi_access_state_name`, "unknown" for others) and
   * `preferred_path` its PREFERRED bit; both reads fail with EINVAL while no handler is attached.
   */
  accessState: number;
  /** The attached device handler (`sdev->handler`), or null (`dh_state` = `detached`). */
  handler: ScsiDhInstance | null;
  /**
   * Sends a command (`scsi_execute` / SG_IO); `done` runs later on the clock with the result. Never
   * synchronous. The midlayer's completion handling happens before `done`: the attached handler's
   * `checkSense` is consulted for CHECK CONDITION results and the command resent as the disposition
   * and `retries` allow, as `scsi_decide_disposition` does.
   */
  execute(cmd: ScsiCommand, done: (result: ScsiResult) => void): void;
}

/** `H:C:T:L` of a SCSI device. */
export function hctl(dev: Pick<ScsiDevice, "host" | "channel" | "target" | "lun">): string {
  return `${dev.host}:${dev.channel}:${dev.target}:${dev.lun}`;
}
