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

/**
 * An attribute declared once for a class of objects, as the kernel's `struct device_attribute`:
 * its show and store take the object whose directory it appears in.
 */
export interface AttrDef<T> {
  readonly show?: (obj: T) => string | { readonly errno: number };
  readonly store?: (obj: T, value: string) => number;
}

/** A group attribute as the tree holds it. */
interface GroupAttr {
  readonly kind: "gattr";
  readonly show: ((obj: never) => string | { readonly errno: number }) | undefined;
  readonly store: ((obj: never, value: string) => number) | undefined;
}

/**
 * The attributes of a class of sysfs directories (`struct attribute_group`), declared once and
 * attached to each directory with the object they show: a device then costs the tree one
 * directory, not a node and closures per attribute.
 */
export class AttrGroup<T> {
  /** @internal */
  readonly defs: ReadonlyMap<string, GroupAttr>;
  /** The names, sorted. */
  readonly names: readonly string[];

  constructor(defs: Readonly<Record<string, AttrDef<T>>>) {
    const m = new Map<string, GroupAttr>();
    for (const [name, d] of Object.entries(defs))
      m.set(name, { kind: "gattr", show: d.show as GroupAttr["show"], store: d.store as GroupAttr["store"] });
    this.defs = m;
    this.names = [...m.keys()].sort();
  }
}

/** A directory of the tree (a kernfs directory node: it knows its parent and name). */
interface DirNode {
  readonly kind: "dir";
  readonly parent: DirNode | null;
  readonly name: string;
  /** Nodes declared one by one (made on first use: many directories stay empty). */
  children: Kids | null;
  /** Attributes declared for the directory's class, and the object they show. */
  group: AttrGroup<never> | null;
  obj: unknown;
}
interface AttrNode {
  readonly kind: "attr";
  readonly show: AttrShow | undefined;
  readonly store: AttrStore | undefined;
}
interface LinkNode {
  readonly kind: "link";
  /**
   * The target as stored (usually relative), or null for a link declared by its absolute target
   * (`abs` or `toDir`): kernfs computes the relative text from where the link sits, so this
   * does when it is read.
   */
  readonly target: string | null;
  /** An absolute target path (a link declared with {@link SysfsTree.symlinkAbs}). */
  readonly abs: string | null;
  /** The directory a link declared with {@link SysfsTree.symlinkTo} leads to. */
  readonly toDir: DirNode | null;
  /**
   * Where the link leads (a directory or `dyn` node), with the hops it took, valid while the
   * tree's generation is `toGen` (-1: not known). Links a `dyn` directory makes up never
   * remember.
   */
  to: DirNode | DynNode | null;
  toGen: number;
  toHops: number;
}
/**
 * An empty directory (`power/`, `trace/`): one node shared by every place that has one, a leaf of
 * its parent (a directory made inside it replaces it with a directory of its own).
 */
interface EmptyDirNode {
  readonly kind: "edir";
}
const EMPTY_DIR: EmptyDirNode = Object.freeze({ kind: "edir" });
/** A directory of symlinks computed on each access (`holders/`, `slaves/`). */
interface DynNode {
  readonly kind: "dyn";
  readonly parent: DirNode;
  readonly name: string;
  readonly entries: () => ReadonlyArray<readonly [string, string]>;
}
type Node = DirNode | AttrNode | LinkNode | DynNode | EmptyDirNode;
/** What a path may lead to besides a node: an attribute of a directory's group. */
type Leaf = AttrNode | LinkNode | GroupAttr | EmptyDirNode;

/**
 * A directory's nodes: name, node, name, node … while they are few (most directories hold one
 * to ten), a Map beyond.
 */
type Kids = Map<string, Node> | Array<string | Node>;
/** Nodes a directory keeps in a flat array. */
const KIDS_ARRAY_MAX = 12;

function kidGet(k: Kids | null, name: string): Node | undefined {
  if (k === null) return undefined;
  if (!Array.isArray(k)) return k.get(name);
  for (let i = 0; i < k.length; i += 2) if (k[i] === name) return k[i + 1] as Node;
  return undefined;
}

function kidSet(d: DirNode, name: string, node: Node): void {
  const k = d.children;
  if (k === null) d.children = [name, node];
  else if (!Array.isArray(k)) k.set(name, node);
  else {
    for (let i = 0; i < k.length; i += 2)
      if (k[i] === name) {
        k[i + 1] = node;
        return;
      }
    if (k.length < 2 * KIDS_ARRAY_MAX) k.push(name, node);
    else {
      const m = new Map<string, Node>();
      for (let i = 0; i < k.length; i += 2) m.set(k[i] as string, k[i + 1] as Node);
      m.set(name, node);
      d.children = m;
    }
  }
}

function kidDelete(d: DirNode, name: string): boolean {
  const k = d.children;
  if (k === null) return false;
  if (!Array.isArray(k)) return k.delete(name);
  for (let i = 0; i < k.length; i += 2)
    if (k[i] === name) {
      k.splice(i, 2);
      if (k.length === 0) d.children = null;
      return true;
    }
  return false;
}

/** The names of a directory's nodes (in no particular order). */
function kidNames(k: Kids | null): string[] {
  if (k === null) return [];
  if (!Array.isArray(k)) return [...k.keys()];
  const out: string[] = [];
  for (let i = 0; i < k.length; i += 2) out.push(k[i] as string);
  return out;
}
type Container = DirNode | DynNode;

/** A directory handle from {@link SysfsTree.dir}, to declare nodes in it without re-walking a path. */
export type SysfsDir = DirNode;

/** A path split into components; `..` and `.` resolved lexically is NOT done here (symlinks matter). */
function split(path: string): string[] {
  return path.split("/").filter((c) => c.length > 0);
}

function newDir(parent: DirNode | null, name: string): DirNode {
  return { kind: "dir", parent, name, children: null, group: null, obj: undefined };
}

/** A path lookup's result, remembered per path: the node (or group attribute) and its object. */
interface Hit {
  readonly node: Container | Leaf;
  readonly obj: unknown;
}

/**
 * The kernel's sysfs as a tree of directories, attributes (show/store callbacks, or attribute
 * groups declared once per class) and symlinks, resolved the way the VFS resolves paths
 * (symlinks followed in every component, `..` relative to the real directory). Subsystems add
 * and remove their objects; user space reads it through the `SysfsView` SimHost exposes.
 */
export class SysfsTree {
  readonly #root: DirNode = newDir(null, "");
  /**
   * Changes whenever a node is replaced or removed (adding a name changes no existing
   * resolution): a link's remembered resolution holds while it stays the same.
   */
  #gen = 0;
  /**
   * What paths led to (every link followed, no `dyn` directory on the way), valid for
   * generation `#cacheGen`: user space reads the same attributes over and over (a checker
   * pass reads every path's `state` and `timeout`).
   */
  readonly #cache = new Map<string, Hit>();
  #cacheGen = 0;
  /** The directory `#dir` reached last, by the path it was given (valid for `#lastDirGen`). */
  #lastDirPath = "";
  #lastDir: DirNode | null = null;
  #lastDirGen = -1;

  /** Whether `dir` has `name` (declared or from its group). */
  static #has(dir: DirNode, name: string): boolean {
    return kidGet(dir.children, name) !== undefined || (dir.group?.defs.has(name) ?? false);
  }

  /** Puts `node` in `dir` under `name`, noting a replacement. */
  #set(dir: DirNode, name: string, node: Node): void {
    if (SysfsTree.#has(dir, name)) this.#gen++;
    kidSet(dir, name, node);
  }

  /** Links every object of a class has to one absolute place (`subsystem`, `driver`), shared. */
  readonly #shared = new Map<string, LinkNode>();

  /** Creates a directory and its parents. */
  mkdir(path: string): void {
    this.#dir(path, path.length);
  }

  /** The directory `path` names, made with its parents as needed: a handle for the `…At` methods. */
  dir(path: string): SysfsDir {
    return this.#dir(path, path.length);
  }

  /** The directory `name` in `dir`, made as needed (a non-directory in the way is replaced). */
  sub(dir: SysfsDir, name: string): SysfsDir {
    const n = kidGet(dir.children, name);
    if (n?.kind === "dir") return n;
    const made = newDir(dir, name);
    this.#set(dir, name, made);
    return made;
  }

  /** An empty directory `name` in `dir` (one that stays empty: `power/`), unless it has one. */
  emptyDir(dir: SysfsDir, name: string): void {
    const n = kidGet(dir.children, name);
    if (n?.kind !== "dir" && n?.kind !== "edir") this.#set(dir, name, EMPTY_DIR);
  }

  /**
   * The directory `path.slice(0, end)` names, made with its parents as needed (a non-directory
   * in the way is replaced). Declarations come in runs per directory: the last one reached is
   * remembered until a node is replaced or removed.
   */
  #dir(path: string, end: number): DirNode {
    const key = end === path.length ? path : path.slice(0, end);
    if (this.#lastDirGen === this.#gen && this.#lastDirPath === key && this.#lastDir) return this.#lastDir;
    let d: DirNode = this.#root;
    for (let start = 0; start < end; ) {
      let slash = path.indexOf("/", start);
      if (slash < 0 || slash > end) slash = end;
      if (slash > start) d = this.sub(d, path.slice(start, slash));
      start = slash + 1;
    }
    this.#lastDirPath = key;
    this.#lastDir = d;
    this.#lastDirGen = this.#gen;
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

  /** Declares an attribute in `dir`. */
  attrAt(dir: SysfsDir, name: string, spec: AttrSpec): void {
    this.#set(dir, name, { kind: "attr", show: spec.show, store: spec.store });
  }

  /** Declares several attributes of one directory. */
  attrs(dir: string, specs: Record<string, AttrSpec>): void {
    const d = this.#dir(dir, dir.length);
    for (const [name, spec] of Object.entries(specs))
      this.#set(d, name, { kind: "attr", show: spec.show, store: spec.store });
  }

  /**
   * Gives `dir` the attributes of `group`, showing `obj` (`sysfs_create_group`). Names the
   * directory already had are replaced, as declaring them one by one would.
   */
  group<T>(dir: SysfsDir, group: AttrGroup<T>, obj: T): void {
    // A second group adds to the first (whose attributes become nodes of their own).
    if (dir.group !== null) {
      this.#ungroup(dir);
      this.#gen++;
    }
    for (const name of group.names) {
      if (dir.children === null) break;
      if (kidDelete(dir, name)) this.#gen++;
    }
    dir.group = group as AttrGroup<never>;
    dir.obj = obj;
  }

  /** A read-only attribute with fixed text (a newline is NOT added). */
  constant(path: string, text: string): void {
    this.attr(path, { show: () => text });
  }

  /** Creates a symlink; `target` is stored as written (usually relative, as sysfs makes them). */
  symlink(path: string, target: string): void {
    const { dir, name } = this.#place(path);
    this.#set(dir, name, link(target, null, null));
  }

  /**
   * Creates a symlink to the absolute path `target`, reading as the relative path from the link's
   * directory that kernfs writes ({@link relativeLink}).
   */
  symlinkAbs(path: string, target: string): void {
    const { dir, name } = this.#place(path);
    this.symlinkAbsAt(dir, name, target);
  }

  /** {@link symlinkAbs} in `dir`. */
  symlinkAbsAt(dir: SysfsDir, name: string, target: string): void {
    // A target with `.` or `..` components reads and resolves as written relative to the link.
    if (!target.startsWith("/") || /\/\.\.?(\/|$)/.test(target))
      this.#set(dir, name, link(relativeLink(pathOf(dir), target), null, null));
    else this.#set(dir, name, link(null, target, null));
  }

  /**
   * {@link symlinkAbsAt} for a link every object of a class has to the same place (`subsystem`,
   * `driver`): one node serves them all (a link to an absolute path leads the same way from
   * anywhere; how it reads is computed from where it is read).
   */
  classLinkAt(dir: SysfsDir, name: string, target: string): void {
    if (!target.startsWith("/") || /\/\.\.?(\/|$)/.test(target)) {
      this.symlinkAbsAt(dir, name, target);
      return;
    }
    let n = this.#shared.get(target);
    if (!n) this.#shared.set(target, (n = link(null, target, null)));
    this.#set(dir, name, n);
  }

  /** Creates the symlink `name` in `dir` to the directory `to` (the link reads relative, as kernfs's). */
  symlinkTo(dir: SysfsDir, name: string, to: SysfsDir): void {
    this.#set(dir, name, link(null, null, to));
  }

  /** A directory whose entries are symlinks `[name, target]` computed when read. */
  dynamicLinks(path: string, entries: () => ReadonlyArray<readonly [string, string]>): void {
    const { dir, name } = this.#place(path);
    this.#set(dir, name, { kind: "dyn", parent: dir, name, entries });
  }

  /** Removes a node (recursively). */
  remove(path: string): void {
    const parts = split(path);
    const name = parts.pop();
    if (!name) return;
    const w = this.#lookup(parts.join("/"), false);
    if (w === null || w.leaf !== null || w.cur.kind !== "dir") return;
    const d = w.cur;
    // The group's attribute of that name goes too (even where a node of its own hid it).
    if (d.group?.defs.has(name)) this.#ungroup(d);
    if (kidDelete(d, name)) this.#gen++;
  }

  /** Turns a directory's group attributes into nodes of their own (one is being removed). */
  #ungroup(d: DirNode): void {
    const g = d.group!;
    const obj = d.obj as never;
    for (const name of g.names) {
      if (kidGet(d.children, name) !== undefined) continue;
      const a = g.defs.get(name)!;
      const show = a.show;
      const store = a.store;
      kidSet(d, name, {
        kind: "attr",
        show: show ? () => show(obj) : undefined,
        store: store ? (v: string) => store(obj, v) : undefined,
      });
    }
    d.group = null;
    d.obj = undefined;
  }

  exists(path: string): boolean {
    return this.#resolve(path) !== null;
  }

  /** A path's node with every link followed (remembered per path while nothing is replaced). */
  #resolve(path: string): Hit | null {
    if (this.#cacheGen !== this.#gen) {
      this.#cache.clear();
      this.#cacheGen = this.#gen;
    }
    const hit = this.#cache.get(path);
    if (hit) return hit;
    const w = this.#lookup(path, true);
    if (w === null) return null;
    const r: Hit = { node: w.leaf ?? w.cur, obj: w.obj };
    if (!w.dyn) {
      if (this.#cache.size >= PATH_CACHE_MAX) this.#cache.clear();
      this.#cache.set(path, r);
    }
    return r;
  }

  /**
   * Resolves a path as the VFS does: symlinks followed in every component (and in the last when
   * `followLast`), `..` relative to the real directory.
   */
  #lookup(path: string, followLast: boolean): Walk | null {
    const w: Walk = { cur: this.#root, leaf: null, name: "", obj: undefined, hops: 0, dyn: false };
    return this.#walk(w, path, followLast, MAX_LINK_HOPS) ? w : null;
  }

  /**
   * Walks `path` on from where `w` stands, one child lookup per component. False when a
   * component is missing or more than `maxHops` links are followed in all.
   */
  #walk(w: Walk, path: string, followLast: boolean, maxHops: number): boolean {
    const len = path.length;
    let start = 0;
    while (start < len && path.charCodeAt(start) === 47) start++;
    while (start < len) {
      let end = path.indexOf("/", start);
      if (end < 0) end = len;
      let next = end;
      while (next < len && path.charCodeAt(next) === 47) next++;
      const more = next < len;
      const c = path.slice(start, end);
      start = next;
      if (c === ".") continue;
      if (c === "..") {
        if (w.leaf !== null) w.leaf = null;
        else if (w.cur.parent !== null) w.cur = w.cur.parent;
        continue;
      }
      if (w.leaf !== null) return false;
      const dir = w.cur;
      let n: Node | GroupAttr | null;
      if (dir.kind === "dir") {
        n = kidGet(dir.children, c) ?? null;
        if (n === null && dir.group !== null) {
          n = dir.group.defs.get(c) ?? null;
          if (n !== null) w.obj = dir.obj;
        }
      } else {
        w.dyn = true;
        n = null;
        for (const [k, t] of dir.entries())
          if (k === c) {
            n = link(t, null, null);
            break;
          }
      }
      if (n === null) return false;
      switch (n.kind) {
        case "dir":
        case "dyn":
          w.cur = n;
          break;
        case "link":
          if (more || followLast) {
            if (!this.#follow(w, n, maxHops, dir.kind === "dir")) return false;
            break;
          }
          w.leaf = n;
          w.name = c;
          break;
        default:
          w.leaf = n;
          w.name = c;
      }
    }
    return true;
  }

  /**
   * Follows a link from the directory `w` stands in: its target walked from there (from the
   * root when absolute). Where a link in the tree leads is remembered until a node is replaced
   * or removed; the hops it took count again on every use, so the limit trips exactly where a
   * fresh walk would.
   */
  #follow(w: Walk, n: LinkNode, maxHops: number, remember: boolean): boolean {
    if (++w.hops > maxHops) return false;
    if (n.toGen === this.#gen && n.to !== null) {
      if (w.hops + n.toHops > maxHops) return false;
      w.hops += n.toHops;
      w.cur = n.to;
      return true;
    }
    const target = n.target ?? n.abs ?? pathOf(n.toDir!);
    const sub: Walk = {
      cur: n.target === null || target.startsWith("/") ? this.#root : w.cur,
      leaf: null,
      name: "",
      obj: undefined,
      hops: 0,
      dyn: false,
    };
    // A link's target is followed to its end (what it names is what the link stands for).
    if (!this.#walk(sub, target, true, maxHops - w.hops)) return false;
    if (remember && !sub.dyn && sub.leaf === null) {
      n.to = sub.cur;
      n.toGen = this.#gen;
      n.toHops = sub.hops;
    }
    w.hops += sub.hops;
    w.cur = sub.cur;
    w.leaf = sub.leaf;
    w.name = sub.name;
    w.obj = sub.obj;
    w.dyn ||= sub.dyn;
    return true;
  }

  /** Canonical path of `path` (what `readlink -f` prints), or null. */
  realpath(path: string): string | null {
    const w = this.#lookup(path, true);
    if (w === null) return null;
    const dir = pathOf(w.cur);
    return w.leaf !== null ? `${dir}/${w.name}` : dir || "/";
  }

  /** Reads an attribute: its text, or an errno (ENOENT, EISDIR, EACCES, or the attribute's own). */
  readAttr(path: string): string | { readonly errno: number } {
    const h = this.#resolve(path);
    if (!h) return { errno: Errno.ENOENT };
    const n = h.node;
    if (n.kind === "dir" || n.kind === "dyn" || n.kind === "edir") return { errno: Errno.EISDIR };
    if (n.kind === "link") return { errno: Errno.ENOENT };
    if (!n.show) return { errno: Errno.EACCES };
    return n.kind === "gattr" ? n.show(h.obj as never) : n.show();
  }

  /** Writes the exact bytes `value` to an attribute: 0 or a positive errno. */
  writeAttr(path: string, value: string): number {
    const h = this.#resolve(path);
    if (!h) return Errno.ENOENT;
    const n = h.node;
    if (n.kind === "dir" || n.kind === "dyn" || n.kind === "edir") return Errno.EISDIR;
    if (n.kind === "link") return Errno.ENOENT;
    if (!n.store) return Errno.EACCES;
    return n.kind === "gattr" ? n.store(h.obj as never, value) : n.store(value);
  }

  /** Sorted entries of a directory, or null. */
  list(dir: string): string[] | null {
    const h = this.#resolve(dir);
    if (!h) return null;
    const node = h.node;
    if (node.kind === "dyn")
      return node
        .entries()
        .map(([n]) => n)
        .sort();
    if (node.kind === "edir") return [];
    if (node.kind !== "dir") return null;
    if (node.group === null) return kidNames(node.children).sort();
    if (node.children === null) return node.group.names.slice();
    const out = kidNames(node.children);
    for (const name of node.group.names) if (kidGet(node.children, name) === undefined) out.push(name);
    return out.sort();
  }

  /** The target of a symlink as stored, or null. */
  readlink(path: string): string | null {
    const w = this.#lookup(path, false);
    if (w === null || w.leaf?.kind !== "link") return null;
    const n = w.leaf;
    if (n.target !== null) return n.target;
    return relativeLink(pathOf(w.cur), n.abs ?? pathOf(n.toDir!));
  }

  /** True when `path` (without following the last component) is a symlink. */
  isLink(path: string): boolean {
    return this.readlink(path) !== null;
  }
}

/** The VFS's limit on symlinks followed in one lookup (40, `MAXSYMLINKS`). */
const MAX_LINK_HOPS = 40;

/** Paths remembered at most (then forgotten all at once). */
const PATH_CACHE_MAX = 1 << 17;

/** A lookup in progress: the real directory reached, and the leaf in it the path names (if any). */
interface Walk {
  cur: Container;
  /** An attribute, or a link not followed, named by the last component; null for `cur` itself. */
  leaf: Leaf | null;
  /** The leaf's name. */
  name: string;
  /** The object a group attribute shows. */
  obj: unknown;
  hops: number;
  /** It went through a `dyn` directory (computed entries: nothing to remember). */
  dyn: boolean;
}

function link(target: string | null, abs: string | null, toDir: DirNode | null): LinkNode {
  return { kind: "link", target, abs, toDir, to: null, toGen: -1, toHops: 0 };
}

/** The path of a directory from the root (`""` for the root itself). */
function pathOf(n: Container): string {
  const names: string[] = [];
  for (let d: Container | null = n; d !== null && d.parent !== null; d = d.parent) names.push(d.name);
  let out = "";
  for (let i = names.length - 1; i >= 0; i--) out += `/${names[i]}`;
  return out;
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
