/**
 * drivers/scsi/constants.c: the names the midlayer prints for a result's host byte.
 */

const HOSTBYTE_NAMES: readonly string[] = [
  "DID_OK",
  "DID_NO_CONNECT",
  "DID_BUS_BUSY",
  "DID_TIME_OUT",
  "DID_BAD_TARGET",
  "DID_ABORT",
  "DID_PARITY",
  "DID_ERROR",
  "DID_RESET",
  "DID_BAD_INTR",
  "DID_PASSTHROUGH",
  "DID_SOFT_ERROR",
  "DID_IMM_RETRY",
  "DID_REQUEUE",
  "DID_TRANSPORT_DISRUPTED",
  "DID_TRANSPORT_FAILFAST",
  "DID_TARGET_FAILURE",
  "DID_NEXUS_FAILURE",
  "DID_ALLOC_FAILURE",
  "DID_MEDIUM_ERROR",
];

/**
 * `hostbyte=%s` as `scsi_print_result` / `sd_print_result` print it: the name from
 * `scsi_hostbyte_string()`, or the byte as `0x%02x` when it has none.
 */
export function hostbyteText(hostByte: number): string {
  return HOSTBYTE_NAMES[hostByte] ?? `0x${hostByte.toString(16).padStart(2, "0")}`;
}
