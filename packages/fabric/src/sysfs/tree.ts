import { Errno } from "@mp/dm-core";

/** An attribute's read: the text (`cat` output, newline included) or an errno. */
export type AttrShow = () => string | { readonly errno: number };
/** An attribute's write of the exact bytes written: 0 or a positive errno. */
export type AttrStore = (value: string) => number;

/** How an attribute is declared. */
export interface AttrSpec {
  readonly show?: AttrShow;
  readonly store?: AttrStore;
}

interface DirNode {
  readonly kind: "dir";
  readonly children: Map<string, Node>;
}
interface AttrNode {
  readonly kind: "attr";
  readonly show: AttrShow | undefined;
  readonly store: AttrStore | undefined;
}
interface LinkNode {
  readonly kind: "link";
  readonly target: string;
}
/** A directory of symlinks computed on each access (`holders/`, `slaves/`). */
interface DynNode {
  readonly kind: "dyn";
  readonly entries: () => ReadonlyArray<readonly [string, string]>;
}
type Node = DirNode | AttrNode | LinkNode | DynNode;

/** A path split into components; `..` and `.` resolved lexically is NOT done here (symlinks matter). */
function split(path: string): string[] {
  return path.split("/").filter((c) => c.length > 0);
}

/**
 * The kernel's sysfs as a tree of directories, attributes (show/store callbacks) and symlinks,
 * resolved the way the VFS resolves paths (symlinks followed in every component, `..` relative
 * to the real directory). Subsystems add and remove their objects; user space reads it through
 * the `SysfsView` SimHost exposes.
 */
export class SysfsTree {
  readonly #root: DirNode = { kind: "dir", children: new Map() };

  /** Creates a directory and its parents. */
  mkdir(path: string): void {
    this.#mkdirp(split(path));
  }

  #mkdirp(parts: readonly string[]): DirNode {
    let d = this.#root;
    for (const p of parts) {
      let n = d.children.get(p);
      if (n?.kind !== "dir") {
        n = { kind: "dir", children: new Map() };
        d.children.set(p, n);
      }
      d = n;
    }
    return d;
  }

  /** Declares an attribute (creating its directory). */
  attr(path: string, spec: AttrSpec): void {
    const parts = split(path);
    const name = parts.pop();
    if (!name) throw new Error(`bad sysfs path ${path}`);
    this.#mkdirp(parts).children.set(name, { kind: "attr", show: spec.show, store: spec.store });
  }

  /** Declares several attributes of one directory. */
  attrs(dir: string, specs: Record<string, AttrSpec>): void {
    const d = this.#mkdirp(split(dir));
    for (const [name, spec] of Object.entries(specs))
      d.children.set(name, { kind: "attr", show: spec.show, store: spec.store });
  }

  /** A read-only attribute with fixed text (a newline is NOT added). */
  constant(path: string, text: string): void {
    this.attr(path, { show: () => text });
  }

  /** Creates a symlink; `target` is stored as written (usually relative, as sysfs makes them). */
  symlink(path: string, target: string): void {
    const parts = split(path);
    const name = parts.pop();
    if (!name) throw new Error(`bad sysfs path ${path}`);
    this.#mkdirp(parts).children.set(name, { kind: "link", target });
  }

  /** A directory whose entries are symlinks `[name, target]` computed when read. */
  dynamicLinks(path: string, entries: () => ReadonlyArray<readonly [string, string]>): void {
    const parts = split(path);
    const name = parts.pop();
    if (!name) throw new Error(`bad sysfs path ${path}`);
    this.#mkdirp(parts).children.set(name, { kind: "dyn", entries });
  }

  /** Removes a node (recursively). */
  remove(path: string): void {
    const parts = split(path);
    const name = parts.pop();
    if (!name) return;
    const d = this.#walk(parts, false);
    if (d?.node.kind === "dir") d.node.children.delete(name);
  }

  exists(path: string): boolean {
    return this.#walk(split(path), true) !== null;
  }

  /** Resolves a path: the node and its canonical (symlink-free) components. */
  #walk(parts: readonly string[], followLast: boolean): { node: Node; real: string[] } | null {
    let stack: string[] = [];
    let queue = [...parts];
    let hops = 0;
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (c === ".") continue;
      if (c === "..") {
        stack.pop();
        continue;
      }
      const dir = this.#at(stack);
      if (!dir) return null;
      const n = childOf(dir, c);
      if (!n) return null;
      if (n.kind === "link" && (queue.length > 0 || followLast)) {
        if (++hops > 40) return null;
        const t = split(n.target);
        if (n.target.startsWith("/")) stack = [];
        queue = [...t, ...queue];
        continue;
      }
      stack.push(c);
    }
    const node = this.#at(stack);
    return node ? { node, real: stack } : null;
  }

  #at(parts: readonly string[]): Node | null {
    let n: Node = this.#root;
    for (const p of parts) {
      const c = childOf(n, p);
      if (!c) return null;
      n = c;
    }
    return n;
  }

  /** Canonical path of `path` (what `readlink -f` prints), or null. */
  realpath(path: string): string | null {
    const r = this.#walk(split(path), true);
    return r ? `/${r.real.join("/")}` : null;
  }

  /** Reads an attribute: its text, or an errno (ENOENT, EISDIR, EACCES, or the attribute's own). */
  readAttr(path: string): string | { readonly errno: number } {
    const r = this.#walk(split(path), true);
    if (!r) return { errno: Errno.ENOENT };
    const n = r.node;
    if (n.kind === "dir" || n.kind === "dyn") return { errno: Errno.EISDIR };
    if (n.kind !== "attr") return { errno: Errno.ENOENT };
    if (!n.show) return { errno: Errno.EACCES };
    return n.show();
  }

  /** Writes the exact bytes `value` to an attribute: 0 or a positive errno. */
  writeAttr(path: string, value: string): number {
    const r = this.#walk(split(path), true);
    if (!r) return Errno.ENOENT;
    const n = r.node;
    if (n.kind === "dir" || n.kind === "dyn") return Errno.EISDIR;
    if (n.kind !== "attr") return Errno.ENOENT;
    if (!n.store) return Errno.EACCES;
    return n.store(value);
  }

  /** Sorted entries of a directory, or null. */
  list(dir: string): string[] | null {
    const r = this.#walk(split(dir), true);
    if (!r) return null;
    if (r.node.kind === "dyn")
      return r.node
        .entries()
        .map(([n]) => n)
        .sort();
    if (r.node.kind !== "dir") return null;
    return [...r.node.children.keys()].sort();
  }

  /** The target of a symlink as stored, or null. */
  readlink(path: string): string | null {
    const r = this.#walk(split(path), false);
    if (r?.node.kind !== "link") return null;
    return r.node.target;
  }

  /** True when `path` (without following the last component) is a symlink. */
  isLink(path: string): boolean {
    return this.readlink(path) !== null;
  }
}

function childOf(n: Node, name: string): Node | null {
  if (n.kind === "dir") return n.children.get(name) ?? null;
  if (n.kind === "dyn") {
    for (const [k, t] of n.entries()) if (k === name) return { kind: "link", target: t };
  }
  return null;
}

/**
 * A relative symlink target from directory `fromDir` to `to` (both absolute), as kernfs writes
 * them: up to the nearest ancestor shared with the target's parent, then down (so a link to an
 * ancestor reads `../../../0:0:0:0`, not `../..`).
 */
export function relativeLink(fromDir: string, to: string): string {
  const a = split(fromDir);
  const b = split(to);
  const bParent = b.slice(0, -1);
  let i = 0;
  while (i < a.length && i < bParent.length && a[i] === bParent[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
}
