import type { KernelLog, LogLevel } from "../kernel/log.js";
import { hctl, type ScsiDevice } from "./scsi-device.js";
import { formatExtdSense, formatSenseKeyLine, type ScsiSenseHdr } from "./sense.js";

/**
 * The `dev_printk` prefix of a SCSI device: the bound driver's name (`sd`) or, before one binds,
 * the bus name, then `H:C:T:L: ` — `sd 0:0:0:0: `, `scsi 2:0:0:1: `.
 */
export function sdevPrefix(sdev: Pick<ScsiDevice, "driver" | "host" | "channel" | "target" | "lun">): string {
  return `${sdev.driver ?? "scsi"} ${hctl(sdev)}: `;
}

/** `sdev_printk(level, sdev, fmt, …)`: one kernel log line with the device's prefix. */
export function sdevPrintk(log: KernelLog, level: LogLevel, sdev: ScsiDevice, text: string): void {
  log.printk(level, sdevPrefix(sdev) + text);
}

/**
 * `scsi_print_sense_hdr(sdev, name, sshdr)`: two INFO lines,
 * `[name] Sense Key : Not Ready [current] ` and `[name] Add. Sense: …`.
 */
export function scsiPrintSenseHdr(log: KernelLog, sdev: ScsiDevice, name: string, h: ScsiSenseHdr): void {
  const p = `${sdevPrefix(sdev)}[${name}] `;
  log.info(p + formatSenseKeyLine(h));
  log.info(p + formatExtdSense(h.asc, h.ascq));
}
