import type { KernelModule } from "@mp/dm-core";
import type { Fabric, Hba, TransportKind } from "../hardware/fabric.js";
import { parseModuleParams } from "../profiles/module-params.js";
import type { HostDriver, ScsiSubsystem } from "./scsi-subsystem.js";

/**
 * `scsi_mod`, `sd_mod`, `sg` and `scsi_transport_fc`: the SCSI core, the disk and generic
 * drivers, the FC transport class.
 */
export function scsiCoreModules(sub: ScsiSubsystem): KernelModule[] {
  return [
    {
      name: "scsi_mod",
      init(params) {
        const p = parseModuleParams(sub.log, "scsi_mod", params, {
          scan: "charp",
          max_luns: "uint",
          inq_timeout: "uint",
          eh_deadline: "int",
          default_dev_flags: "uint",
          dev_flags: "charp",
          scsi_logging_level: "int",
          use_blk_mq: "bool",
        });
        if ("errno" in p) return -p.errno;
        const scan = p.get("scan");
        if (typeof scan === "string") {
          if (scan !== "sync" && scan !== "async" && scan !== "manual" && scan !== "none") {
            sub.log.err(`scsi_mod: \`${scan}' invalid for parameter \`scan'`);
            return -22;
          }
          sub.scanMode = scan === "none" ? "manual" : scan;
        }
        return 0;
      },
    },
    {
      name: "scsi_transport_fc",
      depends: ["scsi_mod"],
      init(params) {
        const p = parseModuleParams(sub.log, "scsi_transport_fc", params, { dev_loss_tmo: "uint" });
        if ("errno" in p) return -p.errno;
        const v = p.get("dev_loss_tmo");
        if (typeof v === "number") sub.fcDevLossTmo = v;
        return 0;
      },
    },
    {
      name: "sd_mod",
      depends: ["scsi_mod"],
      aliases: ["sd"],
      init(params) {
        const p = parseModuleParams(sub.log, "sd_mod", params, {});
        if ("errno" in p) return -p.errno;
        sub.loadSd();
        return 0;
      },
      exit() {
        sub.unloadSd();
      },
    },
    {
      name: "sg",
      depends: ["scsi_mod"],
      init(params) {
        const p = parseModuleParams(sub.log, "sg", params, {
          allow_dio: "int",
          def_reserved_size: "int",
          scatter_elem_sz: "int",
        });
        if ("errno" in p) return -p.errno;
        sub.loadSg();
        return 0;
      },
      exit() {
        sub.unloadSg();
      },
    },
  ];
}

/** PCI function of an HBA (`0000:00:<slot>.0`), from its fabric id. */
export function hbaPciAddress(hba: Hba): string {
  return `0000:00:${(0x10 + hba.id).toString(16).padStart(2, "0")}.0`;
}

/** Options of an HBA driver module. */
export interface HbaDriverOptions {
  /** Module name (`qla2xxx`, `lpfc`, `iscsi_tcp`). */
  readonly name: string;
  readonly transport: TransportKind;
  /** `sg_tablesize` of its hosts. Default 128. */
  readonly sgTablesize?: number;
}

/**
 * A driver for fabric HBAs (`qla2xxx`, `lpfc` …): at load it makes a SCSI host of every present
 * HBA that names it and scans it; later hot-plugs add hosts, hot-removals remove them.
 */
export function hbaDriverModule(sub: ScsiSubsystem, fabric: Fabric, o: HbaDriverOptions): KernelModule {
  let loaded = false;
  let unsubscribe: (() => void) | null = null;
  const hostOf = new Map<Hba, ReturnType<ScsiSubsystem["addHost"]>>();
  const driver: HostDriver = {
    parentPath: (hba) => `/devices/pci0000:00/${hbaPciAddress(hba)}`,
    template: (hba) => ({
      procName: hba.procName,
      canQueue: hba.canQueue,
      cmdPerLun: hba.cmdPerLun,
      sgTablesize: o.sgTablesize ?? 128,
      thisId: -1,
      maxLun: 16384,
      uniqueIdIsHostNo: true,
      maxCmdLen: 16,
    }),
  };
  const attach = (hba: Hba, inModuleInit = false): void => {
    if (!loaded || hba.driver !== o.name || !hba.present || hostOf.has(hba)) return;
    const sysPci = `/sys/devices/pci0000:00/${hbaPciAddress(hba)}`;
    sub.sysfs.mkdir(`${sysPci}/power`);
    const host = sub.addHost(hba, driver);
    hostOf.set(hba, host);
    sub.scanNewHost(host, inModuleInit);
  };
  const detach = (hba: Hba): void => {
    const host = hostOf.get(hba);
    if (!host) return;
    hostOf.delete(hba);
    sub.removeHost(host);
  };
  return {
    name: o.name,
    depends: o.transport === "fc" ? ["scsi_mod", "scsi_transport_fc"] : ["scsi_mod"],
    init() {
      loaded = true;
      for (const h of fabric.hbas) attach(h, true);
      unsubscribe = fabric.onHba((h) => (h.present ? attach(h) : detach(h)));
      return 0;
    },
    exit() {
      unsubscribe?.();
      for (const h of [...hostOf.keys()]) detach(h);
      loaded = false;
    },
  };
}
