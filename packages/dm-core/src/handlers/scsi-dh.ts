import { Errno } from "../block/status.js";
import { LogLevel } from "../kernel/log.js";
import type { KernelModule, ModuleRegistry } from "../kernel/modules.js";
import type { Registry } from "../registry.js";
import { inquiryTpgs } from "../scsi/cdb.js";
import type { ScsiDevice } from "../scsi/scsi-device.js";
import { sdevPrintk } from "../scsi/scsi-logging.js";
import { type ScsiDeviceHandlerType, type ScsiDhEnv, ScsiDhResult } from "./handler.js";

/**
 * The device-handler infrastructure (drivers/scsi/scsi_dh.c): which handler a device gets at
 * scan, attaching by name (dm-mpath's `hw_handler`), activation gating on the device state,
 * `set_params` dispatch, and the sysfs `dh_state` attribute.
 */

/** `scsi_dh_blist`: vendor/model prefixes that get a handler without TPGS. */
const SCSI_DH_BLIST: ReadonlyArray<readonly [string, string, string]> = [
  ["DGC", "RAID", "emc"],
  ["DGC", "DISK", "emc"],
  ["DGC", "VRAID", "emc"],
  ["COMPAQ", "MSA1000 VOLUME", "hp_sw"],
  ["COMPAQ", "HSV110", "hp_sw"],
  ["HP", "HSV100", "hp_sw"],
  ["DEC", "HSG80", "hp_sw"],
  ["IBM", "1722", "rdac"],
  ["IBM", "1724", "rdac"],
  ["IBM", "1726", "rdac"],
  ["IBM", "1742", "rdac"],
  ["IBM", "1745", "rdac"],
  ["IBM", "1746", "rdac"],
  ["IBM", "1813", "rdac"],
  ["IBM", "1814", "rdac"],
  ["IBM", "1815", "rdac"],
  ["IBM", "1818", "rdac"],
  ["IBM", "3526", "rdac"],
  ["IBM", "3542", "rdac"],
  ["IBM", "3552", "rdac"],
  ["SGI", "TP9300", "rdac"],
  ["SGI", "TP9400", "rdac"],
  ["SGI", "TP9500", "rdac"],
  ["SGI", "TP9700", "rdac"],
  ["SGI", "IS", "rdac"],
  ["STK", "OPENstorage", "rdac"],
  ["STK", "FLEXLINE 380", "rdac"],
  ["STK", "BladeCtlr", "rdac"],
  ["SUN", "CSM", "rdac"],
  ["SUN", "LCSM100", "rdac"],
  ["SUN", "STK6580_6780", "rdac"],
  ["SUN", "SUN_6180", "rdac"],
  ["SUN", "ArrayStorage", "rdac"],
  ["DELL", "MD3", "rdac"],
  ["NETAPP", "INF-01-00", "rdac"],
  ["LSI", "INF-01-00", "rdac"],
  ["ENGENIO", "INF-01-00", "rdac"],
  ["LENOVO", "DE_Series", "rdac"],
  ["FUJITSU", "ETERNUS_AHB", "rdac"],
];

/** `scsi_dh_find_driver`: `alua` for any TPGS device, else a blacklist match by prefix, else null. */
export function scsiDhFindDriver(sdev: Pick<ScsiDevice, "inquiry" | "vendor" | "model">): string | null {
  if (inquiryTpgs(sdev.inquiry) !== 0) return "alua";
  for (const [vendor, model, driver] of SCSI_DH_BLIST) {
    if (sdev.vendor.startsWith(vendor) && sdev.model.startsWith(model)) return driver;
  }
  return null;
}

/**
 * `scsi_dh_handler_attach`'s error mapping of a handler's attach code: NOMEM → -ENOMEM,
 * RES_TEMP_UNAVAIL → -EAGAIN, DEV_UNSUPP/NOSYS → -ENODEV, anything else → -EINVAL. Every code
 * but the -ENODEV ones logs `<name>: Attach failed (<code>)`. Handlers call this from `attach`
 * (and when an asynchronous attach-time probe fails) since only they know the code.
 */
export function scsiDhAttachFailed(sdev: ScsiDevice, env: ScsiDhEnv, name: string, code: number): number {
  let errno: number;
  switch (code) {
    case ScsiDhResult.NOMEM:
      errno = -Errno.ENOMEM;
      break;
    case ScsiDhResult.RES_TEMP_UNAVAIL:
      errno = -Errno.EAGAIN;
      break;
    case ScsiDhResult.DEV_UNSUPP:
    case ScsiDhResult.NOSYS:
      errno = -Errno.ENODEV;
      break;
    default:
      errno = -Errno.EINVAL;
  }
  if (errno !== -Errno.ENODEV) sdevPrintk(env.log, LogLevel.ERR, sdev, `${name}: Attach failed (${code})`);
  return errno;
}

/** `scsi_register_device_handler`: 0, or -EBUSY when the name is taken. Logs `<name>: device handler registered`. */
export function scsiRegisterDeviceHandler(
  registry: Registry<ScsiDeviceHandlerType>,
  type: ScsiDeviceHandlerType,
  env: Pick<ScsiDhEnv, "log">,
): number {
  if (lookup(registry, type.name)) return -Errno.EBUSY;
  registry.register(type);
  env.log.info(`${type.name}: device handler registered`);
  return 0;
}

/** `scsi_unregister_device_handler`: 0, or -ENODEV. Logs `<name>: device handler unregistered`. */
export function scsiUnregisterDeviceHandler(
  registry: Registry<ScsiDeviceHandlerType>,
  type: ScsiDeviceHandlerType,
  env: Pick<ScsiDhEnv, "log">,
): number {
  if (!lookup(registry, type.name)) return -Errno.ENODEV;
  registry.unregister(type.name);
  env.log.info(`${type.name}: device handler unregistered`);
  return 0;
}

/**
 * `__scsi_dh_lookup`: the most recently registered handler whose name is a prefix of `name`
 * (the kernel compares `strlen(handler->name)` bytes).
 */
function lookup(registry: Registry<ScsiDeviceHandlerType>, name: string): ScsiDeviceHandlerType | undefined {
  const all = registry.values();
  for (let i = all.length - 1; i >= 0; i--) {
    const t = all[i]!;
    if (name.startsWith(t.name)) return t;
  }
  return undefined;
}

/** `scsi_dh_lookup`: look up, and on a miss `request_module("scsi_dh_<name>")` and look again. */
export function scsiDhLookup(
  registry: Registry<ScsiDeviceHandlerType>,
  name: string,
  modules?: ModuleRegistry,
): ScsiDeviceHandlerType | undefined {
  if (name.length === 0) return undefined;
  const t = lookup(registry, name);
  if (t || !modules) return t;
  modules.request(`scsi_dh_${name}`);
  return lookup(registry, name);
}

function handlerAttach(sdev: ScsiDevice, type: ScsiDeviceHandlerType, env: ScsiDhEnv): number {
  const r = type.attach(sdev, env);
  if (typeof r === "number") return r;
  sdev.handler = r;
  return 0;
}

/** `scsi_dh_add_device`: the automatic attach at scan (errors ignored). */
export function scsiDhAddDevice(
  sdev: ScsiDevice,
  registry: Registry<ScsiDeviceHandlerType>,
  env: ScsiDhEnv,
): void {
  const drv = scsiDhFindDriver(sdev);
  const type = drv ? lookup(registry, drv) : undefined;
  if (type) handlerAttach(sdev, type, env);
}

/** `scsi_dh_release_device`: detach at removal, logging `<name>: Detached`. */
export function scsiDhReleaseDevice(sdev: ScsiDevice, env: Pick<ScsiDhEnv, "log">): void {
  const h = sdev.handler;
  if (!h) return;
  h.detach();
  sdev.handler = null;
  sdevPrintk(env.log, LogLevel.NOTICE, sdev, `${h.name}: Detached`);
}

/**
 * `scsi_dh_attach(q, name)`: 0 when attached (or already attached to this handler); -EINVAL for
 * an unknown handler, -EBUSY when another one is attached, or the handler's attach error.
 */
export function scsiDhAttach(
  sdev: ScsiDevice | null,
  name: string,
  registry: Registry<ScsiDeviceHandlerType>,
  env: ScsiDhEnv,
  modules?: ModuleRegistry,
): number {
  if (!sdev) return -Errno.ENODEV;
  const type = scsiDhLookup(registry, name, modules);
  if (!type) return -Errno.EINVAL;
  if (sdev.handler) return sdev.handler.name === type.name ? 0 : -Errno.EBUSY;
  return handlerAttach(sdev, type, env);
}

/** `scsi_dh_attached_handler_name`. */
export function scsiDhAttachedHandlerName(sdev: ScsiDevice | null): string | null {
  return sdev?.handler?.name ?? null;
}

/**
 * `scsi_dh_activate(q, fn, data)`: NOSYS without a SCSI device or handler, NOTCONN for a device
 * being deleted, DEV_OFFLINED for an offline one (each completed at once, as the kernel calls
 * `fn` inline); else the handler's activation.
 */
export function scsiDhActivate(sdev: ScsiDevice | null, done: (result: ScsiDhResult) => void): void {
  if (!sdev?.handler) {
    done(ScsiDhResult.NOSYS);
    return;
  }
  if (sdev.state === "cancel" || sdev.state === "deleted") {
    done(ScsiDhResult.NOTCONN);
    return;
  }
  if (sdev.state === "offline") {
    done(ScsiDhResult.DEV_OFFLINED);
    return;
  }
  sdev.handler.activate(done);
}

/** `scsi_dh_set_params(q, params)`: -NOSYS (as the kernel's `-SCSI_DH_NOSYS`) without a handler. */
export function scsiDhSetParams(sdev: ScsiDevice | null, args: readonly string[]): number {
  if (!sdev?.handler) return -ScsiDhResult.NOSYS;
  return sdev.handler.setParams(args);
}

/** sysfs `dh_state` read: the handler's name or `detached`, with the newline. */
export function scsiDhShowState(sdev: ScsiDevice): string {
  return `${sdev.handler?.name ?? "detached"}\n`;
}

/**
 * sysfs `dh_state` write (`sdev_store_dh_state`): attach by name when none is attached,
 * `activate`, or refuse `detach`. Returns 0 or a negative errno.
 */
export function scsiDhStoreState(
  sdev: ScsiDevice,
  buf: string,
  registry: Registry<ScsiDeviceHandlerType>,
  env: ScsiDhEnv,
  modules?: ModuleRegistry,
): number {
  if (sdev.state === "cancel" || sdev.state === "deleted") return -Errno.ENODEV;
  if (!sdev.handler) {
    // The kernel passes the buffer as written; a trailing newline makes the prefix match anyway.
    return scsiDhAttach(sdev, buf.replace(/\n$/, ""), registry, env, modules);
  }
  if (buf.startsWith("activate")) {
    sdev.handler.activate(() => {});
    return 0;
  }
  if (buf.startsWith("detach")) {
    sdevPrintk(env.log, LogLevel.WARNING, sdev, `can't detach handler ${sdev.handler.name}.`);
  }
  return -Errno.EINVAL;
}

/**
 * A kernel module (`scsi_dh_alua`, …) that registers `type` at load and unregisters it at
 * unload, for the composition root's module registry.
 */
export function scsiDhModule(
  moduleName: string,
  type: ScsiDeviceHandlerType,
  registry: Registry<ScsiDeviceHandlerType>,
  env: Pick<ScsiDhEnv, "log">,
): KernelModule {
  return {
    name: moduleName,
    init: () => scsiRegisterDeviceHandler(registry, type, env),
    exit: () => {
      scsiUnregisterDeviceHandler(registry, type, env);
    },
  };
}
