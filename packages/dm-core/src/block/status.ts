/**
 * Block-layer completion status (`blk_status_t`), with the kernel's names and numbers (6.1).
 */
export const BlkStatus = {
  OK: 0,
  NOTSUPP: 1,
  TIMEOUT: 2,
  NOSPC: 3,
  TRANSPORT: 4,
  TARGET: 5,
  /** Named NEXUS before 6.5; RESV_CONFLICT since. */
  RESV_CONFLICT: 6,
  MEDIUM: 7,
  PROTECTION: 8,
  RESOURCE: 9,
  IOERR: 10,
  DM_REQUEUE: 11,
  AGAIN: 12,
  DEV_RESOURCE: 13,
  ZONE_RESOURCE: 14,
  ZONE_OPEN_RESOURCE: 15,
  ZONE_ACTIVE_RESOURCE: 16,
  OFFLINE: 17,
} as const;

/** A block status number (one of {@link BlkStatus}). */
export type BlkStatus = (typeof BlkStatus)[keyof typeof BlkStatus];

const NAMES: readonly string[] = Object.entries(BlkStatus)
  .sort((a, b) => a[1] - b[1])
  .map(([k]) => k);

/** The status's name (`IOERR`), as `BLK_STS_<name>` without the prefix. */
export function blkStatusName(s: BlkStatus): string {
  return NAMES[s] ?? `UNKNOWN(${s})`;
}

/**
 * `blk_path_error()`: true for errors that say "this path is bad, try another one".
 * NOTSUPP, NOSPC, TARGET, RESV_CONFLICT, MEDIUM and PROTECTION are the target's answer and
 * are returned to the submitter without failing the path.
 */
export function blkPathError(s: BlkStatus): boolean {
  switch (s) {
    case BlkStatus.NOTSUPP:
    case BlkStatus.NOSPC:
    case BlkStatus.TARGET:
    case BlkStatus.RESV_CONFLICT:
    case BlkStatus.MEDIUM:
    case BlkStatus.PROTECTION:
      return false;
    default:
      return true;
  }
}

/** Linux errno values the model uses, with their `strerror` text. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  ENOTBLK: 15,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ENOSYS: 38,
  ENODATA: 61,
  ETIME: 62,
  ENOLINK: 67,
  EOVERFLOW: 75,
  EILSEQ: 84,
  EOPNOTSUPP: 95,
  ETIMEDOUT: 110,
  ENOTCONN: 107,
  EREMOTEIO: 121,
  EBADE: 52,
  ENOTSUPP: 524,
} as const;
export type Errno = (typeof Errno)[keyof typeof Errno];

const STRERROR: Record<number, string> = {
  1: "Operation not permitted",
  2: "No such file or directory",
  5: "Input/output error",
  6: "No such device or address",
  7: "Argument list too long",
  11: "Resource temporarily unavailable",
  12: "Cannot allocate memory",
  13: "Permission denied",
  15: "Block device required",
  16: "Device or resource busy",
  17: "File exists",
  19: "No such device",
  22: "Invalid argument",
  28: "No space left on device",
  38: "Function not implemented",
  52: "Invalid exchange",
  61: "No data available",
  62: "Timer expired",
  67: "Link has been severed",
  75: "Value too large for defined data type",
  84: "Invalid or incomplete multibyte or wide character",
  95: "Operation not supported",
  107: "Transport endpoint is not connected",
  110: "Connection timed out",
  121: "Remote I/O error",
  524: "Unknown error 524",
};

/** glibc's `strerror(errno)` text (LANG=C). */
export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}

/** Kernel errno names for `%pe`-style log output (`-EINVAL`). */
export function errnoName(errno: number): string {
  for (const [k, v] of Object.entries(Errno)) if (v === errno) return k;
  return String(errno);
}

/** `blk_status_to_errno()`: what a failed I/O returns to user space. */
export function blkStatusToErrno(s: BlkStatus): number {
  switch (s) {
    case BlkStatus.OK:
      return 0;
    case BlkStatus.NOTSUPP:
      return Errno.EOPNOTSUPP;
    case BlkStatus.TIMEOUT:
      return Errno.ETIMEDOUT;
    case BlkStatus.NOSPC:
      return Errno.ENOSPC;
    case BlkStatus.TRANSPORT:
      return Errno.ENOLINK;
    case BlkStatus.TARGET:
      return Errno.EREMOTEIO;
    case BlkStatus.RESV_CONFLICT:
      return Errno.EBADE;
    case BlkStatus.MEDIUM:
      return Errno.ENODATA;
    case BlkStatus.PROTECTION:
      return Errno.EILSEQ;
    case BlkStatus.RESOURCE:
      return Errno.ENOMEM;
    case BlkStatus.DEV_RESOURCE:
      return Errno.EBUSY;
    case BlkStatus.AGAIN:
      return Errno.EAGAIN;
    case BlkStatus.OFFLINE:
      return Errno.ENODEV;
    default:
      return Errno.EIO;
  }
}

const STATUS_TEXT: readonly string[] = [
  "",
  "operation not supported",
  "timeout",
  "critical space allocation",
  "recoverable transport",
  "critical target",
  "critical nexus",
  "critical medium",
  "protection",
  "kernel resource",
  "I/O",
  "dm internal retry",
  "nonblocking retry",
  "device resource",
  "I/O",
  "open zones exceeded",
  "active zones exceeded",
  "device offline",
];

/** `blk_status_to_str()`: the word that starts the kernel's "… error, dev …" line. */
export function blkStatusText(s: BlkStatus): string {
  return STATUS_TEXT[s] ?? "I/O";
}
