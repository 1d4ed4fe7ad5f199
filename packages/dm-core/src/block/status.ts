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

/** Linux errno values the model uses (x86-64 numbering). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  ENOTBLK: 15,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENOMSG: 42,
  EIDRM: 43,
  EBADE: 52,
  ENODATA: 61,
  ETIME: 62,
  ENOLINK: 67,
  EPROTO: 71,
  EBADMSG: 74,
  EOVERFLOW: 75,
  EILSEQ: 84,
  ENOTSOCK: 88,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
  EREMOTEIO: 121,
  EDQUOT: 122,
  ENOMEDIUM: 123,
  EMEDIUMTYPE: 124,
  ECANCELED: 125,
  /** Kernel-internal (`ENOTSUPP`), never meant to reach user space. */
  ENOTSUPP: 524,
} as const;
export type Errno = (typeof Errno)[keyof typeof Errno];

/** glibc 2.36 `strerror` texts (LANG=C) of the errnos above. */
const STRERROR: Record<number, string> = {
  1: "Operation not permitted",
  2: "No such file or directory",
  3: "No such process",
  4: "Interrupted system call",
  5: "Input/output error",
  6: "No such device or address",
  7: "Argument list too long",
  8: "Exec format error",
  9: "Bad file descriptor",
  10: "No child processes",
  11: "Resource temporarily unavailable",
  12: "Cannot allocate memory",
  13: "Permission denied",
  14: "Bad address",
  15: "Block device required",
  16: "Device or resource busy",
  17: "File exists",
  18: "Invalid cross-device link",
  19: "No such device",
  20: "Not a directory",
  21: "Is a directory",
  22: "Invalid argument",
  23: "Too many open files in system",
  24: "Too many open files",
  25: "Inappropriate ioctl for device",
  26: "Text file busy",
  27: "File too large",
  28: "No space left on device",
  29: "Illegal seek",
  30: "Read-only file system",
  31: "Too many links",
  32: "Broken pipe",
  33: "Numerical argument out of domain",
  34: "Numerical result out of range",
  35: "Resource deadlock avoided",
  36: "File name too long",
  37: "No locks available",
  38: "Function not implemented",
  39: "Directory not empty",
  40: "Too many levels of symbolic links",
  42: "No message of desired type",
  43: "Identifier removed",
  52: "Invalid exchange",
  61: "No data available",
  62: "Timer expired",
  67: "Link has been severed",
  71: "Protocol error",
  74: "Bad message",
  75: "Value too large for defined data type",
  84: "Invalid or incomplete multibyte or wide character",
  88: "Socket operation on non-socket",
  95: "Operation not supported",
  97: "Address family not supported by protocol",
  98: "Address already in use",
  99: "Cannot assign requested address",
  103: "Software caused connection abort",
  104: "Connection reset by peer",
  105: "No buffer space available",
  107: "Transport endpoint is not connected",
  110: "Connection timed out",
  111: "Connection refused",
  113: "No route to host",
  114: "Operation already in progress",
  115: "Operation now in progress",
  121: "Remote I/O error",
  122: "Disk quota exceeded",
  123: "No medium found",
  124: "Wrong medium type",
  125: "Operation canceled",
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
