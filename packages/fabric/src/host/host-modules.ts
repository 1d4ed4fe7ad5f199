/**
 * The kernel modules a multipath host has loaded once it has booted: the SCSI disk and generic
 * drivers and the device handlers (udev loads them as disks appear), dm-multipath and the
 * path selectors Debian 12's kernel builds (multipath-tools' systemd unit loads them).
 */
export const MULTIPATH_HOST_MODULES = [
  "sd_mod",
  "sg",
  "scsi_dh_alua",
  "scsi_dh_emc",
  "scsi_dh_rdac",
  "dm-multipath",
  "dm-round-robin",
  "dm-queue-length",
  "dm-service-time",
] as const;
