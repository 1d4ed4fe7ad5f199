import { strerror } from "@mp/dm-core";

/** errno values the checkers test that dm-core's `Errno` table does not list. */
export const ENOTTY = 25;
export const EBADF = 9;

/** `strerror` including the ioctl errors SG_IO gives. */
export function strerrorC(errno: number): string {
  if (errno === ENOTTY) return "Inappropriate ioctl for device";
  if (errno === EBADF) return "Bad file descriptor";
  return strerror(errno);
}
