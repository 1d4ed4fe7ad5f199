/**
 * The daemon's file store on a real host: `/etc/multipath.conf`, `/etc/multipath/bindings`,
 * `/etc/multipath/wwids`, `conf.d` as real files. A write replaces the file atomically — the new
 * text goes to a temporary file in the same directory, is flushed to disk, and is renamed over
 * the old one — so a crash or a concurrent reader never sees half a bindings file. Missing
 * parent directories are created (mode 0755), as multipath-tools' `ensure_directories_exist`
 * does. Errors come back as positive errno values, as the `FileStore` contract says.
 *
 * `root` re-roots every path (`/etc/multipath.conf` under `root`), so a configuration staged
 * in a directory can be read as if it were installed.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import type { FileStore } from "@mp/dm-core";

const EIO = constants.errno.EIO;

/** The positive errno of a Node file-system error (EIO when it carries none). */
function errnoOf(e: unknown): number {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const n = code !== undefined ? (constants.errno as Record<string, number>)[code] : undefined;
  return n ?? EIO;
}

/** A {@link FileStore} over the real file system. */
export class NodeFileStore implements FileStore {
  readonly #root: string;
  #tmpSeq = 0;

  /** @param root directory the absolute paths are taken under (default `/`). */
  constructor(root = "/") {
    this.#root = root;
  }

  #real(path: string): string {
    return this.#root === "/" ? path : join(this.#root, path);
  }

  read(path: string): string | null {
    try {
      return readFileSync(this.#real(path), "utf8");
    } catch {
      return null;
    }
  }

  write(path: string, contents: string): number {
    if (!path.startsWith("/") || path.endsWith("/")) return constants.errno.EINVAL;
    const real = this.#real(path);
    const tmp = `${real}.mp-${process.pid}-${this.#tmpSeq++}`;
    let fd: number | null = null;
    try {
      mkdirSync(dirname(real), { recursive: true, mode: 0o755 });
      fd = openSync(tmp, "wx", 0o644);
      const buf = Buffer.from(contents, "utf8");
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
      closeSync(fd);
      fd = null;
      renameSync(tmp, real);
      return 0;
    } catch (e) {
      if (fd !== null) closeSync(fd);
      rmSync(tmp, { force: true });
      return errnoOf(e);
    }
  }

  remove(path: string): number {
    try {
      unlinkSync(this.#real(path));
      return 0;
    } catch (e) {
      return errnoOf(e);
    }
  }

  list(dir: string): string[] | null {
    try {
      return readdirSync(this.#real(dir)).sort();
    } catch {
      return null;
    }
  }
}
