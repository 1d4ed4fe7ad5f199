import type { SysfsView } from "@mp/dm-core";
import type { SysfsTree } from "../sysfs/tree.js";

/**
 * `SysfsView` over the simulated kernel's sysfs tree. Reads return what `cat` prints (binary
 * attributes — `inquiry`, `vpd_pg83` — as one character per byte); a write stores the exact
 * bytes given, so `echo offline > state` is `write(path, "offline\n")` and a program's
 * `write(fd, "1", 1)` is `write(path, "1")`.
 */
export class SimSysfs implements SysfsView {
  readonly tree: SysfsTree;

  constructor(tree: SysfsTree) {
    this.tree = tree;
  }

  read(path: string): string | null {
    const r = this.tree.readAttr(path);
    return typeof r === "string" ? r : null;
  }

  /** A read with its failure: the text, or the errno `cat` would report. */
  readResult(path: string): string | { readonly errno: number } {
    return this.tree.readAttr(path);
  }

  write(path: string, value: string): number {
    return this.tree.writeAttr(path, value);
  }

  list(dir: string): string[] | null {
    return this.tree.list(dir);
  }

  readlink(path: string): string | null {
    return this.tree.readlink(path);
  }

  /** `realpath`: the canonical path with every symlink resolved, or null. */
  realpath(path: string): string | null {
    return this.tree.realpath(path);
  }

  exists(path: string): boolean {
    return this.tree.exists(path);
  }
}
