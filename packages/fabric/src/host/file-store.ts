import { Errno, type FileStore } from "@mp/dm-core";

/** Splits an absolute path into its directory and base name. */
function parent(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/**
 * An in-memory file store (`/etc/multipath.conf`, `/etc/multipath/bindings`, `wwids`): writes
 * replace a file whole; directories exist implicitly once a file under them does (or after
 * {@link MemFileStore.mkdir}).
 */
export class MemFileStore implements FileStore {
  readonly #files = new Map<string, string>();
  readonly #dirs = new Set<string>(["/"]);

  read(path: string): string | null {
    return this.#files.get(path) ?? null;
  }

  write(path: string, contents: string): number {
    if (!path.startsWith("/") || path.endsWith("/")) return Errno.EINVAL;
    if (this.#dirs.has(path)) return 21;
    this.#files.set(path, contents);
    for (let d = parent(path); d !== "/"; d = parent(d)) this.#dirs.add(d);
    return 0;
  }

  remove(path: string): number {
    return this.#files.delete(path) ? 0 : Errno.ENOENT;
  }

  /** Creates a directory (and its parents). */
  mkdir(path: string): void {
    for (let d = path.replace(/\/+$/, ""); d && d !== "/"; d = parent(d)) this.#dirs.add(d);
  }

  list(dir: string): string[] | null {
    const d = dir.replace(/\/+$/, "") || "/";
    if (!this.#dirs.has(d)) return null;
    const prefix = d === "/" ? "/" : `${d}/`;
    const out = new Set<string>();
    for (const p of [...this.#files.keys(), ...this.#dirs]) {
      if (p !== d && p.startsWith(prefix)) out.add(p.slice(prefix.length).split("/")[0]!);
    }
    return [...out].sort();
  }

  /** True when `path` is a directory of the store. */
  isDir(path: string): boolean {
    return this.#dirs.has(path.replace(/\/+$/, "") || "/");
  }
}
