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
  /**
   * Where the link leads (real nodes and names from the root, links followed on the way), valid
   * while the tree's generation is `gen`; absent on the links a `dyn` directory makes up.
   */
  resolved?: { gen: number; nodes: Node[]; names: string[]; hops: number } | null;
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
  /**
   * Changes whenever a node is replaced or removed (adding a name changes no existing
   * resolution): a link's remembered resolution holds while it stays the same.
   */
  #gen = 0;
  /**
   * Nodes that paths led to (every link followed, no `dyn` directory on the way), valid for
   * generation `#cacheGen`: user space reads the same attributes over and over (a checker
   * pass reads every path's `state` and `timeout`).
   */
  readonly #cache = new Map<string, Node>();
  #cacheGen = 0;
  /** Directories `#dir` reached, by the path it was given, valid for generation `#dirsGen`. */
  readonly #dirs = new Map<string, DirNode>();
  #dirsGen = 0;

  /** Puts `node` in `dir` under `name`, noting a replacement. */
  #set(dir: DirNode, name: string, node: Node): void {
    if (dir.children.has(name)) this.#gen++;
    dir.children.set(name, node);
  }

  /** Creates a directory and its parents. */
  mkdir(path: string): void {
    this.#dir(path, path.length);
  }

  /**
   * The directory `path.slice(0, end)` names, made with its parents as needed (a non-directory
   * in the way is replaced). A subsystem declares dozens of nodes per device in a few
   * directories: the directories reached are remembered until a node is replaced or removed.
   */
  #dir(path: string, end: number): DirNode {
    if (this.#dirsGen !== this.#gen) {
      this.#dirs.clear();
      this.#dirsGen = this.#gen;
    }
    const key = end === path.length ? path : path.slice(0, end);
    const known = this.#dirs.get(key);
    if (known) return known;
    let d: DirNode = this.#root;
    for (let start = 0; start < end; ) {
      let slash = path.indexOf("/", start);
      if (slash < 0 || slash > end) slash = end;
      if (slash > start) {
        const p = path.slice(start, slash);
        const n = d.children.get(p);
        if (n?.kind === "dir") d = n;
        else {
          const made: DirNode = { kind: "dir", children: new Map() };
          this.#set(d, p, made);
          d = made;
        }
      }
      start = slash + 1;
    }
    this.#dirs.set(key, d);
    return d;
  }

  /** Where `path`'s last component goes: its directory (made as needed) and its name. */
  #place(path: string): { dir: DirNode; name: string } {
    let e = path.length;
    while (e > 0 && path.charCodeAt(e - 1) === 47) e--;
    const slash = path.lastIndexOf("/", e - 1);
    const name = path.slice(slash + 1, e);
    if (!name) throw new Error(`bad sysfs path ${path}`);
    return { dir: this.#dir(path, Math.max(slash, 0)), name };
  }

  /** Declares an attribute (creating its directory). */
  attr(path: string, spec: AttrSpec): void {
    const { dir, name } = this.#place(path);
    this.#set(dir, name, { kind: "attr", show: spec.show, store: spec.store });
  }

  /** Declares several attributes of one directory. */
  attrs(dir: string, specs: Record<string, AttrSpec>): void {
    const d = this.#dir(dir, dir.length);
    for (const [name, spec] of Object.entries(specs))
      this.#set(d, name, { kind: "attr", show: spec.show, store: spec.store });
  }

  /** A read-only attribute with fixed text (a newline is NOT added). */
  constant(path: string, text: string): void {
    this.attr(path, { show: () => text });
  }

  /** Creates a symlink; `target` is stored as written (usually relative, as sysfs makes them). */
  symlink(path: string, target: string): void {
    const { dir, name } = this.#place(path);
    this.#set(dir, name, { kind: "link", target, resolved: null });
  }

  /** A directory whose entries are symlinks `[name, target]` computed when read. */
  dynamicLinks(path: string, entries: () => ReadonlyArray<readonly [string, string]>): void {
    const { dir, name } = this.#place(path);
    this.#set(dir, name, { kind: "dyn", entries });
  }

  /** Removes a node (recursively). */
  remove(path: string): void {
    const parts = split(path);
    const name = parts.pop();
    if (!name) return;
    const d = this.#resolve(parts.join("/"), false, null);
    if (d?.kind === "dir" && d.children.delete(name)) this.#gen++;
  }

  exists(path: string): boolean {
    return this.#resolve(path, true, null) !== null;
  }

  /**
   * Resolves a path as the VFS does: symlinks followed in every component (and in the last when
   * `followLast`), `..` relative to the real directory. Returns the node, and fills `real` (when
   * given) with its canonical components.
   */
  #resolve(path: string, followLast: boolean, real: string[] | null): Node | null {
    const cacheable = followLast && real === null;
    if (cacheable) {
      if (this.#cacheGen !== this.#gen) {
        this.#cache.clear();
        this.#cacheGen = this.#gen;
      }
      const hit = this.#cache.get(path);
      if (hit) return hit;
    }
    const w: Walk = { nodes: [], names: [], hops: 0, dyn: false };
    if (!this.#walk(w, path, followLast, MAX_LINK_HOPS)) return null;
    if (real) real.push(...w.names);
    const node = w.nodes.length > 0 ? w.nodes[w.nodes.length - 1]! : this.#root;
    if (cacheable && !w.dyn) {
      if (this.#cache.size >= PATH_CACHE_MAX) this.#cache.clear();
      this.#cache.set(path, node);
    }
    return node;
  }

  /**
   * Walks `path` on from where `w` stands, one child lookup per component (the directory
   * reached so far is kept). False when a component is missing or more than `maxHops` links
   * are followed in all.
   */
  #walk(w: Walk, path: string, followLast: boolean, maxHops: number): boolean {
    // Components still to walk, last first.
    const todo: string[] = [];
    pushComponents(todo, path);
    while (todo.length > 0) {
      const c = todo.pop()!;
      if (c === ".") continue;
      if (c === "..") {
        w.nodes.pop();
        w.names.pop();
        continue;
      }
      const dir = w.nodes.length > 0 ? w.nodes[w.nodes.length - 1]! : this.#root;
      if (dir.kind === "dyn") w.dyn = true;
      const n = childOf(dir, c);
      if (!n) return false;
      if (n.kind === "link" && (todo.length > 0 || followLast)) {
        if (!this.#follow(w, n, maxHops)) return false;
        continue;
      }
      w.nodes.push(n);
      w.names.push(c);
    }
    return true;
  }

  /**
   * Follows a link from the directory `w` stands in: its target walked from there (from the
   * root when absolute). A link in the tree always sits in the same real directory, so where it
   * leads is remembered until a node is replaced or removed; the hops it took count again on
   * every use, so the limit trips exactly where a fresh walk would.
   */
  #follow(w: Walk, n: LinkNode, maxHops: number): boolean {
    if (++w.hops > maxHops) return false;
    const r = n.resolved;
    if (r && r.gen === this.#gen) {
      if (w.hops + r.hops > maxHops) return false;
      w.hops += r.hops;
      w.nodes = r.nodes.slice();
      w.names = r.names.slice();
      return true;
    }
    const abs = n.target.startsWith("/");
    const sub: Walk = {
      nodes: abs ? [] : w.nodes.slice(),
      names: abs ? [] : w.names.slice(),
      hops: 0,
      dyn: false,
    };
    // A link's target is followed to its end (what it names is what the link stands for).
    if (!this.#walk(sub, n.target, true, maxHops - w.hops)) return false;
    if (!sub.dyn && n.resolved !== undefined)
      n.resolved = { gen: this.#gen, nodes: sub.nodes.slice(), names: sub.names.slice(), hops: sub.hops };
    w.hops += sub.hops;
    w.nodes = sub.nodes;
    w.names = sub.names;
    w.dyn ||= sub.dyn;
    return true;
  }

  /** Canonical path of `path` (what `readlink -f` prints), or null. */
  realpath(path: string): string | null {
    const real: string[] = [];
    return this.#resolve(path, true, real) ? `/${real.join("/")}` : null;
  }

  /** Reads an attribute: its text, or an errno (ENOENT, EISDIR, EACCES, or the attribute's own). */
  readAttr(path: string): string | { readonly errno: number } {
    const n = this.#resolve(path, true, null);
    if (!n) return { errno: Errno.ENOENT };
    if (n.kind === "dir" || n.kind === "dyn") return { errno: Errno.EISDIR };
    if (n.kind !== "attr") return { errno: Errno.ENOENT };
    if (!n.show) return { errno: Errno.EACCES };
    return n.show();
  }

  /** Writes the exact bytes `value` to an attribute: 0 or a positive errno. */
  writeAttr(path: string, value: string): number {
    const n = this.#resolve(path, true, null);
    if (!n) return Errno.ENOENT;
    if (n.kind === "dir" || n.kind === "dyn") return Errno.EISDIR;
    if (n.kind !== "attr") return Errno.ENOENT;
    if (!n.store) return Errno.EACCES;
    return n.store(value);
  }

  /** Sorted entries of a directory, or null. */
  list(dir: string): string[] | null {
    const node = this.#resolve(dir, true, null);
    if (!node) return null;
    if (node.kind === "dyn")
      return node
        .entries()
        .map(([n]) => n)
        .sort();
    if (node.kind !== "dir") return null;
    return [...node.children.keys()].sort();
  }

  /** The target of a symlink as stored, or null. */
  readlink(path: string): string | null {
    const n = this.#resolve(path, false, null);
    if (n?.kind !== "link") return null;
    return n.target;
  }

  /** True when `path` (without following the last component) is a symlink. */
  isLink(path: string): boolean {
    return this.readlink(path) !== null;
  }
}

/** The VFS's limit on symlinks followed in one lookup (40, `MAXSYMLINKS`). */
const MAX_LINK_HOPS = 40;

/** Paths remembered at most (then forgotten all at once): some 10 MB. */
const PATH_CACHE_MAX = 1 << 17;

/** A lookup in progress: the real nodes and names from the root, links followed so far. */
interface Walk {
  nodes: Node[];
  names: string[];
  hops: number;
  /** It went through a `dyn` directory (computed entries: nothing to remember). */
  dyn: boolean;
}

/** Pushes the non-empty components of `path` onto `out`, last first. */
function pushComponents(out: string[], path: string): void {
  let end = path.length;
  for (let i = path.length - 1; i >= -1; i--) {
    if (i === -1 || path.charCodeAt(i) === 47) {
      if (end > i + 1) out.push(path.slice(i + 1, end));
      end = i;
    }
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
