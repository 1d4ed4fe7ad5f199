import type { DevT, DmInfo } from "@mp/dm-core";
import { devMajor, devMinor } from "@mp/dm-core";

/**
 * libdevmapper's dependency tree (`dm_tree`), as `dmsetup ls --tree` and the tree report fields
 * build it: one node per device, `uses` (children: the devices its table holds) and `usedBy`
 * (parents). Top-level devices hang off a root node; leaves link back to the root ("bottom level").
 */
export interface TreeNode {
  readonly devt: DevT;
  /** dm name; "" for a device that is not a mapped device (a loop or SCSI disk). */
  readonly name: string;
  readonly uuid: string;
  /** DM_DEV_STATUS of a mapped device; undefined for other devices. */
  readonly info: DmInfo | undefined;
  readonly root: boolean;
  readonly uses: TreeNode[];
  readonly usedBy: TreeNode[];
}

/** What the tree needs from the kernel (a thin view over the dm ioctls). */
export interface TreeSource {
  /** True for the device-mapper major. */
  isDm(devt: DevT): boolean;
  /** DM_TABLE_DEPS of a mapped device by dev_t, or null when it does not exist. */
  deps(devt: DevT): { info: DmInfo; name: string; uuid: string; deps: readonly DevT[] } | null;
}

function newNode(devt: DevT, name: string, uuid: string, info: DmInfo | undefined, root = false): TreeNode {
  return { devt, name, uuid, info, root, uses: [], usedBy: [] };
}

function linked(parent: TreeNode, child: TreeNode): boolean {
  return parent.uses.includes(child);
}

function link(parent: TreeNode, child: TreeNode): void {
  if (linked(parent, child)) return;
  parent.uses.push(child);
  child.usedBy.push(parent);
}

function unlink(parent: TreeNode, child: TreeNode): void {
  if (!linked(parent, child)) return;
  parent.uses.splice(parent.uses.indexOf(child), 1);
  child.usedBy.splice(child.usedBy.indexOf(parent), 1);
}

/** `dm_tree_node_num_children`. */
export function numChildren(node: TreeNode, inverted: boolean, root: TreeNode): number {
  if (inverted) return linked(root, node) ? 0 : node.usedBy.length;
  return linked(node, root) ? 0 : node.uses.length;
}

/** A dependency tree under construction. */
export class DepTree {
  readonly root: TreeNode = newNode(0, "", "", undefined, true);
  readonly #nodes = new Map<DevT, TreeNode>();
  readonly #src: TreeSource;

  constructor(src: TreeSource) {
    this.#src = src;
  }

  find(devt: DevT): TreeNode | undefined {
    return devt === 0 ? this.root : this.#nodes.get(devt);
  }

  /** `dm_tree_add_dev`: adds a device (and, recursively, what it uses) under the root. */
  addDev(devt: DevT): void {
    this.#add(this.root, devt);
  }

  #linkTree(parent: TreeNode, child: TreeNode): void {
    if (parent.root) {
      // A device that already has a parent does not hang off the root.
      if (numChildren(child, true, this.root)) return;
    } else {
      unlink(this.root, child);
    }
    link(parent, child);
  }

  #add(parent: TreeNode, devt: DevT): void {
    let node = this.#nodes.get(devt);
    let isNew = false;
    let deps: readonly DevT[] = [];
    if (!node) {
      if (this.#src.isDm(devt)) {
        const d = this.#src.deps(devt);
        node = d ? newNode(devt, d.name, d.uuid, d.info) : newNode(devt, "", "", undefined);
        deps = d?.deps ?? [];
      } else {
        node = newNode(devt, "", "", undefined);
      }
      this.#nodes.set(devt, node);
      isNew = true;
    }
    this.#linkTree(parent, node);
    if (!isNew) return;
    if (!node.info || deps.length === 0) {
      link(node, this.root);
      return;
    }
    for (const d of deps) this.#add(node, d);
  }
}

/** Options of `ls --tree -o …`. */
export interface TreeOptions {
  device: boolean;
  blkdevname: boolean;
  active: boolean;
  rw: boolean;
  open: boolean;
  uuid: boolean;
  compact: boolean;
  inverted: boolean;
  truncate: boolean;
  symbols: "ascii" | "utf" | "vt100";
  table: boolean;
  status: boolean;
}

/** Default tree options (`device`, truncation at the terminal width, ASCII in the C locale). */
export function defaultTreeOptions(): TreeOptions {
  return {
    device: true,
    blkdevname: false,
    active: false,
    rw: false,
    open: false,
    uuid: false,
    compact: false,
    inverted: false,
    truncate: true,
    symbols: "ascii",
    table: false,
    status: false,
  };
}

/** Parses `-o` for `ls --tree`: the option list, or the word not recognised. */
export function parseTreeOptions(
  spec: string | undefined,
): { ok: true; opts: TreeOptions } | { ok: false; bad: string } {
  const o = defaultTreeOptions();
  if (!spec) return { ok: true, opts: o };
  // libdm compares each word as a prefix of the option name (strncmp with the word's length),
  // in this order, and reports the rest of the list from the bad word on.
  const names: Array<[string, (o: TreeOptions) => void]> = [
    [
      "device",
      (x) => {
        x.device = true;
      },
    ],
    [
      "blkdevname",
      (x) => {
        x.blkdevname = true;
      },
    ],
    [
      "nodevice",
      (x) => {
        x.device = false;
      },
    ],
    [
      "status",
      (x) => {
        x.status = true;
      },
    ],
    [
      "table",
      (x) => {
        x.table = true;
      },
    ],
    [
      "active",
      (x) => {
        x.active = true;
      },
    ],
    [
      "open",
      (x) => {
        x.open = true;
      },
    ],
    [
      "uuid",
      (x) => {
        x.uuid = true;
      },
    ],
    [
      "rw",
      (x) => {
        x.rw = true;
      },
    ],
    [
      "utf",
      (x) => {
        x.symbols = "utf";
      },
    ],
    [
      "vt100",
      (x) => {
        x.symbols = "vt100";
      },
    ],
    [
      "ascii",
      (x) => {
        x.symbols = "ascii";
      },
    ],
    [
      "inverted",
      (x) => {
        x.inverted = true;
      },
    ],
    [
      "compact",
      (x) => {
        x.compact = true;
      },
    ],
    [
      "notrunc",
      (x) => {
        x.truncate = false;
      },
    ],
  ];
  let s = spec;
  while (s.length > 0) {
    const comma = s.indexOf(",");
    const word = comma < 0 ? s : s.slice(0, comma);
    const hit = names.find(([n]) => n.startsWith(word));
    if (!hit) return { ok: false, bad: s };
    hit[1](o);
    if (comma < 0) break;
    s = s.slice(comma + 1);
  }
  return { ok: true, opts: o };
}

const SYMBOLS = {
  ascii: { empty: "  ", branch: "|-", vert: "| ", last: "`-", single: "---", first: "-+-" },
  utf: {
    empty: "  ",
    branch: "\u251c\u2500",
    vert: "\u2502 ",
    last: "\u2514\u2500",
    single: "\u2500\u2500\u2500",
    first: "\u2500\u252c\u2500",
  },
  vt100: {
    empty: "  ",
    branch: "\x1b(0\x0ftq\x1b(B",
    vert: "\x1b(0\x0fx\x1b(B ",
    last: "\x1b(0\x0fmq\x1b(B",
    single: "\x1b(0\x0fqqq\x1b(B",
    first: "\x1b(0\x0fqwq\x1b(B",
  },
} as const;

const MAX_DEPTH = 100;

/** Draws the tree as `dmsetup ls --tree` does (output not a terminal: 80 columns). */
export function drawTree(
  tree: DepTree,
  opts: TreeOptions,
  blockName: (devt: DevT) => string | undefined,
  termWidth = 80,
): string {
  const sym = SYMBOLS[opts.symbols];
  const printAttr = opts.active || opts.rw || opts.open || opts.uuid;
  const printTargets = opts.table || opts.status;
  const compact = opts.compact && !printAttr && !printTargets;
  const treeWidth = new Array<number>(MAX_DEPTH).fill(0);
  const treeMore = new Array<boolean>(MAX_DEPTH).fill(false);
  let out = "";
  let curX = 1;
  let lastChar = "";

  const outChar = (c: string) => {
    const code = c.charCodeAt(0);
    // Only the first byte of a UTF-8 sequence counts as a column (a JS char is a whole one).
    curX += 1;
    if (!opts.truncate) {
      out += c;
      return;
    }
    if (curX <= termWidth) out += c;
    if (curX === termWidth + 1) {
      if (lastChar !== "" || code >= 0x80) out += "...";
      else {
        lastChar = c;
        curX--;
      }
    }
  };
  const outString = (s: string) => {
    for (const c of s) outChar(c);
  };
  const newline = () => {
    if (lastChar !== "" && curX === termWidth) out += lastChar;
    lastChar = "";
    out += "\n";
    curX = 1;
  };
  const prefix = (depth: number) => {
    for (let d = 0; d < depth; d++) {
      for (let x = treeWidth[d]! + 1; x > 0; x--) outChar(" ");
      outString(
        d === depth - 1 ? (!treeMore[depth] ? sym.last : sym.branch) : treeMore[d + 1] ? sym.vert : sym.empty,
      );
    }
  };
  const node = (n: TreeNode, depth: number, lastChild: boolean, hasChildren: boolean) => {
    if (depth + 2 > MAX_DEPTH) return;
    if (n.name === "" && !opts.device && !opts.blkdevname) return;
    treeMore[depth] = !lastChild;
    treeWidth[depth] = 0;
    const firstOnLine = curX === 1;
    if (!compact || firstOnLine) prefix(depth);
    const offset = curX;
    if (compact && !firstOnLine) outString(treeMore[depth] ? sym.first : sym.single);
    outString(n.name);
    const kname = opts.blkdevname ? blockName(n.devt) : undefined;
    if (kname !== undefined) {
      outString(" <");
      outString(kname);
      outChar(">");
    }
    if (opts.device) {
      outString(" (");
      outString(String(devMajor(n.devt)));
      outChar(":");
      outString(String(devMinor(n.devt)));
      outChar(")");
    }
    if (printAttr && n.info) {
      let attr = 0;
      const item = (s: string) => {
        outString(attr++ ? ", " : " [");
        outString(s);
      };
      if (opts.active) item(n.info.suspended ? "SUSPENDED" : "ACTIVE");
      if (opts.rw) item(n.info.readOnly ? "RO" : "RW");
      if (opts.open) item(String(n.info.openCount));
      if (opts.uuid) item(n.uuid);
      if (attr) outChar("]");
    }
    if (compact) treeWidth[depth] = curX - offset;
    if (!compact || !hasChildren) newline();
    if (printTargets) treeMore[depth + 1] = hasChildren;
  };
  const walk = (parent: TreeNode, depth: number) => {
    const list = opts.inverted ? parent.usedBy : parent.uses;
    const children = [...list];
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      const has = numChildren(child, opts.inverted, tree.root) > 0;
      node(child, depth, i === children.length - 1, has);
      if (has) walk(child, depth + 1);
    }
  };
  walk(tree.root, 0);
  return out;
}
