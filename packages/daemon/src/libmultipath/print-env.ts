/**
 * The sysfs lookups the printers do (`%N`, `%R`, `%r`, `%a`: print.c via
 * `sysfs_get_host_adapter_name` & co.), answered from the host's sysfs.
 */
import type { Host } from "@mp/dm-core";
import type { PrintEnv } from "../print/print-env.js";
import { ScsiProtocol } from "../structs/structs.js";
import { readAttr, subsystemOf } from "./sysfs.js";

/** A {@link PrintEnv} reading `/sys/class/fc_host`, `fc_remote_ports`, `scsi_host`, `iscsi_host`. */
export function sysfsPrintEnv(host: Host): PrintEnv {
  const sysfs = host.sysfs;
  return {
    fcHostAttr: (hostNo, attr) => readAttr(sysfs, `/sys/class/fc_host/host${hostNo}`, attr),
    fcRemotePortName: (hostNo, channel, transportId) =>
      readAttr(sysfs, `/sys/class/fc_remote_ports/rport-${hostNo}:${channel}-${transportId}`, "port_name"),
    hostAdapterName: (pp) => {
      if (pp.sgId.protoId === ScsiProtocol.ISCSI)
        return readAttr(sysfs, `/sys/class/iscsi_host/host${pp.sgId.hostNo}`, "ipaddress");
      // The adapter is the first PCI (pcieport-driven) or ccw ancestor of the SCSI host.
      const link = sysfs.readlink(`/sys/class/scsi_host/host${pp.sgId.hostNo}`);
      if (link === null) return null;
      let dir = `/sys/class/scsi_host/${link}`.replace(/\/[^/]+\/\.\.\//g, "/");
      const m = /\/devices\/.*/.exec(link);
      if (m) dir = `/sys${m[0]}`;
      for (
        let p = dir.slice(0, dir.lastIndexOf("/"));
        p.startsWith("/sys/devices/");
        p = p.slice(0, p.lastIndexOf("/"))
      ) {
        const driver = sysfs.readlink(`${p}/driver`);
        if (driver?.endsWith("/pcieport")) return p.slice(p.lastIndexOf("/") + 1);
        if (subsystemOf(sysfs, p) === "ccw") return p.slice(p.lastIndexOf("/") + 1);
      }
      return null;
    },
  };
}
