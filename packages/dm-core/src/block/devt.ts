/**
 * A device number, as the kernel's `dev_t`: MKDEV(major, minor) with a 20-bit minor.
 * Printed as `major:minor`.
 */
export type DevT = number;

export const MINORBITS = 20;
const MINORMASK = (1 << MINORBITS) - 1;

/** MKDEV(major, minor). */
export function mkdev(maj: number, min: number): DevT {
  return maj * (1 << MINORBITS) + min;
}

/** MAJOR(dev). */
export function devMajor(dev: DevT): number {
  return Math.floor(dev / (1 << MINORBITS));
}

/** MINOR(dev). */
export function devMinor(dev: DevT): number {
  return dev & MINORMASK;
}

/** `major:minor`, as dm status lines and sysfs `dev` attributes print it. */
export function formatDevT(dev: DevT): string {
  return `${devMajor(dev)}:${devMinor(dev)}`;
}

/** Well-known block majors used by the model. */
export const LOOP_MAJOR = 7;
export const SCSI_DISK0_MAJOR = 8;
/** The dynamic major that device-mapper gets on the reference kernel (6.1, Debian 12). */
export const DM_MAJOR = 254;
