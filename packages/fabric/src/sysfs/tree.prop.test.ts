import { Errno } from "@mp/dm-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AttrGroup, type AttrShow, type AttrSpec, type AttrStore, relativeLink, SysfsTree } from "./tree.js";

// ---- The path walk as first written (components re-walked from the root for every step), kept
// as the reference the tree must answer like. ----
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
class WalkReference {
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

// ----

type Op =
  | { kind: "mkdir"; path: string }
  | { kind: "attr"; path: string; text: string }
  | { kind: "link"; path: string; target: string }
  | { kind: "dyn"; path: string; entries: Array<[string, string]> }
  | { kind: "remove"; path: string }
  | { kind: "abs"; path: string; target: string }
  | { kind: "to"; dir: string; name: string; to: string }
  | { kind: "group"; dir: string; attrs: Array<[string, string]> }
  | { kind: "edir"; dir: string; name: string }
  | { kind: "cls"; dir: string; name: string; target: string };

// Few names and short paths, so links, replacements and removals meet the same paths often.
const name = fc.constantFrom("a", "b", "c");
const rel = fc.array(fc.constantFrom("a", "b", "c", "..", ".", ""), { minLength: 1, maxLength: 4 });
const abs = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => `/${p.join("/")}`);
const target = fc.oneof(
  rel.map((p) => p.join("/")),
  abs,
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("mkdir" as const), path: abs }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("attr" as const),
      path: abs,
      text: fc.string({ maxLength: 3 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("link" as const), path: abs, target }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("dyn" as const),
      path: abs,
      entries: fc.array(fc.tuple(name, target), { maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("remove" as const), path: abs }) },
  // Links declared by their absolute target (relative text made by the tree), to a directory
  // handle, and attribute groups (one declaration per class, the object shown per directory).
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("abs" as const), path: abs, target: abs }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("to" as const), dir: abs, name, to: abs }) },
  // Empty directories shared by every place that has one, and links shared by a class.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("edir" as const), dir: abs, name }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cls" as const), dir: abs, name, target: abs }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("group" as const),
      dir: abs,
      attrs: fc.array(fc.tuple(name, fc.string({ maxLength: 2 })), { maxLength: 3 }),
    }),
  },
);
const query = fc.oneof(
  abs,
  rel.map((p) => `/${p.join("/")}`),
  fc.tuple(abs, rel).map(([a, r]) => `${a}/${r.join("/")}`),
);

function apply(t: SysfsTree | WalkReference, o: Op): void {
  switch (o.kind) {
    case "mkdir":
      t.mkdir(o.path);
      return;
    case "attr":
      t.attr(o.path, { show: () => o.text, store: () => 0 });
      return;
    case "link":
      t.symlink(o.path, o.target);
      return;
    case "dyn":
      t.dynamicLinks(o.path, () => o.entries);
      return;
    case "remove":
      t.remove(o.path);
      return;
    case "abs":
      if (t instanceof SysfsTree) t.symlinkAbs(o.path, o.target);
      else t.symlink(o.path, relativeLink(o.path.slice(0, o.path.lastIndexOf("/")), o.target));
      return;
    case "to":
      if (t instanceof SysfsTree) t.symlinkTo(t.dir(o.dir), o.name, t.dir(o.to));
      else {
        t.mkdir(o.dir);
        t.mkdir(o.to);
        t.symlink(`${o.dir}/${o.name}`, relativeLink(o.dir, o.to));
      }
      return;
    case "edir":
      if (t instanceof SysfsTree) t.emptyDir(t.dir(o.dir), o.name);
      else t.mkdir(`${o.dir}/${o.name}`);
      return;
    case "cls":
      if (t instanceof SysfsTree) t.classLinkAt(t.dir(o.dir), o.name, o.target);
      else {
        t.mkdir(o.dir);
        t.symlink(`${o.dir}/${o.name}`, relativeLink(o.dir, o.target));
      }
      return;
    case "group": {
      // The object a group shows is the directory's own record: its texts per name.
      const texts = new Map(o.attrs);
      if (t instanceof SysfsTree) t.group(t.dir(o.dir), groupOf([...texts.keys()]), texts);
      else {
        const specs: Record<string, AttrSpec> = {};
        for (const [k, v] of texts) specs[k] = { show: () => `${k}=${v}`, store: () => v.length };
        t.attrs(o.dir, specs);
      }
      return;
    }
  }
}

/** One group per set of names (as a class declares its attributes once), shared by every directory. */
const groups = new Map<string, AttrGroup<Map<string, string>>>();
function groupOf(names: readonly string[]): AttrGroup<Map<string, string>> {
  const key = [...names].sort().join(",");
  let g = groups.get(key);
  if (!g) {
    const defs: Record<
      string,
      { show(m: Map<string, string>): string; store(m: Map<string, string>): number }
    > = {};
    for (const k of names) defs[k] = { show: (m) => `${k}=${m.get(k)}`, store: (m) => m.get(k)!.length };
    groups.set(key, (g = new AttrGroup(defs)));
  }
  return g;
}

describe("SysfsTree path resolution", () => {
  it("answers every query as the component-by-component walk from the root did, between any changes", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            op.map((o) => ({ o })),
            query.map((q) => ({ q })),
          ),
          { minLength: 10, maxLength: 80, size: "max" },
        ),
        (steps) => {
          const t = new SysfsTree();
          const r = new WalkReference();
          for (const s of steps) {
            if ("o" in s) {
              apply(t, s.o);
              apply(r, s.o);
              continue;
            }
            const q = s.q;
            expect(t.realpath(q)).toBe(r.realpath(q));
            expect(t.exists(q)).toBe(r.exists(q));
            expect(t.readAttr(q)).toEqual(r.readAttr(q));
            expect(t.writeAttr(q, "x")).toBe(r.writeAttr(q, "x"));
            expect(t.list(q)).toEqual(r.list(q));
            expect(t.readlink(q)).toBe(r.readlink(q));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("follows relative links through .. from the link's real directory, and gives up on loops", () => {
    const t = new SysfsTree();
    t.constant("/devices/host0/target0/0:0:0:0/block/sda/size", "8\n");
    t.symlink("/block/sda", "../devices/host0/target0/0:0:0:0/block/sda");
    t.symlink("/devices/host0/target0/0:0:0:0/block/sda/device", "../../../0:0:0:0");
    expect(t.readAttr("/block/sda/size")).toBe("8\n");
    expect(t.realpath("/block/sda/device/block/sda/device")).toBe("/devices/host0/target0/0:0:0:0");
    t.symlink("/loop/a", "b");
    t.symlink("/loop/b", "a");
    expect(t.realpath("/loop/a")).toBeNull();
    expect(t.readAttr("/loop/a")).toEqual({ errno: Errno.ENOENT });
  });
});
