import type { Uevent } from "@mp/dm-core";

/**
 * systemd-udevd's event queue (`event_queue_start`, `event_is_blocked`): events received from
 * the kernel wait until no earlier unfinished event is for the same device, a parent or child
 * of it, or the same device number; unblocked ones start in arrival order.
 */

/** `b8:0` / `c21:0`: the device number of an event with MAJOR and MINOR, else null. */
export function devnumOf(e: Uevent): string | null {
  let major: string | undefined;
  let minor: string | undefined;
  for (const [k, v] of e.env) {
    if (k === "MAJOR") major = v;
    else if (k === "MINOR") minor = v;
  }
  return major !== undefined && minor !== undefined
    ? `${e.subsystem === "block" ? "b" : "c"}${major}:${minor}`
    : null;
}

/** `event_is_blocked`'s relation: same device, parent or child, or same device number. */
export function eventsRelated(a: Uevent, b: Uevent): boolean {
  if (a.devpath === b.devpath) return true;
  if (b.devpath.startsWith(`${a.devpath}/`) || a.devpath.startsWith(`${b.devpath}/`)) return true;
  const da = devnumOf(a);
  return da !== null && da === devnumOf(b);
}

/** A received event until its worker finishes. */
export interface QueuedEvent {
  readonly event: Uevent;
  /** Arrival order. */
  readonly seq: number;
  /** Node of its devpath in the queue's tree. */
  readonly node: PathNode;
  readonly devnum: string | null;
  /**
   * Earlier unfinished events related to it, counted once for a path relation (same device,
   * parent or child) and once for the same device number: it may start at 0.
   */
  blockers: number;
}

/** One devpath component in the tree of unfinished events' devpaths. */
interface PathNode {
  readonly parent: PathNode | null;
  readonly name: string;
  /** Components below (made on first use: most nodes are the last component of one devpath). */
  children: Map<string, PathNode> | null;
  /** Unfinished events for exactly this devpath, in arrival order (made on first use). */
  entries: QueuedEvent[] | null;
  /** Unfinished events at or below this node. */
  subtree: number;
}

function pathNode(parent: PathNode | null, name: string): PathNode {
  return { parent, name, children: null, entries: null, subtree: 0 };
}

/**
 * The unfinished events (queued or running) indexed so that relatedness is a walk along one
 * devpath instead of a comparison with every other event: a tree of devpath components ("a is
 * b's parent" is "a's node is a proper ancestor of b's", exactly `startsWith(a + "/")` as the
 * components keep empty names), a count per device number, and the unblocked queued events in
 * a min-heap by arrival.
 */
export class EventQueue {
  readonly #root = pathNode(null, "");
  readonly #byDevnum = new Map<string, QueuedEvent[]>();
  /** Unblocked, not yet started events: a binary min-heap on `seq`. */
  readonly #ready: QueuedEvent[] = [];
  #seq = 0;
  /** Received and not yet started. */
  size = 0;

  add(event: Uevent): void {
    const path = event.devpath;
    let node = this.#root;
    let blockers = 0;
    // One node per component, empty ones included (`split("/")`'s pieces).
    for (let start = 0; ; ) {
      // Every event at a proper ancestor is the new one's parent (or grandparent …).
      blockers += node.entries?.length ?? 0;
      let end = path.indexOf("/", start);
      if (end < 0) end = path.length;
      const name = path.slice(start, end);
      let next = node.children?.get(name);
      if (!next) {
        next = pathNode(node, name);
        (node.children ??= new Map()).set(name, next);
      }
      node = next;
      if (end === path.length) break;
      start = end + 1;
    }
    // Same devpath (entries here) and children (the rest of the subtree).
    blockers += node.subtree;
    const devnum = devnumOf(event);
    if (devnum !== null) blockers += this.#byDevnum.get(devnum)?.length ?? 0;
    const entry: QueuedEvent = { event, seq: this.#seq++, node, devnum, blockers };
    (node.entries ??= []).push(entry);
    for (let n: PathNode | null = node; n; n = n.parent) n.subtree++;
    if (devnum !== null) {
      let same = this.#byDevnum.get(devnum);
      if (!same) this.#byDevnum.set(devnum, (same = []));
      same.push(entry);
    }
    this.size++;
    if (blockers === 0) this.#push(entry);
  }

  /** The earliest unblocked queued event (now running), or null. */
  takeReady(): QueuedEvent | null {
    const h = this.#ready;
    if (h.length === 0) return null;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r]!.seq < h[l]!.seq ? r : l;
        if (h[c]!.seq >= last.seq) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    this.size--;
    return top;
  }

  /** A worker finished `entry`: the later events it blocked count one blocker less. */
  finish(entry: QueuedEvent): void {
    const node = entry.node;
    const own = node.entries!;
    own.splice(own.indexOf(entry), 1);
    for (let n: PathNode | null = node; n; n = n.parent) n.subtree--;
    // Same devpath and parents (entries of the node and its ancestors) …
    for (let n: PathNode | null = node; n; n = n.parent)
      if (n.entries !== null) for (const b of n.entries) this.#unblock(entry, b);
    // … and children (everything below the node).
    this.#unblockBelow(entry, node);
    if (entry.devnum !== null) {
      const same = this.#byDevnum.get(entry.devnum)!;
      same.splice(same.indexOf(entry), 1);
      if (same.length === 0) this.#byDevnum.delete(entry.devnum);
      else for (const b of same) this.#unblock(entry, b);
    }
    // Drop the branch nobody waits on any more.
    for (let n: PathNode = node; n.parent && n.subtree === 0; n = n.parent) n.parent.children!.delete(n.name);
  }

  #unblockBelow(a: QueuedEvent, node: PathNode): void {
    if (node.children === null) return;
    for (const child of node.children.values()) {
      if (child.subtree === 0) continue;
      if (child.entries !== null) for (const b of child.entries) this.#unblock(a, b);
      this.#unblockBelow(a, child);
    }
  }

  #unblock(a: QueuedEvent, b: QueuedEvent): void {
    // Only events that arrived after `a` counted it (an earlier related one would have kept
    // `a` from starting).
    if (b.seq < a.seq) return;
    if (--b.blockers === 0) this.#push(b);
  }

  #push(e: QueuedEvent): void {
    const h = this.#ready;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.seq <= e.seq) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }
}
