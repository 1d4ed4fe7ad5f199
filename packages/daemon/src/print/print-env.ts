/**
 * What the printers read from outside the structs. Upstream looks a few FC/adapter attributes up
 * in sysfs while printing (`%N`, `%R`, `%r`, `%a`); here the daemon core supplies them so the
 * printers stay pure.
 */
import type { Path } from "../structs/structs.js";

/** Sysfs look-ups done at print time. Every method returns null when the attribute is missing. */
export interface PrintEnv {
  /** `/sys/class/fc_host/host<hostNo>/<attr>` (`node_name` for `%N`, `port_name` for `%R`). */
  fcHostAttr(hostNo: number, attr: "node_name" | "port_name"): string | null;
  /** `/sys/class/fc_remote_ports/rport-<host>:<channel>-<transportId>/port_name` (`%r`). */
  fcRemotePortName(hostNo: number, channel: number, transportId: number): string | null;
  /**
   * `sysfs_get_host_adapter_name()` for FC, SAS, SRP and iSCSI paths (`%a`): the adapter's bus id,
   * or the iSCSI initiator's IP address. Not called for other transports.
   */
  hostAdapterName(pp: Path): string | null;
}

/** A {@link PrintEnv} for a host with no such sysfs attributes (scsi_debug, loop, simulated disks). */
export const EMPTY_PRINT_ENV: PrintEnv = {
  fcHostAttr: () => null,
  fcRemotePortName: () => null,
  hostAdapterName: () => null,
};
