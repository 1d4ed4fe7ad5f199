/**
 * NVMe Asymmetric Namespace Access (NVMe base spec 2.0, 8.1.3): the state of an ANA group as one
 * controller reports it, with the values of the ANA log page and the names Linux shows in the
 * path's `ana_state` sysfs attribute (`nvme_ana_state_names[]`); the path-related status codes
 * and the bits of the status field. Shared by the target (nvmet) and the host driver.
 */
export const AnaState = {
  OPTIMIZED: 0x01,
  NON_OPTIMIZED: 0x02,
  INACCESSIBLE: 0x03,
  PERSISTENT_LOSS: 0x04,
  CHANGE: 0x0f,
} as const;
export type AnaState = (typeof AnaState)[keyof typeof AnaState];

/** The names of `nvme_ana_state_names[]` (sysfs `ana_state`, nvmet's configfs `ana_state`). */
export type AnaStateName = "optimized" | "non-optimized" | "inaccessible" | "persistent-loss" | "change";

export const ANA_STATE_NAMES: readonly AnaStateName[] = [
  "optimized",
  "non-optimized",
  "inaccessible",
  "persistent-loss",
  "change",
];

const BY_NAME: Record<AnaStateName, AnaState> = {
  optimized: AnaState.OPTIMIZED,
  "non-optimized": AnaState.NON_OPTIMIZED,
  inaccessible: AnaState.INACCESSIBLE,
  "persistent-loss": AnaState.PERSISTENT_LOSS,
  change: AnaState.CHANGE,
};

export function anaStateFromName(name: AnaStateName): AnaState {
  return BY_NAME[name];
}

export function anaStateName(s: AnaState): AnaStateName {
  switch (s) {
    case AnaState.OPTIMIZED:
      return "optimized";
    case AnaState.NON_OPTIMIZED:
      return "non-optimized";
    case AnaState.INACCESSIBLE:
      return "inaccessible";
    case AnaState.PERSISTENT_LOSS:
      return "persistent-loss";
    case AnaState.CHANGE:
      return "change";
    default: {
      const never: never = s;
      return never;
    }
  }
}

/**
 * NVMe status codes a path returns (Status Code Type 3h, Path Related Status, and the host's own
 * path error 370h). Every one of them is a path error (`nvme_is_path_error`): the head fails the
 * request over to another path.
 */
export const NvmePathStatus = {
  SUCCESS: 0x000,
  /** Asymmetric Access Persistent Loss. */
  ANA_PERSISTENT_LOSS: 0x301,
  /** Asymmetric Access Inaccessible. */
  ANA_INACCESSIBLE: 0x302,
  /** Asymmetric Access Transition. */
  ANA_TRANSITION: 0x303,
  /** Host Pathing Error (`NVME_SC_HOST_PATH_ERROR`): the controller is not live. */
  HOST_PATH_ERROR: 0x370,
  /** Host Aborted Command (`NVME_SC_HOST_ABORTED_CMD`): the transport tore the queue down. */
  HOST_ABORTED_CMD: 0x371,
} as const;
export type NvmePathStatus = (typeof NvmePathStatus)[keyof typeof NvmePathStatus];

/** Status field bits beyond the code (`NVME_SC_CRD`, `NVME_SC_MORE`, `NVME_SC_DNR`). */
export const NvmeStatusBits = {
  CRD: 0x1800,
  /** More status information in the error log (nvmet sets it on the errors it returns). */
  MORE: 0x2000,
  /** Do Not Retry. */
  DNR: 0x4000,
} as const;

/** `nvme_is_path_error()`: Status Code Type 3 (path related), the ANA and host path errors. */
export function isPathError(status: number): boolean {
  return (status & 0x700) === 0x300;
}

/** `nvme_is_ana_error()`. */
export function isAnaError(status: number): boolean {
  const sc = status & 0x7ff;
  return (
    sc === NvmePathStatus.ANA_PERSISTENT_LOSS ||
    sc === NvmePathStatus.ANA_INACCESSIBLE ||
    sc === NvmePathStatus.ANA_TRANSITION
  );
}

/** `nvme_state_is_live()`: I/O is allowed in the state. */
export function anaStateIsLive(state: AnaState): boolean {
  return state === AnaState.OPTIMIZED || state === AnaState.NON_OPTIMIZED;
}

/** The status a target returns for I/O to a namespace in `state` (0 = it executes the command). */
export function anaIoStatus(state: AnaState): number {
  switch (state) {
    case AnaState.OPTIMIZED:
    case AnaState.NON_OPTIMIZED:
      return NvmePathStatus.SUCCESS;
    case AnaState.INACCESSIBLE:
      return NvmePathStatus.ANA_INACCESSIBLE;
    case AnaState.PERSISTENT_LOSS:
      return NvmePathStatus.ANA_PERSISTENT_LOSS;
    case AnaState.CHANGE:
      return NvmePathStatus.ANA_TRANSITION;
    default: {
      const never: never = state;
      return never;
    }
  }
}
