import { describe, expect, it } from "vitest";
import { Errno, errnoName, strerror } from "./status.js";

describe("strerror (glibc texts, LANG=C)", () => {
  it("knows the errnos tools print: ENOTTY, EISDIR, ENOTDIR, EROFS, EBADF", () => {
    expect(strerror(Errno.ENOTTY)).toBe("Inappropriate ioctl for device");
    expect(Errno.ENOTTY).toBe(25);
    expect(strerror(Errno.EISDIR)).toBe("Is a directory");
    expect(Errno.EISDIR).toBe(21);
    expect(strerror(Errno.ENOTDIR)).toBe("Not a directory");
    expect(strerror(Errno.EROFS)).toBe("Read-only file system");
    expect(strerror(Errno.EBADF)).toBe("Bad file descriptor");
    expect(strerror(Errno.ECONNREFUSED)).toBe("Connection refused");
  });

  it("prints glibc's fallback for numbers it has no text for", () => {
    expect(strerror(41)).toBe("Unknown error 41");
    expect(strerror(Errno.ENOTSUPP)).toBe("Unknown error 524");
  });

  it("has a text for every named errno, and names map back one to one", () => {
    for (const [name, n] of Object.entries(Errno)) {
      expect(strerror(n)).not.toBe("");
      expect(errnoName(n)).toBe(name);
    }
  });
});
