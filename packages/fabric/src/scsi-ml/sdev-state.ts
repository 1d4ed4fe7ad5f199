import type { ScsiDeviceState } from "@mp/dm-core";

/**
 * `scsi_device_set_state()`'s table: may a device go from `from` to `to`? (Setting the current
 * state again is always allowed and changes nothing.)
 */
export function sdevStateAllowed(from: ScsiDeviceState, to: ScsiDeviceState): boolean {
  if (from === to) return true;
  switch (to) {
    case "created":
      return from === "created-blocked";
    case "running":
      return (
        from === "created" ||
        from === "offline" ||
        from === "transport-offline" ||
        from === "quiesce" ||
        from === "blocked"
      );
    case "quiesce":
      return from === "running" || from === "offline" || from === "transport-offline";
    case "offline":
    case "transport-offline":
      return from === "created" || from === "running" || from === "quiesce" || from === "blocked";
    case "blocked":
      return from === "running" || from === "created-blocked" || from === "quiesce" || from === "offline";
    case "created-blocked":
      return from === "created";
    case "cancel":
      return (
        from === "created" ||
        from === "running" ||
        from === "quiesce" ||
        from === "offline" ||
        from === "transport-offline"
      );
    case "deleted":
      return (
        from === "created" ||
        from === "running" ||
        from === "offline" ||
        from === "transport-offline" ||
        from === "cancel" ||
        from === "blocked" ||
        from === "created-blocked"
      );
    default: {
      const never: never = to;
      return never;
    }
  }
}

/** `scsi_device_online()`: not offline, transport-offline or deleted. */
export function sdevOnline(s: ScsiDeviceState): boolean {
  return s !== "offline" && s !== "transport-offline" && s !== "deleted";
}

/** sysfs `device/state` names, in `sdev_states[]` order (a write must match one + `\n`). */
export const SDEV_STATE_NAMES: readonly ScsiDeviceState[] = [
  "created",
  "running",
  "cancel",
  "deleted",
  "quiesce",
  "offline",
  "transport-offline",
  "blocked",
  "created-blocked",
];
