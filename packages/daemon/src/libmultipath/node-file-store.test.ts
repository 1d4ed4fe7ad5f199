import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Errno } from "@mp/dm-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NodeFileStore } from "./node-file-store.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "mp-files-"));
});
afterEach(() => {
  chmodSync(root, 0o755);
  rmSync(root, { recursive: true, force: true });
});

describe("NodeFileStore", () => {
  it("writes files under its root, creating their directories, and reads them back", () => {
    const fs = new NodeFileStore(root);
    expect(fs.read("/etc/multipath/bindings")).toBeNull();
    expect(fs.write("/etc/multipath/bindings", "# header\nmpatha 3600a\n")).toBe(0);
    expect(readFileSync(join(root, "etc/multipath/bindings"), "utf8")).toBe("# header\nmpatha 3600a\n");
    expect(fs.read("/etc/multipath/bindings")).toBe("# header\nmpatha 3600a\n");
  });

  it("replaces a file whole and leaves no temporary file behind", () => {
    const fs = new NodeFileStore(root);
    fs.write("/etc/multipath/wwids", "a\n".repeat(1000));
    expect(fs.write("/etc/multipath/wwids", "b\n")).toBe(0);
    expect(fs.read("/etc/multipath/wwids")).toBe("b\n");
    expect(readdirSync(join(root, "etc/multipath"))).toEqual(["wwids"]);
  });

  it("lists a directory sorted; null for one that does not exist", () => {
    const fs = new NodeFileStore(root);
    fs.write("/etc/multipath/conf.d/b.conf", "");
    fs.write("/etc/multipath/conf.d/a.conf", "");
    expect(fs.list("/etc/multipath/conf.d")).toEqual(["a.conf", "b.conf"]);
    expect(fs.list("/etc/nothing")).toBeNull();
  });

  it("removes files, and says ENOENT for one that is not there", () => {
    const fs = new NodeFileStore(root);
    fs.write("/x", "1");
    expect(fs.remove("/x")).toBe(0);
    expect(existsSync(join(root, "x"))).toBe(false);
    expect(fs.remove("/x")).toBe(Errno.ENOENT);
  });

  it("returns the errno of a failed write and keeps the old contents", () => {
    const fs = new NodeFileStore(root);
    fs.write("/etc/multipath/bindings", "old\n");
    // A directory where the file should be: rename(2) fails with EISDIR.
    mkdirSync(join(root, "etc/dir"), { recursive: true });
    writeFileSync(join(root, "etc/dir/keep"), "");
    expect(fs.write("/etc/dir", "x")).toBe(Errno.EISDIR);
    expect(readdirSync(join(root, "etc"))).toEqual(["dir", "multipath"]);
    expect(fs.write("relative", "x")).toBe(Errno.EINVAL);
    expect(fs.read("/etc/multipath/bindings")).toBe("old\n");
  });

  it("a read-only directory refuses the write (unless running as root)", () => {
    const fs = new NodeFileStore(root);
    fs.write("/etc/multipath/bindings", "old\n");
    chmodSync(join(root, "etc/multipath"), 0o555);
    const rc = fs.write("/etc/multipath/bindings", "new\n");
    const isRoot = process.getuid?.() === 0;
    expect(rc).toBe(isRoot ? 0 : Errno.EACCES);
    expect(fs.read("/etc/multipath/bindings")).toBe(isRoot ? "new\n" : "old\n");
    chmodSync(join(root, "etc/multipath"), 0o755);
  });
});
